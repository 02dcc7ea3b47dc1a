mmr ingest: transactions (NDJSON and CSV), budgets and goals into the state
database, all in one transaction, idempotent by txn_id.

  $ mmr ingest --help | head -1
  usage: mmr ingest --db FILE [--traits FILE] [--budgets FILE] [--goals FILE] [TXFILE...]
  $ mmr ingest tx.ndjson
  mmr ingest: --db FILE is required
  (see `mmr ingest --help`)
  [2]
  $ mmr ingest --db $TESTTMP/s.db
  mmr ingest: nothing to ingest: give transaction files, --traits, --budgets or --goals
  (see `mmr ingest --help`)
  [2]
  $ mmr ingest --db $TESTTMP/s.db --frobnicate tx.ndjson
  mmr ingest: unknown option "--frobnicate"
  (see `mmr ingest --help`)
  [2]
  $ mmr ingest --db $TESTTMP/s.db --budgets - -
  mmr ingest: only one input can be - (stdin)
  (see `mmr ingest --help`)
  [2]
  $ mmr ingest --db
  mmr ingest: --db needs a value
  (see `mmr ingest --help`)
  [2]
  $ mmr ingest --db $TESTTMP/s.db --busy-timeout soon tx.ndjson
  mmr ingest: --busy-timeout wants milliseconds, got "soon"
  (see `mmr ingest --help`)
  [2]

A file that cannot be opened or read (a directory) stops everything before
the database is touched.

  $ mmr ingest --db $TESTTMP/s.db tx.ndjson nope.ndjson
  nope.ndjson: error: cannot open: No such file or directory
  mmr ingest: 1 error; nothing was written
  [1]
  $ test -e $TESTTMP/s.db || echo no database
  no database
  $ mmr ingest --db $TESTTMP/s.db .
  .: error: cannot read: Is a directory
  mmr ingest: 1 error; nothing was written
  [1]
  $ test -e $TESTTMP/s.db || echo no database
  no database

A first ingest creates the database (schema version 4) and loads NDJSON and
CSV. Blank lines and unknown fields are skipped; merchant and recurring are
optional.

  $ mmr ingest --db $TESTTMP/s.db tx.ndjson tx.csv
  mmr ingest: 5 transactions from 2 files: 5 new, 0 already present
  $ sqlite3 $TESTTMP/s.db "SELECT max(version) FROM mm_schema_version"
  8
  $ sqlite3 $TESTTMP/s.db "SELECT txn_id, user_id, ts, ts_text, amount, type, category, coalesce(merchant, 'NULL'), recurring FROM mm_transaction ORDER BY txn_id"
  t1|u1|1760949180|2025-10-20T14:03:00+05:30|260.0|expense|Food & Dining|Swiggy|0
  t2|u1|1759309200|2025-10-01T09:00:00Z|85000.0|income|Salary|NULL|1
  t3|u2|1760931000|2025-10-19T23:30:00-04:00|1299.5|expense|Shopping|Amazon|0
  t4|u2|1761014700|2025-10-21T08:15:00+05:30|499.0|expense|Entertainment|Netflix, Inc.|1
  t5|u3|1761048000|2025-10-21T12:00:00Z|120.25|expense|Food & Dining|NULL|0

The same files again change nothing; a transaction sent again unchanged is
counted as present, a new one is added.

  $ mmr ingest --db $TESTTMP/s.db tx.ndjson tx.csv
  mmr ingest: 5 transactions from 2 files: 0 new, 5 already present
  $ sqlite3 $TESTTMP/s.db .dump > $TESTTMP/before.sql
  $ mmr ingest --db $TESTTMP/s.db resend.ndjson
  mmr ingest: 2 transactions from 1 file: 1 new, 1 already present
  $ sqlite3 $TESTTMP/s.db "SELECT count(*) FROM mm_transaction"
  6

The same txn_id with a field changed is an error naming the file, the line,
the field and both values; nothing of the ingest is written, not even the
new t7 (and a txn_id that repeats within the ingest is caught too).

  $ sqlite3 $TESTTMP/s.db .dump > $TESTTMP/before.sql
  $ mmr ingest --db $TESTTMP/s.db changed.ndjson
  changed.ndjson:2: error: transaction "t1" was already ingested with "amount" 260, now 261
  changed.ndjson:3: error: transaction "t2" was already ingested with "ts" "2025-10-01T09:00:00Z", now "2025-10-01T09:00:00+00:00"
  changed.ndjson:4: error: transaction "t3" was already ingested with "merchant" "Amazon", now "Flipkart"
  changed.ndjson:5: error: transaction "t7" appears earlier in this ingest with "type" "expense", now "income"
  mmr ingest: 4 errors; nothing was written
  [1]
  $ sqlite3 $TESTTMP/s.db "SELECT count(*) FROM mm_transaction; SELECT count(*) FROM mm_transaction WHERE txn_id = 't7'"
  6
  0
  $ sqlite3 $TESTTMP/s.db .dump | cmp - $TESTTMP/before.sql && echo unchanged
  unchanged

A bad line in the second of two files: every error is reported and nothing
from the first file is in the database.

  $ mmr ingest --db $TESTTMP/s.db good2.ndjson bad.ndjson
  bad.ndjson:2: error: "amount" must be a positive number, got "abc"
  bad.ndjson:3: error: missing "ts"
  bad.ndjson:4: error: "ts": expected an ISO 8601 instant with Z or an offset, got "2025-10-20 14:03" (missing time zone: add Z or an offset like +05:30)
  bad.ndjson:5: error: "type" must be "expense" or "income", got "refund"
  bad.ndjson:6: error: "amount" must be a positive number, got -3
  bad.ndjson:7:17: error: invalid JSON: expected ',' or '}'
  bad.ndjson:8: error: "txn_id" must not contain a NUL character (\u0000), got "t\u0000"
  bad.ndjson:9: error: "amount" must be a positive number, got 1e400
  bad.ndjson:10:1: error: invalid JSON: a line must be one JSON object
  bad.ndjson:11:104: error: invalid UTF-8
  mmr ingest: 10 errors; nothing was written
  [1]
  $ sqlite3 $TESTTMP/s.db "SELECT count(*) FROM mm_transaction WHERE user_id IN ('u4', 'u5')"
  0
  $ sqlite3 $TESTTMP/s.db .dump | cmp - $TESTTMP/before.sql && echo unchanged
  unchanged

At most 20 errors are printed.

  $ mmr ingest --db $TESTTMP/s.db many.ndjson
  many.ndjson:1: error: "amount" must be a positive number, got 0
  many.ndjson:2: error: "amount" must be a positive number, got 0
  many.ndjson:3: error: "amount" must be a positive number, got 0
  many.ndjson:4: error: "amount" must be a positive number, got 0
  many.ndjson:5: error: "amount" must be a positive number, got 0
  many.ndjson:6: error: "amount" must be a positive number, got 0
  many.ndjson:7: error: "amount" must be a positive number, got 0
  many.ndjson:8: error: "amount" must be a positive number, got 0
  many.ndjson:9: error: "amount" must be a positive number, got 0
  many.ndjson:10: error: "amount" must be a positive number, got 0
  many.ndjson:11: error: "amount" must be a positive number, got 0
  many.ndjson:12: error: "amount" must be a positive number, got 0
  many.ndjson:13: error: "amount" must be a positive number, got 0
  many.ndjson:14: error: "amount" must be a positive number, got 0
  many.ndjson:15: error: "amount" must be a positive number, got 0
  many.ndjson:16: error: "amount" must be a positive number, got 0
  many.ndjson:17: error: "amount" must be a positive number, got 0
  many.ndjson:18: error: "amount" must be a positive number, got 0
  many.ndjson:19: error: "amount" must be a positive number, got 0
  many.ndjson:20: error: "amount" must be a positive number, got 0
  ... and 5 more errors
  mmr ingest: 25 errors; nothing was written
  [1]
  $ mmr ingest --db $TESTTMP/s.db badrow.csv
  badrow.csv:3: error: the row has 5 cells, the header has 6
  badrow.csv:4: error: "amount" must be a positive number, got "1,5"
  mmr ingest: 2 errors; nothing was written
  [1]
  $ mmr ingest --db $TESTTMP/s.db nocols.csv
  nocols.csv:1: error: the header has no "type" column
  mmr ingest: 1 error; nothing was written
  [1]

A late transaction drops the signal tiles of its user around its day: the
rows (one a week, keyed by the day number of its Monday) that hold the UTC
day before, of or after it, which covers its local day in every zone.
2025-10-24 (day 20385) is a Friday: the week of Monday 20381.

  $ sqlite3 $TESTTMP/s.db "INSERT INTO mm_signal_tile(user_id, spec, week, data) VALUES ('u4', 1, 20374, x'00'), ('u4', 1, 20381, x'00'), ('u4', 2, 20381, x'00'), ('u4', 1, 20388, x'00'), ('u4', 1, 20395, x'00'), ('u1', 1, 20381, x'00')" # sqlite only: its rollup cache
  $ mmr ingest --db $TESTTMP/s.db good2.ndjson
  mmr ingest: 2 transactions from 1 file: 2 new, 0 already present
  $ sqlite3 $TESTTMP/s.db "SELECT user_id, spec, week FROM mm_signal_tile ORDER BY 1, 2, 3" # sqlite only: its rollup cache
  u1|1|20381
  u4|1|20374
  u4|1|20388
  u4|1|20395

On a Monday (2025-10-27T01:00Z, day 20388) the day before is in the week
before: both weeks go.

  $ sqlite3 $TESTTMP/s.db "INSERT INTO mm_signal_tile(user_id, spec, week, data) VALUES ('u4', 1, 20381, x'00')" # sqlite only: its rollup cache
  $ mmr ingest --db $TESTTMP/s.db monday.ndjson
  mmr ingest: 1 transaction from 1 file: 1 new, 0 already present
  $ sqlite3 $TESTTMP/s.db "SELECT user_id, spec, week FROM mm_signal_tile ORDER BY 1, 2, 3" # sqlite only: its rollup cache
  u1|1|20381
  u4|1|20374
  u4|1|20395

Sending them again drops nothing.

  $ sqlite3 $TESTTMP/s.db "INSERT INTO mm_signal_tile(user_id, spec, week, data) VALUES ('u4', 1, 20381, x'00'), ('u4', 1, 20388, x'00')" # sqlite only: its rollup cache
  $ mmr ingest --db $TESTTMP/s.db good2.ndjson monday.ndjson
  mmr ingest: 3 transactions from 2 files: 0 new, 3 already present
  $ sqlite3 $TESTTMP/s.db "SELECT user_id, spec, week FROM mm_signal_tile ORDER BY 1, 2, 3" # sqlite only: its rollup cache
  u1|1|20381
  u4|1|20374
  u4|1|20381
  u4|1|20388
  u4|1|20395

From stdin.

  $ cat resend.ndjson | mmr ingest --db $TESTTMP/s.db -
  mmr ingest: 2 transactions from 1 file: 0 new, 2 already present

Budgets and goals replace the row of their key.

  $ mmr ingest --db $TESTTMP/s.db --budgets budgets.ndjson --goals goals.ndjson
  mmr ingest: 3 budgets; 2 goals
  $ mmr ingest --db $TESTTMP/s.db --budgets budgets2.ndjson
  mmr ingest: 1 budget
  $ sqlite3 $TESTTMP/s.db "SELECT * FROM mm_budget ORDER BY 1, 2; SELECT user_id, goal_id, name, target, saved, coalesce(deadline, 'NULL'), priority FROM mm_goal ORDER BY 1, 2"
  u1|Food & Dining|6000.0|month
  u1|Shopping|8000.0|month
  u2|Shopping|2000.5|week
  u1|g1|Goa Trip|50000.0|12000.0|2026-03-01|1
  u2|g1|Emergency Fund|100000.0|0.0|NULL|0
  $ sqlite3 $TESTTMP/s.db .dump > $TESTTMP/before.sql
  $ mmr ingest --db $TESTTMP/s.db --budgets badbudgets.ndjson --goals badgoals.ndjson
  badbudgets.ndjson:1: error: "limit" must be a positive number, got 0
  badbudgets.ndjson:2: error: missing "category"
  badbudgets.ndjson:3: error: "limit" must be a positive number, got "100"
  badbudgets.ndjson:4: error: "period" must be "month" or "week", got "monthly"
  badbudgets.ndjson:5:34: error: invalid JSON: string or '}' expected near end of file
  badgoals.ndjson:1: error: "target" must be a positive number, got -5
  badgoals.ndjson:2: error: "deadline" must be a date YYYY-MM-DD or null, got "2026-02-30"
  badgoals.ndjson:3: error: missing "name"
  badgoals.ndjson:4: error: "saved" must be a number, at least 0, got -1
  badgoals.ndjson:5: error: a line must be one JSON object
  badgoals.ndjson:6: error: "deadline" must be a date YYYY-MM-DD or null, got 20260301
  mmr ingest: 11 errors; nothing was written
  [1]
  $ sqlite3 $TESTTMP/s.db .dump | cmp - $TESTTMP/before.sql && echo unchanged
  unchanged

A database of the previous schema (version 3) is migrated by the first
ingest.

  $ mmr ingest --db $TESTTMP/v3.db tx.ndjson 2>/dev/null
  $ sqlite3 $TESTTMP/v3.db "DROP TABLE mm_transaction; DROP TABLE mm_signal_tile; DROP TABLE mm_budget; DROP TABLE mm_goal; DROP TABLE mm_nudge_deferred; UPDATE mm_schema_version SET version = 3" # sqlite only: a file of schema version 3
  $ mmr ingest --db $TESTTMP/v3.db tx.ndjson # sqlite only: a file of schema version 3
  mmr ingest: 3 transactions from 1 file: 3 new, 0 already present
  $ sqlite3 $TESTTMP/v3.db "SELECT version FROM mm_schema_version ORDER BY 1; SELECT count(*) FROM mm_transaction" # sqlite only: a file of schema version 3
  3
  4
  5
  6
  7
  8
  3
