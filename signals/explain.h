/* Derived signals in `mmr eval --explain` (docs/eval.md): for each rule,
 * the derived signals its conditions read, and for one user, each one's
 * window in the user's local time and how many transactions went into it.
 *
 *   mmr_sigexplain       built once from a checked unit and the program
 *                        compiled from the same sources; read-only after,
 *                        so threads may share it.
 *   mmr_sigexplain_user  per-thread scratch: one user's as-of day, zone and
 *                        row counts (the snapshot line's "rows" object).
 *
 * Nothing here is used unless explain is on: plain evaluation never
 * touches it.
 */
#ifndef MMR_SIGNALS_EXPLAIN_H
#define MMR_SIGNALS_EXPLAIN_H
#include <stddef.h>
#include <stdint.h>
#include "compiler/ast.h"
#include "util/timeutil.h"
#include "vm/program.h"
#include "vm/value.h"

typedef struct mmr_sigexplain mmr_sigexplain;
typedef struct mmr_sigexplain_user mmr_sigexplain_user;

/* u: checked, without errors; p: compiled from the same sources. Takes
 * the unit: it is freed with the result, or here when the result is NULL.
 * NULL when the unit declares no derived signals (or p is not compiled
 * from it: a signal has no register), or out of memory
 * (*oom = 1). */
mmr_sigexplain *mmr_sigexplain_new(mmr_unit *u, const mmr_program *p, int *oom);
void mmr_sigexplain_free(mmr_sigexplain *x);

/* The derived signals program rule r reads: those its `when` and
 * `audience` name, directly or through lets, and the derived inputs of
 * the computed ones among them. Item indexes, in name order. */
size_t mmr_sigexplain_rule(const mmr_sigexplain *x, uint32_t r, const uint32_t **items);

mmr_sigexplain_user *mmr_sigexplain_user_new(const mmr_sigexplain *x);
void mmr_sigexplain_user_free(mmr_sigexplain_user *s);

/* Set up one user: as_of "YYYY-MM-DD" or NULL; rec[len] the snapshot
 * record (its "rows" object is read when ndjson; else the rows are
 * unknown); regs the VM's input registers (the user's tz trait). The zone
 * stays valid while regs do. */
void mmr_sigexplain_user_set(const mmr_sigexplain *x, mmr_sigexplain_user *s, const char *as_of,
                             const char *rec, size_t len, int ndjson, const mmr_value *regs);

typedef struct mmr_sigexplain_item {
    const char *name;
    uint32_t slot;                 /* its input register (the value) */
    int computed;                  /* signal NAME = EXPR */
    /* aggregates */
    const char *source;            /* "transaction", "budget", "goal" */
    int64_t rows;                  /* rows that went into it; -1 unknown */
    /* windowed aggregates (transactions); window NULL for the others */
    const char *window;            /* "previous week", "last 7d" */
    char from[MMR_TIME_BUF], to[MMR_TIME_BUF];   /* "YYYY-MM-DD"; "" without as_of */
    const char *zone;              /* the user's tz trait, else the ruleset's zone */
    /* computed signals: the signals their expression reads, in name order */
    const char *const *inputs; size_t ninputs;
} mmr_sigexplain_item;

void mmr_sigexplain_get(const mmr_sigexplain *x, const mmr_sigexplain_user *s, uint32_t item,
                        mmr_sigexplain_item *out);

#endif
