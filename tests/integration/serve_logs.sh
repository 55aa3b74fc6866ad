#!/usr/bin/env bash
# `apierr serve` for an operator: --access-log writes one JSON line per
# request (never a token or secret); the cause of a 500 is in the error log
# with the request id the user quotes; failed logins are logged; GET
# /metrics (Prometheus text) answers on --metrics-listen only.
source "$(dirname "$0")/lib/serve_common.sh"

CL=(--client demo:s3cret:acme:invoices:read,invoices:write)
log="$TMP/access.log"
start_server l "${CL[@]}" --access-log "$log" --metrics-listen 127.0.0.1:0 --faults 500:1
MURL=$(sed -n 's/^metrics //p' "$TMP/l.out")
req POST "$URL/oauth/token" -u demo:s3cret -d grant_type=client_credentials
TOK=$(json_get 'j["access_token"]')
A="Authorization: Bearer $TOK"
req POST "$URL/oauth/token" -u demo:wrong-secret-x -d grant_type=client_credentials
expect_status 401 "a wrong secret"
req GET "$URL/v1/tenants/acme/invoices?limit=1&api_token=sekrit-q" -H "$A"
expect_status 500 "the injected 500"
rid=$(header X-Request-Id)
# Written within a second of coming in (gathered, not a write a line), with
# no stop to make them: waited for up to 5 s.
for _ in $(seq 1 50); do
    [ "$(wc -l <"$log")" -ge 3 ] && break
    sleep 0.1
done

lines=$(wc -l <"$log")
[ "$lines" -ge 3 ] || fail "access log: $lines lines, want 3"
"$PY" -S - "$log" "$rid" <<'PYEOF' || fail "access log: $(cat "$log")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
need = {"time", "request_id", "client_id", "tenant", "method", "path", "status", "dialect", "bytes", "latency_us"}
for r in rows:
    missing = need - set(r)
    if missing:
        sys.exit("missing %s in %r" % (missing, r))
last = [r for r in rows if r["request_id"] == sys.argv[2]]
# (An injected 500 comes before authentication: no client yet.)
if not last or last[0]["status"] != 500 or last[0]["dialect"] != "problem":
    sys.exit("no line for the 500: %r" % rows)
if rows[0]["client_id"] != "demo" or rows[0]["tenant"] != "acme":
    sys.exit("no client and tenant on the token request: %r" % rows[0])
if "?" in last[0]["path"]:
    sys.exit("query in the path: %r" % last[0]["path"])
PYEOF
grep -q -e "$TOK" -e s3cret -e wrong-secret-x -e sekrit-q "$log" && fail "a token or secret in the access log"
grep -q "\"internal_error\".*\"$rid\"" "$TMP/l.err" || fail "no cause for the 500 $rid in the error log: $(cat "$TMP/l.err")"
grep -q '"login_failed".*"client_id":"demo"' "$TMP/l.err" || fail "the failed login is not logged: $(cat "$TMP/l.err")"
grep -q -e wrong-secret-x -e s3cret "$TMP/l.err" && fail "a secret in the error log"

# /metrics on its own listener, not on the API's.
ST=$(curl -s -m 10 -o "$TMP/m" -w '%{http_code}' "$MURL")
[ "$ST" = 200 ] || fail "GET /metrics: $ST"
grep -q '^apierr_requests_total{route="/v1/tenants/{tenant}/invoices",status="500"} 1$' "$TMP/m" ||
    fail "metrics: no 500 of the invoices route: $(head -c 600 "$TMP/m")"
grep -q '^apierr_request_duration_seconds_count ' "$TMP/m" || fail "metrics: no latency histogram"
grep -q '^apierr_rate_limited_total{limit="rate"} 0$' "$TMP/m" || fail "metrics: no 429 counts"
grep -q '^apierr_idempotency_replays_total ' "$TMP/m" || fail "metrics: no idempotency counts"
grep -q '^apierr_backend_errors_total ' "$TMP/m" || fail "metrics: no backend errors"
req GET "$URL/metrics" -H "$A"
expect_status 404 "/metrics on the API's listener"

# The access log gathers its lines (written a second after the first came
# in): a stop right after a burst of requests still leaves one line for
# each, written when the log is closed after the drain.
stop_servers
blog="$TMP/burst.log"
start_server b "${CL[@]}" --access-log "$blog"
urls=()
for i in $(seq 1 200); do urls+=("$URL/v1/tenants/acme/invoices/$i"); done
curl -s "${urls[@]}" >/dev/null
kill -TERM "$PID"
wait "$PID" || fail "the server did not stop cleanly after the burst"
SERVER_PIDS=()
n=$(grep -c '"path":"/v1/tenants/acme/invoices/' "$blog")
[ "$n" = 200 ] || fail "access log after SIGTERM: $n lines of 200 requests"
"$PY" -S -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$blog" ||
    fail "access log after SIGTERM: a line is not JSON"
