/* The engine's SQLite state: schema, migrations, constraints, and one run
 * end to end through mmr_run. */
#include "tests/unit/t.h"
#include "engine/db.h"
#include "engine/run.h"
#include "compiler/compile.h"
#include "util/timeutil.h"
#include <stdlib.h>
#include <unistd.h>

static int count(mmr_db *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK) return -1;
    int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    return n;
}

static int exec_ok(mmr_db *db, const char *sql)
{
    return sqlite3_exec(db->h, sql, NULL, NULL, NULL) == SQLITE_OK;
}

/* Every row of sql as text, "a|b|c" lines (NULL as "NULL"), so a query's
 * whole answer can be compared before and after a migration. The caller
 * frees; NULL if the query fails. */
static char *rows(mmr_db *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "rows: %s: %s\n", sql, sqlite3_errmsg(db->h));
        return NULL;
    }
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_buf_puts(&b, "");
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const unsigned char *v = sqlite3_column_text(st, i);
            if (i) mmr_buf_putc(&b, '|');
            mmr_buf_puts(&b, v ? (const char *)v : "NULL");
        }
        mmr_buf_putc(&b, '\n');
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE || b.oom) { mmr_buf_free(&b); return NULL; }
    return mmr_buf_take(&b);
}

/* rows(sql) == want; prints both on a mismatch. */
#define T_ROWS(db, sql, want) do { char *_g = rows(db, sql); T_EQ_STR(_g, want); free(_g); } while (0)

/* The shape of a table as SQLite sees it: columns (name, type, not null,
 * key position), foreign keys (parent table and columns, how many are
 * deferred), CHECK count, indexes and their columns, WITHOUT ROWID. A
 * migrated table must have the shape of the one a new database gets, even
 * though its CREATE text is written differently. */
static char *shape(mmr_db *db, const char *table)
{
    char sql[2048];
    snprintf(sql, sizeof sql,
        "SELECT 'col', name, type, \"notnull\", pk FROM pragma_table_info('%s') "
        "UNION ALL SELECT 'fk', * FROM (SELECT \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list('%s') ORDER BY 1, 2) "
        "UNION ALL SELECT 'ix', * FROM (SELECT CASE origin WHEN 'c' THEN il.name ELSE origin END, il.\"unique\", "
        "  (SELECT group_concat(name) FROM (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno)), NULL "
        "  FROM pragma_index_list('%s') il ORDER BY 1, 3) "
        "UNION ALL SELECT 'sql', sql LIKE '%%WITHOUT ROWID', "
        "  (length(sql) - length(replace(sql, 'DEFERRABLE INITIALLY DEFERRED', ''))) / 29, "
        "  (length(sql) - length(replace(sql, 'CHECK', ''))) / 5, NULL FROM sqlite_master WHERE type = 'table' AND name = '%s'",
        table, table, table, table);
    return rows(db, sql);
}

/* The state tables (all but the input tables, which migrations leave as
 * they are). */
static const char *const state_tables[] = {
    "mm_schema_version", "mm_user_suppression", "mm_nudge_rule_master", "mm_nudge_template_master",
    "mm_run", "mm_nudge_candidate", "mm_nudge_delivery_log", "mm_nudge_interaction_log",
    "mm_event_outbox", "mm_event_cursor", "mm_event_sink",
    "mm_transaction", "mm_signal_tile", "mm_budget", "mm_goal", "mm_nudge_deferred",
};

/* Every state table of db has the shape of a new database's. */
static void same_shape_as_new(mmr_db *db)
{
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_db *fresh;
    T_EQ_INT(mmr_db_open(&fresh, "x", MMR_DB_OPEN_MEMORY, 0, &d), 0);
    T_EQ_INT(mmr_db_begin(fresh, &d), 0);
    T_EQ_INT(mmr_db_migrate(fresh, NULL, 0, NULL, 0, &d), 0);
    T_EQ_INT(mmr_db_commit(fresh, &d), 0);
    for (size_t i = 0; i < sizeof state_tables / sizeof state_tables[0]; i++) {
        char *want = shape(fresh, state_tables[i]), *got = shape(db, state_tables[i]);
        T_CHECK(want && strchr(want, '\n'));   /* the table exists */
        if (want && got && strcmp(want, got)) fprintf(stderr, "shape of %s:\n", state_tables[i]);
        T_EQ_STR(got, want);
        free(want);
        free(got);
    }
    /* nothing of the migration's working tables is left */
    T_EQ_INT(count(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'mmv%'"), 0);
    mmr_db_close(fresh);
    mmr_diags_free(&d);
}

static void check_v4_tables(mmr_db *db);

static void test_schema(void)
{
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_db *db;
    T_EQ_INT(mmr_db_open(&db, "x", MMR_DB_OPEN_MEMORY, 0, &d), 0);
    int v = -1;
    T_EQ_INT(mmr_db_version(db, &v, &d), 0);
    T_EQ_INT(v, 0);
    T_EQ_INT(mmr_db_check_tables(db, &d), -1);       /* nothing yet */
    size_t before = d.errors;
    T_CHECK(before >= 10);
    mmr_diags_free(&d);
    mmr_diags_init(&d);
    mmr_db_column extra[] = { { "my_signal", 1 /* number */ } };
    T_EQ_INT(mmr_db_begin(db, &d), 0);
    T_EQ_INT(mmr_db_migrate(db, extra, 1, NULL, 0, &d), 0);
    T_EQ_INT(mmr_db_commit(db, &d), 0);
    T_EQ_INT(mmr_db_version(db, &v, &d), 0);
    T_EQ_INT(v, MMR_DB_SCHEMA_VERSION);
    T_EQ_INT(mmr_db_check_tables(db, &d), 0);
    T_EQ_INT((int)d.errors, 0);
    /* migrating again changes nothing */
    T_EQ_INT(mmr_db_migrate(db, NULL, 0, NULL, 0, &d), 0);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_schema_version"), 1);
    /* the input tables have the std columns, the ruleset's own, and tz */
    T_EQ_INT(count(db, "SELECT count(*) FROM pragma_table_info('mm_signal_daily') WHERE name IN "
                       "('user_id','as_of','dining_txn_7d','category_spend_7d','my_signal')"), 5);
    T_EQ_INT(count(db, "SELECT count(*) FROM pragma_table_info('mm_signal_daily') WHERE name = 'dining_txn_7d' AND type = 'REAL'"), 1);
    T_EQ_INT(count(db, "SELECT count(*) FROM pragma_table_info('mm_user_traits') WHERE name IN ('tz','lifestyle_tags','age_band')"), 3);
    T_EQ_INT(count(db, "PRAGMA foreign_keys"), 1);
    /* the tables a run fills are narrow: a candidate or delivery names its
     * rule by rule_id only, an event is the delivery's seq */
    T_ROWS(db, "SELECT group_concat(name, ',') FROM pragma_table_info('mm_nudge_candidate')",
           "as_of,user_id,rule_id,rule_key,status,suppression_reason,priority,run_id\n");
    T_ROWS(db, "SELECT group_concat(name, ',') FROM pragma_table_info('mm_nudge_delivery_log')",
           "seq,delivery_id,user_id,rule_id,as_of,title,body,category,meta_json,delivered_at,rule_key\n");
    T_ROWS(db, "SELECT group_concat(name, ',') FROM pragma_table_info('mm_event_outbox')",
           "event_id,delivery_seq,want_redis\n");
    /* clustered on their keys (WITHOUT ROWID): candidates by (as_of,
     * user_id, rule_id), the input tables by (as_of, user_id) and user_id;
     * the delivery log is a rowid table numbered by seq */
    T_ROWS(db, "SELECT name, pk FROM pragma_table_info('mm_nudge_candidate') WHERE pk > 0 ORDER BY pk",
           "as_of|1\nuser_id|2\nrule_id|3\nrule_key|4\n");
    T_ROWS(db, "SELECT name, pk FROM pragma_table_info('mm_nudge_deferred') WHERE pk > 0 ORDER BY pk",
           "as_of|1\nuser_id|2\nrule_id|3\nrule_key|4\n");
    T_ROWS(db, "SELECT name, pk FROM pragma_table_info('mm_signal_daily') WHERE pk > 0 ORDER BY pk",
           "as_of|1\nuser_id|2\n");
    T_ROWS(db, "SELECT name, pk, \"notnull\" FROM pragma_table_info('mm_user_traits') WHERE pk > 0", "user_id|1|1\n");
    T_CHECK(!exec_ok(db, "SELECT rowid FROM mm_nudge_candidate"));
    T_CHECK(!exec_ok(db, "SELECT rowid FROM mm_signal_daily"));
    T_CHECK(!exec_ok(db, "SELECT rowid FROM mm_user_traits"));
    T_CHECK(exec_ok(db, "SELECT rowid FROM mm_nudge_delivery_log"));
    T_ROWS(db, "SELECT name FROM pragma_index_info('mm_nudge_delivery_user') ORDER BY seqno",
           "user_id\ndelivered_at\nrule_id\nrule_key\n");
    check_v4_tables(db);
    /* constraints: status, reason/status agreement, actions, foreign keys, uniqueness */
    T_CHECK(exec_ok(db, "INSERT INTO mm_nudge_rule_master(name, category, priority, cooldown_days, cooldown_s, ruleset_hash, updated_at) "
                        "VALUES ('r', 'dining', 1, 0, 0, 'h', 't')"));
    T_CHECK(exec_ok(db, "INSERT INTO mm_run(as_of, now, ruleset_hash, source, status) VALUES ('2025-10-26','t','h','s','done')"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_candidate(as_of, user_id, rule_id, status, priority, run_id) "
                         "VALUES ('2025-10-26', 'u', 1, 'maybe', 1, 1)"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_candidate(as_of, user_id, rule_id, status, suppression_reason, priority, run_id) "
                         "VALUES ('2025-10-26', 'u', 1, 'delivered', 'muted', 1, 1)"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_candidate(as_of, user_id, rule_id, status, priority, run_id) "
                         "VALUES ('2025-10-26', 'u', 1, 'suppressed', 1, 1)"));             /* suppressed needs a reason */
    T_CHECK(exec_ok(db, "INSERT INTO mm_nudge_candidate(as_of, user_id, rule_id, status, suppression_reason, priority, run_id) "
                        "VALUES ('2025-10-26', 'u', 1, 'suppressed', 'muted', 1, 1)"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_candidate(as_of, user_id, rule_id, status, suppression_reason, priority, run_id) "
                         "VALUES ('2025-10-26', 'u', 1, 'suppressed', 'cooldown', 1, 1)"));   /* AC-MM-2: the key */
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_candidate(as_of, user_id, rule_id, status, priority, run_id) "
                         "VALUES ('2025-10-26', 'u', 1, 'delivered', 1, 1)"));              /* AC-MM-2, other status */
    T_CHECK(exec_ok(db, "INSERT INTO mm_nudge_candidate(as_of, user_id, rule_id, status, priority, run_id) "
                        "VALUES ('2025-10-27', 'u', 1, 'delivered', 1, 1)"));               /* the next date */
    /* The rule and run references are checked at commit (deferred): alone,
     * a statement is its own transaction and fails at its end; inside a
     * transaction the insert passes and the commit fails, leaving nothing. */
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_candidate(as_of, user_id, rule_id, status, suppression_reason, priority, run_id) "
                         "VALUES ('2025-10-26', 'u', 7, 'suppressed', 'muted', 1, 1)"));      /* no rule 7 */
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_candidate(as_of, user_id, rule_id, status, suppression_reason, priority, run_id) "
                         "VALUES ('2025-10-26', 'u2', 1, 'suppressed', 'muted', 1, 9)"));     /* no run 9 */
    {
        mmr_diags d2;
        mmr_diags_init(&d2);
        T_EQ_INT(mmr_db_begin(db, &d2), 0);
        T_CHECK(exec_ok(db, "INSERT INTO mm_nudge_candidate(as_of, user_id, rule_id, status, suppression_reason, priority, run_id) "
                            "VALUES ('2025-10-26', 'u', 7, 'suppressed', 'muted', 1, 1)"));
        T_EQ_INT(mmr_db_commit(db, &d2), -1);
        T_CHECK(d2.errors == 1 && strstr(d2.v[0].message, "FOREIGN KEY") != NULL);
        T_CHECK(sqlite3_get_autocommit(db->h));                     /* rolled back */
        mmr_diags_free(&d2);
    }
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_nudge_candidate WHERE rule_id = 7"), 0);
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_interaction_log(delivery_id, user_id, action, timestamp) VALUES ('nope', 'u', 'viewed', 't')"));
    T_CHECK(exec_ok(db, "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json, delivered_at) "
                        "VALUES ('d1', 'u', 1, '2025-10-26', 'T', 'B', 'dining', '{}', 't')"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json, delivered_at) "
                         "VALUES ('d1', 'u', 1, '2025-10-27', 'T', 'B', 'dining', '{}', 't')"));   /* same delivery_id */
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json, delivered_at) "
                         "VALUES ('d7', 'u', 7, '2025-10-26', 'T', 'B', 'dining', '{}', 't')"));   /* no rule 7 */
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json, delivered_at) "
                         "VALUES (NULL, 'u', 1, '2025-10-28', 'T', 'B', 'dining', '{}', 't')"));   /* an id is required */
    T_CHECK(exec_ok(db, "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json, delivered_at) "
                        "VALUES ('d2', 'u', 1, '2025-10-27', 'T', 'B', 'dining', '{}', 't')"));
    /* seq numbers deliveries in the order they were written */
    T_ROWS(db, "SELECT seq, delivery_id FROM mm_nudge_delivery_log ORDER BY seq", "1|d1\n2|d2\n");
    /* an event is a delivery's seq (checked at commit, as above) */
    T_CHECK(exec_ok(db, "INSERT INTO mm_event_outbox(delivery_seq, want_redis) VALUES (2, 1)"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_event_outbox(delivery_seq, want_redis) VALUES (9, 0)"));   /* no delivery 9 */
    T_CHECK(!exec_ok(db, "INSERT INTO mm_event_outbox(delivery_seq, want_redis) VALUES (1, 2)"));
    T_CHECK(!exec_ok(db, "DELETE FROM mm_nudge_delivery_log WHERE seq = 2"));                        /* has an event */
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_interaction_log(delivery_id, user_id, action, timestamp) VALUES ('d1', 'u', 'liked', 't')"));
    T_CHECK(exec_ok(db, "INSERT INTO mm_nudge_interaction_log(delivery_id, user_id, action, timestamp) VALUES ('d1', 'u', 'clicked', 't')"));
    T_CHECK(!exec_ok(db, "DELETE FROM mm_nudge_delivery_log WHERE delivery_id = 'd1'"));             /* has an interaction */
    T_CHECK(!exec_ok(db, "UPDATE mm_nudge_delivery_log SET delivery_id = 'd9' WHERE delivery_id = 'd1'"));
    T_EQ_INT(count(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    /* a database from a newer mmr is refused */
    T_CHECK(exec_ok(db, "INSERT INTO mm_schema_version VALUES (99, 't')"));
    mmr_diags_free(&d);
    mmr_diags_init(&d);
    T_EQ_INT(mmr_db_migrate(db, NULL, 0, NULL, 0, &d), -1);
    T_CHECK(d.n == 1 && strstr(d.v[0].message, "version 99") != NULL);
    /* a dropped table is named */
    T_CHECK(exec_ok(db, "DROP TABLE mm_event_sink"));
    mmr_diags_free(&d);
    mmr_diags_init(&d);
    T_EQ_INT(mmr_db_check_tables(db, &d), -1);
    T_CHECK(d.n == 1 && strstr(d.v[0].message, "mm_event_sink") != NULL);
    mmr_db_close(db);
    /* read-only open of a file that is not there */
    mmr_diags_free(&d);
    mmr_diags_init(&d);
    T_EQ_INT(mmr_db_open(&db, "/nonexistent/dir/x.db", MMR_DB_OPEN_RO, 0, &d), -1);
    T_CHECK(db == NULL && d.errors == 1);
    mmr_diags_free(&d);
    T_EQ_STR(mmr_db_sql_type(1), "REAL");
    T_EQ_STR(mmr_db_sql_type(3), "TEXT");
}

/* The tables versions 1, 2 and 3 share, as they were then (frozen here:
 * the fixtures are old databases, not the current schema). */
#define SCHEMA_V1_V2_COMMON \
    "CREATE TABLE mm_schema_version (" \
    "  version    INTEGER PRIMARY KEY," \
    "  applied_at TEXT NOT NULL);" \
    "CREATE TABLE mm_user_suppression (" \
    "  user_id  TEXT NOT NULL," \
    "  category TEXT NOT NULL," \
    "  muted_at TEXT NOT NULL," \
    "  PRIMARY KEY (user_id, category)) WITHOUT ROWID;" \
    "CREATE TABLE mm_nudge_rule_master (" \
    "  rule_id             INTEGER PRIMARY KEY," \
    "  name                TEXT NOT NULL UNIQUE," \
    "  description         TEXT," \
    "  category            TEXT NOT NULL," \
    "  priority            INTEGER NOT NULL," \
    "  cooldown_days       REAL NOT NULL," \
    "  cooldown_s          INTEGER NOT NULL," \
    "  expression_json     TEXT," \
    "  traits_filter_json  TEXT," \
    "  message_template_id TEXT," \
    "  source              TEXT," \
    "  ruleset_hash        TEXT NOT NULL," \
    "  updated_at          TEXT NOT NULL);" \
    "CREATE TABLE mm_nudge_template_master (" \
    "  template_id    TEXT PRIMARY KEY," \
    "  title          TEXT NOT NULL," \
    "  body           TEXT NOT NULL," \
    "  tone           TEXT," \
    "  variables_json TEXT NOT NULL," \
    "  category       TEXT," \
    "  ruleset_hash   TEXT NOT NULL," \
    "  updated_at     TEXT NOT NULL) WITHOUT ROWID;" \
    "CREATE TABLE mm_run (" \
    "  run_id       INTEGER PRIMARY KEY," \
    "  as_of        TEXT NOT NULL," \
    "  now          TEXT NOT NULL," \
    "  ruleset_hash TEXT NOT NULL," \
    "  source       TEXT NOT NULL," \
    "  status       TEXT NOT NULL CHECK (status IN ('running','done'))," \
    "  users        INTEGER NOT NULL DEFAULT 0," \
    "  candidates   INTEGER NOT NULL DEFAULT 0," \
    "  delivered    INTEGER NOT NULL DEFAULT 0," \
    "  suppressed   INTEGER NOT NULL DEFAULT 0);" \
    "CREATE TABLE mm_nudge_interaction_log (" /* references a table each fixture makes */ \
    "  interaction_id INTEGER PRIMARY KEY," \
    "  delivery_id    TEXT NOT NULL REFERENCES mm_nudge_delivery_log(delivery_id)," \
    "  user_id        TEXT NOT NULL," \
    "  action         TEXT NOT NULL CHECK (action IN ('viewed','clicked','dismissed'))," \
    "  timestamp      TEXT NOT NULL);" \
    "CREATE INDEX mm_nudge_interaction_delivery ON mm_nudge_interaction_log(delivery_id);" \
    ""

/* The version-1 schema (mmr before the outbox cursors), to test the
 * migrations through version 2 to the current one. */
static const char schema_v1[] =
    SCHEMA_V1_V2_COMMON
    "CREATE TABLE mm_nudge_candidate ("
    "  candidate_id       INTEGER PRIMARY KEY,"
    "  user_id            TEXT NOT NULL,"
    "  rule_id            INTEGER NOT NULL REFERENCES mm_nudge_rule_master(rule_id),"
    "  rule               TEXT NOT NULL,"
    "  as_of              TEXT NOT NULL,"
    "  status             TEXT NOT NULL CHECK (status IN ('delivered','suppressed')),"
    "  suppression_reason TEXT,"
    "  priority           INTEGER NOT NULL,"
    "  delivery_id        TEXT,"
    "  run_id             INTEGER NOT NULL REFERENCES mm_run(run_id),"
    "  created_at         TEXT NOT NULL,"
    "  CHECK ((status = 'delivered') = (suppression_reason IS NULL)),"
    "  CHECK ((status = 'delivered') = (delivery_id IS NOT NULL)),"
    "  UNIQUE (user_id, rule, as_of));"
    "CREATE TABLE mm_nudge_delivery_log ("
    "  delivery_id  TEXT NOT NULL UNIQUE,"
    "  user_id      TEXT NOT NULL,"
    "  rule_id      INTEGER NOT NULL REFERENCES mm_nudge_rule_master(rule_id),"
    "  rule         TEXT NOT NULL,"
    "  as_of        TEXT NOT NULL,"
    "  title        TEXT NOT NULL,"
    "  body         TEXT NOT NULL,"
    "  category     TEXT NOT NULL,"
    "  meta_json    TEXT NOT NULL,"
    "  delivered_at TEXT NOT NULL,"
    "  UNIQUE (user_id, rule, as_of));"
    "CREATE TABLE mm_event_outbox ("
    "  event_id     INTEGER PRIMARY KEY,"
    "  delivery_id  TEXT NOT NULL REFERENCES mm_nudge_delivery_log(delivery_id),"
    "  user_id      TEXT NOT NULL,"
    "  payload      TEXT NOT NULL,"
    "  created_at   TEXT NOT NULL,"
    "  want_redis   INTEGER NOT NULL CHECK (want_redis IN (0,1)),"
    "  emitted_at   TEXT,"
    "  redis_at     TEXT,"
    "  published_at TEXT);"
    "CREATE INDEX mm_event_outbox_pending ON mm_event_outbox(event_id) WHERE published_at IS NULL;"
    "CREATE TABLE mm_event_sink ("
    "  path TEXT PRIMARY KEY,"
    "  size INTEGER NOT NULL) WITHOUT ROWID;";

static void test_migrate_v1(void)
{
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_db *db;
    T_EQ_INT(mmr_db_open(&db, "x", MMR_DB_OPEN_MEMORY, 0, &d), 0);
    T_CHECK(exec_ok(db, schema_v1));
    T_CHECK(exec_ok(db,
        "CREATE TABLE mm_signal_daily (user_id TEXT NOT NULL, as_of TEXT NOT NULL, UNIQUE (as_of, user_id));"
        "CREATE TABLE mm_user_traits (user_id TEXT PRIMARY KEY, tz TEXT);"
        "INSERT INTO mm_schema_version VALUES (1, 't');"
        "INSERT INTO mm_nudge_rule_master(name, category, priority, cooldown_days, cooldown_s, ruleset_hash, updated_at) "
        "  VALUES ('r', 'dining', 1, 0, 0, 'h', 't');"
        "INSERT INTO mm_run(as_of, now, ruleset_hash, source, status) VALUES ('2025-10-26','t','h','s','done');"
        "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, rule, as_of, title, body, category, meta_json, delivered_at) "
        "  VALUES ('d1', 'u1', 1, 'r', '2025-10-26', 'T', 'B', 'dining', '{}', 't'),"
        "         ('d2', 'u2', 1, 'r', '2025-10-26', 'T2', 'B2', 'dining', '{}', 't'),"
        "         ('d3', 'u3', 1, 'r', '2025-10-26', 'T3', 'B3', 'dining', '{}', 't');"
        "INSERT INTO mm_nudge_candidate(user_id, rule_id, rule, as_of, status, priority, delivery_id, run_id, created_at) "
        "  VALUES ('u1', 1, 'r', '2025-10-26', 'delivered', 1, 'd1', 1, 't');"
        "INSERT INTO mm_nudge_interaction_log(delivery_id, user_id, action, timestamp) VALUES ('d1', 'u1', 'viewed', 't');"
        /* 1 done; 2 emitted, waiting for Redis; 3 not emitted yet. Not in
         * user order, so the deliveries' new numbering has to follow it. */
        "INSERT INTO mm_event_outbox(delivery_id, user_id, payload, created_at, want_redis, emitted_at, redis_at, published_at) "
        "  VALUES ('d2', 'u2', '{}', 't', 1, 't', 't', 't'), ('d3', 'u3', '{}', 't', 1, 't', NULL, NULL),"
        "         ('d1', 'u1', '{}', 't', 0, NULL, NULL, NULL);"));
    T_EQ_INT(mmr_db_begin(db, &d), 0);
    T_EQ_INT(mmr_db_migrate(db, NULL, 0, NULL, 0, &d), 0);
    T_EQ_INT(mmr_db_commit(db, &d), 0);
    if (d.n) mmr_diags_print_text(stderr, &d);
    int v = -1;
    T_EQ_INT(mmr_db_version(db, &v, &d), 0);
    T_EQ_INT(v, 8);
    T_ROWS(db, "SELECT version FROM mm_schema_version ORDER BY version", "1\n2\n3\n4\n5\n6\n7\n8\n");   /* each step recorded */
    T_EQ_INT(mmr_db_check_tables(db, &d), 0);
    same_shape_as_new(db);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_nudge_delivery_log"), 3);
    /* the delivered candidate's delivery is the one of its user, rule and date */
    T_ROWS(db, "SELECT c.user_id, c.status, d.delivery_id, d.title FROM mm_nudge_candidate c "
               "JOIN mm_nudge_delivery_log d USING (as_of, user_id, rule_id)", "u1|delivered|d1|T\n");
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_nudge_candidate"), 1);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_nudge_interaction_log WHERE delivery_id = 'd1'"), 1);
    /* deliveries numbered in event order; each event is its delivery's seq */
    T_ROWS(db, "SELECT seq, delivery_id, user_id, title, body FROM mm_nudge_delivery_log ORDER BY seq",
           "1|d2|u2|T2|B2\n2|d3|u3|T3|B3\n3|d1|u1|T|B\n");
    T_ROWS(db, "SELECT o.event_id, d.delivery_id, o.want_redis FROM mm_event_outbox o "
               "JOIN mm_nudge_delivery_log d ON d.seq = o.delivery_seq ORDER BY o.event_id",
           "1|d2|1\n2|d3|1\n3|d1|0\n");
    T_EQ_INT(count(db, "SELECT last_event_id FROM mm_event_cursor WHERE sink = 'ndjson'"), 2);
    T_EQ_INT(count(db, "SELECT last_event_id FROM mm_event_cursor WHERE sink = 'redis'"), 1);
    T_EQ_INT(count(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    /* the foreign keys point at the new tables */
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_interaction_log(delivery_id, user_id, action, timestamp) VALUES ('nope', 'u', 'viewed', 't')"));
    T_CHECK(exec_ok(db, "INSERT INTO mm_nudge_interaction_log(delivery_id, user_id, action, timestamp) VALUES ('d2', 'u2', 'viewed', 't')"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_event_outbox(delivery_seq, want_redis) VALUES (9, 0)"));
    T_CHECK(!exec_ok(db, "DELETE FROM mm_nudge_delivery_log WHERE delivery_id = 'd1'"));   /* an interaction's */
    T_CHECK(!exec_ok(db, "DELETE FROM mm_nudge_delivery_log WHERE delivery_id = 'd3'"));   /* an event's */
    T_EQ_INT((int)d.errors, 0);
    mmr_db_close(db);
    mmr_diags_free(&d);
}

/* The version-2 schema (candidates and deliveries clustered on their
 * natural keys, rule names copied into them, events keyed by (user, rule,
 * date)), as mmr wrote it before version 3, with its input tables. */
static const char schema_v2[] =
    "CREATE TABLE mm_signal_daily ("
    "  user_id TEXT NOT NULL,"
    "  as_of TEXT NOT NULL,"
    "  dining_txn_7d REAL,"
    "  UNIQUE (as_of, user_id));"
    "CREATE TABLE mm_user_traits ("
    "  user_id TEXT PRIMARY KEY,"
    "  tz TEXT);"
    SCHEMA_V1_V2_COMMON
    "CREATE TABLE mm_nudge_candidate ("
    "  as_of              TEXT NOT NULL,"
    "  user_id            TEXT NOT NULL,"
    "  rule               TEXT NOT NULL,"
    "  rule_id            INTEGER NOT NULL REFERENCES mm_nudge_rule_master(rule_id) DEFERRABLE INITIALLY DEFERRED,"
    "  status             TEXT NOT NULL CHECK (status IN ('delivered','suppressed')),"
    "  suppression_reason TEXT,"
    "  priority           INTEGER NOT NULL,"
    "  delivery_id        TEXT,"
    "  run_id             INTEGER NOT NULL REFERENCES mm_run(run_id) DEFERRABLE INITIALLY DEFERRED,"
    "  created_at         TEXT NOT NULL,"
    "  CHECK ((status = 'delivered') = (suppression_reason IS NULL)),"
    "  CHECK ((status = 'delivered') = (delivery_id IS NOT NULL)),"
    "  PRIMARY KEY (as_of, user_id, rule)) WITHOUT ROWID;"
    "CREATE TABLE mm_nudge_delivery_log ("
    "  delivery_id  TEXT NOT NULL UNIQUE,"
    "  user_id      TEXT NOT NULL,"
    "  rule_id      INTEGER NOT NULL REFERENCES mm_nudge_rule_master(rule_id) DEFERRABLE INITIALLY DEFERRED,"
    "  rule         TEXT NOT NULL,"
    "  as_of        TEXT NOT NULL,"
    "  title        TEXT NOT NULL,"
    "  body         TEXT NOT NULL,"
    "  category     TEXT NOT NULL,"
    "  meta_json    TEXT NOT NULL,"
    "  delivered_at TEXT NOT NULL,"
    "  PRIMARY KEY (user_id, rule, as_of)) WITHOUT ROWID;"
    "CREATE TABLE mm_event_outbox ("
    "  event_id     INTEGER PRIMARY KEY,"
    "  user_id      TEXT NOT NULL,"
    "  rule         TEXT NOT NULL,"
    "  as_of        TEXT NOT NULL,"
    "  created_at   TEXT NOT NULL,"
    "  want_redis   INTEGER NOT NULL CHECK (want_redis IN (0,1)),"
    "  FOREIGN KEY (user_id, rule, as_of) REFERENCES mm_nudge_delivery_log(user_id, rule, as_of)"
    "    DEFERRABLE INITIALLY DEFERRED);"
    "CREATE TABLE mm_event_cursor ("
    "  sink          TEXT PRIMARY KEY CHECK (sink IN ('ndjson','redis')),"
    "  last_event_id INTEGER NOT NULL,"
    "  updated_at    TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE mm_event_sink ("
    "  path TEXT PRIMARY KEY,"
    "  size INTEGER NOT NULL) WITHOUT ROWID;";

/* Two nights of history in a version-2 database: night 1 delivered u2/b
 * then u1/a, night 2 u3/a, u1/b, u2/a (event order is not key order), with
 * two suppressed candidates, one sample delivery that has no event, an
 * interaction, and sinks part-way: NDJSON has events 1-4, Redis event 1. */
static const char history_v2[] =
    "INSERT INTO mm_schema_version VALUES (1, '2025-01-01T00:00:00Z'), (2, '2025-06-01T00:00:00Z');"
    "INSERT INTO mm_signal_daily VALUES ('u1', '2025-10-26', 4);"
    "INSERT INTO mm_user_traits VALUES ('u2', 'Asia/Dubai');"
    "INSERT INTO mm_user_suppression VALUES ('u3', 'shopping', '2025-10-01T00:00:00Z');"
    "INSERT INTO mm_nudge_rule_master(rule_id, name, category, priority, cooldown_days, cooldown_s, ruleset_hash, updated_at)"
    "  VALUES (1, 'a', 'dining', 80, 3, 259200, 'h', 't'), (2, 'b', 'budget', 50, 7, 604800, 'h', 't');"
    "INSERT INTO mm_nudge_template_master VALUES ('T', 'Hi', '{goal} waits', 'neutral', '[\"goal\"]', 'dining', 'h', 't');"
    "INSERT INTO mm_run VALUES (1, '2025-10-25', '2025-10-25T09:00:00Z', 'h', 's', 'done', 3, 2, 2, 0),"
    "  (2, '2025-10-26', '2025-10-26T09:30:00Z', 'h', 's', 'done', 3, 5, 3, 2);"
    "INSERT INTO mm_nudge_delivery_log VALUES"
    "  ('d-u2-b-25', 'u2', 2, 'b', '2025-10-25', 'Budget', 'u2 drifted ₹500', 'budget', '{\"n\":1}', '2025-10-25T09:00:00Z'),"
    "  ('d-u1-a-25', 'u1', 1, 'a', '2025-10-25', 'Takeout 🍟', 'u1 dined', 'dining', '{\"n\":2}', '2025-10-25T09:00:00Z'),"
    "  ('d-u3-a-26', 'u3', 1, 'a', '2025-10-26', 'Takeout 🍟', 'u3 dined', 'dining', '{\"n\":3}', '2025-10-26T09:30:00Z'),"
    "  ('d-u1-b-26', 'u1', 2, 'b', '2025-10-26', 'Budget', 'u1 drifted', 'budget', '{\"n\":4}', '2025-10-26T09:30:00Z'),"
    "  ('d-u2-a-26', 'u2', 1, 'a', '2025-10-26', 'Takeout 🍟', 'u2 dined', 'dining', '{\"n\":5}', '2025-10-26T09:30:00Z'),"
    "  ('d-u0-a-24', 'u0', 1, 'a', '2025-10-24', 'Sample', 'from mmr gen', 'dining', '{\"sample\":true}', '2025-10-24T10:00:00Z');"
    "INSERT INTO mm_nudge_candidate VALUES"
    "  ('2025-10-25', 'u1', 'a', 1, 'delivered', NULL, 80, 'd-u1-a-25', 1, '2025-10-25T09:00:00Z'),"
    "  ('2025-10-25', 'u2', 'b', 2, 'delivered', NULL, 50, 'd-u2-b-25', 1, '2025-10-25T09:00:00Z'),"
    "  ('2025-10-26', 'u1', 'a', 1, 'suppressed', 'cooldown', 80, NULL, 2, '2025-10-26T09:30:00Z'),"
    "  ('2025-10-26', 'u1', 'b', 2, 'delivered', NULL, 50, 'd-u1-b-26', 2, '2025-10-26T09:30:00Z'),"
    "  ('2025-10-26', 'u2', 'a', 1, 'delivered', NULL, 80, 'd-u2-a-26', 2, '2025-10-26T09:30:00Z'),"
    "  ('2025-10-26', 'u3', 'a', 1, 'delivered', NULL, 80, 'd-u3-a-26', 2, '2025-10-26T09:30:00Z'),"
    "  ('2025-10-26', 'u3', 'b', 2, 'suppressed', 'daily_cap', 50, NULL, 2, '2025-10-26T09:30:00Z');"
    "INSERT INTO mm_nudge_interaction_log VALUES (1, 'd-u1-a-25', 'u1', 'clicked', '2025-10-25T12:00:00Z');"
    "INSERT INTO mm_event_outbox VALUES"
    "  (1, 'u2', 'b', '2025-10-25', '2025-10-25T09:00:00Z', 1),"
    "  (2, 'u1', 'a', '2025-10-25', '2025-10-25T09:00:00Z', 0),"
    "  (3, 'u3', 'a', '2025-10-26', '2025-10-26T09:30:00Z', 1),"
    "  (4, 'u1', 'b', '2025-10-26', '2025-10-26T09:30:00Z', 1),"
    "  (5, 'u2', 'a', '2025-10-26', '2025-10-26T09:30:00Z', 1);"
    "INSERT INTO mm_event_cursor VALUES ('ndjson', 4, '2025-10-26T09:30:01Z'), ('redis', 1, '2025-10-25T09:00:01Z');"
    "INSERT INTO mm_event_sink VALUES ('/var/mmr/events.ndjson', 1234);";

/* Tables the migration copies as they are: the same query before and after. */
#define UNCHANGED_TABLES \
    "SELECT * FROM mm_nudge_interaction_log ORDER BY interaction_id", \
    "SELECT * FROM mm_event_cursor ORDER BY sink", \
    "SELECT * FROM mm_event_sink", \
    "SELECT * FROM mm_run ORDER BY run_id", \
    "SELECT * FROM mm_nudge_rule_master ORDER BY rule_id", \
    "SELECT * FROM mm_nudge_template_master", \
    "SELECT * FROM mm_user_suppression", \
    "SELECT * FROM mm_signal_daily", \
    "SELECT * FROM mm_user_traits"

/* What the history says, in words both schemas can answer: before the
 * migration from the version-2 columns, after it through the joins that
 * replace them. Each pair must give the same rows. */
static const char *const history_before[] = {
    /* every event as it is published: id, sinks, created_at, delivery, rule name, text */
    "SELECT o.event_id, o.want_redis, o.created_at, d.delivery_id, d.user_id, o.rule, d.title, d.body, d.category "
    "FROM mm_event_outbox o JOIN mm_nudge_delivery_log d USING (user_id, rule, as_of) ORDER BY o.event_id",
    /* every delivery, in full */
    "SELECT delivery_id, user_id, rule_id, rule, as_of, title, body, category, meta_json, delivered_at "
    "FROM mm_nudge_delivery_log ORDER BY delivery_id",
    /* every candidate, its rule's name, its time and its delivery */
    "SELECT as_of, user_id, rule_id, rule, status, coalesce(suppression_reason, '-'), priority, run_id, created_at, "
    "coalesce(delivery_id, '-') FROM mm_nudge_candidate ORDER BY as_of, user_id, rule_id",
    UNCHANGED_TABLES
};
static const char *const history_after[] = {
    "SELECT o.event_id, o.want_redis, d.delivered_at, d.delivery_id, d.user_id, r.name, d.title, d.body, d.category "
    "FROM mm_event_outbox o JOIN mm_nudge_delivery_log d ON d.seq = o.delivery_seq "
    "JOIN mm_nudge_rule_master r USING (rule_id) ORDER BY o.event_id",
    "SELECT d.delivery_id, d.user_id, d.rule_id, r.name, d.as_of, d.title, d.body, d.category, d.meta_json, d.delivered_at "
    "FROM mm_nudge_delivery_log d JOIN mm_nudge_rule_master r USING (rule_id) ORDER BY d.delivery_id",
    "SELECT c.as_of, c.user_id, c.rule_id, r.name, c.status, coalesce(c.suppression_reason, '-'), c.priority, c.run_id, m.now, "
    "coalesce(d.delivery_id, '-') FROM mm_nudge_candidate c JOIN mm_nudge_rule_master r USING (rule_id) "
    "JOIN mm_run m USING (run_id) LEFT JOIN mm_nudge_delivery_log d USING (as_of, user_id, rule_id) "
    "ORDER BY c.as_of, c.user_id, c.rule_id",
    UNCHANGED_TABLES
};

static void test_migrate_v2(void)
{
    enum { NQ = sizeof history_before / sizeof history_before[0] };
    _Static_assert(sizeof history_after / sizeof history_after[0] == NQ, "one after query per before query");
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_db *db;
    T_EQ_INT(mmr_db_open(&db, "x", MMR_DB_OPEN_MEMORY, 0, &d), 0);
    T_CHECK(exec_ok(db, schema_v2));
    T_CHECK(exec_ok(db, history_v2));
    T_EQ_INT(count(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);   /* a consistent fixture */
    char *before[NQ];
    for (size_t i = 0; i < NQ; i++) {
        before[i] = rows(db, history_before[i]);
        T_CHECK(before[i] && strchr(before[i], '\n'));   /* each answers something */
    }
    T_EQ_INT(mmr_db_begin(db, &d), 0);
    T_EQ_INT(mmr_db_migrate(db, NULL, 0, NULL, 0, &d), 0);
    T_EQ_INT(mmr_db_commit(db, &d), 0);
    if (d.n) mmr_diags_print_text(stderr, &d);
    int v = -1;
    T_EQ_INT(mmr_db_version(db, &v, &d), 0);
    T_EQ_INT(v, 8);
    T_ROWS(db, "SELECT version FROM mm_schema_version ORDER BY version", "1\n2\n3\n4\n5\n6\n7\n8\n");
    T_EQ_INT(mmr_db_check_tables(db, &d), 0);
    same_shape_as_new(db);
    /* same row counts, same events, deliveries, candidates, cursors... */
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_nudge_candidate"), 7);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_nudge_delivery_log"), 6);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_event_outbox"), 5);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_nudge_interaction_log"), 1);
    for (size_t i = 0; i < NQ; i++) {
        char *after = rows(db, history_after[i]);
        if (!before[i] || !after || strcmp(before[i], after))
            fprintf(stderr, "history query %zu differs after the migration\n", i);
        T_EQ_STR(after, before[i]);
        free(after);
        free(before[i]);
    }
    /* the event ids are kept and each points at its delivery by seq; the
     * deliveries are numbered in event order, the one without an event
     * last, so the log's order is the order things happened */
    T_ROWS(db, "SELECT o.event_id, o.delivery_seq, d.user_id, d.rule_id, d.as_of FROM mm_event_outbox o "
               "JOIN mm_nudge_delivery_log d ON d.seq = o.delivery_seq ORDER BY o.event_id",
           "1|1|u2|2|2025-10-25\n2|2|u1|1|2025-10-25\n3|3|u3|1|2025-10-26\n4|4|u1|2|2025-10-26\n5|5|u2|1|2025-10-26\n");
    T_ROWS(db, "SELECT seq, delivery_id FROM mm_nudge_delivery_log ORDER BY seq",
           "1|d-u2-b-25\n2|d-u1-a-25\n3|d-u3-a-26\n4|d-u1-b-26\n5|d-u2-a-26\n6|d-u0-a-24\n");
    /* the sinks resume where they were: NDJSON after event 4, Redis after 1 */
    T_ROWS(db, "SELECT sink, last_event_id FROM mm_event_cursor ORDER BY sink", "ndjson|4\nredis|1\n");
    T_EQ_INT(count(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    /* the references hold on the new tables */
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_interaction_log(delivery_id, user_id, action, timestamp) "
                         "VALUES ('nope', 'u1', 'viewed', 't')"));
    T_CHECK(exec_ok(db, "INSERT INTO mm_nudge_interaction_log(delivery_id, user_id, action, timestamp) "
                        "VALUES ('d-u2-a-26', 'u2', 'viewed', 't')"));
    T_CHECK(!exec_ok(db, "DELETE FROM mm_nudge_delivery_log WHERE delivery_id = 'd-u1-a-25'"));   /* an interaction's */
    T_CHECK(!exec_ok(db, "DELETE FROM mm_nudge_delivery_log WHERE delivery_id = 'd-u3-a-26'"));   /* an event's */
    T_CHECK(!exec_ok(db, "INSERT INTO mm_event_outbox(delivery_seq, want_redis) VALUES (99, 0)"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_candidate(as_of, user_id, rule_id, status, priority, run_id) "
                         "VALUES ('2025-10-26', 'u1', 2, 'delivered', 50, 2)"));                      /* AC-MM-2 */
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json, delivered_at) "
                         "VALUES ('d-u1-b-26', 'u1', 2, '2025-10-27', 'T', 'B', 'budget', '{}', 't')"));  /* same id */
    /* the next delivery is numbered after the migrated ones */
    T_CHECK(exec_ok(db, "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json, delivered_at) "
                        "VALUES ('d-u1-b-27', 'u1', 2, '2025-10-27', 'T', 'B', 'budget', '{}', 't')"));
    T_EQ_INT(count(db, "SELECT seq FROM mm_nudge_delivery_log WHERE delivery_id = 'd-u1-b-27'"), 7);
    /* migrating again changes nothing */
    T_EQ_INT(mmr_db_migrate(db, NULL, 0, NULL, 0, &d), 0);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_schema_version"), 8);
    T_EQ_INT((int)d.errors, 0);
    mmr_db_close(db);
    mmr_diags_free(&d);
}

/* The tables of version 4: transactions, signal tiles, budgets, goals,
 * with their keys and constraints. */
static void check_v4_tables(mmr_db *db)
{
    T_ROWS(db, "SELECT group_concat(name, ',') FROM pragma_table_info('mm_transaction')",
           "txn_id,user_id,ts,ts_text,amount,type,category,merchant,recurring\n");
    T_ROWS(db, "SELECT name FROM pragma_index_info('mm_transaction_user_ts') ORDER BY seqno", "user_id\nts\n");
    T_ROWS(db, "SELECT name, pk FROM pragma_table_info('mm_signal_tile') WHERE pk > 0 ORDER BY pk",
           "spec|1\nweek|2\nuser_id|3\n");
    T_CHECK(!exec_ok(db, "SELECT rowid FROM mm_signal_tile"));
    T_ROWS(db, "SELECT name, pk FROM pragma_table_info('mm_budget') WHERE pk > 0 ORDER BY pk", "user_id|1\ncategory|2\n");
    T_ROWS(db, "SELECT name, pk FROM pragma_table_info('mm_goal') WHERE pk > 0 ORDER BY pk", "user_id|1\ngoal_id|2\n");
    T_CHECK(exec_ok(db, "INSERT INTO mm_transaction(txn_id, user_id, ts, ts_text, amount, type, category) "
                        "VALUES ('t1', 'u1', 1760949180, '2025-10-20T14:03:00+05:30', 260, 'expense', 'Food')"));
    T_ROWS(db, "SELECT merchant IS NULL, recurring FROM mm_transaction", "1|0\n");
    T_CHECK(!exec_ok(db, "INSERT INTO mm_transaction(txn_id, user_id, ts, ts_text, amount, type, category) "
                         "VALUES ('t1', 'u1', 1, 't', 1, 'expense', 'c')"));                 /* same txn_id */
    T_CHECK(!exec_ok(db, "INSERT INTO mm_transaction(txn_id, user_id, ts, ts_text, amount, type, category) "
                         "VALUES (NULL, 'u1', 1, 't', 1, 'expense', 'c')"));                 /* an id is required */
    T_CHECK(!exec_ok(db, "INSERT INTO mm_transaction(txn_id, user_id, ts, ts_text, amount, type, category) "
                         "VALUES ('t2', 'u1', 1, 't', 0, 'expense', 'c')"));                 /* amount > 0 */
    T_CHECK(!exec_ok(db, "INSERT INTO mm_transaction(txn_id, user_id, ts, ts_text, amount, type, category) "
                         "VALUES ('t2', 'u1', 1, 't', 1, 'refund', 'c')"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_transaction(txn_id, user_id, ts, ts_text, amount, type, category, recurring) "
                         "VALUES ('t2', 'u1', 1, 't', 1, 'income', 'c', 2)"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_transaction(txn_id, user_id, ts, amount, type, category) "
                         "VALUES ('t2', 'u1', 1, 1, 'income', 'c')"));                       /* ts_text NOT NULL */
    T_CHECK(exec_ok(db, "INSERT INTO mm_signal_tile(user_id, spec, week, data) VALUES ('u1', 7, 20377, x'00')"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_signal_tile(user_id, spec, week, data) VALUES ('u1', 7, 20377, x'01')"));
    T_CHECK(exec_ok(db, "INSERT INTO mm_signal_tile(user_id, spec, week, data) VALUES ('u1', 8, 20377, x'01')"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_signal_tile(user_id, spec, week, data) VALUES ('u1', 7, 20384, NULL)"));
    T_CHECK(exec_ok(db, "INSERT INTO mm_budget(user_id, category, limit_amount) VALUES ('u1', 'Food', 5000)"));
    T_ROWS(db, "SELECT period FROM mm_budget", "month\n");
    T_CHECK(!exec_ok(db, "INSERT INTO mm_budget(user_id, category, limit_amount) VALUES ('u1', 'Food', 10)"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_budget(user_id, category, limit_amount) VALUES ('u1', 'Fuel', 0)"));
    T_CHECK(exec_ok(db, "INSERT INTO mm_goal(user_id, goal_id, name, target) VALUES ('u1', 'g1', 'Goa Trip', 50000)"));
    T_ROWS(db, "SELECT saved, deadline IS NULL, priority FROM mm_goal", "0.0|1|0\n");
    T_CHECK(!exec_ok(db, "INSERT INTO mm_goal(user_id, goal_id, name, target) VALUES ('u1', 'g1', 'Car', 1)"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_goal(user_id, goal_id, target) VALUES ('u1', 'g2', 1)"));
    T_CHECK(exec_ok(db, "DELETE FROM mm_transaction; DELETE FROM mm_signal_tile; DELETE FROM mm_budget; DELETE FROM mm_goal"));
}

/* A new database's tables as version 7 had them (before rule_key): the
 * candidates and deferrals rebuilt without it, the delivery log without
 * the column and with its old index. The version is set to 7. */
static const char to_v7[] =
    "DROP INDEX mm_nudge_delivery_user;"
    "ALTER TABLE mm_nudge_delivery_log DROP COLUMN rule_key;"
    "CREATE INDEX mm_nudge_delivery_user ON mm_nudge_delivery_log(user_id, delivered_at, rule_id);"
    "DROP TABLE mm_nudge_candidate;"
    "CREATE TABLE mm_nudge_candidate ("
    "  as_of TEXT NOT NULL, user_id TEXT NOT NULL,"
    "  rule_id INTEGER NOT NULL REFERENCES mm_nudge_rule_master(rule_id) DEFERRABLE INITIALLY DEFERRED,"
    "  status TEXT NOT NULL CHECK (status IN ('delivered','suppressed','deferred')),"
    "  suppression_reason TEXT, priority INTEGER NOT NULL,"
    "  run_id INTEGER NOT NULL REFERENCES mm_run(run_id) DEFERRABLE INITIALLY DEFERRED,"
    "  CHECK ((status = 'suppressed') = (suppression_reason IS NOT NULL)),"
    "  PRIMARY KEY (as_of, user_id, rule_id)) WITHOUT ROWID;"
    "DROP TABLE mm_nudge_deferred;"
    "CREATE TABLE mm_nudge_deferred ("
    "  as_of TEXT NOT NULL, user_id TEXT NOT NULL,"
    "  rule_id INTEGER NOT NULL REFERENCES mm_nudge_rule_master(rule_id) DEFERRABLE INITIALLY DEFERRED,"
    "  deliver_at TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, category TEXT NOT NULL,"
    "  meta_json TEXT NOT NULL, cap_max INTEGER, cap_window_s INTEGER,"
    "  PRIMARY KEY (as_of, user_id, rule_id)) WITHOUT ROWID;"
    "CREATE INDEX mm_nudge_deferred_due ON mm_nudge_deferred(deliver_at);"
    "UPDATE mm_schema_version SET version = 7;";

/* A version-7 database with history: 7 -> 8 adds rule_key ('' for every
 * row made before) to candidates, deferrals and deliveries, keys the
 * candidates and deferrals by it, and keeps every row, id and event. */
static void test_migrate_v7(void)
{
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_db *db;
    T_EQ_INT(mmr_db_open(&db, "x", MMR_DB_OPEN_MEMORY, 0, &d), 0);
    T_EQ_INT(mmr_db_begin(db, &d), 0);
    T_EQ_INT(mmr_db_migrate(db, NULL, 0, NULL, 0, &d), 0);
    T_EQ_INT(mmr_db_commit(db, &d), 0);
    T_CHECK(exec_ok(db, to_v7));
    T_CHECK(exec_ok(db,
        "INSERT INTO mm_nudge_rule_master(name, category, priority, cooldown_days, cooldown_s, ruleset_hash, updated_at) "
        "  VALUES ('a', 'dining', 10, 1, 86400, 'h', 't'), ('b', 'budget', 20, 0, 0, 'h', 't');"
        "INSERT INTO mm_run(as_of, now, ruleset_hash, source, status) VALUES ('2025-10-26','2025-10-26T09:00:00Z','h','s','done');"
        "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json, delivered_at) "
        "  VALUES ('d1', 'u1', 1, '2025-10-26', 'T1', 'B1', 'dining', '{\"as_of\":\"2025-10-26\"}', '2025-10-26T09:00:00Z'),"
        "         ('d2', 'u2', 2, '2025-10-26', 'T2', 'B2', 'budget', '{}', '2025-10-26T09:00:00Z');"
        "INSERT INTO mm_nudge_candidate VALUES ('2025-10-26', 'u1', 1, 'delivered', NULL, 10, 1),"
        "  ('2025-10-26', 'u1', 2, 'suppressed', 'daily_cap', 20, 1), ('2025-10-26', 'u2', 2, 'delivered', NULL, 20, 1),"
        "  ('2025-10-26', 'u3', 1, 'deferred', NULL, 10, 1);"
        "INSERT INTO mm_nudge_deferred VALUES ('2025-10-26', 'u3', 1, '2025-10-27T02:30:00Z', 'T3', 'B3', 'dining', '{}', 1, 86400);"
        "INSERT INTO mm_event_outbox(delivery_seq, want_redis) VALUES (1, 0), (2, 1);"
        "INSERT INTO mm_nudge_interaction_log(delivery_id, user_id, action, timestamp) VALUES ('d1', 'u1', 'viewed', 't');"));
    int v = -1;
    T_EQ_INT(mmr_db_version(db, &v, &d), 0);
    T_EQ_INT(v, 7);
    static const char *const qs[] = {
        "SELECT as_of, user_id, rule_id, status, suppression_reason, priority, run_id FROM mm_nudge_candidate "
        "ORDER BY as_of, user_id, rule_id",
        "SELECT seq, delivery_id, user_id, rule_id, as_of, title, body, category, meta_json, delivered_at "
        "FROM mm_nudge_delivery_log ORDER BY seq",
        "SELECT as_of, user_id, rule_id, deliver_at, title, body, category, meta_json, cap_max, cap_window_s "
        "FROM mm_nudge_deferred",
        "SELECT * FROM mm_event_outbox ORDER BY event_id",
        "SELECT * FROM mm_nudge_interaction_log",
    };
    enum { NQ = sizeof qs / sizeof qs[0] };
    char *before[NQ];
    for (size_t i = 0; i < NQ; i++) before[i] = rows(db, qs[i]);
    /* the steps run in the caller's transaction: rolled back, nothing changed */
    T_EQ_INT(mmr_db_begin(db, &d), 0);
    T_EQ_INT(mmr_db_migrate(db, NULL, 0, NULL, 0, &d), 0);
    mmr_db_rollback(db);
    T_EQ_INT(mmr_db_version(db, &v, &d), 0);
    T_EQ_INT(v, 7);
    T_EQ_INT(count(db, "SELECT count(*) FROM pragma_table_info('mm_nudge_candidate') WHERE name = 'rule_key'"), 0);
    T_EQ_INT(mmr_db_begin(db, &d), 0);
    T_EQ_INT(mmr_db_migrate(db, NULL, 0, NULL, 0, &d), 0);
    T_EQ_INT(mmr_db_commit(db, &d), 0);
    if (d.n) mmr_diags_print_text(stderr, &d);
    T_EQ_INT(mmr_db_version(db, &v, &d), 0);
    T_EQ_INT(v, 8);
    T_ROWS(db, "SELECT version FROM mm_schema_version ORDER BY version", "7\n8\n");
    T_EQ_INT(mmr_db_check_tables(db, &d), 0);
    same_shape_as_new(db);
    for (size_t i = 0; i < NQ; i++) {
        char *after = rows(db, qs[i]);
        T_CHECK(before[i] && strchr(before[i], '\n'));
        T_EQ_STR(after, before[i]);
        free(after);
        free(before[i]);
    }
    /* every row made before is keyless */
    T_ROWS(db, "SELECT (SELECT group_concat(quote(rule_key)) FROM mm_nudge_candidate),"
               " (SELECT group_concat(quote(rule_key)) FROM mm_nudge_delivery_log),"
               " (SELECT group_concat(quote(rule_key)) FROM mm_nudge_deferred)",
           "'','','',''|'',''|''\n");
    T_EQ_INT(count(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    /* a per-key rule's candidates: one per (as_of, user, rule, key) */
    T_CHECK(exec_ok(db, "INSERT INTO mm_run(as_of, now, ruleset_hash, source, status) VALUES ('2025-10-27','t','h','s','done')"));
    T_CHECK(exec_ok(db, "INSERT INTO mm_nudge_candidate(as_of, user_id, rule_id, rule_key, status, priority, run_id) "
                        "VALUES ('2025-10-27', 'u1', 1, 'Food', 'delivered', 10, 2), ('2025-10-27', 'u1', 1, 'Travel', 'deferred', 10, 2),"
                        " ('2025-10-27', 'u1', 1, '', 'deferred', 10, 2)"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_candidate(as_of, user_id, rule_id, rule_key, status, priority, run_id) "
                         "VALUES ('2025-10-27', 'u1', 1, 'Food', 'deferred', 10, 2)"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_candidate(as_of, user_id, rule_id, rule_key, status, priority, run_id) "
                         "VALUES ('2025-10-27', 'u1', 1, NULL, 'deferred', 10, 2)"));           /* NOT NULL */
    T_CHECK(exec_ok(db, "INSERT INTO mm_nudge_deferred(as_of, user_id, rule_id, rule_key, deliver_at, title, body, category, meta_json) "
                        "VALUES ('2025-10-27', 'u1', 1, 'Travel', 't', 'T', 'B', 'c', '{}'), ('2025-10-27', 'u1', 1, '', 't', 'T', 'B', 'c', '{}')"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_deferred(as_of, user_id, rule_id, rule_key, deliver_at, title, body, category, meta_json) "
                         "VALUES ('2025-10-27', 'u1', 1, 'Travel', 't', 'T', 'B', 'c', '{}')"));
    /* the history a run reads (rule and key per delivery) stays inside the index */
    char *plan = rows(db, "EXPLAIN QUERY PLAN SELECT rule_id, delivered_at, rule_key FROM mm_nudge_delivery_log "
                          "WHERE user_id = 'u1' AND delivered_at > 't'");
    T_CHECK(plan && strstr(plan, "USING COVERING INDEX mm_nudge_delivery_user"));
    free(plan);
    /* migrating again changes nothing */
    T_EQ_INT(mmr_db_migrate(db, NULL, 0, NULL, 0, &d), 0);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_schema_version"), 2);
    T_EQ_INT((int)d.errors, 0);
    mmr_db_close(db);
    mmr_diags_free(&d);
}

/* A version-3 database: version 4 only added tables, so it is a new
 * database without them, with some history. 3 -> 4 adds them and changes
 * nothing else. */
static void test_migrate_v3(void)
{
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_db *db;
    T_EQ_INT(mmr_db_open(&db, "x", MMR_DB_OPEN_MEMORY, 0, &d), 0);
    T_EQ_INT(mmr_db_begin(db, &d), 0);
    T_EQ_INT(mmr_db_migrate(db, NULL, 0, NULL, 0, &d), 0);
    T_EQ_INT(mmr_db_commit(db, &d), 0);
    T_CHECK(exec_ok(db, to_v7));
    T_CHECK(exec_ok(db,
        "DROP TABLE mm_transaction; DROP TABLE mm_signal_tile; DROP TABLE mm_budget; DROP TABLE mm_goal;"
        "DROP TABLE mm_lease; DROP TABLE mm_nudge_deferred;"
        "UPDATE mm_schema_version SET version = 3, applied_at = '2025-06-01T00:00:00Z';"
        "INSERT INTO mm_user_suppression VALUES ('u3', 'shopping', '2025-10-01T00:00:00Z');"
        "INSERT INTO mm_nudge_rule_master(name, category, priority, cooldown_days, cooldown_s, ruleset_hash, updated_at) "
        "  VALUES ('r', 'dining', 1, 0, 0, 'h', 't');"
        "INSERT INTO mm_run(as_of, now, ruleset_hash, source, status) VALUES ('2025-10-26','t','h','s','done');"
        "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json, delivered_at) "
        "  VALUES ('d1', 'u1', 1, '2025-10-26', 'T', 'B', 'dining', '{}', 't');"
        "INSERT INTO mm_nudge_candidate VALUES ('2025-10-26', 'u1', 1, 'delivered', NULL, 1, 1);"
        "INSERT INTO mm_event_outbox(delivery_seq, want_redis) VALUES (1, 1);"));
    int v = -1;
    T_EQ_INT(mmr_db_version(db, &v, &d), 0);
    T_EQ_INT(v, 3);
    T_EQ_INT(mmr_db_check_tables(db, &d), -1);           /* the new tables are missing */
    T_EQ_INT((int)d.errors, 6);
    mmr_diags_free(&d);
    mmr_diags_init(&d);
    static const char *const q =
        "SELECT (SELECT group_concat(name || ':' || sql, ';') FROM (SELECT name, sql FROM sqlite_master "
        "  WHERE name NOT LIKE 'mm_transaction%' AND name NOT LIKE 'mm_nudge_deferred%' AND name NOT IN ('mm_signal_tile','mm_budget','mm_goal','mm_lease')"
        "  AND name NOT IN ('mm_nudge_candidate', 'mm_nudge_delivery_log', 'mm_nudge_delivery_user') ORDER BY name)),"   /* 8 changes them */
        " (SELECT group_concat(delivery_id) FROM mm_nudge_delivery_log), (SELECT count(*) FROM mm_event_outbox),"
        " (SELECT count(*) FROM mm_nudge_candidate), (SELECT count(*) FROM mm_user_suppression)";
    char *before = rows(db, q);
    T_EQ_INT(mmr_db_begin(db, &d), 0);
    T_EQ_INT(mmr_db_migrate(db, NULL, 0, NULL, 0, &d), 0);
    T_EQ_INT(mmr_db_commit(db, &d), 0);
    if (d.n) mmr_diags_print_text(stderr, &d);
    T_EQ_INT(mmr_db_version(db, &v, &d), 0);
    T_EQ_INT(v, 8);
    T_ROWS(db, "SELECT version FROM mm_schema_version ORDER BY version", "3\n4\n5\n6\n7\n8\n");
    T_EQ_INT(mmr_db_check_tables(db, &d), 0);
    same_shape_as_new(db);
    /* everything else is as it was */
    char *after = rows(db, q);
    T_EQ_STR(after, before);
    free(before);
    free(after);
    check_v4_tables(db);
    T_EQ_INT(count(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    /* migrating again changes nothing */
    T_EQ_INT(mmr_db_migrate(db, NULL, 0, NULL, 0, &d), 0);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_schema_version"), 6);
    T_EQ_INT((int)d.errors, 0);
    mmr_db_close(db);
    mmr_diags_free(&d);
}

static void test_payload(void)
{
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_event_payload(&b, "id", "u\"1", "r", "Ti\ntle", "₹5", "dining", "2025-10-26T09:00:00Z");
    T_EQ_STR(b.data, "{\"type\":\"nudge\",\"delivery_id\":\"id\",\"user_id\":\"u\\\"1\",\"rule\":\"r\","
                     "\"title\":\"Ti\\ntle\",\"body\":\"₹5\",\"category\":\"dining\",\"created_at\":\"2025-10-26T09:00:00Z\"}");
    mmr_buf_free(&b);
}

static const char rules_src[] =
    "import \"std/moneymoments\"\n"
    "template T { title \"Hi\" body \"{goal} waits\" }\n"
    "rule a { category dining priority 10 cooldown 1d when dining_txn_7d >= 3 message T with { goal = top_goal_name } }\n"
    "rule b { category budget priority 20 when budget_variance > 0.1 message T with { goal = \"Budget\" } }\n";

static void test_run(void)
{
    char dir[] = "/tmp/mmr-test-db-XXXXXX";
    if (!mkdtemp(dir)) { T_CHECK(0); return; }
    char dbp[256], sig[256], evp[256];
    snprintf(dbp, sizeof dbp, "%s/s.db", dir);
    snprintf(sig, sizeof sig, "%s/s.ndjson", dir);
    snprintf(evp, sizeof evp, "%s/ev.ndjson", dir);
    FILE *f = fopen(sig, "w");
    fputs("{\"user_id\":\"u1\",\"as_of\":\"2025-10-26\",\"signals\":{\"dining_txn_7d\":4,\"budget_variance\":0.2,\"top_goal_name\":\"Car\"}}\n"
          "{\"user_id\":\"u2\",\"as_of\":\"2025-10-26\",\"signals\":{\"dining_txn_7d\":4}}\n"
          "{\"user_id\":\"u3\",\"as_of\":\"2025-10-26\",\"signals\":{\"dining_txn_7d\":1}}\n", f);
    fclose(f);
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_unit *u = mmr_unit_load_source("t.mmr", rules_src, sizeof rules_src - 1, &d);
    T_CHECK(u != NULL);
    T_EQ_INT(mmr_check(u, &d), 0);
    if (d.errors) mmr_diags_print_text(stderr, &d);
    mmr_program *p = mmr_codegen(u, &d);
    T_CHECK(p != NULL);
    if (!p) { mmr_diags_print_text(stderr, &d); mmr_unit_free(u); mmr_diags_free(&d); return; }
    mmr_run_opts o = {0};
    o.prog = p; o.db_path = dbp; o.signals_path = sig; o.events_path = evp;
    mmr_time_parse("2025-10-26T09:00:00Z", 20, &o.now, NULL);
    mmr_run_stats st;
    T_EQ_INT(mmr_run(&o, &st, &d), 0);
    T_EQ_INT((int)d.errors, 0);
    T_EQ_STR(st.as_of, "2025-10-26");
    T_EQ_INT((int)st.users, 3);
    T_EQ_INT((int)st.candidates, 3);      /* u1: b, a; u2: a */
    T_EQ_INT((int)st.delivered, 1);       /* u1 b; u2's {goal} is missing */
    T_EQ_INT((int)st.by_reason[MMR_REASON_DAILY_CAP], 1);
    T_EQ_INT((int)st.by_reason[MMR_REASON_TEMPLATE_VALUE_MISSING], 1);
    T_EQ_INT((int)st.events_emitted, 1);
    T_EQ_INT((int)st.events_pending, 0);
    /* rerun: nothing new, nothing emitted again */
    mmr_time_parse("2025-10-26T12:00:00Z", 20, &o.now, NULL);
    T_EQ_INT(mmr_run(&o, &st, &d), 0);
    T_EQ_INT((int)st.candidates, 0);
    T_EQ_INT((int)st.existing, 3);
    T_EQ_INT((int)st.events_emitted, 0);
    /* a dry run computes and writes nothing */
    o.dry_run = 1;
    o.events_out = fopen("/dev/null", "w");
    o.as_of = "2025-10-27";
    T_EQ_INT(mmr_run(&o, &st, &d), -1);  /* the file says 2025-10-26 */
    T_CHECK(d.errors >= 1 && strstr(d.v[d.n - 1].message, "differs from the run's snapshot date") != NULL);
    fclose(o.events_out);
    mmr_db *db;
    mmr_diags_free(&d);
    mmr_diags_init(&d);
    T_EQ_INT(mmr_db_open(&db, dbp, MMR_DB_OPEN_RO, 0, &d), 0);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_nudge_candidate"), 3);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_nudge_candidate WHERE suppression_reason = 'template_value_missing' AND user_id = 'u2'"), 1);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_nudge_delivery_log d JOIN mm_nudge_rule_master r USING (rule_id) "
                       "WHERE d.user_id = 'u1' AND r.name = 'b' AND d.body = 'Budget waits'"), 1);
    /* the candidates' time is their run's: the first run decided all three */
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_nudge_candidate c JOIN mm_run m USING (run_id) "
                       "WHERE m.now = '2025-10-26T09:00:00Z'"), 3);
    /* the event is the delivery's, delivered at that time */
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_event_outbox o JOIN mm_nudge_delivery_log d ON d.seq = o.delivery_seq "
                       "WHERE d.user_id = 'u1' AND d.delivered_at = '2025-10-26T09:00:00Z'"), 1);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_event_outbox"), 1);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_event_cursor WHERE last_event_id = 1 AND updated_at = '2025-10-26T09:00:00Z'"), 2);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_run"), 2);
    mmr_db_close(db);
    mmr_diags_free(&d);
    mmr_program_free(p);
    mmr_unit_free(u);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    T_EQ_INT(system(cmd), 0);
}

int main(void)
{
    test_schema();
    test_migrate_v1();
    test_migrate_v2();
    test_migrate_v3();
    test_migrate_v7();
    test_payload();
    test_run();
    return T_DONE("db");
}
