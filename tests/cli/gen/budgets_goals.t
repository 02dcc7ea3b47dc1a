mmr gen --budgets / --goals: deterministic sample budgets and goals for the
derived signals' budget and goal sources (docs/signals.md, "Sample data"),
in the user order of the transactions, as `mmr ingest` takes them.

  $ mmr gen --users 12 --budgets $TESTTMP/b.ndjson --goals $TESTTMP/g.ndjson
  $ head -n 4 $TESTTMP/b.ndjson
  {"user_id":"u1","category":"Travel","limit":19500,"period":"month"}
  {"user_id":"u1","category":"Transfers","limit":10000,"period":"month"}
  {"user_id":"u1","category":"Shopping","limit":12500,"period":"month"}
  {"user_id":"u1","category":"Fuel","limit":10500,"period":"month"}
  $ head -n 4 $TESTTMP/g.ndjson
  {"user_id":"u1","goal_id":"g1","name":"Goa Trip","target":45000,"saved":9300,"deadline":"2027-09-18","priority":2}
  {"user_id":"u1","goal_id":"g2","name":"Emergency Fund","target":161000,"saved":69600,"deadline":"2027-09-09","priority":1}
  {"user_id":"u11","goal_id":"g1","name":"Wedding","target":260000,"saved":0,"priority":2}
  {"user_id":"u11","goal_id":"g2","name":"Gold Savings","target":197000,"saved":14200,"deadline":"2026-11-23","priority":1}
  $ grep -o '"user_id":"u[0-9]*"' $TESTTMP/b.ndjson | uniq | tr '\n' ' '; echo
  "user_id":"u1" "user_id":"u11" "user_id":"u12" "user_id":"u2" "user_id":"u3" "user_id":"u4" "user_id":"u6" "user_id":"u7" "user_id":"u9" 
  $ grep -o '"user_id":"u[0-9]*"' $TESTTMP/g.ndjson | uniq | tr '\n' ' '; echo
  "user_id":"u1" "user_id":"u11" "user_id":"u12" "user_id":"u4" "user_id":"u5" "user_id":"u6" "user_id":"u7" "user_id":"u8" "user_id":"u9" 

Budgets and goals do not depend on the transactions asked for, nor on the
days of history; the same N, seed and date give the same bytes, another
seed others. Only the goals' deadlines move with the as-of date.

  $ mmr gen --users 12 --days 30 --transactions /dev/null --traits /dev/null --budgets - | cmp - $TESTTMP/b.ndjson && echo same
  same
  $ mmr gen --users 12 --goals - | cmp - $TESTTMP/g.ndjson && echo same
  same
  $ mmr gen --users 12 --seed 2 --budgets - | cmp -s - $TESTTMP/b.ndjson || echo differs
  differs
  $ mmr gen --users 12 --as-of 2025-11-26 --budgets - | cmp - $TESTTMP/b.ndjson && echo same
  same
  $ mmr gen --users 12 --as-of 2025-11-26 --goals - | sed 's/,"deadline":"[0-9-]*"//' > $TESTTMP/g2
  $ sed 's/,"deadline":"[0-9-]*"//' $TESTTMP/g.ndjson | cmp - $TESTTMP/g2 && echo same
  same

`mmr ingest` takes them, and `mmr signals` derives the budget and goal
signals of rules/moneymoments from them, the same from files and from the
database.

  $ mmr gen --users 12 --transactions $TESTTMP/t.ndjson --traits $TESTTMP/tr.ndjson
  $ mmr ingest --db $TESTTMP/s.db --traits $TESTTMP/tr.ndjson --budgets $TESTTMP/b.ndjson --goals $TESTTMP/g.ndjson $TESTTMP/t.ndjson
  mmr ingest: 4336 transactions from 1 file: 4336 new, 0 already present; 34 budgets; 21 goals; traits of 12 users
  $ mmr signals ../../../rules/moneymoments --transactions $TESTTMP/t.ndjson --traits $TESTTMP/tr.ndjson --budgets $TESTTMP/b.ndjson --goals $TESTTMP/g.ndjson --as-of 2025-10-26 --ndjson $TESTTMP/f.ndjson
  mmr signals: as_of 2025-10-26: 12 users, 4336 transactions
  $ mmr signals ../../../rules/moneymoments --db $TESTTMP/s.db --as-of 2025-10-26 # sqlite output: its rollup cache
  mmr signals: as_of 2025-10-26: 12 users into mm_signal_daily; 1080 days of rollups computed from 4336 transactions, 0 reused
  $ head -n 3 $TESTTMP/f.ndjson | python3 -c 'import json, sys; [print(o["user_id"], *("%s=%s" % (k, json.dumps(o["signals"][k])) for k in ("budget_this_month", "budget_variance", "top_goal_name", "top_goal_progress", "underfunded_top_goal"))) for o in map(json.loads, sys.stdin)]'
  u1 budget_this_month=66000 budget_variance=-0.32097803030303024 top_goal_name="Emergency Fund" top_goal_progress=0.4322981366459627 underfunded_top_goal="Emergency Fund"
  u10 budget_this_month=null budget_variance=null top_goal_name=null top_goal_progress=null underfunded_top_goal=null
  u11 budget_this_month=54000 budget_variance=-0.07359500000000009 top_goal_name="Gold Savings" top_goal_progress=0.07208121827411168 underfunded_top_goal="Gold Savings"
  $ sqlite3 $TESTTMP/s.db "SELECT user_id, budget_this_month, round(budget_variance, 6), top_goal_name, round(top_goal_progress, 6), underfunded_top_goal FROM mm_signal_daily ORDER BY user_id LIMIT 3"
  u1|66000.0|-0.320978|Emergency Fund|0.432298|Emergency Fund
  u10|||||
  u11|54000.0|-0.073595|Gold Savings|0.072081|Gold Savings

Usage errors.

  $ mmr gen --users 3 --budgets - --goals -
  mmr gen: only one of --transactions, --traits, --budgets, --goals can go to stdout
  (see `mmr gen --help`)
  [2]
  $ mmr gen --users 3 --goals - --db $TESTTMP/x.db
  mmr gen: --transactions/--traits/--budgets/--goals go without --ndjson, --csv or --db
  (see `mmr gen --help`)
  [2]
