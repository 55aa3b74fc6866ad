#!/usr/bin/env bash
# bench/client for `make bench` (scripts/bench.sh runs bench/*/run.sh
# BUILD_DIR): the goodput of `apierr call --parallel` under faults against
# curl, urllib3 and Node. The throughput half of bench/client is the
# bench_client binary, which scripts/bench.sh runs on its own.
exec bash "$(dirname "$0")/goodput.sh" "${1:-build}"
