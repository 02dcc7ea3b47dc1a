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
    "signals": [
      {
        "name": "travel_txn_90d",
        "type": "number",
        "description": "Travel transactions in the last 90 days"
      },
      {
        "name": "spend_30d",
        "type": "number",
        "description": "Rupees spent in the last 30 days"
      },
      {
        "name": "wants_spend_30d",
        "type": "number",
        "description": "Rupees spent on wants in the last 30 days"
      },
      {
        "name": "income_90d",
        "type": "number",
        "description": "Rupees received in the last 90 days"
      },
      {
        "name": "spend_this_month",
        "type": "number",
        "description": "Rupees spent this month so far"
      },
      {
        "name": "budget_this_month",
        "type": "number",
        "description": "Rupees planned for the month: the limits of the monthly budgets"
      },
      {
        "name": "income_this_month",
        "type": "number",
        "description": "Rupees received this month so far"
      }
    ]
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
