# More of curl's flags, each with curl's meaning, checked against what curl
# 7.88 itself sends to the same echo server: --path-as-is, -n, --netrc,
# --netrc-optional, --netrc-file, -j, --limit-rate, and --trace,
# --trace-ascii and --trace-time in curl's dump format, with the secrets
# -v hides redacted.
. "$(dirname "$0")/call_lib.bash"
. "$(dirname "$0")/lib/echo.bash"
start_echo
have_curl() { command -v curl >/dev/null; }

# --- --path-as-is: dot segments sent as they are --------------------------------
if have_curl; then
    same_as_curl "$ECHO/a/../b/./c"
    same_as_curl --path-as-is "$ECHO/a/../b/./c"
fi
"$APIERR" call -s -o /dev/null --path-as-is "$ECHO/a/../b" || fail "--path-as-is failed"
[ "$(last_seen 'd["path"]')" = /a/../b ] || fail "--path-as-is sent $(last_seen 'd["path"]')"

# --- .netrc: -n, --netrc-optional, --netrc-file ---------------------------------
host=${ECHO#http://}
host=${host%%:*}
mkdir -p "$TMP/home"
printf 'machine %s login ada password n3trc-pw\n' "$host" >"$TMP/home/.netrc"
chmod 600 "$TMP/home/.netrc"
cp "$TMP/home/.netrc" "$TMP/netrc"
userurl="http://bob:url-pw@${ECHO#http://}/echo"
if have_curl; then
    HOME=$TMP/home same_as_curl -n "$ECHO/echo"
    HOME=$TMP/home same_as_curl --netrc "$userurl"
    HOME=$TMP/home same_as_curl --netrc-optional "$userurl"
    same_as_curl --netrc-file "$TMP/netrc" "$ECHO/echo"
    same_as_curl --netrc-file "$TMP/netrc" --netrc-optional "$userurl"
fi
HOME=$TMP/home "$APIERR" call -s -o /dev/null -n "$ECHO/echo" || fail "-n failed"
[ "$(last_seen 'd["headers"].get("authorization")')" = "Basic $(printf ada:n3trc-pw | base64)" ] ||
    fail "-n sent $(last_seen 'd["headers"].get("authorization")')"
# Without -n the file is not read.
HOME=$TMP/home "$APIERR" call -s -o /dev/null "$ECHO/echo" || fail "a call without -n failed"
[ "$(last_seen 'd["headers"].get("authorization")')" = None ] || fail "the .netrc was read without -n"

# --- -j: the cookie file's session cookies left out ------------------------------
{
    printf '# Netscape HTTP Cookie File\n'
    printf '%s\tFALSE\t/\tFALSE\t0\tsess\tS1\n' "$host"
    printf '%s\tFALSE\t/\tFALSE\t4102444800\tkeep\tK1\n' "$host"
} >"$TMP/cookies.txt"
if have_curl; then
    same_as_curl -b "$TMP/cookies.txt" "$ECHO/echo"
    same_as_curl -b "$TMP/cookies.txt" -j "$ECHO/echo"
    same_as_curl -b "$TMP/cookies.txt" --junk-session-cookies "$ECHO/echo"
fi
"$APIERR" call -s -o /dev/null -b "$TMP/cookies.txt" -j "$ECHO/echo" || fail "-j failed"
[ "$(last_seen 'd["headers"].get("cookie")')" = keep=K1 ] ||
    fail "-j sent Cookie: $(last_seen 'd["headers"].get("cookie")')"

# --- --limit-rate: curl's units; the transfer kept under the rate ------------------
expect_rc 2 "$APIERR" call -s --limit-rate x "$ECHO/echo"
expect_rc 2 "$APIERR" call -s --limit-rate 10KB "$ECHO/echo"
expect_rc 2 "$APIERR" call -s --limit-rate -1 "$ECHO/echo"
expect_rc 2 "$APIERR" call -s --limit-rate 99999999999G "$ECHO/echo"
# 160 KiB up and echoed back at 128 KiB/s: libcurl's limiter holds the
# average at the rate, so no more than it (a loaded machine only slows it).
head -c 163840 /dev/zero | tr '\0' a >"$TMP/big"
out=$("$APIERR" call -s -o /dev/null --data-binary @"$TMP/big" --limit-rate 128K \
    -w '%{speed_download} %{speed_upload} %{size_upload}' "$ECHO/echo") || fail "--limit-rate failed"
python3 -c '
import sys
down, up, size = map(float, sys.argv[1:4])
assert size == 163840, size
assert 0 < down <= 1.25 * 131072 and 0 < up <= 1.25 * 131072, (down, up)
' $out || fail "--limit-rate 128K: speeds (down, up, bytes up) $out"

# --- --trace and --trace-ascii: curl's dump format ---------------------------------
# An answer is the same bytes for both (the echo server's Date is fixed):
# every block from the first one received on is curl's, byte for byte.
received() { sed -n '/^<= Recv/,$p' "$1" | grep -v '^== Info'; }
if have_curl; then
    for form in --trace --trace-ascii; do
        curl -s -o /dev/null "$form" "$TMP/curl.trace" "$ECHO/status/404"
        expect_rc 4 "$APIERR" call -s --retries 0 "$form" "$TMP/apierr.trace" "$ECHO/status/404"
        [ "$(received "$TMP/apierr.trace")" = "$(received "$TMP/curl.trace")" ] ||
            fail "$form: the received blocks differ from curl's:
$(diff <(received "$TMP/apierr.trace") <(received "$TMP/curl.trace"))"
        grep -q '^=> Send header, [0-9]* bytes (0x[0-9a-f]*)$' "$TMP/apierr.trace" ||
            fail "$form: no '=> Send header' block"
    done
fi
# The secrets of -v are redacted: headers, query parameters, --redact's
# names. (The 404's body is the server's own, without the request in it.)
# text FILE: what a --trace-ascii file shows, its rows joined.
text() { sed 's/^[0-9a-f]\{4\}: //' "$1" | tr -d '\n'; }
expect_rc 4 "$APIERR" call -s --retries 0 --trace-ascii "$TMP/t.txt" --redact X-Custom \
    -H 'Authorization: Bearer s3cr3t-h' -H 'X-Custom: s3cr3t-c' \
    "$ECHO/status/404?token=s3cr3t-q&page=2"
text "$TMP/t.txt" | grep -q 's3cr3t' && fail "--trace-ascii shows a secret: $(grep s3cr3t "$TMP/t.txt")"
grep -q '^[0-9a-f]\{4\}: Authorization: Bearer REDACTED$' "$TMP/t.txt" || fail "--trace-ascii: no redacted Authorization"
grep -q '^[0-9a-f]\{4\}: X-Custom: REDACTED$' "$TMP/t.txt" || fail "--trace-ascii: --redact's header shown"
grep -q '^0000: GET /status/404?token=REDACTED&page=2 HTTP/1.1$' "$TMP/t.txt" ||
    fail "--trace-ascii: the request line: $(grep -m1 '^0000: GET' "$TMP/t.txt")"
grep -q '^<= Recv data, 59 bytes (0x3b)$' "$TMP/t.txt" || fail "--trace-ascii: no body block"
# --trace-time: each block starts with the time; -: standard output.
"$APIERR" call -s -o /dev/null --trace-ascii - --trace-time "$ECHO/status/204" >"$TMP/t2.txt" ||
    fail "--trace-ascii - failed"
grep -q '^[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]\{6\} => Send header, ' "$TMP/t2.txt" ||
    fail "--trace-time: $(head -n3 "$TMP/t2.txt")"
expect_rc 1 "$APIERR" call -s --trace "$TMP/no/such/dir/t" "$ECHO/echo"

# The client's own token request: its body is not shown, nor its answer.
start_server --client "$CLIENT_SPEC"
"$APIERR" call -s -o /dev/null --trace-ascii "$TMP/oauth.trace" --oauth "$BASE/oauth/token" \
    --client-id "$CLIENT_ID" --client-secret "$CLIENT_SECRET" \
    "$BASE/v1/tenants/$TENANT/invoices" || fail "--trace with --oauth failed"
grep -q 'bytes of a credentials exchange sent, not shown' "$TMP/oauth.trace" ||
    fail "--trace --oauth: the token request's body is not hidden"
grep -q 'bytes of a credentials exchange received, not shown' "$TMP/oauth.trace" ||
    fail "--trace --oauth: the token's answer is not hidden"
token=$(curl -s -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials "$BASE/oauth/token" |
    json_get 'd["access_token"]')
[ -n "$token" ] || fail "no token from the server"
text "$TMP/oauth.trace" | grep -qF "${token:0:12}" && fail "--trace --oauth shows the token"
text "$TMP/oauth.trace" | grep -qF "$CLIENT_SECRET" && fail "--trace --oauth shows the client secret"
echo "PASS"
