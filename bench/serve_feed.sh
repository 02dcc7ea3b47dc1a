#!/usr/bin/env bash
# `GET /v1/moneymoments/feed` of `mmr serve` under wrk (docs/performance.md,
# "mmr serve"): USERS users (default 5,000) with a week of `mmr run`
# deliveries each (~5 a user), each request for the next of 1,000 users'
# tokens in turn; against `GET /healthz` in the same session, the ceiling
# of the HTTP layer on this machine, and the feed with a token of the wrong
# key (401: the HTTP layer plus the token check, no database).
# ROUNDS (default 2) alternate the three.
#   bench/serve_feed.sh [MMR]       (MMR default build/mmr)
# Environment: USERS, ROUNDS, DURATION (default 10s), THREADS (2),
# CONNS (64), RULES (default rules/moneymoments).
# Prints "skipped" without wrk (Debian package wrk; scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
MMR=${1:-${MMR:-build/mmr}}
USERS=${USERS:-5000}
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
RULES=${RULES:-rules/moneymoments}
command -v wrk > /dev/null || { echo "skipped: no wrk (apt-get install wrk, or scripts/setup.sh)"; exit 0; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mmr-bench-feed.XXXXXX")
SRV=
cleanup() { [ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$TMP"; }
trap cleanup EXIT

DB=$TMP/state.db
for d in 20 21 22 23 24 25 26; do
    "$MMR" gen --users "$USERS" --db "$DB" --as-of 2025-10-$d --seed $d > /dev/null
    "$MMR" run "$RULES" --db "$DB" --as-of 2025-10-$d --now 2025-10-${d}T20:00:00+05:30 > /dev/null 2>&1
done
echo "== mmr serve: GET /v1/moneymoments/feed, $(sqlite3 "$DB" "SELECT count(*) || ' deliveries to ' || count(DISTINCT user_id) || ' users' FROM mm_nudge_delivery_log")"
printf 'bench-secret\n' > "$TMP/secret"
# 1,000 users' tokens (the users with the most deliveries first), one per request in turn
sqlite3 "$DB" "SELECT user_id FROM mm_nudge_delivery_log GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 1000" |
    awk '{ print "bench-secret", $1, 86400 }' | python3 tests/serve/jwt.py --batch > "$TMP/tokens"
{
    echo 'local toks, i = {}, 0'
    echo "for line in io.lines(\"$TMP/tokens\") do toks[#toks + 1] = line end"
    echo 'request = function()'
    echo '    i = i % #toks + 1'
    echo '    return wrk.format("GET", "/v1/moneymoments/feed", { ["Authorization"] = "Bearer " .. toks[i] })'
    echo 'end'
} > "$TMP/feed.lua"
BAD=$(echo "wrong-secret u1 86400" | python3 tests/serve/jwt.py --batch)

"$MMR" serve --db "$DB" --listen 127.0.0.1:0 --jwt-secret-file "$TMP/secret" 2> "$TMP/serve.err" &
SRV=$!
for _ in $(seq 200); do grep -q 'listening on' "$TMP/serve.err" && break; sleep 0.05; done
URL=$(sed -n 's/.*listening on //p' "$TMP/serve.err")
[ -n "$URL" ] || { echo "mmr serve did not start:"; cat "$TMP/serve.err"; exit 1; }
T1=$(head -n 1 "$TMP/tokens")
echo "one response: $(curl -s -o /dev/null -w '%{http_code}, %{size_download} bytes' -H "Authorization: Bearer $T1" "$URL/v1/moneymoments/feed")"
echo "cpus: $(nproc)   $(uptime | sed 's/.*load/load/')"

# wrk's summary: requests/s, and p50/p99 from --latency; non-2xx counted
run() {  # label, wrk args...
    local label=$1; shift
    local out
    out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$@")
    local rps p50 p99 bad
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
    bad=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
    printf '%-8s %10.0f req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$label" "$rps" "$p50" "$p99" "${bad:-0}"
    echo "$label $rps" >> "$TMP/rps"
}
echo "wrk -t$THREADS -c$CONNS -d$DURATION --latency [-s feed.lua] URL   (feed.lua: Authorization: Bearer <next of 1000 tokens>)"
wrk -t"$THREADS" -c"$CONNS" -d2s "$URL/healthz" > /dev/null   # warm
for r in $(seq "$ROUNDS"); do
    run healthz "$URL/healthz"
    run feed-401 -H "Authorization: Bearer $BAD" "$URL/v1/moneymoments/feed"
    run feed -s "$TMP/feed.lua" "$URL/v1/moneymoments/feed"
done
awk '{ s[$1] += $2; n[$1]++ }
     END { printf "feed / healthz  %.2f   feed-401 / healthz  %.2f   (means of %d rounds)\n",
                  (s["feed"] / n["feed"]) / (s["healthz"] / n["healthz"]),
                  (s["feed-401"] / n["feed-401"]) / (s["healthz"] / n["healthz"]), n["feed"] }' "$TMP/rps"
echo "server RSS after: $(awk '/^VmRSS/ { print $2, $3 }' /proc/$SRV/status)"
kill -TERM "$SRV"; wait "$SRV" || true; SRV=
