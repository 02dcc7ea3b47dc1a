#!/usr/bin/env bash
# Drives the bash completion (completions/mmr.bash) as bash would: sets
# COMP_WORDS/COMP_CWORD, calls _mmr, checks COMPREPLY. Runs the program of
# $MMR_FAST (default build/mmr) under the name `mmr`. Ends with
# "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
bin=$(realpath "${MMR_FAST:-build/mmr}")
passed=0; failed=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/work/sub"
ln -s "$bin" "$tmp/bin/mmr"
touch "$tmp/work/a.mmr" "$tmp/work/b.json" "$tmp/work/notes.txt" "$tmp/work/snap.ndjson" "$tmp/work/x.csv"
export PATH="$tmp/bin:$PATH"
# shellcheck source=../../completions/mmr.bash
source "$repo/completions/mmr.bash"
cd "$tmp/work"

# complete "LINE" (the word under the cursor is the last, possibly empty)
complete_line() {
    read -r -a COMP_WORDS <<<"$1"
    [[ $1 == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    COMP_LINE=$1; COMP_POINT=${#1}
    COMPREPLY=()
    _mmr mmr "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf '%s\n' "${COMPREPLY[@]}" | sort
}
# expect "LINE" "SORTED WORDS" — COMPREPLY is exactly these
expect() {
    local got want
    got=$(complete_line "$1" | tr '\n' ' ' | sed 's/ $//')
    want=$(tr ' ' '\n' <<<"$2" | grep -v '^$' | sort | tr '\n' ' ' | sed 's/ $//')
    if [ "$got" = "$want" ]; then passed=$((passed + 1)); else
        failed=$((failed + 1)); echo "FAIL completion: '$1<TAB>'"; echo "  want: $want"; echo "  got:  $got"; fi
}
# has "LINE" WORD... — COMPREPLY contains these; lacks: none of these
has() {
    local line=$1 w got; shift; got=$(complete_line "$line")
    for w in "$@"; do
        if grep -qxF -- "$w" <<<"$got"; then passed=$((passed + 1)); else
            failed=$((failed + 1)); echo "FAIL completion: '$line<TAB>' lacks $w"; fi
    done
}
lacks() {
    local line=$1 w got; shift; got=$(complete_line "$line")
    for w in "$@"; do
        if grep -qxF -- "$w" <<<"$got"; then failed=$((failed + 1)); echo "FAIL completion: '$line<TAB>' offers $w"; else
            passed=$((passed + 1)); fi
    done
}

# every command of cli/commands.def, and nothing else but the global flags
cmds=$(sed -n 's/^CMD(\([a-z_]*\),.*/\1/p' "$repo/cli/commands.def" | tr '\n' ' ')
expect "mmr " "$cmds --help --version"
expect "mmr ru" "run"
expect "mmr s" "settings signals serve"
has   "mmr run --" --db --signals --dry-run --now --events --redis --redis-timeout --busy-timeout --as-of --allow-outside-root --help
lacks "mmr run --" --strict --check --users -w
expect "mmr run --d" "--db --dry-run"
has   "mmr fmt -" -w --check --write --help
expect "mmr lint --format " "text json sarif"
expect "mmr lint --format j" "json"
# file kinds: rules, data, directories
expect "mmr run " "a.mmr b.json sub/"
expect "mmr check a" "a.mmr"
expect "mmr run rules.mmr --signals " "b.json snap.ndjson x.csv sub/"
expect "mmr import " "b.json sub/"
expect "mmr ingest --db state.db " "b.json snap.ndjson x.csv sub/"
expect "mmr gen --users " ""

# zsh: completions/_mmr through stubs of the completion functions
zexpect() {
    local got; got=$(zsh -f "$repo/tests/install/completion_zsh.zsh" "$1" 2>&1 | sed 's/ $//')
    if [ "$got" = "$2" ]; then passed=$((passed + 1)); else
        failed=$((failed + 1)); echo "FAIL zsh completion: '$1<TAB>'"; echo "  want: $2"; echo "  got:  $got"; fi
}
if command -v zsh >/dev/null; then
    zexpect "mmr " "$(for c in $cmds; do grep "^  $c " < <(mmr --help) | sed -E 's/^  ([a-z]+) +/\1:/'; done | sort | tr '\n' ' ' | sed 's/ $//')"
    zexpect "mmr lint --format " "json sarif text"
    zexpect "mmr run --signals " "files -g *.(json|ndjson|csv)(-.)"
    zexpect "mmr run " "files -g *.(mmr|mmrc|json)(-.)"
    zexpect "mmr import " "files -g *.json(-.)"
    got=$(zsh -f "$repo/tests/install/completion_zsh.zsh" "mmr run --" 2>&1)
    for w in --db --signals --dry-run --help; do
        if grep -qw -- "$w" <<<"$got"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL zsh completion: 'mmr run --<TAB>' lacks $w"; fi
    done
else
    failed=$((failed + 1)); echo "FAIL completion: zsh is not installed (scripts/setup.sh installs it)"
fi
echo "completion: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
