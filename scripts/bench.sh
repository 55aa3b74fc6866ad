#!/bin/sh
# make bench: runs every benchmark binary of BUILD_DIR/bench in turn, then
# every bench/*/run.sh script, each given BUILD_DIR. Each prints its peer,
# its conditions and its ratios; none asserts a time, and a missed target is
# reported in its output, not as a failure. Exits 0 when every benchmark ran
# to its end; otherwise names those that did not and exits 1.
set -eu
build=${1:-build}
failed=""
for b in "$build"/bench/bench_*; do
    [ -x "$b" ] || continue
    echo "== $(basename "$b")"
    "$b" || failed="$failed $(basename "$b")"
    echo
done
# Script-driven benchmarks (servers against peers): bench/*/run.sh BUILD_DIR.
for r in "$(dirname "$0")"/../bench/*/run.sh; do
    [ -f "$r" ] || continue
    echo "== bench/$(basename "$(dirname "$r")")"
    bash "$r" "$build" || failed="$failed bench/$(basename "$(dirname "$r")")"
    echo
done
if [ -n "$failed" ]; then
    echo "bench: did not run to the end:$failed" >&2
    exit 1
fi
