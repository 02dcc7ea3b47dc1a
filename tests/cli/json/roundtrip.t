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

Numbers at the edges of the double range print in their shortest form (a
regression: 1e308 once overflowed a conversion to long long):

  $ mmr import numbers.json | grep -A2 when
    when savings_gap < 1e+308
        and savings_gap > -1e+308
        and monthly_income between 1e-300 and 1.2345678901234568e+17
  $ ./roundtrip.sh numbers.json
  numbers.json: stable

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
