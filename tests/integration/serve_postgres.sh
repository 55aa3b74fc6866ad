#!/usr/bin/env bash
# `apierr serve --db postgresql://...`: the invoices in PostgreSQL (a
# throwaway cluster of lib/engines.sh), held to the SQLite store's answers.
# - serve_statuses.sh and serve_writes.sh run again with SERVE_PG=1: every
#   server they start keeps its invoices in a fresh database of the cluster.
# - One script of requests (creates in two tenants, a duplicate, keyed
#   creates, their replay and a key reused with another body, pages by
#   cursor, reads, If-None-Match, PUT with a current and a stale If-Match,
#   DELETE, another tenant's id) gets the same statuses, bodies and headers
#   from a server on SQLite and one on PostgreSQL.
# - PostgreSQL stopped: a keyed create gets 503 with Retry-After and writes
#   nothing; started again, the same server answers (it reconnects by
#   itself) and the retry with the same key creates the invoice once.
# - PostgreSQL unreachable when a server starts: it says why and exits.
set -u
: "${APIERR:?path of the apierr binary}"
. "$(dirname "$0")/lib/engines.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
PIDS=()
stop() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p"; done
    PIDS=()
}
trap 'stop; engines_stop' EXIT
command -v psql >/dev/null || { echo "skipped: no psql (scripts/deps.sh)"; exit 77; }
PG_MAX_CONNECTIONS=60
start_postgres || exit 1

for t in serve_statuses serve_writes; do
    SERVE_PG=1 bash "$HERE/$t.sh" >"$ENGINES_DIR/$t.log" 2>&1 ||
        { cat "$ENGINES_DIR/$t.log"; echo "FAIL: $t.sh on PostgreSQL"; exit 1; }
    echo "ok: $t.sh on PostgreSQL"
done

CLIENTS=(--client demo:s3cret:acme:invoices:read,invoices:write
    --client beta:b3ta:beta:invoices:read,invoices:write)
# serve NAME [options]: a server; its URL in the variable NAME.
serve() {
    local name=$1
    shift
    "$APIERR" serve --listen 127.0.0.1:0 "${CLIENTS[@]}" "$@" >"$ENGINES_DIR/$name.out" \
        2>"$ENGINES_DIR/$name.err" &
    PIDS+=($!)
    for _ in $(seq 200); do [ -s "$ENGINES_DIR/$name.out" ] && break; sleep 0.05; done
    printf -v "$name" '%s' "$(head -n1 "$ENGINES_DIR/$name.out")"
    [ -n "${!name}" ] || { cat "$ENGINES_DIR/$name.err"; echo "FAIL: $name did not start"; exit 1; }
}
psql -qX -c 'CREATE DATABASE same' || exit 1
PGURL="postgresql:///same?host=$PGHOST&port=$PGPORT&user=$PGUSER"
serve LITE
serve PG --db "$PGURL"

python3 - "$LITE" "$PG" <<'PY' || { tail -n5 "$ENGINES_DIR"/*.err; exit 1; }
import base64, json, re, sys, urllib.request, urllib.error

def call(base, method, path, body=None, headers=None, auth=None):
    h = dict(headers or {})
    if auth: h["Authorization"] = auth
    data = None
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        h.setdefault("Content-Type", "application/json")
    rq = urllib.request.Request(base + path, data=data, method=method, headers=h)
    try:
        r = urllib.request.urlopen(rq)
    except urllib.error.HTTPError as e:
        r = e
    return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read().decode()

def token(base, cid, secret):
    basic = base64.b64encode(("%s:%s" % (cid, secret)).encode()).decode()
    s, _, b = call(base, "POST", "/oauth/token", "grant_type=client_credentials",
                   {"Content-Type": "application/x-www-form-urlencoded",
                    "Authorization": "Basic " + basic})
    return "Bearer " + json.loads(b)["access_token"]

def inv(n, qty=2):
    return {"documentNumber": n, "currency": "EUR",
            "customer": {"name": "Ann", "email": "ann@example.com"},
            "lines": [{"description": "x", "quantity": qty, "unitPrice": 10.5}]}

TIMES = re.compile(r'"(createdAt|updatedAt)":"[^"]*"')
RID = re.compile(r'"(requestId|request_id|instance|timestamp)":"[^"]*"')
def norm(status, h, body):
    body = RID.sub(r'"\1":"-"', TIMES.sub(r'"\1":"-"', body))
    keep = {k: h[k] for k in ("etag", "location", "retry-after", "content-type") if k in h}
    return status, keep, body

def script(base):
    a, b = token(base, "demo", "s3cret"), token(base, "beta", "b3ta")
    acme, beta = "/v1/tenants/acme/invoices", "/v1/tenants/beta/invoices"
    out = []
    def do(*args, **kw):
        out.append(norm(*call(base, *args, **kw)))
    for i in range(5):
        do("POST", acme, inv("S-%d" % i), auth=a)
    do("POST", beta, inv("S-0"), auth=b)              # another tenant: no duplicate
    do("POST", acme, inv("S-1"), auth=a)              # 409 DUPLICATE_ENTRY
    do("POST", acme, inv("K-1"), {"Idempotency-Key": "k1"}, auth=a)
    do("POST", acme, inv("K-1"), {"Idempotency-Key": "k1"}, auth=a)   # replay
    do("POST", acme, inv("K-2"), {"Idempotency-Key": "k1"}, auth=a)   # another body
    do("POST", acme, inv("S-2"), {"Idempotency-Key": "k2"}, auth=a)   # a keyed 409
    do("POST", acme, inv("S-2"), {"Idempotency-Key": "k2"}, auth=a)   # ... replayed
    do("POST", acme, inv("S-9"), auth=a)              # the id after the 409s
    do("GET", acme + "?limit=2", auth=a)
    do("GET", acme + "?limit=2&cursor=2", auth=a)
    do("GET", acme + "?limit=100&cursor=4", auth=a)
    do("GET", acme + "?limit=0", auth=a)
    do("GET", acme + "/3", auth=a)
    do("GET", acme + "/3", headers={"If-None-Match": '"1"'}, auth=a)
    do("GET", acme + "/6", auth=a)                    # beta's
    do("PUT", acme + "/3", inv("S-3b", 5), {"If-Match": '"1"'}, auth=a)
    do("PUT", acme + "/3", inv("S-3c"), {"If-Match": '"1"'}, auth=a)   # stale
    do("PUT", acme + "/3", inv("S-4"), {"If-Match": '"2"'}, auth=a)    # duplicate number
    do("GET", acme + "/3", auth=a)
    do("DELETE", acme + "/2", headers={"If-Match": '"1"'}, auth=a)
    do("DELETE", acme + "/2", headers={"If-Match": '"1"'}, auth=a)
    do("GET", acme + "?limit=100", auth=a)
    do("GET", beta + "?limit=100", auth=b)
    return out

lite, pg = script(sys.argv[1]), script(sys.argv[2])
assert len(lite) == len(pg)
bad = [(i, l, p) for i, (l, p) in enumerate(zip(lite, pg)) if l != p]
for i, l, p in bad[:3]:
    print("FAIL: request %d:\n  SQLite     %s\n  PostgreSQL %s" % (i, l, p))
assert not bad, "%d of %d answers differ" % (len(bad), len(lite))
# A PUT to a number the tenant has: the field is documentNumber, as on POST.
put_dup = json.loads(lite[22][2])
assert put_dup["code"] == "DUPLICATE_ENTRY" and put_dup["errors"][0]["pointer"] == "/documentNumber", put_dup
statuses = sorted({s for s, _, _ in lite})
assert statuses == [200, 201, 204, 304, 404, 409, 412, 422], statuses
print("ok: %d requests, the same answers on SQLite and PostgreSQL (%s)" % (len(lite), statuses))
PY

# --- PostgreSQL away, then back ---------------------------------------------
tok=$(curl -s -u demo:s3cret -d grant_type=client_credentials "$PG/oauth/token" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
post() { # KEY NUMBER: status, headers in $ENGINES_DIR/h, body in $ENGINES_DIR/b
    curl -s -D "$ENGINES_DIR/h" -o "$ENGINES_DIR/b" -w '%{http_code}' \
        -H "Authorization: Bearer $tok" -H "Idempotency-Key: $1" \
        -H 'Content-Type: application/json' \
        -d "{\"documentNumber\":\"$2\",\"currency\":\"EUR\",\"customer\":{\"name\":\"Ann\",\"email\":\"ann@example.com\"},\"lines\":[{\"quantity\":1,\"unitPrice\":1}]}" \
        "$PG/v1/tenants/acme/invoices"
}
count() {
    psql -qXtA -d same -c "SELECT count(*) FROM invoices WHERE documentNumber = '$1'"
}
pg_down || exit 1
got=$(post down-1 OUT-1)
[ "$got" = 503 ] || { echo "FAIL: a create while PostgreSQL is away got $got: $(cat "$ENGINES_DIR/b")"; exit 1; }
grep -qi '^retry-after:' "$ENGINES_DIR/h" || { echo "FAIL: the 503 has no Retry-After"; exit 1; }
code=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("code"))' "$ENGINES_DIR/b")
got=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" \
    "$PG/v1/tenants/acme/invoices/1")
[ "$got" = 503 ] || { echo "FAIL: a read while PostgreSQL is away got $got"; exit 1; }
kill -0 "${PIDS[1]}" || { echo "FAIL: the server did not outlive PostgreSQL"; exit 1; }
pg_up || exit 1
[ "$(count OUT-1)" = 0 ] || { echo "FAIL: the create refused while PostgreSQL was away was written"; exit 1; }
got=$(post down-1 OUT-1)
[ "$got" = 201 ] || { echo "FAIL: the retry once PostgreSQL was back got $got: $(cat "$ENGINES_DIR/b")"; exit 1; }
got=$(post down-1 OUT-1)
[ "$got" = 201 ] && [ "$(count OUT-1)" = 1 ] ||
    { echo "FAIL: the replay got $got, invoices $(count OUT-1)"; exit 1; }
echo "ok: PostgreSQL away: 503 $code with Retry-After, nothing written; back: the same server, one invoice"

# --- PostgreSQL unreachable at start: a reason, and no server ---------------
"$APIERR" serve --listen 127.0.0.1:0 --db "postgresql:///none?host=$ENGINES_DIR/nowhere" \
    >"$ENGINES_DIR/none.out" 2>"$ENGINES_DIR/none.err"
rc=$?
[ "$rc" != 0 ] && [ "$rc" -lt 128 ] && [ ! -s "$ENGINES_DIR/none.out" ] ||
    { echo "FAIL: serve on an unreachable PostgreSQL: exit $rc, $(cat "$ENGINES_DIR/none.out")"; exit 1; }
grep -q 'cannot open the PostgreSQL database' "$ENGINES_DIR/none.err" &&
    ! grep -q 'cannot listen' "$ENGINES_DIR/none.err" ||
    { echo "FAIL: serve on an unreachable PostgreSQL said: $(cat "$ENGINES_DIR/none.err")"; exit 1; }
echo "ok: PostgreSQL unreachable at start: exit $rc, $(head -c 120 "$ENGINES_DIR/none.err")"
