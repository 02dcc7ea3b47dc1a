`mmr signals` from files and from the database: the output, and what bad
input does (a message naming the place, exit 1, nothing written).


From files, users in user_id order, traits passed through; a user with
traits only has every aggregate missing.

  $ mmr signals ../../../rules/patterns --transactions tx.ndjson --traits traits.ndjson --as-of 2025-10-26 --ndjson -
  {"user_id":"u1","as_of":"2025-10-26","signals":{"category_spend_prev_week":{"Food & Dining":200},"category_spend_this_week":{"Food & Dining":260},"small_purchases_this_week":0,"small_purchases_total_this_week":0,"spend_prev_week":200,"spend_this_week":260},"rows":{"category_spend_prev_week":1,"category_spend_this_week":1,"small_purchases_this_week":0,"small_purchases_total_this_week":0,"spend_prev_week":1,"spend_this_week":1}}
  {"user_id":"u2","as_of":"2025-10-26","signals":{"category_spend_prev_week":null,"category_spend_this_week":{"Shopping":5},"small_purchases_this_week":1,"small_purchases_total_this_week":5,"spend_prev_week":null,"spend_this_week":5},"rows":{"category_spend_prev_week":0,"category_spend_this_week":1,"small_purchases_this_week":1,"small_purchases_total_this_week":1,"spend_prev_week":0,"spend_this_week":1},"traits":{"tz":"America/New_York"}}
  {"user_id":"u3","as_of":"2025-10-26","signals":{"category_spend_prev_week":null,"category_spend_this_week":null,"small_purchases_this_week":null,"small_purchases_total_this_week":null,"spend_prev_week":null,"spend_this_week":null},"rows":{"category_spend_prev_week":0,"category_spend_this_week":0,"small_purchases_this_week":0,"small_purchases_total_this_week":0,"spend_prev_week":0,"spend_this_week":0},"traits":{"age_band":"25-34"}}
  mmr signals: as_of 2025-10-26: 3 users, 3 transactions

A file not grouped by user gives the same bytes (sorted in memory, said so).

  $ mmr signals ../../../rules/patterns --transactions tx.ndjson --as-of 2025-10-26 --ndjson $TESTTMP/a.ndjson
  mmr signals: as_of 2025-10-26: 2 users, 3 transactions
  $ mmr signals ../../../rules/patterns --transactions unsorted.ndjson --as-of 2025-10-26 --ndjson $TESTTMP/b.ndjson
  mmr signals: as_of 2025-10-26: 2 users, 3 transactions (not grouped by user: sorted in memory)
  $ cmp $TESTTMP/a.ndjson $TESTTMP/b.ndjson && echo same
  same

Bad lines: every one is named, exit 1, and an existing output file is
left as it was.

  $ echo keep > $TESTTMP/out.ndjson
  $ mmr signals ../../../rules/patterns --transactions bad.ndjson --as-of 2025-10-26 --ndjson $TESTTMP/out.ndjson
  bad.ndjson:2: error: "ts": expected an ISO 8601 instant with Z or an offset, got "2025-10-22 13:00" (missing time zone: add Z or an offset like +05:30)
  bad.ndjson:3: error: "amount" must be a positive number, got "abc"
  [1]
  $ cat $TESTTMP/out.ndjson
  keep

An unknown zone in the traits file.

  $ mmr signals ../../../rules/patterns --transactions tx.ndjson --traits badtz.ndjson --as-of 2025-10-26 --ndjson $TESTTMP/out.ndjson
  badtz.ndjson:2: error: user u2: time zone "Mars/Olympus_Mons": unknown time zone
  [1]
  $ cat $TESTTMP/out.ndjson
  keep

A missing file, a ruleset with nothing to derive, usage errors.

  $ mmr signals ../../../rules/patterns --transactions nope.ndjson --as-of 2025-10-26 --ndjson -
  nope.ndjson: error: cannot open: No such file or directory
  [1]
  $ mmr signals nodefs.mmr --transactions tx.ndjson --as-of 2025-10-26 --ndjson -
  mmr signals: the ruleset declares no derived signal (signal NAME = ... of transaction ...)
  [1]
  $ mmr signals ../../../rules/patterns --transactions tx.ndjson --as-of 2025-13-01 --ndjson -
  mmr signals: --as-of 2025-13-01: not a date (YYYY-MM-DD)
  (see `mmr signals --help`)
  [2]
  $ mmr signals ../../../rules/patterns --transactions tx.ndjson --as-of 2025-10-26
  mmr signals: --ndjson OUT is required with --transactions (- for stdout)
  (see `mmr signals --help`)
  [2]
  $ mmr signals ../../../rules/patterns --db x.db --transactions tx.ndjson --as-of 2025-10-26
  mmr signals: --db reads the database: --transactions, --traits, --budgets, --goals and --ndjson are for files
  (see `mmr signals --help`)
  [2]

From the database: the same values in mm_signal_daily; a second run reuses
the day rollups; a late transaction is ingested and only its week is
computed again.

  $ mmr ingest --db $TESTTMP/s.db --traits traits.ndjson tx.ndjson
  mmr ingest: 3 transactions from 1 file: 3 new, 0 already present; traits of 2 users
  $ mmr signals ../../../rules/patterns --db $TESTTMP/s.db --as-of 2025-10-26 # sqlite output: its rollup cache
  mmr signals: as_of 2025-10-26: 3 users into mm_signal_daily; 42 days of rollups computed from 3 transactions, 0 reused
  $ sqlite3 $TESTTMP/s.db "SELECT user_id, spend_this_week, spend_prev_week, category_spend_this_week FROM mm_signal_daily ORDER BY user_id"
  u1|260.0|200.0|{"Food & Dining":260}
  u2|5.0||{"Shopping":5}
  u3|||
  $ mmr signals ../../../rules/patterns --db $TESTTMP/s.db --as-of 2025-10-26 # sqlite output: its rollup cache
  mmr signals: as_of 2025-10-26: 3 users into mm_signal_daily; 0 days of rollups computed from 0 transactions, 42 reused
  $ echo '{"txn_id":"t9","user_id":"u1","ts":"2025-10-25T13:00:00+05:30","amount":40,"type":"expense","category":"Food & Dining"}' > $TESTTMP/late.ndjson
  $ mmr ingest --db $TESTTMP/s.db $TESTTMP/late.ndjson
  mmr ingest: 1 transaction from 1 file: 1 new, 0 already present
  $ mmr signals ../../../rules/patterns --db $TESTTMP/s.db --as-of 2025-10-26 # sqlite output: its rollup cache
  mmr signals: as_of 2025-10-26: 3 users into mm_signal_daily; 7 days of rollups computed from 2 transactions, 35 reused
  $ sqlite3 $TESTTMP/s.db "SELECT spend_this_week FROM mm_signal_daily WHERE user_id = 'u1'"
  300.0

An unknown zone in mm_user_traits: named, exit 1, the database unchanged.

  $ sqlite3 $TESTTMP/s.db "UPDATE mm_user_traits SET tz = 'Mars/Base' WHERE user_id = 'u2'"
  $ sqlite3 $TESTTMP/s.db .dump > $TESTTMP/before.sql
  $ mmr signals ../../../rules/patterns --db $TESTTMP/s.db --as-of 2025-10-27
  mm_user_traits: error: user u2, column tz: unknown time zone "Mars/Base"
  [1]
  $ sqlite3 $TESTTMP/s.db .dump | cmp - $TESTTMP/before.sql && echo "db unchanged"
  db unchanged

`mmr ingest --traits`: an unknown zone names the line and nothing is
written; a trait without a column is ignored with a warning.

  $ mmr ingest --db $TESTTMP/t2.db --traits badtz.ndjson tx.ndjson; echo "exit $?"; ls $TESTTMP/t2.db 2>&1 | sed "s|$TESTTMP|TMP|"
  badtz.ndjson:2: error: user u2: time zone "Mars/Olympus_Mons": unknown time zone
  mmr ingest: 1 error; nothing was written
  exit 1
  ls: cannot access 'TMP/t2.db': No such file or directory
  $ printf '{"user_id":"u1","traits":{"tz":"Asia/Tokyo","shoe_size":9}}\n' > $TESTTMP/odd.ndjson
  $ mmr ingest --db $TESTTMP/t3.db --traits $TESTTMP/odd.ndjson 2>&1 | sed "s|$TESTTMP|TMP|"
  TMP/odd.ndjson: warning: trait "shoe_size" has no column in mm_user_traits; ignored
  mmr ingest: traits of 1 user
  $ sqlite3 $TESTTMP/t3.db "SELECT user_id, tz FROM mm_user_traits"
  u1|Asia/Tokyo
