# More of curl's flags, each with curl's meaning, checked against what curl
# 7.88 itself sends to the same echo server: --path-as-is, -n, --netrc,
# --netrc-optional, --netrc-file, -j, --limit-rate, and --trace,
# --trace-ascii and --trace-time in curl's dump format, with the secrets
# -v hides redacted; -H @FILE, -V; the flags that are one libcurl setting
# each (call_curlopts.h: --post301, --location-trusted, --max-filesize,
# --speed-limit, --local-port, ...); -N, -#, -g accepted; several URLs in
# turn, with --fail-early, or at once with -Z.
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

# --- -H @FILE, -V, the accepted ones ---------------------------------------------
printf 'X-One: 1\r\nX-Two: two words\n\n' >"$TMP/headers.txt"
"$APIERR" call -s -o /dev/null -H @"$TMP/headers.txt" -H 'X-Three: 3' "$ECHO/echo" || fail "-H @FILE failed"
got=$(last_seen '[d["headers"].get(h) for h in ("x-one", "x-two", "x-three")]')
[ "$got" = "['1', 'two words', '3']" ] || fail "-H @FILE sent $got"
if have_curl; then
    curl -s -o /dev/null -H @"$TMP/headers.txt" "$ECHO/echo"
    want=$(last_seen '[d["headers"].get(h) for h in ("x-one", "x-two")]')
    [ "$want" = "['1', 'two words']" ] || fail "curl -H @FILE sent $want (the test's premise)"
fi
expect_rc 1 "$APIERR" call -s -H @"$TMP/none.txt" "$ECHO/echo"
out=$("$APIERR" call -V) || fail "-V failed"
case $out in "apierr "[0-9]*" (libcurl "[0-9]*")") ;; *) fail "-V: '$out'" ;; esac
[ "$("$APIERR" call --version)" = "$out" ] || fail "--version differs from -V"
"$APIERR" call -s -o /dev/null -N -# -g --no-buffer --progress-bar --globoff "$ECHO/echo" ||
    fail "-N, -#, -g refused"

# --- one libcurl setting each ------------------------------------------------------
if have_curl; then
    for code in 301 302 303; do
        same_as_curl -L -d x=1 "$ECHO/redirect/$code?to=/echo/after"
        same_as_curl -L --post$code -d x=1 "$ECHO/redirect/$code?to=/echo/after"
    done
    port=${ECHO##*:}
    # Credentials stay on the host unless trusted (localhost is another host).
    same_as_curl -L -u ada:pw "$ECHO/redirect/302?to=http://localhost:$port/echo/other"
    same_as_curl --location-trusted -u ada:pw "$ECHO/redirect/302?to=http://localhost:$port/echo/other"
fi
"$APIERR" call -s -o /dev/null --location-trusted -u ada:pw \
    "$ECHO/redirect/302?to=http://localhost:${ECHO##*:}/echo/other" || fail "--location-trusted failed"
[ "$(last_seen 'd["path"], d["headers"].get("authorization")')" = "/echo/other Basic $(printf ada:pw | base64)" ] ||
    fail "--location-trusted: $(last_seen 'd["path"], d["headers"].get("authorization")')"
# --max-filesize: a bigger body fails the call, as libcurl says, and is not retried.
rc=0
"$APIERR" call -s --max-filesize 10 --output-json "$ECHO/echo" >"$TMP/out.json" 2>/dev/null || rc=$?
[ "$rc" = 3 ] || fail "--max-filesize 10: exit status $rc, want 3"
json_get 'd["problem"]["message"], len(d["attempts"])' <"$TMP/out.json" | grep -qix 'maximum file size exceeded 1' ||
    fail "--max-filesize: $(cat "$TMP/out.json")"
"$APIERR" call -s -o /dev/null --max-filesize 1M "$ECHO/echo" || fail "--max-filesize 1M failed"
expect_rc 2 "$APIERR" call -s --max-filesize 1T "$ECHO/echo"
# --speed-limit and --speed-time: an answer that does not come is cut.
rc=0
"$APIERR" call -s --retries 0 -m 20 --speed-limit 1 --speed-time 1 --output-json "$ECHO/slow" \
    >"$TMP/out.json" 2>/dev/null || rc=$?
# (The attempt's timeout, not the call's deadline of -m: that one would
# be "deadline".)
[ "$rc" = 8 ] && [ "$(json_get 'd["category"]' <"$TMP/out.json")" = timeout ] ||
    fail "--speed-limit: exit $rc, $(cat "$TMP/out.json")"
# --local-port: the connection leaves from one of the range.
lp=$("$APIERR" call -s -o /dev/null --local-port 41000-41999 -w '%{local_port}' "$ECHO/echo") ||
    fail "--local-port failed"
[ "$lp" -ge 41000 ] && [ "$lp" -le 41999 ] || fail "--local-port 41000-41999: from $lp"
expect_rc 2 "$APIERR" call -s --local-port 9-8 "$ECHO/echo"
"$APIERR" call -s -o /dev/null --interface 127.0.0.1 --tcp-nodelay --no-keepalive \
    --keepalive-time 5 --no-sessionid --tlsv1.2 --happy-eyeballs-timeout-ms 100 \
    --expect100-timeout 0.5 "$ECHO/echo" || fail "the connection flags failed"
# --proto and --proto-redir, curl's syntax: a scheme left out is refused
# before anything is sent, a redirect to one is not followed.
: >"$ECHO_LOG"
expect_rc 3 "$APIERR" call -s --retries 0 --proto =https "$ECHO/echo/never"
grep -q never "$ECHO_LOG" && fail "--proto =https sent an http request"
expect_rc 3 "$APIERR" call -s --retries 0 -L --proto-redir =https "$ECHO/redirect/302?to=/echo/never"
grep -q '"/echo/never"' "$ECHO_LOG" && fail "--proto-redir =https followed a redirect to http"
"$APIERR" call -s -o /dev/null -L --proto -https,+http --proto-redir all "$ECHO/redirect/302?to=/echo/ok" ||
    fail "--proto -https,+http refused http"
expect_rc 2 "$APIERR" call -s --proto '=https,,' "$ECHO/echo"
if have_curl; then
    rc=0
    curl -s -o /dev/null --proto =https "$ECHO/echo/curl" || rc=$?
    [ "$rc" != 0 ] || fail "curl --proto =https took http (the test's premise)"
fi
# --connect-to, repeatable: the name stays the Host, the connection goes
# where the entry that matches says (the second: any host, any port).
port=${ECHO##*:}
for host in apierr.test other.test; do
    got=$("$APIERR" call -s --connect-to "apierr.test:80:127.0.0.1:$port" --connect-to "::127.0.0.1:$port" \
        "http://$host/echo/ct" | json_get 'd["path"], d["headers"]["host"]') || fail "--connect-to $host failed"
    [ "$got" = "/echo/ct $host" ] || fail "--connect-to $host: $got"
done
# A setting this libcurl lacks is a usage error that names it, before any
# request (Debian's libcurl has no c-ares: --dns-servers).
rc=0
"$APIERR" call -s --dns-servers 127.0.0.1 "$ECHO/echo/dns" >/dev/null 2>"$TMP/err" || rc=$?
if [ "$rc" != 0 ]; then
    [ "$rc" = 2 ] || fail "--dns-servers refused with exit $rc"
    grep -q -- '--dns-servers: libcurl' "$TMP/err" || fail "--dns-servers: $(cat "$TMP/err")"
    [ "$(last_seen 'd["path"]')" = /echo/dns ] && fail "--dns-servers refused after a request"
fi

# --- -u's scheme by libcurl: --digest, --anyauth ------------------------------------
if have_curl; then
    code=$(curl -s -o /dev/null -w '%{http_code}' --digest -u ada:pw "$ECHO/digest")
    [ "$code" = 200 ] || fail "curl --digest against the echo server: $code (the test's premise)"
fi
for scheme in --digest --anyauth; do
    "$APIERR" call -s -o /dev/null "$scheme" -u ada:pw "$ECHO/digest/x" || fail "$scheme -u failed"
    last_seen 'd["headers"].get("authorization", "")' | grep -q '^Digest username="ada"' ||
        fail "$scheme: $(last_seen 'd["headers"].get("authorization")')"
done
expect_rc 5 "$APIERR" call -s --retries 0 -u ada:pw "$ECHO/digest/x"
expect_rc 5 "$APIERR" call -s --retries 0 --digest -u ada:wrong "$ECHO/digest/x"

# --aws-sigv4: the signature, checked against the request as it arrived
# (AWS Signature V4 from the bytes the server got: a header signed but not
# sent, as an empty "Expect:" was, fails it; the query is in AWS's order,
# which libcurl 7.88 does not sort into).
verify_sigv4() {
    tail -n1 "$ECHO_LOG" | python3 -c '
import hashlib, hmac, json, re, sys, urllib.parse
d = json.load(sys.stdin)
h = d["headers"]
m = re.match(r"AWS4-HMAC-SHA256 Credential=AKID/(\d+)/([^/]+)/([^/]+)/aws4_request, "
             r"SignedHeaders=([^,]+), Signature=([0-9a-f]+)$", h.get("authorization", ""))
assert m, h.get("authorization")
date, region, service, signed, sig = m.groups()
names = signed.split(";")
assert all(n in h for n in names), ("signed but not sent", [n for n in names if n not in h])
q = "&".join(sorted(urllib.parse.quote(k, safe="-_.~") + "=" + urllib.parse.quote(v, safe="-_.~")
                    for k, v in urllib.parse.parse_qsl(d["query"], keep_blank_values=True)))
canon = "\n".join([d["method"], d["path"], q,
                   "".join("%s:%s\n" % (n, h[n].strip()) for n in names), signed,
                   hashlib.sha256(d["body"].encode()).hexdigest()])
scope = "/".join([date, region, service, "aws4_request"])
to_sign = "\n".join(["AWS4-HMAC-SHA256", h["x-amz-date"], scope,
                     hashlib.sha256(canon.encode()).hexdigest()])
k = ("AWS4" + "s3cr3t").encode()
for part in (date, region, service, "aws4_request"):
    k = hmac.new(k, part.encode(), hashlib.sha256).digest()
want = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
assert sig == want, ("signature", sig, want)
'
}
if have_curl; then
    curl -s -o /dev/null --aws-sigv4 aws:amz:us-east-1:execute-api -u AKID:s3cr3t "$ECHO/echo/sig?a=1&b=2"
    verify_sigv4 || fail "the SigV4 check refuses curl's own signature (the test's premise)"
fi
"$APIERR" call -s -o /dev/null --aws-sigv4 aws:amz:us-east-1:execute-api -u AKID:s3cr3t \
    "$ECHO/echo/sig?a=1&b=2" || fail "--aws-sigv4 failed"
verify_sigv4 || fail "--aws-sigv4: the signature does not match the request sent"

# --- several URLs, called in turn as curl calls them ------------------------------
out=$("$APIERR" call -s -w ' %{http_code}\n' "$ECHO/echo/one" --url "$ECHO/echo/two" "$ECHO/echo/three") ||
    fail "three URLs failed"
got=$(echo "$out" | python3 -c '
import json, sys
for line in sys.stdin:
    body, code = line.rsplit(" ", 1)
    print(json.loads(body)["target"], code.strip())' | tr '\n' ' ')
[ "$got" = "/echo/one 200 /echo/two 200 /echo/three 200 " ] || fail "three URLs: $got"
if have_curl; then
    # The exit code is the last one's (curl -f's 22 is apierr's 4).
    curl -s -f -o /dev/null "$ECHO/status/404" "$ECHO/echo" || fail "curl: the last URL's code is not the exit code"
    expect_rc 0 "$APIERR" call -s --retries 0 "$ECHO/status/404" "$ECHO/echo" >/dev/null
fi
expect_rc 4 "$APIERR" call -s --retries 0 "$ECHO/echo" "$ECHO/status/404"
: >"$ECHO_LOG"
expect_rc 4 "$APIERR" call -s --retries 0 --fail-early "$ECHO/status/404" "$ECHO/echo/after"
grep -q '/echo/after' "$ECHO_LOG" && fail "--fail-early went on after the failure"
# -o and -O bind to the URLs in order, as in curl; -w's %{urlnum} and
# %{onerror} (apierr is always -f) print what curl's do.
if have_curl; then
    f='%{urlnum} %{onerror}ERR %{http_code}\n'
    want=$(curl -s -f -w "$f" -o /dev/null -o /dev/null -o /dev/null "$ECHO/echo" "$ECHO/status/404" "$ECHO/echo" || true)
    got=$("$APIERR" call -s --retries 0 -w "$f" -o /dev/null -o /dev/null -o /dev/null \
        "$ECHO/echo" "$ECHO/status/404" "$ECHO/echo" 2>/dev/null || true)
    [ "$got" = "$want" ] || fail "-w urlnum, onerror: '$got', curl: '$want'"
fi
(
    cd "$TMP" || exit 1
    "$APIERR" call -s -o first.json -O "$ECHO/echo/a" "$ECHO/echo/named" "$ECHO/echo/c" >stdout.json ||
        fail "-o -O with three URLs failed"
    [ "$(json_get 'd["path"]' <first.json)" = /echo/a ] || fail "-o: $(cat first.json)"
    [ "$(json_get 'd["path"]' <named)" = /echo/named ] || fail "-O: $(cat named)"
    [ "$(json_get 'd["path"]' <stdout.json)" = /echo/c ] || fail "the third URL: $(cat stdout.json)"
    "$APIERR" call -s --remote-name-all "$ECHO/echo/r1" "$ECHO/echo/r2" || fail "--remote-name-all failed"
    [ "$(json_get 'd["path"]' <r1)$(json_get 'd["path"]' <r2)" = /echo/r1/echo/r2 ] ||
        fail "--remote-name-all: $(cat r1 r2)"
) || exit 1
expect_rc 2 "$APIERR" call -s -o "$TMP/o" -o "$TMP/p" "$ECHO/echo/a"
# --output-dir, --no-clobber (NAME.1 when NAME is there), -o - (stdout),
# --remove-on-error: the files curl writes, by the names curl gives them.
if have_curl; then
    for tool in curl apierr; do
        cmd=(curl -s)
        [ $tool = apierr ] && cmd=("$APIERR" call -s)
        for _ in 1 2; do
            "${cmd[@]}" --output-dir "$TMP/$tool" --create-dirs --no-clobber -o x.json \
                -w '%{filename_effective}\n' "$ECHO/echo" >>"$TMP/$tool.names" || fail "$tool --output-dir"
        done
    done
    [ "$(sed "s|$TMP/apierr|D|" "$TMP/apierr.names")" = "$(sed "s|$TMP/curl|D|" "$TMP/curl.names")" ] ||
        fail "--output-dir --no-clobber: $(cat "$TMP/apierr.names"), curl: $(cat "$TMP/curl.names")"
    [ -s "$TMP/apierr/x.json" ] && [ -s "$TMP/apierr/x.json.1" ] || fail "--no-clobber: $(ls "$TMP/apierr")"
    same_as_curl --json '{"a":' --json '1}' "$ECHO/echo"
fi
"$APIERR" call -s -o - "$ECHO/echo/dash" | json_get 'd["path"]' | grep -qx /echo/dash || fail "-o - is not stdout"
[ -e ./- ] && fail "-o - wrote a file named -"
expect_rc 4 "$APIERR" call -s --retries 0 --fail-with-body --remove-on-error -o "$TMP/gone.json" "$ECHO/status/404"
[ -e "$TMP/gone.json" ] && fail "--remove-on-error left the file"
expect_rc 4 "$APIERR" call -s --retries 0 --fail-with-body -o "$TMP/kept.json" "$ECHO/status/404"
[ -s "$TMP/kept.json" ] || fail "--fail-with-body without --remove-on-error: no file"
# -J: the name Content-Disposition gives, its last path part only, never
# over a file that is there; the URL's name when it gives none.
mkdir -p "$TMP/j"
(
    cd "$TMP/j" || exit 1
    q=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("attachment; filename=\"../../evil.json\""))')
    "$APIERR" call -s -O -J "$ECHO/disposition?cd=$q" || fail "-J failed"
    [ -s evil.json ] && [ ! -e ../../evil.json ] || fail "-J: $(ls)"
    expect_rc 1 "$APIERR" call -s -O -J "$ECHO/disposition?cd=$q"
    "$APIERR" call -s -O -J "$ECHO/echo/plain" || fail "-J without Content-Disposition failed"
    [ -s plain ] || fail "-J without Content-Disposition: $(ls)"
    if have_curl; then
        q=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("inline; filename=report.csv; size=3"))')
        mkdir c a
        (cd c && curl -s -O -J "$ECHO/disposition?cd=$q")
        (cd a && "$APIERR" call -s -O -J "$ECHO/disposition?cd=$q")
        [ "$(ls a)" = "$(ls c)" ] || fail "-J: apierr wrote $(ls a), curl $(ls c)"
    fi
) || exit 1
# --etag-save, then --etag-compare: If-None-Match, and a 304 is a success.
rm -f "$TMP/etag"
"$APIERR" call -s -o /dev/null --etag-compare "$TMP/etag" --etag-save "$TMP/etag" "$ECHO/etag/v1" ||
    fail "--etag-save failed"
[ "$(last_seen 'd["headers"].get("if-none-match")')" = None ] || fail "If-None-Match without a saved ETag"
[ "$(cat "$TMP/etag")" = '"v1"' ] || fail "--etag-save wrote '$(cat "$TMP/etag")'"
code=$("$APIERR" call -s -o /dev/null -w '%{http_code}' --etag-compare "$TMP/etag" "$ECHO/etag/v1") ||
    fail "--etag-compare failed"
[ "$code" = 304 ] && [ "$(last_seen 'd["headers"].get("if-none-match")')" = '"v1"' ] ||
    fail "--etag-compare: $code, If-None-Match $(last_seen 'd["headers"].get("if-none-match")')"
if have_curl; then
    curl -s -o /dev/null --etag-save "$TMP/etag.curl" "$ECHO/echo"
    "$APIERR" call -s -o /dev/null --etag-save "$TMP/etag.none" "$ECHO/echo"
    cmp -s "$TMP/etag.curl" "$TMP/etag.none" || fail "--etag-save without an ETag differs from curl's"
fi
expect_rc 2 "$APIERR" call -s -D "$TMP/h" "$ECHO/echo/a" "$ECHO/echo/b"
# -Z: at once (the server answers only when all three are in), shown in
# the order of the URLs; --parallel N and --parallel-max N the same.
for flags in "-Z" "--parallel 3" "-Z --parallel-max 3"; do
    # shellcheck disable=SC2086
    out=$("$APIERR" call -s $flags -w ' %{http_code}\n' "$ECHO/together/3/a" "$ECHO/together/3/b" \
        "$ECHO/together/3/c") || fail "$flags: exit $?"
    got=$(echo "$out" | python3 -c '
import json, sys
for line in sys.stdin:
    body, code = line.rsplit(" ", 1)
    print(json.loads(body)["path"], code.strip())' | tr '\n' ' ')
    [ "$got" = "/together/3/a 200 /together/3/b 200 /together/3/c 200 " ] || fail "$flags: $got"
done
expect_rc 4 "$APIERR" call -s -Z --retries 0 "$ECHO/echo/x" "$ECHO/status/404" >/dev/null
expect_rc 2 "$APIERR" call -s --parallel 2 "$ECHO/echo/x"
"$APIERR" call -s -Z -o /dev/null "$ECHO/echo/one-z" || fail "-Z with one URL is not that call"
echo "PASS"
