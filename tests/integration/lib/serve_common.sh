# Shared by tests/integration/serve_*.sh (sourced, never run by itself):
# starts `apierr serve` instances on 127.0.0.1 port 0, makes requests with
# curl, and checks error bodies by decoding them back with `apierr explain`.
set -u
: "${APIERR:?path of the apierr binary}"
LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMP=$(mktemp -d)
FAILS=0
# The interpreter itself, not a version manager's shim: each check starts it.
PY=$(python3 -c 'import sys; print(sys.executable)')
SERVER_PIDS=()

fail() {
    echo "FAIL: $*"
    FAILS=$((FAILS + 1))
}

# Stops every server with SIGTERM; a server that does not exit 0 (LeakSanitizer
# reports, a crash) fails the test.
stop_servers() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${SERVER_PIDS[@]}"; do
        if ! wait "$pid"; then
            fail "server $pid did not stop cleanly"
            cat "$TMP"/*.err 2>/dev/null | head -40
        fi
    done
    SERVER_PIDS=()
}

finish() {
    stop_servers
    rm -rf "$TMP"
    if [ "$FAILS" -ne 0 ]; then
        echo "$FAILS failure(s)"
        exit 1
    fi
    exit 0
}
trap finish EXIT

# With SERVE_PG=1 (serve_postgres.sh, which starts a cluster with
# tests/integration/lib/engines.sh and exports its PGHOST and PGPORT), each
# server that names no --db keeps its invoices in a fresh database of that
# cluster instead of SQLite: the same checks then hold the PostgreSQL store
# to the same answers.
SERVE_DBS=0
pg_db() { # sets PG_DB_URL
    local db=serve_$$_$SERVE_DBS
    SERVE_DBS=$((SERVE_DBS + 1))
    psql -qX -d postgres -c "CREATE DATABASE $db" >/dev/null || return 1
    PG_DB_URL="postgresql:///$db?host=$PGHOST&port=$PGPORT&user=$PGUSER"
}

# start_server NAME [serve options...]: starts a server, sets URL and PID
# (and URL_<NAME>), reading the base URL from its first line of output.
start_server() {
    local name=$1
    shift
    local db=()
    case " $* " in *" --db "*) ;; *) [ -n "${SERVE_PG:-}" ] && pg_db && db=(--db "$PG_DB_URL") ;; esac
    "$APIERR" serve --listen 127.0.0.1:0 "$@" "${db[@]}" >"$TMP/$name.out" 2>"$TMP/$name.err" &
    PID=$!
    SERVER_PIDS+=("$PID")
    local i
    for i in $(seq 1 300); do
        [ -s "$TMP/$name.out" ] && break
        sleep 0.05
    done
    URL=$(head -n 1 "$TMP/$name.out")
    case "$URL" in
    http://127.0.0.1:*) ;;
    *)
        echo "server $name did not start:"
        cat "$TMP/$name.err"
        exit 1
        ;;
    esac
    printf -v "URL_$name" '%s' "$URL"
}

# req METHOD URL [curl args...]: sets ST (status; 000 on a transport error)
# and leaves the headers in $TMP/h and the body in $TMP/b.
req() {
    local method=$1 url=$2
    shift 2
    ST=$(curl -s -m 20 -o "$TMP/b" -D "$TMP/h" -w '%{http_code}' -X "$method" "$url" "$@")
}

header() { # NAME: its value in the last response, or empty
    grep -i "^$1:" "$TMP/h" | head -n 1 | cut -d: -f2- | sed 's/^ *//; s/\r$//'
}

json_get() { # PYTHON-EXPR over `j` (the last body)
    "$PY" -S -c "import json,sys; j=json.load(open(sys.argv[1])); print($1)" "$TMP/b"
}

# expect_status WANT WHAT: the last response had status WANT.
expect_status() {
    [ "$ST" = "$1" ] || { fail "$2: status $ST, want $1: $(head -c 300 "$TMP/b")"; return 1; }
}

# expect_problem WANT CODE WHAT [FIELD...]: the last response has status WANT,
# and `apierr explain --json` reads back code CODE (- to skip), the request id
# of the X-Request-Id header, the Retry-After, and each FIELD in the details.
# EXPLAIN_ARGS (array) adds options, e.g. --profile NAME or --dialect oauth.
expect_problem() {
    local want=$1 code=$2 what=$3
    shift 3
    expect_status "$want" "$what" || return
    local rid ra ct args
    rid=$(header X-Request-Id)
    ra=$(header Retry-After)
    ct=$(header Content-Type)
    args=(--json --status "$ST" --header "X-Request-Id: $rid")
    [ -n "$ra" ] && args+=(--header "Retry-After: $ra")
    [ -n "$ct" ] && args+=(--content-type "$ct")
    if ! "$APIERR" explain "${args[@]}" "${EXPLAIN_ARGS[@]}" "$TMP/b" >"$TMP/e.json" 2>"$TMP/e.err"; then
        fail "$what: explain failed: $(cat "$TMP/e.err")"
        return
    fi
    "$PY" -S "$LIB/check_problem.py" "$TMP/e.json" "$TMP/b" "$want" "$code" "$rid" "$ra" "$@" ||
        fail "$what"
}
