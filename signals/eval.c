/* The signals stage's expression evaluator (see signals/eval.h). */
#include "signals/eval.h"
#include <string.h>
#include "stdlib/builtins.h"

#define MAX_DEPTH 512
#define MAX_QVARS 16

typedef struct ev {
    const mmr_sig_env *env;
    const mmr_expr *qdecl[MAX_QVARS];   /* quantifier bindings in scope */
    mmr_value qval[MAX_QVARS];
    int nq;
} ev;

static mmr_value eval(ev *s, const mmr_expr *e, int depth);

static int text_eq(const mmr_value *a, const mmr_value *b)
{
    return a->u.text->len == b->u.text->len && !memcmp(a->u.text->bytes, b->u.text->bytes, a->u.text->len);
}

/* -1 unknown, else 0/1 */
static int compare(mmr_op op, const mmr_value *a, const mmr_value *b)
{
    if (a->tag == MMR_V_MISSING || b->tag == MMR_V_MISSING) return -1;
    int c;
    if (a->tag == MMR_V_NUM && b->tag == MMR_V_NUM) c = a->u.num < b->u.num ? -1 : a->u.num > b->u.num;
    else if (a->tag == MMR_V_TEXT && b->tag == MMR_V_TEXT) {
        if (op == MMR_OP_EQ || op == MMR_OP_NE) return text_eq(a, b) == (op == MMR_OP_EQ);
        c = mmr_text_cmp(a->u.text, b->u.text);
    } else if (a->tag == MMR_V_BOOL && b->tag == MMR_V_BOOL) c = (int)(a->u.i - b->u.i);
    else return -1;
    switch (op) {
    case MMR_OP_EQ: return c == 0;
    case MMR_OP_NE: return c != 0;
    case MMR_OP_LT: return c < 0;
    case MMR_OP_LE: return c <= 0;
    case MMR_OP_GT: return c > 0;
    default: return c >= 0;
    }
}

static mmr_value name_value(ev *s, const mmr_expr *e, int depth)
{
    const mmr_sig_env *env = s->env;
    switch (e->ref) {
    case MMR_REF_FIELD: return env->fields ? env->fields[e->index] : mmr_v_missing();
    case MMR_REF_SIGNAL: return env->signals ? env->signals[e->index] : mmr_v_missing();
    case MMR_REF_TRAIT: return env->traits ? env->traits[e->index] : mmr_v_missing();
    case MMR_REF_LET:
        if (env->unit && e->index >= 0 && (size_t)e->index < env->unit->nlets)
            return eval(s, env->unit->lets[e->index]->expr, depth + 1);
        return mmr_v_missing();
    case MMR_REF_QVAR:
        for (int i = s->nq - 1; i >= 0; i--) if (s->qdecl[i] == e->decl) return s->qval[i];
        return mmr_v_missing();
    default: return mmr_v_missing();
    }
}

static mmr_value list_value(ev *s, const mmr_expr *e, int depth)
{
    mmr_arena *a = s->env->scratch;
    mmr_list *l = mmr_arena_alloc(a, sizeof *l);
    mmr_value *items = e->nitems ? mmr_arena_alloc(a, e->nitems * sizeof *items) : NULL;
    if (!l || (e->nitems && !items)) return mmr_v_missing();
    for (size_t i = 0; i < e->nitems; i++) items[i] = eval(s, e->items[i], depth + 1);
    l->n = (uint32_t)e->nitems;
    l->items = items;
    return mmr_v_list(l);
}

static mmr_value in_value(const mmr_value *x, const mmr_value *l)
{
    if (x->tag == MMR_V_MISSING || l->tag != MMR_V_LIST) return mmr_v_missing();
    int unknown = 0;
    for (uint32_t i = 0; i < l->u.list->n; i++) {
        int c = compare(MMR_OP_EQ, x, &l->u.list->items[i]);
        if (c == 1) return mmr_v_bool(1);
        if (c < 0) unknown = 1;
    }
    return unknown ? mmr_v_missing() : mmr_v_bool(0);
}

static mmr_value arith(mmr_op op, mmr_value a, mmr_value b)
{
    if (a.tag != MMR_V_NUM || b.tag != MMR_V_NUM) return mmr_v_missing();
    switch (op) {
    case MMR_OP_ADD: return mmr_v_num(a.u.num + b.u.num);
    case MMR_OP_SUB: return mmr_v_num(a.u.num - b.u.num);
    case MMR_OP_MUL: return mmr_v_num(a.u.num * b.u.num);
    default: return b.u.num == 0 ? mmr_v_missing() : mmr_v_num(a.u.num / b.u.num);
    }
}

static mmr_value quant(ev *s, const mmr_expr *e, int depth)
{
    mmr_value m = eval(s, e->lhs, depth + 1);
    if (m.tag != MMR_V_MAP || s->nq >= MAX_QVARS) return mmr_v_missing();
    int any = e->op == MMR_OP_ANY, unknown = 0;
    int slot = s->nq++;
    s->qdecl[slot] = e;
    mmr_value out = mmr_v_bool(!any);
    for (uint32_t i = 0; i < m.u.map->n; i++) {
        s->qval[slot] = mmr_v_text(m.u.map->keys[i]);
        mmr_value p = eval(s, e->rhs, depth + 1);
        int t = mmr_truth(&p);
        if (t < 0) unknown = 1;
        else if (t == any) { out = mmr_v_bool(any); unknown = 0; break; }
    }
    s->nq--;
    return unknown ? mmr_v_missing() : out;
}

static mmr_value eval(ev *s, const mmr_expr *e, int depth)
{
    if (!e || depth > MAX_DEPTH) return mmr_v_missing();
    if (e->is_const) {
        if (e->type == MMR_T_NUMBER) return mmr_v_num(e->num);
        if (e->type == MMR_T_BOOL) return mmr_v_bool(e->boolean);
    }
    switch (e->kind) {
    case MMR_E_NUMBER: return mmr_v_num(e->num);
    case MMR_E_BOOL: return mmr_v_bool(e->boolean);
    case MMR_E_MISSING: return mmr_v_missing();
    case MMR_E_TEXT: {
        mmr_text *t = mmr_text_new(s->env->scratch, e->text, e->text_len);
        return t ? mmr_v_text(t) : mmr_v_missing();
    }
    case MMR_E_LIST: return list_value(s, e, depth);
    case MMR_E_NAME: return name_value(s, e, depth);
    case MMR_E_UNARY: {
        mmr_value a = eval(s, e->lhs, depth + 1);
        if (e->op == MMR_OP_NOT) { int t = mmr_truth(&a); return mmr_v_truth(t < 0 ? -1 : !t); }
        return a.tag == MMR_V_NUM ? mmr_v_num(-a.u.num) : mmr_v_missing();
    }
    case MMR_E_BINARY: {
        if (e->op == MMR_OP_AND || e->op == MMR_OP_OR) {
            int want = e->op == MMR_OP_OR;   /* the value that decides alone */
            mmr_value a = eval(s, e->lhs, depth + 1);
            int ta = mmr_truth(&a);
            if (ta == want) return mmr_v_bool(want);
            mmr_value b = eval(s, e->rhs, depth + 1);
            int tb = mmr_truth(&b);
            if (tb == want) return mmr_v_bool(want);
            return (ta < 0 || tb < 0) ? mmr_v_missing() : mmr_v_bool(!want);
        }
        mmr_value a = eval(s, e->lhs, depth + 1);
        if (e->op == MMR_OP_COALESCE) return a.tag != MMR_V_MISSING ? a : eval(s, e->rhs, depth + 1);
        mmr_value b = eval(s, e->rhs, depth + 1);
        if (e->op >= MMR_OP_EQ && e->op <= MMR_OP_GE) return mmr_v_truth(compare(e->op, &a, &b));
        return arith(e->op, a, b);
    }
    case MMR_E_IN: {
        mmr_value a = eval(s, e->lhs, depth + 1), l = eval(s, e->rhs, depth + 1);
        mmr_value r = in_value(&a, &l);
        if (e->negated && r.tag == MMR_V_BOOL) r.u.i = !r.u.i;
        return r;
    }
    case MMR_E_BETWEEN: {
        mmr_value x = eval(s, e->lhs, depth + 1), lo = eval(s, e->rhs, depth + 1), hi = eval(s, e->third, depth + 1);
        int a = compare(MMR_OP_GE, &x, &lo), b = compare(MMR_OP_LE, &x, &hi);
        if (a == 0 || b == 0) return mmr_v_bool(0);
        return (a < 0 || b < 0) ? mmr_v_missing() : mmr_v_bool(1);
    }
    case MMR_E_IS_MISSING: {
        mmr_value a = eval(s, e->lhs, depth + 1);
        int m = a.tag == MMR_V_MISSING;
        return mmr_v_bool(e->negated ? !m : m);
    }
    case MMR_E_CALL: {
        if (e->index < 0 || (unsigned)e->index >= mmr_nbuiltins || e->nitems > 8) return mmr_v_missing();
        mmr_value args[8];
        for (size_t i = 0; i < e->nitems; i++) {
            args[i] = eval(s, e->items[i], depth + 1);
            if (args[i].tag == MMR_V_MISSING) return mmr_v_missing();
        }
        mmr_value out = mmr_v_missing();
        mmr_builtin_ctx ctx = { s->env->scratch };
        mmr_builtins[e->index].fn(&out, args, (unsigned)e->nitems, &ctx);
        return out;
    }
    case MMR_E_INDEX: {
        mmr_value m = eval(s, e->lhs, depth + 1), k = eval(s, e->rhs, depth + 1);
        if (m.tag != MMR_V_MAP || k.tag != MMR_V_TEXT) return mmr_v_missing();
        return mmr_v_num(mmr_map_get(m.u.map, k.u.text->bytes, k.u.text->len));
    }
    case MMR_E_QUANT: return quant(s, e, depth);
    default: return mmr_v_missing();
    }
}

mmr_value mmr_sig_eval(const mmr_sig_env *env, const mmr_expr *e)
{
    ev s;
    s.env = env;
    s.nq = 0;
    return eval(&s, e, 0);
}
