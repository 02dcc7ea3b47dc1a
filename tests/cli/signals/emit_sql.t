`mmr signals --emit-sql postgresql`: the derived signals as one PostgreSQL
script (docs/signals.md, "Signals in PostgreSQL"). tests/pg/signals_sql.sh
runs such scripts on PostgreSQL and compares the rows with `mmr signals --db`.

With --as-of the date is in the script:

  $ mmr signals emit_sql.mmr --emit-sql postgresql --as-of 2025-10-26
  -- The derived signals of this ruleset as PostgreSQL, written by
  -- `mmr signals --emit-sql postgresql` (docs/signals.md, "Signals in PostgreSQL").
  -- As of 2025-10-26: run with  psql -v ON_ERROR_STOP=1 -f FILE
  -- Reads mm_transaction, mm_user_traits (tz), mm_budget; upserts the day's rows of
  -- mm_signal_daily and deletes those older than the retention, in one transaction.
  BEGIN;
  CREATE TABLE IF NOT EXISTS mm_signal_daily (
    user_id text NOT NULL,
    as_of text NOT NULL,
    PRIMARY KEY (as_of, user_id));
  ALTER TABLE mm_signal_daily ADD COLUMN IF NOT EXISTS "by_category" jsonb;
  ALTER TABLE mm_signal_daily ADD COLUMN IF NOT EXISTS "change" double precision;
  ALTER TABLE mm_signal_daily ADD COLUMN IF NOT EXISTS "planned" double precision;
  ALTER TABLE mm_signal_daily ADD COLUMN IF NOT EXISTS "spend_prev_week" double precision;
  ALTER TABLE mm_signal_daily ADD COLUMN IF NOT EXISTS "spend_week" double precision;
  WITH
  users AS (
    SELECT user_id FROM mm_transaction UNION SELECT user_id FROM mm_user_traits),
  uz AS (
    SELECT u.user_id, COALESCE(x.tz, 'Asia/Kolkata') AS tz
    FROM users u LEFT JOIN mm_user_traits x ON x.user_id = u.user_id),
  tl AS (
    SELECT t.*, to_timestamp(t.ts) AT TIME ZONE z.tz AS lt
    FROM mm_transaction t JOIN uz z ON z.user_id = t.user_id),
  td AS (
    SELECT tl.*, tl.lt::date AS day FROM tl),
  a AS (
    SELECT t.user_id, min(t.day) AS first_day,
      COALESCE(sum(COALESCE(t.amount, 0)) FILTER (WHERE t.day BETWEEN (DATE '2025-10-26' - (extract(isodow from DATE '2025-10-26')::int + 6)) AND (DATE '2025-10-26' - extract(isodow from DATE '2025-10-26')::int) AND (t.type = 'expense')), 0) AS "spend_prev_week",
      COALESCE(sum(COALESCE(t.amount, 0)) FILTER (WHERE t.day BETWEEN (DATE '2025-10-26' - (extract(isodow from DATE '2025-10-26')::int - 1)) AND DATE '2025-10-26' AND (t.type = 'expense')), 0) AS "spend_week"
    FROM td t GROUP BY t.user_id),
  m2 AS (
    SELECT g.user_id, jsonb_object_agg(g.k, g.v) AS m FROM (
      SELECT t.user_id, t.category AS k, COALESCE(sum(COALESCE(t.amount, 0)) FILTER (WHERE TRUE), 0) AS v
      FROM td t WHERE t.day BETWEEN (DATE '2025-10-26' - 6) AND DATE '2025-10-26' AND (t.type = 'expense') AND t.category IS NOT NULL GROUP BY 1, 2) g
    WHERE g.v IS NOT NULL GROUP BY g.user_id),
  s AS (
    SELECT s0.user_id,
      CASE WHEN (a.first_day IS NULL OR a.first_day > DATE '2025-10-26') THEN NULL ELSE COALESCE((SELECT m FROM m2 WHERE m2.user_id = s0.user_id), '{}'::jsonb) END AS "by_category",
      CASE WHEN NOT EXISTS (SELECT 1 FROM mm_budget r WHERE r.user_id = s0.user_id) THEN NULL ELSE (SELECT COALESCE(sum(COALESCE(r.limit_amount, 0)) FILTER (WHERE TRUE AND (r.period = 'month')), 0) FROM mm_budget r WHERE r.user_id = s0.user_id) END AS "planned",
      CASE WHEN (a.first_day IS NULL OR a.first_day > (DATE '2025-10-26' - extract(isodow from DATE '2025-10-26')::int)) THEN NULL ELSE a."spend_prev_week" END AS "spend_prev_week",
      CASE WHEN (a.first_day IS NULL OR a.first_day > DATE '2025-10-26') THEN NULL ELSE a."spend_week" END AS "spend_week"
    FROM uz s0 LEFT JOIN a ON a.user_id = s0.user_id)
  INSERT INTO mm_signal_daily (user_id, as_of, "by_category", "change", "planned", "spend_prev_week", "spend_week")
  SELECT s.user_id, to_char(DATE '2025-10-26', 'YYYY-MM-DD'),
    s."by_category",
    ((s."spend_week" - s."spend_prev_week") / NULLIF(s."spend_prev_week", 0)),
    s."planned",
    s."spend_prev_week",
    s."spend_week"
  FROM s ORDER BY s.user_id
  ON CONFLICT (as_of, user_id) DO UPDATE SET
    "by_category" = EXCLUDED."by_category",
    "change" = EXCLUDED."change",
    "planned" = EXCLUDED."planned",
    "spend_prev_week" = EXCLUDED."spend_prev_week",
    "spend_week" = EXCLUDED."spend_week";
  -- the retention (90 days): rows older than it go, as `mmr signals --db` does
  DELETE FROM mm_signal_daily WHERE as_of < to_char(DATE '2025-10-26' - 89, 'YYYY-MM-DD');
  COMMIT;

Without it the script reads the psql variable as_of:

  $ mmr signals emit_sql.mmr --emit-sql postgresql | grep -c ":'as_of'"
  8

Other dialects are a usage error that names the supported one:

  $ mmr signals emit_sql.mmr --emit-sql sqlite
  mmr signals: --emit-sql sqlite: unknown dialect; the supported one is postgresql
  (see `mmr signals --help`)
  [2]

--emit-sql reads no data:

  $ mmr signals emit_sql.mmr --emit-sql postgresql --transactions tx.ndjson
  mmr signals: --emit-sql prints SQL and reads no data: it takes only PATH... and --as-of
  (see `mmr signals --help`)
  [2]

A construct SQL cannot express is an error naming the signal and line:

  $ cd $TESTTMP
  $ printf 'signal wobble = stddev weekly sum amount of transaction over last 4w\n' > b.mmr
  $ mmr signals b.mmr --emit-sql postgresql
  b.mmr:1:17: error: signal wobble: a bucketed aggregate (daily/weekly) cannot be expressed in PostgreSQL by --emit-sql
      1 | signal wobble = stddev weekly sum amount of transaction over last 4w
        |                 ^
  [1]
