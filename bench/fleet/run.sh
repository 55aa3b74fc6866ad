#!/usr/bin/env bash
# bench/fleet: the limiter on Redis vs in memory, against the machine's own
# Redis ceiling, in one run, on one redis-server of its own (a free
# 127.0.0.1 port). For each count C of concurrent callers (1, 16, 64),
# bench_fleet runs, in turn with its own measurements, redis-benchmark on
# the same server:
#   INCR -c C -P 1          the cheapest command, one in flight a connection;
#   EVALSHA -c C -P 1       the limiter's own script (bench_fleet --script,
#                           loaded here), on the same 10,000 keys and with
#                           the same arguments as the limiter's calls;
#   EVALSHA -c K -P C/K     that script with the pipelining the library gives
#                           C callers: C decisions in flight on K = min(C,
#                           the pool's connections) connections.
# bench_fleet's C callers share one limiter (one process, as apierr serve's
# threads), so the library is given the same concurrency as every peer.
# Then fleet.sh: the reference API as a fleet (FLEET_LIMITER_ONLY=1 skips it).
# Usage: bench/fleet/run.sh BUILD_DIR   (FLEET_SECONDS, FLEET_ROUNDS: bench_fleet)
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
sha=$(redis-cli -p "$port" script load "$("$bin" --script)")
echo "peer: redis-benchmark $(redis-benchmark --version | awk '{print $2}') on the same server," \
    "in turn with the library; $(nproc) cores, shared"
FLEET_REDIS_URL=redis://127.0.0.1:$port/0 FLEET_PEER="redis-benchmark -h 127.0.0.1 -p $port" \
    FLEET_SHA=$sha "$bin"
# The reference API as a fleet: 3 instances vs 1, the 429 path Redis vs memory.
[ -n "${FLEET_LIMITER_ONLY:-}" ] || bash "$(dirname "$0")/fleet.sh" "$build"
