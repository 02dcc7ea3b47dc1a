-- The derived signals of rules/moneymoments/signals.mmr as plain SQL in
-- SQLite: the baseline that bench/bench_signals.sh times against
-- `mmr signals`, and the reference tests/signals/agree.sh checks it with.
--
-- Inputs (what `mmr ingest` and the traits give):
--   mm_transaction(txn_id, user_id, ts unix seconds, ts_text, amount, type,
--                  category, merchant, recurring 0/1)
--   mm_user_traits(user_id, ..., tz)     the users' zones (NULL: no tz trait)
--   mm_budget(user_id, category, limit_amount, period)
--   mm_goal(user_id, goal_id, name, target, saved, deadline, priority)
--   bl_tzspan(zone, t0, t1, off)         UTC offsets of every zone in play
--                                        over the data (bench/signals_tz.py)
-- Parameters (.parameter set):
--   @as_of      the as-of date 'YYYY-MM-DD'
--   @policy_tz  the zone of users without a tz trait ('Asia/Kolkata')
-- Runners set the connection first, before the parameters (a temp_store
-- change empties the temp schema, where parameters live):
--   PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;
-- Output: one NDJSON line per user (with transactions or traits), sorted by
-- user_id (byte order): {"user_id":..,"as_of":..,"signals":{..every
-- derived signal, null when missing..}}.
--
-- Local days. SQLite has no time zones, so a transaction's local day is
-- (ts + off) / 86400 with `off` the offset of the user's zone at that
-- instant, looked up in bl_tzspan (one row per stretch of constant offset,
-- made from the system's tzdata): the same DST-correct day the engine
-- computes. (A lighter baseline could take the offset written in ts_text,
-- but `mmr gen` writes some timestamps with Z.)
--
-- Semantics, as the engine's (docs/signals.md): D = the as-of day;
-- last Nd = days D-N+1..D, previous Nd = D-2N+1..D-N, previous month = the
-- whole calendar month before D's. first = the user's earliest local day in
-- the data (any type). A window whose last day is before first gives NULL
-- for count, sum, count distinct and maps; otherwise 0 (or {}) without rows.
-- count distinct skips NULL merchants. Maps hold only categories with rows.
-- wants_share_30d = wants / spend and needs_share_30d = (spend - wants) /
-- spend, NULL when spend is 0 or either is NULL; x / 3 is NULL when x is.
-- this month = the 1st of D's month .. D.
--
-- Budgets and goals have no window: a user's current rows. Every aggregate
-- over them is NULL for a user without any row of that source; with rows,
-- a sum is 0 when the filter keeps none. Goals go by priority, then
-- goal_id (byte order) for `first`; progress = saved / target (NULL when
-- target is 0), and a NULL progress fails `progress < 50%`. budget_variance
-- and savings_actual_month are NULL when an operand is (or on / 0).

CREATE TEMP TABLE bl_w AS
SELECT d, d - 6 AS l7, d - 13 AS p7, d - 29 AS l30, d - 59 AS p30, d - 89 AS l90,
       ms, pms, ms - 1 AS pme
FROM (SELECT unixepoch(@as_of) / 86400 AS d,
             unixepoch(date(@as_of, 'start of month')) / 86400 AS ms,
             unixepoch(date(@as_of, 'start of month', '-1 month')) / 86400 AS pms);

-- every transaction with its local day
CREATE TEMP TABLE bl_tx AS
SELECT t.user_id AS user_id,
       (t.ts + (SELECT s.off FROM bl_tzspan s
                WHERE s.zone = coalesce(u.tz, @policy_tz) AND s.t0 <= t.ts
                ORDER BY s.t0 DESC LIMIT 1)) / 86400 AS day,
       t.amount AS amount, t.type = 'expense' AS exp, t.category AS category,
       t.merchant AS merchant, t.recurring AS recurring
FROM mm_transaction t LEFT JOIN mm_user_traits u ON u.user_id = t.user_id;

-- one pass: every scalar aggregate by user
CREATE TEMP TABLE bl_agg AS
SELECT user_id, min(day) AS first,
  sum(exp AND category = 'Food & Dining' AND day BETWEEN l7 AND d) AS dining_txn_7d,
  sum(exp AND category = 'Shopping' AND day BETWEEN l7 AND d) AS shopping_txn_7d,
  sum(exp AND category = 'Travel' AND day BETWEEN l30 AND d) AS travel_txn_30d,
  sum(exp AND category = 'Travel' AND day BETWEEN l90 AND d) AS travel_txn_90d,
  total(CASE WHEN exp AND day BETWEEN l30 AND d THEN amount END) AS spend_30d,
  total(CASE WHEN exp AND category IN ('Food & Dining', 'Shopping', 'Entertainment', 'Travel')
             AND day BETWEEN l30 AND d THEN amount END) AS wants_spend_30d,
  sum(exp AND category = 'Transfers' AND day BETWEEN l30 AND d) AS upi_peer_payments_30d,
  count(DISTINCT CASE WHEN exp AND recurring AND day BETWEEN l90 AND d THEN merchant END) AS recurring_merchants,
  total(CASE WHEN exp AND amount < 200 AND category IN ('Food & Dining', 'Shopping', 'Entertainment', 'Travel')
             AND day BETWEEN l30 AND d THEN amount END) AS spending_leaks_30d,
  total(CASE WHEN exp AND category = 'Shopping' AND day BETWEEN l30 AND d THEN amount END) AS shopping_spend_30d,
  total(CASE WHEN exp AND category = 'Shopping' AND day BETWEEN p30 AND l30 - 1 THEN amount END) AS shopping_spend_prev_30d,
  total(CASE WHEN exp AND day BETWEEN l7 AND d THEN amount END) AS total_spend_7d,
  total(CASE WHEN exp AND day BETWEEN p7 AND l7 - 1 THEN amount END) AS prev_total_spend_7d,
  sum(exp AND amount < 200 AND day BETWEEN l7 AND d) AS small_txn_count_7d,
  total(CASE WHEN NOT exp AND day BETWEEN l90 AND d THEN amount END) AS income_90d,
  total(CASE WHEN exp AND recurring AND day BETWEEN pms AND pme THEN amount END) AS monthly_commitment,
  total(CASE WHEN exp AND day BETWEEN ms AND d THEN amount END) AS spend_this_month,
  total(CASE WHEN NOT exp AND day BETWEEN ms AND d THEN amount END) AS income_this_month
FROM bl_tx, bl_w
GROUP BY user_id;

-- the category maps of the last 7 days and the 7 before
CREATE TEMP TABLE bl_cat AS
SELECT user_id,
  json_group_object(category, s7) FILTER (WHERE n7 > 0) AS m7,
  json_group_object(category, sp7) FILTER (WHERE np7 > 0) AS mp7
FROM (SELECT user_id, category,
        sum(day >= l7) AS n7, total(CASE WHEN day >= l7 THEN amount END) AS s7,
        sum(day < l7) AS np7, total(CASE WHEN day < l7 THEN amount END) AS sp7
      FROM bl_tx, bl_w
      WHERE exp AND day BETWEEN p7 AND d
      GROUP BY user_id, category)
GROUP BY user_id;

-- the monthly budgets' limits, for users with any budget
CREATE TEMP TABLE bl_budget AS
SELECT user_id, total(CASE WHEN period = 'month' THEN limit_amount END) AS budget_this_month
FROM mm_budget
GROUP BY user_id;

-- the first goal by (priority, goal_id), and the first still under half
-- funded, for users with any goal
CREATE TEMP TABLE bl_goal AS
SELECT user_id,
  max(CASE WHEN r = 1 THEN name END) AS top_goal_name,
  max(CASE WHEN r = 1 THEN progress END) AS top_goal_progress,
  max(CASE WHEN under AND ur = 1 THEN name END) AS underfunded_top_goal
FROM (SELECT user_id, name, progress, coalesce(progress < 0.5, 0) AS under,
        row_number() OVER (PARTITION BY user_id ORDER BY priority, goal_id) AS r,
        row_number() OVER (PARTITION BY user_id, coalesce(progress < 0.5, 0) ORDER BY priority, goal_id) AS ur
      FROM (SELECT user_id, goal_id, priority, name,
                   CASE WHEN target <> 0 THEN saved / target END AS progress
            FROM mm_goal))
GROUP BY user_id;

-- a window ending on day `last` is NULL when it ends before the first day
SELECT json_object('user_id', user_id, 'as_of', @as_of, 'signals', json_object(
  'budget_this_month', budget_this_month,
  'budget_variance', CASE WHEN first <= d THEN (spend_this_month - budget_this_month) / budget_this_month END,
  'category_spend_7d', json(CASE WHEN first <= d THEN coalesce(m7, '{}') END),
  'dining_txn_7d', CASE WHEN first <= d THEN dining_txn_7d END,
  'income_90d', CASE WHEN first <= d THEN income_90d END,
  'income_this_month', CASE WHEN first <= d THEN income_this_month END,
  'monthly_commitment', CASE WHEN first <= pme THEN monthly_commitment END,
  'monthly_income', CASE WHEN first <= d THEN income_90d / 3.0 END,
  'needs_share_30d', CASE WHEN first <= d AND spend_30d <> 0
                          THEN (spend_30d - wants_spend_30d) / spend_30d END,
  'prev_category_spend_7d', json(CASE WHEN first <= l7 - 1 THEN coalesce(mp7, '{}') END),
  'prev_total_spend_7d', CASE WHEN first <= l7 - 1 THEN prev_total_spend_7d END,
  'recurring_merchants', CASE WHEN first <= d THEN recurring_merchants END,
  'savings_actual_month', CASE WHEN first <= d THEN income_this_month - spend_this_month END,
  'shopping_spend_30d', CASE WHEN first <= d THEN shopping_spend_30d END,
  'shopping_spend_prev_30d', CASE WHEN first <= l30 - 1 THEN shopping_spend_prev_30d END,
  'shopping_txn_7d', CASE WHEN first <= d THEN shopping_txn_7d END,
  'small_txn_count_7d', CASE WHEN first <= d THEN small_txn_count_7d END,
  'spend_30d', CASE WHEN first <= d THEN spend_30d END,
  'spend_this_month', CASE WHEN first <= d THEN spend_this_month END,
  'spending_leaks_30d', CASE WHEN first <= d THEN spending_leaks_30d END,
  'top_goal_name', top_goal_name,
  'top_goal_progress', top_goal_progress,
  'total_spend_7d', CASE WHEN first <= d THEN total_spend_7d END,
  'travel_txn_30d', CASE WHEN first <= d THEN travel_txn_30d END,
  'travel_txn_90d', CASE WHEN first <= d THEN travel_txn_90d END,
  'travel_txn_baseline_30d', CASE WHEN first <= d THEN travel_txn_90d / 3.0 END,
  'underfunded_top_goal', underfunded_top_goal,
  'upi_peer_payments_30d', CASE WHEN first <= d THEN upi_peer_payments_30d END,
  'wants_share_30d', CASE WHEN first <= d AND spend_30d <> 0 THEN wants_spend_30d / spend_30d END,
  'wants_spend_30d', CASE WHEN first <= d THEN wants_spend_30d END))
FROM (SELECT user_id FROM mm_user_traits UNION SELECT user_id FROM bl_agg)
  LEFT JOIN bl_agg USING (user_id) LEFT JOIN bl_cat USING (user_id)
  LEFT JOIN bl_budget USING (user_id) LEFT JOIN bl_goal USING (user_id), bl_w
ORDER BY user_id;
