# The database of the fleet tests (sourced by fleet.sh, never run by
# itself): SQLite files by default, or with FLEET_DB=postgres databases of a
# throwaway PostgreSQL cluster (fleet_postgres.sh runs the fleet tests so),
# so that one script holds both stores to the same promises.
FLEET_DB=${FLEET_DB:-sqlite}
case $FLEET_DB in
sqlite) ;;
postgres)
    command -v psql >/dev/null || { echo "skipped: no psql (scripts/deps.sh)"; exit 77; }
    PG_MAX_CONNECTIONS=60
    start_postgres || exit 1
    ;;
*) echo "FLEET_DB=$FLEET_DB: sqlite or postgres" >&2; exit 1 ;;
esac

# fleet_db NAME: sets DB to the --db value of a new database NAME: a file
# in $TMP, or a database of the cluster.
fleet_db() {
    if [ "$FLEET_DB" = sqlite ]; then
        DB=$TMP/$1.db
        return
    fi
    psql -qX -d postgres -c "CREATE DATABASE $1" >/dev/null || exit 1
    DB="postgresql:///$1?host=$PGHOST&port=$PGPORT&user=$PGUSER"
}

# fleet_sql DB SQL: the rows of a query of DB (a fleet_db value), one a
# line, columns joined by '|'.
fleet_sql() {
    if [ "$FLEET_DB" = postgres ]; then
        psql -qXtA -F '|' -d "$1" -c "$2"
        return
    fi
    python3 -c 'import sqlite3, sys
for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):
    print("|".join(str(c) for c in row))' "$1" "$2"
}

# invoices DB: "all|distinct" invoices of DB (by number).
invoices() {
    fleet_sql "$1" "SELECT count(*), count(DISTINCT documentNumber) FROM invoices"
}
