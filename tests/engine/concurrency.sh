#!/usr/bin/env bash
# Several `mmr run`s on one database at once (docs/engine.md,
# "Concurrency"): with --events (one file shared by the runs), stdout and a
# real redis-server, every event reaches each sink exactly once, the
# events file stays valid NDJSON without a duplicate, and every run exits
# 0. Then a lease held by a live process makes a run give up naming it
# (exit 1, nothing written), and a lease left by a killed run is taken
# over. Prints "N passed, N failed".
cd "$(dirname "$0")/../.."
NAME=conc
. tests/engine/lib.sh
hold=""
start_redis || bad "redis-server did not start"
start_sub_fresh() { rm -f "$TMP/sub.jsonl"; start_sub; }

# A database with two snapshot dates, so that concurrent runs each decide
# (and publish) new deliveries.
DB0=$TMP/base.db
"$MMR" gen --users 20000 --db "$DB0" --as-of 2025-10-26 > /dev/null 2>&1 &&
    "$MMR" gen --users 20000 --db "$DB0" --as-of 2025-10-27 --seed 7 > /dev/null 2>&1 ||
    bad "mmr gen"
# into the main file, so that cp copies everything
sqlite3 "$DB0" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null

# every delivery's event, as the outbox holds them, in event order
outbox_events() {
    sqlite3 "$1" "SELECT json_object('type','nudge','delivery_id',d.delivery_id,'user_id',d.user_id,'rule',r.name,'title',d.title,'body',d.body,'category',d.category,'created_at',d.delivered_at) FROM mm_event_outbox o JOIN mm_nudge_delivery_log d ON d.seq = o.delivery_seq JOIN mm_nudge_rule_master r ON r.rule_id = d.rule_id ORDER BY o.event_id"
}

# trial NAME SINK... : one run per SINK ("file" or "stdout"), all at once,
# all with --redis; runs alternate between the two dates
trial() {
    local name=$1; shift
    local db=$TMP/db-$name i=0 pids="" rcs=""
    rm -f "$TMP/$name".*
    cp "$DB0" "$db"
    start_sub_fresh || bad "$name: subscriber did not start"
    for sink in "$@"; do
        local day=$((26 + i % 2))
        local args=(run rules/moneymoments --db "$db" --now "2025-10-${day}T09:00:00Z" --as-of "2025-10-$day" --redis "$URL"
                    --busy-timeout 120000)  # a loaded machine: waiting is not what this tests
        [ "$sink" = file ] && args+=(--events "$TMP/$name.events")
        "$MMR" "${args[@]}" > "$TMP/$name.out$i" 2> "$TMP/$name.err$i" &
        pids="$pids $!"
        i=$((i + 1))
    done
    i=0
    for p in $pids; do wait "$p"; rcs="$rcs $?"; i=$((i + 1)); done
    stop_sub
    [ "$rcs" = "$(printf ' 0%.0s' "$@")" ] && ok "$name: $# runs at once all exit 0" ||
        bad "$name: exit statuses$rcs: $(cat "$TMP/$name".err*)"
    outbox_events "$db" | sort > "$TMP/$name.want"
    local n; n=$(wc -l < "$TMP/$name.want")
    touch "$TMP/$name.events"
    cat "$TMP/$name.events" "$TMP/$name".out* | sort > "$TMP/$name.ndjson"
    cmp -s "$TMP/$name.ndjson" "$TMP/$name.want" && [ "$n" -gt 1000 ] &&
        ok "$name: NDJSON (file + stdout): each of the $n events exactly once" ||
        bad "$name: NDJSON has $(wc -l < "$TMP/$name.ndjson") lines ($(sort "$TMP/$name.ndjson" | uniq -d | wc -l) repeated) for $n events"
    python3 -c 'import json,sys; [print(json.loads(l)["message"]) for l in open(sys.argv[1])]' "$TMP/sub.jsonl" | sort > "$TMP/$name.redis"
    cmp -s "$TMP/$name.redis" "$TMP/$name.want" && ok "$name: Redis: each of the $n events published exactly once" ||
        bad "$name: Redis got $(wc -l < "$TMP/$name.redis") messages ($(uniq -d "$TMP/$name.redis" | wc -l) repeated) for $n events"
    python3 - "$TMP/$name.events" <<'PY' && ok "$name: the events file is valid NDJSON, one event per line" || bad "$name: events file broken"
import json, sys
ids = [json.loads(l)['delivery_id'] for l in open(sys.argv[1], encoding='utf-8')]
sys.exit(0 if len(ids) == len(set(ids)) else 1)
PY
}

trial two file file
trial three file stdout file
trial four file stdout file stdout

# A live holder: a run waits --busy-timeout, then exits 1 naming it, and
# writes nothing.
DB=$TMP/held.db
cp "$DB0" "$DB"
"$MMR" run rules/moneymoments --db "$DB" --now 2025-10-26T09:00:00Z --as-of 2025-10-26 > /dev/null 2>&1
sleep 300 & hold=$!; children+=("$hold")
H=$(hostname)
sqlite3 "$DB" "INSERT INTO mm_lease VALUES ('evaluate', 'test', '$H', $hold, 0, '2025-10-27T08:59:00Z', strftime('%s','now'), 'mmr run')"
runs_before=$(sqlite3 "$DB" "SELECT count(*) FROM mm_run")
"$MMR" run rules/moneymoments --db "$DB" --now 2025-10-27T09:00:00Z --as-of 2025-10-27 --busy-timeout 200 \
    > "$TMP/held.out" 2> "$TMP/held.err"; rc=$?
[ $rc -eq 1 ] && ok "a held lease: exit 1" || bad "a held lease: exit $rc"
grep -q "another process holds this database's \"evaluate\" lease: mmr run, pid $hold on host $H, since 2025-10-27T08:59:00Z" "$TMP/held.err" &&
    ok "the message names the holder (pid, host, start)" || bad "message: $(cat "$TMP/held.err")"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM mm_run")" = "$runs_before" ] && [ ! -s "$TMP/held.out" ] &&
    ok "nothing written, nothing printed" || bad "the refused run wrote something"
# the holder dies without giving the lease back: the next run takes it over
kill "$hold"; wait "$hold" 2>/dev/null; hold=""
"$MMR" run rules/moneymoments --db "$DB" --now 2025-10-27T09:00:00Z --as-of 2025-10-27 --busy-timeout 200 \
    > "$TMP/taken.out" 2> "$TMP/taken.err"; rc=$?
[ $rc -eq 0 ] && [ -s "$TMP/taken.out" ] && ok "a dead holder's lease is taken over" || bad "takeover: exit $rc: $(cat "$TMP/taken.err")"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM mm_lease")" = 0 ] && ok "no lease left behind" || bad "leases left: $(sqlite3 "$DB" "SELECT * FROM mm_lease")"

# A run killed while it holds the lease (kill -9 as soon as the lease row
# appears): the next run takes the lease over; every event once.
DB=$TMP/killed.db
cp "$DB0" "$DB"
"$MMR" run rules/moneymoments --db "$DB" --now 2025-10-26T09:00:00Z --events "$TMP/killed.events" > /dev/null 2>&1 &
victim=$!
for _ in $(seq 1 400); do
    [ "$(sqlite3 "$DB" "SELECT count(*) FROM mm_lease" 2>/dev/null)" = 1 ] && break
    sleep 0.005
done
kill -9 "$victim" 2>/dev/null; wait "$victim" 2>/dev/null
"$MMR" run rules/moneymoments --db "$DB" --now 2025-10-26T09:00:00Z --events "$TMP/killed.events" --busy-timeout 200 \
    > /dev/null 2> "$TMP/killed.err"; rc=$?
[ $rc -eq 0 ] && ok "after kill -9 of the holder the next run exits 0" || bad "after kill -9: exit $rc: $(cat "$TMP/killed.err")"
outbox_events "$DB" | sort > "$TMP/killed.want"
sort "$TMP/killed.events" | cmp -s - "$TMP/killed.want" && ok "after kill -9: each of $(wc -l < "$TMP/killed.want") events once in the file" ||
    bad "after kill -9: $(wc -l < "$TMP/killed.events") lines for $(wc -l < "$TMP/killed.want") events"

finish
