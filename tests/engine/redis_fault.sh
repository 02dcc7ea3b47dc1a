#!/usr/bin/env bash
# mmr run --redis against a misbehaving Redis (tests/engine/fake_redis.py:
# trickle, stall, bigbulk, reset, noaccept) with --redis-timeout 1500. Each
# run must end (no hang), say why on stderr, exit 3 (committed, publishing
# incomplete) and leave the unpublished events pending; a following run
# against a real redis-server publishes each of them exactly once. Last, a
# closed stdout (`| head -1`) ends `mmr run` (exit 3) and `mmr eval` (exit
# 1) with a message, not SIGPIPE (exit 141). Prints "N passed, N failed".
cd "$(dirname "$0")/../.."
NAME=redis-fault
. tests/engine/lib.sh
fakes=()

NOW1=2025-10-26T09:00:00Z
NOW2=2025-10-26T10:00:00Z
MODES="trickle stall bigbulk reset noaccept"
# what stderr must say for each mode
declare -A WHY=(
    [trickle]='publish failed (no reply within 1500 ms'
    [stall]='publish failed (no reply within 1500 ms'
    [bigbulk]='publish failed (unexpected reply)'
    [reset]='publish failed (connection lost'
    [noaccept]='cannot connect to redis 127.0.0.1:[0-9]*: no answer within 1500 ms'
)
# event ids after the redis cursor that want Redis, as delivery ids in order
pending_ids() {
    sqlite3 "$1" "SELECT d.delivery_id FROM mm_event_outbox o JOIN mm_nudge_delivery_log d ON d.seq = o.delivery_seq
                  WHERE o.want_redis AND o.event_id > coalesce((SELECT last_event_id FROM mm_event_cursor WHERE sink = 'redis'), 0)
                  ORDER BY o.event_id"
}

# the faulty runs, all at once (each fake serves one database)
for m in $MODES; do
    python3 tests/engine/fake_redis.py "$m" "$TMP/$m.port" "$TMP/$m.log" &
    fakes+=($!); children+=($!)
    "$MMR" gen --users 40 --db "$TMP/$m.db"
done
for m in $MODES; do
    for _ in $(seq 1 100); do [ -e "$TMP/$m.port" ] && break; sleep 0.05; done
    [ -e "$TMP/$m.port" ] || bad "$m: fake_redis.py did not start"
done
runs=()
for m in $MODES; do
    ( SECONDS=0
      timeout 60 "$MMR" run rules/moneymoments --db "$TMP/$m.db" --now $NOW1 \
          --redis "redis://127.0.0.1:$(cat "$TMP/$m.port")" --redis-timeout 1500 > "$TMP/$m.ev" 2> "$TMP/$m.err"
      echo "$? $SECONDS" > "$TMP/$m.rc" ) &
    runs+=($!)
done
wait "${runs[@]}"
for m in $MODES; do
    read -r rc secs < "$TMP/$m.rc"
    [ "$rc" -ne 124 ] && ok "$m: the run ended (${secs}s)" || bad "$m: the run hung (killed after 60 s)"
    [ "$rc" -eq 3 ] && ok "$m: exit 3 (committed, publishing incomplete)" || bad "$m: exit $rc, not 3"
    grep -q "${WHY[$m]}" "$TMP/$m.err" && ok "$m: stderr: $(grep -m1 -o "${WHY[$m]}[^;]*" "$TMP/$m.err")" ||
        bad "$m: stderr lacks \"${WHY[$m]}\": $(cat "$TMP/$m.err")"
    line=$(grep '^mmr run: events:' "$TMP/$m.err")
    pend=$(sed -n 's/.* \([0-9]*\) pending in the outbox.*/\1/p' <<<"$line")
    want=$(pending_ids "$TMP/$m.db" | wc -l)
    [ -n "$pend" ] && [ "$pend" -gt 0 ] && [ "$pend" -eq "$want" ] &&
        ok "$m: summary: $pend events pending" || bad "$m: summary \"$line\", $want events wait for Redis"
    pending_ids "$TMP/$m.db" > "$TMP/$m.pending"
done
for f in "${fakes[@]}"; do kill "$f" 2>/dev/null; wait "$f" 2>/dev/null; done
fakes=()

# a real Redis: the waiting events, each exactly once
start_redis || bad "redis-server did not start"
for m in $MODES; do
    rm -f "$TMP/sub.jsonl"
    start_sub || bad "$m: subscriber did not start"
    timeout 60 "$MMR" run rules/moneymoments --db "$TMP/$m.db" --now $NOW2 --redis "$URL" \
        --redis-timeout 1500 > "$TMP/$m.ev2" 2> "$TMP/$m.err2"; rc=$?
    stop_sub
    python3 -c 'import json,sys; [print(json.loads(json.loads(l)["message"])["delivery_id"]) for l in open(sys.argv[1], encoding="utf-8")]' \
        "$TMP/sub.jsonl" > "$TMP/$m.got" 2>/dev/null
    n=$(wc -l < "$TMP/$m.pending")
    [ "$rc" -eq 0 ] && [ ! -s "$TMP/$m.ev2" ] && cmp -s "$TMP/$m.got" "$TMP/$m.pending" && [ "$(pending_ids "$TMP/$m.db" | wc -l)" -eq 0 ] &&
        ok "$m: then a real Redis got the $n waiting events once each, in order" ||
        bad "$m: rerun exit $rc, $(wc -l < "$TMP/$m.got") messages for $n waiting events, $(wc -l < "$TMP/$m.ev2") lines on stdout: $(cat "$TMP/$m.err2")"
done

# a closed stdout: EPIPE is an error with a message, not a silent SIGPIPE death
"$MMR" gen --users 3000 --db "$TMP/big.db"
"$MMR" gen --users 3000 --ndjson "$TMP/big.ndjson"
timeout 60 "$MMR" run rules/moneymoments --db "$TMP/big.db" --now $NOW1 2> "$TMP/pipe.err" | head -1 > /dev/null
rc=${PIPESTATUS[0]}
# (exit 3: the run committed, the events it could not write stay pending)
[ "$rc" -eq 3 ] && grep -q 'cannot write events: Broken pipe' "$TMP/pipe.err" &&
    ok "mmr run | head -1: exit 3, \"cannot write events: Broken pipe\"" || bad "mmr run | head -1: exit $rc: $(cat "$TMP/pipe.err")"
timeout 60 "$MMR" eval rules/moneymoments --signals "$TMP/big.ndjson" 2> "$TMP/pipe.err" | head -1 > /dev/null
rc=${PIPESTATUS[0]}
[ "$rc" -eq 1 ] && grep -q 'Broken pipe' "$TMP/pipe.err" &&
    ok "mmr eval | head -1: exit 1, \"$(head -1 "$TMP/pipe.err")\"" || bad "mmr eval | head -1: exit $rc: $(cat "$TMP/pipe.err")"

finish
