#!/usr/bin/env bash
# `apierr check` against servers no one here wrote: nginx with its default
# error pages in front of a static root (and limit_req, which answers 429
# without Retry-After), Python's http.server, and an Express application
# with Express's default 404 and error handler. Each check's result is
# stated for each server: the known failures (HTML error bodies, no request
# id, no Allow, stack traces, ...) must be reported as failures, and no
# check may pass that should not. A server whose program is missing is
# skipped (scripts/deps.sh installs them all); exit 77 when none can run.
set -u
: "${APIERR:?path of the apierr binary}"
TMP=$(mktemp -d)
FAILS=0
RAN=0
PIDS=()
PY=$(python3 -c 'import sys; print(sys.executable)')

fail() {
    echo "FAIL: $*"
    FAILS=$((FAILS + 1))
}

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT
. "$(dirname "$0")/check/report.sh"
. "$(dirname "$0")/lib/nginx.bash"

free_port() {
    "$PY" -S -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_up URL: 0 once something answers HTTP there (5 s at most).
wait_up() {
    local i
    for i in $(seq 1 100); do
        curl -s -o /dev/null -m 1 "$1/" && return 0
        sleep 0.05
    done
    return 1
}

mkdir -p "$TMP/www"
echo '{"items":[]}' >"$TMP/www/items.json"
# nginx started as root serves as nobody, who must be able to read the root.
chmod 755 "$TMP" "$TMP/www"
chmod 644 "$TMP/www/items.json"

# The checks no server here can pass or even reach: none asks for
# credentials (the auth checks fail: 200 without any), none names a field.
NO_AUTH=("auth.missing.status=fail" "auth.missing.challenge=fail"
    "auth.missing.no-error-code=fail" "auth.invalid.status=fail"
    "auth.invalid.error-code=fail" "auth.no-store=skip")
# HTML error pages, no request id: what all three answer by default.
HTML=("not-found.machine-readable=fail" "errors.same-dialect=fail" "request-id.present=fail"
    "request-id.echo=fail" "content-type.json=fail" "content-type.problem=fail"
    "content-type.vary=skip" "decode.all=fail" "validation.status=fail"
    "validation.details=fail" "unavailable.retry-after=skip")

# --- nginx ------------------------------------------------------------------------
if command -v nginx >/dev/null 2>&1; then
    port=$(free_port)
    # 1 request a minute with a burst of 8: the probes get through, the
    # burst meets the limit.
    start_nginx "$TMP/nginx" "    client_max_body_size 1k;
    limit_req_zone \$binary_remote_addr zone=api:1m rate=1r/m;
    server {
        listen 127.0.0.1:$port;
        root $TMP/www;
        location / {
            limit_req zone=api burst=8 nodelay;
            limit_req_status 429;
        }
    }"
    PIDS+=("$NGINX_PID")
    if wait_up "http://127.0.0.1:$port"; then
        RAN=$((RAN + 1))
        # The wait_up request was one of the limit's.
        report nginx "${NO_AUTH[@]}" "${HTML[@]}" \
            "not-found.status=pass" "method.status=pass" "method.allow=fail" \
            "body.malformed-json=fail" "body.unsupported-type=fail" "body.too-large=pass" \
            "leak.none=pass" "rate-limit.429=pass" "rate-limit.retry-after=fail" \
            "rate-limit.headers=fail" -- \
            --path /items.json --write-path /items.json --oversize 4096 --burst 12 \
            "http://127.0.0.1:$port"
    else
        fail "nginx did not start: $(cat "$TMP/nginx/logs/error.log")"
    fi
else
    echo "note: nginx missing, skipped"
fi

# --- Python's http.server ------------------------------------------------------------
port=$(free_port)
"$PY" -m http.server --bind 127.0.0.1 --directory "$TMP/www" "$port" >"$TMP/py.out" 2>&1 &
PIDS+=($!)
if wait_up "http://127.0.0.1:$port"; then
    RAN=$((RAN + 1))
    # TRACE and POST are 501 Unsupported method: no 405, no 4xx for bodies.
    report python "${NO_AUTH[@]}" "${HTML[@]}" \
        "not-found.status=pass" "method.status=fail" "method.allow=fail" \
        "body.malformed-json=fail" "body.unsupported-type=fail" "body.too-large=fail" \
        "leak.none=pass" "rate-limit.429=fail" "rate-limit.retry-after=skip" \
        "rate-limit.headers=skip" -- \
        --path /items.json --write-path /items.json --oversize 4096 --burst 5 \
        "http://127.0.0.1:$port"
else
    fail "python -m http.server did not start: $(cat "$TMP/py.out")"
fi

# --- Express -------------------------------------------------------------------------
# Debian's node-express lives outside node's default module path.
export NODE_PATH=${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs
if command -v node >/dev/null 2>&1 && node -e 'require("express")' 2>/dev/null; then
    env -u NODE_ENV node "$CHECK_FIX/express_app.js" 0 >"$TMP/express.out" 2>"$TMP/express.err" &
    PIDS+=($!)
    for _ in $(seq 1 100); do
        [ -s "$TMP/express.out" ] && break
        sleep 0.05
    done
    url=$(head -n 1 "$TMP/express.out")
    case $url in
    http://127.0.0.1:*)
        RAN=$((RAN + 1))
        # Unrouted TRACE is a 404; express.json() answers malformed JSON with
        # a 400 HTML page showing the stack; nothing is validated (201).
        report express "${NO_AUTH[@]}" "${HTML[@]}" \
            "not-found.status=pass" "method.status=fail" "method.allow=fail" \
            "body.malformed-json=fail" "body.unsupported-type=fail" "body.too-large=pass" \
            "leak.none=fail" "rate-limit.429=fail" "rate-limit.retry-after=skip" \
            "rate-limit.headers=skip" -- \
            --path /items --write-path /items --oversize 100000 --burst 5 "$url"
        "$PY" -S -c 'import json,sys
c = [c for c in json.load(open(sys.argv[1]))["checks"] if c["id"] == "leak.none"][0]
sys.exit("stack trace" not in c["evidence"])' "$TMP/express.json" ||
            fail "express: the leak found is not the stack trace"
        ;;
    *) fail "express app did not start: $(cat "$TMP/express.err")" ;;
    esac
else
    echo "note: node or express missing (scripts/deps.sh installs node-express), skipped"
fi

[ "$RAN" -gt 0 ] || exit 77
if [ "$FAILS" -ne 0 ]; then
    echo "$FAILS failure(s)"
    exit 1
fi
echo "apierr check: $RAN real servers graded, every known failure reported"
