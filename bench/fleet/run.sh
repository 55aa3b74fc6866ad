#!/usr/bin/env bash
# bench/fleet: the limiter on Redis vs in memory, against the machine's own
# Redis ceiling (redis-benchmark INCR, same concurrency, no pipelining), in
# one run. Starts its own redis-server on a free 127.0.0.1 port.
# Usage: bench/fleet/run.sh BUILD_DIR   (FLEET_SECONDS per measurement, default 2)
set -u
build=${1:-build}
bin=$build/bench/bench_fleet
for tool in redis-server redis-benchmark; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench/fleet: $tool missing (scripts/deps.sh)"; exit 0; }
done
[ -x "$bin" ] || { echo "bench/fleet: $bin missing (make build)"; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
tmp=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" >/dev/null &
rpid=$!
trap 'kill $rpid 2>/dev/null; wait $rpid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break; sleep 0.05; done
echo "peer: redis-benchmark $(redis-benchmark --version | awk '{print $2}'), INCR, -P 1; $(nproc) cores, shared"
ceiling=""
for c in 1 16 64; do
    rps=$(redis-benchmark -p "$port" -c "$c" -n 100000 -P 1 -q -t incr 2>/dev/null |
        sed -n 's/.*INCR: \([0-9.]*\) requests per second.*/\1/p' | tail -n1)
    ceiling="$ceiling${ceiling:+,}$c:${rps:-0}"
done
FLEET_REDIS_URL=redis://127.0.0.1:$port/0 FLEET_CEILING=$ceiling "$bin"
# The reference API as a fleet: 3 instances vs 1, the 429 path Redis vs memory.
bash "$(dirname "$0")/fleet.sh" "$build"
