#!/usr/bin/env bash
# A fleet under faults: three `apierr serve` instances sharing Redis and one
# database (a file, or PostgreSQL with FLEET_DB=postgres: lib/fleet_db.sh),
# with a short idempotency lease (--idempotency-lease 2).
# - An instance dies right after committing a keyed create (die:1), before
#   it published the answer to Redis: the retry on another instance gets
#   409 while the lease runs, then the 201 recorded with the write, and the
#   same bytes again on a third; one invoice.
# - kill -9 of one instance behind nginx (round robin) during a keyed write
#   load whose client retries with the same keys: no duplicate, and every
#   201 the client saw has its invoice (invoices == keys acknowledged).
# - Redis down for 3 s mid-run: keyed writes get 503 DB_TIMEOUT with
#   Retry-After and write nothing, a limited request gets 503
#   RATE_LIMITER_UNAVAILABLE on an instance with --redis-fail-closed and
#   passes the limiter (no RateLimit fields) on the others; Redis back, the
#   same instances answer again, and the writes retried through the outage
#   leave one invoice each.
# - With FLEET_DB=postgres, PostgreSQL down for 3 s mid-run: keyed writes get
#   503 DB_UNAVAILABLE with Retry-After and write nothing, and the clients
#   retry with the same keys; PostgreSQL back, the same instances (which
#   reconnect by themselves) answer again: every write once, none lost.
. "$(dirname "$0")/call_lib.bash"
. "$(dirname "$0")/lib/fleet.sh"
LIST=/v1/tenants/$TENANT/invoices

token_of() {
    curl -s -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials "$1/oauth/token" |
        json_get 'd["access_token"]'
}

# post URL KEY OUT: a keyed create of INVOICE; prints the status, the body
# in OUT.
post() {
    curl -s -o "$3" -w '%{http_code}' -H "Authorization: Bearer $token" \
        -H "Idempotency-Key: $2" -H 'Content-Type: application/json' -d "$INVOICE" "$1$LIST"
}

# --- death between the commit and publishing the answer --------------------
fleet_db die
start_server --db "$DB" --redis "$REDIS_URL" --idempotency-lease 2 --faults die:1
A=$BASE A_PID=${SERVERS[-1]}
start_server --db "$DB" --redis "$REDIS_URL" --idempotency-lease 2
B=$BASE
start_server --db "$DB" --redis "$REDIS_URL" --idempotency-lease 2
C=$BASE
token=$(token_of "$B")
got=$(post "$A" die-1 "$TMP/a.json")
[ "$got" = 000 ] || fail "instance A answered $got instead of dying at the commit"
wait "$A_PID"
[ $? = 137 ] || fail "instance A did not die at the commit"
[ "$(invoices "$DB")" = "1|1" ] || fail "the write of A did not commit"
got=$(post "$B" die-1 "$TMP/b.json")
[ "$got" = 409 ] || fail "the retry within the lease got $got, not 409: $(cat "$TMP/b.json")"
for _ in $(seq 40); do
    got=$(post "$B" die-1 "$TMP/b.json")
    [ "$got" = 409 ] || break
    sleep 0.25
done
[ "$got" = 201 ] || fail "the retry after the lease got $got, not the recorded 201: $(cat "$TMP/b.json")"
got=$(post "$C" die-1 "$TMP/c.json")
[ "$got" = 201 ] && cmp -s "$TMP/b.json" "$TMP/c.json" ||
    fail "a third instance answered $got, not the same 201: $(cat "$TMP/c.json")"
[ "$(invoices "$DB")" = "1|1" ] || fail "the retries wrote again: $(invoices "$DB")"
for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid"; done
SERVERS=()

# check_load OUT DB N: the calls of a batch of N keyed creates (the
# --output-json lines in OUT) against the invoices of DB:
# no number twice, every acknowledged create (a 201 seen, or its replay)
# has its invoice, and there are no others (of the batch's numbers, FL-).
# Prints "acknowledged/N".
check_load() {
    fleet_sql "$2" "SELECT documentNumber FROM invoices WHERE documentNumber LIKE 'FL-%'" \
        >"$TMP/numbers" || return 1
    python3 - "$1" "$TMP/numbers" "$3" <<'PY'
import json, sys
out, numbers, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rs = [json.loads(l) for l in open(out)]
assert len(rs) == n, "%d results for %d calls" % (len(rs), n)
acked = set()
for r in rs:  # in the order they ended; "line" is the batch's line, from 1
    if r["ok"] and r["status"] == 201:
        acked.add("FL-%05d" % (r["line"] - 1))
rows = open(numbers).read().split()
assert len(rows) == len(set(rows)), "duplicates: %d rows, %d numbers" % (len(rows), len(set(rows)))
lost = acked - set(rows)
assert not lost, "acknowledged and lost: %s" % sorted(lost)[:5]
extra = set(rows) - acked
assert not extra, "written and never acknowledged: %s" % sorted(extra)[:5]
print("%d/%d" % (len(acked), n))
PY
}

# failed_calls OUT: the first calls of OUT that failed: status, code, the
# statuses of their attempts.
failed_calls() {
    python3 -c 'import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if not r["ok"]:
        print(r["status"], (r.get("problem") or {}).get("code"), [a["status"] for a in r["attempts"]])' "$1" |
        head -5
}

# The client of the loads: the default policy, which retries a 409 to a
# keyed request that names its Retry-After (IDEMPOTENCY_KEY_IN_USE: a retry
# that met the key of a request still running, or of an instance that
# died, until its lease runs out) with the same key. Retries enough to ride
# out a 3 s outage even at the pace apierr call --parallel keeps today: its
# retries of a batch line follow each other at once whatever the delay they
# log (Retry-After 1 s), a client bug of its own; the outage's instances
# add 100 ms to each request, so that 100 retries last longer than the
# outage.
load_opts() {
    echo $(oauth_opts) --retries 100 --idempotency-key auto
}

# quarter_in URL: waits until a quarter of the load ($load, N creates) is
# in, asked of an instance over HTTP (a reader of the file itself may sleep
# a whole second on a busy lock).
quarter_in() {
    local c
    for _ in $(seq 400); do
        # Counted with grep: a Python start per poll, on a loaded machine,
        # took long enough for the whole load to end before the kill.
        c=$(curl -s -H "Authorization: Bearer $token" "$1$LIST?limit=$((N / 4))" |
            grep -o '"documentNumber"' | wc -l)
        [ "${c:-0}" -ge $((N / 4)) ] && return 0
        kill -0 "$load" 2>/dev/null || fail "the load ended early: $(tail -2 "$TMP"/*.err)"
        sleep 0.02
    done
}

# --- kill -9 of one instance during a keyed write load -----------------------
N=${FLEET_FAULT_WRITES:-200}
fleet_db kill
urls=() pids=()
for i in 1 2 3; do
    # 30 ms a request: the load lasts long enough to be cut in its middle.
    start_server --db "$DB" --redis "$REDIS_URL" --idempotency-lease 2 \
        --faults latency:30
    urls+=("$BASE") pids+=("${SERVERS[-1]}")
done
start_balancer "${urls[@]}"
invoice_batch "$BALANCER$LIST" "$N" FL >"$TMP/batch"
BASE=${urls[0]}
"$APIERR" call $(load_opts) --parallel 8 \
    --input "$TMP/batch" --output-json >"$TMP/kill.jsonl" 2>"$TMP/kill.err" &
load=$!
token=$(token_of "${urls[0]}")
quarter_in "${urls[0]}"
kill -9 "${pids[1]}"
wait "${pids[1]}" 2>/dev/null
before=$(invoices "$DB")
wait "$load"
echo "killed instance B at $before invoices; client exit status $?"
[ "${before%%|*}" -lt "$N" ] || fail "the load was over before the kill ($before)"
acked=$(check_load "$TMP/kill.jsonl" "$DB" "$N") ||
    fail "kill -9 during a keyed load: $(tail -3 "$TMP/kill.err")"
[ "$acked" = "$N/$N" ] || fail "only $acked keyed creates were acknowledged: $(failed_calls "$TMP/kill.jsonl")"
python3 - "$TMP/kill.jsonl" <<'PY' || fail "no call met the dead instance"
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
print("attempts that met the dead instance (502): %d" %
      sum(a["status"] == 502 for r in rs for a in r["attempts"]))
assert any(a["status"] == 502 for r in rs for a in r["attempts"])
PY
for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
SERVERS=()
stop_balancer

# outage_load NAME THIRD [serve options]: three instances on a new
# database NAME, 100 ms a request (so that 100 retries outlast a 3 s
# outage), the third also with THIRD (an option, or ""); nginx before them,
# and a keyed load of N creates through it in the background ($load, its
# calls in $TMP/NAME.jsonl), a quarter of it in. Sets A, B, C and token.
outage_load() {
    local name=$1 third=$2 i
    shift 2
    fleet_db "$name"
    urls=()
    for i in 1 2 3; do
        # shellcheck disable=SC2086
        start_server --db "$DB" --redis "$REDIS_URL" --idempotency-lease 2 \
            --faults latency:100 "$@" $([ "$i" = 3 ] && echo $third)
        urls+=("$BASE")
    done
    A=${urls[0]} B=${urls[1]} C=${urls[2]}
    start_balancer "${urls[@]}"
    invoice_batch "$BALANCER$LIST" "$N" FL >"$TMP/batch"
    token=$(token_of "$A")
    "$APIERR" call $(load_opts) --parallel 4 \
        --input "$TMP/batch" --output-json >"$TMP/$name.jsonl" 2>"$TMP/$name.err" &
    load=$!
    quarter_in "$A"
}

# outage_over NAME WHAT: the load of outage_load NAME ended: every create
# acknowledged, each once, and some attempts met the outage (503); the
# instances and nginx stopped. Sets acked.
outage_over() {
    wait "$load"
    acked=$(check_load "$TMP/$1.jsonl" "$DB" "$N") ||
        fail "$2 away for 3 s during a keyed load: $(tail -3 "$TMP/$1.err")"
    [ "$acked" = "$N/$N" ] ||
        fail "only $acked keyed creates were acknowledged: $(failed_calls "$TMP/$1.jsonl")"
    python3 - "$TMP/$1.jsonl" "$2" <<'PY' || fail "no call met the outage of $2"
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
n = sum(a["status"] == 503 for r in rs for a in r["attempts"])
print("attempts answered 503 while %s was away: %d" % (sys.argv[2], n))
assert n > 0
PY
    for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    SERVERS=()
    stop_balancer
}

# problem URL OUT [curl args]: status, then "code retry-after ratelimit" in
# OUT, of one request.
problem() {
    local url=$1 out=$2
    shift 2
    curl -sS -D "$out.h" -o "$out" -w '%{http_code}' "$@" "$url" 2>"$out.err"
    python3 - "$out" <<'PY'
import json, sys
h = open(sys.argv[1] + ".h").read().lower()
d = json.load(open(sys.argv[1]))
with open(sys.argv[1], "w") as f:
    f.write("%s %s %s" % (d.get("code"), "retry-after:" in h, "ratelimit:" in h))
PY
}

# keyed_probe KEY URL WANT WHAT: a keyed create of INVOICE under KEY (the
# request kept in $keyed) to URL while WHAT is away gets WANT ("status code
# retry-after ratelimit").
keyed_probe() {
    keyed=(-H "Authorization: Bearer $token" -H "Idempotency-Key: $1"
        -H 'Content-Type: application/json' -d "$INVOICE")
    local got
    got=$(problem "$2" "$TMP/$1" "${keyed[@]}")
    [ "$got $(cat "$TMP/$1")" = "$3" ] ||
        fail "a keyed create while $4 is away got $got $(cat "$TMP/$1" "$TMP/$1.err"; tail -n3 "$TMP"/serve.*.err)"
}

# outage_back URL WHAT: WHAT is back: URL answers a list again (its head in
# $TMP/back.h), the probe refused during the outage was not written, and
# its retry with the same key creates it. "Again" as a client sees it: a
# 503 with Retry-After is asked again, a few times (the Redis pool fails
# fast for a moment after a failed connect, and the load's writers may
# hold the SQLite file), never forever.
outage_back() {
    local got number tries=0
    while got=$(problem "$1$LIST" "$TMP/back" -H "Authorization: Bearer $token") &&
        [ "$got" = 503 ] && grep -q ' True ' "$TMP/back" && [ $((tries += 1)) -le 10 ]; do
        sleep 0.5
    done
    [ "$got" = 200 ] || fail "$1 after the outage of $2 answered $got: $(cat "$TMP/back")"
    number=$(json_get 'd["documentNumber"]' <<<"$INVOICE")
    [ "$(fleet_sql "$DB" "SELECT count(*) FROM invoices WHERE documentNumber = '$number'")" = 0 ] ||
        fail "the create refused while $2 was away was written"
    got=$(curl -s -o /dev/null -w '%{http_code}' "${keyed[@]}" "$1$LIST")
    [ "$got" = 201 ] || fail "the create refused while $2 was away got $got once it was back"
}

# --- Redis away for 3 s during a keyed write load --------------------------
outage_load outage --redis-fail-closed --rate 100000/60
redis_down
start=$SECONDS
keyed_probe outage-probe "$A$LIST" "503 DB_TIMEOUT True False" Redis
got=$(problem "$C$LIST" "$TMP/closed" -H "Authorization: Bearer $token")
[ "$got $(cat "$TMP/closed")" = "503 RATE_LIMITER_UNAVAILABLE True False" ] ||
    fail "a limited request on a fail-closed instance got $got $(cat "$TMP/closed")"
got=$(problem "$A$LIST" "$TMP/open" -H "Authorization: Bearer $token")
# Past the limiter (fail open: no RateLimit fields), refused by the token
# lookup, which needs Redis too.
[ "$got $(cat "$TMP/open")" = "503 DB_TIMEOUT True False" ] ||
    fail "a limited request on a fail-open instance got $got $(cat "$TMP/open")"
[ $((SECONDS - start)) -le 3 ] || echo "note: the probes took $((SECONDS - start)) s of the outage"
while [ $((SECONDS - start)) -lt 3 ]; do sleep 0.1; done
redis_up
outage_back "$A" Redis
grep -qi '^ratelimit:' "$TMP/back.h" || fail "no RateLimit fields after the outage"
outage_over outage Redis
redis_acked=$acked

# --- PostgreSQL away for 3 s during a keyed write load ---------------------
if [ "$FLEET_DB" = postgres ]; then
    outage_load pgdown ""
    pg_down
    start=$SECONDS
    keyed_probe pg-probe "$A$LIST" "503 DB_UNAVAILABLE True False" PostgreSQL
    while [ $((SECONDS - start)) -lt 3 ]; do sleep 0.1; done
    pg_up || fail "PostgreSQL did not start again"
    # Another instance than the probe's: each reconnects by itself.
    outage_back "$B" PostgreSQL
    outage_over pgdown PostgreSQL
    echo "ok: PostgreSQL away 3 s: 503 DB_UNAVAILABLE, then back: $acked, each once"
fi
echo "ok: an instance dead between its commit and Redis: the retry elsewhere got the recorded 201"
echo "ok: kill -9 of one of 3 instances during $N keyed creates: all acknowledged, each once"
echo "ok: Redis away 3 s: 503 (DB_TIMEOUT, RATE_LIMITER_UNAVAILABLE), then back: $redis_acked, each once ($FLEET_DB)"
