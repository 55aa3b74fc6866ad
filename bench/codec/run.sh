#!/usr/bin/env bash
# bench/codec for `make bench`: decode cost in instructions, a figure that
# a loaded machine does not move (bench_codec itself, run before this by
# scripts/bench.sh, gives times). For each JSON row of bench_codec, the
# instructions of one apierr_problem_decode() and of one bare jansson parse
# (json_loadb + json_decref, the peer) of the same body, counted by
# callgrind as the difference between N2 and N1 calls (one-time costs
# cancel); then their ratio per row and the geometric mean (target <= 1.30).
#
# usage: bench/codec/run.sh [BUILD_DIR]; BENCH_CODEC_ONLY=NAME for one row.
set -u
export LC_ALL=C
build=${1:-build}
codec=$build/bench/bench_codec
N1=500
N2=1500
[ -x "$codec" ] || { echo "bench/codec: $codec missing (make build)"; exit 1; }
if ! command -v valgrind >/dev/null 2>&1; then
    echo "bench/codec: skipped (valgrind not installed)"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Instructions of N calls of fn (run_decode or run_parse) on row.
count() {
    BENCH_CODEC_ONLY=$1 BENCH_CODEC_ITERS=$3 BENCH_CODEC_ROUNDS=1 \
        valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" --collect-atstart=no \
        --toggle-collect="$2" "$codec" >/dev/null 2>&1 || return 1
    sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$tmp/cg"
}

# Per call: the difference of the two counts.
per_call() {
    local a b
    a=$(count "$1" "$2" "$N1") && b=$(count "$1" "$2" "$N2") || return 1
    echo $(((b - a) / (N2 - N1)))
}

# The JSON rows (the XML ones have no jansson peer: "-" in the parse column).
rows=$(BENCH_CODEC_ONLY= BENCH_CODEC_ITERS=1 BENCH_CODEC_ROUNDS=1 "$codec" |
    awk '/^dialect /{on=1; next} on && NF == 0 {exit} on && $4 != "-" {print $1}')
[ -n "${BENCH_CODEC_ONLY:-}" ] && rows=$BENCH_CODEC_ONLY
echo "bench/codec: instructions per call (callgrind, $N2 - $N1 calls), apierr_problem_decode"
echo "  vs jansson's bare parse of the same body (json_loadb + json_decref)"
printf '%-12s %12s %12s %7s\n' row decode parse ratio
logsum=0
n=0
for r in $rows; do
    d=$(per_call "$r" run_decode) && p=$(per_call "$r" run_parse) || {
        echo "bench/codec: callgrind failed on $r" >&2
        exit 1
    }
    awk -v r="$r" -v d="$d" -v p="$p" 'BEGIN { printf "%-12s %12d %12d %7.3f\n", r, d, p, d / p }'
    logsum=$(awk -v s="$logsum" -v d="$d" -v p="$p" 'BEGIN { printf "%.9f", s + log(d / p) }')
    n=$((n + 1))
done
awk -v s="$logsum" -v n="$n" 'BEGIN { printf "geometric mean over %d rows: %.3fx the bare parse (target <= 1.30)\n", n, exp(s / n) }'
