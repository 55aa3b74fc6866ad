# -F builds a multipart/form-data body (RFC 7578) with curl's mime API, in
# curl's forms: NAME=VALUE, NAME=@FILE, NAME=<FILE, ;type= and ;filename=.
. "$(dirname "$0")/call_lib.bash"
. "$(dirname "$0")/lib/echo.bash"
start_echo
printf 'line one\n' >"$TMP/notes.txt"
printf 'from a file' >"$TMP/field.txt"
"$APIERR" call -s -F 'title=hello world' -F "doc=@$TMP/notes.txt;type=text/plain" \
    --form "text=<$TMP/field.txt" -F "up=@$TMP/notes.txt;filename=renamed.txt" \
    "$ECHO/echo" >/dev/null || fail "-F failed"
[ "$(last_seen 'd["method"]')" = POST ] || fail "-F: not a POST"
last_seen 'd["headers"]["content-type"]' | grep -c '^multipart/form-data; boundary=' >/dev/null ||
    fail "-F: content type $(last_seen 'd["headers"]["content-type"]')"
tail -n1 "$ECHO_LOG" >"$TMP/seen.json"
python3 - "$TMP/seen.json" <<'PY' || fail "-F: the parts are not what curl would send"
import email.parser, email.policy, json, sys
d = json.load(open(sys.argv[1]))
raw = ("Content-Type: %s\r\n\r\n" % d["headers"]["content-type"]) + d["body"]
msg = email.parser.Parser(policy=email.policy.HTTP).parsestr(raw)
parts = {p.get_param("name", header="content-disposition"): p for p in msg.iter_parts()}
def check(cond, what):
    if not cond:
        print("FAIL:", what, file=sys.stderr)
        sys.exit(1)
check(set(parts) == {"title", "doc", "text", "up"}, "names %s" % sorted(parts))
check(parts["title"].get_content().strip() == "hello world", "title")
check(parts["doc"].get_filename() == "notes.txt", "doc's filename")
check(parts["doc"].get_content_type() == "text/plain", "doc's type")
check(parts["doc"].get_content() == "line one\n", "doc's content")
check(parts["text"].get_filename() is None, "text has a filename")
check(parts["text"].get_content().strip() == "from a file", "text's content")
check(parts["up"].get_filename() == "renamed.txt", "up's filename")
PY
# -X keeps the form with another method; -F with -d is a usage error.
"$APIERR" call -s -X PUT -F a=1 "$ECHO/echo" >/dev/null || fail "-X PUT -F failed"
[ "$(last_seen 'd["method"]')" = PUT ] || fail "-X PUT -F: not a PUT"
last_seen 'd["body"]' | grep -c 'name="a"' >/dev/null || fail "-X PUT -F: no part"
expect_rc 2 "$APIERR" call -s -F a=1 -d b=2 "$ECHO/echo"
expect_rc 2 "$APIERR" call -s -F novalue "$ECHO/echo"
# Retried (a PUT is idempotent): each attempt sends the whole form again.
"$APIERR" call -s -X PUT --retries 1 -F "doc=@$TMP/notes.txt" "$ECHO/status/503" 2>/dev/null || true
[ "$(tail -n2 "$ECHO_LOG" | grep -c 'line one')" = 2 ] || fail "-F: a retry did not send the file again"
echo "ok: -F sends multipart/form-data as curl does"
