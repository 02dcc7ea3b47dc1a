/* `mmr ingest --db postgresql://…` (cli/cmd_ingest.c parses and checks the
 * records; this writes them): every record goes into a temporary staging
 * table with COPY, then into mm_transaction, mm_budget, mm_goal and
 * mm_user_traits with one statement each, all in one transaction, with
 * the results of ingest on SQLite: idempotent by txn_id (the same
 * transaction again is skipped, one with a field changed is an error
 * naming its line and the field), the last line of a budget, goal or
 * user wins. Any error: the caller rolls back, nothing is written.
 */
#ifndef MMR_STORE_PG_INGEST_H
#define MMR_STORE_PG_INGEST_H
#include <stddef.h>
#include "signals/snapfile.h"
#include "signals/txn.h"
#include "util/diag.h"

typedef struct mmr_pg_ingest mmr_pg_ingest;

/* Connects, begins, creates or checks the schema (with the traits of
 * std/moneymoments as columns of mm_user_traits, as a new SQLite
 * database has them) and the staging tables. -1 with an error. */
int  mmr_pg_ingest_open(mmr_pg_ingest **out, const char *url, mmr_diags *d);

/* One record each into its staging table; file is the index of the
 * transaction file (for messages). -1 on a database error. */
int  mmr_pg_ingest_txn(mmr_pg_ingest *ig, int file, const mmr_txn *t, const char *ts_text, size_t ts_len,
                       mmr_diags *d);
int  mmr_pg_ingest_budget(mmr_pg_ingest *ig, const char *user, const char *category, double limit,
                          const char *period, mmr_diags *d);
int  mmr_pg_ingest_goal(mmr_pg_ingest *ig, const char *user, const char *goal_id, const char *name, double target,
                        double saved, const char *deadline, long long priority, mmr_diags *d);

/* After the last transaction: each staged transaction whose txn_id is
 * stored (or earlier in the files) with another field is an error at its
 * file (files[file]) and line, in input order among the diagnostics
 * already in d; when there is none, the new ones are inserted. Counts as
 * on SQLite. -1 on a database error. */
int  mmr_pg_ingest_txn_done(mmr_pg_ingest *ig, const char *const *files, size_t nfiles,
                            unsigned long long *total, unsigned long long *added, unsigned long long *present,
                            mmr_diags *d);

/* Traits rows (each replaces its user's row; keys without a column are
 * warned about once and ignored). -1 on a database error. */
int  mmr_pg_ingest_traits(mmr_pg_ingest *ig, const mmr_traits_file *tf, const char *path, mmr_diags *d);

/* The staged budgets and goals into their tables, then COMMIT. */
int  mmr_pg_ingest_commit(mmr_pg_ingest *ig, mmr_diags *d);

/* Rolls back what was not committed, disconnects. */
void mmr_pg_ingest_close(mmr_pg_ingest *ig);

#endif
