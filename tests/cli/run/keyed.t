Rules that fire per key (`for each K in MAP where ...`): one candidate per
key, identity, cooldown and delivery id per (user, rule, key, date). The
policy allows one nudge a day; overspend's keys rank by the rise in money
(Travel +800 before Food +100), and each key cools down on its own (3d).

Night 1: u1's Travel goes out (its event and meta_json carry "key"), Food
meets the cap; u3's keyless rule looks as it always did.

  $ mmr run keyed.mmr --db $TESTTMP/s.db --signals keyed_d1.ndjson --now 2025-10-26T09:00:00Z 2>&1 | grep -v elapsed
  {"type":"nudge","delivery_id":"a03c5e7b-3e87-5107-ac77-6745c4ece827","user_id":"u1","rule":"overspend","key":"Travel","title":"Travel is up","body":"Travel: ₹900 this week, ₹100 last week.","category":"spending","created_at":"2025-10-26T09:00:00Z"}
  {"type":"nudge","delivery_id":"cefb7b68-64ef-5806-9572-aeb3b9bb3390","user_id":"u3","rule":"big_week","title":"A big week","body":"₹6,000 so far.","category":"spending","created_at":"2025-10-26T09:00:00Z"}
  mmr run: as_of 2025-10-26: 3 users, 3 candidates, 2 delivered, 1 suppressed (daily_cap 1)
  mmr run: events: 2 written, 0 published to redis, 0 pending in the outbox
  $ sqlite3 $TESTTMP/s.db "SELECT c.as_of, c.user_id, r.name, quote(c.rule_key), c.status, coalesce(c.suppression_reason, '-') FROM mm_nudge_candidate c JOIN mm_nudge_rule_master r USING (rule_id) ORDER BY c.as_of, c.user_id, r.name, c.rule_key"
  2025-10-26|u1|overspend|'Food'|suppressed|daily_cap
  2025-10-26|u1|overspend|'Travel'|delivered|-
  2025-10-26|u3|big_week|''|delivered|-

A rerun of the night creates nothing and sends nothing again.

  $ mmr run keyed.mmr --db $TESTTMP/s.db --signals keyed_d1.ndjson --now 2025-10-26T09:30:00Z 2>&1 | grep -v elapsed
  mmr run: as_of 2025-10-26: 3 users, 0 candidates, 0 delivered, 0 suppressed, 3 already stored
  mmr run: events: 0 written, 0 published to redis, 0 pending in the outbox
  $ sqlite3 $TESTTMP/s.db "SELECT count(*) FROM mm_nudge_candidate; SELECT count(*) FROM mm_event_outbox"
  3
  2

Night 2: Travel is cooling down (delivered a day ago), Food is not: a
delivery of overspend["Travel"] does not cool down overspend["Food"], and
yesterday's nudge has left the 24-hour cap window.

  $ mmr run keyed.mmr --db $TESTTMP/s.db --signals keyed_d2.ndjson --now 2025-10-27T09:00:00Z --report $TESTTMP/r2.json 2>&1 | grep -v elapsed
  {"type":"nudge","delivery_id":"4a57143a-b1ff-5db9-ab1b-fbd31b09dade","user_id":"u1","rule":"overspend","key":"Food","title":"Food is up","body":"Food: ₹300 this week, ₹200 last week.","category":"spending","created_at":"2025-10-27T09:00:00Z"}
  mmr run: as_of 2025-10-27: 3 users, 3 candidates, 1 delivered, 2 suppressed (cooldown 2)
  mmr run: events: 1 written, 0 published to redis, 0 pending in the outbox
  $ sqlite3 $TESTTMP/s.db "SELECT c.user_id, quote(c.rule_key), c.status, coalesce(c.suppression_reason, '-') FROM mm_nudge_candidate c WHERE c.as_of = '2025-10-27' ORDER BY c.user_id, c.rule_key"
  u1|'Food'|delivered|-
  u1|'Travel'|suppressed|cooldown
  u3|''|suppressed|cooldown

The report still counts per rule (each key's candidate is a row).

  $ jq -c '.rules[] | [.rule, .counts.candidates, .counts.delivered, .counts.suppressed_by_reason.cooldown]' $TESTTMP/r2.json
  ["big_week",1,0,1]
  ["overspend",2,1,1]

Night 3: both keys are inside their cooldowns.

  $ mmr run keyed.mmr --db $TESTTMP/s.db --signals keyed_d3.ndjson --now 2025-10-28T09:00:00Z 2>&1 | grep -v elapsed
  mmr run: as_of 2025-10-28: 3 users, 3 candidates, 0 delivered, 3 suppressed (cooldown 3)
  mmr run: events: 0 written, 0 published to redis, 0 pending in the outbox
  $ sqlite3 $TESTTMP/s.db "SELECT c.user_id, quote(c.rule_key), c.status, coalesce(c.suppression_reason, '-') FROM mm_nudge_candidate c WHERE c.as_of = '2025-10-28' ORDER BY c.user_id, c.rule_key"
  u1|'Food'|suppressed|cooldown
  u1|'Travel'|suppressed|cooldown
  u3|''|suppressed|cooldown

The delivery log: one row per (user, rule, key, date), rule_key '' for a
keyless rule; a keyed delivery id is the UUID v5 of "user\nrule\ndate\nkey",
a keyless one is unchanged ("user\nrule\ndate").

  $ sqlite3 $TESTTMP/s.db "SELECT d.seq, d.as_of, d.user_id, r.name, quote(d.rule_key), d.delivery_id, d.meta_json FROM mm_nudge_delivery_log d JOIN mm_nudge_rule_master r USING (rule_id) ORDER BY d.seq"
  1|2025-10-26|u1|overspend|'Travel'|a03c5e7b-3e87-5107-ac77-6745c4ece827|{"as_of":"2025-10-26","priority":80,"template_id":"UP","tone":"neutral","key":"Travel"}
  2|2025-10-26|u3|big_week|''|cefb7b68-64ef-5806-9572-aeb3b9bb3390|{"as_of":"2025-10-26","priority":50,"template_id":"BIG","tone":"neutral"}
  3|2025-10-27|u1|overspend|'Food'|4a57143a-b1ff-5db9-ab1b-fbd31b09dade|{"as_of":"2025-10-27","priority":80,"template_id":"UP","tone":"neutral","key":"Food"}
  $ python3 -c 'import uuid; ns = uuid.UUID("48148d09-d478-59ca-bd4c-dfe546172c3c"); print(uuid.uuid5(ns, "u1\noverspend\n2025-10-26\nTravel")); print(uuid.uuid5(ns, "u3\nbig_week\n2025-10-26"))'
  a03c5e7b-3e87-5107-ac77-6745c4ece827
  cefb7b68-64ef-5806-9572-aeb3b9bb3390

A dry run prints the keyed events it would send and writes nothing.

  $ mmr run keyed.mmr --db $TESTTMP/dry.db --dry-run --signals keyed_d1.ndjson --now 2025-10-26T09:00:00Z 2>/dev/null
  {"type":"nudge","delivery_id":"a03c5e7b-3e87-5107-ac77-6745c4ece827","user_id":"u1","rule":"overspend","key":"Travel","title":"Travel is up","body":"Travel: ₹900 this week, ₹100 last week.","category":"spending","created_at":"2025-10-26T09:00:00Z"}
  {"type":"nudge","delivery_id":"cefb7b68-64ef-5806-9572-aeb3b9bb3390","user_id":"u3","rule":"big_week","title":"A big week","body":"₹6,000 so far.","category":"spending","created_at":"2025-10-26T09:00:00Z"}
  $ test -e $TESTTMP/dry.db || echo none
  none

Quiet hours (22:00-08:00 UTC) defer each key on its own: the deferral row
carries rule_key, and the release next morning delivers it with its key.

  $ mmr run keyed.mmr --db $TESTTMP/q.db --signals keyed_d1.ndjson --now 2025-10-26T23:00:00Z 2>&1 | grep -v elapsed
  mmr run: as_of 2025-10-26: 3 users, 3 candidates, 0 delivered, 1 suppressed (quiet_hours 1), 2 deferred past quiet hours
  mmr run: events: 0 written, 0 published to redis, 0 pending in the outbox
  $ sqlite3 $TESTTMP/q.db "SELECT user_id, quote(rule_key), deliver_at, meta_json FROM mm_nudge_deferred ORDER BY user_id, rule_key"
  u1|'Travel'|2025-10-27T08:00:00Z|{"as_of":"2025-10-26","priority":80,"template_id":"UP","tone":"neutral","key":"Travel"}
  u3|''|2025-10-27T08:00:00Z|{"as_of":"2025-10-26","priority":50,"template_id":"BIG","tone":"neutral"}
  $ mmr run keyed.mmr --db $TESTTMP/q.db --signals keyed_d1.ndjson --now 2025-10-27T08:00:00Z 2>&1 | grep -v elapsed
  {"type":"nudge","delivery_id":"a03c5e7b-3e87-5107-ac77-6745c4ece827","user_id":"u1","rule":"overspend","key":"Travel","title":"Travel is up","body":"Travel: ₹900 this week, ₹100 last week.","category":"spending","created_at":"2025-10-27T08:00:00Z"}
  {"type":"nudge","delivery_id":"cefb7b68-64ef-5806-9572-aeb3b9bb3390","user_id":"u3","rule":"big_week","title":"A big week","body":"₹6,000 so far.","category":"spending","created_at":"2025-10-27T08:00:00Z"}
  mmr run: as_of 2025-10-26: 3 users, 0 candidates, 0 delivered, 0 suppressed, 3 already stored, earlier deferrals: 2 delivered, 0 suppressed
  mmr run: events: 2 written, 0 published to redis, 0 pending in the outbox
  $ sqlite3 $TESTTMP/q.db "SELECT c.user_id, quote(c.rule_key), c.status FROM mm_nudge_candidate c ORDER BY c.user_id, c.rule_key; SELECT count(*) FROM mm_nudge_deferred"
  u1|'Food'|suppressed
  u1|'Travel'|delivered
  u3|''|delivered
  0
