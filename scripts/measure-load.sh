#!/usr/bin/env bash
# Measure the engine issue's performance goals in one run on this machine:
#   closeout check on a 42,000-item store vs `jq empty` (goal: >= 6x faster), peak memory (goal: <= 1.5x
#   the file size), and SHA-256 file hashing vs `openssl speed sha256` (goal: >= 90%).
# Usage: scripts/measure-load.sh [ITEMS]
set -euo pipefail
cd "$(dirname "$0")/.."
items=${1:-42000}
store=target/bench-store-$items.json
cargo build --release --quiet --bin closeout --example gen_store
[ -f "$store" ] || ./target/release/examples/gen_store "$store" "$items"
size=$(stat -c %s "$store")
best() { sort -n | head -1; }
time_of() { for _ in 1 2 3 4 5; do /usr/bin/time -f "%e %M" "$@" >/dev/null 2>>/tmp/measure.$$ || true; tail -1 /tmp/measure.$$; done; }
echo "store: $store ($((size / 1000000)) MB)"
jq_s=$(time_of jq empty "$store" | awk '{print $1}' | best)
co=$(time_of ./target/release/closeout check --as-of 2026-06-01T10:00:00Z "$store")
co_s=$(echo "$co" | awk '{print $1}' | best)
co_kb=$(echo "$co" | awk '{print $2}' | sort -n | tail -1)
rm -f /tmp/measure.$$
echo "jq empty:        ${jq_s} s (best of 5)"
echo "closeout check:  ${co_s} s (best of 5)  -> $(echo "scale=1; $jq_s / $co_s" | bc)x faster than jq"
echo "peak memory:     $((co_kb / 1024)) MiB = $(echo "scale=2; $co_kb * 1024 / $size" | bc)x the file"
if command -v openssl >/dev/null; then
  ossl=$(openssl speed -seconds 3 -bytes 1048576 sha256 2>/dev/null | awk '/^sha256/ {print $2}' | sed 's/k$//')
  echo "openssl sha256:  $(echo "scale=0; $ossl / 1000" | bc) MB/s (1 MiB blocks; see cargo bench --bench load for closeout's hash_file)"
fi
