#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build and test mmr.
# Quiet and quick when everything is already there.
set -euo pipefail

need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_hdr() { [ -e "/usr/include/$1" ] || [ -e "/usr/include/x86_64-linux-gnu/$1" ]; }

have_cmd cc        || need+=(gcc)
have_hdr stdio.h   || need+=(libc6-dev)   # gcc only recommends it; --no-install-recommends
have_cmd make      || need+=(make)
have_cmd flex      || need+=(flex)
have_cmd bison     || need+=(bison)
have_cmd sqlite3   || need+=(sqlite3)
have_cmd python3   || need+=(python3)
python3 -c 'import jsonschema' >/dev/null 2>&1 || need+=(python3-jsonschema)
have_cmd redis-server || need+=(redis-server)
[ -x /usr/bin/time ] || need+=(time)          # make bench: wall time and peak memory
have_cmd bc           || need+=(bc)            # make bench: ratios
have_cmd wrk          || need+=(wrk)           # make bench: mmr serve under load (bench/serve_feed.sh)
have_hdr sqlite3.h || need+=(libsqlite3-dev)
have_hdr jansson.h || need+=(libjansson-dev)
have_hdr microhttpd.h || need+=(libmicrohttpd-dev)   # mmr serve
have_hdr jwt.h     || need+=(libjwt-dev)
have_hdr postgresql/libpq-fe.h || need+=(libpq-dev)   # --db postgresql://
have_hdr uuid/uuid.h || need+=(uuid-dev)            # delivery ids (uuid_generate_sha1)
have_hdr unicase.h   || need+=(libunistring-dev)    # lower()/upper(): Unicode case mapping
# tests/pg/*.sh start a throwaway server of their own (tests/pg/lib.sh)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
have_cmd curl      || need+=(curl)                # tests/serve/api.sh
have_cmd pkg-config || need+=(pkg-config)        # tests/install/embed.sh: the installed mmr.pc
have_cmd g++       || need+=(g++)                 # tests/install/embed.sh: mmr.h from C++
have_cmd man       || need+=(man-db)              # tests/install/man.sh: man -l
have_cmd groff     || need+=(groff-base)
have_cmd vim       || need+=(vim)                 # tests/editors/grammar.sh: editors/vim/syntax/mmr.vim
have_cmd zsh       || need+=(zsh)                 # tests/install/completion.sh: completions/_mmr
[ -e /usr/share/zoneinfo/Asia/Kolkata ] || need+=(tzdata)
# tests/serve/browser.sh: headless chromium driven by playwright-core from npm
have_cmd node      || need+=(nodejs)
have_cmd npm       || need+=(npm)
have_cmd chromium  || need+=(chromium)
[ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || need+=(fonts-noto-color-emoji)  # nudges have emoji
npm_tools() { # pinned by the lock files: playwright-core (tests/serve), vscode-tmgrammar-test (tests/editors)
    local d t
    for t in serve/playwright-core editors/vscode-tmgrammar-test; do
        d="$(dirname "$0")/../tests/${t%%/*}"
        [ -e "$d/node_modules/${t#*/}/package.json" ] && continue
        (cd "$d" && npm ci --no-audit --no-fund --silent >/dev/null 2>&1) ||
            echo "setup: npm ci in tests/${t%%/*} failed; its tests will say so" >&2
    done
}

if [ ${#need[@]} -eq 0 ]; then npm_tools; exit 0; fi

echo "setup: installing ${need[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if have_cmd sudo; then SUDO=sudo; else
        echo "setup: need root (or sudo) to install: ${need[*]}" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
npm_tools
echo "setup: done" >&2
