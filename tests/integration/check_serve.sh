#!/usr/bin/env bash
# `apierr check` against `apierr serve` in every profile: every check passes,
# except the ones skipped for a stated reason and the expected failures,
# each marked with the server defect it comes from (so that the mark flips
# when the server is fixed: assert_report.py fails on an unexpected pass).
# Then a 503 outage, the request budget, secrets, exit statuses and the
# JUnit report. The --json report is checked by content, never by eye.
set -u
. "$(dirname "$0")/lib/serve_common.sh"
API=/v1/tenants/acme/invoices
CLIENT=demo:s3cret:acme:invoices:read,invoices:write

. "$LIB/../check/report.sh"

token_of() { # URL PROFILE: a bearer token (a session for gestix)
    if [ "$2" = gestix ]; then
        curl -s -H "X-API-Token: demo:s3cret" "$1/helo" |
            "$PY" -S -c 'import json,sys; print(json.load(sys.stdin)["xa-token"])'
    else
        curl -s -u demo:s3cret -d grant_type=client_credentials "$1/oauth/token" |
            "$PY" -S -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
    fi
}

for profile in default giponext gotab nested laravel gestix; do
    # 12 requests a minute per credential: the probes with the token use 8,
    # so the burst meets the limit.
    start_server "$profile" --profile "$profile" --client "$CLIENT" --rate 12/60 --max-body 65536
    args=(--profile "$profile" --path "$API" --write-path "$API" --burst 12 --oversize 100000)
    if [ "$profile" = giponext ]; then
        args+=(--oauth "$URL/oauth/token" --client-id demo --client-secret s3cret)
    else
        args+=(--token "$(token_of "$URL" "$profile")")
    fi
    want=(--default pass "unavailable.retry-after=skip")
    case $profile in
    # Its errors are problem+json whatever Accept says: nothing negotiated.
    default) want+=("content-type.vary=skip") ;;
    # Seed 004: a missing or invalid session is a 403, which needs no challenge.
    gestix) want+=("auth.missing.challenge=skip" "auth.missing.no-error-code=skip"
        "auth.invalid.error-code=skip") ;;
    esac
    report "serve_$profile" "${want[@]}" -- "${args[@]}" "$URL"
done

# The expectations can fail: an expected failure that passes (the server
# was fixed), a pass wanted where the report says fail, a wrong exit status.
for wrong in "not-found.status=xfail:fixed" "not-found.status=fail" "no.such-check=pass"; do
    "$PY" -S "$CHECK_FIX/assert_report.py" "$TMP/serve_default.json" 0 "$wrong" >/dev/null &&
        fail "assert_report.py accepted $wrong"
done
"$PY" -S "$CHECK_FIX/assert_report.py" "$TMP/serve_default.json" 9 >/dev/null &&
    fail "assert_report.py accepted exit status 9 with no failed error check"

# Every /v1 request answers 503 with Retry-After: the check passes (that
# it fails on a 503 without one is shown by check_fixture.sh: `--faults
# 503:P` without RA is documented to send none).
start_server ra --client "$CLIENT" --faults 503:1:3
report "503_with_ra" "unavailable.retry-after=pass" "auth.missing.status=fail" -- \
    --path "$API" "$URL"

# The budget holds: 3 requests, the rest skipped for it.
start_server budget --client "$CLIENT"
report budget -- --max-requests 3 --path "$API" --burst 50 "$URL"
"$PY" -S - "$TMP/budget.json" <<'EOF' || fail "budget: more than 3 requests, or no probe skipped for it"
import json, sys
j = json.load(open(sys.argv[1]))
skipped = [p for p in j["probes"] if p["skipped"] and "budget" in p["skipped"]]
sys.exit(0 if j["requests"] <= 3 and skipped else 1)
EOF

# JUnit: one testcase per check, failures as the report counts them.
"$APIERR" check --pause 0 --junit "$TMP/junit.xml" --path "$API" "$URL" >"$TMP/text.txt"
"$PY" -S - "$TMP/junit.xml" "$TMP/budget.json" <<'EOF' || fail "JUnit report"
import json, sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot()
cases = suite.findall("testcase")
ids = [c["id"] for c in json.load(open(sys.argv[2]))["checks"]]
fails = sum(1 for c in cases if c.find("failure") is not None)
assert [c.get("name") for c in cases] == ids, "testcases are not the checks"
assert int(suite.get("failures")) == fails and int(suite.get("tests")) == len(ids)
EOF
grep -q '^score: [0-9]*/100 ' "$TMP/text.txt" || fail "text report has no score line"
# Colours on a terminal only, and never with --no-color.
if command -v script >/dev/null 2>&1; then
    script -qec "env -u NO_COLOR \"$APIERR\" check --pause 0 --path $API $URL" /dev/null >"$TMP/tty.txt" 2>&1
    grep -q $'\033\\[32mPASS' "$TMP/tty.txt" || fail "no colour on a terminal"
    script -qec "\"$APIERR\" check --no-color --pause 0 --path $API $URL" /dev/null >"$TMP/tty2.txt" 2>&1
    grep -q $'\033' "$TMP/tty2.txt" && fail "colour despite --no-color"
fi
grep -q $'\033' "$TMP/text.txt" && fail "colour in a file"
grep -q '^PASS error   not-found.status ' "$TMP/text.txt" || fail "text report: no PASS line"

# Credentials that cannot be had, and a server that is not there, are not
# a report of the API (no crash either: the call never made an attempt).
"$APIERR" check --pause 0 --oauth "$URL/oauth/token" --client-id demo --client-secret wrong \
    --path "$API" "$URL" >"$TMP/creds.out" 2>&1
[ $? = 5 ] || fail "refused OAuth credentials: want exit status 5: $(cat "$TMP/creds.out")"
"$APIERR" check --pause 0 "http://127.0.0.1:1" >"$TMP/down.out" 2>&1
[ $? = 3 ] || fail "no server: want exit status 3: $(cat "$TMP/down.out")"

# Secrets in BASE_URL or in a path's query stay out of every report.
userinfo=${URL/http:\/\//http://user:pa55word@}
"$APIERR" check --pause 0 --json --junit "$TMP/secret.xml" --path "$API?api_key=k3yk3y" \
    "$userinfo" >"$TMP/secret.json" 2>&1
"$APIERR" check --pause 0 --path "$API?api_key=k3yk3y" "$userinfo" >"$TMP/secret.txt" 2>&1
grep -q '"probes"' "$TMP/secret.json" || fail "no report with a user:password URL"
if grep -l -e pa55word -e k3yk3y "$TMP"/secret.*; then fail "a secret is in a report"; fi

# Usage errors are usage errors.
for bad in "" "ftp://x" "--burst 3 http://127.0.0.1:1" "--path nope http://127.0.0.1:1" \
    "--oauth http://other.example/t --client-id a http://127.0.0.1:1"; do
    # shellcheck disable=SC2086
    "$APIERR" check $bad >/dev/null 2>&1
    [ $? = 2 ] || fail "apierr check $bad: want exit status 2"
done
"$APIERR" check "http://127.0.0.1:1/a b" >/dev/null 2>&1
[ $? = 2 ] || fail "a BASE_URL with a blank: want exit status 2"

