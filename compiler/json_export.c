/* JSON export: rules and templates as rule master / template master rows.
 * See compiler/json_export.h and docs/json.md. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/json_export.h"
#include "compiler/compile.h"
#include "util/placeholder.h"

#define MAX_SUBST_DEPTH 10000

typedef struct xctx {
    const mmr_unit *u;
    mmr_arena scratch;       /* copies of expressions with lets inlined */
    int oom;
} xctx;

/* ------------------------------------------------------ let inlining */

static const mmr_let *find_let(const xctx *x, const mmr_expr *e)
{
    const mmr_unit *u = x->u;
    if (e->ref == MMR_REF_LET && e->index >= 0 && (size_t)e->index < u->nlets)
        return u->lets[e->index];
    if (e->ref != MMR_REF_NONE || !e->text) return NULL;
    for (size_t i = 0; i < u->nfiles; i++) {
        const mmr_file *f = u->files[i];
        for (size_t j = 0; j < f->nlets; j++)
            if (f->lets[j].name && !strcmp(f->lets[j].name, e->text)) return &f->lets[j];
    }
    return NULL;
}

typedef struct scope { const char *name; const struct scope *up; } scope;

static int bound(const scope *s, const char *name)
{
    for (; s; s = s->up)
        if (s->name && name && !strcmp(s->name, name)) return 1;
    return 0;
}

/* A copy of e with every reference to a let replaced by (a copy of) the
 * let's expression. NULL on OOM or absurd depth. */
static mmr_expr *subst(xctx *x, const mmr_expr *e, const scope *sc, int depth)
{
    if (!e) return NULL;
    if (depth > MAX_SUBST_DEPTH) { x->oom = 1; return NULL; }
    if (e->kind == MMR_E_NAME && e->ref != MMR_REF_QVAR && !bound(sc, e->text)) {
        const mmr_let *l = find_let(x, e);
        if (l && l->expr) return subst(x, l->expr, NULL, depth + 1);
    }
    mmr_expr *c = mmr_arena_alloc(&x->scratch, sizeof *c);
    if (!c) { x->oom = 1; return NULL; }
    *c = *e;
    scope inner = { e->kind == MMR_E_QUANT ? e->text : NULL, sc };
    const scope *rs = e->kind == MMR_E_QUANT ? &inner : sc;
    if (e->lhs && !(c->lhs = subst(x, e->lhs, sc, depth + 1))) return NULL;
    if (e->rhs && !(c->rhs = subst(x, e->rhs, rs, depth + 1))) return NULL;
    /* a per-key rule's `rank by` (third) sees its key too */
    const scope *ts = e->kind == MMR_E_QUANT && e->op == MMR_OP_EACH ? &inner : sc;
    if (e->third && !(c->third = subst(x, e->third, ts, depth + 1))) return NULL;
    if (e->nitems) {
        if (e->items) {
            c->items = mmr_arena_alloc(&x->scratch, e->nitems * sizeof *c->items);
            if (!c->items) { x->oom = 1; return NULL; }
            for (size_t i = 0; i < e->nitems; i++)
                if (!(c->items[i] = subst(x, e->items[i], sc, depth + 1))) return NULL;
        }
        if (e->keys) {
            c->keys = mmr_arena_alloc(&x->scratch, e->nitems * sizeof *c->keys);
            if (!c->keys) { x->oom = 1; return NULL; }
            for (size_t i = 0; i < e->nitems; i++)
                if (!(c->keys[i] = subst(x, e->keys[i], sc, depth + 1))) return NULL;
        }
    }
    return c;
}

/* --------------------------------------------------------- JSON values */

static json_t *jstr(const char *s, size_t n) { return json_stringn_nocheck(s, n); }
static json_t *jstrz(const char *s) { return s ? json_stringn_nocheck(s, strlen(s)) : json_null(); }

static json_t *jnum(double v)
{
    if (!isfinite(v)) return NULL;
    if (v == floor(v) && fabs(v) < 1e15) return json_integer((json_int_t)v);
    return json_real(v);
}

/* A literal scalar (number, text, bool), folded constants included. */
static json_t *scalar(const mmr_expr *e)
{
    if (!e) return NULL;
    switch (e->kind) {
    case MMR_E_NUMBER: return jnum(e->num);
    case MMR_E_TEXT: return jstr(e->text, e->text_len);
    case MMR_E_BOOL: return json_boolean(e->boolean);
    case MMR_E_UNARY:
        if (e->op == MMR_OP_NEG && e->lhs && e->lhs->kind == MMR_E_NUMBER) return jnum(-e->lhs->num);
        break;
    default: break;
    }
    if (e->is_const) {
        if (e->type == MMR_T_NUMBER) return jnum(e->num);
        if (e->type == MMR_T_BOOL) return json_boolean(e->boolean);
        if (e->type == MMR_T_TEXT && e->text) return jstr(e->text, e->text_len);
    }
    return NULL;
}

/* A name usable as a condition key (not one of the structural keys). */
static int cond_name(const mmr_expr *e)
{
    if (!e || e->kind != MMR_E_NAME || !e->text || e->ref == MMR_REF_QVAR) return 0;
    return strcmp(e->text, "any") && strcmp(e->text, "all") && strcmp(e->text, "not") &&
           strcmp(e->text, "mmr") && strcmp(e->text, "var");
}

static json_t *var_ref(const mmr_expr *e)
{
    json_t *o = json_object();
    if (o) json_object_set_new(o, "var", jstrz(e->text));
    return o;
}

/* An operand: a literal or {"var": NAME}. */
static json_t *operand(const mmr_expr *e)
{
    json_t *s = scalar(e);
    if (s) return s;
    if (cond_name(e)) return var_ref(e);
    return NULL;
}

static const char *op_key(mmr_op op)
{
    switch (op) {
    case MMR_OP_EQ: return "==";
    case MMR_OP_NE: return "!=";
    case MMR_OP_GT: return ">";
    case MMR_OP_GE: return ">=";
    case MMR_OP_LT: return "<";
    case MMR_OP_LE: return "<=";
    default: return NULL;
    }
}

static mmr_op flip(mmr_op op)
{
    switch (op) {
    case MMR_OP_GT: return MMR_OP_LT;
    case MMR_OP_GE: return MMR_OP_LE;
    case MMR_OP_LT: return MMR_OP_GT;
    case MMR_OP_LE: return MMR_OP_GE;
    default: return op;
    }
}

typedef struct leaf {
    const char *key;     /* a name, or "any" / "not" */
    const char *op;      /* for a name: the operator key */
    json_t *val;         /* owned */
} leaf;

static json_t *cond_json(xctx *x, const mmr_expr *e, int depth);

static void flatten(const mmr_expr *e, mmr_op op, const mmr_expr ***v, size_t *n, size_t *cap, int *oom)
{
    /* recursive on the left operand, iterative on the right */
    while (e && e->kind == MMR_E_BINARY && e->op == op) {
        flatten(e->lhs, op, v, n, cap, oom);
        e = e->rhs;
    }
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        const mmr_expr **nv = realloc(*v, nc * sizeof *nv);
        if (!nv) { *oom = 1; return; }
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = e;
}

/* One conjunct as a leaf; 0 if it is not expressible. */
static int to_leaf(xctx *x, const mmr_expr *e, leaf *lf, int depth)
{
    memset(lf, 0, sizeof *lf);
    if (!e) return 0;
    switch (e->kind) {
    case MMR_E_BINARY: {
        if (e->op == MMR_OP_OR) {
            const mmr_expr **v = NULL;
            size_t n = 0, cap = 0;
            int oom = 0;
            flatten(e, MMR_OP_OR, &v, &n, &cap, &oom);
            json_t *arr = oom ? NULL : json_array();
            for (size_t i = 0; arr && i < n; i++) {
                json_t *c = cond_json(x, v[i], depth + 1);
                if (!c) { json_decref(arr); arr = NULL; break; }
                json_array_append_new(arr, c);
            }
            free(v);
            if (!arr) return 0;
            lf->key = "any";
            lf->val = arr;
            return 1;
        }
        const char *k = op_key(e->op);
        if (!k) return 0;
        if (cond_name(e->lhs)) {
            json_t *r = operand(e->rhs);
            if (!r) return 0;
            lf->key = e->lhs->text;
            lf->op = k;
            lf->val = r;
            return 1;
        }
        if (cond_name(e->rhs)) {
            json_t *l = scalar(e->lhs);
            if (!l) return 0;
            lf->key = e->rhs->text;
            lf->op = op_key(flip(e->op));
            lf->val = l;
            return 1;
        }
        return 0;
    }
    case MMR_E_UNARY:
        if (e->op != MMR_OP_NOT) return 0;
        lf->val = cond_json(x, e->lhs, depth + 1);
        if (!lf->val) return 0;
        lf->key = "not";
        return 1;
    case MMR_E_NAME:
        if (!cond_name(e)) return 0;
        lf->key = e->text;
        lf->op = "==";
        lf->val = json_true();
        return 1;
    case MMR_E_IN: {
        if (!cond_name(e->lhs)) return 0;
        json_t *r = NULL;
        if (e->rhs && e->rhs->kind == MMR_E_LIST) {
            if (!e->rhs->nitems) return 0;
            r = json_array();
            for (size_t i = 0; r && i < e->rhs->nitems; i++) {
                json_t *s = scalar(e->rhs->items[i]);
                if (!s) { json_decref(r); r = NULL; break; }
                json_array_append_new(r, s);
            }
        } else if (cond_name(e->rhs)) r = var_ref(e->rhs);
        if (!r) return 0;
        lf->key = e->lhs->text;
        lf->op = e->negated ? "not_in" : "in";
        lf->val = r;
        return 1;
    }
    case MMR_E_BETWEEN: {
        if (!cond_name(e->lhs)) return 0;
        json_t *lo = operand(e->rhs), *hi = operand(e->third);
        if (!lo || !hi) { json_decref(lo); json_decref(hi); return 0; }
        json_t *arr = json_array();
        json_array_append_new(arr, lo);
        json_array_append_new(arr, hi);
        lf->key = e->lhs->text;
        lf->op = "between";
        lf->val = arr;
        return 1;
    }
    case MMR_E_IS_MISSING:
        if (!cond_name(e->lhs)) return 0;
        lf->key = e->lhs->text;
        lf->op = e->negated ? "is_present" : "is_missing";
        lf->val = json_true();
        return 1;
    default:
        return 0;
    }
}

/* A condition object for e, or NULL when e is not expressible in the JSON
 * rule form. Conjuncts on the same name next to each other share one
 * operator object; once a key would repeat, the rest go, in order, into
 * an "all" array, so importing the object gives back the same order. */
static json_t *cond_json(xctx *x, const mmr_expr *e, int depth)
{
    if (!e || depth > 64) return NULL;
    const mmr_expr **v = NULL;
    size_t n = 0, cap = 0;
    int oom = 0;
    flatten(e, MMR_OP_AND, &v, &n, &cap, &oom);
    if (oom) { free(v); x->oom = 1; return NULL; }
    json_t *obj = json_object();
    json_t *overflow = NULL;
    const char *last = NULL;
    for (size_t i = 0; obj && i < n; i++) {
        if (overflow) {
            json_t *c = cond_json(x, v[i], depth + 1);
            if (!c) { json_decref(obj); obj = NULL; break; }
            json_array_append_new(overflow, c);
            continue;
        }
        leaf lf;
        if (!to_leaf(x, v[i], &lf, depth)) { json_decref(obj); obj = NULL; break; }
        json_t *have = json_object_get(obj, lf.key);
        int placed = 0;
        if (lf.op) {
            if (have && last && !strcmp(last, lf.key) && !json_object_get(have, lf.op)) {
                json_object_set_new(have, lf.op, lf.val);
                placed = 1;
            } else if (!have) {
                json_t *ops = json_object();
                json_object_set_new(ops, lf.op, lf.val);
                json_object_set_new(obj, lf.key, ops);
                placed = 1;
            }
        } else if (!have) {
            json_object_set_new(obj, lf.key, lf.val);
            placed = 1;
        }
        if (placed) { last = lf.key; continue; }
        json_decref(lf.val);
        overflow = json_array();
        json_object_set_new(obj, "all", overflow);
        json_t *c = cond_json(x, v[i], depth + 1);
        if (!c) { json_decref(obj); obj = NULL; break; }
        json_array_append_new(overflow, c);
    }
    free(v);
    return obj;
}

static json_t *text_form(const mmr_expr *e)
{
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_print_expr(&b, e);
    json_t *s = b.oom ? NULL : jstr(b.data ? b.data : "", b.len);
    mmr_buf_free(&b);
    json_t *o = json_object();
    if (o && s) json_object_set_new(o, "mmr", s);
    else { json_decref(s); json_decref(o); o = NULL; }
    return o;
}

/* The condition form of e, else {"mmr": TEXT}. */
static json_t *cond_or_text(xctx *x, const mmr_expr *e)
{
    mmr_expr *s = subst(x, e, NULL, 0);
    if (!s) return NULL;
    json_t *c = cond_json(x, s, 0);
    return c ? c : text_form(s);
}

/* A `with` value: a literal, a list of literals, {"var": NAME} for a
 * signal or trait, else {"mmr": TEXT}. */
static json_t *value_json(xctx *x, const mmr_expr *e)
{
    mmr_expr *s = subst(x, e, NULL, 0);
    if (!s) return NULL;
    json_t *v = scalar(s);
    if (v) return v;
    if (s->kind == MMR_E_LIST && s->nitems) {
        json_t *arr = json_array();
        for (size_t i = 0; arr && i < s->nitems; i++) {
            json_t *it = scalar(s->items[i]);
            if (!it) { json_decref(arr); arr = NULL; break; }
            json_array_append_new(arr, it);
        }
        if (arr) return arr;
    }
    if (s->kind == MMR_E_NAME && cond_name(s) &&
        (s->ref == MMR_REF_SIGNAL || s->ref == MMR_REF_TRAIT || s->ref == MMR_REF_NONE))
        return var_ref(s);
    return text_form(s);
}

/* ----------------------------------------------------------- rows */

/* e as canonical .mmr text, a JSON string */
static json_t *text_str(const mmr_expr *e)
{
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_print_expr(&b, e);
    json_t *s = b.oom ? NULL : jstr(b.data ? b.data : "", b.len);
    mmr_buf_free(&b);
    return s;
}

/* A per-key rule's `for each K in MAP where P rank by R`:
 * {"var": K, "in": MAP, "where": P, "rank_by": R}, each part as .mmr
 * text ("rank_by" only when given). */
static json_t *for_each_json(const mmr_expr *w)
{
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "var", jstrz(w->text));
    json_object_set_new(o, "in", text_str(w->lhs));
    json_object_set_new(o, "where", text_str(w->rhs));
    if (w->third) json_object_set_new(o, "rank_by", text_str(w->third));
    return o;
}

static json_t *rule_row(xctx *x, const mmr_rule *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "rule_id", jstrz(r->name));
    json_object_set_new(o, "name", jstrz(r->name));
    json_object_set_new(o, "description", jstrz(r->description));
    json_object_set_new(o, "priority", r->has_priority ? jnum(r->priority) : json_null());
    int64_t s = r->cooldown_s;
    json_object_set_new(o, "cooldown_days", jnum((double)s / 86400.0));
    if (s % 86400) json_object_set_new(o, "cooldown_seconds", json_integer((json_int_t)s));
    json_t *aud = r->audience ? cond_or_text(x, r->audience) : json_null();
    json_object_set_new(o, "traits_filter_json", aud ? aud : json_null());
    json_t *ex = json_object();
    if (MMR_RULE_PER_KEY(r)) {
        mmr_expr *w = subst(x, r->when, NULL, 0);
        json_t *fe = w ? for_each_json(w) : NULL;
        if (fe) json_object_set_new(ex, "for_each", fe);
    } else if (r->when) {
        mmr_expr *w = subst(x, r->when, NULL, 0);
        json_t *c = w ? cond_json(x, w, 0) : NULL;
        if (c) json_object_set_new(ex, "if", c);
        else if (w) {
            json_t *t = text_form(w);
            json_t *tv = t ? json_object_get(t, "mmr") : NULL;
            if (tv) json_object_set(ex, "mmr", tv);
            json_decref(t);
        }
    }
    json_object_set_new(ex, "message_template_id", jstrz(r->message));
    if (r->category) json_object_set_new(ex, "category", jstrz(r->category));
    if (r->nwith) {
        json_t *w = json_object();
        for (size_t i = 0; i < r->nwith; i++) {
            json_t *v = value_json(x, r->with[i].expr);
            if (v && r->with[i].name) json_object_set_new(w, r->with[i].name, v);
            else json_decref(v);
        }
        json_object_set_new(ex, "with", w);
    }
    json_object_set_new(o, "expression_json", ex);
    return o;
}

static void add_placeholders(json_t *arr, const char *text)
{
    if (!text) return;
    size_t pos = 0, n = strlen(text);
    for (;;) {
        mmr_seg s = mmr_template_next(text, n, &pos);
        if (s.kind == MMR_SEG_END || s.kind == MMR_SEG_ERROR) break;
        if (s.kind != MMR_SEG_PLACEHOLDER) continue;
        int seen = 0;
        for (size_t i = 0; i < json_array_size(arr) && !seen; i++) {
            json_t *it = json_array_get(arr, i);
            seen = json_string_length(it) == s.name_len && !memcmp(json_string_value(it), s.name, s.name_len);
        }
        if (!seen) json_array_append_new(arr, jstr(s.name, s.name_len));
    }
}

static json_t *template_row(const mmr_template *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "template_id", jstrz(t->id));
    json_object_set_new(o, "title", jstrz(t->title));
    json_object_set_new(o, "body", jstrz(t->body));
    json_object_set_new(o, "tone", jstrz(t->tone));
    json_t *vars = json_array();
    add_placeholders(vars, t->title);
    add_placeholders(vars, t->body);
    json_object_set_new(o, "variables_json", vars);
    json_object_set_new(o, "category", jstrz(t->category));
    return o;
}

static json_t *decl_row(const mmr_var_decl *g)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", jstrz(g->name));
    json_object_set_new(o, "type", jstrz(mmr_type_name(g->type)));
    json_object_set_new(o, "description", jstrz(g->doc));
    return o;
}

/* The policy as an object; durations keep their source spelling. */
static json_t *policy_obj(const mmr_policy *pol)
{
    json_t *o = json_object();
    char tmp[64];
    if (pol->has_max) {
        json_object_set_new(o, "max_nudges", json_integer(pol->max_nudges));
        if (pol->window_src) json_object_set_new(o, "per", jstrz(pol->window_src));
        else {
            snprintf(tmp, sizeof tmp, "%llds", (long long)pol->window_s);
            json_object_set_new(o, "per", jstrz(tmp));
        }
    }
    if (pol->has_quiet) {
        snprintf(tmp, sizeof tmp, "%02d:%02d - %02d:%02d", pol->quiet_start_min / 60, pol->quiet_start_min % 60,
                 pol->quiet_end_min / 60, pol->quiet_end_min % 60);
        json_object_set_new(o, "quiet_hours", jstrz(tmp));
    }
    if (pol->timezone) json_object_set_new(o, "timezone", jstrz(pol->timezone));
    if (pol->currency) json_object_set_new(o, "currency", jstrz(pol->currency));
    if (pol->categories) {
        json_t *a = json_array();
        for (size_t i = 0; i < pol->ncategories; i++) json_array_append_new(a, jstrz(pol->categories[i]));
        json_object_set_new(o, "categories", a);
    }
    if (pol->retention_src) json_object_set_new(o, "retention", jstrz(pol->retention_src));
    return o;
}

/* What rows cannot hold (derived signals, tests) as canonical .mmr text,
 * printed through a file that holds only those declarations. */
static int extra_text(xctx *x, const mmr_unit *u, mmr_buf *b)
{
    size_t nsig = 0, ntest = 0;
    for (size_t i = 0; i < u->nfiles; i++) {
        const mmr_file *f = u->files[i];
        if (!f || f->is_std) continue;
        for (size_t j = 0; j < f->nsignals; j++) nsig += f->signals[j].def != NULL;
        ntest += f->ntests;
    }
    if (!nsig && !ntest) return 0;
    mmr_file t;
    memset(&t, 0, sizeof t);
    t.path = "<export>";
    t.signals = calloc(nsig ? nsig : 1, sizeof *t.signals);
    t.tests = calloc(ntest ? ntest : 1, sizeof *t.tests);
    t.order = calloc(nsig + ntest, sizeof *t.order);
    int ok = t.signals && t.tests && t.order;
    for (size_t i = 0; ok && i < u->nfiles; i++) {
        const mmr_file *f = u->files[i];
        if (!f || f->is_std) continue;
        for (size_t j = 0; j < f->nsignals; j++)
            if (f->signals[j].def) {
                /* lets are not exported: inline them into the definition */
                mmr_derived *dv = mmr_arena_alloc(&x->scratch, sizeof *dv);
                if (!dv) { ok = 0; break; }
                *dv = *f->signals[j].def;
                if (dv->expr && !(dv->expr = subst(x, dv->expr, NULL, 0))) ok = 0;
                if (dv->where && !(dv->where = subst(x, dv->where, NULL, 0))) ok = 0;
                t.order[t.norder++] = (mmr_decl_ref){ MMR_D_SIGNAL, t.nsignals };
                t.signals[t.nsignals] = f->signals[j];
                t.signals[t.nsignals++].def = dv;
            }
    }
    for (size_t i = 0; ok && i < u->nfiles; i++) {
        const mmr_file *f = u->files[i];
        if (!f || f->is_std) continue;
        for (size_t j = 0; j < f->ntests; j++) {
            t.order[t.norder++] = (mmr_decl_ref){ MMR_D_TEST, t.ntests };
            t.tests[t.ntests++] = f->tests[j];
        }
    }
    if (ok) mmr_print_file(b, &t);
    free(t.signals); free(t.tests); free(t.order);
    return ok ? 1 : -1;
}

/* ------------------------------------------------------ serialisation */

static void indent(mmr_buf *b, int n)
{
    for (int i = 0; i < n; i++) mmr_buf_putc(b, ' ');
}

static int is_scalar(const json_t *v) { return !json_is_object(v) && !json_is_array(v); }

static int is_flat(const json_t *v)
{
    if (is_scalar(v)) return 1;
    if (!json_is_array(v)) return 0;
    for (size_t i = 0; i < json_array_size(v); i++)
        if (!is_scalar(json_array_get(v, i))) return 0;
    return 1;
}

#define INLINE_MAX_KEYS 2
#define INLINE_MAX_WIDTH 72

static void emit(mmr_buf *b, json_t *v, int ind);

/* Small objects print on one line when they fit: {">=": 3},
 * {"var": "x"}, {"age_band": {"==": "25-34"}}. */
static int can_inline(json_t *v, int depth)
{
    if (is_flat(v)) return 1;
    if (!json_is_object(v) || depth > 2 || json_object_size(v) > INLINE_MAX_KEYS) return 0;
    const char *k;
    json_t *m;
    /* several keys: only scalars; one key: possibly a small object */
    json_object_foreach(v, k, m)
        if (json_object_size(v) > 1 ? !is_flat(m) : !can_inline(m, depth + 1)) return 0;
    return 1;
}

static int emit_inline_object(mmr_buf *b, json_t *v)
{
    if (!can_inline(v, 0)) return 0;
    const char *k;
    json_t *m;
    mmr_buf t;
    mmr_buf_init(&t);
    mmr_buf_putc(&t, '{');
    size_t i = 0;
    json_object_foreach(v, k, m) {
        if (i++) mmr_buf_puts(&t, ", ");
        mmr_buf_json_string(&t, k, strlen(k));
        mmr_buf_puts(&t, ": ");
        if (!json_is_object(m) || !emit_inline_object(&t, m)) emit(&t, m, 0);
    }
    mmr_buf_putc(&t, '}');
    int ok = !t.oom && t.len <= INLINE_MAX_WIDTH;
    if (ok) mmr_buf_append(b, t.data, t.len);
    mmr_buf_free(&t);
    return ok;
}

static void emit(mmr_buf *b, json_t *v, int ind)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        if (!json_object_size(v)) { mmr_buf_puts(b, "{}"); return; }
        if (emit_inline_object(b, v)) return;
        mmr_buf_puts(b, "{\n");
        const char *k;
        json_t *m;
        size_t i = 0, n = json_object_size(v);
        json_object_foreach(v, k, m) {
            indent(b, ind + 2);
            mmr_buf_json_string(b, k, strlen(k));
            mmr_buf_puts(b, ": ");
            emit(b, m, ind + 2);
            mmr_buf_puts(b, ++i < n ? ",\n" : "\n");
        }
        indent(b, ind);
        mmr_buf_putc(b, '}');
        return;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(v);
        if (!n) { mmr_buf_puts(b, "[]"); return; }
        int flat = 1;
        for (size_t i = 0; i < n && flat; i++) flat = is_scalar(json_array_get(v, i));
        if (flat) {
            mmr_buf_putc(b, '[');
            for (size_t i = 0; i < n; i++) {
                if (i) mmr_buf_puts(b, ", ");
                emit(b, json_array_get(v, i), ind);
            }
            mmr_buf_putc(b, ']');
            return;
        }
        mmr_buf_puts(b, "[\n");
        for (size_t i = 0; i < n; i++) {
            indent(b, ind + 2);
            emit(b, json_array_get(v, i), ind + 2);
            mmr_buf_puts(b, i + 1 < n ? ",\n" : "\n");
        }
        indent(b, ind);
        mmr_buf_putc(b, ']');
        return;
    }
    case JSON_STRING:
        mmr_buf_json_string(b, json_string_value(v), json_string_length(v));
        return;
    case JSON_INTEGER:
        mmr_buf_printf(b, "%lld", (long long)json_integer_value(v));
        return;
    case JSON_REAL:
        mmr_buf_number(b, json_real_value(v));
        return;
    case JSON_TRUE: mmr_buf_puts(b, "true"); return;
    case JSON_FALSE: mmr_buf_puts(b, "false"); return;
    default: mmr_buf_puts(b, "null"); return;
    }
}

int mmr_export_json(const mmr_unit *u, mmr_buf *out, mmr_diags *d)
{
    xctx x;
    memset(&x, 0, sizeof x);
    x.u = u;
    mmr_arena_init(&x.scratch, 0);
    json_t *doc = json_object();
    json_t *rules = json_array(), *templates = json_array();
    json_t *signals = json_array(), *traits = json_array();
    if (!doc || !rules || !templates || !signals || !traits) x.oom = 1;
    for (size_t i = 0; !x.oom && i < u->nfiles; i++) {
        const mmr_file *f = u->files[i];
        if (!f || f->is_std) continue;
        /* a derived signal that defines an std one is the std one: JSON
         * rule masters have no derivations, and the schema declares it */
        for (size_t j = 0; j < f->nsignals; j++)
            if (!f->signals[j].def) json_array_append_new(signals, decl_row(&f->signals[j]));
        for (size_t j = 0; j < f->ntraits; j++) json_array_append_new(traits, decl_row(&f->traits[j]));
        for (size_t j = 0; j < f->ntemplates; j++) json_array_append_new(templates, template_row(&f->templates[j]));
        for (size_t j = 0; j < f->nrules; j++) json_array_append_new(rules, rule_row(&x, &f->rules[j]));
    }
    if (!x.oom) {
        json_object_set_new(doc, "rules", rules);
        json_object_set_new(doc, "templates", templates);
        if (json_array_size(signals)) json_object_set_new(doc, "signals", signals);
        else json_decref(signals);
        if (json_array_size(traits)) json_object_set_new(doc, "traits", traits);
        else json_decref(traits);
        /* std imports, written only when they are not the default */
        json_t *imps = json_array();
        int has_mm = 0;
        for (size_t i = 0; i < u->nfiles; i++) {
            const mmr_file *f = u->files[i];
            if (!f || !f->is_std || !f->path) continue;
            size_t pl = strlen(f->path);
            if (pl > 4 && !strcmp(f->path + pl - 4, ".mmr")) pl -= 4;   /* one spelling */
            if (pl == 16 && !strncmp(f->path, "std/moneymoments", pl)) has_mm = 1;
            json_array_append_new(imps, jstr(f->path, pl));
        }
        if (!(has_mm && json_array_size(imps) == 1)) json_object_set_new(doc, "imports", imps);
        else json_decref(imps);
        if (u->policy) json_object_set_new(doc, "policy", policy_obj(u->policy));
        mmr_buf et;
        mmr_buf_init(&et);
        int ex = extra_text(&x, u, &et);
        if (ex < 0 || et.oom) x.oom = 1;
        else if (ex > 0) json_object_set_new(doc, "mmr", jstr(et.data, et.len));
        mmr_buf_free(&et);
        emit(out, doc, 0);
        mmr_buf_putc(out, '\n');
    } else {
        json_decref(rules); json_decref(templates); json_decref(signals); json_decref(traits);
    }
    json_decref(doc);
    mmr_arena_free(&x.scratch);
    if (x.oom || out->oom) {
        mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "export: out of memory");
        return 1;
    }
    return 0;
}
