#!/usr/bin/env bash
# The man pages (scripts/gen_man.py from the --help texts and
# docs/language.md): one per command plus mmr(1) and mmr-language(7), each
# renders with `man -l` at 80 columns without a groff warning, names its
# command, and carries every option of its --help. Uses $MMR_FAST (default
# build/mmr). Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
MMR_BIN=${MMR_FAST:-build/mmr}
passed=0; failed=0
ok()   { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL man: $*"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for tool in man groff; do
    command -v $tool >/dev/null || { fail "$tool missing (scripts/setup.sh installs it)"; echo "man: $passed passed, $failed failed"; exit 1; }
done
version=$(sed -n 's/^#define MMR_VERSION "\(.*\)"/\1/p' include/mmr.h)
if ! python3 scripts/gen_man.py --mmr "$MMR_BIN" --version "$version" --language docs/language.md --out "$tmp/man" 2>"$tmp/err"; then
    fail "gen_man.py: $(cat "$tmp/err")"; echo "man: $passed passed, $failed failed"; exit 1
fi
cmds=$(sed -n 's/^CMD(\([a-z_]*\),.*/\1/p' cli/commands.def)
pages="mmr.1 mmr-language.7"; for c in $cmds; do pages="$pages mmr-$c.1"; done
[ "$(ls "$tmp/man" | wc -l)" -eq "$(wc -w <<<"$pages")" ] && ok || fail "pages: $(ls "$tmp/man" | tr '\n' ' ')"

export MANWIDTH=80 MAN_KEEP_FORMATTING= LC_ALL=C.UTF-8
for p in $pages; do
    f=$tmp/man/$p
    [ -f "$f" ] || { fail "$p not generated"; continue; }
    text=$(man --warnings -l "$f" 2>"$tmp/warn")
    [ -s "$tmp/warn" ] && fail "$p: man --warnings: $(head -3 "$tmp/warn")" || ok
    w=$(groff -ww -man -Tutf8 -z "$f" 2>&1)
    [ -z "$w" ] && ok || fail "$p: groff -ww: $(head -3 <<<"$w")"
    name=${p%.*}
    # NAME names the page, and the header line carries NAME(SECTION)
    grep -A1 '^NAME' <<<"$text" | grep -q "^ *$name - " && ok || fail "$p: NAME does not name $name"
    head -1 <<<"$text" | grep -q "^${name^^}(${p##*.})" && ok || fail "$p: header is $(head -1 <<<"$text")"
    case $p in mmr-language.7|mmr.1) continue;; esac
    # every option of the --help text is on the page
    c=${name#mmr-}
    missing=""
    for flag in $("$MMR_BIN" "$c" --help 2>&1 | grep -oE -- '^ +(-[A-Za-z], )?--?[A-Za-z][A-Za-z0-9-]*' | grep -oE -- '--?[A-Za-z][A-Za-z0-9-]*$'); do
        grep -qF -- "$flag" <<<"$text" || missing="$missing $flag"
    done
    [ -z "$missing" ] && ok || fail "$p lacks$missing"
done
# mmr(1) lists every command's page; mmr-language(7) covers the language
main=$(man -l "$tmp/man/mmr.1" 2>/dev/null)
for c in $cmds; do grep -qF "mmr-$c(1)" <<<"$main" || fail "mmr(1) does not list mmr-$c(1)"; done; ok
lang=$(man -l "$tmp/man/mmr-language.7" 2>/dev/null)
for w in "LEXICAL STRUCTURE" "cooldown" "35%"; do grep -qF -- "$w" <<<"$lang" && ok || fail "mmr-language(7) lacks $w"; done
echo "man: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
