# GraphQL over HTTP (issue 15): `explain` and `call` share one decision on
# a 200 that carries errors, and a 200 with data and errors is a partial
# success (the data returned, the errors reported, exit 0), not a retry.
. "$(dirname "$0")/call_lib.bash"
UNAUTH='{"data":null,"errors":[{"message":"You must be logged in","extensions":{"code":"UNAUTHENTICATED"}}]}'
PARTIAL='{"data":{"invoice":{"id":1},"customer":null},"errors":[{"message":"customer resolver failed","path":["customer"],"extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}'
cat >"$TMP/gql.py" <<'PY'
import sys
from scripted_server import Handler, serve
bodies = {"/unauth": sys.argv[1].encode(), "/partial": sys.argv[2].encode()}
class H(Handler):
    def do_POST(self):
        self.read_body()
        with open(sys.argv[3], "a") as f:
            f.write(self.path + "\n")
        self.send(200, bodies.get(self.path, b"{}"))
serve(H)
PY
start_script "$TMP/gql.py" "$UNAUTH" "$PARTIAL" "$TMP/hits"
Q='{"query":"{ invoice { id } }"}'

# --- one decision: explain and call agree, under every profile ----------------
echo "$UNAUTH" >"$TMP/unauth.json"
for prof in default gotab giponext; do
    e=$("$APIERR" explain --json --profile "$prof" --status 200 "$TMP/unauth.json" | json_get 'd["category"]')
    c=$("$APIERR" call --profile "$prof" --output-json --json "$Q" "$URL/unauth" 2>/dev/null | json_get 'd["category"]' || true)
    [ "$e" = "$c" ] || fail "$prof: explain says $e, call says $c"
    [ "$e" = unauthenticated ] || fail "$prof: the GraphQL UNAUTHENTICATED is $e"
done

# --- partial success --------------------------------------------------------------
: >"$TMP/hits"
rc=0
"$APIERR" call --profile gotab --json "$Q" "$URL/partial" >"$TMP/p.out" 2>"$TMP/p.err" || rc=$?
[ "$rc" = 0 ] || fail "partial success: exit $rc, want 0: $(cat "$TMP/p.err")"
json_get 'd["data"]["invoice"]["id"]' <"$TMP/p.out" | grep -qx 1 || fail "partial success: the data is not on stdout"
grep -q 'customer resolver failed' "$TMP/p.err" || fail "partial success: the errors are not reported"
[ "$(grep -c partial "$TMP/hits")" = 1 ] || fail "partial success was retried: $(grep -c partial "$TMP/hits") requests"
"$APIERR" call --profile gotab --output-json --json "$Q" "$URL/partial" >"$TMP/p.json" 2>/dev/null ||
    fail "partial success: --output-json exit status"
json_get 'd["ok"] and d["problem"]["message"]' <"$TMP/p.json" | grep -q 'customer resolver failed' ||
    fail "partial success: --output-json does not carry the errors"
echo "$PARTIAL" >"$TMP/partial.json"
e=$("$APIERR" explain --json --profile gotab --status 200 "$TMP/partial.json" | json_get 'd["category"]')
[ "$e" = ok ] || fail "explain calls a partial success $e"

# A profile may say that a partial success is a failure: both agree again.
echo '{"name": "strict", "policy": {"graphql_partial_ok": false}}' >"$TMP/strict.json"
rc=0
"$APIERR" call --profile "$TMP/strict.json" --output-json --json "$Q" "$URL/partial" \
    >"$TMP/strict.out" 2>/dev/null || rc=$?
[ "$rc" != 0 ] || fail "graphql_partial_ok false: the partial success exited 0"
c=$(json_get 'd["category"]' <"$TMP/strict.out")
e=$("$APIERR" explain --json --profile "$TMP/strict.json" --status 200 "$TMP/partial.json" | json_get 'd["category"]')
[ "$c" = "$e" ] || fail "graphql_partial_ok false: explain says $e, call says $c"
[ "$c" != ok ] || fail "graphql_partial_ok false: category ok"
echo "ok: explain and call share the GraphQL decision; partial success returns the data"
