#!/usr/bin/env bash
# Pacing by rate-limit headers: a batch of N calls against
# `apierr serve --rate RATE/1:BURST`, with and without pacing. Prints the 429s
# received and the time to finish against the limit's own minimum,
# (N - BURST) / RATE (the peer: no client can finish sooner without a 429).
# Goal: no 429, a ratio under 1.10.
# Usage: bench/pacing/run.sh [BUILD_DIR [N RATE BURST PARALLEL]] (BUILD_DIR
# holds the apierr binary; the argument every bench/*/run.sh takes)
# Without N..PARALLEL: 200 calls at 50/s with a burst of 10 (refills faster
# than the whole second of the RateLimit header's t), 16 in flight; then 200
# at 20/s with a burst of 20, 8 in flight.
set -euo pipefail
APIERR=$(cd "${1:-build}" && pwd)/apierr
[ -x "$APIERR" ] || { echo "bench/pacing: $APIERR missing (make build)"; exit 1; }
if [ $# -ge 5 ]; then
    CONFIGS=("$2 $3 $4 $5")
else
    CONFIGS=("200 50 10 16" "200 20 20 8")
fi
TMP=$(mktemp -d)
SP=
trap '[ -n "$SP" ] && kill $SP 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT
SPEC=bench-app:bench-secret:acme:invoices:read,invoices:write
. "$(dirname "$0")/../common/serve.bash"
printf '%-12s %4s %-8s %6s %6s %6s %9s %9s %7s\n' rate par mode calls ok 429s time_ms min_ms ratio
for cfg in "${CONFIGS[@]}"; do
    read -r N RATE BURST PAR <<<"$cfg"
    bench_serve --rate "$RATE/1:$BURST"
    MIN_MS=$(((N - BURST) * 1000 / RATE))
    for mode in --pace --no-pace; do
        sleep $(((BURST + RATE - 1) / RATE + 1)) # a full quota for each run
        t0=$(date +%s%N)
        "$APIERR" call "$mode" -s --retries 10 --oauth "$BASE/oauth/token" \
            --client-id bench-app --client-secret bench-secret --parallel "$PAR" \
            --input "$TMP/batch" --output-json >"$TMP/out" 2>/dev/null || true
        ms=$((($(date +%s%N) - t0) / 1000000))
        read -r n429 ok < <(python3 -c '
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
print(sum(a["status"] == 429 for r in rs for a in r["attempts"]), sum(r["ok"] for r in rs))' \
            "$TMP/out")
        printf '%-12s %4d %-8s %6d %6d %6d %9d %9d %7.3f\n' "$RATE/1:$BURST" "$PAR" "${mode#--}" \
            "$N" "$ok" "$n429" "$ms" "$MIN_MS" "$(python3 -c "print($ms / $MIN_MS)")"
    done
    kill "$SP" 2>/dev/null
    wait "$SP" 2>/dev/null || true
    SP=
done
