# Pacing by rate-limit headers (seed 002: "check your rate limits in the
# response headers"): a batch against `apierr serve --rate` gets no 429 and
# takes no less than the limit's own minimum, (N - burst) / rate; without
# pacing the same batch runs into 429s. Also with a burst that refills
# faster than a second (the `t` of the RateLimit header is whole seconds),
# and with more calls in flight than the burst. X-RateLimit-* headers pace
# too. How close to the minimum a batch finishes is measured by
# bench/pacing/run.sh and checked on a fake clock by test_client_pacer, not
# here: a loaded machine only makes a batch slower.
. "$(dirname "$0")/call_lib.bash"

# count429 FILE: 429 attempts in a JSON Lines file of outcomes; "ok" count.
count() {
    python3 -c '
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
print(sum(a["status"] == 429 for r in rs for a in r["attempts"]), sum(r["ok"] for r in rs))' "$1"
}

N=60 RATE=20 BURST=20
MIN_MS=$(((N - BURST) * 1000 / RATE))
# batch PACE [PARALLEL]: the batch through its own token (a fresh quota);
# sets MS and GOT ("429s oks").
batch() {
    local t0
    t0=$(date +%s%N)
    "$APIERR" call "$1" -s $(oauth_opts) --parallel "${2:-8}" --input "$TMP/batch" --output-json \
        >"$TMP/out$1.jsonl" 2>"$TMP/err$1" || true
    MS=$((($(date +%s%N) - t0) / 1000000))
    GOT=$(count "$TMP/out$1.jsonl")
}

start_server --rate "$RATE/1:$BURST"
for i in $(seq "$N"); do echo "GET $BASE/v1/tenants/$TENANT/invoices?n=$i"; done >"$TMP/batch"
batch --pace
echo "pacing on:  $N calls, 429s and successes: $GOT, $MS ms (minimum $MIN_MS ms)"
[ "$GOT" = "0 $N" ] || fail "with pacing: no 429 and every call ok, got $GOT"
[ "$MS" -ge $((MIN_MS * 9 / 10)) ] || fail "faster than the limit allows: $MS ms"
batch --no-pace
echo "pacing off: $N calls, 429s and successes: $GOT, $MS ms"
[ "${GOT%% *}" -gt 0 ] || fail "without pacing the batch should meet 429s"

# --- fast refill: 50/s with a burst of 10, 16 calls in flight ------------------------
# The header's t says 1 s while a request is freed every 20 ms; and the first
# 16 attempts would spend more than the burst before any answer said so.
N=80 RATE=50 BURST=10
MIN_MS=$(((N - BURST) * 1000 / RATE))
start_server --rate "$RATE/1:$BURST"
for i in $(seq "$N"); do echo "GET $BASE/v1/tenants/$TENANT/invoices?n=$i"; done >"$TMP/batch"
batch --pace 16
echo "fast refill, pacing on:  $N calls, 429s and successes: $GOT, $MS ms (minimum $MIN_MS ms)"
[ "$GOT" = "0 $N" ] || fail "fast refill with pacing: no 429 and every call ok, got $GOT"
[ "$MS" -ge $((MIN_MS * 9 / 10)) ] || fail "faster than the limit allows: $MS ms"
batch --no-pace 16
echo "fast refill, pacing off: $N calls, 429s and successes: $GOT, $MS ms"
[ "${GOT%% *}" -gt 0 ] || fail "without pacing the fast-refill batch should meet 429s"

# --- X-RateLimit-*: remaining 0, reset in 1 s -------------------------------------
# The stub says the quota is spent after the first reply: the second call
# waits for the reset (a server's clock: not scaled) unless pacing is off.
start_stub "200,X-RateLimit-Limit=1,X-RateLimit-Remaining=0,X-RateLimit-Reset=1" 200
printf 'GET %s/a\nGET %s/b\n' "$STUB" "$STUB" >"$TMP/two"
t0=$(date +%s%N)
"$APIERR" call -s --parallel 1 --input "$TMP/two" >/dev/null || fail "stub batch"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -ge 900 ] || fail "the second call should wait for X-RateLimit-Reset: $ms ms"
t0=$(date +%s%N)
"$APIERR" call -s --no-pace --parallel 1 --input "$TMP/two" >/dev/null || fail "stub batch"
ms2=$((($(date +%s%N) - t0) / 1000000))
[ "$ms2" -lt 800 ] || fail "--no-pace should not wait: $ms2 ms"
echo "X-RateLimit: paced $ms ms, unpaced $ms2 ms"
echo "call_pacing: ok"
