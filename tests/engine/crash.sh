#!/usr/bin/env bash
# kill -9 at random moments during a run over N users (default 100,000),
# then a run to the end: the database and the --events file must equal
# those of one uninterrupted run. Prints "N passed, N failed".
#   tests/engine/crash.sh [N] [TRIALS]     MMR_FAST, else MMR, else build/mmr
set -uo pipefail
cd "$(dirname "$0")/../.."
MMR=${MMR_FAST:-${MMR:-build/mmr}}
N=${1:-100000}
KILLS=${2:-6}   # trials
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
dur=$(python3 -c "print($(date +%s.%N) - $start)")
echo "     uninterrupted run: $dur s, $(wc -l < "$TMP/ref/events.ndjson") events"

# events a sink has not had yet (beyond its cursor in mm_event_cursor)
PENDING="(SELECT count(*) FROM mm_event_outbox WHERE event_id > (SELECT last_event_id FROM mm_event_cursor WHERE sink = 'ndjson') OR (want_redis AND event_id > (SELECT last_event_id FROM mm_event_cursor WHERE sink = 'redis')))"

dump() { # dir: every table (rowid or key order), then mm_run and mm_event_sink below
    for t in mm_signal_daily mm_user_traits mm_user_suppression mm_nudge_rule_master mm_nudge_template_master \
             mm_nudge_candidate mm_nudge_delivery_log mm_nudge_interaction_log mm_event_outbox mm_event_cursor mm_schema_version; do
        sqlite3 "$1/s.db" ".dump $t" > "$1/$t.sql"
    done
    # mm_run has one row per run, so more after kills: compare the runs that
    # own candidates (their now is the candidates' and deliveries' time).
    sqlite3 "$1/s.db" "SELECT * FROM mm_run WHERE run_id IN (SELECT run_id FROM mm_nudge_candidate) ORDER BY run_id" \
        > "$1/mm_run.sql"
    # the events file's recorded size, by its name inside the trial's directory
    sqlite3 "$1/s.db" "SELECT replace(path, '$(realpath "$1")/', ''), size FROM mm_event_sink ORDER BY path" \
        > "$1/mm_event_sink.sql"
}
dump "$TMP/ref"

# Each trial: a fresh copy, kill -9 at a random moment of the run (commit and
# publishing included; every other trial kills the restarted run too), then
# a run to the end, compared with the uninterrupted run.
for trial in $(seq 1 "$KILLS"); do
    rm -rf "$TMP/crash"; mkdir -p "$TMP/crash"
    cp "$TMP/base.db" "$TMP/crash/s.db"
    kills=""
    for k in 1 2; do
        [ "$k" -eq 2 ] && [ $((trial % 2)) -eq 1 ] && break
        at=$(python3 -c "import random; print(round(random.uniform(0.02, $dur * 1.05), 3))")
        "$MMR" run rules/moneymoments --db "$TMP/crash/s.db" --now "$NOW" --events "$TMP/crash/events.ndjson" \
            > /dev/null 2>&1 &
        pid=$!
        sleep "$at"
        if kill -9 "$pid" 2>/dev/null; then kills="$kills kill@${at}s"; else kills="$kills (ended before ${at}s)"; fi
        wait "$pid" 2>/dev/null
    done
    # where the kills left it: committed or not, events waiting, lines already in the file
    state=$(sqlite3 "$TMP/crash/s.db" "SELECT 'runs=' || (SELECT count(*) FROM mm_run) || ' pending=' || $PENDING" 2>/dev/null)
    kills="$kills [${state:-not created} lines=$(cat "$TMP/crash/events.ndjson" 2>/dev/null | wc -l)]"
    if ! run "$TMP/crash/s.db" "$TMP/crash/events.ndjson"; then bad "trial $trial:$kills: final run failed: $(cat "$TMP/crash/s.db.err")"; continue; fi
    dump "$TMP/crash"
    diffs=""
    for f in "$TMP"/ref/*.sql; do cmp -s "$f" "$TMP/crash/$(basename "$f")" || diffs="$diffs $(basename "$f" .sql)"; done
    cmp -s "$TMP/ref/events.ndjson" "$TMP/crash/events.ndjson" || diffs="$diffs events-file"
    pending=$(sqlite3 "$TMP/crash/s.db" "SELECT $PENDING")
    [ "$pending" -eq 0 ] || diffs="$diffs outbox-pending:$pending"
    if [ -z "$diffs" ]; then ok "trial $trial:$kills: same rows in every table, same events file"
    else bad "trial $trial:$kills: differs:$diffs"; fi
done
# And one trial aimed at the publishing window: kill as soon as the events
# file starts growing (the run is committed, events are being written and
# marked chunk by chunk).
rm -rf "$TMP/crash"; mkdir -p "$TMP/crash"
cp "$TMP/base.db" "$TMP/crash/s.db"
"$MMR" run rules/moneymoments --db "$TMP/crash/s.db" --now "$NOW" --events "$TMP/crash/events.ndjson" > /dev/null 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null && [ ! -s "$TMP/crash/events.ndjson" ]; do sleep 0.005; done
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
state=$(sqlite3 "$TMP/crash/s.db" "SELECT 'runs=' || (SELECT count(*) FROM mm_run) || ' pending=' || $PENDING")
lines=$(wc -l < "$TMP/crash/events.ndjson")
if run "$TMP/crash/s.db" "$TMP/crash/events.ndjson"; then
    dump "$TMP/crash"
    diffs=""
    for f in "$TMP"/ref/*.sql; do cmp -s "$f" "$TMP/crash/$(basename "$f")" || diffs="$diffs $(basename "$f" .sql)"; done
    cmp -s "$TMP/ref/events.ndjson" "$TMP/crash/events.ndjson" || diffs="$diffs events-file"
    if [ -z "$diffs" ]; then ok "kill while publishing [$state lines=$lines]: same rows, same events file"
    else bad "kill while publishing [$state lines=$lines]: differs:$diffs"; fi
else
    bad "kill while publishing: final run failed: $(cat "$TMP/crash/s.db.err")"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
