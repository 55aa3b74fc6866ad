# Token requests follow the policy of any call (issue 15): a 503 (with
# Retry-After) or a dropped answer from the token endpoint is retried, a
# refusal (400/401 invalid_client) stays final and is said as one; the
# support report records token-endpoint failures, and the server's
# timestamp of every problem (seed 004 asks for it).
. "$(dirname "$0")/call_lib.bash"
cat >"$TMP/tok.py" <<'PY'
import sys
from scripted_server import Handler, serve
n = {}
class H(Handler):
    def do_POST(self):
        self.read_body()
        k = n[self.path] = n.get(self.path, 0) + 1
        if self.path == "/flaky" and k <= 2:  # 503 twice, then a token
            self.send(503, {"error": "temporarily_unavailable"}, [("Retry-After", "1")])
        elif self.path == "/refuse":
            self.send(401, {"error": "invalid_client", "error_description": "unknown client"})
        elif self.path == "/down":
            self.send(503, {"error": "temporarily_unavailable",
                            "timestamp": "2026-01-02T03:04:05Z"})
        else:
            self.send(200, {"access_token": "t", "token_type": "Bearer", "expires_in": 3600})
    def do_GET(self):
        # seed 004's shape: {code, message, timestamp, path, request_id}
        self.send(200 if self.path == "/ok" else 500,
                  {"code": "INTERNAL", "message": "boom", "timestamp": "2026-01-02T03:04:05Z",
                   "path": self.path, "request_id": "r-1"})
serve(H)
PY
start_script "$TMP/tok.py"

# A 503 twice from the token endpoint: retried after its Retry-After, then
# the call goes through.
"$APIERR" call -s --oauth "$URL/flaky" --client-id a --client-secret b "$URL/ok" \
    >/dev/null 2>"$TMP/flaky.err" || fail "a flaky token endpoint was not retried: $(cat "$TMP/flaky.err")"

# A refusal stays final, and says so: exit 5, one token request.
rc=0
"$APIERR" call -s --oauth "$URL/refuse" --client-id a --client-secret b --output-json "$URL/ok" \
    >"$TMP/refuse.json" 2>/dev/null || rc=$?
[ "$rc" = 5 ] || fail "a refused client: exit $rc, want 5"
json_get 'd["reason"]' <"$TMP/refuse.json" | grep -q 'refused' || fail "a refusal is not said as one"

# A token endpoint that stays down is a server failure, not a refusal, and
# the report has it.
rc=0
"$APIERR" call -s --retries 1 --oauth "$URL/down" --client-id a --client-secret b \
    --report "$TMP/report.jsonl" --output-json "$URL/ok" >"$TMP/down.json" 2>/dev/null || rc=$?
[ "$rc" = 7 ] || fail "a token endpoint that stays down: exit $rc, want 7 (server)"
json_get 'd["reason"]' <"$TMP/down.json" | grep -q 'refused' &&
    fail "a 503 of the token endpoint is called a refusal: $(json_get 'd["reason"]' <"$TMP/down.json")"
grep -q '/down' "$TMP/report.jsonl" || fail "the report has no token-endpoint failure"

# The report keeps the server's timestamp.
"$APIERR" call -s --profile gestix --retries 0 --report "$TMP/r2.jsonl" "$URL/fail" >/dev/null 2>&1 || true
python3 - "$TMP/r2.jsonl" <<'PY' || fail "the report has no server timestamp"
import json, sys
ls = [json.loads(l) for l in open(sys.argv[1])]
assert ls and ls[-1]["problem"]["timestamp"] == "2026-01-02T03:04:05Z", ls
PY
echo "ok: token requests follow the policy; the report has their failures and the server's timestamp"
