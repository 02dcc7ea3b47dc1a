MMR-W004 duplicate-priority: equal priorities in one category (another category is fine).

  $ mmr lint priority.mmr
  priority.mmr:23:12: warning: rule dining_share has the same priority (50) as rule dining_often in category dining; only their names decide which one wins [MMR-W004 duplicate-priority]
     23 |   priority 50
        |            ^~
    hint: give one of the rules a different priority

JSON, one object per line:

  $ mmr lint priority.mmr --format json
  {"file":"priority.mmr","line":23,"col":12,"end_line":23,"end_col":13,"severity":"warning","code":"MMR-W004","name":"duplicate-priority","message":"rule dining_share has the same priority (50) as rule dining_often in category dining; only their names decide which one wins","hint":"give one of the rules a different priority"}

SARIF results (the whole log is in sarif.t):

  $ mmr lint priority.mmr --format sarif | python3 sarif_results.py
  warning MMR-W004[5] priority.mmr:23:12 rule dining_share has the same priority (50) as rule dining_often in category dining; only their names decide which one wins
