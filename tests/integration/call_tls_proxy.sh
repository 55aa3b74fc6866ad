# -k: a self-signed certificate is refused unless -k says not to verify it;
# --cacert and --capath verify it; --cert and --key answer a server that
# asks for a client certificate; --resolve, -4 and -6 choose the address;
# --noproxy, -U, --http1.0, --http1.1, --http2, --http2-prior-knowledge
# and --unix-socket;
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

# --- --noproxy, -U: past the proxy, and its credentials ---------------------------
http_proxy=http://127.0.0.1:1 "$APIERR" call -s --retries 0 --noproxy 127.0.0.1 "$ECHO/echo/noproxy" >/dev/null ||
    fail "--noproxy: not sent directly"
[ "$(last_seen 'd["target"]')" = /echo/noproxy ] || fail "--noproxy: $(last_seen 'd["target"]')"
"$APIERR" call -s -x "$ECHO" --proxy-user 'pu:pw' http://apierr-test.invalid/echo/pu >/dev/null ||
    fail "--proxy-user failed"
[ "$(last_seen 'd["headers"].get("proxy-authorization")')" = "Basic $(printf pu:pw | base64)" ] ||
    fail "--proxy-user: $(last_seen 'd["headers"].get("proxy-authorization")')"
"$APIERR" call -v -x "$ECHO" -U 'pu:pw' http://apierr-test.invalid/echo/pu 2>"$TMP/err" >/dev/null
grep -q "$(printf pu:pw | base64)" "$TMP/err" && fail "-v shows the proxy's credentials"

# --- --http1.0, --http1.1, --http2-prior-knowledge, --unix-socket -------------------
"$APIERR" call -s --http1.0 "$ECHO/echo/v10" >/dev/null || fail "--http1.0 failed"
[ "$(last_seen 'd["version"]')" = HTTP/1.0 ] || fail "--http1.0 sent $(last_seen 'd["version"]')"
"$APIERR" call -s --http1.1 "$ECHO/echo/v11" >/dev/null || fail "--http1.1 failed"
[ "$(last_seen 'd["version"]')" = HTTP/1.1 ] || fail "--http1.1 sent $(last_seen 'd["version"]')"
# An HTTP/1.1 server gets HTTP/2's preface and answers it with an HTTP/1.1
# error: a transport failure for a client that speaks HTTP/2 only.
expect_rc 3 "$APIERR" call -s --retries 0 -m 5 --http2-prior-knowledge "$ECHO/echo/h2"
"$APIERR" call -s --http2 "$ECHO/echo/h2" >/dev/null || fail "--http2 (cleartext: 1.1) failed"
sock="$TMP/echo.sock"
python3 "$(dirname "$0")/lib/echo_server.py" "$ECHO_LOG" "unix:$sock" >"$TMP/unix.out" &
SERVERS+=($!)
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
"$APIERR" call -s --unix-socket "$sock" http://apierr-unix.invalid/echo/unix >/dev/null ||
    fail "--unix-socket failed"
[ "$(last_seen 'd["path"] + " " + d["headers"]["host"]')" = "/echo/unix apierr-unix.invalid" ] ||
    fail "--unix-socket: $(last_seen 'd["path"]')"

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

# --- --cacert, --capath, --resolve ------------------------------------------------
# A certificate for 127.0.0.1 and apierr.test, verified instead of skipped.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=apierr.test \
    -addext 'subjectAltName=IP:127.0.0.1,DNS:apierr.test' \
    -keyout "$TMP/skey.pem" -out "$TMP/scert.pem" 2>/dev/null || fail "openssl req (server) failed"
start_echo "$TMP/scert.pem" "$TMP/skey.pem"
"$APIERR" call -s --cacert "$TMP/scert.pem" "$ECHO/echo/ca" >/dev/null || fail "--cacert failed"
[ "$(last_seen 'd["path"]')" = /echo/ca ] || fail "--cacert: the request did not arrive"
mkdir "$TMP/cadir"
cp "$TMP/scert.pem" "$TMP/cadir/"
openssl rehash "$TMP/cadir" 2>/dev/null || c_rehash "$TMP/cadir" >/dev/null
"$APIERR" call -s --capath "$TMP/cadir" "$ECHO/echo/capath" >/dev/null || fail "--capath failed"
expect_rc 3 "$APIERR" call -s --retries 0 --cacert "$TMP/cert.pem" "$ECHO/echo/other-ca"
port=${ECHO##*:}
"$APIERR" call -s --cacert "$TMP/scert.pem" --resolve "apierr.test:$port:127.0.0.1" \
    "https://apierr.test:$port/echo/resolved" >/dev/null || fail "--resolve failed"
[ "$(last_seen 'd["headers"]["host"]')" = "apierr.test:$port" ] ||
    fail "--resolve: Host $(last_seen 'd["headers"]["host"]')"
# -4 and -6 on a name that resolves to an IPv4 address only.
"$APIERR" call -s -4 --cacert "$TMP/scert.pem" --resolve "apierr.test:$port:127.0.0.1" \
    "https://apierr.test:$port/echo/v4" >/dev/null || fail "-4 failed"
expect_rc 3 "$APIERR" call -s --retries 0 --ipv6 --cacert "$TMP/scert.pem" \
    --resolve "apierr.test:$port:127.0.0.1" "https://apierr.test:$port/echo/v6"
expect_rc 2 "$APIERR" call -s --resolve apierr.test:127.0.0.1 "$ECHO/echo"

# --- --cert, --key: a server that asks for a client certificate -----------------
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=apierr-client \
    -keyout "$TMP/ckey.pem" -out "$TMP/ccert.pem" 2>/dev/null || fail "openssl req (client) failed"
start_echo "$TMP/scert.pem" "$TMP/skey.pem" "$TMP/ccert.pem"
expect_rc 3 "$APIERR" call -s --retries 0 --cacert "$TMP/scert.pem" "$ECHO/echo/anonymous"
"$APIERR" call -s --cacert "$TMP/scert.pem" --cert "$TMP/ccert.pem" --key "$TMP/ckey.pem" \
    "$ECHO/echo/mtls" >/dev/null || fail "--cert --key failed"
[ "$(last_seen 'd["path"]')" = /echo/mtls ] || fail "--cert: the request did not arrive"
cat "$TMP/ccert.pem" "$TMP/ckey.pem" >"$TMP/both.pem"
"$APIERR" call -s --cacert "$TMP/scert.pem" -E "$TMP/both.pem" "$ECHO/echo/mtls2" >/dev/null ||
    fail "-E with the key in the same file failed"
echo "ok: -x sends through the proxy; -k accepts an unverified certificate; --cacert, --capath, --resolve, -4, -6, --cert, --key"
