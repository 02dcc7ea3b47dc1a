/* Derived signals inside `mmr test`: a test's `transactions [ ... ]`
 * become the user's history, and its expectations see the signals derived
 * from them as of the local day of the test's `at`. */
#ifndef MMR_SIGNALS_TESTSIG_H
#define MMR_SIGNALS_TESTSIG_H
#include <stdint.h>
#include <jansson.h>
#include "compiler/ast.h"
#include "signals/compute.h"
#include "util/buf.h"
#include "vm/program.h"

/* Fill regs (program slots) with the derived signals of test t at instant
 * now, leaving the signals the test gives in `given` as given. user_tz:
 * the test's tz trait or NULL. *explain gets a new JSON array, one object
 * per derived signal: {"signal","value","window","rows"} (window and rows
 * for aggregates only). 0, or -1 with msg set and *where the place. */
int mmr_testsig_fill(const mmr_unit *u, const mmr_program *p, mmr_sigcalc *calc,
                     const mmr_sigplan *plan, const mmr_test *t, int64_t now,
                     const char *user_tz, mmr_value *regs, mmr_arena *a,
                     json_t **explain, mmr_buf *msg, const mmr_loc **where);

/* One line per derived signal of an explain array, each indented by
 * `indent` spaces: "spend_this_week = 260 (this week: 2025-10-20 .. 2025-10-26
 * Asia/Kolkata, 1 transaction)". */
void mmr_testsig_render(mmr_buf *out, const json_t *explain, int indent);

#endif
