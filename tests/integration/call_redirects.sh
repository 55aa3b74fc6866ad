# -L and --max-redirs follow redirects as curl does: 301/302/303 turn a POST
# into a GET (303 any method), 307/308 keep the method and the body, and the
# credentials stay with the first host; without -L a 3xx is the response.
. "$(dirname "$0")/call_lib.bash"
. "$(dirname "$0")/lib/echo.bash"
start_echo
FIRST=$ECHO
start_echo # another host (another port: curl's rule), same log
OTHER=$ECHO
ECHO=$FIRST

# seen_after METHOD CODE [ARGS...]: calls /redirect/CODE -> /echo/landed with
# -L, prints "METHOD BODY" of the request that landed.
seen_after() {
    local method=$1 code=$2
    shift 2
    "$APIERR" call -s -L -X "$method" "$@" "$ECHO/redirect/$code?to=/echo/landed" >/dev/null ||
        fail "-L -X $method through $code failed"
    [ "$(last_seen 'd["path"]')" = /echo/landed ] || fail "-L $code: did not land"
    last_seen 'd["method"] + " " + d["body"]'
}
for code in 301 302 303; do
    [ "$(seen_after POST $code -d a=1)" = "GET " ] || fail "POST through $code: $(seen_after POST $code -d a=1)"
done
[ "$(seen_after PUT 303 -d a=1)" = "GET " ] || fail "PUT through 303: $(seen_after PUT 303 -d a=1)"
for code in 307 308; do
    [ "$(seen_after POST $code -d a=1)" = "POST a=1" ] || fail "POST through $code: $(seen_after POST $code -d a=1)"
    [ "$(seen_after PUT $code -d a=1)" = "PUT a=1" ] || fail "PUT through $code: $(seen_after PUT $code -d a=1)"
done

# Without -L: the 3xx is the response (no second request).
n=$(wc -l <"$ECHO_LOG")
"$APIERR" call -s -w '%{http_code}' "$ECHO/redirect/302?to=/echo/landed" >"$TMP/out" || true
[ "$(cat "$TMP/out")" = 302 ] || fail "without -L: $(cat "$TMP/out")"
[ "$(wc -l <"$ECHO_LOG")" = $((n + 1)) ] || fail "without -L a redirect was followed"

# Credentials: to the same host, kept; to another host, dropped.
"$APIERR" call -s -L -u ada:pw "$ECHO/redirect/302?to=/echo/same" >/dev/null
last_seen 'd["headers"].get("authorization")' | grep -c '^Basic ' >/dev/null || fail "-u dropped on the same host"
for cred in "-u ada:pw" "--token T0K3N" "-H Authorization:Bearer_x"; do
    # shellcheck disable=SC2086
    "$APIERR" call -s -L $cred "$ECHO/redirect/302?to=$OTHER/echo/other" >/dev/null ||
        fail "-L to another host with $cred failed"
    [ "$(last_seen 'd["path"]')" = /echo/other ] || fail "$cred: did not reach the other host"
    [ "$(last_seen 'd["headers"].get("authorization")')" = None ] ||
        fail "$cred sent to another host: $(last_seen 'd["headers"].get("authorization")')"
done

# --max-redirs: a chain of two within 2, not within 1; 0 follows none.
chain="$ECHO/redirect/302?to=/redirect/302%3Fto%3D/echo/end"
"$APIERR" call -s -L --max-redirs 2 "$chain" >/dev/null || fail "two redirects within --max-redirs 2"
[ "$(last_seen 'd["path"]')" = /echo/end ] || fail "--max-redirs 2: did not land"
# -w %{url_effective} is where the redirects led (curl's), %{url} the URL
# asked for; --output-json says both.
out=$("$APIERR" call -s -L -o /dev/null -w '%{url_effective}|%{url}' "$chain") ||
    fail "-L -w url_effective failed"
[ "$out" = "$ECHO/echo/end|$chain" ] || fail "-L -w '%{url_effective}|%{url}': $out"
"$APIERR" call -s -L --output-json "$chain" >"$TMP/out.json" || fail "-L --output-json failed"
[ "$(json_get 'd["url_effective"] + "|" + d["url"]' <"$TMP/out.json")" = "$ECHO/echo/end|$chain" ] ||
    fail "-L --output-json: $(cat "$TMP/out.json")"
out=$("$APIERR" call -s -o /dev/null -w '%{url_effective}' "$ECHO/redirect/302?to=/echo/landed")
[ "$out" = "$ECHO/redirect/302?to=/echo/landed" ] || fail "without -L, url_effective: $out"
rc=0
"$APIERR" call -s -L --max-redirs 1 --retries 0 "$chain" >/dev/null 2>"$TMP/err" || rc=$?
[ "$rc" = 3 ] || fail "past --max-redirs 1: exit status $rc, want 3 (network)"
out=$("$APIERR" call -s -L --max-redirs 0 -w '%{http_code}' "$chain" 2>/dev/null) || true
[ "$out" = 302 ] || fail "--max-redirs 0: $out"
echo "ok: -L follows redirects as curl does"
