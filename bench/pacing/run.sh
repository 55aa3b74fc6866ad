#!/usr/bin/env bash
# Pacing by rate-limit headers: a batch of N calls against
# `apierr serve --rate RATE/1:BURST`, with and without pacing. Prints the 429s
# received and the time to finish against the limit's own minimum,
# (N - BURST) / RATE. Usage: bench/pacing/run.sh [APIERR] [N] [RATE] [BURST] [PARALLEL]
set -euo pipefail
APIERR=${1:-./apierr}
N=${2:-200} RATE=${3:-20} BURST=${4:-20} PAR=${5:-8}
TMP=$(mktemp -d)
SPEC=bench-app:bench-secret:acme:invoices:read,invoices:write
"$APIERR" serve --listen 127.0.0.1:0 --client "$SPEC" --rate "$RATE/1:$BURST" >"$TMP/url" 2>/dev/null &
SP=$!
trap 'kill $SP 2>/dev/null; wait $SP 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do [ -s "$TMP/url" ] && break; sleep 0.05; done
BASE=$(head -n1 "$TMP/url")
BASE=${BASE%/}
for i in $(seq "$N"); do echo "GET $BASE/v1/tenants/acme/invoices?n=$i"; done >"$TMP/batch"
MIN_MS=$(((N - BURST) * 1000 / RATE))
printf '%-8s %6s %6s %6s %9s %9s %7s\n' mode calls ok 429s time_ms min_ms ratio
for mode in --pace --no-pace; do
    sleep $(((BURST + RATE - 1) / RATE + 1)) # a full quota for each run
    t0=$(date +%s%N)
    "$APIERR" call "$mode" -s --retries 10 --oauth "$BASE/oauth/token" --client-id bench-app \
        --client-secret bench-secret --parallel "$PAR" --input "$TMP/batch" --output-json \
        >"$TMP/out" 2>/dev/null || true
    ms=$((($(date +%s%N) - t0) / 1000000))
    read -r n429 ok < <(python3 -c '
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
print(sum(a["status"] == 429 for r in rs for a in r["attempts"]), sum(r["ok"] for r in rs))' "$TMP/out")
    printf '%-8s %6d %6d %6d %9d %9d %7.3f\n' "${mode#--}" "$N" "$ok" "$n429" "$ms" "$MIN_MS" \
        "$(python3 -c "print($ms / $MIN_MS)")"
done
