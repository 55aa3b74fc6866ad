# -i, -I, -D and -v show the status line the server sent, its own reason phrase
# included (HTTP/1.1 429 Slow Down), byte for byte as curl shows it; HTTP/2
# has no reason phrase (HTTP/2 429, as curl prints it).
. "$(dirname "$0")/call_lib.bash"
start_script "$(dirname "$0")/lib/reason_server.py"

"$APIERR" call -s -i --retries 0 "$URL/slow" >"$TMP/out" 2>/dev/null || true
[ "$(head -n1 "$TMP/out")" = $'HTTP/1.1 429 Slow Down\r' ] ||
    fail "-i on a 429 Slow Down: $(head -n1 "$TMP/out")"
"$APIERR" call -s -i "$URL/colon" >"$TMP/out" || fail "-i on a 200 OK: fine failed"
[ "$(head -n1 "$TMP/out")" = $'HTTP/1.1 200 OK: fine\r' ] || fail "-i: $(head -n1 "$TMP/out")"
# A colon in the reason phrase makes no header of it.
[ "$(grep -c '^HTTP/1.1 200 OK' "$TMP/out")" = 1 ] ||
    fail "-i: the status line came twice or not at all: $(cat "$TMP/out")"
"$APIERR" call -s --retries 0 -o /dev/null -w '%{header_json}' "$URL/colon" | grep -q '"http/1.1 200 ok"' &&
    fail "the status line became a header"
# -v shows it too, as curl -v does ("< HTTP/1.1 429 Slow Down").
"$APIERR" call -sv --retries 0 -o /dev/null "$URL/slow" 2>"$TMP/v.err" || true
grep -q '^< HTTP/1.1 429 Slow Down' "$TMP/v.err" || fail "-v: $(grep '^<' "$TMP/v.err" | head -n1)"
if command -v curl >/dev/null; then
    for path in slow colon; do
        curl -s -D "$TMP/curl.head" -o /dev/null "$URL/$path"
        "$APIERR" call -s --retries 0 -D "$TMP/apierr.head" -o /dev/null "$URL/$path" 2>/dev/null || true
        cmp -s "$TMP/curl.head" "$TMP/apierr.head" ||
            fail "-D /$path differs from curl's: $(diff "$TMP/curl.head" "$TMP/apierr.head")"
    done
fi

# --- HTTP/2: nginx over TLS (ALPN h2), its 429 --------------------------------------
if command -v nginx >/dev/null && command -v openssl >/dev/null && command -v curl >/dev/null; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=apierr-test \
        -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null || fail "openssl req failed"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    . "$(dirname "$0")/lib/nginx.bash"
    start_nginx "$TMP/nginx" "server {
        listen 127.0.0.1:$port ssl http2;
        ssl_certificate $TMP/cert.pem;
        ssl_certificate_key $TMP/key.pem;
        location / { return 429 '{\"message\":\"slow down\"}'; }
    }"
    SERVERS+=("$NGINX_PID")
    for _ in $(seq 100); do curl -sk -o /dev/null "https://127.0.0.1:$port/" && break; sleep 0.05; done
    curl -sk -D "$TMP/curl.head" -o /dev/null "https://127.0.0.1:$port/x"
    "$APIERR" call -s -k --retries 0 -D "$TMP/apierr.head" "https://127.0.0.1:$port/x" 2>/dev/null || true
    head -n1 "$TMP/curl.head" | grep -q '^HTTP/2 429' || fail "nginx did not answer over HTTP/2: $(head -n1 "$TMP/curl.head")"
    [ "$(head -n1 "$TMP/apierr.head")" = "$(head -n1 "$TMP/curl.head")" ] ||
        fail "-D over HTTP/2: '$(head -n1 "$TMP/apierr.head")', curl: '$(head -n1 "$TMP/curl.head")'"
else
    echo "note: no nginx, openssl or curl: HTTP/2 not checked"
fi
echo "ok: -i and -D show the server's own status line"
