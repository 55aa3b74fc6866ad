#!/usr/bin/env bash
# `apierr serve` at the HTTP layer (RFC 9112), over raw sockets: a request
# that could be framed two ways (request smuggling) gets one 400 problem and
# the connection is closed, so that the bytes after it are never served;
# the errors of the HTTP layer itself (400, 408, 414, 431, 505, the connection
# caps) are problems in the profile's dialect with X-Request-Id; the
# absolute form of the target is routed by its path; a slow
# socket is cut at the head deadline, and one address cannot take every
# connection.
source "$(dirname "$0")/lib/serve_common.sh"

# raw NAME BYTES [WAIT_S]: sends BYTES (printf format) to the server at URL;
# sets ST, N (responses) and CLOSED, the first response in $TMP/h and $TMP/b.
raw() {
    local name=$1 bytes=$2 wait=${3:-3} port=${URL##*:}
    # shellcheck disable=SC2059
    printf "$bytes" >"$TMP/raw.in"
    read -r ST N CLOSED < <("$PY" -S "$LIB/raw_http.py" "$port" "$TMP/raw.in" "$TMP/h" "$TMP/b" "$wait")
    LAST=$name
}

# refused CODE: the last raw exchange was one problem of status $ST... with
# code CODE, a request id, and a close.
refused() {
    local want=$1 code=$2
    expect_problem "$want" "$code" "$LAST" || return
    [ "$N" = 1 ] || fail "$LAST: $N responses, want 1 (the bytes after the request were served)"
    [ "$CLOSED" = 1 ] || fail "$LAST: the connection was not closed"
    [ -n "$(header X-Request-Id)" ] || fail "$LAST: no X-Request-Id"
}

start_server f --client demo:s3cret:acme:invoices:read
NEXT='GET /status HTTP/1.1\r\nHost: a\r\n\r\n'

raw "CL and TE" "POST /oauth/token HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n$NEXT"
refused 400 bad_request
raw "two Content-Length" "POST /oauth/token HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\n$NEXT"
refused 400 bad_request
raw "HTTP/1.1 without Host" 'GET /status HTTP/1.1\r\n\r\n'
refused 400 bad_request
raw "whitespace before the colon" 'GET /status HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n'
refused 400 bad_request
for cl in -1 +2 18446744073709551616 '5, 5' 0x10; do
    raw "Content-Length: $cl" "POST /oauth/token HTTP/1.1\r\nHost: a\r\nContent-Length: $cl\r\n\r\n$NEXT"
    refused 400 bad_request
done
raw "Transfer-Encoding: gzip, chunked" "POST /oauth/token HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n$NEXT"
refused 400 bad_request
raw "obsolete line folding" 'GET /status HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n'
refused 400 bad_request
raw "bare LF" 'GET /status HTTP/1.1\nHost: a\n\n'
refused 400 bad_request
raw "not HTTP" 'HELLO\r\n\r\n'
refused 400 bad_request
# RFC 9112 2.3: another major version is a 505; a later HTTP/1.x is
# served as 1.1 (the highest this server speaks).
raw "HTTP/2.0 in HTTP/1 framing" 'GET /status HTTP/2.0\r\nHost: a\r\n\r\n'
refused 505 http_version_not_supported
raw "HTTP/0.9" 'GET /status HTTP/0.9\r\nHost: a\r\n\r\n'
refused 505 http_version_not_supported
raw "HTTP/1.2" 'GET /status HTTP/1.2\r\nHost: a\r\nConnection: close\r\n\r\n'
[ "$ST" = 401 ] || fail "$LAST: status $ST, want 401 (served as HTTP/1.1: /status needs a token)"
raw "HTTP/1.10" 'GET /status HTTP/1.10\r\nHost: a\r\n\r\n'
refused 400 bad_request

# A later request of a kept-alive connection is checked as well: the first
# one is answered, the smuggling one gets 400 and the connection closes.
raw "CL and TE, second on its connection" "$NEXT""POST /oauth/token HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n$NEXT"
[ "$N" = 2 ] || fail "$LAST: $N responses, want 2"
[ "$CLOSED" = 1 ] || fail "$LAST: the connection was not closed"
tail -c 400 "$TMP/raw.in" >/dev/null

# The limits of the HTTP layer: problems, not HTML.
long=$(head -c 20000 /dev/zero | tr '\0' a)
raw "a 20 KB request line" "GET /$long HTTP/1.1\r\nHost: a\r\n\r\n"
refused 414 uri_too_long
raw "a 20 KB header" "GET /status HTTP/1.1\r\nHost: a\r\nX-Big: $long\r\n\r\n"
refused 431 request_header_fields_too_large
raw "a client's request id" 'GET /status HTTP/1.1\r\nX-Request-Id: req-framing-1\r\n\r\n'
[ "$(header X-Request-Id)" = req-framing-1 ] || fail "$LAST: X-Request-Id $(header X-Request-Id)"
# The absolute form is accepted and routed by its path (RFC 9112 3.2.2), on
# a kept connection too.
raw "the absolute form" 'GET http://api.test/status HTTP/1.1\r\nHost: api.test\r\n\r\nGET HTTPS://api.test:8443/v1/tenants/acme/invoices?limit=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
[ "$ST" = 401 ] && [ "$N" = 2 ] || fail "$LAST: status $ST, $N responses, want 401 twice (routed as /status)"
grep -q 'No route' "$TMP/b" && fail "$LAST: not routed: $(cat "$TMP/b")"
# The asterisk form: OPTIONS of the whole server (RFC 9112 3.2.4), 204 with
# the methods of every route; any other method with it is a 400.
raw "OPTIONS *" 'OPTIONS * HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
[ "$ST" = 204 ] && [ "$(header Allow)" = "GET, POST, PUT, DELETE, HEAD, OPTIONS" ] ||
    fail "$LAST: status $ST, Allow '$(header Allow)'"
raw "GET *" 'GET * HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
expect_problem 400 bad_request "$LAST"
req GET "$URL/status"
expect_status 401 "still serving after bad heads"
stop_servers

# In the profile's dialect.
start_server g --profile gestix
EXPLAIN_ARGS=(--profile gestix)
raw "gestix: two Content-Length" "POST /helo HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\n"
refused 400 bad_request
"$PY" -S -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["dialect"] != "gestix")' "$TMP/e.json" ||
    fail "gestix: the 400 is not in the gestix dialect: $(cat "$TMP/b")"
EXPLAIN_ARGS=()
stop_servers

# Slow sockets: the head deadline cuts them with 408, so that eight of them
# do not hold the eight connection slots until the idle timeout (30 s).
start_server s --max-connections 8 --head-timeout 1 --max-per-ip 0
raw "a head that never ends" 'GET /status HTTP/1.1\r\nHost: a\r\n' 3
refused 408 request_timeout
"$PY" -S - "${URL##*:}" <<'PYEOF' &
import socket, sys, time
socks = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(8)]
for s in socks:
    s.send(b"GET /")
time.sleep(4)
PYEOF
slow=$!
sleep 0.5
req GET "$URL/status"
expect_status 503 "the ninth connection while eight are open"
expect_problem 503 service_unavailable "the ninth connection"
sleep 1.5
req GET "$URL/status"
expect_status 401 "served once the head deadline cut the slow sockets"
wait $slow 2>/dev/null
stop_servers

# One address cannot take every connection.
start_server p --max-per-ip 4
"$PY" -S - "${URL##*:}" <<'PYEOF' &
import socket, sys, time
socks = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(4)]
time.sleep(2)
PYEOF
held=$!
sleep 0.5
req GET "$URL/status"
expect_problem 429 too_many_connections "a fifth connection from one address"
wait $held 2>/dev/null
req GET "$URL/status"
expect_status 401 "served once the address closed its connections"
