#!/usr/bin/env bash
# Measure issue 15's goal: `closeout check` writing four formats in one run (--output json, sarif, junit and
# github: one evaluation) is not slower than writing one format by more than 5%, on the 42,000-item
# (~156 MB) benchmark store (the one `cargo bench --bench load` uses, generated from CAVRA's fixtures).
# Needs: cargo, hyperfine (Debian: apt-get install hyperfine), jq.
# Usage: scripts/measure-outputs.sh [ITEMS] [RUNS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need cargo "it builds closeout (install Rust from rustup.rs)"
need hyperfine "it times the runs (Debian: apt-get install hyperfine)"
need jq "it reads hyperfine's results (Debian: apt-get install jq)"
items=${1:-42000}
runs=${2:-20}
cargo build --release --locked --quiet --bin closeout
store=$(bench_store "$items")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
co="$target/release/closeout check --as-of 2026-06-01T10:00:00Z $store --format json"
echo "store: $store ($(( $(stat -c %s "$store") / 1000000 )) MB)"
# Exit 1 (blocked) is the verdict, not a failure: -i.
hyperfine -N -i --warmup 3 --runs "$runs" --export-json "$out/h.json" \
  -n one "$co --output json=$out/one.json" \
  -n four "$co --output json=$out/r.json --output sarif=$out/r.sarif --output junit=$out/r.xml --output github=$out/r.txt"
one=$(jq '.results[] | select(.command == "one") | .median' "$out/h.json")
four=$(jq '.results[] | select(.command == "four") | .median' "$out/h.json")
echo "median: one format $(printf %.3f "$one") s, four formats $(printf %.3f "$four") s: $(echo "scale=6; ($four - $one) / $one * 100" | bc | xargs printf %.1f)% slower (goal: <= 5%)"
