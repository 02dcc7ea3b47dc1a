/* The standard functions: one table drives the type checker, the code
 * generator, the VM's CALL and the docs. */
#ifndef MMR_BUILTINS_H
#define MMR_BUILTINS_H
#include <stddef.h>
#include "vm/value.h"
#include "util/arena.h"

typedef struct mmr_builtin_ctx {
    mmr_arena *scratch;          /* for texts the function makes */
} mmr_builtin_ctx;

/* args are never missing unless the builtin is MISSING_AWARE: the VM
 * returns missing on a missing argument before calling. */
typedef void (*mmr_builtin_fn)(mmr_value *dst, const mmr_value *args,
                               unsigned nargs, mmr_builtin_ctx *ctx);

/* Type rule: given argument types (mmr_type values), return the result
 * type, or MMR_T_ERROR (0) with *why set to a message. */
typedef int (*mmr_builtin_typer)(const int *arg_types, unsigned nargs, const char **why);

typedef struct mmr_builtin {
    const char *name;
    unsigned min_args, max_args;
    mmr_builtin_typer typer;
    mmr_builtin_fn fn;
    const char *signature;       /* "pct_change(new: number, old: number) -> number" */
    const char *doc;             /* one line, for docs and hover */
} mmr_builtin;

extern const mmr_builtin mmr_builtins[];
extern const unsigned mmr_nbuiltins;

/* Number kernels of abs, min, max, ratio and pct_change: the builtins
 * below and the VM's inline opcodes (ABS, MIN, MAX, RATIO, PCTCHG) both
 * use them, so the two give the same results. Arguments are present
 * numbers; NaN out means missing (mmr_v_num turns it, and inf, into
 * missing). */
static inline double mmr_num_abs(double x) { return fabs(x); }
static inline double mmr_num_min(double m, double x) { return x < m ? x : m; }
static inline double mmr_num_max(double m, double x) { return x > m ? x : m; }
static inline double mmr_num_ratio(double a, double b) { return b == 0 ? (double)NAN : a / b; }
static inline double mmr_num_pct_change(double nw, double old) { return old == 0 ? (double)NAN : (nw - old) / old; }

/* Index by name, or -1. */
int mmr_builtin_find(const char *name);

/* Standard schemas embedded in the binary: "std/moneymoments" -> source. */
const char *mmr_std_source(const char *import_path, size_t *len);

#endif
