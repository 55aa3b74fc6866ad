# Sourced by the integration tests that check files against each other (the
# man page against the code, the include lines against the layers): a
# scratch folder $tmp, fail() to count a failed check, and finish() to exit
# with the count.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# finish MESSAGE: exits 1 after the count of failed checks, or prints
# MESSAGE and exits 0.
finish() {
    if [ "$failures" -ne 0 ]; then
        echo "$failures check(s) failed"
        exit 1
    fi
    echo "$*"
    exit 0
}
