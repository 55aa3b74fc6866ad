#!/usr/bin/env bash
# The layers of docs/ARCHITECTURE.md, held by the #include lines:
# - src/core does no I/O: it includes ISO C headers, jansson and its own
#   headers only (no curl, HTTP server, database, thread, socket or clock
#   header, and no header of the client, the server or refapi);
# - src/client and src/server never include each other;
# - src/refapi, an application, uses public headers only: no header of
#   src/core (the core's internals) nor of the libraries' internals.
# Then the checks are run on altered copies, to prove they catch a breach.
set -u
src=${APIERR_SOURCE_DIR:?APIERR_SOURCE_DIR is not set}
. "$(dirname "$0")/lib/checks.sh"

# The headers src/core may include with <...>: C11's own, and jansson.
core_system='assert|ctype|errno|float|inttypes|limits|locale|math|stdalign|stdarg|stdatomic|stdbool|stddef|stdint|stdio|stdlib|stdnoreturn|string|strings|jansson'

# Prints "file:line:#include ...  (why)" for each include in src/$2 of tree
# $1 that matches the extended regex $3.
rule() {
    local root=$1 dir=$2 pattern=$3 why=$4
    [ -d "$root/src/$dir" ] || return 0
    grep -nE '^[[:space:]]*#[[:space:]]*include' "$root/src/$dir"/*.[ch] |
        grep -E -- "$pattern" | sed "s#^$root/##; s#\$#  ($why)#"
}

# Prints every include of tree $1 that breaks the rules: one line a rule.
check_tree() {
    local root=$1 internals
    # Every internal header of the libraries, by name.
    internals=$(cd "$root/src" && ls core/*.h client/*.h server/*.h |
        sed 's#.*/##; s/\./\\./g' | paste -sd'|')
    rule "$root" core "<" "" | grep -vE "<($core_system)\.h>" |
        sed 's/  ()$/  (core includes a system header that is not ISO C or jansson)/'
    rule "$root" core 'apierr/(client|server)/|apierr-(client|server)\.h|(client|server)_impl\.h"|refapi' \
        "core includes a client, server or refapi header"
    rule "$root" client 'apierr/server/|apierr-server\.h|server_impl\.h|sqlite3' \
        "the client includes the server"
    rule "$root" server 'apierr/client/|apierr-client\.h|client_impl\.h|curl/' \
        "the server includes the client"
    rule "$root" refapi "\"($internals)\"" "refapi includes a library-internal header"
}

found=$(check_tree "$src")
[ -z "$found" ] || fail "layer breaches:
$found"

# The shared libraries link the core and never each other (the build links
# them with -Wl,--no-undefined, so what they use they link).
needed() { objdump -p "$1" | awk '/NEEDED/ {print $2}'; }
build=${APIERR_BUILD_DIR:-}
if [ -n "$build" ] && [ -f "$build/libapierr-client.so" ]; then
    for pair in client:server server:client; do
        lib=${pair%%:*} other=${pair##*:}
        deps=$(needed "$build/libapierr-$lib.so")
        grep -q '^libapierr\.so' <<<"$deps" || fail "libapierr-$lib.so does not link libapierr.so"
        ! grep -q "libapierr-$other" <<<"$deps" || fail "libapierr-$lib.so links libapierr-$other"
    done
    ! needed "$build/libapierr.so" | grep -qE 'curl|sqlite|microhttpd|pthread' ||
        fail "libapierr.so links an I/O library: $(needed "$build/libapierr.so" | paste -sd' ')"
    # PostgreSQL is the reference API's (--db postgresql://): the server
    # library maps SQLSTATEs from strings and never links libpq.
    ! needed "$build/libapierr-server.so" | grep -q '^libpq' ||
        fail "libapierr-server.so links libpq"
fi

# The checks must catch a breach: copy src/ and add one of each kind.
mkdir -p "$tmp/tree"
cp -r "$src/src" "$tmp/tree/src"
probe() {
    local file=$1 line=$2 what=$3
    cp "$tmp/tree/src/$file" "$tmp/saved"
    printf '%s\n' "$line" >>"$tmp/tree/src/$file"
    check_tree "$tmp/tree" | grep -qF "src/$file:$(($(wc -l <"$tmp/saved") + 1)):$line" ||
        fail "not caught: $what"
    cp "$tmp/saved" "$tmp/tree/src/$file"
}
probe core/status.c '#include <curl/curl.h>' "curl in core"
probe core/status.c '#include <pthread.h>' "threads in core"
probe core/status.c '#include <time.h>' "a clock in core"
probe core/status.c '#include "apierr/client/client.h"' "a client header in core"
probe client/result.c '#include "apierr/server/reply.h"' "the server in the client"
probe server/reply.c '#include "client_impl.h"' "the client in the server"
probe refapi/store.c '#include "buf.h"' "a core internal in refapi"

finish "layers hold: core, client, server, refapi"
