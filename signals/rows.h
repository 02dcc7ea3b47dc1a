/* Budget and goal rows from NDJSON files (`mmr signals --budgets/--goals`)
 * and from the state database (mm_budget, mm_goal), as rows of the
 * source's fields (signals/source.h) for mmr_sigcalc_rows.
 *
 * Lines are the ones `mmr ingest` takes:
 *   {"user_id":"u1","category":"Food & Dining","limit":5000,"period":"month"}
 *   {"user_id":"u1","goal_id":"g1","name":"Goa Trip","target":50000,"saved":12000,
 *    "deadline":"2026-03-01","priority":1}
 */
#ifndef MMR_SIGNALS_ROWS_H
#define MMR_SIGNALS_ROWS_H
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>
#include "engine/db.h"
#include "util/arena.h"
#include "util/diag.h"
#include "vm/value.h"

/* A small NDJSON file (traits, budgets, goals), one parsed line at a time.
 * open refuses what is not a regular file; next skips blank lines. */
typedef struct mmr_jsonl {
    FILE *f;
    const char *path;
    char *line; size_t cap;
    long ln;                     /* the line just read */
} mmr_jsonl;
/* 0, or -1 with "PATH: not a regular file" / "PATH: cannot open: why". */
int  mmr_jsonl_open(mmr_jsonl *r, const char *path, mmr_diags *d);
/* 1 and *o (the caller's reference), 0 at the end, -1 for invalid JSON
 * (a diagnostic with the line and column; next may be called again). */
int  mmr_jsonl_next(mmr_jsonl *r, json_t **o, mmr_diags *d);
/* Closes; -1 with a diagnostic when reading failed on the way. */
int  mmr_jsonl_close(mmr_jsonl *r, mmr_diags *d);

typedef struct mmr_rowfile {
    int source;                  /* MMR_SRC_BUDGET or MMR_SRC_GOAL */
    mmr_value *rows; size_t n;   /* n rows of the source's fields, sorted by user_id */
    mmr_arena arena;
} mmr_rowfile;

/* 0, or -1 with diagnostics naming FILE:LINE. */
int  mmr_rowfile_load(mmr_rowfile *f, int source, const char *path, mmr_diags *d);
void mmr_rowfile_free(mmr_rowfile *f);
/* The rows of one user: *rows (in f) and the count. */
size_t mmr_rowfile_user(const mmr_rowfile *f, const char *user, size_t len, const mmr_value **rows);

/* One user's rows from the database, into a (vals arena-allocated).
 * -1 with a diagnostic on an SQLite error. */
typedef struct mmr_rowdb { sqlite3_stmt *st; int source; } mmr_rowdb;
int  mmr_rowdb_open(mmr_rowdb *r, mmr_db *db, int source, mmr_diags *d);
int  mmr_rowdb_user(mmr_rowdb *r, mmr_db *db, const char *user, size_t len, mmr_arena *a,
                    mmr_value **rows, size_t *n, mmr_diags *d);
void mmr_rowdb_close(mmr_rowdb *r);

#endif
