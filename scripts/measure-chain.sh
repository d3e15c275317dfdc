#!/usr/bin/env bash
# Measure the typed chain's performance goals (issue 10) on both benchmark stores in one run:
#   closeout check vs `jq empty` (goal: >= 10x faster; timed in turns, as the machine's speed drifts),
#   peak memory (goal: <= 1.25x the file), the evaluation alone from CLOSEOUT_TRACE (the chain, built during
#   the load, plus the criteria; goal: <= 30 ms; `cargo bench --bench chain` measures it properly),
#   and cost per item at 10k, 42k and 170k items (goal: linear).
# Stores are generated from CAVRA's fixtures (CLOSEOUT_FIXTURES, or the shared folder beside the checkout).
# Needs: cargo, jq, GNU time (/usr/bin/time), bc.
# Usage: scripts/measure-chain.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need cargo "it builds closeout (install Rust from rustup.rs)"
need jq "closeout is compared with jq empty (Debian: apt-get install jq)"
need bc "it computes the ratios (Debian: apt-get install bc)"
need_gnu_time
cargo build --release --locked --quiet --bin closeout
log=$(mktemp)
trap 'rm -f "$log"' EXIT
best() { sort -n | head -1; }
# One run's wall time in seconds, to the microsecond (GNU time's %e has two decimals: 5% of a 0.2 s run).
time_of1() {
  local t0=$EPOCHREALTIME
  "$@" >/dev/null 2>&1 || true
  echo "$EPOCHREALTIME - $t0" | bc
}
time_of() { for _ in 1 2 3 4 5; do /usr/bin/time -f "%e %M" -o "$log" "$@" >/dev/null 2>&1 || true; tail -1 "$log"; done; }
bin="$target/release/closeout"
asof=2026-06-01T10:00:00Z
for shape in bench_store versions_store; do
  echo "== $shape"
  for items in 10000 42000 170000; do
    store=$($shape "$items")
    size=$(stat -c %s "$store")
    co=$(time_of "$bin" check --as-of "$asof" "$store")
    co_s=$(echo "$co" | awk '{print $1}' | best)
    co_kb=$(echo "$co" | awk '{print $2}' | sort -n | tail -1)
    # The chain is built during the load (beside its last steps), the criteria after it: both are counted.
    eval_ms=$(for _ in 1 2 3 4 5; do
      CLOSEOUT_TRACE=1 "$bin" check --as-of "$asof" "$store" 2>&1 >/dev/null |
        sed -n 's/^closeout: \(chain built\|evaluated\): \([0-9.]*\)\([^ ]*\) .*/\2 \3/p' |
        awk '{ f = ($2 == "s") ? 1000 : ($2 == "ms") ? 1 : 0.001; sum += $1 * f } END { print sum }' || true
    done | best)
    line="$items items ($((size / 1000000)) MB): check ${co_s} s, $(echo "scale=2; $co_s * 1000000000 / $size" | bc) s/GB"
    line="$line, evaluation ${eval_ms} ms, peak $((co_kb / 1024)) MiB = $(echo "scale=2; $co_kb * 1024 / $size" | bc)x the file"
    if [ "$items" = 42000 ]; then
      # closeout and jq in turns, so that both are timed in the same state of a machine whose speed drifts.
      pairs=$(for _ in 1 2 3 4 5 6 7; do
        c=$(time_of1 "$bin" check --as-of "$asof" "$store")
        j=$(time_of1 jq empty "$store")
        echo "$c $j"
      done)
      co_best=$(echo "$pairs" | awk '{print $1}' | best)
      jq_best=$(echo "$pairs" | awk '{print $2}' | best)
      per_pair=$(echo "$pairs" | awk '{printf "%.2f\n", $2 / $1}' | sort -n | sed -n 4p)
      line="$line; in 7 turns with jq empty: check best $(printf %.3f "$co_best") s, jq best $(printf %.3f "$jq_best") s"
      line="$line -> $(echo "scale=2; $jq_best / $co_best" | bc)x (median of the turns ${per_pair}x)"
    fi
    echo "$line"
  done
done
