"""The base of the scripted servers of tests/integration/call_*.sh (started
by start_script in call_lib.bash, which puts this folder on PYTHONPATH):
HTTP/1.1 with keep-alive, a thread per connection, JSON replies, the base
URL printed on the first line (port 0)."""
import http.server
import json


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def send(self, status, body, headers=(), reason=None):
        """Replies status (with reason as its reason phrase, else the
        standard one) with body as JSON (bytes are sent as they are)."""
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.send_response(status, reason)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def log_message(self, *a):
        pass


def serve(handler):
    s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    print("http://127.0.0.1:%d" % s.server_address[1], flush=True)
    s.serve_forever()
