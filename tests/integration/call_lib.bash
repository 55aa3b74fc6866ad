# Shared by the call_*.sh integration tests (sourced, not run): starts
# `apierr serve` on 127.0.0.1 port 0, reads its base URL from the first
# line of its stdout, and stops it on exit.
set -euo pipefail
: "${APIERR:?APIERR must name the apierr binary}"

# Every wait of the client is multiplied by this factor (see apierr(1)),
# so a 15 s backoff takes 150 ms; the attempt history keeps the policy's
# delays, which is what the tests check.
export APIERR_TIME_SCALE="${APIERR_TIME_SCALE:-0.01}"

TMP=$(mktemp -d)
SERVERS=()
cleanup() {
    for pid in "${SERVERS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# The OAuth client every test uses: ID:SECRET:TENANT:SCOPES.
CLIENT_ID=acme-app
CLIENT_SECRET=s3cr3t-Client-Value
TENANT=acme
CLIENT_SPEC="$CLIENT_ID:$CLIENT_SECRET:$TENANT:invoices:read,invoices:write"

# Skips the test (ctest SKIP_RETURN_CODE 77) when `apierr serve` is missing.
need_serve() {
    if ! "$APIERR" serve --help >/dev/null 2>&1; then
        echo "SKIP: apierr serve is not available"
        exit 77
    fi
}

# start_server [serve options...]: sets BASE to the server's base URL.
start_server() {
    need_serve
    local out="$TMP/serve.${#SERVERS[@]}"
    # Emptied here, not only by the child's redirection: a name is used
    # again once SERVERS is reset, and a loaded machine may run the loop
    # below before the child truncates the file, which would read the URL
    # of a server already stopped.
    : >"$out"
    "$APIERR" serve --listen 127.0.0.1:0 --client "$CLIENT_SPEC" "$@" >"$out" 2>"$out.err" &
    SERVERS+=($!)
    for _ in $(seq 200); do
        if [ -s "$out" ] && BASE=$(head -n1 "$out") && [ -n "$BASE" ]; then
            BASE=${BASE%/}
            return 0
        fi
        kill -0 "${SERVERS[-1]}" 2>/dev/null || break
        sleep 0.05
    done
    cat "$out.err" >&2
    fail "apierr serve did not print its URL"
}

# The client options that authenticate against the server.
oauth_opts() {
    echo --oauth "$BASE/oauth/token" --client-id "$CLIENT_ID" --client-secret "$CLIENT_SECRET"
}

INVOICE='{"documentNumber":"D-1","currency":"EUR","customer":{"name":"Ada","email":"ada@example.com"},"lines":[{"description":"tea","quantity":2,"unitPrice":3.5}]}'

# invoice_batch URL N PREFIX: prints N batch lines (apierr call --input),
# each a POST to URL of a distinct invoice numbered PREFIX-00000...
invoice_batch() {
    python3 - "$@" <<'PY'
import json, sys
url, n, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for i in range(n):
    inv = {"documentNumber": "%s-%05d" % (prefix, i), "currency": "EUR",
           "customer": {"name": "Ada", "email": "ada@example.com"},
           "lines": [{"description": "tea", "quantity": 1, "unitPrice": i}]}
    print("POST", url, json.dumps(inv))
PY
}

# json_get EXPR: evaluates a Python expression over `d`, the JSON document
# read from stdin, and prints the result.
json_get() {
    python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}

# expect_rc WANT CMD...: runs CMD and checks its exit status.
expect_rc() {
    local want=$1 rc=0
    shift
    "$@" || rc=$?
    [ "$rc" = "$want" ] || fail "exit status $rc, want $want: $*"
}

# start_stub STATUS[,HEADER=VALUE...] ...: a stub server that answers the
# n-th request with the n-th reply (the last one repeats), a small JSON body
# each; for what `apierr serve` does not send (a 429 without Retry-After, an
# HTTP-date Retry-After). A value @+N is the HTTP-date N seconds from now.
# Sets STUB to its base URL.
start_stub() {
    cat >"$TMP/stub.py" <<'PY'
import email.utils, http.server, json, sys, time
replies, n = sys.argv[1:], [0]
class H(http.server.BaseHTTPRequestHandler):
    def reply(self):
        spec = replies[min(n[0], len(replies) - 1)].split(",")
        n[0] += 1
        status = int(spec[0])
        body = json.dumps({"error": "stub", "message": "stub reply", "code": status}).encode()
        self.send_response(status)
        for h in spec[1:]:
            name, value = h.split("=", 1)
            if value.startswith("@+"):
                value = email.utils.formatdate(time.time() + int(value[2:]), usegmt=True)
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_POST = reply
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print("http://127.0.0.1:%d" % s.server_address[1], flush=True)
s.serve_forever()
PY
    local out="$TMP/stub.${#SERVERS[@]}"
    python3 "$TMP/stub.py" "$@" >"$out" &
    SERVERS+=($!)
    for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.05; done
    STUB=$(head -n1 "$out")
    [ -n "$STUB" ] || fail "the stub server did not start"
}

# start_script SCRIPT [ARGS...]: runs a scripted Python server that prints
# its base URL on its first line (port 0), for answers neither `apierr
# serve` nor start_stub give (a closed connection, a body of one's own);
# lib/scripted_server.py is its base.
# Sets URL.
start_script() {
    local out="$TMP/script.${#SERVERS[@]}"
    PYTHONPATH="$(dirname "${BASH_SOURCE[0]}")/lib" python3 "$@" >"$out" &
    SERVERS+=($!)
    for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.05; done
    URL=$(head -n1 "$out")
    [ -n "$URL" ] || fail "the scripted server $1 did not start"
}
