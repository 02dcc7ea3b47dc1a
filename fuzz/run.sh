#!/usr/bin/env bash
# Runs every fuzz/fuzz_*.c target for a bounded time (FUZZ_SECONDS, 60 s
# each by default). Each target is built with clang -fsanitize=fuzzer,
# address,undefined over the library sources (and the generated parser and
# lexer), seeded from fuzz/corpus/<target>/. New corpus entries go to
# build/fuzz-run/corpus/<target>/, crashes to build/fuzz-run/artifacts/. Fails when
# any target crashes, leaks or times out.
#
#   FUZZ_SECONDS=300 ./fuzz/run.sh            # all targets, 5 minutes each
#   ./fuzz/run.sh fuzz_mmrc                   # one target
set -uo pipefail
cd "$(dirname "$0")/.."
SECS=${FUZZ_SECONDS:-60}
B=${FUZZ_BUILD:-build/fuzz-run}
CC=${FUZZ_CC:-clang}
LIBS="-lmicrohttpd -ljwt -lcrypto -lsqlite3 -ljansson -lpthread -lm"
command -v "$CC" >/dev/null || { echo "fuzz: $CC not found"; exit 2; }

make --no-print-directory BUILD="$B" "$B/gen/parser.c" "$B/gen/lexer.c" "$B/gen/std_sources.h" "$B/gen/page_assets.h" >/dev/null || exit 2
mkdir -p "$B/obj" "$B/corpus" "$B/artifacts"
FLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 -fno-omit-frame-pointer
       -fsanitize=address,undefined -fno-sanitize-recover=all -Iinclude -I. -I$B/gen"

# newest header: any change to one rebuilds everything (simple and safe)
newest_h=$(find include util grammar compiler vm stdlib engine signals store server "$B/gen" -name '*.h' -o -name '*.def' | xargs ls -t | head -n 1)
objs=()
for src in util/*.c grammar/*.c compiler/*.c vm/*.c stdlib/*.c engine/*.c signals/*.c store/*.c server/*.c "$B/gen/parser.c" "$B/gen/lexer.c"; do
    [ -f "$src" ] || continue
    obj="$B/obj/$(echo "$src" | tr '/' '_').o"
    if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_h" -nt "$obj" ]; then
        $CC $FLAGS -fsanitize=fuzzer-no-link -w -c "$src" -o "$obj" || { echo "fuzz: cannot compile $src"; exit 2; }
    fi
    objs+=("$obj")
done

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for f in fuzz/fuzz_*.c; do targets+=("$(basename "$f" .c)"); done
fi
failed=0
for t in "${targets[@]}"; do
    src="fuzz/$t.c"
    [ -f "$src" ] || { echo "fuzz: no $src"; failed=$((failed + 1)); continue; }
    $CC $FLAGS -fsanitize=fuzzer "$src" "${objs[@]}" $LIBS -o "$B/$t" || { echo "fuzz: cannot build $t"; failed=$((failed + 1)); continue; }
    mkdir -p "$B/corpus/$t" "fuzz/corpus/$t"
    echo "== $t: ${SECS}s"
    if "$B/$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
            -artifact_prefix="$B/artifacts/$t-" "$B/corpus/$t" "fuzz/corpus/$t" >"$B/$t.log" 2>&1; then
        grep -E 'stat::number_of_executed_units|Done [0-9]+ runs' "$B/$t.log" | tail -n 2
        echo "ok   $t"
    else
        tail -n 40 "$B/$t.log"
        echo "FAIL $t (artifacts in $B/artifacts/, log $B/$t.log)"
        failed=$((failed + 1))
    fi
done
echo "fuzz: ${#targets[@]} targets, $failed failed"
[ "$failed" -eq 0 ]
