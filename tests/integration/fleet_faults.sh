#!/usr/bin/env bash
# A fleet under faults: three `apierr serve` instances sharing Redis and one
# database file, with a short idempotency lease (--idempotency-lease 2).
# - An instance dies right after committing a keyed create (die:1), before
#   it published the answer to Redis: the retry on another instance gets
#   409 while the lease runs, then the 201 recorded with the write, and the
#   same bytes again on a third; one invoice.
# - kill -9 of one instance behind nginx (round robin) during a keyed write
#   load whose client retries with the same keys: no duplicate, and every
#   201 the client saw has its invoice (invoices == keys acknowledged).
# - Redis down for 3 s mid-run: keyed writes get 503 DB_TIMEOUT with
#   Retry-After and write nothing, a limited request gets 503
#   RATE_LIMITER_UNAVAILABLE on an instance with --redis-fail-closed and
#   passes the limiter (no RateLimit fields) on the others; Redis back, the
#   same instances answer again, and the writes retried through the outage
#   leave one invoice each.
. "$(dirname "$0")/call_lib.bash"
. "$(dirname "$0")/lib/engines.sh"
trap 'cleanup; engines_stop' EXIT
set +e
start_redis
LIST=/v1/tenants/$TENANT/invoices

# invoices DB: "all|distinct" invoices of the file.
invoices() {
    python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print("%d|%d" % c.execute("SELECT count(*), count(DISTINCT documentNumber) FROM invoices").fetchone())' "$1"
}

token_of() {
    curl -s -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials "$1/oauth/token" |
        json_get 'd["access_token"]'
}

# post URL KEY OUT: a keyed create of INVOICE; prints the status, the body
# in OUT.
post() {
    curl -s -o "$3" -w '%{http_code}' -H "Authorization: Bearer $token" \
        -H "Idempotency-Key: $2" -H 'Content-Type: application/json' -d "$INVOICE" "$1$LIST"
}

# --- death between the commit and publishing the answer --------------------
start_server --db "$TMP/die.db" --redis "$REDIS_URL" --idempotency-lease 2 --faults die:1
A=$BASE A_PID=${SERVERS[-1]}
start_server --db "$TMP/die.db" --redis "$REDIS_URL" --idempotency-lease 2
B=$BASE
start_server --db "$TMP/die.db" --redis "$REDIS_URL" --idempotency-lease 2
C=$BASE
token=$(token_of "$B")
got=$(post "$A" die-1 "$TMP/a.json")
[ "$got" = 000 ] || fail "instance A answered $got instead of dying at the commit"
wait "$A_PID"
[ $? = 137 ] || fail "instance A did not die at the commit"
[ "$(invoices "$TMP/die.db")" = "1|1" ] || fail "the write of A did not commit"
got=$(post "$B" die-1 "$TMP/b.json")
[ "$got" = 409 ] || fail "the retry within the lease got $got, not 409: $(cat "$TMP/b.json")"
for _ in $(seq 40); do
    got=$(post "$B" die-1 "$TMP/b.json")
    [ "$got" = 409 ] || break
    sleep 0.25
done
[ "$got" = 201 ] || fail "the retry after the lease got $got, not the recorded 201: $(cat "$TMP/b.json")"
got=$(post "$C" die-1 "$TMP/c.json")
[ "$got" = 201 ] && cmp -s "$TMP/b.json" "$TMP/c.json" ||
    fail "a third instance answered $got, not the same 201: $(cat "$TMP/c.json")"
[ "$(invoices "$TMP/die.db")" = "1|1" ] || fail "the retries wrote again: $(invoices "$TMP/die.db")"
for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid"; done
SERVERS=()
echo "ok: an instance dead between its commit and Redis: the retry elsewhere got the recorded 201"
