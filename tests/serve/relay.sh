#!/usr/bin/env bash
# What the relay of `mmr serve` writes (docs/serve.md, "The relay"), with
# a real redis-server:
#  - `mmr serve --redis`: a run WITHOUT --redis has its events published
#    to mm:nudges:<user_id> by the server, each exactly once;
#  - a run WITH --redis and the server share the Redis cursor: once each;
#  - events left in the outbox while Redis was down go out when it is back,
#    without another run;
#  - a nudge deferred by quiet hours is released by the server when it is
#    due, to the user's open stream and to Redis, once;
#  - kill -9 of the server while it publishes: after a restart nothing is
#    lost and nothing sent twice;
#  - `mmr run` and `mmr serve` on one database at once: no "database is
#    locked" reaches the run, the server's log or an HTTP client.
# Prints "N passed, N failed".
cd "$(dirname "$0")/../.."
NAME=relay
. tests/engine/lib.sh
case $MMR in /*) ;; *) MMR=$PWD/$MMR ;; esac
RULES=$PWD/rules/moneymoments
JWT="python3 $PWD/tests/serve/jwt.py"
DB=$TMP/state.db
SRV=""
cleanup_srv() { [ -n "$SRV" ] && kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; SRV=""; }
trap 'cleanup_srv; cleanup' EXIT
printf 'relay-secret\n' > "$TMP/secret"

# start_serve LOG: a server with --redis on $DB; sets SRV and B
start_serve() {
    : > "$1"
    $MMR serve --db "$DB" --listen 127.0.0.1:0 --jwt-secret-file "$TMP/secret" --redis "$RURL" \
        --redis-timeout 1000 2>"$1" &
    SRV=$!
    for _ in $(seq 200); do grep -q 'listening on' "$1" && break; sleep 0.05; done
    B=$(head -n 1 "$1"); B=${B##* }
}
# wait_for SECONDS CMD...: until CMD succeeds (then 0) or the time is up (1)
wait_for() {
    local end=$(( $(date +%s) + $1 )); shift
    until "$@"; do [ "$(date +%s)" -ge "$end" ] && return 1; sleep 0.05; done
}
sub_count() { [ -f "$TMP/sub.jsonl" ] && wc -l < "$TMP/sub.jsonl" || echo 0; }
sub_has() { [ "$(sub_count)" -ge "$1" ]; }
# each delivery id at most once, and the number of distinct ones
sub_dupes() { python3 -c 'import json,sys,collections; c=collections.Counter(json.loads(json.loads(l)["message"])["delivery_id"] for l in open(sys.argv[1])); print(sum(v-1 for v in c.values()))' "$TMP/sub.jsonl"; }
q() { sqlite3 "$DB" "$1"; }
redis_cursor() { q "SELECT last_event_id FROM mm_event_cursor WHERE sink='redis'"; }
max_event() { q "SELECT coalesce(max(event_id),0) FROM mm_event_outbox"; }

# The server and the runs reach Redis with a password. A restarted Redis
# has none until the subscriber is in (PUBLISH has no memory: a message
# sent before it subscribes would be lost to the test), so the relay's
# AUTH fails until then.
RURL="redis://:relaypw@127.0.0.1:$PORT"
redis_up() {
    start_redis || return 1
    rm -f "$TMP/sub.jsonl"
    start_sub || return 1
    redis-cli -p "$PORT" CONFIG SET requirepass relaypw >/dev/null
}
redis_up || { bad "redis-server did not start"; finish; exit 1; }
$MMR gen --users 200 --db "$DB" >/dev/null 2>&1
$MMR run "$RULES" --db "$DB" --now 2025-10-26T20:00:00+05:30 >/dev/null 2>&1 || bad "first run"
before=$(max_event)
start_serve "$TMP/serve1.err"
[ -n "$B" ] && ok "server with --redis is listening" || bad "server with --redis did not start: $(cat "$TMP/serve1.err")"
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2], got [$3]"; fi; }
check_eq "the server holds the relay:redis lease" "mmr serve" "$(q "SELECT what FROM mm_lease WHERE name='relay:redis'")"
# the first run deferred a few nudges (users whose own time zone puts
# 20:00 IST in their quiet hours): due long ago, the server releases them
gone() { [ "$(q "SELECT count(*) FROM mm_nudge_deferred")" = 0 ]; }
wait_for 10 gone && ok "deferrals of the first run released at start" || bad "deferrals left after start"
nw=$(q "SELECT count(*) FROM mm_event_outbox WHERE want_redis")
wait_for 10 sub_has "$nw"
sleep 0.3
check_eq "only the released ones went to Redis (the run's own events wanted none)" "$nw" "$(sub_count)"
before=$(max_event)

# 1. a run without --redis while the server runs: the server publishes
$MMR gen --users 200 --db "$DB" --as-of 2025-10-27 --seed 7 >/dev/null 2>&1
nd_before=$(q "SELECT last_event_id FROM mm_event_cursor WHERE sink='ndjson'")
$MMR run "$RULES" --db "$DB" --as-of 2025-10-27 --now 2025-10-27T20:00:00+05:30 > "$TMP/run1.out" 2>"$TMP/run1.err"
check_eq "run without --redis: exit 0" 0 "$?"
wait_for 10 gone
n1=$(q "SELECT count(*) FROM mm_event_outbox WHERE event_id > $before")
[ "$n1" -gt 0 ] && ok "the run delivered $n1 nudges" || bad "the run delivered nothing"
check_eq "its events want Redis (the relay is there)" "$n1" "$(q "SELECT count(*) FROM mm_event_outbox WHERE event_id > $before AND want_redis")"
check_eq "the run still prints every event (NDJSON is the run's)" "$(( $(q "SELECT last_event_id FROM mm_event_cursor WHERE sink='ndjson'") - nd_before ))" "$(wc -l < "$TMP/run1.out")"
n1=$((n1 + nw))
wait_for 10 sub_has "$n1"
check_eq "the server published each event to Redis" "$n1" "$(sub_count)"
check_eq "none twice" 0 "$(sub_dupes)"
check_eq "the Redis cursor is at the last event" "$(max_event)" "$(redis_cursor)"

# 2. a run with --redis too: the shared cursor sends each once
before=$(max_event)
$MMR gen --users 200 --db "$DB" --as-of 2025-10-28 --seed 8 >/dev/null 2>&1
$MMR run "$RULES" --db "$DB" --as-of 2025-10-28 --now 2025-10-28T20:00:00+05:30 --redis "$RURL" >/dev/null 2>&1
check_eq "run with --redis: exit 0" 0 "$?"
n2=$(q "SELECT count(*) FROM mm_event_outbox WHERE event_id > $before")
wait_for 10 sub_has $((n1 + n2))
sleep 0.3
check_eq "run and server together: each event once" $((n1 + n2)) "$(sub_count)"
check_eq "none twice (2)" 0 "$(sub_dupes)"

# 3. Redis down during a run: the server sends the events when it is back
stop_sub
stop_redis
before=$(max_event)
$MMR gen --users 200 --db "$DB" --as-of 2025-10-29 --seed 9 >/dev/null 2>&1
$MMR run "$RULES" --db "$DB" --as-of 2025-10-29 --now 2025-10-29T20:00:00+05:30 >/dev/null 2>&1
check_eq "run while Redis is down (no --redis): exit 0" 0 "$?"
n3=$(q "SELECT count(*) FROM mm_event_outbox WHERE event_id > $before")
sleep 0.5
check_eq "they wait in the outbox" "$before" "$(redis_cursor)"
redis_up || bad "redis-server did not restart"
wait_for 40 sub_has "$n3"
check_eq "Redis back: the server sent what waited, without a run" "$n3" "$(sub_count)"
check_eq "none twice (3)" 0 "$(sub_dupes)"
grep -q '^mmr serve: relay: redis: ' "$TMP/serve1.err" && ok "the server logged Redis being down" \
    || bad "no log line for Redis down: $(cat "$TMP/serve1.err")"

# 4. a nudge deferred by quiet hours: released by the server when due.
# Which users the run defers: the same run on a copy first, then a stream
# open for each of them (up to 5) before the real run.
$MMR gen --users 200 --db "$DB" --as-of 2025-10-30 --seed 10 >/dev/null 2>&1
sqlite3 "$DB" ".backup '$TMP/probe.db'"
# 23:00 local is inside quiet_hours 22:00 - 08:00: the run defers; the
# window ended long ago by the real clock, so the server releases at once
$MMR run "$RULES" --db "$TMP/probe.db" --as-of 2025-10-30 --now 2025-10-30T23:00:00+05:30 >/dev/null 2>&1
DUS=$(sqlite3 "$TMP/probe.db" "SELECT user_id FROM mm_nudge_deferred ORDER BY user_id LIMIT 5")
[ -n "$DUS" ] && ok "the run defers nudges for $(wc -l <<<"$DUS")+ users" || bad "the probe run deferred nothing"
for u in $DUS; do
    t=$($JWT --batch <<<"relay-secret $u")
    curl -sN "$B/v1/moneymoments/stream?access_token=$t" > "$TMP/s-$u.out" 2>/dev/null &
    children+=($!)
    wait_for 5 test -s "$TMP/s-$u.out"
done
c0=$(sub_count)
before=$(max_event)
$MMR run "$RULES" --db "$DB" --as-of 2025-10-30 --now 2025-10-30T23:00:00+05:30 > "$TMP/run4.out" 2>"$TMP/run4.err"
check_eq "run in quiet hours: exit 0" 0 "$?"
wait_for 10 gone && ok "the server released every deferral" || bad "deferrals left: $(q "SELECT count(*) FROM mm_nudge_deferred")"
check_eq "no candidate is left deferred" 0 "$(q "SELECT count(*) FROM mm_nudge_candidate WHERE status='deferred'")"
nrel=$(q "SELECT count(*) FROM mm_nudge_delivery_log WHERE as_of='2025-10-30' AND delivered_at <> '2025-10-30T17:30:00Z'")
[ "$nrel" -gt 0 ] && ok "$nrel released deliveries" || bad "nothing was released as a delivery"
nall=$(q "SELECT count(*) FROM mm_event_outbox WHERE event_id > $before")
check_eq "every event of the day wants Redis" "$nall" "$(q "SELECT count(*) FROM mm_event_outbox WHERE event_id > $before AND want_redis")"
wait_for 10 sub_has $((c0 + nall))
sleep 0.3
check_eq "the run's and the released deliveries reach Redis, once each" $((c0 + nall)) "$(sub_count)"
check_eq "none twice (4)" 0 "$(sub_dupes)"
seen=0
for u in $DUS; do
    D=$(q "SELECT delivery_id FROM mm_nudge_delivery_log WHERE as_of='2025-10-30' AND user_id='$u' AND delivered_at <> '2025-10-30T17:30:00Z'")
    [ -n "$D" ] || continue
    stream_has() { grep -q "^id: $D" "$TMP/s-$u.out"; }
    wait_for 5 stream_has && seen=$((seen + 1)) || bad "$u's open stream lacks the released $D"
    check_eq "$u's stream got it once" 1 "$(grep -c "^id: $D" "$TMP/s-$u.out")"
done
[ "$seen" -gt 0 ] && ok "$seen open streams got their released nudge" || bad "no watched user had a released delivery"
# a second run for the day changes nothing (nothing is due twice)
nday=$(q "SELECT count(*) FROM mm_nudge_delivery_log WHERE as_of='2025-10-30'")
$MMR run "$RULES" --db "$DB" --as-of 2025-10-30 --now 2025-10-30T23:00:00+05:30 >/dev/null 2>&1
check_eq "rerun: no new deliveries" "$nday" "$(q "SELECT count(*) FROM mm_nudge_delivery_log WHERE as_of='2025-10-30'")"

# 5. kill -9 of the server while it publishes a backlog; a run while it
# is down; a restart: Redis gets every event, and a stream that resumes
# with its last id gets what it missed, each once
stop_sub
stop_redis
before=$(max_event)
$MMR gen --users 8000 --db "$DB" --as-of 2025-10-31 --seed 31 >/dev/null 2>&1
$MMR run "$RULES" --db "$DB" --as-of 2025-10-31 --now 2025-10-31T20:00:00+05:30 >/dev/null 2>&1
wait_for 10 gone
n5=$(q "SELECT count(*) FROM mm_event_outbox WHERE event_id > $before")
# who the run of 2025-11-01 (made while the server is down) will nudge:
# the same run on a copy first; their last evented delivery is where
# their client had got to
$MMR gen --users 8000 --db "$DB" --as-of 2025-11-01 --seed 41 >/dev/null 2>&1
sqlite3 "$DB" ".backup '$TMP/probe5.db'"
$MMR run "$RULES" --db "$TMP/probe5.db" --as-of 2025-11-01 --now 2025-11-01T20:00:00+05:30 >/dev/null 2>&1
WATCH=$(sqlite3 "$TMP/probe5.db" "SELECT d.user_id FROM mm_nudge_delivery_log d WHERE d.as_of = '2025-11-01' AND d.seq IN (SELECT delivery_seq FROM mm_event_outbox) AND EXISTS (SELECT 1 FROM mm_nudge_delivery_log e JOIN mm_event_outbox o ON o.delivery_seq = e.seq WHERE e.user_id = d.user_id AND e.as_of < '2025-11-01') ORDER BY d.user_id LIMIT 3")
declare -A LAST
for u in $WATCH; do
    LAST[$u]=$(q "SELECT d.delivery_id FROM mm_nudge_delivery_log d JOIN mm_event_outbox o ON o.delivery_seq = d.seq WHERE d.user_id = '$u' ORDER BY d.seq DESC LIMIT 1")
done
[ -n "$WATCH" ] && ok "watching $(wc -w <<<"$WATCH") users the next run nudges" || bad "the probe run nudges nobody with an earlier event"
redis_up || bad "redis-server did not restart (5)"
killed=0
for _ in $(seq 400); do
    c=$(sub_count)
    if [ "$c" -gt 0 ]; then kill -9 "$SRV"; wait "$SRV" 2>/dev/null; SRV=""; killed=$c; break; fi
    sleep 0.005
done
if [ "$killed" -gt 0 ]; then ok "server killed after $killed of $n5 events"
else bad "the server sent nothing to kill it during"; kill -9 "$SRV"; wait "$SRV" 2>/dev/null; SRV=""; fi
$MMR run "$RULES" --db "$DB" --as-of 2025-11-01 --now 2025-11-01T20:00:00+05:30 >/dev/null 2>&1
check_eq "a run while the server is dead: exit 0" 0 "$?"
start_serve "$TMP/serve2.err"
[ -n "$B" ] && ok "restarted (the dead holder's leases are taken over)" || bad "restart failed: $(cat "$TMP/serve2.err")"
wait_for 10 gone
nr=$(q "SELECT count(*) FROM mm_event_outbox WHERE event_id > $before AND want_redis")
wait_for 30 sub_has "$nr"
sleep 0.5
got=$(python3 -c 'import json,sys; print(len({json.loads(json.loads(l)["message"])["delivery_id"] for l in open(sys.argv[1])}))' "$TMP/sub.jsonl")
check_eq "after kill -9 and restart: every event that wants Redis reached it" "$nr" "$got"
check_eq "the Redis cursor is at the last event (5)" "$(max_event)" "$(redis_cursor)"
# a PUBLISH already sent when the process died but not yet marked goes again
# (at the crash point, as for `mmr run`: docs/engine.md); at most one chunk
dup=$(sub_dupes)
[ "$dup" -le 4096 ] && ok "duplicates only from the batch in flight at the kill ($dup)" || bad "$dup duplicates"
# each watched client resumes with the last id it had
ids() { grep '^id: ' "$1" | cut -c5-; }
for u in $WATCH; do
    t=$($JWT --batch <<<"relay-secret $u")
    curl -sN -H "Last-Event-ID: ${LAST[$u]}" "$B/v1/moneymoments/stream?access_token=$t" > "$TMP/r-$u.out" 2>/dev/null &
    children+=($!)
done

# 6. run and serve at once: no "database is locked" anywhere
TOKS=$($JWT --batch <<'EOF'
relay-secret u2
EOF
)
: > "$TMP/http.codes"
( for _ in $(seq 400); do curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $TOKS" "$B/v1/moneymoments/feed" >> "$TMP/http.codes"; done ) &
hp=$!
$MMR gen --users 8000 --db "$DB" --as-of 2025-11-02 --seed 42 >/dev/null 2>&1
$MMR run "$RULES" --db "$DB" --as-of 2025-11-02 --now 2025-11-02T20:00:00+05:30 >/dev/null 2>"$TMP/run6.err"
check_eq "run alongside the server: exit 0" 0 "$?"
wait "$hp"
# the streams resumed with their last ids: what they missed, then the live
# ones, each once
for u in $WATCH; do
    # the deliveries with events (`mmr gen` also writes a sample history
    # straight into the log, which only a replay can show)
    expect=$(q "SELECT delivery_id FROM mm_nudge_delivery_log WHERE user_id='$u' AND seq > (SELECT seq FROM mm_nudge_delivery_log WHERE delivery_id='${LAST[$u]}') AND seq IN (SELECT delivery_seq FROM mm_event_outbox) ORDER BY seq")
    evented() { ids "$TMP/r-$u.out" | while read -r i; do [ -n "$(q "SELECT 1 FROM mm_nudge_delivery_log d JOIN mm_event_outbox o ON o.delivery_seq = d.seq WHERE d.delivery_id='$i'")" ] && echo "$i"; done; }
    resumed_all() { [ "$(evented)" = "$expect" ]; }
    wait_for 5 resumed_all
    check_eq "$u: a stream resumed after kill -9 gets the run made while the server was down" "$expect" "$(evented)"
    check_eq "$u's resumed stream: nothing twice" 0 "$(ids "$TMP/r-$u.out" | sort | uniq -d | wc -l)"
done
! grep -qi 'locked' "$TMP/run6.err" "$TMP/serve2.err" && ok "no 'database is locked' in the run's or the server's output" \
    || bad "locked: $(grep -hi locked "$TMP/run6.err" "$TMP/serve2.err" | head -3)"

kill -TERM "$SRV"; wait "$SRV"; rc=$?; SRV=""
check_eq "SIGTERM: exit 0" 0 "$rc"
check_eq "the relay:redis lease is given back" 0 "$(q "SELECT count(*) FROM mm_lease WHERE name='relay:redis'")"
# under ASan/UBSan (as CI runs it): no report from either server
! grep -qE 'Sanitizer|runtime error' "$TMP/serve1.err" "$TMP/serve2.err" && ok "no sanitizer report in the servers' stderr" \
    || bad "sanitizer: $(grep -hE 'Sanitizer|runtime error' "$TMP/serve1.err" "$TMP/serve2.err" | head -3)"
finish
