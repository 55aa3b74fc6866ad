# Sourced after call_lib.bash by the tests of curl's flags: start_echo starts
# lib/echo_server.py (see its header for what it answers) and sets ECHO to
# its base URL; every request it saw is a JSON line in $ECHO_LOG.
# start_echo [CERT KEY [CLIENT_CA]]: with a certificate and its key, over
# TLS; with CLIENT_CA, a client certificate it signed is required.
ECHO_LOG="$TMP/echo.jsonl"
start_echo() {
    local out="$TMP/echo.${#SERVERS[@]}"
    python3 "$(dirname "${BASH_SOURCE[0]}")/echo_server.py" "$ECHO_LOG" "$@" >"$out" &
    SERVERS+=($!)
    for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.05; done
    ECHO=$(head -n1 "$out")
    [ -n "$ECHO" ] || fail "the echo server did not start"
}

# last_seen EXPR: EXPR over `d`, the last request the echo server saw.
last_seen() {
    tail -n1 "$ECHO_LOG" | json_get "$1"
}

# seen: what the echo server saw of the last request, the parts curl's
# flags set (method, target, body, Content-Type, Referer, Cookie, Range,
# Authorization), as one JSON line.
seen() {
    last_seen 'json.dumps([d["method"], d["target"], d["body"]] + [d["headers"].get(h) for h in ("content-type", "referer", "cookie", "range", "authorization")])'
}

# same_as_curl ARGS...: the request apierr sends is the one curl sends.
same_as_curl() {
    curl -s -o /dev/null "$@" || fail "curl $* failed"
    local want got
    want=$(seen)
    "$APIERR" call -s -o /dev/null "$@" || fail "apierr call $* failed"
    got=$(seen)
    [ "$got" = "$want" ] || fail "apierr call $*: $got; curl: $want"
}
