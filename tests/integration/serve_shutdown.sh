#!/usr/bin/env bash
# `apierr serve` stopping and crashing. SIGTERM with slow writes queued on
# one worker thread: new connections are refused at once, and every write
# already sent is answered within --drain-timeout. A crash between a keyed
# create's commit and its answer (the die fault: _exit after the commit):
# after a restart on the same database the retry gets the stored 201, the
# same invoice, never a second run and its 409 DUPLICATE_ENTRY.
source "$(dirname "$0")/lib/serve_common.sh"

CL=(--client demo:s3cret:acme:invoices:read,invoices:write)
INV='{"documentNumber":"%s","currency":"EUR","customer":{"name":"Ann","email":"ann@example.com"},"lines":[{"description":"x","quantity":2,"unitPrice":10.5}]}'
db="$TMP/shut.db"

start_server d "${CL[@]}" --db "$db" --threads 1 --faults latency:1500 --drain-timeout 15
req POST "$URL/oauth/token" -u demo:s3cret -d grant_type=client_credentials
A="Authorization: Bearer $(json_get 'j["access_token"]')"
col="$URL/v1/tenants/acme/invoices"
pids=()
for i in 1 2 3; do
    # shellcheck disable=SC2059
    curl -s -m 30 -o /dev/null -w '%{http_code}\n' -X POST "$col" -H "$A" -H "Idempotency-Key: d-$i" \
        -H 'Content-Type: application/json' -d "$(printf "$INV" "D-$i")" >"$TMP/st.$i" &
    pids+=($!)
done
sleep 0.5
kill -TERM "$PID"
sleep 0.3
st=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$URL/status")
[ "$st" = 000 ] || fail "a new connection during the drain got $st, want refused"
for p in "${pids[@]}"; do wait "$p"; done
for i in 1 2 3; do
    [ "$(cat "$TMP/st.$i")" = 201 ] || fail "write $i in flight at SIGTERM: $(cat "$TMP/st.$i"), want 201"
done
# It stops by itself once the drain is over: wait for it, without a second
# signal (which would test something else).
wait "$PID"
rc=$?
[ "$rc" = 0 ] || { fail "the drained server exited $rc, want 0"; cat "$TMP"/*.err | head -40; }
SERVER_PIDS=()

# The crash: the write commits with its stored answer, the process dies.
start_server k "${CL[@]}" --db "$db" --faults die:1
req POST "$URL/oauth/token" -u demo:s3cret -d grant_type=client_credentials
A="Authorization: Bearer $(json_get 'j["access_token"]')"
# shellcheck disable=SC2059
body=$(printf "$INV" K-1)
req POST "$URL/v1/tenants/acme/invoices" -H "$A" -H 'Idempotency-Key: crash-1' \
    -H 'Content-Type: application/json' -d "$body"
[ "$ST" = 000 ] || fail "the die fault answered $ST"
wait "$PID"
rc=$?
[ "$rc" = 137 ] || fail "the die fault: exit $rc, want 137"
SERVER_PIDS=()
start_server r "${CL[@]}" --db "$db"
req POST "$URL/oauth/token" -u demo:s3cret -d grant_type=client_credentials
A="Authorization: Bearer $(json_get 'j["access_token"]')"
req POST "$URL/v1/tenants/acme/invoices" -H "$A" -H 'Idempotency-Key: crash-1' \
    -H 'Content-Type: application/json' -d "$body"
expect_status 201 "the retry after the crash (the stored answer)"
req GET "$URL/v1/tenants/acme/invoices?limit=100" -H "$A"
n=$(json_get 'sum(i["documentNumber"] == "K-1" for i in j["data"])')
[ "$n" = 1 ] || fail "$n invoices K-1 after the crash and the retry, want 1"
