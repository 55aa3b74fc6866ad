#!/usr/bin/env bash
# `apierr serve` keeps a connection's last reply to answer the next one like
# it (the same status and headers but the request id: a flood of 429s on one
# key) by rewriting it in place. On one kept-alive connection every answer
# must still be its own: X-Request-Id once, the one its body names, fresh
# for each request or the client's own, the same headers in the same order
# as the answer before it, a Content-Length that is its body's; and an
# answer unlike the kept one (another status, another length) is whole too,
# also when only a header's value differs (a second later, Retry-After and
# RateLimit's t count one less in as many digits).
source "$(dirname "$0")/lib/serve_common.sh"

start_server k --client demo:s3cret:acme:invoices:read --rate 1/86400:1
port=${URL##*:}
TOKEN=$(curl -s -u demo:s3cret -d grant_type=client_credentials "$URL/oauth/token" |
    "$PY" -S -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
INV=/v1/tenants/acme/invoices/1
AUTH="Authorization: Bearer $TOKEN"
req GET "$URL$INV" -H "$AUTH" # the one request the limit lets through

"$PY" -S "$LIB/one_conn.py" "$port" "GET $INV|$AUTH" "GET $INV|$AUTH" "GET $INV|$AUTH" \
    "GET $INV|$AUTH|X-Request-Id: client-chosen-1" "GET $INV|$AUTH" \
    "GET $INV|$AUTH|X-Request-Id: ffffffffffffffffffffffffffffffff" "GET $INV|$AUTH" \
    "GET /nowhere|$AUTH" "GET $INV|$AUTH" "GET $INV|$AUTH" \
    "GET $INV|$AUTH|x-request-id: first-of-two|X-Request-Id: second-of-two" >"$TMP/answers" ||
    fail "the connection did not answer every request"

"$PY" -S - "$TMP/answers" <<'PY' || fail "the answers of one connection are not each their own"
import json, sys
answers = [json.loads(line) for line in open(sys.argv[1])]
want = [429, 429, 429, 429, 429, 429, 429, 404, 429, 429, 429]
# Of two ids, the first, whatever the case of its name.
sent_ids = {3: "client-chosen-1", 5: "ffffffffffffffffffffffffffffffff", 10: "first-of-two"}
bad = []
if [a["status"] for a in answers] != want:
    bad.append("statuses %s, want %s" % ([a["status"] for a in answers], want))
seen = set()
names_429 = None
for i, a in enumerate(answers):
    h = a["headers"]
    ids = [v for k, v in h if k.lower() == "x-request-id"]
    body = json.loads(a["body"])
    rid = body.get("request_id")
    if len(ids) != 1 or ids[0] != rid:
        bad.append("answer %d: X-Request-Id %s, body's request_id %s" % (i, ids, rid))
        continue
    if i in sent_ids and rid != sent_ids[i]:
        bad.append("answer %d: id %s, the client sent %s" % (i, rid, sent_ids[i]))
    if rid in seen:
        bad.append("answer %d: id %s given before on this connection" % (i, rid))
    seen.add(rid)
    n = [int(v) for k, v in h if k.lower() == "content-length"]
    if n != [len(a["body"].encode())]:
        bad.append("answer %d: Content-Length %s, body of %d bytes" % (i, n, len(a["body"].encode())))
    if a["status"] == 429:
        names = [k for k, _ in h if k.lower() != "date"]
        for k in ("RateLimit", "RateLimit-Policy", "Retry-After", "X-Request-Id"):
            if sum(1 for x in names if x.lower() == k.lower()) != 1:
                bad.append("answer %d: %s %d times" % (i, k, sum(1 for x in names if x.lower() == k.lower())))
        if names_429 is not None and names != names_429:
            bad.append("answer %d: headers %s, the answer before %s" % (i, names, names_429))
        names_429 = names
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY

"$PY" -S "$LIB/one_conn.py" "$port" "GET $INV|$AUTH" "sleep 1.2" "GET $INV|$AUTH" \
    >"$TMP/later" || fail "the connection did not answer both requests"
"$PY" -S - "$TMP/later" <<'PY' || fail "a kept reply was sent with the headers of the one before"
import json, re, sys
answers = [json.loads(line) for line in open(sys.argv[1])]
seconds = []
for i, a in enumerate(answers):
    h = dict((k.lower(), v) for k, v in a["headers"])
    detail = json.loads(a["body"])["detail"]
    said = int(re.search(r"(\d+) seconds", detail).group(1))
    t = int(re.search(r";t=(\d+)", h["ratelimit"]).group(1))
    if not (a["status"] == 429 and int(h["retry-after"]) == said == t):
        print("answer %d: Retry-After %s, RateLimit %s, detail %r" % (i, h["retry-after"], h["ratelimit"], detail))
        sys.exit(1)
    seconds.append(said)
if seconds[0] == seconds[1]:
    print("both answers say %d seconds, 1.2 s apart" % seconds[0])
    sys.exit(1)
PY
