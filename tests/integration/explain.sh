#!/usr/bin/env bash
# `apierr explain` and `apierr convert` over real error bodies: the seeds'
# examples, a problem+json with Retry-After, an HTML page from a proxy,
# garbage bytes, nothing at all. Checks the prose, the --json interface
# (parsed with python3's json module), usage errors, and that a body
# converted to each encodable dialect explains back to the same problem.
set -u
apierr=${APIERR:?APIERR is not set}
src=${APIERR_SOURCE_DIR:?APIERR_SOURCE_DIR is not set}
seeds=$src/examples/seed-bodies
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
checks=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# Every --json output: exactly one object, with the stable keys and types
# of apierr(1); then each Python expression given (over `o`) must hold.
json_schema='
import json, sys
try:
    o = json.loads(open(sys.argv[1], encoding="utf-8").read())  # exactly one value
except ValueError as e:
    print("  not one JSON value: %s" % e)
    sys.exit(1)
assert isinstance(o, dict), "not an object"
def opt(t): return lambda v: v is None or isinstance(v, t)
types = {"status": opt(int), "code": opt(str), "message": opt(str), "details": lambda v: isinstance(v, list),
         "request_id": opt(str), "timestamp": opt(str), "retry_after_ms": opt(int),
         "dialect": lambda v: isinstance(v, str), "category": lambda v: isinstance(v, str),
         "action": lambda v: isinstance(v, str), "rule": opt(str),
         "checklist_step": lambda v: isinstance(v, int) and 1 <= v <= 7}
for k, ok in types.items():
    assert k in o, "missing key " + k
    assert ok(o[k]), "bad type for %s: %r" % (k, o[k])
for d in o["details"]:
    assert set(d) >= {"field", "message", "code"}, "bad detail %r" % d
    assert all(v is None or isinstance(v, str) for v in d.values()), "bad detail %r" % d
bad = [e for e in sys.argv[2:] if not eval(e)]
for e in bad: print("  false: %s\n  in: %s" % (e, json.dumps(o, ensure_ascii=False)))
sys.exit(1 if bad else 0)
'

# run NAME EXPECTED_EXIT ARGS... : runs apierr with stdin from $tmp/in
# (empty unless set), output in $tmp/out and $tmp/err.
run() {
    local name=$1 want=$2
    shift 2
    checks=$((checks + 1))
    "$apierr" "$@" <"${IN:-/dev/null}" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" -ne "$want" ]; then
        fail "$name: exit $got, expected $want ($*)"
        sed 's/^/  stderr: /' "$tmp/err" | head -5
        return 1
    fi
}

# json NAME EXPR... : checks $tmp/out as explain --json output.
json() {
    local name=$1
    shift
    python3 -c "$json_schema" "$tmp/out" "$@" || fail "$name: --json output"
}

# prose NAME PATTERN... : each extended regex must match a line of $tmp/out.
prose() {
    local name=$1
    shift
    for pat in "$@"; do
        LC_ALL=C grep -Eq -- "$pat" "$tmp/out" || fail "$name: no line matches '$pat'"
    done
}

# --- seed 001: GoTab's 401 invalid_token --------------------------------------
body=$seeds/001-gotab-401-invalid-token.json
run gotab401 0 explain "$body" &&
    prose gotab401 '^HTTP 401 Unauthorized$' '^dialect: +flat' '^code: +invalid_token$' \
        '^message: +The access token has expired\.$' '^what happened: +unauthenticated' \
        '^what to do: +refresh_credentials' '^checklist: +step 3 of 7, verify the token' \
        'then step 6, retry'
run gotab401-json 0 explain --json "$body" &&
    json gotab401 'o["status"] == 401' 'o["code"] == "invalid_token"' \
        'o["message"] == "The access token has expired."' 'o["details"] == []' \
        'o["dialect"] == "flat"' 'o["category"] == "unauthenticated"' \
        'o["action"] == "refresh_credentials"' 'o["retry_after_ms"] is None' \
        'o["request_id"] is None' 'o["checklist_step"] == 3' 'o["checklist_next"] == 6'

# GoTab 403: verify the scope, do not retry.
run gotab403 0 explain --json "$seeds/001-gotab-403-forbidden.json" &&
    json gotab403 'o["status"] == 403' 'o["category"] == "forbidden"' \
        'o["action"] == "give_up"' 'o["checklist_step"] == 3' 'o["checklist_next"] is None'

# GoTab 422 with details, read from standard input.
IN=$seeds/001-gotab-422-validation-failed.json run gotab422 0 explain --json - &&
    json gotab422 'o["code"] == "validation_failed"' 'len(o["details"]) == 2' \
        'o["details"][0] == {"field": "api_access_id", "message": "Required", "code": None}' \
        'o["details"][1]["field"] == "grant_type"' 'o["category"] == "unprocessable"' \
        'o["action"] == "fix_request"' 'o["checklist_step"] == 2'

# --- seeds 000/003: fieldmap 422 ------------------------------------------------
body=$seeds/003-fieldmap-422-invalid-data.json
run fieldmap422 0 explain --status 422 --profile giponext "$body" &&
    prose fieldmap422 '^HTTP 422 Unprocessable' '^dialect: +fieldmap' '^profile: +giponext$' \
        '^message: +The given data was invalid\.$' '^fields:$' \
        '^  email: The email field is required\.$' \
        '^  email: The email must be a valid email address\.$' \
        '^  amount: The amount must be greater than 0\.$' '^checklist: +step 2 of 7'
run fieldmap422-json 0 explain --json --status=422 "$body" &&
    json fieldmap422 'o["status"] == 422' 'o["code"] is None' 'o["dialect"] == "fieldmap"' \
        '[d["field"] for d in o["details"]] == ["email", "email", "amount"]' \
        'o["details"][2]["message"] == "The amount must be greater than 0."' \
        'o["category"] == "unprocessable"' 'o["action"] == "fix_request"'

# Field paths come out dotted.
printf '%s' '{"message":"Invalid order.","errors":{"items[0].price":["must be > 0"]}}' >"$tmp/items.json"
run fieldpath 0 explain --status 422 "$tmp/items.json" && prose fieldpath '^  items\.0\.price: must be > 0$'

# --- seed 004: Gestix 400 ---------------------------------------------------------
body=$seeds/004-gestix-400-invalid-argument.json
run gestix400 0 explain --status 400 "$body" &&
    prose gestix400 '^HTTP 400 Bad Request$' '^dialect: +gestix' '^code: +INVALID_ARGUMENT$' \
        '^request id: +req-abc123$' '^timestamp: +2024-11-15T10:30:00Z$' \
        '^path: +/invoices$' 'mention request id req-abc123'
run gestix400-json 0 explain --json --status 400 --profile gestix "$body" &&
    json gestix400 'o["status"] == 400' 'o["code"] == "INVALID_ARGUMENT"' \
        'o["message"] == "Field '"'currency'"' is required"' 'o["request_id"] == "req-abc123"' \
        'o["timestamp"] == "2024-11-15T10:30:00Z"' 'o["dialect"] == "gestix"' \
        'o["profile"] == "gestix"' 'o["category"] == "invalid_request"' \
        'o["action"] == "fix_request"' 'o["checklist_step"] == 2'

# No status anywhere: classified as unknown, step 1.
run nostatus 0 explain --json "$body" &&
    json nostatus 'o["status"] is None' 'o["category"] == "unknown"' 'o["checklist_step"] == 1'

# --- problem+json with Retry-After and a request-id header ------------------------
cat >"$tmp/problem.json" <<'EOF'
{"type":"https://example.com/probs/rate-limit","title":"Too Many Requests","status":429,
 "detail":"You sent 120 requests in the last minute.","instance":"/orders/7","limit":100}
EOF
run problem429 0 explain --json --content-type application/problem+json \
    --header 'Retry-After: 30' --header 'X-Request-Id: rid-42' "$tmp/problem.json" &&
    json problem429 'o["status"] == 429' 'o["dialect"] == "problem"' \
        'o["message"] == "You sent 120 requests in the last minute."' \
        'o["type"] == "https://example.com/probs/rate-limit"' 'o["instance"] == "/orders/7"' \
        'o["retry_after_ms"] == 30000' 'o["request_id"] == "rid-42"' \
        'o["category"] == "rate_limited"' 'o["action"] == "retry"' \
        'o["checklist_step"] == 5' 'o["checklist_next"] == 6' 'o["extensions"] == {"limit": 100}'
run problem429-prose 0 explain --header 'Retry-After: 30' "$tmp/problem.json" &&
    prose problem429 '^retry after: +30 s$' '^checklist: +step 5 of 7, check rate limits'

# Retry-After as an HTTP-date: measured from the real clock.
future=$(python3 -c 'import email.utils, time; print(email.utils.formatdate(time.time() + 120, usegmt=True))')
run retrydate 0 explain --json --header "Retry-After: $future" "$tmp/problem.json" &&
    json retrydate '100000 <= o["retry_after_ms"] <= 121000'
run retrypast 0 explain --json --header 'Retry-After: Sun, 06 Nov 1994 08:49:37 GMT' \
    "$tmp/problem.json" && json retrypast 'o["retry_after_ms"] == 0'
run retryjunk 0 explain --json --header 'Retry-After: soon' "$tmp/problem.json" &&
    json retryjunk 'o["retry_after_ms"] is None'

# --- an HTML 502 page from a proxy ------------------------------------------------
cat >"$tmp/502.html" <<'EOF'
<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
EOF
run html502 0 explain --json --status 502 --content-type text/html "$tmp/502.html" &&
    json html502 'o["status"] == 502' 'o["dialect"] == "html"' 'isinstance(o["message"], str)' \
        'o["category"] == "server"' 'o["action"] == "retry"' 'o["checklist_step"] == 6' \
        'o["checklist_next"] == 7'
run html502-prose 0 explain --status 502 "$tmp/502.html" &&
    prose html502 '^HTTP 502 Bad Gateway$' '^checklist: +step 6 of 7, retry' \
        'then step 7, contact support'

# --- empty input --------------------------------------------------------------------
run empty 0 explain --json --status 503 /dev/null &&
    json empty 'o["status"] == 503' 'o["message"] is None' 'o["text"] == "Service Unavailable"' \
        'o["details"] == []' 'o["action"] == "retry"'
IN=/dev/null run empty-stdin 0 explain && prose empty-stdin '^HTTP status unknown'

# --- garbage: invalid UTF-8, control bytes, random bytes ---------------------------
# Not JSON (jansson refuses invalid UTF-8), so it is read as text; the output
# must still be valid JSON, and the terminal must not receive the escape.
printf '{"message":"bad \377\376 byte \033[31m red","errors":{"f\300\257":["x\355\240\200y"]}}' \
    >"$tmp/badutf8.json"
run badutf8 0 explain --json --status 400 "$tmp/badutf8.json" &&
    json badutf8 'o["dialect"] == "text"' \
        'o["message"].startswith("{\"message\":\"bad \ufffd\ufffd byte \x1b[31m red")' \
        'o["category"] == "invalid_request"'
run badutf8-prose 0 explain --status 400 "$tmp/badutf8.json" &&
    prose badutf8 'bad .* byte \\x1b\[31m red'
if grep -q $'\033' "$tmp/out"; then fail "badutf8: an escape byte reached the terminal"; fi
# Valid JSON whose strings hold control characters.
printf '%s' '{"message":"red \u001b[31m alert\u0007","errors":{"a\nb":["c\td"]}}' \
    >"$tmp/control.json"
run control 0 explain --json --status 422 "$tmp/control.json" &&
    json control 'o["dialect"] == "fieldmap"' 'o["message"] == "red \x1b[31m alert\x07"' \
        'len(o["details"]) == 1'
run control-prose 0 explain --status 422 "$tmp/control.json" &&
    prose control '^message: +red \\x1b\[31m alert\\x07$' '^  a\\x0ab: '
if grep -q $'[\033\007]' "$tmp/out"; then fail "control: a control byte reached the terminal"; fi

python3 -c '
import random, sys
r = random.Random(20261121)
for i in range(8):
    n = r.choice([1, 7, 100, 4096, 70000])
    data = bytes(r.randrange(256) for _ in range(n))
    if i % 2: data = b"{\"message\":\"" + data + b"\"}"
    open(sys.argv[1] + "/garbage%d.bin" % i, "wb").write(data)
' "$tmp"
for f in "$tmp"/garbage*.bin; do
    run "garbage $(basename "$f")" 0 explain --json --status 500 "$f" &&
        json "garbage $(basename "$f")" 'o["status"] == 500' 'isinstance(o["message"], str)'
    run "garbage-prose $(basename "$f")" 0 explain "$f"
done

# --- profiles: the dialect, and rules that refine the status registry ----------------
printf '%s' '{"error":"invalid_token","message":"expired"}' >"$tmp/ambiguous.json"
run profile-gotab 0 explain --json --profile gotab "$tmp/ambiguous.json" &&
    json profile-gotab 'o["dialect"] == "flat"' 'o["code"] == "invalid_token"'
run profile-dialect 0 explain --json --profile gotab --dialect nested "$tmp/ambiguous.json" &&
    json profile-dialect 'o["dialect"] == "nested"'
for p in default giponext gotab nested laravel gestix; do
    run "profile $p" 0 explain --json --status 429 --profile "$p" "$seeds/001-gotab-429-rate-limit.json" &&
        json "profile $p" "o[\"profile\"] == \"$p\"" 'o["category"] == "rate_limited"'
done
# Seed 004: a Gestix 403 is an expired session: re-authenticate, then retry.
printf '%s' '{"code":"AUTH_FAILED","message":"Session expired","timestamp":"2024-11-15T10:30:00Z"}' \
    >"$tmp/gestix403.json"
run gestix403 0 explain --json --status 403 "$tmp/gestix403.json" &&
    json gestix403 'o["category"] == "forbidden"' 'o["action"] == "give_up"' 'o["rule"] is None' \
        'o["checklist_step"] == 3' 'o["checklist_next"] is None'
run gestix403-profile 0 explain --json --status 403 --profile gestix "$tmp/gestix403.json" &&
    json gestix403-profile 'o["category"] == "unauthenticated"' \
        'o["action"] == "refresh_credentials"' 'o["rule"].startswith("seed 004")' \
        'o["checklist_step"] == 3' 'o["checklist_next"] == 6'
run gestix403-prose 0 explain --status 403 --profile gestix "$tmp/gestix403.json" &&
    prose gestix403 '^profile: +gestix$' '^because: +seed 004' 'then step 6, retry'
printf '%s' '{"code":"DB_TIMEOUT","message":"Database timeout"}' >"$tmp/dbtimeout.json"
run gestix-db-timeout 0 explain --json --status 400 --profile gestix "$tmp/dbtimeout.json" &&
    json gestix-db-timeout 'o["action"] == "retry"' 'o["category"] == "server"'
# Seed 003 uses API keys: a refresh cannot fix its 401.
run laravel401 0 explain --json --status 401 --profile laravel "$seeds/001-gotab-401-unauthorized.json" &&
    json laravel401 'o["action"] == "fix_request"' 'o["dialect"] == "fieldmap"' \
        'o["checklist_step"] == 3' 'o["checklist_next"] is None'
# The policy's retryable set decides: 501 is not retried, 503 is.
run status501 0 explain --json --status 501 /dev/null && json status501 'o["action"] == "give_up"' \
    'o["checklist_step"] == 7' 'o["checklist_next"] is None'
run status503 0 explain --json --status 503 /dev/null && json status503 'o["action"] == "retry"'
# GraphQL over HTTP 200 is judged by its error code: the wire status stays,
# the effective status is the code's.
run graphql200 0 explain --json --status 200 "$seeds/001-gotab-401-graphql.json" &&
    json graphql200 'o["status"] == 200' 'o["effective_status"] == 401' \
        'o["category"] == "unauthenticated"' \
        'o["action"] == "refresh_credentials"'
# A profile file with a custom dialect (apierr(1), PROFILES): its JSON paths
# read the body, the general rules the rest.
printf '%s' '{"name":"acme","custom_dialect":{"code":"fault.id","message":"fault.text","details":"fault.problems","detail_field":"where","detail_message":"what","request_id":"meta.trace"}}' >"$tmp/custom.json"
printf '%s' '{"fault":{"id":"E42","text":"The order is invalid","problems":[{"where":"lines[0].qty","what":"must be positive"}]},"meta":{"trace":"t-9"}}' >"$tmp/custom-body.json"
run custom-dialect 0 explain --json --status 422 --profile "$tmp/custom.json" "$tmp/custom-body.json" &&
    json custom-dialect 'o["dialect"] == "custom"' 'o["code"] == "E42"' \
        'o["message"] == "The order is invalid"' 'o["request_id"] == "t-9"' \
        'o["details"] == [{"field": "lines.0.qty", "message": "must be positive", "code": None}]'
# A profile file, as `apierr profiles show` prints one.
printf '%s' '{"name":"acme","extends":"gestix","dialect":"nested"}' >"$tmp/acme.json"
run profile-file 0 explain --json --status 403 --profile "$tmp/acme.json" "$tmp/ambiguous.json" &&
    json profile-file 'o["profile"] == "acme"' 'o["dialect"] == "nested"' \
        'o["action"] == "refresh_credentials"'

# --- usage errors exit 2, unreadable input exits 1 ---------------------------------------
usage() {
    local name=$1
    shift
    run "$name" 2 "$@" && { grep -q "^try 'apierr $1 --help'\$" "$tmp/err" || fail "$name: no hint on stderr"; }
    [ -s "$tmp/out" ] && fail "$name: wrote to stdout"
}
usage unknown-option explain --frobnicate "$body"
usage status-junk explain --status abc "$body"
usage status-low explain --status 99 "$body"
usage status-high explain --status 600 "$body"
usage status-missing explain --status
usage header-bad explain --header 'no colon here' "$body"
usage header-empty-name explain --header ': value' "$body"
usage dialect-unknown explain --dialect klingon "$body"
usage profile-unknown explain --profile klingon "$body"
grep -q 'gestix' "$tmp/err" || fail "profile-unknown: the profiles are not listed"
printf '%s' '{"name":"bad","max_atempts":3}' >"$tmp/typo.json"
usage profile-file-typo explain --profile "$tmp/typo.json" "$body"
usage profile-file-missing explain --profile "$tmp/nope.json" "$body"
usage two-files explain "$body" "$body"
usage json-with-value explain --json=yes "$body"
usage convert-no-to convert "$body"
usage convert-decode-only convert --to google "$body"
grep -q 'problem, fieldmap, flat, nested, gestix, graphql' "$tmp/err" ||
    fail "convert-decode-only: the encodable dialects are not listed"
usage convert-unknown convert --to klingon "$body"
grep -q 'encodable dialects are: problem' "$tmp/err" || fail "convert-unknown: no list"
usage convert-from-unknown convert --to flat --from klingon "$body"
# A built-in profile's name stands for its dialect (the default's: problem).
for pd in giponext:fieldmap gotab:flat gestix:gestix default:problem; do
    run "convert --to ${pd%%:*}" 0 convert --to "${pd%%:*}" --status 422 "$body" || continue
    cp "$tmp/out" "$tmp/by_profile"
    run "convert --to ${pd#*:}" 0 convert --to "${pd#*:}" --status 422 "$body" || continue
    cmp -s "$tmp/out" "$tmp/by_profile" || fail "convert --to ${pd%%:*} is not --to ${pd#*:}"
done
run "explain --dialect gotab" 0 explain --json --dialect gotab --status 422 "$body" &&
    { grep -q '"dialect": *"flat"' "$tmp/out" || fail "explain --dialect gotab: $(head -c 200 "$tmp/out")"; }

for cmd in explain convert; do
    run "$cmd --help" 0 "$cmd" --help && prose "$cmd --help" "^usage: apierr $cmd"
done

run missing-file 1 explain "$tmp/does-not-exist.json"
run directory 1 explain "$tmp"
head -c $((16 * 1024 * 1024 + 1)) /dev/zero >"$tmp/huge.bin"
run too-large 1 explain "$tmp/huge.bin" && { grep -q 'larger than' "$tmp/err" || fail "too-large: no reason"; }
rm -f "$tmp/huge.bin"
run convert-missing-file 1 convert --to flat "$tmp/does-not-exist.json"

# --- convert round trip: every encodable dialect ---------------------------------------
cat >"$tmp/rt.json" <<'EOF'
{"error":{"code":"VALIDATION","message":"The order is invalid.",
 "details":[{"field":"items[0].price","message":"must be > 0"},{"field":"/customer/email","message":"is required"}]}}
EOF
# What each dialect has room for; a new encodable dialect must be added here.
declare -A carries=([problem]="code message details" [fieldmap]="message details"
    [flat]="code message details" [nested]="code message details" [gestix]="code message details"
    [graphql]="code message details" [oauth]="code message")
run list-encodable 2 convert --to auto "$tmp/rt.json"
encodable=$(sed -n 's/.*encodable dialects are: //p' "$tmp/err" | tr -d ',')
[ -n "$encodable" ] || fail "could not read the encodable dialects"
run original 0 explain --json --status 422 "$tmp/rt.json" && cp "$tmp/out" "$tmp/original.json"
for d in $encodable; do
    if [ -z "${carries[$d]:-}" ]; then
        fail "round trip: encodable dialect $d is not in this test's table"
        continue
    fi
    run "convert --to $d" 0 convert --to "$d" --status 422 "$tmp/rt.json" || continue
    cp "$tmp/out" "$tmp/converted"
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/converted" ||
        fail "convert --to $d: not JSON"
    run "explain $d" 0 explain --json --status 422 "$tmp/converted" || continue
    exprs=("o[\"dialect\"] == \"$d\"")
    for k in ${carries[$d]}; do
        exprs+=("o[\"$k\"] == json.load(open(\"$tmp/original.json\"))[\"$k\"]")
    done
    json "round trip $d" "${exprs[@]}"
done
python3 -c "$json_schema" "$tmp/original.json" \
    'o["code"] == "VALIDATION"' \
    '[d["field"] for d in o["details"]] == ["items.0.price", "customer.email"]' ||
    fail "round trip: the original does not decode as expected"

# --- make run: every seed body explained under its heading -----------------------------
checks=$((checks + 1))
if sh "$src/scripts/run.sh" --explain "$apierr" >"$tmp/run.out" 2>"$tmp/run.err"; then
    for f in "$seeds"/*.json; do
        grep -q "^=== $(basename "$f" .json) " "$tmp/run.out" || fail "run.sh: no heading for $f"
    done
    n=$(ls "$seeds"/*.json | wc -l)
    [ "$(grep -c '^what to do:' "$tmp/run.out")" -eq "$n" ] || fail "run.sh: not $n explanations"
    grep -q '^retry after: *15 s$' "$tmp/run.out" || fail "run.sh: the 429's Retry-After header was not passed"
else
    fail "run.sh exited non-zero"
    head -5 "$tmp/run.err"
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s) in $checks runs"
    exit 1
fi
echo "explain/convert: $checks runs passed"
