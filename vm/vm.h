/* The VM: runs a program's rules for one user at a time. A mmr_vm is a
 * reusable per-thread frame; nothing in it is shared between threads. */
#ifndef MMR_VM_H
#define MMR_VM_H
#include "vm/program.h"

typedef struct mmr_candidate {
    uint32_t rule;               /* index into program->rules */
    uint32_t nargs;
    const mmr_value *args;       /* valid until the next mmr_vm_run */
    /* A per-key rule (`for each K in MAP where ...`) gives one candidate
     * per key that satisfies it: key is that key (MMR_V_TEXT, valid until
     * the next mmr_vm_run). Every other rule: key is missing. rank is the
     * value of the rule's `rank by` for this key (MMR_V_NUM), or missing
     * (no `rank by`, or its value was missing). */
    mmr_value key;
    mmr_value rank;
} mmr_candidate;

typedef struct mmr_trace_rec {
    uint32_t cond;               /* index into program->conds */
    int8_t truth;                /* 1, 0, -1 = unknown */
    uint8_t nops;
    mmr_value ops[3];            /* operand values (lhs, rhs, between's upper) */
    mmr_value value;             /* the traced register itself (a number let, a call's result) */
} mmr_trace_rec;

/* One code array as the VM runs it (built by mmr_vm_init; see vm.c). */
struct mmr_xinsn;
typedef struct mmr_vm_code {
    struct mmr_xinsn *start;     /* private threaded code, ends in a HALT */
    /* Registers each run sets to missing first: lets and temporaries this
     * code might read before writing them (found by a data-flow pass). */
    uint32_t *clear;  uint32_t nclear;
    uint8_t has_let;             /* LET: bump the epoch each run */
    uint8_t has_call;            /* CALL: builtins may allocate scratch */
    uint8_t has_next;            /* NEXT: reset the step bound each run */
    uint8_t prologue;            /* any of the above: the run's slow prologue */
} mmr_vm_code;

typedef struct mmr_vm {
    const mmr_program *prog;
    mmr_value *regs;             /* nregs; regs[0..nslots) are the inputs */
    uint32_t *let_epoch;         /* let i computed when let_epoch[i] == epoch */
    uint32_t epoch;
    uint32_t *ret_stack;
    uint32_t sp;                 /* return stack depth, in a run */
    uint32_t steps;              /* NEXT steps left, in a run */
    /* Both code arrays, decoded into the VM's private threaded form with
     * the hottest instructions specialised (see vm.c): xc[0] and xc[1]
     * point into code. */
    struct mmr_xinsn *code;
    mmr_vm_code xc[2];
    mmr_arena scratch;           /* strings made by builtins; reset per run */
    mmr_candidate *cands; size_t ncands, cands_cap;
    mmr_value *argbuf;    size_t nargbuf, argbuf_cap;
    mmr_trace_rec *trace; size_t ntrace, trace_cap;
    char error[128];             /* why the last mmr_vm_run failed */
} mmr_vm;

int  mmr_vm_init(mmr_vm *vm, const mmr_program *p);
void mmr_vm_free(mmr_vm *vm);
/* Set every input to missing (call before filling a new user's inputs). */
void mmr_vm_clear_inputs(mmr_vm *vm);
/* Run all rules on regs[0..nslots). traced=1 runs code[1] and fills trace.
 * Returns 0, or -1 on out-of-memory or a broken program, with vm->error
 * saying which ("out of memory", "corrupt iterator state at pc 12", ...). */
int  mmr_vm_run(mmr_vm *vm, int traced);

/* The order among the candidates of one per-key rule (docs/language.md):
 * rank desc, a candidate without a rank after those with one, then key
 * asc, bytewise. <0 when a goes first, >0 when b does, 0 when equal. */
int  mmr_candidate_key_cmp(const mmr_candidate *a, const mmr_candidate *b);

#endif
