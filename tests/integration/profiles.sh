#!/usr/bin/env bash
# `apierr profiles`: list, show NAME, show --file, and the usage errors.
set -u
: "${APIERR:?path of the apierr binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # description, then a command that must succeed
    local what=$1
    shift
    if ! "$@"; then
        echo "FAIL: $what"
        fails=$((fails + 1))
    fi
}
expect_rc() { # expected exit code, command...
    local want=$1
    shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "FAIL: '$*' exited $rc, want $want"
        cat "$tmp/err"
        fails=$((fails + 1))
    fi
}

# The list: one line per built-in, name first, with a description.
expect_rc 0 "$APIERR" profiles
for name in default giponext gotab nested laravel gestix; do
    check "list has $name" grep -Eq "^$name +[A-Za-z]" "$tmp/out"
done
check "list has 6 lines" test "$(wc -l <"$tmp/out")" -eq 6

# show NAME prints the resolved profile as JSON.
expect_rc 0 "$APIERR" profiles show gestix
cp "$tmp/out" "$tmp/gestix.json"
check "show gestix: name" grep -q '"name": "gestix"' "$tmp/gestix.json"
check "show gestix: nonce in query" grep -q '"idempotency_key": "nonce"' "$tmp/gestix.json"
check "show gestix: query" grep -q '"idempotency_key_in": "query"' "$tmp/gestix.json"
check "show gestix: 400" grep -q '"validation_status": 400' "$tmp/gestix.json"
check "show gestix: DB_TIMEOUT rule" grep -q '"code": "DB_TIMEOUT"' "$tmp/gestix.json"
expect_rc 0 "$APIERR" profiles show gotab
check "show gotab: 15 s default" grep -q '"rate_limited_delay_ms": 15000' "$tmp/out"

# show --file reads it back: the same bytes.
expect_rc 0 "$APIERR" profiles show --file "$tmp/gestix.json"
check "show --file round-trips" cmp -s "$tmp/out" "$tmp/gestix.json"

# A file for an API we do not ship.
cat >"$tmp/acme.json" <<'JSON'
{"extends": "gotab", "name": "acme", "description": "ACME", "policy": {"max_attempts": 2}}
JSON
expect_rc 0 "$APIERR" profiles show --file "$tmp/acme.json"
check "acme: name" grep -q '"name": "acme"' "$tmp/out"
check "acme: max_attempts" grep -q '"max_attempts": 2' "$tmp/out"
check "acme: inherits the dialect" grep -q '"dialect": "flat"' "$tmp/out"

# Errors: exit 2 with a message that names the problem.
expect_rc 2 "$APIERR" profiles show nosuch
check "bad name: message" grep -q "no profile named 'nosuch'" "$tmp/err"
echo '{"policy": {"jitter": "sometimes"}}' >"$tmp/bad.json"
expect_rc 2 "$APIERR" profiles show --file "$tmp/bad.json"
check "bad file: message" grep -q "unknown jitter 'sometimes'" "$tmp/err"
echo '{"name": ' >"$tmp/broken.json"
expect_rc 2 "$APIERR" profiles show --file "$tmp/broken.json"
expect_rc 2 "$APIERR" profiles show
expect_rc 2 "$APIERR" profiles frob
expect_rc 2 "$APIERR" profiles show --file
expect_rc 1 "$APIERR" profiles show --file "$tmp/does-not-exist.json"
check "missing file: message" grep -q "cannot read" "$tmp/err"
expect_rc 0 "$APIERR" profiles --help

[ "$fails" -eq 0 ] && echo "profiles: all checks passed"
exit $((fails > 0))
