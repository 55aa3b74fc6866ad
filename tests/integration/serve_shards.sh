#!/usr/bin/env bash
# What the worker threads keep each in their own shard, read as one: GET
# /status lists a client's last errors newest first, whichever worker
# answered them (each keeps its own ring; /status merges them by the order
# they came in), and /metrics counts every request once. 25 errors over
# new connections, spread over the workers, leave the newest 20, in order,
# and a count of 25.
source "$(dirname "$0")/lib/serve_common.sh"

start_server e --client demo:s3cret:acme:invoices:read --threads 4 --metrics-listen 127.0.0.1:0
MURL=$(sed -n 's/^metrics //p' "$TMP/e.out")
req POST "$URL/oauth/token" -u demo:s3cret -d grant_type=client_credentials
TOK=$(json_get 'j["access_token"]')
# Each on a connection of its own, all kept open: libmicrohttpd hands a new
# connection to a worker by its descriptor, so that they spread.
"$PY" -S - "${URL##*:}" "$TOK" <<'PY' || fail "the 25 errors were not answered 404"
import socket, sys
port, tok = int(sys.argv[1]), sys.argv[2]
socks = []
for i in range(1, 26):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    socks.append(s)
    s.sendall(("GET /v1/tenants/acme/invoices/9%02d HTTP/1.1\r\nHost: a\r\n"
               "Authorization: Bearer %s\r\nX-Request-Id: err-%02d\r\n\r\n" % (i, tok, i)).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(65536)
    if not head.startswith(b"HTTP/1.1 404"):
        sys.exit("error %d: %r" % (i, head[:40]))
PY
req GET "$URL/status" -H "Authorization: Bearer $TOK"
got=$(json_get '" ".join(e["request_id"] for e in j["recent_errors"])')
want=$(for i in $(seq 25 -1 6); do printf 'err-%02d ' "$i"; done)
[ "$got" = "${want% }" ] || fail "recent errors: '$got', want '${want% }'"
ST=$(curl -s -m 10 -o "$TMP/m" -w '%{http_code}' "$MURL")
[ "$ST" = 200 ] || fail "GET /metrics: $ST"
grep -q '^apierr_requests_total{route="/v1/tenants/{tenant}/invoices/{id}",status="404"} 25$' "$TMP/m" ||
    fail "metrics: not 25 404s: $(grep 'status="404"' "$TMP/m")"

# Three errors pipelined in one write on one connection: one worker
# answers them, perhaps within one microsecond; /status lists them in the
# order they were sent.
"$PY" -S - "${URL##*:}" "$TOK" <<'PY' || fail "the pipelined errors were not answered 404"
import socket, sys
port, tok = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(b"".join(("GET /v1/tenants/acme/invoices/8%02d HTTP/1.1\r\nHost: a\r\n"
                    "Authorization: Bearer %s\r\nX-Request-Id: pipe-%02d\r\n\r\n" % (i, tok, i)).encode()
                   for i in range(1, 4)))
got = b""
while got.count(b"HTTP/1.1 404") < 3 or not got.endswith(b"}"):
    b = s.recv(65536)
    if not b:
        sys.exit("closed after %r" % got[-80:])
    got += b
PY
req GET "$URL/status" -H "Authorization: Bearer $TOK"
got=$(json_get '" ".join(e["request_id"] for e in j["recent_errors"][:4])')
[ "$got" = "pipe-03 pipe-02 pipe-01 err-25" ] || fail "recent errors after the pipelined: '$got'"
