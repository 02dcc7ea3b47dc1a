/* A tree-walking evaluator of checked expressions, for the signals stage:
 * filters over one transaction (names are fields) and computed signals
 * (names are other signals, traits or lets). Same meaning as the VM:
 * Kleene logic, missing through arithmetic and functions, the stdlib
 * table for calls. Rules themselves never run here: they run on the VM. */
#ifndef MMR_SIGNALS_EVAL_H
#define MMR_SIGNALS_EVAL_H
#include "compiler/ast.h"
#include "vm/value.h"
#include "util/arena.h"

typedef struct mmr_sig_env {
    const mmr_unit *unit;          /* lets */
    const mmr_value *fields;       /* MMR_REF_FIELD values, or NULL */
    const mmr_value *signals;      /* by unit signal index, or NULL (missing) */
    const mmr_value *traits;       /* by unit trait index, or NULL (missing) */
    mmr_arena *scratch;            /* texts, lists and maps made on the way */
} mmr_sig_env;

mmr_value mmr_sig_eval(const mmr_sig_env *env, const mmr_expr *e);

#endif
