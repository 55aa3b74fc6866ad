# Exactly once: 1,000 POSTs with idempotency keys through drop-after-commit
# and 503 faults create exactly 1,000 invoices: no duplicate, none lost.
. "$(dirname "$0")/call_lib.bash"
N=${CALL_EXACTLY_ONCE_N:-1000}
start_server --faults 503:0.15,drop:0.15 --seed 7
invoice_batch "$BASE/v1/tenants/$TENANT/invoices" "$N" EO >"$TMP/batch"
"$APIERR" call $(oauth_opts) --retries 10 --idempotency-key auto --parallel 50 \
    --input "$TMP/batch" --output-json >"$TMP/out.jsonl" 2>"$TMP/err" || {
    tail -3 "$TMP/err" >&2
    fail "some calls failed"
}
python3 - "$TMP/out.jsonl" "$N" <<'PY' || fail "the faults were not exercised"
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
assert len(rs) == int(sys.argv[2]) and all(r["ok"] for r in rs)
retried = sum(len(r["attempts"]) > 1 for r in rs)
resets = sum(a["transport"] == "reset" for r in rs for a in r["attempts"])
print("retried calls: %d, dropped responses: %d" % (retried, resets))
assert retried > 0 and resets > 0
PY
# List every invoice of the tenant, page by page, through apierr call (the
# listing meets the 503s too).
python3 - "$APIERR" "$BASE/v1/tenants/$TENANT/invoices" "$N" $(oauth_opts) <<'PY' ||
import json, subprocess, sys
apierr, url, n, auth = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
numbers, cursor = [], None
while True:
    page_url = url + "?limit=100" + ("&cursor=" + cursor if cursor else "")
    out = subprocess.run([apierr, "call", "--retries", "10", *auth, page_url],
                         check=True, capture_output=True).stdout
    page = json.loads(out)
    numbers += [i["documentNumber"] for i in page["data"]]
    cursor = page.get("nextCursor")
    if not cursor:
        break
print("invoices: %d, distinct: %d" % (len(numbers), len(set(numbers))))
assert len(numbers) == n and len(set(numbers)) == n
PY
    fail "invoices lost or duplicated"
echo "ok: $N POSTs through drops and 503s created exactly $N invoices"
