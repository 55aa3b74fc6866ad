# giponext (seed 000): a 5xx is retried after 1 s, 2 s and 4 s, then the call
# gives up with exit code 7. (500: apierr serve adds Retry-After to its 503s.) Measured on the attempt history, not the clock.
. "$(dirname "$0")/call_lib.bash"
start_server --profile giponext --faults 500:1
rc=0
"$APIERR" call --profile giponext $(oauth_opts) --output-json \
    "$BASE/v1/tenants/$TENANT/invoices" >"$TMP/out.json" 2>"$TMP/err" || rc=$?
[ "$rc" = 7 ] || fail "exit status $rc, want 7 (server error and gave up)"
delays=$(json_get '[a["delay_ms"] for a in d["attempts"]]' <"$TMP/out.json")
[ "$delays" = "[1000, 2000, 4000, 0]" ] || fail "delays $delays, want 1 s, 2 s, 4 s"
statuses=$(json_get '[a["status"] for a in d["attempts"]]' <"$TMP/out.json")
[ "$statuses" = "[500, 500, 500, 500]" ] || fail "statuses $statuses"
[ "$(json_get 'd["category"]' <"$TMP/out.json")" = server ] || fail "category"
# One stderr line per retry.
[ "$(grep -c '^retry [123]/3 in [124]\.0 s: 500 Internal Server Error' "$TMP/err")" = 3 ] ||
    { cat "$TMP/err" >&2; fail "retry lines"; }
echo "ok: giponext 5xx waits 1, 2, 4 s"
