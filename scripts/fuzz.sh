#!/usr/bin/env bash
# Runs every libFuzzer target of a build for a while over its seed corpus.
#
#   scripts/fuzz.sh BUILD_DIR SECONDS [-merge]
#
# BUILD_DIR was configured with CC=clang -DAPIERR_FUZZ=ON, so it holds
# BUILD_DIR/fuzz/fuzz_<name> binaries. Each one runs for SECONDS over
# fuzz/corpus/<name>/ (read only); new inputs go to a scratch directory under
# BUILD_DIR/fuzz-work/<name>/, and crash inputs to BUILD_DIR/fuzz-work/<name>/
# as well. With -merge, the new inputs that add coverage are merged into the
# committed corpus afterwards. Fails when any target crashes, leaks or
# aborts; the crash input is then worth adding to the corpus as a regression.
set -euo pipefail

usage() {
    echo "usage: $0 BUILD_DIR SECONDS [-merge]" >&2
    exit 2
}
[ $# -ge 2 ] || usage
build=$1
seconds=$2
merge=${3:-}
[[ $seconds =~ ^[0-9]+$ ]] || usage
[ -z "$merge" ] || [ "$merge" = -merge ] || usage

root=$(cd "$(dirname "$0")/.." && pwd)
shopt -s nullglob
targets=("$build"/fuzz/fuzz_*)
if [ ${#targets[@]} -eq 0 ]; then
    echo "$0: no fuzz targets in $build/fuzz (configure with CC=clang -DAPIERR_FUZZ=ON)" >&2
    exit 2
fi

failed=()
for bin in "${targets[@]}"; do
    [ -x "$bin" ] && [ -f "$bin" ] || continue
    name=${bin##*/fuzz_}
    corpus=$root/fuzz/corpus/$name
    work=$build/fuzz-work/$name
    mkdir -p "$work/new" "$work/artifacts"
    echo "== $name: $seconds s"
    # The scratch dir comes first: libFuzzer writes new inputs to the first
    # corpus directory only, so the committed corpus is only read.
    if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
        "$work/new" "$corpus" >"$work/log" 2>&1; then
        echo "!! $name failed; see $work/log and $work/artifacts/" >&2
        tail -n 30 "$work/log" >&2
        failed+=("$name")
        continue
    fi
    grep -E '^stat::(number_of_executed_units|new_units_added):' "$work/log" || true
    if [ "$merge" = -merge ]; then
        "$bin" -merge=1 "$corpus" "$work/new" >>"$work/log" 2>&1
        echo "   merged into fuzz/corpus/$name"
    fi
done

if [ ${#failed[@]} -ne 0 ]; then
    echo "FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "all fuzz targets ran clean"
