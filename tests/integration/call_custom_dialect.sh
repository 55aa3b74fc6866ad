# A profile file's custom dialect (issue 10) reaches `apierr call` and the
# client library, not only `apierr explain`: an API whose errors no dialect
# reads (the code under fault.id, the field failures under fault.problems)
# answers from a scripted server, and the problem `call` reports is the one
# the profile's paths point at; `profiles show --file` prints the dialect
# and reads its own output back.
. "$(dirname "$0")/call_lib.bash"
BODY='{"fault":{"id":"E42","text":"The order is invalid","problems":[{"where":"lines[0].qty","what":"must be positive","kind":"range"}]},"meta":{"trace":"t-9"}}'
cat >"$TMP/acme.py" <<'PY'
import sys
from scripted_server import Handler, serve
class H(Handler):
    def do_POST(self):
        self.read_body()
        self.send(422, sys.argv[1].encode())
serve(H)
PY
start_script "$TMP/acme.py" "$BODY"
cat >"$TMP/acme.json" <<'JSON'
{"name": "acme", "extends": "default",
 "custom_dialect": {"code": "fault.id", "message": "fault.text", "details": "fault.problems",
                    "detail_field": "where", "detail_message": "what", "detail_code": "kind",
                    "request_id": "meta.trace"}}
JSON

rc=0
"$APIERR" call --profile "$TMP/acme.json" --output-json --json '{"x":1}' "$URL/orders" \
    >"$TMP/out.json" 2>"$TMP/err" || rc=$?
[ "$rc" = 4 ] || fail "a 422: exit $rc, want 4: $(cat "$TMP/err")"
got=$(json_get '(d["problem"]["code"], d["problem"]["message"], d["problem"]["request_id"], d["problem"]["details"])' <"$TMP/out.json")
want="('E42', 'The order is invalid', 't-9', [{'field': 'lines.0.qty', 'message': 'must be positive', 'code': 'range'}])"
[ "$got" = "$want" ] || fail "call --profile FILE: $got, want $want"

# Without the profile the same body is read by the general rules alone:
# the custom paths are what made the difference.
"$APIERR" call --output-json --json '{"x":1}' "$URL/orders" >"$TMP/plain.json" 2>/dev/null || true
[ "$(json_get '(d["problem"]["code"], d["problem"]["message"], d["problem"]["request_id"], d["problem"]["details"])' <"$TMP/plain.json")" != "$want" ] ||
    fail "the general rules alone read it all: this test proves nothing"

# The problem on stderr (no --output-json) is the same one.
"$APIERR" call --profile "$TMP/acme.json" --json '{"x":1}' "$URL/orders" >/dev/null 2>"$TMP/err" || true
grep -q 'E42' "$TMP/err" || fail "stderr does not name the code: $(cat "$TMP/err")"

# profiles show --file prints the custom dialect, and reads its output back.
"$APIERR" profiles show --file "$TMP/acme.json" >"$TMP/shown.json" ||
    fail "profiles show --file: exit $?"
[ "$(json_get '(d["custom_dialect"]["code"], d["custom_dialect"]["detail_code"])' <"$TMP/shown.json")" = "('fault.id', 'kind')" ] ||
    fail "profiles show does not print the custom dialect: $(cat "$TMP/shown.json")"
"$APIERR" profiles show --file "$TMP/shown.json" >"$TMP/again.json" || fail "show --file of its own output"
cmp -s "$TMP/shown.json" "$TMP/again.json" || fail "profiles show --file does not round-trip the custom dialect"
echo "ok: a profile file's custom dialect decodes the errors of apierr call; profiles show prints it"
