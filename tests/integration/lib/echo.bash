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
