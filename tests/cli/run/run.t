mmr run: the pipeline with state. Events on stdout, a summary on stderr
(the elapsed-time line is filtered out: it varies).

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals signals.ndjson --now 2025-10-26T09:00:00Z 2>&1 | grep -v 'elapsed'
  {"type":"nudge","delivery_id":"40d7953a-7ad4-55e9-bd65-f058ef7faad7","user_id":"u1","rule":"dining_overspend","title":"Takeout again? 🍟","body":"Three or more orders this week. Your Goa Trip fund would love a home-cooked night 😋","category":"dining","created_at":"2025-10-26T09:00:00Z"}
  {"type":"nudge","delivery_id":"0e44bf08-a7bb-5859-9f91-3b85be44368c","user_id":"u2","rule":"goal_underfunded","title":"Emergency Fund could use a boost 🌱","body":"It is 4% of the way there and nothing has been saved this month. Even ₹500 today gets it moving.","category":"goal","created_at":"2025-10-26T09:00:00Z"}
  {"type":"nudge","delivery_id":"a4f5e8bd-5dcd-5ba8-abaa-b88648c2215d","user_id":"u4","rule":"dining_overspend","title":"Takeout again? 🍟","body":"Three or more orders this week. Your savings fund would love a home-cooked night 😋","category":"dining","created_at":"2025-10-26T09:00:00Z"}
  {"type":"nudge","delivery_id":"227783fd-9ae0-5e48-a205-768c723803cb","user_id":"u5","rule":"shopping_spike","title":"Your cart has been busy 🛍️","body":"Shopping is up 50% on last month. A 48-hour wishlist pause keeps New Laptop on track.","category":"shopping","created_at":"2025-10-26T09:00:00Z"}
  {"type":"nudge","delivery_id":"c6a2cf86-df1c-5abd-926c-e4effe0e85ed","user_id":"u7","rule":"travel_heavy","title":"Wanderlust meets the bill calendar ✈️","body":"You have travelled more than usual, and ₹1,23,457 of yearly expenses are due soon. Set aside a little now?","category":"travel","created_at":"2025-10-26T09:00:00Z"}
  mmr run: as_of 2025-10-26: 7 users, 7 candidates, 5 delivered, 1 suppressed (daily_cap 1), 1 deferred past quiet hours
  mmr run: events: 5 written, 0 published to redis, 0 pending in the outbox

The state: one candidate per (user, rule, date) with status and reason.

  $ sqlite3 $TESTTMP/s.db "SELECT c.user_id, r.name, c.status, coalesce(c.suppression_reason, '-'), c.priority FROM mm_nudge_candidate c JOIN mm_nudge_rule_master r USING (rule_id) ORDER BY c.user_id, c.priority DESC"
  u1|dining_overspend|delivered|-|80
  u2|goal_underfunded|delivered|-|90
  u2|dining_overspend|suppressed|daily_cap|80
  u3|budget_drift|deferred|-|50
  u4|dining_overspend|delivered|-|80
  u5|shopping_spike|delivered|-|70
  u7|travel_heavy|delivered|-|60
  $ sqlite3 $TESTTMP/s.db "SELECT d.delivery_id, d.user_id, r.name, d.category, d.delivered_at, d.meta_json FROM mm_nudge_delivery_log d JOIN mm_nudge_rule_master r USING (rule_id) ORDER BY d.user_id"
  40d7953a-7ad4-55e9-bd65-f058ef7faad7|u1|dining_overspend|dining|2025-10-26T09:00:00Z|{"as_of":"2025-10-26","priority":80,"template_id":"DINE_01","tone":"humorous"}
  0e44bf08-a7bb-5859-9f91-3b85be44368c|u2|goal_underfunded|goal|2025-10-26T09:00:00Z|{"as_of":"2025-10-26","priority":90,"template_id":"GOAL_01","tone":"empathetic"}
  a4f5e8bd-5dcd-5ba8-abaa-b88648c2215d|u4|dining_overspend|dining|2025-10-26T09:00:00Z|{"as_of":"2025-10-26","priority":80,"template_id":"DINE_01","tone":"humorous"}
  227783fd-9ae0-5e48-a205-768c723803cb|u5|shopping_spike|shopping|2025-10-26T09:00:00Z|{"as_of":"2025-10-26","priority":70,"template_id":"SHOP_01","tone":"neutral"}
  c6a2cf86-df1c-5abd-926c-e4effe0e85ed|u7|travel_heavy|travel|2025-10-26T09:00:00Z|{"as_of":"2025-10-26","priority":60,"template_id":"TRAVEL_01","tone":"empathetic"}
  $ sqlite3 $TESTTMP/s.db "SELECT o.event_id, d.delivery_id, d.delivered_at, o.want_redis FROM mm_event_outbox o JOIN mm_nudge_delivery_log d ON d.seq = o.delivery_seq ORDER BY o.event_id"
  1|40d7953a-7ad4-55e9-bd65-f058ef7faad7|2025-10-26T09:00:00Z|0
  2|0e44bf08-a7bb-5859-9f91-3b85be44368c|2025-10-26T09:00:00Z|0
  3|a4f5e8bd-5dcd-5ba8-abaa-b88648c2215d|2025-10-26T09:00:00Z|0
  4|227783fd-9ae0-5e48-a205-768c723803cb|2025-10-26T09:00:00Z|0
  5|c6a2cf86-df1c-5abd-926c-e4effe0e85ed|2025-10-26T09:00:00Z|0
  $ sqlite3 $TESTTMP/s.db "SELECT name, category, priority, cooldown_days, message_template_id, expression_json FROM mm_nudge_rule_master ORDER BY name"
  budget_drift|budget|50|7.0|BUDGET_01|{"when":"abs(budget_variance) > 15% and responsiveness_by_category[\"budget\"] ?? 0 >= -50%"}
  dining_overspend|dining|80|3.0|DINE_01|{"when":"heavy_diner and responsiveness_by_category[\"dining\"] ?? 0 >= -50%"}
  goal_underfunded|goal|90|7.0|GOAL_01|{"when":"top_goal_progress < 10% and savings_actual_month <= 0 and responsiveness_by_category[\"goal\"] ?? 0 >= -50%"}
  shopping_spike|shopping|70|7.0|SHOP_01|{"when":"shopping_txn_7d >= 2 and pct_change(shopping_spend_30d, shopping_spend_prev_30d) > 20% and responsiveness_by_category[\"shopping\"] ?? 0 >= -50%"}
  travel_heavy|travel|60|14.0|TRAVEL_01|{"when":"travel_txn_30d > travel_txn_baseline_30d and ratio(upcoming_yearly_expenses_90d, monthly_income) >= 50% and responsiveness_by_category[\"travel\"] ?? 0 >= -50%"}
  $ sqlite3 $TESTTMP/s.db "SELECT sink, last_event_id, updated_at FROM mm_event_cursor ORDER BY sink"
  ndjson|5|2025-10-26T09:00:00Z
  redis|5|2025-10-26T09:00:00Z
  $ sqlite3 $TESTTMP/s.db "SELECT template_id, tone, category, variables_json FROM mm_nudge_template_master ORDER BY 1"
  BUDGET_01|neutral|budget|["drift"]
  DINE_01|humorous|dining|["goal_name"]
  GOAL_01|empathetic|goal|["goal_name","progress"]
  SHOP_01|neutral|shopping|["change","goal_name"]
  TRAVEL_01|empathetic|travel|["due"]
  $ sqlite3 $TESTTMP/s.db "SELECT run_id, as_of, now, status, users, candidates, delivered, suppressed FROM mm_run"
  1|2025-10-26|2025-10-26T09:00:00Z|done|7|7|5|1
  $ sqlite3 $TESTTMP/s.db "PRAGMA journal_mode; SELECT version FROM mm_schema_version" # sqlite output: its journal mode
  wal
  8

Rerunning the same snapshot creates nothing new (AC-MM-2, NFR-MM-3), even
at a later time, and prints no event twice. (Before 12:00Z: then u3's
nudge, deferred past quiet hours, falls due; see deferred.t.)

  $ sqlite3 $TESTTMP/s.db .dump | grep -v "INTO mm_run" > $TESTTMP/before.sql
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals signals.ndjson --now 2025-10-26T11:00:00Z 2>&1 | grep -v 'elapsed'
  mmr run: as_of 2025-10-26: 7 users, 0 candidates, 0 delivered, 0 suppressed, 7 already stored
  mmr run: events: 0 written, 0 published to redis, 0 pending in the outbox
  $ sqlite3 $TESTTMP/s.db .dump | grep -v "INTO mm_run" | cmp - $TESTTMP/before.sql && echo same rows
  same rows
  $ sqlite3 $TESTTMP/s.db "SELECT count(*) FROM mm_run"
  2

Same inputs and --now give byte-identical output, in a fresh database.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/a.db --signals signals.ndjson --now 2025-10-26T09:00:00Z > $TESTTMP/a.out 2>/dev/null
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/b.db --signals signals.ndjson --now 2025-10-26T09:00:00Z > $TESTTMP/b.out 2>/dev/null
  $ cmp $TESTTMP/a.out $TESTTMP/b.out && wc -l < $TESTTMP/a.out
  5
  $ for t in mm_nudge_candidate mm_nudge_delivery_log mm_event_outbox mm_event_cursor mm_nudge_rule_master; do sqlite3 $TESTTMP/a.db "SELECT * FROM $t" > $TESTTMP/a.t; sqlite3 $TESTTMP/b.db "SELECT * FROM $t" | cmp - $TESTTMP/a.t || echo "$t differs"; done

--dry-run prints what would be delivered and writes nothing.

  $ sqlite3 $TESTTMP/s.db .dump > $TESTTMP/before.sql
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals next_day.ndjson --now 2025-10-27T09:00:00Z --dry-run 2>&1 | grep -v 'elapsed'
  {"type":"nudge","delivery_id":"4c557b9d-045d-5903-bf89-88cee9067e26","user_id":"u1","rule":"budget_drift","title":"Your budget drifted a bit","body":"Spending is 25% off plan this month. A quick look at the plan now keeps the month calm.","category":"budget","created_at":"2025-10-27T09:00:00Z"}
  {"type":"nudge","delivery_id":"f5752132-9468-5054-993f-e63667a3a9ec","user_id":"u2","rule":"budget_drift","title":"Your budget drifted a bit","body":"Spending is 50% off plan this month. A quick look at the plan now keeps the month calm.","category":"budget","created_at":"2025-10-27T09:00:00Z"}
  {"type":"nudge","delivery_id":"d27c8670-1f3f-5c3d-913e-5071e519bfec","user_id":"u5","rule":"budget_drift","title":"Your budget drifted a bit","body":"Spending is 50% off plan this month. A quick look at the plan now keeps the month calm.","category":"budget","created_at":"2025-10-27T09:00:00Z"}
  mmr run (dry run, nothing written): as_of 2025-10-27: 3 users, 4 candidates, 3 delivered, 1 suppressed (cooldown 1)
  $ sqlite3 $TESTTMP/s.db .dump | cmp - $TESTTMP/before.sql && echo unchanged
  unchanged
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/none.db --signals signals.ndjson --now 2025-10-26T09:00:00Z --dry-run 2>&1 >/dev/null | grep -v 'elapsed' | sed "s|$TESTTMP|TMP|"
  TMP/none.db: note: no such database: the dry run starts from an empty state
  mmr run (dry run, nothing written): as_of 2025-10-26: 7 users, 7 candidates, 5 delivered, 1 suppressed (daily_cap 1), 1 deferred past quiet hours
  $ test -e $TESTTMP/none.db || echo no file
  no file

--events FILE appends there instead of stdout.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/e.db --signals signals.ndjson --now 2025-10-26T09:00:00Z --events $TESTTMP/ev.ndjson 2>/dev/null
  $ cmp $TESTTMP/ev.ndjson $TESTTMP/a.out && echo same events
  same events

Usage errors.

  $ mmr run ../../../rules/moneymoments --signals signals.ndjson
  mmr run: --db FILE is required
  (see `mmr run --help`)
  [2]
  $ mmr run --db $TESTTMP/x.db
  mmr run: no ruleset given
  (see `mmr run --help`)
  [2]
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/x.db --now yesterday
  mmr run: --now yesterday: expected a date YYYY-MM-DD
  (see `mmr run --help`)
  [2]
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/x.db --as-of 2025-13-01
  mmr run: --as-of 2025-13-01: not a date (YYYY-MM-DD)
  (see `mmr run --help`)
  [2]
  $ mmr run --help | head -3
  usage: mmr run PATH... --db FILE [--signals FILE] [--as-of DATE] [--now ISO8601]
                 [--dry-run] [--events FILE] [--redis URL] [--redis-timeout MS]
                 [--busy-timeout MS] [--report FILE] [--shard K/N]

Traits a record does not carry come from mm_user_traits (the sample
database gives u2 Asia/Dubai, u5 Asia/Kolkata). At 03:00Z it is 07:00 in
Dubai, inside the quiet hours (22:00-08:00), and 08:30 in India, outside.

  $ mmr gen --users 6 --db $TESTTMP/g.db
  $ sqlite3 $TESTTMP/g.db "SELECT user_id, coalesce(tz, '-') FROM mm_user_traits WHERE user_id IN ('u1', 'u2', 'u5') ORDER BY 1"
  u1|-
  u2|Asia/Dubai
  u5|Asia/Kolkata
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/g.db --signals next_day.ndjson --now 2025-10-27T03:00:00Z 2>&1 | grep -v elapsed
  {"type":"nudge","delivery_id":"14830e8f-c030-5917-9dc2-3e4ea1328dd1","user_id":"u1","rule":"dining_overspend","title":"Takeout again? 🍟","body":"Three or more orders this week. Your savings fund would love a home-cooked night 😋","category":"dining","created_at":"2025-10-27T03:00:00Z"}
  {"type":"nudge","delivery_id":"d27c8670-1f3f-5c3d-913e-5071e519bfec","user_id":"u5","rule":"budget_drift","title":"Your budget drifted a bit","body":"Spending is 50% off plan this month. A quick look at the plan now keeps the month calm.","category":"budget","created_at":"2025-10-27T03:00:00Z"}
  mmr run: as_of 2025-10-27: 3 users, 4 candidates, 2 delivered, 1 suppressed (daily_cap 1), 1 deferred past quiet hours
  mmr run: events: 2 written, 0 published to redis, 0 pending in the outbox
  $ sqlite3 $TESTTMP/g.db "SELECT c.user_id, r.name, c.status, coalesce(c.suppression_reason, '-') FROM mm_nudge_candidate c JOIN mm_nudge_rule_master r USING (rule_id) WHERE c.as_of = '2025-10-27' ORDER BY 1, 2"
  u1|budget_drift|suppressed|daily_cap
  u1|dining_overspend|delivered|-
  u2|budget_drift|deferred|-
  u5|budget_drift|delivered|-
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/g.db --now 2025-10-26T09:00:00Z 2>&1 >/dev/null | grep -v elapsed
  mmr run: as_of 2025-10-26: 6 users, 6 candidates, 3 delivered, 3 suppressed (cooldown 1, daily_cap 2)
  mmr run: events: 3 written, 0 published to redis, 0 pending in the outbox
