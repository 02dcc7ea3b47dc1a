A let holding a number has no truth to see: coverage counts it when it
ran, so a ruleset with one can reach 100 % (numlet/numlet.mmr: `let half =
total_spend_7d / 2`, with 100 and 60 in).

  $ mmr test numlet --coverage
  coverage (T seen true, F seen false, U seen unknown):
  half_spend (fired)  2/2 conditions  100%
    T F -  when: half > 40
    T F -  when (all): half > 40
  let half  1/1 conditions  100%
    ran    let (all): total_spend_7d / 2
  rule coverage: 1/1 rules fired (100%)
  condition coverage: 3/3 conditions seen true and false (100%), 0 seen unknown
  2 passed, 0 failed
  $ mmr test numlet --coverage --coverage-format json 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["lets"][0]["conditions"][0]["ran"], d["condition_coverage"])'
  True {'covered': 3, 'total': 3, 'percent': 100, 'unknown_seen': 0}

Never run, it is not covered:

  $ mmr test numlet --filter 'nothing matches' --coverage 2>&1 | grep -A1 'let half'
  let half  0/1 conditions  0%
    -      let (all): total_spend_7d / 2

A failing test's explain shows the let's value:

  $ sed 's/expect no nudge/expect nudge half_spend/' numlet/numlet.mmr > $TESTTMP/fails.mmr
  $ mmr test $TESTTMP/fails.mmr 2>&1 | grep -A5 explain:
    explain:
      let half (all): total_spend_7d / 2 = 30
      half_spend when: half > 40 -> false [30, 40]
      half_spend when (all): half > 40 -> false
  1 passed, 1 failed
