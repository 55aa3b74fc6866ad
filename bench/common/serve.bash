# Sourced by the benchmark scripts that run `apierr serve` as their peer
# (APIERR, SPEC, TMP and N set by the script).
# bench_serve [OPTIONS...]: a fresh server with the client SPEC (its pid in
# SP), BASE its URL (no trailing slash), and $TMP/batch: N GET lines of its
# invoice list, each its own URL, for `apierr call --parallel --input`.
bench_serve() {
    rm -f "$TMP/url"
    "$APIERR" serve --listen 127.0.0.1:0 --client "$SPEC" "$@" >"$TMP/url" 2>/dev/null &
    SP=$!
    for _ in $(seq 100); do [ -s "$TMP/url" ] && break; sleep 0.05; done
    BASE=$(head -n1 "$TMP/url")
    BASE=${BASE%/}
    for i in $(seq "$N"); do echo "GET $BASE/v1/tenants/acme/invoices?n=$i"; done >"$TMP/batch"
}
