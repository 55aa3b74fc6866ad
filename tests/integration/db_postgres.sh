#!/usr/bin/env bash
# PostgreSQL errors as problems, against a throwaway cluster this test starts
# (tests/engines/test_db_postgres.c raises every SQLSTATE of the table).
set -u
. "$(dirname "$0")/lib/engines.sh"
trap engines_stop EXIT
bin=${APIERR_BUILD_DIR:?}/tests/test_db_postgres
[ -x "$bin" ] || { echo "skipped: built without libpq"; exit 77; }
start_postgres || exit 1
"$bin"
