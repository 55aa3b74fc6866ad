#!/usr/bin/env bash
# bench/server: wrk against `apierr serve` (GET 200, 401 without a token, 429
# for a key over its limit) and against nginx with limit_req answering 429
# with a JSON body, same connections, threads and duration, in one run; then
# GET 200 with the access log on, ours (--access-log, JSON lines) against
# nginx serving the same JSON with a JSON access log.
# Prints req/s and the ratios our 429 / nginx 429, our 429 / our GET 200 and
# our logged GET 200 / nginx's logged GET 200; and the HTTP libraries alone,
# libmicrohttpd and h2o serving the same answers as constants (the peers).
# Usage: bench/server/run.sh BUILD_DIR   (DURATION, CONNS, THREADS override)
set -u
build=${1:-build}
apierr=$(cd "$build" && pwd)/apierr
dur=${DURATION:-5s}
conns=${CONNS:-64}
threads=${THREADS:-2}
for tool in wrk nginx; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench/server: $tool missing (scripts/deps.sh)"; exit 0; }
done
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
    python3 -S -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# The HTTP-layer peers (bench/server/*_peer.c): apierr serve's two answers
# as constants from libmicrohttpd with serve's options, and from h2o when
# it was built (libh2o-evloop, optional in scripts/deps.sh).
peers=()
for lib in mhd h2o; do
    bin="$build/bench/server_peer_$lib"
    [ -x "$bin" ] || { echo "bench/server: no $lib peer (not built), skipped"; continue; }
    p=$(free_port)
    "$bin" "$p" "$threads" >"$tmp/peer_$lib.out" 2>&1 &
    pids+=($!)
    peers+=("$lib:$p")
done

# Our server, limited to 1000000/s so that GET 200 is never limited; the 429
# key is a token with a limit run out before wrk starts. Both run as many
# worker threads as nginx runs worker processes ($threads), so neither side
# gets more parallelism than the other on the cores it shares with wrk.
"$apierr" serve --listen 127.0.0.1:0 --client demo:s3cret:acme:invoices:read,invoices:write \
    --rate 1000000/1:1000000 --threads "$threads" >"$tmp/ours.out" 2>"$tmp/ours.err" &
pids+=($!)
"$apierr" serve --listen 127.0.0.1:0 --client demo:s3cret:acme:invoices:read,invoices:write \
    --rate 1/86400:1 --threads "$threads" >"$tmp/lim.out" 2>"$tmp/lim.err" &
pids+=($!)
"$apierr" serve --listen 127.0.0.1:0 --client demo:s3cret:acme:invoices:read,invoices:write \
    --rate 1000000/1:1000000 --threads "$threads" --access-log "$tmp/access.log" \
    >"$tmp/logd.out" 2>"$tmp/logd.err" &
pids+=($!)
for _ in $(seq 1 100); do
    [ -s "$tmp/ours.out" ] && [ -s "$tmp/lim.out" ] && [ -s "$tmp/logd.out" ] && break
    sleep 0.05
done
ours=$(head -n 1 "$tmp/ours.out")
logd=$(head -n 1 "$tmp/logd.out")
lim=$(head -n 1 "$tmp/lim.out")
tok() {
    curl -s -u demo:s3cret -d grant_type=client_credentials "$1/oauth/token" |
        python3 -S -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
t=$(tok "$ours")
tl=$(tok "$lim")
tg=$(tok "$logd")
curl -s -o /dev/null -H 'Content-Type: application/json' -H "Authorization: Bearer $tg" \
    -d '{"documentNumber":"B-1","currency":"EUR","customer":{"name":"n","email":"a@b.co"},"lines":[{"quantity":1,"unitPrice":1}]}' \
    "$logd/v1/tenants/acme/invoices"
curl -s -o /dev/null -H 'Content-Type: application/json' -H "Authorization: Bearer $t" \
    -d '{"documentNumber":"B-1","currency":"EUR","customer":{"name":"n","email":"a@b.co"},"lines":[{"quantity":1,"unitPrice":1}]}' \
    "$ours/v1/tenants/acme/invoices"
curl -s -o /dev/null -H "Authorization: Bearer $tl" "$lim/v1/tenants/acme/invoices/1"
check=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tl" "$lim/v1/tenants/acme/invoices/1")
[ "$check" = 429 ] || echo "bench/server: warning: the limited key answers $check"

# nginx: limit_req at 1 r/m with no burst, so nearly every request gets 429
# (return would run before limit_req, so the 200 is a static file).
nport=$(free_port)
nport2=$(free_port)
mkdir -p "$tmp/nginx/logs" "$tmp/nginx/www"
echo '{"ok":true}' >"$tmp/nginx/www/ok.json"
# Run as root, nginx's workers are nobody: they must reach the file through
# mktemp's 0700 directory, or every GET 200 is a 404.
chmod 755 "$tmp" "$tmp/nginx" "$tmp/nginx/www"
chmod 644 "$tmp/nginx/www/ok.json"
cat >"$tmp/nginx/nginx.conf" <<CONF
daemon off;
worker_processes $threads;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log crit;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    limit_req_zone \$binary_remote_addr zone=api:10m rate=1r/m;
    log_format json escape=json '{"time":"\$time_iso8601","request_id":"\$request_id",'
        '"method":"\$request_method","path":"\$uri","status":\$status,'
        '"bytes":\$body_bytes_sent,"request_time_s":"\$request_time"}';
    server {
        listen 127.0.0.1:$nport2;
        access_log $tmp/nginx/logs/access.log json;
        location / {
            root $tmp/nginx/www;
            default_type application/json;
            try_files /ok.json =404;
        }
    }
    server {
        listen 127.0.0.1:$nport;
        location / {
            limit_req zone=api nodelay;
            limit_req_status 429;
            error_page 429 = @limited;
            root $tmp/nginx/www;
            default_type application/json;
            try_files /ok.json =404;
        }
        location @limited {
            default_type application/problem+json;
            add_header Retry-After 60 always;
            return 429 '{"type":"about:blank","title":"Too Many Requests","status":429,"detail":"Rate limit exceeded."}';
        }
    }
}
CONF
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/logs/error.log" &
pids+=($!)
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$nport/" && break; sleep 0.05; done
for pp in "${peers[@]}"; do
    for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:${pp#*:}/" && break; sleep 0.05; done
done

rate() { # NAME URL [header]: runs wrk, prints and returns req/s
    local name=$1 url=$2
    shift 2
    local out
    out=$(wrk -t "$threads" -c "$conns" -d "$dur" "$@" "$url" 2>&1)
    local rps
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    local non2xx
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
    printf '%-22s %12s req/s   (non-2xx: %s)\n' "$name" "$rps" "${non2xx:-0}" >&2
    echo "$rps"
}
echo "wrk: $threads threads, $conns connections, $dur each; servers: $threads workers each;" \
    "peer: nginx $(nginx -v 2>&1 | sed 's/.*\///')"
g200=$(rate "ours GET 200" "$ours/v1/tenants/acme/invoices/1" -H "Authorization: Bearer $t")
g401=$(rate "ours 401 (no token)" "$ours/v1/tenants/acme/invoices/1")
g429=$(rate "ours 429 (over limit)" "$lim/v1/tenants/acme/invoices/1" -H "Authorization: Bearer $tl")
n429=$(rate "nginx 429 limit_req" "http://127.0.0.1:$nport/")
l200=$(rate "ours GET 200 +log" "$logd/v1/tenants/acme/invoices/1" -H "Authorization: Bearer $tg")
m200=$(rate "nginx GET 200 +log" "http://127.0.0.1:$nport2/")
declare -A p429 p200
for pp in "${peers[@]}"; do
    lib=${pp%%:*}
    p429[$lib]=$(rate "$lib peer 429" "http://127.0.0.1:${pp#*:}/429")
    p200[$lib]=$(rate "$lib peer GET 200" "http://127.0.0.1:${pp#*:}/invoice")
done
echo "load: $(uptime | sed 's/.*load average: //')"
python3 -S -c '
import sys
g200, g401, g429, n429, l200, m200 = map(float, sys.argv[1:])
print("ratio ours 429 / nginx 429:   %.2fx (target >= 1.0x)" % (g429 / n429))
print("ratio ours 429 / ours GET 200: %.2fx (target >= 1.2x)" % (g429 / g200))
print("ratio ours GET 200 +log / nginx GET 200 +log: %.2fx" % (l200 / m200))
' "${g200:-0}" "${g401:-0}" "${g429:-0}" "${n429:-1}" "${l200:-0}" "${m200:-1}"
# The HTTP library alone (same answers, same threads): h2o / libmicrohttpd;
# and what the reference API costs over its library: ours / the mhd peer.
if [ -n "${p429[mhd]:-}" ]; then
    python3 -S -c '
import sys
g429, g200, m429, m200, h429, h200 = map(float, sys.argv[1:7])
print("ratio ours 429 / mhd peer 429: %.2fx   ours GET 200 / mhd peer GET 200: %.2fx" % (g429 / m429, g200 / m200))
if h429 > 0:
    print("ratio h2o peer 429 / mhd peer 429: %.2fx   h2o peer GET 200 / mhd peer GET 200: %.2fx" % (h429 / m429, h200 / m200))
    print("ratio h2o peer 429 / nginx 429: %.2fx   mhd peer 429 / nginx 429: %.2fx" % (h429 / float(sys.argv[7]), m429 / float(sys.argv[7])))
' "${g429:-0}" "${g200:-0}" "${p429[mhd]:-1}" "${p200[mhd]:-1}" "${p429[h2o]:-0}" "${p200[h2o]:-0}" "${n429:-1}"
fi
