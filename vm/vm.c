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

/* Store mmr_v_num(d) / mmr_v_missing() field by field: building the value
 * on the stack and copying it costs a store-forwarding stall. */
static inline void put_num(mmr_value *r, double d)
{
    int ok = isfinite(d);
    r->u.num = ok ? d : (double)NAN;
    r->tag = ok ? MMR_V_NUM : MMR_V_MISSING;
    r->pad[0] = r->pad[1] = r->pad[2] = 0;
    r->aux = 0;
}

static inline void put_missing(mmr_value *r)
{
    r->u.num = (double)NAN;
    r->tag = MMR_V_MISSING;
    r->pad[0] = r->pad[1] = r->pad[2] = 0;
    r->aux = 0;
}

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

static const uint8_t cmp_mask[8] = {
    CMPMASK(0), CMPMASK(1), CMPMASK(2), CMPMASK(3), CMPMASK(4), CMPMASK(5), 0, 0
};

static inline mmr_value outcome_value(unsigned cmp, unsigned o)
{
    if (o >= 3) return mmr_v_missing();
    return mmr_v_bool((cmp_mask[cmp & 7] >> o) & 1u);
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

/* ------------------------------------------------ what a run must clear
 *
 * A run starts by setting to missing only the registers that code could
 * read before writing them in that run: the let registers (read by LET
 * once the let's code has run, which a verified program does not prove
 * writes them) and the temporaries that a definite-assignment analysis of
 * both code arrays cannot prove written before every read. Code from the
 * code generator writes every temporary before reading it, so for it the
 * list is usually empty (a quantifier key used by `with` is an exception).
 * All registers are set to missing once, at mmr_vm_init, so no register
 * is ever uninitialised memory, and no value from one user can be seen
 * by the code of the next.
 *
 * Private code. mmr_vm_init also copies both code arrays, rewriting the
 * hottest instructions to private opcodes (numbered after MMR_NOPCODES,
 * never seen outside this file) that are specialised by their operands:
 * JCMPK on a finite number constant and JCMP become one handler per
 * comparison and polarity, so the common case is one inline comparison
 * and a branch. The specialised handlers fall back to the general one for
 * anything but numbers and missing.
 *
 * The clear list is vm->clear; the private code is vm->code (code[0]
 * followed by code[1]). */

enum {
    XOP_JK = MMR_NOPCODES,       /* + cmp * 4 + polarity: JCMPK, number constant */
    XOP_JC = XOP_JK + 24,        /* + cmp * 4 + polarity: JCMP */
    XOP_END = XOP_JC + 24
};
_Static_assert(XOP_END <= 256, "private opcodes must fit in the op byte");

static uint8_t private_op(const mmr_program *p, const mmr_insn *in)
{
    unsigned cp = (in->m & 15u) * 4u + (in->m >> 4);   /* verified: cmp < 6, polarity < 4 */
    if (in->op == MMR_I_JCMPK && p->consts[in->b].tag == MMR_V_NUM && isfinite(p->consts[in->b].u.num))
        return (uint8_t)(XOP_JK + cp);
    if (in->op == MMR_I_JCMP) return (uint8_t)(XOP_JC + cp);
    return in->op;
}

/* Over this many bitset words per code array, skip the analysis and clear
 * every temporary (what all runs did before). */
#define MMR_VM_ANALYSIS_WORDS (1u << 22)

static size_t ret_depth(const mmr_program *p) { return p->max_call_depth ? p->max_call_depth : 1; }

typedef struct dflow {
    uint32_t base, ntmp, words;
    uint64_t *in;                /* per instruction: temporaries surely written */
    unsigned char *reached;
    uint64_t *cur;
    unsigned char *maybe;        /* per temporary: may be read unwritten */
} dflow;

static void df_read(dflow *f, uint32_t r)
{
    if (r < f->base || r - f->base >= f->ntmp) return;
    uint32_t t = r - f->base;
    if (!(f->cur[t >> 6] >> (t & 63) & 1u)) f->maybe[t] = 1;
}

static void df_write(dflow *f, uint32_t r)
{
    if (r < f->base || r - f->base >= f->ntmp) return;
    uint32_t t = r - f->base;
    f->cur[t >> 6] |= (uint64_t)1 << (t & 63);
}

/* Meet the state cur into instruction s's entry; 1 if that changed it. */
static int df_flow(dflow *f, uint32_t s, const uint64_t *st)
{
    uint64_t *d = f->in + (size_t)s * f->words;
    if (!f->reached[s]) {
        f->reached[s] = 1;
        memcpy(d, st, f->words * sizeof *d);
        return 1;
    }
    int ch = 0;
    for (uint32_t w = 0; w < f->words; w++) {
        uint64_t x = d[w] & st[w];
        if (x != d[w]) { d[w] = x; ch = 1; }
    }
    return ch;
}

/* 0, or -1 when the analysis cannot be done (then clear everything). */
static int df_code(dflow *f, const mmr_code *cd)
{
    uint32_t n = cd->n;
    if (!n) return 0;
    if ((uint64_t)n * f->words > MMR_VM_ANALYSIS_WORDS) return -1;
    f->in = malloc((size_t)n * f->words * sizeof *f->in);
    f->reached = calloc(n, 1);
    uint64_t *post = malloc(f->words * sizeof *post);
    if (!f->in || !f->reached || !post) { free(f->in); free(f->reached); free(post); return -1; }
    /* entries: pc 0 and each let's code start with nothing written */
    memset(f->cur, 0, f->words * sizeof *f->cur);
    df_flow(f, 0, f->cur);
    for (uint32_t pc = 0; pc < n; pc++)
        if (cd->insns[pc].op == MMR_I_LET && cd->insns[pc].c < n) df_flow(f, cd->insns[pc].c, f->cur);
    for (int changed = 1; changed;) {
        changed = 0;
        for (uint32_t pc = 0; pc < n; pc++) {
            if (!f->reached[pc]) continue;
            const mmr_insn *in = &cd->insns[pc];
            const mmr_opinfo *oi = &mmr_opinfo_table[in->op];
            memcpy(f->cur, f->in + (size_t)pc * f->words, f->words * sizeof *f->cur);
            /* reads: R operands; with a count in m, the last R is a range */
            int range = 0;
            if (oi->m == MMR_K_N) range = oi->c == MMR_K_R ? 3 : oi->b == MMR_K_R ? 2 : 0;
            if (oi->a == MMR_K_R) df_read(f, in->a);
            if (oi->b == MMR_K_R) {
                if (range == 2) for (uint32_t j = 0; j < in->m; j++) df_read(f, in->b + j);
                else df_read(f, in->b);
            }
            if (oi->c == MMR_K_R) {
                if (range == 3) for (uint32_t j = 0; j < in->m; j++) df_read(f, in->c + j);
                else df_read(f, in->c);
            }
            /* the taken branch of ITER and NEXT does not write r[a] */
            uint32_t jt = UINT32_MAX;
            if (in->op != MMR_I_LET) {
                if (oi->b == MMR_K_J) jt = in->b;
                else if (oi->c == MMR_K_J) jt = in->c;
            }
            if (jt != UINT32_MAX && jt < n) changed |= df_flow(f, jt, f->cur);
            if (oi->a == MMR_K_W) df_write(f, in->a);
            if (in->op != MMR_I_HALT && in->op != MMR_I_RET && in->op != MMR_I_JMP && pc + 1 < n) {
                memcpy(post, f->cur, f->words * sizeof *post);
                changed |= df_flow(f, pc + 1, post);
            }
        }
    }
    free(f->in); free(f->reached); free(post);
    f->in = NULL; f->reached = NULL;
    return 0;
}

/* Fill the clear list and the private code. 0, or -1 on out of memory. */
static int plan_clears(mmr_vm *vm, const mmr_program *p)
{
    uint32_t base = p->nslots + p->nlets;
    uint32_t ntmp = p->nregs > base ? p->nregs - base : 0;
    dflow f;
    memset(&f, 0, sizeof f);
    f.base = base; f.ntmp = ntmp; f.words = (ntmp + 63) / 64;
    f.maybe = calloc(ntmp ? ntmp : 1, 1);
    f.cur = malloc((f.words ? f.words : 1) * sizeof *f.cur);
    if (!f.maybe || !f.cur) { free(f.maybe); free(f.cur); return -1; }
    int all = 0;
    for (int ci = 0; ci < 2 && !all && ntmp; ci++)
        if (df_code(&f, &p->code[ci])) all = 1;
    uint32_t nclear = p->nlets;
    for (uint32_t t = 0; t < ntmp; t++) if (all || f.maybe[t]) nclear++;
    size_t depth = ret_depth(p);
    size_t ncode = (size_t)p->code[0].n + p->code[1].n;
    vm->ret_stack = malloc((depth + 1) * sizeof *vm->ret_stack);
    vm->clear = malloc((nclear + 1) * sizeof *vm->clear);
    vm->code = malloc((ncode + 1) * sizeof *vm->code);
    if (!vm->ret_stack || !vm->clear || !vm->code) { free(f.maybe); free(f.cur); return -1; }
    uint32_t k = 0;
    for (uint32_t l = 0; l < p->nlets; l++) vm->clear[k++] = p->nslots + l;
    for (uint32_t t = 0; t < ntmp; t++) if (all || f.maybe[t]) vm->clear[k++] = base + t;
    vm->nclear = k;
    mmr_insn *pc = vm->code;
    for (int ci = 0; ci < 2; ci++)
        for (uint32_t i = 0; i < p->code[ci].n; i++) {
            *pc = p->code[ci].insns[i];
            pc->op = private_op(p, pc);
            pc++;
        }
    free(f.maybe); free(f.cur);
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
    if (!vm->regs || !vm->let_epoch || plan_clears(vm, p)) { mmr_vm_free(vm); return -1; }
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
    free(vm->clear);
    free(vm->code);
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
    /* only builtins allocate scratch: a run without any has nothing to reset */
    if (vm->scratch.head) mmr_arena_reset(&vm->scratch);
    if (++vm->epoch == 0) {
        memset(vm->let_epoch, 0, (p->nlets ? p->nlets : 1) * sizeof *vm->let_epoch);
        vm->epoch = 1;
    }
    if (!cd->n) return 0;

    mmr_value *const R = vm->regs;
    const mmr_value *const K = p->consts;
    const mmr_insn *const code = vm->code + (traced ? p->code[0].n : 0);
    const mmr_insn *ip = code;
    const uint32_t nslots = p->nslots;
    const uint32_t epoch = vm->epoch;
    uint32_t *const let_epoch = vm->let_epoch;
    uint32_t *const rstack = vm->ret_stack;
    const uint32_t maxdepth = p->max_call_depth;
    uint32_t sp = 0;
    uint32_t steps = MMR_VM_MAX_STEPS;
    mmr_builtin_ctx bctx = { &vm->scratch };

    /* lets, and any temporary that code might read before writing it,
     * start missing (see plan_clears): no value (or pointer into a previous
     * user's scratch) survives from one user to the next */
    for (uint32_t i = 0, nc = vm->nclear; i < nc; i++) put_missing(&R[vm->clear[i]]);

/* the 24 comparison/polarity pairs of the private opcodes */
#define CMP_POL(X, C) X(C, TRUE) X(C, FALSE) X(C, NOT_TRUE) X(C, NOT_FALSE)
#define ALL_CMP_POL(X) CMP_POL(X, EQ) CMP_POL(X, NE) CMP_POL(X, LT) CMP_POL(X, LE) CMP_POL(X, GT) CMP_POL(X, GE)
#define XCODE(base, C, P) ((base) + MMR_CMP_##C * 4 + MMR_POL_##P)
#ifdef MMR_CGOTO
    static const void *const labels[256] = {
#define OP(name, mnem, m, a, b, c) [MMR_I_##name] = &&L_##name,
#include "vm/opcodes.def"
#undef OP
#define XLAB(C, P) [XCODE(XOP_JK, C, P)] = &&L_JK_##C##_##P, [XCODE(XOP_JC, C, P)] = &&L_JC_##C##_##P,
        ALL_CMP_POL(XLAB)
#undef XLAB
    };
#define VMCASE(name) L_##name:
#define XCASE(base, C, P, lab) lab:
#define DISPATCH() goto *labels[ip->op]
    DISPATCH();
#else
#define VMCASE(name) case MMR_I_##name:
#define XCASE(base, C, P, lab) case XCODE(base, C, P):
#define DISPATCH() continue
    for (;;) switch (ip->op) {
    default: return -1;
#endif

/* Kleene truth of a number comparison: t = TRUE; o = ordered (neither
 * side missing), so FALSE is !t && o and unknown is !o. */
#define T_EQ(x, y) ((x) == (y))
#define T_NE(x, y) islessgreater(x, y)
#define T_LT(x, y) ((x) < (y))
#define T_LE(x, y) ((x) <= (y))
#define T_GT(x, y) ((x) > (y))
#define T_GE(x, y) ((x) >= (y))
#define J_TRUE(t, o) (t)
#define J_FALSE(t, o) (!(t) && (o))
#define J_NOT_TRUE(t, o) (!(t))
#define J_NOT_FALSE(t, o) ((t) || !(o))
#define JK_HANDLER(C, P) \
    XCASE(XOP_JK, C, P, L_JK_##C##_##P) { \
        const mmr_value *x = &R[ip->a]; \
        if (UNLIKELY(x->tag > MMR_V_NUM)) goto jcmpk_general; \
        double xv = x->u.num, kv = K[ip->b].u.num; \
        if (J_##P(T_##C(xv, kv), xv == xv)) ip = code + ip->c; \
        else ip++; \
        DISPATCH(); \
    }
#define JC_HANDLER(C, P) \
    XCASE(XOP_JC, C, P, L_JC_##C##_##P) { \
        const mmr_value *x = &R[ip->a], *y = &R[ip->b]; \
        if (UNLIKELY((x->tag | y->tag) > MMR_V_NUM)) goto jcmp_general; \
        double xv = x->u.num, yv = y->u.num; \
        if (J_##P(T_##C(xv, yv), !isunordered(xv, yv))) ip = code + ip->c; \
        else ip++; \
        DISPATCH(); \
    }
    ALL_CMP_POL(JK_HANDLER)
    ALL_CMP_POL(JC_HANDLER)

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
        if (LIKELY((x->tag | y->tag) <= MMR_V_NUM)) put_num(&R[ip->a], x->u.num OPER y->u.num); \
        else put_missing(&R[ip->a]); \
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
        const mmr_value *x = &R[ip->b], *y = &R[ip->c];
        /* numbers and missing (NaN: unordered) take the inline path */
        unsigned o = LIKELY((x->tag | y->tag) <= MMR_V_NUM) ? num_outcome(x->u.num, y->u.num) : value_outcome(x, y);
        R[ip->a] = outcome_value(ip->m, o);
        ip++; DISPATCH();
    }
    VMCASE(CMPK) {
        const mmr_value *x = &R[ip->b], *y = &K[ip->c];
        unsigned o = LIKELY((x->tag | y->tag) <= MMR_V_NUM) ? num_outcome(x->u.num, y->u.num) : value_outcome(x, y);
        R[ip->a] = outcome_value(ip->m, o);
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
    VMCASE(JCMPK) jcmpk_general: {
        const mmr_value *x = &R[ip->a], *k = &K[ip->b];
        unsigned o;
        /* numbers and missing (NaN: unordered) take the fast path */
        if (LIKELY(x->tag <= MMR_V_NUM && k->tag == MMR_V_NUM)) o = num_outcome(x->u.num, k->u.num);
        else o = value_outcome(x, k);
        if ((jcmpk_mask[ip->m] >> o) & 1u) ip = code + ip->c;
        else ip++;
        DISPATCH();
    }
    VMCASE(JCMP) jcmp_general: {
        const mmr_value *x = &R[ip->a], *y = &R[ip->b];
        unsigned o;
        if (LIKELY((x->tag | y->tag) <= MMR_V_NUM)) o = num_outcome(x->u.num, y->u.num);
        else o = value_outcome(x, y);
        if ((jcmpk_mask[ip->m] >> o) & 1u) ip = code + ip->c;
        else ip++;
        DISPATCH();
    }
    VMCASE(COALK) {
        R[ip->a] = R[ip->b].tag == MMR_V_MISSING ? K[ip->c] : R[ip->b];
        ip++; DISPATCH();
    }
    /* Inline builtins. Missing carries NaN, which abs, ratio and pct_change
     * carry through to a NaN result (missing), exactly as CALL's missing
     * check; min and max compare, so they check the tags. */
    VMCASE(ABS) {
        put_num(&R[ip->a], mmr_num_abs(R[ip->b].u.num));
        ip++; DISPATCH();
    }
    VMCASE(MIN) {
        const mmr_value *x = &R[ip->b], *y = &R[ip->c];
        if (x->tag == MMR_V_MISSING || y->tag == MMR_V_MISSING) put_missing(&R[ip->a]);
        else put_num(&R[ip->a], mmr_num_min(x->u.num, y->u.num));
        ip++; DISPATCH();
    }
    VMCASE(MAX) {
        const mmr_value *x = &R[ip->b], *y = &R[ip->c];
        if (x->tag == MMR_V_MISSING || y->tag == MMR_V_MISSING) put_missing(&R[ip->a]);
        else put_num(&R[ip->a], mmr_num_max(x->u.num, y->u.num));
        ip++; DISPATCH();
    }
    VMCASE(RATIO) {
        put_num(&R[ip->a], mmr_num_ratio(R[ip->b].u.num, R[ip->c].u.num));
        ip++; DISPATCH();
    }
    VMCASE(PCTCHG) {
        put_num(&R[ip->a], mmr_num_pct_change(R[ip->b].u.num, R[ip->c].u.num));
        ip++; DISPATCH();
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
            mmr_value *dst = vm->argbuf + vm->nargbuf;
            const mmr_value *src = &R[ip->b];
            /* a few values: inline copies beat a call to memcpy */
            if (n <= 2) { dst[0] = src[0]; if (n == 2) dst[1] = src[1]; }
            else memcpy(dst, src, n * sizeof(mmr_value));
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
#undef XCASE
#undef DISPATCH
}
