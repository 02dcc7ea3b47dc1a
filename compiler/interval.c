/* Condition reasoning for the linter: can a rule's `when and audience`
 * ever be TRUE, and which values are surely present when it is?
 *
 * A condition is turned into a union of "boxes" (disjunctive normal form):
 * each box maps terms (a signal, a trait, or any other non-constant
 * expression, compared structurally) to a domain — presence (present or
 * missing), a number interval with a finite set of allowed and excluded
 * points, a finite set of allowed or excluded texts, a boolean value.
 * `and` intersects boxes, `or` unions them, `not` is pushed down by asking
 * for FALSE instead of TRUE (Kleene: a comparison is TRUE or FALSE only
 * when its operands are present). Anything not understood leaves a term
 * unconstrained, so the answer errs towards "may fire": never-fires is
 * reported only when every box is empty. Past a size limit the analysis
 * gives up the same way.
 *
 * Just past our ~800-line mark: the domains, the box algebra and the walk
 * over conditions (now including `for each`) share the box type; split,
 * each part would have to expose it.
 */
#include "compiler/compile.h"
#include "compiler/lint.h"
#include "util/arena.h"
#include "util/buf.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_BOXES = 64, MAX_SRC = 4, MAX_DEPTH = 48, MAX_WHY = 6 };

typedef struct tval { const char *s; size_t n; } tval;

typedef struct src { const mmr_expr *e; int want; } src;

typedef struct srcl { src s[MAX_SRC]; size_t n; } srcl;

typedef struct dom {
    const mmr_expr *term;
    int presence;                 /* 0 unknown, 1 present, -1 missing */
    double lo, hi; int lo_open, hi_open;
    int has_nset; const double *nset; size_t nnset;
    const double *nex; size_t nnex;
    int has_tset; const tval *tset; size_t ntset;
    const tval *tex; size_t ntex;
    int bval;                     /* -1 any, else 0/1 */
    /* which conditions set each part, for the explanation */
    srcl pres_src, lo_src, hi_src, nset_src, nex_src, tset_src, tex_src, bval_src;
} dom;

typedef struct box { dom *d; size_t n; } box;

typedef struct why { src s[MAX_WHY]; size_t n; } why;

typedef struct dnf {
    box *b; size_t n;
    why w;                        /* when n == 0: what made it empty */
} dnf;

typedef struct ctx {
    mmr_arena arena;
    const mmr_unit *u;
    int oom;
    int depth;
} ctx;

/* ------------------------------------------------------------ equality */

static int text_eq(const char *a, size_t an, const char *b, size_t bn)
{
    if (!a || !b) return a == b;
    return an == bn && memcmp(a, b, an) == 0;
}

static size_t tlen(const mmr_expr *e)
{
    return e->text ? (e->text_len ? e->text_len : strlen(e->text)) : 0;
}

int mmr_expr_same(const mmr_expr *a, const mmr_expr *b)
{
    if (a == b) return 1;
    if (!a || !b) return 0;
    if (a->kind != b->kind) return 0;
    switch (a->kind) {
    case MMR_E_NUMBER: return a->num == b->num;
    case MMR_E_BOOL: return !a->boolean == !b->boolean;
    case MMR_E_MISSING: return 1;
    case MMR_E_TEXT: return text_eq(a->text, tlen(a), b->text, tlen(b));
    case MMR_E_NAME:
        if (a->ref != b->ref) return 0;
        if (a->ref == MMR_REF_SIGNAL || a->ref == MMR_REF_TRAIT || a->ref == MMR_REF_LET)
            return a->index == b->index;
        if (a->ref == MMR_REF_QVAR) return a->decl == b->decl;
        return text_eq(a->text, tlen(a), b->text, tlen(b));
    default: break;
    }
    if (a->op != b->op || !a->negated != !b->negated || a->nitems != b->nitems) return 0;
    if ((a->kind == MMR_E_CALL || a->kind == MMR_E_QUANT) &&
        !text_eq(a->text, tlen(a), b->text, tlen(b))) return 0;
    if (!mmr_expr_same(a->lhs, b->lhs) || !mmr_expr_same(a->rhs, b->rhs) ||
        !mmr_expr_same(a->third, b->third)) return 0;
    for (size_t i = 0; i < a->nitems; i++) {
        if (!mmr_expr_same(a->items ? a->items[i] : NULL, b->items ? b->items[i] : NULL)) return 0;
        if (a->keys || b->keys)
            if (!a->keys || !b->keys || !mmr_expr_same(a->keys[i], b->keys[i])) return 0;
    }
    return 1;
}

/* ------------------------------------------------------------ printing */

/* Messages quote conditions in the formatter's canonical text. */
char *mmr_lint_expr_text(const mmr_expr *e)
{
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_print_expr(&b, e);
    if (b.oom) { mmr_buf_free(&b); return NULL; }
    return mmr_buf_take(&b);
}

/* An operand that reads as one unit after "not " without parentheses. */
static int is_atom(const mmr_expr *e)
{
    switch (e->kind) {
    case MMR_E_NUMBER: case MMR_E_TEXT: case MMR_E_BOOL: case MMR_E_MISSING:
    case MMR_E_LIST: case MMR_E_MAP: case MMR_E_NAME: case MMR_E_CALL: case MMR_E_INDEX:
        return 1;
    default:
        return 0;
    }
}

/* ------------------------------------------------------------ constants */

typedef enum { K_NONE, K_NUM, K_TEXT, K_BOOL, K_MISSING } ckind;

typedef struct cval { ckind k; double num; tval t; int b; } cval;

static cval const_of(const mmr_expr *e, int depth)
{
    cval v;
    memset(&v, 0, sizeof v);
    if (!e || depth > MAX_DEPTH) return v;
    switch (e->kind) {
    case MMR_E_NUMBER: v.k = K_NUM; v.num = e->num; return v;
    case MMR_E_TEXT: v.k = K_TEXT; v.t.s = e->text ? e->text : ""; v.t.n = tlen(e); return v;
    case MMR_E_BOOL: v.k = K_BOOL; v.b = !!e->boolean; return v;
    case MMR_E_MISSING: v.k = K_MISSING; return v;
    case MMR_E_NAME: case MMR_E_CALL: case MMR_E_INDEX: case MMR_E_QUANT:
    case MMR_E_LIST: case MMR_E_MAP:
        break;
    default:
        if (e->is_const) {   /* folded by the checker */
            if (e->type == MMR_T_NUMBER) { v.k = K_NUM; v.num = e->num; return v; }
            if (e->type == MMR_T_BOOL) { v.k = K_BOOL; v.b = !!e->boolean; return v; }
            if (e->type == MMR_T_TEXT && e->text) { v.k = K_TEXT; v.t.s = e->text; v.t.n = tlen(e); return v; }
        }
        break;
    }
    if (e->kind == MMR_E_UNARY && e->op == MMR_OP_NEG) {
        cval a = const_of(e->lhs, depth + 1);
        if (a.k == K_NUM) { a.num = -a.num; return a; }
        if (a.k == K_MISSING) return a;
    }
    if (e->kind == MMR_E_BINARY && (e->op == MMR_OP_ADD || e->op == MMR_OP_SUB ||
                                    e->op == MMR_OP_MUL || e->op == MMR_OP_DIV)) {
        cval a = const_of(e->lhs, depth + 1), c = const_of(e->rhs, depth + 1);
        if (a.k == K_NUM && c.k == K_NUM) {
            v.k = K_NUM;
            switch (e->op) {
            case MMR_OP_ADD: v.num = a.num + c.num; break;
            case MMR_OP_SUB: v.num = a.num - c.num; break;
            case MMR_OP_MUL: v.num = a.num * c.num; break;
            default:
                if (c.num == 0) v.k = K_MISSING; else v.num = a.num / c.num;
                break;
            }
            if (v.k == K_NUM && !isfinite(v.num)) v.k = K_NONE;
            return v;
        }
    }
    return v;
}

static int is_const_expr(const mmr_expr *e) { return const_of(e, 0).k != K_NONE; }

/* ------------------------------------------------------------ domains */

static void dom_init(dom *d, const mmr_expr *term)
{
    memset(d, 0, sizeof *d);
    d->term = term;
    d->lo = -INFINITY; d->hi = INFINITY;
    d->bval = -1;
}

static void srcl_add(srcl *l, src x)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->s[i].e == x.e && l->s[i].want == x.want) return;
    if (l->n < MAX_SRC) l->s[l->n++] = x;
}

static void srcl_join(srcl *l, const srcl *m)
{
    for (size_t i = 0; i < m->n; i++) srcl_add(l, m->s[i]);
}

/* Record that condition e (asked to be `want`) set every constrained part. */
static void dom_stamp(dom *d, const mmr_expr *e, int want)
{
    src x;
    x.e = e; x.want = want;
    if (d->presence) srcl_add(&d->pres_src, x);
    if (d->lo != -INFINITY) srcl_add(&d->lo_src, x);
    if (d->hi != INFINITY) srcl_add(&d->hi_src, x);
    if (d->has_nset) srcl_add(&d->nset_src, x);
    if (d->nnex) srcl_add(&d->nex_src, x);
    if (d->has_tset) srcl_add(&d->tset_src, x);
    if (d->ntex) srcl_add(&d->tex_src, x);
    if (d->bval >= 0) srcl_add(&d->bval_src, x);
}

static void why_add(why *w, const srcl *l)
{
    for (size_t i = 0; i < l->n && w->n < MAX_WHY; i++) {
        int dup = 0;
        for (size_t k = 0; k < w->n && !dup; k++) dup = w->s[k].e == l->s[i].e && w->s[k].want == l->s[i].want;
        if (!dup) w->s[w->n++] = l->s[i];
    }
}

static int num_in(double v, const double *s, size_t n)
{
    for (size_t i = 0; i < n; i++) if (s[i] == v) return 1;
    return 0;
}

static int txt_in(tval v, const tval *s, size_t n)
{
    for (size_t i = 0; i < n; i++) if (text_eq(s[i].s, s[i].n, v.s, v.n)) return 1;
    return 0;
}

static int num_fits(const dom *d, double v)
{
    if (v < d->lo || (v == d->lo && d->lo_open)) return 0;
    if (v > d->hi || (v == d->hi && d->hi_open)) return 0;
    return !num_in(v, d->nex, d->nnex);
}

static int dom_empty(const dom *d, why *w)
{
    if (d->lo > d->hi || (d->lo == d->hi && (d->lo_open || d->hi_open))) {
        if (w) { w->n = 0; why_add(w, &d->lo_src); why_add(w, &d->hi_src); }
        return 1;
    }
    if (d->has_nset) {
        for (size_t i = 0; i < d->nnset; i++) if (num_fits(d, d->nset[i])) return 0;
        if (w) {
            w->n = 0;
            why_add(w, &d->nset_src); why_add(w, &d->lo_src); why_add(w, &d->hi_src); why_add(w, &d->nex_src);
        }
        return 1;
    }
    if (d->lo == d->hi && num_in(d->lo, d->nex, d->nnex)) {
        if (w) { w->n = 0; why_add(w, &d->lo_src); why_add(w, &d->hi_src); why_add(w, &d->nex_src); }
        return 1;
    }
    if (d->has_tset) {
        for (size_t i = 0; i < d->ntset; i++) if (!txt_in(d->tset[i], d->tex, d->ntex)) return 0;
        if (w) { w->n = 0; why_add(w, &d->tset_src); why_add(w, &d->tex_src); }
        return 1;
    }
    return 0;
}

/* Merge b into a (same term). Returns 0 when the result is empty, with
 * the conditions to blame in *w. */
static int dom_merge(ctx *c, dom *a, const dom *b, why *w)
{
    if (a->presence && b->presence && a->presence != b->presence) {
        w->n = 0; why_add(w, &a->pres_src); why_add(w, &b->pres_src);
        return 0;
    }
    if (!a->presence) a->presence = b->presence;
    if (a->presence == b->presence) srcl_join(&a->pres_src, &b->pres_src);
    if (b->lo > a->lo || (b->lo == a->lo && b->lo_open && !a->lo_open)) {
        a->lo = b->lo; a->lo_open = b->lo_open; a->lo_src = b->lo_src;
    }
    if (b->hi < a->hi || (b->hi == a->hi && b->hi_open && !a->hi_open)) {
        a->hi = b->hi; a->hi_open = b->hi_open; a->hi_src = b->hi_src;
    }
    if (b->has_nset) {
        if (!a->has_nset) { a->has_nset = 1; a->nset = b->nset; a->nnset = b->nnset; }
        else {
            double *s = mmr_arena_alloc(&c->arena, (a->nnset + 1) * sizeof *s);
            if (!s) { c->oom = 1; return 1; }
            size_t n = 0;
            for (size_t i = 0; i < a->nnset; i++) if (num_in(a->nset[i], b->nset, b->nnset)) s[n++] = a->nset[i];
            a->nset = s; a->nnset = n;
        }
        srcl_join(&a->nset_src, &b->nset_src);
    }
    if (b->nnex) {
        double *s = mmr_arena_alloc(&c->arena, (a->nnex + b->nnex) * sizeof *s);
        if (!s) { c->oom = 1; return 1; }
        if (a->nnex) memcpy(s, a->nex, a->nnex * sizeof *s);
        memcpy(s + a->nnex, b->nex, b->nnex * sizeof *s);
        a->nex = s; a->nnex += b->nnex;
        srcl_join(&a->nex_src, &b->nex_src);
    }
    if (b->has_tset) {
        if (!a->has_tset) { a->has_tset = 1; a->tset = b->tset; a->ntset = b->ntset; }
        else {
            tval *s = mmr_arena_alloc(&c->arena, (a->ntset + 1) * sizeof *s);
            if (!s) { c->oom = 1; return 1; }
            size_t n = 0;
            for (size_t i = 0; i < a->ntset; i++) if (txt_in(a->tset[i], b->tset, b->ntset)) s[n++] = a->tset[i];
            a->tset = s; a->ntset = n;
        }
        srcl_join(&a->tset_src, &b->tset_src);
    }
    if (b->ntex) {
        tval *s = mmr_arena_alloc(&c->arena, (a->ntex + b->ntex) * sizeof *s);
        if (!s) { c->oom = 1; return 1; }
        if (a->ntex) memcpy(s, a->tex, a->ntex * sizeof *s);
        memcpy(s + a->ntex, b->tex, b->ntex * sizeof *s);
        a->tex = s; a->ntex += b->ntex;
        srcl_join(&a->tex_src, &b->tex_src);
    }
    if (b->bval >= 0) {
        if (a->bval >= 0 && a->bval != b->bval) {
            w->n = 0; why_add(w, &a->bval_src); why_add(w, &b->bval_src);
            return 0;
        }
        a->bval = b->bval;
        srcl_join(&a->bval_src, &b->bval_src);
    }
    return !dom_empty(a, w);
}

/* Add a domain to a box (the box's array has room for it). Returns 0 when
 * the box became empty; *w then says why. */
static int box_add(ctx *c, box *bx, const dom *nd, why *w)
{
    for (size_t i = 0; i < bx->n; i++) {
        if (mmr_expr_same(bx->d[i].term, nd->term)) {
            dom m = bx->d[i];
            why tmp;
            tmp.n = 0;
            int ok = dom_merge(c, &m, nd, &tmp);
            bx->d[i] = m;
            if (!ok) { if (w) *w = tmp; return 0; }
            return 1;
        }
    }
    bx->d[bx->n++] = *nd;
    if (dom_empty(nd, w)) return 0;
    return 1;
}

/* ------------------------------------------------------------ dnf */

static dnf dnf_none(const mmr_expr *e, int want)
{
    dnf r;
    memset(&r, 0, sizeof r);
    if (e) { r.w.s[0].e = e; r.w.s[0].want = want; r.w.n = 1; }
    return r;
}

static dnf dnf_top(ctx *c)
{
    dnf r;
    memset(&r, 0, sizeof r);
    r.b = mmr_arena_calloc(&c->arena, sizeof *r.b);
    if (!r.b) { c->oom = 1; return r; }
    r.n = 1;
    return r;
}

/* Terms below a present term that must be present too: every operator but
 * ?? / and / or / is missing / quantifier predicates propagates missing. */
static size_t count_presence(ctx *c, const mmr_expr *t, int depth);

static size_t count_children_presence(ctx *c, const mmr_expr *t, int depth)
{
    size_t n = 0;
    switch (t->kind) {
    case MMR_E_NAME:
        if (t->ref == MMR_REF_LET && c->u && t->index >= 0 && (size_t)t->index < c->u->nlets &&
            c->u->lets[t->index])
            n += count_presence(c, c->u->lets[t->index]->expr, depth + 1);
        break;
    case MMR_E_UNARY: n += count_presence(c, t->lhs, depth + 1); break;
    case MMR_E_BINARY:
        if (t->op == MMR_OP_COALESCE || t->op == MMR_OP_AND || t->op == MMR_OP_OR) break;
        n += count_presence(c, t->lhs, depth + 1) + count_presence(c, t->rhs, depth + 1);
        break;
    case MMR_E_IN: case MMR_E_INDEX:
        n += count_presence(c, t->lhs, depth + 1) + count_presence(c, t->rhs, depth + 1);
        break;
    case MMR_E_BETWEEN:
        n += count_presence(c, t->lhs, depth + 1) + count_presence(c, t->rhs, depth + 1) +
             count_presence(c, t->third, depth + 1);
        break;
    case MMR_E_CALL:
        for (size_t i = 0; i < t->nitems; i++) n += count_presence(c, t->items[i], depth + 1);
        break;
    case MMR_E_QUANT: n += count_presence(c, t->lhs, depth + 1); break;
    default: break;
    }
    return n;
}

static size_t count_presence(ctx *c, const mmr_expr *t, int depth)
{
    if (!t || depth > MAX_DEPTH || is_const_expr(t)) return 0;
    return 1 + count_children_presence(c, t, depth);
}

/* Add presence of t and of everything below it that must be present. */
static int box_add_presence(ctx *c, box *bx, const mmr_expr *t, const mmr_expr *leaf,
                            int want, why *w, int depth)
{
    if (!t || depth > MAX_DEPTH || is_const_expr(t)) return 1;
    dom d;
    dom_init(&d, t);
    d.presence = 1;
    dom_stamp(&d, leaf, want);
    if (!box_add(c, bx, &d, w)) return 0;
    switch (t->kind) {
    case MMR_E_NAME:
        if (t->ref == MMR_REF_LET && c->u && t->index >= 0 && (size_t)t->index < c->u->nlets &&
            c->u->lets[t->index])
            return box_add_presence(c, bx, c->u->lets[t->index]->expr, leaf, want, w, depth + 1);
        return 1;
    case MMR_E_UNARY: return box_add_presence(c, bx, t->lhs, leaf, want, w, depth + 1);
    case MMR_E_BINARY:
        if (t->op == MMR_OP_COALESCE || t->op == MMR_OP_AND || t->op == MMR_OP_OR) return 1;
        return box_add_presence(c, bx, t->lhs, leaf, want, w, depth + 1) &&
               box_add_presence(c, bx, t->rhs, leaf, want, w, depth + 1);
    case MMR_E_IN: case MMR_E_INDEX:
        return box_add_presence(c, bx, t->lhs, leaf, want, w, depth + 1) &&
               box_add_presence(c, bx, t->rhs, leaf, want, w, depth + 1);
    case MMR_E_BETWEEN:
        return box_add_presence(c, bx, t->lhs, leaf, want, w, depth + 1) &&
               box_add_presence(c, bx, t->rhs, leaf, want, w, depth + 1) &&
               box_add_presence(c, bx, t->third, leaf, want, w, depth + 1);
    case MMR_E_CALL:
        for (size_t i = 0; i < t->nitems; i++)
            if (!box_add_presence(c, bx, t->items[i], leaf, want, w, depth + 1)) return 0;
        return 1;
    case MMR_E_QUANT: return box_add_presence(c, bx, t->lhs, leaf, want, w, depth + 1);
    default: return 1;
    }
}

/* A one-box dnf: presence of the given terms (and what lies below them)
 * plus an optional value domain on `d->term`. */
static dnf dnf_leaf(ctx *c, const mmr_expr *leaf, int want, const dom *d,
                    const mmr_expr *const *present, size_t npresent)
{
    size_t cap = d ? 1 : 0;
    for (size_t i = 0; i < npresent; i++) cap += count_presence(c, present[i], 0);
    dnf r;
    memset(&r, 0, sizeof r);
    box *bx = mmr_arena_calloc(&c->arena, sizeof *bx);
    dom *ds = mmr_arena_calloc(&c->arena, (cap + 1) * sizeof *ds);
    if (!bx || !ds) { c->oom = 1; return dnf_top(c); }
    bx->d = ds;
    why w;
    w.n = 0;
    int ok = 1;
    if (d) {
        dom sd = *d;
        dom_stamp(&sd, leaf, want);
        ok = box_add(c, bx, &sd, &w);
    }
    for (size_t i = 0; ok && i < npresent; i++)
        ok = box_add_presence(c, bx, present[i], leaf, want, &w, 0);
    if (!ok) { r.w = w; return r; }
    r.b = bx; r.n = 1;
    return r;
}

static dnf dnf_union(ctx *c, dnf a, dnf b)
{
    if (a.n == 0) { if (b.n == 0 && a.w.n) b.w = a.w; return b; }
    if (b.n == 0) return a;
    if (a.n + b.n > MAX_BOXES) return dnf_top(c);
    dnf r;
    memset(&r, 0, sizeof r);
    r.b = mmr_arena_alloc(&c->arena, (a.n + b.n) * sizeof *r.b);
    if (!r.b) { c->oom = 1; return dnf_top(c); }
    memcpy(r.b, a.b, a.n * sizeof *r.b);
    memcpy(r.b + a.n, b.b, b.n * sizeof *r.b);
    r.n = a.n + b.n;
    return r;
}

static dnf dnf_cross(ctx *c, dnf a, dnf b)
{
    if (a.n == 0) return a;
    if (b.n == 0) return b;
    dnf r;
    memset(&r, 0, sizeof r);
    size_t cap = a.n * b.n;
    if (cap > MAX_BOXES) cap = MAX_BOXES;
    r.b = mmr_arena_alloc(&c->arena, cap * sizeof *r.b);
    if (!r.b) { c->oom = 1; return dnf_top(c); }
    int have_why = 0;
    for (size_t i = 0; i < a.n; i++) {
        for (size_t j = 0; j < b.n; j++) {
            box nb;
            nb.n = 0;
            nb.d = mmr_arena_alloc(&c->arena, (a.b[i].n + b.b[j].n + 1) * sizeof *nb.d);
            if (!nb.d) { c->oom = 1; return dnf_top(c); }
            why w;
            w.n = 0;
            int ok = 1;
            for (size_t k = 0; ok && k < a.b[i].n; k++) ok = box_add(c, &nb, &a.b[i].d[k], &w);
            for (size_t k = 0; ok && k < b.b[j].n; k++) ok = box_add(c, &nb, &b.b[j].d[k], &w);
            if (!ok) {
                if (!have_why) { r.w = w; have_why = 1; }
                continue;
            }
            if (r.n == cap) return dnf_top(c);   /* too many: give up (may fire) */
            r.b[r.n++] = nb;
        }
    }
    return r;
}

/* ------------------------------------------------------------ walking */

static dnf walk(ctx *c, const mmr_expr *e, int want);

static mmr_op flip_op(mmr_op op)   /* a OP b  <=>  b flip(OP) a */
{
    switch (op) {
    case MMR_OP_LT: return MMR_OP_GT;
    case MMR_OP_LE: return MMR_OP_GE;
    case MMR_OP_GT: return MMR_OP_LT;
    case MMR_OP_GE: return MMR_OP_LE;
    default: return op;
    }
}

static mmr_op negate_op(mmr_op op) /* not (a OP b) for present a, b */
{
    switch (op) {
    case MMR_OP_EQ: return MMR_OP_NE;
    case MMR_OP_NE: return MMR_OP_EQ;
    case MMR_OP_LT: return MMR_OP_GE;
    case MMR_OP_LE: return MMR_OP_GT;
    case MMR_OP_GT: return MMR_OP_LE;
    case MMR_OP_GE: return MMR_OP_LT;
    default: return op;
    }
}

static int cmp_consts(mmr_op op, cval a, cval b)   /* -1 unknown */
{
    if (a.k == K_MISSING || b.k == K_MISSING) return -1;
    if (a.k != b.k) return -1;
    int c3;
    if (a.k == K_NUM) c3 = a.num < b.num ? -1 : a.num > b.num ? 1 : 0;
    else if (a.k == K_BOOL) c3 = a.b - b.b;
    else {
        size_t n = a.t.n < b.t.n ? a.t.n : b.t.n;
        c3 = memcmp(a.t.s, b.t.s, n);
        if (!c3) c3 = a.t.n < b.t.n ? -1 : a.t.n > b.t.n ? 1 : 0;
    }
    switch (op) {
    case MMR_OP_EQ: return c3 == 0;
    case MMR_OP_NE: return c3 != 0;
    case MMR_OP_LT: return c3 < 0;
    case MMR_OP_LE: return c3 <= 0;
    case MMR_OP_GT: return c3 > 0;
    case MMR_OP_GE: return c3 >= 0;
    default: return -1;
    }
}

static dnf truth_const(ctx *c, const mmr_expr *e, int want, int truth)
{
    if (truth < 0) return dnf_none(e, want);       /* unknown: neither TRUE nor FALSE */
    return truth == want ? dnf_top(c) : dnf_none(e, want);
}

static dnf walk_compare(ctx *c, const mmr_expr *e, int want)
{
    const mmr_expr *l = e->lhs, *r = e->rhs;
    cval lc = const_of(l, 0), rc = const_of(r, 0);
    if (lc.k != K_NONE && rc.k != K_NONE) return truth_const(c, e, want, cmp_consts(e->op, lc, rc));
    if (lc.k == K_MISSING || rc.k == K_MISSING) return dnf_none(e, want);
    if (lc.k == K_NONE && rc.k == K_NONE) {
        const mmr_expr *both[2] = { l, r };
        if (mmr_expr_same(l, r)) {
            int t = e->op == MMR_OP_EQ || e->op == MMR_OP_LE || e->op == MMR_OP_GE;
            if (t != want) return dnf_none(e, want);
        }
        return dnf_leaf(c, e, want, NULL, both, 2);
    }
    const mmr_expr *term = lc.k == K_NONE ? l : r;
    cval k = lc.k == K_NONE ? rc : lc;
    mmr_op op = lc.k == K_NONE ? e->op : flip_op(e->op);
    if (!want) op = negate_op(op);
    dom d;
    dom_init(&d, term);
    d.presence = 1;
    if (k.k == K_NUM) {
        double *one = mmr_arena_alloc(&c->arena, sizeof *one);
        if (!one) { c->oom = 1; return dnf_top(c); }
        *one = k.num;
        switch (op) {
        case MMR_OP_EQ: d.lo = d.hi = k.num; break;
        case MMR_OP_NE: d.nex = one; d.nnex = 1; break;
        case MMR_OP_LT: d.hi = k.num; d.hi_open = 1; break;
        case MMR_OP_LE: d.hi = k.num; break;
        case MMR_OP_GT: d.lo = k.num; d.lo_open = 1; break;
        case MMR_OP_GE: d.lo = k.num; break;
        default: break;
        }
    } else if (k.k == K_TEXT) {
        tval *one = mmr_arena_alloc(&c->arena, sizeof *one);
        if (!one) { c->oom = 1; return dnf_top(c); }
        *one = k.t;
        if (op == MMR_OP_EQ) { d.has_tset = 1; d.tset = one; d.ntset = 1; }
        else if (op == MMR_OP_NE) { d.tex = one; d.ntex = 1; }
    } else if (k.k == K_BOOL) {
        if (op == MMR_OP_EQ) d.bval = k.b;
        else if (op == MMR_OP_NE) d.bval = !k.b;
    }
    return dnf_leaf(c, e, want, &d, &term, 1);
}

static dnf walk_in(ctx *c, const mmr_expr *e, int want)
{
    const mmr_expr *l = e->lhs, *r = e->rhs;
    int inwant = e->negated ? !want : want;   /* want for plain `in` */
    cval lc = const_of(l, 0);
    if (lc.k == K_MISSING) return dnf_none(e, want);
    if (!r || r->kind != MMR_E_LIST) {
        const mmr_expr *both[2] = { l, r };
        return dnf_leaf(c, e, want, NULL, both, 2);
    }
    /* a list literal: every item must be a number or text constant */
    size_t n = r->nitems;
    double *ns = mmr_arena_alloc(&c->arena, (n + 1) * sizeof *ns);
    tval *ts = mmr_arena_alloc(&c->arena, (n + 1) * sizeof *ts);
    if (!ns || !ts) { c->oom = 1; return dnf_top(c); }
    size_t nn = 0, nt = 0;
    for (size_t i = 0; i < n; i++) {
        cval v = const_of(r->items[i], 0);
        if (v.k == K_NUM) ns[nn++] = v.num;
        else if (v.k == K_TEXT) ts[nt++] = v.t;
        else return dnf_leaf(c, e, want, NULL, &l, 1);  /* not understood */
    }
    if (lc.k != K_NONE) {
        int found = lc.k == K_NUM ? num_in(lc.num, ns, nn) : lc.k == K_TEXT ? txt_in(lc.t, ts, nt) : 0;
        return truth_const(c, e, want, found == inwant);
    }
    dom d;
    dom_init(&d, l);
    d.presence = 1;
    if (nt && nn) return dnf_leaf(c, e, want, NULL, &l, 1);   /* mixed: not understood */
    if (inwant) {
        if (nt) { d.has_tset = 1; d.tset = ts; d.ntset = nt; }
        else if (nn) { d.has_nset = 1; d.nset = ns; d.nnset = nn; }
        else { d.has_tset = 1; d.ntset = 0; d.tset = ts; }   /* `in []`: nothing */
    } else {
        if (nt) { d.tex = ts; d.ntex = nt; }
        else if (nn) { d.nex = ns; d.nnex = nn; }
    }
    return dnf_leaf(c, e, want, &d, &l, 1);
}

static dnf walk_between(ctx *c, const mmr_expr *e, int want)
{
    if (e->negated) want = !want;
    const mmr_expr *x = e->lhs;
    cval a = const_of(e->rhs, 0), b = const_of(e->third, 0), xc = const_of(x, 0);
    if (a.k == K_MISSING || b.k == K_MISSING || xc.k == K_MISSING) return dnf_none(e, want);
    if (a.k != K_NUM || b.k != K_NUM || xc.k != K_NONE) {
        const mmr_expr *all[3] = { e->lhs, e->rhs, e->third };
        if (xc.k == K_NUM && a.k == K_NUM && b.k == K_NUM)
            return truth_const(c, e, want, xc.num >= a.num && xc.num <= b.num);
        return dnf_leaf(c, e, want, NULL, all, 3);
    }
    dom d;
    dom_init(&d, x);
    d.presence = 1;
    if (want) {
        d.lo = a.num; d.hi = b.num;
        return dnf_leaf(c, e, want, &d, &x, 1);
    }
    dom lo = d, hi = d;
    lo.hi = a.num; lo.hi_open = 1;
    hi.lo = b.num; hi.lo_open = 1;
    return dnf_union(c, dnf_leaf(c, e, want, &lo, &x, 1), dnf_leaf(c, e, want, &hi, &x, 1));
}

static dnf walk_quant(ctx *c, const mmr_expr *e, int want)
{
    /* any TRUE / all FALSE need one key whose predicate is TRUE / FALSE;
     * any FALSE / all TRUE also hold for an empty map. */
    int any = e->op != MMR_OP_ALL;     /* a per-key rule's `for each` is true as `any` is */
    int need_one = any == (want != 0);
    if (need_one && e->rhs) {
        dnf p = walk(c, e->rhs, any ? 1 : 0);
        if (p.n == 0) return p;
    }
    const mmr_expr *m = e->lhs;
    return dnf_leaf(c, e, want, NULL, &m, 1);
}

static dnf walk(ctx *c, const mmr_expr *e, int want)
{
    if (!e || c->oom || c->depth > MAX_DEPTH) return dnf_top(c);
    c->depth++;
    dnf r;
    cval k;
    switch (e->kind) {
    case MMR_E_BOOL: r = truth_const(c, e, want, !!e->boolean); break;
    case MMR_E_MISSING: r = dnf_none(e, want); break;
    case MMR_E_NAME:
        if (e->ref == MMR_REF_LET && c->u && e->index >= 0 && (size_t)e->index < c->u->nlets &&
            c->u->lets[e->index] && c->u->lets[e->index]->expr) {
            r = walk(c, c->u->lets[e->index]->expr, want);
        } else if (e->ref == MMR_REF_SIGNAL || e->ref == MMR_REF_TRAIT) {
            dom d;
            dom_init(&d, e);
            d.presence = 1;
            d.bval = want;
                    r = dnf_leaf(c, e, want, &d, &e, 1);
        } else r = dnf_top(c);
        break;
    case MMR_E_UNARY:
        if (e->op == MMR_OP_NOT) { r = walk(c, e->lhs, !want); break; }
        r = dnf_top(c);
        break;
    case MMR_E_BINARY:
        if (e->op == MMR_OP_AND || e->op == MMR_OP_OR) {
            dnf a = walk(c, e->lhs, want);
            int conj = (e->op == MMR_OP_AND) == (want != 0);
            if (conj && a.n == 0) { r = a; break; }
            dnf b = walk(c, e->rhs, want);
            r = conj ? dnf_cross(c, a, b) : dnf_union(c, a, b);
            break;
        }
        if (e->op >= MMR_OP_EQ && e->op <= MMR_OP_GE) { r = walk_compare(c, e, want); break; }
        k = const_of(e, 0);
        if (k.k == K_BOOL) { r = truth_const(c, e, want, k.b); break; }
        r = dnf_top(c);    /* ?? and the rest: not understood */
        break;
    case MMR_E_IN: r = walk_in(c, e, want); break;
    case MMR_E_BETWEEN: r = walk_between(c, e, want); break;
    case MMR_E_IS_MISSING: {
        cval v = const_of(e->lhs, 0);
        int want_missing = e->negated ? !want : want;
        if (v.k != K_NONE) { r = truth_const(c, e, want_missing, v.k == K_MISSING); break; }
        if (want_missing) {
            dom d;
            dom_init(&d, e->lhs);
            d.presence = -1;
                    r = dnf_leaf(c, e, want, &d, NULL, 0);
        } else {
            const mmr_expr *t = e->lhs;
            r = dnf_leaf(c, e, want, NULL, &t, 1);
        }
        break;
    }
    case MMR_E_QUANT: r = walk_quant(c, e, want); break;
    case MMR_E_CALL: case MMR_E_INDEX:
        /* a boolean-valued call or map entry: TRUE or FALSE means present */
        r = dnf_leaf(c, e, want, NULL, &e, 1);
        break;
    default:
        r = dnf_top(c);
        break;
    }
    c->depth--;
    return r;
}

/* ------------------------------------------------------------ API */

static int src_before(src a, src b)
{
    if (a.e->loc.line != b.e->loc.line) return a.e->loc.line < b.e->loc.line;
    return a.e->loc.col < b.e->loc.col;
}

static char *why_text(const why *w0)
{
    why sorted = *w0;
    const why *w = &sorted;
    for (size_t i = 1; i < sorted.n; i++)        /* in source order */
        for (size_t j = i; j > 0 && src_before(sorted.s[j], sorted.s[j - 1]); j--) {
            src t = sorted.s[j]; sorted.s[j] = sorted.s[j - 1]; sorted.s[j - 1] = t;
        }
    mmr_buf b;
    mmr_buf_init(&b);
    for (size_t i = 0; i < w->n; i++) {
        if (i == 1) mmr_buf_puts(&b, " contradicts ");
        else if (i > 1) mmr_buf_puts(&b, " and ");
        mmr_buf_putc(&b, '`');
        const mmr_expr *e = w->s[i].e;
        int paren = !w->s[i].want && e && !is_atom(e);
        if (!w->s[i].want) mmr_buf_puts(&b, paren ? "not (" : "not ");
        if (e) mmr_print_expr(&b, e);
        else mmr_buf_putc(&b, '?');
        if (paren) mmr_buf_putc(&b, ')');
        mmr_buf_putc(&b, '`');
    }
    if (w->n == 1) mmr_buf_puts(&b, " is never true");
    if (w->n == 0) mmr_buf_puts(&b, "its conditions contradict each other");
    if (b.oom) { mmr_buf_free(&b); return NULL; }
    return mmr_buf_take(&b);
}

int mmr_cond_analyze(const mmr_unit *u, const mmr_expr *when,
                     const mmr_expr *audience, mmr_cond_facts *out)
{
    memset(out, 0, sizeof *out);
    out->can_fire = 1;
    ctx c;
    memset(&c, 0, sizeof c);
    mmr_arena_init(&c.arena, 16384);
    c.u = u;
    dnf r = walk(&c, when, 1);
    if (audience && r.n) r = dnf_cross(&c, r, walk(&c, audience, 1));
    int rc = 0;
    if (c.oom) { rc = -1; goto done; }
    if (r.n == 0) {
        out->can_fire = 0;
        out->why = why_text(&r.w);
        goto done;
    }
    /* terms present in every box */
    size_t cap = r.b[0].n;
    if (cap) {
        out->present = malloc(cap * sizeof *out->present);
        if (!out->present) { rc = -1; goto done; }
    }
    for (size_t i = 0; i < r.b[0].n; i++) {
        const dom *d = &r.b[0].d[i];
        if (d->presence != 1) continue;
        int all = 1;
        for (size_t j = 1; all && j < r.n; j++) {
            int found = 0;
            for (size_t k = 0; k < r.b[j].n && !found; k++)
                found = r.b[j].d[k].presence == 1 && mmr_expr_same(r.b[j].d[k].term, d->term);
            all = found;
        }
        if (all) out->present[out->npresent++] = d->term;
    }
done:
    mmr_arena_free(&c.arena);
    return rc;
}

void mmr_cond_facts_free(mmr_cond_facts *f)
{
    free(f->why);
    free(f->present);
    memset(f, 0, sizeof *f);
}

int mmr_cond_facts_present(const mmr_cond_facts *f, const mmr_expr *e)
{
    for (size_t i = 0; i < f->npresent; i++)
        if (mmr_expr_same(f->present[i], e)) return 1;
    return 0;
}

int mmr_cond_facts_input_present(const mmr_cond_facts *f, mmr_ref_kind ref, int index)
{
    for (size_t i = 0; i < f->npresent; i++) {
        const mmr_expr *t = f->present[i];
        if (t->kind == MMR_E_NAME && t->ref == ref && t->index == index) return 1;
    }
    return 0;
}
