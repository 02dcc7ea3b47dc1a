#!/usr/bin/env bash
# Redis on PostgreSQL (docs/scale.md, docs/serve.md), with a real
# redis-server and a throwaway PostgreSQL cluster on loopback:
#  1. `mmr run --redis` publishes each event once, the same text as its
#     --events line, on mm:nudges:<user_id>; a rerun publishes nothing;
#  2. Redis down: the run exits 3, the events wait; the next run --redis
#     publishes them, once, and does not print them again;
#  3. Redis down again: `mmr serve --redis` publishes what waits;
#  4. while the server holds "relay:redis", a run without --redis marks
#     its events for Redis and the server publishes them, once;
#  5. two servers: one holds "relay:redis"; kill -9 of the holder: the
#     other takes it over and publishes the backlog, nothing lost or twice;
#  6. the "publish" lease held elsewhere: the run waits, then exits 3
#     naming the holder;
#  7. no server: a run without --redis wants no Redis; the events file and
#     Redis carry the same delivery ids, each once.
# Needs a PostgreSQL server install (tests/pg/lib.sh); skips without one.
# Prints "N passed, N failed".
cd "$(dirname "$0")/../.."
source tests/pg/lib.sh
if ! pg_start; then echo "pg/redis: PostgreSQL not installed: skipped"; echo "0 passed, 0 failed"; exit 0; fi
NAME=pgredis
. tests/engine/lib.sh
case $MMR in /*) ;; *) MMR=$PWD/$MMR ;; esac
RULES=$PWD/rules/moneymoments
SRVS=()
stop_servers() { for p in "${SRVS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; SRVS=(); }
trap 'stop_servers; cleanup; pg_stop' EXIT
printf 'pg-redis-secret\n' > "$TMP/secret"
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2], got [$3]"; fi; }
wait_for() {
    local end=$(( $(date +%s) + $1 )); shift
    until "$@"; do [ "$(date +%s)" -ge "$end" ] && return 1; sleep 0.05; done
}
q() { pg_psql rd -At -c "$1"; }
max_event() { q "SELECT coalesce(max(event_id), 0) FROM mm_event_outbox"; }
cursors() { q "SELECT string_agg(sink || '=' || last_event_id, ' ' ORDER BY sink) FROM mm_event_cursor"; }
sub_count() { [ -f "$TMP/sub.jsonl" ] && wc -l < "$TMP/sub.jsonl" || echo 0; }
sub_is() { [ "$(sub_count)" -eq "$1" ]; }
# the outbox events that want Redis after the redis cursor
waiting() { q "SELECT count(*) FROM mm_event_outbox WHERE want_redis = 1 AND event_id > (SELECT last_event_id FROM mm_event_cursor WHERE sink = 'redis')"; }
none_waiting() { [ "$(waiting)" = 0 ]; }
no_deferrals() { [ "$(q "SELECT count(*) FROM mm_nudge_deferred")" = 0 ]; }
# Redis messages against the outbox and the events file: each delivery id
# once; the channel is its user's; the text is its line in the file
compare() {
    python3 - "$TMP/sub.jsonl" "$TMP/ev.ndjson" "$1" <<'PY'
import collections, json, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
lines = open(sys.argv[2]).read().splitlines()
want = set(open(sys.argv[3]).read().split())
by_id = {json.loads(l)["delivery_id"]: l for l in lines}
ids = collections.Counter(json.loads(m["message"])["delivery_id"] for m in msgs)
errs = []
if len(by_id) != len(lines): errs.append("the events file repeats a delivery")
if any(v > 1 for v in ids.values()): errs.append("%d sent twice" % sum(v > 1 for v in ids.values()))
if set(ids) != want: errs.append("redis has %d ids, the outbox wants %d (%d missing)" % (len(ids), len(want), len(want - set(ids))))
for m in msgs:
    e = json.loads(m["message"])
    if m["channel"] != "mm:nudges:" + e["user_id"]: errs.append("channel " + m["channel"]); break
    if e["delivery_id"] in by_id and by_id[e["delivery_id"]] != m["message"]: errs.append("text differs"); break
print("; ".join(errs) or "ok")
PY
}
want_ids() { q "SELECT d.delivery_id FROM mm_event_outbox o JOIN mm_nudge_delivery_log d ON d.seq = o.delivery_seq WHERE o.want_redis = 1" > "$TMP/want"; }
# the lease's holders: backend pids of granted advisory locks (7171444, id)
holders() { q "SELECT string_agg(l.pid::text, ' ') FROM pg_locks l WHERE l.locktype = 'advisory' AND l.classid = 7171444 AND l.objid = $1 AND l.granted"; }
holder_count() { q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 7171444 AND objid = 2 AND granted"; }

# The runs and servers reach Redis with a password: a restarted Redis has
# none until the subscriber is in (PUBLISH has no memory: a message sent
# before it subscribes would be lost to the test), so AUTH fails until then.
RURL="redis://:pgredispw@127.0.0.1:$PORT"
redis_up() {
    start_redis || return 1
    start_sub || return 1
    redis-cli -p "$PORT" CONFIG SET requirepass pgredispw >/dev/null
}
redis_down() { stop_sub; stop_redis; }
# start_serve LOG: a server with --redis; its pid is SRV (and in SRVS)
start_serve() {
    : > "$1"
    $MMR serve --db "$URL" --listen 127.0.0.1:0 --jwt-secret-file "$TMP/secret" --redis "$RURL" --redis-timeout 1000 2>"$1" &
    SRV=$!
    SRVS+=("$SRV")
    wait_for 10 grep -q 'listening on' "$1"
}
run() {   # run DAY ERRFILE [ARGS...]: a night on $URL, its exit status in RC
    local day=$1 err=$2; shift 2
    $MMR run "$RULES" --db "$URL" --as-of "$day" --now "${day}T09:00:00Z" "$@" 2>"$err"; RC=$?
}
summary() { grep '^mmr run: events' "$1"; }

# the inputs: seven nights of 300 users, loaded once
URL=$(pg_fresh rd)
$MMR run "$RULES" --db "$URL" --now 2025-10-26T09:00:00Z >/dev/null 2>&1   # makes the schema
$MMR gen --db "$TMP/in.db" --users 300 >/dev/null 2>&1
for n in 27 28 29 30 31; do $MMR gen --db "$TMP/in.db" --users 300 --as-of 2025-10-$n --seed $n >/dev/null 2>&1; done
$MMR gen --db "$TMP/in.db" --users 300 --as-of 2025-11-01 --seed 32 >/dev/null 2>&1
python3 tests/pg/load_sqlite.py "$TMP/in.db" "$PG_BIN/psql" rd || bad "loading the inputs"
redis_up || { bad "redis-server did not start"; finish; exit 1; }

# 1. run --redis: each event once, as its line in the events file
run 2025-10-26 "$TMP/r1.err" --redis "$RURL" --events "$TMP/ev.ndjson"
check_eq "1: run --redis exits 0" 0 "$RC"
n1=$(max_event)
[ "$n1" -gt 50 ] && ok "1: the run delivered $n1 nudges" || bad "1: the run delivered $n1"
check_eq "1: the summary" "mmr run: events: $n1 written, $n1 published to redis, 0 pending in the outbox" "$(summary "$TMP/r1.err")"
check_eq "1: every event wants Redis" "$n1" "$(q "SELECT count(*) FROM mm_event_outbox WHERE want_redis = 1")"
wait_for 5 sub_is "$n1"; sleep 0.3
check_eq "1: Redis got each event" "$n1" "$(sub_count)"
want_ids
check_eq "1: the same ids and texts as the events file, once each" ok "$(compare "$TMP/want")"
check_eq "1: both cursors at the last event" "ndjson=$n1 redis=$n1" "$(cursors)"
check_eq "1: the events file's size recorded" "$(stat -c %s "$TMP/ev.ndjson")" "$(q "SELECT size FROM mm_event_sink")"
run 2025-10-26 "$TMP/r1b.err" --redis "$RURL" --events "$TMP/ev.ndjson"
check_eq "1: a rerun exits 0" 0 "$RC"
check_eq "1: a rerun publishes nothing" "mmr run: events: 0 written, 0 published to redis, 0 pending in the outbox" "$(summary "$TMP/r1b.err")"
sleep 0.3
check_eq "1: Redis got nothing more" "$n1" "$(sub_count)"
check_eq "1: the events file has nothing more" "$n1" "$(wc -l < "$TMP/ev.ndjson")"

# 2. Redis down: the events wait; the next run publishes them once
redis_down
run 2025-10-27 "$TMP/r2.err" --redis "$RURL" --events "$TMP/ev.ndjson"
check_eq "2: Redis down: exit 3" 3 "$RC"
n2=$(( $(max_event) - n1 ))
check_eq "2: the summary" "mmr run: events: $n2 written, 0 published to redis, $n2 pending in the outbox (publishing failed)" "$(summary "$TMP/r2.err")"
grep -q "cannot connect to redis 127.0.0.1:$PORT" "$TMP/r2.err" && ok "2: says Redis cannot be reached" || bad "2: $(cat "$TMP/r2.err")"
! grep -q pgredispw "$TMP/r2.err" && ok "2: the Redis password is not shown" || bad "2: password shown"
check_eq "2: NDJSON moved, Redis waits" "ndjson=$((n1 + n2)) redis=$n1" "$(cursors)"
redis_up || bad "2: redis-server did not restart"
run 2025-10-28 "$TMP/r3.err" --redis "$RURL" --events "$TMP/ev.ndjson"
check_eq "2: the next run exits 0" 0 "$RC"
n3=$(( $(max_event) - n1 - n2 ))
check_eq "2: it publishes the waiting events and its own, prints only its own" \
    "mmr run: events: $n3 written, $((n2 + n3)) published to redis, 0 pending in the outbox" "$(summary "$TMP/r3.err")"
tot=$((n1 + n2 + n3))
wait_for 5 sub_is "$tot"; sleep 0.3
want_ids
check_eq "2: Redis and the events file: every event once" ok "$(compare "$TMP/want")"
check_eq "2: both cursors at the last event" "ndjson=$tot redis=$tot" "$(cursors)"

# 3. Redis down during a run; `mmr serve --redis` publishes what waits
redis_down
run 2025-10-29 "$TMP/r4.err" --redis "$RURL" --events "$TMP/ev.ndjson"
check_eq "3: Redis down: exit 3" 3 "$RC"
[ "$(waiting)" -gt 0 ] && ok "3: $(waiting) events wait for Redis" || bad "3: nothing waits"
redis_up || bad "3: redis-server did not restart"
start_serve "$TMP/s1.err" && ok "3: mmr serve --db postgresql://… --redis starts" || bad "3: serve: $(cat "$TMP/s1.err")"
S1=$SRV
# the server also releases the deferrals of the runs (due long ago), for Redis
wait_for 10 no_deferrals && ok "3: the server released the deferrals" || bad "3: deferrals left"
wait_for 15 none_waiting && ok "3: the server published what waited" || bad "3: $(waiting) still wait"
want_ids
wait_for 5 sub_is "$(wc -l < "$TMP/want")"; sleep 0.3
check_eq "3: each once" ok "$(compare "$TMP/want")"
check_eq "3: the Redis cursor at the last event" "$(max_event)" "$(q "SELECT last_event_id FROM mm_event_cursor WHERE sink = 'redis'")"

# 4. the server holds relay:redis: a run without --redis marks its events
check_eq "4: one session holds relay:redis" 1 "$(holder_count)"
check_eq "4: it is mmr serve's" "mmr serve" "$(q "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.classid = 7171444 AND l.objid = 2 AND l.granted")"
before=$(max_event)
run 2025-10-30 "$TMP/r5.err" --events "$TMP/ev.ndjson"
check_eq "4: the run without --redis exits 0" 0 "$RC"
# the run's own events (the relay may at once release a deferral the run
# made: due by the wall clock, it is the relay's event, not the run's)
runs5="FROM mm_event_outbox e JOIN mm_nudge_delivery_log d ON d.seq = e.delivery_seq
       WHERE e.event_id > $before AND d.delivered_at = '2025-10-30T09:00:00Z'"
n5=$(q "SELECT count(*) $runs5")
[ "$n5" -gt 0 ] && ok "4: it delivered $n5" || bad "4: it delivered nothing"
check_eq "4: its events want Redis" "$n5" "$(q "SELECT count(*) $runs5 AND e.want_redis = 1")"
summary "$TMP/r5.err" | grep -qE "^mmr run: events: [0-9]+ written, 0 published to redis, " && ok "4: it sent none itself" \
    || bad "4: $(summary "$TMP/r5.err")"
check_eq "4: it printed every event (NDJSON is the run's)" t \
    "$(q "SELECT (SELECT last_event_id FROM mm_event_cursor WHERE sink = 'ndjson') >= (SELECT max(e.event_id) $runs5)")"
wait_for 10 none_waiting && ok "4: the server published them" || bad "4: $(waiting) still wait"
want_ids
wait_for 5 sub_is "$(wc -l < "$TMP/want")"; sleep 0.3
check_eq "4: each once" ok "$(compare "$TMP/want")"

# 5. two servers: one holder; kill -9 of it while a backlog waits
start_serve "$TMP/s2.err" && ok "5: a second server starts" || bad "5: serve 2: $(cat "$TMP/s2.err")"
S2=$SRV
sleep 1
check_eq "5: still one holder of relay:redis" 1 "$(holder_count)"
h1=$(holders 2)
redis_down
before=$(max_event)
run 2025-10-31 "$TMP/r6.err" --events "$TMP/ev.ndjson"
check_eq "5: a run without --redis while Redis is down: exit 0" 0 "$RC"
n6=$(( $(max_event) - before ))
check_eq "5: its events want Redis" "$n6" "$(q "SELECT count(*) FROM mm_event_outbox WHERE event_id > $before AND want_redis = 1")"
kill -9 "$S1"; wait "$S1" 2>/dev/null
taken() { local h; h=$(holders 2); [ -n "$h" ] && [ "$h" != "$h1" ]; }
wait_for 15 taken && ok "5: the other server took relay:redis over" || bad "5: holders now [$(holders 2)], before [$h1]"
check_eq "5: one holder" 1 "$(holder_count)"
[ "$(waiting)" -gt 0 ] && ok "5: $(waiting) events wait for Redis" || bad "5: nothing waits"
redis_up || bad "5: redis-server did not restart"
wait_for 40 none_waiting && ok "5: the survivor published the backlog" || bad "5: $(waiting) still wait"
want_ids
wait_for 5 sub_is "$(wc -l < "$TMP/want")"; sleep 0.3
check_eq "5: nothing lost, nothing twice" ok "$(compare "$TMP/want")"

# 6. the publish lease held by another session: the run waits, then exit 3
kill -TERM "$S2"; wait "$S2"; rc=$?
SRVS=()
check_eq "6: SIGTERM: the server exits 0" 0 "$rc"
check_eq "6: relay:redis given back" 0 "$(holder_count)"
mkfifo "$TMP/hold"
( "$PG_BIN/psql" -X -q -d rd <"$TMP/hold" >/dev/null 2>&1 ) &
hold=$!
exec 7>"$TMP/hold"
echo "SET application_name = 'a hand session'; SELECT pg_advisory_lock(7171444, 1);" >&7
held_pub() { [ -n "$(holders 1)" ]; }
wait_for 5 held_pub
before=$(max_event)
run 2025-11-01 "$TMP/r7.err" --events "$TMP/ev.ndjson" --busy-timeout 300
check_eq "6: publish lease busy: exit 3" 3 "$RC"
grep -q "another process holds this database's \"publish\" lease: a hand session, server process [0-9]* (connected from 127.0.0.1), since 20" "$TMP/r7.err" \
    && ok "6: names the holder" || bad "6: $(cat "$TMP/r7.err")"
grep -q "waited 300 ms" "$TMP/r7.err" && ok "6: says how long it waited" || bad "6: no wait in $(cat "$TMP/r7.err")"
n7=$(( $(max_event) - before ))
[ "$n7" -gt 0 ] && ok "6: committed $n7 deliveries" || bad "6: the run delivered nothing"
pend=$(q "SELECT count(*) FROM mm_event_outbox WHERE event_id > (SELECT last_event_id FROM mm_event_cursor WHERE sink = 'ndjson')")
check_eq "6: nothing printed" "mmr run: events: 0 written, 0 published to redis, $pend pending in the outbox (another process is publishing)" \
    "$(summary "$TMP/r7.err")"
echo "SELECT pg_advisory_unlock(7171444, 1);" >&7; exec 7>&-
wait "$hold" 2>/dev/null

# 7. no server: a rerun prints what waited; nothing wants Redis
run 2025-11-01 "$TMP/r8.err" --events "$TMP/ev.ndjson"
check_eq "7: the rerun exits 0" 0 "$RC"
check_eq "7: it prints the waiting events" "mmr run: events: $pend written, 0 published to redis, 0 pending in the outbox" "$(summary "$TMP/r8.err")"
check_eq "7: a run without a server wants no Redis" 0 "$(q "SELECT count(*) FROM mm_event_outbox WHERE event_id > $before AND want_redis = 1")"
check_eq "7: every earlier event wants Redis" "$before" "$(q "SELECT count(*) FROM mm_event_outbox WHERE event_id <= $before AND want_redis = 1")"
want_ids
check_eq "7: Redis has exactly the events that want it, once" ok "$(compare "$TMP/want")"
q "SELECT d.delivery_id FROM mm_event_outbox o JOIN mm_nudge_delivery_log d ON d.seq = o.delivery_seq ORDER BY o.event_id" > "$TMP/all"
check_eq "7: the events file has every event once, in event order" "$(cat "$TMP/all")" \
    "$(python3 -c 'import json,sys; [print(json.loads(l)["delivery_id"]) for l in open(sys.argv[1])]' "$TMP/ev.ndjson")"
check_eq "7: and the same delivery ids as Redis, for those that want it" "$(sort "$TMP/want")" \
    "$(python3 -c 'import json,sys; [print(json.loads(json.loads(l)["message"])["delivery_id"]) for l in open(sys.argv[1])]' "$TMP/sub.jsonl" | sort)"
! grep -qE 'Sanitizer|runtime error' "$TMP"/*.err && ok "no sanitizer report" \
    || bad "sanitizer: $(grep -hE 'Sanitizer|runtime error' "$TMP"/*.err | head -3)"
echo "pg/redis: $passed passed, $failed failed"
finish
