#!/usr/bin/env bash
# `make install` works for a user: install into a scratch prefix, then build
# examples/ against it with CMake (shared and static) and with pkg-config,
# run each, and check the SONAME. Exit 77 (skipped) in the sanitizer build,
# whose libraries need the sanitizer runtime to link.
set -euo pipefail
[ "${APIERR_SANITIZE:-OFF}" = ON ] && { echo "skipped: sanitizer build"; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake --install "$APIERR_BUILD_DIR" --prefix "$prefix" >/dev/null
libdir=$(find "$prefix" -name 'libapierr.so.*.*' -printf '%h\n' | head -n1)
[ -n "$libdir" ] || { echo "no shared library installed"; exit 1; }
[ -f "$libdir/libapierr.a" ] || { echo "no static library installed"; exit 1; }
[ -f "$prefix/include/apierr.h" ] || { echo "no umbrella header installed"; exit 1; }
[ -f "$prefix/share/man/man1/apierr.1" ] || { echo "no man page installed"; exit 1; }
[ -s "$prefix/share/bash-completion/completions/apierr" ] || { echo "no bash completion installed"; exit 1; }
[ -s "$prefix/share/zsh/site-functions/_apierr" ] || { echo "no zsh completion installed"; exit 1; }
soname=$(objdump -p "$libdir/libapierr.so" | awk '/SONAME/ {print $2}')
[ "$soname" = "libapierr.so.0" ] || { echo "unexpected SONAME '$soname'"; exit 1; }

body='{"message":"The given data was invalid.","errors":{"items[0].price":["must be > 0"]}}'
check() {
    out=$(printf '%s' "$body" | "$@" 422)
    grep -q '^422 Unprocessable Content (fieldmap)$' <<<"$out" || { echo "bad output from $1:"; echo "$out"; exit 1; }
    grep -q '^field items.0.price: must be > 0$' <<<"$out" || { echo "no field from $1"; exit 1; }
    grep -q '^action: fix_request$' <<<"$out" || { echo "no action from $1"; exit 1; }
}

# CMake package config: shared and static.
cmake -S "$APIERR_SOURCE_DIR/examples" -B "$work/ex" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/ex" >/dev/null
LD_LIBRARY_PATH="$libdir" check "$work/ex/explain_body"
check "$work/ex/explain_body_static"
if LD_LIBRARY_PATH= ldd "$work/ex/explain_body_static" | grep -q libapierr; then
    echo "static example links the shared library"; exit 1
fi

# pkg-config.
export PKG_CONFIG_PATH="$libdir/pkgconfig"
cc -o "$work/pc" "$APIERR_SOURCE_DIR/examples/explain_body.c" $(pkg-config --cflags --libs apierr)
LD_LIBRARY_PATH="$libdir" check "$work/pc"
cc -o "$work/pcs" "$APIERR_SOURCE_DIR/examples/explain_body.c" $(pkg-config --cflags apierr) \
    "$libdir/libapierr.a" $(pkg-config --libs jansson)
check "$work/pcs"
# The client library, end to end: the installed `apierr serve` on port 0,
# the example built by CMake and by pkg-config lists the tenant's invoices.
"$prefix/bin/apierr" serve --listen 127.0.0.1:0 --db "$work/db" \
    --client demo:s3cret:acme:invoices:read,invoices:write >"$work/serve.out" 2>"$work/serve.err" &
serve=$!
trap 'kill $serve 2>/dev/null; wait $serve 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do [ -s "$work/serve.out" ] && break; sleep 0.05; done
base=$(head -n 1 "$work/serve.out")
out=$(LD_LIBRARY_PATH="$libdir" "$work/ex/list_invoices" "$base" demo s3cret acme)
grep -q '^200 ' <<<"$out" || { echo "list_invoices (CMake): $out"; exit 1; }
cc -o "$work/pcc" "$APIERR_SOURCE_DIR/examples/list_invoices.c" $(pkg-config --cflags --libs apierr-client)
out=$(LD_LIBRARY_PATH="$libdir" "$work/pcc" "$base" demo s3cret acme)
grep -q '^200 ' <<<"$out" || { echo "list_invoices (pkg-config): $out"; exit 1; }
out=$(LD_LIBRARY_PATH="$libdir" "$work/pcc" "$base" demo wrong acme) && { echo "bad secret accepted"; exit 1; }
grep -q '^failed (unauthenticated)' <<<"$out" || { echo "list_invoices, bad secret: $out"; exit 1; }
for so in libapierr-client.so.0 libapierr-server.so.0; do
    [ -e "$libdir/$so" ] || { echo "$so not installed"; exit 1; }
done
pkg-config --exists apierr-server || { echo "apierr-server.pc unusable"; exit 1; }

echo "install: ok (SONAME $soname, CMake shared+static, pkg-config; client example against apierr serve)"
