--coverage-format lcov prints the condition coverage as an lcov tracefile
on stdout (for genhtml and the coverage views of CI), and nothing else:
the text report goes to stderr. Per .mmr file (SF:, the path as loaded):
a function per rule (FN: its line, FNDA: the tests where it was a
candidate), two branches per condition (BRDA: LINE,BLOCK,0 = times seen
true, 1 = times seen false; "-" when never evaluated), the lines holding
conditions (DA: the most evaluations of one condition on the line). The
small suite of coverage.t:

  $ mmr test small --coverage-format lcov 2>/dev/null
  TN:
  SF:small/small.mmr
  FN:24,alpha
  FN:30,beta
  FN:37,gamma
  FNDA:2,alpha
  FNDA:1,beta
  FNDA:0,gamma
  FNF:3
  FNH:2
  BRDA:26,0,0,2
  BRDA:26,0,1,2
  BRDA:26,1,0,3
  BRDA:26,1,1,0
  BRDA:26,2,0,2
  BRDA:26,2,1,2
  BRDA:33,0,0,1
  BRDA:33,0,1,2
  BRDA:33,1,0,1
  BRDA:33,1,1,2
  BRDA:39,0,0,0
  BRDA:39,0,1,4
  BRDA:39,1,0,0
  BRDA:39,1,1,4
  BRDA:39,2,0,0
  BRDA:39,2,1,4
  BRF:16
  BRH:12
  DA:26,4
  DA:33,4
  DA:39,4
  LF:3
  LH:3
  end_of_record

The closing line is on stderr:

  $ mmr test small --coverage-format lcov >/dev/null
  4 passed, 0 failed

It is a valid tracefile (see reports/check_lcov.py), and its totals are the
numbers of the text report: FNH/FNF the rules fired, BRDA blocks with both
branches taken the conditions seen true and false.

  $ mmr test small --coverage-format lcov 2>/dev/null | python3 reports/check_lcov.py
  files: 1
  rules fired: 2/3
  conditions seen true and false: 4/8
  $ mmr test small --coverage | grep coverage:
  rule coverage: 2/3 rules fired (66%)
  condition coverage: 4/8 conditions seen true and false (50%), 3 seen unknown

The same for the shipped ruleset, compared by the test itself:

  $ R=../../../rules/moneymoments
  > mmr test $R --coverage | grep coverage:
  > mmr test $R --coverage-format lcov 2>/dev/null | python3 reports/check_lcov.py
  > a=$(mmr test $R --coverage | sed -n 's/^condition coverage: \([0-9]*\/[0-9]*\) .*/\1/p')
  > b=$(mmr test $R --coverage-format lcov 2>/dev/null | python3 reports/check_lcov.py | sed -n 's/^conditions seen true and false: //p')
  > c=$(mmr test $R --coverage | sed -n 's/^rule coverage: \([0-9]*\/[0-9]*\) .*/\1/p')
  > d=$(mmr test $R --coverage-format lcov 2>/dev/null | python3 reports/check_lcov.py | sed -n 's/^rules fired: //p')
  > [ -n "$a" ] && [ "$a" = "$b" ] && [ -n "$c" ] && [ "$c" = "$d" ] && echo "same: conditions $a, rules $c"
  rule coverage: 5/5 rules fired (100%)
  condition coverage: 21/21 conditions seen true and false (100%), 16 seen unknown
  files: 5
  rules fired: 5/5
  conditions seen true and false: 21/21
  same: conditions 21/21, rules 5/5

--coverage-format json likewise prints only the JSON on stdout:

  $ mmr test small --coverage-format json 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sorted(d))'
  ['condition_coverage', 'lets', 'rule_coverage', 'rules', 'unfired']
  $ mmr test failing --coverage-format json 2>/dev/null | python3 -c 'import json,sys; json.load(sys.stdin); print("only JSON")'
  only JSON
  $ mmr test failing --coverage-format json 2>&1 >/dev/null | tail -1
  1 passed, 6 failed

--format json carries the coverage in its document; lcov cannot join it:

  $ mmr test small --format json --coverage-format lcov
  mmr test: --coverage-format lcov and --format json would both write to stdout
  (see `mmr test --help`)
  [2]
  $ mmr test small --junit - --coverage-format lcov
  mmr test: --junit - and --coverage-format json|lcov would both write to stdout
  (see `mmr test --help`)
  [2]
  $ mmr test small --coverage-format xml
  mmr test: --coverage-format must be text, json or lcov
  (see `mmr test --help`)
  [2]
