mmr import turns rule master and template master rows (JSON) into canonical
.mmr. The spec's dining rule and template (FR-MM-2, FR-MM-3): the template's
{goal_name} is no std signal and no rule binds it, so it is declared from its
use, with a warning that names the JSON path.

  $ mmr import spec_dining.json
  spec_dining.json: $[1].body: warning: "goal_name" is not declared in std/moneymoments; declared as `signal goal_name : text` from its use
    hint: declare it in the "signals" section to choose its type
  import "std/moneymoments"
  
  signal goal_name : text
  
  template DINE_01 {
    title "Oops! Dining spike detected"
    body "Looks tasty… but your {goal_name} fund is starving 😋"
    tone humorous
    category dining
  }
  
  rule dining_overspend {
    description "Frequent takeout while wants eat the budget"
    priority 80
    cooldown 3d
    when dining_txn_7d >= 3 and wants_share_30d > 0.35
    audience age_band in ["18-24", "25-34", "35-44"]
    message DINE_01
  }

Names std/moneymoments does not declare get their type from their use:
compared with a number they are numbers, with text text; in
traits_filter_json they are traits.

  $ mmr import typed.json -o "$TESTTMP/typed.mmr"
  typed.json: $[0].traits_filter_json.city: warning: "city" is not declared in std/moneymoments; declared as `trait city : text` from its use
    hint: declare it in the "traits" section to choose its type
  typed.json: $[0].expression_json.if.crypto_txn_7d: warning: "crypto_txn_7d" is not declared in std/moneymoments; declared as `signal crypto_txn_7d : number` from its use
    hint: declare it in the "signals" section to choose its type
  typed.json: $[0].expression_json.if.crypto_exchange: warning: "crypto_exchange" is not declared in std/moneymoments; declared as `signal crypto_exchange : text` from its use
    hint: declare it in the "signals" section to choose its type
  $ head -6 "$TESTTMP/typed.mmr"
  import "std/moneymoments"
  
  signal crypto_txn_7d : number
  signal crypto_exchange : text
  
  trait city : text

Every operator, nesting, {"var": NAME} operands, .mmr text for what JSON
cannot say, JSON held in strings, fractional cooldowns, and explicit
signal/trait declarations:

  $ mmr import operators.json
  import "std/moneymoments"
  
  signal is_student : bool "Enrolled in a course"
  signal merchant_spend_30d : map<number>
  
  trait city : text
  
  template OPS_01 {
    title "Every operator, {who}"
    body "{goal_name} needs {gap:money}; wants are {share:pct}."
    tone neutral
    category budget
  }
  
  template OPS_02 {
    title "Nested conditions"
    body "Spent {spent:money} at {merchant}."
    tone empathetic
    category shopping
  }
  
  rule comparisons {
    description "Each comparison operator once"
    priority 10
    cooldown 1d
    when dining_txn_7d == 3
        and shopping_txn_7d != 0
        and travel_txn_30d > 1
        and travel_txn_30d < 10
        and wants_share_30d >= 0.35
        and wants_share_30d <= 0.9
        and savings_gap between 1000 and 50000
        and underfunded_top_goal is present
        and budget_variance is missing
        and top_goal_name == "Goa Trip"
        and is_student == true
        and monthly_income > monthly_commitment
    audience age_band in ["18-24", "25-34"]
        and region_code not in ["IN-KA"]
        and dependents between 0 and 2
        and city == "Pune"
    message OPS_01 with {
      who = "friend",
      goal_name = underfunded_top_goal,
      gap = savings_gap,
      share = round(wants_share_30d * 100) / 100
    }
  }
  
  rule nested {
    category shopping
    priority 11
    cooldown 12h
    when (dining_txn_7d >= 3 and wants_share_30d > 0.35
            or not shopping_txn_7d < 2
            or travel_txn_30d > 4
            or small_txn_count_7d > 20)
        and top_goal_progress < 0.1
        and top_goal_progress > -0.5
        and (any m in merchant_spend_30d where merchant_spend_30d[m] > 5000)
    message OPS_02 with { spent = sum(merchant_spend_30d), merchant = m }
  }
  
  rule shorthand_and_text {
    priority 12
    cooldown 90m
    when abs(budget_variance) > 15% or pct_change(total_spend_7d, prev_total_spend_7d) > 0.5
    audience "foodie" in lifestyle_tags
    message OPS_01 with { who = "you", goal_name = "savings", gap = 0, share = wants_share_30d }
  }

Several files become one ruleset:

  $ mmr import spec_dining.json typed.json 2>/dev/null | grep -E '^(import|signal|trait|template|rule)'
  import "std/moneymoments"
  signal goal_name : text
  signal crypto_txn_7d : number
  signal crypto_exchange : text
  trait city : text
  template DINE_01 {
  template CRYPTO_01 {
  rule dining_overspend {
  rule crypto_fan {

A .json rule master is a ruleset wherever one is accepted:

  $ mmr check spec_dining.json 2>/dev/null && echo ok
  ok
  $ echo '{"user_id":"u1","signals":{"dining_txn_7d":4,"wants_share_30d":0.4,"goal_name":"Goa"},"traits":{"age_band":"25-34"}}' > "$TESTTMP/s.ndjson"
  $ mmr eval spec_dining.json --signals "$TESTTMP/s.ndjson" 2>/dev/null
  {"user_id":"u1","as_of":null,"candidates":["dining_overspend"],"selected":"dining_overspend"}

Usage errors:

  $ mmr import
  mmr import: give one or more .json files
  (see `mmr import --help`)
  [2]
  $ mmr import export_ops.mmr
  mmr import: export_ops.mmr is not a .json file
  (see `mmr import --help`)
  [2]
  $ mmr import missing.json
  missing.json: error: cannot read missing.json: No such file or directory
  [1]
