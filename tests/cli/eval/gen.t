mmr gen: deterministic sample users.

  $ mmr gen --users 2 --seed 3 --ndjson -
  {"user_id":"u1","as_of":"2025-10-26","signals":{"dining_txn_7d":2,"shopping_txn_7d":1,"travel_txn_30d":1,"wants_share_30d":0.33,"needs_share_30d":0.46,"spending_leaks_30d":1397,"shopping_spend_30d":2760,"shopping_spend_prev_30d":0,"travel_txn_baseline_30d":1,"prev_total_spend_7d":1989,"small_txn_count_7d":9,"category_spend_7d":{"dining":5403,"entertainment":0,"fuel":2040,"groceries":2416,"shopping":5788},"prev_category_spend_7d":{"bills":2126,"dining":823,"entertainment":4015,"fuel":2323,"groceries":1816},"budget_variance":-0.12,"variance_savings":-0.19,"monthly_commitment":13551,"monthly_income":55175,"upcoming_yearly_expenses_90d":14289,"savings_gap":3730,"savings_actual_month":16896,"underfunded_top_goal":"Europe \"Big\" Trip","top_goal_name":"Kids' Education","top_goal_progress":0.74,"top_goal_underfunding":0.09},"traits":{"age_band":"18-24","gender":"male","income_type":"gig","dependents":4,"tz":"Asia/Kolkata"}}
  {"user_id":"u2","as_of":"2025-10-26","signals":{"dining_txn_7d":6,"shopping_txn_7d":0,"travel_txn_30d":0,"wants_share_30d":0.32,"needs_share_30d":0.38,"upi_peer_payments_30d":23,"spending_leaks_30d":868,"shopping_spend_30d":4056,"shopping_spend_prev_30d":3564,"travel_txn_baseline_30d":3,"prev_total_spend_7d":15913,"small_txn_count_7d":19,"category_spend_7d":{"bills":0,"dining":4722,"entertainment":1317,"fuel":2955,"shopping":3064,"travel":0},"variance_needs":0.05,"variance_wants":-0.03,"variance_savings":-0.27,"monthly_commitment":29840,"monthly_income":126708,"upcoming_yearly_expenses_90d":31363,"savings_gap":2276,"savings_actual_month":5919,"underfunded_top_goal":"Goa Trip","top_goal_name":"Home Down Payment","top_goal_progress":0.71,"top_goal_underfunding":0.31},"traits":{"age_band":"45-54","gender":"male","lifestyle_tags":["foodie","student","parent"],"dependents":0}}
  $ mmr gen --users 2 --seed 3 --csv -
  user_id,as_of,dining_txn_7d,shopping_txn_7d,travel_txn_30d,wants_share_30d,needs_share_30d,upi_peer_payments_30d,recurring_merchants,spending_leaks_30d,shopping_spend_30d,shopping_spend_prev_30d,travel_txn_baseline_30d,total_spend_7d,prev_total_spend_7d,small_txn_count_7d,category_spend_7d,prev_category_spend_7d,budget_variance,variance_needs,variance_wants,variance_savings,monthly_commitment,monthly_income,upcoming_yearly_expenses_90d,savings_gap,savings_actual_month,underfunded_top_goal,top_goal_name,top_goal_progress,top_goal_underfunding,goal_milestones_30d,age_band,gender,lifestyle_tags,region_code,income_type,dependents,tz
  u1,2025-10-26,2,1,1,0.33,0.46,,,1397,2760,0,1,,1989,9,"{""dining"":5403,""entertainment"":0,""fuel"":2040,""groceries"":2416,""shopping"":5788}","{""bills"":2126,""dining"":823,""entertainment"":4015,""fuel"":2323,""groceries"":1816}",-0.12,,,-0.19,13551,55175,14289,3730,16896,"Europe ""Big"" Trip",Kids' Education,0.74,0.09,,18-24,male,,,gig,4,Asia/Kolkata
  u2,2025-10-26,6,0,0,0.32,0.38,23,,868,4056,3564,3,,15913,19,"{""bills"":0,""dining"":4722,""entertainment"":1317,""fuel"":2955,""shopping"":3064,""travel"":0}",,,0.05,-0.03,-0.27,29840,126708,31363,2276,5919,Goa Trip,Home Down Payment,0.71,0.31,,45-54,male,"[""foodie"",""student"",""parent""]",,,0,
  $ mmr gen --users 500 --ndjson $TESTTMP/a.ndjson
  $ mmr gen --users 500 --ndjson $TESTTMP/b.ndjson
  $ cmp $TESTTMP/a.ndjson $TESTTMP/b.ndjson && echo same
  same

Every shipped rule fires for some of the sample, from NDJSON and CSV alike.

  $ mmr gen --users 500 --csv $TESTTMP/a.csv
  $ mmr eval ../../../rules/moneymoments --signals $TESTTMP/a.csv | cmp - <(mmr eval ../../../rules/moneymoments --signals $TESTTMP/a.ndjson) && echo same
  same
  $ mmr eval ../../../rules/moneymoments --signals $TESTTMP/a.ndjson | grep -o '"selected":"[a-z_]*"' | sort | uniq -c | sed 's/^ *//'
  85 "selected":"budget_drift"
  105 "selected":"dining_overspend"
  99 "selected":"goal_underfunded"
  48 "selected":"shopping_spike"
  32 "selected":"travel_heavy"

Usage errors.

  $ mmr gen --users 3
  mmr gen: give exactly one of --ndjson FILE, --csv FILE, --db FILE
  (see `mmr gen --help`)
  [2]
  $ mmr gen --users x --ndjson -
  mmr gen: --users wants a count, got "x"
  (see `mmr gen --help`)
  [2]
  $ mmr gen --users 3 --ndjson - --csv -
  mmr gen: give exactly one of --ndjson FILE, --csv FILE, --db FILE
  (see `mmr gen --help`)
  [2]
  $ mmr gen --users 3 --as-of 2025-02-30 --ndjson -
  mmr gen: --as-of wants YYYY-MM-DD, got "2025-02-30"
  (see `mmr gen --help`)
  [2]
