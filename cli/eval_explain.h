/* `mmr eval --explain` output (docs/eval.md): every rule's conditions
 * with their operand values and truth, the lets, the derived signals, and
 * under each condition its details from the traced code: a quantifier's
 * steps (each key with its predicate's conditions, at most
 * EVAL_EXPLAIN_MAX_KEYS, then how many more) and each call's arguments
 * and result. */
#ifndef MMR_CLI_EVAL_EXPLAIN_H
#define MMR_CLI_EVAL_EXPLAIN_H
#include <stddef.h>
#include <stdint.h>
#include "engine/snapshot.h"
#include "signals/explain.h"
#include "util/buf.h"
#include "vm/vm.h"

#define EVAL_EXPLAIN_MAX_KEYS 20
#define EVAL_EXPLAIN_MAX_DEPTH 64     /* levels of details shown */

/* Which details belong to which trace record: per-thread scratch, reused
 * user after user. Zero-initialise; free with eval_tree_free. */
typedef struct eval_tree {
    uint32_t *child, *sib, *next;   /* per trace record */
    size_t cap;
    uint32_t *head;                 /* per owner (rules, then lets) */
    size_t ocap;
} eval_tree;

/* Link vm's trace into t; -1 when out of memory. */
int  eval_tree_build(eval_tree *t, const mmr_program *p, const mmr_vm *vm);
void eval_tree_free(eval_tree *t);

/* ,"explain":[...],"lets":[...] of one user's JSON line */
void eval_explain_json(mmr_buf *o, const mmr_program *p, const mmr_vm *vm, const eval_tree *t,
                       const mmr_sigexplain *sx, const mmr_sigexplain_user *sxu);
/* A candidate's name: `rule`, or `rule["KEY"]` for one key of a
 * per-key rule (text) / "rule" or {"rule":..,"key":..,"rank":..} (JSON;
 * "rank" only when the candidate has one). */
void eval_cand_text(mmr_buf *o, const mmr_program *p, const mmr_candidate *c);
void eval_cand_json(mmr_buf *o, const mmr_program *p, const mmr_candidate *c);
/* Sorts idx[0..n) (indexes into vm->cands) into decision order: the
 * rule's position in rank[] (priority order), then within one per-key
 * rule mmr_candidate_key_cmp. */
void eval_cand_sort(uint32_t *idx, size_t n, const mmr_vm *vm, const uint32_t *rank);
/* The text form: order[0..n) the candidates (indexes into vm->cands) in
 * priority order. */
void eval_explain_text(mmr_buf *o, const mmr_program *p, const mmr_vm *vm, const eval_tree *t,
                       const mmr_snap_user *u, const uint32_t *order, size_t n,
                       const mmr_sigexplain *sx, const mmr_sigexplain_user *sxu);

#endif
