#!/usr/bin/env bash
# mmr run --redis against a real redis-server on a free loopback port, with
# a real subscriber (PSUBSCRIBE mm:nudges:*). Checks AC-MM-4 (the message
# carries exactly the delivered data, on mm:nudges:<user_id>), then Redis
# down (events stay in the outbox, the run commits and exits 3) and back up (the
# next run publishes them once, before new ones; nothing twice).
# Prints "N passed, N failed".
cd "$(dirname "$0")/../.."
NAME=redis
. tests/engine/lib.sh

start_redis && ok "redis-server on port $PORT" || bad "redis-server did not start"
start_sub && ok "subscriber ready" || bad "subscriber did not start"

S=tests/cli/run
"$MMR" run rules/moneymoments --db "$TMP/s.db" --signals $S/signals.ndjson --now 2025-10-26T09:00:00Z \
    --redis "$URL" > "$TMP/ev1.ndjson" 2> "$TMP/err1" && ok "run with --redis" || bad "run with --redis: $(cat "$TMP/err1")"
stop_sub

# AC-MM-4: each delivery once, on its user's channel, carrying exactly the stored data
python3 - "$TMP/sub.jsonl" "$TMP/ev1.ndjson" "$TMP/s.db" > "$TMP/check1" <<'PY'
import json, sqlite3, sys
subs = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]
evs = [l.rstrip('\n') for l in open(sys.argv[2], encoding='utf-8')]
db = sqlite3.connect(sys.argv[3])
# the time of the run that decided each delivery (its candidate's run) is the event's created_at
rows = db.execute("SELECT d.delivery_id, d.user_id, r.name, d.title, d.body, d.category, d.delivered_at, m.now FROM mm_event_outbox o "
                  "JOIN mm_nudge_delivery_log d ON d.seq = o.delivery_seq JOIN mm_nudge_rule_master r ON r.rule_id = d.rule_id "
                  "JOIN mm_nudge_candidate c ON (c.as_of, c.user_id, c.rule_id) = (d.as_of, d.user_id, d.rule_id) "
                  "JOIN mm_run m ON m.run_id = c.run_id ORDER BY o.event_id").fetchall()
fails = []
if [s['message'] for s in subs] != evs: fails.append('published messages != NDJSON events (order or bytes)')
if len(subs) != len(rows): fails.append('%d messages for %d deliveries' % (len(subs), len(rows)))
byid = {r[0]: r for r in rows}
for s in subs:
    m = json.loads(s['message'])
    r = byid.get(m.get('delivery_id'))
    if not r: fails.append('no delivery ' + str(m.get('delivery_id'))); continue
    want = {'type': 'nudge', 'delivery_id': r[0], 'user_id': r[1], 'rule': r[2], 'title': r[3], 'body': r[4],
            'category': r[5], 'created_at': r[6]}
    if m != want: fails.append('message differs from the delivery row: %r vs %r' % (m, want))
    if r[6] != r[7]: fails.append('delivered at %s, not at the run\'s now %s' % (r[6], r[7]))
    if s['channel'] != 'mm:nudges:' + r[1]: fails.append('channel ' + s['channel'])
print('\n'.join(fails) if fails else 'ok %d messages' % len(subs))
PY
grep -q '^ok' "$TMP/check1" && ok "AC-MM-4: $(cat "$TMP/check1")" || bad "AC-MM-4: $(cat "$TMP/check1")"
n1=$(wc -l < "$TMP/sub.jsonl")

# Redis down: the run commits (exit 3), events go to stdout, and stay in the outbox for Redis
stop_redis
"$MMR" run rules/moneymoments --db "$TMP/s.db" --signals $S/day3.ndjson --now 2025-10-28T09:30:00Z \
    --redis "$URL" > "$TMP/ev2.ndjson" 2> "$TMP/err2"; rc=$?
[ $rc -eq 3 ] && ok "run with Redis down exits 3 (committed, publishing incomplete)" || bad "run with Redis down exited $rc: $(cat "$TMP/err2")"
grep -q "pending in the outbox (publishing failed)" "$TMP/err2" && ok "the summary says publishing failed" || bad "summary: $(cat "$TMP/err2")"
grep -q "cannot connect" "$TMP/err2" && ok "warning: $(grep -m1 'cannot connect' "$TMP/err2" | cut -c1-60)..." || bad "no warning: $(cat "$TMP/err2")"
pend=$(sqlite3 "$TMP/s.db" "SELECT count(*) FROM mm_event_outbox WHERE want_redis AND event_id > (SELECT last_event_id FROM mm_event_cursor WHERE sink = 'redis') AND event_id <= (SELECT last_event_id FROM mm_event_cursor WHERE sink = 'ndjson')")
n2=$(wc -l < "$TMP/ev2.ndjson")
[ "$pend" -eq "$n2" ] && [ "$n2" -gt 0 ] && ok "$pend events wait in the outbox for Redis" || bad "pending $pend, events $n2"

# Redis back: a rerun (nothing new to decide) publishes the waiting events once
start_redis && start_sub || bad "restart redis"
"$MMR" run rules/moneymoments --db "$TMP/s.db" --signals $S/day3.ndjson --now 2025-10-28T10:00:00Z \
    --redis "$URL" > "$TMP/ev3.ndjson" 2> "$TMP/err3" && ok "rerun with Redis up" || bad "rerun: $(cat "$TMP/err3")"
[ ! -s "$TMP/ev3.ndjson" ] && ok "no event printed twice on stdout" || bad "stdout repeated $(wc -l < "$TMP/ev3.ndjson") events"
"$MMR" run rules/moneymoments --db "$TMP/s.db" --signals $S/day3.ndjson --now 2025-10-28T10:30:00Z \
    --redis "$URL" > /dev/null 2>&1
stop_sub
n3=$(($(wc -l < "$TMP/sub.jsonl") - n1))
tail -n "$n3" "$TMP/sub.jsonl" | python3 -c 'import json,sys; [print(json.loads(l)["message"]) for l in sys.stdin]' > "$TMP/late.ndjson"
cmp -s "$TMP/late.ndjson" "$TMP/ev2.ndjson" && ok "the $n3 waiting events published once, in order" || bad "late publish: $n3 messages vs $n2 events"
pend=$(sqlite3 "$TMP/s.db" "SELECT count(*) FROM mm_event_outbox WHERE event_id > (SELECT last_event_id FROM mm_event_cursor WHERE sink = 'ndjson') OR (want_redis AND event_id > (SELECT last_event_id FROM mm_event_cursor WHERE sink = 'redis'))")
[ "$pend" -eq 0 ] && ok "outbox drained" || bad "$pend still pending"
# Redis down for one new date, back for the next: the run publishes the
# waiting events (read back from the outbox) before its own (prepared
# during the run), each once, in event order; stdout has only its own.
stop_redis
"$MMR" run rules/moneymoments --db "$TMP/s.db" --signals $S/next_day.ndjson --now 2025-10-29T09:30:00Z \
    --redis "$URL" > "$TMP/ev4.ndjson" 2> /dev/null
start_redis && start_sub || bad "restart redis"
sed -e 's/2025-10-27/2025-10-30/' -e 's/"user_id":"u/"user_id":"v/' $S/next_day.ndjson > "$TMP/day30.ndjson"
"$MMR" run rules/moneymoments --db "$TMP/s.db" --signals "$TMP/day30.ndjson" --now 2025-10-30T09:30:00Z \
    --redis "$URL" > "$TMP/ev5.ndjson" 2> "$TMP/err5" || bad "run after Redis is back: $(cat "$TMP/err5")"
stop_sub
n4=$(wc -l < "$TMP/ev4.ndjson"); n5=$(wc -l < "$TMP/ev5.ndjson")
tail -n $((n4 + n5)) "$TMP/sub.jsonl" | python3 -c 'import json,sys; [print(json.loads(l)["message"]) for l in sys.stdin]' > "$TMP/mixed.ndjson"
cat "$TMP/ev4.ndjson" "$TMP/ev5.ndjson" | cmp -s - "$TMP/mixed.ndjson" && [ "$n4" -gt 0 ] && [ "$n5" -gt 0 ] &&
    [ "$(wc -l < "$TMP/sub.jsonl")" -eq $((n1 + n3 + n4 + n5)) ] &&
    ok "$n4 waiting then $n5 new events published once, in order" || bad "mixed publish: $n4 waiting + $n5 new vs $(wc -l < "$TMP/mixed.ndjson") messages"
sqlite3 "$TMP/s.db" "SELECT json_object('type','nudge','delivery_id',d.delivery_id,'user_id',d.user_id,'rule',r.name,'title',d.title,'body',d.body,'category',d.category,'created_at',d.delivered_at) FROM mm_event_outbox o JOIN mm_nudge_delivery_log d ON d.seq = o.delivery_seq JOIN mm_nudge_rule_master r ON r.rule_id = d.rule_id WHERE d.as_of = '2025-10-30' ORDER BY o.event_id" |
    cmp -s - "$TMP/ev5.ndjson" && ok "the run's prepared events = its outbox rows, byte for byte" || bad "prepared events differ from the outbox rows"
pend=$(sqlite3 "$TMP/s.db" "SELECT count(*) FROM mm_event_outbox WHERE event_id > (SELECT last_event_id FROM mm_event_cursor WHERE sink = 'ndjson') OR (want_redis AND event_id > (SELECT last_event_id FROM mm_event_cursor WHERE sink = 'redis'))")
[ "$pend" -eq 0 ] && ok "outbox drained again" || bad "$pend still pending"
finish
