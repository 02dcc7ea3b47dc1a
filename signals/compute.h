/* Derived signals: from one user's transactions to the values of every
 * derived signal of a ruleset, as of one local day (docs/signals.md).
 *
 *   mmr_sigplan   what to compute, built once from a checked unit: the
 *                 aggregate signals (grouped into parts that share a
 *                 filter, field and group), their windows, and the
 *                 computed signals in dependency order. Read-only after
 *                 it is built, so threads may share it.
 *   mmr_sigcalc   per-thread scratch: the user's day tiles (per local day
 *                 and part: count, sum, sum of squares, min, max, first,
 *                 last, and per group key), interned texts, filter memo.
 *
 * A window is a fold of its days' tiles. Missing, not zero: count, sum,
 * count distinct and grouped maps are 0 / {} for a window with no rows,
 * unless the whole window lies before the user's first transaction, where
 * they are missing; every other aggregate is missing without rows.
 */
#ifndef MMR_SIGNALS_COMPUTE_H
#define MMR_SIGNALS_COMPUTE_H
#include <stddef.h>
#include <stdint.h>
#include "compiler/ast.h"
#include "signals/txn.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/diag.h"
#include "vm/value.h"

typedef struct mmr_sigplan mmr_sigplan;
typedef struct mmr_sigcalc mmr_sigcalc;

/* NULL when out of memory. A unit without derived signals gives a plan
 * with no outputs. The unit must outlive the plan. */
mmr_sigplan *mmr_sigplan_new(const mmr_unit *u);
void mmr_sigplan_free(mmr_sigplan *p);

/* The derived signals, sorted by name: their unit signal indexes. */
size_t mmr_sigplan_count(const mmr_sigplan *p);
size_t mmr_sigplan_signal(const mmr_sigplan *p, size_t i);
/* Days a window reaches back from the as-of day, at most (>= 1). */
int mmr_sigplan_reach(const mmr_sigplan *p);
/* 1 if some derived signal aggregates source (signals/source.h). */
int mmr_sigplan_uses(const mmr_sigplan *p, int source);
/* Days of history to keep (the policy's retention, default 90). */
int mmr_sigplan_retention(const mmr_sigplan *p);
/* The zone for users without a tz trait: the policy's, else "UTC". */
const char *mmr_sigplan_timezone(const mmr_sigplan *p);
/* Unit trait index of `tz`, or -1. */
int mmr_sigplan_tz_trait(const mmr_sigplan *p);
/* 40 hex digits naming what the day tiles hold (their parts): tiles made
 * under another spec are recomputed. */
const char *mmr_sigplan_spec(const mmr_sigplan *p);
/* The same as a positive 63-bit number (mm_signal_tile.spec). */
int64_t mmr_sigplan_spec_id(const mmr_sigplan *p);

/* zoneinfo NULL: /usr/share/zoneinfo. */
mmr_sigcalc *mmr_sigcalc_new(const mmr_sigplan *p, const char *zoneinfo);
void mmr_sigcalc_free(mmr_sigcalc *c);

/* One user's derived signals as of local day as_of_day (days since
 * 1970-01-01). txns in any order. tz: the user's zone name, NULL for the
 * plan's. traits: by unit trait index or NULL (computed signals may read
 * them). out[unit->nsignals]: the derived signals' slots are set (values
 * in a), the others are left alone; computed signals read them as they
 * are. 0, or -1 with a diagnostic (an unknown zone; out of memory). */
int mmr_sigcalc_user(mmr_sigcalc *c, const mmr_txn *txns, size_t n, const char *tz,
                     int64_t as_of_day, const mmr_value *traits, mmr_value *out,
                     mmr_arena *a, mmr_diags *d);

/* The same in steps, for rollups kept between runs (signals/snapdb.c):
 * begin a user; add transactions (only local days lo..hi are tiled; every
 * one counts for the user's first day) and/or put stored day tiles; tell
 * the first day when it is known from elsewhere; finish folds. */
void    mmr_sigcalc_begin(mmr_sigcalc *c, int64_t as_of_day);
int     mmr_sigcalc_add(mmr_sigcalc *c, const mmr_txn *txns, size_t n, const char *tz,
                        int64_t lo, int64_t hi, mmr_diags *d);
void    mmr_sigcalc_first_day(mmr_sigcalc *c, int64_t day);
/* The user's current budget or goal rows (source MMR_SRC_BUDGET or
 * MMR_SRC_GOAL), n rows of the source's fields each (signals/source.h;
 * progress and days_left are filled here). Copied. Without a call, or
 * with n == 0, that source's aggregates are missing. 0 or -1 (memory). */
int     mmr_sigcalc_rows(mmr_sigcalc *c, int source, const mmr_value *rows, size_t n);
int     mmr_sigcalc_finish(mmr_sigcalc *c, const mmr_value *traits, mmr_value *out, mmr_arena *a);
/* The local day of instant ts in zone tz (NULL: the plan's); INT64_MIN
 * with a diagnostic for an unknown zone. */
int64_t mmr_sigcalc_local_day(mmr_sigcalc *c, const char *tz, int64_t ts, mmr_diags *d);
/* One day's tile as bytes (after add or put), for mm_signal_tile. */
int     mmr_sigcalc_tile_get(mmr_sigcalc *c, int64_t day, mmr_buf *out);
/* A stored tile back into the day; -1 when the bytes are malformed (the
 * day is then empty: recompute it from transactions). */
int     mmr_sigcalc_tile_put(mmr_sigcalc *c, int64_t day, const void *data, size_t len);

/* Evaluate the computed signals again over out (after some derived values
 * were replaced, as a test's `given` does), except those with fixed[s]. */
void mmr_sigplan_recompute(const mmr_sigplan *p, const mmr_value *traits, mmr_value *out,
                           const unsigned char *fixed, mmr_arena *a);

/* After mmr_sigcalc_user: for unit signal index s (a derived aggregate),
 * its window as local days and how many transactions went into it. 0, or
 * -1 for a computed signal. */
int mmr_sigcalc_window(const mmr_sigcalc *c, size_t s, int64_t *first_day, int64_t *last_day,
                       uint64_t *rows);

/* The window of derived aggregate s (unit signal index) as local days,
 * for an as-of day. 0, or -1 for a computed signal. */
int mmr_sigplan_window(const mmr_sigplan *p, size_t s, int64_t as_of_day, int64_t *first_day, int64_t *last_day);

/* The local day (days since 1970-01-01) of as-of text "YYYY-MM-DD". */
int mmr_sig_day_parse(const char *s, int64_t *day);

#endif
