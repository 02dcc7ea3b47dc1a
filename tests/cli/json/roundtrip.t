Round trip: import -> fmt -> export -> import gives text identical to the
first import (and the imported text is already canonical; exporting twice
gives the same JSON). Over the spec's example, every operator and form, and
names declared from their use:

  $ ./roundtrip.sh spec_dining.json
  spec_dining.json: stable
  $ ./roundtrip.sh operators.json
  operators.json: stable
  $ ./roundtrip.sh typed.json
  typed.json: stable

Starting from .mmr: the shipped rules and the export fixture, exported first:

  $ mmr export ../../../rules/moneymoments > "$TESTTMP/mm.json" && ./roundtrip.sh "$TESTTMP/mm.json" | sed "s|$TESTTMP/||"
  mm.json: stable
  $ mmr export export_ops.mmr > "$TESTTMP/ops.json" && ./roundtrip.sh "$TESTTMP/ops.json" | sed "s|$TESTTMP/||"
  ops.json: stable

The imported shipped rules behave like the originals: the dining rule fires
for the spec's heavy diner in both.

  $ echo '{"user_id":"u1","signals":{"dining_txn_7d":4,"wants_share_30d":0.4}}' > "$TESTTMP/s.ndjson"
  $ mmr eval ../../../rules/moneymoments --signals "$TESTTMP/s.ndjson"
  {"user_id":"u1","as_of":null,"candidates":["dining_overspend"],"selected":"dining_overspend"}
  $ mmr eval "$TESTTMP/mm.json" --signals "$TESTTMP/s.ndjson"
  {"user_id":"u1","as_of":null,"candidates":["dining_overspend"],"selected":"dining_overspend"}
