User ids read back from the database follow the one rule too
(docs/engine.md, "User ids"). SQLite text may hold a NUL byte, which C
would silently cut short ('u6'||x'00'||'evil' would become u6): such a
row is refused with the table, the column and a readable, escaped prefix
of the id, and nothing is written.

  $ mmr gen --users 5 --db $TESTTMP/s.db
  $ cp $TESTTMP/s.db $TESTTMP/t.db; sqlite3 $TESTTMP/t.db "UPDATE mm_signal_daily SET user_id = 'u6'||x'00'||'evil' WHERE user_id = 'u3'"; sqlite3 $TESTTMP/t.db .dump > $TESTTMP/t.sql # sqlite only: PostgreSQL text cannot hold a NUL
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/t.db --now 2025-10-27T09:00:00Z 2>&1 | sed "s|$TESTTMP/||"; echo "exit ${PIPESTATUS[0]}"; sqlite3 $TESTTMP/t.db .dump | cmp - $TESTTMP/t.sql && echo "db unchanged" # sqlite only: PostgreSQL text cannot hold a NUL
  t.db: error: mm_signal_daily.user_id (as_of 2025-10-26): user id "u6\u0000evil" holds a NUL byte
    hint: fix the stored user id; nothing was written
  exit 1
  db unchanged
  $ cp $TESTTMP/s.db $TESTTMP/t.db; sqlite3 $TESTTMP/t.db "UPDATE mm_user_traits SET user_id = 'u2'||x'00'||'x' WHERE user_id = 'u2'"; sqlite3 $TESTTMP/t.db .dump > $TESTTMP/t.sql # sqlite only: PostgreSQL text cannot hold a NUL
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/t.db --now 2025-10-27T09:00:00Z 2>&1 | sed "s|$TESTTMP/||"; echo "exit ${PIPESTATUS[0]}"; sqlite3 $TESTTMP/t.db .dump | cmp - $TESTTMP/t.sql && echo "db unchanged" # sqlite only: PostgreSQL text cannot hold a NUL
  t.db: error: mm_user_traits.user_id: user id "u2\u0000x" holds a NUL byte
    hint: fix the stored user id; nothing was written
  exit 1
  db unchanged

An id longer than 255 bytes or with a control character, stored by some
other writer, is refused the same way.

  $ cp $TESTTMP/s.db $TESTTMP/t.db; sqlite3 $TESTTMP/t.db "UPDATE mm_signal_daily SET user_id = 'u' || replace(hex(zeroblob(150)), '0', 'x') WHERE user_id = 'u4'"
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/t.db --now 2025-10-27T09:00:00Z 2>&1 | sed "s|$TESTTMP/||"; echo "exit ${PIPESTATUS[0]}"
  t.db: error: mm_signal_daily.user_id (as_of 2025-10-26): user id "uxxxxxxxxxxxxxxx…" is 301 bytes long; the limit is 255
    hint: fix the stored user id; nothing was written
  exit 1
  $ cp $TESTTMP/s.db $TESTTMP/t.db; sqlite3 $TESTTMP/t.db "UPDATE mm_signal_daily SET user_id = 'u1'||char(10)||'x' WHERE user_id = 'u1'"
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/t.db --now 2025-10-27T09:00:00Z 2>&1 | sed "s|$TESTTMP/||"; echo "exit ${PIPESTATUS[0]}"
  t.db: error: mm_signal_daily.user_id (as_of 2025-10-26): user id "u1\nx" holds a control character
    hint: fix the stored user id; nothing was written
  exit 1

A zone name with a NUL inside is not cut short either.

  $ cp $TESTTMP/s.db $TESTTMP/t.db; sqlite3 $TESTTMP/t.db "UPDATE mm_user_traits SET tz = 'Asia/Kolkata'||x'00'||'junk' WHERE user_id = 'u2'" # sqlite only: PostgreSQL text cannot hold a NUL
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/t.db --now 2025-10-27T09:00:00Z 2>&1 | sed "s|$TESTTMP/||"; echo "exit ${PIPESTATUS[0]}" # sqlite only: PostgreSQL text cannot hold a NUL
  t.db: error: mm_user_traits.tz: user "u2": the zone name holds a NUL byte
  exit 1

A user named on the command line (mmr settings, mmr feed) is checked
before the database is opened: a usage error, exit 2. A delivery whose
stored user id holds a NUL is refused by mmr interact.

  $ mmr settings --db $TESTTMP/s.db --user "$(printf 'u1\033[2J')"
  mmr settings: --user: user id "u1\u001b[2J" holds a control character
  (see `mmr settings --help`)
  [2]
  $ mmr feed --db $TESTTMP/s.db --user "$(python3 -c 'print("v" * 256)')"
  mmr feed: --user: user id "vvvvvvvvvvvvvvvv…" is 256 bytes long; the limit is 255
  (see `mmr feed --help`)
  [2]
  $ mmr feed --db $TESTTMP/s.db --user ""
  mmr feed: --user: user id "" is empty
  (see `mmr feed --help`)
  [2]
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --now 2025-10-27T09:00:00Z 2>/dev/null >/dev/null; sqlite3 $TESTTMP/s.db "UPDATE mm_nudge_delivery_log SET user_id = 'u9'||x'00'||'z' WHERE rowid = (SELECT min(rowid) FROM mm_nudge_delivery_log)"; D=$(sqlite3 $TESTTMP/s.db "SELECT delivery_id FROM mm_nudge_delivery_log ORDER BY rowid LIMIT 1"); mmr interact --db $TESTTMP/s.db --delivery "$D" --action viewed 2>&1 | sed "s|$TESTTMP/||; s|$D|DID|"; echo "exit ${PIPESTATUS[0]}" # sqlite only: PostgreSQL text cannot hold a NUL
  s.db: error: mm_nudge_delivery_log.user_id (delivery_id "DID"): user id "u9\u0000z" holds a NUL byte
  exit 1
