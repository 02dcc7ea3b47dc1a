mmr gen --transactions / --traits: deterministic sample transactions and
traits for the derived signals (docs/signals.md, "Sample data").

  $ mmr gen --users 12 --transactions $TESTTMP/a.ndjson --traits $TESTTMP/t.ndjson
  $ head -n 2 $TESTTMP/a.ndjson
  {"txn_id":"t1029800","user_id":"u1","ts":"2025-07-29T08:01:22+05:30","amount":6,"type":"expense","category":"Food & Dining","merchant":"Tea Stall","recurring":false}
  {"txn_id":"t1029801","user_id":"u1","ts":"2025-07-29T10:51:39+05:30","amount":6,"type":"expense","category":"Food & Dining","merchant":"Tea Stall","recurring":false}
  $ head -n 2 $TESTTMP/t.ndjson
  {"user_id":"u1","traits":{"age_band":"45-54","dependents":3,"gender":"non_binary","income_type":"salaried","lifestyle_tags":["foodie","traveller","gamer"],"region_code":"IN-TG","tz":"Asia/Kolkata"}}
  {"user_id":"u10","traits":{"age_band":"35-44","income_type":"salaried","lifestyle_tags":["foodie","traveller","gamer"],"region_code":"IN-KA","tz":"Asia/Kolkata"}}
  $ wc -l < $TESTTMP/t.ndjson
  12
  $ grep -o '"user_id":"u[0-9]*"' $TESTTMP/a.ndjson | uniq | tr '\n' ' '; echo
  "user_id":"u1" "user_id":"u10" "user_id":"u11" "user_id":"u12" "user_id":"u2" "user_id":"u3" "user_id":"u4" "user_id":"u5" "user_id":"u6" "user_id":"u7" "user_id":"u8" "user_id":"u9" 

The same N, seed and date give the same bytes; the CSV form holds the same
records.

  $ mmr gen --users 12 --transactions $TESTTMP/b.ndjson && cmp $TESTTMP/a.ndjson $TESTTMP/b.ndjson && echo same
  same
  $ mmr gen --users 12 --transactions $TESTTMP/a.csv && head -n 3 $TESTTMP/a.csv
  txn_id,user_id,ts,amount,type,category,merchant,recurring
  t1029800,u1,2025-07-29T08:01:22+05:30,6,expense,Food & Dining,Tea Stall,false
  t1029801,u1,2025-07-29T10:51:39+05:30,6,expense,Food & Dining,Tea Stall,false
  $ tail -n +2 $TESTTMP/a.csv | wc -l; wc -l < $TESTTMP/a.ndjson
  4336
  4336
  $ mmr gen --users 12 --seed 2 --transactions - 2>/dev/null | cmp -s - $TESTTMP/a.ndjson || echo differs
  differs

A day's records do not depend on the as-of date: the history as of the day
before holds the same records, but for its own first day (2025-07-28: the
90 days move) and the first day of a user whose history starts within the
last two weeks (u6 here: that start moves with the date too).

  $ mmr gen --users 12 --as-of 2025-10-25 --transactions $TESTTMP/c.ndjson
  $ LC_ALL=C comm -13 <(LC_ALL=C sort $TESTTMP/a.ndjson) <(LC_ALL=C sort $TESTTMP/c.ndjson) | grep -o '"user_id":"u[0-9]*","ts":"[0-9-]*' | uniq -c | sed 's/^ *//'
  2 "user_id":"u10","ts":"2025-07-28
  5 "user_id":"u1","ts":"2025-07-28
  4 "user_id":"u12","ts":"2025-07-28
  3 "user_id":"u2","ts":"2025-07-28
  3 "user_id":"u3","ts":"2025-07-28
  7 "user_id":"u4","ts":"2025-07-28
  2 "user_id":"u5","ts":"2025-07-28
  7 "user_id":"u6","ts":"2025-10-23
  5 "user_id":"u7","ts":"2025-07-28
  3 "user_id":"u8","ts":"2025-07-28
  3 "user_id":"u9","ts":"2025-07-28

txn_id is unique, every ts carries an offset or Z, and `mmr ingest` takes
every record.

  $ grep -o '"txn_id":"[^"]*"' $TESTTMP/a.ndjson | LC_ALL=C sort | uniq -d | wc -l
  0
  $ grep -c '"ts":"[0-9-]*T[0-9:]*\(Z\|[+-][0-9][0-9]:[0-9][0-9]\)"' $TESTTMP/a.ndjson
  4336
  $ mmr ingest --db $TESTTMP/s.db $TESTTMP/a.ndjson
  mmr ingest: 4336 transactions from 1 file: 4336 new, 0 already present

Usage errors.

  $ mmr gen --transactions -
  mmr gen: --users N is required
  (see `mmr gen --help`)
  [2]
  $ mmr gen --users 3 --transactions - --ndjson -
  mmr gen: --transactions/--traits/--budgets/--goals go without --ndjson, --csv or --db
  (see `mmr gen --help`)
  [2]
  $ mmr gen --users 3 --days 0 --transactions -
  mmr gen: --days wants a count 1..3650, got "0"
  (see `mmr gen --help`)
  [2]
  $ mmr gen --users 3 --transactions - --traits -
  mmr gen: only one of --transactions, --traits, --budgets, --goals can go to stdout
  (see `mmr gen --help`)
  [2]
