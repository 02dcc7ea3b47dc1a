mmr export prints a checked ruleset as the app's rule master and template
master rows. Conditions use the JSON rule form when they can (lets are
inlined); otherwise expression_json holds "mmr", the canonical .mmr text.
Keys come in a fixed order; the output is byte-for-byte reproducible.

The shipped MoneyMoments rules:

  $ mmr export ../../../rules/moneymoments
  {
    "rules": [
      {
        "rule_id": "budget_drift",
        "name": "budget_drift",
        "description": "Actual spend deviates from the planned budget by more than 15%",
        "priority": 50,
        "cooldown_days": 7,
        "traits_filter_json": null,
        "expression_json": {
          "mmr": "abs(budget_variance) > 15% and responsiveness_by_category[\"budget\"] ?? 0 >= -50%",
          "message_template_id": "BUDGET_01",
          "category": "budget",
          "with": {"drift": {"mmr": "abs(budget_variance)"}}
        }
      },
      {
        "rule_id": "dining_overspend",
        "name": "dining_overspend",
        "description": "Frequent takeout while wants take over 35% of spend",
        "priority": 80,
        "cooldown_days": 3,
        "traits_filter_json": null,
        "expression_json": {
          "mmr": "dining_txn_7d >= 3 and wants_share_30d > 35% and responsiveness_by_category[\"dining\"] ?? 0 >= -50%",
          "message_template_id": "DINE_01",
          "category": "dining",
          "with": {"goal_name": {"mmr": "underfunded_top_goal ?? \"savings\""}}
        }
      },
      {
        "rule_id": "goal_underfunded",
        "name": "goal_underfunded",
        "description": "Top goal under 10% funded and no savings yet this month",
        "priority": 90,
        "cooldown_days": 7,
        "traits_filter_json": null,
        "expression_json": {
          "mmr": "top_goal_progress < 10% and savings_actual_month <= 0 and responsiveness_by_category[\"goal\"] ?? 0 >= -50%",
          "message_template_id": "GOAL_01",
          "category": "goal",
          "with": {
            "goal_name": {"mmr": "top_goal_name ?? \"Your goal\""},
            "progress": {"var": "top_goal_progress"}
          }
        }
      },
      {
        "rule_id": "shopping_spike",
        "name": "shopping_spike",
        "description": "Two or more shopping trips this week and spend up over 20% month on month",
        "priority": 70,
        "cooldown_days": 7,
        "traits_filter_json": null,
        "expression_json": {
          "mmr": "shopping_txn_7d >= 2 and pct_change(shopping_spend_30d, shopping_spend_prev_30d) > 20% and responsiveness_by_category[\"shopping\"] ?? 0 >= -50%",
          "message_template_id": "SHOP_01",
          "category": "shopping",
          "with": {
            "change": {"mmr": "pct_change(shopping_spend_30d, shopping_spend_prev_30d)"},
            "goal_name": {"mmr": "top_goal_name ?? \"your goals\""}
          }
        }
      },
      {
        "rule_id": "travel_heavy",
        "name": "travel_heavy",
        "description": "Travel above the user's baseline while big yearly expenses are due",
        "priority": 60,
        "cooldown_days": 14,
        "traits_filter_json": null,
        "expression_json": {
          "mmr": "travel_txn_30d > travel_txn_baseline_30d and ratio(upcoming_yearly_expenses_90d, monthly_income) >= 50% and responsiveness_by_category[\"travel\"] ?? 0 >= -50%",
          "message_template_id": "TRAVEL_01",
          "category": "travel",
          "with": {"due": {"var": "upcoming_yearly_expenses_90d"}}
        }
      }
    ],
    "templates": [
      {
        "template_id": "BUDGET_01",
        "title": "Your budget drifted a bit",
        "body": "Spending is {drift:pct} off plan this month. A quick look at the plan now keeps the month calm.",
        "tone": "neutral",
        "variables_json": ["drift"],
        "category": "budget"
      },
      {
        "template_id": "DINE_01",
        "title": "Takeout again? 🍟",
        "body": "Three or more orders this week. Your {goal_name} fund would love a home-cooked night 😋",
        "tone": "humorous",
        "variables_json": ["goal_name"],
        "category": "dining"
      },
      {
        "template_id": "GOAL_01",
        "title": "{goal_name} could use a boost 🌱",
        "body": "It is {progress:pct} of the way there and nothing has been saved this month. Even ₹500 today gets it moving.",
        "tone": "empathetic",
        "variables_json": ["goal_name", "progress"],
        "category": "goal"
      },
      {
        "template_id": "SHOP_01",
        "title": "Your cart has been busy 🛍️",
        "body": "Shopping is up {change:pct} on last month. A 48-hour wishlist pause keeps {goal_name} on track.",
        "tone": "neutral",
        "variables_json": ["change", "goal_name"],
        "category": "shopping"
      },
      {
        "template_id": "TRAVEL_01",
        "title": "Wanderlust meets the bill calendar ✈️",
        "body": "You have travelled more than usual, and {due:money} of yearly expenses are due soon. Set aside a little now?",
        "tone": "empathetic",
        "variables_json": ["due"],
        "category": "travel"
      }
    ],
    "policy": {
      "max_nudges": 1,
      "per": "24h",
      "quiet_hours": "22:00 - 08:00",
      "timezone": "Asia/Kolkata",
      "categories": ["dining", "shopping", "travel", "goal", "budget"]
    },
    "mmr": "signal dining_txn_7d = count of transaction\n  where type == \"expense\" and category == \"Food & Dining\"\n  over last 7d\nsignal shopping_txn_7d = count of transaction\n  where type == \"expense\" and category == \"Shopping\"\n  over last 7d\nsignal travel_txn_30d = count of transaction\n  where type == \"expense\" and category == \"Travel\"\n  over last 30d\nsignal travel_txn_90d = count of transaction\n  where type == \"expense\" and category == \"Travel\"\n  over last 90d\n  \"Travel transactions in the last 90 days\"\nsignal travel_txn_baseline_30d = travel_txn_90d / 3\nsignal spend_30d = sum amount of transaction\n  where type == \"expense\"\n  over last 30d\n  \"Rupees spent in the last 30 days\"\nsignal wants_spend_30d = sum amount of transaction\n  where type == \"expense\" and category in [\"Food & Dining\", \"Shopping\", \"Entertainment\", \"Travel\"]\n  over last 30d\n  \"Rupees spent on wants in the last 30 days\"\nsignal wants_share_30d = ratio(wants_spend_30d, spend_30d)\nsignal needs_share_30d = ratio(spend_30d - wants_spend_30d, spend_30d)\nsignal upi_peer_payments_30d = count of transaction\n  where type == \"expense\" and category == \"Transfers\"\n  over last 30d\nsignal recurring_merchants = count distinct merchant of transaction\n  where type == \"expense\" and recurring\n  over last 90d\nsignal spending_leaks_30d = sum amount of transaction\n  where type == \"expense\"\n      and amount < 200\n      and category in [\"Food & Dining\", \"Shopping\", \"Entertainment\", \"Travel\"]\n  over last 30d\nsignal shopping_spend_30d = sum amount of transaction\n  where type == \"expense\" and category == \"Shopping\"\n  over last 30d\nsignal shopping_spend_prev_30d = sum amount of transaction\n  where type == \"expense\" and category == \"Shopping\"\n  over previous 30d\nsignal total_spend_7d = sum amount of transaction where type == \"expense\" over last 7d\nsignal prev_total_spend_7d = sum amount of transaction where type == \"expense\" over previous 7d\nsignal small_txn_count_7d = count of transaction\n  where type == \"expense\" and amount < 200\n  over last 7d\nsignal category_spend_7d = sum amount of transaction\n  where type == \"expense\"\n  by category\n  over last 7d\nsignal prev_category_spend_7d = sum amount of transaction\n  where type == \"expense\"\n  by category\n  over previous 7d\nsignal income_90d = sum amount of transaction\n  where type == \"income\"\n  over last 90d\n  \"Rupees received in the last 90 days\"\nsignal monthly_income = income_90d / 3\nsignal monthly_commitment = sum amount of transaction\n  where type == \"expense\" and recurring\n  over previous month\nsignal spend_this_month = sum amount of transaction\n  where type == \"expense\"\n  over this month\n  \"Rupees spent this month so far\"\nsignal budget_this_month = sum limit of budget\n  where period == \"month\"\n  \"Rupees planned for the month: the limits of the monthly budgets\"\nsignal budget_variance = (spend_this_month - budget_this_month) / budget_this_month\nsignal income_this_month = sum amount of transaction\n  where type == \"income\"\n  over this month\n  \"Rupees received this month so far\"\nsignal savings_actual_month = income_this_month - spend_this_month\nsignal top_goal_name = first name of goal\nsignal top_goal_progress = first progress of goal\nsignal underfunded_top_goal = first name of goal where progress < 50%\n\ntest \"two fresh dismissals of dining nudges silence the dining nudge\" {\n  given {\n    dining_txn_7d = 4,\n    wants_share_30d = 0.40,\n    responsiveness_by_category = {\"dining\": -0.67}\n  }\n  expect candidates []\n  expect no nudge\n}\n\ntest \"one fresh dismissal is not yet a pattern\" {\n  given {\n    dining_txn_7d = 4,\n    wants_share_30d = 0.40,\n    responsiveness_by_category = {\"dining\": -0.5}\n  }\n  expect nudge dining_overspend\n}\n\ntest \"dismissing dining leaves the other categories alone\" {\n  given {\n    top_goal_progress = 0.04,\n    savings_actual_month = 0,\n    dining_txn_7d = 5,\n    wants_share_30d = 0.5,\n    responsiveness_by_category = {\"dining\": -0.8, \"goal\": 0.3}\n  }\n  expect candidates [goal_underfunded]\n  expect nudge goal_underfunded\n}\n\ntest \"a backed-off goal lets the dining nudge through\" {\n  given {\n    top_goal_progress = 0.04,\n    savings_actual_month = 0,\n    dining_txn_7d = 5,\n    wants_share_30d = 0.5,\n    responsiveness_by_category = {\"goal\": -0.75}\n  }\n  expect candidates [dining_overspend]\n  expect nudge dining_overspend\n}\n\ntest \"a category never answered reads as neutral\" {\n  given { budget_variance = 0.2, responsiveness_by_category = {\"travel\": -0.9} }\n  expect nudge budget_drift\n}\n\ntest \"without the signal at all nothing backs off\" {\n  given { shopping_txn_7d = 3, shopping_spend_30d = 6000, shopping_spend_prev_30d = 4000 }\n  expect nudge shopping_spike\n}\n\ntest \"each category backs off on its own key\" {\n  given {\n    shopping_txn_7d = 3,\n    shopping_spend_30d = 6000,\n    shopping_spend_prev_30d = 4000,\n    travel_txn_30d = 5,\n    travel_txn_baseline_30d = 2,\n    upcoming_yearly_expenses_90d = 90000,\n    monthly_income = 80000,\n    budget_variance = 0.3,\n    responsiveness_by_category = {\"budget\": -0.6, \"shopping\": -0.6, \"travel\": -0.6}\n  }\n  expect candidates []\n}\n\ntest \"a low overall responsiveness alone does not back off\" {\n  given { budget_variance = 0.2, responsiveness = -0.9 }\n  expect nudge budget_drift\n}\n\ntest \"overspending by 20% is nudged\" {\n  given { budget_variance = 0.2 }\n  expect nudge budget_drift\n  expect body contains \"20% off plan\"\n}\n\ntest \"underspending by 20% is nudged too\" {\n  given { budget_variance = -0.2 }\n  expect nudge budget_drift\n}\n\ntest \"at the daily cap the budget nudge waits\" {\n  at \"2025-10-26T09:00:00Z\"\n  given { budget_variance = 0.3 }\n  history { dining_overspend 3h ago }\n  expect suppressed budget_drift because daily_cap\n}\n\ntest \"quiet hours defer the nudge to the window's end\" {\n  at \"2025-10-26T18:00:00Z\"\n  given { budget_variance = 0.3 }\n  expect deferred budget_drift until \"2025-10-27T02:30:00Z\"\n}\n\ntest \"quiet hours with the cap already full drop the nudge\" {\n  at \"2025-10-26T18:00:00Z\"\n  given { budget_variance = 0.3 }\n  history { dining_overspend 3h ago }\n  expect suppressed budget_drift because quiet_hours\n}\n\ntest \"a 10% drift is within plan\" {\n  given { budget_variance = 0.1 }\n  expect no nudge\n}\n\ntest \"spending 30% over the monthly budgets drifts\" {\n  at \"2025-10-26T12:00:00+05:30\"\n  transactions [\n    { ts = \"2025-09-28T19:00:00+05:30\", amount = 20000, category = \"Shopping\" },\n    { ts = \"2025-10-04T10:00:00+05:30\", amount = 4000, category = \"Groceries\" },\n    { ts = \"2025-10-12T10:00:00+05:30\", amount = 2000, category = \"Groceries\" },\n    { ts = \"2025-10-15T20:30:00+05:30\", amount = 1800, category = \"Food & Dining\" },\n    { ts = \"2025-10-24T13:00:00+05:30\", amount = 1300, category = \"Food & Dining\" }\n  ]\n  budgets [\n    { category = \"Groceries\", limit = 4000 },\n    { category = \"Food & Dining\", limit = 3000 },\n    { category = \"Shopping\", limit = 1500, period = \"week\" }\n  ]\n  expect nudge budget_drift\n  expect body == \"Spending is 30% off plan this month. A quick look at the plan now keeps the month calm.\"\n}\n\ntest \"a stalled top goal and nothing saved this month outranks the budget drift\" {\n  at \"2025-10-26T12:00:00+05:30\"\n  transactions [\n    { ts = \"2025-10-01T09:00:00+05:30\", amount = 25000, type = \"income\", category = \"Salary\" },\n    { ts = \"2025-10-03T11:00:00+05:30\", amount = 18000, category = \"Rent\" },\n    { ts = \"2025-10-18T16:00:00+05:30\", amount = 9000, category = \"Shopping\" }\n  ]\n  budgets [\n    { category = \"Rent\", limit = 18000 },\n    { category = \"Shopping\", limit = 4000 }\n  ]\n  goals [\n    { name = \"New Laptop\", target = 80000, saved = 60000, priority = 2 },\n    {\n      name = \"Emergency Fund\",\n      target = 100000,\n      saved = 4000,\n      priority = 1,\n      deadline = \"2026-03-31\"\n    }\n  ]\n  expect candidates [goal_underfunded, budget_drift]\n  expect nudge goal_underfunded\n  expect title == \"Emergency Fund could use a boost 🌱\"\n  expect body contains \"4% of the way\"\n}\n\ntest \"a heavy diner hears about the first goal still under half funded\" {\n  at \"2025-10-26T12:00:00+05:30\"\n  transactions [\n    { ts = \"2025-10-01T09:00:00+05:30\", amount = 60000, type = \"income\", category = \"Salary\" },\n    {\n      ts = \"2025-10-21T21:00:00+05:30\",\n      amount = 450,\n      category = \"Food & Dining\",\n      merchant = \"Swiggy\"\n    },\n    {\n      ts = \"2025-10-23T21:00:00+05:30\",\n      amount = 380,\n      category = \"Food & Dining\",\n      merchant = \"Zomato\"\n    },\n    {\n      ts = \"2025-10-25T21:00:00+05:30\",\n      amount = 520,\n      category = \"Food & Dining\",\n      merchant = \"Swiggy\"\n    },\n    { ts = \"2025-10-25T11:00:00+05:30\", amount = 900, category = \"Groceries\" }\n  ]\n  goals [\n    { name = \"Goa Trip\", target = 40000, saved = 30000, priority = 1 },\n    { name = \"Bike\", target = 90000, saved = 9000, priority = 2 },\n    { name = \"Wedding\", target = 400000, saved = 20000, priority = 3 }\n  ]\n  expect nudge dining_overspend\n  expect body contains \"Your Bike fund\"\n}\n\ntest \"a heavy diner is nudged about dining\" {\n  given { dining_txn_7d = 4, wants_share_30d = 0.40, underfunded_top_goal = \"Goa Trip\" }\n  expect nudge dining_overspend\n  expect body contains \"Goa Trip\"\n}\n\ntest \"without a top goal the body says savings\" {\n  given { dining_txn_7d = 3, wants_share_30d = 0.36 }\n  expect nudge dining_overspend\n  expect body == \"Three or more orders this week. Your savings fund would love a home-cooked night 😋\"\n}\n\ntest \"wants share at exactly 35% does not trigger\" {\n  given { dining_txn_7d = 5, wants_share_30d = 0.35 }\n  expect no nudge\n}\n\ntest \"no wants share means no dining nudge\" {\n  given { dining_txn_7d = 9 }\n  expect no nudge\n}\n\ntest \"muted dining is suppressed\" {\n  given { dining_txn_7d = 4, wants_share_30d = 0.50 }\n  muted [dining]\n  expect suppressed dining_overspend because muted\n  expect no nudge\n}\n\ntest \"a dining nudge two days ago is still cooling down\" {\n  at \"2025-10-26T09:00:00Z\"\n  given { dining_txn_7d = 4, wants_share_30d = 0.50 }\n  history { dining_overspend 2d ago }\n  expect suppressed dining_overspend because cooldown\n}\n\ntest \"two takeouts a week is fine\" {\n  given { dining_txn_7d = 2, wants_share_30d = 0.50 }\n  expect no nudge\n}\n\ntest \"a stalled goal gets the goal nudge first\" {\n  given {\n    top_goal_progress = 0.04,\n    savings_actual_month = 0,\n    top_goal_name = \"Emergency Fund\",\n    dining_txn_7d = 5,\n    wants_share_30d = 0.5\n  }\n  expect candidates [goal_underfunded, dining_overspend]\n  expect nudge goal_underfunded\n  expect title == \"Emergency Fund could use a boost 🌱\"\n  expect body contains \"4% of the way\"\n}\n\ntest \"some savings this month means no goal nudge\" {\n  given { top_goal_progress = 0.04, savings_actual_month = 1500 }\n  expect no nudge\n}\n\ntest \"a goal half funded needs no boost\" {\n  given { top_goal_progress = 0.5, savings_actual_month = 0 }\n  expect no nudge\n}\n\ntest \"shopping up 50% is nudged with the change\" {\n  given {\n    shopping_txn_7d = 3,\n    shopping_spend_30d = 6000,\n    shopping_spend_prev_30d = 4000,\n    top_goal_name = \"New Laptop\"\n  }\n  expect nudge shopping_spike\n  expect body == \"Shopping is up 50% on last month. A 48-hour wishlist pause keeps New Laptop on track.\"\n}\n\ntest \"no spend last month means no baseline and no nudge\" {\n  given { shopping_txn_7d = 4, shopping_spend_30d = 6000, shopping_spend_prev_30d = 0 }\n  expect no nudge\n}\n\ntest \"a small rise is not a spike\" {\n  given { shopping_txn_7d = 4, shopping_spend_30d = 4400, shopping_spend_prev_30d = 4000 }\n  expect no nudge\n}\n\ntest \"one shopping trip is not a pattern\" {\n  given { shopping_txn_7d = 1, shopping_spend_30d = 9000, shopping_spend_prev_30d = 4000 }\n  expect candidates []\n}\n\ntest \"a traveller with bills due is nudged with Indian grouping\" {\n  given {\n    travel_txn_30d = 5,\n    travel_txn_baseline_30d = 2,\n    upcoming_yearly_expenses_90d = 123456.7,\n    monthly_income = 80000\n  }\n  expect nudge travel_heavy\n  expect body contains \"₹1,23,457\"\n}\n\ntest \"no baseline means no travel nudge\" {\n  given { travel_txn_30d = 5, upcoming_yearly_expenses_90d = 90000, monthly_income = 80000 }\n  expect no nudge\n}\n\ntest \"no income means the ratio is missing\" {\n  given {\n    travel_txn_30d = 5,\n    travel_txn_baseline_30d = 1,\n    upcoming_yearly_expenses_90d = 90000,\n    monthly_income = 0\n  }\n  expect no nudge\n}\n\ntest \"travel below baseline is not nudged\" {\n  given {\n    travel_txn_30d = 1,\n    travel_txn_baseline_30d = 3,\n    upcoming_yearly_expenses_90d = 90000,\n    monthly_income = 80000\n  }\n  expect no nudge\n}\n\ntest \"small upcoming bills are not a worry\" {\n  given {\n    travel_txn_30d = 5,\n    travel_txn_baseline_30d = 1,\n    upcoming_yearly_expenses_90d = 10000,\n    monthly_income = 80000\n  }\n  expect no nudge\n}\n"
  }

Every form of condition the JSON subset can express, and one it cannot;
signals the ruleset declares itself are exported too:

  $ mmr export export_ops.mmr
  {
    "rules": [
      {
        "rule_id": "lets_inlined",
        "name": "lets_inlined",
        "description": null,
        "priority": 20,
        "cooldown_days": 14,
        "traits_filter_json": {
          "any": [
            {"age_band": {"==": "25-34"}},
            {"dependents": {">": 2}}
          ]
        },
        "expression_json": {
          "if": {
            "dining_txn_7d": {">=": 3},
            "wants_share_30d": {">": 0.35},
            "not": {"budget_variance": {"between": [0.1, 0.5]}}
          },
          "message_template_id": "OPS_03",
          "with": {"share": {"var": "wants_share_30d"}}
        }
      },
      {
        "rule_id": "reordered",
        "name": "reordered",
        "description": null,
        "priority": 21,
        "cooldown_days": 0,
        "traits_filter_json": null,
        "expression_json": {
          "if": {
            "dining_txn_7d": {">=": 3},
            "shopping_txn_7d": {"<": 2},
            "all": [
              {"dining_txn_7d": {"<": 9}},
              {"night_owl": {"==": true}}
            ]
          },
          "message_template_id": "OPS_03",
          "with": {"share": 0.5}
        }
      },
      {
        "rule_id": "grouped",
        "name": "grouped",
        "description": null,
        "priority": 22,
        "cooldown_days": 0,
        "traits_filter_json": null,
        "expression_json": {
          "if": {
            "any": [
              {"shopping_txn_7d": {">": 1}},
              {"travel_txn_30d": {">": 1}}
            ],
            "all": [
              {
                "any": [
                  {"dining_txn_7d": {">": 1}},
                  {"night_owl": {"==": true}}
                ]
              },
              {
                "not": {
                  "any": [
                    {"savings_gap": {"is_missing": true}},
                    {"top_goal_name": {"in": ["Car", "Bike"]}}
                  ]
                }
              }
            ]
          },
          "message_template_id": "OPS_03",
          "with": {"share": {"var": "wants_share_30d"}}
        }
      },
      {
        "rule_id": "arithmetic",
        "name": "arithmetic",
        "description": null,
        "priority": 23,
        "cooldown_days": 0,
        "traits_filter_json": null,
        "expression_json": {
          "mmr": "savings_gap > monthly_income * 10%",
          "message_template_id": "OPS_03",
          "with": {"share": {"mmr": "wants_share_30d ?? 0"}}
        }
      }
    ],
    "templates": [
      {
        "template_id": "OPS_03",
        "title": "Mind the drift",
        "body": "Wants are at {share:pct}.",
        "tone": "neutral",
        "variables_json": ["share"],
        "category": "budget"
      }
    ],
    "signals": [
      {
        "name": "night_owl",
        "type": "bool",
        "description": "Orders after midnight"
      }
    ]
  }

-o writes a file; a ruleset with errors exports nothing:

  $ mmr export export_ops.mmr -o "$TESTTMP/ops.json" && head -3 "$TESTTMP/ops.json"
  {
    "rules": [
      {
  $ mmr export bad_check.json
  bad_check.json: $[2].title: warning: "nobody" is not declared in std/moneymoments; declared as `signal nobody : number` from its use
    hint: declare it in the "signals" section to choose its type
  bad_check.json: $[0].expression_json.if.dining_txn_7d: error: cannot compare number with text
  bad_check.json: $[0].expression_json.message_template_id: error: unknown template "T9"
    hint: did you mean "T1"?
  [1]
  $ mmr export
  mmr export: give a ruleset: .mmr files, directories or .json files
  (see `mmr export --help`)
  [2]
