# Shared by scripts/*.sh (sourced, not run): go to the checkout, find cargo's target directory, and stop
# with a message naming whatever is missing.

# $CARGO_TARGET_DIR is honoured; a relative one is taken from where the script was started, as cargo would.
if [ -n "${CARGO_TARGET_DIR:-}" ]; then
  case $CARGO_TARGET_DIR in /*) ;; *) CARGO_TARGET_DIR=$PWD/$CARGO_TARGET_DIR ;; esac
  export CARGO_TARGET_DIR
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."
target=${CARGO_TARGET_DIR:-$PWD/target}
script=$(basename "$0")

# need TOOL HOW: stop unless TOOL is on PATH; HOW says what it is for and how to get it.
need() {
  command -v "$1" >/dev/null 2>&1 || { echo "$script: $1 not found: $2" >&2; exit 1; }
}

# need_gnu_time: GNU time at /usr/bin/time (the shell's `time` keyword reports no peak memory).
need_gnu_time() {
  /usr/bin/time --version 2>&1 | grep -q GNU ||
    { echo "$script: GNU time not found at /usr/bin/time: it measures peak memory (Debian: apt-get install time)" >&2; exit 1; }
}

# bench_store ITEMS: the generated benchmark store (as the load bench uses it), made from CAVRA's fixtures
# by the gen_store example when it is not there yet. Prints its path.
bench_store() {
  local store="$target/bench-store-$1.json"
  if [ ! -f "$store" ]; then
    cargo build --release --locked --quiet --example gen_store
    "$target/release/examples/gen_store" "$store" "$1" >&2
  fi
  echo "$store"
}

# versions_store ITEMS: the generated versions store (one release, every kind with thousands of versions), as
# the chain bench uses it. Prints its path.
versions_store() {
  local store="$target/bench-versions-$1.json"
  if [ ! -f "$store" ]; then
    cargo build --release --locked --quiet --example gen_store
    "$target/release/examples/gen_store" --versions "$store" "$1" >&2
  fi
  echo "$store"
}
