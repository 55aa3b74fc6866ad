#!/usr/bin/env bash
# Goodput peer: one call of Debian's curl with --retry, run N at a time by
# goodput.sh through xargs -P. usage: peer_curl.sh DIR TOKEN CALL URL
#
# curl retries 408, 429, 500, 502, 503, 504 and timeouts; it waits the
# Retry-After when there is one, else 1 s doubling. Not --retry-delay (a
# fixed delay that overrides Retry-After) nor --retry-all-errors (it would
# retry 4xx as well); --retry-max-time is unset like the peers' deadlines. --trace-time stamps are
# wall time shifted by a whole-second offset that curl computes once, so the
# launch time written to DIR/CALL.t0 anchors them (goodput.py curl).
set -u
dir=$1 token=$2 call=$3 url=$4
echo "$EPOCHREALTIME" >"$dir/$call.t0"
exec curl -s --retry "${CURL_RETRIES:-4}" -o "$dir/$call.body" -w '%{http_code}' \
    --trace-ascii "$dir/$call.trace" --trace-time \
    -H "Authorization: Bearer $token" "$url" >"$dir/$call.code"
