#!/usr/bin/env bash
# `apierr completion bash|zsh`: the scripts complete every option of every
# command, taken from the option tables (the rows `apierr CMD --help` lists,
# which options.sh checks against the man page), the values that have a
# fixed set of words, and files; the build writes both scripts for
# `make install`.
set -u
: "${APIERR:?APIERR is not set}"
. "$(dirname "$0")/lib/checks.sh"

"$APIERR" completion bash >"$tmp/apierr.bash" || fail "apierr completion bash failed"
bash -n "$tmp/apierr.bash" || fail "the bash script does not parse"
"$APIERR" completion zsh >"$tmp/_apierr" || fail "apierr completion zsh failed"

# complete WORDS...: what the bash script offers for the last word.
complete_words() {
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _apierr
             printf "%s\n" "${COMPREPLY[@]}"' _ "$tmp/apierr.bash" "$@" | sort -u
}

# The commands, as `apierr --help` lists them.
commands=$("$APIERR" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
[ "$(echo "$commands" | wc -l)" -ge 6 ] || fail "too few commands listed: $commands"
[ "$(complete_words apierr '')" = "$(printf '%s\n' --help --version $commands | sort -u)" ] ||
    fail "the commands: $(complete_words apierr '' | tr '\n' ' ')"
for c in $commands; do
    "$APIERR" "$c" --help 2>/dev/null | sed -n 's/^  \(-[^ ]*\).*/\1/p' | sort -u >"$tmp/help.$c"
    complete_words apierr "$c" - >"$tmp/bash.$c"
    missing=$(comm -23 "$tmp/help.$c" "$tmp/bash.$c")
    [ -z "$missing" ] || fail "bash: apierr $c - does not offer: ${missing//$'\n'/ }"
    while read -r o; do
        grep -qF -- "'*$o[" "$tmp/_apierr" || [ "$o" = --help ] || fail "zsh: apierr $c has no $o"
    done <"$tmp/help.$c"
done
[ "$(wc -l <"$tmp/help.call")" -ge 60 ] || fail "apierr call --help lists few options"

# Values and operands.
[ "$(complete_words apierr call -X P | tr '\n' ' ')" = "PATCH POST PUT " ] ||
    fail "-X P: $(complete_words apierr call -X P)"
[ "$(complete_words apierr call --profile g | tr '\n' ' ')" = "gestix giponext gotab " ] ||
    fail "--profile g: $(complete_words apierr call --profile g)"
[ "$(complete_words apierr call --jitter d)" = decorrelated ] || fail "--jitter d"
[ "$(complete_words apierr explain --dialect fl)" = flat ] || fail "--dialect fl"
[ "$(complete_words apierr profiles s)" = show ] || fail "profiles s"
[ "$(complete_words apierr completion '' | tr '\n' ' ')" = "bash zsh " ] || fail "completion"
[ -z "$(complete_words apierr call -A '')" ] || fail "-A offers words"
touch "$tmp/body-one.json"
[ "$(complete_words apierr explain "$tmp/body-")" = "$tmp/body-one.json" ] ||
    fail "explain FILE: no file offered"
[ "$(complete_words apierr call -o "$tmp/body-")" = "$tmp/body-one.json" ] || fail "-o FILE"

# zsh_offers LINE WORD: zsh, in a pseudo-terminal, offers WORD when Tab is
# pressed after LINE (the script autoloaded from fpath, as installed).
zsh_offers() {
    mkdir -p "$tmp/fpath"
    cp "$tmp/_apierr" "$tmp/fpath/_apierr"
    timeout 30 zsh -f -c '
        zmodload zsh/zpty
        zpty z zsh -f -i
        zpty -w z "PS1=\"> \"; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D"
        zpty -w -n z "$2"$'"'"'\t'"'"'
        out=
        for i in {1..100}; do
            zpty -r -t z chunk && out+=$chunk
            [[ $out == *"$3"* ]] && break
            sleep 0.05
        done
        zpty -d z
        [[ $out == *"$3"* ]]' _ "$tmp/fpath" "$1" "$2"
}
if command -v zsh >/dev/null; then
    zsh -n "$tmp/_apierr" || fail "the zsh script does not parse"
    zsh_offers 'apierr call --max-r' '--max-redirs' || fail "zsh: apierr call --max-r"
    zsh_offers 'apierr call --profile go' 'gotab' || fail "zsh: --profile go"
    zsh_offers 'apierr comp' 'completion' || fail "zsh: apierr comp"
    zsh_offers 'apierr explain --dial' '--dialect' || fail "zsh: apierr explain --dial"
else
    echo "note: no zsh, its script only checked as text"
fi
head -n1 "$tmp/_apierr" | grep -qx '#compdef apierr' || fail "zsh: no #compdef line"

# The build wrote the same scripts, for make install.
if [ -n "${APIERR_BUILD_DIR:-}" ]; then
    cmp -s "$tmp/apierr.bash" "$APIERR_BUILD_DIR/completions/apierr" || fail "build: bash script differs"
    cmp -s "$tmp/_apierr" "$APIERR_BUILD_DIR/completions/_apierr" || fail "build: zsh script differs"
fi

# A usage error.
rc=0
"$APIERR" completion fish >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] || fail "completion fish: exit status $rc"
[ "$(sed -n 2p "$tmp/err")" = "try 'apierr completion --help'" ] || fail "completion fish: $(cat "$tmp/err")"
finish "completion: bash and zsh complete every option of every command"
