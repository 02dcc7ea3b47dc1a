/* The engine's SQLite state: opening (WAL, foreign keys, busy timeout),
 * the schema and its migrations (table mm_schema_version), and small
 * helpers that turn SQLite failures into diagnostics naming the database.
 *
 * Every table is described in docs/engine.md. Nothing here commits on its
 * own: the caller owns the transaction (mmr_db_begin / commit / rollback),
 * so a failure anywhere leaves the database exactly as it was.
 */
#ifndef MMR_DB_H
#define MMR_DB_H
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>
#include "util/diag.h"

#define MMR_DB_SCHEMA_VERSION 8
#define MMR_DB_BUSY_MS_DEFAULT 5000

/* The index of mm_transaction by user and time (schema version 4). A bulk
 * load into a small table may drop it and make it again with this, after
 * the rows are in: one sort instead of a random insert per row. */
#define MMR_DB_TXN_INDEX_SQL "CREATE INDEX mm_transaction_user_ts ON mm_transaction(user_id, ts)"

#define MMR_DB_CACHE 8

typedef struct mmr_db {
    sqlite3 *h;
    char *path;          /* owned; as given (":memory:" for a scratch db) */
    int readonly;
    struct { const char *sql; sqlite3_stmt *st; } cache[MMR_DB_CACHE];   /* mmr_db_cached */
} mmr_db;

enum {
    MMR_DB_OPEN_RW = 0,       /* create if missing, WAL, migrate on demand */
    MMR_DB_OPEN_RO = 1,       /* read-only: the file must exist */
    MMR_DB_OPEN_MEMORY = 2    /* a private in-memory database (dry runs) */
};

/* One column of mm_signal_daily or mm_user_traits. type is an mmr_type. */
typedef struct mmr_db_column {
    const char *name;
    int type;
} mmr_db_column;

/* Open path. busy_ms <= 0 uses MMR_DB_BUSY_MS_DEFAULT. On failure returns
 * -1, *out NULL, and a diagnostic naming the file. A read-write open of a
 * read-only file is an error ("database is read-only"). */
int  mmr_db_open(mmr_db **out, const char *path, int mode, int busy_ms, mmr_diags *d);
void mmr_db_close(mmr_db *db);

/* A statement for sql, prepared once per connection and kept (compiling
 * it costs more than running it for the server's small queries: the feed
 * went from about 78 to 37 us a request). sql must live as long as db (a
 * string literal): it is the key. Give it back with mmr_db_uncache,
 * which resets it and clears its bindings (or finalizes it when the cache
 * was full). One user at a time, like the connection itself. */
int  mmr_db_cached(mmr_db *db, sqlite3_stmt **st, const char *sql, mmr_diags *d);
void mmr_db_uncache(mmr_db *db, sqlite3_stmt *st);

/* Open for the small commands (feed, settings, interact): read-only opens
 * require the current schema; read-write ones create or migrate it (in
 * its own transaction). Every table must exist. */
int  mmr_db_open_state(mmr_db **out, const char *path, int mode, int busy_ms, mmr_diags *d);

/* Schema version recorded in the database, 0 when it has no mmr schema.
 * -1 on error. */
int  mmr_db_version(mmr_db *db, int *version, mmr_diags *d);

/* Bring the schema up to MMR_DB_SCHEMA_VERSION inside the caller's
 * transaction. The input tables (mm_signal_daily, mm_user_traits) are
 * created with the std/moneymoments columns plus extra[] (the ruleset's
 * own signals and traits; duplicates ignored). A database newer than this
 * program is an error. 0 or -1. */
int  mmr_db_migrate(mmr_db *db, const mmr_db_column *extra_signals, size_t nsig,
                    const mmr_db_column *extra_traits, size_t ntraits, mmr_diags *d);

/* Check that every table of the schema exists (a database someone edited
 * by hand). 0 or -1 with one error per missing table. */
int  mmr_db_check_tables(mmr_db *db, mmr_diags *d);

/* PRAGMA quick_check: 0 when the file is sound, -1 with an error naming
 * what is damaged (and a hint) when it is not or cannot be read. It reads
 * every page: about a fifth of a run's time at 1M users, so `mmr run`
 * does it on a connection of its own while it evaluates. */
int  mmr_db_quick_check(mmr_db *db, mmr_diags *d);

/* Transactions. begin takes the write lock at once (BEGIN IMMEDIATE) in a
 * read-write database, so a locked database fails here, after the busy
 * timeout, before any work is done. */
int  mmr_db_begin(mmr_db *db, mmr_diags *d);
int  mmr_db_commit(mmr_db *db, mmr_diags *d);
void mmr_db_rollback(mmr_db *db);

int  mmr_db_exec(mmr_db *db, const char *sql, mmr_diags *d);
int  mmr_db_prepare(mmr_db *db, sqlite3_stmt **st, const char *sql, mmr_diags *d);
/* 1 if table exists, 0 if not, -1 on error. */
int  mmr_db_table_exists(mmr_db *db, const char *table, mmr_diags *d);

/* Add an error for the last SQLite failure: "DB: what: sqlite message",
 * with a plain-words explanation for locked / read-only / corrupt files. */
void mmr_db_error(mmr_db *db, mmr_diags *d, const char *what);

/* SQL column type for an mmr_type: REAL, INTEGER (bool) or TEXT (text,
 * and lists and maps, which are stored as JSON text). */
const char *mmr_db_sql_type(int type);

/* engine/sample_db.c: fill a state database with the deterministic sample
 * users of engine/sample.h (mmr gen --db): users 0..n-1 of seed in
 * mm_signal_daily for as_of and mm_user_traits, plus, by user index, some
 * muted categories (i % 10 == 3: dining; i % 23 == 5: shopping) and some
 * delivery history (i % 8 == 1: dining_overspend the day before at 10:00Z;
 * i % 8 == 2: budget_drift three days before at 09:00Z). One transaction:
 * 0, or -1 with nothing written. */
int mmr_sample_db_fill(const char *path, uint64_t n, uint64_t seed, const char *as_of, mmr_diags *d);

#endif
