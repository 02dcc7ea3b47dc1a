User ids in the signals stage: files and database rows follow the one rule
(docs/signals.md, "User ids"). A NUL inside a stored id is refused rather
than cut short.

  $ mmr ingest --db $TESTTMP/s.db --traits traits.ndjson tx.ndjson
  mmr ingest: 3 transactions from 1 file: 3 new, 0 already present; traits of 2 users
  $ cp $TESTTMP/s.db $TESTTMP/t.db; sqlite3 $TESTTMP/t.db "UPDATE mm_transaction SET user_id = 'u1'||x'00'||'evil' WHERE txn_id = 't1'"; sqlite3 $TESTTMP/t.db .dump > $TESTTMP/t.sql # sqlite only: PostgreSQL text cannot hold a NUL
  $ mmr signals ../../../rules/patterns --db $TESTTMP/t.db --as-of 2025-10-26 2>&1 | sed "s|$TESTTMP/||"; echo "exit ${PIPESTATUS[0]}"; sqlite3 $TESTTMP/t.db .dump | cmp - $TESTTMP/t.sql && echo "db unchanged" # sqlite only: PostgreSQL text cannot hold a NUL
  t.db: error: mm_transaction.user_id: user id "u1\u0000evil" holds a NUL byte
    hint: fix the stored user id; nothing was written
  exit 1
  db unchanged
  $ cp $TESTTMP/s.db $TESTTMP/t.db; sqlite3 $TESTTMP/t.db "UPDATE mm_user_traits SET user_id = 'u3'||char(9) WHERE user_id = 'u3'"
  $ mmr signals ../../../rules/patterns --db $TESTTMP/t.db --as-of 2025-10-26 2>&1 | sed "s|$TESTTMP/||"; echo "exit ${PIPESTATUS[0]}"
  t.db: error: mm_user_traits.user_id: user id "u3\t" holds a control character
    hint: fix the stored user id; nothing was written
  exit 1

Files: transactions, traits, budgets; a CR alone ends a line in each.

  $ printf '{"txn_id":"t1","user_id":"u1","ts":"2025-10-20T10:00:00Z","amount":5,"type":"expense","category":"Food"}\r{"txn_id":"t2","user_id":"u\\u001f","ts":"2025-10-20T10:00:00Z","amount":5,"type":"expense","category":"Food"}\r' > $TESTTMP/tx.ndjson
  $ mmr signals ../../../rules/patterns --transactions $TESTTMP/tx.ndjson --as-of 2025-10-26 --ndjson - 2>&1 | sed "s|$TESTTMP/||"; echo "exit ${PIPESTATUS[0]}"
  tx.ndjson:2: error: user id "u\u001f" holds a control character
  exit 1
  $ printf '{"user_id":"u1","category":"Food","limit":100}\r{"user_id":"%s","category":"Food","limit":100}\r' "$(python3 -c 'print("b" * 300)')" > $TESTTMP/b.ndjson
  $ mmr signals ../../../rules/moneymoments --transactions tx.ndjson --budgets $TESTTMP/b.ndjson --as-of 2025-10-26 --ndjson - 2>&1 | sed "s|$TESTTMP/||"; echo "exit ${PIPESTATUS[0]}"
  b.ndjson:2: error: user id "bbbbbbbbbbbbbbbb…" is 300 bytes long; the limit is 255
  exit 1
  $ printf '{"user_id":"u2","traits":{}}\r{"user_id":"u1\\u007f","traits":{}}\r' > $TESTTMP/tr.ndjson
  $ mmr signals ../../../rules/patterns --transactions tx.ndjson --traits $TESTTMP/tr.ndjson --as-of 2025-10-26 --ndjson - 2>&1 | sed "s|$TESTTMP/||"; echo "exit ${PIPESTATUS[0]}"
  tr.ndjson:2: error: user id "u1\u007f" holds a control character
  exit 1
