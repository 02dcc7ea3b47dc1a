/* The lints of compiler/lints.def over a checked unit. */
#include "compiler/lint.h"
#include "util/buf.h"
#include "util/placeholder.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct allow {
    const char *file;
    int line, col;
    int lint;            /* index, or -1: unknown */
    char token[40];
    int used;
} allow;

typedef struct linter {
    const mmr_unit *u;
    const mmr_lint_config *c;
    mmr_diags found;
    allow *allows; size_t nallows, capallows;
    unsigned char *sig_used, *trait_used, *let_used, *tmpl_used;
} linter;

/* ------------------------------------------------------------ helpers */

static const mmr_file *file_of(const mmr_unit *u, const char *path)
{
    if (!path) return NULL;
    for (size_t i = 0; i < u->nfiles; i++)
        if (u->files[i]->path == path) return u->files[i];
    for (size_t i = 0; i < u->nfiles; i++)
        if (u->files[i]->path && !strcmp(u->files[i]->path, path)) return u->files[i];
    return NULL;
}

static size_t file_index(const mmr_unit *u, const char *path)
{
    const mmr_file *f = file_of(u, path);
    for (size_t i = 0; i < u->nfiles; i++) if (u->files[i] == f) return i;
    return u->nfiles;
}

static int in_std(const mmr_unit *u, mmr_loc loc)
{
    const mmr_file *f = file_of(u, loc.file);
    return f && f->is_std;
}

static mmr_loc pick(mmr_loc a, mmr_loc fallback)
{
    return a.line > 0 ? a : fallback;
}

static mmr_diag *finding(linter *L, int lint, mmr_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static mmr_diag *finding(linter *L, int lint, mmr_loc loc, const char *fmt, ...)
{
    if (L->c && L->c->disabled[lint]) return NULL;
    mmr_buf b;
    mmr_buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    mmr_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    mmr_diag *g = mmr_diag_add(&L->found, mmr_lint_severity(L->c, lint), loc.file, loc.line,
                               loc.col, "%s", b.data ? b.data : "");
    mmr_buf_free(&b);
    if (!g) return NULL;
    mmr_diag_set_code(g, mmr_lint_table[lint].id, mmr_lint_table[lint].name);
    mmr_diag_set_hint(g, "%s", mmr_lint_table[lint].hint);
    g->end_line = loc.end_line;
    g->end_col = loc.end_col;
    return g;
}

static int find_input(const mmr_unit *u, int traits, const char *name, size_t n)
{
    size_t cnt = traits ? u->ntraits : u->nsignals;
    mmr_var_decl *const *v = traits ? u->traits : u->signals;
    for (size_t i = 0; i < cnt; i++)
        if (v[i] && v[i]->name && strlen(v[i]->name) == n && !memcmp(v[i]->name, name, n)) return (int)i;
    return -1;
}

static const mmr_template *rule_template(const mmr_unit *u, const mmr_rule *r)
{
    if (r->template_index >= 0 && (size_t)r->template_index < u->ntemplates)
        return u->templates[r->template_index];
    if (!r->message) return NULL;
    for (size_t i = 0; i < u->ntemplates; i++)
        if (u->templates[i]->id && !strcmp(u->templates[i]->id, r->message)) return u->templates[i];
    return NULL;
}

static const char *rule_category(const mmr_unit *u, const mmr_rule *r)
{
    if (r->category) return r->category;
    const mmr_template *t = rule_template(u, r);
    return t ? t->category : NULL;
}

/* ------------------------------------------------------------ usage */

static void mark_expr(linter *L, const mmr_expr *e, int depth)
{
    if (!e || depth > 200) return;
    if (e->kind == MMR_E_NAME) {
        const mmr_unit *u = L->u;
        if (e->ref == MMR_REF_SIGNAL && e->index >= 0 && (size_t)e->index < u->nsignals) L->sig_used[e->index] = 1;
        else if (e->ref == MMR_REF_TRAIT && e->index >= 0 && (size_t)e->index < u->ntraits) L->trait_used[e->index] = 1;
        else if (e->ref == MMR_REF_LET && e->index >= 0 && (size_t)e->index < u->nlets) L->let_used[e->index] = 1;
        return;
    }
    mark_expr(L, e->lhs, depth + 1);
    mark_expr(L, e->rhs, depth + 1);
    mark_expr(L, e->third, depth + 1);
    for (size_t i = 0; i < e->nitems; i++) {
        if (e->items) mark_expr(L, e->items[i], depth + 1);
        if (e->keys) mark_expr(L, e->keys[i], depth + 1);
    }
}

static void mark_placeholders(linter *L, const char *s)
{
    if (!s) return;
    size_t pos = 0, len = strlen(s);
    for (;;) {
        mmr_seg g = mmr_template_next(s, len, &pos);
        if (g.kind == MMR_SEG_END || g.kind == MMR_SEG_ERROR) break;
        if (g.kind != MMR_SEG_PLACEHOLDER) continue;
        int i = find_input(L->u, 0, g.name, g.name_len);
        if (i >= 0) L->sig_used[i] = 1;
        i = find_input(L->u, 1, g.name, g.name_len);
        if (i >= 0) L->trait_used[i] = 1;
    }
}

static void lint_unused(linter *L)
{
    const mmr_unit *u = L->u;
    for (size_t i = 0; i < u->nrules; i++) {
        const mmr_rule *r = u->rules[i];
        mark_expr(L, r->when, 0);
        mark_expr(L, r->audience, 0);
        for (size_t k = 0; k < r->nwith; k++) mark_expr(L, r->with[k].expr, 0);
        const mmr_template *t = rule_template(u, r);
        for (size_t k = 0; t && k < u->ntemplates; k++)
            if (u->templates[k] == t) L->tmpl_used[k] = 1;
    }
    /* a let used by another let counts as used (the other one is reported) */
    for (size_t i = 0; i < u->nlets; i++) {
        unsigned char self = L->let_used[i];
        mark_expr(L, u->lets[i]->expr, 0);
        L->let_used[i] = self || L->let_used[i];
    }
    for (size_t i = 0; i < u->ntemplates; i++) {
        mark_placeholders(L, u->templates[i]->title);
        mark_placeholders(L, u->templates[i]->body);
    }
    /* what derived signals read: other signals (computed ones) and lets
     * (filters) count as used, like a let used by a let */
    for (size_t i = 0; i < u->nsignals; i++) {
        const mmr_derived *x = u->signals[i]->def;
        if (!x) continue;
        unsigned char self = L->sig_used[i];
        mark_expr(L, x->expr, 0);
        mark_expr(L, x->where, 0);
        L->sig_used[i] = self || L->sig_used[i];
    }
    for (size_t i = 0; i < u->nsignals; i++) {
        const mmr_var_decl *v = u->signals[i];
        /* a derived signal that defines an std/ schema signal fills its
         * mm_signal_daily column: it is there for every reader */
        if (L->sig_used[i] || v->from_std || v->implicit || v->overrides || in_std(u, v->loc)) continue;
        finding(L, MMR_LINT_UNUSED_SIGNAL, v->loc, "signal \"%s\" is declared but never used", v->name);
    }
    for (size_t i = 0; i < u->ntraits; i++) {
        const mmr_var_decl *v = u->traits[i];
        /* tz is read by the engine itself: quiet hours, local days */
        if (L->trait_used[i] || v->from_std || v->implicit || in_std(u, v->loc) || !strcmp(v->name, "tz")) continue;
        finding(L, MMR_LINT_UNUSED_SIGNAL, v->loc, "trait \"%s\" is declared but never used", v->name);
    }
    for (size_t i = 0; i < u->nlets; i++) {
        const mmr_let *l = u->lets[i];
        if (L->let_used[i] || in_std(u, l->loc)) continue;
        finding(L, MMR_LINT_UNUSED_LET, l->loc, "let \"%s\" is never used", l->name);
    }
    for (size_t i = 0; i < u->ntemplates; i++) {
        const mmr_template *t = u->templates[i];
        if (L->tmpl_used[i] || in_std(u, t->loc)) continue;
        finding(L, MMR_LINT_UNUSED_TEMPLATE, t->loc, "template %s is not used by any rule", t->id);
    }
}

/* ------------------------------------------------------------ priorities, categories */

/* Rules with a priority and a category, as sort keys: sorting by
 * (category, priority, place) puts each group of equal priorities
 * together with its earliest rule first, so the lint is O(n log n)
 * (it was a pairwise loop: 20k rules took 20 s). */
typedef struct prio_key {
    const char *cat;
    double prio;
    size_t file;
    int line, col;
    const mmr_rule *r;
} prio_key;

static int prio_cmp(const void *x, const void *y)
{
    const prio_key *a = x, *b = y;
    int c = strcmp(a->cat, b->cat);
    if (c) return c;
    if (a->prio != b->prio) return a->prio < b->prio ? -1 : 1;
    if (a->file != b->file) return a->file < b->file ? -1 : 1;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    return (a->col > b->col) - (a->col < b->col);
}

static void lint_priorities(linter *L)
{
    const mmr_unit *u = L->u;
    if (!u->nrules) return;
    prio_key *k = malloc(u->nrules * sizeof *k);
    if (!k) return;   /* out of memory: this lint is skipped, as the others do */
    size_t n = 0;
    for (size_t j = 0; j < u->nrules; j++) {
        const mmr_rule *r = u->rules[j];
        const char *c = rule_category(u, r);
        if (!r->has_priority || !c) continue;
        k[n++] = (prio_key){ c, r->priority, file_index(u, r->loc.file), r->loc.line, r->loc.col, r };
    }
    qsort(k, n, sizeof *k, prio_cmp);
    for (size_t i = 0; i < n; ) {
        size_t g = i + 1;
        while (g < n && !strcmp(k[g].cat, k[i].cat) && k[g].prio == k[i].prio) g++;
        const mmr_rule *first = k[i].r;   /* the earliest of the group */
        for (size_t j = i + 1; j < g; j++) {
            const mmr_rule *b = k[j].r;
            if (in_std(u, b->loc)) continue;
            mmr_buf pb;
            mmr_buf_init(&pb);
            mmr_buf_number(&pb, b->priority);
            finding(L, MMR_LINT_DUPLICATE_PRIORITY, pick(b->priority_loc, b->loc),
                    "rule %s has the same priority (%s) as rule %s in category %s; only their names decide which one wins",
                    b->name, pb.data ? pb.data : "?", first->name, k[j].cat);
            mmr_buf_free(&pb);
        }
        i = g;
    }
    free(k);
}

static const char *const default_categories[] = { "dining", "shopping", "travel", "goal", "budget" };

static const mmr_policy *unit_policy(const mmr_unit *u)
{
    if (u->policy) return u->policy;
    for (size_t i = 0; i < u->nfiles; i++)
        if (u->files[i]->npolicies) return &u->files[i]->policies[0];
    return NULL;
}

static int category_ok(const mmr_unit *u, const char *cat)
{
    const mmr_policy *p = unit_policy(u);
    if (p && p->categories) {
        for (size_t i = 0; i < p->ncategories; i++) if (!strcmp(p->categories[i], cat)) return 1;
        return 0;
    }
    for (size_t i = 0; i < sizeof default_categories / sizeof *default_categories; i++)
        if (!strcmp(default_categories[i], cat)) return 1;
    return 0;
}

static void category_list(const mmr_unit *u, mmr_buf *b)
{
    const mmr_policy *p = unit_policy(u);
    size_t n = p && p->categories ? p->ncategories : sizeof default_categories / sizeof *default_categories;
    for (size_t i = 0; i < n; i++) {
        if (i) mmr_buf_puts(b, ", ");
        mmr_buf_puts(b, p && p->categories ? p->categories[i] : default_categories[i]);
    }
    if (!n) mmr_buf_puts(b, "none");
}

static void lint_categories(linter *L)
{
    const mmr_unit *u = L->u;
    mmr_buf list;
    mmr_buf_init(&list);
    category_list(u, &list);
    for (size_t i = 0; i < u->ntemplates; i++) {
        const mmr_template *t = u->templates[i];
        if (!t->category || in_std(u, t->loc) || category_ok(u, t->category)) continue;
        finding(L, MMR_LINT_CATEGORY_NOT_IN_POLICY, pick(t->category_loc, t->loc),
                "template %s has category \"%s\", which is not in the policy's categories (%s)",
                t->id, t->category, list.data ? list.data : "");
    }
    for (size_t i = 0; i < u->nrules; i++) {
        const mmr_rule *r = u->rules[i];
        if (!r->category || in_std(u, r->loc) || category_ok(u, r->category)) continue;
        finding(L, MMR_LINT_CATEGORY_NOT_IN_POLICY, pick(r->category_loc, r->loc),
                "rule %s has category \"%s\", which is not in the policy's categories (%s)",
                r->name, r->category, list.data ? list.data : "");
    }
    mmr_buf_free(&list);
}

/* ------------------------------------------------------------ never-fires, placeholders */

static int call_always_may_miss(const char *name)
{
    static const char *const propagating[] = {
        "abs", "min", "max", "round", "floor", "ceil", "clamp", "len", "contains",
        "lower", "upper", "starts_with", "ends_with", "sum", "count", "trim",
    };
    if (!name) return 1;
    for (size_t i = 0; i < sizeof propagating / sizeof *propagating; i++)
        if (!strcmp(propagating[i], name)) return 0;
    return 1;   /* pct_change, ratio and any function not known to be total */
}

/* What a firing rule proves: the facts of its `when and audience`, and
 * for each `any V in M where P` in their top-level `and` chains, the facts
 * of P. V keeps the key `any` found (the code stops there), so a `with`
 * reading V sees P true: `with { v = pct_change(m[c], p[c]) }` under
 * `when any c in m where pct_change(m[c], p[c]) > 25%` is never missing. */
#define MAX_WITNESSES 8
typedef struct proof {
    const mmr_cond_facts *f;
    mmr_cond_facts w[MAX_WITNESSES];
    size_t nw;
} proof;

static void add_witnesses(const mmr_unit *u, proof *pf, const mmr_expr *e)
{
    if (!e || e->is_const) return;
    if (e->kind == MMR_E_BINARY && e->op == MMR_OP_AND) {
        add_witnesses(u, pf, e->lhs);
        add_witnesses(u, pf, e->rhs);
        return;
    }
    /* `any` and a per-key rule's `for each` (it fires for keys whose
     * `where` is true): the key the `with` values read satisfies P */
    if (e->kind != MMR_E_QUANT || (e->op != MMR_OP_ANY && e->op != MMR_OP_EACH) || !e->rhs ||
        pf->nw >= MAX_WITNESSES) return;
    mmr_cond_analyze(u, e->rhs, NULL, &pf->w[pf->nw]);   /* out of memory: "nothing known" */
    pf->nw++;
}

static void proof_free(proof *pf)
{
    for (size_t i = 0; i < pf->nw; i++) mmr_cond_facts_free(&pf->w[i]);
    pf->nw = 0;
}

static int proven_present(const proof *pf, const mmr_expr *e)
{
    if (mmr_cond_facts_present(pf->f, e)) return 1;
    for (size_t i = 0; i < pf->nw; i++)
        if (pf->w[i].can_fire && mmr_cond_facts_present(&pf->w[i], e)) return 1;
    return 0;
}

/* Can e be missing when the rule fires (given what its condition proves)? */
static int may_be_missing(const mmr_unit *u, const proof *f, const mmr_expr *e, int depth)
{
    if (!e) return 0;
    if (depth > 100) return 1;
    if (proven_present(f, e)) return 0;
    switch (e->kind) {
    case MMR_E_NUMBER: case MMR_E_TEXT: case MMR_E_BOOL: case MMR_E_LIST: case MMR_E_MAP:
        return 0;
    case MMR_E_MISSING: return 1;
    case MMR_E_NAME:
        if (e->ref == MMR_REF_LET && e->index >= 0 && (size_t)e->index < u->nlets)
            return may_be_missing(u, f, u->lets[e->index]->expr, depth + 1);
        return e->ref != MMR_REF_QVAR;
    case MMR_E_UNARY: return may_be_missing(u, f, e->lhs, depth + 1);
    case MMR_E_BINARY:
        if (e->op == MMR_OP_COALESCE)
            return may_be_missing(u, f, e->lhs, depth + 1) && may_be_missing(u, f, e->rhs, depth + 1);
        if (e->op == MMR_OP_DIV && !(e->rhs && e->rhs->kind == MMR_E_NUMBER && e->rhs->num != 0))
            return 1;
        return may_be_missing(u, f, e->lhs, depth + 1) || may_be_missing(u, f, e->rhs, depth + 1);
    case MMR_E_IS_MISSING: return 0;
    case MMR_E_IN: return may_be_missing(u, f, e->lhs, depth + 1) || may_be_missing(u, f, e->rhs, depth + 1);
    case MMR_E_BETWEEN:
        return may_be_missing(u, f, e->lhs, depth + 1) || may_be_missing(u, f, e->rhs, depth + 1) ||
               may_be_missing(u, f, e->third, depth + 1);
    case MMR_E_CALL:
        if (call_always_may_miss(e->text)) return 1;
        for (size_t i = 0; i < e->nitems; i++)
            if (may_be_missing(u, f, e->items[i], depth + 1)) return 1;
        return 0;
    case MMR_E_INDEX: return 1;
    case MMR_E_QUANT: return 1;
    }
    return 1;
}

static const mmr_binding *find_binding(const mmr_rule *r, const char *name, size_t n)
{
    for (size_t i = 0; i < r->nwith; i++)
        if (r->with[i].name && strlen(r->with[i].name) == n && !memcmp(r->with[i].name, name, n))
            return &r->with[i];
    return NULL;
}

static void check_placeholders(linter *L, const mmr_rule *r, const mmr_template *t,
                               const proof *f)
{
    const mmr_unit *u = L->u;
    const char *texts[2] = { t->title, t->body };
    const char *seen[64];
    size_t seen_len[64], nseen = 0;
    for (int k = 0; k < 2; k++) {
        const char *s = texts[k];
        if (!s) continue;
        size_t pos = 0, len = strlen(s);
        for (;;) {
            mmr_seg g = mmr_template_next(s, len, &pos);
            if (g.kind == MMR_SEG_END || g.kind == MMR_SEG_ERROR) break;
            if (g.kind != MMR_SEG_PLACEHOLDER) continue;
            int dup = 0;
            for (size_t i = 0; i < nseen && !dup; i++)
                dup = seen_len[i] == g.name_len && !memcmp(seen[i], g.name, g.name_len);
            if (dup) continue;
            if (nseen < 64) { seen[nseen] = g.name; seen_len[nseen] = g.name_len; nseen++; }
            int nl = (int)g.name_len;
            const mmr_binding *b = find_binding(r, g.name, g.name_len);
            if (b) {
                if (!may_be_missing(u, f, b->expr, 0)) continue;
                char *txt = mmr_lint_expr_text(b->expr);
                mmr_diag *d = finding(L, MMR_LINT_PLACEHOLDER_MAY_BE_MISSING, pick(b->loc, pick(r->message_loc, r->loc)),
                    "placeholder {%.*s} of template %s is bound to `%s`, which may be missing; the nudge is then suppressed",
                    nl, g.name, t->id, txt ? txt : "?");
                if (d) mmr_diag_set_hint(d, "give it a default: `%.*s = %s ?? ...`", nl, g.name, txt ? txt : "?");
                free(txt);
                continue;
            }
            int si = find_input(u, 0, g.name, g.name_len);
            int ti = si < 0 ? find_input(u, 1, g.name, g.name_len) : -1;
            if (si < 0 && ti < 0) continue;   /* the checker reports it */
            if (si >= 0 ? mmr_cond_facts_input_present(f->f, MMR_REF_SIGNAL, si)
                        : mmr_cond_facts_input_present(f->f, MMR_REF_TRAIT, ti)) continue;
            mmr_diag *d = finding(L, MMR_LINT_PLACEHOLDER_MAY_BE_MISSING, pick(r->message_loc, r->loc),
                "placeholder {%.*s} of template %s is filled from %s \"%.*s\", which may be missing; the nudge is then suppressed",
                nl, g.name, t->id, si >= 0 ? "signal" : "trait", nl, g.name);
            if (d) mmr_diag_set_hint(d, "bind it with a default: `message %s with { %.*s = %.*s ?? ... }`",
                                     t->id, nl, g.name, nl, g.name);
        }
    }
}

static void lint_rules(linter *L)
{
    const mmr_unit *u = L->u;
    for (size_t i = 0; i < u->nrules; i++) {
        const mmr_rule *r = u->rules[i];
        if (in_std(u, r->loc) || !r->when) continue;
        mmr_cond_facts f;
        mmr_cond_analyze(u, r->when, r->audience, &f);
        if (!f.can_fire) {
            finding(L, MMR_LINT_NEVER_FIRES, pick(r->when_loc, r->loc),
                    "rule %s can never fire: %s", r->name, f.why ? f.why : "its conditions contradict each other");
        } else {
            const mmr_template *t = rule_template(u, r);
            if (t) {
                proof pf = { &f, { { 0 } }, 0 };
                add_witnesses(u, &pf, r->when);
                add_witnesses(u, &pf, r->audience);
                check_placeholders(L, r, t, &pf);
                proof_free(&pf);
            }
        }
        mmr_cond_facts_free(&f);
    }
}

/* ------------------------------------------------------------ tone */

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++) if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

static int word_char(unsigned char ch) { return isalnum(ch) || ch == '_' || ch == '\''; }

static int caps_allowed(const mmr_lint_config *c, const char *w, size_t n)
{
    for (size_t i = 0; i < c->ncaps_allow; i++)
        if (strlen(c->caps_allow[i]) == n && !strncmp(c->caps_allow[i], w, n)) return 1;
    return 0;
}

/* Literal text of a template string with placeholders blanked out, so
 * words are never read from inside {name:format}. */
static char *literal_text(const char *s)
{
    mmr_buf b;
    mmr_buf_init(&b);
    size_t pos = 0, len = strlen(s);
    for (;;) {
        mmr_seg g = mmr_template_next(s, len, &pos);
        if (g.kind == MMR_SEG_END || g.kind == MMR_SEG_ERROR) break;
        if (g.kind == MMR_SEG_TEXT) mmr_buf_append(&b, g.text, g.len);
        else mmr_buf_putc(&b, ' ');
    }
    mmr_buf_putc(&b, 0);
    if (b.oom) { mmr_buf_free(&b); return NULL; }
    return mmr_buf_take(&b);
}

static void lint_tone_text(linter *L, const mmr_template *t, int is_title)
{
    const char *s = is_title ? t->title : t->body;
    if (!s) return;
    const mmr_lint_config *c = L->c;
    mmr_loc loc = pick(is_title ? t->title_loc : t->body_loc, t->loc);
    const char *what = is_title ? "title" : "body";
    char *lit = literal_text(s);
    if (!lit) return;
    /* lower-cased copy for the word list */
    size_t n = strlen(lit);
    char *low = malloc(n + 1);
    if (!low) { free(lit); return; }
    for (size_t i = 0; i <= n; i++) low[i] = (char)tolower((unsigned char)lit[i]);
    for (size_t w = 0; w < c->nwords; w++) {
        const char *word = c->words[w];
        size_t wl = strlen(word);
        if (!wl) continue;
        for (const char *p = strstr(low, word); p; p = strstr(p + 1, word)) {
            int okl = p == low || !word_char((unsigned char)p[-1]);
            int okr = !word_char((unsigned char)p[wl]);
            if (okl && okr) {
                finding(L, MMR_LINT_TONE_WORD, loc, "%s of template %s uses \"%.*s\", a shaming or alarming word",
                        what, t->id, (int)wl, lit + (p - low));
                break;
            }
        }
    }
    /* ALL-CAPS words: runs of ASCII letters, all upper case */
    const char *reported[16];
    size_t rlen[16], nrep = 0;
    for (size_t i = 0; i < n;) {
        if (!isalpha((unsigned char)lit[i])) { i++; continue; }
        size_t j = i;
        int upper = 1;
        while (j < n && isalpha((unsigned char)lit[j])) { if (!isupper((unsigned char)lit[j])) upper = 0; j++; }
        size_t wl = j - i;
        int glued = (i > 0 && ((unsigned char)lit[i - 1] & 0x80)) || (j < n && ((unsigned char)lit[j] & 0x80));
        if (upper && !glued && c->caps_min_letters > 0 && wl >= (size_t)c->caps_min_letters &&
            !caps_allowed(c, lit + i, wl)) {
            int dup = 0;
            for (size_t k = 0; k < nrep && !dup; k++) dup = rlen[k] == wl && !memcmp(reported[k], lit + i, wl);
            if (!dup) {
                if (nrep < 16) { reported[nrep] = lit + i; rlen[nrep] = wl; nrep++; }
                finding(L, MMR_LINT_TONE_CAPS, loc, "%s of template %s has the ALL-CAPS word \"%.*s\"",
                        what, t->id, (int)wl, lit + i);
            }
        }
        i = j;
    }
    size_t bangs = 0;
    for (size_t i = 0; i < n; i++) bangs += lit[i] == '!';
    if (bangs > (size_t)c->max_exclamations)
        finding(L, MMR_LINT_TONE_EXCLAIM, loc, "%s of template %s has %zu exclamation marks (at most %d)",
                what, t->id, bangs, c->max_exclamations);
    size_t chars = utf8_chars(s);
    int max = is_title ? c->title_max : c->body_max;
    if (chars > (size_t)max)
        finding(L, is_title ? MMR_LINT_TITLE_TOO_LONG : MMR_LINT_BODY_TOO_LONG, loc,
                "%s of template %s is %zu characters long (at most %d)", what, t->id, chars, max);
    free(low);
    free(lit);
}

static void lint_tone(linter *L)
{
    const mmr_unit *u = L->u;
    for (size_t i = 0; i < u->ntemplates; i++) {
        const mmr_template *t = u->templates[i];
        if (in_std(u, t->loc)) continue;
        lint_tone_text(L, t, 1);
        lint_tone_text(L, t, 0);
    }
}

/* ------------------------------------------------------------ allow comments */

static void add_allow(linter *L, const char *file, int line, int col, const char *tok, size_t n)
{
    if (L->nallows == L->capallows) {
        size_t cap = L->capallows ? L->capallows * 2 : 8;
        allow *v = realloc(L->allows, cap * sizeof *v);
        if (!v) return;
        L->allows = v;
        L->capallows = cap;
    }
    allow *a = &L->allows[L->nallows++];
    memset(a, 0, sizeof *a);
    a->file = file;
    a->line = line;
    a->col = col;
    a->lint = mmr_lint_lookup(tok, n);
    size_t k = n < sizeof a->token - 1 ? n : sizeof a->token - 1;
    memcpy(a->token, tok, k);
    a->token[k] = 0;
}

/* `# mmr: allow ID[, ID...] [-- reason]` anywhere a comment may be. */
static void scan_comment(linter *L, const char *file, int line, const char *line0,
                         const char *s, const char *e)
{
    const char *p = s + 1;
    while (p < e && (*p == ' ' || *p == '\t')) p++;
    if (e - p < 4 || memcmp(p, "mmr:", 4)) return;
    p += 4;
    while (p < e && (*p == ' ' || *p == '\t')) p++;
    if (e - p < 5 || memcmp(p, "allow", 5) || (e - p > 5 && word_char((unsigned char)p[5]) )) return;
    p += 5;
    for (const char *q = p; q + 1 < e; q++)
        if (q[0] == '-' && q[1] == '-' && (q == p || q[-1] == ' ')) { e = q; break; }
    while (p < e) {
        while (p < e && (*p == ' ' || *p == '\t' || *p == ',')) p++;
        const char *t0 = p;
        while (p < e && *p != ' ' && *p != '\t' && *p != ',') p++;
        if (p > t0) {
            int col = 1;   /* columns count Unicode characters, as the parser's do */
            for (const char *q = line0; q < t0; q++) col += ((unsigned char)*q & 0xC0) != 0x80;
            add_allow(L, file, line, col, t0, (size_t)(p - t0));
        }
    }
}

static void scan_allows(linter *L, const mmr_file *f)
{
    if (!f->src || f->is_std) return;
    size_t pl = f->path ? strlen(f->path) : 0;
    if (pl >= 5 && !strcmp(f->path + pl - 5, ".json")) return;
    const char *s = f->src, *end = f->src + f->src_len;
    int line = 1;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *le = nl ? nl : end;
        int in_str = 0;
        for (const char *p = s; p < le; p++) {
            if (in_str) {
                if (*p == '\\' && p + 1 < le) p++;
                else if (*p == '"') in_str = 0;
            } else if (*p == '"') in_str = 1;
            else if (*p == '#') { scan_comment(L, f->path, line, s, p, le); break; }
        }
        line++;
        s = nl ? nl + 1 : end;
    }
}

static int same_file(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

/* ------------------------------------------------------------ check errors */

/* ------------------------------------------------------------ driver */

int mmr_lint(const mmr_unit *u, const mmr_lint_config *cfg, mmr_diags *d)
{
    mmr_lint_config defaults;
    int own = 0;
    if (!cfg) { mmr_lint_config_init(&defaults); cfg = &defaults; own = 1; }
    linter L;
    memset(&L, 0, sizeof L);
    L.u = u;
    L.c = cfg;
    mmr_diags_init(&L.found);
    L.sig_used = calloc(u->nsignals + 1, 1);
    L.trait_used = calloc(u->ntraits + 1, 1);
    L.let_used = calloc(u->nlets + 1, 1);
    L.tmpl_used = calloc(u->ntemplates + 1, 1);
    int added = 0;
    if (L.sig_used && L.trait_used && L.let_used && L.tmpl_used) {
        lint_categories(&L);
        lint_unused(&L);
        lint_priorities(&L);
        lint_rules(&L);
        lint_tone(&L);
        for (size_t i = 0; i < u->nfiles; i++) scan_allows(&L, u->files[i]);
        for (size_t i = 0; i < L.found.n; i++) {
            mmr_diag *g = &L.found.v[i];
            int lint = g->code ? mmr_lint_lookup(g->code, strlen(g->code)) : -1;
            int silenced = 0;
            for (size_t k = 0; k < L.nallows && !silenced; k++) {
                allow *a = &L.allows[k];
                if (a->lint != lint || !same_file(a->file, g->file)) continue;
                if (a->line == g->line || a->line == g->line - 1) { a->used = 1; silenced = 1; }
            }
            if (silenced) continue;
            mmr_diag *n = mmr_diag_add(d, g->sev, g->file, g->line, g->col, "%s", g->message);
            if (n) {
                mmr_diag_set_code(n, g->code, g->name);
                if (g->hint) mmr_diag_set_hint(n, "%s", g->hint);
                n->end_line = g->end_line;
                n->end_col = g->end_col;
            }
            added++;
        }
        for (size_t k = 0; k < L.nallows; k++) {
            allow *a = &L.allows[k];
            if (a->used || cfg->disabled[MMR_LINT_USELESS_ALLOW]) continue;
            if (a->lint >= 0 && cfg->disabled[a->lint]) continue;   /* disabled: nothing to silence */
            mmr_loc loc;
            memset(&loc, 0, sizeof loc);
            loc.file = a->file; loc.line = a->line; loc.col = a->col;
            mmr_diag *n = mmr_diag_add(d, mmr_lint_severity(cfg, MMR_LINT_USELESS_ALLOW), a->file,
                                       a->line, a->col,
                                       a->lint < 0 ? "`# mmr: allow` names an unknown lint \"%s\""
                                                   : "`# mmr: allow %s` silences nothing on this line or the next",
                                       a->token);
            if (n) {
                mmr_diag_set_code(n, mmr_lint_table[MMR_LINT_USELESS_ALLOW].id, mmr_lint_table[MMR_LINT_USELESS_ALLOW].name);
                mmr_diag_set_hint(n, "%s", a->lint < 0 ? "use an id like MMR-W012 or a name like never-fires (`mmr lint --list`)"
                                                       : mmr_lint_table[MMR_LINT_USELESS_ALLOW].hint);
            }
            added++;
        }
    }
    free(L.sig_used); free(L.trait_used); free(L.let_used); free(L.tmpl_used);
    free(L.allows);
    mmr_diags_free(&L.found);
    if (own) mmr_lint_config_free(&defaults);
    return added;
}
