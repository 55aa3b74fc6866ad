# gotab (seed 001): `sleep(parseInt(Retry-After ?? '15') * 1000)`: a 429
# without Retry-After waits 15 s, one with it waits exactly what it says; 4
# retries, then exit code 6 (rate limited and gave up).
. "$(dirname "$0")/call_lib.bash"

# apierr serve always sends Retry-After with its 429s: a stub sends none.
start_stub 429
rc=0
"$APIERR" call --profile gotab --output-json "$STUB/v1/items" >"$TMP/out.json" 2>"$TMP/err" ||
    rc=$?
[ "$rc" = 6 ] || fail "exit status $rc, want 6"
delays=$(json_get '[a["delay_ms"] for a in d["attempts"]]' <"$TMP/out.json")
[ "$delays" = "[15000, 15000, 15000, 15000, 0]" ] || fail "delays $delays, want 15 s each"
[ "$(json_get 'd["category"]' <"$TMP/out.json")" = rate_limited ] || fail "category"
grep -q '^retry 1/4 in 15.0 s: 429 Too Many Requests' "$TMP/err" || fail "retry line"

# With Retry-After (apierr serve's rate limiter), exactly the server's delay.
start_server --profile gotab --faults 429:1:2
rc=0
"$APIERR" call --profile gotab $(oauth_opts) --output-json \
    "$BASE/v1/tenants/$TENANT/invoices" >"$TMP/ra.json" 2>/dev/null || rc=$?
[ "$rc" = 6 ] || fail "exit status $rc, want 6"
delays=$(json_get '[a["delay_ms"] for a in d["attempts"]]' <"$TMP/ra.json")
[ "$delays" = "[2000, 2000, 2000, 2000, 0]" ] || fail "with Retry-After: delays $delays"
echo "ok: gotab 429 waits 15 s without Retry-After, the server's delay with it"
