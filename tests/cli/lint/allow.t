`# mmr: allow ID-or-name` silences a finding on its line or the next; MMR-W011 useless-allow reports allows that silence nothing or name no lint.

  $ mmr lint allow.mmr
  allow.mmr:28:8: warning: rule not_silenced can never fire: `dining_txn_7d > 9` contradicts `dining_txn_7d < 1` [MMR-W012 never-fires]
     28 |   when dining_txn_7d > 9 and dining_txn_7d < 1
        |        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: fix the contradictory conditions (check the bounds and the and/or)
  allow.mmr:29:33: warning: `# mmr: allow never-fires` silences nothing on this line or the next [MMR-W011 useless-allow]
     29 |   message DINE_01  # mmr: allow never-fires
        |                                 ^
    hint: fix the lint id or name, or delete the comment
  allow.mmr:35:16: warning: `# mmr: allow` names an unknown lint "never-fire" [MMR-W011 useless-allow]
     35 |   # mmr: allow never-fire
        |                ^
    hint: use an id like MMR-W012 or a name like never-fires (`mmr lint --list`)

JSON, one object per line:

  $ mmr lint allow.mmr --format json
  {"file":"allow.mmr","line":28,"col":8,"end_line":28,"end_col":46,"severity":"warning","code":"MMR-W012","name":"never-fires","message":"rule not_silenced can never fire: `dining_txn_7d > 9` contradicts `dining_txn_7d < 1`","hint":"fix the contradictory conditions (check the bounds and the and/or)"}
  {"file":"allow.mmr","line":29,"col":33,"severity":"warning","code":"MMR-W011","name":"useless-allow","message":"`# mmr: allow never-fires` silences nothing on this line or the next","hint":"fix the lint id or name, or delete the comment"}
  {"file":"allow.mmr","line":35,"col":16,"severity":"warning","code":"MMR-W011","name":"useless-allow","message":"`# mmr: allow` names an unknown lint \"never-fire\"","hint":"use an id like MMR-W012 or a name like never-fires (`mmr lint --list`)"}

SARIF results (the whole log is in sarif.t):

  $ mmr lint allow.mmr --format sarif | python3 sarif_results.py
  warning MMR-W012[13] allow.mmr:28:8 rule not_silenced can never fire: `dining_txn_7d > 9` contradicts `dining_txn_7d < 1`
  warning MMR-W011[12] allow.mmr:29:33 `# mmr: allow never-fires` silences nothing on this line or the next
  warning MMR-W011[12] allow.mmr:35:16 `# mmr: allow` names an unknown lint "never-fire"
