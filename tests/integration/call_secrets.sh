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
# --redact: names the user adds are hidden wherever apierr shows or records
# them, as the built-in ones are: -v, the support report, --output-json,
# -w's %{header_json}, %header{NAME} and %{url_effective}, the failure's
# message, the usage error of a refused URL, batch lines. X-Tenant-Pin and
# tenant_pin are no secrets by their names.
PIN=pin-Secret-Value-9
start_stub "503,X-Tenant-Pin=$PIN" "200,X-Tenant-Pin=$PIN"
OK_STUB=$STUB
start_stub "404,X-Tenant-Pin=$PIN"
NOT_FOUND=$STUB
out=$("$APIERR" call -s -o /dev/null -w '%{header_json}' "$NOT_FOUND/x?tenant_pin=$PIN" 2>&1) || true
case $out in *"$PIN"*) ;; *) fail "without --redact the pin should show: $out" ;; esac
R=(--redact X-Tenant-Pin --redact tenant_pin)
"$APIERR" call -v "${R[@]}" --report "$TMP/pin.jsonl" --output-json "$OK_STUB/x?tenant_pin=$PIN"     >"$TMP/pin.json" 2>"$TMP/pin.err" || fail "--redact: the call failed: $(cat "$TMP/pin.err")"
grep -q '^< X-Tenant-Pin: REDACTED' "$TMP/pin.err" || fail "-v: no redacted X-Tenant-Pin line"
grep -q 'tenant_pin=REDACTED' "$TMP/pin.json" || fail "--output-json: $(cat "$TMP/pin.json")"
grep -q 'tenant_pin=REDACTED' "$TMP/pin.jsonl" || fail "the report: $(cat "$TMP/pin.jsonl")"
"$APIERR" call -s "${R[@]}" -o /dev/null -w '%{header_json} %{url_effective} %{url} [%header{X-Tenant-Pin}]' \
    "$OK_STUB/x?tenant_pin=$PIN" >"$TMP/pin.w" || fail "-w failed"
grep -q '"x-tenant-pin":\["REDACTED"\]' "$TMP/pin.w" || fail "-w %{header_json}: $(cat "$TMP/pin.w")"
# %header{} agrees with %{header_json}: a secret header is REDACTED in both.
grep -q '\[REDACTED\]$' "$TMP/pin.w" || fail "-w %header{X-Tenant-Pin}: $(cat "$TMP/pin.w")"
# A URL refused before any attempt is quoted redacted: userinfo, built-in
# secret parameters and --redact's.
"$APIERR" call "${R[@]}" "ftp://ann:pw-$PIN@127.0.0.1/x?token=tok-$PIN&tenant_pin=$PIN&page=2" \
    >/dev/null 2>"$TMP/pin.usage" && fail "ftp:// was accepted"
grep -q "'ftp://ann:REDACTED@127.0.0.1/x?token=REDACTED&tenant_pin=REDACTED&page=2' is not" \
    "$TMP/pin.usage" || fail "the usage error: $(cat "$TMP/pin.usage")"
[ "$(grep -o 'tenant_pin=REDACTED' "$TMP/pin.w" | wc -l)" = 2 ] || fail "-w urls: $(cat "$TMP/pin.w")"
"$APIERR" call "${R[@]}" --retries 0 --report "$TMP/pin.jsonl" "$NOT_FOUND/x?tenant_pin=$PIN"     >/dev/null 2>>"$TMP/pin.err" && fail "the 404 succeeded"
grep -q 'failed after 1 attempt' "$TMP/pin.err" || fail "no failure message: $(cat "$TMP/pin.err")"
echo "GET $NOT_FOUND/x?tenant_pin=$PIN" >"$TMP/pin.batch"
"$APIERR" call "${R[@]}" --retries 0 --input "$TMP/pin.batch" >/dev/null 2>>"$TMP/pin.err" || true
grep -q '^line 1: GET .*tenant_pin=REDACTED' "$TMP/pin.err" || fail "batch line: $(cat "$TMP/pin.err")"
for f in pin.json pin.jsonl pin.err pin.w pin.usage; do
    if grep -q -- "$PIN" "$TMP/$f"; then fail "--redact: the pin appears in $f: $(grep -- "$PIN" "$TMP/$f")"; fi
done
# A built-in secret header (X-Api-Key) asked for by name is REDACTED too.
start_stub "200,X-Api-Key=key-$PIN"
out=$("$APIERR" call -s -o /dev/null -w '%header{X-Api-Key}' "$STUB/x") || fail "-w %header: the call failed"
[ "$out" = REDACTED ] || fail "-w %header{X-Api-Key}: '$out', want REDACTED"
echo "ok: no secret in -v output or the support report; --redact's names hidden everywhere"
