# Drives completions/_mmr without a terminal: the completion system's
# functions are replaced by stubs that print what would be offered, then
# `t LINE` sets words/CURRENT/PREFIX as zsh would and calls _mmr.
# Run by tests/install/completion.sh (zsh -f, `mmr` on PATH).
_describe() { local arr=${@[-1]}; print -l -- ${(P)arr} }
compadd() { if [[ $1 == -a ]]; then print -l -- ${(P)2}; else print -l -- "$@"; fi }
_files() { print -- "files $*" }
source ${0:h}/../../completions/_mmr >/dev/null 2>&1   # its last line calls _mmr once
t() { words=("${(@s: :)1}"); CURRENT=${#words}; PREFIX=${words[CURRENT]}; _mmr | sort | tr '\n' ' '; print }
t "$1"
