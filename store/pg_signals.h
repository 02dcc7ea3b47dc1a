/* `mmr signals --db postgresql://…` and the signals step of `mmr run` on
 * PostgreSQL: the ruleset's derived signals from mm_transaction (with
 * mm_user_traits, mm_budget, mm_goal) into mm_signal_daily for one date,
 * replacing the date's derived columns, in one transaction, as
 * signals/snapdb.c does on SQLite (docs/scale.md, docs/signals.md).
 *
 * Two ways, the same rows:
 *   - in the database: the SQL of `--emit-sql postgresql`
 *     (signals/emit_sql.c) runs inside the transaction, so no transaction
 *     leaves the server. Used when every derived signal can be expressed.
 *   - in mmr: each user's transactions of the ruleset's reach come through
 *     a cursor (user_id order), the embedded computation (signals/compute.c)
 *     folds them, and the rows go back with COPY. The fallback for a
 *     construct SQL cannot express (bucketed aggregates, …).
 * No day rollups are kept on PostgreSQL (mm_signal_tile is SQLite's).
 */
#ifndef MMR_STORE_PG_SIGNALS_H
#define MMR_STORE_PG_SIGNALS_H
#include <stdint.h>
#include "compiler/ast.h"
#include "util/diag.h"

typedef enum mmr_pg_sig_mode {
    MMR_PG_SIG_AUTO = 0,     /* in the database when the SQL can say it, else in mmr */
    MMR_PG_SIG_SQL,          /* in the database, or an error */
    MMR_PG_SIG_ENGINE,       /* in mmr */
} mmr_pg_sig_mode;

typedef struct mmr_pg_sig_stats {
    uint64_t users;          /* rows written for the date */
    uint64_t transactions;   /* read by mmr (0 in the database) */
    int in_database;         /* 1: the SQL ran in the database */
} mmr_pg_sig_stats;

/* Connects to url, computes as_of's signals in one transaction, commits.
 * 0, or -1 with diagnostics and the database unchanged. */
int mmr_pg_signals_run(const mmr_unit *u, const char *url, const char *as_of, const char *zoneinfo,
                       mmr_pg_sig_mode mode, mmr_pg_sig_stats *st, mmr_diags *d);

/* For `mmr run`: 1 when the date needs signals derived (mm_signal_daily
 * lacks rows for it or a derived column, and mm_transaction, mm_budget or
 * mm_goal has rows), 0 when not (or there is no schema yet), -1 on error. */
int mmr_pg_signals_needed(const mmr_unit *u, const char *url, const char *as_of, mmr_diags *d);

#endif
