User ids in transactions, budgets, goals and traits files follow the one
rule (docs/signals.md): 1 to 255 bytes of UTF-8, no NUL, no control
character. A bad id is an error at its line, with an escaped preview, and
nothing is written.

  $ python3 -c 'print("{\"txn_id\":\"t1\",\"user_id\":\"" + "u" * 300 + "\",\"ts\":\"2025-10-20T10:00:00Z\",\"amount\":5,\"type\":\"expense\",\"category\":\"Food\"}")' > $TESTTMP/long.ndjson
  $ printf '{"txn_id":"t2","user_id":"a\\u0007b","ts":"2025-10-20T10:00:00Z","amount":5,"type":"expense","category":"Food"}\n{"txn_id":"t3","user_id":"","ts":"2025-10-20T10:00:00Z","amount":5,"type":"expense","category":"Food"}\n{"txn_id":"t4","user_id":"u\\u0000x","ts":"2025-10-20T10:00:00Z","amount":5,"type":"expense","category":"Food"}\n' > $TESTTMP/ctl.ndjson
  $ printf 'txn_id,user_id,ts,amount,type,category\nt5,"u\tv",2025-10-20T10:00:00Z,5,expense,Food\nt6,\xc3,2025-10-20T10:00:00Z,5,expense,Food\n' > $TESTTMP/ids.csv
  $ mmr ingest --db $TESTTMP/s.db $TESTTMP/long.ndjson $TESTTMP/ctl.ndjson $TESTTMP/ids.csv 2>&1 | sed "s|$TESTTMP/||"
  long.ndjson:1: error: user id "uuuuuuuuuuuuuuuu…" is 300 bytes long; the limit is 255
  ctl.ndjson:1: error: user id "a\u0007b" holds a control character
  ctl.ndjson:2: error: user id "" is empty
  ctl.ndjson:3: error: user id "u\u0000x" holds a NUL byte
  ids.csv:2: error: user id "u\tv" holds a control character
  ids.csv:3:4: error: invalid UTF-8
  mmr ingest: 6 errors; nothing was written

Budgets, goals and traits: the same rule, the same words.

  $ printf '{"user_id":"u\\u0085evil","category":"Food","limit":100}\n{"user_id":"ok","category":"Food","limit":100}\n' > $TESTTMP/b.ndjson
  $ printf '{"user_id":"g\\u001b[31m","goal_id":"g1","name":"Trip","target":100}\n' > $TESTTMP/g.ndjson
  $ python3 -c 'print("{\"user_id\":\"" + "\u00e9" * 128 + "\",\"traits\":{}}")' > $TESTTMP/t.ndjson
  $ mmr ingest --db $TESTTMP/s.db --budgets $TESTTMP/b.ndjson --goals $TESTTMP/g.ndjson 2>&1 | sed "s|$TESTTMP/||"
  b.ndjson:1: error: user id "u\u0085evil" holds a control character
  g.ndjson:1: error: user id "g\u001b[31m" holds a control character
  mmr ingest: 2 errors; nothing was written
  $ mmr ingest --db $TESTTMP/s.db --traits $TESTTMP/t.ndjson 2>&1 | sed "s|$TESTTMP/||"
  t.ndjson:1: error: user id "éééééééééééééééé…" is 256 bytes long; the limit is 255
  mmr ingest: 1 error; nothing was written

Line ends: a CR alone ends a line as LF and CRLF do, with lines counted
right, in transactions (NDJSON and CSV), budgets, goals and traits.

  $ printf '{"txn_id":"t1","user_id":"u1","ts":"2025-10-20T10:00:00Z","amount":5,"type":"expense","category":"Food"}\r{"txn_id":"t2","user_id":"u2","ts":"2025-10-20T10:00:00Z","amount":5,"type":"expense","category":"Food"}\r\n\r{"txn_id":"t3","user_id":"u3","ts":"2025-10-20T10:00:00Z","amount":-5,"type":"expense","category":"Food"}\r' > $TESTTMP/cr.ndjson
  $ mmr ingest --db $TESTTMP/c.db $TESTTMP/cr.ndjson 2>&1 | sed "s|$TESTTMP/||"
  cr.ndjson:4: error: "amount" must be a positive number, got -5
  mmr ingest: 1 error; nothing was written
  $ printf 'txn_id,user_id,ts,amount,type,category\rt1,u1,2025-10-20T10:00:00Z,5,expense,Food\rt2,u2,2025-10-20T10:00:00Z,5,expense,Food\r' > $TESTTMP/cr.csv
  $ printf '{"user_id":"u1","category":"Food","limit":100}\r{"user_id":"u2","category":"Food","limit":100}\r' > $TESTTMP/crb.ndjson
  $ printf '{"user_id":"u1","goal_id":"g1","name":"Trip","target":100}\r{"user_id":"u2","goal_id":"g1","name":"Trip","target":100}\r' > $TESTTMP/crg.ndjson
  $ printf '{"user_id":"u1","traits":{}}\r{"user_id":"u2","traits":{}}\r{"user_id":"u3","traits":{}}' > $TESTTMP/crt.ndjson
  $ mmr ingest --db $TESTTMP/c.db $TESTTMP/cr.csv --budgets $TESTTMP/crb.ndjson --goals $TESTTMP/crg.ndjson --traits $TESTTMP/crt.ndjson
  mmr ingest: 2 transactions from 1 file: 2 new, 0 already present; 2 budgets; 2 goals; traits of 3 users
  $ printf '{"user_id":"u1","traits":{}}\r{"user_id":"u2","traits":{}}\r{"user_id":7,"traits":{}}\r' > $TESTTMP/crt2.ndjson
  $ mmr ingest --db $TESTTMP/c.db --traits $TESTTMP/crt2.ndjson 2>&1 | sed "s|$TESTTMP/||"
  crt2.ndjson:3: error: a traits line needs "user_id" (a non-empty text)
  mmr ingest: 1 error; nothing was written
