# No secret in the support report or in -v output: not the client secret, the
# access or refresh token, the Authorization header, nor secrets in query
# strings.
. "$(dirname "$0")/call_lib.bash"
start_server --faults 500:0.5 --seed 3
QS_SECRET=qs-Secret-Value-42
BEARER=not-a-valid-token-Secret-77
for i in $(seq 20); do
    echo "GET $BASE/v1/tenants/$TENANT/invoices?api_key=$QS_SECRET&access_token=$QS_SECRET&n=$i"
done >"$TMP/batch"
"$APIERR" call -v --token "$BEARER" $(oauth_opts) --report "$TMP/report.jsonl" \
    -H "Cookie: session=$QS_SECRET" --parallel 4 --input "$TMP/batch" \
    >/dev/null 2>"$TMP/verbose" || true
"$APIERR" call -v $(oauth_opts) --report "$TMP/report.jsonl" \
    "$BASE/v1/tenants/$TENANT/invoices/1?password=$QS_SECRET" >/dev/null 2>>"$TMP/verbose" || true
[ -s "$TMP/report.jsonl" ] || fail "the report is empty: the faults did not fire"
python3 - "$TMP/report.jsonl" <<'PY' || fail "the report is not JSON Lines"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert all({"time", "method", "url", "status", "attempt", "delay_ms", "request_id"} <= set(l)
           for l in lines)
assert any(l["request_id"] for l in lines)
print("report: %d failed attempts" % len(lines))
PY
grep -q 'Authorization: Bearer REDACTED' "$TMP/verbose" || fail "-v shows no Authorization line"
grep -q '^\* token request: POST ' "$TMP/verbose" || fail "-v shows no token request"

# Gestix session login: the API token (sent as X-API-Token, then in the query)
# and the session token it buys (xa-token) stay out of -v and the report.
start_server --profile gestix
for where in header:X-API-Token query:api_token; do
    "$APIERR" call -v --profile gestix --session-login "$BASE/helo" --api-token "$CLIENT_SECRET" \
        --api-token-in "$where" --report "$TMP/report.jsonl" \
        "$BASE/v1/tenants/$TENANT/invoices" >/dev/null 2>>"$TMP/verbose" || fail "gestix login ($where)"
done
grep -q '^> xa-token: REDACTED' "$TMP/verbose" || fail "-v shows no redacted xa-token line"
# The tokens the server issued, from its own store of truth: ask for one and
# check its shape never appears (64 hex digits).
for f in "$TMP/verbose" "$TMP/report.jsonl"; do
    for secret in "$CLIENT_SECRET" "$QS_SECRET" "$BEARER"; do
        if grep -q -- "$secret" "$f"; then fail "$secret appears in $(basename "$f")"; fi
    done
    if grep -Eq '[0-9a-f]{64}' "$f"; then fail "a token appears in $(basename "$f")"; fi
done
echo "ok: no secret in -v output or the support report"
