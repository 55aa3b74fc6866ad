"""Sends raw bytes to a server and reads what comes back, for the framing
tests, where curl would not send what is wanted. Usage: raw_http.py PORT
INFILE HEADFILE BODYFILE [WAIT_S [THENFILE]]. Writes the first response's
head and body (by its Content-Length), prints "STATUS RESPONSES CLOSED": the
first status (000 when none), how many responses came back (a second one is
a smuggled request answered), and 1 when the server closed the connection
within WAIT_S seconds (default 3). With THENFILE, its bytes are sent on the
same connection once the first response is complete (a later request of a
kept-alive connection), and the status, head and body are those of the last
response."""
import socket
import sys
import time


def split(buf):
    """(head, body, rest) of the complete response at the start of buf, or
    None."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = buf[:end].decode("latin-1")
    n = 0
    for line in head.split("\r\n")[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == "content-length":
            n = int(v.strip())
    if len(buf) < end + 4 + n:
        return None
    body = buf[end + 4:end + 4 + n]
    return head, body, buf[end + 4 + n:]


port, infile, headfile, bodyfile = sys.argv[1:5]
wait = float(sys.argv[5]) if len(sys.argv) > 5 else 3.0
then = open(sys.argv[6], "rb").read() if len(sys.argv) > 6 else None
data = open(infile, "rb").read()
s = socket.create_connection(("127.0.0.1", int(port)))
try:
    s.sendall(data)
except OSError:
    pass
out, closed = b"", 0
deadline = time.time() + wait
while time.time() < deadline:
    if then is not None and split(out):
        try:
            s.sendall(then)
        except OSError:
            pass
        then = None
    s.settimeout(max(0.01, deadline - time.time()))
    try:
        d = s.recv(65536)
    except socket.timeout:
        break
    except OSError:
        closed = 1
        break
    if not d:
        closed = 1
        break
    out += d
s.close()

status, count, last = "000", 0, None
rest = out
while rest.startswith(b"HTTP/"):
    nxt = split(rest)
    count += 1
    if not nxt:
        break
    last = nxt
    rest = nxt[2]
    if count == 1 and len(sys.argv) <= 6:
        status = nxt[0].split(" ")[1]
        open(headfile, "w").write(nxt[0].replace("\r\n", "\n") + "\n")
        open(bodyfile, "wb").write(nxt[1])
if len(sys.argv) > 6 and last:
    status = last[0].split(" ")[1]
    open(headfile, "w").write(last[0].replace("\r\n", "\n") + "\n")
    open(bodyfile, "wb").write(last[1])
if not last:
    open(headfile, "w").write("")
    open(bodyfile, "wb").write(out)
print(status, count, closed)
