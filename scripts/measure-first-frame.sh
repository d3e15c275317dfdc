#!/usr/bin/env bash
# Time from launch to first frame for closeout and for jless on the same store, in one run, by polling a
# tmux pane until each program's screen shows a marker. (The TUI issue's goal: closeout is no slower.)
# The store is the one `cargo bench --bench load` uses, generated from CAVRA's fixtures when missing.
# Needs: cargo, tmux, jless (cargo install --locked jless, or give its path as JLESS).
# Usage: scripts/measure-first-frame.sh [STORE] [JLESS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need cargo "it builds closeout (install Rust from rustup.rs)"
need tmux "it runs both programs in a pane it can read (Debian: apt-get install tmux)"
jless=${2:-jless}
need "$jless" "closeout's first frame is compared with jless's (cargo install --locked jless)"
cargo build --release --locked --quiet --bin closeout
store=${1:-$(bench_store 42000)}
[ -f "$store" ] || { echo "$script: no store at $store" >&2; exit 1; }
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
  c=$(first_frame "Evidence chain" "$target/release/closeout" "$store" --as-of 2026-06-01T10:00:00Z)
  j=$(first_frame "items" "$jless" "$store")
  echo "run $i: closeout first frame ${c} ms, jless first frame ${j} ms"
done
