#!/usr/bin/env bash
# The README's examples work as pasted (curl's "docs checked by tests"):
# every ```sh block of its section "The command" runs, in order, in one bash
# session in a scratch folder, with `apierr` on PATH; each block starts the
# server it calls (port 0) and stops it. The session must exit 0 and say
# what the README says it says.
set -u
: "${APIERR:?APIERR is not set}" "${APIERR_SOURCE_DIR:?APIERR_SOURCE_DIR is not set}"
. "$(dirname "$0")/lib/checks.sh"
"$APIERR" serve --help >/dev/null 2>&1 || { echo "SKIP: no apierr serve"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: no jq (the README's filters use it)"; exit 77; }

awk '/^## / { insec = ($0 == "## The command") ; next }
     insec && /^```sh$/ { inblock = 1; n++; next }
     inblock && /^```$/ { inblock = 0; next }
     inblock { print > ("'"$tmp"'/block." n ".sh") }' "$APIERR_SOURCE_DIR/README.md"
blocks=$(ls "$tmp"/block.*.sh 2>/dev/null | wc -l)
[ "$blocks" -ge 1 ] || { fail "no shell block in the README's command section"; finish; }

mkdir "$tmp/bin" "$tmp/work"
ln -s "$APIERR" "$tmp/bin/apierr"
# The waits as the README's reader sees them: the outage outlasts scaled ones.
unset APIERR_TIME_SCALE
for i in $(seq "$blocks"); do
    # A block that fails half-way must not leave its server behind.
    { echo 'set -e -o pipefail'; echo "trap 'rc=\$?; set +e; kill \$(jobs -p) 2>/dev/null; exit \$rc' EXIT"
      cat "$tmp/block.$i.sh"; } >"$tmp/run.$i.sh"
    rc=0
    # timeout: a block whose server never starts would wait for it forever.
    (cd "$tmp/work" && PATH="$tmp/bin:$PATH" timeout 60 bash "$tmp/run.$i.sh") \
        >"$tmp/out.$i" 2>"$tmp/err.$i" || rc=$?
    [ "$rc" = 0 ] || fail "README block $i exits $rc: $(tail -n5 "$tmp/err.$i")"
done

# What the README says happens.
says() { # BLOCK PATTERN WHAT
    grep -q -- "$2" "$tmp/out.$1" "$tmp/err.$1" || fail "block $1: $3"
}
says 1 '^retry 1/[0-9]* in [0-9.]* s: 503 ' "no retry through the outage"
# (Bodies end without a line end, as curl prints them: no ^ before what
# follows one.)
says 1 $'HTTP/1.1 201 Created\r$' "-i shows no 201"
says 1 '200 ok after [0-9]* retries$' "-w line"
says 1 '"quantity":3' "--update did not add one"
says 1 'exit status 4$' "the 404 does not exit 4"
[ "$(grep -c '"ok":true' "$tmp/out.1")" = 3 ] || fail "block 1: the batch did not make 3 calls"
says 2 '"data":\[' "gestix: no list through the session"
says 3 '^score: ' "check: no score"
says 4 '^  email: must be an email' "explain: no field"
says 4 '"retry_after_ms": 15000' "explain --json: no Retry-After"
finish "README: its $blocks shell blocks work as pasted"
