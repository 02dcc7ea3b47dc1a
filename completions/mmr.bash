# bash completion for mmr. Commands and flags are read from the installed
# `mmr --help` and `mmr COMMAND --help`, so they follow the program; only the
# kinds of file each argument takes are written here.
# Install: $(PREFIX)/share/bash-completion/completions/mmr (make install).

# The help text's option lines ("  -w, --write", "  --db FILE", "[--now T]")
# as "FLAG" or "FLAG=" (takes a value), one a line.
_mmr_flags()
{
    "$1" "$2" --help 2>/dev/null | awk '
        /^usage:/ { usage = 1 }
        /^$/      { usage = 0 }
        {
            line = $0
            # option lines start with blanks then a dash; the usage block
            # lists [--flag VALUE] groups anywhere on the line
            if (!usage && line !~ /^[ \t]+-/) next
            n = split(line, w, /[ \t\[\]|,]+/)
            for (i = 1; i <= n; i++) {
                if (w[i] !~ /^--?[A-Za-z][A-Za-z0-9-]*(=.*)?$/) continue
                f = w[i]; v = 0
                if (f ~ /=/) { sub(/=.*/, "", f); v = 1 }
                else if (i < n && w[i+1] ~ /^[A-Z][A-Z0-9_:]*$/) v = 1
                if (!usage && line ~ ("^[ \t]+" f "[ \t]+[a-z]+\\|")) v = 1
                print f (v ? "=" : "")
                if (!usage && i > 2) break   # the flag column only
            }
        }
        END { print "--help" }' | sort -u | awk '
        # "--format" from the usage and "--format=" from the options: keep one
        { f = $0; v = sub(/=$/, "", f); if (v || !(f in kind)) kind[f] = v ? "=" : "" }
        END { for (f in kind) print f kind[f] }' | sort
}

# COMPREPLY += files under $cur with one of the extensions, and directories
_mmr_files()
{
    local cur=$1; shift
    local f ext
    while IFS= read -r f; do
        if [ -d "$f" ]; then
            COMPREPLY+=("$f/"); compopt -o nospace 2>/dev/null; continue
        fi
        for ext in "$@"; do
            [[ $f == *."$ext" ]] && { COMPREPLY+=("$f"); break; }
        done
    done < <(compgen -f -- "$cur")
}

_mmr()
{
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=${COMP_WORDS[COMP_CWORD-1]}
    local prog=${COMP_WORDS[0]} cmd
    COMPREPLY=()
    if [ "$COMP_CWORD" -eq 1 ]; then
        local cmds
        cmds=$("$prog" --help 2>/dev/null | awk '/^commands:/ { c = 1; next } c && /^  [a-z]/ { print $1 } c && /^$/ { c = 0 }')
        COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur"))
        return 0
    fi
    cmd=${COMP_WORDS[1]}
    local flags; flags=$(_mmr_flags "$prog" "$cmd")

    # the value of the flag before the cursor
    if [[ $prev == -* ]] && grep -qx -- "$prev=" <<<"$flags"; then
        case $prev in
            --format|--coverage-format|--explain)
                local vals
                vals=$("$prog" "$cmd" --help 2>/dev/null | grep -oE -- "$prev[ =\[]+[a-z]+(\|[a-z]+)+" | head -1 | sed -E 's/^[^ =\[]+[ =\[]+//; s/\|/ /g')
                COMPREPLY=($(compgen -W "$vals" -- "$cur")) ;;
            --signals|--transactions|--traits|--budgets|--goals|--ndjson|--csv|--events)
                _mmr_files "$cur" json ndjson csv ;;
            --config) _mmr_files "$cur" conf ;;
            --db|-o|--output|--junit|--jwt-secret-file|--report) COMPREPLY=($(compgen -f -- "$cur")) ;;
            *) ;;   # a number, a date, a URL: nothing to offer
        esac
        return 0
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(sed 's/=$//' <<<"$flags")" -- "$cur"))
        return 0
    fi
    case $cmd in
        import)          _mmr_files "$cur" json ;;
        ingest)          _mmr_files "$cur" json ndjson csv ;;
        disasm|compile)  _mmr_files "$cur" mmr mmrc json ;;
        gen|feed|settings|interact|serve) ;;
        *)               _mmr_files "$cur" mmr mmrc json ;;
    esac
    return 0
}
complete -o filenames -F _mmr mmr
