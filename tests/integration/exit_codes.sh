#!/usr/bin/env bash
# The man page and the code must tell the same story: the EXIT STATUS
# section of docs/apierr.1 against CLI_EXIT_MAP in src/cli/cli.h, the
# LIBRARY RETURN CODES section against APIERR_ERRNO_MAP in
# include/apierr/common.h (name, value, message), and the DIALECTS section
# against APIERR_DIALECT_MAP in include/apierr/dialect.h (name, whether it
# can be encoded, description). Then the checks are run on altered copies,
# to prove they catch drift.
set -u
src=${APIERR_SOURCE_DIR:?APIERR_SOURCE_DIR is not set}
man=$src/docs/apierr.1
cli_h=$src/src/cli/cli.h
dialect_h=$src/include/apierr/dialect.h
common_h=$src/include/apierr/common.h
. "$(dirname "$0")/lib/checks.sh"

# Prints "term<TAB>text" for each `.TP / .B term / text` entry of the man
# page section named $2, roff escapes undone.
man_section() {
    awk -v want="$2" '
        /^\.SH/ { name = $0; sub(/^\.SH +/, "", name); gsub(/"/, "", name); insec = (name == want); next }
        !insec { next }
        /^\.TP/ { tp = 1; next }
        tp == 1 && /^\.B / { term = substr($0, 4); tp = 2; next }
        tp == 2 { print term "\t" $0; tp = 0; next }
        { tp = 0 }
    ' "$1" | sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g"
}

# Prints "value<TAB>text" for each row X(ID, value, "text") of CLI_EXIT_MAP.
exit_map() {
    sed -n 's/^[[:space:]]*X([A-Z_]*, *\([0-9]*\), *"\(.*\)")[[:space:]\\]*$/\1\t\2/p' "$1"
}

# Prints "APIERR_NAME (value)<TAB>message" for each row X(NAME, value,
# "message") of APIERR_ERRNO_MAP, the way the man page's terms read; only the
# macro's own lines are looked at.
errno_map() {
    local row='^[[:space:]]*X(\([A-Z_]*\), *\(-\{0,1\}[0-9]*\), *"\(.*\)")[[:space:]\\]*$'
    sed -n '/^#define APIERR_ERRNO_MAP(/,/[^\\]$/p' "$1" | sed -n "s/$row/APIERR_\1 (\2)\t\3/p"
}

# Prints "name<TAB>text" for each row of APIERR_DIALECT_MAP, text being the
# description, prefixed with "(encode) " for a dialect that can be encoded.
dialect_map() {
    sed -n 's/^[[:space:]]*X([A-Z_]*, *"\([a-z_]*\)", *\([01]\), *"\(.*\)")[[:space:]\\]*$/\1\t\2\t\3/p' "$1" |
        awk -F'\t' '{ print $1 "\t" ($2 == "1" ? "(encode) " : "") $3 }'
}

# Compares the man page section $2 with the table printed by "$3 $4"; quiet
# and 0 when they agree, a diff and 1 when they do not.
same() {
    local page=$1 section=$2 extract=$3 header=$4
    man_section "$page" "$section" >"$tmp/page.txt"
    "$extract" "$header" >"$tmp/code.txt"
    if [ ! -s "$tmp/code.txt" ]; then
        echo "no table rows found in $header"
        return 1
    fi
    diff -u --label "code: $header" --label "man page: $section" "$tmp/code.txt" "$tmp/page.txt"
}

# --- the real files agree -----------------------------------------------------
same "$man" "EXIT STATUS" exit_map "$cli_h" || fail "EXIT STATUS in apierr.1 differs from CLI_EXIT_MAP"
same "$man" "DIALECTS" dialect_map "$dialect_h" || fail "DIALECTS in apierr.1 differs from APIERR_DIALECT_MAP"
same "$man" "LIBRARY RETURN CODES" errno_map "$common_h" ||
    fail "LIBRARY RETURN CODES in apierr.1 differs from APIERR_ERRNO_MAP"
rows=$(exit_map "$cli_h" | wc -l)
[ "$rows" -ge 3 ] || fail "only $rows rows parsed from CLI_EXIT_MAP"
rc_rows=$(errno_map "$common_h" | wc -l)
# A row the parser cannot read (a new quoting, a comment) must not vanish
# from the comparison: count the macro's X( rows another way.
raw_rows=$(sed -n '/^#define APIERR_ERRNO_MAP(/,/[^\\]$/p' "$common_h" | grep -c '^[[:space:]]*X(')
if [ "$rc_rows" -lt 3 ] || [ "$rc_rows" -ne "$raw_rows" ]; then
    fail "parsed $rc_rows of $raw_rows rows of APIERR_ERRNO_MAP"
fi

# --- drift is caught ------------------------------------------------------------
expect_drift() {
    local what=$1 page=$2 section=$3 extract=$4 header=$5
    if same "$page" "$section" "$extract" "$header" >/dev/null; then
        fail "drift not detected: $what"
    fi
}
sed 's/^usage error$/usage mistake/' "$man" >"$tmp/text.1"
expect_drift "changed exit text" "$tmp/text.1" "EXIT STATUS" exit_map "$cli_h"
sed 's/^\.B 8$/.B 9/' "$man" >"$tmp/value.1"
expect_drift "changed exit value" "$tmp/value.1" "EXIT STATUS" exit_map "$cli_h"
sed '/^\.B 3$/,+1d' "$man" >"$tmp/dropped.1"
expect_drift "dropped exit row" "$tmp/dropped.1" "EXIT STATUS" exit_map "$cli_h"
sed 's/^\([[:space:]]*X(DEADLINE, 8, "deadline exceeded")\)/\1 \\\n    X(NEW, 9, "a new code")/' \
    "$cli_h" >"$tmp/cli.h"
[ "$(exit_map "$tmp/cli.h" | wc -l)" -eq $((rows + 1)) ] || fail "could not add a row to a copy of cli.h"
expect_drift "exit row added in cli.h" "$man" "EXIT STATUS" exit_map "$tmp/cli.h"
sed 's/^(encode) \(.*(GoTab)\)$/\1/' "$man" >"$tmp/enc.1"
expect_drift "dialect lost its encode mark" "$tmp/enc.1" "DIALECTS" dialect_map "$dialect_h"

rc_section="LIBRARY RETURN CODES"
sed 's|^input/output error$|input or output error|' "$man" >"$tmp/rc_text.1"
expect_drift "changed return code text" "$tmp/rc_text.1" "$rc_section" errno_map "$common_h"
sed 's/^\.B APIERR_EIO (\\-6)$/.B APIERR_EIO (\\-9)/' "$man" >"$tmp/rc_value.1"
expect_drift "changed return code value" "$tmp/rc_value.1" "$rc_section" errno_map "$common_h"
sed 's/^\.B APIERR_EPARSE /.B APIERR_EBADPARSE /' "$man" >"$tmp/rc_name.1"
expect_drift "changed return code name" "$tmp/rc_name.1" "$rc_section" errno_map "$common_h"
sed '/^\.B APIERR_ERANGE /,+1d' "$man" >"$tmp/rc_dropped.1"
expect_drift "dropped return code row" "$tmp/rc_dropped.1" "$rc_section" errno_map "$common_h"
sed 's/^\([[:space:]]*X(EBACKEND, -9, "backend unavailable")\)$/\1 \\\n    X(EBUSY, -10, "busy")/' \
    "$common_h" >"$tmp/common.h"
[ "$(errno_map "$tmp/common.h" | wc -l)" -eq $((rc_rows + 1)) ] ||
    fail "could not add a row to a copy of common.h"
expect_drift "return code added in common.h" "$man" "$rc_section" errno_map "$tmp/common.h"
sed 's/X(EINVAL, -2, "invalid argument")/X(EINVAL, -2, "bad argument")  /' \
    "$common_h" >"$tmp/common2.h"
expect_drift "return code text changed in common.h" "$man" "$rc_section" errno_map "$tmp/common2.h"

finish "exit codes, return codes and dialects: man page and code agree" \
    "($rows exit codes, $rc_rows return codes)"
