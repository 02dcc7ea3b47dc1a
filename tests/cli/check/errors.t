One fixture per error the checker reports: exact messages and exit status.

  $ mmr check bad/and_not_bool.mmr
  bad/and_not_bool.mmr:11:8: error: "and" needs bool operands, got number
     11 |   when dining_txn_7d and wants_share_30d > 0.3
        |        ^~~~~~~~~~~~~
    hint: compare the number, e.g. dining_txn_7d > 0
  [1]
  $ mmr check bad/audience_let_signal.mmr
  bad/audience_let_signal.mmr:14:12: error: audience can only use traits: let "heavy" reads signal "dining_txn_7d"
     14 |   audience heavy
        |            ^~~~~
    hint: move conditions on signals to "when"
  [1]
  $ mmr check bad/audience_not_bool.mmr
  bad/audience_not_bool.mmr:12:12: error: "audience" must be a bool condition, got text
     12 |   audience age_band
        |            ^~~~~~~~
  [1]
  $ mmr check bad/audience_signal.mmr
  bad/audience_signal.mmr:12:12: error: audience can only use traits: "wants_share_30d" is a signal
     12 |   audience wants_share_30d > 0.3
        |            ^~~~~~~~~~~~~~~
    hint: move conditions on signals to "when"
  [1]
  $ mmr check bad/category_disagree.mmr
  bad/category_disagree.mmr:11:12: error: rule r has category travel but its template T has category dining
     11 |   category travel
        |            ^~~~~~
    hint: use one category, or drop the rule's and let the template's apply
  [1]
  $ mmr check bad/category_none.mmr
  bad/category_none.mmr:8:6: error: rule r has no category and its template T has none
      8 | rule r {
        |      ^~~
    hint: add "category dining" (or another of the policy's categories) to the rule or the template
  [1]
  $ mmr check bad/category_unknown.mmr
  bad/category_unknown.mmr:11:12: error: unknown category "food": the policy's categories are dining, shopping, travel, goal, budget [MMR-E001 category-not-in-policy]
     11 |   category food
        |            ^~~~
    hint: add it to the policy's categories list
  [1]
  $ mmr check bad/compare_text_number.mmr
  bad/compare_text_number.mmr:11:8: error: cannot compare text with number
     11 |   when age_band == 25
        |        ^~~~~~~~~~~~~~
  [1]
  $ mmr check bad/duplicate_rule.mmr
  bad/duplicate_rule.mmr:15:6: error: duplicate rule "r": already declared at bad/duplicate_rule.mmr:9:6
     15 | rule r {
        |      ^~~
  [1]
  $ mmr check bad/duplicate_signal.mmr
  bad/duplicate_signal.mmr:3:8: error: duplicate name "dining_txn_7d": already declared as a signal at std/moneymoments.mmr:7:8
      3 | signal dining_txn_7d : number
        |        ^~~~~~~~~~~~~~~~~~~~~~
    hint: signals, traits and lets share one namespace; rename one of them
  [1]
  $ mmr check bad/eq_missing.mmr
  bad/eq_missing.mmr:11:8: error: "== missing" is never true: a comparison with missing is unknown
     11 |   when top_goal_name == missing
        |        ^~~~~~~~~~~~~~~~~~~~~~~~
    hint: write "top_goal_name is missing"
  [1]
  $ mmr check bad/function_arity.mmr
  bad/function_arity.mmr:11:8: error: ratio takes 2 arguments, got 1
     11 |   when ratio(shopping_spend_30d) > 0.2
        |        ^~~~~~~~~~~~~~~~~~~~~~~~~
    hint: ratio(a: number, b: number) -> number
  [1]
  $ mmr check bad/function_types.mmr
  bad/function_types.mmr:11:8: error: abs: expects number arguments
     11 |   when abs(age_band) > 0.2
        |        ^~~~~~~~~~~~~
    hint: abs(x: number) -> number
  [1]
  $ mmr check bad/let_cycle.mmr
  bad/let_cycle.mmr:3:5: error: let cycle: a -> b -> c -> a
      3 | let a = b and s > 1
        |     ^~~~~~~~~~~~~~~
    hint: a let may not use itself, directly or through other lets
  [1]
  $ mmr check bad/let_too_deep.mmr
  bad/let_too_deep.mmr:258:5: error: lets nest too deeply: a256 is reached through more than 256 other lets
    258 | let a256 = a257
        |     ^~~~~~~~~~~
    hint: flatten the chain: a let can use the expression of another directly
  [1]
  $ mmr check bad/list_mixed.mmr
  bad/list_mixed.mmr:11:30: error: a list holds one type: this item is number, the first is text
     11 |   when age_band in ["18-24", 25]
        |                              ^~
  [1]
  $ mmr check bad/missing_message.mmr
  bad/missing_message.mmr:9:6: error: rule r has no "message"
      9 | rule r {
        |      ^~~
    hint: add "message TEMPLATE_ID" naming the template to send
  [1]
  $ mmr check bad/missing_priority.mmr
  bad/missing_priority.mmr:9:6: error: rule r has no priority
      9 | rule r {
        |      ^~~
    hint: add "priority 50": a whole number from 0 to 1000, higher wins
  [1]
  $ mmr check bad/missing_when.mmr
  bad/missing_when.mmr:9:6: error: rule r has no "when" condition
      9 | rule r {
        |      ^~~
    hint: add "when CONDITION": the rule fires only when it is true
  [1]
  $ mmr check bad/placeholder_format.mmr
  bad/placeholder_format.mmr:5:8: error: unknown format "usd" in placeholder {total_spend_7d:usd} of template T
      5 |   body "You spent {total_spend_7d:usd}"
        |        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: the formats are money, money2, pct, int and number
  [1]
  $ mmr check bad/placeholder_format_type.mmr
  bad/placeholder_format_type.mmr:12:11: error: placeholder {top_goal_name:money} of template T needs a number, but top_goal_name is text
     12 |   message T
        |           ^
  [1]
  $ mmr check bad/placeholder_unfilled.mmr
  bad/placeholder_unfilled.mmr:12:11: error: placeholder {goal_name} of template DINE_01 is not filled by rule dining_overspend: add it to "with" or declare a signal or trait named goal_name
     12 |   message DINE_01
        |           ^~~~~~~
  [1]
  $ mmr check bad/policy_max.mmr
  bad/policy_max.mmr:2:14: error: max_nudges must be at least 1, got 0
      2 |   max_nudges 0 per 24h
        |              ^~~~~~~~~
    hint: to send nothing, mute the categories instead
  [1]
  $ mmr check bad/policy_timezone.mmr
  bad/policy_timezone.mmr:2:12: error: "Asia Kolkata" is not a time zone name
      2 |   timezone "Asia Kolkata"
        |            ^~~~~~~~~~~~~~
    hint: use an IANA name such as "Asia/Kolkata" or "UTC"
  [1]
  $ mmr check bad/priority_fraction.mmr
  bad/priority_fraction.mmr:10:12: error: priority must be a whole number from 0 to 1000, got 12.5
     10 |   priority 12.5
        |            ^~~~
  [1]
  $ mmr check bad/priority_range.mmr
  bad/priority_range.mmr:10:12: error: priority must be a whole number from 0 to 1000, got 5000
     10 |   priority 5000
        |            ^~~~
  [1]
  $ mmr check bad/quantifier_scope.mmr
  bad/quantifier_scope.mmr:12:36: error: unknown signal "cat"
     12 |   message S with { category_name = cat }
        |                                    ^~~
    hint: cat is bound by the "any" at bad/quantifier_scope.mmr:11:9, but only an "any" that "when" needs (joined with "and") binds its key for "with"
  [1]
  $ mmr check bad/template_text.mmr
  bad/template_text.mmr:4:9: error: bad title of template T: unterminated placeholder: expected "}"
      4 |   title "Save {now"
        |         ^~~~~~~~~~~
  [1]
  $ mmr check bad/test_at.mmr
  bad/test_at.mmr:4:6: error: "at" must be an ISO 8601 instant, got "26/10/2025 09:00"
      4 |   at "26/10/2025 09:00"
        |      ^~~~~~~~~~~~~~~~~~
    hint: write it like "2025-10-26T09:00:00Z"
  [1]
  $ mmr check bad/test_duplicate.mmr
  bad/test_duplicate.mmr:7:6: error: duplicate test "same": already declared at bad/test_duplicate.mmr:3:6
      7 | test "same" {
        |      ^~~~~~~~
  [1]
  $ mmr check bad/test_muted.mmr
  bad/test_muted.mmr:4:10: error: unknown category "food": the policy's categories are dining, shopping, travel, goal, budget [MMR-E001 category-not-in-policy]
      4 |   muted [food]
        |          ^~~~
    hint: add it to the policy's categories list
  [1]
  $ mmr check bad/test_reason.mmr
  bad/test_reason.mmr:17:10: error: unknown suppression reason "snoozed": the reasons are muted, cooldown, quiet_hours, template_value_missing and daily_cap
     17 |   expect suppressed r because snoozed
        |          ^~~~~~~~~~~~~~~~~~~~~~~~~~~~
  [1]
  $ mmr check bad/test_unknown_rule.mmr
  bad/test_unknown_rule.mmr:17:13: error: unknown rule "dinning"
     17 |   history { dinning 2d ago }
        |             ^~~~~~~~~~~~~~
    hint: did you mean "dining"?
  bad/test_unknown_rule.mmr:18:10: error: unknown rule "dinner"
     18 |   expect nudge dinner
        |          ^~~~~~~~~~~~
  [1]
  $ mmr check bad/test_unknown_signal.mmr
  bad/test_unknown_signal.mmr:4:11: error: unknown signal "dinning_txn_7d"
      4 |   given { dinning_txn_7d = 4 }
        |           ^~~~~~~~~~~~~~~~~~
    hint: did you mean "dining_txn_7d"?
  bad/test_unknown_signal.mmr:5:12: error: unknown trait "age_bnd"
      5 |   traits { age_bnd = "25-34" }
        |            ^~~~~~~~~~~~~~~~~
    hint: did you mean "age_band"?
  [1]
  $ mmr check bad/test_value_type.mmr
  bad/test_value_type.mmr:4:27: error: signal dining_txn_7d is number, but the test gives text
      4 |   given { dining_txn_7d = "four", category_spend_7d = [1, 2] }
        |                           ^~~~~~
  bad/test_value_type.mmr:4:55: error: signal category_spend_7d is map<number>, but the test gives list<number>
      4 |   given { dining_txn_7d = "four", category_spend_7d = [1, 2] }
        |                                                       ^~~~~~
  bad/test_value_type.mmr:5:29: error: trait lifestyle_tags is list<text>, but the test gives text
      5 |   traits { lifestyle_tags = "foodie" }
        |                             ^~~~~~~~
  [1]
  $ mmr check bad/two_policies.mmr
  bad/two_policies.mmr:5:1: error: more than one policy: the first is at bad/two_policies.mmr:1:1
      5 | policy {
        | ^~~~~~~~
    hint: a ruleset has one policy block; merge them
  [1]
  $ mmr check bad/unknown_function.mmr
  bad/unknown_function.mmr:11:8: error: unknown function "pct_chnge"
     11 |   when pct_chnge(shopping_spend_30d, shopping_spend_prev_30d) > 0.2
        |        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: did you mean "pct_change"?
  [1]
  $ mmr check bad/unknown_name_no_hint.mmr
  bad/unknown_name_no_hint.mmr:11:8: error: unknown signal "coffee_count"
     11 |   when coffee_count > 3
        |        ^~~~~~~~~~~~
    hint: declare it (signal coffee_count : number) or import the schema that has it
  [1]
  $ mmr check bad/unknown_signal.mmr
  bad/unknown_signal.mmr:11:8: error: unknown signal "dinning_txn_7d"
     11 |   when dinning_txn_7d >= 3
        |        ^~~~~~~~~~~~~~
    hint: did you mean "dining_txn_7d"?
  [1]
  $ mmr check bad/unknown_template.mmr
  bad/unknown_template.mmr:12:11: error: unknown template "DINE_02"
     12 |   message DINE_02
        |           ^~~~~~~
    hint: did you mean "DINE_01"?
  [1]
  $ mmr check bad/when_not_bool.mmr
  bad/when_not_bool.mmr:11:8: error: "when" must be a bool condition, got number
     11 |   when dining_txn_7d + 1
        |        ^~~~~~~~~~~~~~~~~
    hint: compare it, e.g. dining_txn_7d + 1 > 0
  [1]
  $ mmr check bad/with_unused.mmr
  bad/with_unused.mmr:12:20: warning: "with" binds goal_name, which template T does not use
     12 |   message T with { goal_name = "x" }
        |                    ^~~~~~~~~~~~~~~
    hint: remove the binding or add {goal_name} to the template
