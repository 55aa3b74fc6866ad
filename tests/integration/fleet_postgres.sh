#!/usr/bin/env bash
# The fleet tests again with the invoices and the idempotency journal in
# PostgreSQL (FLEET_DB=postgres, lib/fleet_db.sh): three instances behind
# nginx sharing Redis and one PostgreSQL database; 1,000 keyed POSTs through
# drops and 503s leave 1,000 invoices; an instance dead between its commit
# and Redis, kill -9 during a load, Redis away and PostgreSQL away for 3 s:
# no write twice, none acknowledged and lost.
HERE=$(cd "$(dirname "$0")" && pwd)
for t in fleet_redis fleet_faults; do
    FLEET_DB=postgres bash "$HERE/$t.sh"
    rc=$?
    [ $rc = 0 ] || { echo "FAIL: $t.sh on PostgreSQL (exit $rc)"; exit $rc; }
done
