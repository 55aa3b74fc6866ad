# Read-modify-write (`apierr call --update FILTER`, seed 000's 409 "re-read
# the resource and retry"): two writers race on one invoice, each adding to
# its own line many times; every change lands, none is lost. Under gotab
# (seed 001) a stale write is a 412, re-read as well, and a 409 is final.
. "$(dirname "$0")/call_lib.bash"

ROUNDS=${ROUNDS:-15}
# inc.py INDEX: adds 1 to the quantity of line INDEX of the invoice on stdin
# and prints the document to PUT (the members the API accepts).
cat >"$TMP/inc.py" <<'PY'
import json, sys
d = json.load(sys.stdin)
i = int(sys.argv[1])
d["lines"][i]["quantity"] += 1
keep = ("documentNumber", "currency", "customer", "lines", "notes")
print(json.dumps({k: d[k] for k in keep if k in d}))
PY
TWO_LINES='{"documentNumber":"D-9","currency":"EUR","customer":{"name":"Ada","email":"ada@example.com"},"lines":[{"description":"tea","quantity":1,"unitPrice":3.5},{"description":"cake","quantity":1,"unitPrice":2}]}'

# writer LINE: ROUNDS increments of one line, one `apierr call --update` each.
writer() {
    local i
    for i in $(seq "$ROUNDS"); do
        "$APIERR" call -s --profile giponext --retries 50 $(oauth_opts) \
            --update "python3 $TMP/inc.py $1" --output-json "$URL" >>"$TMP/w$1.jsonl" \
            2>>"$TMP/w$1.err" || echo "round $i failed" >>"$TMP/w$1.failed"
    done
}

# --- giponext: two racing writers, no update lost --------------------------------
start_server --profile giponext
"$APIERR" call -s $(oauth_opts) --json "$TWO_LINES" --output-json \
    "$BASE/v1/tenants/$TENANT/invoices" >"$TMP/created.json" || fail "create the invoice"
ID=$(json_get 'json.loads(d["body"])["id"]' <"$TMP/created.json")
URL="$BASE/v1/tenants/$TENANT/invoices/$ID"
writer 0 &
W0=$!
writer 1 &
W1=$!
wait $W0 $W1
[ ! -e "$TMP/w0.failed" ] && [ ! -e "$TMP/w1.failed" ] ||
    fail "a writer gave up: $(cat "$TMP"/w*.failed "$TMP"/w*.err)"
"$APIERR" call -s $(oauth_opts) "$URL" >"$TMP/final.json" || fail "read the invoice back"
got=$(json_get '[l["quantity"] for l in d["lines"]], d["version"]' <"$TMP/final.json")
want="[$((ROUNDS + 1)), $((ROUNDS + 1))] $((2 * ROUNDS + 1))"
[ "$got" = "$want" ] || fail "quantities and version $got, want $want"
# The race happened: some write was refused as stale and re-read.
conflicts=$(cat "$TMP"/w*.jsonl | python3 -c '
import json, sys
print(sum(a["status"] == 409 for l in sys.stdin for a in json.loads(l)["attempts"]))')
echo "giponext: $((2 * ROUNDS)) updates by two writers, $conflicts refused as stale and re-read"

# --- one forced conflict: the filter lets another writer in first ----------------
# meddle.sh: the first time it runs, another `apierr call --update` changes
# line 1 before this one's new body (line 0 + 1) is printed.
# forced PROFILE: one update of line 0 through meddle.sh; sets RC and OUT.
forced() {
    local before
    cat >"$TMP/meddle.sh" <<SH
if [ ! -e "$TMP/meddled.\$ROUND_TAG" ]; then
    : >"$TMP/meddled.\$ROUND_TAG"
    "$APIERR" call -s $(oauth_opts) --update "python3 $TMP/inc.py 1" "\$URL" >/dev/null || exit 1
fi
exec python3 "$TMP/inc.py" 0
SH
    before=$("$APIERR" call -s $(oauth_opts) "$URL" | json_get '[l["quantity"] for l in d["lines"]]')
    RC=0
    ROUND_TAG=$1 URL=$URL "$APIERR" call -s --profile "$1" $(oauth_opts) \
        --update "sh $TMP/meddle.sh" --output-json "$URL" >"$TMP/$1.json" 2>"$TMP/$1.err" || RC=$?
    OUT=$(json_get '[(a["status"], a["decision"]) for a in d["attempts"]], d["reason"]' \
        <"$TMP/$1.json")
    AFTER=$("$APIERR" call -s $(oauth_opts) "$URL" | json_get '[l["quantity"] for l in d["lines"]]')
    echo "$1: $before -> $AFTER, exit $RC, $OUT"
}
forced giponext
[ "$RC" = 0 ] || fail "giponext: the update after a conflict should succeed"
case "$OUT" in
"[(200, 'done'), (409, 'fail'), (200, 'done'), (200, 'done')] "*) ;;
*) fail "giponext: GET, PUT 409, GET, PUT 200 expected: $OUT" ;;
esac

# --- gotab: a stale write is a 412, re-read; a 409 is final (seed 001) ------------
# GoTab's seed names 409 for conflicts with existing state (a duplicate
# creation), and nothing for preconditions: a stale If-Match gets RFC 9110's
# 412, which is always re-read, and a duplicate's 409 stays final.
start_server --profile gotab
"$APIERR" call -s $(oauth_opts) --json "$TWO_LINES" --output-json \
    "$BASE/v1/tenants/$TENANT/invoices" >"$TMP/created.json" || fail "create the invoice"
ID=$(json_get 'json.loads(d["body"])["id"]' <"$TMP/created.json")
URL="$BASE/v1/tenants/$TENANT/invoices/$ID"
forced gotab
[ "$RC" = 0 ] || fail "gotab: the update after a stale write should succeed (exit $RC)"
case "$OUT" in
"[(200, 'done'), (412, 'fail'), (200, 'done'), (200, 'done')] "*) ;;
*) fail "gotab: GET, PUT 412, GET, PUT 200 expected: $OUT" ;;
esac
[ "$AFTER" = "[2, 2]" ] || fail "gotab: both writers' changes should be there: $AFTER"
RC=0
"$APIERR" call -s --profile gotab $(oauth_opts) --json "$TWO_LINES" --output-json \
    "$BASE/v1/tenants/$TENANT/invoices" >"$TMP/dup.json" 2>/dev/null || RC=$?
[ "$RC" = 4 ] || fail "gotab: a duplicate creation: exit status $RC, want 4 (fix the request)"
OUT=$(json_get '[(a["status"], a["decision"]) for a in d["attempts"]]' <"$TMP/dup.json")
[ "$OUT" = "[(409, 'fail')]" ] || fail "gotab: a duplicate's 409 should be final: $OUT"
echo "call_update: ok"
