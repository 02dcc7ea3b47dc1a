#!/usr/bin/env bash
# `make install PREFIX=/opt/mmr DESTDIR=tmp`, then the embedding example
# (docs/examples/embed/embed.c) built against the *installed* header with
# pkg-config, static and shared, as C and as C++; the shared library's
# exports; `make uninstall` leaving nothing behind. Uses the build dir of
# $MMR_FAST (default build). Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=$(dirname "${MMR_FAST:-build/mmr}")
passed=0; failed=0
ok()   { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL install: $*"; }
check() { local what=$1; shift; if "$@"; then ok; else fail "$what"; fi; }
finish() { echo "install: $passed passed, $failed failed"; rm -rf "$tmp"; [ "$failed" -eq 0 ]; exit; }
tmp=$(mktemp -d); dest=$tmp/dest; pre=/opt/mmr
for tool in pkg-config g++ nm readelf; do
    command -v $tool >/dev/null || { fail "$tool missing (scripts/setup.sh installs it)"; finish; }
done

# the build never installs packages
check "make runs scripts/setup.sh" bash -c "! make -n BUILD=$BUILD all | grep -q setup.sh"

if ! make --no-print-directory -s BUILD="$BUILD" install PREFIX=$pre DESTDIR="$dest" >"$tmp/install.log" 2>&1; then
    fail "make install"; cat "$tmp/install.log"; finish
fi
ok
version=$(sed -n 's/^#define MMR_VERSION "\(.*\)"/\1/p' include/mmr.h); major=${version%%.*}
L=$dest$pre/lib
for f in bin/mmr lib/libmmr.a lib/libmmr.so.$version include/mmr.h lib/pkgconfig/mmr.pc \
         share/man/man1/mmr.1 share/man/man1/mmr-run.1 share/man/man7/mmr-language.7 \
         share/bash-completion/completions/mmr share/zsh/site-functions/_mmr share/mmr/std/moneymoments.mmr; do
    check "not installed: $f" test -f "$dest$pre/$f"
done
check "libmmr.so -> libmmr.so.$major" test "$(readlink "$L/libmmr.so")" = "libmmr.so.$major"
check "libmmr.so.$major -> libmmr.so.$version" test "$(readlink "$L/libmmr.so.$major")" = "libmmr.so.$version"
check "soname" bash -c "readelf -d '$L/libmmr.so.$version' | grep -q 'SONAME.*\[libmmr.so.$major\]'"
check "one man page per command" test "$(ls "$dest$pre/share/man/man1" | wc -l)" -eq $(( $(grep -c '^CMD(' cli/commands.def) + 1 ))
check "installed mmr runs" bash -c "'$dest$pre/bin/mmr' check rules/moneymoments"

# exactly the MMR_API functions of the header are exported
want=$(sed -n 's/^MMR_API .*[ *]\(mmr_[a-z_]*\)(.*/\1/p' include/mmr.h | sort)
got=$(nm -D --defined-only "$L/libmmr.so.$version" | awk '$2 ~ /^[TDBRVW]$/ { sub(/@.*/, "", $3); print $3 }' | sort)
if [ -n "$want" ] && [ "$want" = "$got" ]; then ok; else
    fail "libmmr.so exports differ from include/mmr.h:"; diff <(echo "$want") <(echo "$got") | head -20; fi

export PKG_CONFIG_PATH=$L/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_LIBDIR=/usr/lib/x86_64-linux-gnu/pkgconfig:/usr/lib/pkgconfig:/usr/share/pkgconfig
check "pkg-config --modversion" test "$(pkg-config --modversion mmr)" = "$version"
check "pkg-config --cflags names the installed include dir" bash -c "pkg-config --cflags mmr | grep -q -- '-I$dest$pre/include'"

expect="rules: $("$BUILD/mmr" export rules/moneymoments 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["rules"]))' 2>/dev/null)
candidate: dining_overspend
selected: dining_overspend
next user, nothing set: 0 candidates"
src=docs/examples/embed/embed.c
cflags=$(pkg-config --cflags mmr); shared=$(pkg-config --libs mmr)
# --static adds the private libraries; -Bstatic makes -lmmr pick libmmr.a over the .so
static=$(pkg-config --libs --static mmr | sed 's/-lmmr/-Wl,-Bstatic -lmmr -Wl,-Bdynamic/')
build_run() { # NAME COMPILER-AND-FLAGS... -- LIBS
    local name=$1; shift; local bin=$tmp/$name
    if ! "$@" -o "$bin" >"$tmp/$name.log" 2>&1; then fail "$name: build"; cat "$tmp/$name.log"; return; fi
    local out; out=$(LD_LIBRARY_PATH=$L "$bin" rules/moneymoments 2>&1)
    if [ "$out" = "$expect" ]; then ok; else fail "$name: output"; diff <(echo "$expect") <(echo "$out"); fi
    local needs=no; readelf -d "$bin" | grep -q 'NEEDED.*libmmr' && needs=yes
    case $name in *shared) check "$name: not linked to libmmr.so" test $needs = yes;;
                  *static) check "$name: linked to libmmr.so" test $needs = no;; esac
}
build_run c-shared  cc  -std=c11 -Wall -Wextra -Werror -pedantic $cflags $src $shared
build_run c-static  cc  -std=c11 -Wall -Wextra -Werror -pedantic $cflags $src $static
build_run cxx-shared g++ -std=c++17 -Wall -Wextra -Werror -pedantic -x c++ $cflags $src -x none $shared
build_run cxx-static g++ -std=c++17 -Wall -Wextra -Werror -pedantic -x c++ $cflags $src -x none $static

if make --no-print-directory -s BUILD="$BUILD" uninstall PREFIX=$pre DESTDIR="$dest" >"$tmp/uninstall.log" 2>&1; then ok; else
    fail "make uninstall"; cat "$tmp/uninstall.log"; fi
left=$(find "$dest" ! -type d)
if [ -z "$left" ]; then ok; else fail "make uninstall left files:"; echo "$left" | head; fi
finish
