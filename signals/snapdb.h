/* `mmr signals --db` and the first step of `mmr run`: derived signals from
 * mm_transaction into mm_signal_daily for one date (docs/signals.md).
 *
 * Each user's transactions of the ruleset's reach (the longest window,
 * at most the retention) are read through the (user_id, ts) index and
 * folded by the same code as the file mode. The date's derived columns are
 * upserted (columns the ruleset adds are created); other columns of those
 * rows (plain signals loaded upstream) are kept. Rows of mm_signal_daily
 * and mm_signal_tile older than the retention are deleted in the same
 * transaction. */
#ifndef MMR_SIGNALS_SNAPDB_H
#define MMR_SIGNALS_SNAPDB_H
#include <stdint.h>
#include "compiler/ast.h"
#include "engine/db.h"
#include "util/diag.h"

typedef struct mmr_snapdb_stats {
    uint64_t users, transactions;
    uint64_t tiles_built, tiles_reused;   /* user-days folded from transactions / from rollups */
    uint64_t deleted_rows;                /* past the retention */
} mmr_snapdb_stats;

/* After a zone failed to load: make the last diagnostic say where it came
 * from (user's tz in mm_user_traits, or the policy timezone when tz NULL). */
void mmr_snapdb_bad_zone(mmr_diags *d, const char *user, const char *tz);

/* Inside the caller's transaction on an open, migrated database. */
int mmr_snapdb_compute(mmr_db *db, const mmr_unit *u, const char *as_of, const char *zoneinfo,
                       mmr_snapdb_stats *st, mmr_diags *d);

/* Opens (creating or migrating) path, computes in one transaction, commits.
 * 0, or -1 with diagnostics and the database unchanged. */
int mmr_snapdb_run(const mmr_unit *u, const char *path, const char *as_of, int busy_ms,
                   const char *zoneinfo, mmr_snapdb_stats *st, mmr_diags *d);

/* 1 if mm_signal_daily has rows for as_of with every derived column of u,
 * 0 if not, -1 on error. */
int mmr_snapdb_has_date(mmr_db *db, const mmr_unit *u, const char *as_of, mmr_diags *d);

/* 1 if the database has any transaction, budget or goal to derive from,
 * 0 if not (its signals come from elsewhere), -1 on error. */
int mmr_snapdb_has_sources(mmr_db *db, mmr_diags *d);

#endif
