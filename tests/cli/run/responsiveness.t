Responsiveness (issue 10): `mmr run` computes `responsiveness` and
`responsiveness_by_category` per user from mm_nudge_interaction_log (each
interaction in its delivery's category) at the run's now, and the shipped
ruleset backs off a category the user keeps dismissing (below -0.5).

Three heavy diners get the dining nudge on the 18th. An hour later u1
dismisses it and u2 views it; u3 never answers.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals resp_signals.ndjson --as-of 2025-10-18 --now 2025-10-18T09:00:00Z 2>/dev/null | grep -o '"user_id":"u[0-9]","rule":"[a-z_]*"'
  "user_id":"u1","rule":"dining_overspend"
  "user_id":"u2","rule":"dining_overspend"
  "user_id":"u3","rule":"dining_overspend"
  $ sh resp_act.sh $TESTTMP/s.db u1 2025-10-18 dismissed 2025-10-18T10:00:00Z; sh resp_act.sh $TESTTMP/s.db u2 2025-10-18 viewed 2025-10-18T10:00:00Z
  "user_id":"u1","action":"dismissed","timestamp":"2025-10-18T10:00:00Z"}
  "user_id":"u2","action":"viewed","timestamp":"2025-10-18T10:00:00Z"}

One dismissal (-0.5 when fresh, -0.45 four days later) is not a pattern:
on the 22nd, past the 3-day cooldown, all three get it again. u1 dismisses it
again, u2 clicks it.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals resp_signals.ndjson --as-of 2025-10-22 --now 2025-10-22T09:00:00Z 2>/dev/null | grep -o '"user_id":"u[0-9]","rule":"[a-z_]*"'
  "user_id":"u1","rule":"dining_overspend"
  "user_id":"u2","rule":"dining_overspend"
  "user_id":"u3","rule":"dining_overspend"
  $ sh resp_act.sh $TESTTMP/s.db u1 2025-10-22 dismissed 2025-10-22T10:00:00Z; sh resp_act.sh $TESTTMP/s.db u2 2025-10-22 clicked 2025-10-22T10:00:00Z
  "user_id":"u1","action":"dismissed","timestamp":"2025-10-22T10:00:00Z"}
  "user_id":"u2","action":"clicked","timestamp":"2025-10-22T10:00:00Z"}

On the 26th u1 has dismissed dining twice lately: the dining rule does not
fire for u1 (no candidate at all), while u2 and u3 still get the nudge.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals resp_signals.ndjson --as-of 2025-10-26 --now 2025-10-26T09:00:00Z 2>&1 | grep -o '"user_id":"u[0-9]","rule":"[a-z_]*"\|^mmr run: as_of.*'
  "user_id":"u2","rule":"dining_overspend"
  "user_id":"u3","rule":"dining_overspend"
  mmr run: as_of 2025-10-26: 3 users, 2 candidates, 2 delivered, 0 suppressed
  $ sqlite3 $TESTTMP/s.db "SELECT c.user_id, r.name, c.status FROM mm_nudge_candidate c JOIN mm_nudge_rule_master r USING (rule_id) WHERE c.as_of = '2025-10-26' ORDER BY 1"
  u2|dining_overspend|delivered
  u3|dining_overspend|delivered

The values the rules saw, through a probe ruleset that prints them (a dry
run: nothing is written). u1: two dismissals 8 and 4 days old; u2: a view
and a click; u3: no interactions, the neutral 0 and an empty map.

  $ mmr run resp_probe.mmr --db $TESTTMP/s.db --dry-run --signals resp_signals.ndjson --as-of 2025-10-26 --now 2025-10-26T09:00:00Z 2>/dev/null | grep -o '"user_id":"u[0-9]"\|"body":"[^"]*"' | paste -d' ' - -
  "user_id":"u1" "body":"overall -0.599 dining -0.599 categories 1"
  "user_id":"u2" "body":"overall 0.397 dining 0.397 categories 1"
  "user_id":"u3" "body":"overall 0 dining 0 categories 0"

The same from mm_signal_daily (one scan of the interaction log in user_id
order, merged with the snapshot's users; the file above is a look-up per
user). The run computes the signals: they are no columns of the table.

  $ sqlite3 $TESTTMP/s.db "SELECT count(*) FROM pragma_table_info('mm_signal_daily') WHERE name LIKE 'responsiveness%'"
  0
  $ sqlite3 $TESTTMP/s.db "INSERT INTO mm_signal_daily(user_id, as_of, dining_txn_7d, wants_share_30d) VALUES ('u1', '2025-10-26', 4, 0.4), ('u2', '2025-10-26', 5, 0.5), ('u3', '2025-10-26', 3, 0.45)"
  $ mmr run resp_probe.mmr --db $TESTTMP/s.db --dry-run --as-of 2025-10-26 --now 2025-10-26T09:00:00Z 2>/dev/null | grep -o '"user_id":"u[0-9]"\|"body":"[^"]*"' | paste -d' ' - -
  "user_id":"u1" "body":"overall -0.599 dining -0.599 categories 1"
  "user_id":"u2" "body":"overall 0.397 dining 0.397 categories 1"
  "user_id":"u3" "body":"overall 0 dining 0 categories 0"

A real run from mm_signal_daily on the 30th (the reader's own connection
scans the log): u1's two dismissals have faded to -0.55, still backed off;
u2 and u3 are past the cooldown and get theirs.

  $ sqlite3 $TESTTMP/s.db "INSERT INTO mm_signal_daily(user_id, as_of, dining_txn_7d, wants_share_30d) VALUES ('u1', '2025-10-30', 4, 0.4), ('u2', '2025-10-30', 5, 0.5), ('u3', '2025-10-30', 3, 0.45)"
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --now 2025-10-30T09:00:00Z 2>&1 | grep -o '"user_id":"u[0-9]","rule":"[a-z_]*"\|^mmr run: as_of.*'
  "user_id":"u2","rule":"dining_overspend"
  "user_id":"u3","rule":"dining_overspend"
  mmr run: as_of 2025-10-30: 3 users, 2 candidates, 2 delivered, 0 suppressed

A value given for them anyway is ignored with a warning: the computed one
wins. From a --signals file (said once per run):

  $ mmr run resp_probe.mmr --db $TESTTMP/s.db --dry-run --signals resp_override.ndjson --as-of 2025-10-26 --now 2025-10-26T09:00:00Z 2>&1 | grep -o '.*warning.*\|"user_id":"u[0-9]"\|"body":"[^"]*"' | sed "s|$TESTTMP|TMP|"
  "user_id":"u1"
  "body":"overall -0.599 dining -0.599 categories 1"
  "user_id":"u2"
  "body":"overall 0.397 dining 0.397 categories 1"
  "user_id":"u3"
  "body":"overall 0 dining 0 categories 0"
  resp_override.ndjson:1: warning: user "u1": signal responsiveness is ignored: mmr run computes it from mm_nudge_interaction_log (said once per run)

From a column of mm_signal_daily:

  $ sqlite3 $TESTTMP/s.db "ALTER TABLE mm_signal_daily ADD COLUMN responsiveness_by_category TEXT; UPDATE mm_signal_daily SET responsiveness_by_category = '{\"dining\":0.9}'"
  $ mmr run resp_probe.mmr --db $TESTTMP/s.db --dry-run --as-of 2025-10-26 --now 2025-10-26T09:00:00Z 2>&1 | grep -o '.*warning.*\|.*hint.*\|"user_id":"u[0-9]"\|"body":"[^"]*"' | sed "s|$TESTTMP|TMP|"
  "user_id":"u1"
  "body":"overall -0.599 dining -0.599 categories 1"
  "user_id":"u2"
  "body":"overall 0.397 dining 0.397 categories 1"
  "user_id":"u3"
  "body":"overall 0 dining 0 categories 0"
  TMP/s.db: warning: mm_signal_daily.responsiveness_by_category is ignored: mmr run computes responsiveness_by_category from mm_nudge_interaction_log
    hint: drop the column, or store the value under another name

`mmr eval` and `mmr test` have no interaction log: there the signals come
from the snapshot or the test's `given`, like any other signal.

  $ printf '{"user_id":"u1","as_of":"2025-10-26","signals":{"dining_txn_7d":4,"wants_share_30d":0.4,"responsiveness_by_category":{"dining":-0.6}}}\n{"user_id":"u2","as_of":"2025-10-26","signals":{"dining_txn_7d":4,"wants_share_30d":0.4}}\n' | mmr eval ../../../rules/moneymoments --signals - | grep -o '"user_id":"u[0-9]"\|"selected":[^,}]*' | paste -d' ' - -
  "user_id":"u1" "selected":null
  "user_id":"u2" "selected":"dining_overspend"
  $ mmr test ../../../rules/moneymoments | tail -1
  36 passed, 0 failed
