#!/usr/bin/env bash
# Overload with the real engine (bench_overload is the same question in
# simulated time): `apierr serve --rate RATE/1` takes RATE requests a second
# (one credential shared by all, so one limit: the server's capacity), and 4
# `apierr call --input` processes, each with PAR calls in flight, bring
# 3 x RATE x SECONDS calls in all: three times what it can take in SECONDS.
# For each way to retry: goodput (ok calls a second until the last call
# ended), the attempts the server rejected (429), the attempts held back
# locally (throttled_locally, never sent), failed calls, time to finish.
#   none      --retries 0
#   plain     the policy's defaults (4 attempts, Retry-After honored): the peer
#   aws       the defaults with the AWS retry quota (budget aws)
#   adaptive  the defaults with --adaptive (K 2)
#   aws+adapt both
# Pacing by the RateLimit headers is off (--no-pace): the question is how
# each retries into an overloaded server, not how well it reads its quota
# (bench/pacing). Ratios against plain.
# Usage: bench/overload/run.sh [BUILD_DIR [RATE SECONDS PAR]]
set -euo pipefail
APIERR=$(cd "${1:-build}" && pwd)/apierr
[ -x "$APIERR" ] || { echo "bench/overload: $APIERR missing (make build)"; exit 1; }
RATE=${2:-50} SECONDS_=${3:-10} PAR=${4:-16}
CLIENTS=4
PER=$((3 * RATE * SECONDS_ / CLIENTS))
TMP=$(mktemp -d)
SP=
trap '[ -n "$SP" ] && kill $SP 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT
SPEC=bench-app:bench-secret:acme:invoices:read,invoices:write
echo '{"name": "aws", "extends": "default", "policy": {"budget": "aws"}}' >"$TMP/aws.json"
echo "peer: plain retries (the policy's defaults); serve --rate $RATE/1, $CLIENTS clients x $PER calls ($PAR in flight each), no pacing"
echo "load: $(uptime | sed 's/.*load average: //')"
printf '%-10s %6s %6s %8s %9s %7s %8s %9s %9s\n' mode calls ok goodput rejected held failed time_ms \
    rej_ratio
for mode in none plain aws adaptive aws+adapt; do
    case $mode in
    none) opts=(--retries 0) ;;
    plain) opts=() ;;
    aws) opts=(--profile "$TMP/aws.json") ;;
    adaptive) opts=(--adaptive) ;;
    aws+adapt) opts=(--profile "$TMP/aws.json" --adaptive) ;;
    esac
    rm -f "$TMP/url"
    "$APIERR" serve --listen 127.0.0.1:0 --client "$SPEC" --rate "$RATE/1" >"$TMP/url" 2>/dev/null &
    SP=$!
    for _ in $(seq 100); do [ -s "$TMP/url" ] && break; sleep 0.05; done
    BASE=$(head -n1 "$TMP/url")
    BASE=${BASE%/}
    TOKEN=$("$APIERR" call -sSf -u bench-app:bench-secret -d grant_type=client_credentials \
        "$BASE/oauth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
    sleep 1.1 # the token request's share of the quota back
    pids=()
    t0=$(date +%s%N)
    for c in $(seq "$CLIENTS"); do
        for i in $(seq "$PER"); do echo "GET $BASE/v1/tenants/acme/invoices?c=$c&n=$i"; done \
            >"$TMP/batch.$c"
        "$APIERR" call -s --no-pace --token "$TOKEN" --parallel "$PAR" --input "$TMP/batch.$c" \
            --output-json "${opts[@]}" >"$TMP/out.$c" 2>/dev/null &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || true; done
    ms=$((($(date +%s%N) - t0) / 1000000))
    kill "$SP" 2>/dev/null
    wait "$SP" 2>/dev/null || true
    SP=
    python3 - "$TMP" "$CLIENTS" "$mode" "$ms" <<'PY'
import json, sys
tmp, n, mode, ms = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
rs = [json.loads(l) for c in range(1, n + 1) for l in open("%s/out.%d" % (tmp, c))]
att = [a for r in rs for a in r["attempts"]]
ok = sum(r["ok"] for r in rs)
row = dict(mode=mode, calls=len(rs), ok=ok, goodput=ok * 1000.0 / ms,
           rejected=sum(a["status"] in (429, 503) for a in att),
           held=sum(a["category"] == "throttled_locally" for a in att), ms=ms)
with open(tmp + "/rows", "a") as f:
    f.write(json.dumps(row) + "\n")
PY
done
python3 - "$TMP/rows" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
plain = next(r for r in rows if r["mode"] == "plain")
for r in rows:
    print("%-10s %6d %6d %8.1f %9d %7d %8d %9d %9s" % (
        r["mode"], r["calls"], r["ok"], r["goodput"], r["rejected"], r["held"],
        r["calls"] - r["ok"], r["ms"],
        "%.3fx" % (r["rejected"] / plain["rejected"]) if plain["rejected"] else "-"))
print("goodput vs plain: " + ", ".join("%s %.3fx" % (r["mode"], r["goodput"] / plain["goodput"])
                                       for r in rows if r["mode"] != "plain"))
PY
