# Credentials: a 401 refreshes once (a second 401 right after is final);
# gestix's 403 re-authenticates (seed 004); many concurrent 401s share one
# refresh (single flight); tokens are refreshed shortly before they expire,
# with the rotated refresh token.
. "$(dirname "$0")/call_lib.bash"
token_requests() { grep -c '^\* token request' "$1" || true; }

# --- a refused token is refreshed, then the call succeeds ------------------------
start_server
"$APIERR" call -v --token not-a-valid-token $(oauth_opts) --output-json \
    "$BASE/v1/tenants/$TENANT/invoices" >"$TMP/a.json" 2>"$TMP/a.err" || fail "401 -> refresh"
got=$(json_get '[(a["status"], a["decision"]) for a in d["attempts"]]' <"$TMP/a.json")
[ "$got" = "[(401, 'refresh'), (200, 'done')]" ] || fail "401 then 200: $got"
[ "$(token_requests "$TMP/a.err")" = 1 ] || fail "one token request"

# --- single flight: 50 concurrent 401s, one token request ------------------------
for i in $(seq 50); do echo "GET $BASE/v1/tenants/$TENANT/invoices?n=$i"; done >"$TMP/batch"
"$APIERR" call -v --token not-a-valid-token $(oauth_opts) --parallel 50 --input "$TMP/batch" \
    --output-json >"$TMP/b.jsonl" 2>"$TMP/b.err" || fail "parallel 401s"
[ "$(token_requests "$TMP/b.err")" = 1 ] || fail "$(token_requests "$TMP/b.err") token requests"
[ "$(grep -c '"ok":true' "$TMP/b.jsonl")" = 50 ] || fail "50 calls should succeed"

# --- a second 401 right after a refresh is final --------------------------------
# Tokens live 1 s and every API request waits 1.2 s before its handler: each
# token has expired when it is checked.
start_server --token-ttl 1 --faults latency:1200
rc=0
"$APIERR" call -v $(oauth_opts) --output-json "$BASE/v1/tenants/$TENANT/invoices" \
    >"$TMP/c.json" 2>"$TMP/c.err" || rc=$?
[ "$rc" = 5 ] || fail "exit status $rc, want 5"
got=$(json_get '[(a["status"], a["decision"]) for a in d["attempts"]]' <"$TMP/c.json")
[ "$got" = "[(401, 'refresh'), (401, 'fail')]" ] || fail "refresh once: $got"
[ "$(token_requests "$TMP/c.err")" = 2 ] || fail "the first token and one refresh"

# --- gestix: 403 means an expired session: re-authenticate -----------------------
start_server --profile gestix
"$APIERR" call --profile gestix --token not-a-session $(oauth_opts) --output-json \
    "$BASE/v1/tenants/$TENANT/invoices" >"$TMP/g.json" 2>/dev/null || fail "gestix 403"
got=$(json_get '[(a["status"], a["decision"]) for a in d["attempts"]]' <"$TMP/g.json")
[ "$got" = "[(403, 'refresh'), (200, 'done')]" ] || fail "gestix 403 then 200: $got"

# --- refresh before expiry, with the rotated refresh token -----------------------
# 2 s tokens, 12 calls one after another, 300 ms each: the client must
# renew the token on its own, never meeting a 401.
start_server --token-ttl 2 --faults latency:300
for i in $(seq 12); do echo "GET $BASE/v1/tenants/$TENANT/invoices?n=$i"; done >"$TMP/seq"
"$APIERR" call -v $(oauth_opts) --parallel 1 --input "$TMP/seq" --output-json \
    >"$TMP/e.jsonl" 2>"$TMP/e.err" || fail "calls across token expiry"
grep -q '"status":401' "$TMP/e.jsonl" && fail "a 401 was met: no refresh before expiry"
n=$(token_requests "$TMP/e.err")
[ "$n" -ge 2 ] || fail "$n token requests over 3.6 s of 2 s tokens"
# Every renewal used the (rotated) refresh token, and none was refused.
[ "$(grep -c '^\* token request.*grant_type=refresh_token' "$TMP/e.err")" = $((n - 1)) ] ||
    fail "renewals did not all use the refresh token"
echo "ok: refresh once, single flight, gestix 403, refresh before expiry"
