# The flags a curl user reaches for first, with curl's meaning: -i, -I, -D,
# -w, -f, -A and the default User-Agent, -u, repeated -d, --data-urlencode,
# -G, --compressed, -m, --connect-timeout, --breaker, --retry-budget; and
# the next ones: --data-binary, --data-raw, -d @FILE's line ends, --url,
# --url-query, -T, -O, -e, -b, -c, -r, --fail-with-body, --retry,
# --oauth2-bearer, --no-progress-meter, --basic, --create-dirs, --stderr, -q,
# -K.
. "$(dirname "$0")/call_lib.bash"
. "$(dirname "$0")/lib/echo.bash"
start_echo

# --- the head: -i, -I, -D ---------------------------------------------------
"$APIERR" call -s -i "$ECHO/echo" >"$TMP/out" || fail "-i failed"
head -n1 "$TMP/out" | grep -c $'^HTTP/1.1 200 OK\r$' >/dev/null || fail "-i: no status line: $(head -n1 "$TMP/out")"
grep -qi $'^content-type: application/json\r$' "$TMP/out" || fail "-i: no Content-Type line"
grep -q '"method": "GET"' "$TMP/out" || fail "-i: no body after the head"
"$APIERR" call -s -I "$ECHO/echo" >"$TMP/out" || fail "-I failed"
[ "$(last_seen 'd["method"]')" = HEAD ] || fail "-I did not send HEAD"
head -n1 "$TMP/out" | grep -c '^HTTP/1.1 200' >/dev/null || fail "-I: no status line"
tail -c2 "$TMP/out" | od -c | grep -c '\\r  \\n' >/dev/null || fail "-I: the head does not end with CRLF"
grep -q '"method"' "$TMP/out" && fail "-I printed a body"
"$APIERR" call -s -D "$TMP/head" -o "$TMP/body" "$ECHO/echo" || fail "-D failed"
grep -q '^HTTP/1.1 200' "$TMP/head" || fail "-D: no status line in the file"
grep -q '"method"' "$TMP/head" && fail "-D: the body went into the head file"
grep -q '"method"' "$TMP/body" || fail "-o with -D: no body"
# A failure still shows its head with -i, not its body.
rc=0
"$APIERR" call -s -i --retries 0 "$ECHO/status/404" >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 4 ] || fail "-i on a 404: exit status $rc, want 4"
head -n1 "$TMP/out" | grep -c '^HTTP/1.1 404 Not Found' >/dev/null || fail "-i on a 404: no status line"
grep -q 'asked for' "$TMP/out" && fail "-i on a 404: the failure's body on stdout"

# --- -w -------------------------------------------------------------------------
out=$("$APIERR" call -s -o /dev/null -w '%{http_code} %{num_retries} %{method} %{category}\n' \
    "$ECHO/echo") || fail "-w failed"
[ "$out" = "200 0 GET ok" ] || fail "-w: '$out'"
out=$("$APIERR" call -s -w '%{url_effective}|%{exitcode}|%%|%{time_total}|%{request_id}' \
    --retries 0 "$ECHO/status/404" 2>/dev/null) && fail "-w on a 404 exited 0"
case $out in
"$ECHO/status/404|4|%|"[0-9]*.[0-9][0-9][0-9][0-9][0-9][0-9]"|req-1") ;;
*) fail "-w on a 404: '$out'" ;;
esac
out=$("$APIERR" call -s -o /dev/null -w '%{header_json}' "$ECHO/echo") || fail "-w header_json"
echo "$out" | json_get 'd["content-type"]' | grep -cx "\['application/json'\]" >/dev/null ||
    fail "-w %{header_json}: $out"
out=$("$APIERR" call -s -o /dev/null -w '%header{content-type}' "$ECHO/echo")
[ "$out" = application/json ] || fail "-w %header{content-type}: '$out'"
# With retries: a 503 retried twice.
out=$("$APIERR" call -s --retries 2 -w '%{num_retries} %{num_attempts} %{category}' \
    "$ECHO/status/503" 2>/dev/null) && fail "503 exited 0"
[ "$out" = "2 3 server" ] || fail "-w after retries: '$out'"
# What libcurl measured: the same figures as curl's for the same server
# (the request's size differs: apierr's User-Agent and Accept-Encoding), the
# times in order.
if command -v curl >/dev/null; then
    f='%{http_version} %{scheme} %{remote_ip} %{remote_port} %{local_ip} %{num_headers} %{num_connects} %{num_redirects} %{size_header} %{size_upload} %{ssl_verify_result} %{time_appconnect}'
    want=$(curl -s -o /dev/null -w "$f" "$ECHO/echo")
    got=$("$APIERR" call -s -o /dev/null -w "$f" "$ECHO/echo") || fail "-w figures failed"
    [ "$got" = "$want" ] || fail "-w '$f': '$got', curl: '$want'"
fi
if command -v curl >/dev/null; then
    f='%{filename_effective}|%{urlnum}|%{redirect_url}'
    want=$(curl -s -o "$TMP/r.json" -w "$f" "$ECHO/redirect/302?to=/echo/there")
    got=$("$APIERR" call -s -o "$TMP/r.json" -w "$f" "$ECHO/redirect/302?to=/echo/there" 2>/dev/null) || true
    [ "$got" = "$want" ] || fail "-w '$f': '$got', curl: '$want'"
fi
got=$("$APIERR" call -s -o /dev/null -w '%{redirect_url}' "$ECHO/redirect/302?to=/echo/x%3Ftoken%3Ds3cr3t" 2>/dev/null) || true
[ "$got" = "$ECHO/echo/x?token=REDACTED" ] || fail "-w %{redirect_url} not redacted: '$got'"
# %{json}: the variables as one object, typed as curl types them.
if command -v curl >/dev/null; then
    curl -s -o /dev/null -w '%{json}' "$ECHO/echo" >"$TMP/curl.json"
    "$APIERR" call -s -o /dev/null -w '%{json}' "$ECHO/echo" >"$TMP/apierr.json" || fail "-w %{json} failed"
    python3 - "$TMP/curl.json" "$TMP/apierr.json" <<'PY' || fail "-w %{json} differs from curl's: $(cat "$TMP/apierr.json")"
import json, sys
c, a = (json.load(open(p)) for p in sys.argv[1:])
same = ["http_code", "http_version", "scheme", "remote_ip", "remote_port", "num_connects",
        "num_redirects", "num_headers", "exitcode", "method", "url", "url_effective",
        "content_type", "errormsg", "redirect_url", "urlnum", "filename_effective"]
for k in same:
    assert a[k] == c[k], (k, a[k], c[k])
for k, v in a.items():
    if k in c and c[k] is not None:
        assert type(v) is type(c[k]) or {type(v), type(c[k])} <= {int, float}, (k, v, c[k])
PY
fi
out=$("$APIERR" call -s --retries 0 -w '%{json}' http://127.0.0.1:1/ 2>/dev/null) && fail "refused exited 0"
echo "$out" | json_get 'd["http_code"], d["errormsg"]' | grep -qx "0 Couldn't connect to server" ||
    fail "-w %{json} without a response: $out"
times=$("$APIERR" call -s -o /dev/null -w '%{time_namelookup} %{time_connect} %{time_pretransfer} %{time_starttransfer} %{time_total} %{size_request} %{speed_download}' "$ECHO/echo")
python3 -c 'import sys; v=[float(x) for x in sys.argv[1:6]]; assert v == sorted(v) and v[3] > 0, v; assert int(sys.argv[6]) > 0 and float(sys.argv[7]) > 0' $times ||
    fail "-w times out of order or zero: $times"
out=$("$APIERR" call -s --retries 0 -w '%{errormsg}|%{http_code}|%{remote_ip}|%{time_connect}' http://127.0.0.1:1/ 2>/dev/null) &&
    fail "a refused connection exited 0"
[ "$out" = "Couldn't connect to server|000||0.000000" ] || fail "-w without a response: '$out'"
printf '%%{http_code}/%%{category}' >"$TMP/fmt"
out=$("$APIERR" call -s -o /dev/null -w @"$TMP/fmt" "$ECHO/echo") || fail "-w @FILE failed"
[ "$out" = 200/ok ] || fail "-w @FILE: '$out'"
"$APIERR" call -s -o /dev/null -w '%{nonsense}' "$ECHO/echo" 2>"$TMP/err" >/dev/null
grep -q "unknown --write-out variable: 'nonsense'" "$TMP/err" || fail "-w: unknown variable not named"

# The same bytes as curl's, for the same answer (the echo server's Date is fixed).
if command -v curl >/dev/null; then
    for f in '%{header_json}' '%{http_code} %{content_type} %{size_download}' '%header{x-request-id}'; do
        want=$(curl -s -o /dev/null -w "$f" "$ECHO/status/404")
        got=$("$APIERR" call -s --retries 0 -o /dev/null -w "$f" "$ECHO/status/404" 2>/dev/null) || true
        [ "$got" = "$want" ] || fail "-w '$f': '$got', curl: '$want'"
    done
    curl -s -D "$TMP/curl.head" -o /dev/null "$ECHO/status/404"
    "$APIERR" call -s --retries 0 -D "$TMP/apierr.head" "$ECHO/status/404" 2>/dev/null || true
    cmp -s "$TMP/curl.head" "$TMP/apierr.head" || fail "-D differs from curl's: $(diff "$TMP/curl.head" "$TMP/apierr.head")"
fi

# --- -f: exit status of the category, nothing on stdout -------------------------
rc=0
"$APIERR" call -sf --retries 0 "$ECHO/status/404" >"$TMP/out" 2>/dev/null || rc=$?
[ "$rc" = 4 ] || fail "-f on a 404: exit status $rc, want 4"
[ -s "$TMP/out" ] && fail "-f on a 404 wrote to stdout"
"$APIERR" call --fail -s "$ECHO/echo" >/dev/null || fail "--fail on a 200 failed"

# --- -A and the default User-Agent ------------------------------------------------
version=$("$APIERR" --version | awk '{print $2}')
"$APIERR" call -s "$ECHO/echo" >/dev/null
[ "$(last_seen 'd["headers"]["user-agent"]')" = "apierr/$version" ] ||
    fail "default User-Agent: $(last_seen 'd["headers"].get("user-agent")')"
"$APIERR" call -s -A 'probe/1' "$ECHO/echo" >/dev/null
[ "$(last_seen 'd["headers"]["user-agent"]')" = probe/1 ] || fail "-A not sent"
"$APIERR" call -s --user-agent 'probe/2' -H 'User-Agent: header/3' "$ECHO/echo" >/dev/null
[ "$(last_seen 'd["headers"]["user-agent"]')" = header/3 ] || fail "-H User-Agent does not win"

# --- -u -----------------------------------------------------------------------------
"$APIERR" call -s -u 'ada:open sesame' "$ECHO/echo" >/dev/null || fail "-u failed"
[ "$(last_seen 'd["headers"]["authorization"]')" = "Basic $(printf 'ada:open sesame' | base64)" ] ||
    fail "-u: $(last_seen 'd["headers"].get("authorization")')"
"$APIERR" call -v -u 'ada:open sesame' "$ECHO/echo" 2>"$TMP/err" >/dev/null
grep -q "$(printf 'ada:open sesame' | base64)" "$TMP/err" && fail "-v shows the -u credentials"
expect_rc 2 "$APIERR" call -s -u ada "$ECHO/echo"

# --- data: repeated -d, --data-urlencode, -G ----------------------------------------
printf 'c=3' >"$TMP/c"
"$APIERR" call -s -d a=1 --data b=2 -d @"$TMP/c" "$ECHO/echo" >/dev/null || fail "-d -d failed"
[ "$(last_seen 'd["method"], d["body"]')" = "POST a=1&b=2&c=3" ] ||
    fail "repeated -d: $(last_seen 'd["body"]')"
[ "$(last_seen 'd["headers"]["content-type"]')" = application/x-www-form-urlencoded ] ||
    fail "-d: content type"
printf 'x y&z' >"$TMP/f"
"$APIERR" call -s --data-urlencode 'q=a b&c' --data-urlencode 'plain=ok' \
    --data-urlencode "file@$TMP/f" --data-urlencode '=é' "$ECHO/echo" >/dev/null
[ "$(last_seen 'd["body"]')" = 'q=a+b%26c&plain=ok&file=x+y%26z&%C3%A9' ] ||
    fail "--data-urlencode: $(last_seen 'd["body"]')"
"$APIERR" call -s -G -d a=1 --data-urlencode 'b=x y' "$ECHO/echo?z=0" >/dev/null
[ "$(last_seen '"|".join([d["method"], d["query"], d["body"]])')" = "GET|z=0&a=1&b=x+y|" ] ||
    fail "-G: $(tail -n1 "$ECHO_LOG")"

# --- accepted: --compressed (apierr always asks) ----------------------------------
"$APIERR" call -s --compressed "$ECHO/echo" >/dev/null || fail "--compressed failed"
last_seen 'd["headers"]["accept-encoding"]' | grep -c gzip >/dev/null || fail "no Accept-Encoding"
# The Accept-Encoding line is apierr's own (made once per client), and
# libcurl still decodes what it asked for: the body comes out as JSON.
"$APIERR" call -s "$ECHO/gzip" >"$TMP/out" || fail "a gzip answer failed"
json_get 'd["path"]' <"$TMP/out" | grep -cx /gzip >/dev/null || fail "a gzip body not decoded: $(head -c 80 "$TMP/out" | od -c | head -n2)"
"$APIERR" call -s --parallel 4 --input <(printf 'GET %s/gzip\n' "$ECHO" "$ECHO" "$ECHO") --output-json >"$TMP/out" ||
    fail "gzip answers in a batch failed"
[ "$(grep -c '\\"path\\": \\"/gzip\\"' "$TMP/out")" = 3 ] || fail "a batch's gzip bodies not decoded: $(cat "$TMP/out")"
# Calls to one URL one after another share its parsed form (parsed_url.c),
# a new URL is parsed anew: every request goes where its own line says.
printf '/echo/a\n/echo/a\n/echo/a\n/echo/b\n/echo/a\n/echo/a?x=1\n/echo/a?x=1\n/echo/b?x=1\n' >"$TMP/targets"
sed "s|^|GET $ECHO|" "$TMP/targets" >"$TMP/lines"
before=$(wc -l <"$ECHO_LOG")
"$APIERR" call -s --parallel 3 --input "$TMP/lines" >/dev/null || fail "a batch of repeated URLs failed"
tail -n +"$((before + 1))" "$ECHO_LOG" | python3 -c 'import json,sys; [print(json.loads(l)["target"]) for l in sys.stdin]' |
    sort >"$TMP/seen"
sort "$TMP/targets" | cmp -s - "$TMP/seen" || fail "a batch of repeated URLs went elsewhere: $(tr '\n' ' ' <"$TMP/seen")"
# A key in the query (gestix's ?nonce=) makes each call's URL its own.
printf 'POST %s/echo/n\n' "$ECHO" "$ECHO" "$ECHO" >"$TMP/lines"
before=$(wc -l <"$ECHO_LOG")
"$APIERR" call -s --profile gestix --idempotency-key auto --parallel 3 --input "$TMP/lines" >/dev/null ||
    fail "a batch with keys in the query failed"
nonces=$(tail -n +"$((before + 1))" "$ECHO_LOG" | python3 -c 'import json,sys; [print(json.loads(l)["query"]) for l in sys.stdin]' |
    grep '^nonce=' | sort -u | wc -l)
[ "$nonces" = 3 ] || fail "a batch with keys in the query: $nonces distinct nonces, want 3"
# The caller's own Accept-Encoding wins, sent once.
"$APIERR" call -s -H 'Accept-Encoding: identity' "$ECHO/gzip" >"$TMP/out" || fail "-H Accept-Encoding failed"
[ "$(last_seen 'd["headers"]["accept-encoding"]')" = identity ] || fail "-H Accept-Encoding does not win"

# --- -m, --connect-timeout, --attempt-timeout ------------------------------------
rc=0
"$APIERR" call -s -m 0.5 "$ECHO/slow" >/dev/null 2>&1 || rc=$?
[ "$rc" = 8 ] || fail "-m 0.5 on a server that never answers: exit status $rc, want 8"
"$APIERR" call -s --connect-timeout 5 "$ECHO/echo" >/dev/null || fail "--connect-timeout failed"
expect_rc 2 "$APIERR" call -s --connect-timeout soon "$ECHO/echo"
"$APIERR" call -s --retries 1 --attempt-timeout 0.3 --output-json "$ECHO/slow" >"$TMP/out.json" 2>&1 || true
json_get '[a["category"] for a in d["attempts"]]' <"$TMP/out.json" | grep -cx "\['timeout', 'timeout'\]" >/dev/null ||
    fail "--attempt-timeout: $(cat "$TMP/out.json")"

# --- --breaker, --retry-budget: the policy's, for this process ---------------------
"$APIERR" call -s --retries 5 --breaker 2:60000 --output-json "$ECHO/status/503" >"$TMP/out.json" || true
json_get 'd["category"], len(d["attempts"])' <"$TMP/out.json" | grep -cx "circuit_open 2" >/dev/null ||
    fail "--breaker 2: $(json_get 'd["category"], len(d["attempts"])' <"$TMP/out.json")"
"$APIERR" call -s --retries 5 --retry-budget 4 --output-json "$ECHO/status/503" >"$TMP/out.json" || true
json_get 'd["category"], len(d["attempts"])' <"$TMP/out.json" | grep -cx "budget_exhausted 2" >/dev/null ||
    fail "--retry-budget 4: $(json_get 'd["category"], len(d["attempts"])' <"$TMP/out.json")"
expect_rc 2 "$APIERR" call -s --breaker 0 "$ECHO/echo"
expect_rc 2 "$APIERR" call -s --retry-budget 5:x "$ECHO/echo"
# --- the next flags, each request as curl sends it ----------------------------------
printf 'a=1\nb=2\r\nc=3\n' >"$TMP/lines.txt"
if command -v curl >/dev/null; then
    same_as_curl -d @"$TMP/lines.txt" "$ECHO/echo"
    same_as_curl --data-ascii @"$TMP/lines.txt" "$ECHO/echo"
    same_as_curl --data-binary @"$TMP/lines.txt" "$ECHO/echo"
    same_as_curl --data-raw @"$TMP/lines.txt" "$ECHO/echo"
    same_as_curl -d x=1 --data-binary @"$TMP/lines.txt" --data-raw '@y' "$ECHO/echo"
    same_as_curl --data-urlencode 'q=a b&c/~*' --data-urlencode "f@$TMP/lines.txt" "$ECHO/echo"
    same_as_curl --url "$ECHO/echo/u"
    same_as_curl --url-query 'a=x y&(z)' --url-query '+b=c%20d' --url-query '=é' "$ECHO/echo?z=0"
    same_as_curl -T "$TMP/lines.txt" "$ECHO/echo/"
    same_as_curl -T "$TMP/lines.txt" "$ECHO/echo/dir/?q=1"
    same_as_curl -T "$TMP/lines.txt" "$ECHO/echo/named"
    same_as_curl -T "$TMP/lines.txt" -H 'Content-Type: text/plain' -X POST "$ECHO/echo/"
    same_as_curl -e http://from.example/page -b 'k=v; k2=v2' -r 0-9 "$ECHO/echo"
    same_as_curl --referer x --cookie 'a=b' --range 5- "$ECHO/echo"
    same_as_curl --oauth2-bearer t0ken "$ECHO/echo"
    same_as_curl --basic -u 'ada:pw' "$ECHO/echo"
fi
# -K: curl's config file, its lines options (a token kept out of ps).
cat >"$TMP/cfg" <<CFG
# settings
header = "Authorization: Bearer s3cr3t \\"q\\""
--retry 0
-e http://from.example/
user-agent: "cfg agent/1"
url = "$ECHO/echo/fromcfg"
CFG
if command -v curl >/dev/null; then
    same_as_curl -K "$TMP/cfg"
    same_as_curl --config "$TMP/cfg"
fi
"$APIERR" call -s -K "$TMP/cfg" >/dev/null || fail "-K failed"
[ "$(last_seen '" ".join([d["path"], d["headers"]["authorization"], d["headers"]["user-agent"]])')" = \
    '/echo/fromcfg Bearer s3cr3t "q" cfg agent/1' ] || fail "-K: $(seen)"
printf 'silent\nbogus 1\n' >"$TMP/bad.cfg"
"$APIERR" call -K "$TMP/bad.cfg" 2>"$TMP/err" && fail "-K with an unknown option exited 0"
grep -q "line 2: unknown option 'bogus'" "$TMP/err" || fail "-K: $(cat "$TMP/err")"
# -G and --url-query together: both in the query (curl 7.88 drops the
# --url-query part there).
"$APIERR" call -s -G -d a=1 --url-query 'b=2 3' "$ECHO/echo" >/dev/null
[ "$(last_seen 'd["target"]')" = '/echo?a=1&b=2+3' ] || fail "-G with --url-query: $(seen)"
# -T - reads standard input; the URL keeps its name.
printf '{"x":1}' | "$APIERR" call -s -T - "$ECHO/echo/" >/dev/null || fail "-T - failed"
[ "$(last_seen '" ".join([d["method"], d["target"], d["body"]])')" = 'PUT /echo/ {"x":1}' ] ||
    fail "-T -: $(seen)"
# -O: the URL's last path segment, in the current directory.
mkdir "$TMP/o"
(cd "$TMP/o" && "$APIERR" call -s -O "$ECHO/echo/name.json?x=1") || fail "-O failed"
json_get 'd["target"]' <"$TMP/o/name.json" | grep -cx '/echo/name.json?x=1' >/dev/null ||
    fail "-O: $(ls "$TMP/o")"
before=$(wc -l <"$ECHO_LOG")
(cd "$TMP/o" && expect_rc 2 "$APIERR" call -s --remote-name "$ECHO/echo/")
[ "$(wc -l <"$ECHO_LOG")" = "$before" ] || fail "-O without a file name sent the request"
# --create-dirs makes -o's and -D's directories; --stderr moves stderr; -q is accepted.
"$APIERR" call -s -q --create-dirs -o "$TMP/cd/a/b/out.json" -D "$TMP/cd/h/head" "$ECHO/echo" ||
    fail "--create-dirs failed"
[ -s "$TMP/cd/a/b/out.json" ] && [ -s "$TMP/cd/h/head" ] || fail "--create-dirs: $(find "$TMP/cd")"
"$APIERR" call --stderr "$TMP/moved" --retries 0 "$ECHO/status/404" >/dev/null 2>"$TMP/err" || true
grep -q 'not_found' "$TMP/moved" && [ ! -s "$TMP/err" ] || fail "--stderr FILE: $(cat "$TMP/err")"
out=$("$APIERR" call --stderr - --retries 0 "$ECHO/status/404" 2>/dev/null) || true
echo "$out" | grep -q 'not_found' || fail "--stderr -: not on stdout: $out"
# --fail-with-body: the error's body on stdout, the problem on stderr, the exit status of -f.
rc=0
"$APIERR" call -s --retries 0 --fail-with-body "$ECHO/status/404" >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 4 ] || fail "--fail-with-body on a 404: exit status $rc, want 4"
grep -q 'asked for' "$TMP/out" || fail "--fail-with-body: no body on stdout: $(cat "$TMP/out")"
grep -q 'not_found' "$TMP/err" || fail "--fail-with-body: no problem on stderr"
if command -v curl >/dev/null; then
    curl -s --fail-with-body "$ECHO/status/404" >"$TMP/curl.out" || true
    cmp -s "$TMP/curl.out" "$TMP/out" || fail "--fail-with-body: not curl's bytes"
fi
# --retry is --retries; --no-progress-meter is -s.
out=$("$APIERR" call --no-progress-meter --retry 2 -w '%{num_attempts}' "$ECHO/status/503" 2>"$TMP/err") &&
    fail "503 exited 0"
[ "$out" = 3 ] || fail "--retry 2: $out attempts"
grep -q '^retry ' "$TMP/err" && fail "--no-progress-meter printed retry lines"
# curl's other retry flags, on the policy: a fixed delay; every error.
"$APIERR" call -s --retry 2 --retry-delay 0.5 --output-json "$ECHO/status/503" >"$TMP/out.json" 2>/dev/null || true
[ "$(json_get '[a["delay_ms"] for a in d["attempts"]]' <"$TMP/out.json")" = "[500, 500, 0]" ] ||
    fail "--retry-delay 0.5: $(json_get '[a["delay_ms"] for a in d["attempts"]]' <"$TMP/out.json")"
# --retry-max-time: no retry starts past it (real time here: the window is
# the client's clock).
APIERR_TIME_SCALE=1 "$APIERR" call -s --retry 9 --retry-delay 0.2 --retry-max-time 0.5 --output-json \
    "$ECHO/status/503" >"$TMP/out.json" 2>/dev/null || true
[ "$(json_get 'len(d["attempts"]), d["category"]' <"$TMP/out.json")" = "3 server" ] ||
    fail "--retry-max-time 0.5: $(json_get 'len(d["attempts"]), d["reason"]' <"$TMP/out.json")"
"$APIERR" call -s --retry 2 --retry-all-errors --output-json "$ECHO/status/404" >"$TMP/out.json" 2>/dev/null || true
[ "$(json_get 'len(d["attempts"])' <"$TMP/out.json")" = 3 ] || fail "--retry-all-errors: a 404 not retried"
"$APIERR" call -s --retry 2 --retry-all-errors -X POST --output-json "$ECHO/status/404" >"$TMP/out.json" 2>/dev/null || true
[ "$(json_get 'len(d["attempts"])' <"$TMP/out.json")" = 1 ] || fail "--retry-all-errors: a keyless POST retried"
"$APIERR" call -s --retry 1 --retry-connrefused --output-json http://127.0.0.1:1/ >"$TMP/out.json" 2>/dev/null || true
[ "$(json_get 'len(d["attempts"])' <"$TMP/out.json")" = 2 ] || fail "--retry-connrefused: not retried"
# -c writes the cookies the server set, -b FILE sends them back (libcurl's
# cookie store, as curl's); the store is shared by a batch's calls.
"$APIERR" call -s -c "$TMP/jar" "$ECHO/cookie?sid=abc&theme=dark" >/dev/null || fail "-c failed"
grep -q "$(printf 'sid\tabc')" "$TMP/jar" || fail "-c: no sid in the jar: $(cat "$TMP/jar")"
if command -v curl >/dev/null; then
    curl -s -o /dev/null -c "$TMP/curl.jar" "$ECHO/cookie?sid=abc&theme=dark"
    cmp -s <(grep -v '^#' "$TMP/curl.jar") <(grep -v '^#' "$TMP/jar") ||
        fail "-c: not curl's jar: $(diff "$TMP/curl.jar" "$TMP/jar")"
    same_as_curl -b "$TMP/jar" "$ECHO/echo"
fi
"$APIERR" call -s --cookie "$TMP/jar" "$ECHO/echo" >/dev/null
[ "$(last_seen 'd["headers"].get("cookie")')" = "theme=dark; sid=abc" ] || fail "-b FILE: $(seen)"
printf 'GET %s\n' "$ECHO/cookie?k=1" "$ECHO/echo/next" >"$TMP/lines"
"$APIERR" call -s -b '' --parallel 1 --input "$TMP/lines" >/dev/null || fail "-b '' in a batch failed"
[ "$(last_seen 'd["headers"].get("cookie")')" = k=1 ] || fail "a batch's cookie store: $(seen)"
"$APIERR" call -s "$ECHO/cookie?k=2" >/dev/null
"$APIERR" call -s "$ECHO/echo" >/dev/null
[ "$(last_seen 'd["headers"].get("cookie")')" = None ] || fail "a cookie kept without -b or -c"

# What does not go together, or is not done: a usage error, nothing sent.
before=$(wc -l <"$ECHO_LOG")
expect_rc 2 "$APIERR" call -s -T "$TMP/lines.txt" --url "$ECHO/echo/a" "$ECHO/echo/b"
expect_rc 2 "$APIERR" call -s -f --fail-with-body "$ECHO/echo"
expect_rc 2 "$APIERR" call -s -T "$TMP/lines.txt" -d a=1 "$ECHO/echo"
expect_rc 2 "$APIERR" call -s -O -o "$TMP/x" "$ECHO/echo/x"
[ "$(wc -l <"$ECHO_LOG")" = "$before" ] || fail "a usage error sent a request"

echo "ok: -i -I -D -w -f -A -u -d --data-urlencode -G --compressed -m --connect-timeout --breaker --retry-budget, and the next flags"
