`cooldown 0` is a bare zero duration: no cooldown, exactly as `cooldown 0d`
(the same bytecode, the same JSON master; zero/rules.mmr has a second space
after the 0 so that the places the bytecode keeps are the same too):

  $ mmr check cooldown/zero/rules.mmr
  $ mmr fmt cooldown/zero/rules.mmr
  import "std/moneymoments"
  
  template T {
    title "Dining"
    body "You ate out."
    category dining
  }
  
  rule r {
    priority 1
    cooldown 0
    when dining_txn_7d >= 3
    message T
  }
  $ cd cooldown/zero && mmr compile rules.mmr -o "$TESTTMP/zero.mmrc"
  $ cd cooldown/zerod && mmr compile rules.mmr -o "$TESTTMP/zerod.mmrc"
  $ cmp "$TESTTMP/zero.mmrc" "$TESTTMP/zerod.mmrc" && echo same
  same
  $ mmr export cooldown/zero/rules.mmr > "$TESTTMP/zero.json"
  $ mmr export cooldown/zerod/rules.mmr > "$TESTTMP/zerod.json"
  $ cmp "$TESTTMP/zero.json" "$TESTTMP/zerod.json" && grep -o '"cooldown_days":[^,]*' "$TESTTMP/zero.json"
  "cooldown_days": 0

Any other number needs a unit; 0.0 and 0% are not a bare zero; a bare 0
is still a cooldown field, so giving it twice is an error:

  $ mmr fmt cooldown/bad.mmr
  cooldown/bad.mmr:3:30: error: a cooldown needs a unit: "3" is a number, not a duration
      3 | rule a { priority 1 cooldown 3 when true message T }
        |                              ^
    hint: write it with a unit s, m, h, d or w, such as 3d or 36h (a bare 0 means no cooldown)
  cooldown/bad.mmr:4:30: error: a cooldown needs a unit: "0.0" is a number, not a duration
      4 | rule b { priority 1 cooldown 0.0 when true message T }
        |                              ^~~
    hint: write it with a unit s, m, h, d or w, such as 3d or 36h (a bare 0 means no cooldown)
  cooldown/bad.mmr:5:30: error: a cooldown needs a unit: "0%" is a number, not a duration
      5 | rule c { priority 1 cooldown 0% when true message T }
        |                              ^~
    hint: write it with a unit s, m, h, d or w, such as 3d or 36h (a bare 0 means no cooldown)
  cooldown/bad.mmr:6:32: error: "cooldown" is given twice in this rule; the first is at cooldown/bad.mmr:6:21
      6 | rule d { priority 1 cooldown 0 cooldown 0d when true message T }
        |                                ^
    hint: keep one "cooldown" line
  [1]
