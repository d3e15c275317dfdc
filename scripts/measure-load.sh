#!/usr/bin/env bash
# Measure the engine issue's performance goals in one run on this machine:
#   closeout check on a 42,000-item store vs `jq empty` (goal: >= 6x faster), peak memory (goal: <= 1.5x
#   the file size), and SHA-256 file hashing vs `openssl speed sha256` (goal: >= 90%).
# The store is the one `cargo bench --bench load` uses ($CARGO_TARGET_DIR/bench-store-ITEMS.json, else
# target/), generated from CAVRA's fixtures (CLOSEOUT_FIXTURES, or the shared folder beside the checkout).
# Needs: cargo, jq, GNU time (/usr/bin/time), bc; openssl for the hashing comparison.
# Usage: scripts/measure-load.sh [ITEMS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need cargo "it builds closeout (install Rust from rustup.rs)"
need jq "closeout is compared with jq empty (Debian: apt-get install jq)"
need bc "it computes the ratios (Debian: apt-get install bc)"
need openssl "SHA-256 speed is compared with openssl speed (Debian: apt-get install openssl)"
need_gnu_time
items=${1:-42000}
cargo build --release --locked --quiet --bin closeout
store=$(bench_store "$items")
size=$(stat -c %s "$store")
log=$(mktemp)
trap 'rm -f "$log"' EXIT
best() { sort -n | head -1; }
time_of() { for _ in 1 2 3 4 5; do /usr/bin/time -f "%e %M" -o "$log" "$@" >/dev/null || true; tail -1 "$log"; done; }
echo "store: $store ($((size / 1000000)) MB)"
jq_s=$(time_of jq empty "$store" | awk '{print $1}' | best)
co=$(time_of "$target/release/closeout" check --as-of 2026-06-01T10:00:00Z "$store")
co_s=$(echo "$co" | awk '{print $1}' | best)
co_kb=$(echo "$co" | awk '{print $2}' | sort -n | tail -1)
echo "jq empty:        ${jq_s} s (best of 5)"
echo "closeout check:  ${co_s} s (best of 5)  -> $(echo "scale=1; $jq_s / $co_s" | bc)x faster than jq"
echo "peak memory:     $((co_kb / 1024)) MiB = $(echo "scale=2; $co_kb * 1024 / $size" | bc)x the file"
ossl=$(openssl speed -seconds 3 -bytes 1048576 sha256 2>/dev/null | awk '/^sha256/ {print $2}' | sed 's/k$//')
echo "openssl sha256:  $(echo "scale=0; $ossl / 1000" | bc) MB/s (1 MiB blocks; closeout's hash_file: cargo bench --bench load -- hash_file)"
