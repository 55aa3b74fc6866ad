#!/usr/bin/env bash
# The limiter's Redis backend against a real redis-server, which
# tests/engines/test_limiter_redis.c starts on the free port given here, and
# stops and starts again to see the limiter fail and come back.
set -u
. "$(dirname "$0")/lib/engines.sh"
trap engines_stop EXIT
command -v redis-server >/dev/null || { echo "skipped: no redis-server (scripts/deps.sh)"; exit 77; }
REDIS_TEST_PORT=$(free_port) "${APIERR_BUILD_DIR:?}/tests/test_limiter_redis"
