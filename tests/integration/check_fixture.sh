#!/usr/bin/env bash
# `apierr check` against check/bad_api.py, a JSON API that gets the contract
# wrong in one way per check: every check's result is stated, so that each
# is seen to fail on the defect it is about and to pass where the API is
# right (the real servers of check_real.sh fail too much to show that).
set -u
: "${APIERR:?path of the apierr binary}"
TMP=$(mktemp -d)
FAILS=0
PY=$(python3 -c 'import sys; print(sys.executable)')
PID=
fail() {
    echo "FAIL: $*"
    FAILS=$((FAILS + 1))
}
cleanup() {
    [ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
. "$(dirname "$0")/check/report.sh"

"$PY" -u "$CHECK_FIX/bad_api.py" >"$TMP/api.out" 2>"$TMP/api.err" &
PID=$!
for _ in $(seq 1 100); do
    [ -s "$TMP/api.out" ] && break
    sleep 0.05
done
url=$(head -n 1 "$TMP/api.out")
case $url in http://127.0.0.1:*) ;; *)
    echo "bad_api.py did not start: $(cat "$TMP/api.err")"
    exit 1
    ;;
esac

report bad_api \
    not-found.status=pass not-found.machine-readable=pass errors.same-dialect=fail \
    method.status=pass method.allow=fail \
    auth.missing.status=pass auth.missing.challenge=pass auth.missing.no-error-code=fail \
    auth.invalid.status=pass auth.invalid.error-code=fail auth.no-store=fail \
    body.malformed-json=pass body.unsupported-type=fail body.too-large=pass \
    validation.status=pass validation.details=fail \
    request-id.present=pass request-id.echo=fail \
    content-type.json=fail content-type.problem=pass content-type.vary=fail \
    leak.none=fail rate-limit.429=pass rate-limit.retry-after=fail rate-limit.headers=fail \
    unavailable.retry-after=fail decode.all=pass -- \
    --token good --path /items --write-path /items --oversize 20000 --burst 5 "$url"

# The evidence names what was wrong, not just that something was.
"$PY" -S - "$TMP/bad_api.json" <<'PYEOF' || fail "bad_api: evidence"
import json, sys
j = json.load(open(sys.argv[1]))
# The third GET with the token is the first 429: the baseline was the first.
if j["burst"] != {"sent": 2, "answered_429": 1}:
    sys.exit("burst: %r" % (j["burst"],))
ev = {c["id"]: c["evidence"] for c in j["checks"]}
want = {"leak.none": "SQLSTATE", "method.allow": "GET POST",
        "rate-limit.retry-after": "soon", "rate-limit.headers": "X-RateLimit-Remaining",
        "request-id.echo": "req-1", "errors.same-dialect": "oauth"}
bad = [k for k, v in want.items() if v not in ev[k]]
sys.exit("evidence lacks: %s" % bad if bad else 0)
PYEOF

if [ "$FAILS" -ne 0 ]; then
    echo "$FAILS failure(s)"
    exit 1
fi
echo "apierr check: each check fails on its defect and passes where the API is right"
