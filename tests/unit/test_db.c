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
    /* constraints: status, reason/status agreement, actions, foreign keys, uniqueness */
    T_CHECK(exec_ok(db, "INSERT INTO mm_nudge_rule_master(name, category, priority, cooldown_days, cooldown_s, ruleset_hash, updated_at) "
                        "VALUES ('r', 'dining', 1, 0, 0, 'h', 't')"));
    T_CHECK(exec_ok(db, "INSERT INTO mm_run(as_of, now, ruleset_hash, source, status) VALUES ('2025-10-26','t','h','s','done')"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_candidate(user_id, rule_id, rule, as_of, status, priority, run_id, created_at) "
                         "VALUES ('u', 1, 'r', '2025-10-26', 'maybe', 1, 1, 't')"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_candidate(user_id, rule_id, rule, as_of, status, suppression_reason, priority, run_id, created_at) "
                         "VALUES ('u', 1, 'r', '2025-10-26', 'delivered', 'muted', 1, 1, 't')"));
    T_CHECK(exec_ok(db, "INSERT INTO mm_nudge_candidate(user_id, rule_id, rule, as_of, status, suppression_reason, priority, run_id, created_at) "
                        "VALUES ('u', 1, 'r', '2025-10-26', 'suppressed', 'muted', 1, 1, 't')"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_candidate(user_id, rule_id, rule, as_of, status, suppression_reason, priority, run_id, created_at) "
                         "VALUES ('u', 1, 'r', '2025-10-26', 'suppressed', 'cooldown', 1, 1, 't')"));   /* AC-MM-2 */
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_candidate(user_id, rule_id, rule, as_of, status, suppression_reason, priority, run_id, created_at) "
                         "VALUES ('u', 7, 'r7', '2025-10-26', 'suppressed', 'muted', 1, 1, 't')"));     /* no rule 7 */
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_interaction_log(delivery_id, user_id, action, timestamp) VALUES ('nope', 'u', 'viewed', 't')"));
    T_CHECK(exec_ok(db, "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, rule, as_of, title, body, category, meta_json, delivered_at) "
                        "VALUES ('d1', 'u', 1, 'r', '2025-10-26', 'T', 'B', 'dining', '{}', 't')"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, rule, as_of, title, body, category, meta_json, delivered_at) "
                         "VALUES ('d2', 'u', 1, 'r', '2025-10-26', 'T', 'B', 'dining', '{}', 't')"));   /* same user, rule, date */
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_interaction_log(delivery_id, user_id, action, timestamp) VALUES ('d1', 'u', 'liked', 't')"));
    T_CHECK(exec_ok(db, "INSERT INTO mm_nudge_interaction_log(delivery_id, user_id, action, timestamp) VALUES ('d1', 'u', 'clicked', 't')"));
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

/* The version-1 schema (mmr before the outbox cursors), to test the
 * migration to version 2. */
static const char schema_v1[] =
    "CREATE TABLE mm_schema_version ("
    "  version    INTEGER PRIMARY KEY,"
    "  applied_at TEXT NOT NULL);"
    "CREATE TABLE mm_user_suppression ("
    "  user_id  TEXT NOT NULL,"
    "  category TEXT NOT NULL,"
    "  muted_at TEXT NOT NULL,"
    "  PRIMARY KEY (user_id, category)) WITHOUT ROWID;"
    "CREATE TABLE mm_nudge_rule_master ("
    "  rule_id             INTEGER PRIMARY KEY,"
    "  name                TEXT NOT NULL UNIQUE,"
    "  description         TEXT,"
    "  category            TEXT NOT NULL,"
    "  priority            INTEGER NOT NULL,"
    "  cooldown_days       REAL NOT NULL,"
    "  cooldown_s          INTEGER NOT NULL,"
    "  expression_json     TEXT,"
    "  traits_filter_json  TEXT,"
    "  message_template_id TEXT,"
    "  source              TEXT,"
    "  ruleset_hash        TEXT NOT NULL,"
    "  updated_at          TEXT NOT NULL);"
    "CREATE TABLE mm_nudge_template_master ("
    "  template_id    TEXT PRIMARY KEY,"
    "  title          TEXT NOT NULL,"
    "  body           TEXT NOT NULL,"
    "  tone           TEXT,"
    "  variables_json TEXT NOT NULL,"
    "  category       TEXT,"
    "  ruleset_hash   TEXT NOT NULL,"
    "  updated_at     TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE mm_run ("
    "  run_id       INTEGER PRIMARY KEY,"
    "  as_of        TEXT NOT NULL,"
    "  now          TEXT NOT NULL,"
    "  ruleset_hash TEXT NOT NULL,"
    "  source       TEXT NOT NULL,"
    "  status       TEXT NOT NULL CHECK (status IN ('running','done')),"
    "  users        INTEGER NOT NULL DEFAULT 0,"
    "  candidates   INTEGER NOT NULL DEFAULT 0,"
    "  delivered    INTEGER NOT NULL DEFAULT 0,"
    "  suppressed   INTEGER NOT NULL DEFAULT 0);"
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
    "CREATE TABLE mm_nudge_interaction_log ("
    "  interaction_id INTEGER PRIMARY KEY,"
    "  delivery_id    TEXT NOT NULL REFERENCES mm_nudge_delivery_log(delivery_id),"
    "  user_id        TEXT NOT NULL,"
    "  action         TEXT NOT NULL CHECK (action IN ('viewed','clicked','dismissed')),"
    "  timestamp      TEXT NOT NULL);"
    "CREATE INDEX mm_nudge_interaction_delivery ON mm_nudge_interaction_log(delivery_id);"
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
        /* 1 done; 2 emitted, waiting for Redis; 3 not emitted yet */
        "INSERT INTO mm_event_outbox(delivery_id, user_id, payload, created_at, want_redis, emitted_at, redis_at, published_at) "
        "  VALUES ('d1', 'u1', '{}', 't', 1, 't', 't', 't'), ('d2', 'u2', '{}', 't', 1, 't', NULL, NULL),"
        "         ('d3', 'u3', '{}', 't', 0, NULL, NULL, NULL);"));
    T_EQ_INT(mmr_db_begin(db, &d), 0);
    T_EQ_INT(mmr_db_migrate(db, NULL, 0, NULL, 0, &d), 0);
    T_EQ_INT(mmr_db_commit(db, &d), 0);
    if (d.n) mmr_diags_print_text(stderr, &d);
    int v = -1;
    T_EQ_INT(mmr_db_version(db, &v, &d), 0);
    T_EQ_INT(v, 2);
    T_EQ_INT(mmr_db_check_tables(db, &d), 0);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_nudge_delivery_log"), 3);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_nudge_candidate WHERE as_of = '2025-10-26' AND user_id = 'u1' AND delivery_id = 'd1'"), 1);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_nudge_interaction_log WHERE delivery_id = 'd1'"), 1);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_event_outbox o JOIN mm_nudge_delivery_log d USING (user_id, rule, as_of)"), 3);
    T_EQ_INT(count(db, "SELECT last_event_id FROM mm_event_cursor WHERE sink = 'ndjson'"), 2);
    T_EQ_INT(count(db, "SELECT last_event_id FROM mm_event_cursor WHERE sink = 'redis'"), 1);
    T_EQ_INT(count(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    /* the foreign keys point at the new tables */
    T_CHECK(!exec_ok(db, "INSERT INTO mm_nudge_interaction_log(delivery_id, user_id, action, timestamp) VALUES ('nope', 'u', 'viewed', 't')"));
    T_CHECK(exec_ok(db, "INSERT INTO mm_nudge_interaction_log(delivery_id, user_id, action, timestamp) VALUES ('d2', 'u2', 'viewed', 't')"));
    T_CHECK(!exec_ok(db, "INSERT INTO mm_event_outbox(user_id, rule, as_of, created_at, want_redis) VALUES ('u9', 'r', '2025-10-26', 't', 0)"));
    T_CHECK(!exec_ok(db, "DELETE FROM mm_nudge_delivery_log WHERE delivery_id = 'd1'"));
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
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_nudge_delivery_log WHERE user_id = 'u1' AND rule = 'b' AND body = 'Budget waits'"), 1);
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
    test_payload();
    test_run();
    return T_DONE("db");
}
