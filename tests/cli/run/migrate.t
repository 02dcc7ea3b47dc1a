A database of schema version 2 (v2.sql: that version's DDL and one night
of history) is migrated by the first `mmr run` that writes to it, in the
run's transaction, and the history keeps working: its pending event is
published, its deliveries count for cooldowns, its mutes and interactions
stay.

  $ sqlite3 $TESTTMP/s.db < v2.sql
  $ sqlite3 $TESTTMP/s.db "PRAGMA foreign_keys = ON; PRAGMA foreign_key_check; SELECT max(version) FROM mm_schema_version"
  2

A dry run does not migrate: it refuses, and the file is unchanged.

  $ sqlite3 $TESTTMP/s.db .dump > $TESTTMP/v2.dump
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals signals.ndjson --now 2025-10-26T09:00:00Z --dry-run 2>&1 | sed "s|$TESTTMP|TMP|"
  TMP/s.db: error: the database has an older mmr schema (version 2, need 8)
    hint: run once without --dry-run to migrate it
  $ sqlite3 $TESTTMP/s.db .dump | cmp - $TESTTMP/v2.dump && echo unchanged
  unchanged

Neither does a command that only reads (the feed): it says how to migrate.

  $ mmr feed --db $TESTTMP/s.db --user u1 2>&1 | sed "s|$TESTTMP|TMP|"
  TMP/s.db: error: the database has an older mmr schema (version 2, need 8); run `mmr run` once to migrate it
  $ mmr feed --db $TESTTMP/s.db --user u1 > /dev/null 2>&1
  [1]
  $ sqlite3 $TESTTMP/s.db .dump | cmp - $TESTTMP/v2.dump && echo unchanged
  unchanged

The first run migrates. Event 3 of the old outbox, which stdout never had,
comes first (its text rebuilt from the migrated delivery and the rule
master); then the run's own. u1's dining nudge of the day before keeps it
cooling down; u7 has muted travel.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals signals.ndjson --now 2025-10-26T09:00:00Z 2>&1 | grep -v elapsed
  {"type":"nudge","delivery_id":"hist-u8-goal","user_id":"u8","rule":"goal_underfunded","title":"Car could use a boost 🌱","body":"Even ₹500 today gets it moving.","category":"goal","created_at":"2025-10-25T08:00:00Z"}
  {"type":"nudge","delivery_id":"0e44bf08-a7bb-5859-9f91-3b85be44368c","user_id":"u2","rule":"goal_underfunded","title":"Emergency Fund could use a boost 🌱","body":"It is 4% of the way there and nothing has been saved this month. Even ₹500 today gets it moving.","category":"goal","created_at":"2025-10-26T09:00:00Z"}
  {"type":"nudge","delivery_id":"a4f5e8bd-5dcd-5ba8-abaa-b88648c2215d","user_id":"u4","rule":"dining_overspend","title":"Takeout again? 🍟","body":"Three or more orders this week. Your savings fund would love a home-cooked night 😋","category":"dining","created_at":"2025-10-26T09:00:00Z"}
  {"type":"nudge","delivery_id":"227783fd-9ae0-5e48-a205-768c723803cb","user_id":"u5","rule":"shopping_spike","title":"Your cart has been busy 🛍️","body":"Shopping is up 50% on last month. A 48-hour wishlist pause keeps New Laptop on track.","category":"shopping","created_at":"2025-10-26T09:00:00Z"}
  mmr run: as_of 2025-10-26: 7 users, 7 candidates, 3 delivered, 3 suppressed (muted 1, cooldown 1, daily_cap 1), 1 deferred past quiet hours
  mmr run: events: 4 written, 0 published to redis, 0 pending in the outbox
  $ sqlite3 $TESTTMP/s.db "SELECT version FROM mm_schema_version ORDER BY 1; PRAGMA foreign_key_check; PRAGMA integrity_check"
  1
  2
  3
  4
  5
  6
  7
  8
  ok

The deliveries, numbered in the order of their events (the sample one,
which has none, after the old ones), then the run's; each event is its
delivery's seq, with the same ids as before.

  $ sqlite3 $TESTTMP/s.db "SELECT d.seq, d.delivery_id, d.user_id, r.name, d.as_of, d.delivered_at FROM mm_nudge_delivery_log d JOIN mm_nudge_rule_master r USING (rule_id) ORDER BY d.seq"
  1|hist-u9-budget|u9|budget_drift|2025-10-25|2025-10-25T08:00:00Z
  2|hist-u1-dining|u1|dining_overspend|2025-10-25|2025-10-25T08:00:00Z
  3|hist-u8-goal|u8|goal_underfunded|2025-10-25|2025-10-25T08:00:00Z
  4|sample-u4-dining|u4|dining_overspend|2025-10-20|2025-10-20T10:00:00Z
  5|0e44bf08-a7bb-5859-9f91-3b85be44368c|u2|goal_underfunded|2025-10-26|2025-10-26T09:00:00Z
  6|a4f5e8bd-5dcd-5ba8-abaa-b88648c2215d|u4|dining_overspend|2025-10-26|2025-10-26T09:00:00Z
  7|227783fd-9ae0-5e48-a205-768c723803cb|u5|shopping_spike|2025-10-26|2025-10-26T09:00:00Z
  $ sqlite3 $TESTTMP/s.db "SELECT o.event_id, o.delivery_seq, d.delivery_id, d.delivered_at, o.want_redis FROM mm_event_outbox o JOIN mm_nudge_delivery_log d ON d.seq = o.delivery_seq ORDER BY o.event_id"
  1|1|hist-u9-budget|2025-10-25T08:00:00Z|0
  2|2|hist-u1-dining|2025-10-25T08:00:00Z|0
  3|3|hist-u8-goal|2025-10-25T08:00:00Z|0
  4|5|0e44bf08-a7bb-5859-9f91-3b85be44368c|2025-10-26T09:00:00Z|0
  5|6|a4f5e8bd-5dcd-5ba8-abaa-b88648c2215d|2025-10-26T09:00:00Z|0
  6|7|227783fd-9ae0-5e48-a205-768c723803cb|2025-10-26T09:00:00Z|0
  $ sqlite3 $TESTTMP/s.db "SELECT sink, last_event_id, updated_at FROM mm_event_cursor ORDER BY sink"
  ndjson|6|2025-10-26T09:00:00Z
  redis|6|2025-10-26T09:00:00Z

The old text is intact.

  $ sqlite3 $TESTTMP/s.db "SELECT delivery_id, title, body, category, meta_json FROM mm_nudge_delivery_log WHERE as_of < '2025-10-26' ORDER BY seq"
  hist-u9-budget|Your budget drifted a bit|Spending is 20% off plan this month.|budget|{"as_of":"2025-10-25"}
  hist-u1-dining|Takeout again? 🍟|Your Goa Trip fund would love a home-cooked night 😋|dining|{"as_of":"2025-10-25"}
  hist-u8-goal|Car could use a boost 🌱|Even ₹500 today gets it moving.|goal|{"as_of":"2025-10-25"}
  sample-u4-dining|Takeout again? 🍟|A sample delivery.|dining|{"sample":true}

Candidates of both nights, their rule by name and their time from their run.

  $ sqlite3 $TESTTMP/s.db "SELECT c.as_of, c.user_id, r.name, c.status, coalesce(c.suppression_reason, '-'), c.run_id, m.now FROM mm_nudge_candidate c JOIN mm_nudge_rule_master r USING (rule_id) JOIN mm_run m USING (run_id) ORDER BY 1, 2, 3"
  2025-10-25|u1|dining_overspend|delivered|-|1|2025-10-25T08:00:00Z
  2025-10-25|u8|dining_overspend|suppressed|daily_cap|1|2025-10-25T08:00:00Z
  2025-10-25|u8|goal_underfunded|delivered|-|1|2025-10-25T08:00:00Z
  2025-10-25|u9|budget_drift|delivered|-|1|2025-10-25T08:00:00Z
  2025-10-26|u1|dining_overspend|suppressed|cooldown|2|2025-10-26T09:00:00Z
  2025-10-26|u2|dining_overspend|suppressed|daily_cap|2|2025-10-26T09:00:00Z
  2025-10-26|u2|goal_underfunded|delivered|-|2|2025-10-26T09:00:00Z
  2025-10-26|u3|budget_drift|deferred|-|2|2025-10-26T09:00:00Z
  2025-10-26|u4|dining_overspend|delivered|-|2|2025-10-26T09:00:00Z
  2025-10-26|u5|shopping_spike|delivered|-|2|2025-10-26T09:00:00Z
  2025-10-26|u7|travel_heavy|suppressed|muted|2|2025-10-26T09:00:00Z

A delivered candidate's delivery is the one of its user, rule and date.

  $ sqlite3 $TESTTMP/s.db "SELECT count(*) FROM mm_nudge_candidate c LEFT JOIN mm_nudge_delivery_log d USING (as_of, user_id, rule_id) WHERE (c.status = 'delivered') <> (d.seq IS NOT NULL)"
  0

The rule master keeps its ids (the old history's rule_id still names the
same rule) and gains the rules it did not have.

  $ sqlite3 $TESTTMP/s.db "SELECT rule_id, name, ruleset_hash <> 'old' FROM mm_nudge_rule_master ORDER BY rule_id"
  1|dining_overspend|1
  2|budget_drift|1
  3|goal_underfunded|1
  4|shopping_spike|1
  5|travel_heavy|1

The interaction log still references the delivery log: the old interaction
is there, and new ones are checked against the migrated deliveries.

  $ mmr interact --db $TESTTMP/s.db --delivery hist-u1-dining --action clicked --now 2025-10-26T10:00:00Z
  {"interaction_id":2,"delivery_id":"hist-u1-dining","user_id":"u1","action":"clicked","timestamp":"2025-10-26T10:00:00Z"}
  $ mmr interact --db $TESTTMP/s.db --delivery nope --action clicked --now 2025-10-26T10:00:00Z 2>&1 | sed "s|$TESTTMP|TMP|"; exit ${PIPESTATUS[0]}
  TMP/s.db: error: no delivery with id "nope"
  [1]
  $ sqlite3 $TESTTMP/s.db "PRAGMA foreign_keys = ON; INSERT INTO mm_nudge_interaction_log(delivery_id, user_id, action, timestamp) VALUES ('nope', 'u1', 'viewed', 't')" 2>&1 | grep -o 'FOREIGN KEY constraint failed'
  FOREIGN KEY constraint failed
  $ sqlite3 $TESTTMP/s.db "SELECT interaction_id, delivery_id, user_id, action, timestamp FROM mm_nudge_interaction_log ORDER BY 1"
  1|hist-u1-dining|u1|viewed|2025-10-25T08:30:00Z
  2|hist-u1-dining|u1|clicked|2025-10-26T10:00:00Z
  $ mmr feed --db $TESTTMP/s.db --user u1
  {"feed":[{"id":"hist-u1-dining","title":"Takeout again? 🍟","body":"Your Goa Trip fund would love a home-cooked night 😋","category":"dining","delivered_at":"2025-10-25T08:00:00Z"}]}

Rerunning the night writes and prints nothing new (before 12:00Z, when
u3's nudge, deferred past quiet hours, falls due).

  $ sqlite3 $TESTTMP/s.db .dump | grep -v "INTO mm_run" > $TESTTMP/before.sql
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals signals.ndjson --now 2025-10-26T11:00:00Z 2>&1 | grep -v elapsed
  mmr run: as_of 2025-10-26: 7 users, 0 candidates, 0 delivered, 0 suppressed, 7 already stored
  mmr run: events: 0 written, 0 published to redis, 0 pending in the outbox
  $ sqlite3 $TESTTMP/s.db .dump | grep -v "INTO mm_run" | cmp - $TESTTMP/before.sql && echo same rows
  same rows

The next night comes from the input table the old version made (a rowid
table with a UNIQUE key, which the migration leaves as it is).

  $ sqlite3 $TESTTMP/s.db "SELECT name, sql LIKE '%UNIQUE (as_of, user_id))' FROM sqlite_master WHERE name = 'mm_signal_daily'"
  mm_signal_daily|1
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --now 2025-10-27T09:30:00Z 2>&1 | grep -v elapsed
  {"type":"nudge","delivery_id":"cb039919-db98-54a9-9cd4-6afdf29d72ad","user_id":"u3","rule":"budget_drift","title":"Your budget drifted a bit","body":"Spending is 30% off plan this month. A quick look at the plan now keeps the month calm.","category":"budget","created_at":"2025-10-27T09:30:00Z"}
  {"type":"nudge","delivery_id":"4c557b9d-045d-5903-bf89-88cee9067e26","user_id":"u1","rule":"budget_drift","title":"Your budget drifted a bit","body":"Spending is 25% off plan this month. A quick look at the plan now keeps the month calm.","category":"budget","created_at":"2025-10-27T09:30:00Z"}
  {"type":"nudge","delivery_id":"f5752132-9468-5054-993f-e63667a3a9ec","user_id":"u2","rule":"budget_drift","title":"Your budget drifted a bit","body":"Spending is 50% off plan this month. A quick look at the plan now keeps the month calm.","category":"budget","created_at":"2025-10-27T09:30:00Z"}
  {"type":"nudge","delivery_id":"d27c8670-1f3f-5c3d-913e-5071e519bfec","user_id":"u5","rule":"budget_drift","title":"Your budget drifted a bit","body":"Spending is 50% off plan this month. A quick look at the plan now keeps the month calm.","category":"budget","created_at":"2025-10-27T09:30:00Z"}
  mmr run: as_of 2025-10-27: 3 users, 4 candidates, 3 delivered, 1 suppressed (cooldown 1), earlier deferrals: 1 delivered, 0 suppressed
  mmr run: events: 4 written, 0 published to redis, 0 pending in the outbox
  $ sqlite3 $TESTTMP/s.db "SELECT o.event_id, d.seq, d.user_id, r.name, d.as_of FROM mm_event_outbox o JOIN mm_nudge_delivery_log d ON d.seq = o.delivery_seq JOIN mm_nudge_rule_master r USING (rule_id) WHERE d.as_of = '2025-10-27' ORDER BY o.event_id"
  8|9|u1|budget_drift|2025-10-27
  9|10|u2|budget_drift|2025-10-27
  10|11|u5|budget_drift|2025-10-27
  $ sqlite3 $TESTTMP/s.db "PRAGMA foreign_key_check; SELECT sink, last_event_id FROM mm_event_cursor ORDER BY sink"
  ndjson|10
  redis|10
