# Usage errors print one line and a hint, exit 2 (curl's way, not the whole
# help); short flags combine (-sv, -sSL) and take attached values (-XPUT).
. "$(dirname "$0")/call_lib.bash"
. "$(dirname "$0")/lib/echo.bash"

# usage_error WHAT CMD ARGS...: exit 2, nothing on stdout, exactly two lines
# on stderr, the second the hint.
usage_error() {
    local what=$1 cmd=$2 rc=0
    shift 2
    "$APIERR" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
    [ "$rc" = 2 ] || fail "$what: exit status $rc, want 2"
    [ -s "$TMP/out" ] && fail "$what: wrote to stdout"
    [ "$(wc -l <"$TMP/err")" = 2 ] || fail "$what: stderr is not two lines: $(cat "$TMP/err")"
    [ "$(sed -n 2p "$TMP/err")" = "try 'apierr $cmd --help'" ] ||
        fail "$what: no hint: $(cat "$TMP/err")"
}
usage_error unknown-long call call --frobnicate http://127.0.0.1:9/
usage_error unknown-short call call -W http://127.0.0.1:9/
usage_error unknown-in-cluster call call -sW http://127.0.0.1:9/
usage_error missing-value call call -X
usage_error no-url call call -s
usage_error urls-and-input call call --input /dev/null http://127.0.0.1:9/a http://127.0.0.1:9/b
usage_error bad-retries call call --retries many http://127.0.0.1:9/
usage_error data-and-json call call -d a=1 --json '{}' http://127.0.0.1:9/
usage_error explain-unknown explain explain --frobnicate /dev/null
usage_error no-profile call call --profile nosuch http://127.0.0.1:9/
usage_error bad-jitter call call --jitter wild http://127.0.0.1:9/
usage_error oauth-no-id call call --oauth http://127.0.0.1:9/t http://127.0.0.1:9/
usage_error session-opts call call --api-token T http://127.0.0.1:9/
usage_error write-out-batch call call -w '%{http_code}' --input /dev/null
usage_error empty-method call call -X '' http://127.0.0.1:9/
usage_error method-with-space call call -X 'GET /x' http://127.0.0.1:9/
usage_error more-outputs-than-urls call call -o /dev/null -o /dev/null --url http://127.0.0.1:9/a
usage_error bad-resolve call call --resolve api.test:x:127.0.0.1 http://127.0.0.1:9/
usage_error fail-twice call call -f --fail-with-body http://127.0.0.1:9/
rc=0
"$APIERR" frobnicate >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && [ "$(cat "$TMP/err")" = "apierr: unknown command 'frobnicate'
try 'apierr --help'" ] || fail "an unknown command: $rc $(cat "$TMP/err")"
# curl's -V is --version; `apierr help CMD` is `apierr CMD --help`.
[ "$("$APIERR" -V)" = "$("$APIERR" --version)" ] || fail "-V is not --version"
cmp -s <("$APIERR" help call) <("$APIERR" call --help) || fail "help call is not call --help"
"$APIERR" help help | grep -q '^usage: apierr ' || fail "help help is not the usage"
grep -q "^apierr call: unknown option '-W'" <("$APIERR" call -sW x 2>&1) ||
    fail "the unknown letter of a cluster is not named"

start_echo
# -sv: silent and verbose at once.
"$APIERR" call -sv "$ECHO/echo" >"$TMP/out" 2>"$TMP/err" || fail "-sv failed"
grep -q '^> GET ' "$TMP/err" || fail "-sv: no verbose lines"
# -X with its value attached, then in a cluster's tail.
"$APIERR" call -XPUT "$ECHO/echo" >/dev/null || fail "-XPUT failed"
[ "$(last_seen 'd["method"]')" = PUT ] || fail "-XPUT did not send PUT"
"$APIERR" call -sXDELETE "$ECHO/echo" >/dev/null || fail "-sXDELETE failed"
[ "$(last_seen 'd["method"]')" = DELETE ] || fail "-sXDELETE did not send DELETE"
# -sSL: silent, show errors, follow redirects.
"$APIERR" call -sSL "$ECHO/redirect/302?to=/echo/landed" >/dev/null || fail "-sSL failed"
[ "$(last_seen 'd["path"]')" = /echo/landed ] || fail "-sSL did not follow the redirect"
# -H's value attached; --name=value still works.
"$APIERR" call -s '-HX-Seen: yes' --max-time=5 "$ECHO/echo" >/dev/null || fail "-HX-Seen failed"
[ "$(last_seen 'd["headers"].get("x-seen")')" = yes ] || fail "-H with an attached value"
echo "ok: usage errors are one line and a hint; short flags combine"
