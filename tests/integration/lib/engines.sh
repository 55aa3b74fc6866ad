# Throwaway database engines for the tests that need real ones (sourced,
# never run by itself): a PostgreSQL cluster in a scratch folder, reached
# only through a Unix socket in that folder, and a redis-server on a free
# 127.0.0.1 port. Each start_* exports what clients need (PGHOST/PGPORT/
# PGUSER, REDIS_URL) and registers its stop with engines_stop, which the
# caller's EXIT trap runs. A missing engine makes the test skip (exit 77):
# scripts/deps.sh installs them.
ENGINES_DIR=$(mktemp -d)
ENGINE_STOPS=()
. "$(dirname "${BASH_SOURCE[0]}")/nginx.bash"

engines_stop() {
    local s
    for s in "${ENGINE_STOPS[@]}"; do eval "$s" >/dev/null 2>&1; done
    ENGINE_STOPS=()
    rm -rf "$ENGINES_DIR"
}

# A free TCP port on 127.0.0.1 (bound and released: racy, but only against
# other tests of this machine).
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# initdb refuses to run as root: the cluster then belongs to the postgres
# user, who must be able to reach the folder.
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The cluster's max_connections: small, so that a test can fill it (53300);
# a fleet of servers, each with a connection per worker, sets more.
PG_MAX_CONNECTIONS=${PG_MAX_CONNECTIONS:-20}

start_postgres() {
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
    [ -x "$bin/initdb" ] || { echo "skipped: no PostgreSQL server (scripts/deps.sh)"; exit 77; }
    local dir=$ENGINES_DIR/pg
    mkdir -p "$dir"
    chmod 755 "$ENGINES_DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust >"$ENGINES_DIR/initdb.log" 2>&1 ||
        { cat "$ENGINES_DIR/initdb.log"; return 1; }
    PGPORT=$(free_port) PG_BIN=$bin
    pg_up || return 1
    ENGINE_STOPS+=("as_pg '$bin/pg_ctl' -D '$dir/data' -m immediate stop")
    export PGHOST=$dir PGPORT PGUSER=postgres PGDATABASE=postgres
}

# pg_down: PostgreSQL stops (a fast shutdown: its clients are cut off);
# pg_up starts it again on the same port, with its data.
pg_down() {
    as_pg "$PG_BIN/pg_ctl" -D "$ENGINES_DIR/pg/data" -m fast -w stop >/dev/null
}

pg_up() {
    local dir=$ENGINES_DIR/pg
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o \
        "-p $PGPORT -k $dir -c listen_addresses= -c max_connections=$PG_MAX_CONNECTIONS -c fsync=off" start \
        >/dev/null || { cat "$dir/log"; return 1; }
}

start_redis() {
    command -v redis-server >/dev/null || { echo "skipped: no redis-server (scripts/deps.sh)"; exit 77; }
    run_redis "$(free_port)"
    export REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
}

# run_redis PORT: a redis-server on PORT (no automatic saves; its data
# file, written only by SHUTDOWN SAVE, in the engines' folder), waited for.
run_redis() {
    local port=$1
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
        --dir "$ENGINES_DIR" --daemonize no >>"$ENGINES_DIR/redis-$port.log" 2>&1 &
    local pid=$!
    ENGINE_STOPS+=("kill $pid; wait $pid")
    for _ in $(seq 100); do
        redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break
        sleep 0.05
    done
    REDIS_PID=$pid REDIS_PORT=$port
}

# redis_down: Redis goes away, its data saved (as a persistent Redis that
# restarts); redis_up brings it back on the same port, with that data.
redis_down() {
    redis-cli -p "$REDIS_PORT" shutdown save >/dev/null 2>&1
    wait "$REDIS_PID" 2>/dev/null
}

redis_up() {
    run_redis "$REDIS_PORT"
}

# start_balancer URL...: nginx as a round-robin load balancer in front of
# the given base URLs (http://127.0.0.1:PORT), never retrying a request on
# another instance itself (proxy_next_upstream off: the client decides), and
# never taking an instance out for the faults it injects (max_fails=0).
# Sets BALANCER to its base URL.
start_balancer() {
    command -v nginx >/dev/null || { echo "skipped: no nginx (scripts/deps.sh)"; exit 77; }
    local dir=$ENGINES_DIR/nginx port servers="" u
    port=$(free_port)
    for u in "$@"; do servers="$servers server ${u#http://} max_fails=0;"; done
    start_nginx "$dir" "    upstream fleet { $servers keepalive 32; }
    server {
        listen 127.0.0.1:$port;
        location / {
            proxy_pass http://fleet;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_next_upstream off;
        }
    }"
    BALANCER_PID=$NGINX_PID
    ENGINE_STOPS+=("stop_balancer")
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://127.0.0.1:$port/" && break
        sleep 0.05
    done
    BALANCER=http://127.0.0.1:$port
}

# Stops the balancer start_balancer started (before another is started).
stop_balancer() {
    [ -n "${BALANCER_PID:-}" ] || return 0
    kill "$BALANCER_PID" 2>/dev/null
    wait "$BALANCER_PID" 2>/dev/null
    BALANCER_PID=
}

# start_redis_locked PASSWORD: a redis-server that wants PASSWORD (AUTH),
# on a free 127.0.0.1 port and on a Unix socket in the engines' folder,
# waited for. Sets REDIS_PORT and REDIS_SOCKET.
start_redis_locked() {
    command -v redis-server >/dev/null || { echo "skipped: no redis-server (scripts/deps.sh)"; exit 77; }
    REDIS_PORT=$(free_port) REDIS_SOCKET=$ENGINES_DIR/redis.sock
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --unixsocket "$REDIS_SOCKET" \
        --unixsocketperm 700 --requirepass "$1" --save '' --appendonly no --dir "$ENGINES_DIR" \
        >>"$ENGINES_DIR/redis-locked.log" 2>&1 &
    local pid=$!
    ENGINE_STOPS+=("kill $pid; wait $pid")
    for _ in $(seq 100); do
        REDISCLI_AUTH=$1 redis-cli -s "$REDIS_SOCKET" ping 2>/dev/null | grep -q PONG && break
        sleep 0.05
    done
}
