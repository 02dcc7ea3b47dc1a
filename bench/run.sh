#!/usr/bin/env bash
# `make bench` (never part of the tests). Three measurements:
#  (a) the shipped ruleset on the VM vs the same five rules hand-written in
#      C, in one process (bench/bench_vm.c);
#  (b) `mmr eval` end to end over a generated 1,000,000-user NDJSON file,
#      with baselines on the same file (wc -l, jansson parse only);
#  (c) `mmr run` over 1,000,000 users from mm_signal_daily into a fresh
#      database vs the same decision as plain SQL (bench/bench_run.sh);
#  (d) `mmr signals` over generated transactions (10,000 users, ~3.4M
#      transactions) vs the same signals as plain SQL, and the nightly
#      increment (bench/bench_signals.sh); "skipped" without `mmr signals`.
#  (e) hostile input sizes: inputs that were quadratic once (NUL bytes in
#      a source, a wide CSV header, a big JSON rule master) at n, 2n, 4n,
#      with the growth per doubling (bench/bench_inputs.sh).
#  (f) `mmr serve`: BENCH_STREAMS (default 10,000) SSE streams open, the
#      server's memory per stream and commit -> event latency
#      (bench/serve_streams.sh), and `GET /feed` under wrk against
#      `GET /healthz` (bench/serve_feed.sh; "skipped" without wrk).
#  (g) `mmr run` on PostgreSQL, one worker and two shards at once, beside
#      the SQLite run of the same users (bench/bench_pg.sh).
# Environment: BUILD (default build), BENCH_USERS (default 1000000),
# BENCH_TXN_USERS (default 10000), BENCH_STREAMS (default 10000).
# docs/performance.md explains the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
MMR=$BUILD/mmr
N=${BENCH_USERS:-1000000}
DATA=bench/data
FILE=$DATA/users-$N.ndjson
CC=${CC:-cc}
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -g -Iinclude -I. -I$BUILD/gen"
LIBS="$BUILD/libmmr.a -lmicrohttpd -ljwt -lpq -lsqlite3 -ljansson -luuid -lunistring -lpthread -lm"
mkdir -p "$DATA" "$BUILD/bench"
[ -x "$MMR" ] || { echo "bench: build first (make BUILD=$BUILD)"; exit 1; }
$CC $CFLAGS -o "$BUILD/bench/bench_vm" bench/bench_vm.c $LIBS
$CC $CFLAGS -o "$BUILD/bench/bench_jansson" bench/bench_jansson.c $LIBS

timed() {  # label, command...: wall seconds and peak RSS
    local label=$1; shift
    local out
    out=$( { /usr/bin/time -f '%e %M %U %S' "$@" > /dev/null; } 2>&1 | tail -n 1 )
    read -r wall rss usr sys <<<"$out"
    printf '%-34s wall %6.2f s   user %6.2f s   sys %5.2f s   peak RSS %7.1f MB\n' \
        "$label" "$wall" "$usr" "$sys" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
}

echo "== machine"
echo "cpus: $(nproc)   $(uptime | sed 's/.*load/load/')"
echo
echo "== (a) rules on the VM vs hand-written C ($N evaluations)"
"$BUILD/bench/bench_vm" rules/moneymoments "$N"
echo
echo "== (b) mmr eval end to end"
if [ ! -f "$FILE" ]; then
    echo "generating $FILE ..."
    "$MMR" gen --users "$N" --ndjson "$FILE"
fi
echo "input: $FILE, $(wc -c < "$FILE" | awk '{printf "%.0f MB", $1/1e6}'), $N users"
cat "$FILE" > /dev/null          # page cache warm for every contender
timed "wc -l (read the file)" wc -l "$FILE"
timed "jansson parse only, 1 thread" "$BUILD/bench/bench_jansson" "$FILE"
timed "mmr eval --threads 1" "$MMR" eval rules/moneymoments --signals "$FILE" --threads 1
timed "mmr eval --threads 2" "$MMR" eval rules/moneymoments --signals "$FILE" --threads 2
timed "mmr eval (default threads)" "$MMR" eval rules/moneymoments --signals "$FILE"
"$MMR" eval rules/moneymoments --signals "$FILE" --threads 1 | md5sum | sed 's/ .*/  (output md5, 1 thread)/'
"$MMR" eval rules/moneymoments --signals "$FILE" --threads 2 | md5sum | sed 's/ .*/  (output md5, 2 threads)/'
echo
echo "== (c) mmr run vs the same decision in plain SQL"
bench/bench_run.sh "$N" "$MMR"
echo
echo "== (d) mmr signals from transactions vs the same signals in plain SQL"
if "$MMR" signals --help > /dev/null 2>&1; then
    bench/bench_signals.sh "$MMR"
else
    echo "skipped: $MMR has no signals command"
fi
echo
echo "== (e) hostile input sizes (linear: ratio ~2 per doubling; quadratic: ~4)"
bench/bench_inputs.sh "$MMR"
echo
echo "== (f) mmr serve: open SSE streams, and GET /feed under wrk"
bench/serve_streams.sh "${BENCH_STREAMS:-10000}" "$MMR"
echo
bench/serve_feed.sh "$MMR"
echo
echo "== (g) mmr run on PostgreSQL: one worker, two shards at once, beside SQLite"
bench/bench_pg.sh "$N" "$MMR"
