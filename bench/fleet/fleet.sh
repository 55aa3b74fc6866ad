#!/usr/bin/env bash
# bench/fleet, second half: the reference API as a fleet. wrk through one
# nginx round-robin balancer to 1 `apierr serve` instance, then to 3, all
# sharing one Redis and one database file (GET of a tenant's invoices, a
# token on every request, the limit counted in Redis); then the 429 path of
# one instance with its limit in Redis vs in memory. Prints req/s and the
# ratios. On a 2-core machine three instances share the same two cores as
# one: the figure says what a fleet costs here, not what three hosts give.
# Usage: bench/fleet/fleet.sh BUILD_DIR   (FLEET_WRK_SECONDS, default 5)
set -u
build=${1:-build}
apierr=$(cd "$build" && pwd)/apierr
here=$(cd "$(dirname "$0")" && pwd)
dur=${FLEET_WRK_SECONDS:-5}s
for tool in nginx wrk redis-server curl; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench/fleet: fleet skipped ($tool missing)"; exit 0; }
done
# The tests' engines: a throwaway redis-server, the nginx balancer.
. "$here/../../tests/integration/lib/engines.sh"
# serve runs in $(...), a subshell: the instances' pids go to a file, not
# to a variable of this shell (which never saw them, and left them running).
pidfile=$ENGINES_DIR/serve.pids
stop_instances() {
    local p
    for p in $(cat "$pidfile" 2>/dev/null); do kill "$p" 2>/dev/null; done
    for p in $(cat "$pidfile" 2>/dev/null); do # their drain: 5 s at most
        for _ in $(seq 1 200); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
    done
}
trap 'stop_instances; engines_stop' EXIT
start_redis

CLIENT=demo:s3cret:acme:invoices:read,invoices:write
# serve ARGS...: one instance; prints its base URL.
serve() {
    local out
    out=$(mktemp "$ENGINES_DIR/serve-XXXXXX") # its own: a shared name could give another's URL
    "$apierr" serve --listen 127.0.0.1:0 --client "$CLIENT" --threads 2 "$@" >"$out" 2>/dev/null &
    echo $! >>"$pidfile"
    for _ in $(seq 1 200); do [ -s "$out" ] && break; sleep 0.02; done
    head -n 1 "$out"
}
token() {
    curl -s -u demo:s3cret -d grant_type=client_credentials "$1/oauth/token" |
        python3 -S -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
rate() { # NAME URL TOKEN: wrk's req/s (the answers other than 2xx shown)
    local out rps bad
    out=$(wrk -t 2 -c 64 -d "$dur" -H "Authorization: Bearer $3" "$2" 2>&1)
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    bad=$(echo "$out" | awk '/Non-2xx/ {print $5}')
    printf '  %-34s %12s req/s   (non-2xx: %s)\n' "$1" "${rps:-0}" "${bad:-0}" >&2
    echo "${rps:-0}"
}

db=$ENGINES_DIR/fleet.db
urls=()
for _ in 1 2 3; do
    urls+=("$(serve --db "$db" --redis "$REDIS_URL" --rate 1000000/1:1000000)")
done
[ "$(printf '%s\n' "${urls[@]}" | sort -u | wc -l)" = 3 ] ||
    { echo "bench/fleet: the 3 instances did not start (${urls[*]})"; exit 1; }
t=$(token "${urls[0]}")
path=/v1/tenants/acme/invoices?limit=1
echo "fleet: wrk 2 threads, 64 connections, $dur; nginx $(nginx -v 2>&1 | sed 's/.*\///') round robin;" \
    "instances: --threads 2, Redis for limits and tokens, one database file"
start_balancer "${urls[0]}"
one=$(rate "1 instance behind nginx" "$BALANCER$path" "$t")
stop_balancer
start_balancer "${urls[@]}"
three=$(rate "3 instances behind nginx" "$BALANCER$path" "$t")
stop_balancer

# The 429 path: a limit of 1 a day, used up once; in Redis vs in memory.
lr=$(serve --db "$ENGINES_DIR/r.db" --redis "$REDIS_URL" --rate 1/86400:1)
lm=$(serve --db "$ENGINES_DIR/m.db" --rate 1/86400:1)
tr=$(token "$lr")
tm=$(token "$lm")
curl -s -o /dev/null -H "Authorization: Bearer $tr" "$lr$path"
curl -s -o /dev/null -H "Authorization: Bearer $tm" "$lm$path"
r429=$(rate "429, limit in Redis (direct)" "$lr$path" "$tr")
m429=$(rate "429, limit in memory (direct)" "$lm$path" "$tm")
awk -v a="$three" -v b="$one" -v r="$r429" -v m="$m429" 'BEGIN {
    printf "ratio 3 instances / 1 instance:   %.2fx\n", (b > 0 ? a / b : 0)
    printf "ratio 429 Redis / 429 memory:     %.2fx\n", (m > 0 ? r / m : 0) }'
