# Sourced by tests/integration/check_*.sh: report NAME EXPECTATIONS... --
# CHECK ARGS... runs `apierr check --json` (no pause: loopback), keeps the
# report in $TMP/NAME.json and checks it by content with assert_report.py
# (EXPECTATIONS are its ID=WANT arguments). Needs APIERR, PY, TMP and fail().
CHECK_FIX=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

report() {
    local name=$1 want=()
    shift
    while [ "$1" != -- ]; do
        want+=("$1")
        shift
    done
    shift
    "$APIERR" check --json --pause 0 "$@" >"$TMP/$name.json" 2>"$TMP/$name.stderr"
    local rc=$?
    "$PY" -S "$CHECK_FIX/assert_report.py" "$TMP/$name.json" "$rc" "${want[@]}" ||
        fail "$name: report differs (stderr: $(head -c 300 "$TMP/$name.stderr"))"
    # The text report of the same server, for people reading the log.
    if [ -n "${CHECK_SHOW_TEXT:-}" ]; then
        "$APIERR" check --pause 0 --no-color "$@" 2>&1
    fi
}
