Derived signals (`signal NAME = AGGREGATE of SOURCE [where F] [by FIELD]
over WINDOW`, or `signal NAME = EXPR`): one fixture per error the checker
reports, with the exact messages and exit status 1.

Every form the checker accepts is quiet and exits 0:

  $ mmr check derived/good.mmr

The source, the aggregate and the fields:

  $ mmr check derived/unknown_source.mmr
  derived/unknown_source.mmr:2:33: error: unknown source "transactions"
      2 | signal spend_7d = sum amount of transactions over last 7d
        |                                 ^~~~~~~~~~~~
    hint: the sources are transaction, budget and goal
  [1]
  $ mmr check derived/unknown_aggregate.mmr
  derived/unknown_aggregate.mmr:1:19: error: unknown aggregate "total"
      1 | signal spend_7d = total amount of transaction over last 7d
        |                   ^~~~~
    hint: write count, sum FIELD, avg FIELD, min FIELD, max FIELD, stddev FIELD, count distinct FIELD, first FIELD, last FIELD, or avg|min|max|stddev daily|weekly sum FIELD|count
  [1]
  $ mmr check derived/unknown_field.mmr
  derived/unknown_field.mmr:2:23: error: unknown field "amout" of transaction
      2 | signal spend_7d = sum amout of transaction over last 7d
        |                       ^~~~~
    hint: did you mean "amount"?
  derived/unknown_field.mmr:3:47: error: unknown field "catgory" of transaction
      3 | signal dining_7d = count of transaction where catgory == "Food & Dining" over last 7d
        |                                               ^~~~~~~
    hint: did you mean "category"?
  derived/unknown_field.mmr:4:44: error: unknown field "merchent" of transaction
      4 | signal per_merchant = count of transaction by merchent over last 7d
        |                                            ^~~~~~~~~~~
    hint: did you mean "merchant"?
  derived/unknown_field.mmr:5:41: error: unknown field "colour" of transaction
      5 | signal odd = count of transaction where colour == "red" over last 7d
        |                                         ^~~~~~
    hint: the fields of transaction are txn_id, user_id, ts, amount, type, category, merchant, recurring, hour, weekday, day
  [1]
  $ mmr check derived/text_field.mmr
  derived/text_field.mmr:2:27: error: avg needs a number field; category is text
      2 | signal avg_category = avg category of transaction over last 7d
        |                           ^~~~~~~~
  derived/text_field.mmr:3:29: error: sum needs a number field; merchant is text
      3 | signal total_merchant = sum merchant of transaction over last 7d
        |                             ^~~~~~~~
  [1]
  $ mmr check derived/aggregate_shape.mmr
  derived/aggregate_shape.mmr:2:18: error: count takes no field; write "count of transaction" or "count distinct merchant of transaction"
      2 | signal a = count merchant of transaction over last 7d
        |                  ^~~~~~~~
  derived/aggregate_shape.mmr:3:18: error: count distinct needs a field: count distinct merchant
      3 | signal b = count distinct of transaction over last 7d
        |                  ^~~~~~~~
  derived/aggregate_shape.mmr:4:12: error: sum needs a field: sum amount of transaction
      4 | signal c = sum of transaction over last 7d
        |            ^~~
  derived/aggregate_shape.mmr:5:23: error: unexpected "merchant" in the aggregate
      5 | signal d = sum amount merchant of transaction over last 7d
        |                       ^~~~~~~~
    hint: write count, sum FIELD, avg FIELD, min FIELD, max FIELD, stddev FIELD, count distinct FIELD, first FIELD, last FIELD, or avg|min|max|stddev daily|weekly sum FIELD|count
  derived/aggregate_shape.mmr:6:12: error: "sum weekly" is not an aggregate
      6 | signal e = sum weekly sum amount of transaction over last 14d
        |            ^~~
    hint: per-day or per-week buckets take avg, min, max or stddev of their sum or count
  derived/aggregate_shape.mmr:7:16: error: a weekly bucket is a count or a sum FIELD
      7 | signal f = avg weekly of transaction over last 14d
        |                ^~~~~~
  derived/aggregate_shape.mmr:8:23: error: the aggregate needs a field after "sum"
      8 | signal g = avg weekly sum of transaction over last 14d
        |                       ^~~
    hint: write count, sum FIELD, avg FIELD, min FIELD, max FIELD, stddev FIELD, count distinct FIELD, first FIELD, last FIELD, or avg|min|max|stddev daily|weekly sum FIELD|count
  derived/aggregate_shape.mmr:9:28: error: count takes no field
      9 | signal h = avg daily count merchant of transaction over last 14d
        |                            ^~~~~~~~
  [1]

The filter sees one transaction at a time: its fields and constants only.

  $ mmr check derived/filter_signal.mmr
  derived/filter_signal.mmr:4:52: error: a filter reads one transaction at a time: "spend_7d" is a signal, not a field of transaction
      4 | signal above = count of transaction where amount > spend_7d over last 7d
        |                                                    ^~~~~~~~
    hint: the fields of transaction are txn_id, user_id, ts, amount, type, category, merchant, recurring, hour, weekday, day
  derived/filter_signal.mmr:5:43: error: a filter reads one transaction at a time: "tz" is a trait, not a field of transaction
      5 | signal local = count of transaction where tz == "Asia/Kolkata" over last 7d
        |                                           ^~
    hint: did you mean "ts"?
  [1]
  $ mmr check derived/filter_let.mmr
  derived/filter_let.mmr:6:53: error: a filter may use let "limit" only if it is a constant; it reads signals or traits
      6 | signal big_7d = count of transaction where amount > limit over last 7d
        |                                                     ^~~~~
    hint: a filter sees one transaction at a time: its fields and constants
  [1]
  $ mmr check derived/filter_not_bool.mmr
  derived/filter_not_bool.mmr:1:39: error: a filter must be a condition (bool), got number
      1 | signal a = count of transaction where amount over last 7d
        |                                       ^~~~~~
  derived/filter_not_bool.mmr:2:39: error: a filter must be a condition (bool), got text
      2 | signal b = count of transaction where category over last 7d
        |                                       ^~~~~~~~
  [1]

Windows: whole days, whole weeks for weekly buckets, never past the
retention (the policy's `retention`, 90 days by default).

  $ mmr check derived/unknown_window.mmr
  derived/unknown_window.mmr:1:38: error: unknown window "next 7d"
      1 | signal a = count of transaction over next 7d
        |                                      ^~~~~~~
    hint: write last 7d, previous 7d, this week, previous week, this month or previous month
  derived/unknown_window.mmr:2:38: error: unknown window "this year"
      2 | signal b = count of transaction over this year
        |                                      ^~~~~~~~~
    hint: write last 7d, previous 7d, this week, previous week, this month or previous month
  derived/unknown_window.mmr:3:38: error: a window is at least one day, got 0d
      3 | signal c = count of transaction over last 0d
        |                                      ^~~~~~~
    hint: write it like 7d, 30d or 4w
  [1]
  $ mmr check derived/window_days.mmr
  derived/window_days.mmr:1:38: error: a window is whole days or weeks, got 36h
      1 | signal a = count of transaction over last 36h
        |                                      ^~~~~~~~
    hint: write it like 7d, 30d or 4w
  derived/window_days.mmr:2:38: error: a window is whole days or weeks, got 90m
      2 | signal b = count of transaction over previous 90m
        |                                      ^~~~~~~~~~~~
    hint: write it like 7d, 30d or 4w
  [1]
  $ mmr check derived/weekly_buckets.mmr
  derived/weekly_buckets.mmr:2:54: error: weekly buckets need a window of whole weeks, got last 10d
      2 | signal a = avg weekly sum amount of transaction over last 10d
        |                                                      ^~~~~~~~
    hint: write last 8w or previous 4w
  derived/weekly_buckets.mmr:3:49: error: weekly buckets need a window of whole weeks, got this month
      3 | signal b = max weekly count of transaction over this month
        |                                                 ^~~~~~~~~~
    hint: write last 8w or previous 4w
  [1]
  $ mmr check derived/retention_window.mmr
  derived/retention_window.mmr:2:38: error: the window "last 13w" reaches back 91 days, past the retention of 90 days
      2 | signal a = count of transaction over last 13w
        |                                      ^~~~~~~~
    hint: shorten the window, or keep more history with the policy's retention (e.g. retention 180d)
  derived/retention_window.mmr:3:38: error: the window "previous 60d" reaches back 120 days, past the retention of 90 days
      3 | signal b = count of transaction over previous 60d
        |                                      ^~~~~~~~~~~~
    hint: shorten the window, or keep more history with the policy's retention (e.g. retention 180d)
  [1]
  $ mmr check derived/retention_policy.mmr
  derived/retention_policy.mmr:7:38: error: the window "previous 30d" reaches back 60 days, past the retention of 30 days
      7 | signal b = count of transaction over previous 30d
        |                                      ^~~~~~~~~~~~
    hint: shorten the window, or keep more history with the policy's retention (e.g. retention 180d)
  derived/retention_policy.mmr:8:38: error: the window "this month" reaches back 31 days, past the retention of 30 days
      8 | signal c = count of transaction over this month
        |                                      ^~~~~~~~~~
    hint: shorten the window, or keep more history with the policy's retention (e.g. retention 180d)
  derived/retention_policy.mmr:9:38: error: the window "previous month" reaches back 62 days, past the retention of 30 days
      9 | signal d = count of transaction over previous month
        |                                      ^~~~~~~~~~~~~~
    hint: shorten the window, or keep more history with the policy's retention (e.g. retention 180d)
  [1]
  $ mmr check derived/retention_days.mmr
  derived/retention_days.mmr:2:13: error: retention is whole days, at least 1d, got 36h
      2 |   retention 36h
        |             ^~~
    hint: write it like 90d or 26w
  [1]

`by` groups plain aggregates only:

  $ mmr check derived/by_grouping.mmr
  derived/by_grouping.mmr:2:42: error: "by" groups count, sum, avg, min, max, stddev and count distinct; not first
      2 | signal a = first merchant of transaction by category over last 7d
        |                                          ^~~~~~~~~~~
  derived/by_grouping.mmr:3:39: error: "by" groups count, sum, avg, min, max, stddev and count distinct; not last
      3 | signal b = last amount of transaction by category over last 7d
        |                                       ^~~~~~~~~~~
  derived/by_grouping.mmr:4:43: error: "by" does not group daily or weekly buckets
      4 | signal c = avg daily count of transaction by category over last 14d
        |                                           ^~~~~~~~~~~
  [1]

Computed signals: cycles, and a signal that can never have a value.

  $ mmr check derived/signal_cycle.mmr
  derived/signal_cycle.mmr:2:8: error: signal cycle: a -> b -> c -> a
      2 | signal a = b + spend_7d
        |        ^~~~~~~~~~~~~~~~
    hint: a computed signal may not read itself, directly or through other signals
  [1]
  $ mmr check derived/always_missing.mmr
  derived/always_missing.mmr:1:18: error: signal nothing is always missing
      1 | signal nothing = missing
        |                  ^~~~~~~
  [1]

A definition of a signal that std/moneymoments declares must give the
declared type:

  $ mmr check derived/std_type.mmr
  derived/std_type.mmr:4:8: error: signal dining_txn_7d is declared number at std/moneymoments.mmr:7:8; this definition gives map<number>
      4 | signal dining_txn_7d = sum amount of transaction by category over last 7d
        |        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
  derived/std_type.mmr:5:8: error: signal top_goal_name is declared text at std/moneymoments.mmr:37:8; this definition gives number
      5 | signal top_goal_name = count of transaction over last 7d
        |        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
  [1]

The new words in syntax errors: `retention` is a policy setting,
`transactions` a test line, and `of`, `over` and `by` are reserved.

  $ mmr check derived/syntax_policy.mmr
  derived/syntax_policy.mmr:2:3: error: unexpected name "retain"; expected a policy setting (max_nudges, quiet_hours, timezone, currency, categories, retention) or "}"
      2 |   retain 90d
        |   ^
  [1]
  $ mmr check derived/syntax_test.mmr
  derived/syntax_test.mmr:2:3: error: unexpected name "transaction"; expected a test line (at, given, traits, transactions, budgets, goals, muted, history, expect) or "}"
      2 |   transaction [{ ts = "2025-10-20T10:00:00Z", amount = 5, category = "Shopping" }]
        |   ^
  [1]
  $ mmr check derived/reserved.mmr
  derived/reserved.mmr:2:8: error: unexpected "by"; expected a name
      2 | signal by : number
        |        ^
  [1]

mmr fmt prints a derived signal on one line when it fits in 100 columns,
else the head line and one clause per line (`where`, `by`, `over`, the doc
string); a long `where` is split before each top-level `and`. A test's
transactions go one a line.

  $ mmr fmt derived/messy.mmr > "$TESTTMP/out.mmr"
  $ diff derived/messy.expected "$TESTTMP/out.mmr" && echo same
  same

Formatting is idempotent, and the formatted file checks clean:

  $ mmr fmt "$TESTTMP/out.mmr" | diff "$TESTTMP/out.mmr" - && echo same
  same
  $ mmr fmt --check derived/messy.expected derived/good.mmr
  $ mmr check "$TESTTMP/out.mmr"
