mmr eval: the shipped rules over a small snapshot. One line per user, in
input order; candidates in priority order; blank lines are skipped.

  $ mmr eval ../../../rules/moneymoments --signals users.ndjson
  {"user_id":"u1","as_of":"2025-10-26","candidates":["goal_underfunded","dining_overspend"],"selected":"goal_underfunded"}
  {"user_id":"u2","as_of":"2025-10-26","candidates":[],"selected":null}
  {"user_id":"u3","as_of":"2025-10-26","candidates":["shopping_spike","budget_drift"],"selected":"shopping_spike"}
  {"user_id":"u4","as_of":"2025-10-26","candidates":[],"selected":null}
  {"user_id":"u5","as_of":"2025-10-26","candidates":["travel_heavy"],"selected":"travel_heavy"}
  {"user_id":"u6","as_of":"2025-10-26","candidates":[],"selected":null}
  {"user_id":"u7","as_of":null,"candidates":[],"selected":null}
  {"user_id":"u8 \"quoted\" é","as_of":"2025-10-27","candidates":["dining_overspend"],"selected":"dining_overspend"}

The same users as CSV give the same bytes.

  $ mmr eval ../../../rules/moneymoments --signals users.csv > $TESTTMP/csv.out
  $ mmr eval ../../../rules/moneymoments --signals users.ndjson | cmp - $TESTTMP/csv.out && echo same
  same

Any thread count gives the same bytes; stdin works with --format.

  $ mmr gen --users 3000 --seed 7 --ndjson $TESTTMP/g.ndjson
  $ mmr eval ../../../rules/moneymoments --signals $TESTTMP/g.ndjson --threads 1 > $TESTTMP/t1
  $ mmr eval ../../../rules/moneymoments --signals $TESTTMP/g.ndjson --threads 3 | cmp - $TESTTMP/t1 && echo same
  same
  $ cat $TESTTMP/g.ndjson | mmr eval ../../../rules/moneymoments --signals - | cmp - $TESTTMP/t1 && echo same
  same
  $ wc -l < $TESTTMP/t1
  3000

--user restricts the output to one user.

  $ mmr eval ../../../rules/moneymoments --signals users.ndjson --user u3
  {"user_id":"u3","as_of":"2025-10-26","candidates":["shopping_spike","budget_drift"],"selected":"shopping_spike"}
  $ mmr eval ../../../rules/moneymoments --signals users.csv --user 'u8 "quoted" é'
  {"user_id":"u8 \"quoted\" é","as_of":"2025-10-27","candidates":["dining_overspend"],"selected":"dining_overspend"}
  $ mmr eval ../../../rules/moneymoments --signals users.ndjson --user nobody
  users.ndjson: error: no user "nobody" in the snapshot
  [1]

--explain adds every rule's conditions with operand values and truth.
Missing operands are null and make a comparison unknown.

  $ mmr eval ../../../rules/moneymoments --signals users.ndjson --user u1 --explain
  {"user_id":"u1","as_of":"2025-10-26","candidates":["goal_underfunded","dining_overspend"],"selected":"goal_underfunded","explain":[{"rule":"goal_underfunded","priority":90,"fired":true,"values":{"goal_name":"Emergency Fund","progress":0.04},"when":"true","conditions":[{"cond":"top_goal_progress < 10%","at":"../../../rules/moneymoments/goal.mmr:16:8","values":[0.04,0.1],"result":"true"},{"cond":"savings_actual_month <= 0","at":"../../../rules/moneymoments/goal.mmr:17:11","values":[0,0],"result":"true"},{"cond":"responsiveness_by_category[\"goal\"] ?? 0 >= -50%","at":"../../../rules/moneymoments/goal.mmr:18:11","values":[0,-0.5],"result":"true"}],"signals":[{"signal":"income_this_month","value":null,"window":"this month","from":"2025-10-01","to":"2025-10-26","zone":"Asia/Kolkata","rows":null},{"signal":"savings_actual_month","value":0,"computed_from":["income_this_month","spend_this_month"]},{"signal":"spend_this_month","value":null,"window":"this month","from":"2025-10-01","to":"2025-10-26","zone":"Asia/Kolkata","rows":null},{"signal":"top_goal_progress","value":0.04,"source":"goal","rows":null}]},{"rule":"dining_overspend","priority":80,"fired":true,"values":{"goal_name":"Goa Trip"},"when":"true","conditions":[{"cond":"heavy_diner","at":"../../../rules/moneymoments/dining.mmr:18:8","values":[],"result":"true"},{"cond":"responsiveness_by_category[\"dining\"] ?? 0 >= -50%","at":"../../../rules/moneymoments/dining.mmr:18:24","values":[0,-0.5],"result":"true"}],"signals":[{"signal":"dining_txn_7d","value":4,"window":"last 7d","from":"2025-10-20","to":"2025-10-26","zone":"Asia/Kolkata","rows":null},{"signal":"spend_30d","value":null,"window":"last 30d","from":"2025-09-27","to":"2025-10-26","zone":"Asia/Kolkata","rows":null},{"signal":"wants_share_30d","value":0.42,"computed_from":["spend_30d","wants_spend_30d"]},{"signal":"wants_spend_30d","value":null,"window":"last 30d","from":"2025-09-27","to":"2025-10-26","zone":"Asia/Kolkata","rows":null}]},{"rule":"shopping_spike","priority":70,"fired":false,"when":"unknown","conditions":[{"cond":"shopping_txn_7d >= 2","at":"../../../rules/moneymoments/shopping.mmr:16:8","values":[null,2],"result":"unknown"},{"cond":"pct_change(shopping_spend_30d, shopping_spend_prev_30d) > 20%","at":"../../../rules/moneymoments/shopping.mmr:17:11","values":[null,0.2],"result":"unknown","calls":[{"call":"pct_change(shopping_spend_30d, shopping_spend_prev_30d)","at":"../../../rules/moneymoments/shopping.mmr:17:11","args":[null,null],"result":null}]},{"cond":"responsiveness_by_category[\"shopping\"] ?? 0 >= -50%","at":"../../../rules/moneymoments/shopping.mmr:18:11","values":[0,-0.5],"result":"true"}],"signals":[{"signal":"shopping_spend_30d","value":null,"window":"last 30d","from":"2025-09-27","to":"2025-10-26","zone":"Asia/Kolkata","rows":null},{"signal":"shopping_spend_prev_30d","value":null,"window":"previous 30d","from":"2025-08-28","to":"2025-09-26","zone":"Asia/Kolkata","rows":null},{"signal":"shopping_txn_7d","value":null,"window":"last 7d","from":"2025-10-20","to":"2025-10-26","zone":"Asia/Kolkata","rows":null}]},{"rule":"travel_heavy","priority":60,"fired":false,"when":"unknown","conditions":[{"cond":"travel_txn_30d > travel_txn_baseline_30d","at":"../../../rules/moneymoments/travel.mmr:16:8","values":[null,null],"result":"unknown"},{"cond":"ratio(upcoming_yearly_expenses_90d, monthly_income) >= 50%","at":"../../../rules/moneymoments/travel.mmr:17:11","values":[null,0.5],"result":"unknown","calls":[{"call":"ratio(upcoming_yearly_expenses_90d, monthly_income)","at":"../../../rules/moneymoments/travel.mmr:17:11","args":[null,null],"result":null}]},{"cond":"responsiveness_by_category[\"travel\"] ?? 0 >= -50%","at":"../../../rules/moneymoments/travel.mmr:18:11","values":[0,-0.5],"result":"true"}],"signals":[{"signal":"income_90d","value":null,"window":"last 90d","from":"2025-07-29","to":"2025-10-26","zone":"Asia/Kolkata","rows":null},{"signal":"monthly_income","value":null,"computed_from":["income_90d"]},{"signal":"travel_txn_30d","value":null,"window":"last 30d","from":"2025-09-27","to":"2025-10-26","zone":"Asia/Kolkata","rows":null},{"signal":"travel_txn_90d","value":null,"window":"last 90d","from":"2025-07-29","to":"2025-10-26","zone":"Asia/Kolkata","rows":null},{"signal":"travel_txn_baseline_30d","value":null,"computed_from":["travel_txn_90d"]}]},{"rule":"budget_drift","priority":50,"fired":false,"when":"unknown","conditions":[{"cond":"abs(budget_variance) > 15%","at":"../../../rules/moneymoments/budget.mmr:16:8","values":[null,0.15],"result":"unknown","calls":[{"call":"abs(budget_variance)","at":"../../../rules/moneymoments/budget.mmr:16:8","args":[null],"result":null}]},{"cond":"responsiveness_by_category[\"budget\"] ?? 0 >= -50%","at":"../../../rules/moneymoments/budget.mmr:16:39","values":[0,-0.5],"result":"true"}],"signals":[{"signal":"budget_this_month","value":null,"source":"budget","rows":null},{"signal":"budget_variance","value":null,"computed_from":["budget_this_month","spend_this_month"]},{"signal":"spend_this_month","value":null,"window":"this month","from":"2025-10-01","to":"2025-10-26","zone":"Asia/Kolkata","rows":null}]}],"lets":[{"let":"heavy_diner","value":"true","conditions":[{"cond":"dining_txn_7d >= 3","at":"../../../rules/moneymoments/dining.mmr:11:19","values":[4,3],"result":"true"},{"cond":"wants_share_30d > 35%","at":"../../../rules/moneymoments/dining.mmr:11:42","values":[0.42,0.35],"result":"true"}]}]}
  $ mmr eval ../../../rules/moneymoments --signals users.ndjson --user u2 --explain=text
  user u2 (as of 2025-10-26): selected nothing
    candidates: none
    let heavy_diner = unknown
        true     dining_txn_7d >= 3   [9, 3]   ../../../rules/moneymoments/dining.mmr:11:19
        unknown  wants_share_30d > 35%   [missing, 0.35]   ../../../rules/moneymoments/dining.mmr:11:42
    rule goal_underfunded (priority 90): not fired
      when: unknown
        unknown  top_goal_progress < 10%   [missing, 0.1]   ../../../rules/moneymoments/goal.mmr:16:8
        unknown  savings_actual_month <= 0   [missing, 0]   ../../../rules/moneymoments/goal.mmr:17:11
        true     responsiveness_by_category["goal"] ?? 0 >= -50%   [0, -0.5]   ../../../rules/moneymoments/goal.mmr:18:11
        signal income_this_month = missing (this month: 2025-10-01 .. 2025-10-26 Asia/Kolkata)
        signal savings_actual_month = missing (computed from income_this_month, spend_this_month)
        signal spend_this_month = missing (this month: 2025-10-01 .. 2025-10-26 Asia/Kolkata)
        signal top_goal_progress = missing (current goal rows)
    rule dining_overspend (priority 80): not fired
      when: unknown
        unknown  heavy_diner   ../../../rules/moneymoments/dining.mmr:18:8
        true     responsiveness_by_category["dining"] ?? 0 >= -50%   [0, -0.5]   ../../../rules/moneymoments/dining.mmr:18:24
        signal dining_txn_7d = 9 (last 7d: 2025-10-20 .. 2025-10-26 Asia/Kolkata)
        signal spend_30d = missing (last 30d: 2025-09-27 .. 2025-10-26 Asia/Kolkata)
        signal wants_share_30d = missing (computed from spend_30d, wants_spend_30d)
        signal wants_spend_30d = missing (last 30d: 2025-09-27 .. 2025-10-26 Asia/Kolkata)
    rule shopping_spike (priority 70): not fired
      when: unknown
        unknown  shopping_txn_7d >= 2   [missing, 2]   ../../../rules/moneymoments/shopping.mmr:16:8
        unknown  pct_change(shopping_spend_30d, shopping_spend_prev_30d) > 20%   [missing, 0.2]   ../../../rules/moneymoments/shopping.mmr:17:11
          call     pct_change(shopping_spend_30d, shopping_spend_prev_30d)   (missing, missing) -> missing   ../../../rules/moneymoments/shopping.mmr:17:11
        true     responsiveness_by_category["shopping"] ?? 0 >= -50%   [0, -0.5]   ../../../rules/moneymoments/shopping.mmr:18:11
        signal shopping_spend_30d = missing (last 30d: 2025-09-27 .. 2025-10-26 Asia/Kolkata)
        signal shopping_spend_prev_30d = missing (previous 30d: 2025-08-28 .. 2025-09-26 Asia/Kolkata)
        signal shopping_txn_7d = missing (last 7d: 2025-10-20 .. 2025-10-26 Asia/Kolkata)
    rule travel_heavy (priority 60): not fired
      when: unknown
        unknown  travel_txn_30d > travel_txn_baseline_30d   [missing, missing]   ../../../rules/moneymoments/travel.mmr:16:8
        unknown  ratio(upcoming_yearly_expenses_90d, monthly_income) >= 50%   [missing, 0.5]   ../../../rules/moneymoments/travel.mmr:17:11
          call     ratio(upcoming_yearly_expenses_90d, monthly_income)   (missing, missing) -> missing   ../../../rules/moneymoments/travel.mmr:17:11
        true     responsiveness_by_category["travel"] ?? 0 >= -50%   [0, -0.5]   ../../../rules/moneymoments/travel.mmr:18:11
        signal income_90d = missing (last 90d: 2025-07-29 .. 2025-10-26 Asia/Kolkata)
        signal monthly_income = missing (computed from income_90d)
        signal travel_txn_30d = missing (last 30d: 2025-09-27 .. 2025-10-26 Asia/Kolkata)
        signal travel_txn_90d = missing (last 90d: 2025-07-29 .. 2025-10-26 Asia/Kolkata)
        signal travel_txn_baseline_30d = missing (computed from travel_txn_90d)
    rule budget_drift (priority 50): not fired
      when: unknown
        unknown  abs(budget_variance) > 15%   [missing, 0.15]   ../../../rules/moneymoments/budget.mmr:16:8
          call     abs(budget_variance)   (missing) -> missing   ../../../rules/moneymoments/budget.mmr:16:8
        true     responsiveness_by_category["budget"] ?? 0 >= -50%   [0, -0.5]   ../../../rules/moneymoments/budget.mmr:16:39
        signal budget_this_month = missing (current budget rows)
        signal budget_variance = missing (computed from budget_this_month, spend_this_month)
        signal spend_this_month = missing (this month: 2025-10-01 .. 2025-10-26 Asia/Kolkata)
  $ mmr eval ../../../rules/moneymoments --signals users.ndjson --user u6 --explain=text
  user u6 (as of 2025-10-26): selected nothing
    candidates: none
    let heavy_diner = unknown
        unknown  dining_txn_7d >= 3   [missing, 3]   ../../../rules/moneymoments/dining.mmr:11:19
        unknown  wants_share_30d > 35%   [missing, 0.35]   ../../../rules/moneymoments/dining.mmr:11:42
    rule goal_underfunded (priority 90): not fired
      when: unknown
        unknown  top_goal_progress < 10%   [missing, 0.1]   ../../../rules/moneymoments/goal.mmr:16:8
        unknown  savings_actual_month <= 0   [missing, 0]   ../../../rules/moneymoments/goal.mmr:17:11
        true     responsiveness_by_category["goal"] ?? 0 >= -50%   [0, -0.5]   ../../../rules/moneymoments/goal.mmr:18:11
        signal income_this_month = missing (this month: 2025-10-01 .. 2025-10-26 Asia/Kolkata)
        signal savings_actual_month = missing (computed from income_this_month, spend_this_month)
        signal spend_this_month = missing (this month: 2025-10-01 .. 2025-10-26 Asia/Kolkata)
        signal top_goal_progress = missing (current goal rows)
    rule dining_overspend (priority 80): not fired
      when: unknown
        unknown  heavy_diner   ../../../rules/moneymoments/dining.mmr:18:8
        true     responsiveness_by_category["dining"] ?? 0 >= -50%   [0, -0.5]   ../../../rules/moneymoments/dining.mmr:18:24
        signal dining_txn_7d = missing (last 7d: 2025-10-20 .. 2025-10-26 Asia/Kolkata)
        signal spend_30d = missing (last 30d: 2025-09-27 .. 2025-10-26 Asia/Kolkata)
        signal wants_share_30d = missing (computed from spend_30d, wants_spend_30d)
        signal wants_spend_30d = missing (last 30d: 2025-09-27 .. 2025-10-26 Asia/Kolkata)
    rule shopping_spike (priority 70): not fired
      when: unknown
        unknown  shopping_txn_7d >= 2   [missing, 2]   ../../../rules/moneymoments/shopping.mmr:16:8
        unknown  pct_change(shopping_spend_30d, shopping_spend_prev_30d) > 20%   [missing, 0.2]   ../../../rules/moneymoments/shopping.mmr:17:11
          call     pct_change(shopping_spend_30d, shopping_spend_prev_30d)   (missing, missing) -> missing   ../../../rules/moneymoments/shopping.mmr:17:11
        true     responsiveness_by_category["shopping"] ?? 0 >= -50%   [0, -0.5]   ../../../rules/moneymoments/shopping.mmr:18:11
        signal shopping_spend_30d = missing (last 30d: 2025-09-27 .. 2025-10-26 Asia/Kolkata)
        signal shopping_spend_prev_30d = missing (previous 30d: 2025-08-28 .. 2025-09-26 Asia/Kolkata)
        signal shopping_txn_7d = missing (last 7d: 2025-10-20 .. 2025-10-26 Asia/Kolkata)
    rule travel_heavy (priority 60): not fired
      when: unknown
        true     travel_txn_30d > travel_txn_baseline_30d   [5, 1]   ../../../rules/moneymoments/travel.mmr:16:8
        unknown  ratio(upcoming_yearly_expenses_90d, monthly_income) >= 50%   [missing, 0.5]   ../../../rules/moneymoments/travel.mmr:17:11
          call     ratio(upcoming_yearly_expenses_90d, monthly_income)   (90000, 0) -> missing   ../../../rules/moneymoments/travel.mmr:17:11
        true     responsiveness_by_category["travel"] ?? 0 >= -50%   [0, -0.5]   ../../../rules/moneymoments/travel.mmr:18:11
        signal income_90d = missing (last 90d: 2025-07-29 .. 2025-10-26 Asia/Kolkata)
        signal monthly_income = 0 (computed from income_90d)
        signal travel_txn_30d = 5 (last 30d: 2025-09-27 .. 2025-10-26 Asia/Kolkata)
        signal travel_txn_90d = missing (last 90d: 2025-07-29 .. 2025-10-26 Asia/Kolkata)
        signal travel_txn_baseline_30d = 1 (computed from travel_txn_90d)
    rule budget_drift (priority 50): not fired
      when: unknown
        unknown  abs(budget_variance) > 15%   [missing, 0.15]   ../../../rules/moneymoments/budget.mmr:16:8
          call     abs(budget_variance)   (missing) -> missing   ../../../rules/moneymoments/budget.mmr:16:8
        true     responsiveness_by_category["budget"] ?? 0 >= -50%   [0, -0.5]   ../../../rules/moneymoments/budget.mmr:16:39
        signal budget_this_month = missing (current budget rows)
        signal budget_variance = missing (computed from budget_this_month, spend_this_month)
        signal spend_this_month = missing (this month: 2025-10-01 .. 2025-10-26 Asia/Kolkata)

A rule with an audience: conditions say where they are ("in"), "when"
comes before "audience", and a fired rule shows its template values (here
the key an `any` bound).

  $ mmr eval audience.mmr --signals audience.ndjson --explain
  {"user_id":"a1","as_of":null,"candidates":["category_jump"],"selected":"category_jump","explain":[{"rule":"category_jump","priority":40,"fired":true,"values":{"cat":"dining"},"when":"true","audience":"true","conditions":[{"cond":"any cat in category_spend_7d where category_spend_7d[cat] > prev_category_spend_7d[cat] * 1.25","in":"when","at":"audience.mmr:14:8","values":[],"result":"true","keys":[{"var":"cat","key":"dining","result":"true","conditions":[{"cond":"category_spend_7d[cat] > prev_category_spend_7d[cat] * 1.25","at":"audience.mmr:14:43","values":[500,375],"result":"true"}]}]},{"cond":"age_band in [\"18-24\", \"25-34\"]","in":"audience","at":"audience.mmr:15:12","values":["25-34",["18-24","25-34"]],"result":"true"},{"cond":"\"student\" in lifestyle_tags","in":"audience","at":"audience.mmr:15:52","values":["student",["foodie"]],"result":"false"}]}]}
  {"user_id":"a2","as_of":null,"candidates":[],"selected":null,"explain":[{"rule":"category_jump","priority":40,"fired":false,"when":"unknown","audience":"false","conditions":[{"cond":"any cat in category_spend_7d where category_spend_7d[cat] > prev_category_spend_7d[cat] * 1.25","in":"when","at":"audience.mmr:14:8","values":[],"result":"unknown","keys":[{"var":"cat","key":"dining","result":"unknown","conditions":[{"cond":"category_spend_7d[cat] > prev_category_spend_7d[cat] * 1.25","at":"audience.mmr:14:43","values":[500,null],"result":"unknown"}]}]},{"cond":"age_band in [\"18-24\", \"25-34\"]","in":"audience","at":"audience.mmr:15:12","values":["45-54",["18-24","25-34"]],"result":"false"},{"cond":"\"student\" in lifestyle_tags","in":"audience","at":"audience.mmr:15:52","values":["student",null],"result":"unknown"}]}]}
  $ mmr eval audience.mmr --signals audience.ndjson --explain=text
  user a1: selected category_jump
    candidates: category_jump
    rule category_jump (priority 40): fired with cat = "dining"
      when: true
        true     any cat in category_spend_7d where category_spend_7d[cat] > prev_category_spend_7d[cat] * 1.25   audience.mmr:14:8
          cat = "dining": true
            true     category_spend_7d[cat] > prev_category_spend_7d[cat] * 1.25   [500, 375]   audience.mmr:14:43
      audience: true
        true     age_band in ["18-24", "25-34"]   ["25-34", ["18-24","25-34"]]   audience.mmr:15:12
        false    "student" in lifestyle_tags   ["student", ["foodie"]]   audience.mmr:15:52
  user a2: selected nothing
    candidates: none
    rule category_jump (priority 40): not fired
      when: unknown
        unknown  any cat in category_spend_7d where category_spend_7d[cat] > prev_category_spend_7d[cat] * 1.25   audience.mmr:14:8
          cat = "dining": unknown
            unknown  category_spend_7d[cat] > prev_category_spend_7d[cat] * 1.25   [500, missing]   audience.mmr:14:43
      audience: false
        false    age_band in ["18-24", "25-34"]   ["45-54", ["18-24","25-34"]]   audience.mmr:15:12
        unknown  "student" in lifestyle_tags   ["student", missing]   audience.mmr:15:52

CSV records with line breaks inside quoted cells, over many chunks: every
record is read once, with the right line numbers, for any thread count.

  $ { echo 'user_id,top_goal_name,top_goal_progress,savings_actual_month'
  >   for i in $(seq 1 40000); do printf 'u%d,"Goal\r\nnumber %d, ""quoted""",0.0%d,0\r\n' $i $i $((i % 10)); done
  >   echo 'u40001,x,abc,0'; } > $TESTTMP/multi.csv
  $ mmr eval ../../../rules/moneymoments --signals $TESTTMP/multi.csv --threads 1 2>&1 > $TESTTMP/m1 | sed "s#$TESTTMP/##"
  multi.csv:80002: error: user u40001: signal "top_goal_progress" (column 3) must be a number, got "abc"
  $ mmr eval ../../../rules/moneymoments --signals $TESTTMP/multi.csv --threads 4 2>&1 > $TESTTMP/m4 | sed "s#$TESTTMP/##"
  multi.csv:80002: error: user u40001: signal "top_goal_progress" (column 3) must be a number, got "abc"
  $ cmp $TESTTMP/m1 $TESTTMP/m4 && wc -l < $TESTTMP/m1 && grep -c goal_underfunded $TESTTMP/m1
  40000
  40000
  $ mmr eval ../../../rules/moneymoments --signals $TESTTMP/multi.csv --user u39999 --explain=text 2>&1 | head -3 | sed "s#$TESTTMP/##"
  user u39999: selected goal_underfunded
    candidates: goal_underfunded
    let heavy_diner = unknown

Help.

  $ mmr eval --help | head -n 2
  usage: mmr eval PATH... --signals FILE [options]
  
  $ mmr gen --help | head -n 1
  usage: mmr gen --users N [--seed S] [--as-of DATE] (--ndjson FILE | --csv FILE | --db FILE)
