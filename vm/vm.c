/* The register VM. One dense loop with computed-goto dispatch (GNU C
 * labels-as-values; a plain switch elsewhere). The program was verified
 * when the VM was set up (mmr_vm_init), so operands are in range; what
 * remains checked at run time is what only run time knows: value tags,
 * the return stack, and a bound on quantifier steps. */
#include <stdlib.h>
#include <string.h>
#include "vm/vm.h"
#include "stdlib/builtins.h"

#if defined(__GNUC__) && !defined(MMR_VM_SWITCH)
#define MMR_CGOTO 1
#endif

#if defined(__GNUC__)
#define LIKELY(x)   __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define LIKELY(x)   (x)
#define UNLIKELY(x) (x)
#endif

/* Upper bound on NEXT steps in one run: a verified program's loops all go
 * through NEXT, so this bounds any run even of hostile bytecode. */
#define MMR_VM_MAX_STEPS (1u << 24)

/* Comparison outcomes: 0 less, 1 equal, 2 greater, 3 unordered/unknown.
 * CMPMASK(c): which of the ordered outcomes make comparison c true. */
#define CMPMASK(c) ((c) == MMR_CMP_EQ ? 2u : (c) == MMR_CMP_NE ? 5u : \
                    (c) == MMR_CMP_LT ? 1u : (c) == MMR_CMP_LE ? 3u : \
                    (c) == MMR_CMP_GT ? 4u : (c) == MMR_CMP_GE ? 6u : 0u)
/* JUMPMASK(c, p): outcomes on which JCMPK with comparison c and polarity
 * p jumps (bit 3 = unknown). */
#define JUMPMASK(c, p) ((p) == MMR_POL_TRUE ? CMPMASK(c) : \
                        (p) == MMR_POL_FALSE ? (~CMPMASK(c) & 7u) : \
                        (p) == MMR_POL_NOT_TRUE ? ((~CMPMASK(c) & 7u) | 8u) : \
                        (p) == MMR_POL_NOT_FALSE ? (CMPMASK(c) | 8u) : 0u)
#define JM_ROW(c) JUMPMASK(c, 0), JUMPMASK(c, 1), JUMPMASK(c, 2), JUMPMASK(c, 3), \
                  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
/* indexed by the D operand: comparison | polarity << 4 */
static const uint8_t jcmpk_mask[256] = {
#define JM_COL(p) JUMPMASK(0, p), JUMPMASK(1, p), JUMPMASK(2, p), JUMPMASK(3, p), \
                  JUMPMASK(4, p), JUMPMASK(5, p), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    JM_COL(0), JM_COL(1), JM_COL(2), JM_COL(3)
#undef JM_COL
};
#undef JM_ROW

/* Truth-value jumps: outcomes 0 false, 1 true, 2 unknown. */
static const uint8_t jif_mask[4] = {
    [MMR_POL_TRUE] = 2u, [MMR_POL_FALSE] = 1u,
    [MMR_POL_NOT_TRUE] = 5u, [MMR_POL_NOT_FALSE] = 6u,
};

static inline unsigned num_outcome(double x, double y)
{
    return 3u - 3u * (x < y) - 2u * (x == y) - (unsigned)(x > y);
}

/* Outcome of comparing any two values. Numbers compare numerically,
 * texts bytewise, bools as 0 < 1; missing or mixed kinds are unknown. */
static unsigned value_outcome(const mmr_value *x, const mmr_value *y)
{
    if (x->tag == MMR_V_NUM && y->tag == MMR_V_NUM) return num_outcome(x->u.num, y->u.num);
    if (x->tag != y->tag) return 3;
    switch (x->tag) {
    case MMR_V_TEXT: {
        int c = mmr_text_cmp(x->u.text, y->u.text);
        return c < 0 ? 0u : c == 0 ? 1u : 2u;
    }
    case MMR_V_BOOL: {
        int a = x->u.i != 0, b = y->u.i != 0;
        return a < b ? 0u : a == b ? 1u : 2u;
    }
    default:
        return 3;
    }
}

static inline mmr_value outcome_value(unsigned cmp, unsigned o)
{
    if (o >= 3) return mmr_v_missing();
    return mmr_v_bool((CMPMASK(cmp) >> o) & 1u);
}

/* -1 unknown, else the value of `needle in list` (missing items ignored) */
static int list_contains(const mmr_value *needle, const mmr_value *list)
{
    if (needle->tag == MMR_V_MISSING || list->tag != MMR_V_LIST || !list->u.list) return -1;
    const mmr_list *l = list->u.list;
    for (uint32_t i = 0; i < l->n; i++) {
        const mmr_value *it = &l->items[i];
        if (it->tag != needle->tag) continue;
        if (it->tag == MMR_V_TEXT) { if (mmr_text_eq(it->u.text, needle->u.text)) return 1; }
        else if (it->tag == MMR_V_NUM) { if (it->u.num == needle->u.num) return 1; }
        else if (it->tag == MMR_V_BOOL) { if ((it->u.i != 0) == (needle->u.i != 0)) return 1; }
    }
    return 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap : 8;
    while (nc < need) {
        if (nc > ((size_t)-1 / 2) / elem) return -1;
        nc *= 2;
    }
    void *q = realloc(*p, nc * elem);
    if (!q) return -1;
    *p = q;
    *cap = nc;
    return 0;
}

/* argbuf holds the arguments of every candidate of a run; on growth the
 * candidates' pointers are moved to the new buffer. */
static int argbuf_reserve(mmr_vm *vm, size_t need)
{
    if (need <= vm->argbuf_cap) return 0;
    size_t nc = vm->argbuf_cap ? vm->argbuf_cap : 16;
    while (nc < need) {
        if (nc > ((size_t)-1 / 2) / sizeof(mmr_value)) return -1;
        nc *= 2;
    }
    mmr_value *nb = malloc(nc * sizeof *nb);
    if (!nb) return -1;
    if (vm->nargbuf) memcpy(nb, vm->argbuf, vm->nargbuf * sizeof *nb);
    for (size_t i = 0; i < vm->ncands; i++)
        if (vm->cands[i].args) vm->cands[i].args = nb + (vm->cands[i].args - vm->argbuf);
    free(vm->argbuf);
    vm->argbuf = nb;
    vm->argbuf_cap = nc;
    return 0;
}

int mmr_vm_init(mmr_vm *vm, const mmr_program *p)
{
    memset(vm, 0, sizeof *vm);
    if (!p) return -1;
    mmr_diags d;
    mmr_diags_init(&d);
    int bad = mmr_verify(p, "program", &d) != 0;
    mmr_diags_free(&d);
    if (bad) return -1;
    vm->prog = p;
    size_t nregs = p->nregs ? p->nregs : 1;
    vm->regs = malloc(nregs * sizeof *vm->regs);
    vm->let_epoch = calloc(p->nlets ? p->nlets : 1, sizeof *vm->let_epoch);
    vm->ret_stack = malloc((p->max_call_depth ? p->max_call_depth : 1) * sizeof *vm->ret_stack);
    if (!vm->regs || !vm->let_epoch || !vm->ret_stack) { mmr_vm_free(vm); return -1; }
    for (size_t i = 0; i < nregs; i++) vm->regs[i] = mmr_v_missing();
    mmr_arena_init(&vm->scratch, 0);
    size_t nargs = 0;
    for (uint32_t i = 0; i < p->nrules; i++) nargs += p->rules[i].nargs;
    if (grow((void **)&vm->cands, &vm->cands_cap, p->nrules ? p->nrules : 1, sizeof *vm->cands) ||
        argbuf_reserve(vm, nargs ? nargs : 1)) {
        mmr_vm_free(vm);
        return -1;
    }
    return 0;
}

void mmr_vm_free(mmr_vm *vm)
{
    if (!vm) return;
    free(vm->regs);
    free(vm->let_epoch);
    free(vm->ret_stack);
    free(vm->cands);
    free(vm->argbuf);
    free(vm->trace);
    mmr_arena_free(&vm->scratch);
    memset(vm, 0, sizeof *vm);
}

void mmr_vm_clear_inputs(mmr_vm *vm)
{
    if (!vm->prog) return;
    for (uint32_t i = 0; i < vm->prog->nslots; i++) vm->regs[i] = mmr_v_missing();
}

int mmr_vm_run(mmr_vm *vm, int traced)
{
    const mmr_program *p = vm->prog;
    if (!p) return -1;
    const mmr_code *cd = &p->code[traced ? 1 : 0];
    vm->ncands = 0;
    vm->nargbuf = 0;
    vm->ntrace = 0;
    mmr_arena_reset(&vm->scratch);
    if (++vm->epoch == 0) {
        memset(vm->let_epoch, 0, (p->nlets ? p->nlets : 1) * sizeof *vm->let_epoch);
        vm->epoch = 1;
    }
    if (!cd->n) return 0;

    mmr_value *const R = vm->regs;
    const mmr_value *const K = p->consts;
    const mmr_insn *const code = cd->insns;
    const mmr_insn *ip = code;
    const uint32_t nslots = p->nslots;
    const uint32_t epoch = vm->epoch;
    uint32_t *const let_epoch = vm->let_epoch;
    uint32_t *const rstack = vm->ret_stack;
    const uint32_t maxdepth = p->max_call_depth;
    uint32_t sp = 0;
    uint32_t steps = MMR_VM_MAX_STEPS;
    mmr_builtin_ctx bctx = { &vm->scratch };

    /* temporaries and lets start missing every run: no value (or pointer
     * into a previous user's scratch) survives from one user to the next */
    for (uint32_t r = nslots; r < p->nregs; r++) R[r] = mmr_v_missing();

#ifdef MMR_CGOTO
    static const void *const labels[MMR_NOPCODES] = {
#define OP(name, mnem, m, a, b, c) [MMR_I_##name] = &&L_##name,
#include "vm/opcodes.def"
#undef OP
    };
#define VMCASE(name) L_##name:
#define DISPATCH() goto *labels[ip->op]
    DISPATCH();
#else
#define VMCASE(name) case MMR_I_##name:
#define DISPATCH() continue
    for (;;) switch (ip->op) {
    default: return -1;
#endif

    VMCASE(HALT) {
        return 0;
    }
    VMCASE(LOADK) {
        R[ip->a] = K[ip->b];
        ip++; DISPATCH();
    }
    VMCASE(LOADM) {
        R[ip->a] = mmr_v_missing();
        ip++; DISPATCH();
    }
    VMCASE(MOVE) {
        R[ip->a] = R[ip->b];
        ip++; DISPATCH();
    }

#define ARITH(NAME, OPER) \
    VMCASE(NAME) { \
        const mmr_value *x = &R[ip->b], *y = &R[ip->c]; \
        /* MISSING is 0 and NUM is 1; a missing value holds NaN */ \
        if (LIKELY((x->tag | y->tag) <= MMR_V_NUM)) R[ip->a] = mmr_v_num(x->u.num OPER y->u.num); \
        else R[ip->a] = mmr_v_missing(); \
        ip++; DISPATCH(); \
    }
    ARITH(ADD, +)
    ARITH(SUB, -)
    ARITH(MUL, *)
    ARITH(DIV, /)     /* x/0 is inf or NaN: mmr_v_num makes it missing */
#undef ARITH

    VMCASE(NEG) {
        const mmr_value *x = &R[ip->b];
        if (x->tag == MMR_V_NUM) R[ip->a] = mmr_v_num(-x->u.num);
        else R[ip->a] = mmr_v_missing();
        ip++; DISPATCH();
    }
    VMCASE(CMP) {
        R[ip->a] = outcome_value(ip->m, value_outcome(&R[ip->b], &R[ip->c]));
        ip++; DISPATCH();
    }
    VMCASE(CMPK) {
        R[ip->a] = outcome_value(ip->m, value_outcome(&R[ip->b], &K[ip->c]));
        ip++; DISPATCH();
    }
    VMCASE(NOT) {
        int t = mmr_truth(&R[ip->b]);
        R[ip->a] = t < 0 ? mmr_v_missing() : mmr_v_bool(!t);
        ip++; DISPATCH();
    }
    VMCASE(AND) {
        int x = mmr_truth(&R[ip->b]), y = mmr_truth(&R[ip->c]);
        R[ip->a] = (x == 0 || y == 0) ? mmr_v_bool(0) : (x == 1 && y == 1) ? mmr_v_bool(1) : mmr_v_missing();
        ip++; DISPATCH();
    }
    VMCASE(OR) {
        int x = mmr_truth(&R[ip->b]), y = mmr_truth(&R[ip->c]);
        R[ip->a] = (x == 1 || y == 1) ? mmr_v_bool(1) : (x == 0 && y == 0) ? mmr_v_bool(0) : mmr_v_missing();
        ip++; DISPATCH();
    }
    VMCASE(COALESCE) {
        R[ip->a] = R[ip->b].tag == MMR_V_MISSING ? R[ip->c] : R[ip->b];
        ip++; DISPATCH();
    }
    VMCASE(ISMISS) {
        R[ip->a] = mmr_v_bool(R[ip->b].tag == MMR_V_MISSING);
        ip++; DISPATCH();
    }
    VMCASE(IN) {
        R[ip->a] = mmr_v_truth(list_contains(&R[ip->b], &R[ip->c]));
        ip++; DISPATCH();
    }
    VMCASE(INDEX) {
        const mmr_value *m = &R[ip->b], *k = &R[ip->c];
        if (m->tag == MMR_V_MAP && k->tag == MMR_V_TEXT && m->u.map && k->u.text)
            R[ip->a] = mmr_v_num(mmr_map_get(m->u.map, k->u.text->bytes, k->u.text->len));
        else
            R[ip->a] = mmr_v_missing();
        ip++; DISPATCH();
    }
    VMCASE(CALL) {
        const mmr_value *args = &R[ip->c];
        unsigned n = ip->m;
        mmr_value out = mmr_v_missing();
        unsigned j = 0;
        while (j < n && args[j].tag != MMR_V_MISSING) j++;
        if (j == n) mmr_builtins[ip->b].fn(&out, args, n, &bctx);
        R[ip->a] = out;
        ip++; DISPATCH();
    }
    VMCASE(JMP) {
        ip = code + ip->b;
        DISPATCH();
    }
    VMCASE(JIF) {
        const mmr_value *x = &R[ip->a];
        unsigned o = x->tag == MMR_V_BOOL ? (unsigned)(x->u.i != 0) : 2u;
        if ((jif_mask[ip->m & 3] >> o) & 1u) ip = code + ip->b;
        else ip++;
        DISPATCH();
    }
    VMCASE(JCMPK) {
        const mmr_value *x = &R[ip->a], *k = &K[ip->b];
        unsigned o;
        /* numbers and missing (NaN: unordered) take the fast path */
        if (LIKELY(x->tag <= MMR_V_NUM && k->tag == MMR_V_NUM)) o = num_outcome(x->u.num, k->u.num);
        else o = value_outcome(x, k);
        if ((jcmpk_mask[ip->m] >> o) & 1u) ip = code + ip->c;
        else ip++;
        DISPATCH();
    }
    VMCASE(LET) {
        uint32_t l = ip->b;
        if (LIKELY(let_epoch[l] == epoch)) {
            R[ip->a] = R[nslots + l];
            ip++; DISPATCH();
        }
        if (UNLIKELY(sp >= maxdepth)) return -1;
        let_epoch[l] = epoch;
        /* RET comes back to this LET, which then copies the value */
        rstack[sp++] = (uint32_t)(ip - code);
        ip = code + ip->c;
        DISPATCH();
    }
    VMCASE(RET) {
        if (UNLIKELY(sp == 0)) return -1;
        ip = code + rstack[--sp];
        DISPATCH();
    }
    VMCASE(ITER) {
        const mmr_value *m = &R[ip->b];
        if (m->tag != MMR_V_MAP || !m->u.map) { ip = code + ip->c; DISPATCH(); }
        mmr_value it = {0};
        it.tag = MMR_V_ITER;
        it.u.map = m->u.map;
        it.aux = 0;
        R[ip->a] = it;
        ip++; DISPATCH();
    }
    VMCASE(NEXT) {
        mmr_value *it = &R[ip->b];
        if (UNLIKELY(--steps == 0)) return -1;
        if (it->tag != MMR_V_ITER || it->aux >= it->u.map->n) { ip = code + ip->c; DISPATCH(); }
        const mmr_text *key = it->u.map->keys[it->aux++];
        R[ip->a] = mmr_v_text(key);
        ip++; DISPATCH();
    }
    VMCASE(FIRE) {
        unsigned n = ip->m;
        if (UNLIKELY(vm->ncands == vm->cands_cap) &&
            grow((void **)&vm->cands, &vm->cands_cap, vm->ncands + 1, sizeof *vm->cands))
            return -1;
        if (UNLIKELY(vm->nargbuf + n > vm->argbuf_cap) && argbuf_reserve(vm, vm->nargbuf + n))
            return -1;
        mmr_candidate *c = &vm->cands[vm->ncands++];
        c->rule = ip->a;
        c->nargs = n;
        c->args = NULL;
        if (n) {
            c->args = vm->argbuf + vm->nargbuf;
            memcpy(vm->argbuf + vm->nargbuf, &R[ip->b], n * sizeof(mmr_value));
            vm->nargbuf += n;
        }
        ip++; DISPATCH();
    }
    VMCASE(TRACE) {
        if (UNLIKELY(vm->ntrace == vm->trace_cap) &&
            grow((void **)&vm->trace, &vm->trace_cap, vm->ntrace + 1, sizeof *vm->trace))
            return -1;
        mmr_trace_rec *t = &vm->trace[vm->ntrace++];
        memset(t, 0, sizeof *t);
        t->cond = ip->a;
        t->truth = (int8_t)mmr_truth(&R[ip->b]);
        t->nops = ip->m > 3 ? 3 : ip->m;
        for (unsigned j = 0; j < t->nops; j++) t->ops[j] = R[ip->c + j];
        ip++; DISPATCH();
    }
#ifndef MMR_CGOTO
    }
#endif
#undef VMCASE
#undef DISPATCH
}
