# Rules of issue 15, section 2, each against a real server on loopback:
# bad URLs are usage errors, -v redacts every secret-named header and
# parameter, expires_in as a string, a 401 to a static token keeps the
# server's answer, the breaker is per host.
. "$(dirname "$0")/call_lib.bash"

# --- bad URLs: a usage error (exit 2), and nothing sent -----------------------
for url in "http://127.0.0.1:1/a b" "file:///etc/hostname" "ftp://127.0.0.1:1/x" "http:///x" "http://127.0.0.1:1/"; do
    rc=0
    "$APIERR" call --output-json "$url" >"$TMP/bad.out" 2>"$TMP/bad.err" || rc=$?
    [ "$rc" = 2 ] || fail "'$url': exit status $rc, want 2 (usage)"
    grep -q "attempt" "$TMP/bad.out" && fail "'$url': an attempt was made"
    [ "$(wc -l <"$TMP/bad.err")" -le 2 ] || fail "'$url': more than a usage line: $(cat "$TMP/bad.err")"
done

# --- a scripted server: answers by path ----------------------------------------
cat >"$TMP/srv.py" <<'PY'
from scripted_server import Handler, serve
class H(Handler):
    def do_POST(self):
        self.read_body()
        if self.path == "/token-str":  # expires_in as a string
            self.send(200, {"access_token": "t-str", "token_type": "Bearer", "expires_in": "3600"})
        else:
            self.send(404, {"error": "no"})
    def do_GET(self):
        if self.path.startswith("/secret"):
            self.send(200, {"ok": 1},
                      [("X-Access-Token", "hdr-Secret-1"), ("Private-Token", "hdr-Secret-2"),
                       ("Location", "/next?token=loc-Secret-3&page=2")])
        elif self.path.startswith("/deny"):
            self.send(401, {"error": "invalid_token", "message": "the token was revoked",
                            "requestId": "req-401-abc"}, [("X-Request-Id", "req-401-abc")])
        elif self.path.startswith("/down"):
            self.send(503, {"error": "down"})
        else:
            self.send(200, {"ok": True})
serve(H)
PY
start_script "$TMP/srv.py"

# --- a URL without a scheme is http://, as curl takes it -------------------------
"$APIERR" call -s "${URL#http://}/ok" >"$TMP/noscheme.out" 2>"$TMP/noscheme.err" ||
    fail "host:port/path without a scheme: $(cat "$TMP/noscheme.err")"
grep -q '"ok"' "$TMP/noscheme.out" || fail "host:port/path without a scheme: $(cat "$TMP/noscheme.out")"

# --- -v: every secret-named header and parameter is redacted -------------------
"$APIERR" call -v -H "Ocp-Apim-Subscription-Key: hdr-Secret-4" -H "X-Goog-Api-Key: hdr-Secret-5" \
    "$URL/secret?accessToken=qs-Secret-6&page=1" >/dev/null 2>"$TMP/v.err" || fail "-v call failed"
for s in hdr-Secret-1 hdr-Secret-2 loc-Secret-3 hdr-Secret-4 hdr-Secret-5 qs-Secret-6; do
    if grep -q -- "$s" "$TMP/v.err"; then fail "-v shows $s: $(grep -- "$s" "$TMP/v.err")"; fi
done
grep -q '^< X-Access-Token: REDACTED' "$TMP/v.err" || fail "-v hides the X-Access-Token line"
grep -q 'page=2' "$TMP/v.err" || fail "-v redacted more than the secret of the Location"

# --- expires_in as a string ("3600") --------------------------------------------
"$APIERR" call -v --oauth "$URL/token-str" --client-id a --client-secret b "$URL/ok" \
    >/dev/null 2>"$TMP/exp.err" || fail "the call with a string expires_in failed"
grep -q 'expires in -1 ms' "$TMP/exp.err" && fail "a string expires_in was ignored"
grep -q 'expires in 3600000 ms' "$TMP/exp.err" || fail "no lifetime read: $(grep '^\*' "$TMP/exp.err")"

# --- a 401 to a static token keeps the server's answer ---------------------------
rc=0
"$APIERR" call --token static-T --output-json "$URL/deny" >"$TMP/401.json" 2>/dev/null || rc=$?
[ "$rc" = 5 ] || fail "401 with --token: exit $rc, want 5"
json_get 'd["status"]' <"$TMP/401.json" | grep -qx 401 || fail "401 with --token: status $(json_get 'd["status"]' <"$TMP/401.json")"
json_get 'd["problem"]["message"]' <"$TMP/401.json" | grep -q 'revoked' ||
    fail "401 with --token: the server's message is lost: $(json_get 'd["problem"]' <"$TMP/401.json")"
json_get 'd["attempts"][-1]["request_id"]' <"$TMP/401.json" | grep -qx req-401-abc ||
    fail "401 with --token: no request id"
json_get 'd["reason"]' <"$TMP/401.json" | grep -qi 'static' ||
    fail "401 with --token: the reason does not say why nothing was refreshed: $(json_get 'd["reason"]' <"$TMP/401.json")"

# --- the breaker is per host ------------------------------------------------------
PORT=${URL##*:}
cat >"$TMP/breaker.json" <<JSON
{"name": "b", "policy": {"breaker_threshold": 2, "breaker_open_ms": 60000, "max_attempts": 1}}
JSON
{
    for i in 1 2 3; do echo "GET http://127.0.0.1:$PORT/down"; done
    echo "GET http://localhost:$PORT/ok"
} >"$TMP/b.batch"
"$APIERR" call --profile "$TMP/breaker.json" --input "$TMP/b.batch" --output-json \
    >"$TMP/b.jsonl" 2>/dev/null || true
python3 - "$TMP/b.jsonl" <<'PY' || fail "the breaker of one host stopped another"
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
ok = [r for r in rs if "localhost" in r["url"]]
assert len(rs) == 4 and ok and ok[0]["ok"], [(r["url"], r["category"]) for r in rs]
assert any(r["category"] == "circuit_open" for r in rs), [r["category"] for r in rs]
PY
echo "ok: bad URLs, -v redaction, string expires_in, 401 kept, breaker per host"
