-- The decision of `mmr run` over rules/moneymoments, as plain SQL in SQLite:
-- the baseline that bench/bench_run.sh times against `mmr run`.
--
-- Same inputs (mm_signal_daily for @as_of, mm_user_traits, mm_user_suppression,
-- mm_nudge_delivery_log), same outputs (mm_nudge_candidate with status and
-- reason, mm_nudge_delivery_log, mm_event_outbox rows naming the deliveries,
-- then the events read back with their delivery rows, built as JSON, and
-- the outbox cursors moved), same suppression order (muted, cooldown,
-- quiet_hours, template_value_missing, daily_cap), priority by a window
-- function. One INSERT ... SELECT per rule into a candidate table.
--
-- Parameters (set by bench/bench_run.sh with .parameter set):
--   @now    the run's instant, ISO 8601 UTC ("2025-10-26T09:00:00Z")
--   @as_of  the snapshot date
-- and a table tzoff(name, off) with each zone's UTC offset at @now (SQLite
-- has no time zone database; the script fills it from the system's).
--
-- bench/bench_run.sh first gives the connection the settings of `mmr run`'s
-- (engine/db.c): the same page cache, temporary tables in memory,
-- synchronous=NORMAL (the file is in WAL mode). Foreign keys stay off (the
-- CLI's default), which saves the baseline the checks mmr does.
--
-- Deferred delivery (docs/engine.md): a candidate held by quiet hours alone
-- that fits the cap is 'deferred' with a mm_nudge_deferred row due at the
-- window's end (08:00 user-local); it holds a cap slot like a delivery.
--
-- Simplifications, all in the baseline's favour: the delivery id is a hex
-- SHA3 of user, rule and date rather than a UUID v5; money is printed with
-- Western digit grouping; pct rounds with printf.

BEGIN IMMEDIATE;

INSERT INTO mm_run(as_of, now, ruleset_hash, source, status)
VALUES (@as_of, @now, 'sql-baseline', 'mm_signal_daily', 'running');

INSERT INTO mm_nudge_rule_master(name, category, priority, cooldown_days, cooldown_s, ruleset_hash, updated_at)
VALUES ('budget_drift', 'budget', 50, 7, 604800, 'sql-baseline', @now),
       ('dining_overspend', 'dining', 80, 3, 259200, 'sql-baseline', @now),
       ('goal_underfunded', 'goal', 90, 7, 604800, 'sql-baseline', @now),
       ('shopping_spike', 'shopping', 70, 7, 604800, 'sql-baseline', @now),
       ('travel_heavy', 'travel', 60, 14, 1209600, 'sql-baseline', @now)
ON CONFLICT(name) DO NOTHING;

CREATE TEMP TABLE cand (
  user_id TEXT NOT NULL, rule TEXT NOT NULL, rule_id INTEGER, priority INTEGER NOT NULL,
  category TEXT NOT NULL, cooldown_s INTEGER NOT NULL, title TEXT, body TEXT);

-- one INSERT ... SELECT per rule
INSERT INTO cand
SELECT user_id, 'budget_drift', (SELECT rule_id FROM mm_nudge_rule_master WHERE name = 'budget_drift'), 50, 'budget', 604800, 'Your budget drifted a bit',
       'Spending is ' || rtrim(rtrim(printf('%.1f', abs(budget_variance) * 100), '0'), '.') ||
       '% off plan this month. A quick look at the plan now keeps the month calm.'
FROM mm_signal_daily WHERE as_of = @as_of AND abs(budget_variance) > 0.15;

INSERT INTO cand
SELECT user_id, 'dining_overspend', (SELECT rule_id FROM mm_nudge_rule_master WHERE name = 'dining_overspend'), 80, 'dining', 259200, 'Takeout again? 🍟',
       'Three or more orders this week. Your ' || coalesce(underfunded_top_goal, 'savings') ||
       ' fund would love a home-cooked night 😋'
FROM mm_signal_daily WHERE as_of = @as_of AND dining_txn_7d >= 3 AND wants_share_30d > 0.35;

INSERT INTO cand
SELECT user_id, 'goal_underfunded', (SELECT rule_id FROM mm_nudge_rule_master WHERE name = 'goal_underfunded'), 90, 'goal', 604800,
       coalesce(top_goal_name, 'Your goal') || ' could use a boost 🌱',
       'It is ' || rtrim(rtrim(printf('%.1f', top_goal_progress * 100), '0'), '.') ||
       '% of the way there and nothing has been saved this month. Even ₹500 today gets it moving.'
FROM mm_signal_daily WHERE as_of = @as_of AND top_goal_progress < 0.10 AND savings_actual_month <= 0;

INSERT INTO cand
SELECT user_id, 'shopping_spike', (SELECT rule_id FROM mm_nudge_rule_master WHERE name = 'shopping_spike'), 70, 'shopping', 604800, 'Your cart has been busy 🛍️',
       'Shopping is up ' ||
       rtrim(rtrim(printf('%.1f', (shopping_spend_30d - shopping_spend_prev_30d) / shopping_spend_prev_30d * 100), '0'), '.') ||
       '% on last month. A 48-hour wishlist pause keeps ' || coalesce(top_goal_name, 'your goals') || ' on track.'
FROM mm_signal_daily WHERE as_of = @as_of AND shopping_txn_7d >= 2 AND shopping_spend_prev_30d <> 0
  AND (shopping_spend_30d - shopping_spend_prev_30d) / shopping_spend_prev_30d > 0.20;

INSERT INTO cand
SELECT user_id, 'travel_heavy', (SELECT rule_id FROM mm_nudge_rule_master WHERE name = 'travel_heavy'), 60, 'travel', 1209600, 'Wanderlust meets the bill calendar ✈️',
       'You have travelled more than usual, and ' || printf('₹%,d', CAST(round(upcoming_yearly_expenses_90d) AS INTEGER)) ||
       ' of yearly expenses are due soon. Set aside a little now?'
FROM mm_signal_daily WHERE as_of = @as_of AND travel_txn_30d > travel_txn_baseline_30d
  AND monthly_income <> 0 AND upcoming_yearly_expenses_90d / monthly_income >= 0.5;

-- the suppression checks, in order
CREATE TEMP TABLE judged AS
SELECT c.*,
  CASE
    WHEN EXISTS (SELECT 1 FROM mm_user_suppression m WHERE m.user_id = c.user_id AND m.category = c.category)
      THEN 'muted'
    WHEN EXISTS (SELECT 1 FROM mm_nudge_delivery_log h WHERE h.user_id = c.user_id AND h.rule_id = c.rule_id
                 AND unixepoch(@now) - unixepoch(h.delivered_at) < c.cooldown_s)
      THEN 'cooldown'
    WHEN c.loc / 60 NOT BETWEEN 480 AND 1319
      THEN 'quiet_hours'
    WHEN c.title IS NULL OR c.body IS NULL THEN 'template_value_missing'
  END AS reason,
  (SELECT count(*) FROM mm_nudge_delivery_log h WHERE h.user_id = c.user_id
     AND unixepoch(@now) - unixepoch(h.delivered_at) < 86400) AS in_window
FROM (SELECT c0.*, (SELECT (unixepoch(@now) + z.off) % 86400 FROM tzoff z WHERE z.name =
        coalesce((SELECT nullif(t.tz, '') FROM mm_user_traits t WHERE t.user_id = c0.user_id), 'Asia/Kolkata')) AS loc
      FROM cand c0) c;

-- priority: a window function over the candidates that passed, or that
-- only quiet hours held (those may be deferred)
CREATE TEMP TABLE decided AS
SELECT j.*,
  CASE WHEN elig
       THEN row_number() OVER (PARTITION BY user_id, elig ORDER BY priority DESC, rule) END AS rn
FROM (SELECT j0.*, (reason IS NULL OR (reason = 'quiet_hours' AND title IS NOT NULL AND body IS NOT NULL)) AS elig
      FROM judged j0) j;

CREATE TEMP TABLE final AS
SELECT d.*,
  CASE WHEN reason IS NULL AND in_window + rn <= 1 THEN 1 ELSE 0 END AS delivered,
  CASE WHEN reason IS NOT NULL AND elig AND in_window + rn <= 1 THEN 1 ELSE 0 END AS deferred,
  CASE WHEN elig AND in_window + rn <= 1 THEN NULL
       WHEN reason IS NULL THEN 'daily_cap' ELSE reason END AS why,
  lower(hex(sha3(user_id || char(10) || rule || char(10) || @as_of, 224))) AS did
FROM decided d;

CREATE TEMP TABLE mark AS SELECT coalesce(max(seq), 0) AS seq FROM mm_nudge_delivery_log;

INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json, delivered_at)
SELECT f.did, f.user_id, f.rule_id, @as_of, f.title, f.body, f.category,
       json_object('as_of', @as_of, 'priority', f.priority), @now
FROM final f WHERE f.delivered ORDER BY f.user_id, f.rule;

INSERT INTO mm_nudge_candidate(as_of, user_id, rule_id, status, suppression_reason, priority, run_id)
SELECT @as_of, f.user_id, f.rule_id,
       CASE WHEN f.delivered THEN 'delivered' WHEN f.deferred THEN 'deferred' ELSE 'suppressed' END,
       f.why, f.priority, (SELECT max(run_id) FROM mm_run)
FROM final f ORDER BY f.user_id, f.rule_id;

INSERT INTO mm_nudge_deferred(as_of, user_id, rule_id, deliver_at, title, body, category, meta_json)
SELECT @as_of, f.user_id, f.rule_id,
       strftime('%Y-%m-%dT%H:%M:%SZ', unixepoch(@now) + (28800 - f.loc + 86400) % 86400, 'unixepoch'),
       f.title, f.body, f.category, json_object('as_of', @as_of, 'priority', f.priority)
FROM final f WHERE f.deferred ORDER BY f.user_id, f.rule_id;

INSERT INTO mm_event_outbox(delivery_seq, want_redis)
SELECT seq, 0 FROM mm_nudge_delivery_log WHERE seq > (SELECT seq FROM mark) ORDER BY seq;

UPDATE mm_run SET status = 'done' WHERE run_id = (SELECT max(run_id) FROM mm_run);
COMMIT;

-- publish: the events after the cursor, in order, built from the delivery
-- rows; then move the cursors
.output /dev/null
SELECT json_object('type', 'nudge', 'delivery_id', d.delivery_id, 'user_id', d.user_id, 'rule', r.name,
                   'title', d.title, 'body', d.body, 'category', d.category, 'created_at', d.delivered_at)
FROM mm_event_outbox o CROSS JOIN mm_nudge_delivery_log d ON d.seq = o.delivery_seq
  CROSS JOIN mm_nudge_rule_master r ON r.rule_id = d.rule_id
WHERE o.event_id > (SELECT last_event_id FROM mm_event_cursor WHERE sink = 'ndjson')
ORDER BY o.event_id;
.output stdout
UPDATE mm_event_cursor SET last_event_id = (SELECT max(event_id) FROM mm_event_outbox), updated_at = @now;
