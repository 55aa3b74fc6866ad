#!/usr/bin/env bash
# `apierr serve` on a kept-alive connection: every request head, not only the
# first one of its connection, is held to the rules of the first (RFC 9112
# framing, the head limits, the head deadline), and refused the same way: one
# problem in the profile's dialect with X-Request-Id and Connection: close,
# after the answers to the requests before it, and nothing after it served.
source "$(dirname "$0")/lib/serve_common.sh"

FIRST='GET /status HTTP/1.1\r\nHost: a\r\n\r\n'

# later NAME BYTES [WAIT_S]: sends FIRST, then BYTES (printf format) on the
# same connection once FIRST's answer is in; sets ST (of the last answer), N
# and CLOSED, the last answer in $TMP/h and $TMP/b.
later() {
    local name=$1 bytes=$2 wait=${3:-3} port=${URL##*:}
    # shellcheck disable=SC2059
    printf "$FIRST" >"$TMP/first.in"
    # shellcheck disable=SC2059
    printf "$bytes" >"$TMP/then.in"
    read -r ST N CLOSED < <("$PY" -S "$LIB/raw_http.py" "$port" "$TMP/first.in" "$TMP/h" "$TMP/b" "$wait" "$TMP/then.in")
    LAST=$name
}

# pipelined NAME BYTES: sends BYTES at once (several requests); like later.
pipelined() {
    local name=$1 bytes=$2 port=${URL##*:}
    # shellcheck disable=SC2059
    printf "$bytes" >"$TMP/first.in"
    : >"$TMP/then.in"
    read -r ST N CLOSED < <("$PY" -S "$LIB/raw_http.py" "$port" "$TMP/first.in" "$TMP/h" "$TMP/b" 3 "$TMP/then.in")
    LAST=$name
}

# refused WANT CODE [RESPONSES]: the last answer of the exchange is a problem
# of status WANT and code CODE with a request id, as problem+json, saying
# Connection: close; RESPONSES answers in all (2: the first request's, then
# the refusal); and the connection was closed.
refused() {
    local want=$1 code=$2 n=${3:-2}
    expect_problem "$want" "$code" "$LAST" || return
    [ "$N" = "$n" ] || fail "$LAST: $N responses, want $n"
    [ "$CLOSED" = 1 ] || fail "$LAST: the connection was not closed"
    [ -n "$(header X-Request-Id)" ] || fail "$LAST: no X-Request-Id"
    case "$(header Content-Type)" in
    application/problem+json*) ;;
    *) fail "$LAST: Content-Type $(header Content-Type), want application/problem+json" ;;
    esac
    [ "$(header Connection | tr A-Z a-z)" = close ] || fail "$LAST: Connection: $(header Connection), want close"
}

start_server k --client demo:s3cret:acme:invoices:read --head-timeout 1
NEXT='GET /status HTTP/1.1\r\nHost: a\r\n\r\n'

# A good second request is served and the connection stays open.
later "a second good request" "$NEXT" 1
[ "$ST" = 401 ] || fail "$LAST: status $ST, want 401"
[ "$N" = 2 ] || fail "$LAST: $N responses, want 2"
[ "$CLOSED" = 0 ] || fail "$LAST: the connection was closed"

for cl in '5, 5' -1 +2 18446744073709551616 0x10; do
    later "second request, Content-Length: $cl" "POST /oauth/token HTTP/1.1\r\nHost: a\r\nContent-Length: $cl\r\n\r\n$NEXT"
    refused 400 bad_request
done
later "second request without Host" 'GET /status HTTP/1.1\r\n\r\n'
refused 400 bad_request
long=$(head -c 20480 /dev/zero | tr '\0' a)
later "second request, a 20 KiB header" "GET /status HTTP/1.1\r\nHost: a\r\nX-Big: $long\r\n\r\n"
refused 431 request_header_fields_too_large
later "second request, a 20 KiB request line" "GET /$long HTTP/1.1\r\nHost: a\r\n\r\n"
refused 414 uri_too_long
later "a client's request id on the second request" 'GET /status HTTP/1.1\r\nX-Request-Id: req-keepalive-2\r\n\r\n'
[ "$(header X-Request-Id)" = req-keepalive-2 ] || fail "$LAST: X-Request-Id $(header X-Request-Id)"

# The head deadline covers the second head: 408, not the idle timeout.
later "a second head that never ends" 'GET /status HTTP/1.1\r\nHost: a\r\n' 4
refused 408 request_timeout

# Pipelined: the requests before the refused head are answered first, in
# order; bodies (by length, chunked) are skipped to find the next head.
pipelined "pipelined after a GET" "$NEXT""POST /oauth/token HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n$NEXT"
refused 400 bad_request
pipelined "pipelined after a body" "POST /oauth/token HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab=cdPOST /oauth/token HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n$NEXT"
refused 400 bad_request
pipelined "pipelined after a chunked body" "POST /oauth/token HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab=cd\r\n0\r\n\r\nGET /status HTTP/1.1\r\nHost: a\r\nContent-Length: +2\r\n\r\n$NEXT"
refused 400 bad_request
pipelined "three good ones" "$NEXT$NEXT$NEXT"
[ "$N" = 3 ] || fail "$LAST: $N responses, want 3"

req GET "$URL/status"
expect_status 401 "still serving after bad later heads"
stop_servers

# In the profile's dialect.
start_server g --profile gestix
EXPLAIN_ARGS=(--profile gestix)
later "gestix: second request, Content-Length: -1" 'POST /helo HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n'
expect_problem 400 bad_request "$LAST"
[ "$N" = 2 ] || fail "$LAST: $N responses, want 2"
"$PY" -S -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["dialect"] != "gestix")' "$TMP/e.json" ||
    fail "gestix: the 400 is not in the gestix dialect: $(cat "$TMP/b")"
EXPLAIN_ARGS=()
