MMR-W001 unused-signal, MMR-W002 unused-let, MMR-W003 unused-template.

  $ mmr lint unused.mmr
  unused.mmr:6:7: warning: trait "loyalty_tier" is declared but never used [MMR-W001 unused-signal]
      6 | trait loyalty_tier : text "Loyalty tier"
        |       ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: use it in a rule, or delete the declaration
  unused.mmr:9:5: warning: let "never_used" is never used [MMR-W002 unused-let]
      9 | let never_used = cashback_30d > 1000
        |     ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: use it in a rule's when, audience or with, or delete it
  unused.mmr:17:10: warning: template GOAL_OLD is not used by any rule [MMR-W003 unused-template]
     17 | template GOAL_OLD {
        |          ^~~~~~~~~~
    hint: name it in a rule's `message`, or delete it

JSON, one object per line:

  $ mmr lint unused.mmr --format json
  {"file":"unused.mmr","line":6,"col":7,"end_line":6,"end_col":40,"severity":"warning","code":"MMR-W001","name":"unused-signal","message":"trait \"loyalty_tier\" is declared but never used","hint":"use it in a rule, or delete the declaration"}
  {"file":"unused.mmr","line":9,"col":5,"end_line":9,"end_col":36,"severity":"warning","code":"MMR-W002","name":"unused-let","message":"let \"never_used\" is never used","hint":"use it in a rule's when, audience or with, or delete it"}
  {"file":"unused.mmr","line":17,"col":10,"end_line":21,"end_col":1,"severity":"warning","code":"MMR-W003","name":"unused-template","message":"template GOAL_OLD is not used by any rule","hint":"name it in a rule's `message`, or delete it"}

SARIF results (the whole log is in sarif.t):

  $ mmr lint unused.mmr --format sarif | python3 sarif_results.py
  warning MMR-W001[2] unused.mmr:6:7 trait "loyalty_tier" is declared but never used
  warning MMR-W002[3] unused.mmr:9:5 let "never_used" is never used
  warning MMR-W003[4] unused.mmr:17:10 template GOAL_OLD is not used by any rule
