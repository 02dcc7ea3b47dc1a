Derived signals (`signal NAME = AGGREGATE of SOURCE [where F] [by FIELD]
over WINDOW`, or `signal NAME = EXPR`): one fixture per error the checker
reports, with the exact messages and exit status 1.

Every form the checker accepts is quiet and exits 0:

  $ mmr check derived/good.mmr

The source, the aggregate and the fields:

  $ mmr check derived/unknown_source.mmr
  derived/unknown_source.mmr:2:33: error: unknown source "transactions"
    hint: the sources are transaction, budget and goal
  [1]
  $ mmr check derived/unknown_aggregate.mmr
  derived/unknown_aggregate.mmr:1:19: error: unknown aggregate "total"
    hint: write count, sum FIELD, avg FIELD, min FIELD, max FIELD, stddev FIELD, count distinct FIELD, first FIELD, last FIELD, or avg|min|max|stddev daily|weekly sum FIELD|count
  [1]
  $ mmr check derived/unknown_field.mmr
  derived/unknown_field.mmr:2:23: error: unknown field "amout" of transaction
    hint: did you mean "amount"?
  derived/unknown_field.mmr:3:47: error: unknown field "catgory" of transaction
    hint: did you mean "category"?
  derived/unknown_field.mmr:4:44: error: unknown field "merchent" of transaction
    hint: did you mean "merchant"?
  derived/unknown_field.mmr:5:41: error: unknown field "colour" of transaction
    hint: the fields of transaction are txn_id, user_id, ts, amount, type, category, merchant, recurring, hour, weekday, day
  [1]
  $ mmr check derived/text_field.mmr
  derived/text_field.mmr:2:27: error: avg needs a number field; category is text
  derived/text_field.mmr:3:29: error: sum needs a number field; merchant is text
  [1]
  $ mmr check derived/aggregate_shape.mmr
  derived/aggregate_shape.mmr:2:18: error: count takes no field; write "count of transaction" or "count distinct merchant of transaction"
  derived/aggregate_shape.mmr:3:18: error: count distinct needs a field: count distinct merchant
  derived/aggregate_shape.mmr:4:12: error: sum needs a field: sum amount of transaction
  derived/aggregate_shape.mmr:5:23: error: unexpected "merchant" in the aggregate
    hint: write count, sum FIELD, avg FIELD, min FIELD, max FIELD, stddev FIELD, count distinct FIELD, first FIELD, last FIELD, or avg|min|max|stddev daily|weekly sum FIELD|count
  derived/aggregate_shape.mmr:6:12: error: "sum weekly" is not an aggregate
    hint: per-day or per-week buckets take avg, min, max or stddev of their sum or count
  derived/aggregate_shape.mmr:7:16: error: a weekly bucket is a count or a sum FIELD
  derived/aggregate_shape.mmr:8:23: error: the aggregate needs a field after "sum"
    hint: write count, sum FIELD, avg FIELD, min FIELD, max FIELD, stddev FIELD, count distinct FIELD, first FIELD, last FIELD, or avg|min|max|stddev daily|weekly sum FIELD|count
  derived/aggregate_shape.mmr:9:28: error: count takes no field
  [1]

The filter sees one transaction at a time: its fields and constants only.

  $ mmr check derived/filter_signal.mmr
  derived/filter_signal.mmr:4:52: error: a filter reads one transaction at a time: "spend_7d" is a signal, not a field of transaction
    hint: the fields of transaction are txn_id, user_id, ts, amount, type, category, merchant, recurring, hour, weekday, day
  derived/filter_signal.mmr:5:43: error: a filter reads one transaction at a time: "tz" is a trait, not a field of transaction
    hint: did you mean "ts"?
  [1]
  $ mmr check derived/filter_let.mmr
  derived/filter_let.mmr:6:53: error: a filter may use let "limit" only if it is a constant; it reads signals or traits
    hint: a filter sees one transaction at a time: its fields and constants
  [1]
  $ mmr check derived/filter_not_bool.mmr
  derived/filter_not_bool.mmr:1:39: error: a filter must be a condition (bool), got number
  derived/filter_not_bool.mmr:2:39: error: a filter must be a condition (bool), got text
  [1]

Windows: whole days, whole weeks for weekly buckets, never past the
retention (the policy's `retention`, 90 days by default).

  $ mmr check derived/unknown_window.mmr
  derived/unknown_window.mmr:1:38: error: unknown window "next 7d"
    hint: write last 7d, previous 7d, this week, previous week, this month or previous month
  derived/unknown_window.mmr:2:38: error: unknown window "this year"
    hint: write last 7d, previous 7d, this week, previous week, this month or previous month
  derived/unknown_window.mmr:3:38: error: a window is at least one day, got 0d
    hint: write it like 7d, 30d or 4w
  [1]
  $ mmr check derived/window_days.mmr
  derived/window_days.mmr:1:38: error: a window is whole days or weeks, got 36h
    hint: write it like 7d, 30d or 4w
  derived/window_days.mmr:2:38: error: a window is whole days or weeks, got 90m
    hint: write it like 7d, 30d or 4w
  [1]
  $ mmr check derived/weekly_buckets.mmr
  derived/weekly_buckets.mmr:2:54: error: weekly buckets need a window of whole weeks, got last 10d
    hint: write last 8w or previous 4w
  derived/weekly_buckets.mmr:3:49: error: weekly buckets need a window of whole weeks, got this month
    hint: write last 8w or previous 4w
  [1]
  $ mmr check derived/retention_window.mmr
  derived/retention_window.mmr:2:38: error: the window "last 13w" reaches back 91 days, past the retention of 90 days
    hint: shorten the window, or keep more history with the policy's retention (e.g. retention 180d)
  derived/retention_window.mmr:3:38: error: the window "previous 60d" reaches back 120 days, past the retention of 90 days
    hint: shorten the window, or keep more history with the policy's retention (e.g. retention 180d)
  [1]
  $ mmr check derived/retention_policy.mmr
  derived/retention_policy.mmr:7:38: error: the window "previous 30d" reaches back 60 days, past the retention of 30 days
    hint: shorten the window, or keep more history with the policy's retention (e.g. retention 180d)
  derived/retention_policy.mmr:8:38: error: the window "this month" reaches back 31 days, past the retention of 30 days
    hint: shorten the window, or keep more history with the policy's retention (e.g. retention 180d)
  derived/retention_policy.mmr:9:38: error: the window "previous month" reaches back 62 days, past the retention of 30 days
    hint: shorten the window, or keep more history with the policy's retention (e.g. retention 180d)
  [1]
  $ mmr check derived/retention_days.mmr
  derived/retention_days.mmr:2:13: error: retention is whole days, at least 1d, got 36h
    hint: write it like 90d or 26w
  [1]

`by` groups plain aggregates only:

  $ mmr check derived/by_grouping.mmr
  derived/by_grouping.mmr:2:42: error: "by" groups count, sum, avg, min, max, stddev and count distinct; not first
  derived/by_grouping.mmr:3:39: error: "by" groups count, sum, avg, min, max, stddev and count distinct; not last
  derived/by_grouping.mmr:4:43: error: "by" does not group daily or weekly buckets
  [1]

Computed signals: cycles, and a signal that can never have a value.

  $ mmr check derived/signal_cycle.mmr
  derived/signal_cycle.mmr:2:8: error: signal cycle: a -> b -> c -> a
    hint: a computed signal may not read itself, directly or through other signals
  [1]
  $ mmr check derived/always_missing.mmr
  derived/always_missing.mmr:1:18: error: signal nothing is always missing
  [1]

A definition of a signal that std/moneymoments declares must give the
declared type:

  $ mmr check derived/std_type.mmr
  derived/std_type.mmr:4:8: error: signal dining_txn_7d is declared number at std/moneymoments.mmr:7:8; this definition gives map<number>
  derived/std_type.mmr:5:8: error: signal top_goal_name is declared text at std/moneymoments.mmr:37:8; this definition gives number
  [1]

The new words in syntax errors: `retention` is a policy setting,
`transactions` a test line, and `of`, `over` and `by` are reserved.

  $ mmr check derived/syntax_policy.mmr
  derived/syntax_policy.mmr:2:3: error: unexpected name "retain"; expected a policy setting (max_nudges, quiet_hours, timezone, categories, retention) or "}"
  [1]
  $ mmr check derived/syntax_test.mmr
  derived/syntax_test.mmr:2:3: error: unexpected name "transaction"; expected a test line (at, given, traits, transactions, budgets, goals, muted, history, expect) or "}"
  [1]
  $ mmr check derived/reserved.mmr
  derived/reserved.mmr:2:8: error: unexpected "by"; expected a name
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
