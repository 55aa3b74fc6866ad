# Batch mode names each failing line (issue 15): without --output-json, one
# line on standard error per failed call (line number, URL, category,
# message) before the summary; a line without a URL is an error line, in
# --output-json too. And URLs with --input are a usage error that says so.
. "$(dirname "$0")/call_lib.bash"
start_stub 200
cat >"$TMP/srv.py" <<'PY'
from scripted_server import Handler, serve
class H(Handler):
    def do_GET(self):
        if self.path == "/fail":
            self.send(500, {"message": "the database is on fire"})
        else:
            self.send(200, {"ok": True})
serve(H)
PY
start_script "$TMP/srv.py"
printf '%s\n' "GET $URL/ok" "# a comment" "GET $URL/fail" "GET" "GET ftp://127.0.0.1:1/x" "GET $URL/ok" \
    "G(T $URL/ok" >"$TMP/batch"
rc=0
"$APIERR" call --retries 0 --input "$TMP/batch" >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" != 0 ] || fail "a batch with failures exited 0"
grep -q "^line 3: GET $URL/fail: server: .*database is on fire" "$TMP/err" ||
    fail "the failed call of line 3 is not named: $(cat "$TMP/err")"
grep -q "^line 4: .*invalid_request" "$TMP/err" || fail "line 4 (no URL) is not named: $(cat "$TMP/err")"
grep -q "^line 5: .*invalid_request" "$TMP/err" || fail "line 5 (ftp://) is not named: $(cat "$TMP/err")"
grep -q "^line 7: .*the method is not a token" "$TMP/err" ||
    fail "line 7 (a method that is not a token) is not named: $(cat "$TMP/err")"
grep -q "^line 1\|^line 6" "$TMP/err" && fail "a line that succeeded is named as failed"

"$APIERR" call --retries 0 --input "$TMP/batch" --output-json >"$TMP/out.jsonl" 2>/dev/null || true
python3 - "$TMP/out.jsonl" <<'PY' || fail "--output-json does not give one line per request line"
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
assert len(rs) == 6, len(rs)
bad = [r for r in rs if r.get("line") == 4]
assert bad and not bad[0]["ok"] and bad[0]["category"] == "invalid_request", rs
PY

rc=0
"$APIERR" call --input "$TMP/in.txt" "$URL/a" "$URL/b" >/dev/null 2>"$TMP/two.err" || rc=$?
[ "$rc" = 2 ] || fail "URLs with --input: exit $rc, want 2"
grep -q "input file" "$TMP/two.err" && fail "URLs are called input files: $(cat "$TMP/two.err")"
grep -q "a URL or --input FILE, not both" "$TMP/two.err" || fail "URLs with --input: $(cat "$TMP/two.err")"
# One client's handles, reused from one call to the next (the pool keeps a
# plain GET's handle unreset): each request still goes out as its line
# says, whatever the one before it was.
. "$(dirname "$0")/lib/echo.bash"
start_echo
printf '%s\n' "GET $ECHO/a" "POST $ECHO/b x=1" "GET $ECHO/c" "HEAD $ECHO/d" "GET $ECHO/e" \
    "PUT $ECHO/f y=2" "DELETE $ECHO/g" "GET $ECHO/h" >"$TMP/mixed"
"$APIERR" call -s --parallel 1 --input "$TMP/mixed" >/dev/null || fail "the mixed batch failed"
got=$(python3 -c 'import json,sys
print(" ".join("%s%s:%s" % (d["method"], d["path"], d["body"]) for d in map(json.loads, open(sys.argv[1]))))' "$ECHO_LOG")
[ "$got" = "GET/a: POST/b:x=1 GET/c: HEAD/d: GET/e: PUT/f:y=2 DELETE/g: GET/h:" ] ||
    fail "reused handles: $got"
echo "ok: batch names its failing lines; URLs with --input refused; reused handles send what each line says"
