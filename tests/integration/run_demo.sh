#!/usr/bin/env bash
# `make run` (scripts/run.sh) prints the `apierr call` and curl commands it
# says it prints, and each works as pasted: run here against the server it
# starts (port 0), each block (a comment line and its command) on its own.
set -u
: "${APIERR:?APIERR is not set}" "${APIERR_SOURCE_DIR:?APIERR_SOURCE_DIR is not set}"
. "$(dirname "$0")/lib/checks.sh"
command -v curl >/dev/null || { echo "SKIP: no curl"; exit 77; }
"$APIERR" serve --help >/dev/null 2>&1 || { echo "SKIP: no apierr serve"; exit 77; }
export APIERR_TIME_SCALE=0.01

cd "$tmp"
LISTEN=127.0.0.1:0 sh "$APIERR_SOURCE_DIR/scripts/run.sh" "$APIERR" >out 2>err &
demo=$!
trap 'kill -TERM "$demo" 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 300); do grep -q '^Ctrl-C stops' out 2>/dev/null && break; sleep 0.05; done
grep -q '^Ctrl-C stops' out || { cat out err; kill "$demo"; fail "run.sh printed no commands"; finish; }
grep -q '^apierr reference API on http://127\.0\.0\.1:[1-9]' out || fail "no URL: $(head -n1 out)"

# The blocks: from a comment line to the next blank line, pasted into one
# shell (a block may set what a later one uses, as TOKEN), each followed by
# a line with its exit status; block.N.out gets what block N printed.
awk '/^  # / { n++ } n && /^  / { sub(/^  /, ""); print > ("block." n) }' out
calls=$(grep -l "^${APIERR//\//\\/} call " block.* | wc -l)
[ "$calls" -ge 4 ] || fail "only $calls blocks run apierr call"
[ "$(grep -l '^curl ' block.* | wc -l)" -ge 3 ] || fail "too few curl blocks"
n=$(ls block.* | wc -l)
for i in $(seq "$n"); do
    printf 'echo "=== block %d"\n{\n%s\n} 2>&1\nrc=$?; echo; echo "=== exit status $rc"\n' \
        "$i" "$(cat "block.$i")"
done >session.sh
bash session.sh >session.out 2>&1
awk '/^=== block / { f = "block." $3 ".out"; next } { print > f }' session.out
for i in $(seq "$n"); do
    rc=$(sed -n 's/^=== exit status //p' "block.$i.out")
    [ "$rc" = 0 ] || fail "$(head -n1 "block.$i") exits $rc: $(head -n5 "block.$i.out")"
done
say() { grep -l -- "$1" block.*.out >/dev/null || fail "$2"; }
[ "$(grep -l '"data":\[' block.*.out | wc -l)" -ge 2 ] || fail "apierr call and curl: no list of invoices"
say $'^HTTP/1.1 201 Created\r$' "-i shows no 201"
say '^exit status 4$' "the 422 block does not exit 4"
say '^  field: ' "the 422 shows no field"
say '^404 not_found [0-9a-f]' "-w: no '404 not_found REQUEST_ID'"
say '^code: *validation_failed' "curl | apierr explain: no validation_failed"
say '"recent_errors":\[{' "curl /status: no recent errors"

kill -TERM "$demo" # the script passes it on, as it does Ctrl-C (a background job ignores SIGINT)
wait "$demo" || true
[ -s var/refapi.db ] || fail "no database under ./var"
finish "make run: its apierr call and curl commands work as pasted"
