/* SQLite state: open, schema, migrations. See engine/db.h.
 *
 * Past our ~800-line mark: most of it is the schema's SQL text, one block
 * per migration step (each kept as it was shipped, so an old database
 * migrates exactly as it always did); splitting them off would only move
 * string constants. */
#include "engine/db.h"
#include "engine/lease.h"
#include "compiler/ast.h"
#include "compiler/compile.h"
#include "signals/responsiveness.h"
#include "util/buf.h"
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <stdio.h>

const char *mmr_db_sql_type(int type)
{
    switch (type) {
    case MMR_T_NUMBER: return "REAL";
    case MMR_T_BOOL:   return "INTEGER";
    default:           return "TEXT";
    }
}

void mmr_db_error(mmr_db *db, mmr_diags *d, const char *what)
{
    int code = db && db->h ? sqlite3_extended_errcode(db->h) : SQLITE_ERROR;
    const char *msg = db && db->h ? sqlite3_errmsg(db->h) : "cannot open";
    const char *file = db ? db->path : "";
    mmr_diag *g;
    switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        g = mmr_diag_add(d, MMR_SEV_ERROR, file, 0, 0,
                         "%s: the database is locked by another process (%s)", what, msg);
        if (g) mmr_diag_set_hint(g, "wait for the other writer to finish, or raise --busy-timeout");
        break;
    case SQLITE_READONLY:
        g = mmr_diag_add(d, MMR_SEV_ERROR, file, 0, 0,
                         "%s: the database is read-only (%s)", what, msg);
        if (g) mmr_diag_set_hint(g, "check the permissions of the file and its directory, or use --dry-run");
        break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        mmr_diag_add(d, MMR_SEV_ERROR, file, 0, 0,
                     "%s: the file is not a valid SQLite database (%s)", what, msg);
        break;
    default:
        mmr_diag_add(d, MMR_SEV_ERROR, file, 0, 0, "%s: %s", what, msg);
    }
}

int mmr_db_exec(mmr_db *db, const char *sql, mmr_diags *d)
{
    char *err = NULL;
    if (sqlite3_exec(db->h, sql, NULL, NULL, &err) != SQLITE_OK) {
        sqlite3_free(err);
        mmr_db_error(db, d, "sql");
        return -1;
    }
    return 0;
}

int mmr_db_prepare(mmr_db *db, sqlite3_stmt **st, const char *sql, mmr_diags *d)
{
    if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK) {
        *st = NULL;
        mmr_db_error(db, d, "prepare");
        return -1;
    }
    return 0;
}

int mmr_db_open(mmr_db **out, const char *path, int mode, int busy_ms, mmr_diags *d)
{
    *out = NULL;
    mmr_db *db = calloc(1, sizeof *db);
    if (!db) { mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "out of memory"); return -1; }
    db->path = strdup(mode == MMR_DB_OPEN_MEMORY ? ":memory:" : path);
    if (!db->path) { free(db); mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "out of memory"); return -1; }
    int flags = SQLITE_OPEN_NOMUTEX;
    const char *fname = db->path;
    if (mode == MMR_DB_OPEN_RO) {
        if (access(path, F_OK) != 0) {
            mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "no such database file");
            mmr_db_close(db);
            return -1;
        }
        flags |= SQLITE_OPEN_READONLY;
        db->readonly = 1;
    } else {
        flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    }
    if (sqlite3_open_v2(fname, &db->h, flags, NULL) != SQLITE_OK) {
        mmr_db_error(db, d, "open");
        mmr_db_close(db);
        return -1;
    }
    sqlite3_extended_result_codes(db->h, 1);
    sqlite3_busy_timeout(db->h, busy_ms > 0 ? busy_ms : MMR_DB_BUSY_MS_DEFAULT);
    if (mode == MMR_DB_OPEN_RW && sqlite3_db_readonly(db->h, "main") == 1) {
        mmr_diag *g = mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0,
                                   "open: the database is read-only (cannot write the file)");
        if (g) mmr_diag_set_hint(g, "check the permissions of the file and its directory, or use --dry-run");
        mmr_db_close(db);
        return -1;
    }
    /* Reading the header first makes "not a database" an open error. */
    if (mmr_db_exec(db, "PRAGMA foreign_keys=ON", d)) { mmr_db_close(db); return -1; }
    if (mmr_db_exec(db, "SELECT count(*) FROM sqlite_master", d)) { mmr_db_close(db); return -1; }
    if (mode == MMR_DB_OPEN_RW) {
        /* WAL is a property of the file, outside any transaction; it does
         * not change the content. NORMAL sync is durable against a killed
         * process (the WAL is synced at checkpoints). */
        sqlite3_stmt *st = NULL;
        if (mmr_db_prepare(db, &st, "PRAGMA journal_mode=WAL", d)) { mmr_db_close(db); return -1; }
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW) { mmr_db_error(db, d, "enabling WAL"); mmr_db_close(db); return -1; }
        if (mmr_db_exec(db, "PRAGMA synchronous=NORMAL", d)) { mmr_db_close(db); return -1; }
    }
    /* A bounded page cache (64 MiB) and temp data in memory: memory stays
     * flat however many users a run covers. */
    if (mmr_db_exec(db, "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY", d)) {
        mmr_db_close(db);
        return -1;
    }
    *out = db;
    return 0;
}

int mmr_db_cached(mmr_db *db, sqlite3_stmt **st, const char *sql, mmr_diags *d)
{
    for (int i = 0; i < MMR_DB_CACHE; i++) {
        if (db->cache[i].sql == sql) { *st = db->cache[i].st; return 0; }
        if (!db->cache[i].sql) {
            if (mmr_db_prepare(db, st, sql, d)) return -1;
            db->cache[i].sql = sql;
            db->cache[i].st = *st;
            return 0;
        }
    }
    return mmr_db_prepare(db, st, sql, d);
}

void mmr_db_uncache(mmr_db *db, sqlite3_stmt *st)
{
    if (!st) return;
    for (int i = 0; i < MMR_DB_CACHE && db->cache[i].sql; i++)
        if (db->cache[i].st == st) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return;
        }
    sqlite3_finalize(st);
}

void mmr_db_close(mmr_db *db)
{
    if (!db) return;
    for (int i = 0; i < MMR_DB_CACHE; i++) sqlite3_finalize(db->cache[i].st);
    if (db->h) sqlite3_close_v2(db->h);
    free(db->path);
    free(db);
}

int mmr_db_table_exists(mmr_db *db, const char *table, mmr_diags *d)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->h, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                           -1, &st, NULL) != SQLITE_OK) {
        mmr_db_error(db, d, "schema lookup");
        return -1;
    }
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW) return 1;
    if (rc == SQLITE_DONE) return 0;
    mmr_db_error(db, d, "schema lookup");
    return -1;
}

int mmr_db_version(mmr_db *db, int *version, mmr_diags *d)
{
    *version = 0;
    int ex = mmr_db_table_exists(db, "mm_schema_version", d);
    if (ex <= 0) return ex;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->h, "SELECT max(version) FROM mm_schema_version", -1, &st, NULL) != SQLITE_OK) {
        mmr_db_error(db, d, "reading mm_schema_version");
        return -1;
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) { mmr_db_error(db, d, "reading mm_schema_version"); return -1; }
    return 0;
}

/* ------------------------------------------------------------ schema */

static const char *const schema_v3 =
    "CREATE TABLE mm_schema_version ("
    "  version    INTEGER PRIMARY KEY,"
    "  applied_at TEXT NOT NULL);"
    /* mutes (FR-MM-4.3) */
    "CREATE TABLE mm_user_suppression ("
    "  user_id  TEXT NOT NULL,"
    "  category TEXT NOT NULL,"
    "  muted_at TEXT NOT NULL,"
    "  PRIMARY KEY (user_id, category)) WITHOUT ROWID;"
    /* rule master (FR-MM-2): recorded and updated by every run */
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
    /* template master (FR-MM-3) */
    "CREATE TABLE mm_nudge_template_master ("
    "  template_id    TEXT PRIMARY KEY,"
    "  title          TEXT NOT NULL,"
    "  body           TEXT NOT NULL,"
    "  tone           TEXT,"
    "  variables_json TEXT NOT NULL,"
    "  category       TEXT,"
    "  ruleset_hash   TEXT NOT NULL,"
    "  updated_at     TEXT NOT NULL) WITHOUT ROWID;"
    /* run records */
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
    /* The foreign keys of the tables a run fills are checked at COMMIT
     * (DEFERRABLE INITIALLY DEFERRED): a run's multi-row INSERTs then need
     * no statement journal, and a violation still fails the commit, which
     * rolls the whole run back. The tables a run fills are narrow: rules by
     * rule_id, the run's time in mm_run, nothing a join can give. */
    /* one candidate per (user, rule, snapshot date): AC-MM-2. Clustered
     * on (as_of, user_id, rule_id): a run inserts in user order under a new
     * date, so rows are appended, and the key is the uniqueness check. A
     * delivered candidate's delivery is the delivery log row with the same
     * (user_id, rule_id, as_of). */
    "CREATE TABLE mm_nudge_candidate ("
    "  as_of              TEXT NOT NULL,"
    "  user_id            TEXT NOT NULL,"
    "  rule_id            INTEGER NOT NULL REFERENCES mm_nudge_rule_master(rule_id) DEFERRABLE INITIALLY DEFERRED,"
    "  status             TEXT NOT NULL CHECK (status IN ('delivered','suppressed')),"
    "  suppression_reason TEXT,"
    "  priority           INTEGER NOT NULL,"
    "  run_id             INTEGER NOT NULL REFERENCES mm_run(run_id) DEFERRABLE INITIALLY DEFERRED,"
    "  CHECK ((status = 'delivered') = (suppression_reason IS NULL)),"
    "  PRIMARY KEY (as_of, user_id, rule_id)) WITHOUT ROWID;"
    /* FR-MM-5. A log: rows are appended in delivery order (seq), so a run
     * never rewrites the pages of earlier nights. delivery_id is the UUID
     * v5 of user, rule and as_of, so its uniqueness is that of (user, rule,
     * snapshot date); the index by user and time covers the history a run
     * reads (cooldown, cap) and the feed's order. */
    "CREATE TABLE mm_nudge_delivery_log ("
    "  seq          INTEGER PRIMARY KEY,"
    "  delivery_id  TEXT NOT NULL UNIQUE,"
    "  user_id      TEXT NOT NULL,"
    "  rule_id      INTEGER NOT NULL REFERENCES mm_nudge_rule_master(rule_id) DEFERRABLE INITIALLY DEFERRED,"
    "  as_of        TEXT NOT NULL,"
    "  title        TEXT NOT NULL,"
    "  body         TEXT NOT NULL,"
    "  category     TEXT NOT NULL,"
    "  meta_json    TEXT NOT NULL,"
    "  delivered_at TEXT NOT NULL);"
    "CREATE INDEX mm_nudge_delivery_user ON mm_nudge_delivery_log(user_id, delivered_at, rule_id);"
    /* FR-MM-6 */
    "CREATE TABLE mm_nudge_interaction_log ("
    "  interaction_id INTEGER PRIMARY KEY,"
    "  delivery_id    TEXT NOT NULL REFERENCES mm_nudge_delivery_log(delivery_id),"
    "  user_id        TEXT NOT NULL,"
    "  action         TEXT NOT NULL CHECK (action IN ('viewed','clicked','dismissed')),"
    "  timestamp      TEXT NOT NULL);"
    "CREATE INDEX mm_nudge_interaction_delivery ON mm_nudge_interaction_log(delivery_id);"
    /* Transactional outbox: one event per delivery, written with it in
     * the run's transaction and published after the commit. The event's
     * text is built from the delivery row when it is published (its
     * created_at is the delivery's delivered_at). event_id only grows
     * (rows are never deleted), so what has been published is a watermark
     * per sink (mm_event_cursor), not a mark per event.
     * want_redis: the creating run had --redis. */
    "CREATE TABLE mm_event_outbox ("
    "  event_id     INTEGER PRIMARY KEY,"
    "  delivery_seq INTEGER NOT NULL REFERENCES mm_nudge_delivery_log(seq) DEFERRABLE INITIALLY DEFERRED,"
    "  want_redis   INTEGER NOT NULL CHECK (want_redis IN (0,1)));"
    /* Published up to: every event with event_id <= last_event_id went to
     * the NDJSON stream (sink 'ndjson': stdout or --events), or, if it
     * wants Redis, was PUBLISHed (sink 'redis'). */
    "CREATE TABLE mm_event_cursor ("
    "  sink          TEXT PRIMARY KEY CHECK (sink IN ('ndjson','redis')),"
    "  last_event_id INTEGER NOT NULL,"
    "  updated_at    TEXT NOT NULL) WITHOUT ROWID;"
    "INSERT INTO mm_event_cursor VALUES ('ndjson', 0, ''), ('redis', 0, '');"
    /* Size of an --events file as of the last committed emission: a tail
     * beyond it was written by a process killed before it could record the
     * emission, and is cut off before those events are written again. */
    "CREATE TABLE mm_event_sink ("
    "  path TEXT PRIMARY KEY,"
    "  size INTEGER NOT NULL) WITHOUT ROWID;";

/* The tables version 4 adds (the signals pipeline, docs/signals.md): a new
 * database gets them after schema_v3, and they are the whole of the
 * migration 3 -> 4, which changes nothing else. */
static const char *const schema_v4_tables =
    /* transactions, loaded by `mmr ingest`: idempotent by txn_id. ts is
     * Unix seconds UTC, ts_text the instant as written (its offset). */
    "CREATE TABLE mm_transaction ("
    "  txn_id    TEXT NOT NULL PRIMARY KEY,"
    "  user_id   TEXT NOT NULL,"
    "  ts        INTEGER NOT NULL,"
    "  ts_text   TEXT NOT NULL,"
    "  amount    REAL NOT NULL CHECK (amount > 0),"
    "  type      TEXT NOT NULL CHECK (type IN ('expense','income')),"
    "  category  TEXT NOT NULL,"
    "  merchant  TEXT,"
    "  recurring INTEGER NOT NULL DEFAULT 0 CHECK (recurring IN (0,1)));"
    MMR_DB_TXN_INDEX_SQL ";"
    /* per-user day rollups of the derived signals, a week (its Monday, in
     * days since 1970-01-01) to a row, under the definitions (spec) that
     * made them: signals/snapdb.c. Keyed week first, so a night's writes
     * fill one week's pages instead of a page of every user's. Ingest
     * deletes the rows around a new transaction's day. */
    "CREATE TABLE mm_signal_tile ("
    "  spec    INTEGER NOT NULL,"
    "  week    INTEGER NOT NULL,"
    "  user_id TEXT NOT NULL,"
    "  data    BLOB NOT NULL,"
    "  PRIMARY KEY (spec, week, user_id)) WITHOUT ROWID;"
    /* budgets and goals (`mmr ingest --budgets/--goals`): one row per key */
    "CREATE TABLE mm_budget ("
    "  user_id      TEXT NOT NULL,"
    "  category     TEXT NOT NULL,"
    "  limit_amount REAL NOT NULL CHECK (limit_amount > 0),"
    "  period       TEXT NOT NULL DEFAULT 'month',"
    "  PRIMARY KEY (user_id, category));"
    "CREATE TABLE mm_goal ("
    "  user_id  TEXT NOT NULL,"
    "  goal_id  TEXT NOT NULL,"
    "  name     TEXT NOT NULL,"
    "  target   REAL NOT NULL,"
    "  saved    REAL NOT NULL DEFAULT 0,"
    "  deadline TEXT,"
    "  priority INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (user_id, goal_id));";

/* Version 1 -> 2: candidates and deliveries become tables clustered on
 * their natural keys; the outbox references the delivery instead of
 * copying its text, and publishing is a watermark per sink instead of a
 * mark per event. Runs inside the caller's transaction, where foreign
 * keys cannot be switched off, so the new child tables first reference
 * the new parent under its temporary name: the old tables can then be
 * dropped without orphaning anything, and renaming the new parent
 * rewrites the children's REFERENCES clauses. */
static const char *const migrate_v1_v2 =
    "CREATE TABLE mmv2_candidate ("
    "  as_of TEXT NOT NULL, user_id TEXT NOT NULL, rule TEXT NOT NULL,"
    "  rule_id INTEGER NOT NULL REFERENCES mm_nudge_rule_master(rule_id) DEFERRABLE INITIALLY DEFERRED,"
    "  status TEXT NOT NULL CHECK (status IN ('delivered','suppressed')),"
    "  suppression_reason TEXT, priority INTEGER NOT NULL, delivery_id TEXT,"
    "  run_id INTEGER NOT NULL REFERENCES mm_run(run_id) DEFERRABLE INITIALLY DEFERRED, created_at TEXT NOT NULL,"
    "  CHECK ((status = 'delivered') = (suppression_reason IS NULL)),"
    "  CHECK ((status = 'delivered') = (delivery_id IS NOT NULL)),"
    "  PRIMARY KEY (as_of, user_id, rule)) WITHOUT ROWID;"
    "INSERT INTO mmv2_candidate SELECT as_of, user_id, rule, rule_id, status, suppression_reason, priority,"
    "  delivery_id, run_id, created_at FROM mm_nudge_candidate ORDER BY as_of, user_id, rule;"
    "CREATE TABLE mmv2_delivery ("
    "  delivery_id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL,"
    "  rule_id INTEGER NOT NULL REFERENCES mm_nudge_rule_master(rule_id) DEFERRABLE INITIALLY DEFERRED,"
    "  rule TEXT NOT NULL, as_of TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL,"
    "  category TEXT NOT NULL, meta_json TEXT NOT NULL, delivered_at TEXT NOT NULL,"
    "  PRIMARY KEY (user_id, rule, as_of)) WITHOUT ROWID;"
    "INSERT INTO mmv2_delivery SELECT delivery_id, user_id, rule_id, rule, as_of, title, body, category,"
    "  meta_json, delivered_at FROM mm_nudge_delivery_log ORDER BY user_id, rule, as_of;"
    "CREATE TABLE mmv2_interaction ("
    "  interaction_id INTEGER PRIMARY KEY,"
    "  delivery_id TEXT NOT NULL REFERENCES mmv2_delivery(delivery_id),"
    "  user_id TEXT NOT NULL,"
    "  action TEXT NOT NULL CHECK (action IN ('viewed','clicked','dismissed')),"
    "  timestamp TEXT NOT NULL);"
    "INSERT INTO mmv2_interaction SELECT interaction_id, delivery_id, user_id, action, timestamp"
    "  FROM mm_nudge_interaction_log;"
    "CREATE TABLE mmv2_outbox ("
    "  event_id INTEGER PRIMARY KEY, user_id TEXT NOT NULL, rule TEXT NOT NULL, as_of TEXT NOT NULL,"
    "  created_at TEXT NOT NULL, want_redis INTEGER NOT NULL CHECK (want_redis IN (0,1)),"
    "  FOREIGN KEY (user_id, rule, as_of) REFERENCES mmv2_delivery(user_id, rule, as_of) DEFERRABLE INITIALLY DEFERRED);"
    "INSERT INTO mmv2_outbox SELECT o.event_id, d.user_id, d.rule, d.as_of, o.created_at, o.want_redis"
    "  FROM mm_event_outbox o JOIN mm_nudge_delivery_log d ON d.delivery_id = o.delivery_id ORDER BY o.event_id;"
    "CREATE TABLE mm_event_cursor ("
    "  sink TEXT PRIMARY KEY CHECK (sink IN ('ndjson','redis')),"
    "  last_event_id INTEGER NOT NULL, updated_at TEXT NOT NULL) WITHOUT ROWID;"
    /* everything before the first event a sink still lacks */
    "INSERT INTO mm_event_cursor SELECT 'ndjson', coalesce((SELECT min(event_id) - 1 FROM mm_event_outbox"
    "  WHERE emitted_at IS NULL), (SELECT coalesce(max(event_id), 0) FROM mm_event_outbox)), '';"
    "INSERT INTO mm_event_cursor SELECT 'redis', coalesce((SELECT min(event_id) - 1 FROM mm_event_outbox"
    "  WHERE want_redis AND redis_at IS NULL), (SELECT coalesce(max(event_id), 0) FROM mm_event_outbox)), '';"
    "DROP TABLE mm_event_outbox;"
    "DROP TABLE mm_nudge_interaction_log;"
    "DROP TABLE mm_nudge_delivery_log;"
    "DROP TABLE mm_nudge_candidate;"
    "ALTER TABLE mmv2_delivery RENAME TO mm_nudge_delivery_log;"
    "ALTER TABLE mmv2_candidate RENAME TO mm_nudge_candidate;"
    "ALTER TABLE mmv2_interaction RENAME TO mm_nudge_interaction_log;"
    "ALTER TABLE mmv2_outbox RENAME TO mm_event_outbox;"
    "CREATE INDEX mm_nudge_interaction_delivery ON mm_nudge_interaction_log(delivery_id);";

/* Version 2 -> 3: narrower rows for the tables a run fills. Candidates
 * lose the rule's name (rule_id says it), delivery_id (the delivery row of
 * the same user, rule and date has it) and created_at (mm_run has the
 * run's time); the delivery log becomes an append-only table in delivery
 * order with an index by user and time; an outbox row is the delivery's
 * seq. Same renaming scheme as 1 -> 2. Deliveries are numbered in the
 * order of their events, then by date and user (those without one). */
static const char *const migrate_v2_v3 =
    "CREATE TABLE mmv3_candidate ("
    "  as_of TEXT NOT NULL, user_id TEXT NOT NULL,"
    "  rule_id INTEGER NOT NULL REFERENCES mm_nudge_rule_master(rule_id) DEFERRABLE INITIALLY DEFERRED,"
    "  status TEXT NOT NULL CHECK (status IN ('delivered','suppressed')),"
    "  suppression_reason TEXT, priority INTEGER NOT NULL,"
    "  run_id INTEGER NOT NULL REFERENCES mm_run(run_id) DEFERRABLE INITIALLY DEFERRED,"
    "  CHECK ((status = 'delivered') = (suppression_reason IS NULL)),"
    "  PRIMARY KEY (as_of, user_id, rule_id)) WITHOUT ROWID;"
    "INSERT INTO mmv3_candidate SELECT as_of, user_id, rule_id, status, suppression_reason, priority, run_id"
    "  FROM mm_nudge_candidate ORDER BY as_of, user_id, rule_id;"
    "CREATE TABLE mmv3_delivery ("
    "  seq INTEGER PRIMARY KEY, delivery_id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL,"
    "  rule_id INTEGER NOT NULL REFERENCES mm_nudge_rule_master(rule_id) DEFERRABLE INITIALLY DEFERRED,"
    "  as_of TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, category TEXT NOT NULL,"
    "  meta_json TEXT NOT NULL, delivered_at TEXT NOT NULL);"
    "INSERT INTO mmv3_delivery(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json, delivered_at)"
    "  SELECT d.delivery_id, d.user_id, d.rule_id, d.as_of, d.title, d.body, d.category, d.meta_json, d.delivered_at"
    "  FROM mm_nudge_delivery_log d LEFT JOIN mm_event_outbox o USING (user_id, rule, as_of)"
    "  ORDER BY o.event_id IS NULL, o.event_id, d.as_of, d.user_id, d.rule;"
    "CREATE TABLE mmv3_interaction ("
    "  interaction_id INTEGER PRIMARY KEY,"
    "  delivery_id TEXT NOT NULL REFERENCES mmv3_delivery(delivery_id),"
    "  user_id TEXT NOT NULL,"
    "  action TEXT NOT NULL CHECK (action IN ('viewed','clicked','dismissed')),"
    "  timestamp TEXT NOT NULL);"
    "INSERT INTO mmv3_interaction SELECT interaction_id, delivery_id, user_id, action, timestamp"
    "  FROM mm_nudge_interaction_log;"
    "CREATE TABLE mmv3_outbox ("
    "  event_id INTEGER PRIMARY KEY,"
    "  delivery_seq INTEGER NOT NULL REFERENCES mmv3_delivery(seq) DEFERRABLE INITIALLY DEFERRED,"
    "  want_redis INTEGER NOT NULL CHECK (want_redis IN (0,1)));"
    "INSERT INTO mmv3_outbox SELECT o.event_id, n.seq, o.want_redis"
    "  FROM mm_event_outbox o JOIN mm_nudge_delivery_log d USING (user_id, rule, as_of)"
    "  JOIN mmv3_delivery n ON n.delivery_id = d.delivery_id ORDER BY o.event_id;"
    "DROP TABLE mm_event_outbox;"
    "DROP TABLE mm_nudge_interaction_log;"
    "DROP TABLE mm_nudge_delivery_log;"
    "DROP TABLE mm_nudge_candidate;"
    "ALTER TABLE mmv3_delivery RENAME TO mm_nudge_delivery_log;"
    "ALTER TABLE mmv3_candidate RENAME TO mm_nudge_candidate;"
    "ALTER TABLE mmv3_interaction RENAME TO mm_nudge_interaction_log;"
    "ALTER TABLE mmv3_outbox RENAME TO mm_event_outbox;"
    "CREATE INDEX mm_nudge_delivery_user ON mm_nudge_delivery_log(user_id, delivered_at, rule_id);"
    "CREATE INDEX mm_nudge_interaction_delivery ON mm_nudge_interaction_log(delivery_id);";

/* Version 5 -> 6: deferred delivery (docs/engine.md). A candidate held
 * only by quiet hours is 'deferred' (no reason) until its release turns it
 * into 'delivered' or 'suppressed'; its texts and due time wait in
 * mm_nudge_deferred, whose row the release deletes. The candidate table is
 * rebuilt for its new CHECKs (nothing references it). */
#define MMR_DB_CAND_V6 \
    "  as_of TEXT NOT NULL, user_id TEXT NOT NULL," \
    "  rule_id INTEGER NOT NULL REFERENCES mm_nudge_rule_master(rule_id) DEFERRABLE INITIALLY DEFERRED," \
    "  status TEXT NOT NULL CHECK (status IN ('delivered','suppressed','deferred'))," \
    "  suppression_reason TEXT, priority INTEGER NOT NULL," \
    "  run_id INTEGER NOT NULL REFERENCES mm_run(run_id) DEFERRABLE INITIALLY DEFERRED," \
    "  CHECK ((status = 'suppressed') = (suppression_reason IS NOT NULL))," \
    "  PRIMARY KEY (as_of, user_id, rule_id)) WITHOUT ROWID;"
static const char *const schema_v6_deferred =
    "CREATE TABLE IF NOT EXISTS mm_nudge_deferred ("
    "  as_of      TEXT NOT NULL,"
    "  user_id    TEXT NOT NULL,"
    "  rule_id    INTEGER NOT NULL REFERENCES mm_nudge_rule_master(rule_id) DEFERRABLE INITIALLY DEFERRED,"
    "  deliver_at TEXT NOT NULL,"
    "  title      TEXT NOT NULL,"
    "  body       TEXT NOT NULL,"
    "  category   TEXT NOT NULL,"
    "  meta_json  TEXT NOT NULL,"
    "  PRIMARY KEY (as_of, user_id, rule_id)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS mm_nudge_deferred_due ON mm_nudge_deferred(deliver_at);";
static const char *const migrate_v5_v6 =
    "CREATE TABLE mmv6_candidate (" MMR_DB_CAND_V6
    "INSERT INTO mmv6_candidate SELECT as_of, user_id, rule_id, status, suppression_reason, priority, run_id"
    "  FROM mm_nudge_candidate ORDER BY as_of, user_id, rule_id;"
    "DROP TABLE mm_nudge_candidate;"
    "ALTER TABLE mmv6_candidate RENAME TO mm_nudge_candidate;";

/* Version 6 -> 7: each deferral carries the cap of the policy it was
 * deferred under, so a process without the ruleset (the relay of `mmr
 * serve`) can check the cap when it releases it. NULL: not known (a
 * deferral from schema 6), the cap is not checked. */
static const char *const migrate_v6_v7 =
    "ALTER TABLE mm_nudge_deferred ADD COLUMN cap_max INTEGER;"
    "ALTER TABLE mm_nudge_deferred ADD COLUMN cap_window_s INTEGER;";

/* Version 7 -> 8: rules that fire per key (`for each K in MAP`). A
 * candidate, a deferral and a delivery are per (user, rule, key, date):
 * rule_key is the key, '' for a keyless rule, so every row made before
 * keeps its identity (and its delivery id). Candidates and deferrals are
 * rebuilt for their new primary keys (nothing references them); the
 * delivery log gains the column in place, and its index by user and time
 * takes it too, so the history a run reads stays covered by the index. */
static const char *const migrate_v7_v8 =
    "CREATE TABLE mmv8_candidate ("
    "  as_of TEXT NOT NULL, user_id TEXT NOT NULL,"
    "  rule_id INTEGER NOT NULL REFERENCES mm_nudge_rule_master(rule_id) DEFERRABLE INITIALLY DEFERRED,"
    "  rule_key TEXT NOT NULL DEFAULT '',"
    "  status TEXT NOT NULL CHECK (status IN ('delivered','suppressed','deferred')),"
    "  suppression_reason TEXT, priority INTEGER NOT NULL,"
    "  run_id INTEGER NOT NULL REFERENCES mm_run(run_id) DEFERRABLE INITIALLY DEFERRED,"
    "  CHECK ((status = 'suppressed') = (suppression_reason IS NOT NULL)),"
    "  PRIMARY KEY (as_of, user_id, rule_id, rule_key)) WITHOUT ROWID;"
    "INSERT INTO mmv8_candidate(as_of, user_id, rule_id, status, suppression_reason, priority, run_id)"
    "  SELECT as_of, user_id, rule_id, status, suppression_reason, priority, run_id"
    "  FROM mm_nudge_candidate ORDER BY as_of, user_id, rule_id;"
    "DROP TABLE mm_nudge_candidate;"
    "ALTER TABLE mmv8_candidate RENAME TO mm_nudge_candidate;"
    "CREATE TABLE mmv8_deferred ("
    "  as_of      TEXT NOT NULL,"
    "  user_id    TEXT NOT NULL,"
    "  rule_id    INTEGER NOT NULL REFERENCES mm_nudge_rule_master(rule_id) DEFERRABLE INITIALLY DEFERRED,"
    "  rule_key   TEXT NOT NULL DEFAULT '',"
    "  deliver_at TEXT NOT NULL,"
    "  title      TEXT NOT NULL,"
    "  body       TEXT NOT NULL,"
    "  category   TEXT NOT NULL,"
    "  meta_json  TEXT NOT NULL,"
    "  cap_max    INTEGER,"
    "  cap_window_s INTEGER,"
    "  PRIMARY KEY (as_of, user_id, rule_id, rule_key)) WITHOUT ROWID;"
    "INSERT INTO mmv8_deferred(as_of, user_id, rule_id, deliver_at, title, body, category, meta_json,"
    "  cap_max, cap_window_s) SELECT as_of, user_id, rule_id, deliver_at, title, body, category, meta_json,"
    "  cap_max, cap_window_s FROM mm_nudge_deferred ORDER BY as_of, user_id, rule_id;"
    "DROP TABLE mm_nudge_deferred;"
    "ALTER TABLE mmv8_deferred RENAME TO mm_nudge_deferred;"
    "CREATE INDEX mm_nudge_deferred_due ON mm_nudge_deferred(deliver_at);";
/* (skipped when the column is there: a database made by a newer mmr and
 * relabelled older by hand, as tests do, still migrates) */
static const char *const migrate_v7_v8_log =
    "ALTER TABLE mm_nudge_delivery_log ADD COLUMN rule_key TEXT NOT NULL DEFAULT '';"
    "DROP INDEX mm_nudge_delivery_user;"
    "CREATE INDEX mm_nudge_delivery_user ON mm_nudge_delivery_log(user_id, delivered_at, rule_id, rule_key);";

static const char *const schema_tables[] = {
    "mm_schema_version", "mm_signal_daily", "mm_user_traits", "mm_user_suppression",
    "mm_nudge_rule_master", "mm_nudge_template_master", "mm_run",
    "mm_nudge_candidate", "mm_nudge_delivery_log", "mm_nudge_interaction_log",
    "mm_event_outbox", "mm_event_cursor", "mm_event_sink",
    "mm_transaction", "mm_signal_tile", "mm_budget", "mm_goal", "mm_lease",
    "mm_nudge_deferred",
};

int mmr_db_check_tables(mmr_db *db, mmr_diags *d)
{
    int bad = 0;
    for (size_t i = 0; i < sizeof schema_tables / sizeof schema_tables[0]; i++) {
        int ex = mmr_db_table_exists(db, schema_tables[i], d);
        if (ex < 0) return -1;
        if (!ex) {
            mmr_diag *g = mmr_diag_add(d, MMR_SEV_ERROR, db->path, 0, 0,
                                       "table %s is missing", schema_tables[i]);
            if (g) mmr_diag_set_hint(g, "the schema was changed by hand; restore the table or start a new database");
            bad = 1;
        }
    }
    return bad ? -1 : 0;
}

static int valid_ident(const char *s)
{
    if (!s || !*s) return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
              (p != s && *p >= '0' && *p <= '9')))
            return 0;
    return 1;
}

typedef struct colset { mmr_db_column *v; size_t n, cap; } colset;

static int colset_add(colset *c, const char *name, int type)
{
    if (!valid_ident(name)) return 0;
    for (size_t i = 0; i < c->n; i++) if (!strcmp(c->v[i].name, name)) return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        mmr_db_column *v = realloc(c->v, cap * sizeof *v);
        if (!v) return -1;
        c->v = v; c->cap = cap;
    }
    c->v[c->n].name = name; c->v[c->n].type = type; c->n++;
    return 0;
}

static int create_input_table(mmr_db *db, const char *table, int is_traits,
                              const colset *cols, mmr_diags *d)
{
    mmr_buf b;
    mmr_buf_init(&b);
    /* Clustered on the order a run reads them in (a snapshot date's users
     * by user_id), so the run's scans read pages in order and never look a
     * row up through a separate index. */
    if (is_traits) mmr_buf_printf(&b, "CREATE TABLE %s (\n  user_id TEXT NOT NULL PRIMARY KEY", table);
    else mmr_buf_printf(&b, "CREATE TABLE %s (\n  user_id TEXT NOT NULL,\n  as_of TEXT NOT NULL", table);
    for (size_t i = 0; i < cols->n; i++)
        mmr_buf_printf(&b, ",\n  %s %s", cols->v[i].name, mmr_db_sql_type(cols->v[i].type));
    if (!is_traits) mmr_buf_puts(&b, ",\n  PRIMARY KEY (as_of, user_id)) WITHOUT ROWID");
    else mmr_buf_puts(&b, ") WITHOUT ROWID");
    if (b.oom) { mmr_buf_free(&b); mmr_diag_add(d, MMR_SEV_ERROR, db->path, 0, 0, "out of memory"); return -1; }
    int rc = mmr_db_exec(db, b.data, d);
    mmr_buf_free(&b);
    return rc;
}

/* Each step takes the schema from version `to - 1` to `to`, in the
 * caller's transaction. sql[1] is skipped when `done_if` gives a row. */
static const struct migration_step { int to; const char *sql[2]; const char *done_if; } migration_steps[] = {
    { 2, { migrate_v1_v2, NULL }, NULL },
    { 3, { migrate_v2_v3, NULL }, NULL },
    { 4, { schema_v4_tables, NULL }, NULL },            /* only adds tables */
    { 5, { MMR_LEASE_TABLE_SQL, NULL }, NULL },         /* a lease may have made it already */
    { 6, { migrate_v5_v6, schema_v6_deferred }, NULL },
    { 7, { migrate_v6_v7, NULL }, NULL },
    { 8, { migrate_v7_v8, migrate_v7_v8_log },
      "SELECT 1 FROM pragma_table_info('mm_nudge_delivery_log') WHERE name = 'rule_key'" },
};

_Static_assert(sizeof migration_steps / sizeof migration_steps[0] == MMR_DB_SCHEMA_VERSION - 1,
               "one migration step per schema version after 1");

static int record_version(mmr_db *db, int version, mmr_diags *d)
{
    char sql[128];
    snprintf(sql, sizeof sql, "INSERT INTO mm_schema_version(version, applied_at) "
                              "VALUES (%d, strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ','now'))", version);
    return mmr_db_exec(db, sql, d);
}

/* Every step after version `from`, each recorded when `record`. */
static int apply_steps(mmr_db *db, int from, int record, mmr_diags *d)
{
    for (size_t i = 0; i < sizeof migration_steps / sizeof migration_steps[0]; i++) {
        const struct migration_step *m = &migration_steps[i];
        if (m->to <= from) continue;
        for (int k = 0; k < 2 && m->sql[k]; k++) {
            if (k == 1 && m->done_if) {
                sqlite3_stmt *st;
                if (mmr_db_prepare(db, &st, m->done_if, d)) return -1;
                int r = sqlite3_step(st);
                sqlite3_finalize(st);
                if (r == SQLITE_ROW) continue;
                if (r != SQLITE_DONE) { mmr_db_error(db, d, "reading the schema"); return -1; }
            }
            if (mmr_db_exec(db, m->sql[k], d)) return -1;
        }
        if (record && record_version(db, m->to, d)) return -1;
    }
    return 0;
}

int mmr_db_migrate(mmr_db *db, const mmr_db_column *extra_signals, size_t nsig,
                   const mmr_db_column *extra_traits, size_t ntraits, mmr_diags *d)
{
    int v;
    if (mmr_db_version(db, &v, d)) return -1;
    if (v > MMR_DB_SCHEMA_VERSION) {
        mmr_diag_add(d, MMR_SEV_ERROR, db->path, 0, 0,
                     "the database has schema version %d; this mmr knows up to %d", v,
                     MMR_DB_SCHEMA_VERSION);
        return -1;
    }
    if (v == MMR_DB_SCHEMA_VERSION) return 0;
    if (db->readonly) {
        mmr_diag *g = v ? mmr_diag_add(d, MMR_SEV_ERROR, db->path, 0, 0,
                                       "the database has an older mmr schema (version %d, need %d)", v,
                                       MMR_DB_SCHEMA_VERSION)
                        : mmr_diag_add(d, MMR_SEV_ERROR, db->path, 0, 0,
                                       "the database has no mmr schema (version %d, need %d)", v,
                                       MMR_DB_SCHEMA_VERSION);
        if (g) mmr_diag_set_hint(g, v ? "run once without --dry-run to migrate it" : "run once without --dry-run to create it");
        return -1;
    }
    if (v >= 1) return apply_steps(db, v, 1, d);
    /* v == 0: a fresh file, or one with only input tables made elsewhere */
    mmr_diags tmp;
    mmr_diags_init(&tmp);
    static const char std_src[] = "import \"std/moneymoments\"\n";
    mmr_unit *u = mmr_unit_load_source("<std>", std_src, sizeof std_src - 1, &tmp);
    if (!u || mmr_check(u, &tmp) || tmp.errors) {
        mmr_diags_append(d, &tmp);
        mmr_diags_free(&tmp);
        mmr_unit_free(u);
        mmr_diag_add(d, MMR_SEV_ERROR, db->path, 0, 0, "internal: std/moneymoments does not load");
        return -1;
    }
    mmr_diags_free(&tmp);
    colset sig = {0}, tr = {0};
    int rc = 0;
    /* the responsiveness signals are computed by the run, not columns */
    for (size_t i = 0; i < u->nsignals && !rc; i++)
        if (!mmr_resp_is_signal(u->signals[i]->name, u->signals[i]->type))
            rc = colset_add(&sig, u->signals[i]->name, u->signals[i]->type);
    for (size_t i = 0; i < nsig && !rc; i++)
        if (!mmr_resp_is_signal(extra_signals[i].name, extra_signals[i].type))
            rc = colset_add(&sig, extra_signals[i].name, extra_signals[i].type);
    for (size_t i = 0; i < u->ntraits && !rc; i++) rc = colset_add(&tr, u->traits[i]->name, u->traits[i]->type);
    for (size_t i = 0; i < ntraits && !rc; i++) rc = colset_add(&tr, extra_traits[i].name, extra_traits[i].type);
    if (!rc) rc = colset_add(&tr, "tz", MMR_T_TEXT);
    if (rc) mmr_diag_add(d, MMR_SEV_ERROR, db->path, 0, 0, "out of memory");
    if (!rc) {
        int ex = mmr_db_table_exists(db, "mm_signal_daily", d);
        if (ex < 0) rc = -1;
        else if (!ex) rc = create_input_table(db, "mm_signal_daily", 0, &sig, d);
    }
    if (!rc) {
        int ex = mmr_db_table_exists(db, "mm_user_traits", d);
        if (ex < 0) rc = -1;
        else if (!ex) rc = create_input_table(db, "mm_user_traits", 1, &tr, d);
    }
    free(sig.v); free(tr.v);
    mmr_unit_free(u);
    /* a new database is version 3's schema plus the later steps, with
     * only the final version recorded */
    if (!rc) rc = mmr_db_exec(db, schema_v3, d);
    if (!rc) rc = apply_steps(db, 3, 0, d);
    if (!rc) rc = record_version(db, MMR_DB_SCHEMA_VERSION, d);
    return rc;
}

int mmr_db_begin(mmr_db *db, mmr_diags *d)
{
    if (sqlite3_exec(db->h, db->readonly ? "BEGIN" : "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        mmr_db_error(db, d, db->readonly ? "starting a read transaction" : "taking the write lock");
        return -1;
    }
    return 0;
}

int mmr_db_commit(mmr_db *db, mmr_diags *d)
{
    if (sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        mmr_db_error(db, d, "commit");
        mmr_db_rollback(db);
        return -1;
    }
    return 0;
}

void mmr_db_rollback(mmr_db *db)
{
    if (!sqlite3_get_autocommit(db->h))
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

int mmr_db_open_state(mmr_db **out, const char *path, int mode, int busy_ms, mmr_diags *d)
{
    mmr_db *db;
    if (mmr_db_open(&db, path, mode, busy_ms, d)) return -1;
    int rc = 0;
    if (mode == MMR_DB_OPEN_RO) {
        int v;
        rc = mmr_db_version(db, &v, d);
        if (!rc && v != MMR_DB_SCHEMA_VERSION) {
            mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0,
                         v == 0 ? "the database has no mmr schema (version %d, need %d); run `mmr run` first"
                         : v < MMR_DB_SCHEMA_VERSION
                             ? "the database has an older mmr schema (version %d, need %d); run `mmr run` once to migrate it"
                             : "the database has schema version %d; this mmr knows up to %d",
                         v, MMR_DB_SCHEMA_VERSION);
            rc = -1;
        }
    } else {
        rc = mmr_db_begin(db, d);
        if (!rc) {
            rc = mmr_db_migrate(db, NULL, 0, NULL, 0, d);
            if (!rc) rc = mmr_db_commit(db, d);
            else mmr_db_rollback(db);
        }
    }
    if (!rc) rc = mmr_db_check_tables(db, d);
    if (rc) { mmr_db_close(db); return -1; }
    *out = db;
    return 0;
}

int mmr_db_quick_check(mmr_db *db, mmr_diags *d)
{
    sqlite3_stmt *st;
    if (mmr_db_prepare(db, &st, "PRAGMA quick_check(3)", d)) return -1;
    int rc = 0, r;
    mmr_buf why;
    mmr_buf_init(&why);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(st, 0);
        if (s && !strcmp(s, "ok")) continue;
        rc = -1;
        /* one line: rows may hold several, and a "*** in database main ***" heading */
        for (const char *p = s ? s : "?"; *p;) {
            size_t n = strcspn(p, "\n");
            if (n && strncmp(p, "*** ", 4)) {
                if (why.len) mmr_buf_puts(&why, "; ");
                mmr_buf_append(&why, p, n);
            }
            p += n;
            if (*p) p++;
        }
    }
    if (r != SQLITE_DONE) {
        /* damage bad enough that the check itself cannot read on */
        mmr_buf_printf(&why, "%s%s", why.len ? "; " : "", sqlite3_errmsg(db->h));
        rc = -1;
    }
    sqlite3_finalize(st);
    if (rc) {
        mmr_diag *g = mmr_diag_add(d, MMR_SEV_ERROR, db->path, 0, 0,
                                   "the database is damaged (PRAGMA quick_check: %s); nothing was written",
                                   why.oom ? "out of memory" : why.data);
        if (g) mmr_diag_set_hint(g, "restore it from a backup, or rescue what is left with `sqlite3 FILE .recover`");
    }
    mmr_buf_free(&why);
    return rc;
}
