#!/usr/bin/env bash
# Peak memory and CPU of one `closeout --sandbox` session that walks every pane, in tmux at 120x36, with the
# release build: the tree, detail, health, boundary view, help, palette, message log, search, the retry-plan
# review through its five panes to the save (shown, not written), and the walkthrough to its closing summary
# and notes. Prints /usr/bin/time -v's figures and checks that nothing was written.
# Needs: tmux, GNU time (/usr/bin/time), a release build (cargo build --release).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/target/release/closeout
[ -x "$bin" ] || { echo "measure-sandbox: build first: cargo build --release" >&2; exit 1; }
work=$(mktemp -d)
out=$(mktemp)
trap 'tmux kill-session -t closeout-sandbox 2>/dev/null || true; rm -rf "$work" "$out"' EXIT
tmux new-session -d -s closeout-sandbox -x 120 -y 36 -c "$work" \
  "HOME=$work /usr/bin/time -v $bin --sandbox --idle-limit 1h 2> $out"
sleep 1.5
k() { tmux send-keys -t closeout-sandbox "$@"; sleep 0.4; }
k j; k j; k Enter; k Tab; k Tab; k v; k v; k b; k Down; k Escape; k '?'; k Escape; k ':'; k Escape
k L; k Escape; k /; k -l retry; k Enter; k Escape
k r; k Enter; k Enter; k Enter; k Enter
for t in risk-owner CHG-1 "webhook outage" "" 2026-09-21; do [ -n "$t" ] && k -l "$t"; k Tab; done
k C-s; k y; k Escape
k w; for _ in $(seq 1 11); do k ']'; done; k S; k Escape
k q; sleep 1
# A quit that asks first (unsaved walkthrough ticks) is answered; a quit that did not ask has ended the app.
tmux send-keys -t closeout-sandbox q 2>/dev/null || true
for _ in $(seq 1 50); do grep -q "Exit status" "$out" 2>/dev/null && break; sleep 0.2; done
grep -E "Maximum resident|User time|System time|Elapsed|Exit status" "$out"
if [ -n "$(ls -A "$work")" ]; then echo "measure-sandbox: the session wrote files: $(ls -A "$work")" >&2; exit 1; fi
echo "measure-sandbox: nothing written"
