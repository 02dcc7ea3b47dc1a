#!/usr/bin/env bash
# `mmr serve` with many SSE streams open (docs/performance.md, "mmr serve"):
# N streams (default 10,000) for N distinct users on loopback, the server's
# memory per open stream, and commit -> event latency (bench/serve_streams.c).
#   bench/serve_streams.sh [N] [MMR]     (MMR default build/mmr)
# Environment: RULES (default rules/moneymoments), SINGLES (default 1000 one-delivery commits), BATCHES (5),
# BATCH (1000 deliveries per batch commit).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
MMR=${2:-${MMR:-build/mmr}}
BUILD=${BUILD:-build}
RULES=${RULES:-rules/moneymoments}
CC=${CC:-cc}
mkdir -p "$BUILD/bench"
$CC -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -g -Wall -Wextra -o "$BUILD/bench/serve_streams" \
    bench/serve_streams.c -lsqlite3 -lpthread
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mmr-bench-serve.XXXXXX")
SRV=
cleanup() { [ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$TMP"; }
trap cleanup EXIT

# each process needs one fd per stream and a few more: the server N + ~20,
# the client N + ~10. Raise the soft limit to the hard one.
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] || [ "$hard" -ge $((N + 100)) ] || {
    echo "fd hard limit $hard: too low for $N streams; using $((hard - 100))"
    N=$((hard - 100))
}
ulimit -n "$hard"
echo "== mmr serve: $N SSE streams on loopback (fd limit $(ulimit -n) per process)"

DB=$TMP/state.db
"$MMR" gen --users "$N" --db "$DB" > /dev/null
"$MMR" run "$RULES" --db "$DB" --now 2025-10-26T20:00:00+05:30 > /dev/null
printf 'bench-secret\n' > "$TMP/secret"
for i in $(seq "$N"); do echo "bench-secret u$i 86400"; done | python3 tests/serve/jwt.py --batch |
    awk '{ print "u" NR, $0 }' > "$TMP/tokens"

"$MMR" serve --db "$DB" --listen 127.0.0.1:0 --jwt-secret-file "$TMP/secret" 2> "$TMP/serve.err" &
SRV=$!
for _ in $(seq 200); do grep -q 'listening on' "$TMP/serve.err" && break; sleep 0.05; done
URL=$(sed -n 's/.*listening on //p' "$TMP/serve.err")
[ -n "$URL" ] || { echo "mmr serve did not start:"; cat "$TMP/serve.err"; exit 1; }
PORT=${URL##*:}
curl -s "$URL/healthz" > /dev/null   # warm: the first request's allocations are not the streams'
echo "server pid $SRV, $URL; client: $BUILD/bench/serve_streams 127.0.0.1 $PORT TOKENS DB $SRV ${SINGLES:-1000} ${BATCHES:-5} ${BATCH:-1000}"
"$BUILD/bench/serve_streams" 127.0.0.1 "$PORT" "$TMP/tokens" "$DB" "$SRV" "${SINGLES:-1000}" "${BATCHES:-5}" "${BATCH:-1000}"
t0=$(date +%s%N)
kill -TERM "$SRV"; wait "$SRV" || true; SRV=
echo "server_stop_ms $(( ($(date +%s%N) - t0) / 1000000 ))"
[ -s "$TMP/serve.err" ] && [ "$(wc -l < "$TMP/serve.err")" -gt 1 ] && { echo "server stderr:"; tail -n 5 "$TMP/serve.err"; }
exit 0
