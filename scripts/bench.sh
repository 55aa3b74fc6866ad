#!/bin/sh
# make bench: runs every benchmark binary of BUILD_DIR/bench in turn, then
# every bench/*/run.sh script. Each
# prints its peer, its conditions and its ratios; none asserts a time.
set -eu
build=${1:-build}
status=0
for b in "$build"/bench/bench_*; do
    [ -x "$b" ] || continue
    echo "== $(basename "$b")"
    "$b" || status=1
    echo
done
# Script-driven benchmarks (servers against peers): bench/*/run.sh BUILD_DIR.
for r in "$(dirname "$0")"/../bench/*/run.sh; do
    [ -f "$r" ] || continue
    echo "== bench/$(basename "$(dirname "$r")")"
    bash "$r" "$build" || status=1
    echo
done
exit $status
