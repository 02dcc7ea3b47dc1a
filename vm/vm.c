/* The register VM. One dense loop over a private, direct-threaded copy of
 * the code (GNU C labels-as-values; a plain switch elsewhere; see "the
 * private code" below). The program was verified
 * when the VM was set up (mmr_vm_init), so operands are in range; what
 * remains checked at run time is what only run time knows: value tags,
 * the return stack, and a bound on quantifier steps.
 *
 * Longer than our ~800-line mark: the dispatch loop is one function by
 * design (a computed goto per opcode, as in Lua's lvm.c), and the
 * quantifier and map helpers it inlines sit beside it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <limits.h>
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
 * on the stack and copying it costs a store-forwarding stall. The tag and
 * the zero padding after it are one 8-byte store where the layout allows. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
_Static_assert(offsetof(mmr_value, tag) == 8 && offsetof(mmr_value, aux) == 12 && sizeof(mmr_value) == 16,
               "mmr_value layout");
static inline void put_tag(mmr_value *r, unsigned tag)
{
    uint64_t w = tag;
    memcpy((char *)r + offsetof(mmr_value, tag), &w, sizeof w);
}
#else
static inline void put_tag(mmr_value *r, unsigned tag)
{
    r->tag = (uint8_t)tag;
    r->pad[0] = r->pad[1] = r->pad[2] = 0;
    r->aux = 0;
}
#endif

static inline void put_num(mmr_value *r, double d)
{
    int ok = isfinite(d);
    r->u.num = ok ? d : (double)NAN;
    put_tag(r, ok ? MMR_V_NUM : MMR_V_MISSING);
}

static inline void put_missing(mmr_value *r)
{
    r->u.num = (double)NAN;
    put_tag(r, MMR_V_MISSING);
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

/* ------------------------------------------------ the private code
 *
 * mmr_vm_init decodes both code arrays into the VM's private form
 * (vm->code; vm->xc[i].start is code[i]), which never leaves this file:
 *
 * - Direct threading: each instruction holds its handler's address, so
 *   dispatch is one load and one indirect jump (GNU C labels-as-values;
 *   the addresses are filled in by a first, private call of mmr_vm_run,
 *   the only place they are known). The portable switch build dispatches
 *   on the opcode instead.
 * - Register operands (R and W) are byte offsets into the register file
 *   and jump targets are pointers, so no operand needs scaling at run time.
 * - The hottest instructions get private opcodes specialised by their
 *   operands: JCMPK on a finite number constant and JCMP become one handler
 *   per comparison and polarity (the constant itself is in the
 *   instruction); two consecutive "unless TRUE" JCMPKs on number constants
 *   with the same target (`when a >= k1 and b > k2`) become one handler per
 *   pair of comparisons that tests both; and in code whose jumps all go
 *   forward (no loops, no lets: each instruction runs at most once per
 *   run) FIRE writes its candidate with no capacity check, the capacity
 *   for every FIRE of the code being reserved at init. The specialised
 *   jumps fall back to the general handler for anything but numbers and
 *   missing. The instruction after a fused pair keeps its own form, as
 *   other code may jump to it; the private code is index for index the
 *   public code, plus a closing HALT.
 *
 * What a run must clear. A run starts by setting to missing only the
 * registers that its code could read before writing them in that run: the
 * let registers when the code has LETs (LET reads them once the let's code
 * has run, which a verified program does not prove writes them), and the
 * registers past the inputs that a definite-assignment analysis of the code
 * cannot prove written before every read. Code from the code generator
 * writes every temporary before reading it, so the list is usually empty
 * (a quantifier key used by `with` is an exception). All registers are set
 * to missing once, at mmr_vm_init, so no register is ever uninitialised
 * memory, and no value from one user can be seen by the code of the next.
 * Code with no LET needs no epoch; code with no CALL allocates no scratch:
 * such a run has no prologue work at all. */

typedef struct mmr_xinsn {
    const void *h;                  /* handler address (computed goto) */
    const struct mmr_xinsn *t;      /* the J operand, as a pointer */
    union { double num; uint64_t u; } k;   /* per op: a number constant, a let's register */
    uint32_t a, b, c;               /* operands; R and W ones as byte offsets */
    uint8_t m;
    uint8_t pad;
    uint16_t op;                    /* public or private opcode */
} mmr_xinsn;

enum {
    XOP_JK = MMR_NOPCODES,       /* + cmp * 4 + polarity: JCMPK, number constant */
    XOP_JC = XOP_JK + 24,        /* + cmp * 4 + polarity: JCMP */
    XOP_JK2 = XOP_JC + 24,       /* + cmp1 * 6 + cmp2: two unless-true JCMPKs, one target */
    XOP_FIRE1 = XOP_JK2 + 36,    /* FIRE with 1, 2, any number of args, unchecked */
    XOP_FIRE2,
    XOP_FIREN,
    XOP_AJ,                      /* + producer * 6 + cmp: ABS/RATIO/PCTCHG, then an unless-true JCMPK on it */
    XOP_END = XOP_AJ + 18
};
_Static_assert(XOP_END <= 256, "private opcodes fit the handler table");

#define REGB ((uint32_t)sizeof(mmr_value))

static int is_num_jk(const mmr_program *p, const mmr_insn *in)
{
    return in->op == MMR_I_JCMPK && p->consts[in->b].tag == MMR_V_NUM && isfinite(p->consts[in->b].u.num);
}

/* the producers that XOP_AJ fuses with a following jump, in its order */
static int aj_producer(unsigned op)
{
    return op == MMR_I_ABS ? 0 : op == MMR_I_RATIO ? 1 : op == MMR_I_PCTCHG ? 2 : -1;
}

static void decode(const mmr_program *p, const mmr_insn *in, const mmr_insn *next, mmr_xinsn *x,
                   mmr_xinsn *start, int straight)
{
    const mmr_opinfo *oi = &mmr_opinfo_table[in->op];
    memset(x, 0, sizeof *x);
    x->op = in->op;
    x->m = in->m;
    uint32_t v[3] = { in->a, in->b, in->c };
    uint8_t kind[3] = { oi->a, oi->b, oi->c };
    for (int j = 0; j < 3; j++) {
        if (kind[j] == MMR_K_R || kind[j] == MMR_K_W) v[j] *= REGB;   /* verified: < 65536 registers */
        if (kind[j] == MMR_K_J) x->t = start + v[j];
    }
    x->a = v[0]; x->b = v[1]; x->c = v[2];
    unsigned cmp = in->m & 15u, pol = in->m >> 4;           /* verified: cmp < 6, polarity < 4 */
    switch (in->op) {
    case MMR_I_JCMPK:
        if (!is_num_jk(p, in)) break;
        x->k.num = p->consts[in->b].u.num;
        x->op = (uint16_t)(XOP_JK + cmp * 4 + pol);
        if (pol == MMR_POL_NOT_TRUE && next && is_num_jk(p, next) && (next->m >> 4) == MMR_POL_NOT_TRUE &&
            next->c == in->c)
            x->op = (uint16_t)(XOP_JK2 + cmp * 6 + (next->m & 15u));
        break;
    case MMR_I_JCMP:
        x->op = (uint16_t)(XOP_JC + cmp * 4 + pol);
        break;
    case MMR_I_LET:
        x->k.u = ((uint64_t)p->nslots + in->b) * REGB;
        break;
    case MMR_I_ABS: case MMR_I_RATIO: case MMR_I_PCTCHG:
        /* r[a] = f(...); jump unless r[a] <cmp> k is TRUE: one handler */
        if (next && is_num_jk(p, next) && next->a == in->a && (next->m >> 4) == MMR_POL_NOT_TRUE)
            x->op = (uint16_t)(XOP_AJ + aj_producer(in->op) * 6 + (next->m & 15u));
        break;
    case MMR_I_FIRE:
        if (straight) x->op = in->m == 1 ? XOP_FIRE1 : in->m == 2 ? XOP_FIRE2 : XOP_FIREN;
        break;
    default:
        break;
    }
}

/* Over this many bitset words per code array, skip the analysis and clear
 * every temporary (what all runs did before). */
#define MMR_VM_ANALYSIS_WORDS (1u << 22)

static size_t ret_depth(const mmr_program *p) { return p->max_call_depth ? p->max_call_depth : 1; }

typedef struct dflow {
    uint32_t base, ntmp, words;
    uint64_t *in;                /* per instruction: registers surely written */
    unsigned char *reached;
    uint64_t *cur;
    unsigned char *maybe;        /* per register: may be read unwritten */
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
    if (!f->in || !f->reached || !post) { free(f->in); free(f->reached); free(post); f->in = NULL; f->reached = NULL; return -1; }
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
            if (in->op == MMR_I_FIREKEY) { range = 2; df_read(f, in->c + 1); }   /* args at b; key, rank at c */
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

/* Decode code array ci into x (n + 1 instructions) and plan its clears.
 * Adds what its unchecked FIREs need to *ncand / *nargs. 0, or -1. */
static int plan_one(mmr_vm *vm, const mmr_program *p, int ci, dflow *f, mmr_xinsn *x,
                    size_t *ncand, size_t *nargs)
{
    const mmr_code *cd = &p->code[ci];
    mmr_vm_code *xc = &vm->xc[ci];
    uint32_t n = cd->n;
    int straight = 1;
    size_t nfire = 0, nfargs = 0;
    for (uint32_t pc = 0; pc < n; pc++) {
        const mmr_insn *in = &cd->insns[pc];
        const mmr_opinfo *oi = &mmr_opinfo_table[in->op];
        if (in->op == MMR_I_LET || in->op == MMR_I_RET) { xc->has_let = 1; straight = 0; }
        if (in->op == MMR_I_CALL) xc->has_call = 1;
        if (in->op == MMR_I_NEXT) xc->has_next = 1;
        if ((oi->b == MMR_K_J && in->b <= pc) || (oi->c == MMR_K_J && in->c <= pc)) straight = 0;
        if (in->op == MMR_I_FIRE) { nfire++; nfargs += in->m; }
    }
    int all = 0;
    if (f->ntmp) {
        memset(f->maybe, 0, f->ntmp);
        all = df_code(f, cd) != 0;
    }
    uint32_t nclear = 0;
    for (uint32_t t = 0; t < f->ntmp; t++)
        if (all || f->maybe[t] || (xc->has_let && t < p->nlets)) nclear++;
    xc->clear = malloc(((size_t)nclear + 1) * sizeof *xc->clear);
    if (!xc->clear) return -1;
    uint32_t k = 0;
    for (uint32_t t = 0; t < f->ntmp; t++)
        if (all || f->maybe[t] || (xc->has_let && t < p->nlets)) xc->clear[k++] = f->base + t;
    xc->nclear = k;
    xc->prologue = xc->nclear || xc->has_let || xc->has_call || xc->has_next;
    xc->start = x;
    for (uint32_t pc = 0; pc < n; pc++)
        decode(p, &cd->insns[pc], pc + 1 < n ? &cd->insns[pc + 1] : NULL, &x[pc], x, straight);
    memset(&x[n], 0, sizeof x[n]);
    x[n].op = MMR_I_HALT;
    if (straight) {
        if (nfire > *ncand) *ncand = nfire;
        if (nfargs > *nargs) *nargs = nfargs;
    }
    return 0;
}

/* Fill vm->code and vm->xc. 0, or -1 on out of memory. */
static int plan_code(mmr_vm *vm, const mmr_program *p, size_t *ncand, size_t *nargs)
{
    dflow f;
    memset(&f, 0, sizeof f);
    f.base = p->nslots;          /* lets and temporaries */
    f.ntmp = p->nregs > f.base ? p->nregs - f.base : 0;
    f.words = (f.ntmp + 63) / 64;
    f.maybe = calloc(f.ntmp ? f.ntmp : 1, 1);
    f.cur = malloc((f.words ? f.words : 1) * sizeof *f.cur);
    vm->ret_stack = malloc((ret_depth(p) + 1) * sizeof *vm->ret_stack);
    vm->code = malloc(((size_t)p->code[0].n + p->code[1].n + 2) * sizeof *vm->code);
    int rc = -1;
    if (f.maybe && f.cur && vm->ret_stack && vm->code &&
        !plan_one(vm, p, 0, &f, vm->code, ncand, nargs) &&
        !plan_one(vm, p, 1, &f, vm->code + p->code[0].n + 1, ncand, nargs))
        rc = 0;
    free(f.maybe); free(f.cur);
    return rc;
}

#ifdef MMR_CGOTO
#define MMR_VM_THREAD INT_MIN    /* mmr_vm_init's private call: fill in handler addresses */
#endif

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
    size_t ncand = p->nrules ? p->nrules : 1, nargs = 0;
    for (uint32_t i = 0; i < p->nrules; i++) nargs += p->rules[i].nargs;
    if (!vm->regs || !vm->let_epoch || plan_code(vm, p, &ncand, &nargs)) { mmr_vm_free(vm); return -1; }
    for (size_t i = 0; i < nregs; i++) vm->regs[i] = mmr_v_missing();
    mmr_arena_init(&vm->scratch, 0);
    if (grow((void **)&vm->cands, &vm->cands_cap, ncand, sizeof *vm->cands) ||
        argbuf_reserve(vm, nargs ? nargs : 1)) {
        mmr_vm_free(vm);
        return -1;
    }
#ifdef MMR_CGOTO
    mmr_vm_run(vm, MMR_VM_THREAD);
#endif
    return 0;
}

void mmr_vm_free(mmr_vm *vm)
{
    if (!vm) return;
    free(vm->regs);
    free(vm->let_epoch);
    free(vm->ret_stack);
    free(vm->xc[0].clear);
    free(vm->xc[1].clear);
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

/* Say why a run stopped: the callers print it. Only a program that got
 * past the verifier yet breaks the VM's invariants (memory corruption, a
 * verifier gap) reaches the "corrupt" cases. */
static int run_failed(mmr_vm *vm, const char *why, const mmr_vm_code *xc, const void *ip, size_t insn_size)
{
    if (!ip) {
        snprintf(vm->error, sizeof vm->error, "%s", why);
    } else {
        size_t pc = (size_t)((const char *)ip - (const char *)xc->start) / insn_size;
        snprintf(vm->error, sizeof vm->error, "%s at pc %zu of code[%d]: the program is corrupt", why, pc,
                 xc == &vm->xc[1]);
    }
    return -1;
}

/* What a run does before its code when the code needs it (see above). */
static void run_prologue(mmr_vm *vm, const mmr_vm_code *xc)
{
    /* only builtins allocate scratch: a run without any has nothing to reset */
    if (xc->has_call && vm->scratch.head) mmr_arena_reset(&vm->scratch);
    vm->sp = 0;
    vm->steps = MMR_VM_MAX_STEPS;
    if (xc->has_let && ++vm->epoch == 0) {
        const mmr_program *p = vm->prog;
        memset(vm->let_epoch, 0, (p->nlets ? p->nlets : 1) * sizeof *vm->let_epoch);
        vm->epoch = 1;
    }
    mmr_value *R = vm->regs;
    for (uint32_t i = 0, nc = xc->nclear; i < nc; i++) put_missing(&R[xc->clear[i]]);
}

int mmr_vm_run(mmr_vm *vm, int traced)
{
/* the 24 comparison/polarity pairs and the 36 comparison pairs of the
 * private opcodes */
#define CMP_POL(X, C) X(C, TRUE) X(C, FALSE) X(C, NOT_TRUE) X(C, NOT_FALSE)
#define ALL_CMP_POL(X) CMP_POL(X, EQ) CMP_POL(X, NE) CMP_POL(X, LT) CMP_POL(X, LE) CMP_POL(X, GT) CMP_POL(X, GE)
#define CMP_CMP(X, C) X(C, EQ) X(C, NE) X(C, LT) X(C, LE) X(C, GT) X(C, GE)
#define ALL_CMP_CMP(X) CMP_CMP(X, EQ) CMP_CMP(X, NE) CMP_CMP(X, LT) CMP_CMP(X, LE) CMP_CMP(X, GT) CMP_CMP(X, GE)
#define XCODE(base, C, P) ((base) + MMR_CMP_##C * 4 + MMR_POL_##P)
#define XCODE2(C1, C2) (XOP_JK2 + MMR_CMP_##C1 * 6 + MMR_CMP_##C2)
#define PROD_CMP(X, P) X(P, EQ) X(P, NE) X(P, LT) X(P, LE) X(P, GT) X(P, GE)
#define ALL_PROD_CMP(X) PROD_CMP(X, ABS) PROD_CMP(X, RATIO) PROD_CMP(X, PCTCHG)
#define AJ_ABS 0
#define AJ_RATIO 1
#define AJ_PCTCHG 2
#define XCODE3(P, C) (XOP_AJ + AJ_##P * 6 + MMR_CMP_##C)
#ifdef MMR_CGOTO
    static const void *const labels[256] = {
#define OP(name, mnem, m, a, b, c) [MMR_I_##name] = &&L_##name,
#include "vm/opcodes.def"
#undef OP
#define XLAB(C, P) [XCODE(XOP_JK, C, P)] = &&L_JK_##C##_##P, [XCODE(XOP_JC, C, P)] = &&L_JC_##C##_##P,
        ALL_CMP_POL(XLAB)
#undef XLAB
#define XLAB2(C1, C2) [XCODE2(C1, C2)] = &&L_JK2_##C1##_##C2,
        ALL_CMP_CMP(XLAB2)
#undef XLAB2
#define XLAB3(P, C) [XCODE3(P, C)] = &&L_AJ_##P##_##C,
        ALL_PROD_CMP(XLAB3)
#undef XLAB3
        [XOP_FIRE1] = &&L_FIRE1, [XOP_FIRE2] = &&L_FIRE2, [XOP_FIREN] = &&L_FIREN,
    };
#endif
    if (UNLIKELY((unsigned)traced > 1u)) {
#ifdef MMR_CGOTO
        if (traced == MMR_VM_THREAD && vm->code && !vm->code[0].h) {
            const mmr_program *tp = vm->prog;
            size_t n = (size_t)tp->code[0].n + tp->code[1].n + 2;
            for (size_t i = 0; i < n; i++) vm->code[i].h = labels[vm->code[i].op];
            return 0;
        }
#endif
        traced = 1;
    }
    const mmr_vm_code *const xc = &vm->xc[traced];
    const mmr_xinsn *ip = xc->start;
    if (UNLIKELY(!ip)) return run_failed(vm, "the VM has no program (mmr_vm_init failed)", xc, NULL, 0);
    vm->error[0] = 0;
    vm->ntrace = 0;
    const char *why = "out of memory";   /* set before each goto fail */
    if (UNLIKELY(xc->prologue)) run_prologue(vm, xc);

    char *const RB = (char *)vm->regs;
#define K (vm->prog->consts)       /* constants: only the general handlers need them */
    /* the next candidate and argument slots; stored back on the way out */
    mmr_candidate *cp = vm->cands;
    mmr_value *ap = vm->argbuf;
#define REG(off) ((mmr_value *)(RB + (off)))

#ifdef MMR_CGOTO
#define VMCASE(name) L_##name:
#define XCASE(code, lab) lab:
#define DISPATCH() goto *ip->h
    DISPATCH();
#else
#define VMCASE(name) case MMR_I_##name:
#define XCASE(code, lab) case code:
#define DISPATCH() continue
    for (;;) switch (ip->op) {
    default: why = "unknown instruction"; goto fail;
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
    XCASE(XCODE(XOP_JK, C, P), L_JK_##C##_##P) { \
        const mmr_value *x = REG(ip->a); \
        if (UNLIKELY(x->tag > MMR_V_NUM)) goto jcmpk_general; \
        double xv = x->u.num, kv = ip->k.num; \
        ip = J_##P(T_##C(xv, kv), xv == xv) ? ip->t : ip + 1; \
        DISPATCH(); \
    }
#define JC_HANDLER(C, P) \
    XCASE(XCODE(XOP_JC, C, P), L_JC_##C##_##P) { \
        const mmr_value *x = REG(ip->a), *y = REG(ip->b); \
        if (UNLIKELY((x->tag | y->tag) > MMR_V_NUM)) goto jcmp_general; \
        double xv = x->u.num, yv = y->u.num; \
        ip = J_##P(T_##C(xv, yv), !isunordered(xv, yv)) ? ip->t : ip + 1; \
        DISPATCH(); \
    }
/* two "unless TRUE" jumps to one target: on to the second's successor
 * only if both comparisons are TRUE (missing is NaN: not TRUE) */
#define JK2_HANDLER(C1, C2) \
    XCASE(XCODE2(C1, C2), L_JK2_##C1##_##C2) { \
        const mmr_value *x = REG(ip->a), *y = REG(ip[1].a); \
        if (UNLIKELY((x->tag | y->tag) > MMR_V_NUM)) goto jcmpk_general; \
        int both = T_##C1(x->u.num, ip->k.num) & T_##C2(y->u.num, ip[1].k.num); \
        ip = both ? ip + 2 : ip->t; \
        DISPATCH(); \
    }
/* an inline builtin, then "unless TRUE" on its result against a number
 * (the next instruction's operands): the value is stored as the builtin
 * alone would store it, and compared while still in a register; it is a
 * number or missing (NaN: not TRUE), so no tag check */
#define V_ABS() mmr_num_abs(REG(ip->b)->u.num)
#define V_RATIO() mmr_num_ratio(REG(ip->b)->u.num, REG(ip->c)->u.num)
#define V_PCTCHG() mmr_num_pct_change(REG(ip->b)->u.num, REG(ip->c)->u.num)
#define AJ_HANDLER(P, C) \
    XCASE(XCODE3(P, C), L_AJ_##P##_##C) { \
        double v = V_##P(); \
        int ok = isfinite(v); \
        v = ok ? v : (double)NAN; \
        mmr_value *d = REG(ip->a); \
        d->u.num = v; \
        put_tag(d, ok ? MMR_V_NUM : MMR_V_MISSING); \
        ip = T_##C(v, ip[1].k.num) ? ip + 2 : ip[1].t; \
        DISPATCH(); \
    }
    ALL_CMP_POL(JK_HANDLER)
    ALL_CMP_POL(JC_HANDLER)
    ALL_CMP_CMP(JK2_HANDLER)
    ALL_PROD_CMP(AJ_HANDLER)
#undef JK_HANDLER
#undef JC_HANDLER
#undef JK2_HANDLER
#undef AJ_HANDLER

    VMCASE(HALT) {
        vm->ncands = (size_t)(cp - vm->cands);
        vm->nargbuf = (size_t)(ap - vm->argbuf);
        return 0;
    }
    VMCASE(LOADK) {
        *REG(ip->a) = K[ip->b];
        ip++; DISPATCH();
    }
    VMCASE(LOADM) {
        put_missing(REG(ip->a));
        ip++; DISPATCH();
    }
    VMCASE(MOVE) {
        *REG(ip->a) = *REG(ip->b);
        ip++; DISPATCH();
    }

#define ARITH(NAME, OPER) \
    VMCASE(NAME) { \
        const mmr_value *x = REG(ip->b), *y = REG(ip->c); \
        /* MISSING is 0 and NUM is 1; a missing value holds NaN */ \
        if (LIKELY((x->tag | y->tag) <= MMR_V_NUM)) put_num(REG(ip->a), x->u.num OPER y->u.num); \
        else put_missing(REG(ip->a)); \
        ip++; DISPATCH(); \
    }
    ARITH(ADD, +)
    ARITH(SUB, -)
    ARITH(MUL, *)
    ARITH(DIV, /)     /* x/0 is inf or NaN: put_num makes it missing */
#undef ARITH

    VMCASE(NEG) {
        const mmr_value *x = REG(ip->b);
        if (x->tag == MMR_V_NUM) put_num(REG(ip->a), -x->u.num);
        else put_missing(REG(ip->a));
        ip++; DISPATCH();
    }
    VMCASE(CMP) {
        const mmr_value *x = REG(ip->b), *y = REG(ip->c);
        /* numbers and missing (NaN: unordered) take the inline path */
        unsigned o = LIKELY((x->tag | y->tag) <= MMR_V_NUM) ? num_outcome(x->u.num, y->u.num) : value_outcome(x, y);
        *REG(ip->a) = outcome_value(ip->m, o);
        ip++; DISPATCH();
    }
    VMCASE(CMPK) {
        const mmr_value *x = REG(ip->b), *y = &K[ip->c];
        unsigned o = LIKELY((x->tag | y->tag) <= MMR_V_NUM) ? num_outcome(x->u.num, y->u.num) : value_outcome(x, y);
        *REG(ip->a) = outcome_value(ip->m, o);
        ip++; DISPATCH();
    }
    VMCASE(NOT) {
        int t = mmr_truth(REG(ip->b));
        *REG(ip->a) = t < 0 ? mmr_v_missing() : mmr_v_bool(!t);
        ip++; DISPATCH();
    }
    VMCASE(AND) {
        int x = mmr_truth(REG(ip->b)), y = mmr_truth(REG(ip->c));
        *REG(ip->a) = (x == 0 || y == 0) ? mmr_v_bool(0) : (x == 1 && y == 1) ? mmr_v_bool(1) : mmr_v_missing();
        ip++; DISPATCH();
    }
    VMCASE(OR) {
        int x = mmr_truth(REG(ip->b)), y = mmr_truth(REG(ip->c));
        *REG(ip->a) = (x == 1 || y == 1) ? mmr_v_bool(1) : (x == 0 && y == 0) ? mmr_v_bool(0) : mmr_v_missing();
        ip++; DISPATCH();
    }
    VMCASE(COALESCE) {
        const mmr_value *x = REG(ip->b);
        *REG(ip->a) = x->tag == MMR_V_MISSING ? *REG(ip->c) : *x;
        ip++; DISPATCH();
    }
    VMCASE(ISMISS) {
        *REG(ip->a) = mmr_v_bool(REG(ip->b)->tag == MMR_V_MISSING);
        ip++; DISPATCH();
    }
    VMCASE(IN) {
        *REG(ip->a) = mmr_v_truth(list_contains(REG(ip->b), REG(ip->c)));
        ip++; DISPATCH();
    }
    VMCASE(INDEX) {
        const mmr_value *m = REG(ip->b), *k = REG(ip->c);
        if (m->tag == MMR_V_MAP && k->tag == MMR_V_TEXT && m->u.map && k->u.text)
            *REG(ip->a) = mmr_v_num(mmr_map_get(m->u.map, k->u.text->bytes, k->u.text->len));
        else
            put_missing(REG(ip->a));
        ip++; DISPATCH();
    }
    VMCASE(CALL) {
        const mmr_value *args = REG(ip->c);
        unsigned n = ip->m;
        mmr_value out = mmr_v_missing();
        unsigned j = 0;
        while (j < n && args[j].tag != MMR_V_MISSING) j++;
        if (j == n) {
            mmr_builtin_ctx bctx = { &vm->scratch };
            mmr_builtins[ip->b].fn(&out, args, n, &bctx);
        }
        *REG(ip->a) = out;
        ip++; DISPATCH();
    }
    VMCASE(JMP) {
        ip = ip->t;
        DISPATCH();
    }
    VMCASE(JIF) {
        const mmr_value *x = REG(ip->a);
        unsigned o = x->tag == MMR_V_BOOL ? (unsigned)(x->u.i != 0) : 2u;
        ip = (jif_mask[ip->m & 3] >> o) & 1u ? ip->t : ip + 1;
        DISPATCH();
    }
    VMCASE(JCMPK) jcmpk_general: {
        const mmr_value *x = REG(ip->a), *k = &K[ip->b];
        unsigned o;
        /* numbers and missing (NaN: unordered) take the fast path */
        if (LIKELY(x->tag <= MMR_V_NUM && k->tag == MMR_V_NUM)) o = num_outcome(x->u.num, k->u.num);
        else o = value_outcome(x, k);
        ip = (jcmpk_mask[ip->m] >> o) & 1u ? ip->t : ip + 1;
        DISPATCH();
    }
    VMCASE(JCMP) jcmp_general: {
        const mmr_value *x = REG(ip->a), *y = REG(ip->b);
        unsigned o;
        if (LIKELY((x->tag | y->tag) <= MMR_V_NUM)) o = num_outcome(x->u.num, y->u.num);
        else o = value_outcome(x, y);
        ip = (jcmpk_mask[ip->m] >> o) & 1u ? ip->t : ip + 1;
        DISPATCH();
    }
    VMCASE(COALK) {
        const mmr_value *x = REG(ip->b);
        *REG(ip->a) = x->tag == MMR_V_MISSING ? K[ip->c] : *x;
        ip++; DISPATCH();
    }
    /* Inline builtins. Missing carries NaN, which abs, ratio and pct_change
     * carry through to a NaN result (missing), exactly as CALL's missing
     * check; min and max compare, so they check the tags. */
    VMCASE(ABS) {
        put_num(REG(ip->a), mmr_num_abs(REG(ip->b)->u.num));
        ip++; DISPATCH();
    }
    VMCASE(MIN) {
        const mmr_value *x = REG(ip->b), *y = REG(ip->c);
        if (x->tag == MMR_V_MISSING || y->tag == MMR_V_MISSING) put_missing(REG(ip->a));
        else put_num(REG(ip->a), mmr_num_min(x->u.num, y->u.num));
        ip++; DISPATCH();
    }
    VMCASE(MAX) {
        const mmr_value *x = REG(ip->b), *y = REG(ip->c);
        if (x->tag == MMR_V_MISSING || y->tag == MMR_V_MISSING) put_missing(REG(ip->a));
        else put_num(REG(ip->a), mmr_num_max(x->u.num, y->u.num));
        ip++; DISPATCH();
    }
    VMCASE(RATIO) {
        put_num(REG(ip->a), mmr_num_ratio(REG(ip->b)->u.num, REG(ip->c)->u.num));
        ip++; DISPATCH();
    }
    VMCASE(PCTCHG) {
        put_num(REG(ip->a), mmr_num_pct_change(REG(ip->b)->u.num, REG(ip->c)->u.num));
        ip++; DISPATCH();
    }
    VMCASE(LET) {
        uint32_t l = ip->b;
        if (LIKELY(vm->let_epoch[l] == vm->epoch)) {
            *REG(ip->a) = *REG(ip->k.u);
            ip++; DISPATCH();
        }
        if (UNLIKELY(vm->sp >= vm->prog->max_call_depth)) { why = "lets nest deeper than max_call_depth"; goto fail; }
        vm->let_epoch[l] = vm->epoch;
        /* RET comes back to this LET, which then copies the value */
        vm->ret_stack[vm->sp++] = (uint32_t)(ip - xc->start);
        ip = ip->t;
        DISPATCH();
    }
    VMCASE(RET) {
        if (UNLIKELY(vm->sp == 0)) { why = "ret without a let call"; goto fail; }
        ip = xc->start + vm->ret_stack[--vm->sp];
        DISPATCH();
    }
    VMCASE(ITER) {
        const mmr_value *m = REG(ip->b);
        if (m->tag != MMR_V_MAP || !m->u.map) { ip = ip->t; DISPATCH(); }
        mmr_value it = {0};
        it.tag = MMR_V_ITER;
        it.u.map = m->u.map;
        it.aux = 0;
        *REG(ip->a) = it;
        ip++; DISPATCH();
    }
    VMCASE(NEXT) {
        mmr_value *it = REG(ip->b);
        /* a loop that never ends: its iterator register was overwritten */
        if (UNLIKELY(--vm->steps == 0)) { why = "corrupt iterator state (a loop did not end)"; goto fail; }
        if (it->tag != MMR_V_ITER || it->aux >= it->u.map->n) { ip = ip->t; DISPATCH(); }
        const mmr_text *key = it->u.map->keys[it->aux++];
        *REG(ip->a) = mmr_v_text(key);
        ip++; DISPATCH();
    }
    /* Room for one more candidate and n more arguments (FIRE, FIREKEY: code
     * that may fire more than once); cp and ap may move. */
#define FIRE_RESERVE(n) do { \
        size_t nc_ = (size_t)(cp - vm->cands), na_ = (size_t)(ap - vm->argbuf); \
        vm->ncands = nc_; \
        vm->nargbuf = na_; \
        if (UNLIKELY(nc_ == vm->cands_cap) && \
            grow((void **)&vm->cands, &vm->cands_cap, nc_ + 1, sizeof *vm->cands)) \
            return run_failed(vm, "out of memory", xc, NULL, 0); \
        if (UNLIKELY(na_ + (n) > vm->argbuf_cap) && argbuf_reserve(vm, na_ + (n))) \
            return run_failed(vm, "out of memory", xc, NULL, 0); \
        cp = vm->cands + nc_; \
        ap = vm->argbuf + na_; \
    } while (0)
    /* FIRE in code that may run it more than once: check capacity */
    VMCASE(FIRE) {
        unsigned n = ip->m;
        FIRE_RESERVE(n);
        goto fire_any;
    }
    XCASE(XOP_FIREN, L_FIREN) fire_any: {
        unsigned n = ip->m;
        cp->rule = ip->a;
        cp->nargs = n;
        cp->args = n ? ap : NULL;
        cp->key = cp->rank = mmr_v_missing();
        cp++;
        if (n) memcpy(ap, REG(ip->b), n * sizeof *ap);
        ap += n;
        ip++; DISPATCH();
    }
    /* one key of a per-key rule: always in a loop, so always checked */
    VMCASE(FIREKEY) {
        unsigned n = ip->m;
        FIRE_RESERVE(n);
        const mmr_value *kr = REG(ip->c);
        if (UNLIKELY(kr[0].tag != MMR_V_TEXT)) { why = "firekey without a text key"; goto fail; }
        cp->rule = ip->a;
        cp->nargs = n;
        cp->args = n ? ap : NULL;
        cp->key = kr[0];
        cp->rank = kr[1].tag == MMR_V_NUM ? kr[1] : mmr_v_missing();
        cp++;
        if (n) memcpy(ap, REG(ip->b), n * sizeof *ap);
        ap += n;
        ip++; DISPATCH();
    }
    /* FIRE in code with no loops: each runs at most once per run, and
     * mmr_vm_init reserved room for all of them */
    XCASE(XOP_FIRE1, L_FIRE1) {
        cp->rule = ip->a;
        cp->nargs = 1;
        cp->args = ap;
        cp->key = cp->rank = mmr_v_missing();
        cp++;
        ap[0] = *REG(ip->b);
        ap += 1;
        ip++; DISPATCH();
    }
    XCASE(XOP_FIRE2, L_FIRE2) {
        const mmr_value *src = REG(ip->b);
        cp->rule = ip->a;
        cp->nargs = 2;
        cp->args = ap;
        cp->key = cp->rank = mmr_v_missing();
        cp++;
        ap[0] = src[0];
        ap[1] = src[1];
        ap += 2;
        ip++; DISPATCH();
    }
    VMCASE(TRACE) {
        if (UNLIKELY(vm->ntrace == vm->trace_cap) &&
            grow((void **)&vm->trace, &vm->trace_cap, vm->ntrace + 1, sizeof *vm->trace)) {
            vm->ncands = (size_t)(cp - vm->cands);
            vm->nargbuf = (size_t)(ap - vm->argbuf);
            return run_failed(vm, "out of memory", xc, NULL, 0);
        }
        mmr_trace_rec *t = &vm->trace[vm->ntrace++];
        memset(t, 0, sizeof *t);
        t->cond = ip->a;
        t->truth = (int8_t)mmr_truth(REG(ip->b));
        t->value = *REG(ip->b);
        t->nops = ip->m > 3 ? 3 : ip->m;
        const mmr_value *ops = REG(ip->c);
        for (unsigned j = 0; j < t->nops; j++) t->ops[j] = ops[j];
        ip++; DISPATCH();
    }
#ifndef MMR_CGOTO
    }
#endif
fail:
    vm->ncands = (size_t)(cp - vm->cands);
    vm->nargbuf = (size_t)(ap - vm->argbuf);
    return run_failed(vm, why, xc, ip, sizeof *ip);
#undef VMCASE
#undef XCASE
#undef DISPATCH
#undef REG
#undef K
}

int mmr_candidate_key_cmp(const mmr_candidate *a, const mmr_candidate *b)
{
    int ha = a->rank.tag == MMR_V_NUM, hb = b->rank.tag == MMR_V_NUM;
    if (ha != hb) return ha ? -1 : 1;
    if (ha && a->rank.u.num != b->rank.u.num) return a->rank.u.num > b->rank.u.num ? -1 : 1;
    const mmr_text *ka = a->key.tag == MMR_V_TEXT ? a->key.u.text : NULL;
    const mmr_text *kb = b->key.tag == MMR_V_TEXT ? b->key.u.text : NULL;
    return mmr_text_cmp(ka, kb);
}
