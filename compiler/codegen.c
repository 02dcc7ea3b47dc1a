/* Code generation: a checked unit into an mmr_program (see
 * docs/internals.md and vm/opcodes.def).
 *
 * Longer than our ~800-line mark: both code forms (control and traced
 * value form) are emitted by one walk over the same expression tree, and
 * the register allocator it shares is kept beside it.
 *
 * code[0], per rule in name order: audience and when in control form
 * (polarity jumps, fused JCMPK for `x <cmp> number`), then the template
 * values into consecutive registers and FIRE. After HALT come the lets'
 * bodies, each computing into its let register and ending in RET.
 * code[1] is the same in value form with TRACE after every condition leaf
 * and after each whole when/audience/let.
 *
 * Registers: inputs [0, nslots), lets [nslots, nslots + nlets), then rule
 * temporaries (reused per rule), then one disjoint range per let body (a
 * let may run in the middle of any expression, so it must not clobber the
 * caller's temporaries). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/compile.h"
#include "compiler/check_internal.h"
#include "util/buf.h"
#include "util/currency.h"
#include "stdlib/builtins.h"

#define MAX_REGS 65536u

typedef struct fixup { size_t insn; int field; int label; } fixup;   /* field 1 = b, 2 = c */

typedef struct qreg { const mmr_expr *quant; int reg; } qreg;

/* A `when`/`audience` operand whose value a `with` binding reuses: the
 * operand is computed straight into the binding's FIRE register. */
typedef struct cse { const mmr_expr *e; unsigned reg; } cse;

typedef struct cg {
    const mmr_unit *u;
    mmr_diags *d;
    mmr_program *p;
    int traced;
    /* code being built */
    mmr_insn *code; size_t ncode, capcode;
    int *labels; size_t nlabels, caplabels;
    fixup *fix; size_t nfix, capfix;
    int *let_label;               /* per let */
    int *height; int maxheight;   /* per let: 1 + height of the tallest let it calls */
    /* constants */
    mmr_value *consts; size_t nconsts, capconsts;
    size_t *chash; size_t chcap;  /* open addressing: index + 1, 0 = empty */
    /* conditions */
    mmr_prog_cond *conds; size_t nconds, capconds;
    /* registers */
    unsigned nslots, nlets;
    unsigned next, high;          /* next free temp, highest used + 1 */
    qreg *qregs; size_t nq, capq;
    cse *cses; size_t ncse, capcse;
    /* lets: inline_ok = a bool let used once, without quantifiers, so
     * code[0] may compile it in control form where it is used; inlined =
     * code[0] did, so its body is not generated there */
    unsigned char *let_inline_ok, *let_inlined;
    /* builtin index -> inline opcode (0 = none; HALT is never one) */
    unsigned char *inline_op;
    /* what is being generated (for conditions); cur_rule is UINT32_MAX
     * in a let's body */
    uint32_t cur_rule, cur_let;
    /* traced form, in a condition: trace calls and quantifier steps too */
    int details;
    int failed;
} cg;

static void fail(cg *c, const char *msg)
{
    const char *file = c->u && c->u->nfiles ? c->u->files[c->u->nfiles - 1]->path : "";
    if (!c->failed) mmr_diag_add(c->d, MMR_SEV_ERROR, file, 0, 0, "%s", msg);
    c->failed = 1;
}

static int grow(cg *c, void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap * 2 : 64;
    while (nc < need) nc *= 2;
    void *q = realloc(*p, nc * elem);
    if (!q) { fail(c, "out of memory"); return -1; }
    *p = q; *cap = nc;
    return 0;
}

/* ---------------------------------------------------------- emitting */

static size_t emit(cg *c, int op, unsigned m, unsigned a, uint32_t b, uint32_t cc)
{
    if (grow(c, (void **)&c->code, &c->capcode, c->ncode + 1, sizeof *c->code)) return 0;
    if (a > 0xFFFFu) fail(c, "the ruleset is too large: more than 65536 registers or rules");
    mmr_insn *in = &c->code[c->ncode];
    in->op = (uint8_t)op; in->m = (uint8_t)m; in->a = (uint16_t)a; in->b = b; in->c = cc;
    return c->ncode++;
}

static int label_new(cg *c)
{
    if (grow(c, (void **)&c->labels, &c->caplabels, c->nlabels + 1, sizeof *c->labels)) return 0;
    c->labels[c->nlabels] = -1;
    return (int)c->nlabels++;
}

static void label_here(cg *c, int l) { if (!c->failed) c->labels[l] = (int)c->ncode; }

static void use_label(cg *c, size_t insn, int field, int l)
{
    if (grow(c, (void **)&c->fix, &c->capfix, c->nfix + 1, sizeof *c->fix)) return;
    c->fix[c->nfix].insn = insn; c->fix[c->nfix].field = field; c->fix[c->nfix].label = l;
    c->nfix++;
}

static void emit_jump(cg *c, int op, unsigned m, unsigned a, int field, int l, uint32_t other)
{
    size_t i = field == 1 ? emit(c, op, m, a, 0, other) : emit(c, op, m, a, other, 0);
    if (!c->failed) use_label(c, i, field, l);
}

static void resolve(cg *c)
{
    if (c->failed) return;
    for (size_t i = 0; i < c->nfix; i++) {
        int pos = c->labels[c->fix[i].label];
        if (pos < 0) { fail(c, "internal error: unplaced label"); return; }
        if (c->fix[i].field == 1) c->code[c->fix[i].insn].b = (uint32_t)pos;
        else c->code[c->fix[i].insn].c = (uint32_t)pos;
    }
}

/* --------------------------------------------------------- registers */

static unsigned tmp(cg *c)
{
    unsigned r = c->next++;
    if (c->next > c->high) c->high = c->next;
    if (c->high > MAX_REGS) fail(c, "the ruleset is too large: more than 65536 registers");
    return r;
}

static unsigned tmps(cg *c, unsigned n)
{
    unsigned r = c->next;
    for (unsigned i = 0; i < n; i++) tmp(c);
    return r;
}

static unsigned let_reg(cg *c, int i) { return c->nslots + (unsigned)i; }

static unsigned slot_of(cg *c, const mmr_expr *e)
{
    return e->ref == MMR_REF_SIGNAL ? (unsigned)e->index : (unsigned)(c->u->nsignals + (size_t)e->index);
}

/* --------------------------------------------------------- constants */

static uint64_t value_hash(const mmr_value *v)
{
    uint64_t h = 1469598103934665603ull ^ v->tag;
    const unsigned char *p = NULL; size_t n = 0;
    double num = v->u.num;
    if (v->tag == MMR_V_NUM) { p = (const unsigned char *)&num; n = sizeof num; }
    else if (v->tag == MMR_V_BOOL) { h ^= (uint64_t)v->u.i * 31; }
    else if (v->tag == MMR_V_TEXT) { p = (const unsigned char *)v->u.text->bytes; n = v->u.text->len; }
    else if (v->tag == MMR_V_LIST) { h ^= v->u.list->n; }
    for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 1099511628211ull; }
    return h * 1099511628211ull;
}

static int value_same(const mmr_value *a, const mmr_value *b)
{
    if (a->tag != b->tag) return 0;
    switch (a->tag) {
    case MMR_V_MISSING: return 1;
    case MMR_V_NUM: return memcmp(&a->u.num, &b->u.num, sizeof a->u.num) == 0;
    case MMR_V_BOOL: return a->u.i == b->u.i;
    case MMR_V_TEXT: return mmr_text_eq(a->u.text, b->u.text);
    case MMR_V_LIST: {
        const mmr_list *x = a->u.list, *y = b->u.list;
        if (x->n != y->n) return 0;
        for (uint32_t i = 0; i < x->n; i++) if (!value_same(&x->items[i], &y->items[i])) return 0;
        return 1;
    }
    default: return 0;
    }
}

static uint32_t add_const(cg *c, mmr_value v)
{
    if (c->nconsts * 2 + 2 > c->chcap) {
        size_t ncap = c->chcap ? c->chcap * 2 : 256;
        size_t *nh = calloc(ncap, sizeof *nh);
        if (!nh) { fail(c, "out of memory"); return 0; }
        for (size_t i = 0; i < c->nconsts; i++) {
            size_t h = value_hash(&c->consts[i]) & (ncap - 1);
            while (nh[h]) h = (h + 1) & (ncap - 1);
            nh[h] = i + 1;
        }
        free(c->chash);
        c->chash = nh; c->chcap = ncap;
    }
    size_t h = value_hash(&v) & (c->chcap - 1);
    while (c->chash[h]) {
        if (value_same(&c->consts[c->chash[h] - 1], &v)) return (uint32_t)(c->chash[h] - 1);
        h = (h + 1) & (c->chcap - 1);
    }
    if (grow(c, (void **)&c->consts, &c->capconsts, c->nconsts + 1, sizeof *c->consts)) return 0;
    c->consts[c->nconsts] = v;
    c->chash[h] = c->nconsts + 1;
    return (uint32_t)c->nconsts++;
}

static const mmr_text *make_text(cg *c, const char *s, size_t n)
{
    mmr_text *t = mmr_text_new(&c->p->arena, s, n);
    if (!t) fail(c, "out of memory");
    return t;
}

static mmr_value scalar_value(cg *c, const mmr_expr *e)
{
    switch (e->type) {
    case MMR_T_NUMBER: return mmr_v_num(e->num);
    case MMR_T_BOOL: return mmr_v_bool(e->boolean);
    case MMR_T_TEXT: {
        const mmr_text *t = make_text(c, e->text ? e->text : "", e->text ? e->text_len : 0);
        return t ? mmr_v_text(t) : mmr_v_missing();
    }
    default: return mmr_v_missing();
    }
}

static uint32_t const_of(cg *c, const mmr_expr *e) { return add_const(c, scalar_value(c, e)); }

static uint32_t list_const(cg *c, const mmr_expr *e)
{
    mmr_list *l = mmr_arena_calloc(&c->p->arena, sizeof *l);
    mmr_value *items = mmr_arena_calloc(&c->p->arena, (e->nitems ? e->nitems : 1) * sizeof *items);
    if (!l || !items) { fail(c, "out of memory"); return 0; }
    for (size_t i = 0; i < e->nitems; i++) items[i] = scalar_value(c, e->items[i]);
    l->n = (uint32_t)e->nitems;
    l->items = items;
    return add_const(c, mmr_v_list(l));
}

static uint32_t bool_const(cg *c, int b) { return add_const(c, mmr_v_bool(b)); }

/* -------------------------------------------------------- conditions */

static const char *arena_str(cg *c, const char *s)
{
    if (!s) return NULL;
    char *r = mmr_arena_strdup(&c->p->arena, s);
    if (!r) fail(c, "out of memory");
    return r;
}

static uint32_t add_cond_text(cg *c, const mmr_expr *e, int part, const char *text);

static uint32_t add_cond(cg *c, const mmr_expr *e, int part)
{
    return add_cond_text(c, e, part, NULL);
}

/* text: the condition's text, else e printed */
static uint32_t add_cond_text(cg *c, const mmr_expr *e, int part, const char *text)
{
    if (grow(c, (void **)&c->conds, &c->capconds, c->nconds + 1, sizeof *c->conds)) return 0;
    if (c->nconds >= 0xFFFFu) { fail(c, "the ruleset is too large: more than 65535 traced conditions"); return 0; }
    mmr_buf b;
    mmr_buf_init(&b);
    if (text) mmr_buf_puts(&b, text);
    else mmr_print_expr(&b, e);
    mmr_prog_cond *q = &c->conds[c->nconds];
    memset(q, 0, sizeof *q);
    int is_let = part == MMR_COND_LET_LEAF || part == MMR_COND_LET_ALL ||
                 (MMR_COND_IS_DETAIL(part) && c->cur_rule == UINT32_MAX);
    q->rule = is_let ? UINT32_MAX : c->cur_rule;
    q->let = is_let ? c->cur_let : 0;
    q->text = arena_str(c, b.data ? b.data : "");
    q->file = arena_str(c, e->loc.file ? e->loc.file : "");
    q->line = e->loc.line;
    q->col = e->loc.col;
    q->part = (uint8_t)part;
    mmr_buf_free(&b);
    return (uint32_t)c->nconds++;
}

/* --------------------------------------------------------- quantifier keys */

static void alloc_qregs(cg *c, const mmr_expr *e)
{
    if (!e) return;
    if (e->kind == MMR_E_QUANT) {
        if (!grow(c, (void **)&c->qregs, &c->capq, c->nq + 1, sizeof *c->qregs)) {
            c->qregs[c->nq].quant = e;
            c->qregs[c->nq].reg = (int)tmp(c);
            c->nq++;
        }
    }
    alloc_qregs(c, e->lhs); alloc_qregs(c, e->rhs); alloc_qregs(c, e->third);
    for (size_t i = 0; i < e->nitems; i++) alloc_qregs(c, e->items[i]);
}

static unsigned qreg_of(cg *c, const mmr_expr *quant)
{
    for (size_t i = c->nq; i-- > 0;)
        if (c->qregs[i].quant == quant) return (unsigned)c->qregs[i].reg;
    fail(c, "internal error: quantifier variable without a register");
    return 0;
}

/* --------------------------------------------------- reuse and inlining */

/* Structurally equal expressions compute equal values in one run (every
 * expression is pure; quantifier variables excluded, as their value
 * depends on where they are read). */
static int expr_same(const mmr_expr *a, const mmr_expr *b)
{
    if (!a || !b) return a == b;
    if (a->type != b->type || a->is_const != b->is_const) return 0;
    if (a->is_const) {
        switch (a->type) {
        case MMR_T_NUMBER: return a->num == b->num && signbit(a->num) == signbit(b->num);
        case MMR_T_BOOL: return !a->boolean == !b->boolean;
        case MMR_T_TEXT:
            return a->text_len == b->text_len && (!a->text_len || (a->text && b->text && !memcmp(a->text, b->text, a->text_len)));
        default: return 0;
        }
    }
    if (a->kind != b->kind || a->op != b->op || a->negated != b->negated || a->nitems != b->nitems) return 0;
    switch (a->kind) {
    case MMR_E_NAME:
        return a->ref == b->ref && a->index == b->index &&
               (a->ref == MMR_REF_SIGNAL || a->ref == MMR_REF_TRAIT || a->ref == MMR_REF_LET);
    case MMR_E_CALL:
        if (a->index != b->index) return 0;
        break;
    case MMR_E_UNARY: case MMR_E_BINARY: case MMR_E_IN: case MMR_E_BETWEEN: case MMR_E_IS_MISSING:
    case MMR_E_INDEX:
        break;
    default:
        return 0;
    }
    if (!expr_same(a->lhs, b->lhs) || !expr_same(a->rhs, b->rhs) || !expr_same(a->third, b->third)) return 0;
    for (size_t i = 0; i < a->nitems; i++)
        if (!expr_same(a->items[i], b->items[i])) return 0;
    return 1;
}

static int has_quant(const mmr_expr *e)
{
    if (!e) return 0;
    if (e->kind == MMR_E_QUANT) return 1;
    if (has_quant(e->lhs) || has_quant(e->rhs) || has_quant(e->third)) return 1;
    for (size_t i = 0; i < e->nitems; i++) if (has_quant(e->items[i])) return 1;
    return 0;
}

static void count_let_refs(const mmr_expr *e, int *count)
{
    if (!e) return;
    if (e->kind == MMR_E_NAME && e->ref == MMR_REF_LET && e->index >= 0) count[e->index]++;
    count_let_refs(e->lhs, count); count_let_refs(e->rhs, count); count_let_refs(e->third, count);
    for (size_t i = 0; i < e->nitems; i++) count_let_refs(e->items[i], count);
}

static int is_inlined_let(cg *c, const mmr_expr *e)
{
    return !c->traced && !e->is_const && e->kind == MMR_E_NAME && e->ref == MMR_REF_LET && e->index >= 0 &&
           c->let_inline_ok[e->index];
}

/* The register a when/audience operand is computed into: its binding's
 * FIRE register when a `with` reuses it, else a new temporary (-1). */
static int cse_dst(cg *c, const mmr_expr *e)
{
    for (size_t i = 0; i < c->ncse; i++) if (c->cses[i].e == e) return (int)c->cses[i].reg;
    return -1;
}

/* Operands computed on every path on which the rule fires: those of the
 * comparisons in the top-level `and` chain (through inlined lets). The
 * first structurally equal to `want` is returned. */
static const mmr_expr *find_sure_operand(cg *c, const mmr_expr *e, const mmr_expr *want)
{
    if (!e || e->is_const) return NULL;
    if (is_inlined_let(c, e)) return find_sure_operand(c, c->u->lets[e->index]->expr, want);
    if (e->kind == MMR_E_BINARY && e->op == MMR_OP_AND) {
        const mmr_expr *x = find_sure_operand(c, e->lhs, want);
        return x ? x : find_sure_operand(c, e->rhs, want);
    }
    if (e->kind == MMR_E_BINARY && e->op >= MMR_OP_EQ && e->op <= MMR_OP_GE) {
        if (!e->lhs->is_const && expr_same(e->lhs, want)) return e->lhs;
        if (!e->rhs->is_const && expr_same(e->rhs, want)) return e->rhs;
    }
    return NULL;
}

/* ------------------------------------------------------------ values */

static unsigned val(cg *c, const mmr_expr *e, int dst);
static unsigned tcond(cg *c, const mmr_expr *e, int part, int dst);
static void trace(cg *c, uint32_t cond, unsigned r, unsigned nops, unsigned ops);

static mmr_cmp cmp_code(mmr_op op)
{
    switch (op) {
    case MMR_OP_EQ: return MMR_CMP_EQ; case MMR_OP_NE: return MMR_CMP_NE;
    case MMR_OP_LT: return MMR_CMP_LT; case MMR_OP_LE: return MMR_CMP_LE;
    case MMR_OP_GT: return MMR_CMP_GT; default: return MMR_CMP_GE;
    }
}

/* a <cmp> b  ==  b <flip(cmp)> a */
static mmr_cmp cmp_flip(mmr_cmp k)
{
    switch (k) {
    case MMR_CMP_LT: return MMR_CMP_GT; case MMR_CMP_LE: return MMR_CMP_GE;
    case MMR_CMP_GT: return MMR_CMP_LT; case MMR_CMP_GE: return MMR_CMP_LE;
    default: return k;
    }
}

static int is_scalar_const(const mmr_expr *e)
{
    return e->is_const && (e->type == MMR_T_NUMBER || e->type == MMR_T_TEXT || e->type == MMR_T_BOOL);
}

static unsigned out_reg(cg *c, int dst) { return dst >= 0 ? (unsigned)dst : tmp(c); }

static void emit_let_call(cg *c, int li)
{
    emit_jump(c, MMR_I_LET, 0, let_reg(c, li), 2, c->let_label[li], (uint32_t)li);
}

static unsigned val_quant(cg *c, const mmr_expr *e, unsigned out)
{
    int any = e->op == MMR_OP_ANY;
    unsigned key = qreg_of(c, e);
    unsigned mark = c->next;
    unsigned cur = tmp(c);
    unsigned map = val(c, e->lhs, -1);
    int Lloop = label_new(c), Lfound = label_new(c), Lmiss = label_new(c), Ldone = label_new(c);
    emit(c, MMR_I_LOADK, 0, out, bool_const(c, !any), 0);
    emit_jump(c, MMR_I_ITER, 0, cur, 2, Lmiss, map);
    label_here(c, Lloop);
    emit_jump(c, MMR_I_NEXT, 0, key, 2, Ldone, cur);
    unsigned inner = c->next;
    unsigned pr;
    if (c->details) {
        /* explain: each key with its predicate's conditions */
        uint32_t q = add_cond_text(c, e->rhs, MMR_COND_KEY, e->text ? e->text : "?");
        pr = tcond(c, e->rhs, MMR_COND_INNER_LEAF, -1);
        trace(c, q, pr, 1, key);
    } else {
        pr = val(c, e->rhs, -1);
    }
    /* any: TRUE ends the search; FALSE goes on; unknown makes the result unknown */
    emit_jump(c, MMR_I_JIF, any ? MMR_POL_TRUE : MMR_POL_FALSE, pr, 1, Lfound, 0);
    emit_jump(c, MMR_I_JIF, any ? MMR_POL_FALSE : MMR_POL_TRUE, pr, 1, Lloop, 0);
    emit(c, MMR_I_LOADM, 0, out, 0, 0);
    emit_jump(c, MMR_I_JMP, 0, 0, 1, Lloop, 0);
    c->next = inner;
    label_here(c, Lfound);
    emit(c, MMR_I_LOADK, 0, out, bool_const(c, any), 0);
    emit_jump(c, MMR_I_JMP, 0, 0, 1, Ldone, 0);
    label_here(c, Lmiss);
    emit(c, MMR_I_LOADM, 0, out, 0, 0);
    label_here(c, Ldone);
    c->next = mark;
    return out;
}

static unsigned val(cg *c, const mmr_expr *e, int dst)
{
    if (c->failed || !e) return 0;
    if (is_scalar_const(e)) {
        unsigned out = out_reg(c, dst);
        emit(c, MMR_I_LOADK, 0, out, const_of(c, e), 0);
        return out;
    }
    unsigned out, mark, a, b;
    switch (e->kind) {
    case MMR_E_MISSING:
        out = out_reg(c, dst);
        emit(c, MMR_I_LOADM, 0, out, 0, 0);
        return out;
    case MMR_E_LIST:
        out = out_reg(c, dst);
        emit(c, MMR_I_LOADK, 0, out, list_const(c, e), 0);
        return out;
    case MMR_E_NAME: {
        unsigned r;
        if (e->ref == MMR_REF_SIGNAL || e->ref == MMR_REF_TRAIT) r = slot_of(c, e);
        else if (e->ref == MMR_REF_LET) { emit_let_call(c, e->index); r = let_reg(c, e->index); }
        else if (e->ref == MMR_REF_QVAR) r = qreg_of(c, e->decl);
        else { fail(c, "internal error: unresolved name"); return 0; }
        if (dst >= 0 && (unsigned)dst != r) { emit(c, MMR_I_MOVE, 0, (unsigned)dst, r, 0); return (unsigned)dst; }
        return r;
    }
    default: break;
    }
    out = out_reg(c, dst);
    mark = c->next;
    switch (e->kind) {
    case MMR_E_UNARY:
        a = val(c, e->lhs, -1);
        emit(c, e->op == MMR_OP_NOT ? MMR_I_NOT : MMR_I_NEG, 0, out, a, 0);
        break;
    case MMR_E_BINARY:
        switch (e->op) {
        case MMR_OP_EQ: case MMR_OP_NE: case MMR_OP_LT: case MMR_OP_LE: case MMR_OP_GT: case MMR_OP_GE: {
            mmr_cmp k = cmp_code(e->op);
            if (is_scalar_const(e->rhs)) {
                a = val(c, e->lhs, -1);
                emit(c, MMR_I_CMPK, k, out, a, const_of(c, e->rhs));
            } else if (is_scalar_const(e->lhs)) {
                b = val(c, e->rhs, -1);
                emit(c, MMR_I_CMPK, cmp_flip(k), out, b, const_of(c, e->lhs));
            } else {
                a = val(c, e->lhs, -1); b = val(c, e->rhs, -1);
                emit(c, MMR_I_CMP, k, out, a, b);
            }
            break;
        }
        default: {
            if (e->op == MMR_OP_COALESCE && is_scalar_const(e->rhs)) {
                a = val(c, e->lhs, -1);
                emit(c, MMR_I_COALK, 0, out, a, const_of(c, e->rhs));
                break;
            }
            int op = e->op == MMR_OP_AND ? MMR_I_AND : e->op == MMR_OP_OR ? MMR_I_OR :
                     e->op == MMR_OP_COALESCE ? MMR_I_COALESCE : e->op == MMR_OP_ADD ? MMR_I_ADD :
                     e->op == MMR_OP_SUB ? MMR_I_SUB : e->op == MMR_OP_MUL ? MMR_I_MUL : MMR_I_DIV;
            a = val(c, e->lhs, -1); b = val(c, e->rhs, -1);
            emit(c, op, 0, out, a, b);
            break;
        }
        }
        break;
    case MMR_E_IN:
        a = val(c, e->lhs, -1); b = val(c, e->rhs, -1);
        emit(c, MMR_I_IN, 0, out, a, b);
        if (e->negated) emit(c, MMR_I_NOT, 0, out, out, 0);
        break;
    case MMR_E_BETWEEN: {
        a = val(c, e->lhs, -1);
        unsigned t1 = tmp(c), t2 = tmp(c);
        if (is_scalar_const(e->rhs)) emit(c, MMR_I_CMPK, MMR_CMP_GE, t1, a, const_of(c, e->rhs));
        else emit(c, MMR_I_CMP, MMR_CMP_GE, t1, a, val(c, e->rhs, -1));
        if (is_scalar_const(e->third)) emit(c, MMR_I_CMPK, MMR_CMP_LE, t2, a, const_of(c, e->third));
        else emit(c, MMR_I_CMP, MMR_CMP_LE, t2, a, val(c, e->third, -1));
        emit(c, MMR_I_AND, 0, out, t1, t2);
        break;
    }
    case MMR_E_IS_MISSING:
        a = val(c, e->lhs, -1);
        emit(c, MMR_I_ISMISS, 0, out, a, 0);
        if (e->negated) emit(c, MMR_I_NOT, 0, out, out, 0);
        break;
    case MMR_E_CALL: {
        unsigned n = (unsigned)e->nitems;
        int iop = e->index >= 0 && (unsigned)e->index < mmr_nbuiltins ? c->inline_op[e->index] : 0;
        if (c->details) {
            /* explain: the arguments in consecutive registers, to trace
             * them beside the result */
            uint32_t q = add_cond(c, e, MMR_COND_CALL);
            unsigned base = tmps(c, n);
            for (unsigned i = 0; i < n; i++) val(c, e->items[i], (int)(base + i));
            if (iop && n >= 1 && n <= 8 && (iop == MMR_I_ABS ? n == 1 : n >= 2)) {
                emit(c, iop, 0, out, base, n > 1 ? base + 1 : 0);
                for (unsigned i = 2; i < n; i++) emit(c, iop, 0, out, out, base + i);
            } else {
                emit(c, MMR_I_CALL, n, out, (uint32_t)e->index, n ? base : 0);
            }
            trace(c, q, out, n < 3 ? n : 3, n ? base : 0);
            break;
        }
        if (iop && n >= 1 && n <= 8 && (iop == MMR_I_ABS ? n == 1 : n >= 2)) {
            /* abs, min, max, ratio, pct_change: inline, on the operands'
             * own registers; min/max of more than two fold left */
            unsigned r[8];
            for (unsigned i = 0; i < n; i++) r[i] = val(c, e->items[i], -1);
            if (n == 1) emit(c, iop, 0, out, r[0], 0);
            else {
                emit(c, iop, 0, out, r[0], r[1]);
                for (unsigned i = 2; i < n; i++) emit(c, iop, 0, out, out, r[i]);
            }
            break;
        }
        /* arguments that already sit in consecutive input registers are
         * passed where they are */
        int direct = n > 0;
        for (unsigned i = 0; i < n && direct; i++) {
            const mmr_expr *x = e->items[i];
            direct = !x->is_const && x->kind == MMR_E_NAME && (x->ref == MMR_REF_SIGNAL || x->ref == MMR_REF_TRAIT) &&
                     slot_of(c, x) == slot_of(c, e->items[0]) + i;
        }
        if (direct) {
            emit(c, MMR_I_CALL, n, out, (uint32_t)e->index, slot_of(c, e->items[0]));
            break;
        }
        unsigned base = tmps(c, n);
        for (unsigned i = 0; i < n; i++) val(c, e->items[i], (int)(base + i));
        emit(c, MMR_I_CALL, n, out, (uint32_t)e->index, n ? base : 0);
        break;
    }
    case MMR_E_INDEX:
        a = val(c, e->lhs, -1); b = val(c, e->rhs, -1);
        emit(c, MMR_I_INDEX, 0, out, a, b);
        break;
    case MMR_E_QUANT:
        val_quant(c, e, out);
        break;
    default:
        fail(c, "internal error: cannot generate code for this expression");
        break;
    }
    c->next = mark;
    return out;
}

/* ------------------------------------------------------- control form */

static int pol_swap(int pol)
{
    switch (pol) {
    case MMR_POL_TRUE: return MMR_POL_FALSE;
    case MMR_POL_FALSE: return MMR_POL_TRUE;
    case MMR_POL_NOT_TRUE: return MMR_POL_NOT_FALSE;
    default: return MMR_POL_NOT_TRUE;
    }
}

static int pol_matches(int pol, int truth)
{
    switch (pol) {
    case MMR_POL_TRUE: return truth == 1;
    case MMR_POL_FALSE: return truth == 0;
    case MMR_POL_NOT_TRUE: return truth != 1;
    default: return truth != 0;
    }
}

/* Jump to label l when the truth of e matches pol; fall through otherwise. */
static void branch(cg *c, const mmr_expr *e, int pol, int l)
{
    if (c->failed || !e) return;
    if (e->is_const && e->type == MMR_T_BOOL) {
        if (pol_matches(pol, e->boolean ? 1 : 0)) emit_jump(c, MMR_I_JMP, 0, 0, 1, l, 0);
        return;
    }
    if (e->kind == MMR_E_UNARY && e->op == MMR_OP_NOT) { branch(c, e->lhs, pol_swap(pol), l); return; }
    if (is_inlined_let(c, e)) {
        /* the let's only use: its condition in control form, here */
        c->let_inlined[e->index] = 1;
        branch(c, c->u->lets[e->index]->expr, pol, l);
        return;
    }
    if (e->kind == MMR_E_BINARY && (e->op == MMR_OP_AND || e->op == MMR_OP_OR)) {
        /* for `or`, work on the dual: a or b == not (not a and not b) */
        int is_and = e->op == MMR_OP_AND;
        int p = is_and ? pol : pol_swap(pol);
        /* now treat as `and` with polarity p over operands that are negated for `or` */
        int neg = !is_and;
        if (p == MMR_POL_NOT_TRUE || p == MMR_POL_FALSE) {
            /* and: NOT_TRUE iff either NOT_TRUE; FALSE iff either FALSE */
            int q = neg ? pol_swap(p) : p;
            branch(c, e->lhs, q, l);
            branch(c, e->rhs, q, l);
        } else {
            /* and TRUE: lhs must be TRUE (skip when NOT_TRUE), then rhs TRUE
             * and NOT_FALSE: skip when lhs FALSE, then rhs NOT_FALSE */
            int skip = label_new(c);
            int qa = p == MMR_POL_TRUE ? MMR_POL_NOT_TRUE : MMR_POL_FALSE;
            branch(c, e->lhs, neg ? pol_swap(qa) : qa, skip);
            branch(c, e->rhs, neg ? pol_swap(p) : p, l);
            label_here(c, skip);
        }
        return;
    }
    unsigned mark = c->next;
    if (e->kind == MMR_E_BINARY && e->op >= MMR_OP_EQ && e->op <= MMR_OP_GE) {
        const mmr_expr *x = NULL, *k = NULL;
        mmr_cmp cm = cmp_code(e->op);
        if (is_scalar_const(e->rhs) && !e->lhs->is_const) { x = e->lhs; k = e->rhs; }
        else if (is_scalar_const(e->lhs) && !e->rhs->is_const) { x = e->rhs; k = e->lhs; cm = cmp_flip(cm); }
        if (x) {
            unsigned r = val(c, x, cse_dst(c, x));
            emit_jump(c, MMR_I_JCMPK, (unsigned)cm | ((unsigned)pol << 4), r, 2, l, const_of(c, k));
            c->next = mark;
            return;
        }
        if (!e->lhs->is_const && !e->rhs->is_const) {
            /* register against register: one fused compare-and-jump */
            unsigned ra = val(c, e->lhs, cse_dst(c, e->lhs));
            unsigned rb = val(c, e->rhs, cse_dst(c, e->rhs));
            emit_jump(c, MMR_I_JCMP, (unsigned)cm | ((unsigned)pol << 4), ra, 2, l, rb);
            c->next = mark;
            return;
        }
    }
    unsigned r = val(c, e, -1);
    emit_jump(c, MMR_I_JIF, (unsigned)pol, r, 1, l, 0);
    c->next = mark;
}

/* ------------------------------------------------------- traced form */

static void trace(cg *c, uint32_t cond, unsigned r, unsigned nops, unsigned ops)
{
    emit(c, MMR_I_TRACE, nops, cond, r, nops ? ops : 0);
}

static unsigned tleaf(cg *c, const mmr_expr *e, int part, int dst)
{
    unsigned out = out_reg(c, dst), mark = c->next;
    /* numbered before its operands: the details inside it (calls,
     * quantifier steps) get higher numbers (pre-order; see MMR_COND_KEY) */
    uint32_t q = add_cond(c, e, part);
    if (!e->is_const && e->kind == MMR_E_BINARY && e->op >= MMR_OP_EQ && e->op <= MMR_OP_GE) {
        unsigned ops = tmps(c, 2);
        val(c, e->lhs, (int)ops); val(c, e->rhs, (int)ops + 1);
        emit(c, MMR_I_CMP, cmp_code(e->op), out, ops, ops + 1);
        trace(c, q, out, 2, ops);
    } else if (!e->is_const && e->kind == MMR_E_BETWEEN) {
        unsigned ops = tmps(c, 3), t1 = tmp(c), t2 = tmp(c);
        val(c, e->lhs, (int)ops); val(c, e->rhs, (int)ops + 1); val(c, e->third, (int)ops + 2);
        emit(c, MMR_I_CMP, MMR_CMP_GE, t1, ops, ops + 1);
        emit(c, MMR_I_CMP, MMR_CMP_LE, t2, ops, ops + 2);
        emit(c, MMR_I_AND, 0, out, t1, t2);
        trace(c, q, out, 3, ops);
    } else if (!e->is_const && e->kind == MMR_E_IN) {
        unsigned ops = tmps(c, 2);
        val(c, e->lhs, (int)ops); val(c, e->rhs, (int)ops + 1);
        emit(c, MMR_I_IN, 0, out, ops, ops + 1);
        if (e->negated) emit(c, MMR_I_NOT, 0, out, out, 0);
        trace(c, q, out, 2, ops);
    } else if (!e->is_const && e->kind == MMR_E_IS_MISSING) {
        unsigned ops = tmps(c, 1);
        val(c, e->lhs, (int)ops);
        emit(c, MMR_I_ISMISS, 0, out, ops, 0);
        if (e->negated) emit(c, MMR_I_NOT, 0, out, out, 0);
        trace(c, q, out, 1, ops);
    } else {
        val(c, e, (int)out);
        trace(c, q, out, 0, 0);
    }
    c->next = mark;
    return out;
}

/* Value of a condition with a TRACE after every leaf under and/or/not. */
static unsigned tcond(cg *c, const mmr_expr *e, int part, int dst)
{
    if (c->failed || !e) return 0;
    if (!e->is_const && e->kind == MMR_E_UNARY && e->op == MMR_OP_NOT) {
        unsigned out = out_reg(c, dst), mark = c->next;
        unsigned a = tcond(c, e->lhs, part, -1);
        emit(c, MMR_I_NOT, 0, out, a, 0);
        c->next = mark;
        return out;
    }
    if (!e->is_const && e->kind == MMR_E_BINARY && (e->op == MMR_OP_AND || e->op == MMR_OP_OR)) {
        unsigned out = out_reg(c, dst), mark = c->next;
        unsigned a = tcond(c, e->lhs, part, -1);
        unsigned b = tcond(c, e->rhs, part, -1);
        emit(c, e->op == MMR_OP_AND ? MMR_I_AND : MMR_I_OR, 0, out, a, b);
        c->next = mark;
        return out;
    }
    return tleaf(c, e, part, dst);
}

/* ------------------------------------------------------------ rules */

static const mmr_binding *arg_binding(const mmr_rule *r, const char *name)
{
    for (size_t k = 0; k < r->nwith; k++) if (!strcmp(r->with[k].name, name)) return &r->with[k];
    return NULL;
}

/* FIRE's values into base .. base+nargs-1; those marked in done[] were
 * already computed there by the `when` (see cse). */
static void gen_args(cg *c, const mmr_rule *r, uint32_t ri, unsigned base, const unsigned char *done)
{
    const mmr_prog_rule *pr = &c->p->rules[ri];
    for (uint32_t i = 0; i < pr->nargs; i++) {
        if (done && done[i]) continue;
        const char *name = pr->arg_names[i];
        const mmr_binding *w = arg_binding(r, name);
        if (w) { val(c, w->expr, (int)(base + i)); continue; }
        int s = mmr_program_find_slot(c->p, name);
        if (s < 0) { fail(c, "internal error: a placeholder has no value"); return; }
        emit(c, MMR_I_MOVE, 0, base + i, (uint32_t)s, 0);
    }
}

/* A per-key rule, `for each K in MAP where P [rank by R]`: a loop over
 * MAP's keys (ITER/NEXT, as a quantifier), one FIREKEY per key whose P
 * is TRUE, with the key in a register and R's value in the next one.
 * code[0]: the audience first, then P in control form. code[1]: P traced
 * for every key (a KEY detail with the key and, with `rank by`, the rank
 * as operands) under one WHEN_LEAF for the whole `for each`, true when
 * some key's P was (as `any`); the audience gates each FIREKEY. */
static void gen_rule_each(cg *c, const mmr_rule *r, uint32_t ri)
{
    const mmr_expr *e = r->when;
    unsigned mark = c->next;
    c->nq = 0;
    c->cur_rule = ri;
    /* the key and its rank side by side, as FIREKEY reads them */
    unsigned kr = tmps(c, 2);
    if (grow(c, (void **)&c->qregs, &c->capq, c->nq + 1, sizeof *c->qregs)) return;
    c->qregs[c->nq].quant = e;
    c->qregs[c->nq].reg = (int)kr;
    c->nq++;
    alloc_qregs(c, e->lhs); alloc_qregs(c, e->rhs); alloc_qregs(c, e->third); alloc_qregs(c, r->audience);
    for (size_t i = 0; i < r->nwith; i++) alloc_qregs(c, r->with[i].expr);
    const mmr_prog_rule *pr = &c->p->rules[ri];
    unsigned base = tmps(c, pr->nargs);
    unsigned cur = tmp(c);
    int Lnext = label_new(c), Lloop = label_new(c);
    c->ncse = 0;
    if (!c->traced) {
        if (r->audience) branch(c, r->audience, MMR_POL_NOT_TRUE, Lnext);
        unsigned map = val(c, e->lhs, -1);
        emit_jump(c, MMR_I_ITER, 0, cur, 2, Lnext, map);
        label_here(c, Lloop);
        emit_jump(c, MMR_I_NEXT, 0, kr, 2, Lnext, cur);
        unsigned inner = c->next;
        branch(c, e->rhs, MMR_POL_NOT_TRUE, Lloop);
        if (e->third) val(c, e->third, (int)kr + 1);
        else emit(c, MMR_I_LOADM, 0, kr + 1, 0, 0);
        gen_args(c, r, ri, base, NULL);
        emit(c, MMR_I_FIREKEY, pr->nargs, ri, pr->nargs ? base : 0, kr);
        emit_jump(c, MMR_I_JMP, 0, 0, 1, Lloop, 0);
        c->next = inner;
    } else {
        int ra = -1;
        c->details = 1;
        if (r->audience) {
            ra = (int)tcond(c, r->audience, MMR_COND_AUDIENCE_LEAF, (int)tmp(c));
            trace(c, add_cond(c, r->audience, MMR_COND_AUDIENCE_ALL), (unsigned)ra, 0, 0);
        }
        unsigned rw = tmp(c);
        /* numbered before the keys' details (pre-order), traced after them */
        uint32_t q = add_cond(c, e, MMR_COND_WHEN_LEAF);
        int Lmiss = label_new(c), Ldone = label_new(c);
        emit(c, MMR_I_LOADK, 0, rw, bool_const(c, 0), 0);
        unsigned map = val(c, e->lhs, -1);
        emit_jump(c, MMR_I_ITER, 0, cur, 2, Lmiss, map);
        label_here(c, Lloop);
        emit_jump(c, MMR_I_NEXT, 0, kr, 2, Ldone, cur);
        unsigned inner = c->next;
        uint32_t qk = add_cond_text(c, e->rhs, MMR_COND_KEY, e->text ? e->text : "?");
        unsigned pr_reg = tcond(c, e->rhs, MMR_COND_INNER_LEAF, -1);
        if (e->third) val(c, e->third, (int)kr + 1);
        else emit(c, MMR_I_LOADM, 0, kr + 1, 0, 0);
        trace(c, qk, pr_reg, e->third ? 2 : 1, kr);
        /* the whole: true when some key's was, else unknown when some
         * key's was unknown (Kleene or, as `any`) */
        emit(c, MMR_I_OR, 0, rw, rw, pr_reg);
        emit_jump(c, MMR_I_JIF, MMR_POL_NOT_TRUE, pr_reg, 1, Lloop, 0);
        if (ra >= 0) emit_jump(c, MMR_I_JIF, MMR_POL_NOT_TRUE, (unsigned)ra, 1, Lloop, 0);
        c->details = 0;
        gen_args(c, r, ri, base, NULL);
        c->details = 1;
        emit(c, MMR_I_FIREKEY, pr->nargs, ri, pr->nargs ? base : 0, kr);
        emit_jump(c, MMR_I_JMP, 0, 0, 1, Lloop, 0);
        c->next = inner;
        label_here(c, Lmiss);
        emit(c, MMR_I_LOADM, 0, rw, 0, 0);
        label_here(c, Ldone);
        trace(c, q, rw, 0, 0);
        c->details = 0;
        trace(c, add_cond(c, e, MMR_COND_WHEN_ALL), rw, 0, 0);
    }
    label_here(c, Lnext);
    c->next = mark;
}

static void gen_rule(cg *c, const mmr_rule *r, uint32_t ri)
{
    if (MMR_RULE_PER_KEY(r)) { gen_rule_each(c, r, ri); return; }
    unsigned mark = c->next;
    c->nq = 0;
    c->cur_rule = ri;
    alloc_qregs(c, r->when); alloc_qregs(c, r->audience);
    for (size_t i = 0; i < r->nwith; i++) alloc_qregs(c, r->with[i].expr);
    int next = label_new(c);
    const mmr_prog_rule *pr = &c->p->rules[ri];
    unsigned base = 0;
    unsigned char done[256];
    memset(done, 0, sizeof done);
    c->ncse = 0;
    if (!c->traced) {
        /* FIRE's registers first, so the condition can fill some of them */
        base = tmps(c, pr->nargs);
        /* a `with` value that the condition computes anyway (on every path
         * to FIRE) is computed once, straight into its FIRE register */
        for (uint32_t i = 0; i < pr->nargs && i < 256; i++) {
            const mmr_binding *w = arg_binding(r, pr->arg_names[i]);
            if (!w || w->expr->is_const || w->expr->kind == MMR_E_NAME || has_quant(w->expr)) continue;
            const mmr_expr *x = find_sure_operand(c, r->audience, w->expr);
            if (!x) x = find_sure_operand(c, r->when, w->expr);
            if (!x || cse_dst(c, x) >= 0) continue;
            if (grow(c, (void **)&c->cses, &c->capcse, c->ncse + 1, sizeof *c->cses)) break;
            c->cses[c->ncse].e = x;
            c->cses[c->ncse].reg = base + i;
            c->ncse++;
            done[i] = 1;
        }
        if (r->audience) branch(c, r->audience, MMR_POL_NOT_TRUE, next);
        branch(c, r->when, MMR_POL_NOT_TRUE, next);
        c->ncse = 0;
    } else {
        int ra = -1;
        c->details = 1;
        if (r->audience) {
            ra = (int)tcond(c, r->audience, MMR_COND_AUDIENCE_LEAF, (int)tmp(c));
            trace(c, add_cond(c, r->audience, MMR_COND_AUDIENCE_ALL), (unsigned)ra, 0, 0);
        }
        unsigned rw = tcond(c, r->when, MMR_COND_WHEN_LEAF, (int)tmp(c));
        trace(c, add_cond(c, r->when, MMR_COND_WHEN_ALL), rw, 0, 0);
        c->details = 0;
        if (ra >= 0) emit_jump(c, MMR_I_JIF, MMR_POL_NOT_TRUE, (unsigned)ra, 1, next, 0);
        emit_jump(c, MMR_I_JIF, MMR_POL_NOT_TRUE, rw, 1, next, 0);
    }
    if (c->traced) base = tmps(c, pr->nargs);
    gen_args(c, r, ri, base, done);
    emit(c, MMR_I_FIRE, pr->nargs, ri, pr->nargs ? base : 0, 0);
    label_here(c, next);
    c->next = mark;
}

static void gen_let(cg *c, size_t li)
{
    const mmr_let *l = c->u->lets[li];
    c->nq = 0;
    c->cur_let = (uint32_t)li;
    c->cur_rule = UINT32_MAX;
    label_here(c, c->let_label[li]);
    alloc_qregs(c, l->expr);
    unsigned r = let_reg(c, (int)li);
    if (c->traced) {
        /* a value let (not a condition) traces its value as its operand */
        int is_bool = l->expr->type == MMR_T_BOOL;
        c->details = 1;
        if (is_bool) tcond(c, l->expr, MMR_COND_LET_LEAF, (int)r);
        else val(c, l->expr, (int)r);
        c->details = 0;
        /* a constant is folded where it is used: nothing runs to trace */
        if (is_bool || !(l->expr->is_const || l->expr->kind == MMR_E_LIST))
            trace(c, add_cond(c, l->expr, MMR_COND_LET_ALL), r, is_bool ? 0 : 1, is_bool ? 0 : r);
    } else {
        val(c, l->expr, (int)r);
    }
    emit(c, MMR_I_RET, 0, 0, 0, 0);
}

static void reset_code(cg *c)
{
    c->ncode = 0; c->nlabels = 0; c->nfix = 0; c->nq = 0;
}

/* Generate one code array; returns the number of registers it needs. */
static unsigned gen_code(cg *c, int traced)
{
    const mmr_unit *u = c->u;
    reset_code(c);
    c->traced = traced;
    for (size_t i = 0; i < u->nlets; i++) c->let_label[i] = label_new(c);
    unsigned base = c->nslots + c->nlets;
    c->next = c->high = base;
    for (size_t i = 0; i < u->nrules && !c->failed; i++) gen_rule(c, u->rules[i], (uint32_t)i);
    emit(c, MMR_I_HALT, 0, 0, 0, 0);
    /* A let runs while its callers' temporaries are live, so its body gets
     * registers above theirs. Lets of equal height (1 + the height of the
     * tallest let they call) are never active at once: they share a range. */
    for (int h = 1; h <= c->maxheight && !c->failed; h++) {
        unsigned group = c->high;
        for (size_t i = 0; i < u->nlets && !c->failed; i++) {
            if (c->height[i] != h) continue;
            if (!traced && c->let_inlined[i]) continue;   /* compiled where it is used */
            c->next = group;
            gen_let(c, i);
        }
    }
    resolve(c);
    if (c->failed) return 0;
    mmr_code *cd = &c->p->code[traced];
    cd->insns = mmr_arena_alloc(&c->p->arena, (c->ncode ? c->ncode : 1) * sizeof *cd->insns);
    if (!cd->insns) { fail(c, "out of memory"); return 0; }
    memcpy(cd->insns, c->code, c->ncode * sizeof *cd->insns);
    cd->n = (uint32_t)c->ncode;
    return c->high;
}

/* ------------------------------------------------------------ tables */

static int let_depth(const mmr_unit *u, const mmr_expr *e, int *memo, int guard);

static int let_depth_of(const mmr_unit *u, size_t i, int *memo, int guard)
{
    if (memo[i]) return memo[i];
    if (guard > (int)u->nlets + 1) return 1;
    memo[i] = 1 + let_depth(u, u->lets[i]->expr, memo, guard + 1);
    return memo[i];
}

static int let_depth(const mmr_unit *u, const mmr_expr *e, int *memo, int guard)
{
    if (!e || e->is_const) return 0;
    int best = 0, d;
    if (e->kind == MMR_E_NAME && e->ref == MMR_REF_LET) return let_depth_of(u, (size_t)e->index, memo, guard);
    if ((d = let_depth(u, e->lhs, memo, guard)) > best) best = d;
    if ((d = let_depth(u, e->rhs, memo, guard)) > best) best = d;
    if ((d = let_depth(u, e->third, memo, guard)) > best) best = d;
    for (size_t i = 0; i < e->nitems; i++) if ((d = let_depth(u, e->items[i], memo, guard)) > best) best = d;
    return best;
}

static void fill_tables(cg *c)
{
    const mmr_unit *u = c->u;
    mmr_program *p = c->p;
    mmr_arena *a = &p->arena;
    p->nslots = (uint32_t)(u->nsignals + u->ntraits);
    p->slots = mmr_arena_calloc(a, (p->nslots ? p->nslots : 1) * sizeof *p->slots);
    p->nlets = (uint32_t)u->nlets;
    p->let_names = mmr_arena_calloc(a, (u->nlets ? u->nlets : 1) * sizeof *p->let_names);
    p->ntemplates = (uint32_t)u->ntemplates;
    p->templates = mmr_arena_calloc(a, (u->ntemplates ? u->ntemplates : 1) * sizeof *p->templates);
    p->nrules = (uint32_t)u->nrules;
    p->rules = mmr_arena_calloc(a, (u->nrules ? u->nrules : 1) * sizeof *p->rules);
    if (!p->slots || !p->let_names || !p->templates || !p->rules) { fail(c, "out of memory"); return; }
    for (size_t i = 0; i < u->nsignals; i++) {
        p->slots[i].name = arena_str(c, u->signals[i]->name);
        p->slots[i].type = (uint8_t)u->signals[i]->type;
    }
    for (size_t i = 0; i < u->ntraits; i++) {
        mmr_slot *s = &p->slots[u->nsignals + i];
        s->name = arena_str(c, u->traits[i]->name);
        s->type = (uint8_t)u->traits[i]->type;
        s->is_trait = 1;
    }
    for (size_t i = 0; i < u->nlets; i++) p->let_names[i] = arena_str(c, u->lets[i]->name);
    for (size_t i = 0; i < u->ntemplates; i++) {
        const mmr_template *t = u->templates[i];
        mmr_prog_template *pt = &p->templates[i];
        pt->id = arena_str(c, t->id);
        pt->title = arena_str(c, t->title);
        pt->body = arena_str(c, t->body);
        pt->tone = arena_str(c, t->tone);
        pt->category = arena_str(c, t->category);
    }
    mmr_tpl_arg args[256];
    for (size_t i = 0; i < u->nrules; i++) {
        const mmr_rule *r = u->rules[i];
        mmr_prog_rule *pr = &p->rules[i];
        pr->name = arena_str(c, r->name);
        pr->description = arena_str(c, r->description);
        pr->priority = (int32_t)r->priority;
        pr->cooldown_s = r->cooldown_s;
        if (r->template_index < 0 || (size_t)r->template_index >= u->ntemplates) {
            fail(c, "internal error: rule without a template");
            return;
        }
        pr->template_index = (uint32_t)r->template_index;
        const mmr_template *t = u->templates[r->template_index];
        pr->category = arena_str(c, r->category ? r->category : t->category);
        long n = mmr_template_args(t, args, 256);
        if (n < 0 || n > 255) { fail(c, "internal error: bad template"); return; }
        pr->nargs = (uint32_t)n;
        pr->arg_names = mmr_arena_calloc(a, (n ? (size_t)n : 1) * sizeof *pr->arg_names);
        if (!pr->arg_names) { fail(c, "out of memory"); return; }
        for (long k = 0; k < n; k++) {
            char *s = mmr_arena_strndup(a, args[k].name, args[k].name_len);
            if (!s) { fail(c, "out of memory"); return; }
            pr->arg_names[k] = s;
        }
        pr->file = arena_str(c, r->loc.file ? r->loc.file : "");
        pr->line = r->loc.line;
        pr->col = r->loc.col;
    }
    /* policy */
    const mmr_policy *pol = u->policy;
    mmr_prog_policy *pp = &p->policy;
    pp->max_nudges = 1; pp->window_s = 86400;
    pp->quiet_start_min = -1; pp->quiet_end_min = -1;
    pp->timezone = "UTC";
    if (pol && pol->has_max) { pp->max_nudges = pol->max_nudges; pp->window_s = pol->window_s; }
    if (pol && pol->has_quiet) { pp->quiet_start_min = pol->quiet_start_min; pp->quiet_end_min = pol->quiet_end_min; }
    if (pol && pol->timezone) pp->timezone = arena_str(c, pol->timezone);
    /* INR, the default, is stored as none: the bytes stay those of a
     * ruleset without the field (vm/mmrc.c) */
    if (pol && pol->currency && strcmp(pol->currency, MMR_CURRENCY_DEFAULT)) pp->currency = arena_str(c, pol->currency);
    const char *const *cats = mmr_default_categories;
    size_t ncats = mmr_ndefault_categories;
    if (pol && pol->categories && pol->ncategories) { cats = pol->categories; ncats = pol->ncategories; }
    pp->categories = mmr_arena_calloc(a, ncats * sizeof *pp->categories);
    if (!pp->categories) { fail(c, "out of memory"); return; }
    for (size_t i = 0; i < ncats; i++) pp->categories[i] = arena_str(c, cats[i]);
    pp->ncategories = (uint32_t)ncats;
}

mmr_program *mmr_codegen(const mmr_unit *u, mmr_diags *d)
{
    if (!u) return NULL;
    cg c;
    memset(&c, 0, sizeof c);
    c.u = u;
    c.d = d;
    c.p = mmr_program_new();
    if (!c.p) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); return NULL; }
    /* mmr_check rejects more rules at the first one past the limit */
    if (u->nrules > MMR_MAX_RULES) fail(&c, "internal error: more rules than the checker allows");
    c.nslots = (unsigned)(u->nsignals + u->ntraits);
    c.nlets = (unsigned)u->nlets;
    c.let_label = calloc(u->nlets ? u->nlets : 1, sizeof *c.let_label);
    if (!c.let_label) fail(&c, "out of memory");
    if (!c.failed) fill_tables(&c);
    c.height = calloc(u->nlets ? u->nlets : 1, sizeof *c.height);
    if (!c.height) fail(&c, "out of memory");
    for (size_t i = 0; i < u->nlets && !c.failed; i++) {
        int dd = let_depth_of(u, i, c.height, 0);
        if (dd > c.maxheight) c.maxheight = dd;
    }
    /* lets that code[0] may compile in control form where they are used */
    c.let_inline_ok = calloc(u->nlets ? u->nlets : 1, 1);
    c.let_inlined = calloc(u->nlets ? u->nlets : 1, 1);
    int *refs = calloc(u->nlets ? u->nlets : 1, sizeof *refs);
    c.inline_op = calloc(mmr_nbuiltins ? mmr_nbuiltins : 1, 1);
    if (!c.let_inline_ok || !c.let_inlined || !refs || !c.inline_op) fail(&c, "out of memory");
    if (!c.failed) {
        for (size_t i = 0; i < u->nrules; i++) {
            const mmr_rule *r = u->rules[i];
            count_let_refs(r->when, refs);
            count_let_refs(r->audience, refs);
            for (size_t k = 0; k < r->nwith; k++) count_let_refs(r->with[k].expr, refs);
        }
        for (size_t i = 0; i < u->nlets; i++) count_let_refs(u->lets[i]->expr, refs);
        for (size_t i = 0; i < u->nlets; i++) {
            const mmr_expr *x = u->lets[i]->expr;
            c.let_inline_ok[i] = refs[i] == 1 && x && x->type == MMR_T_BOOL && !has_quant(x);
        }
        static const struct { const char *name; unsigned char op; } fast[] = {
            { "abs", MMR_I_ABS }, { "min", MMR_I_MIN }, { "max", MMR_I_MAX },
            { "ratio", MMR_I_RATIO }, { "pct_change", MMR_I_PCTCHG },
        };
        for (size_t i = 0; i < sizeof fast / sizeof fast[0]; i++) {
            int b = mmr_builtin_find(fast[i].name);
            if (b >= 0) c.inline_op[b] = fast[i].op;
        }
    }
    free(refs);
    unsigned regs0 = 0, regs1 = 0;
    if (!c.failed) regs0 = gen_code(&c, 0);
    if (!c.failed) regs1 = gen_code(&c, 1);
    if (!c.failed) {
        mmr_program *p = c.p;
        unsigned nregs = regs0 > regs1 ? regs0 : regs1;
        if (nregs < c.nslots + c.nlets) nregs = c.nslots + c.nlets;
        if (nregs == 0) nregs = 1;
        if (nregs > MAX_REGS) fail(&c, "the ruleset is too large: more than 65536 registers");
        p->nregs = nregs;
        p->nconsts = (uint32_t)c.nconsts;
        p->consts = mmr_arena_alloc(&p->arena, (c.nconsts ? c.nconsts : 1) * sizeof *p->consts);
        p->nconds = (uint32_t)c.nconds;
        p->conds = mmr_arena_alloc(&p->arena, (c.nconds ? c.nconds : 1) * sizeof *p->conds);
        if (!p->consts || !p->conds) fail(&c, "out of memory");
        else {
            if (c.nconsts) memcpy(p->consts, c.consts, c.nconsts * sizeof *p->consts);
            if (c.nconds) memcpy(p->conds, c.conds, c.nconds * sizeof *p->conds);
        }
        p->max_call_depth = (uint32_t)c.maxheight;
        if (!c.failed && mmr_program_order_rules(p) != 0) fail(&c, "out of memory");
    }
    free(c.code); free(c.labels); free(c.fix); free(c.let_label); free(c.height); free(c.consts);
    free(c.chash); free(c.conds); free(c.qregs);
    free(c.cses); free(c.let_inline_ok); free(c.let_inlined); free(c.inline_op);
    if (c.failed) { mmr_program_free(c.p); return NULL; }
    return c.p;
}
