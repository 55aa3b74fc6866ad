#!/usr/bin/env bash
# Tail latency with hedged requests: N GETs (2,000), PAR in flight (32),
# through `apierr call --parallel --input`, against `apierr serve`: first
# without faults (the peer: the same server when nothing is slow), whose
# p95 becomes the hedge delay; then with --faults latency:MS:P (2000 ms for
# 5% of the requests), without hedging and with --hedge P95. Prints p50,
# p99, p99.9 (of each call's elapsed_ms, retries and hedges included) and
# the requests sent beyond one per call (hedges, cancelled ones included),
# then the ratios. Targets: p99 with hedging within 1.5x the fault-free
# p99, at most 10% extra requests.
# Usage: bench/hedge/run.sh [BUILD_DIR [N PAR LATENCY_MS P]]; KEEP=DIR keeps
# the outcomes (JSON lines per run) in DIR.
set -euo pipefail
APIERR=$(cd "${1:-build}" && pwd)/apierr
[ -x "$APIERR" ] || { echo "bench/hedge: $APIERR missing (make build)"; exit 1; }
N=${2:-2000} PAR=${3:-32} LAT=${4:-2000} P=${5:-0.05}
TMP=$(mktemp -d)
SP=
trap '[ -n "$SP" ] && kill $SP 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] && cp -r "$TMP" "$KEEP"; rm -rf "$TMP"' EXIT
SPEC=bench-app:bench-secret:acme:invoices:read,invoices:write
. "$(dirname "$0")/../common/serve.bash"

# serve [OPTIONS...]: a fresh server (its draws start over), BASE its URL.
# THREADS workers (default 256, 8 per connection in flight): the latency
# fault sleeps in its worker thread, and libmicrohttpd's thread pool gives a
# worker several connections, so a hedge (a new connection) that lands on a
# sleeping worker waits as long as the slow request. With 2 workers per
# connection, p99 hedged was still 1.8 s; with 8 per connection the fault
# is what the issue asks, one slow request among fast ones.
serve() {
    [ -n "$SP" ] && { kill "$SP" 2>/dev/null; wait "$SP" 2>/dev/null || true; }
    bench_serve --threads "${THREADS:-$((PAR * 8))}" "$@"
}

# run NAME [CALL OPTIONS...]: the batch, its outcome in $TMP/NAME.json.
run() {
    local name=$1
    shift
    "$APIERR" call -s --oauth "$BASE/oauth/token" --client-id bench-app \
        --client-secret bench-secret --parallel "$PAR" --input "$TMP/batch" --output-json "$@" \
        >"$TMP/$name.json" 2>/dev/null || true
}

stats() {
    python3 - "$TMP" "$N" "$@" <<'PY'
import json, sys
tmp, n, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))]
row = "%-22s %6s %6s %8s %8s %8s %8s %8s"
print(row % ("run", "calls", "ok", "p50_ms", "p95_ms", "p99_ms", "p99.9_ms", "extra_%"))
res = {}
for name in names:
    rs = [json.loads(l) for l in open("%s/%s.json" % (tmp, name))]
    ms = [r["elapsed_ms"] for r in rs]
    sent = sum(len(r["attempts"]) for r in rs)
    extra = 100.0 * (sent - len(rs)) / len(rs)
    res[name] = dict(p50=pct(ms, .5), p95=pct(ms, .95), p99=pct(ms, .99), p999=pct(ms, .999),
                     extra=extra, ok=sum(r["ok"] for r in rs), calls=len(rs))
    r = res[name]
    print(row % (name, r["calls"], r["ok"], r["p50"], r["p95"], r["p99"], r["p999"],
                 "%.2f" % extra))
json.dump(res, open("%s/stats.json" % tmp, "w"))
PY
}

echo "peer: the same server without faults; $N GETs, $PAR in flight, faults latency:$LAT:$P"
echo "load: $(uptime | sed 's/.*load average: //')"
serve
run fault-free
DELAY=$(python3 -c '
import json, sys
ms = sorted(json.loads(l)["elapsed_ms"] for l in open(sys.argv[1]))
print(max(1, ms[int(.95 * len(ms))]))' "$TMP/fault-free.json")
serve --faults "latency:$LAT:$P" --seed 1
run faults-no-hedge
serve --faults "latency:$LAT:$P" --seed 1
run "faults-hedge-${DELAY}ms" --hedge "${DELAY}ms"
stats fault-free faults-no-hedge "faults-hedge-${DELAY}ms"
python3 - "$TMP/stats.json" "faults-hedge-${DELAY}ms" <<'PY'
import json, sys
s, h = json.load(open(sys.argv[1])), sys.argv[2]
free, plain, hedged = s["fault-free"], s["faults-no-hedge"], s[h]
ratio = hedged["p99"] / max(1, free["p99"])
print("hedge delay: %d ms (the fault-free p95)" % free["p95"])
print("p99 hedged / p99 fault-free: %.2fx (target <= 1.5x: %s)" %
      (ratio, "met" if ratio <= 1.5 else "MISSED"))
print("p99 unhedged / p99 fault-free: %.2fx" % (plain["p99"] / max(1, free["p99"])))
print("extra requests with hedging: %.2f%% (target <= 10%%: %s)" %
      (hedged["extra"], "met" if hedged["extra"] <= 10 else "MISSED"))
PY
