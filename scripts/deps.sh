#!/bin/sh
# Installs the Debian packages apierr needs to build, test and benchmark,
# skipping those already present. Non-interactive and idempotent; run as root
# (or through sudo when it is there). Prints what it installs.
set -eu

PKGS="build-essential cmake pkg-config clang libclang-rt-dev clang-format
libjansson-dev libcurl4-openssl-dev libmicrohttpd-dev libsqlite3-dev
libssl-dev libcmocka-dev libhiredis-dev libpq-dev curl
postgresql redis-server
wrk nginx-light python3-urllib3 node-express jq"
# Wanted by a benchmark only (bench/server's h2o peer); one that cannot be
# installed is reported, and its benchmark skips it.
OPTIONAL="libh2o-evloop-dev"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done

optional=""
for p in $OPTIONAL; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        optional="$optional $p"
    fi
done

[ -z "$missing$optional" ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "deps.sh: missing packages:$missing; run me as root" >&2
        exit 1
    fi
fi
echo "deps.sh: installing:$missing$optional"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
[ -z "$missing" ] || $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
for p in $optional; do
    $SUDO apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 ||
        echo "deps.sh: optional $p not installed (its benchmark peer is skipped)"
done
echo "deps.sh: done"
