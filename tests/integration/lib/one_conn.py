"""Sends requests one after the other on one kept-alive connection, each
once the answer to the one before is in, and prints each answer as a JSON
line: {"status", "headers": [[name, value], ...] in their order, "body"}.
Usage: one_conn.py PORT REQUEST... where each REQUEST is
"METHOD PATH[|Name: value|Name: value...]", or "sleep SECONDS" to wait
before the next. For the tests of what a connection keeps between its
answers (serve_kept_reply.sh)."""
import json
import socket
import sys
import time


def read_answer(sock, buf):
    """(status, headers, body, rest of buf) of the next answer."""
    while b"\r\n\r\n" not in buf:
        more = sock.recv(65536)
        if not more:
            raise SystemExit("connection closed before an answer")
        buf += more
    head, _, buf = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = [[k.strip(), v.strip()] for k, _, v in (line.partition(":") for line in lines[1:])]
    n = sum(int(v) for k, v in headers if k.lower() == "content-length")
    while len(buf) < n:
        more = sock.recv(65536)
        if not more:
            raise SystemExit("connection closed within a body")
        buf += more
    return int(lines[0].split()[1]), headers, buf[:n].decode("utf-8"), buf[n:]


def main():
    port = int(sys.argv[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    buf = b""
    for spec in sys.argv[2:]:
        if spec.startswith("sleep "):
            time.sleep(float(spec[6:]))
            continue
        parts = spec.split("|")
        method, path = parts[0].split(" ", 1)
        head = "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n" % (method, path)
        head += "".join(h + "\r\n" for h in parts[1:]) + "\r\n"
        sock.sendall(head.encode("latin-1"))
        status, headers, body, buf = read_answer(sock, buf)
        print(json.dumps({"status": status, "headers": headers, "body": body}))
    sock.close()


main()
