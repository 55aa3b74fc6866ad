# Hedged requests and adaptive client-side throttling (issue 14) against
# real servers: a scripted one whose first request to a path is slow (the
# ones after it fast), and `apierr serve --faults latency:MS:P`.
#
# - a hedged GET ends with the hedge's answer, before the slow one could
#   have come; the slow attempt is recorded as cancelled;
# - a POST without an idempotency key is never hedged;
# - a POST with a key is hedged with the same key: the server sees it twice
#   and makes one invoice;
# - a 503 with Retry-After (server pushback) stops hedges to the host;
# - --adaptive, against a server that answers 503 to most requests, sends
#   fewer requests than without it, and shows throttled_locally;
# - hedge_delay_ms, max_hedges, adaptive and adaptive_k are profile fields.
. "$(dirname "$0")/call_lib.bash"

# The slow answer; the call must end before it when a hedge wins.
SLOW_MS=2500
cat >"$TMP/slow.py" <<'PY'
import json, sys, threading, time
import scripted_server

slow_s = int(sys.argv[1]) / 1000.0
lock = threading.Lock()
seen = {}      # path -> requests so far
log = []       # [method, path, idempotency key]
stored = {}    # idempotency key -> (status, body): the answer of a keyed POST
invoices = [0]

class H(scripted_server.Handler):
    def count(self):
        with lock:
            seen[self.path] = seen.get(self.path, 0) + 1
            log.append([self.command, self.path, self.headers.get("Idempotency-Key")])
            return seen[self.path]

    def answer(self, status, body, headers=()):
        try:
            self.send(status, body, headers)
        except (BrokenPipeError, ConnectionResetError):
            pass  # a cancelled attempt: the client closed the connection

    def do_GET(self):
        if self.path == "/log":
            with lock:
                self.answer(200, {"log": log, "invoices": invoices[0]})
            return
        n = self.count()
        if self.path.startswith("/slow-first/"):
            if n == 1:
                time.sleep(slow_s)
            self.answer(200, {"n": n})
        elif self.path == "/push":
            # 1: pushback; 2: slow (a hedge would be the fast 3rd); then fast.
            if n == 1:
                self.answer(503, {"message": "busy"}, [("Retry-After", "30")])
                return
            if n == 2:
                time.sleep(slow_s)
            self.answer(200, {"n": n})
        elif self.path == "/mostly-503":
            if n % 10 == 0:
                self.answer(200, {"n": n})
            else:
                self.answer(503, {"message": "overloaded"})
        else:
            self.answer(404, {"message": "no such path"})

    def do_POST(self):
        self.read_body()
        n = self.count()
        # The first request waits before any work, as in a queue: the hedge
        # does the work, the first then finds the key done.
        if n == 1:
            time.sleep(slow_s)
        key = self.headers.get("Idempotency-Key")
        with lock:
            if key and key in stored:
                status, body = stored[key]
            else:
                invoices[0] += 1
                status, body = 201, {"id": invoices[0]}
                if key:
                    stored[key] = (status, body)
        self.answer(status, body)

scripted_server.serve(H)
PY
start_script "$TMP/slow.py" "$SLOW_MS"
SLOW=$URL

# attempts EXPR: the attempts of the JSON outcome on stdin, each as EXPR of a.
attempts() {
    json_get "' '.join(str($1) for a in d['attempts'])"
}
server_log() {
    "$APIERR" call -s "$SLOW/log"
}

# 1. A hedged GET: the hedge (attempt 2 sent) answers first and wins.
out=$("$APIERR" call --hedge 200ms --output-json "$SLOW/slow-first/get")
[ "$(echo "$out" | json_get 'd["ok"]')" = True ] || fail "hedged GET failed: $out"
[ "$(echo "$out" | attempts 'a["status"]')" = "200 0" ] || fail "hedged GET: $out"
[ "$(echo "$out" | attempts 'a["hedge"]')" = "True False" ] || fail "the winner is not the hedge: $out"
[ "$(echo "$out" | attempts 'a["cancelled"]')" = "False True" ] ||
    fail "the slow attempt is not recorded as cancelled: $out"
elapsed=$(echo "$out" | json_get 'd["elapsed_ms"]')
[ "$elapsed" -lt "$SLOW_MS" ] || fail "the hedged GET took $elapsed ms: it waited for the slow answer"
[ "$(server_log | json_get 'sum(1 for m, p, k in d["log"] if p == "/slow-first/get")')" = 2 ] ||
    fail "the server did not see the GET twice"

# -w counts the hedges (the cancelled attempt is one of the attempts).
w=$("$APIERR" call -s -o /dev/null --hedge 200ms -w '%{num_hedges} %{num_attempts}' \
    "$SLOW/slow-first/write-out")
[ "$w" = "1 2" ] || fail "-w num_hedges num_attempts: '$w', want '1 2'"

# -v says what happened.
"$APIERR" call -v --hedge 200ms -o /dev/null "$SLOW/slow-first/verbose" 2>"$TMP/v.err"
grep -q '^> GET .*(attempt 2, a hedge)$' "$TMP/v.err" || fail "-v shows no hedge: $(cat "$TMP/v.err")"
grep -q '^\* attempt 1 cancelled: attempt 2 answered first$' "$TMP/v.err" ||
    fail "-v shows no cancelled attempt: $(cat "$TMP/v.err")"

# Without --hedge: one attempt, which waits for the slow answer.
out=$("$APIERR" call --output-json "$SLOW/slow-first/plain")
[ "$(echo "$out" | attempts 'a["hedge"]')" = False ] || fail "a hedge without --hedge: $out"
[ "$(echo "$out" | json_get 'd["elapsed_ms"]')" -ge "$SLOW_MS" ] ||
    fail "the unhedged GET did not wait for the slow answer: $out"

# 2. A POST without an idempotency key is never hedged: one request.
out=$("$APIERR" call --hedge 100ms:3 --output-json -d '{"a":1}' "$SLOW/post-keyless")
[ "$(echo "$out" | attempts 'a["status"]')" = 201 ] || fail "keyless POST: $out"
[ "$(server_log | json_get 'sum(1 for m, p, k in d["log"] if p == "/post-keyless")')" = 1 ] ||
    fail "a keyless POST was sent more than once"

# 3. A POST with an idempotency key is hedged with the same key: two
# requests, one invoice, the hedge's answer.
before=$(server_log | json_get 'd["invoices"]')
out=$("$APIERR" call --hedge 100ms --idempotency-key auto --output-json -d '{"a":1}' \
    "$SLOW/post-keyed")
[ "$(echo "$out" | attempts 'a["status"]')" = "201 0" ] || fail "keyed POST: $out"
[ "$(echo "$out" | attempts 'a["hedge"]')" = "True False" ] || fail "keyed POST not hedged: $out"
key=$(echo "$out" | json_get 'd["idempotency_key"]')
log=$(server_log)
[ "$(echo "$log" | json_get 'sorted(set(k for m, p, k in d["log"] if p == "/post-keyed"))')" = "['$key']" ] ||
    fail "the hedges did not carry the call's key $key: $log"
[ "$(echo "$log" | json_get 'sum(1 for m, p, k in d["log"] if p == "/post-keyed")')" = 2 ] ||
    fail "the keyed POST was not sent twice: $log"
[ "$(echo "$log" | json_get 'd["invoices"]')" = $((before + 1)) ] || fail "not one invoice: $log"

# 4. Pushback: the 503 with Retry-After: 30 stops hedges to the host, so the
# retry (slow) goes alone and no third request is sent.
out=$("$APIERR" call -v --hedge 100ms --output-json "$SLOW/push" 2>"$TMP/push.err")
[ "$(echo "$out" | attempts 'a["status"]')" = "503 200" ] || fail "pushback: $out"
[ "$(echo "$out" | attempts 'a["hedge"]')" = "False False" ] || fail "a hedge after pushback: $out"
[ "$(server_log | json_get 'sum(1 for m, p, k in d["log"] if p == "/push")')" = 2 ] ||
    fail "a hedge went out after the pushback"
grep -q '^\* no hedges to http://127.0.0.1:[0-9]* for 30000 ms: the server pushed back$' \
    "$TMP/push.err" || fail "-v does not show the pushback: $(cat "$TMP/push.err")"

# 5. --adaptive against a server that answers 503 to 9 requests in 10: the
# same batch sends fewer requests, and calls end throttled_locally.
for i in $(seq 40); do echo "GET $SLOW/mostly-503"; done >"$TMP/batch"
requests() {
    server_log | json_get 'sum(1 for m, p, k in d["log"] if p == "/mostly-503")'
}
expect_rc 7 "$APIERR" call -s --input "$TMP/batch" --retries 3 --output-json >"$TMP/plain.json"
plain=$(requests)
"$APIERR" call -s --input "$TMP/batch" --retries 3 --adaptive --output-json >"$TMP/adaptive.json" ||
    true
adaptive=$(($(requests) - plain))
[ "$adaptive" -lt "$plain" ] ||
    fail "--adaptive sent $adaptive requests, as many as without it ($plain)"
grep -q '"category":"throttled_locally"' "$TMP/adaptive.json" ||
    fail "no attempt was throttled_locally"
! grep -q '"category":"throttled_locally"' "$TMP/plain.json" ||
    fail "throttled_locally without --adaptive"
python3 - "$TMP/adaptive.json" <<'PY' || fail "a throttled attempt was not recorded as never sent"
import json, sys
for line in open(sys.argv[1]):
    for a in json.loads(line)["attempts"]:
        if a["category"] == "throttled_locally":
            assert a["status"] == 0 and a["transport"] == "none", a
PY

# 6. The profile fields: read from a profile file, printed by profiles show,
# and used by call.
cat >"$TMP/hedged.json" <<'JSON'
{"name": "hedged", "policy": {"hedge_delay_ms": 150, "max_hedges": 2, "adaptive": true,
                              "adaptive_k": 1.5}}
JSON
shown=$("$APIERR" profiles show --file "$TMP/hedged.json")
for want in '"hedge_delay_ms": *150' '"max_hedges": *2' '"adaptive": *true' '"adaptive_k": *1.5'; do
    grep -q "$want" <<<"$shown" || fail "profiles show lacks $want: $shown"
done
out=$("$APIERR" call --profile "$TMP/hedged.json" --output-json "$SLOW/slow-first/profile")
[ "$(echo "$out" | attempts 'a["hedge"]')" = "True False" ] || fail "the profile's hedging: $out"

# 7. apierr serve --faults latency:MS:P, seeded: of sequential hedged GETs,
# those whose first attempt drew the latency end with the hedge, before the
# latency passed; all end ok. Draws are keyed by request and its arrival
# (faults.h), so each GET asks for another target: a win is 1 chance in 4
# for each (the first attempt slow, the hedge not), and the calls go on
# until one is seen (at most 20).
start_server --faults latency:1500:0.5 --seed 3 --threads 8
opts=$(oauth_opts)
hedged=0
calls=0
while [ "$hedged" = 0 ] && [ "$calls" -lt 20 ]; do
    calls=$((calls + 1))
    # shellcheck disable=SC2086
    out=$("$APIERR" call $opts --hedge 100ms --output-json \
        "$BASE/v1/tenants/$TENANT/invoices?call=$calls")
    [ "$(echo "$out" | json_get 'd["ok"]')" = True ] || fail "GET against the latency fault: $out"
    if [ "$(echo "$out" | json_get 'd["attempts"][0]["hedge"]')" = True ]; then
        hedged=$((hedged + 1))
        [ "$(echo "$out" | json_get 'd["elapsed_ms"]')" -lt 1500 ] ||
            fail "a hedge won but the call waited for the latency: $out"
    fi
done
[ "$hedged" -gt 0 ] || fail "no hedge won against latency:1500:0.5 in $calls calls"
echo "ok: hedged GET, keyless POST, keyed POST, pushback, adaptive ($adaptive vs $plain requests), profile, latency fault (a hedge won at call $calls)"
