/* Deterministic sample transactions, traits, budgets and goals (`mmr gen
 * --transactions`, `--traits`, `--budgets`, `--goals`), for the derived
 * signals' benchmarks and tests (docs/signals.md, "Sample data").
 *
 * Users u1..uN over the `days` local days ending with the as-of day. Each
 * user has a profile drawn from (seed, user) alone: a zone (Asia/Kolkata
 * mostly; New York, London, Tokyo; ~10% without a tz trait, who follow the
 * policy zone Asia/Kolkata), daily rates per category, salary (about 1.2
 * times the user's typical month of spending), rent, bills and
 * subscriptions on fixed days of the month, and flags: chai drinkers
 * (many expenses under 10), weekly spikers, travellers, new users whose
 * history starts in the last two weeks, a few with no transactions at all
 * (traits only). A day's transactions are drawn from (seed, user, calendar
 * day), so a given day is the same whatever the as-of date (only where a
 * user's history starts depends on it) and whatever the thread count.
 *
 * Records are sorted by ts within a user; users come in byte order of
 * their ids (mmr_txgen_order_next). ts is written in the user's local
 * offset at that instant (DST-correct), or with Z for ~10% of users (and
 * ~2% of the others' records). txn_id is "t" + uid * 10^6 + (day mod
 * 10^4) * 100 + k (k the record's rank in its user's local day), unique
 * and stable across as-of dates.
 *
 * No global state: a generator holds its zones and scratch space and may
 * be used by one thread at a time; use one per thread.
 */
#ifndef MMR_SIGNALS_SAMPLE_TXN_H
#define MMR_SIGNALS_SAMPLE_TXN_H
#include <stddef.h>
#include <stdint.h>
#include "util/buf.h"
#include "util/diag.h"

typedef struct mmr_txgen mmr_txgen;

typedef enum mmr_txgen_format { MMR_TXGEN_NDJSON = 0, MMR_TXGEN_CSV = 1 } mmr_txgen_format;

/* as_of "YYYY-MM-DD" (NULL: 2025-10-26); days of history (>= 1, <= 3650).
 * NULL with a diagnostic on a bad date or out of memory. */
mmr_txgen *mmr_txgen_new(uint64_t seed, const char *as_of, int days, mmr_diags *d);
void mmr_txgen_free(mmr_txgen *g);

/* User numbers 1..n in byte order of their ids ("u1", "u10", "u100", ...,
 * "u2"): 0 gives the first, the last gives 0. */
uint64_t mmr_txgen_order_next(uint64_t cur, uint64_t n);

/* Append user uid's (>= 1) transactions to b, one record a line. *count
 * (may be NULL) gets how many. 0, or -1 out of memory (b->oom or the
 * generator's scratch). */
int mmr_txgen_write_user(mmr_txgen *g, uint64_t uid, mmr_txgen_format fmt, mmr_buf *b, size_t *count);
/* "txn_id,user_id,ts,amount,type,category,merchant,recurring\n" */
void mmr_txgen_csv_header(mmr_buf *b);

/* Append user uid's traits line:
 * {"user_id":"u1","traits":{"age_band":"25-34",...,"tz":"Asia/Kolkata"}} */
void mmr_txgen_write_traits(const mmr_txgen *g, uint64_t uid, mmr_buf *b);

/* Append user uid's budgets (`mmr gen --budgets`), one NDJSON line each as
 * `mmr ingest --budgets` takes them; ~70% of users have 2-5, for expense
 * categories drawn by their share of the user's typical month, each limit
 * about that category's typical monthly spend (65-90% of it for the 30%
 * who plan tight, 100-145% for the others), period "month". From (seed,
 * user) alone. Returns how many. */
size_t mmr_txgen_write_budgets(const mmr_txgen *g, uint64_t uid, mmr_buf *b);

/* Append user uid's goals (`mmr gen --goals`), as `mmr ingest --goals`
 * takes them; ~80% of users have 1-3: goal_id g1.., distinct names from a
 * list, targets 10k-500k, saved from 0 to 125% of the target, priorities
 * 1..n shuffled, a deadline for ~85% (15-715 days after the as-of date;
 * 8% of them 1-60 days before it). Returns how many. */
size_t mmr_txgen_write_goals(const mmr_txgen *g, uint64_t uid, mmr_buf *b);

#endif
