#!/bin/sh
# Seed fuzz/corpus/loaders from the repository's own evidence: each JSON file as a JSON input (first byte 0)
# and SQLite stores written from the samples (first byte 1). Needs python3.
set -eu
cd "$(dirname "$0")/.."
out=fuzz/corpus/loaders
mkdir -p "$out"
for f in sample-evidence/*.json $(find tests/data/chain -name '*.json'); do
    name=$(echo "$f" | tr '/' '_')
    { printf '\000'; cat "$f"; } > "$out/json-$name"
done
python3 - "$out" <<'PY'
import json, os, sqlite3, sys, tempfile
out = sys.argv[1]
for name in ["clean-store", "leaked-connector-secret", "tampered-artifact-hash"]:
    items = json.load(open(f"sample-evidence/{name}.json"))["items"]
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "s.sqlite")
        c = sqlite3.connect(db)
        c.execute("CREATE TABLE evidence_metadata (session_id TEXT PRIMARY KEY, created_at TEXT, payload TEXT)")
        for i in items:
            c.execute("INSERT OR REPLACE INTO evidence_metadata VALUES (?, ?, ?)",
                      (i.get("session_id"), i.get("created_at"), json.dumps(i)))
        c.commit(); c.close()
        with open(os.path.join(out, f"sqlite-{name}"), "wb") as f:
            f.write(b"\x01" + open(db, "rb").read())
PY
echo "seeded $(ls "$out" | wc -l) inputs into $out"
