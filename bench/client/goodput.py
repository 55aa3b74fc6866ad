"""Helpers of goodput.sh: turn each peer's own record of its attempts into
one attempt log, and compute the table.

  goodput.py stamp                     copy stdin to stdout, each line
                                       prefixed with the Unix time it arrived
  goodput.py apierr OUT_JSONL STAMPED  apierr call --output-json lines plus
                                       its -v stderr (stamped) -> attempt log
  goodput.py curl DIR M                curl traces -> attempt log
  goodput.py report OUTAGE_S TOL_MS PEER:LOG:T_SERVER...

An attempt log has one JSON object per attempt: call, attempt (1, 2, ...),
start and end (Unix seconds: request sent, response received), status (0: no
response) and ra (the Retry-After received, seconds, or null).
"""
import json
import re
import sys
import time


def stamp():
    out = sys.stdout.buffer
    while True:
        line = sys.stdin.buffer.readline()
        if not line:
            return
        out.write(b"%.6f " % time.time() + line)
        out.flush()


def call_of(url):
    m = re.search(r"[?&]call=(\d+)", url)
    return int(m.group(1)) if m else None


def emit(records):
    for r in records:
        print(json.dumps(r))


def norm_apierr(out_jsonl, stamped):
    """apierr's history gives each attempt's start and duration relative to
    the start of its call (its own clock); the -v lines, stamped as they
    arrived, anchor each call in wall time (its "> GET URL (attempt K)"
    lines: the earliest anchor, as a stamp can only be late) and give the
    Retry-After of each response by its X-Request-Id."""
    sent = {}
    ra_of = {}
    rid = ra = None
    in_resp = False
    req = re.compile(r"^> [A-Z]+ (\S+) \(attempt (\d+)\)$")
    with open(stamped, errors="replace") as f:
        for raw in f:
            t, _, line = raw.rstrip("\n").partition(" ")
            m = req.match(line)
            if m:
                sent.setdefault((call_of(m.group(1)), int(m.group(2))), float(t))
            if re.match(r"^< (HTTP/\S+ )?\d{3}\b", line) or not line.startswith("< "):
                if in_resp and rid:
                    ra_of[rid] = ra
                rid = ra = None
                in_resp = bool(re.match(r"^< (HTTP/\S+ )?\d{3}\b", line))
                continue
            name, _, value = line[2:].partition(":")
            if name.strip().lower() == "x-request-id":
                rid = value.strip()
            elif name.strip().lower() == "retry-after":
                try:
                    ra = float(int(value.strip()))
                except ValueError:
                    ra = None
        if in_resp and rid:
            ra_of[rid] = ra
    recs = []
    with open(out_jsonl) as f:
        for line in f:
            if not line.startswith("{"):
                continue
            o = json.loads(line)
            call = call_of(o["url"])
            base = min(sent[(call, a["attempt"])] - a["started_ms"] / 1000.0
                       for a in o["attempts"])
            for a in o["attempts"]:
                s = base + a["started_ms"] / 1000.0
                recs.append({"call": call, "attempt": a["attempt"], "start": s,
                             "end": s + a["elapsed_ms"] / 1000.0, "status": a["status"],
                             "ra": ra_of.get(a["request_id"])})
    emit(recs)


def norm_curl(d, m):
    """Each trace's stamps are curl's wall time with an offset fixed per
    process; shifted so that the first stamp is the launch time (t0)."""
    stamp_re = re.compile(r"^(\d\d):(\d\d):(\d\d\.\d+) (=>|<=|==) (.*)$")
    recs = []
    for call in range(1, m + 1):
        with open("%s/%d.t0" % (d, call)) as f:
            t0 = float(f.read().strip())
        origin = None
        cur = None
        last_kind = None
        attempts = []
        with open("%s/%d.trace" % (d, call), errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                s = stamp_re.match(line)
                if s:
                    secs = int(s.group(1)) * 3600 + int(s.group(2)) * 60 + float(s.group(3))
                    if origin is None:
                        origin = secs
                    if secs < origin - 43200:
                        secs += 86400  # past midnight
                    now = t0 + secs - origin
                    last_kind = s.group(5)
                    continue
                body = line[6:] if line.startswith("0000: ") else None
                if body is None or not last_kind:
                    continue
                if last_kind.startswith("Send header") and re.match(r"^[A-Z]+ /", body):
                    cur = {"call": call, "attempt": len(attempts) + 1, "start": now,
                           "end": None, "status": 0, "ra": None}
                    attempts.append(cur)
                elif last_kind.startswith("Recv header") and cur is not None:
                    st = re.match(r"^HTTP/[\d.]+ (\d{3})", body)
                    if st:
                        cur["status"] = int(st.group(1))
                        cur["end"] = now
                    elif body.lower().startswith("retry-after:"):
                        try:
                            cur["ra"] = float(int(body.split(":", 1)[1].strip()))
                        except ValueError:
                            pass
        for a in attempts:
            if a["end"] is None:
                a["end"] = a["start"]
        recs.extend(attempts)
    emit(recs)


def load(path):
    calls = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                calls.setdefault(r["call"], []).append(r)
    for v in calls.values():
        v.sort(key=lambda r: r["attempt"])
    return calls


def metrics(calls, t_srv, outage, tol):
    attempts = [a for v in calls.values() for a in v]
    ok = sum(1 for v in calls.values() if 200 <= v[-1]["status"] < 300)
    early = 0
    worst = 0.0
    for v in calls.values():
        for prev, nxt in zip(v, v[1:]):
            if prev["ra"] is None:
                continue
            short = prev["end"] + prev["ra"] - nxt["start"]
            if short > tol:
                early += 1
                worst = max(worst, short)
    t_out = t_srv + outage
    in_outage = sum(1 for a in attempts if a["start"] < t_out)
    after = sorted(a["start"] for a in attempts if t_out <= a["start"] < t_out + 1.0)
    peak = len(after)
    # The herd: the most attempts in any 100 ms of that second.
    herd, j = 0, 0
    for i, t in enumerate(after):
        while after[j] < t - 0.1:
            j += 1
        herd = max(herd, i - j + 1)
    finish = max(a["end"] for a in attempts) - t_srv
    # When each success came, in order: the time to the k-th success.
    wins = sorted(v[-1]["end"] - t_srv for v in calls.values() if 200 <= v[-1]["status"] < 300)
    return {"calls": len(calls), "ok": ok, "attempts": len(attempts), "wins": wins,
            "aps": len(attempts) / ok if ok else float("inf"), "finish": finish,
            "early": early, "worst": worst, "outage_att": in_outage, "peak": peak,
            "herd": herd}


def report(outage, tol_ms, specs):
    rows = []
    for spec in specs:
        name, path, t_srv = spec.rsplit(":", 2)
        rows.append((name, metrics(load(path), float(t_srv), outage, tol_ms / 1000.0)))
    hdr = ("peer", "ok", "success", "attempts", "att/ok", "finish s", "early", "in outage",
           "1st s", "max 0.1s")
    fmt = "%-10s %9s %8s %8s %7s %9s %6s %9s %6s %8s"
    print(fmt % hdr)
    for name, r in rows:
        rate = "%.1f%%" % (100.0 * r["ok"] / r["calls"])
        print(fmt % (name, "%d/%d" % (r["ok"], r["calls"]), rate, r["attempts"],
                     "%.3f" % r["aps"], "%.2f" % r["finish"], r["early"], r["outage_att"],
                     r["peak"], r["herd"]))
    base = dict(rows).get("apierr")
    if not base:
        return
    print()
    print("ratios peer / apierr (>1: the peer sends more, or takes longer):")
    for name, r in rows:
        if name == "apierr":
            continue
        print("  %-9s att/ok %.2f  finish %.2f  1st s %s  max 0.1s %s" % (
            name, r["aps"] / base["aps"], r["finish"] / base["finish"],
            "%.2f" % (r["peak"] / base["peak"]) if base["peak"] else "n/a",
            "%.2f" % (r["herd"] / base["herd"]) if base["herd"] else "n/a"))
    # Judged: apierr at the peers' retry count; apierr-profile is shown
    # only; apierr-spread's targets are shown beside, not judged (the other
    # side of the herd's trade).
    peers = [r for name, r in rows if not name.startswith("apierr")]
    for name, r in rows:
        if name in ("apierr", "apierr-spread"):
            print()
            targets(name, r, peers)
            if name != "apierr":
                print("%s (not judged): herd %d in the busiest 100 ms, apierr's %d" % (
                    name, r["herd"], base["herd"]))


def targets(name, me, peers):
    """Prints whether me meets apierr's targets against peers."""
    # Finishing against each peer on equal terms: the time apierr took to
    # get as many calls through as the peer did, against the peer's finish
    # (a peer that gives up a call early is not faster for it; when the
    # peer got as many through, that is apierr's own finish).
    def mine(p):
        k = min(p["ok"], me["ok"])
        return me["wins"][k - 1] if k else 0.0
    late = [(mine(p), p["finish"]) for p in peers if mine(p) > p["finish"]]
    best = min(peers, key=lambda p: p["finish"], default=me)
    fewest = min((p["aps"] for p in peers), default=me["aps"])
    checks = [
        ("every request succeeds", me["ok"] == me["calls"],
         "%d of %d failed" % (me["calls"] - me["ok"], me["calls"])),
        ("fewest attempts per success", me["aps"] <= fewest,
         "%.3f, best peer %.3f" % (me["aps"], fewest)),
        ("no early retry", me["early"] == 0, "%d early" % me["early"]),
        ("finish no later than the best peer", not late,
         "%.2f s, best peer %.2f s" % (late[0] if late else (me["finish"], best["finish"]))),
    ]
    for what, good, detail in checks:
        print("%s target %-36s %s%s" % (name, what + ":", "met" if good else "MISSED",
                                        "" if good else " (" + detail + ")"))


def main():
    cmd = sys.argv[1]
    if cmd == "stamp":
        stamp()
    elif cmd == "apierr":
        norm_apierr(sys.argv[2], sys.argv[3])
    elif cmd == "curl":
        norm_curl(sys.argv[2], int(sys.argv[3]))
    elif cmd == "report":
        report(float(sys.argv[2]), float(sys.argv[3]), sys.argv[4:])
    else:
        sys.exit("goodput.py: unknown command " + cmd)


if __name__ == "__main__":
    main()
