User ids in signal snapshot files follow one rule (docs/engine.md, "User
ids"): 1 to 255 bytes of UTF-8 without NUL or control characters. A bad
id is refused at its line with a short, escaped preview, never the whole
value.

  $ ln -s "$PWD/../../../rules" $TESTTMP/rules
  $ cd $TESTTMP && python3 -c 'print("{\"user_id\":\"u1\"}"); print("{\"user_id\":\"" + "u" * 300 + "\"}")' > long.ndjson
  $ cd $TESTTMP && mmr eval rules/moneymoments --signals long.ndjson
  {"user_id":"u1","as_of":null,"candidates":[],"selected":null}
  long.ndjson:2: error: user id "uuuuuuuuuuuuuuuu…" is 300 bytes long; the limit is 255
  [1]

255 bytes is fine, 256 is not; a number as the id counts its digits.

  $ cd $TESTTMP && python3 -c 'print("{\"user_id\":\"" + "x" * 255 + "\"}"); print("{\"user_id\":\"" + "y" * 256 + "\"}"); print("{\"user_id\":" + "7" * 256 + "}")' > edge.ndjson
  $ cd $TESTTMP && mmr eval rules/moneymoments --signals edge.ndjson --keep-going > edge.out; echo "exit $?"; cut -c1-30 edge.out
  edge.ndjson:2: error: user id "yyyyyyyyyyyyyyyy…" is 256 bytes long; the limit is 255
  edge.ndjson:3: error: user id "7777777777777777…" is 256 bytes long; the limit is 255
  exit 1
  {"user_id":"xxxxxxxxxxxxxxxxxx

Control characters (escaped in the file), C1 controls, and an empty id.

  $ cd $TESTTMP && printf '{"user_id":"a\\nb"}\n{"user_id":"\\u0085x"}\n{"user_id":""}\n{"user_id":"tab\\there"}\n' > ctl.ndjson
  $ cd $TESTTMP && mmr eval rules/moneymoments --signals ctl.ndjson --keep-going
  ctl.ndjson:1: error: user id "a\nb" holds a control character
  ctl.ndjson:2: error: user id "\u0085x" holds a control character
  ctl.ndjson:3: error: user id "" is empty
  ctl.ndjson:4: error: user id "tab\there" holds a control character
  [1]

The same in CSV, with the column.

  $ cd $TESTTMP && printf 'user_id,dining_txn_7d\nu1,3\n"u\001x",4\n"%s",5\n' "$(python3 -c 'print("\u00e9" * 200)')" > ids.csv
  $ cd $TESTTMP && mmr eval rules/moneymoments --signals ids.csv --keep-going
  {"user_id":"u1","as_of":null,"candidates":[],"selected":null}
  ids.csv:3: error: user id "u\u0001x" holds a control character (column 1)
  ids.csv:4: error: user id "éééééééééééééééé…" is 400 bytes long; the limit is 255 (column 1)
  [1]

Line ends: LF, CRLF and a CR alone (old Mac files) each end a line, in
NDJSON and CSV, and line numbers count them all.

  $ cd $TESTTMP && printf '{"user_id":"u1"}\r{"user_id":"u2"}\r\n{"user_id":"u3","signals":{"dining_txn_7d":"x"}}\r' > cr.ndjson
  $ cd $TESTTMP && mmr eval rules/moneymoments --signals cr.ndjson
  {"user_id":"u1","as_of":null,"candidates":[],"selected":null}
  {"user_id":"u2","as_of":null,"candidates":[],"selected":null}
  cr.ndjson:3: error: user u3: signal "dining_txn_7d" must be a number, got "x"
  [1]
  $ cd $TESTTMP && printf 'user_id,dining_txn_7d\ru1,3\r\ru2,4\r"u\r3",x\r' > cr.csv
  $ cd $TESTTMP && mmr eval rules/moneymoments --signals cr.csv
  {"user_id":"u1","as_of":null,"candidates":[],"selected":null}
  {"user_id":"u2","as_of":null,"candidates":[],"selected":null}
  cr.csv:5: error: user id "u\r3" holds a control character (column 1)
  [1]

A CSV header of 200,000 columns with one name twice, at the end: the
duplicate is found (in linear time) with both column numbers.

  $ cd $TESTTMP && python3 -c 'import sys; sys.stdout.write(",".join(["user_id"] + ["c%d" % i for i in range(199998)] + ["c5"]) + "\nu1" + "," * 199999 + "\n")' > wide.csv
  $ cd $TESTTMP && mmr eval rules/moneymoments --signals wide.csv --no-warn-unknown
  wide.csv:1: error: column "c5" appears twice (columns 7 and 200000)
  [1]
