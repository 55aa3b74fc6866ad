#!/usr/bin/env bash
# The options of every command and the man page must agree (curl checks its
# options against its docs the same way): every option of the option table
# in src/cli/CMD.c has an entry (a .TP tag) in the CMD section of
# docs/apierr.1, and every option the section or the CMD forms of the
# SYNOPSIS name is one the code accepts. Shown on `call`, then run for each
# command: The table is read from the C
# source and checked against `apierr call --help`, so that a parser that
# misses rows cannot pass unnoticed. Then the check is run on altered copies,
# to prove it catches drift both ways.
set -u
src=${APIERR_SOURCE_DIR:?APIERR_SOURCE_DIR is not set}
man=$src/docs/apierr.1
call_c=$src/src/cli/call.c
cmd=call # the command the section and synopsis helpers look at
. "$(dirname "$0")/lib/checks.sh"

# Undoes the roff escapes that can sit inside an option: \- and font changes.
unroff() {
    sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(aq/'"'"'/g'
}

# Prints the options (first member of each row) of the `options[]` table of
# a C source, one a line, sorted; with the rows of call_curlopts.h's table
# when the table expands it.
code_options() {
    awk '/^static const cli_option options\[\] = \{/ { in_table = 1; next }
         in_table && /^\};/ { exit }
         in_table { print }' "$1" >"$tmp/table.c"
    {
        grep -o '^[[:space:]]*{"-[^"]*"' "$tmp/table.c" | sed 's/^[[:space:]]*{"\(.*\)"$/\1/'
        if grep -q 'CALL_CURL_FLAGS(CALL_CURL_OPTION)' "$tmp/table.c"; then
            grep -oE '^[[:space:]]*X\([a-z0-9_]+, "-[^"]*"' "$src/src/cli/call_curlopts.h" |
                sed 's/.*"\(.*\)"$/\1/'
        fi
    } | sort -u
}

# Prints the lines of the "call" subsection of COMMANDS, escapes undone.
call_section() {
    awk -v cmd="$cmd" '/^\.SS/ { insec = ($0 ~ "^\\.SS +\"?" cmd "\"?[[:space:]]*$"); next }
         /^\.SH/ { insec = 0 }
         insec' "$1" | unroff
}

# Prints the tag line (the one after .TP) of each entry of the call section.
call_tags() {
    call_section "$1" | awk '/^\.TP/ { tp = 1; next } tp { print; tp = 0 }'
}

# Prints the lines of the SYNOPSIS that show a form of `apierr call`.
call_synopsis() {
    awk -v cmd="$cmd" '/^\.SH/ { syn = ($0 ~ /^\.SH +"?SYNOPSIS"?/); form = 0; next }
         !syn { next }
         $0 ~ "^\\.B apierr " cmd "$" { form = 1; next }
         /^\.PP/ { form = 0 }
         form' "$1" | unroff
}

# Long options in the text on stdin (curl's --http1.1 too), sorted.
long_options() {
    grep -oE -- '--[a-z][a-z0-9-]*(\.[0-9]+)?' | sort -u
}

# Short options (-X, and curl's -4, -6 and -#) standing alone in the text on
# stdin, sorted.
short_options() {
    grep -oE -- '(^|[][ "|,])-[A-Za-z0-9#]([][ "|,]|$)' | grep -oE -- '-[A-Za-z0-9#]' | sort -u
}

# Compares the options of a page and a C source; quiet and 0 when they agree,
# the differences and 1 when they do not.
check() {
    local page=$1 csrc=$2 rc=0
    code_options "$csrc" >"$tmp/code.txt"
    if [ ! -s "$tmp/code.txt" ]; then
        echo "no options found in $csrc"
        return 1
    fi
    if ! call_section "$page" | grep -q .; then
        echo "no call section in $page"
        return 1
    fi
    call_tags "$page" >"$tmp/tags.txt"
    { call_section "$page"; call_synopsis "$page"; } >"$tmp/mentions.txt"
    {
        long_options <"$tmp/tags.txt"
        short_options <"$tmp/tags.txt"
    } | sort -u >"$tmp/documented.txt"
    {
        long_options <"$tmp/mentions.txt"
        short_options <"$tmp/tags.txt"
    } | sort -u >"$tmp/named.txt"
    local missing extra
    missing=$(comm -23 "$tmp/code.txt" "$tmp/documented.txt")
    extra=$(comm -13 "$tmp/code.txt" "$tmp/named.txt")
    if [ -n "$missing" ]; then
        echo "accepted by $csrc, no entry in the call section: ${missing//$'\n'/ }"
        rc=1
    fi
    if [ -n "$extra" ]; then
        echo "named by the man page, not accepted by $csrc: ${extra//$'\n'/ }"
        rc=1
    fi
    return $rc
}

# --- the table parser sees what the program accepts ------------------------------
code_options "$call_c" >"$tmp/table.txt"
count=$(wc -l <"$tmp/table.txt")
[ "$count" -ge 10 ] || fail "only $count options parsed from $call_c"
if [ -n "${APIERR:-}" ] && [ -x "$APIERR" ]; then
    "$APIERR" call --help >"$tmp/help.txt" 2>&1 || fail "apierr call --help failed"
    sed -n 's/^  \(-[^ ]*\).*/\1/p' "$tmp/help.txt" | grep -vx -- '--help' |
        sort -u >"$tmp/help_opts.txt"
    diff -u --label "option table of call.c" --label "apierr call --help" \
        "$tmp/table.txt" "$tmp/help_opts.txt" || fail "the option table parser and --help disagree"
else
    echo "note: APIERR not set, --help not consulted"
fi

# --- the real files agree -----------------------------------------------------
check "$man" "$call_c" || fail "the call section of apierr.1 and the options of call.c differ"

# --- drift is caught ------------------------------------------------------------
expect_drift() {
    local what=$1 page=$2 csrc=$3
    if cmp -s "$page" "$man" && cmp -s "$csrc" "$call_c"; then
        fail "mutation had no effect: $what"
    elif check "$page" "$csrc" >/dev/null; then
        fail "drift not detected: $what"
    fi
}
sed '/^\.BI \\-\\-client\\-secret /,+1d' "$man" >"$tmp/no_entry.1"
expect_drift "entry of --client-secret dropped" "$tmp/no_entry.1" "$call_c"
sed 's/\\-\\-no\\-pace/\\-\\-no\\-paces/g' "$man" >"$tmp/renamed.1"
expect_drift "--no-pace renamed in the page" "$tmp/renamed.1" "$call_c"
sed 's/^\.BR \\-s ", "/.BR \\-W ", "/' "$man" >"$tmp/short.1"
expect_drift "-s renamed in the page" "$tmp/short.1" "$call_c"
awk '{ print } /^\.SS "call"/ { print "Also \\-\\-frobnicate." }' "$man" >"$tmp/extra.1"
expect_drift "option the code lacks named in prose" "$tmp/extra.1" "$call_c"
sed 's/^\(.*{"--no-pace".*\)$/\1\n    {"--new-option", NULL, set_pace, "new", 0},/' \
    "$call_c" >"$tmp/added.c"
[ "$(code_options "$tmp/added.c" | wc -l)" -eq $((count + 1)) ] ||
    fail "could not add a row to a copy of call.c"
expect_drift "option added in call.c" "$man" "$tmp/added.c"
grep -v '{"--jitter"' "$call_c" >"$tmp/removed.c"
expect_drift "option removed from call.c" "$man" "$tmp/removed.c"
sed 's/{"-o", "FILE"/{"-O", "FILE"/' "$call_c" >"$tmp/short.c"
expect_drift "short option renamed in call.c" "$man" "$tmp/short.c"

# --- every other command with options -----------------------------------------
for cmd in serve explain convert profiles check; do
    csrc=$src/src/cli/$cmd.c
    code_options "$csrc" | grep -q . || continue # no option table
    check "$man" "$csrc" || fail "the $cmd section of apierr.1 and the options of $cmd.c differ"
done

# Every command's --help prints a usage line with nothing unprintable in it
# (a command without operands once printed "(null)").
for c in call explain convert profiles serve check completion; do
    usage=$("${APIERR:?APIERR is not set}" "$c" --help | head -n1)
    case $usage in
    "usage: apierr $c "*"(null)"* | "") fail "apierr $c --help: bad usage line: $usage" ;;
    "usage: apierr $c"*) ;;
    *) fail "apierr $c --help: no usage line: $usage" ;;
    esac
done

finish "apierr call: man page and option table agree ($count options); so do the other commands"
