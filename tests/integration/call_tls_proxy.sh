# -k: a self-signed certificate is refused unless -k says not to verify it;
# -x: requests go through the proxy, in the absolute form (RFC 9112 3.2.2);
# without it, the one http_proxy or ALL_PROXY names, unless no_proxy names
# the host.
. "$(dirname "$0")/call_lib.bash"
. "$(dirname "$0")/lib/echo.bash"
command -v openssl >/dev/null || { echo "SKIP: no openssl"; exit 77; }

# --- -x --------------------------------------------------------------------------
start_echo
"$APIERR" call -s -x "$ECHO" http://apierr-test.invalid/echo/via >/dev/null || fail "-x failed"
[ "$(last_seen 'd["target"]')" = http://apierr-test.invalid/echo/via ] ||
    fail "-x: the proxy saw $(last_seen 'd["target"]')"
"$APIERR" call -s --proxy "$ECHO" http://apierr-test.invalid/echo/long >/dev/null ||
    fail "--proxy failed"
[ "$(last_seen 'd["target"]')" = http://apierr-test.invalid/echo/long ] || fail "--proxy"
# Without -x, libcurl's variables (read when the client is made).
http_proxy=$ECHO "$APIERR" call -s http://apierr-test.invalid/echo/env >/dev/null ||
    fail "http_proxy failed"
[ "$(last_seen 'd["target"]')" = http://apierr-test.invalid/echo/env ] ||
    fail "http_proxy: the proxy saw $(last_seen 'd["target"]')"
ALL_PROXY=$ECHO "$APIERR" call -s http://apierr-test.invalid/echo/all >/dev/null ||
    fail "ALL_PROXY failed"
http_proxy=http://127.0.0.1:1 no_proxy=127.0.0.1 "$APIERR" call -s --retries 0 "$ECHO/echo/direct" >/dev/null ||
    fail "no_proxy: not sent directly"
[ "$(last_seen 'd["target"]')" = /echo/direct ] || fail "no_proxy: $(last_seen 'd["target"]')"

# --- -k --------------------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=apierr-test \
    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null || fail "openssl req failed"
start_echo "$TMP/cert.pem" "$TMP/key.pem"
case $ECHO in https://*) ;; *) fail "the TLS echo server said $ECHO" ;; esac
rc=0
"$APIERR" call -s --retries 0 "$ECHO/echo" >/dev/null 2>"$TMP/err" || rc=$?
[ "$rc" = 3 ] || fail "a self-signed certificate without -k: exit status $rc, want 3"
"$APIERR" call -s -k "$ECHO/echo/tls" >/dev/null || fail "-k failed: $(cat "$TMP/err")"
[ "$(last_seen 'd["path"]')" = /echo/tls ] || fail "-k: the request did not arrive"
"$APIERR" call -s --insecure "$ECHO/echo/tls2" >/dev/null || fail "--insecure failed"
echo "ok: -x sends through the proxy; -k accepts an unverified certificate"
