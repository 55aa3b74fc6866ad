#!/usr/bin/env python3
"""A scripted HTTP server for the tests of curl's flags (sourced through
lib/curl_flags.bash): listens on 127.0.0.1 port 0, prints its base URL on
the first line of stdout, and answers by path:

  /echo...            200, the request as JSON: method, target (the request
                      line's, absolute when sent to a proxy), path, query,
                      headers (lower-case names), body
  /status/N           status N, a small problem+json body
  /redirect/N?to=URL  status N with Location: URL (default /echo)
  /slow               waits until the client goes away (never answers)
  /gzip...            as /echo, gzip-compressed (Content-Encoding: gzip) when
                      the request's Accept-Encoding names gzip
  /cookie?N=V         as /echo, with Set-Cookie: N=V; Path=/ for each pair
  /etag/TAG           as /echo with ETag: "TAG"; 304 without a body when
                      If-None-Match names it
  /disposition?cd=V   as /echo with Content-Disposition: V
  /digest...          as /echo for HTTP Digest (RFC 7616, MD5, qop=auth)
                      credentials of user ada, password pw; else 401 with
                      the challenge
  /together/N...      as /echo once N requests to /together/N are in at
                      the same time; 504 when they are not within 10 s (a
                      client that calls one after the other)

Every request is also appended as one JSON line to the file named by
argv[1], when given. With unix:PATH as argv[2] it listens on that Unix
socket instead. With a certificate and key file (PEM) as argv[2] and
argv[3], it speaks TLS and prints an https:// URL; with a CA file as argv[4]
too, it asks every client for a certificate that CA signed and refuses the
handshake of one without.
"""
import hashlib
import json
import re
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = sys.argv[1] if len(sys.argv) > 1 else None
BARRIERS = {}  # /together/N: one barrier of N parties for each N
BARRIERS_LOCK = threading.Lock()


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def digest_ok(method, header):
    """True when header is Digest credentials of ada:pw (RFC 7616 3.4.1)."""
    if not header.startswith("Digest "):
        return False
    p = dict(re.findall(r'(\w+)="?([^",]*)"?', header[7:]))
    try:
        ha1 = md5("%s:apierr:pw" % p["username"])
        ha2 = md5("%s:%s" % (method, p["uri"]))
        want = md5(":".join([ha1, p["nonce"], p["nc"], p["cnonce"], p["qop"], ha2]))
    except KeyError:
        return False
    return p["username"] == "ada" and p["response"] == want


def together(n):
    """True when n requests met within 10 s."""
    with BARRIERS_LOCK:
        b = BARRIERS.setdefault(n, threading.Barrier(n, timeout=10))
    try:
        b.wait()
        return True
    except threading.BrokenBarrierError:
        with BARRIERS_LOCK:
            if BARRIERS.get(n) is b:
                del BARRIERS[n]
        return False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    # A fixed Date, so that what curl and apierr show of one answer compares
    # byte for byte.
    def date_time_string(self, timestamp=None):
        return "Thu, 01 Jan 2026 00:00:00 GMT"

    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        u = urllib.parse.urlsplit(self.path)
        seen = {
            "method": self.command,
            "version": self.request_version,
            "target": self.path,
            "path": u.path,
            "query": u.query,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body,
        }
        if LOG:
            with open(LOG, "a") as f:
                f.write(json.dumps(seen) + "\n")
        status, headers, out = 200, {"Content-Type": "application/json"}, json.dumps(seen)
        parts = u.path.strip("/").split("/")
        if parts[0] == "status" and len(parts) > 1:
            status = int(parts[1])
            headers = {"Content-Type": "application/problem+json", "X-Request-Id": "req-1"}
            out = json.dumps({"title": "scripted", "status": status, "detail": "asked for"})
        elif parts[0] == "redirect" and len(parts) > 1:
            status = int(parts[1])
            q = urllib.parse.parse_qs(u.query)
            headers = {"Location": q.get("to", ["/echo"])[0]}
            out = ""
        elif parts[0] == "cookie":
            headers["Set-Cookie"] = [
                "%s=%s; Path=/" % kv for kv in urllib.parse.parse_qsl(u.query)]
        elif parts[0] == "etag" and len(parts) > 1:
            headers["ETag"] = '"%s"' % parts[1]
            if self.headers.get("If-None-Match") == headers["ETag"]:
                status, out = 304, ""
        elif parts[0] == "digest" and not digest_ok(self.command, self.headers.get("Authorization", "")):
            status, out = 401, ""
            headers["WWW-Authenticate"] = 'Digest realm="apierr", qop="auth", nonce="n0nce", algorithm=MD5'
        elif parts[0] == "disposition":
            headers["Content-Disposition"] = urllib.parse.parse_qs(u.query)["cd"][0]
        elif parts[0] == "together" and len(parts) > 1:
            if not together(int(parts[1])):
                status = 504
        elif parts[0] == "slow":
            import time
            time.sleep(30)
        data = out.encode()
        if parts[0] == "gzip" and "gzip" in self.headers.get("Accept-Encoding", ""):
            import gzip
            data = gzip.compress(data)
            headers["Content-Encoding"] = "gzip"
        self.send_response(status)
        for k, v in headers.items():
            for one in v if isinstance(v, list) else [v]:
                self.send_header(k, one)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = answer


if len(sys.argv) > 2 and sys.argv[2].startswith("unix:"):
    # On a Unix socket (curl's --unix-socket): prints the URL any host of
    # which reaches it.
    import socketserver

    class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
        daemon_threads = True

    srv = UnixServer(sys.argv[2][5:], Handler)
    print("http://apierr-unix.invalid", flush=True)
    srv.serve_forever()
srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
srv.daemon_threads = True
scheme = "http"
if len(sys.argv) > 3:
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[2], sys.argv[3])
    if len(sys.argv) > 4:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(sys.argv[4])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    scheme = "https"
print("%s://127.0.0.1:%d" % (scheme, srv.server_address[1]), flush=True)
srv.serve_forever()
