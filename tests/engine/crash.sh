#!/usr/bin/env bash
# kill -9 at random moments during a run over N users (default 100,000),
# then a run to the end: the database and the --events file must equal
# those of one uninterrupted run. Prints "N passed, N failed".
#   tests/engine/crash.sh [N] [KILLS]      MMR=build/mmr by default
set -uo pipefail
cd "$(dirname "$0")/../.."
MMR=${MMR_FAST:-${MMR:-build/mmr}}
N=${1:-100000}
KILLS=${2:-6}
NOW=2025-10-26T09:00:00Z
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mmr-crash.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }

"$MMR" gen --users "$N" --db "$TMP/base.db" || { echo "0 passed, 1 failed"; exit 1; }
sqlite3 "$TMP/base.db" 'PRAGMA wal_checkpoint(TRUNCATE);' > /dev/null

run() { # db events
    "$MMR" run rules/moneymoments --db "$1" --now "$NOW" --events "$2" > /dev/null 2> "$1.err"
}

mkdir -p "$TMP/ref" "$TMP/crash"
cp "$TMP/base.db" "$TMP/ref/s.db"
cp "$TMP/base.db" "$TMP/crash/s.db"
start=$(date +%s.%N)
run "$TMP/ref/s.db" "$TMP/ref/events.ndjson" && ok "uninterrupted run" || bad "uninterrupted run: $(cat "$TMP/ref/s.db.err")"
dur=$(echo "$(date +%s.%N) - $start" | bc)
echo "     uninterrupted run: $dur s, $(wc -l < "$TMP/ref/events.ndjson") events"

# kill at moments spread over the whole run, commit and publishing included
killed=0
for i in $(seq 1 "$KILLS"); do
    at=$(python3 -c "import random; print(round(random.uniform(0.05, $dur * 1.1), 3))")
    "$MMR" run rules/moneymoments --db "$TMP/crash/s.db" --now "$NOW" --events "$TMP/crash/events.ndjson" \
        > /dev/null 2>&1 &
    pid=$!
    sleep "$at"
    if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); echo "     kill -9 after ${at}s"; else echo "     run ended before ${at}s"; fi
    wait "$pid" 2>/dev/null
done
run "$TMP/crash/s.db" "$TMP/crash/events.ndjson" && ok "final run after $killed kills" || bad "final run: $(cat "$TMP/crash/s.db.err")"

for t in mm_signal_daily mm_user_traits mm_user_suppression mm_nudge_rule_master mm_nudge_template_master \
         mm_nudge_candidate mm_nudge_delivery_log mm_nudge_interaction_log mm_event_outbox mm_schema_version; do
    sqlite3 "$TMP/ref/s.db" ".dump $t" > "$TMP/ref/$t.sql"
    sqlite3 "$TMP/crash/s.db" ".dump $t" > "$TMP/crash/$t.sql"
    if cmp -s "$TMP/ref/$t.sql" "$TMP/crash/$t.sql"; then ok "$t rows equal ($(grep -c '^INSERT' "$TMP/ref/$t.sql"))"
    else bad "$t rows differ"; diff "$TMP/ref/$t.sql" "$TMP/crash/$t.sql" | head -5; fi
done
if cmp -s "$TMP/ref/events.ndjson" "$TMP/crash/events.ndjson"; then ok "events file equal, each event once"
else bad "events differ: $(wc -l < "$TMP/ref/events.ndjson") vs $(wc -l < "$TMP/crash/events.ndjson") lines"; fi
dups=$(cut -d'"' -f8 "$TMP/crash/events.ndjson" | sort | uniq -d | wc -l)
[ "$dups" -eq 0 ] && ok "no delivery id twice in the events" || bad "$dups delivery ids twice"
pending=$(sqlite3 "$TMP/crash/s.db" "SELECT count(*) FROM mm_event_outbox WHERE published_at IS NULL")
[ "$pending" -eq 0 ] && ok "outbox drained" || bad "$pending events pending"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
