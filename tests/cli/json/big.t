A rule master with 20,000 rules is imported and checked in linear time:
names are found with hash maps, not by a scan of every earlier row or
rule (it once took quadratic time: 100,000 rules, 61 s;
bench/bench_inputs.sh measures the growth). Duplicates are still
reported with the place of the first:

  $ python3 gen_big.py 20000 dups > "$TESTTMP/dups.json"
  $ cd "$TESTTMP" && mmr check dups.json
  dups.json: $.templates[3].template_id: error: duplicate template "T1" (first at $.templates[1])
  dups.json: $.rules[20000].name: error: duplicate rule "r7" (first at $.rules[7])
  [1]

Without the duplicates it checks clean: every one of the 6,666 rules
that use template T2 binds its placeholder {spent}:

  $ python3 gen_big.py 20000 > "$TESTTMP/ok.json"
  $ cd "$TESTTMP" && mmr check ok.json

When one of them does not, the placeholder is declared as a signal from
its use, as in a small master:

  $ cd "$TESTTMP" && sed 's/,"with":{"spent":19997}//' ok.json > unbound.json && mmr check unbound.json
  unbound.json: $.templates[2].body: warning: "spent" is not declared in std/moneymoments; declared as `signal spent : text` from its use
    hint: declare it in the "signals" section to choose its type
