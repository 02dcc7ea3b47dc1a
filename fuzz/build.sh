#!/usr/bin/env bash
# Builds a libFuzzer target: fuzz/build.sh TARGET [OUT]
#   TARGET  name of fuzz/TARGET.c (e.g. fuzz_parser)
#   OUT     output binary (default build/fuzz/TARGET)
# Compiles every library source plus the generated scanner and parser with
# clang -fsanitize=fuzzer,address,undefined. Needs clang, flex and bison.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/build.sh TARGET [OUT]}
out=${2:-build/fuzz/$target}
[ -f "fuzz/$target.c" ] || { echo "fuzz/build.sh: no fuzz/$target.c" >&2; exit 2; }
CLANG=${CLANG:-clang}
gen=build/fuzz/gen
mkdir -p "$gen" "$(dirname "$out")"
bison -Wall -Werror --defines="$gen/parser.h" -o "$gen/parser.c" grammar/parser.y
flex --header-file="$gen/lexer.h" -o "$gen/lexer.c" grammar/lexer.l
./scripts/embed.sh stdlib/std/*.mmr > "$gen/std_sources.h"
python3 scripts/embed_page.py server/page/*.html server/page/*.css server/page/*.js > "$gen/page_assets.h"
srcs=$(ls util/*.c grammar/*.c compiler/*.c vm/*.c stdlib/*.c engine/*.c signals/*.c store/*.c server/*.c 2>/dev/null || true)
"$CLANG" -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
    -Iinclude -I. -I"$gen" -Wno-unused-function \
    -o "$out" "fuzz/$target.c" $srcs "$gen/parser.c" "$gen/lexer.c" \
    -lmicrohttpd -ljwt -lcrypto -lsqlite3 -ljansson -lpthread -lm
echo "built $out"
