# Retry-After in both forms (RFC 9110 10.2.3): delay-seconds from
# `apierr serve --faults 503:1:3`, and an HTTP-date from a small stub server
# (apierr serve writes only seconds).
. "$(dirname "$0")/call_lib.bash"

# --- delay-seconds -------------------------------------------------------------
start_server --profile giponext --faults 503:1:3
rc=0
"$APIERR" call --profile giponext $(oauth_opts) --output-json \
    "$BASE/v1/tenants/$TENANT/invoices" >"$TMP/s.json" 2>/dev/null || rc=$?
[ "$rc" = 7 ] || fail "exit status $rc, want 7"
delays=$(json_get '[a["delay_ms"] for a in d["attempts"]][:-1]' <"$TMP/s.json")
# giponext waits exactly what the server asks ("wait Retry-After seconds").
[ "$delays" = "[3000, 3000, 3000]" ] || fail "seconds form: delays $delays, want 3 s each"
# The default profile waits the larger of its backoff and the server's delay.
"$APIERR" call $(oauth_opts) --output-json "$BASE/v1/tenants/$TENANT/invoices" \
    >"$TMP/d.json" 2>/dev/null || true
json_get 'all(a["delay_ms"] >= 3000 for a in d["attempts"][:-1]) and len(d["attempts"]) > 1' \
    <"$TMP/d.json" | grep -qx True || fail "default profile waited less than Retry-After"

# --- HTTP-date -----------------------------------------------------------------
start_stub "503,Retry-After=@+5" 200
"$APIERR" call --profile giponext --output-json "$STUB/x" >"$TMP/date.json" 2>/dev/null ||
    fail "HTTP-date form: the call failed"
delay=$(json_get 'd["attempts"][0]["delay_ms"]' <"$TMP/date.json")
# The date has a resolution of one second.
[ "$delay" -ge 3900 ] && [ "$delay" -le 5000 ] || fail "HTTP-date form: delay $delay, want ~5 s"
[ "$(json_get 'len(d["attempts"])' <"$TMP/date.json")" = 2 ] || fail "HTTP-date: attempts"

# --- decimal seconds (Microsoft Graph) ------------------------------------------
# gotab's own wait for a 429 is 15 s; the server's 2.128 s is what counts.
start_stub "429,Retry-After=2.128" 200
"$APIERR" call --profile gotab --output-json "$STUB/x" >"$TMP/dec.json" 2>"$TMP/dec.err" ||
    fail "decimal form: the call failed"
delay=$(json_get 'd["attempts"][0]["delay_ms"]' <"$TMP/dec.json")
[ "$delay" = 2128 ] || fail "decimal form: delay $delay, want 2128"
# A lone call waits what the server asked, nothing on top, under the
# default profile too (its retry_after_spread_ms is 1000): only a herd of
# the client's calls told to come back together is released at a pace
# (src/client/herd.h).
start_stub "429,Retry-After=2.128" 200
"$APIERR" call --output-json "$STUB/x" >"$TMP/lone.json" 2>/dev/null || fail "lone call: failed"
delay=$(json_get 'd["attempts"][0]["delay_ms"]' <"$TMP/lone.json")
[ "$delay" = 2128 ] || fail "lone call under the default profile: delay $delay, want 2128"
# Past what is accepted, the message quotes the server.
start_stub "429,Retry-After=99999.5" 200
"$APIERR" call --profile gotab --output-json "$STUB/x" >"$TMP/big.json" 2>/dev/null || true
json_get 'd["reason"]' <"$TMP/big.json" | grep -q 'Retry-After: 99999.5 s' ||
    fail "the refusal does not quote the server: $(json_get 'd["reason"]' <"$TMP/big.json")"
echo "ok: Retry-After as seconds, as an HTTP-date and as decimal seconds"
