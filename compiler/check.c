/* The checker: name resolution over every file of a unit, type checking,
 * the static rules of the language (rules, templates, policy, tests,
 * derived signals) and constant folding. Results are written into the AST
 * (types, refs, folded constants) and the unit's flattened tables.
 *
 * Longer than our ~800-line mark: every static rule of the language shares
 * one resolver state (namespaces, let and signal cycle tracking, hints),
 * and splitting it would mean exporting that state to several files. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/compile.h"
#include "compiler/check_internal.h"
#include "compiler/lint.h"
#include "stdlib/builtins.h"
#include "util/buf.h"
#include "util/placeholder.h"
#include "util/currency.h"
#include "signals/source.h"

const char *const mmr_default_categories[] = { "dining", "shopping", "travel", "goal", "budget" };
const size_t mmr_ndefault_categories = 5;

#define TN mmr_type_name

long mmr_template_args(const mmr_template *t, mmr_tpl_arg *out, size_t max)
{
    size_t n = 0;
    const char *texts[2] = { t->title, t->body };
    for (int k = 0; k < 2; k++) {
        const char *s = texts[k];
        if (!s) continue;
        size_t len = strlen(s), pos = 0;
        for (;;) {
            mmr_seg g = mmr_template_next(s, len, &pos);
            if (g.kind == MMR_SEG_END) break;
            if (g.kind == MMR_SEG_ERROR) return -1;
            if (g.kind != MMR_SEG_PLACEHOLDER) continue;
            size_t j;
            for (j = 0; j < n && j < max; j++)
                if (out[j].name_len == g.name_len && !memcmp(out[j].name, g.name, g.name_len)) break;
            if (j < n && j < max) continue;
            if (n < max) {
                out[n].name = g.name; out[n].name_len = g.name_len;
                out[n].fmt = g.fmt; out[n].fmt_len = g.fmt_len;
            }
            n++;
        }
    }
    return (long)n;
}

/* ------------------------------------------------------------ name maps */

typedef struct strmap {
    const char **keys;
    int *vals;
    size_t cap, n;
} strmap;

static size_t str_hash(const char *s)
{
    size_t h = 1469598103934665603ull;
    while (*s) { h ^= (unsigned char)*s++; h *= 1099511628211ull; }
    return h;
}

static int map_grow(strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    const char **keys = calloc(cap, sizeof *keys);
    int *vals = calloc(cap, sizeof *vals);
    if (!keys || !vals) { free(keys); free(vals); return -1; }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t h = str_hash(m->keys[i]) & (cap - 1);
        while (keys[h]) h = (h + 1) & (cap - 1);
        keys[h] = m->keys[i];
        vals[h] = m->vals[i];
    }
    free(m->keys); free(m->vals);
    m->keys = keys; m->vals = vals; m->cap = cap;
    return 0;
}

static int map_get(const strmap *m, const char *k)
{
    if (!m->cap || !k) return -1;
    size_t h = str_hash(k) & (m->cap - 1);
    while (m->keys[h]) {
        if (!strcmp(m->keys[h], k)) return m->vals[h];
        h = (h + 1) & (m->cap - 1);
    }
    return -1;
}

static int map_put(strmap *m, const char *k, int v)
{
    if ((m->n + 1) * 2 > m->cap && map_grow(m)) return -1;
    size_t h = str_hash(k) & (m->cap - 1);
    while (m->keys[h]) {
        if (!strcmp(m->keys[h], k)) { m->vals[h] = v; return 0; }
        h = (h + 1) & (m->cap - 1);
    }
    m->keys[h] = k; m->vals[h] = v; m->n++;
    return 0;
}

static void map_free(strmap *m) { free(m->keys); free(m->vals); memset(m, 0, sizeof *m); }

/* ------------------------------------------------------- edit distance */

static size_t edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64) return (size_t)-1;
    size_t row[65], prev[65];
    for (size_t j = 0; j <= m; j++) prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t c = prev[j - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            if (prev[j] + 1 < c) c = prev[j] + 1;
            if (row[j - 1] + 1 < c) c = row[j - 1] + 1;
            row[j] = c;
        }
        memcpy(prev, row, (m + 1) * sizeof row[0]);
    }
    return prev[m];
}

typedef struct suggest {
    const char *want;
    const char *best;
    size_t dist;
} suggest;

static void suggest_init(suggest *s, const char *want) { s->want = want; s->best = NULL; s->dist = (size_t)-1; }

static void suggest_try(suggest *s, const char *cand)
{
    if (!cand || !s->want || !strcmp(cand, s->want)) return;
    size_t len = strlen(s->want), clen = strlen(cand);
    size_t limit = len <= 5 ? 1 : len <= 8 ? 2 : 3;
    /* the distance is at least the difference in length: skip the DP */
    if ((clen > len ? clen - len : len - clen) > limit) return;
    size_t d = edit_distance(s->want, cand);
    /* never suggest a name that shares (almost) nothing with the one written */
    if (d <= limit && d < len && d < clen && d < s->dist) { s->dist = d; s->best = cand; }
}

/* --------------------------------------------------------------- checker */

enum { V_SIGNAL = 0, V_TRAIT = 1, V_LET = 2 };
#define MMR_MAX_LET_DEPTH 256
#define MMR_DAY_SECS 86400
#define VENC(kind, idx) ((int)((idx) * 4 + (kind)))
#define VKIND(v) ((v) & 3)
#define VIDX(v) ((v) >> 2)

typedef struct scope {
    const char *name;
    mmr_expr *quant;
    struct scope *up;
} scope;

typedef struct ck {
    mmr_unit *u;
    mmr_diags *d;
    int errors;
    strmap vars, templates, rules;
    int *let_state;            /* 0 todo, 1 in progress, 2 done */
    size_t *let_stack; size_t nlet_stack;
    int *let_sig_state;
    const char **let_sig;      /* a signal a let reads (transitively), or NULL */
    const char *const *cats; size_t ncats;
    mmr_arena scratch;         /* for folding builtin calls */
    const mmr_expr *rule_when; /* while checking a rule's with bindings */
    int let_depth_reported;
    int oom;
    int src;                   /* checking a derived signal's filter: its source, else -1 */
    int in_computed;           /* checking a computed signal's expression */
    int *sig_state;            /* derived signals: 0 todo, 1 in progress, 2 done */
    size_t *sig_stack; size_t nsig_stack;
} ck;

static mmr_diag *err(ck *c, const mmr_loc *l, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static mmr_diag *warn(ck *c, const mmr_loc *l, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static mmr_diag *vdiag(ck *c, mmr_severity sev, const mmr_loc *l, const char *fmt, va_list ap)
{
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_buf_vprintf(&b, fmt, ap);
    mmr_diag *g = mmr_diag_add(c->d, sev, l && l->file ? l->file : "", l ? l->line : 0,
                               l ? l->col : 0, "%s", b.data ? b.data : "");
    if (g && l && l->end_line) { g->end_line = l->end_line; g->end_col = l->end_col; }
    mmr_buf_free(&b);
    if (sev == MMR_SEV_ERROR) c->errors++;
    return g;
}

/* Hints cost a scan of every name: once errors are no longer recorded
 * (past the limit), nobody sees them, so a file with thousands of unknown
 * names stays linear. */
static void hint_begin(ck *c, suggest *s, const char *want)
{
    suggest_init(s, c->d->truncated ? NULL : want);
}

static mmr_diag *err(ck *c, const mmr_loc *l, const char *fmt, ...)
{
    va_list ap; va_start(ap, fmt);
    mmr_diag *g = vdiag(c, MMR_SEV_ERROR, l, fmt, ap);
    va_end(ap);
    return g;
}

static mmr_diag *warn(ck *c, const mmr_loc *l, const char *fmt, ...)
{
    va_list ap; va_start(ap, fmt);
    mmr_diag *g = vdiag(c, MMR_SEV_WARNING, l, fmt, ap);
    va_end(ap);
    return g;
}

static const char *where(ck *c, const mmr_loc *l)
{
    /* "FILE:LINE:COL" in the unit arena (lives as long as the messages need) */
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_buf_printf(&b, "%s:%d:%d", l->file ? l->file : "", l->line, l->col);
    char *s = mmr_arena_strdup(&c->u->arena, b.data ? b.data : "");
    mmr_buf_free(&b);
    return s ? s : "";
}

static const char *var_kind_name(int kind) { return kind == V_SIGNAL ? "signal" : kind == V_TRAIT ? "trait" : "let"; }

static const mmr_loc *var_loc(ck *c, int v)
{
    switch (VKIND(v)) {
    case V_SIGNAL: return &c->u->signals[VIDX(v)]->loc;
    case V_TRAIT: return &c->u->traits[VIDX(v)]->loc;
    default: return &c->u->lets[VIDX(v)]->loc;
    }
}

static const char *var_name(ck *c, int v)
{
    switch (VKIND(v)) {
    case V_SIGNAL: return c->u->signals[VIDX(v)]->name;
    case V_TRAIT: return c->u->traits[VIDX(v)]->name;
    default: return c->u->lets[VIDX(v)]->name;
    }
}

static void hint_suggest(mmr_diag *g, suggest *s)
{
    if (g && s->best) mmr_diag_set_hint(g, "did you mean \"%s\"?", s->best);
}

/* ------------------------------------------------------------- flatten */

#define PUSH(arr, n, item) do { \
    void *_p = realloc((arr), ((n) + 1) * sizeof *(arr)); \
    if (!_p) { c->oom = 1; break; } \
    (arr) = _p; (arr)[(n)++] = (item); } while (0)

static int rule_cmp(const void *a, const void *b)
{
    const mmr_rule *x = *(mmr_rule *const *)a, *y = *(mmr_rule *const *)b;
    int r = strcmp(x->name ? x->name : "", y->name ? y->name : "");
    if (r) return r;
    return x < y ? -1 : x > y;
}

/* Signals, traits and lets share one namespace: 1 if name is free there,
 * else 0 after reporting the duplicate with the first declaration's place. */
static int name_free(ck *c, const char *name, const mmr_loc *loc)
{
    int old = map_get(&c->vars, name);
    if (old < 0) return 1;
    mmr_diag *g = err(c, loc, "duplicate name \"%s\": already declared as a %s at %s",
                      name, var_kind_name(VKIND(old)), where(c, var_loc(c, old)));
    if (g) mmr_diag_set_hint(g, "signals, traits and lets share one namespace; rename one of them");
    return 0;
}

/* A derived signal may define a signal an std/ schema declares (the std
 * declaration gives its type, the definition its value), in either load
 * order. 1 when v was merged that way. */
static int override_std(ck *c, mmr_var_decl *v)
{
    int old = map_get(&c->vars, v->name);
    if (old < 0 || VKIND(old) != V_SIGNAL) return 0;
    mmr_var_decl *o = c->u->signals[VIDX(old)];
    if (v->def && !o->def && o->from_std && !o->overrides) {
        v->overrides = o;
        c->u->signals[VIDX(old)] = v;
        c->u->nderived++;
        return 1;
    }
    if (!v->def && v->from_std && o->def && !o->overrides) {
        o->overrides = v;
        return 1;
    }
    return 0;
}

static void flatten(ck *c)
{
    mmr_unit *u = c->u;
    free(u->signals); free(u->traits); free(u->lets); free(u->templates);
    free(u->rules); free(u->tests);
    u->signals = NULL; u->traits = NULL; u->lets = NULL; u->templates = NULL;
    u->rules = NULL; u->tests = NULL;
    u->nsignals = u->ntraits = u->nlets = u->ntemplates = u->nrules = u->ntests = 0;
    u->nderived = 0;
    u->policy = NULL;
    const mmr_policy *first_policy = NULL;
    for (size_t fi = 0; fi < u->nfiles; fi++) {
        mmr_file *f = u->files[fi];
        for (size_t i = 0; i < f->nsignals; i++) {
            mmr_var_decl *v = &f->signals[i];
            if (override_std(c, v)) continue;
            if (!name_free(c, v->name, &v->loc)) continue;
            PUSH(u->signals, u->nsignals, v);
            map_put(&c->vars, v->name, VENC(V_SIGNAL, u->nsignals - 1));
            if (v->def) u->nderived++;
        }
        for (size_t i = 0; i < f->ntraits; i++) {
            mmr_var_decl *v = &f->traits[i];
            if (!name_free(c, v->name, &v->loc)) continue;
            PUSH(u->traits, u->ntraits, v);
            map_put(&c->vars, v->name, VENC(V_TRAIT, u->ntraits - 1));
        }
    }
    /* lets after every signal and trait, so a duplicate names the declaration */
    for (size_t fi = 0; fi < u->nfiles; fi++) {
        mmr_file *f = u->files[fi];
        for (size_t i = 0; i < f->nlets; i++) {
            mmr_let *l = &f->lets[i];
            if (!name_free(c, l->name, &l->loc)) continue;
            PUSH(u->lets, u->nlets, l);
            map_put(&c->vars, l->name, VENC(V_LET, u->nlets - 1));
        }
        for (size_t i = 0; i < f->ntemplates; i++) {
            mmr_template *t = &f->templates[i];
            int old = map_get(&c->templates, t->id);
            if (old >= 0) {
                err(c, &t->loc, "duplicate template \"%s\": already declared at %s", t->id,
                    where(c, &u->templates[old]->loc));
                continue;
            }
            PUSH(u->templates, u->ntemplates, t);
            map_put(&c->templates, t->id, (int)u->ntemplates - 1);
        }
        for (size_t i = 0; i < f->nrules; i++) {
            mmr_rule *r = &f->rules[i];
            int old = map_get(&c->rules, r->name);
            if (old >= 0) {
                err(c, &r->loc, "duplicate rule \"%s\": already declared at %s", r->name,
                    where(c, &u->rules[old]->loc));
                continue;
            }
            PUSH(u->rules, u->nrules, r);
            map_put(&c->rules, r->name, (int)u->nrules - 1);
            /* the one place the rule limit is checked: check, compile,
             * lint, test and run all come through here */
            if (u->nrules == (size_t)MMR_MAX_RULES + 1)
                err(c, &r->loc, "too many rules: a ruleset holds at most %u, and this is rule %zu",
                    (unsigned)MMR_MAX_RULES, u->nrules);
        }
        for (size_t i = 0; i < f->npolicies; i++) {
            mmr_policy *p = &f->policies[i];
            if (first_policy) {
                mmr_diag *g = err(c, &p->loc, "more than one policy: the first is at %s", where(c, &first_policy->loc));
                if (g) mmr_diag_set_hint(g, "a ruleset has one policy block; merge them");
                continue;
            }
            first_policy = p;
            u->policy = p;
        }
        for (size_t i = 0; i < f->ntests; i++) PUSH(u->tests, u->ntests, &f->tests[i]);
    }
    if (u->nrules > 1) qsort(u->rules, u->nrules, sizeof *u->rules, rule_cmp);
    /* rebuild the rule map in sorted order */
    map_free(&c->rules);
    for (size_t i = 0; i < u->nrules; i++) map_put(&c->rules, u->rules[i]->name, (int)i);
}

/* ------------------------------------------------------------- folding */

static int is_const_expr(const mmr_expr *e) { return e && e->is_const; }

static void set_const_num(mmr_expr *e, double v) { e->is_const = 1; e->num = v; }
static void set_const_bool(mmr_expr *e, int b) { e->is_const = 1; e->boolean = b ? 1 : 0; }

static int const_cmp(const mmr_expr *a, const mmr_expr *b, mmr_op op, int *out)
{
    int r;
    if (a->type == MMR_T_NUMBER && b->type == MMR_T_NUMBER) {
        double x = a->num, y = b->num;
        r = x < y ? -1 : x > y ? 1 : 0;
    } else if (a->type == MMR_T_TEXT && b->type == MMR_T_TEXT) {
        size_t n = a->text_len < b->text_len ? a->text_len : b->text_len;
        r = memcmp(a->text, b->text, n);
        if (!r) r = a->text_len < b->text_len ? -1 : a->text_len > b->text_len;
        r = r < 0 ? -1 : r > 0;
    } else if (a->type == MMR_T_BOOL && b->type == MMR_T_BOOL) {
        r = a->boolean - b->boolean;
    } else return 0;
    switch (op) {
    case MMR_OP_EQ: *out = r == 0; break;
    case MMR_OP_NE: *out = r != 0; break;
    case MMR_OP_LT: *out = r < 0; break;
    case MMR_OP_LE: *out = r <= 0; break;
    case MMR_OP_GT: *out = r > 0; break;
    case MMR_OP_GE: *out = r >= 0; break;
    default: return 0;
    }
    return 1;
}

static mmr_value const_value(ck *c, const mmr_expr *e, int *ok)
{
    *ok = 1;
    switch (e->type) {
    case MMR_T_NUMBER: return mmr_v_num(e->num);
    case MMR_T_BOOL: return mmr_v_bool(e->boolean);
    case MMR_T_TEXT: {
        mmr_text *t = mmr_text_new(&c->scratch, e->text, e->text_len);
        if (!t) { *ok = 0; return mmr_v_missing(); }
        return mmr_v_text(t);
    }
    default: *ok = 0; return mmr_v_missing();
    }
}

static void fold_call(ck *c, mmr_expr *e)
{
    if (e->index < 0 || (unsigned)e->index >= mmr_nbuiltins) return;
    const mmr_builtin *b = &mmr_builtins[e->index];
    if (!b->fn || e->nitems > 8) return;
    mmr_value args[8];
    for (size_t i = 0; i < e->nitems; i++) {
        int ok;
        if (!is_const_expr(e->items[i])) return;
        args[i] = const_value(c, e->items[i], &ok);
        if (!ok) return;
    }
    mmr_value out = mmr_v_missing();
    mmr_builtin_ctx bc = { &c->scratch };
    b->fn(&out, args, (unsigned)e->nitems, &bc);
    if (out.tag == MMR_V_NUM && e->type == MMR_T_NUMBER && isfinite(out.u.num)) set_const_num(e, out.u.num);
    else if (out.tag == MMR_V_BOOL && e->type == MMR_T_BOOL) set_const_bool(e, (int)out.u.i);
    else if (out.tag == MMR_V_TEXT && e->type == MMR_T_TEXT && out.u.text) {
        char *s = mmr_arena_strndup(&c->u->arena, out.u.text->bytes, out.u.text->len);
        if (s) { e->text = s; e->text_len = out.u.text->len; e->is_const = 1; }
    }
    mmr_arena_reset(&c->scratch);
}

/* Fold a node whose children are checked. Never folds something that
 * could be missing at run time: constants here are always present. */
static void fold(ck *c, mmr_expr *e)
{
    if (e->type == MMR_T_ERROR || e->is_const) return;
    mmr_expr *a = e->lhs, *b = e->rhs;
    switch (e->kind) {
    case MMR_E_NUMBER: case MMR_E_TEXT: case MMR_E_BOOL:
        e->is_const = 1;
        break;
    case MMR_E_NAME:
        if (e->ref == MMR_REF_LET && e->index >= 0 && (size_t)e->index < c->u->nlets) {
            mmr_expr *le = c->u->lets[e->index]->expr;
            if (le && le->is_const && le->type == e->type) {
                e->num = le->num; e->boolean = le->boolean;
                if (le->type == MMR_T_TEXT) { e->text = le->text; e->text_len = le->text_len; }
                e->is_const = 1;
            }
        }
        break;
    case MMR_E_UNARY:
        if (!is_const_expr(a)) break;
        if (e->op == MMR_OP_NEG && a->type == MMR_T_NUMBER) set_const_num(e, -a->num);
        else if (e->op == MMR_OP_NOT && a->type == MMR_T_BOOL) set_const_bool(e, !a->boolean);
        break;
    case MMR_E_BINARY:
        switch (e->op) {
        case MMR_OP_AND: case MMR_OP_OR: {
            int absorb = e->op == MMR_OP_OR;      /* true absorbs or; false absorbs and */
            if (is_const_expr(a) && a->type == MMR_T_BOOL && a->boolean == absorb) { set_const_bool(e, absorb); break; }
            if (is_const_expr(b) && b->type == MMR_T_BOOL && b->boolean == absorb) { set_const_bool(e, absorb); break; }
            if (is_const_expr(a) && is_const_expr(b)) set_const_bool(e, e->op == MMR_OP_OR ? (a->boolean || b->boolean) : (a->boolean && b->boolean));
            break;
        }
        case MMR_OP_EQ: case MMR_OP_NE: case MMR_OP_LT: case MMR_OP_LE: case MMR_OP_GT: case MMR_OP_GE: {
            int r;
            if (is_const_expr(a) && is_const_expr(b) && const_cmp(a, b, e->op, &r)) set_const_bool(e, r);
            break;
        }
        case MMR_OP_COALESCE:
            if (is_const_expr(a)) {
                e->num = a->num; e->boolean = a->boolean; e->text = a->text; e->text_len = a->text_len;
                e->is_const = 1;
            }
            break;
        case MMR_OP_ADD: case MMR_OP_SUB: case MMR_OP_MUL: case MMR_OP_DIV: {
            if (!is_const_expr(a) || !is_const_expr(b) || a->type != MMR_T_NUMBER || b->type != MMR_T_NUMBER) break;
            double x = a->num, y = b->num, r;
            if (e->op == MMR_OP_ADD) r = x + y;
            else if (e->op == MMR_OP_SUB) r = x - y;
            else if (e->op == MMR_OP_MUL) r = x * y;
            else { if (y == 0) break; r = x / y; }
            if (isfinite(r)) set_const_num(e, r);
            break;
        }
        default: break;
        }
        break;
    case MMR_E_BETWEEN:
        if (is_const_expr(a) && is_const_expr(b) && is_const_expr(e->third))
            set_const_bool(e, a->num >= b->num && a->num <= e->third->num);
        break;
    case MMR_E_IS_MISSING:
        if (is_const_expr(a)) set_const_bool(e, e->negated ? 1 : 0);
        else if (a && a->kind == MMR_E_MISSING) set_const_bool(e, e->negated ? 0 : 1);
        break;
    case MMR_E_IN:
        if (is_const_expr(a) && b && b->kind == MMR_E_LIST) {
            int found = 0;
            for (size_t i = 0; i < b->nitems; i++) {
                int r;
                if (!is_const_expr(b->items[i])) return;
                if (const_cmp(a, b->items[i], MMR_OP_EQ, &r) && r) found = 1;
            }
            set_const_bool(e, e->negated ? !found : found);
        }
        break;
    case MMR_E_CALL:
        fold_call(c, e);
        break;
    default:
        break;
    }
}

/* ------------------------------------------------------- expressions */

static mmr_type check_expr(ck *c, mmr_expr *e, scope *sc);
static mmr_type check_let(ck *c, size_t i);
static mmr_type check_derived(ck *c, size_t i);
static mmr_type check_field_name(ck *c, mmr_expr *e);
static const mmr_expr *find_quant(const mmr_expr *e, const char *name);

static int is_cmp(mmr_op op) { return op >= MMR_OP_EQ && op <= MMR_OP_GE; }

static void print_expr_buf(mmr_buf *b, const mmr_expr *e) { mmr_print_expr(b, e); }

static mmr_type need_bool_operand(ck *c, mmr_expr *x, const char *op, int plural)
{
    mmr_type t = x->type;
    if (t == MMR_T_ERROR || t == MMR_T_BOOL) return t;
    mmr_diag *g = err(c, &x->loc, "\"%s\" needs %s, got %s", op, plural ? "bool operands" : "a bool operand", TN(t));
    if (g && t == MMR_T_NUMBER) {
        mmr_buf b; mmr_buf_init(&b);
        print_expr_buf(&b, x);
        mmr_diag_set_hint(g, "compare the number, e.g. %s > 0", b.data ? b.data : "x");
        mmr_buf_free(&b);
    }
    return MMR_T_ERROR;
}

static mmr_type check_name(ck *c, mmr_expr *e, scope *sc)
{
    for (scope *s = sc; s; s = s->up) {
        if (s->name && e->text && !strcmp(s->name, e->text)) {
            e->ref = MMR_REF_QVAR;
            e->decl = s->quant;
            e->index = -1;
            return MMR_T_TEXT;
        }
    }
    if (c->src >= 0) return check_field_name(c, e);
    int v = map_get(&c->vars, e->text);
    if (v < 0) {
        suggest s;
        hint_begin(c, &s, e->text);
        for (scope *q = sc; q; q = q->up) suggest_try(&s, q->name);
        for (size_t i = 0; i < c->u->nsignals; i++) suggest_try(&s, c->u->signals[i]->name);
        for (size_t i = 0; i < c->u->ntraits; i++) suggest_try(&s, c->u->traits[i]->name);
        for (size_t i = 0; i < c->u->nlets; i++) suggest_try(&s, c->u->lets[i]->name);
        mmr_diag *g = err(c, &e->loc, "unknown signal \"%s\"", e->text ? e->text : "");
        const mmr_expr *q = c->rule_when ? find_quant(c->rule_when, e->text) : NULL;
        if (g && q)
            mmr_diag_set_hint(g, "%s is bound by the %s at %s, but only an \"any\" that \"when\" needs (joined with \"and\") binds its key for \"with\"",
                              e->text, q->op == MMR_OP_ALL ? "\"all\"" : "\"any\"", where(c, &q->loc));
        else if (s.best) hint_suggest(g, &s);
        else if (g) mmr_diag_set_hint(g, "declare it (signal %s : number) or import the schema that has it", e->text ? e->text : "");
        return MMR_T_ERROR;
    }
    e->index = VIDX(v);
    switch (VKIND(v)) {
    case V_SIGNAL:
        e->ref = MMR_REF_SIGNAL;
        if (c->u->signals[VIDX(v)]->def) return check_derived(c, (size_t)VIDX(v));
        if (c->in_computed) {
            /* the signals stage has only what it derives itself */
            mmr_diag *g = err(c, &e->loc, "a computed signal reads derived signals; \"%s\" is a plain signal, filled upstream", e->text);
            if (g) mmr_diag_set_hint(g, "compute it in a rule or a let instead, where plain signals are known");
            return MMR_T_ERROR;
        }
        return c->u->signals[VIDX(v)]->type;
    case V_TRAIT:
        if (c->in_computed) {
            mmr_diag *g = err(c, &e->loc, "a computed signal reads derived signals; \"%s\" is a trait", e->text);
            if (g) mmr_diag_set_hint(g, "use the trait in a rule or a let instead");
            return MMR_T_ERROR;
        }
        e->ref = MMR_REF_TRAIT; return c->u->traits[VIDX(v)]->type;
    default: e->ref = MMR_REF_LET; return check_let(c, (size_t)VIDX(v));
    }
}

static const mmr_expr *find_quant(const mmr_expr *e, const char *name)
{
    if (!e || !name) return NULL;
    if (e->kind == MMR_E_QUANT && e->text && !strcmp(e->text, name)) return e;
    const mmr_expr *r;
    if ((r = find_quant(e->lhs, name)) || (r = find_quant(e->rhs, name)) || (r = find_quant(e->third, name))) return r;
    for (size_t i = 0; i < e->nitems; i++) if ((r = find_quant(e->items[i], name))) return r;
    return NULL;
}

static mmr_type check_compare(ck *c, mmr_expr *e, mmr_type ta, mmr_type tb)
{
    mmr_expr *a = e->lhs, *b = e->rhs;
    const char *op = mmr_op_text(e->op);
    if (a->kind == MMR_E_MISSING || b->kind == MMR_E_MISSING) {
        mmr_expr *other = a->kind == MMR_E_MISSING ? b : a;
        mmr_buf pb; mmr_buf_init(&pb);
        print_expr_buf(&pb, other);
        const char *txt = pb.data ? pb.data : "x";
        mmr_diag *g;
        if (e->op == MMR_OP_EQ || e->op == MMR_OP_NE) {
            g = err(c, &e->loc, "\"%s missing\" is never true: a comparison with missing is unknown", op);
            if (g) mmr_diag_set_hint(g, "write \"%s is %s\"", txt, e->op == MMR_OP_EQ ? "missing" : "present");
        } else {
            g = err(c, &e->loc, "\"%s\" with missing is always unknown", op);
            if (g) mmr_diag_set_hint(g, "test for it with \"%s is missing\" or give a default with \"??\"", txt);
        }
        mmr_buf_free(&pb);
        return MMR_T_ERROR;
    }
    if (ta == MMR_T_ERROR || tb == MMR_T_ERROR) return MMR_T_BOOL;
    if (ta != tb) {
        err(c, &e->loc, "cannot compare %s with %s", TN(ta), TN(tb));
        return MMR_T_BOOL;
    }
    if (e->op == MMR_OP_EQ || e->op == MMR_OP_NE) {
        if (ta != MMR_T_NUMBER && ta != MMR_T_TEXT && ta != MMR_T_BOOL) {
            mmr_diag *g = err(c, &e->loc, "\"%s\" cannot compare %s values", op, TN(ta));
            if (g && ta == MMR_T_LIST_TEXT) mmr_diag_set_hint(g, "test membership with \"in\" or contains(list, item)");
        }
        return MMR_T_BOOL;
    }
    if (ta != MMR_T_NUMBER) {
        err(c, &e->loc, "\"%s\" needs numbers, got %s", op, TN(ta));
    }
    return MMR_T_BOOL;
}

static mmr_type check_call(ck *c, mmr_expr *e, scope *sc)
{
    int bad = 0;
    int types[256];
    for (size_t i = 0; i < e->nitems; i++) {
        mmr_type t = check_expr(c, e->items[i], sc);
        if (t == MMR_T_ERROR) bad = 1;
        if (i < 256) types[i] = (int)t;
    }
    int idx = mmr_builtin_find(e->text ? e->text : "");
    if (idx < 0) {
        suggest s;
        hint_begin(c, &s, e->text);
        for (unsigned i = 0; i < mmr_nbuiltins; i++) suggest_try(&s, mmr_builtins[i].name);
        mmr_diag *g = err(c, &e->loc, "unknown function \"%s\"", e->text ? e->text : "");
        if (s.best) hint_suggest(g, &s);
        else if (g) mmr_diag_set_hint(g, "the standard functions are listed by `mmr --help` and in docs/language.md");
        return MMR_T_ERROR;
    }
    e->index = idx;
    const mmr_builtin *b = &mmr_builtins[idx];
    if (e->nitems < b->min_args || e->nitems > b->max_args || e->nitems > 255) {
        mmr_diag *g;
        if (b->min_args == b->max_args)
            g = err(c, &e->loc, "%s takes %u argument%s, got %zu", b->name, b->min_args,
                    b->min_args == 1 ? "" : "s", e->nitems);
        else if (b->max_args > 255)
            g = err(c, &e->loc, "%s takes at least %u argument%s, got %zu", b->name, b->min_args,
                    b->min_args == 1 ? "" : "s", e->nitems);
        else
            g = err(c, &e->loc, "%s takes %u to %u arguments, got %zu", b->name, b->min_args, b->max_args, e->nitems);
        if (g && b->signature) mmr_diag_set_hint(g, "%s", b->signature);
        return MMR_T_ERROR;
    }
    if (bad) return MMR_T_ERROR;
    const char *why = NULL;
    int t = b->typer ? b->typer(types, (unsigned)e->nitems, &why) : MMR_T_ERROR;
    if (t == MMR_T_ERROR) {
        mmr_diag *g = err(c, &e->loc, "%s: %s", b->name, why ? why : "arguments of the wrong type");
        if (g && b->signature) mmr_diag_set_hint(g, "%s", b->signature);
        return MMR_T_ERROR;
    }
    return (mmr_type)t;
}

static mmr_type check_list(ck *c, mmr_expr *e, scope *sc)
{
    mmr_type et = MMR_T_ERROR;
    int bad = 0;
    for (size_t i = 0; i < e->nitems; i++) {
        mmr_expr *it = e->items[i];
        mmr_type t = check_expr(c, it, sc);
        if (t == MMR_T_ERROR) { bad = 1; continue; }
        if (t != MMR_T_TEXT && t != MMR_T_NUMBER) {
            err(c, &it->loc, "a list holds text or numbers, got %s", TN(t));
            bad = 1; continue;
        }
        if (!it->is_const) {
            mmr_diag *g = err(c, &it->loc, "list items must be constants");
            if (g) mmr_diag_set_hint(g, "compare with \"==\" and join with \"or\" instead");
            bad = 1; continue;
        }
        if (et == MMR_T_ERROR) et = t;
        else if (t != et) {
            err(c, &it->loc, "a list holds one type: this item is %s, the first is %s", TN(t), TN(et));
            bad = 1;
        }
    }
    if (bad) return MMR_T_ERROR;
    return et == MMR_T_NUMBER ? MMR_T_LIST_NUMBER : MMR_T_LIST_TEXT;
}

static mmr_type check_expr_inner(ck *c, mmr_expr *e, scope *sc)
{
    mmr_type ta, tb, tc;
    switch (e->kind) {
    case MMR_E_NUMBER: return MMR_T_NUMBER;
    case MMR_E_TEXT: return MMR_T_TEXT;
    case MMR_E_BOOL: return MMR_T_BOOL;
    case MMR_E_MISSING: return MMR_T_MISSING;
    case MMR_E_LIST: return check_list(c, e, sc);
    case MMR_E_MAP: {
        for (size_t i = 0; i < e->nitems; i++) check_expr(c, e->items[i], sc);
        mmr_diag *g = err(c, &e->loc, "a map literal can only be a test value");
        if (g) mmr_diag_set_hint(g, "maps come from signals such as category_spend_7d");
        return MMR_T_ERROR;
    }
    case MMR_E_NAME: return check_name(c, e, sc);
    case MMR_E_UNARY:
        ta = check_expr(c, e->lhs, sc);
        if (e->op == MMR_OP_NOT) return need_bool_operand(c, e->lhs, "not", 0) == MMR_T_ERROR ? MMR_T_ERROR : MMR_T_BOOL;
        if (ta == MMR_T_ERROR || ta == MMR_T_NUMBER || ta == MMR_T_MISSING) return ta == MMR_T_ERROR ? ta : MMR_T_NUMBER;
        err(c, &e->lhs->loc, "\"-\" needs a number operand, got %s", TN(ta));
        return MMR_T_ERROR;
    case MMR_E_BINARY:
        ta = check_expr(c, e->lhs, sc);
        tb = check_expr(c, e->rhs, sc);
        if (e->op == MMR_OP_AND || e->op == MMR_OP_OR) {
            mmr_type r1 = need_bool_operand(c, e->lhs, mmr_op_text(e->op), 1);
            mmr_type r2 = need_bool_operand(c, e->rhs, mmr_op_text(e->op), 1);
            return r1 == MMR_T_ERROR || r2 == MMR_T_ERROR ? MMR_T_ERROR : MMR_T_BOOL;
        }
        if (is_cmp(e->op)) return check_compare(c, e, ta, tb);
        if (e->op == MMR_OP_COALESCE) {
            if (ta == MMR_T_ERROR || tb == MMR_T_ERROR) return MMR_T_ERROR;
            if (ta == MMR_T_MISSING) return tb;
            if (tb == MMR_T_MISSING) return ta;
            if (ta != tb) {
                err(c, &e->rhs->loc, "\"??\" needs a default of the same type as its left side: got %s and %s",
                    TN(ta), TN(tb));
                return MMR_T_ERROR;
            }
            return ta;
        }
        /* arithmetic */
        {
            int bad = 0;
            if (ta != MMR_T_ERROR && ta != MMR_T_NUMBER && ta != MMR_T_MISSING) {
                err(c, &e->lhs->loc, "\"%s\" needs number operands, got %s", mmr_op_text(e->op), TN(ta)); bad = 1;
            }
            if (tb != MMR_T_ERROR && tb != MMR_T_NUMBER && tb != MMR_T_MISSING) {
                err(c, &e->rhs->loc, "\"%s\" needs number operands, got %s", mmr_op_text(e->op), TN(tb)); bad = 1;
            }
            if (bad || ta == MMR_T_ERROR || tb == MMR_T_ERROR) return MMR_T_ERROR;
            return MMR_T_NUMBER;
        }
    case MMR_E_IN: {
        ta = check_expr(c, e->lhs, sc);
        tb = check_expr(c, e->rhs, sc);
        const char *op = e->negated ? "not in" : "in";
        if (ta == MMR_T_ERROR || tb == MMR_T_ERROR) return MMR_T_ERROR;
        if (tb != MMR_T_LIST_TEXT && tb != MMR_T_LIST_NUMBER) {
            err(c, &e->rhs->loc, "\"%s\" needs a list on the right, got %s", op, TN(tb));
            return MMR_T_ERROR;
        }
        int empty = e->rhs->kind == MMR_E_LIST && e->rhs->nitems == 0;
        if (ta == MMR_T_MISSING) {
            mmr_diag *g = err(c, &e->lhs->loc, "\"missing %s\" is always unknown", op);
            if (g) mmr_diag_set_hint(g, "use \"is missing\"");
            return MMR_T_ERROR;
        }
        if (!empty && !((ta == MMR_T_TEXT && tb == MMR_T_LIST_TEXT) || (ta == MMR_T_NUMBER && tb == MMR_T_LIST_NUMBER))) {
            err(c, &e->loc, "cannot look for %s in a %s", TN(ta), TN(tb));
            return MMR_T_ERROR;
        }
        if (empty && ta == MMR_T_NUMBER) e->rhs->type = MMR_T_LIST_NUMBER;
        return MMR_T_BOOL;
    }
    case MMR_E_BETWEEN: {
        ta = check_expr(c, e->lhs, sc);
        tb = check_expr(c, e->rhs, sc);
        tc = check_expr(c, e->third, sc);
        int bad = 0;
        mmr_expr *xs[3] = { e->lhs, e->rhs, e->third };
        mmr_type ts[3] = { ta, tb, tc };
        for (int i = 0; i < 3; i++) {
            if (ts[i] == MMR_T_ERROR) { bad = 1; continue; }
            if (ts[i] == MMR_T_MISSING) {
                mmr_diag *g = err(c, &xs[i]->loc, "\"between\" with missing is always unknown");
                if (g) mmr_diag_set_hint(g, "use \"is missing\"");
                bad = 1;
            } else if (ts[i] != MMR_T_NUMBER) {
                err(c, &xs[i]->loc, "\"between\" needs numbers, got %s", TN(ts[i]));
                bad = 1;
            }
        }
        return bad ? MMR_T_ERROR : MMR_T_BOOL;
    }
    case MMR_E_IS_MISSING:
        ta = check_expr(c, e->lhs, sc);
        return ta == MMR_T_ERROR ? MMR_T_ERROR : MMR_T_BOOL;
    case MMR_E_CALL:
        return check_call(c, e, sc);
    case MMR_E_INDEX:
        ta = check_expr(c, e->lhs, sc);
        tb = check_expr(c, e->rhs, sc);
        if (ta == MMR_T_ERROR || tb == MMR_T_ERROR) return MMR_T_ERROR;
        if (ta != MMR_T_MAP_NUMBER) {
            err(c, &e->lhs->loc, "only a map<number> can be indexed, got %s", TN(ta));
            return MMR_T_ERROR;
        }
        if (tb != MMR_T_TEXT) {
            err(c, &e->rhs->loc, "a map key must be text, got %s", TN(tb));
            return MMR_T_ERROR;
        }
        return MMR_T_NUMBER;
    case MMR_E_QUANT: {
        const char *q = mmr_op_text(e->op);
        ta = check_expr(c, e->lhs, sc);
        if (ta != MMR_T_ERROR && ta != MMR_T_MAP_NUMBER) {
            err(c, &e->lhs->loc, "\"%s\" goes over a map<number>, got %s", q, TN(ta));
            ta = MMR_T_ERROR;
        }
        scope inner = { e->text, e, sc };
        tb = check_expr(c, e->rhs, &inner);
        if (tb != MMR_T_ERROR && tb != MMR_T_BOOL) {
            err(c, &e->rhs->loc, "\"where\" needs a bool condition, got %s", TN(tb));
            tb = MMR_T_ERROR;
        }
        if (e->op == MMR_OP_EACH && e->third) {
            /* `rank by`: the order among the rule's keys */
            mmr_type tr = check_expr(c, e->third, &inner);
            if (tr != MMR_T_ERROR && tr != MMR_T_NUMBER && tr != MMR_T_MISSING) {
                mmr_diag *g = err(c, &e->third->loc, "\"rank by\" needs a number, got %s", TN(tr));
                if (g) mmr_diag_set_hint(g, "rank keys by an amount, e.g. rank by %s[%s]", e->lhs && e->lhs->text ? e->lhs->text : "MAP",
                                         e->text ? e->text : "K");
                tb = MMR_T_ERROR;
            } else if (tr == MMR_T_ERROR) tb = MMR_T_ERROR;
        }
        return ta == MMR_T_ERROR || tb == MMR_T_ERROR ? MMR_T_ERROR : MMR_T_BOOL;
    }
    }
    return MMR_T_ERROR;
}

static mmr_type check_expr(ck *c, mmr_expr *e, scope *sc)
{
    if (!e) return MMR_T_ERROR;
    e->is_const = 0;
    if (e->kind != MMR_E_NAME && e->kind != MMR_E_CALL) e->index = 0;
    if (e->kind == MMR_E_CALL) e->index = -1;
    mmr_type t = check_expr_inner(c, e, sc);
    e->type = t;
    fold(c, e);
    return t;
}

static mmr_type check_let(ck *c, size_t i)
{
    mmr_let *l = c->u->lets[i];
    if (c->let_state[i] == 2) return l->expr ? l->expr->type : MMR_T_ERROR;
    if (c->let_state[i] == 1) {
        mmr_buf b; mmr_buf_init(&b);
        size_t start = 0;
        for (size_t k = 0; k < c->nlet_stack; k++) if (c->let_stack[k] == i) { start = k; break; }
        for (size_t k = start; k < c->nlet_stack; k++) {
            mmr_buf_puts(&b, c->u->lets[c->let_stack[k]]->name);
            mmr_buf_puts(&b, " -> ");
        }
        mmr_buf_puts(&b, l->name);
        mmr_diag *g = err(c, &l->loc, "let cycle: %s", b.data ? b.data : l->name);
        if (g) mmr_diag_set_hint(g, "a let may not use itself, directly or through other lets");
        mmr_buf_free(&b);
        return MMR_T_ERROR;
    }
    if (c->nlet_stack >= MMR_MAX_LET_DEPTH) {
        /* keeps the checker's (and the VM's) call depth bounded */
        if (!c->let_depth_reported) {
            mmr_diag *g = err(c, &l->loc, "lets nest too deeply: %s is reached through more than %d other lets",
                              l->name, MMR_MAX_LET_DEPTH);
            if (g) mmr_diag_set_hint(g, "flatten the chain: a let can use the expression of another directly");
            c->let_depth_reported = 1;
        }
        c->let_state[i] = 2;
        if (l->expr) l->expr->type = MMR_T_ERROR;
        return MMR_T_ERROR;
    }
    c->let_state[i] = 1;
    c->let_stack[c->nlet_stack++] = i;
    int save_comp = c->in_computed;
    c->in_computed = 0;                /* a let is checked once, for every user of it */
    mmr_type t = check_expr(c, l->expr, NULL);
    c->in_computed = save_comp;
    c->nlet_stack--;
    c->let_state[i] = 2;
    if (l->expr) l->expr->type = t;
    return t;
}

/* ------------------------------------------------------- audience */

static const char *let_signal(ck *c, size_t i);

static const mmr_expr *find_signal_use(ck *c, const mmr_expr *e, const char **via_let)
{
    if (!e) return NULL;
    if (e->kind == MMR_E_NAME) {
        if (e->ref == MMR_REF_SIGNAL) return e;
        if (e->ref == MMR_REF_LET && e->index >= 0 && (size_t)e->index < c->u->nlets) {
            const char *s = let_signal(c, (size_t)e->index);
            if (s) { *via_let = s; return e; }
        }
        return NULL;
    }
    const mmr_expr *r;
    if ((r = find_signal_use(c, e->lhs, via_let))) return r;
    if ((r = find_signal_use(c, e->rhs, via_let))) return r;
    if ((r = find_signal_use(c, e->third, via_let))) return r;
    for (size_t i = 0; i < e->nitems; i++)
        if ((r = find_signal_use(c, e->items[i], via_let))) return r;
    return NULL;
}

static const char *let_signal(ck *c, size_t i)
{
    if (c->let_sig_state[i] == 2) return c->let_sig[i];
    if (c->let_sig_state[i] == 1) return NULL;
    c->let_sig_state[i] = 1;
    const char *via = NULL;
    const mmr_expr *use = find_signal_use(c, c->u->lets[i]->expr, &via);
    c->let_sig[i] = use ? (via ? via : use->text) : NULL;
    c->let_sig_state[i] = 2;
    return c->let_sig[i];
}

/* ------------------------------------------------------- templates */

static int category_known(ck *c, const char *cat)
{
    for (size_t i = 0; i < c->ncats; i++) if (!strcmp(c->cats[i], cat)) return 1;
    return 0;
}

static void bad_category(ck *c, const mmr_loc *l, const char *cat)
{
    mmr_buf b; mmr_buf_init(&b);
    for (size_t i = 0; i < c->ncats; i++) {
        if (i) mmr_buf_puts(&b, ", ");
        mmr_buf_puts(&b, c->cats[i]);
    }
    mmr_diag *g = err(c, l, "unknown category \"%s\": the policy's categories are %s", cat, b.data ? b.data : "");
    /* also a lint, so SARIF and `# mmr: allow` know it by one id */
    const mmr_lint_info *li = &mmr_lint_table[MMR_LINT_CATEGORY_NOT_IN_POLICY];
    mmr_diag_set_code(g, li->id, li->name);
    suggest s; hint_begin(c, &s, cat);
    for (size_t i = 0; i < c->ncats; i++) suggest_try(&s, c->cats[i]);
    if (s.best) hint_suggest(g, &s);
    else if (g) mmr_diag_set_hint(g, "add it to the policy's categories list");
    mmr_buf_free(&b);
}

static void check_template_text(ck *c, const mmr_template *t, const char *s, const mmr_loc *l, const char *what)
{
    size_t len = strlen(s), pos = 0;
    for (;;) {
        mmr_seg g = mmr_template_next(s, len, &pos);
        if (g.kind == MMR_SEG_END) break;
        if (g.kind == MMR_SEG_ERROR) {
            err(c, l, "bad %s of template %s: %s", what, t->id, g.error ? g.error : "bad placeholder");
            break;
        }
        if (g.kind == MMR_SEG_PLACEHOLDER && !mmr_placeholder_format_ok(g.fmt, g.fmt_len)) {
            mmr_diag *d = err(c, l, "unknown format \"%.*s\" in placeholder {%.*s:%.*s} of template %s",
                              (int)g.fmt_len, g.fmt, (int)g.name_len, g.name, (int)g.fmt_len, g.fmt, t->id);
            if (d) mmr_diag_set_hint(d, "the formats are money, money2, pct, int and number");
        }
    }
}

/* ------------------------------------------------------- derived signals */

/* In a filter a name is a field of the source, else a constant let. */
static mmr_type check_field_name(ck *c, mmr_expr *e)
{
    const mmr_source *src = &mmr_sources[c->src];
    int f = mmr_source_field_find(c->src, e->text);
    if (f >= 0) {
        e->ref = MMR_REF_FIELD;
        e->index = f;
        return (mmr_type)src->fields[f].type;
    }
    int v = map_get(&c->vars, e->text);
    if (v >= 0 && VKIND(v) == V_LET) {
        int save = c->src;
        c->src = -1;                      /* the let itself is checked as usual */
        mmr_type t = check_let(c, (size_t)VIDX(v));
        c->src = save;
        mmr_let *l = c->u->lets[VIDX(v)];
        if (t != MMR_T_ERROR && !(l->expr && (l->expr->is_const || l->expr->kind == MMR_E_LIST))) {
            mmr_diag *g = err(c, &e->loc, "a filter may use let \"%s\" only if it is a constant; it reads signals or traits", e->text);
            if (g) mmr_diag_set_hint(g, "a filter sees one %s at a time: its fields and constants", src->name);
            return MMR_T_ERROR;
        }
        e->ref = MMR_REF_LET;
        e->index = VIDX(v);
        return t;
    }
    suggest s;
    hint_begin(c, &s, e->text);
    for (size_t i = 0; i < src->nfields; i++) suggest_try(&s, src->fields[i].name);
    mmr_buf b; mmr_buf_init(&b);
    for (size_t i = 0; i < src->nfields; i++) mmr_buf_printf(&b, "%s%s", i ? ", " : "", src->fields[i].name);
    mmr_diag *g = v >= 0
        ? err(c, &e->loc, "a filter reads one %s at a time: \"%s\" is a %s, not a field of %s",
              src->name, e->text, var_kind_name(VKIND(v)), src->name)
        : err(c, &e->loc, "unknown field \"%s\" of %s", e->text ? e->text : "", src->name);
    if (g && s.best) hint_suggest(g, &s);
    else if (g) mmr_diag_set_hint(g, "the fields of %s are %s", src->name, b.data ? b.data : "");
    mmr_buf_free(&b);
    return MMR_T_ERROR;
}

static const char agg_help[] =
    "write count, sum FIELD, avg FIELD, min FIELD, max FIELD, stddev FIELD, count distinct FIELD, "
    "first FIELD, last FIELD, or avg|min|max|stddev daily|weekly sum FIELD|count";

static mmr_agg agg_word(const char *w)
{
    static const char *const names[] = { NULL, "count", "sum", "avg", "min", "max", "stddev", NULL, "first", "last" };
    for (int i = 1; i < (int)(sizeof names / sizeof *names); i++)
        if (names[i] && !strcmp(names[i], w)) return (mmr_agg)i;
    return MMR_AGG_NONE;
}

/* The field named by words[i] (the last word), or -1 after an error. */
static int agg_field(ck *c, mmr_derived *x, size_t i, mmr_agg agg)
{
    if (i + 1 != x->nwords) {
        mmr_diag *g = err(c, i < x->nwords ? &x->word_locs[i + 1] : &x->word_locs[x->nwords - 1],
                          i < x->nwords ? "unexpected \"%s\" in the aggregate" : "the aggregate needs a field after \"%s\"",
                          i < x->nwords ? x->words[i + (i + 1 < x->nwords)] : x->words[x->nwords - 1]);
        if (g) mmr_diag_set_hint(g, "%s", agg_help);
        return -1;
    }
    int f = mmr_source_field_find(x->source_id, x->words[i]);
    const mmr_source *src = &mmr_sources[x->source_id];
    if (f < 0) {
        suggest s;
        hint_begin(c, &s, x->words[i]);
        for (size_t k = 0; k < src->nfields; k++) suggest_try(&s, src->fields[k].name);
        mmr_diag *g = err(c, &x->word_locs[i], "unknown field \"%s\" of %s", x->words[i], src->name);
        hint_suggest(g, &s);
        return -1;
    }
    int numeric = agg == MMR_AGG_SUM || agg == MMR_AGG_AVG || agg == MMR_AGG_MIN ||
                  agg == MMR_AGG_MAX || agg == MMR_AGG_STDDEV;
    if (numeric && src->fields[f].type != MMR_T_NUMBER) {
        err(c, &x->word_locs[i], "%s needs a number field; %s is %s",
            x->words[0], src->fields[f].name, TN((mmr_type)src->fields[f].type));
        return -1;
    }
    return f;
}

/* The aggregate words: the kind, the field, and for bucketed ones the
 * per-bucket inner aggregate. 0, or -1 after an error. */
static int resolve_agg(ck *c, mmr_derived *x)
{
    const char *w0 = x->words[0];
    mmr_agg a = agg_word(w0);
    if (a == MMR_AGG_NONE) {
        mmr_diag *g = err(c, &x->word_locs[0], "unknown aggregate \"%s\"", w0);
        if (g) mmr_diag_set_hint(g, "%s", agg_help);
        return -1;
    }
    if (a == MMR_AGG_COUNT) {
        if (x->nwords == 1) { x->agg = a; return 0; }
        if (!strcmp(x->words[1], "distinct")) {
            x->agg = MMR_AGG_DISTINCT;
            if (x->nwords == 2) {
                mmr_diag *g = err(c, &x->word_locs[1], "count distinct needs a field: count distinct merchant");
                (void)g;
                return -1;
            }
            x->field = agg_field(c, x, 2, MMR_AGG_DISTINCT);
            return x->field < 0 ? -1 : 0;
        }
        mmr_diag *g = err(c, &x->word_locs[1], "count takes no field; write \"count of %s\" or \"count distinct %s of %s\"",
                          x->source, x->words[1], x->source);
        (void)g;
        return -1;
    }
    if (x->nwords >= 2 && (!strcmp(x->words[1], "daily") || !strcmp(x->words[1], "weekly"))) {
        if (a != MMR_AGG_AVG && a != MMR_AGG_MIN && a != MMR_AGG_MAX && a != MMR_AGG_STDDEV) {
            mmr_diag *g = err(c, &x->word_locs[0], "\"%s %s\" is not an aggregate", w0, x->words[1]);
            if (g) mmr_diag_set_hint(g, "per-day or per-week buckets take avg, min, max or stddev of their sum or count");
            return -1;
        }
        x->agg = a;
        x->bucket_days = !strcmp(x->words[1], "daily") ? 1 : 7;
        mmr_agg in = x->nwords >= 3 ? agg_word(x->words[2]) : MMR_AGG_NONE;
        if (in != MMR_AGG_COUNT && in != MMR_AGG_SUM) {
            mmr_diag *g = err(c, x->nwords >= 3 ? &x->word_locs[2] : &x->word_locs[1],
                              "a %s bucket is a count or a sum FIELD", x->words[1]);
            (void)g;
            return -1;
        }
        x->inner = in;
        if (in == MMR_AGG_COUNT) {
            if (x->nwords != 3) { err(c, &x->word_locs[3], "count takes no field"); return -1; }
            return 0;
        }
        x->field = agg_field(c, x, 3, MMR_AGG_SUM);
        return x->field < 0 ? -1 : 0;
    }
    if (x->nwords == 1) {
        mmr_diag *g = err(c, &x->word_locs[0], "%s needs a field: %s amount of %s", w0, w0, x->source);
        (void)g;
        return -1;
    }
    x->agg = a;
    x->field = agg_field(c, x, 1, a);
    return x->field < 0 ? -1 : 0;
}

static int resolve_window(ck *c, mmr_derived *x)
{
    const char *w = x->win_word, *a = x->win_arg ? x->win_arg : "";
    int rolling = !strcmp(w, "last") || !strcmp(w, "previous");
    if (rolling && x->win_arg && x->win_secs == 0 && x->win_arg[0] >= '0' && x->win_arg[0] <= '9') {
        mmr_diag *g = err(c, &x->window_loc, "a window is at least one day, got %s", x->win_arg);
        if (g) mmr_diag_set_hint(g, "write it like 7d, 30d or 4w");
        return -1;
    }
    if (rolling && x->win_secs > 0) {
        if (x->win_secs % MMR_DAY_SECS) {
            mmr_diag *g = err(c, &x->window_loc, "a window is whole days or weeks, got %s", a);
            if (g) mmr_diag_set_hint(g, "write it like 7d, 30d or 4w");
            return -1;
        }
        x->window = !strcmp(w, "last") ? MMR_WIN_LAST : MMR_WIN_PREVIOUS;
        int64_t days = x->win_secs / MMR_DAY_SECS;
        x->window_days = days > 100000 ? 100000 : (int)days;
    } else if ((!strcmp(w, "this") || !strcmp(w, "previous")) && (!strcmp(a, "week") || !strcmp(a, "month"))) {
        int week = !strcmp(a, "week");
        x->window = !strcmp(w, "this") ? (week ? MMR_WIN_THIS_WEEK : MMR_WIN_THIS_MONTH)
                                       : (week ? MMR_WIN_PREV_WEEK : MMR_WIN_PREV_MONTH);
    } else {
        mmr_diag *g = err(c, &x->window_loc, "unknown window \"%s %s\"", w, a);
        if (g) mmr_diag_set_hint(g, "write last 7d, previous 7d, this week, previous week, this month or previous month");
        return -1;
    }
    if (x->bucket_days) {
        int rolling_ok = (x->window == MMR_WIN_LAST || x->window == MMR_WIN_PREVIOUS) &&
                         x->window_days % x->bucket_days == 0;
        int cal_ok = x->bucket_days == 1 || x->window == MMR_WIN_THIS_WEEK || x->window == MMR_WIN_PREV_WEEK;
        if (!rolling_ok && !(x->bucket_days == 1 && cal_ok) &&
            !(x->bucket_days == 7 && (x->window == MMR_WIN_PREV_WEEK || x->window == MMR_WIN_THIS_WEEK))) {
            mmr_diag *g = err(c, &x->window_loc, "weekly buckets need a window of whole weeks, got %s %s", w, a);
            if (g) mmr_diag_set_hint(g, "write last 8w or previous 4w");
            return -1;
        }
    }
    const mmr_policy *pol = c->u->policy;
    int64_t keep = pol && pol->retention_s >= MMR_DAY_SECS && pol->retention_s % MMR_DAY_SECS == 0
                 ? pol->retention_s / MMR_DAY_SECS : MMR_RETENTION_DAYS;   /* a bad one is reported once */
    if (mmr_window_reach(x) > keep) {
        mmr_diag *g = err(c, &x->window_loc, "the window \"%s %s\" reaches back %d days, past the retention of %lld day%s",
                          w, a, mmr_window_reach(x), (long long)keep, keep == 1 ? "" : "s");
        if (g) mmr_diag_set_hint(g, "shorten the window, or keep more history with the policy's retention (e.g. retention 180d)");
        return -1;
    }
    return 0;
}

static mmr_type aggregate_type(const mmr_derived *x)
{
    if (x->by_field >= 0) return MMR_T_MAP_NUMBER;
    if (x->agg == MMR_AGG_FIRST || x->agg == MMR_AGG_LAST)
        return (mmr_type)mmr_sources[x->source_id].fields[x->field].type;
    return MMR_T_NUMBER;
}

static mmr_type check_aggregate(ck *c, mmr_var_decl *v)
{
    mmr_derived *x = v->def;
    int bad = 0;
    x->source_id = mmr_source_find(x->source);
    if (x->source_id < 0) {
        mmr_diag *g = err(c, &x->source_loc, "unknown source \"%s\"", x->source);
        if (g) mmr_diag_set_hint(g, "the sources are transaction, budget and goal");
        return MMR_T_ERROR;
    }
    if (resolve_agg(c, x)) bad = 1;
    if (x->by) {
        x->by_field = mmr_source_field_find(x->source_id, x->by);
        if (x->by_field < 0) {
            suggest s;
            hint_begin(c, &s, x->by);
            for (size_t k = 0; k < mmr_sources[x->source_id].nfields; k++) suggest_try(&s, mmr_sources[x->source_id].fields[k].name);
            mmr_diag *g = err(c, &x->by_loc, "unknown field \"%s\" of %s", x->by, x->source);
            hint_suggest(g, &s);
            bad = 1;
        } else if (!bad && (x->agg == MMR_AGG_FIRST || x->agg == MMR_AGG_LAST || x->bucket_days)) {
            if (x->bucket_days) err(c, &x->by_loc, "\"by\" does not group daily or weekly buckets");
            else err(c, &x->by_loc, "\"by\" groups count, sum, avg, min, max, stddev and count distinct; not %s", x->words[0]);
            bad = 1;
        }
    }
    if (x->where) {
        int save = c->src;
        c->src = x->source_id;
        mmr_type t = check_expr(c, x->where, NULL);
        c->src = save;
        if (t != MMR_T_ERROR && t != MMR_T_BOOL) {
            err(c, &x->where->loc, "a filter must be a condition (bool), got %s", TN(t));
            bad = 1;
        }
    }
    if (mmr_sources[x->source_id].windowed && !x->win_word) {
        mmr_diag *g = err(c, &x->loc, "an aggregate of %s needs a window", x->source);
        if (g) mmr_diag_set_hint(g, "end it with over last 7d, previous 7d, this week, previous week, this month or previous month");
        bad = 1;
    } else if (!mmr_sources[x->source_id].windowed && x->win_word) {
        mmr_diag *g = err(c, &x->window_loc, "%s rows are the user's current ones: an aggregate of them has no window", x->source);
        if (g) mmr_diag_set_hint(g, "remove \"over %s %s\"", x->win_word, x->win_arg ? x->win_arg : "");
        bad = 1;
    } else if (!mmr_sources[x->source_id].windowed && x->bucket_days) {
        err(c, &x->loc, "daily and weekly buckets are for transactions, not %s rows", x->source);
        bad = 1;
    } else if (x->win_word && resolve_window(c, x)) bad = 1;
    return bad ? MMR_T_ERROR : aggregate_type(x);
}

/* Type of derived signal i, resolving computed signals through the others
 * they read (a cycle is an error naming its chain). */
static mmr_type check_derived(ck *c, size_t i)
{
    mmr_var_decl *v = c->u->signals[i];
    if (!v->def || !c->sig_state) return v->type;
    if (c->sig_state[i] == 2) return v->type;
    if (c->sig_state[i] == 1) {
        mmr_buf b; mmr_buf_init(&b);
        size_t start = 0;
        for (size_t k = 0; k < c->nsig_stack; k++) if (c->sig_stack[k] == i) { start = k; break; }
        for (size_t k = start; k < c->nsig_stack; k++)
            mmr_buf_printf(&b, "%s -> ", c->u->signals[c->sig_stack[k]]->name);
        mmr_buf_puts(&b, v->name);
        mmr_diag *g = err(c, &v->loc, "signal cycle: %s", b.data ? b.data : v->name);
        if (g) mmr_diag_set_hint(g, "a computed signal may not read itself, directly or through other signals");
        mmr_buf_free(&b);
        return MMR_T_ERROR;
    }
    if (c->nsig_stack >= MMR_MAX_LET_DEPTH) {
        err(c, &v->loc, "signals nest too deeply: %s is reached through more than %d other signals",
            v->name, MMR_MAX_LET_DEPTH);
        c->sig_state[i] = 2;
        v->type = MMR_T_ERROR;
        return MMR_T_ERROR;
    }
    c->sig_state[i] = 1;
    c->sig_stack[c->nsig_stack++] = i;
    int save = c->src;
    c->src = -1;
    mmr_type t;
    if (v->def->expr) {
        int save_comp = c->in_computed;
        c->in_computed = 1;
        t = check_expr(c, v->def->expr, NULL);
        c->in_computed = save_comp;
        if (t == MMR_T_MISSING) {
            err(c, &v->def->expr->loc, "signal %s is always missing", v->name);
            t = MMR_T_ERROR;
        }
    } else {
        int save_comp = c->in_computed;
        c->in_computed = 0;
        t = check_aggregate(c, v);
        c->in_computed = save_comp;
    }
    c->src = save;
    c->nsig_stack--;
    c->sig_state[i] = 2;
    if (t != MMR_T_ERROR && v->overrides && v->overrides->type != t) {
        mmr_diag *g = err(c, &v->loc, "signal %s is declared %s at %s; this definition gives %s",
                          v->name, TN(v->overrides->type), where(c, &v->overrides->loc), TN(t));
        (void)g;
        t = MMR_T_ERROR;
    }
    v->type = t;
    return t;
}

static void check_templates(ck *c)
{
    for (size_t i = 0; i < c->u->ntemplates; i++) {
        mmr_template *t = c->u->templates[i];
        if (!t->title) err(c, &t->loc, "template %s has no title", t->id);
        else check_template_text(c, t, t->title, &t->title_loc, "title");
        if (!t->body) err(c, &t->loc, "template %s has no body", t->id);
        else check_template_text(c, t, t->body, &t->body_loc, "body");
        if (t->category && !category_known(c, t->category)) bad_category(c, &t->category_loc, t->category);
        mmr_tpl_arg tmp[1];
        long n = mmr_template_args(t, tmp, 0);
        if (n > 255) err(c, &t->loc, "template %s has %ld placeholders; at most 255 are allowed", t->id, n);
    }
}

/* ------------------------------------------------------------ rules */

static int name_eq(const char *s, const char *p, size_t n) { return strlen(s) == n && !memcmp(s, p, n); }

/* Quantifiers of `any` that `when` needs to be true (reached through `and`). */
static void collect_any(ck *c, mmr_expr *e, scope *arr, size_t *n, size_t max)
{
    if (!e) return;
    if (e->kind == MMR_E_BINARY && e->op == MMR_OP_AND) {
        collect_any(c, e->lhs, arr, n, max);
        collect_any(c, e->rhs, arr, n, max);
    } else if (e->kind == MMR_E_QUANT && (e->op == MMR_OP_ANY || e->op == MMR_OP_EACH) && e->text) {
        for (size_t i = 0; i < *n; i++) {
            if (!strcmp(arr[i].name, e->text)) {
                mmr_diag *g = err(c, &e->loc, "\"%s\" is bound twice in this rule's when (first at %s)",
                                  e->text, where(c, &arr[i].quant->loc));
                if (g) mmr_diag_set_hint(g, "give each quantifier its own variable name");
                return;
            }
        }
        if (*n < max) { arr[*n].name = e->text; arr[*n].quant = e; arr[*n].up = NULL; (*n)++; }
        /* a per-key rule fires for a key whose `where` is true: the
         * `any`s that `where` needs bind too */
        if (e->op == MMR_OP_EACH) collect_any(c, e->rhs, arr, n, max);
    }
}

static void check_cond(ck *c, mmr_expr *e, const char *what, const mmr_loc *l)
{
    mmr_type t = check_expr(c, e, NULL);
    if (t != MMR_T_ERROR && t != MMR_T_BOOL) {
        mmr_diag *g = err(c, &e->loc, "\"%s\" must be a bool condition, got %s", what, TN(t));
        if (g && t == MMR_T_NUMBER) {
            mmr_buf b; mmr_buf_init(&b);
            print_expr_buf(&b, e);
            mmr_diag_set_hint(g, "compare it, e.g. %s > 0", b.data ? b.data : "x");
            mmr_buf_free(&b);
        }
        e->type = MMR_T_ERROR;
    }
    (void)l;
}

static void check_rule(ck *c, mmr_rule *r)
{
    r->template_index = -1;
    if (!r->has_priority) {
        mmr_diag *g = err(c, &r->loc, "rule %s has no priority", r->name);
        if (g) mmr_diag_set_hint(g, "add \"priority 50\": a whole number from 0 to 1000, higher wins");
    } else if (!(r->priority >= 0 && r->priority <= 1000) || r->priority != floor(r->priority)) {
        mmr_buf b; mmr_buf_init(&b); mmr_buf_number(&b, r->priority);
        err(c, &r->priority_loc, "priority must be a whole number from 0 to 1000, got %s", b.data ? b.data : "?");
        mmr_buf_free(&b);
    }
    if (r->cooldown_s < 0) err(c, &r->cooldown_loc, "cooldown cannot be negative");
    if (!r->when) {
        mmr_diag *g = err(c, &r->loc, "rule %s has no \"when\" condition", r->name);
        if (g) mmr_diag_set_hint(g, "add \"when CONDITION\": the rule fires only when it is true");
    } else {
        if (MMR_RULE_PER_KEY(r) && r->when->text) {
            /* the key's name must not hide a signal, trait or let the
             * rule might mean */
            int v = map_get(&c->vars, r->when->text);
            if (v >= 0) {
                mmr_diag *g = err(c, &r->each_var_loc, "\"for each %s\" hides the %s %s", r->when->text,
                                  VKIND(v) == V_SIGNAL ? "signal" : VKIND(v) == V_TRAIT ? "trait" : "let", r->when->text);
                if (g) mmr_diag_set_hint(g, "name the key something else, e.g. for each %s_key in ...", r->when->text);
            }
        }
        check_cond(c, r->when, MMR_RULE_PER_KEY(r) ? "for each" : "when", &r->when_loc);
    }
    if (r->audience) {
        check_cond(c, r->audience, "audience", &r->audience_loc);
        if (r->audience->type != MMR_T_ERROR) {
            const char *via = NULL;
            const mmr_expr *use = find_signal_use(c, r->audience, &via);
            if (use) {
                mmr_diag *g;
                if (via)
                    g = err(c, &use->loc, "audience can only use traits: let \"%s\" reads signal \"%s\"", use->text, via);
                else
                    g = err(c, &use->loc, "audience can only use traits: \"%s\" is a signal", use->text);
                if (g) mmr_diag_set_hint(g, "move conditions on signals to \"when\"");
            }
        }
    }
    /* category */
    if (r->category && !category_known(c, r->category)) bad_category(c, &r->category_loc, r->category);
    /* message */
    mmr_template *t = NULL;
    if (!r->message) {
        mmr_diag *g = err(c, &r->loc, "rule %s has no \"message\"", r->name);
        if (g) mmr_diag_set_hint(g, "add \"message TEMPLATE_ID\" naming the template to send");
    } else {
        int ti = map_get(&c->templates, r->message);
        if (ti < 0) {
            suggest s; hint_begin(c, &s, r->message);
            for (size_t i = 0; i < c->u->ntemplates; i++) suggest_try(&s, c->u->templates[i]->id);
            mmr_diag *g = err(c, &r->message_loc, "unknown template \"%s\"", r->message);
            if (s.best) hint_suggest(g, &s);
        } else {
            r->template_index = ti;
            t = c->u->templates[ti];
        }
    }
    if (t) {
        if (r->category && t->category && strcmp(r->category, t->category) && category_known(c, r->category)) {
            mmr_diag *g = err(c, &r->category_loc, "rule %s has category %s but its template %s has category %s",
                              r->name, r->category, t->id, t->category);
            if (g) mmr_diag_set_hint(g, "use one category, or drop the rule's and let the template's apply");
        }
        if (!r->category && !t->category) {
            mmr_diag *g = err(c, &r->loc, "rule %s has no category and its template %s has none", r->name, t->id);
            if (g) mmr_diag_set_hint(g, "add \"category dining\" (or another of the policy's categories) to the rule or the template");
        }
    } else if (!r->category && r->message == NULL) {
        /* already reported the missing message */
    }
    /* with bindings: scope has the keys bound by `any` in when */
    scope anys[32];
    size_t nany = 0;
    /* (a per-key rule's key is bound even when its condition has errors,
     * so `with` adds no second message) */
    if (r->when && (r->when->type != MMR_T_ERROR || MMR_RULE_PER_KEY(r))) collect_any(c, r->when, anys, &nany, 32);
    for (size_t i = 0; i + 1 < nany; i++) anys[i].up = &anys[i + 1];
    scope *sc = nany ? &anys[0] : NULL;
    for (size_t i = 0; i < r->nwith; i++) {
        mmr_binding *w = &r->with[i];
        for (size_t j = 0; j < i; j++) {
            if (!strcmp(r->with[j].name, w->name)) {
                err(c, &w->loc, "\"with\" binds %s twice (first at %s)", w->name, where(c, &r->with[j].loc));
                break;
            }
        }
        c->rule_when = r->when;
        mmr_type wt = check_expr(c, w->expr, sc);
        c->rule_when = NULL;
        if (wt == MMR_T_MISSING) warn(c, &w->loc, "%s is always missing: the nudge will never be sent", w->name);
    }
    if (!t) return;
    /* placeholders */
    mmr_tpl_arg args[256];
    long na = mmr_template_args(t, args, 256);
    if (na < 0) na = 0;
    if (na > 256) na = 256;
    for (long k = 0; k < na; k++) {
        const mmr_tpl_arg *a = &args[k];
        mmr_type vt = MMR_T_ERROR;
        const char *vname = NULL;
        int found = 0;
        for (size_t i = 0; i < r->nwith; i++) {
            if (name_eq(r->with[i].name, a->name, a->name_len)) {
                found = 1; vt = r->with[i].expr ? r->with[i].expr->type : MMR_T_ERROR; vname = r->with[i].name; break;
            }
        }
        if (!found) {
            char *nm = mmr_arena_strndup(&c->u->arena, a->name, a->name_len);
            int v = nm ? map_get(&c->vars, nm) : -1;
            if (v >= 0 && VKIND(v) != V_LET) {
                found = 1;
                vname = var_name(c, v);
                vt = VKIND(v) == V_SIGNAL ? c->u->signals[VIDX(v)]->type : c->u->traits[VIDX(v)]->type;
            } else {
                mmr_diag *g = err(c, &r->message_loc,
                                  "placeholder {%.*s} of template %s is not filled by rule %s: add it to \"with\" or declare a signal or trait named %.*s",
                                  (int)a->name_len, a->name, t->id, r->name, (int)a->name_len, a->name);
                if (g && v >= 0) mmr_diag_set_hint(g, "%s is a let: bind it with { %s = %s }", nm, nm, nm);
                else if (g) {
                    suggest s; hint_begin(c, &s, nm);
                    for (size_t i = 0; i < r->nwith; i++) suggest_try(&s, r->with[i].name);
                    if (s.best) mmr_diag_set_hint(g, "\"with\" binds %s: did you mean to name it %s?", s.best, nm);
                }
                continue;
            }
        }
        if (vt == MMR_T_ERROR || vt == MMR_T_MISSING) continue;
        if (a->fmt_len && vt != MMR_T_NUMBER) {
            err(c, &r->message_loc, "placeholder {%.*s:%.*s} of template %s needs a number, but %s is %s",
                (int)a->name_len, a->name, (int)a->fmt_len, a->fmt, t->id, vname, TN(vt));
        } else if (vt == MMR_T_LIST_TEXT || vt == MMR_T_LIST_NUMBER || vt == MMR_T_MAP_NUMBER) {
            err(c, &r->message_loc, "placeholder {%.*s} of template %s cannot show %s, a %s",
                (int)a->name_len, a->name, t->id, vname, TN(vt));
        }
    }
    for (size_t i = 0; i < r->nwith; i++) {
        int used = 0;
        for (long k = 0; k < na; k++)
            if (name_eq(r->with[i].name, args[k].name, args[k].name_len)) { used = 1; break; }
        if (!used) {
            mmr_diag *g = warn(c, &r->with[i].loc, "\"with\" binds %s, which template %s does not use", r->with[i].name, t->id);
            if (g) mmr_diag_set_hint(g, "remove the binding or add {%s} to the template", r->with[i].name);
        }
    }
}

/* ------------------------------------------------------------ policy */

static void check_policy(ck *c)
{
    mmr_policy *p = c->u->policy;
    c->cats = mmr_default_categories;
    c->ncats = mmr_ndefault_categories;
    if (!p) return;
    if (p->categories) {
        if (p->ncategories == 0) err(c, &p->categories_loc, "the policy's categories list is empty");
        for (size_t i = 0; i < p->ncategories; i++)
            for (size_t j = 0; j < i; j++)
                if (!strcmp(p->categories[i], p->categories[j])) {
                    err(c, &p->categories_loc, "category %s is listed twice", p->categories[i]);
                    break;
                }
        if (p->ncategories) { c->cats = p->categories; c->ncats = p->ncategories; }
    }
    if (p->has_max) {
        if (p->max_nudges < 1) {
            mmr_diag *g = err(c, &p->max_loc, "max_nudges must be at least 1, got %d", p->max_nudges);
            if (g) mmr_diag_set_hint(g, "to send nothing, mute the categories instead");
        }
        if (p->window_s <= 0) err(c, &p->max_loc, "the max_nudges window must be longer than 0");
    }
    if (p->has_quiet) {
        int s = p->quiet_start_min, e = p->quiet_end_min;
        if (s < 0 || s > 23 * 60 + 59 || e < 0 || e > 23 * 60 + 59) {
            int bad = (s < 0 || s > 23 * 60 + 59) ? s : e;
            mmr_diag *g = err(c, &p->quiet_loc, "quiet hours must be times from 00:00 to 23:59, got %02d:%02d",
                              bad / 60, bad % 60 < 0 ? -(bad % 60) : bad % 60);
            if (g) mmr_diag_set_hint(g, "write them like 22:00 - 08:00");
        } else if (s == e) {
            warn(c, &p->quiet_loc, "quiet hours start and end at the same time: there are none");
        }
    }
    if (p->retention_src && (p->retention_s < MMR_DAY_SECS || p->retention_s % MMR_DAY_SECS)) {
        mmr_diag *g = err(c, &p->retention_loc, "retention is whole days, at least 1d, got %s", p->retention_src);
        if (g) mmr_diag_set_hint(g, "write it like 90d or 26w");
    }
    if (p->timezone) {
        const char *z = p->timezone;
        if (!mmr_timezone_name_ok(z)) {   /* vm/verify.c: the verifier checks the same */
            mmr_diag *g = err(c, &p->timezone_loc, "\"%s\" is not a time zone name", z);
            if (g) mmr_diag_set_hint(g, "use an IANA name such as \"Asia/Kolkata\" or \"UTC\"");
        }
    }
    if (p->currency && !mmr_currency_find(p->currency))
        err(c, &p->currency_loc, "\"%s\" is not a currency mmr knows; the known codes are %s",
            p->currency, mmr_currency_codes());
}

/* ------------------------------------------------------------- tests */

static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++) if (!isdigit((unsigned char)s[i])) return 0;
    return 1;
}

static int num_at(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) v = v * 10 + (s[i] - '0');
    return v;
}

/* YYYY-MM-DDTHH:MM[:SS[.fff]](Z|+HH:MM|-HH:MM) */
static int iso8601_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 17 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2)) return 0;
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return 0;
    if (!digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2)) return 0;
    int y = num_at(s, 4), mo = num_at(s + 5, 2), d = num_at(s + 8, 2), h = num_at(s + 11, 2), mi = num_at(s + 14, 2);
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59) return 0;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 0;
    const char *p = s + 16;
    if (*p == ':') {
        if (!digits(p + 1, 2) || num_at(p + 1, 2) > 60) return 0;
        p += 3;
        if (*p == '.') { p++; if (!isdigit((unsigned char)*p)) return 0; while (isdigit((unsigned char)*p)) p++; }
    }
    if ((*p == 'Z' || *p == 'z') && p[1] == 0) return 1;
    if ((*p == '+' || *p == '-') && digits(p + 1, 2) && p[3] == ':' && digits(p + 4, 2) && p[6] == 0)
        return num_at(p + 1, 2) <= 23 && num_at(p + 4, 2) <= 59;
    return 0;
}

static int literal_ok(const mmr_expr *e)
{
    if (!e) return 0;
    switch (e->kind) {
    case MMR_E_NUMBER: case MMR_E_TEXT: case MMR_E_BOOL: case MMR_E_MISSING: return 1;
    case MMR_E_UNARY: return e->op == MMR_OP_NEG && e->lhs && e->lhs->kind == MMR_E_NUMBER;
    case MMR_E_LIST:
        for (size_t i = 0; i < e->nitems; i++) if (!literal_ok(e->items[i])) return 0;
        return 1;
    case MMR_E_MAP:
        for (size_t i = 0; i < e->nitems; i++)
            if (!literal_ok(e->items[i]) || e->items[i]->kind == MMR_E_LIST || e->items[i]->kind == MMR_E_MAP) return 0;
        return 1;
    default: return 0;
    }
}

static mmr_type literal_type(ck *c, mmr_expr *e)
{
    switch (e->kind) {
    case MMR_E_NUMBER: e->type = MMR_T_NUMBER; e->is_const = 1; return e->type;
    case MMR_E_TEXT: e->type = MMR_T_TEXT; e->is_const = 1; return e->type;
    case MMR_E_BOOL: e->type = MMR_T_BOOL; e->is_const = 1; return e->type;
    case MMR_E_MISSING: e->type = MMR_T_MISSING; return e->type;
    case MMR_E_UNARY:
        literal_type(c, e->lhs);
        e->type = MMR_T_NUMBER; e->num = -e->lhs->num; e->is_const = 1;
        return e->type;
    case MMR_E_LIST: {
        mmr_type et = MMR_T_ERROR;
        for (size_t i = 0; i < e->nitems; i++) {
            mmr_type t = literal_type(c, e->items[i]);
            if (t != MMR_T_TEXT && t != MMR_T_NUMBER) {
                err(c, &e->items[i]->loc, "a list holds text or numbers, got %s", TN(t));
                return e->type = MMR_T_ERROR;
            }
            if (et == MMR_T_ERROR) et = t;
            else if (et != t) {
                err(c, &e->items[i]->loc, "a list holds one type: this item is %s, the first is %s", TN(t), TN(et));
                return e->type = MMR_T_ERROR;
            }
        }
        return e->type = (et == MMR_T_NUMBER ? MMR_T_LIST_NUMBER : MMR_T_LIST_TEXT);
    }
    case MMR_E_MAP:
        for (size_t i = 0; i < e->nitems; i++) {
            mmr_type t = literal_type(c, e->items[i]);
            if (t != MMR_T_NUMBER && t != MMR_T_MISSING) {
                err(c, &e->items[i]->loc, "map values are numbers, got %s", TN(t));
                return e->type = MMR_T_ERROR;
            }
            for (size_t j = 0; j < i; j++) {
                if (e->keys && e->keys[i] && e->keys[j] && e->keys[i]->text && e->keys[j]->text &&
                    e->keys[i]->text_len == e->keys[j]->text_len &&
                    !memcmp(e->keys[i]->text, e->keys[j]->text, e->keys[i]->text_len)) {
                    err(c, &e->keys[i]->loc, "key \"%s\" appears twice in this map", e->keys[i]->text);
                    return e->type = MMR_T_ERROR;
                }
            }
        }
        return e->type = MMR_T_MAP_NUMBER;
    default:
        return e->type = MMR_T_ERROR;
    }
}

static void check_values(ck *c, mmr_binding *v, size_t n, int traits)
{
    const char *want = traits ? "trait" : "signal";
    for (size_t i = 0; i < n; i++) {
        mmr_binding *b = &v[i];
        for (size_t j = 0; j < i; j++) {
            if (!strcmp(v[j].name, b->name)) {
                err(c, &b->loc, "%s %s is given twice (first at %s)", want, b->name, where(c, &v[j].loc));
                break;
            }
        }
        int var = map_get(&c->vars, b->name);
        mmr_type decl;
        if (var < 0 || VKIND(var) == V_LET) {
            suggest s; hint_begin(c, &s, b->name);
            if (traits) for (size_t k = 0; k < c->u->ntraits; k++) suggest_try(&s, c->u->traits[k]->name);
            else for (size_t k = 0; k < c->u->nsignals; k++) suggest_try(&s, c->u->signals[k]->name);
            mmr_diag *g = err(c, &b->loc, var >= 0 ? "%s is a let, not a %s: tests give %ss" : "unknown %s \"%s\"",
                              var >= 0 ? b->name : want, var >= 0 ? want : b->name, want);
            if (var < 0) hint_suggest(g, &s);
            continue;
        }
        if (traits && VKIND(var) == V_SIGNAL) {
            mmr_diag *g = err(c, &b->loc, "%s is a signal, not a trait", b->name);
            if (g) mmr_diag_set_hint(g, "put it in \"given\"");
            continue;
        }
        if (!traits && VKIND(var) == V_TRAIT) {
            mmr_diag *g = err(c, &b->loc, "%s is a trait, not a signal", b->name);
            if (g) mmr_diag_set_hint(g, "put it in \"traits\"");
            continue;
        }
        decl = VKIND(var) == V_SIGNAL ? c->u->signals[VIDX(var)]->type : c->u->traits[VIDX(var)]->type;
        if (!literal_ok(b->expr)) {
            err(c, b->expr ? &b->expr->loc : &b->loc, "a test value must be a literal (a number, text, bool, list, map or missing)");
            continue;
        }
        mmr_type t = literal_type(c, b->expr);
        if (t == MMR_T_ERROR || t == MMR_T_MISSING) continue;
        int empty_list = b->expr->kind == MMR_E_LIST && b->expr->nitems == 0;
        if (t == decl || (empty_list && (decl == MMR_T_LIST_TEXT || decl == MMR_T_LIST_NUMBER))) {
            if (empty_list) b->expr->type = decl;
            continue;
        }
        err(c, &b->expr->loc, "%s %s is %s, but the test gives %s", want, b->name, TN(decl), TN(t));
    }
}

/* RULE["KEY"] names one key of a per-key rule; a key on any other rule
 * could never match. */
static int rule_key_ok(ck *c, const char *name, const char *key, const mmr_loc *l)
{
    int ri = name ? map_get(&c->rules, name) : -1;
    if (ri < 0 || !key || MMR_RULE_PER_KEY(c->u->rules[ri])) return 1;
    mmr_diag *g = err(c, l, "rule %s is not a per-key rule: it has no key \"%s\"", name, key);
    if (g) mmr_diag_set_hint(g, "name it without a key, %s, or give the rule a `for each`", name);
    return 0;
}

static int rule_known(ck *c, const char *name, const mmr_loc *l)
{
    if (!name) return 0;
    if (map_get(&c->rules, name) >= 0) return 1;
    suggest s; hint_begin(c, &s, name);
    for (size_t i = 0; i < c->u->nrules; i++) suggest_try(&s, c->u->rules[i]->name);
    mmr_diag *g = err(c, l, "unknown rule \"%s\"", name);
    hint_suggest(g, &s);
    return 0;
}

static const char *const reasons[] = { "muted", "cooldown", "quiet_hours", "template_value_missing", "daily_cap" };

static void check_tests(ck *c)
{
    strmap names = { 0 };
    for (size_t ti = 0; ti < c->u->ntests; ti++) {
        mmr_test *t = c->u->tests[ti];
        int old = map_get(&names, t->name);
        if (old >= 0) err(c, &t->loc, "duplicate test \"%s\": already declared at %s", t->name, where(c, &c->u->tests[old]->loc));
        else map_put(&names, t->name, (int)ti);
        if (t->at && !iso8601_ok(t->at)) {
            mmr_diag *g = err(c, &t->at_loc, "\"at\" must be an ISO 8601 instant, got \"%s\"", t->at);
            if (g) mmr_diag_set_hint(g, "write it like \"2025-10-26T09:00:00Z\"");
        }
        check_values(c, t->given, t->ngiven, 0);
        check_values(c, t->traits, t->ntraits, 1);
        for (size_t i = 0; i < t->nmuted; i++)
            if (!category_known(c, t->muted[i]))
                bad_category(c, t->muted_locs ? &t->muted_locs[i] : &t->loc, t->muted[i]);
        for (size_t i = 0; i < t->nhistory; i++) {
            if (rule_known(c, t->history[i].rule, &t->history[i].loc))
                rule_key_ok(c, t->history[i].rule, t->history[i].key, &t->history[i].loc);
            if (t->history[i].ago_s < 0) err(c, &t->history[i].loc, "a history entry cannot be in the future");
        }
        for (size_t i = 0; i < t->nexpects; i++) {
            mmr_expect *x = &t->expects[i];
            if (x->kind == MMR_X_NUDGE || x->kind == MMR_X_DEFERRED || x->kind == MMR_X_SUPPRESSED)
                if (x->rule && map_get(&c->rules, x->rule) >= 0) rule_key_ok(c, x->rule, x->key, &x->loc);
            switch (x->kind) {
            case MMR_X_NUDGE: rule_known(c, x->rule, &x->loc); break;
            case MMR_X_DEFERRED: {
                rule_known(c, x->rule, &x->loc);
                if (!x->text || !iso8601_ok(x->text)) {
                    mmr_diag *g = err(c, &x->loc, "expect deferred: \"%s\" is not an ISO 8601 time",
                                      x->text ? x->text : "");
                    if (g) mmr_diag_set_hint(g, "write it like \"2025-10-26T07:00:00Z\"");
                }
                break;
            }
            case MMR_X_SUPPRESSED: {
                rule_known(c, x->rule, &x->loc);
                int ok = 0;
                for (size_t k = 0; k < 5; k++) if (x->reason && !strcmp(x->reason, reasons[k])) ok = 1;
                if (!ok) {
                    suggest s; hint_begin(c, &s, x->reason);
                    for (size_t k = 0; k < 5; k++) suggest_try(&s, reasons[k]);
                    mmr_diag *g = err(c, &x->loc, "unknown suppression reason \"%s\": the reasons are muted, cooldown, quiet_hours, template_value_missing and daily_cap",
                                      x->reason ? x->reason : "");
                    hint_suggest(g, &s);
                }
                break;
            }
            case MMR_X_CANDIDATES:
                for (size_t k = 0; k < x->nrules; k++)
                    if (rule_known(c, x->rules[k], x->rule_locs ? &x->rule_locs[k] : &x->loc))
                        rule_key_ok(c, x->rules[k], x->rule_keys ? x->rule_keys[k] : NULL,
                                    x->rule_locs ? &x->rule_locs[k] : &x->loc);
                break;
            default: break;
            }
        }
    }
    map_free(&names);
}

/* ------------------------------------------------------------- entry */

int mmr_check(mmr_unit *u, mmr_diags *d)
{
    if (!u) return 0;
    ck c;
    memset(&c, 0, sizeof c);
    c.u = u;
    c.d = d;
    c.src = -1;
    mmr_arena_init(&c.scratch, 4096);
    flatten(&c);
    if (c.oom) goto out;
    check_policy(&c);
    size_t nl = u->nlets ? u->nlets : 1;
    c.let_state = calloc(nl, sizeof *c.let_state);
    c.let_stack = calloc(nl + 1, sizeof *c.let_stack);
    c.let_sig_state = calloc(nl, sizeof *c.let_sig_state);
    c.let_sig = calloc(nl, sizeof *c.let_sig);
    if (!c.let_state || !c.let_stack || !c.let_sig_state || !c.let_sig) {
        mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory");
        c.errors++;
        goto out;
    }
    size_t ns = u->nsignals ? u->nsignals : 1;
    c.sig_state = calloc(ns, sizeof *c.sig_state);
    c.sig_stack = calloc(ns + 1, sizeof *c.sig_stack);
    if (!c.sig_state || !c.sig_stack) {
        mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory");
        c.errors++;
        goto out;
    }
    for (size_t i = 0; i < u->nsignals; i++) check_derived(&c, i);
    for (size_t i = 0; i < u->nlets; i++) check_let(&c, i);
    check_templates(&c);
    for (size_t i = 0; i < u->nrules; i++) check_rule(&c, u->rules[i]);
    check_tests(&c);
out:
    free(c.let_state); free(c.let_stack); free(c.let_sig_state); free(c.let_sig);
    free(c.sig_state); free(c.sig_stack);
    map_free(&c.vars); map_free(&c.templates); map_free(&c.rules);
    mmr_arena_free(&c.scratch);
    return c.errors;
}
