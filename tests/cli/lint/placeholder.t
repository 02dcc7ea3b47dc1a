MMR-W005 placeholder-may-be-missing: a placeholder filled from a signal or a binding that may be missing, unless the rule's condition proves it present or a ?? gives a default.

  $ mmr lint placeholder.mmr
  placeholder.mmr:19:11: warning: placeholder {top_goal_name} of template SHOP_01 is filled from signal "top_goal_name", which may be missing; the nudge is then suppressed [MMR-W005 placeholder-may-be-missing]
     19 |   message SHOP_01 with {
        |           ^~~~~~~
    hint: bind it with a default: `message SHOP_01 with { top_goal_name = top_goal_name ?? ... }`
  placeholder.mmr:20:5: warning: placeholder {change} of template SHOP_01 is bound to `pct_change(shopping_spend_30d, shopping_spend_prev_30d)`, which may be missing; the nudge is then suppressed [MMR-W005 placeholder-may-be-missing]
     20 |     change = pct_change(shopping_spend_30d, shopping_spend_prev_30d),
        |     ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: give it a default: `change = pct_change(shopping_spend_30d, shopping_spend_prev_30d) ?? ...`
  placeholder.mmr:21:5: warning: placeholder {goal} of template SHOP_01 is bound to `underfunded_top_goal`, which may be missing; the nudge is then suppressed [MMR-W005 placeholder-may-be-missing]
     21 |     goal = underfunded_top_goal
        |     ^~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: give it a default: `goal = underfunded_top_goal ?? ...`

JSON, one object per line:

  $ mmr lint placeholder.mmr --format json
  {"file":"placeholder.mmr","line":19,"col":11,"end_line":19,"end_col":17,"severity":"warning","code":"MMR-W005","name":"placeholder-may-be-missing","message":"placeholder {top_goal_name} of template SHOP_01 is filled from signal \"top_goal_name\", which may be missing; the nudge is then suppressed","hint":"bind it with a default: `message SHOP_01 with { top_goal_name = top_goal_name ?? ... }`"}
  {"file":"placeholder.mmr","line":20,"col":5,"end_line":20,"end_col":68,"severity":"warning","code":"MMR-W005","name":"placeholder-may-be-missing","message":"placeholder {change} of template SHOP_01 is bound to `pct_change(shopping_spend_30d, shopping_spend_prev_30d)`, which may be missing; the nudge is then suppressed","hint":"give it a default: `change = pct_change(shopping_spend_30d, shopping_spend_prev_30d) ?? ...`"}
  {"file":"placeholder.mmr","line":21,"col":5,"end_line":21,"end_col":31,"severity":"warning","code":"MMR-W005","name":"placeholder-may-be-missing","message":"placeholder {goal} of template SHOP_01 is bound to `underfunded_top_goal`, which may be missing; the nudge is then suppressed","hint":"give it a default: `goal = underfunded_top_goal ?? ...`"}

SARIF results (the whole log is in sarif.t):

  $ mmr lint placeholder.mmr --format sarif | python3 sarif_results.py
  warning MMR-W005[6] placeholder.mmr:19:11 placeholder {top_goal_name} of template SHOP_01 is filled from signal "top_goal_name", which may be missing; the nudge is then suppressed
  warning MMR-W005[6] placeholder.mmr:20:5 placeholder {change} of template SHOP_01 is bound to `pct_change(shopping_spend_30d, shopping_spend_prev_30d)`, which may be missing; the nudge is then suppressed
  warning MMR-W005[6] placeholder.mmr:21:5 placeholder {goal} of template SHOP_01 is bound to `underfunded_top_goal`, which may be missing; the nudge is then suppressed

A value the rule's own `any … where` proves present is fine: the key `any`
found keeps its predicate true, so `pct_change(m[c], p[c])` in `with` is
never missing (rule jump). A value the predicate does not read still warns,
and so does one under `or` (nothing proven):

  $ mmr lint placeholder_any.mmr
  placeholder_any.mmr:23:30: warning: placeholder {v} of template JUMP is bound to `pct_change(m[c], q[c])`, which may be missing; the nudge is then suppressed [MMR-W005 placeholder-may-be-missing]
     23 |   message JUMP with { c = c, v = pct_change(m[c], q[c]) }
        |                              ^~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: give it a default: `v = pct_change(m[c], q[c]) ?? ...`
  placeholder_any.mmr:30:34: warning: placeholder {v} of template JUMP is bound to `pct_change(m["Food"], p["Food"])`, which may be missing; the nudge is then suppressed [MMR-W005 placeholder-may-be-missing]
     30 |   message JUMP with { c = "all", v = pct_change(m["Food"], p["Food"]) }
        |                                  ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: give it a default: `v = pct_change(m["Food"], p["Food"]) ?? ...`
