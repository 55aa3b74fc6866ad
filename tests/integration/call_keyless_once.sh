# A POST without an idempotency key goes out at most once, whatever the
# transport does (issue 15, section 1). The scripted server answers the
# token request on a kept-alive connection, then closes the connection on
# the first POST /x without answering: libcurl, reusing that connection,
# would send the POST again on a new one by itself. The server must see one
# POST /x, and apierr must report the one attempt as a failure.
. "$(dirname "$0")/call_lib.bash"
cat >"$TMP/closer.py" <<'PY'
import http.server, json, sys
posts = [0]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        if self.path.startswith("/token"):
            body = json.dumps({"access_token": "t0k", "token_type": "Bearer",
                               "expires_in": 3600}).encode()
        else:
            posts[0] += 1
            with open(sys.argv[1], "a") as f:
                f.write("POST %s\n" % self.path)
            if posts[0] == 1:
                self.close_connection = True
                return  # closes without a word
            body = b'{"id":1}'
        self.send_response(201 if not self.path.startswith("/token") else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print("http://127.0.0.1:%d" % s.server_address[1], flush=True)
s.serve_forever()
PY
start_script "$TMP/closer.py" "$TMP/posts"

rc=0
"$APIERR" call --oauth "$URL/token" --client-id a --client-secret b --output-json \
    --json '{"a":1}' "$URL/x" >"$TMP/out.json" 2>"$TMP/err" || rc=$?
posts=$(grep -c '^POST /x' "$TMP/posts" || true)
[ "$posts" = 1 ] || fail "the server received $posts POSTs without a key, want 1"
[ "$rc" != 0 ] || fail "the lost POST was reported as a success"
n=$(json_get 'len(d["attempts"])' <"$TMP/out.json")
[ "$n" = 1 ] || fail "the attempt history holds $n attempts, want 1"

# With a key the re-send is apierr's decision, and recorded: two attempts,
# two POSTs, success.
: >"$TMP/posts"
"$APIERR" call --oauth "$URL/token" --client-id a --client-secret b --output-json \
    --idempotency-key auto --json '{"a":1}' "$URL/x" >"$TMP/out.json" 2>"$TMP/err" ||
    fail "the keyed POST failed: $(cat "$TMP/err")"
posts=$(grep -c '^POST /x' "$TMP/posts" || true)
n=$(json_get 'len(d["attempts"])' <"$TMP/out.json")
[ "$posts" = "$n" ] || fail "the server received $posts keyed POSTs, the history holds $n"

# Against `apierr serve --faults drop:0.5` (commit, then close without an
# answer): each keyless POST goes out once, so none meets its own first
# copy (409 DUPLICATE_ENTRY under gestix), and every invoice the server holds
# is one apierr sent once: a success or a dropped answer.
start_server --profile gestix --faults drop:0.5 --seed 11
: >"$TMP/cats"
for i in $(seq 12); do
    body=${INVOICE/D-1/KO-$i}
    "$APIERR" call --profile gestix $(oauth_opts) --retries 3 --output-json --json "$body" \
        "$BASE/v1/tenants/$TENANT/invoices" 2>/dev/null | json_get 'd["category"]' >>"$TMP/cats" || true
done
grep -q conflict "$TMP/cats" && fail "a keyless POST met its own first copy: $(sort "$TMP/cats" | uniq -c)"
sent=$(grep -c -E '^(ok|network)$' "$TMP/cats" || true)
[ "$sent" = 12 ] || fail "12 POSTs ended as: $(sort "$TMP/cats" | uniq -c | tr '\n' ' ')"
grep -q network "$TMP/cats" || fail "the drops were not exercised"
echo "ok: a keyless POST went out once; keyed re-sends are recorded"
