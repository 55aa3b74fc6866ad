"""A JSON API that gets the error contract subtly wrong, one way per check,
so that each check of `apierr check` is seen to fail on the defect it is
about (and only there): check_fixture.sh states the result of every check.

usage: bad_api.py   (listens on 127.0.0.1, a free port; prints its base URL)

/items is the only resource; "Bearer good" is the only valid token; the
third GET with it, and every one after, is refused with 429.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GETS_WITH_TOKEN = [0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, ctype="application/json", headers=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        # A request id, but never the caller's (request-id.echo).
        self.send_header("X-Request-Id", "req-1")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        if self.path != "/items":
            if "problem+json" in (self.headers.get("Accept") or ""):
                # Negotiated, but without Vary: Accept (content-type.vary).
                return self.reply(404, {"type": "about:blank", "title": "Not Found",
                                        "status": 404, "detail": "No such path."},
                                  "application/problem+json")
            return self.reply(404, {"message": "No such path."})
        auth = self.headers.get("Authorization")
        if not auth:
            # An error code although no credentials were sent (RFC 6750 3.1),
            # no Cache-Control: no-store, and another dialect (oauth).
            return self.reply(401, {"error": "invalid_request", "error_description": "No token."},
                              headers=[("WWW-Authenticate", 'Bearer error="invalid_request"')])
        if auth != "Bearer good":
            return self.reply(401, {"error": "invalid_token", "error_description": "Bad token."},
                              headers=[("WWW-Authenticate", 'Bearer realm="bad"'),
                                       ("Cache-Control", "no-store")])
        GETS_WITH_TOKEN[0] += 1
        if GETS_WITH_TOKEN[0] == 1:
            # The first one meets an outage, without Retry-After.
            return self.reply(503, {"message": "Down for a moment."})
        if GETS_WITH_TOKEN[0] >= 3:
            return self.reply(429, {"message": "Slow down."},
                              headers=[("Retry-After", "soon"),
                                       ("X-RateLimit-Limit", "2"),
                                       ("X-RateLimit-Remaining", "none")])
        return self.reply(200, {"items": []})

    def do_TRACE(self):
        # A JSON body sent as text/plain (content-type.json), and an Allow
        # that is no list (method.allow).
        self.reply(405, {"message": "Method not allowed."}, "text/plain",
                   headers=[("Allow", "GET POST")])

    def do_POST(self):
        body = self.read_body()
        if self.path != "/items":
            return self.reply(404, {"message": "No such path."})
        if len(body) > 10000:
            return self.reply(413, {"message": "Too large."})
        if not (self.headers.get("Content-Type") or "").startswith("application/json"):
            return self.reply(400, {"message": "Send JSON."})  # not 415
        try:
            doc = json.loads(body)
        except ValueError:
            # Internals in the message (leak.none).
            return self.reply(400, {"message": "SQLSTATE[42000]: syntax error near '{'"})
        if not doc:
            return self.reply(422, {"message": "Invalid."})  # no field named
        return self.reply(201, doc)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("http://127.0.0.1:%d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
