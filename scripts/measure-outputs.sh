#!/usr/bin/env bash
# Measure issue 15's goal: `closeout check` writing four formats in one run (--output json, sarif, junit and
# github: one evaluation) is not slower than writing one format by more than 5%, on the 42,000-item
# (~156 MB) benchmark store (the one `cargo bench --bench load` uses, generated from CAVRA's fixtures).
# Needs: cargo, hyperfine (Debian: apt-get install hyperfine), jq.
# Usage: scripts/measure-outputs.sh [ITEMS] [RUNS]   (RUNS for hyperfine, and pairs for the alternated trace)
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
# Wall-clock medians, and CPU time (user + system, mean over the runs): on a shared machine the wall clock
# also measures the other processes; the CPU time is what this one costs.
pct() { echo "scale=6; ($2 - $1) / $1 * 100" | bc | xargs printf %.1f; }
get() { jq ".results[] | select(.command == \"$1\") | $2" "$out/h.json"; }
one=$(get one .median)
four=$(get four .median)
one_cpu=$(get one '(.user + .system)')
four_cpu=$(get four '(.user + .system)')
echo "median wall clock: one format $(printf %.3f "$one") s, four formats $(printf %.3f "$four") s: $(pct "$one" "$four")% (goal: <= 5%)"
echo "mean CPU (user+system): one format $(printf %.3f "$one_cpu") s, four formats $(printf %.3f "$four_cpu") s: $(pct "$one_cpu" "$four_cpu")%"

# The same two commands alternated, pair by pair, with closeout's phase trace (CLOSEOUT_TRACE): the output
# phase (every render and write) is what the extra formats change; loading and evaluating are the same code
# for both, so their drift from the machine's other load cancels out of the comparison.
secs() { # a Rust Duration as printed ("950µs", "30.5ms", "1.27s") in seconds
  awk '{ v = $0; if (v ~ /ns$/) { sub(/ns$/, "", v); v /= 1e9 } else if (v ~ /µs$/) { sub(/µs$/, "", v); v /= 1e6 }
         else if (v ~ /ms$/) { sub(/ms$/, "", v); v /= 1e3 } else { sub(/s$/, "", v) } printf "%.6f\n", v }'
}
phase() { # COMMAND...: "<output phase> <whole run>" in seconds, from the trace
  local t
  # Exit 1 (blocked) is the verdict; anything else is a failure.
  t=$({ CLOSEOUT_TRACE=1 "$@" || [ $? -eq 1 ]; } 2>&1 >/dev/null | grep '^closeout: reported: ')
  echo "$(echo "$t" | sed 's/^closeout: reported: \([^ ]*\) .*/\1/' | secs) $(echo "$t" | sed 's/.*(at \(.*\))$/\1/' | secs)"
}
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
: >"$out/one.txt"; : >"$out/four.txt"
for _ in $(seq "$runs"); do
  # shellcheck disable=SC2086 # $co is a command line
  phase $co --output "json=$out/one.json" >>"$out/one.txt"
  # shellcheck disable=SC2086
  phase $co --output "json=$out/r.json" --output "sarif=$out/r.sarif" --output "junit=$out/r.xml" \
    --output "github=$out/r.txt" >>"$out/four.txt"
done
p1=$(cut -d' ' -f1 "$out/one.txt" | median); p4=$(cut -d' ' -f1 "$out/four.txt" | median)
w1=$(cut -d' ' -f2 "$out/one.txt" | median); w4=$(cut -d' ' -f2 "$out/four.txt" | median)
echo "alternated, $runs pairs, medians: output phase one format $(printf %.3f "$p1") s, four $(printf %.3f "$p4") s" \
  "(+$(printf %.3f "$(echo "$p4 - $p1" | bc)") s, $(pct "$w1" "$(echo "$w1 + $p4 - $p1" | bc)")% of the one-format run);" \
  "whole run one $(printf %.3f "$w1") s, four $(printf %.3f "$w4") s: $(pct "$w1" "$w4")%"
