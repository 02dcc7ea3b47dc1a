mmr eval on bad input: a message naming the place (FILE:LINE, and :COL
for broken JSON), the user when known, and exit status 1. Results before
the bad record are still written.

  $ ln -s "$PWD/../../../rules" $TESTTMP/rules && cp users.ndjson $TESTTMP/

  $ printf '{"user_id":"u1","signals":{"dining_txn_7d":4}}\n{"user_id":"u123","signals":{"dining_txn_7d":"abc"}}\n{"user_id":"u3"}\n' > $TESTTMP/type.ndjson
  $ cd $TESTTMP && mmr eval rules/moneymoments --signals type.ndjson
  {"user_id":"u1","as_of":null,"candidates":[],"selected":null}
  type.ndjson:2: error: user u123: signal "dining_txn_7d" must be a number, got "abc"
  [1]

  $ printf '{"user_id":"u1","signals":{"dining_txn_7d":4,}}\n' > $TESTTMP/broken.ndjson
  $ cd $TESTTMP && mmr eval rules/moneymoments --signals broken.ndjson
  broken.ndjson:1:46: error: user u1: expected a key (a string)
  [1]

  $ printf '{"user_id":"u1"}\n{"user_id":"u2","signals":{"top_goal_name":"Goa \xff"}}\n' > $TESTTMP/utf8.ndjson
  $ cd $TESTTMP && mmr eval rules/moneymoments --signals utf8.ndjson
  {"user_id":"u1","as_of":null,"candidates":[],"selected":null}
  utf8.ndjson:2:49: error: user u2: invalid UTF-8 in a string
  [1]

  $ printf '{"signals":{"dining_txn_7d":4}}\n' > $TESTTMP/noid.ndjson
  $ cd $TESTTMP && mmr eval rules/moneymoments --signals noid.ndjson
  noid.ndjson:1: error: the record has no "user_id"
  [1]

  $ printf '{"user_id":"u1","signals":{"category_spend_7d":{"dining":1,"dining":2}}}\n' > $TESTTMP/dup.ndjson
  $ cd $TESTTMP && mmr eval rules/moneymoments --signals dup.ndjson
  dup.ndjson:1: error: user u1: signal "category_spend_7d" has the key "dining" twice
  [1]

  $ printf '{"user_id":"u1","traits":{"age_band":25}}\n' > $TESTTMP/trait.ndjson
  $ cd $TESTTMP && mmr eval rules/moneymoments --signals trait.ndjson
  trait.ndjson:1: error: user u1: trait "age_band" must be text, got 25
  [1]

An unknown key is ignored with one warning, however often it appears.

  $ printf '{"user_id":"u1","signals":{"dinning_txn_7d":4}}\n{"user_id":"u2","signals":{"dinning_txn_7d":5}}\n' > $TESTTMP/unknown.ndjson
  $ cd $TESTTMP && mmr eval rules/moneymoments --signals unknown.ndjson
  {"user_id":"u1","as_of":null,"candidates":[],"selected":null}
  {"user_id":"u2","as_of":null,"candidates":[],"selected":null}
  unknown.ndjson:1: warning: signal "dinning_txn_7d" is not a signal or trait of the ruleset; ignored
  $ cd $TESTTMP && mmr eval rules/moneymoments --signals unknown.ndjson --no-warn-unknown
  {"user_id":"u1","as_of":null,"candidates":[],"selected":null}
  {"user_id":"u2","as_of":null,"candidates":[],"selected":null}

--keep-going reports every bad record, writes every good one, and still
exits 1.

  $ cat $TESTTMP/type.ndjson $TESTTMP/broken.ndjson > $TESTTMP/two.ndjson
  $ cd $TESTTMP && mmr eval rules/moneymoments --signals two.ndjson --keep-going
  {"user_id":"u1","as_of":null,"candidates":[],"selected":null}
  {"user_id":"u3","as_of":null,"candidates":[],"selected":null}
  two.ndjson:2: error: user u123: signal "dining_txn_7d" must be a number, got "abc"
  two.ndjson:4:46: error: user u1: expected a key (a string)
  [1]

CSV: wrong cell counts, bad cells, bad headers.

  $ printf 'user_id,dining_txn_7d,wants_share_30d\r\nu1,4,0.5\r\nu2,4\r\n' > $TESTTMP/cells.csv
  $ cd $TESTTMP && mmr eval rules/moneymoments --signals cells.csv
  {"user_id":"u1","as_of":null,"candidates":["dining_overspend"],"selected":"dining_overspend"}
  cells.csv:3: error: user u2: the row has 2 cells, the header has 3
  [1]
  $ printf 'user_id,dining_txn_7d\nu1,abc\n' > $TESTTMP/num.csv
  $ cd $TESTTMP && mmr eval rules/moneymoments --signals num.csv
  num.csv:2: error: user u1: signal "dining_txn_7d" (column 2) must be a number, got "abc"
  [1]
  $ printf 'id,dining_txn_7d\nu1,4\n' > $TESTTMP/noid.csv
  $ cd $TESTTMP && mmr eval rules/moneymoments --signals noid.csv
  noid.csv:1: warning: column "id" is not a signal or trait of the ruleset; ignored
  noid.csv:1: error: the header has no user_id column
  [1]
  $ printf 'user_id,tz\nu1,"Asia/Kolkata\n' > $TESTTMP/quote.csv
  $ cd $TESTTMP && mmr eval rules/moneymoments --signals quote.csv
  quote.csv:2:4: error: unterminated quoted cell
  [1]
  $ : > $TESTTMP/empty.csv
  $ cd $TESTTMP && mmr eval rules/moneymoments --signals empty.csv
  empty.csv:1: error: the CSV file has no header row
  [1]

Files that cannot be read, bad rulesets, usage errors (exit 2).

  $ mmr eval ../../../rules/moneymoments --signals nonexistent.ndjson
  nonexistent.ndjson: error: cannot open: No such file or directory
  [1]
  $ printf 'rule r { priority 1 when nope > 1 }\n' > $TESTTMP/bad.mmr
  $ cd $TESTTMP && mmr eval bad.mmr --signals users.ndjson
  bad.mmr:1:6: error: rule r has no "message"
      1 | rule r { priority 1 when nope > 1 }
        |      ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: add "message TEMPLATE_ID" naming the template to send
  bad.mmr:1:26: error: unknown signal "nope"
      1 | rule r { priority 1 when nope > 1 }
        |                          ^~~~
    hint: declare it (signal nope : number) or import the schema that has it
  [1]
  $ mmr eval ../../../rules/moneymoments
  mmr eval: --signals FILE is required
  (see `mmr eval --help`)
  [2]
  $ mmr eval --signals users.ndjson
  mmr eval: no ruleset given
  (see `mmr eval --help`)
  [2]
  $ mmr eval ../../../rules/moneymoments --signals users.ndjson --format xml
  mmr eval: --format is ndjson or csv, not "xml"
  (see `mmr eval --help`)
  [2]
  $ mmr eval ../../../rules/moneymoments --signals users.ndjson --threads 0
  mmr eval: --threads wants 1 to 64, got "0"
  (see `mmr eval --help`)
  [2]
  $ mmr eval ../../../rules/moneymoments --signals users.ndjson --explain=yaml
  mmr eval: --explain is json or text, not "yaml"
  (see `mmr eval --help`)
  [2]
  $ mmr eval ../../../rules/moneymoments --signals users.ndjson --frobnicate
  mmr eval: unknown option "--frobnicate"
  (see `mmr eval --help`)
  [2]
