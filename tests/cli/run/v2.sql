-- A state database as mmr wrote it at schema version 2 (the DDL is that
-- version's, input tables included), with one night of history: the run of
-- 2025-10-25 delivered to u9, u1 and u8 (events 1-3; the NDJSON sink has
-- had 1 and 2), suppressed u8's dining rule, and u1 viewed its nudge. An
-- older sample delivery to u4 has no event. u7 has muted travel. The input
-- tables hold the next snapshot, 2025-10-27 (read by a run without
-- --signals). Used by migrate.t.
CREATE TABLE mm_signal_daily (
  user_id TEXT NOT NULL,
  as_of TEXT NOT NULL,
  dining_txn_7d REAL,
  shopping_txn_7d REAL,
  travel_txn_30d REAL,
  wants_share_30d REAL,
  needs_share_30d REAL,
  upi_peer_payments_30d REAL,
  recurring_merchants REAL,
  spending_leaks_30d REAL,
  shopping_spend_30d REAL,
  shopping_spend_prev_30d REAL,
  travel_txn_baseline_30d REAL,
  total_spend_7d REAL,
  prev_total_spend_7d REAL,
  small_txn_count_7d REAL,
  category_spend_7d TEXT,
  prev_category_spend_7d TEXT,
  budget_variance REAL,
  variance_needs REAL,
  variance_wants REAL,
  variance_savings REAL,
  monthly_commitment REAL,
  monthly_income REAL,
  upcoming_yearly_expenses_90d REAL,
  savings_gap REAL,
  savings_actual_month REAL,
  underfunded_top_goal TEXT,
  top_goal_name TEXT,
  top_goal_progress REAL,
  top_goal_underfunding REAL,
  goal_milestones_30d REAL,
  UNIQUE (as_of, user_id));
CREATE TABLE mm_user_traits (
  user_id TEXT PRIMARY KEY,
  age_band TEXT,
  gender TEXT,
  lifestyle_tags TEXT,
  region_code TEXT,
  income_type TEXT,
  dependents REAL,
  tz TEXT);

CREATE TABLE mm_schema_version (  version    INTEGER PRIMARY KEY,  applied_at TEXT NOT NULL);
CREATE TABLE mm_user_suppression (  user_id  TEXT NOT NULL,  category TEXT NOT NULL,  muted_at TEXT NOT NULL,  PRIMARY KEY (user_id, category)) WITHOUT ROWID;
CREATE TABLE mm_nudge_rule_master (  rule_id             INTEGER PRIMARY KEY,  name                TEXT NOT NULL UNIQUE,  description         TEXT,  category            TEXT NOT NULL,  priority            INTEGER NOT NULL,  cooldown_days       REAL NOT NULL,  cooldown_s          INTEGER NOT NULL,  expression_json     TEXT,  traits_filter_json  TEXT,  message_template_id TEXT,  source              TEXT,  ruleset_hash        TEXT NOT NULL,  updated_at          TEXT NOT NULL);
CREATE TABLE mm_nudge_template_master (  template_id    TEXT PRIMARY KEY,  title          TEXT NOT NULL,  body           TEXT NOT NULL,  tone           TEXT,  variables_json TEXT NOT NULL,  category       TEXT,  ruleset_hash   TEXT NOT NULL,  updated_at     TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE mm_run (  run_id       INTEGER PRIMARY KEY,  as_of        TEXT NOT NULL,  now          TEXT NOT NULL,  ruleset_hash TEXT NOT NULL,  source       TEXT NOT NULL,  status       TEXT NOT NULL CHECK (status IN ('running','done')),  users        INTEGER NOT NULL DEFAULT 0,  candidates   INTEGER NOT NULL DEFAULT 0,  delivered    INTEGER NOT NULL DEFAULT 0,  suppressed   INTEGER NOT NULL DEFAULT 0);
CREATE TABLE mm_nudge_candidate (  as_of              TEXT NOT NULL,  user_id            TEXT NOT NULL,  rule               TEXT NOT NULL,  rule_id            INTEGER NOT NULL REFERENCES mm_nudge_rule_master(rule_id) DEFERRABLE INITIALLY DEFERRED,  status             TEXT NOT NULL CHECK (status IN ('delivered','suppressed')),  suppression_reason TEXT,  priority           INTEGER NOT NULL,  delivery_id        TEXT,  run_id             INTEGER NOT NULL REFERENCES mm_run(run_id) DEFERRABLE INITIALLY DEFERRED,  created_at         TEXT NOT NULL,  CHECK ((status = 'delivered') = (suppression_reason IS NULL)),  CHECK ((status = 'delivered') = (delivery_id IS NOT NULL)),  PRIMARY KEY (as_of, user_id, rule)) WITHOUT ROWID;
CREATE TABLE mm_nudge_delivery_log (  delivery_id  TEXT NOT NULL UNIQUE,  user_id      TEXT NOT NULL,  rule_id      INTEGER NOT NULL REFERENCES mm_nudge_rule_master(rule_id) DEFERRABLE INITIALLY DEFERRED,  rule         TEXT NOT NULL,  as_of        TEXT NOT NULL,  title        TEXT NOT NULL,  body         TEXT NOT NULL,  category     TEXT NOT NULL,  meta_json    TEXT NOT NULL,  delivered_at TEXT NOT NULL,  PRIMARY KEY (user_id, rule, as_of)) WITHOUT ROWID;
CREATE TABLE mm_nudge_interaction_log (  interaction_id INTEGER PRIMARY KEY,  delivery_id    TEXT NOT NULL REFERENCES mm_nudge_delivery_log(delivery_id),  user_id        TEXT NOT NULL,  action         TEXT NOT NULL CHECK (action IN ('viewed','clicked','dismissed')),  timestamp      TEXT NOT NULL);
CREATE INDEX mm_nudge_interaction_delivery ON mm_nudge_interaction_log(delivery_id);
CREATE TABLE mm_event_outbox (  event_id     INTEGER PRIMARY KEY,  user_id      TEXT NOT NULL,  rule         TEXT NOT NULL,  as_of        TEXT NOT NULL,  created_at   TEXT NOT NULL,  want_redis   INTEGER NOT NULL CHECK (want_redis IN (0,1)),  FOREIGN KEY (user_id, rule, as_of) REFERENCES mm_nudge_delivery_log(user_id, rule, as_of)    DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE mm_event_cursor (  sink          TEXT PRIMARY KEY CHECK (sink IN ('ndjson','redis')),  last_event_id INTEGER NOT NULL,  updated_at    TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE mm_event_sink (  path TEXT PRIMARY KEY,  size INTEGER NOT NULL) WITHOUT ROWID;

INSERT INTO mm_schema_version VALUES (1, '2025-09-01T00:00:00Z'), (2, '2025-10-01T00:00:00Z');
INSERT INTO mm_user_suppression VALUES ('u7', 'travel', '2025-10-01T00:00:00Z');
INSERT INTO mm_nudge_rule_master(rule_id, name, category, priority, cooldown_days, cooldown_s, message_template_id, ruleset_hash, updated_at) VALUES
  (1, 'dining_overspend', 'dining', 80, 3, 259200, 'DINE_01', 'old', '2025-10-25T08:00:00Z'),
  (2, 'budget_drift', 'budget', 50, 7, 604800, 'BUDGET_01', 'old', '2025-10-25T08:00:00Z'),
  (3, 'goal_underfunded', 'goal', 90, 7, 604800, 'GOAL_01', 'old', '2025-10-25T08:00:00Z');
INSERT INTO mm_run VALUES (1, '2025-10-25', '2025-10-25T08:00:00Z', 'old', 'history.ndjson', 'done', 3, 4, 3, 1);
INSERT INTO mm_nudge_delivery_log VALUES
  ('hist-u9-budget', 'u9', 2, 'budget_drift', '2025-10-25', 'Your budget drifted a bit', 'Spending is 20% off plan this month.', 'budget', '{"as_of":"2025-10-25"}', '2025-10-25T08:00:00Z'),
  ('hist-u1-dining', 'u1', 1, 'dining_overspend', '2025-10-25', 'Takeout again? 🍟', 'Your Goa Trip fund would love a home-cooked night 😋', 'dining', '{"as_of":"2025-10-25"}', '2025-10-25T08:00:00Z'),
  ('hist-u8-goal', 'u8', 3, 'goal_underfunded', '2025-10-25', 'Car could use a boost 🌱', 'Even ₹500 today gets it moving.', 'goal', '{"as_of":"2025-10-25"}', '2025-10-25T08:00:00Z'),
  ('sample-u4-dining', 'u4', 1, 'dining_overspend', '2025-10-20', 'Takeout again? 🍟', 'A sample delivery.', 'dining', '{"sample":true}', '2025-10-20T10:00:00Z');
INSERT INTO mm_nudge_candidate VALUES
  ('2025-10-25', 'u1', 'dining_overspend', 1, 'delivered', NULL, 80, 'hist-u1-dining', 1, '2025-10-25T08:00:00Z'),
  ('2025-10-25', 'u8', 'dining_overspend', 1, 'suppressed', 'daily_cap', 80, NULL, 1, '2025-10-25T08:00:00Z'),
  ('2025-10-25', 'u8', 'goal_underfunded', 3, 'delivered', NULL, 90, 'hist-u8-goal', 1, '2025-10-25T08:00:00Z'),
  ('2025-10-25', 'u9', 'budget_drift', 2, 'delivered', NULL, 50, 'hist-u9-budget', 1, '2025-10-25T08:00:00Z');
INSERT INTO mm_nudge_interaction_log VALUES (1, 'hist-u1-dining', 'u1', 'viewed', '2025-10-25T08:30:00Z');
INSERT INTO mm_event_outbox VALUES
  (1, 'u9', 'budget_drift', '2025-10-25', '2025-10-25T08:00:00Z', 0),
  (2, 'u1', 'dining_overspend', '2025-10-25', '2025-10-25T08:00:00Z', 0),
  (3, 'u8', 'goal_underfunded', '2025-10-25', '2025-10-25T08:00:00Z', 0);
INSERT INTO mm_event_cursor VALUES ('ndjson', 2, '2025-10-25T08:00:01Z'), ('redis', 2, '2025-10-25T08:00:01Z');
INSERT INTO mm_signal_daily(user_id, as_of, budget_variance, dining_txn_7d, wants_share_30d) VALUES
  ('u1', '2025-10-27', -0.25, 4, 0.4), ('u2', '2025-10-27', 0.5, NULL, NULL), ('u5', '2025-10-27', 0.5, NULL, NULL);
INSERT INTO mm_user_traits(user_id, tz) VALUES ('u2', 'Asia/Dubai');
