/* JSON import: MoneyMoments rule master and template master rows into a
 * file AST (see docs/json.md for the accepted documents).
 *
 * Every diagnostic names a JSON path ("$[3].expression_json.if.x"), and
 * every AST node made here carries a location whose file is
 * "FILE: JSONPATH" with line 0, so a later checker error on that node also
 * prints as "rules.json: $[3].expression_json.if.x: error: ...".
 *
 * Longer than most files (~2,100 lines): rows, conditions and names share
 * one context (the JSON path, the name maps), which a split would expose.
 */
#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/compile.h"
#include "stdlib/builtins.h"
#include "util/placeholder.h"
#include "util/strmap.h"

#define JSON_FLAGS JSON_REJECT_DUPLICATES
#define MAX_COND_DEPTH 32        /* any/all/not nesting */
#define MAX_CONDS 200            /* condition leaves per expression */
#define MAX_TREE_DEPTH 256       /* the parser's limit: printed text must parse */
#define MAX_COOLDOWN_DAYS 36500.0
#define STD_PATH "std/moneymoments"
#define MMR_PREFIX "let __json_expr__ = "

/* ------------------------------------------------------------ vectors */

typedef struct jvec { void *v; size_t n, cap; } jvec;

static void *vpush(jvec *v, size_t size)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        void *nv = realloc(v->v, cap * size);
        if (!nv) return NULL;
        v->v = nv;
        v->cap = cap;
    }
    void *slot = (char *)v->v + v->n++ * size;
    memset(slot, 0, size);
    return slot;
}

/* Copy a vector into the arena (NULL when empty). */
static void *vfreeze(mmr_arena *a, jvec *v, size_t size, size_t *n)
{
    *n = v->n;
    if (!v->n) return NULL;
    void *p = mmr_arena_alloc(a, v->n * size);
    if (p) memcpy(p, v->v, v->n * size);
    else *n = 0;
    return p;
}

/* ------------------------------------------------------------ context */

typedef struct jctx {
    mmr_arena *a;
    const char *file;
    mmr_diags *d;
    mmr_buf path;             /* current JSON path, "$..." */
    mmr_arena std_arena;
    const mmr_file *std;      /* parsed std/moneymoments, or NULL */
    jvec signals, traits;     /* mmr_var_decl */
    jvec templates, rules;    /* mmr_template, mmr_rule */
    jvec tpl_paths, rule_paths; /* const char *: JSON path of each row */
    jvec imports;             /* const char *: std paths to import */
    int explicit_imports;     /* the document has "imports" */
    mmr_policy *policy;       /* from "policy", or NULL */
    mmr_test *tests; size_t ntests; /* from the "mmr" text */
    int bare;                 /* rule_row: the row is a bare expression_json */
    /* names declared from use whose type is a guess so far (number, from
     * is_missing or a name compared with a name): name -> index + 1 of the
     * "declared from its use" warning, rewritten when a later use tells
     * the type */
    mmr_strmap weak;
    /* name -> index, so a master with 100,000 rows stays linear */
    mmr_strmap decls;         /* this document's signals and traits: index*2 + is_trait */
    mmr_strmap tpl_ids, rule_names;
    int depth;
    size_t nconds;
    int oom;
} jctx;

static size_t path_mark(jctx *c) { return c->path.len; }
static void path_reset(jctx *c, size_t mark)
{
    c->path.len = mark;
    if (c->path.data) c->path.data[mark] = 0;
}

static int ident_char(unsigned char ch, int first)
{
    return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (!first && ch >= '0' && ch <= '9');
}

static int is_ident(const char *s)
{
    if (!s || !ident_char((unsigned char)s[0], 1)) return 0;
    for (size_t i = 1; s[i]; i++)
        if (!ident_char((unsigned char)s[i], 0)) return 0;
    return 1;
}

/* The hard keywords of the .mmr language: they cannot name anything.
 * (Field words such as `title` or `priority` are contextual.) */
static const char *const reserved_words[] = {
    "import", "signal", "trait", "let", "template", "rule", "policy", "test",
    "and", "or", "not", "in", "between", "is", "missing", "present", "any",
    "all", "where", "with", "true", "false", NULL
};

static int is_reserved(const char *s)
{
    for (size_t i = 0; reserved_words[i]; i++)
        if (!strcmp(s, reserved_words[i])) return 1;
    return 0;
}

static void path_key(jctx *c, const char *key)
{
    if (is_ident(key)) {
        mmr_buf_putc(&c->path, '.');
        mmr_buf_puts(&c->path, key);
    } else {
        mmr_buf_putc(&c->path, '[');
        mmr_buf_json_string(&c->path, key, strlen(key));
        mmr_buf_putc(&c->path, ']');
    }
}

static void path_index(jctx *c, size_t i) { mmr_buf_printf(&c->path, "[%zu]", i); }

static const char *cur_path(jctx *c) { return c->path.data ? c->path.data : "$"; }

static mmr_diag *jerr(jctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static mmr_diag *jwarn(jctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static mmr_diag *jdiag(jctx *c, mmr_severity sev, const char *fmt, va_list ap)
{
    mmr_buf m;
    mmr_buf_init(&m);
    mmr_buf_vprintf(&m, fmt, ap);
    mmr_diag *g = mmr_diag_add_json(c->d, sev, c->file, cur_path(c), "%s", m.data ? m.data : "");
    mmr_buf_free(&m);
    return g;
}

static mmr_diag *jerr(jctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mmr_diag *g = jdiag(c, MMR_SEV_ERROR, fmt, ap);
    va_end(ap);
    return g;
}

static mmr_diag *jwarn(jctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mmr_diag *g = jdiag(c, MMR_SEV_WARNING, fmt, ap);
    va_end(ap);
    return g;
}

/* A user string quoted for a message (JSON escapes keep it on one line). */
/* A diagnostic with a ready message at the current path. */
static mmr_diag *jdiag_plain(jctx *c, mmr_severity sev, const char *msg)
{
    return mmr_diag_add_json(c->d, sev, c->file, cur_path(c), "%s", msg);
}

static const char *q(jctx *c, const char *s)
{
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_buf_json_string(&b, s, strlen(s));
    char *r = mmr_arena_strdup(c->a, b.data ? b.data : "\"\"");
    mmr_buf_free(&b);
    if (!r) c->oom = 1;
    return r ? r : "\"\"";
}

static const char *adup(jctx *c, const char *s)
{
    char *r = mmr_arena_strdup(c->a, s);
    if (!r) c->oom = 1;
    return r;
}

/* The location of the current path: file "FILE: PATH", no line. */
static mmr_loc here(jctx *c)
{
    mmr_loc l;
    memset(&l, 0, sizeof l);
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_buf_printf(&b, "%s: %s", c->file, cur_path(c));
    l.file = mmr_arena_strdup(c->a, b.data ? b.data : c->file);
    mmr_buf_free(&b);
    if (!l.file) { c->oom = 1; l.file = c->file; }
    return l;
}

static const char *jtype(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: case JSON_REAL: return "a number";
    case JSON_TRUE: case JSON_FALSE: return "true/false";
    default: return "null";
    }
}

static mmr_expr *node(jctx *c, mmr_expr_kind k)
{
    mmr_expr *e = mmr_expr_new(c->a, k, here(c));
    if (!e) c->oom = 1;
    return e;
}

static mmr_expr *binary(jctx *c, mmr_op op, mmr_expr *l, mmr_expr *r)
{
    if (!l || !r) return NULL;
    mmr_expr *e = node(c, MMR_E_BINARY);
    if (!e) return NULL;
    e->op = op;
    e->lhs = l;
    e->rhs = r;
    e->loc = l->loc;
    return e;
}

/* ---------------------------------------------------- AND/OR chains */

/* Collect the operands of a chain of `op` nodes, left to right, whatever
 * the nesting, so `a or (b or c)` and `(a or b) or c` become one chain.
 * The canonical text is then the same for every nesting, which keeps
 * import -> export -> import stable. */
static int chain_collect(mmr_expr *e, mmr_op op, jvec *out)
{
    /* walk the left spine iteratively; recurse only into right operands */
    jvec spine = {0};
    while (e && e->kind == MMR_E_BINARY && e->op == op) {
        mmr_expr **s = vpush(&spine, sizeof *s);
        if (!s) { free(spine.v); return -1; }
        *s = e->rhs;
        e = e->lhs;
    }
    mmr_expr **first = vpush(out, sizeof *first);
    if (!first) { free(spine.v); return -1; }
    *first = e;
    int rc = 0;
    for (size_t i = spine.n; i-- > 0 && rc == 0;) {
        mmr_expr *r = ((mmr_expr **)spine.v)[i];
        if (r && r->kind == MMR_E_BINARY && r->op == op) rc = chain_collect(r, op, out);
        else {
            mmr_expr **s = vpush(out, sizeof *s);
            if (!s) rc = -1;
            else *s = r;
        }
    }
    free(spine.v);
    return rc;
}

static void normalize(jctx *c, mmr_expr *e, int depth);

/* Rebuild a chain left-associated from its operands. */
static mmr_expr *chain_build(jctx *c, mmr_op op, mmr_expr **items, size_t n)
{
    if (!n) return NULL;
    mmr_expr *acc = items[0];
    for (size_t i = 1; i < n; i++) {
        mmr_expr *b = mmr_expr_new(c->a, MMR_E_BINARY, acc ? acc->loc : items[i]->loc);
        if (!b) { c->oom = 1; return acc; }
        b->op = op;
        b->lhs = acc;
        b->rhs = items[i];
        acc = b;
    }
    return acc;
}

/* Flatten every and/or chain in place (the node itself is rewritten so
 * parents need no update). */
static void normalize(jctx *c, mmr_expr *e, int depth)
{
    if (!e || depth > 200) return;
    if (e->kind == MMR_E_BINARY && (e->op == MMR_OP_AND || e->op == MMR_OP_OR)) {
        jvec items = {0};
        if (chain_collect(e, e->op, &items) == 0 && items.n >= 2) {
            mmr_expr **v = items.v;
            for (size_t i = 0; i < items.n; i++) normalize(c, v[i], depth + 1);
            mmr_expr *lhs = chain_build(c, e->op, v, items.n - 1);
            e->lhs = lhs;
            e->rhs = v[items.n - 1];
        } else if (items.n < 2) {
            normalize(c, e->lhs, depth + 1);
            normalize(c, e->rhs, depth + 1);
        }
        free(items.v);
        return;
    }
    normalize(c, e->lhs, depth + 1);
    normalize(c, e->rhs, depth + 1);
    normalize(c, e->third, depth + 1);
    for (size_t i = 0; i < e->nitems; i++) {
        if (e->items) normalize(c, e->items[i], depth + 1);
        if (e->keys) normalize(c, e->keys[i], depth + 1);
    }
}

/* ------------------------------------------------------ names & types */

static mmr_var_decl *find_decl(mmr_var_decl *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].name && !strcmp(v[i].name, name)) return &v[i];
    return NULL;
}

/* Where a name is declared: 1 std, 2 this document; *decl set. 0 unknown. */
static int lookup(jctx *c, const char *name, mmr_var_decl **decl)
{
    mmr_var_decl *g = NULL;
    if (c->std) {
        /* std declares a few dozen names, a fixed cost per lookup */
        if ((g = find_decl(c->std->signals, c->std->nsignals, name)) ||
            (g = find_decl(c->std->traits, c->std->ntraits, name))) {
            *decl = g;
            return 1;
        }
    }
    size_t at;
    if (mmr_strmap_get(&c->decls, name, &at)) {
        jvec *v = at & 1 ? &c->traits : &c->signals;
        *decl = (mmr_var_decl *)v->v + at / 2;
        return 2;
    }
    *decl = NULL;
    return 0;
}

/* A name is used at the current path with an inferred type (MMR_T_ERROR
 * when nothing is known). Unknown names are declared from their use.
 * Returns the declared type, or MMR_T_ERROR. */
static mmr_type use_name(jctx *c, const char *name, mmr_type t, int as_trait)
{
    mmr_var_decl *g;
    int where = lookup(c, name, &g);
    if (where == 1 || (where == 2 && !g->implicit)) return g->type;
    size_t wi = 0;
    if (where == 2 && t != MMR_T_ERROR && mmr_strmap_get(&c->weak, name, &wi)) {
        /* the first use that tells the type decides it */
        g->type = t;
        g->loc = here(c);
        mmr_strmap_del(&c->weak, name);
        if (wi && wi <= c->d->n) {
            mmr_diag *w = &c->d->v[wi - 1];
            mmr_buf b;
            mmr_buf_init(&b);
            mmr_buf_printf(&b, "%s is not declared in %s; declared as `%s %s : %s` from its use",
                           q(c, name), STD_PATH, as_trait ? "trait" : "signal", name, mmr_type_name(t));
            if (!w->jpath || strcmp(w->jpath, cur_path(c))) mmr_buf_printf(&b, " at %s", cur_path(c));
            char *msg = b.data ? strdup(b.data) : NULL;
            mmr_buf_free(&b);
            if (msg) { free(w->message); w->message = msg; }
        }
        return t;
    }
    if (where == 2) {
        if (t != MMR_T_ERROR && g->type != t) {
            jerr(c, "%s is used as %s here, but as %s at %s", q(c, name),
                 mmr_type_name(t), mmr_type_name(g->type),
                 g->loc.file ? g->loc.file : "?");
        }
        return g->type;
    }
    int guess = t == MMR_T_ERROR;
    if (guess) t = MMR_T_NUMBER;
    jvec *v = as_trait ? &c->traits : &c->signals;
    mmr_var_decl *nd = vpush(v, sizeof *nd);
    if (!nd) { c->oom = 1; return t; }
    nd->loc = here(c);
    nd->name = adup(c, name);
    nd->type = t;
    nd->implicit = 1;
    if (!nd->name || mmr_strmap_put(&c->decls, nd->name, (v->n - 1) * 2 + (as_trait != 0))) c->oom = 1;
    mmr_diag *w = jwarn(c, "%s is not declared in %s; declared as `%s %s : %s` from its use",
                        q(c, name), STD_PATH, as_trait ? "trait" : "signal", name,
                        mmr_type_name(t));
    mmr_diag_set_hint(w, "declare it in the \"%s\" section to choose its type",
                      as_trait ? "traits" : "signals");
    if (guess && mmr_strmap_put(&c->weak, nd->name, w ? (size_t)(w - c->d->v) + 1 : 0)) c->oom = 1;
    return t;
}

/* The type a name is known to have; MMR_T_ERROR while it is a guess. */
static mmr_type known_type(jctx *c, const char *name, mmr_type t)
{
    size_t wi;
    return mmr_strmap_get(&c->weak, name, &wi) ? MMR_T_ERROR : t;
}

/* ---------------------------------------------- nested JSON in strings */

/* DB columns named *_json often hold JSON text: parse it in place. The
 * returned value is owned by *hold (decref it). */
static json_t *maybe_nested(jctx *c, json_t *v, json_t **hold)
{
    *hold = NULL;
    if (!json_is_string(v)) return v;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    json_error_t err;
    json_t *j = json_loadb(s, n, JSON_FLAGS | JSON_DECODE_ANY, &err);
    if (!j) {
        jerr(c, "invalid JSON in string: %s (line %d, column %d of the string)",
             err.text, err.line, err.column > 0 ? err.column : 1);
        return NULL;
    }
    *hold = j;
    return j;
}

/* ---------------------------------------------------- .mmr expressions */

static void relocate(mmr_expr *e, mmr_loc loc, int depth)
{
    if (!e || depth > 400) return;
    e->loc = loc;
    relocate(e->lhs, loc, depth + 1);
    relocate(e->rhs, loc, depth + 1);
    relocate(e->third, loc, depth + 1);
    for (size_t i = 0; i < e->nitems; i++) {
        if (e->items) relocate(e->items[i], loc, depth + 1);
        if (e->keys) relocate(e->keys[i], loc, depth + 1);
    }
}

/* An expression written as .mmr text in a JSON string ({"mmr": "..."}). */
static mmr_expr *parse_mmr(jctx *c, json_t *v)
{
    if (!json_is_string(v)) {
        jerr(c, "expected a string holding a .mmr expression, got %s", jtype(v));
        return NULL;
    }
    const char *text = json_string_value(v);
    size_t n = json_string_length(v);
    if (memchr(text, 0, n)) { jerr(c, "the expression text contains a NUL character"); return NULL; }
    mmr_buf src;
    mmr_buf_init(&src);
    mmr_buf_puts(&src, MMR_PREFIX);
    mmr_buf_append(&src, text, n);
    mmr_buf_putc(&src, '\n');
    if (src.oom) { mmr_buf_free(&src); c->oom = 1; return NULL; }
    mmr_diags pd;
    mmr_diags_init(&pd);
    mmr_file *f = mmr_parse(c->a, c->file, src.data, src.len, &pd);
    mmr_buf_free(&src);
    mmr_expr *e = NULL;
    if (!f) c->oom = 1;
    else if (pd.errors) {
        for (size_t i = 0; i < pd.n; i++) {
            const mmr_diag *g = &pd.v[i];
            if (g->sev != MMR_SEV_ERROR) continue;
            int lines = 1;
            for (size_t k = 0; k < n; k++) lines += text[k] == '\n';
            int col = g->line == 1 ? g->col - (int)strlen(MMR_PREFIX) : g->col;
            if (g->line > lines || (g->line == lines && col > (int)n + 1))
                jerr(c, "in the .mmr expression, at the end: %s", g->message);
            else if (g->line > 1)
                jerr(c, "in the .mmr expression, line %d, column %d: %s", g->line, col, g->message);
            else if (col > 0)
                jerr(c, "in the .mmr expression, column %d: %s", col, g->message);
            else
                jerr(c, "in the .mmr expression: %s", g->message);
            break;   /* the first error says it; the rest are cascades */
        }
    } else if (f->nlets != 1 || f->norder != 1 || !f->lets[0].expr) {
        jerr(c, "the .mmr text must be a single expression");
    } else {
        e = f->lets[0].expr;
        relocate(e, here(c), 0);
        normalize(c, e, 0);
    }
    mmr_diags_free(&pd);
    return e;
}

/* ------------------------------------------------------ literal values */

static mmr_expr *literal(jctx *c, json_t *v, int allow_list);

/* A number, string or boolean; with allow_list also an array of them. */
static mmr_expr *literal(jctx *c, json_t *v, int allow_list)
{
    mmr_expr *e = NULL;
    switch (json_typeof(v)) {
    case JSON_INTEGER: case JSON_REAL:
        if ((e = node(c, MMR_E_NUMBER))) e->num = json_number_value(v);
        return e;
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if (memchr(s, 0, n)) { jerr(c, "text must not contain a NUL character"); return NULL; }
        if ((e = node(c, MMR_E_TEXT))) {
            e->text = mmr_arena_strndup(c->a, s, n);
            e->text_len = n;
            if (!e->text) c->oom = 1;
        }
        return e;
    }
    case JSON_TRUE: case JSON_FALSE:
        if ((e = node(c, MMR_E_BOOL))) e->boolean = json_is_true(v);
        return e;
    case JSON_ARRAY: {
        if (!allow_list) break;
        size_t n = json_array_size(v);
        if ((e = node(c, MMR_E_LIST)) == NULL) return NULL;
        e->items = n ? mmr_arena_calloc(c->a, n * sizeof *e->items) : NULL;
        if (n && !e->items) { c->oom = 1; return NULL; }
        int kind = -1, ok = 1;
        for (size_t i = 0; i < n; i++) {
            json_t *it = json_array_get(v, i);
            size_t m = path_mark(c);
            path_index(c, i);
            int k = json_is_number(it) ? 0 : json_is_string(it) ? 1 : 2;
            if (k == 2) { jerr(c, "list items must be numbers or strings, got %s", jtype(it)); ok = 0; }
            else if (kind >= 0 && k != kind) { jerr(c, "list items must all be numbers or all be strings"); ok = 0; }
            else {
                kind = k;
                e->items[i] = literal(c, it, 0);
                if (!e->items[i]) ok = 0;
            }
            path_reset(c, m);
            if (!ok) return NULL;
        }
        e->nitems = n;
        return e;
    }
    case JSON_NULL:
        jerr(c, "null is not a value (test for absence with \"is_missing\")");
        return NULL;
    default:
        break;
    }
    jerr(c, "expected a number, string or true/false, got %s", jtype(v));
    return NULL;
}

static mmr_type literal_type(const mmr_expr *e)
{
    if (!e) return MMR_T_ERROR;
    switch (e->kind) {
    case MMR_E_NUMBER: return MMR_T_NUMBER;
    case MMR_E_TEXT: return MMR_T_TEXT;
    case MMR_E_BOOL: return MMR_T_BOOL;
    case MMR_E_LIST:
        if (e->nitems && e->items[0]) return e->items[0]->kind == MMR_E_TEXT ? MMR_T_TEXT : MMR_T_NUMBER;
        return MMR_T_ERROR;
    default: return MMR_T_ERROR;
    }
}

/* {"var": "name"} */
static int is_var_ref(json_t *v)
{
    return json_is_object(v) && json_object_size(v) == 1 && json_object_get(v, "var");
}

static const char *var_name(jctx *c, json_t *v)
{
    size_t m = path_mark(c);
    path_key(c, "var");
    json_t *n = json_object_get(v, "var");
    const char *name = NULL;
    if (!json_is_string(n)) jerr(c, "expected a name, got %s", jtype(n));
    else if (!is_ident(json_string_value(n)) || is_reserved(json_string_value(n)))
        jerr(c, "%s is not a valid name", q(c, json_string_value(n)));
    else name = json_string_value(n);
    path_reset(c, m);
    return name;
}

/* ---------------------------------------------------------- conditions */

typedef struct cond_ctx {
    int as_trait;   /* names declared from use are traits (audience) */
} cond_ctx;

static int conds(jctx *c, json_t *v, cond_ctx *cc, jvec *out);

static int push_expr(jctx *c, jvec *out, mmr_expr *e)
{
    if (!e) return -1;
    mmr_expr **s = vpush(out, sizeof *s);
    if (!s) { c->oom = 1; return -1; }
    *s = e;
    return 0;
}

static const struct { const char *key; mmr_op op; } cmp_ops[] = {
    { "==", MMR_OP_EQ }, { "!=", MMR_OP_NE }, { ">", MMR_OP_GT },
    { ">=", MMR_OP_GE }, { "<", MMR_OP_LT }, { "<=", MMR_OP_LE },
};

static mmr_expr *name_node(jctx *c, const char *name)
{
    mmr_expr *e = node(c, MMR_E_NAME);
    if (e) { e->text = adup(c, name); e->text_len = strlen(name); }
    return e;
}

/* The operand of a comparison: a literal or {"var": name}. *t gets its type
 * when known. */
static mmr_expr *operand(jctx *c, json_t *v, mmr_type lhs_type, cond_ctx *cc, int allow_list, mmr_type *t)
{
    if (is_var_ref(v)) {
        const char *n = var_name(c, v);
        if (!n) return NULL;
        size_t m = path_mark(c);
        path_key(c, "var");
        mmr_expr *e = name_node(c, n);
        mmr_type ty = use_name(c, n, lhs_type, cc->as_trait);
        path_reset(c, m);
        *t = known_type(c, n, ty);
        return e;
    }
    if (json_is_object(v)) {
        jerr(c, "expected a number, string, true/false or {\"var\": NAME}, got an object");
        return NULL;
    }
    mmr_expr *e = literal(c, v, allow_list);
    *t = literal_type(e);
    return e;
}

/* One condition on a name: {"name": {"op": operand, ...}} or shorthand
 * {"name": literal} (== literal; an array means `in`). The current path is
 * the name's. */
static int name_conds(jctx *c, const char *name, json_t *v, cond_ctx *cc, jvec *out)
{
    if (!is_ident(name) || is_reserved(name)) {
        jerr(c, "%s is not a valid signal or trait name", q(c, name));
        return -1;
    }
    mmr_var_decl *decl;
    int known = lookup(c, name, &decl);
    mmr_type lhs_type = known ? known_type(c, name, decl->type) : MMR_T_ERROR;

    if (!json_is_object(v) || is_var_ref(v)) {
        /* shorthand: equality, or membership for an array */
        if (++c->nconds > MAX_CONDS) { jerr(c, "too many conditions (more than %d)", MAX_CONDS); return -1; }
        mmr_type t = MMR_T_ERROR;
        mmr_expr *rhs = operand(c, v, lhs_type, cc, 1, &t);
        if (!rhs) return -1;
        mmr_expr *lhs = name_node(c, name);
        use_name(c, name, t, cc->as_trait);
        mmr_expr *e;
        if (rhs->kind == MMR_E_LIST) {
            if ((e = node(c, MMR_E_IN))) { e->lhs = lhs; e->rhs = rhs; }
        } else e = binary(c, MMR_OP_EQ, lhs, rhs);
        return push_expr(c, out, e);
    }
    if (json_object_size(v) == 0) {
        jerr(c, "no operator: expected one of == != > >= < <= in not_in between is_missing is_present");
        return -1;
    }
    const char *op;
    json_t *arg;
    int rc = 0;
    json_object_foreach(v, op, arg) {
        if (++c->nconds > MAX_CONDS) { jerr(c, "too many conditions (more than %d)", MAX_CONDS); return -1; }
        mmr_op cop = MMR_OP_NONE;
        for (size_t i = 0; i < sizeof cmp_ops / sizeof cmp_ops[0]; i++)
            if (!strcmp(op, cmp_ops[i].key)) cop = cmp_ops[i].op;
        size_t m = path_mark(c);
        mmr_expr *e = NULL;
        if (cop != MMR_OP_NONE) {
            path_key(c, op);
            mmr_type t = MMR_T_ERROR;
            mmr_expr *rhs = operand(c, arg, lhs_type, cc, 0, &t);
            path_reset(c, m);
            if (rhs) {
                if (t == MMR_T_ERROR && cop != MMR_OP_EQ && cop != MMR_OP_NE) t = MMR_T_NUMBER;
                use_name(c, name, t, cc->as_trait);
                e = binary(c, cop, name_node(c, name), rhs);
            }
        } else if (!strcmp(op, "in") || !strcmp(op, "not_in")) {
            path_key(c, op);
            mmr_type t = MMR_T_ERROR;
            mmr_expr *rhs = NULL;
            if (!json_is_array(arg) && !is_var_ref(arg))
                jerr(c, "expected an array of values, got %s", jtype(arg));
            else if (json_is_array(arg) && json_array_size(arg) == 0)
                jerr(c, "expected at least one value");
            else {
                /* a list-valued name: list<text> unless x is a number */
                mmr_type lt = lhs_type == MMR_T_NUMBER ? MMR_T_LIST_NUMBER : MMR_T_LIST_TEXT;
                rhs = operand(c, arg, json_is_array(arg) ? MMR_T_ERROR : lt, cc, 1, &t);
            }
            path_reset(c, m);
            if (rhs) {
                if (rhs->kind != MMR_E_LIST)
                    t = t == MMR_T_LIST_NUMBER ? MMR_T_NUMBER : t == MMR_T_LIST_TEXT ? MMR_T_TEXT : MMR_T_ERROR;
                use_name(c, name, t, cc->as_trait);
                if ((e = node(c, MMR_E_IN))) {
                    e->lhs = name_node(c, name);
                    e->rhs = rhs;
                    e->negated = op[0] == 'n';
                }
            }
        } else if (!strcmp(op, "between")) {
            path_key(c, op);
            mmr_expr *lo = NULL, *hi = NULL;
            mmr_type t1 = MMR_T_ERROR, t2 = MMR_T_ERROR;
            if (!json_is_array(arg) || json_array_size(arg) != 2)
                jerr(c, "expected [LOW, HIGH], got %s", json_is_array(arg) ? "an array of another size" : jtype(arg));
            else {
                size_t m2 = path_mark(c);
                path_index(c, 0);
                lo = operand(c, json_array_get(arg, 0), lhs_type, cc, 0, &t1);
                path_reset(c, m2);
                path_index(c, 1);
                hi = operand(c, json_array_get(arg, 1), lhs_type, cc, 0, &t2);
                path_reset(c, m2);
            }
            path_reset(c, m);
            if (lo && hi) {
                use_name(c, name, t1 != MMR_T_ERROR ? t1 : t2 != MMR_T_ERROR ? t2 : MMR_T_NUMBER, cc->as_trait);
                if ((e = node(c, MMR_E_BETWEEN))) {
                    e->lhs = name_node(c, name);
                    e->rhs = lo;
                    e->third = hi;
                }
            }
        } else if (!strcmp(op, "is_missing") || !strcmp(op, "is_present")) {
            path_key(c, op);
            if (!json_is_boolean(arg)) jerr(c, "expected true or false, got %s", jtype(arg));
            path_reset(c, m);
            if (json_is_boolean(arg)) {
                use_name(c, name, MMR_T_ERROR, cc->as_trait);
                if ((e = node(c, MMR_E_IS_MISSING))) {
                    e->lhs = name_node(c, name);
                    /* is_missing: true / is_present: false => is missing */
                    e->negated = (op[3] == 'p') == json_is_true(arg);
                }
            }
        } else {
            mmr_diag *g = jerr(c, "unknown operator %s", q(c, op));
            mmr_diag_set_hint(g, "operators are == != > >= < <= in not_in between is_missing is_present");
        }
        if (!e) rc = -1;
        else if (push_expr(c, out, e)) rc = -1;
    }
    return rc;
}

/* A list of condition objects ("any"/"all" arrays). Each element's
 * conditions are ANDed; the elements are joined with `op`. */
static mmr_expr *cond_list(jctx *c, json_t *v, cond_ctx *cc, mmr_op op)
{
    if (!json_is_array(v)) { jerr(c, "expected an array of conditions, got %s", jtype(v)); return NULL; }
    if (json_array_size(v) == 0) { jerr(c, "expected at least one condition"); return NULL; }
    jvec parts = {0};
    int bad = 0;
    for (size_t i = 0; i < json_array_size(v); i++) {
        size_t m = path_mark(c);
        path_index(c, i);
        jvec and_parts = {0};
        if (conds(c, json_array_get(v, i), cc, &and_parts) == 0) {
            mmr_expr *e = chain_build(c, MMR_OP_AND, and_parts.v, and_parts.n);
            if (push_expr(c, &parts, e)) bad = 1;
        } else bad = 1;
        free(and_parts.v);
        path_reset(c, m);
    }
    mmr_expr *r = bad ? NULL : chain_build(c, op, parts.v, parts.n);
    free(parts.v);
    return r;
}

/* A condition object (keys ANDed) or an array of them (all ANDed): append
 * the conjuncts to out. */
static int conds(jctx *c, json_t *v, cond_ctx *cc, jvec *out)
{
    if (c->depth >= MAX_COND_DEPTH) {
        jerr(c, "conditions nested too deep (more than %d levels)", MAX_COND_DEPTH);
        return -1;
    }
    c->depth++;
    int rc = 0;
    if (json_is_array(v)) {
        if (json_array_size(v) == 0) { jerr(c, "expected at least one condition"); rc = -1; }
        for (size_t i = 0; i < json_array_size(v); i++) {
            size_t m = path_mark(c);
            path_index(c, i);
            if (conds(c, json_array_get(v, i), cc, out)) rc = -1;
            path_reset(c, m);
        }
        c->depth--;
        return rc;
    }
    if (!json_is_object(v)) {
        jerr(c, "expected an object of conditions, got %s", jtype(v));
        c->depth--;
        return -1;
    }
    if (json_object_size(v) == 0) {
        jerr(c, "expected at least one condition");
        c->depth--;
        return -1;
    }
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val) {
        size_t m = path_mark(c);
        path_key(c, key);
        if (!strcmp(key, "all")) {
            if (!json_is_array(val)) { jerr(c, "expected an array of conditions, got %s", jtype(val)); rc = -1; }
            else if (json_array_size(val) == 0) { jerr(c, "expected at least one condition"); rc = -1; }
            else if (conds(c, val, cc, out)) rc = -1;
        } else if (!strcmp(key, "any")) {
            c->depth++;
            mmr_expr *e = c->depth > MAX_COND_DEPTH ? NULL : cond_list(c, val, cc, MMR_OP_OR);
            if (c->depth > MAX_COND_DEPTH) jerr(c, "conditions nested too deep (more than %d levels)", MAX_COND_DEPTH);
            c->depth--;
            if (push_expr(c, out, e)) rc = -1;
        } else if (!strcmp(key, "not")) {
            jvec inner = {0};
            if (conds(c, val, cc, &inner) == 0) {
                mmr_expr *e = node(c, MMR_E_UNARY);
                if (e) {
                    e->op = MMR_OP_NOT;
                    e->lhs = chain_build(c, MMR_OP_AND, inner.v, inner.n);
                }
                if (push_expr(c, out, e)) rc = -1;
            } else rc = -1;
            free(inner.v);
        } else if (!strcmp(key, "mmr")) {
            if (++c->nconds > MAX_CONDS) { jerr(c, "too many conditions (more than %d)", MAX_CONDS); rc = -1; }
            else if (push_expr(c, out, parse_mmr(c, val))) rc = -1;
        } else if (name_conds(c, key, val, cc, out)) {
            rc = -1;
        }
        path_reset(c, m);
    }
    c->depth--;
    return rc;
}

/* The depth of an expression tree (root = 1), without recursion, capped
 * just past MAX_TREE_DEPTH. */
static int tree_depth(const mmr_expr *root)
{
    typedef struct { const mmr_expr *e; int d; } frame;
    jvec st = {0};
    int max = 0;
    frame *f0 = vpush(&st, sizeof *f0);
    if (!f0) return 0;
    f0->e = root;
    f0->d = 1;
    while (st.n) {
        frame f = ((frame *)st.v)[--st.n];
        if (!f.e) continue;
        if (f.d > max) max = f.d;
        if (max > MAX_TREE_DEPTH) break;
        const mmr_expr *kids[3] = { f.e->lhs, f.e->rhs, f.e->third };
        for (int i = 0; i < 3; i++) {
            if (!kids[i]) continue;
            frame *k = vpush(&st, sizeof *k);
            if (!k) { free(st.v); return max; }
            k->e = kids[i];
            k->d = f.d + 1;
        }
        for (size_t i = 0; i < f.e->nitems; i++) {
            const mmr_expr *two[2] = { f.e->items ? f.e->items[i] : NULL, f.e->keys ? f.e->keys[i] : NULL };
            for (int j = 0; j < 2; j++) {
                if (!two[j]) continue;
                frame *k = vpush(&st, sizeof *k);
                if (!k) { free(st.v); return max; }
                k->e = two[j];
                k->d = f.d + 1;
            }
        }
    }
    free(st.v);
    return max;
}

/* Expressions deeper than the parser accepts would print to text that
 * does not parse back: refuse them here. */
static mmr_expr *depth_ok(jctx *c, mmr_expr *e)
{
    if (e && tree_depth(e) > MAX_TREE_DEPTH) {
        jerr(c, "expression nested too deeply (limit %d)", MAX_TREE_DEPTH);
        return NULL;
    }
    return e;
}

/* A whole condition tree ("if", "traits_filter_json") as one expression. */
static mmr_expr *cond_expr(jctx *c, json_t *v, int as_trait)
{
    cond_ctx cc = { as_trait };
    jvec parts = {0};
    c->depth = 0;
    c->nconds = 0;
    mmr_expr *e = NULL;
    if (conds(c, v, &cc, &parts) == 0) e = chain_build(c, MMR_OP_AND, parts.v, parts.n);
    free(parts.v);
    if (e) normalize(c, e, 0);
    return depth_ok(c, e);
}

/* ----------------------------------------------------------- row fields */

/* Get an optional member; null counts as absent. Pushes its key on the
 * path when present (caller resets). */
static json_t *member(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_null(v) ? NULL : v;
}

static const char *string_field(jctx *c, json_t *obj, const char *key, int required)
{
    json_t *v = member(obj, key);
    if (!v) {
        if (required) jerr(c, "missing required field %s", q(c, key));
        return NULL;
    }
    size_t m = path_mark(c);
    path_key(c, key);
    const char *r = NULL;
    if (!json_is_string(v)) jerr(c, "expected a string, got %s", jtype(v));
    else if (memchr(json_string_value(v), 0, json_string_length(v))) jerr(c, "text must not contain a NUL character");
    else r = adup(c, json_string_value(v));
    path_reset(c, m);
    return r;
}

static void warn_unknown_fields(jctx *c, json_t *obj, const char *const *known)
{
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val) {
        int ok = 0;
        for (size_t i = 0; known[i] && !ok; i++) ok = !strcmp(key, known[i]);
        if (ok) continue;
        size_t m = path_mark(c);
        path_key(c, key);
        jwarn(c, "unknown field %s is ignored", q(c, key));
        path_reset(c, m);
    }
}

/* Make a usable identifier out of a name from the database; warn when it
 * had to change. */
static const char *ident_from(jctx *c, const char *s, const char *what, const char *prefix)
{
    if (is_ident(s) && !is_reserved(s)) return adup(c, s);
    mmr_buf b;
    mmr_buf_init(&b);
    int pending = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (ident_char(*p, 0)) {
            if (pending && b.len) mmr_buf_putc(&b, '_');
            pending = 0;
            mmr_buf_putc(&b, (char)*p);
        } else pending = 1;
    }
    if (!b.len || !ident_char((unsigned char)b.data[0], 1)) {
        mmr_buf tmp;
        mmr_buf_init(&tmp);
        mmr_buf_puts(&tmp, prefix);
        if (b.len) mmr_buf_append(&tmp, b.data, b.len);
        mmr_buf_free(&b);
        b = tmp;
    }
    if (is_reserved(b.data)) mmr_buf_putc(&b, '_');
    const char *r = adup(c, b.data ? b.data : prefix);
    mmr_buf_free(&b);
    jwarn(c, "%s %s is not a valid .mmr name; using %s", what, q(c, s), r ? r : "?");
    return r;
}

/* An identifier-like word (tone, category). */
static const char *word_field(jctx *c, json_t *obj, const char *key, int required)
{
    const char *s = string_field(c, obj, key, required);
    if (!s) return NULL;
    if (!is_ident(s) || is_reserved(s)) {
        size_t m = path_mark(c);
        path_key(c, key);
        jerr(c, "%s must be one word of letters, digits and _, got %s", key, q(c, s));
        path_reset(c, m);
        return NULL;
    }
    return s;
}

/* ------------------------------------------------------------ templates */

static const char *const template_fields[] = {
    "template_id", "title", "body", "tone", "variables_json", "category",
    "created_at", "updated_at", NULL
};

static void template_row(jctx *c, json_t *row)
{
    if (!json_is_object(row)) { jerr(c, "expected a template row (an object), got %s", jtype(row)); return; }
    warn_unknown_fields(c, row, template_fields);
    mmr_template t;
    memset(&t, 0, sizeof t);
    t.loc = here(c);
    size_t m = path_mark(c);
    json_t *id = member(row, "template_id");
    if (!id) { jerr(c, "missing required field \"template_id\""); return; }
    path_key(c, "template_id");
    if (!json_is_string(id)) { jerr(c, "expected a string, got %s", jtype(id)); path_reset(c, m); return; }
    t.id = ident_from(c, json_string_value(id), "template id", "T_");
    path_reset(c, m);
    if (!t.id) return;
    size_t first;
    if (mmr_strmap_get(&c->tpl_ids, t.id, &first)) {
        path_key(c, "template_id");
        jerr(c, "duplicate template %s (first at %s)", q(c, t.id), ((const char **)c->tpl_paths.v)[first]);
        path_reset(c, m);
        return;
    }
    int errs = (int)c->d->errors;
    t.title = string_field(c, row, "title", 1);
    t.body = string_field(c, row, "body", 1);
    t.tone = word_field(c, row, "tone", 0);
    t.category = word_field(c, row, "category", 0);
    path_key(c, "title"); t.title_loc = here(c); path_reset(c, m);
    path_key(c, "body"); t.body_loc = here(c); path_reset(c, m);
    path_key(c, "tone"); t.tone_loc = here(c); path_reset(c, m);
    path_key(c, "category"); t.category_loc = here(c); path_reset(c, m);

    /* variables_json: the placeholder names, as an array or object keys */
    json_t *vars = member(row, "variables_json");
    if (vars && t.title && t.body) {
        path_key(c, "variables_json");
        json_t *hold = NULL;
        json_t *vv = maybe_nested(c, vars, &hold);
        if (vv && !json_is_array(vv) && !json_is_object(vv) && !json_is_null(vv)) {
            jerr(c, "expected an array of placeholder names, got %s", jtype(vv));
        } else if (vv && !json_is_null(vv)) {
            size_t n = json_is_array(vv) ? json_array_size(vv) : json_object_size(vv);
            void *it = json_is_object(vv) ? json_object_iter(vv) : NULL;
            for (size_t i = 0; i < n; i++) {
                const char *name;
                size_t m2 = path_mark(c);
                if (json_is_array(vv)) {
                    json_t *x = json_array_get(vv, i);
                    path_index(c, i);
                    if (!json_is_string(x)) { jerr(c, "expected a placeholder name, got %s", jtype(x)); path_reset(c, m2); continue; }
                    name = json_string_value(x);
                } else {
                    name = json_object_iter_key(it);
                    it = json_object_iter_next(vv, it);
                    path_key(c, name);
                }
                /* is it used in the title or body? */
                int used = 0;
                const char *texts[2] = { t.title, t.body };
                for (int k = 0; k < 2 && !used; k++) {
                    size_t pos = 0;
                    for (;;) {
                        mmr_seg s = mmr_template_next(texts[k], strlen(texts[k]), &pos);
                        if (s.kind == MMR_SEG_END || s.kind == MMR_SEG_ERROR) break;
                        if (s.kind == MMR_SEG_PLACEHOLDER && s.name_len == strlen(name) &&
                            !memcmp(s.name, name, s.name_len)) { used = 1; break; }
                    }
                }
                if (!used) jwarn(c, "variable %s is not a placeholder of the title or body", q(c, name));
                path_reset(c, m2);
            }
        }
        if (hold) json_decref(hold);
        path_reset(c, m);
    }
    if ((int)c->d->errors != errs) return;
    mmr_template *slot = vpush(&c->templates, sizeof *slot);
    const char **ps = vpush(&c->tpl_paths, sizeof *ps);
    if (!slot || !ps) { c->oom = 1; return; }
    *slot = t;
    *ps = adup(c, cur_path(c));
    if (mmr_strmap_put(&c->tpl_ids, slot->id, c->templates.n - 1)) c->oom = 1;
}

/* ---------------------------------------------------------------- rules */

static const char *const rule_fields[] = {
    "rule_id", "name", "description", "priority", "cooldown_days",
    "cooldown_seconds", "traits_filter_json", "expression_json",
    "message_template_id", "category", "created_at", "updated_at", NULL
};

static const char *const expr_fields[] = {
    "if", "mmr", "for_each", "message_template_id", "category", "with", "variables", NULL
};

static const mmr_template *find_template(jctx *c, const char *id)
{
    size_t i;
    return mmr_strmap_get(&c->tpl_ids, id, &i) ? &((mmr_template *)c->templates.v)[i] : NULL;
}

/* The format of placeholder `name` in a template ("" none), or NULL. */
static int placeholder_numeric(const mmr_template *t, const char *name)
{
    const char *texts[2] = { t->title, t->body };
    for (int k = 0; k < 2; k++) {
        if (!texts[k]) continue;
        size_t pos = 0;
        for (;;) {
            mmr_seg s = mmr_template_next(texts[k], strlen(texts[k]), &pos);
            if (s.kind == MMR_SEG_END || s.kind == MMR_SEG_ERROR) break;
            if (s.kind == MMR_SEG_PLACEHOLDER && s.name_len == strlen(name) &&
                !memcmp(s.name, name, s.name_len)) return s.fmt_len > 0;
        }
    }
    return -1;
}

/* A per-key rule's "for_each": {"var": K, "in": MAP, "where": P,
 * "rank_by": R}, the parts .mmr text ("rank_by" optional). */
static mmr_expr *for_each_expr(jctx *c, json_t *fe, mmr_rule *r)
{
    if (!json_is_object(fe)) {
        jerr(c, "expected an object with \"var\", \"in\", \"where\" and optionally \"rank_by\", got %s", jtype(fe));
        return NULL;
    }
    static const char *const fields[] = { "var", "in", "where", "rank_by", NULL };
    warn_unknown_fields(c, fe, fields);
    size_t m = path_mark(c);
    mmr_expr *e = mmr_expr_new(c->a, MMR_E_QUANT, here(c));
    if (!e) { c->oom = 1; return NULL; }
    e->op = MMR_OP_EACH;
    json_t *var = member(fe, "var");
    path_key(c, "var");
    r->each_var_loc = here(c);
    if (!var) jerr(c, "missing required field \"var\": the name of the key");
    else if (!json_is_string(var) || !is_ident(json_string_value(var)))
        jerr(c, "\"var\" must be a name such as \"cat\", got %s", json_is_string(var) ? "a string that is not a name" : jtype(var));
    else e->text = mmr_arena_strdup(c->a, json_string_value(var));
    path_reset(c, m);
    static const char *const parts[] = { "in", "where", "rank_by" };
    for (int k = 0; k < 3; k++) {
        json_t *v = member(fe, parts[k]);
        if (!v) {
            if (k < 2) jerr(c, "missing required field \"%s\"", parts[k]);
            continue;
        }
        path_key(c, parts[k]);
        mmr_expr *x = depth_ok(c, parse_mmr(c, v));
        path_reset(c, m);
        if (k == 0) e->lhs = x; else if (k == 1) e->rhs = x; else e->third = x;
    }
    if (!e->text || !e->lhs || !e->rhs) return NULL;
    return e;
}

/* A `with` value: a literal, {"var": NAME} or {"mmr": TEXT}. */
static mmr_expr *binding_value(jctx *c, json_t *v, mmr_type want)
{
    if (json_is_object(v) && json_object_size(v) == 1 && json_object_get(v, "mmr")) {
        size_t m = path_mark(c);
        path_key(c, "mmr");
        mmr_expr *e = parse_mmr(c, json_object_get(v, "mmr"));
        path_reset(c, m);
        return e;
    }
    if (is_var_ref(v)) {
        const char *n = var_name(c, v);
        if (!n) return NULL;
        size_t m = path_mark(c);
        path_key(c, "var");
        mmr_expr *e = name_node(c, n);
        use_name(c, n, want, 0);
        path_reset(c, m);
        return e;
    }
    if (json_is_object(v)) {
        jerr(c, "expected a value, {\"var\": NAME} or {\"mmr\": EXPRESSION}, got an object with other keys");
        return NULL;
    }
    return literal(c, v, 1);
}

static int cooldown(jctx *c, json_t *row, mmr_rule *r)
{
    json_t *days = member(row, "cooldown_days");
    json_t *secs = member(row, "cooldown_seconds");
    size_t m = path_mark(c);
    double s = 0;
    int have = 0;
    if (secs) {
        path_key(c, "cooldown_seconds");
        if (!json_is_number(secs)) { jerr(c, "expected a number of seconds, got %s", jtype(secs)); path_reset(c, m); return -1; }
        s = json_number_value(secs);
        if (s < 0) { jerr(c, "cooldown_seconds must not be negative"); path_reset(c, m); return -1; }
        if (s != floor(s) || s > MAX_COOLDOWN_DAYS * 86400) {
            jerr(c, "cooldown_seconds must be a whole number of seconds up to %g days", MAX_COOLDOWN_DAYS);
            path_reset(c, m);
            return -1;
        }
        have = 1;
        r->cooldown_loc = here(c);
        path_reset(c, m);
    }
    if (days) {
        path_key(c, "cooldown_days");
        if (!json_is_number(days)) { jerr(c, "expected a number of days, got %s", jtype(days)); path_reset(c, m); return -1; }
        double dd = json_number_value(days);
        if (dd < 0) {
            mmr_buf nb;
            mmr_buf_init(&nb);
            mmr_buf_number(&nb, dd);
            jerr(c, "cooldown_days must not be negative, got %s", nb.data ? nb.data : "?");
            mmr_buf_free(&nb);
            path_reset(c, m);
            return -1;
        }
        if (dd > MAX_COOLDOWN_DAYS) { jerr(c, "cooldown_days must be at most %g", MAX_COOLDOWN_DAYS); path_reset(c, m); return -1; }
        double ds = dd * 86400.0;
        double rs = floor(ds + 0.5);
        if (fabs(ds - rs) > 1e-6) rs = ds;  /* not whole seconds: caught below */
        if (have && fabs(rs - s) > 0.5) {
            jerr(c, "cooldown_days and cooldown_seconds disagree");
            path_reset(c, m);
            return -1;
        }
        if (!have) { s = rs; have = 1; r->cooldown_loc = here(c); }
        path_reset(c, m);
    }
    if (!have || s == 0) return 0;
    int64_t si = (int64_t)s;
    char buf[40];
    if ((double)si != s || si % 60) {
        path_key(c, secs ? "cooldown_seconds" : "cooldown_days");
        jerr(c, "the cooldown must be a whole number of minutes");
        path_reset(c, m);
        return -1;
    }
    if (si % 86400 == 0) snprintf(buf, sizeof buf, "%lldd", (long long)(si / 86400));
    else if (si % 3600 == 0) snprintf(buf, sizeof buf, "%lldh", (long long)(si / 3600));
    else snprintf(buf, sizeof buf, "%lldm", (long long)(si / 60));
    r->cooldown_s = si;
    r->cooldown_src = adup(c, buf);
    return 0;
}

static void rule_row(jctx *c, json_t *row)
{
    if (!json_is_object(row)) { jerr(c, "expected a rule row (an object), got %s", jtype(row)); return; }
    warn_unknown_fields(c, row, rule_fields);
    int errs = (int)c->d->errors;
    mmr_rule r;
    memset(&r, 0, sizeof r);
    r.loc = here(c);
    r.template_index = -1;
    size_t m = path_mark(c);

    /* name: `name`, else `rule_id` */
    json_t *name = member(row, "name");
    json_t *rid = member(row, "rule_id");
    if (name) {
        path_key(c, "name");
        if (!json_is_string(name)) jerr(c, "expected a string, got %s", jtype(name));
        else r.name = ident_from(c, json_string_value(name), "rule name", "rule_");
        path_reset(c, m);
    } else if (rid) {
        path_key(c, "rule_id");
        if (json_is_string(rid)) r.name = ident_from(c, json_string_value(rid), "rule id", "rule_");
        else if (json_is_integer(rid)) {
            char buf[40];
            snprintf(buf, sizeof buf, "rule_%lld", (long long)json_integer_value(rid));
            r.name = adup(c, buf);
        } else jerr(c, "expected a string or integer, got %s", jtype(rid));
        path_reset(c, m);
    } else {
        jerr(c, "missing required field \"name\"");
    }
    if (rid && name) {
        path_key(c, "rule_id");
        if (!json_is_string(rid) && !json_is_integer(rid)) jerr(c, "expected a string or integer, got %s", jtype(rid));
        path_reset(c, m);
    }
    if (r.name) {
        size_t first;
        if (mmr_strmap_get(&c->rule_names, r.name, &first)) {
            path_key(c, name ? "name" : "rule_id");
            jerr(c, "duplicate rule %s (first at %s)", q(c, r.name), ((const char **)c->rule_paths.v)[first]);
            path_reset(c, m);
            return;
        }
    }

    r.description = string_field(c, row, "description", 0);
    path_key(c, "description"); r.description_loc = here(c); path_reset(c, m);

    json_t *pr = member(row, "priority");
    if (!pr) jerr(c, "missing required field \"priority\"");
    else {
        path_key(c, "priority");
        if (!json_is_number(pr)) jerr(c, "expected an integer from 0 to 1000, got %s", jtype(pr));
        else {
            double p = json_number_value(pr);
            if (p != floor(p) || p < 0 || p > 1000) {
                mmr_buf nb;
                mmr_buf_init(&nb);
                mmr_buf_number(&nb, p);
                jerr(c, "priority must be an integer from 0 to 1000, got %s", nb.data ? nb.data : "?");
                mmr_buf_free(&nb);
            } else {
                r.has_priority = 1;
                r.priority = p;
            }
        }
        r.priority_loc = here(c);
        path_reset(c, m);
    }
    cooldown(c, row, &r);

    /* expression_json */
    json_t *ex = member(row, "expression_json");
    json_t *hold = NULL;
    const char *msg_outer = string_field(c, row, "message_template_id", 0);
    const char *cat_outer = word_field(c, row, "category", 0);
    const char *msg_inner = NULL, *cat_inner = NULL;
    int ex_ok = 0;
    if (!ex) jerr(c, "missing required field \"expression_json\"");
    else {
        if (!c->bare) path_key(c, "expression_json");
        size_t me = path_mark(c);
        json_t *x = maybe_nested(c, ex, &hold);
        if (x && !json_is_object(x)) jerr(c, "expected an object with \"if\" and \"message_template_id\", got %s", jtype(x));
        else if (x) {
            ex_ok = 1;
            warn_unknown_fields(c, x, expr_fields);
            json_t *cond = member(x, "if");
            json_t *text = member(x, "mmr");
            json_t *each = member(x, "for_each");
            if ((cond || text) && each) jerr(c, "give either \"%s\" or \"for_each\", not both", cond ? "if" : "mmr");
            else if (each) {
                path_key(c, "for_each");
                r.when_loc = here(c);
                r.when = for_each_expr(c, each, &r);
                path_reset(c, me);
            }
            else if (cond && text) jerr(c, "give either \"if\" or \"mmr\", not both");
            else if (!cond && !text) jerr(c, "missing required field \"if\"");
            else if (cond) {
                path_key(c, "if");
                r.when_loc = here(c);
                r.when = cond_expr(c, cond, 0);
                path_reset(c, me);
            } else {
                path_key(c, "mmr");
                r.when_loc = here(c);
                r.when = depth_ok(c, parse_mmr(c, text));
                path_reset(c, me);
            }
            msg_inner = string_field(c, x, "message_template_id", 0);
            cat_inner = word_field(c, x, "category", 0);
            path_key(c, "message_template_id"); r.message_loc = here(c); path_reset(c, me);
            path_key(c, "category"); r.category_loc = here(c); path_reset(c, me);

            json_t *with = member(x, "with");
            const char *with_key = "with";
            if (!with) { with = member(x, "variables"); with_key = "variables"; }
            else if (member(x, "variables")) {
                path_key(c, "variables");
                jerr(c, "give either \"with\" or \"variables\", not both");
                path_reset(c, me);
            }
            if (with) {
                path_key(c, with_key);
                if (!json_is_object(with)) jerr(c, "expected an object of NAME: value, got %s", jtype(with));
                else if (json_object_size(with)) {
                    const char *tid = msg_inner ? msg_inner : msg_outer;
                    const mmr_template *tp = tid ? find_template(c, tid) : NULL;
                    size_t n = json_object_size(with), i = 0;
                    r.with = mmr_arena_calloc(c->a, n * sizeof *r.with);
                    if (!r.with) c->oom = 1;
                    const char *bk;
                    json_t *bv;
                    json_object_foreach(with, bk, bv) {
                        if (!r.with) break;
                        size_t mb = path_mark(c);
                        path_key(c, bk);
                        if (!is_ident(bk) || is_reserved(bk)) jerr(c, "%s is not a valid name", q(c, bk));
                        else {
                            int num = tp ? placeholder_numeric(tp, bk) : -1;
                            mmr_type want = num == 1 ? MMR_T_NUMBER : num == 0 ? MMR_T_TEXT : MMR_T_ERROR;
                            mmr_expr *e = binding_value(c, bv, want);
                            if (e) normalize(c, e, 0);
                            if ((e = depth_ok(c, e))) {
                                r.with[i].loc = here(c);
                                r.with[i].name = adup(c, bk);
                                r.with[i].expr = e;
                                i++;
                            }
                        }
                        path_reset(c, mb);
                    }
                    r.nwith = i;
                }
                path_reset(c, me);
            }
        }
        path_reset(c, m);
    }
    /* message_template_id and category: inside expression_json (the spec)
     * or on the row; both places must agree. */
    if (msg_inner && msg_outer && strcmp(msg_inner, msg_outer)) {
        path_key(c, "message_template_id");
        jerr(c, "disagrees with expression_json.message_template_id %s", q(c, msg_inner));
        path_reset(c, m);
    }
    if (cat_inner && cat_outer && strcmp(cat_inner, cat_outer)) {
        path_key(c, "category");
        jerr(c, "disagrees with expression_json.category %s", q(c, cat_inner));
        path_reset(c, m);
    }
    const char *msg = msg_inner ? msg_inner : msg_outer;
    if (!msg_inner && msg_outer) { path_key(c, "message_template_id"); r.message_loc = here(c); path_reset(c, m); }
    if (!cat_inner && cat_outer) { path_key(c, "category"); r.category_loc = here(c); path_reset(c, m); }
    if (ex_ok && !msg) {
        if (!c->bare) path_key(c, "expression_json");
        jerr(c, "missing required field \"message_template_id\"");
        path_reset(c, m);
    }
    if (msg) {
        if (!c->bare || !msg_inner) path_key(c, msg_inner ? "expression_json" : "message_template_id");
        if (msg_inner) path_key(c, "message_template_id");
        r.message = ident_from(c, msg, "template id", "T_");
        path_reset(c, m);
    }
    r.category = cat_inner ? cat_inner : cat_outer;

    json_t *tf = member(row, "traits_filter_json");
    if (tf) {
        path_key(c, "traits_filter_json");
        json_t *th = NULL;
        json_t *tv = maybe_nested(c, tf, &th);
        /* an empty filter means everyone */
        int empty = !tv || json_is_null(tv) || (json_is_object(tv) && json_object_size(tv) == 0) ||
                    (json_is_array(tv) && json_array_size(tv) == 0);
        if (tv && !empty) {
            r.audience_loc = here(c);
            r.audience = cond_expr(c, tv, 1);
        }
        if (th) json_decref(th);
        path_reset(c, m);
    }
    if (hold) json_decref(hold);

    if ((int)c->d->errors != errs || !r.name) return;
    mmr_rule *slot = vpush(&c->rules, sizeof *slot);
    const char **ps = vpush(&c->rule_paths, sizeof *ps);
    if (!slot || !ps) { c->oom = 1; return; }
    *slot = r;
    *ps = adup(c, cur_path(c));
    if (mmr_strmap_put(&c->rule_names, slot->name, c->rules.n - 1)) c->oom = 1;
}

/* ------------------------------------------- signal/trait declarations */

static const char *const decl_fields[] = { "name", "type", "description", NULL };

static int parse_type(const char *s, mmr_type *t)
{
    static const struct { const char *n; mmr_type t; } types[] = {
        { "number", MMR_T_NUMBER }, { "bool", MMR_T_BOOL }, { "text", MMR_T_TEXT },
        { "list<text>", MMR_T_LIST_TEXT }, { "list<number>", MMR_T_LIST_NUMBER },
        { "map<number>", MMR_T_MAP_NUMBER },
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(s, types[i].n)) { *t = types[i].t; return 1; }
    return 0;
}

static void decl_row(jctx *c, json_t *row, int trait)
{
    if (!json_is_object(row)) { jerr(c, "expected a %s declaration (an object), got %s", trait ? "trait" : "signal", jtype(row)); return; }
    warn_unknown_fields(c, row, decl_fields);
    int errs = (int)c->d->errors;
    const char *name = string_field(c, row, "name", 1);
    const char *type = string_field(c, row, "type", 1);
    const char *doc = string_field(c, row, "description", 0);
    size_t m = path_mark(c);
    mmr_type t = MMR_T_ERROR;
    if (name && (!is_ident(name) || is_reserved(name))) {
        path_key(c, "name");
        jerr(c, "%s is not a valid name", q(c, name));
        path_reset(c, m);
    }
    if (type && !parse_type(type, &t)) {
        path_key(c, "type");
        jerr(c, "unknown type %s (number, bool, text, list<text>, list<number>, map<number>)", q(c, type));
        path_reset(c, m);
    }
    if ((int)c->d->errors != errs) return;
    mmr_var_decl *g;
    int where = lookup(c, name, &g);
    if (where) {
        path_key(c, "name");
        jerr(c, "%s is already declared%s", q(c, name), where == 1 ? " by " STD_PATH : "");
        path_reset(c, m);
        return;
    }
    jvec *v = trait ? &c->traits : &c->signals;
    mmr_var_decl *nd = vpush(v, sizeof *nd);
    if (!nd) { c->oom = 1; return; }
    if (mmr_strmap_put(&c->decls, name, (v->n - 1) * 2 + (trait != 0))) c->oom = 1;
    nd->loc = here(c);
    nd->name = name;
    nd->type = t;
    nd->doc = doc;
}

/* --------------------------------------------------------- the document */

static int is_template_row(json_t *row)
{
    return json_is_object(row) && json_object_get(row, "template_id");
}

static int is_rule_row(json_t *row)
{
    return json_is_object(row) && (json_object_get(row, "expression_json") ||
                                   json_object_get(row, "rule_id") ||
                                   json_object_get(row, "name") ||
                                   json_object_get(row, "priority"));
}

/* The spec's FR-MM-2 example is an expression_json alone: {"if": …,
 * "message_template_id": …}. */
static int is_bare_rule(json_t *row)
{
    return json_is_object(row) && !json_object_get(row, "expression_json") &&
           (json_object_get(row, "if") || json_object_get(row, "mmr")) &&
           json_object_get(row, "message_template_id");
}

/* A bare expression becomes a rule named after its template (lower case)
 * with priority 0, and a warning that says how to choose both. */
static void bare_rule(jctx *c, json_t *x)
{
    const char *tid = json_string_value(json_object_get(x, "message_template_id"));
    mmr_buf nb;
    mmr_buf_init(&nb);
    for (const char *p = tid ? tid : "rule"; *p; p++) mmr_buf_putc(&nb, (char)tolower((unsigned char)*p));
    json_t *row = json_object();
    if (!row || nb.oom) { c->oom = 1; json_decref(row); mmr_buf_free(&nb); return; }
    json_object_set_new(row, "name", json_stringn_nocheck(nb.data ? nb.data : "rule", nb.data ? nb.len : 4));
    json_object_set_new(row, "priority", json_integer(0));
    json_object_set(row, "expression_json", x);
    mmr_diag *w = jwarn(c, "a bare rule expression: made rule %s with priority 0", q(c, nb.data ? nb.data : "rule"));
    mmr_diag_set_hint(w, "to choose them, write a rule row: {\"name\": …, \"priority\": N, \"expression_json\": {\"if\": …, \"message_template_id\": …}}");
    mmr_buf_free(&nb);
    c->bare = 1;
    rule_row(c, row);
    c->bare = 0;
    json_decref(row);
}

static void each_row(jctx *c, json_t *arr, const char *key, int want_templates)
{
    size_t m = path_mark(c);
    if (key) path_key(c, key);
    if (!json_is_array(arr)) {
        jerr(c, "expected an array of rows, got %s", jtype(arr));
        path_reset(c, m);
        return;
    }
    for (size_t i = 0; i < json_array_size(arr) && !c->oom; i++) {
        json_t *row = json_array_get(arr, i);
        size_t mi = path_mark(c);
        path_index(c, i);
        if (key) {
            if (want_templates) template_row(c, row);
            else rule_row(c, row);
        } else if (is_template_row(row)) {
            if (want_templates) template_row(c, row);
        } else if (is_bare_rule(row)) {
            if (!want_templates) bare_rule(c, row);
        } else if (is_rule_row(row)) {
            if (!want_templates) rule_row(c, row);
        } else if (want_templates) {
            jerr(c, "neither a rule row (rule_id, name, expression_json) nor a template row (template_id)");
        }
        path_reset(c, mi);
    }
    path_reset(c, m);
}

static void each_decl(jctx *c, json_t *arr, const char *key, int trait)
{
    size_t m = path_mark(c);
    path_key(c, key);
    if (!json_is_array(arr)) jerr(c, "expected an array of declarations, got %s", jtype(arr));
    else {
        for (size_t i = 0; i < json_array_size(arr); i++) {
            size_t mi = path_mark(c);
            path_index(c, i);
            decl_row(c, json_array_get(arr, i), trait);
            path_reset(c, mi);
        }
    }
    path_reset(c, m);
}

/* "TEMPLATE\x1fNAME": the key of a (template, binding name) pair. */
static const char *pair_key(jctx *c, const char *tid, const char *name)
{
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_buf_printf(&b, "%s\x1f%s", tid, name);
    const char *k = b.data ? adup(c, b.data) : NULL;
    mmr_buf_free(&b);
    if (!k) c->oom = 1;
    return k;
}

/* Counts, in one pass over the rules, how many rules use each template
 * (users: id -> n) and how many of those bind each name (binders:
 * "id\x1fname" -> n; last: the same key -> index + 1 of the last rule
 * counted, so a rule counts once). A scan of every rule per placeholder
 * would be quadratic. */
static void count_binders(jctx *c, mmr_strmap *users, mmr_strmap *binders, mmr_strmap *last)
{
    mmr_rule *rv = c->rules.v;
    for (size_t j = 0; j < c->rules.n && !c->oom; j++) {
        if (!rv[j].message) continue;
        size_t n = 0;
        mmr_strmap_get(users, rv[j].message, &n);
        if (mmr_strmap_put(users, rv[j].message, n + 1)) { c->oom = 1; return; }
        for (size_t b = 0; b < rv[j].nwith; b++) {
            const char *k = pair_key(c, rv[j].message, rv[j].with[b].name);
            if (!k) return;
            size_t seen = 0;
            if (mmr_strmap_get(last, k, &seen) && seen == j + 1) continue;
            n = 0;
            mmr_strmap_get(binders, k, &n);
            if (mmr_strmap_put(binders, k, n + 1) || mmr_strmap_put(last, k, j + 1)) { c->oom = 1; return; }
        }
    }
}

/* Placeholders no rule binds and no declaration fills are declared as
 * signals (text, or number when the placeholder has a format). */
static void declare_placeholders(jctx *c)
{
    mmr_strmap users, binders, last;
    mmr_strmap_init(&users); mmr_strmap_init(&binders); mmr_strmap_init(&last);
    int counted = 0;
    mmr_template *tv = c->templates.v;
    for (size_t i = 0; i < c->templates.n; i++) {
        const mmr_template *t = &tv[i];
        const char *texts[2] = { t->title, t->body };
        const char *keys[2] = { "title", "body" };
        for (int k = 0; k < 2; k++) {
            if (!texts[k]) continue;
            size_t pos = 0;
            for (;;) {
                mmr_seg s = mmr_template_next(texts[k], strlen(texts[k]), &pos);
                if (s.kind == MMR_SEG_END || s.kind == MMR_SEG_ERROR) break;
                if (s.kind != MMR_SEG_PLACEHOLDER) continue;
                char *name = mmr_arena_strndup(c->a, s.name, s.name_len);
                if (!name) { c->oom = 1; goto out; }
                if (!is_ident(name) || is_reserved(name)) continue;  /* the checker says why */
                mmr_var_decl *g;
                if (lookup(c, name, &g)) continue;
                /* bound by every rule that uses the template? */
                if (!counted) { count_binders(c, &users, &binders, &last); counted = 1; }
                if (c->oom) goto out;
                size_t nusers = 0, nbinders = 0;
                const char *pk = pair_key(c, t->id, name);
                if (!pk) goto out;
                mmr_strmap_get(&users, t->id, &nusers);
                mmr_strmap_get(&binders, pk, &nbinders);
                if (nusers && nusers == nbinders) continue;
                path_reset(c, 0);
                mmr_buf_puts(&c->path, ((const char **)c->tpl_paths.v)[i]);
                path_key(c, keys[k]);
                use_name(c, name, s.fmt_len ? MMR_T_NUMBER : MMR_T_TEXT, 0);
                path_reset(c, 0);
            }
        }
    }
out:
    mmr_strmap_free(&users); mmr_strmap_free(&binders); mmr_strmap_free(&last);
}

/* ------------------------------------------- imports, policy, .mmr text */

static void doc_imports(jctx *c, json_t *v)
{
    size_t m = path_mark(c);
    path_key(c, "imports");
    c->explicit_imports = 1;
    if (!json_is_array(v)) jerr(c, "expected an array of std paths, got %s", jtype(v));
    for (size_t i = 0; json_is_array(v) && i < json_array_size(v); i++) {
        json_t *it = json_array_get(v, i);
        size_t mi = path_mark(c);
        path_index(c, i);
        size_t len = 0;
        const char *p = json_is_string(it) ? json_string_value(it) : NULL;
        if (!p) jerr(c, "expected a string, got %s", jtype(it));
        else if (strncmp(p, "std/", 4) || !mmr_std_source(p, &len))
            jerr(c, "%s is not a std schema (only std/ paths can be imported from JSON)", q(c, p));
        else {
            const char **slot = vpush(&c->imports, sizeof *slot);
            if (!slot || !(*slot = adup(c, p))) c->oom = 1;
        }
        path_reset(c, mi);
    }
    path_reset(c, m);
}

/* Characters allowed in a policy value spliced into .mmr text. */
static int plain_value(const char *s)
{
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr(":- ", *s)) return 0;
    return 1;
}

/* "policy": {max_nudges, per, quiet_hours, timezone, currency,
 * categories, retention}. Written as a .mmr policy block and parsed, so
 * the checks are the language's; each field is on its own line, so a parse
 * error names the field's JSON path. */
static void doc_policy(jctx *c, json_t *v)
{
    static const char *const fields[] = { "max_nudges", "per", "quiet_hours", "timezone", "currency", "categories", "retention", NULL };
    size_t m = path_mark(c);
    path_key(c, "policy");
    if (!json_is_object(v)) { jerr(c, "expected an object, got %s", jtype(v)); path_reset(c, m); return; }
    warn_unknown_fields(c, v, fields);
    const char *line_field[8] = { 0 };
    int line = 1, errs = (int)c->d->errors;
    mmr_buf t;
    mmr_buf_init(&t);
    mmr_buf_puts(&t, "policy {\n");
    json_t *mx = member(v, "max_nudges");
    const char *per = string_field(c, v, "per", 0);
    if (mx || per) {
        size_t mi = path_mark(c);
        path_key(c, mx ? "max_nudges" : "per");
        if (!json_is_integer(mx) || json_integer_value(mx) < 0 || json_integer_value(mx) > 1000000)
            jerr(c, "expected a whole number of nudges, got %s", mx ? jtype(mx) : "nothing");
        else if (!per) jerr(c, "max_nudges needs \"per\" (a duration such as \"24h\")");
        else if (!plain_value(per)) jerr(c, "%s is not a duration", q(c, per));
        else { mmr_buf_printf(&t, "max_nudges %lld per %s\n", (long long)json_integer_value(mx), per); line_field[++line] = "max_nudges"; }
        path_reset(c, mi);
    }
    const char *qh = string_field(c, v, "quiet_hours", 0);
    if (qh) {
        if (!plain_value(qh)) { size_t mi = path_mark(c); path_key(c, "quiet_hours"); jerr(c, "%s is not HH:MM - HH:MM", q(c, qh)); path_reset(c, mi); }
        else { mmr_buf_printf(&t, "quiet_hours %s\n", qh); line_field[++line] = "quiet_hours"; }
    }
    const char *tz = string_field(c, v, "timezone", 0);
    if (tz) {
        mmr_buf_puts(&t, "timezone ");
        mmr_buf_json_string(&t, tz, strlen(tz));
        mmr_buf_putc(&t, '\n');
        line_field[++line] = "timezone";
    }
    const char *cur = string_field(c, v, "currency", 0);
    if (cur) {
        mmr_buf_puts(&t, "currency ");
        mmr_buf_json_string(&t, cur, strlen(cur));
        mmr_buf_putc(&t, '\n');
        line_field[++line] = "currency";   /* at most 6 fields: lines 2..7 */
    }
    json_t *cats = member(v, "categories");
    if (cats) {
        size_t mi = path_mark(c);
        path_key(c, "categories");
        if (!json_is_array(cats)) jerr(c, "expected an array of category names, got %s", jtype(cats));
        else {
            mmr_buf_puts(&t, "categories [");
            for (size_t i = 0; i < json_array_size(cats); i++) {
                const char *n = json_string_value(json_array_get(cats, i));
                if (!n || !is_ident(n) || is_reserved(n)) {
                    size_t mj = path_mark(c);
                    path_index(c, i);
                    jerr(c, "a category is a name (letters, digits, _), got %s", n ? q(c, n) : jtype(json_array_get(cats, i)));
                    path_reset(c, mj);
                    continue;
                }
                mmr_buf_printf(&t, "%s%s", i ? ", " : "", n);
            }
            mmr_buf_puts(&t, "]\n");
            line_field[++line] = "categories";
        }
        path_reset(c, mi);
    }
    const char *ret = string_field(c, v, "retention", 0);
    if (ret) {
        if (!plain_value(ret)) { size_t mi = path_mark(c); path_key(c, "retention"); jerr(c, "%s is not a duration", q(c, ret)); path_reset(c, mi); }
        else { mmr_buf_printf(&t, "retention %s\n", ret); line_field[++line] = "retention"; }
    }
    mmr_buf_puts(&t, "}\n");
    if ((int)c->d->errors == errs && !t.oom) {
        mmr_diags pd;
        mmr_diags_init(&pd);
        mmr_file *pf = mmr_parse(c->a, c->file, t.data, t.len, &pd);
        for (size_t i = 0; i < pd.n; i++) {
            const mmr_diag *g = &pd.v[i];
            size_t mi = path_mark(c);
            if (g->line > 1 && g->line < 8 && line_field[g->line]) path_key(c, line_field[g->line]);
            mmr_diag *ng = jdiag_plain(c, g->sev, g->message);
            if (ng && g->hint) mmr_diag_set_hint(ng, "%s", g->hint);
            path_reset(c, mi);
        }
        if (pf && !pd.errors && pf->npolicies == 1) {
            /* the checker's errors name JSON paths, not lines of the text */
            mmr_policy *pol = &pf->policies[0];
            pol->loc = here(c);
            struct { const char *key; mmr_loc *loc; } fl[] = {
                { "max_nudges", &pol->max_loc }, { "quiet_hours", &pol->quiet_loc },
                { "timezone", &pol->timezone_loc }, { "categories", &pol->categories_loc },
                { "retention", &pol->retention_loc }, { "currency", &pol->currency_loc },
            };
            for (size_t i = 0; i < sizeof fl / sizeof fl[0]; i++) {
                size_t mi = path_mark(c);
                path_key(c, fl[i].key);
                *fl[i].loc = here(c);
                path_reset(c, mi);
            }
            c->policy = pol;
        }
        mmr_diags_free(&pd);
    }
    if (t.oom) c->oom = 1;
    mmr_buf_free(&t);
    path_reset(c, m);
}

/* "mmr": .mmr text for what rows cannot hold: derived signals and tests.
 * Anything else in it is an error. */
static void doc_mmr(jctx *c, json_t *v)
{
    size_t m = path_mark(c);
    path_key(c, "mmr");
    if (!json_is_string(v)) { jerr(c, "expected .mmr text, got %s", jtype(v)); path_reset(c, m); return; }
    mmr_buf where;
    mmr_buf_init(&where);
    mmr_buf_printf(&where, "%s: %s", c->file, cur_path(c));
    const char *wp = where.data ? adup(c, where.data) : NULL;
    mmr_buf_free(&where);
    if (!wp) { c->oom = 1; path_reset(c, m); return; }
    mmr_file *pf = mmr_parse(c->a, wp, json_string_value(v), json_string_length(v), c->d);
    if (pf) {
        if (pf->nimports || pf->ntraits || pf->nlets || pf->ntemplates || pf->nrules || pf->npolicies)
            jerr(c, "only derived signals and tests may be written here; use the rows, \"signals\", \"traits\" and \"policy\" for the rest");
        for (size_t i = 0; i < pf->nsignals; i++) {
            mmr_var_decl *g = &pf->signals[i];
            if (!g->def) { jerr(c, "signal %s: declare plain signals in \"signals\"", q(c, g->name)); continue; }
            mmr_var_decl *old;
            int where_d = lookup(c, g->name, &old);
            if (where_d == 2) { jerr(c, "%s is already declared", q(c, g->name)); continue; }
            mmr_var_decl *nd = vpush(&c->signals, sizeof *nd);
            if (!nd) { c->oom = 1; break; }
            *nd = *g;
            /* an std name keeps resolving to std here; the checker makes the definition override it */
            if (!where_d && mmr_strmap_put(&c->decls, nd->name, (c->signals.n - 1) * 2)) c->oom = 1;
        }
        c->tests = pf->tests;
        c->ntests = pf->ntests;
    }
    path_reset(c, m);
}

static void load_std(jctx *c)
{
    size_t len = 0;
    const char *src = mmr_std_source(STD_PATH, &len);
    if (!src) return;
    mmr_diags sd;
    mmr_diags_init(&sd);
    mmr_file *f = mmr_parse(&c->std_arena, STD_PATH, src, len, &sd);
    if (f && !sd.errors) c->std = f;
    mmr_diags_free(&sd);
}

static void build_file(jctx *c, mmr_file *f, const char *text, size_t len)
{
    f->path = adup(c, c->file);
    char *src = mmr_arena_alloc(c->a, len + 1);
    if (src) { memcpy(src, text, len); src[len] = 0; f->src = src; f->src_len = len; }
    size_t nimp = c->explicit_imports ? c->imports.n : 1;
    f->imports = nimp ? mmr_arena_calloc(c->a, nimp * sizeof *f->imports) : NULL;
    if (f->imports) {
        f->nimports = nimp;
        path_reset(c, 0);
        mmr_buf_puts(&c->path, "$");
        for (size_t i = 0; i < nimp; i++) {
            f->imports[i].loc = here(c);
            f->imports[i].path = c->explicit_imports ? ((const char **)c->imports.v)[i] : STD_PATH;
        }
    }
    if (c->policy) { f->policies = c->policy; f->npolicies = 1; }
    f->tests = c->tests;
    f->ntests = c->ntests;
    f->signals = vfreeze(c->a, &c->signals, sizeof(mmr_var_decl), &f->nsignals);
    f->traits = vfreeze(c->a, &c->traits, sizeof(mmr_var_decl), &f->ntraits);
    f->templates = vfreeze(c->a, &c->templates, sizeof(mmr_template), &f->ntemplates);
    f->rules = vfreeze(c->a, &c->rules, sizeof(mmr_rule), &f->nrules);
    size_t n = f->nimports + f->nsignals + f->ntraits + f->ntemplates + f->nrules + f->npolicies + f->ntests;
    f->order = mmr_arena_calloc(c->a, (n ? n : 1) * sizeof *f->order);
    if (!f->order) { c->oom = 1; return; }
    size_t k = 0;
    for (size_t i = 0; i < f->nimports; i++) f->order[k++] = (mmr_decl_ref){ MMR_D_IMPORT, i };
    for (size_t i = 0; i < f->nsignals; i++) f->order[k++] = (mmr_decl_ref){ MMR_D_SIGNAL, i };
    for (size_t i = 0; i < f->ntraits; i++) f->order[k++] = (mmr_decl_ref){ MMR_D_TRAIT, i };
    for (size_t i = 0; i < f->ntemplates; i++) f->order[k++] = (mmr_decl_ref){ MMR_D_TEMPLATE, i };
    for (size_t i = 0; i < f->nrules; i++) f->order[k++] = (mmr_decl_ref){ MMR_D_RULE, i };
    for (size_t i = 0; i < f->npolicies; i++) f->order[k++] = (mmr_decl_ref){ MMR_D_POLICY, i };
    for (size_t i = 0; i < f->ntests; i++) f->order[k++] = (mmr_decl_ref){ MMR_D_TEST, i };
    f->norder = k;
}

mmr_file *mmr_import_json(mmr_arena *a, const char *path, const char *text,
                          size_t len, mmr_diags *d)
{
    jctx c;
    memset(&c, 0, sizeof c);
    c.a = a;
    c.file = path ? path : "<json>";
    c.d = d;
    mmr_buf_init(&c.path);
    mmr_arena_init(&c.std_arena, 0);
    mmr_file *f = mmr_arena_calloc(a, sizeof *f);
    if (!f) { mmr_arena_free(&c.std_arena); return NULL; }

    json_error_t err;
    json_t *root = json_loadb(text, len, JSON_FLAGS, &err);
    if (!root) {
        int line = err.line > 0 ? err.line : 1;
        int col = err.column > 0 ? err.column : 1;
        mmr_diag_add(d, MMR_SEV_ERROR, c.file, line, col, "invalid JSON: %s", err.text);
        mmr_buf_puts(&c.path, "$");
        build_file(&c, f, text, len);
        goto done;
    }
    mmr_buf_puts(&c.path, "$");
    json_t *imps = json_is_object(root) ? member(root, "imports") : NULL;
    if (imps) doc_imports(&c, imps);
    int want_std = !c.explicit_imports;
    for (size_t i = 0; i < c.imports.n; i++)
        if (!strcmp(((const char **)c.imports.v)[i], STD_PATH)) want_std = 1;
    if (want_std) load_std(&c);
    if (json_is_array(root)) {
        each_row(&c, root, NULL, 1);
        each_row(&c, root, NULL, 0);
    } else if (json_is_object(root) && (json_object_get(root, "rules") || json_object_get(root, "templates") ||
                                        json_object_get(root, "signals") || json_object_get(root, "traits") ||
                                        json_object_get(root, "policy") || json_object_get(root, "mmr") ||
                                        json_object_get(root, "imports"))) {
        static const char *const doc_fields[] = { "rules", "templates", "signals", "traits", "imports", "policy", "mmr", NULL };
        warn_unknown_fields(&c, root, doc_fields);
        json_t *v;
        if ((v = member(root, "mmr"))) doc_mmr(&c, v);
        if ((v = member(root, "signals"))) each_decl(&c, v, "signals", 0);
        if ((v = member(root, "traits"))) each_decl(&c, v, "traits", 1);
        if ((v = member(root, "templates"))) each_row(&c, v, "templates", 1);
        if ((v = member(root, "rules"))) each_row(&c, v, "rules", 0);
        if ((v = member(root, "policy"))) doc_policy(&c, v);
    } else if (is_template_row(root)) {
        template_row(&c, root);
    } else if (is_bare_rule(root)) {
        bare_rule(&c, root);
    } else if (is_rule_row(root)) {
        rule_row(&c, root);
    } else {
        jerr(&c, "expected an array of rows, one row, or an object with \"rules\" and/or \"templates\"");
    }
    declare_placeholders(&c);
    build_file(&c, f, text, len);
    json_decref(root);
done:
    if (c.oom) mmr_diag_add_json(d, MMR_SEV_ERROR, c.file, "$", "out of memory");
    free(c.signals.v); free(c.traits.v); free(c.templates.v); free(c.rules.v);
    free(c.tpl_paths.v); free(c.rule_paths.v); free(c.imports.v);
    mmr_strmap_free(&c.decls); mmr_strmap_free(&c.weak); mmr_strmap_free(&c.tpl_ids); mmr_strmap_free(&c.rule_names);
    mmr_buf_free(&c.path);
    mmr_arena_free(&c.std_arena);
    return f;
}

/* ------------------------------------------------- diagnostics in file order */

typedef struct walk { mmr_strmap rank; size_t next; mmr_buf path; mmr_arena *a; int oom; } walk;

/* Numbers every JSON path of v in document order (jansson keeps the
 * order of object keys), descending into *_json strings as the importer
 * does. */
static void walk_value(walk *w, json_t *v, const char *key, int depth)
{
    if (depth > 64) return;
    const char *p = mmr_arena_strndup(w->a, w->path.data ? w->path.data : "$", w->path.data ? w->path.len : 1);
    if (!p || mmr_strmap_put(&w->rank, p, w->next++)) { w->oom = 1; return; }
    json_t *hold = NULL;
    if (json_is_string(v) && key && strlen(key) > 5 && !strcmp(key + strlen(key) - 5, "_json")) {
        json_error_t e;
        hold = json_loadb(json_string_value(v), json_string_length(v), JSON_FLAGS, &e);
        if (hold) v = hold;
    }
    size_t m = w->path.len;
    if (json_is_object(v)) {
        const char *k;
        json_t *m2;
        json_object_foreach(v, k, m2) {
            if (is_ident(k)) { mmr_buf_putc(&w->path, '.'); mmr_buf_puts(&w->path, k); }
            else { mmr_buf_putc(&w->path, '['); mmr_buf_json_string(&w->path, k, strlen(k)); mmr_buf_putc(&w->path, ']'); }
            walk_value(w, m2, k, depth + 1);
            w->path.len = m;
            if (w->path.data) w->path.data[m] = 0;
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            mmr_buf_printf(&w->path, "[%zu]", i);
            walk_value(w, json_array_get(v, i), NULL, depth + 1);
            w->path.len = m;
            if (w->path.data) w->path.data[m] = 0;
        }
    }
    if (hold) json_decref(hold);
}

typedef struct dkey { size_t rank; int line, col; size_t idx; } dkey;

static int dkey_cmp(const void *x, const void *y)
{
    const dkey *a = x, *b = y;
    if (a->rank != b->rank) return a->rank < b->rank ? -1 : 1;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    if (a->col != b->col) return a->col < b->col ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* The rank of a path, or of its longest ranked prefix. */
static size_t path_rank(walk *w, const char *jp)
{
    char *t = strdup(jp);
    size_t r = 0;
    if (!t) return 0;
    for (;;) {
        if (mmr_strmap_get(&w->rank, t, &r)) break;
        char *cut = NULL;
        for (char *q2 = t; *q2; q2++) if (*q2 == '.' || *q2 == '[') cut = q2;
        if (!cut || cut == t) { r = 0; break; }
        *cut = 0;
    }
    free(t);
    return r;
}

void mmr_json_diags_order(mmr_diags *d, const char *file, const char *text, size_t len)
{
    json_error_t err;
    json_t *root = json_loadb(text, len, JSON_FLAGS, &err);
    if (!root) return;
    mmr_arena a;
    mmr_arena_init(&a, 0);
    walk w;
    memset(&w, 0, sizeof w);
    w.a = &a;
    mmr_buf_init(&w.path);
    mmr_buf_puts(&w.path, "$");
    walk_value(&w, root, NULL, 0);
    json_decref(root);
    size_t fl = strlen(file);
    dkey *keys = w.oom ? NULL : calloc(d->n ? d->n : 1, sizeof *keys);
    size_t *slots = keys ? calloc(d->n ? d->n : 1, sizeof *slots) : NULL;
    mmr_diag *copy = slots ? malloc((d->n ? d->n : 1) * sizeof *copy) : NULL;
    size_t n = 0;
    for (size_t i = 0; copy && i < d->n; i++) {
        const mmr_diag *g = &d->v[i];
        const char *jp = NULL;
        if (g->file && !strcmp(g->file, file)) jp = g->jpath;
        else if (g->file && !strncmp(g->file, file, fl) && !strncmp(g->file + fl, ": $", 3)) jp = g->file + fl + 2;
        else if (!(g->file && !strcmp(g->file, file)) ) {
            /* a note goes with the diagnostic before it */
            if (g->sev == MMR_SEV_NOTE && n && slots[n - 1] == i - 1) { keys[n] = keys[n - 1]; keys[n].idx = i; slots[n++] = i; }
            continue;
        }
        keys[n].rank = jp ? path_rank(&w, jp) : 0;
        keys[n].line = g->line;
        keys[n].col = g->col;
        keys[n].idx = i;
        slots[n++] = i;
    }
    if (copy && n > 1) {
        memcpy(copy, d->v, d->n * sizeof *copy);
        qsort(keys, n, sizeof *keys, dkey_cmp);
        for (size_t i = 0; i < n; i++) d->v[slots[i]] = copy[keys[i].idx];
    }
    free(copy); free(slots); free(keys);
    mmr_buf_free(&w.path);
    mmr_strmap_free(&w.rank);
    mmr_arena_free(&a);
}
