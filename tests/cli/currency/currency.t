A policy's `currency "CODE"` sets how {x:money} and {x:money2} print: the
symbol, the digit grouping (Indian for INR, threes for the rest) and the
minor digits. Without it (or with "INR") messages are in rupees as always.

  $ mmr test usd.mmr
  1 passed, 0 failed

mmr run fills the same templates: money2 with cents, money in whole
dollars, the minus before the symbol.

  $ mmr run usd.mmr --db $TESTTMP/db.sqlite --signals users.ndjson --now 2025-10-26T12:00:00Z --dry-run 2>/dev/null | grep -o '"title":.*"category"'
  "title":"You spent $1,234.50 this week","body":"That is about $1,235; a refund of -$12 would help","category"
  "title":"You spent $1,000,000.00 this week","body":"That is about $1,000,000; a refund of -$10,000 would help","category"

An unknown code is an error at the field, naming the known codes; so is
one given twice.

  $ mmr check bad.mmr
  bad.mmr:3:12: error: "XYZ" is not a currency mmr knows; the known codes are INR, USD, EUR, GBP, JPY, AUD, CAD, SGD, AED, CHF
      3 |   currency "XYZ"
        |            ^~~~~
  [1]
  $ printf 'policy {\n  currency "EUR"\n  currency "GBP"\n}\n' > $TESTTMP/twice.mmr
  $ cd $TESTTMP && mmr check twice.mmr
  twice.mmr:3:3: error: "currency" is given twice in this policy; the first is at twice.mmr:2:3
      3 |   currency "GBP"
        |   ^
    hint: keep one "currency" line
  [1]

An empty code is no code either.

  $ printf 'policy {\n  currency ""\n}\n' > $TESTTMP/empty.mmr
  $ cd $TESTTMP && mmr check empty.mmr
  empty.mmr:2:12: error: "" is not a currency mmr knows; the known codes are INR, USD, EUR, GBP, JPY, AUD, CAD, SGD, AED, CHF
      2 |   currency ""
        |            ^~
  [1]

Yen have no minor units: money2 prints like money.

  $ sed 's/"USD"/"JPY"/' usd.mmr | grep -v '^  expect' > $TESTTMP/jpy.mmr
  $ mmr run $TESTTMP/jpy.mmr --db $TESTTMP/db.sqlite --signals users.ndjson --now 2025-10-26T12:00:00Z --dry-run 2>/dev/null | grep -o '"title":.*"category"'
  "title":"You spent ¥1,235 this week","body":"That is about ¥1,235; a refund of -¥12 would help","category"
  "title":"You spent ¥1,000,000 this week","body":"That is about ¥1,000,000; a refund of -¥10,000 would help","category"

fmt prints the field after the time zone; export carries it as
"currency" and import brings it back.

  $ mmr fmt usd.mmr | sed -n '/^policy/,/^}/p'
  policy {
    timezone "America/New_York"
    currency "USD"
    categories [spending]
  }
  $ mmr fmt --check usd.mmr && echo canonical
  canonical
  $ mmr export usd.mmr > $TESTTMP/usd.json
  $ python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["policy"]))' $TESTTMP/usd.json
  {"timezone": "America/New_York", "currency": "USD", "categories": ["spending"]}
  $ mmr import $TESTTMP/usd.json > $TESTTMP/back.mmr
  $ mmr fmt usd.mmr | cmp - $TESTTMP/back.mmr && echo same
  same
  $ cd $TESTTMP && mmr test back.mmr
  1 passed, 0 failed
  $ sed 's/"USD"/"XYZ"/' $TESTTMP/usd.json > $TESTTMP/xyz.json
  $ cd $TESTTMP && mmr import xyz.json
  xyz.json: $.policy.currency: error: "XYZ" is not a currency mmr knows; the known codes are INR, USD, EUR, GBP, JPY, AUD, CAD, SGD, AED, CHF
  [1]

The .mmrc keeps the currency (format version 3, shown by disasm). A
ruleset without one, or with "INR", compiles to the same bytes as before:
version 1, no currency stored.

  $ mmr compile usd.mmr -o $TESTTMP/usd.mmrc
  $ od -An -tu4 -j4 -N4 $TESTTMP/usd.mmrc | tr -d ' '
  3
  $ mmr disasm $TESTTMP/usd.mmrc | grep '^policy'
  policy: max_nudges 1 per 86400s, timezone America/New_York, currency USD, categories spending
  $ mmr run $TESTTMP/usd.mmrc --db $TESTTMP/db.sqlite --signals users.ndjson --now 2025-10-26T12:00:00Z --dry-run 2>/dev/null | grep -o '"title":"[^"]*"'
  "title":"You spent $1,234.50 this week"
  "title":"You spent $1,000,000.00 this week"
  $ mkdir $TESTTMP/none $TESTTMP/inr
  $ grep -v currency usd.mmr | sed 's/\$1,234.50/₹1,234.50/; s/\$1,235/₹1,235/; s/-\$12 /-₹12 /' > $TESTTMP/none/r.mmr
  $ sed 's/  timezone "America\/New_York"/&\n  currency "INR"/' $TESTTMP/none/r.mmr > $TESTTMP/inr/r.mmr
  $ grep -c 'currency "INR"' $TESTTMP/inr/r.mmr
  1
  $ cd $TESTTMP/none && mmr test r.mmr && mmr compile r.mmr -o ../none.mmrc
  1 passed, 0 failed
  $ cd $TESTTMP/inr && mmr test r.mmr && mmr compile r.mmr -o ../inr.mmrc
  1 passed, 0 failed
  $ cmp $TESTTMP/none.mmrc $TESTTMP/inr.mmrc && echo same bytes
  same bytes
  $ od -An -tu4 -j4 -N4 $TESTTMP/none.mmrc | tr -d ' '
  1
  $ mmr disasm $TESTTMP/none.mmrc | grep '^policy'
  policy: max_nudges 1 per 86400s, timezone America/New_York, categories spending
