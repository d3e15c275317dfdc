#!/usr/bin/env bash
# Time from launch to first frame for closeout and for jless on the same store, in one run, by polling a
# tmux pane until each program's screen shows a marker. (The TUI issue's goal: closeout is no slower.)
# Usage: scripts/measure-first-frame.sh [STORE] [JLESS]   (default store: target/bench-store-42000.json)
set -euo pipefail
cd "$(dirname "$0")/.."
store=${1:-target/bench-store-42000.json}
jless=${2:-$(command -v jless || true)}
[ -f "$store" ] || { cargo build --release --quiet --example gen_store; ./target/release/examples/gen_store "$store"; }
cargo build --release --quiet --bin closeout
now_ms() { date +%s%3N; }
first_frame() { # marker, command...
  local marker=$1; shift
  local session="ff$$"
  tmux kill-session -t "$session" 2>/dev/null || true
  tmux new-session -d -s "$session" -x 200 -y 60 "sleep 0.3; exec $*"
  sleep 0.3
  local start; start=$(now_ms)
  while ! tmux capture-pane -t "$session" -p 2>/dev/null | grep -q "$marker"; do
    sleep 0.005
    if [ $(( $(now_ms) - start )) -gt 30000 ]; then echo "timeout"; tmux kill-session -t "$session"; return; fi
  done
  echo $(( $(now_ms) - start ))
  tmux kill-session -t "$session" 2>/dev/null || true
}
for i in 1 2 3; do
  c=$(first_frame "Evidence chain" ./target/release/closeout "$store" --as-of 2026-06-01T10:00:00Z)
  if [ -n "$jless" ]; then j=$(first_frame "items" "$jless" "$store"); else j="(jless not installed)"; fi
  echo "run $i: closeout first frame ${c} ms, jless first frame ${j} ms"
done
