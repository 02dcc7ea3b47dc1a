Deferred delivery: a candidate held only by quiet hours is stored as
'deferred' with the end of the user's quiet window (22:00-08:00) as
deliver_at; the next run after that releases it once, with an event.
u3 is in America/New_York: 09:00Z is 05:00 there, quiet until 12:00Z.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals signals.ndjson --now 2025-10-26T09:00:00Z 2>&1 >/dev/null | grep -v elapsed
  mmr run: as_of 2025-10-26: 7 users, 7 candidates, 5 delivered, 1 suppressed (daily_cap 1), 1 deferred past quiet hours
  mmr run: events: 5 written, 0 published to redis, 0 pending in the outbox
  $ sqlite3 $TESTTMP/s.db "SELECT c.user_id, r.name, c.status, coalesce(c.suppression_reason, '-') FROM mm_nudge_candidate c JOIN mm_nudge_rule_master r USING (rule_id) WHERE c.user_id = 'u3'"
  u3|budget_drift|deferred|-
  $ sqlite3 $TESTTMP/s.db "SELECT as_of, user_id, deliver_at, category, title FROM mm_nudge_deferred"
  2025-10-26|u3|2025-10-26T12:00:00Z|budget|Your budget drifted a bit

Before the window's end a run releases nothing.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals signals.ndjson --now 2025-10-26T11:59:59Z 2>&1 | grep -v elapsed
  mmr run: as_of 2025-10-26: 7 users, 0 candidates, 0 delivered, 0 suppressed, 7 already stored
  mmr run: events: 0 written, 0 published to redis, 0 pending in the outbox
  $ sqlite3 $TESTTMP/s.db "SELECT count(*) FROM mm_nudge_deferred"
  1

After it, the run delivers it first (its event on stdout with the run's),
with the delivery id of (user, rule, date) and delivered_at = the run's now.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals signals.ndjson --now 2025-10-26T12:00:00Z 2>&1 | grep -v elapsed
  {"type":"nudge","delivery_id":"cb039919-db98-54a9-9cd4-6afdf29d72ad","user_id":"u3","rule":"budget_drift","title":"Your budget drifted a bit","body":"Spending is 30% off plan this month. A quick look at the plan now keeps the month calm.","category":"budget","created_at":"2025-10-26T12:00:00Z"}
  mmr run: as_of 2025-10-26: 7 users, 0 candidates, 0 delivered, 0 suppressed, 7 already stored, earlier deferrals: 1 delivered, 0 suppressed
  mmr run: events: 1 written, 0 published to redis, 0 pending in the outbox
  $ sqlite3 $TESTTMP/s.db "SELECT c.status, coalesce(c.suppression_reason, '-') FROM mm_nudge_candidate c WHERE c.user_id = 'u3'; SELECT count(*) FROM mm_nudge_deferred"
  delivered|-
  0
  $ sqlite3 $TESTTMP/s.db "SELECT d.user_id, d.as_of, d.delivered_at, d.meta_json, o.event_id FROM mm_nudge_delivery_log d JOIN mm_event_outbox o ON o.delivery_seq = d.seq WHERE d.user_id = 'u3'"
  u3|2025-10-26|2025-10-26T12:00:00Z|{"as_of":"2025-10-26","priority":50,"template_id":"BUDGET_01","tone":"neutral"}|6

Exactly once: a later run finds nothing to release.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals signals.ndjson --now 2025-10-26T13:00:00Z 2>&1 | grep -v elapsed
  mmr run: as_of 2025-10-26: 7 users, 0 candidates, 0 delivered, 0 suppressed, 7 already stored
  mmr run: events: 0 written, 0 published to redis, 0 pending in the outbox
  $ sqlite3 $TESTTMP/s.db "SELECT count(*) FROM mm_nudge_delivery_log WHERE user_id = 'u3'"
  1

A user who mutes the category while the nudge waits does not get it: the
release checks mutes (and cooldown and the cap) again.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/m.db --signals signals.ndjson --now 2025-10-26T09:00:00Z > /dev/null 2>&1
  $ mmr settings --db $TESTTMP/m.db --user u3 --mute budget --now 2025-10-26T10:00:00Z
  {"user_id":"u3","muted":["budget"],"categories":["budget","dining","goal","shopping","travel"]}
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/m.db --signals signals.ndjson --now 2025-10-26T12:30:00Z 2>&1 | grep -v elapsed
  mmr run: as_of 2025-10-26: 7 users, 0 candidates, 0 delivered, 0 suppressed, 7 already stored, earlier deferrals: 0 delivered, 1 suppressed
  mmr run: events: 0 written, 0 published to redis, 0 pending in the outbox
  $ sqlite3 $TESTTMP/m.db "SELECT c.status, coalesce(c.suppression_reason, '-') FROM mm_nudge_candidate c WHERE c.user_id = 'u3'; SELECT count(*) FROM mm_nudge_deferred; SELECT count(*) FROM mm_nudge_delivery_log WHERE user_id = 'u3'"
  suppressed|muted
  0
  0

A dry run shows the deferral in the summary and writes nothing.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/dry.db --dry-run --signals signals.ndjson --now 2025-10-26T09:00:00Z 2>&1 >/dev/null | grep -v elapsed | sed "s|$TESTTMP|TMP|"
  TMP/dry.db: note: no such database: the dry run starts from an empty state
  mmr run (dry run, nothing written): as_of 2025-10-26: 7 users, 7 candidates, 5 delivered, 1 suppressed (daily_cap 1), 1 deferred past quiet hours
