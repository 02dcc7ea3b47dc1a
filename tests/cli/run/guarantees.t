The guarantees of docs/engine.md, each one here.

AC-MM-1: at most max_nudges (1 per 24h) per user across runs. The next
day's snapshot at 2025-10-27T08:30Z is inside 24h of the first run's
deliveries (2025-10-26T09:00Z) for u1, u2 and u5.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals signals.ndjson --now 2025-10-26T09:00:00Z > /dev/null 2>&1
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals next_day.ndjson --now 2025-10-27T08:30:00Z 2>&1 | grep -v elapsed
  {"type":"nudge","delivery_id":"cb039919-db98-54a9-9cd4-6afdf29d72ad","user_id":"u3","rule":"budget_drift","title":"Your budget drifted a bit","body":"Spending is 30% off plan this month. A quick look at the plan now keeps the month calm.","category":"budget","created_at":"2025-10-27T08:30:00Z"}
  mmr run: as_of 2025-10-27: 3 users, 4 candidates, 0 delivered, 4 suppressed (cooldown 1, daily_cap 3), earlier deferrals: 1 delivered, 0 suppressed
  mmr run: events: 1 written, 0 published to redis, 0 pending in the outbox
  $ sqlite3 $TESTTMP/s.db "SELECT c.user_id, r.name, c.as_of, c.status, coalesce(c.suppression_reason, '-') FROM mm_nudge_candidate c JOIN mm_nudge_rule_master r USING (rule_id) WHERE c.as_of = '2025-10-27' ORDER BY 1, 2"
  u1|budget_drift|2025-10-27|suppressed|daily_cap
  u1|dining_overspend|2025-10-27|suppressed|cooldown
  u2|budget_drift|2025-10-27|suppressed|daily_cap
  u5|budget_drift|2025-10-27|suppressed|daily_cap

Candidates are final per (user, rule, date): rerunning that snapshot an
hour later, when the window has passed, changes nothing.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals next_day.ndjson --as-of 2025-10-27 --now 2025-10-27T09:30:00Z 2>&1 | grep -v elapsed
  mmr run: as_of 2025-10-27: 3 users, 0 candidates, 0 delivered, 0 suppressed, 4 already stored
  mmr run: events: 0 written, 0 published to redis, 0 pending in the outbox

The next snapshot, 2025-10-28 at 09:30Z: the cap allows one again; u1's
dining rule is still cooling down (3 days).

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals day3.ndjson --now 2025-10-28T09:30:00Z 2>&1 | grep -v elapsed
  {"type":"nudge","delivery_id":"fab4fef9-ee28-5b1e-830a-cf34372e4ddd","user_id":"u1","rule":"budget_drift","title":"Your budget drifted a bit","body":"Spending is 25% off plan this month. A quick look at the plan now keeps the month calm.","category":"budget","created_at":"2025-10-28T09:30:00Z"}
  {"type":"nudge","delivery_id":"43ece3f9-6e84-5087-a1ab-11ceed2b7aa0","user_id":"u2","rule":"budget_drift","title":"Your budget drifted a bit","body":"Spending is 50% off plan this month. A quick look at the plan now keeps the month calm.","category":"budget","created_at":"2025-10-28T09:30:00Z"}
  mmr run: as_of 2025-10-28: 2 users, 3 candidates, 2 delivered, 1 suppressed (cooldown 1)
  mmr run: events: 2 written, 0 published to redis, 0 pending in the outbox
  $ sqlite3 $TESTTMP/s.db "SELECT c.user_id, r.name, c.status, coalesce(c.suppression_reason, '-') FROM mm_nudge_candidate c JOIN mm_nudge_rule_master r USING (rule_id) WHERE c.as_of = '2025-10-28' ORDER BY 1, 2"
  u1|budget_drift|delivered|-
  u1|dining_overspend|suppressed|cooldown
  u2|budget_drift|delivered|-

No user ever has more than one delivery inside any 24 hours:

  $ sqlite3 $TESTTMP/s.db "SELECT count(*) FROM mm_nudge_delivery_log a JOIN mm_nudge_delivery_log b ON a.user_id = b.user_id AND a.delivery_id < b.delivery_id AND abs(unixepoch(a.delivered_at) - unixepoch(b.delivered_at)) < 86400"
  0

AC-MM-3: muted categories never deliver.

  $ mmr settings --db $TESTTMP/m.db --user u4 --mute dining --now 2025-10-20T00:00:00Z
  {"user_id":"u4","muted":["dining"],"categories":["budget","dining","goal","shopping","travel"]}
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/m.db --signals signals.ndjson --now 2025-10-26T09:00:00Z 2>/dev/null | grep -c '"u4"'
  0
  [1]
  $ sqlite3 $TESTTMP/m.db "SELECT c.user_id, r.name, c.status, c.suppression_reason FROM mm_nudge_candidate c JOIN mm_nudge_rule_master r USING (rule_id) WHERE c.user_id = 'u4'"
  u4|dining_overspend|suppressed|muted
  $ sqlite3 $TESTTMP/m.db "SELECT count(*) FROM mm_nudge_delivery_log d JOIN mm_user_suppression s ON s.user_id = d.user_id AND s.category = d.category AND s.muted_at <= d.delivered_at"
  0

AC-MM-5: the feed is newest first (ties by id).

  $ mmr feed --db $TESTTMP/s.db --user u1
  {"feed":[{"id":"fab4fef9-ee28-5b1e-830a-cf34372e4ddd","title":"Your budget drifted a bit","body":"Spending is 25% off plan this month. A quick look at the plan now keeps the month calm.","category":"budget","delivered_at":"2025-10-28T09:30:00Z"},{"id":"40d7953a-7ad4-55e9-bd65-f058ef7faad7","title":"Takeout again? 🍟","body":"Three or more orders this week. Your Goa Trip fund would love a home-cooked night 😋","category":"dining","delivered_at":"2025-10-26T09:00:00Z"}]}
  $ mmr feed --db $TESTTMP/s.db --user nobody
  {"feed":[]}
  $ mmr feed --db $TESTTMP/none.db --user u1 2>&1 | sed "s|$TESTTMP|TMP|"; exit ${PIPESTATUS[0]}
  TMP/none.db: error: no such database file
  [1]
  $ mmr feed --db $TESTTMP/s.db
  mmr feed: --db FILE and --user ID are required
  (see `mmr feed --help`)
  [2]
