# 10,000 concurrent calls in one process complete, and memory stays bounded:
# the maximum RSS is printed (no threshold on time; a loose one on memory).
. "$(dirname "$0")/call_lib.bash"
N=${CALL_CONCURRENCY_N:-10000}
start_server --max-connections 2048
for i in $(seq "$N"); do echo "GET $BASE/v1/tenants/$TENANT/invoices?limit=1&n=$i"; done \
    >"$TMP/batch"
"$APIERR" call $(oauth_opts) --parallel "$N" --input "$TMP/batch" 2>"$TMP/err" >/dev/null || {
    cat "$TMP/err" >&2
    fail "not every call succeeded"
}
summary=$(tail -n1 "$TMP/err")
echo "$summary"
echo "$summary" | grep -q "^$N calls: $N ok, 0 failed" || fail "summary: $summary"
rss=$(echo "$summary" | sed -n 's/.*max RSS \([0-9]*\) KiB.*/\1/p')
[ -n "$rss" ] || fail "no max RSS in the summary"
echo "max RSS: $rss KiB for $N calls in flight ($((rss * 1024 / N)) bytes per call)"
# Bounded: well under what one curl handle per call (about 40 KiB each) would take.
[ "$rss" -lt $((N * 40)) ] || fail "max RSS $rss KiB"
echo "ok: $N concurrent calls"
