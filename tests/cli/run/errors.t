Bad input of any kind: a clear message naming the place, exit 1, and the
database exactly as it was (compared with `sqlite3 .dump`).

  $ mmr gen --users 40 --db $TESTTMP/s.db
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --now 2025-10-26T09:00:00Z 2>&1 >/dev/null | grep -v elapsed
  mmr run: as_of 2025-10-26: 40 users, 43 candidates, 23 delivered, 20 suppressed (muted 1, cooldown 4, daily_cap 15)
  mmr run: events: 23 written, 0 published to redis, 0 pending in the outbox
  $ sqlite3 $TESTTMP/s.db .dump > $TESTTMP/before.sql
  $ same() { sqlite3 $TESTTMP/s.db .dump | cmp -s - $TESTTMP/before.sql && echo "db unchanged" || echo "DB CHANGED"; }; declare -f same > $TESTTMP/same.sh

A broken NDJSON line.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals broken.ndjson --now 2025-10-27T09:00:00Z; echo "exit $?"; . $TESTTMP/same.sh; same
  broken.ndjson:2:67: error: user u2: expected a key (a string)
  exit 1
  db unchanged

A CSV cell of the wrong type.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals wrongtype.csv --now 2025-10-27T09:00:00Z; echo "exit $?"; . $TESTTMP/same.sh; same
  wrongtype.csv:3: error: user u2: signal "dining_txn_7d" (column 3) must be a number, got "lots"
  exit 1
  db unchanged

A zone name that does not exist, in the file's traits.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals badtz.ndjson --now 2025-10-27T09:00:00Z > $TESTTMP/out 2>&1; echo "exit $?"; sed "s|$TESTTMP|TMP|" $TESTTMP/out; . $TESTTMP/same.sh; same
  exit 1
  badtz.ndjson:2: error: mm_user_traits.tz: user "u9": unknown time zone "Mars/Olympus_Mons"
    hint: use an IANA zone name such as Asia/Kolkata, or leave tz empty for the policy zone
  db unchanged

The same in the tables: a wrong stored type, a bad zone in mm_user_traits
(checked for every user, nudged or not), a missing table.

  $ cp $TESTTMP/s.db $TESTTMP/t.db; sqlite3 $TESTTMP/t.db "UPDATE mm_signal_daily SET wants_share_30d = 'high' WHERE user_id = 'u17'"; sqlite3 $TESTTMP/t.db .dump > $TESTTMP/t.sql # sqlite only: PostgreSQL's typed columns refuse the text
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/t.db --as-of 2025-10-26 --now 2025-10-27T09:00:00Z > $TESTTMP/out 2>&1; echo "exit $?"; sed "s|$TESTTMP|TMP|" $TESTTMP/out; sqlite3 $TESTTMP/t.db .dump | cmp - $TESTTMP/t.sql && echo "db unchanged" # sqlite only: PostgreSQL's typed columns refuse the text
  exit 1
  TMP/t.db: error: mm_signal_daily.wants_share_30d: user "u17": signal wants_share_30d must be a number, found text "high"
    hint: fix the stored value or the column; nothing was written
  db unchanged
  $ cp $TESTTMP/s.db $TESTTMP/t.db; sqlite3 $TESTTMP/t.db "UPDATE mm_user_traits SET tz = 'Asia/Atlantis' WHERE user_id = 'u5'"; sqlite3 $TESTTMP/t.db .dump > $TESTTMP/t.sql
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/t.db --now 2025-10-27T09:00:00Z > $TESTTMP/out 2>&1; echo "exit $?"; sed "s|$TESTTMP|TMP|" $TESTTMP/out; sqlite3 $TESTTMP/t.db .dump | cmp - $TESTTMP/t.sql && echo "db unchanged"
  exit 1
  TMP/t.db: error: mm_user_traits.tz: user "u5": unknown time zone "Asia/Atlantis"
    hint: use an IANA zone name such as Asia/Kolkata, or leave tz empty for the policy zone
  db unchanged
  $ cp $TESTTMP/s.db $TESTTMP/t.db; sqlite3 $TESTTMP/t.db "DROP TABLE mm_user_suppression"; sqlite3 $TESTTMP/t.db .dump > $TESTTMP/t.sql
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/t.db --now 2025-10-27T09:00:00Z > $TESTTMP/out 2>&1; echo "exit $?"; sed "s|$TESTTMP|TMP|" $TESTTMP/out; sqlite3 $TESTTMP/t.db .dump | cmp - $TESTTMP/t.sql && echo "db unchanged"
  exit 1
  TMP/t.db: error: table mm_user_suppression is missing
    hint: the schema was changed by hand; restore the table or start a new database
  db unchanged
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --as-of 2025-01-01 --now 2025-10-27T09:00:00Z > $TESTTMP/out 2>&1; echo "exit $?"; sed "s|$TESTTMP|TMP|" $TESTTMP/out; . $TESTTMP/same.sh; same
  exit 1
  TMP/s.db: error: mm_signal_daily has no rows for as_of 2025-01-01
  db unchanged
  $ sqlite3 $TESTTMP/e.db "CREATE TABLE x(y)"; mmr run ../../../rules/moneymoments --db $TESTTMP/e.db --now 2025-10-27T09:00:00Z 2>&1 | sed "s|$TESTTMP|TMP|"; sqlite3 $TESTTMP/e.db .tables
  TMP/e.db: error: mm_signal_daily is empty: no snapshot to run
    hint: load signals into mm_signal_daily, or give --signals FILE
  x

A locked database: another writer holds the lock past --busy-timeout.

  $ python3 lock.py $TESTTMP/s.db $TESTTMP/locked 2 > /dev/null 2>&1 & while [ ! -e $TESTTMP/locked ]; do sleep 0.05; done; mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals signals.ndjson --now 2025-10-27T09:00:00Z --busy-timeout 200 > $TESTTMP/out 2>&1; echo "exit $?"; sed "s|$TESTTMP|TMP|" $TESTTMP/out; wait # sqlite only: a file lock
  exit 1
  TMP/s.db: error: taking the write lock: the database is locked by another process (database is locked)
    hint: wait for the other writer to finish, or raise --busy-timeout
  $ . $TESTTMP/same.sh; same
  db unchanged

A read-only database (immutable for root, no write permission otherwise).

  $ cp $TESTTMP/s.db $TESTTMP/ro.db; if [ "$(id -u)" = 0 ]; then chattr +i $TESTTMP/ro.db; else chmod a-w $TESTTMP/ro.db; fi # sqlite only: file permissions
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/ro.db --signals signals.ndjson --now 2025-10-27T09:00:00Z 2>&1 | sed "s|$TESTTMP|TMP|"; exit ${PIPESTATUS[0]} # sqlite only: file permissions
  TMP/ro.db: error: open: the database is read-only (cannot write the file)
    hint: check the permissions of the file and its directory, or use --dry-run
  [1]
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/ro.db --signals next_day.ndjson --now 2025-10-27T09:00:00Z --dry-run 2>/dev/null | wc -l # sqlite only: file permissions
  3
  $ chattr -i $TESTTMP/ro.db 2>/dev/null; chmod u+w $TESTTMP/ro.db; sqlite3 $TESTTMP/ro.db .dump | cmp - $TESTTMP/before.sql && echo "db unchanged" # sqlite only: file permissions
  db unchanged

A ruleset with errors never touches the database.

  $ printf 'import "std/moneymoments"\nrule r { when dinning_txn_7d > 3 }\n' > $TESTTMP/bad.mmr
  $ mmr run $TESTTMP/bad.mmr --db $TESTTMP/s.db --now 2025-10-27T09:00:00Z > $TESTTMP/out 2>&1; echo "exit $?"; sed "s|$TESTTMP|TMP|" $TESTTMP/out | grep -c error
  exit 1
  3
  $ . $TESTTMP/same.sh; same
  db unchanged

The same user twice in one snapshot.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals dup.ndjson --now 2025-10-28T09:00:00Z; echo "exit $?"; . $TESTTMP/same.sh; same
  dup.ndjson:2: error: user "u1": rule budget_drift was already delivered for 2025-10-28 (is the user in the snapshot twice?)
  exit 1
  db unchanged

The same, with the duplicate inside a multi-row INSERT (64 rows a
statement): the rows are retried one by one, so the message names it.

  $ for i in $(seq -w 1 100); do echo "{\"user_id\":\"m$i\",\"as_of\":\"2025-10-28\",\"signals\":{\"budget_variance\":0.5}}"; if [ $i = 029 ]; then echo '{"user_id":"m010","as_of":"2025-10-28","signals":{"budget_variance":0.5}}'; fi; done > $TESTTMP/dup100.ndjson
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals $TESTTMP/dup100.ndjson --now 2025-10-28T09:00:00Z 2>&1 | sed "s|$TESTTMP/||"; . $TESTTMP/same.sh; same
  dup100.ndjson:30: error: user "m010": rule budget_drift was already delivered for 2025-10-28 (is the user in the snapshot twice?)
  db unchanged
