#!/usr/bin/env python3
"""Peak memory of `closeout check` per input shape (issue 11 §4).

Writes each shape into a temporary directory, runs `closeout check --format json` on it under
`/usr/bin/time -f %M`, and prints a table: file size, peak RSS, and their ratio. Usage:

    scripts/memory-shapes.py [--scale 1.0] [--bin target/release/closeout]

`--scale 0.01` makes the shapes a hundred times smaller (the test suite runs the same shapes small, in
tests/bounds.rs). Synthetic data only; the secret values are made-up strings in the shape of a password.
"""
import argparse, json, os, subprocess, tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
with open(os.path.join(ROOT, "sample-evidence", "clean-store.json")) as f:
    BASE = json.load(f)["items"]

def store(extra_items="", first_extra=""):
    """The clean sample store as text, with `extra_items` appended to its items and `first_extra` (members)
    added to its first item."""
    items = [json.dumps(i) for i in BASE]
    if first_extra:
        items[0] = items[0][:-1] + ", " + first_extra + "}"
    body = ",".join(items)
    if extra_items:
        body += "," + extra_items
    return '{"items": [' + body + "]}"

def note(i, body):
    return '{"metadata_kind": "note", "session_id": "n%d", %s}' % (i, body)

def tiny_items(n):
    return store(",".join(note(i, '"k": %d' % (i % 10)) for i in range(n)))

def million_keys(n):
    return store(first_extra='"extra": {' + ",".join('"key%07d": %d' % (i, i % 10) for i in range(n)) + "}")

def secret_fields(n):
    fields = ",".join('"password_%06d": "Pw-%06d-not-a-real-secret"' % (i, i) for i in range(n))
    return store(first_extra='"config": {' + fields + "}")

def deep_nesting(n):
    depth = 120
    unit = "[" * depth + "0" + "]" * depth
    return store(",".join(note(i, '"d": %s' % unit) for i in range(n)))

def wide_array(n):
    return store(first_extra='"values": [' + ",".join(str(i % 100) for i in range(n)) + "]")

def long_strings(n):
    s = "x" * 4096
    return store(",".join(note(i, '"text": "%s"' % s) for i in range(n)))

SHAPES = [
    ("1M tiny items", tiny_items, 1_000_000),
    ("1M-key object", million_keys, 1_000_000),
    ("200k secret fields", secret_fields, 200_000),
    ("deep nesting (120 levels) x 20k", deep_nesting, 20_000),
    ("wide array, 5M numbers", wide_array, 5_000_000),
    ("long strings, 20k x 4 KB", long_strings, 20_000),
]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--bin", default="target/release/closeout")
    a = ap.parse_args()
    print("| shape | file | peak RSS | RSS / file | exit |")
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as d:
        for name, make, n in SHAPES:
            p = os.path.join(d, "store.json")
            with open(p, "w") as f:
                f.write(make(max(1, int(n * a.scale))))
            size = os.path.getsize(p)
            r = subprocess.run(["/usr/bin/time", "-f", "%M", a.bin, "check", "--format", "json", p],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            rss_kb = int(r.stderr.strip().splitlines()[-1])
            print("| %s | %.1f MB | %.1f MB | %.1fx | %d |" % (
                name, size / 1e6, rss_kb * 1024 / 1e6, rss_kb * 1024 / size, r.returncode))
            os.remove(p)

if __name__ == "__main__":
    main()
