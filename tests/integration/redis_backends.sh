#!/usr/bin/env bash
# libapierr-server's Redis backends (the limiter, the idempotency store, the
# scripts of apierr/server/redis.h) against a real redis-server, which each
# test of tests/engines starts on the free port given here, and stops and
# starts again to see the backend
# fail and come back.
set -u
. "$(dirname "$0")/lib/engines.sh"
trap engines_stop EXIT
command -v redis-server >/dev/null || { echo "skipped: no redis-server (scripts/deps.sh)"; exit 77; }
status=0
for t in test_limiter_redis test_idempotency_redis test_redis_eval; do
    echo "== $t"
    REDIS_TEST_PORT=$(free_port) "${APIERR_BUILD_DIR:?}/tests/$t" || status=1
done
exit $status
