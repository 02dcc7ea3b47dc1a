/* `mmr run`'s responsiveness signals (docs/signals.md, "Responsiveness").
 *
 * Per user, the formula of signals/responsiveness.h over the user's rows
 * of mm_nudge_interaction_log as seen at the run's now: `responsiveness`
 * over all of them (0 without any), `responsiveness_by_category` per
 * category (each interaction's category is its delivery's, in
 * mm_nudge_delivery_log; a category without interactions has no key).
 *
 * The engine computes them: they are no columns of mm_signal_daily. A
 * column of that name there, or a value in a --signals file, is ignored
 * with a warning: the computed value wins.
 */
#ifndef MMR_ENGINE_RESPONSIVENESS_LOAD_H
#define MMR_ENGINE_RESPONSIVENESS_LOAD_H
#include <stdint.h>
#include "engine/db.h"
#include "util/arena.h"
#include "util/diag.h"
#include "vm/program.h"
#include "vm/value.h"

typedef struct mmr_resp_loader mmr_resp_loader;

/* A loader over db for the slots of p that the code reads (used[slot]
 * nonzero), or *out NULL when it reads neither signal. Those slots'
 * used[] entries are cleared: they are not input columns to bind.
 * from_table: the users come from mm_signal_daily in user_id order (one
 * ordered scan, merged; a column of mm_signal_daily named like a computed
 * signal gets a warning); 0: any order (a look-up per user). 0, or -1
 * with a diagnostic. */
int  mmr_resp_loader_open(mmr_resp_loader **out, const mmr_program *p, unsigned char *used, mmr_db *db,
                          int64_t now, int from_table, mmr_diags *d);

/* The user's values into regs (the map in arena a). A value already
 * there (a --signals file's) is replaced, with one warning per run at
 * `where`. 0, or -1 with a diagnostic (a bad interaction timestamp, a
 * database error). */
int  mmr_resp_loader_user(mmr_resp_loader *l, const char *user, mmr_value *regs, mmr_arena *a,
                          const char *where, mmr_diags *d);

/* For a store that reads the interaction rows itself (PostgreSQL): open
 * with db NULL, then per user begin, one row call per interaction
 * (category: its delivery's), and end, which sets the values in regs as
 * mmr_resp_loader_user does. label names the database in messages. */
void mmr_resp_loader_begin(mmr_resp_loader *l);
int  mmr_resp_loader_row(mmr_resp_loader *l, const char *user, const char *category, size_t category_len,
                         const char *action, const char *at, size_t at_len, mmr_arena *a, mmr_diags *d);
int  mmr_resp_loader_end(mmr_resp_loader *l, const char *user, mmr_value *regs, mmr_arena *a,
                         const char *where, mmr_diags *d);
void mmr_resp_loader_set_label(mmr_resp_loader *l, const char *label);

/* Finalizes the statements (before the reader's transaction ends). */
void mmr_resp_loader_free(mmr_resp_loader *l);

#endif
