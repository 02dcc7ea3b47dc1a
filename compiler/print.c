/* The canonical printer behind `mmr fmt`.
 *
 * Layout: two-space indents, one field per line in a fixed order, a blank
 * line between declarations (consecutive imports, signals, traits or lets
 * keep the blank lines of the source, at most one), comments kept where
 * they were: an own-line comment goes before the declaration or field it
 * precedes, a trailing comment after the line it ended. Expressions get
 * canonical spacing and only the parentheses precedence needs.
 *
 * (Past ~800 lines: every declaration's layout shares the comment
 * placement machinery above it.)
 */
#include <stdlib.h>
#include <string.h>
#include "compiler/compile.h"

#define WIDTH 100          /* the default width; `mmr fmt --width N` chooses another */
#define MAX_PRINT_DEPTH 1000

/* ------------------------------------------------------------ expressions */

static int prec(const mmr_expr *e)
{
    switch (e->kind) {
    case MMR_E_QUANT: return 0;
    case MMR_E_BINARY:
        switch (e->op) {
        case MMR_OP_OR: return 1;
        case MMR_OP_AND: return 2;
        case MMR_OP_EQ: case MMR_OP_NE: case MMR_OP_LT: case MMR_OP_LE:
        case MMR_OP_GT: case MMR_OP_GE: return 4;
        case MMR_OP_COALESCE: return 5;
        case MMR_OP_ADD: case MMR_OP_SUB: return 6;
        case MMR_OP_MUL: case MMR_OP_DIV: return 7;
        default: return 9;
        }
    case MMR_E_UNARY: return e->op == MMR_OP_NOT ? 3 : 8;
    case MMR_E_IN: case MMR_E_BETWEEN: case MMR_E_IS_MISSING: return 4;
    case MMR_E_NUMBER:
        return (e->src_text ? e->src_text[0] == '-' : e->num < 0) ? 8 : 9;
    default: return 9;
    }
}

static void print_text(mmr_buf *b, const char *s, size_t n)
{
    mmr_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': mmr_buf_puts(b, "\\\""); break;
        case '\\': mmr_buf_puts(b, "\\\\"); break;
        case '\n': mmr_buf_puts(b, "\\n"); break;
        case '\t': mmr_buf_puts(b, "\\t"); break;
        default:
            if (c < 0x20 || c == 0x7f) mmr_buf_printf(b, "\\u{%X}", c);
            else mmr_buf_putc(b, (char)c);
        }
    }
    mmr_buf_putc(b, '"');
}

static void print_number(mmr_buf *b, const mmr_expr *e)
{
    if (e->src_text) {
        mmr_buf_puts(b, e->src_text);
        size_t n = strlen(e->src_text);
        if (e->percent && (n == 0 || e->src_text[n - 1] != '%')) mmr_buf_putc(b, '%');
        return;
    }
    if (e->num != e->num) { mmr_buf_puts(b, "missing"); return; }
    if (e->percent) { mmr_buf_number(b, e->num * 100); mmr_buf_putc(b, '%'); return; }
    mmr_buf_number(b, e->num);
}

static void pexpr(mmr_buf *b, const mmr_expr *e, int min, int depth);

static void pbin(mmr_buf *b, const mmr_expr *l, const char *op, const mmr_expr *r, int lmin, int rmin, int depth)
{
    pexpr(b, l, lmin, depth + 1);
    mmr_buf_putc(b, ' ');
    mmr_buf_puts(b, op);
    mmr_buf_putc(b, ' ');
    pexpr(b, r, rmin, depth + 1);
}

static void plist(mmr_buf *b, mmr_expr *const *items, size_t n, int depth)
{
    for (size_t i = 0; i < n; i++) {
        if (i) mmr_buf_puts(b, ", ");
        pexpr(b, items ? items[i] : NULL, 0, depth + 1);
    }
}

static void pexpr(mmr_buf *b, const mmr_expr *e, int min, int depth)
{
    if (!e) { mmr_buf_puts(b, "missing"); return; }
    if (depth > MAX_PRINT_DEPTH) { mmr_buf_puts(b, "missing"); return; }
    int p = prec(e);
    int paren = p < min;
    if (paren) mmr_buf_putc(b, '(');
    switch (e->kind) {
    case MMR_E_NUMBER: print_number(b, e); break;
    case MMR_E_TEXT: print_text(b, e->text ? e->text : "", e->text ? e->text_len : 0); break;
    case MMR_E_BOOL: mmr_buf_puts(b, e->boolean ? "true" : "false"); break;
    case MMR_E_MISSING: mmr_buf_puts(b, "missing"); break;
    case MMR_E_NAME: mmr_buf_puts(b, e->text ? e->text : "?"); break;
    case MMR_E_LIST:
        mmr_buf_putc(b, '[');
        plist(b, e->items, e->nitems, depth);
        mmr_buf_putc(b, ']');
        break;
    case MMR_E_MAP:
        mmr_buf_putc(b, '{');
        for (size_t i = 0; i < e->nitems; i++) {
            if (i) mmr_buf_puts(b, ", ");
            const mmr_expr *k = e->keys ? e->keys[i] : NULL;
            print_text(b, k && k->text ? k->text : "", k && k->text ? k->text_len : 0);
            mmr_buf_puts(b, ": ");
            pexpr(b, e->items ? e->items[i] : NULL, 0, depth + 1);
        }
        mmr_buf_putc(b, '}');
        break;
    case MMR_E_UNARY:
        if (e->op == MMR_OP_NOT) {
            mmr_buf_puts(b, "not ");
            pexpr(b, e->lhs, 3, depth + 1);
        } else {
            mmr_buf_putc(b, '-');
            const mmr_expr *x = e->lhs;
            if (x && ((x->kind == MMR_E_UNARY && x->op == MMR_OP_NEG) ||
                      (x->kind == MMR_E_NUMBER && prec(x) == 8)))
                mmr_buf_putc(b, ' ');
            pexpr(b, x, 8, depth + 1);
        }
        break;
    case MMR_E_BINARY: {
        int lmin = p == 4 ? 5 : p, rmin = p + 1;
        pbin(b, e->lhs, mmr_op_text(e->op), e->rhs, lmin, rmin, depth);
        break;
    }
    case MMR_E_IN:
        pbin(b, e->lhs, e->negated ? "not in" : "in", e->rhs, 5, 5, depth);
        break;
    case MMR_E_BETWEEN:
        pexpr(b, e->lhs, 5, depth + 1);
        mmr_buf_puts(b, " between ");
        pexpr(b, e->rhs, 5, depth + 1);
        mmr_buf_puts(b, " and ");
        pexpr(b, e->third, 5, depth + 1);
        break;
    case MMR_E_IS_MISSING:
        pexpr(b, e->lhs, 5, depth + 1);
        mmr_buf_puts(b, e->negated ? " is present" : " is missing");
        break;
    case MMR_E_CALL:
        mmr_buf_puts(b, e->text ? e->text : "?");
        mmr_buf_putc(b, '(');
        plist(b, e->items, e->nitems, depth);
        mmr_buf_putc(b, ')');
        break;
    case MMR_E_INDEX:
        pexpr(b, e->lhs, 9, depth + 1);
        mmr_buf_putc(b, '[');
        pexpr(b, e->rhs, 0, depth + 1);
        mmr_buf_putc(b, ']');
        break;
    case MMR_E_QUANT:
        mmr_buf_puts(b, e->op == MMR_OP_ALL ? "all " : e->op == MMR_OP_EACH ? "for each " : "any ");
        mmr_buf_puts(b, e->text ? e->text : "?");
        mmr_buf_puts(b, " in ");
        pexpr(b, e->lhs, 5, depth + 1);
        mmr_buf_puts(b, " where ");
        pexpr(b, e->rhs, 0, depth + 1);
        if (e->op == MMR_OP_EACH && e->third) {
            mmr_buf_puts(b, " rank by ");
            pexpr(b, e->third, 5, depth + 1);
        }
        break;
    }
    if (paren) mmr_buf_putc(b, ')');
}

void mmr_print_expr(mmr_buf *b, const mmr_expr *e)
{
    pexpr(b, e, 0, 0);
}

/* ------------------------------------------------------------------ files */

typedef struct pr {
    mmr_buf *b;
    const mmr_file *f;
    unsigned char *printed;    /* per comment */
    int *blank_before;         /* blank_before[k]: blank lines among lines 1..k-1 */
    int nlines;
    int last_line;             /* last source line printed at top level */
    int started;               /* anything printed yet */
    size_t cursor;             /* comments before this one are all printed */
    int width;                 /* longer lines are split where the layout allows */
} pr;

/* The first comment not yet printed (comments are in source order). */
static size_t first_unprinted(pr *p)
{
    while (p->cursor < p->f->ncomments && p->printed[p->cursor]) p->cursor++;
    return p->cursor;
}

static void indent(pr *p, int n) { for (int i = 0; i < n; i++) mmr_buf_putc(p->b, ' '); }

/* Is any line strictly between a and b blank in the source? */
static int blank_between(const pr *p, int a, int b)
{
    if (!p->blank_before || a <= 0 || b <= a + 1) return 0;
    if (b > p->nlines + 1) b = p->nlines + 1;
    if (a + 1 > p->nlines) return 0;
    return p->blank_before[b] - p->blank_before[a + 1] > 0;
}

/* Own-line comments before an item: every unprinted comment after line
 * `from` that is on or before the item's last line e, except a trailing
 * comment on line e (see trail). */
static void lead(pr *p, int from, int s, int e, int ind)
{
    const mmr_file *f = p->f;
    if (!p->printed || e <= 0) return;
    for (size_t i = first_unprinted(p); i < f->ncomments; i++) {
        const mmr_comment *c = &f->comments[i];
        if (c->loc.line > e) break;
        if (p->printed[i] || c->loc.line <= from) continue;
        if (c->loc.line == e && !c->own_line) continue;
        if (c->loc.line < s && !c->own_line) continue;   /* trails an earlier item */
        indent(p, ind);
        mmr_buf_puts(p->b, c->text);
        mmr_buf_putc(p->b, '\n');
        p->printed[i] = 1;
    }
}

/* A trailing comment on source line e goes at the end of the current line. */
static void trail(pr *p, int e)
{
    const mmr_file *f = p->f;
    if (p->printed && e > 0) {
        for (size_t i = first_unprinted(p); i < f->ncomments; i++) {
            const mmr_comment *c = &f->comments[i];
            if (c->loc.line > e) break;
            if (p->printed[i] || c->loc.line != e || c->own_line) continue;
            mmr_buf_putc(p->b, ' ');
            mmr_buf_puts(p->b, c->text);
            p->printed[i] = 1;
            break;
        }
    }
    mmr_buf_putc(p->b, '\n');
}

static int expr_end(const mmr_expr *e) { return e ? (e->loc.end_line ? e->loc.end_line : e->loc.line) : 0; }
static int loc_end(mmr_loc l) { return l.end_line ? l.end_line : l.line; }

/* An item of a block: its source lines and how to print it. */
typedef struct item { int s, e, key; size_t idx; } item;

/* Sets each item's `from`: the last line of the source-earlier siblings. */
static void lead_froms(const item *it, size_t n, int header, int *from)
{
    for (size_t i = 0; i < n; i++) {
        int m = header;
        for (size_t j = 0; j < n; j++)
            if (j != i && it[j].s > 0 && (it[j].s < it[i].s || (it[j].s == it[i].s && j < i)) && it[j].e > m)
                m = it[j].e;
        from[i] = m;
    }
}

/* Width of text that would be printed: measured by printing to a scratch buffer. */
static size_t measure_expr(const mmr_expr *e)
{
    mmr_buf t;
    mmr_buf_init(&t);
    mmr_print_expr(&t, e);
    size_t n = t.len;
    mmr_buf_free(&t);
    return n;
}

/* `{ a = x, b = y }` on one line when it fits, else one binding per line. */
static void print_bindings(pr *p, const mmr_binding *bs, size_t n, int ind, size_t used)
{
    if (n == 0) { mmr_buf_puts(p->b, "{}"); return; }
    size_t w = used + 4;
    int lines_differ = 0;
    for (size_t i = 0; i < n; i++) {
        w += strlen(bs[i].name ? bs[i].name : "") + 3 + measure_expr(bs[i].expr) + 2;
        (void)lines_differ;
    }
    /* comments inside the block force the long form, so they stay inside */
    int has_comment = 0;
    if (p->printed && bs[0].loc.line > 0) {
        int s = bs[0].loc.line, e = expr_end(bs[n - 1].expr);
        for (size_t i = first_unprinted(p); i < p->f->ncomments && p->f->comments[i].loc.line <= e; i++)
            if (!p->printed[i] && p->f->comments[i].loc.line >= s) has_comment = 1;
    }
    if (w <= (size_t)p->width && !has_comment) {
        mmr_buf_puts(p->b, "{ ");
        for (size_t i = 0; i < n; i++) {
            if (i) mmr_buf_puts(p->b, ", ");
            mmr_buf_puts(p->b, bs[i].name ? bs[i].name : "?");
            mmr_buf_puts(p->b, " = ");
            mmr_print_expr(p->b, bs[i].expr);
        }
        mmr_buf_puts(p->b, " }");
        return;
    }
    mmr_buf_puts(p->b, "{");
    /* the trailing comment of the opening line, if any */
    int open_line = bs[0].loc.line > 0 ? bs[0].loc.line - 1 : 0;
    (void)open_line;
    mmr_buf_putc(p->b, '\n');
    int from = 0;
    for (size_t i = 0; i < n; i++) {
        int s = bs[i].loc.line, e = expr_end(bs[i].expr);
        if (s > 0) lead(p, from, s, e, ind + 2);
        indent(p, ind + 2);
        mmr_buf_puts(p->b, bs[i].name ? bs[i].name : "?");
        mmr_buf_puts(p->b, " = ");
        mmr_print_expr(p->b, bs[i].expr);
        if (i + 1 < n) mmr_buf_putc(p->b, ',');
        trail(p, e);
        if (e > from) from = e;
    }
    indent(p, ind);
    mmr_buf_putc(p->b, '}');
}

/* Width of e printed with the minimum precedence min (parentheses count). */
static size_t measure_min(const mmr_expr *e, int min)
{
    mmr_buf t;
    mmr_buf_init(&t);
    pexpr(&t, e, min, 0);
    size_t n = t.len;
    mmr_buf_free(&t);
    return n;
}

static void pwrap(pr *p, const mmr_expr *e, int min, size_t col, int base, int depth);

/* An `and`/`or` chain, one member a line: the first at column col, the
 * rest at base + 4 after the operator. Members too long for the line are
 * wrapped in turn. */
static void print_chain(pr *p, const mmr_expr *e, size_t col, int base, int depth)
{
    mmr_op op = e->op;
    /* collect the left-leaning chain e = ((x1 op x2) op x3) ... */
    size_t n = 1;
    const mmr_expr *t = e;
    while (t->kind == MMR_E_BINARY && t->op == op && t->lhs) { n++; t = t->lhs; }
    const mmr_expr **parts = malloc(n * sizeof *parts);
    if (!parts) { mmr_print_expr(p->b, e); return; }
    size_t k = n;
    t = e;
    while (t->kind == MMR_E_BINARY && t->op == op && t->lhs) { parts[--k] = t->rhs; t = t->lhs; }
    parts[--k] = t;
    int pr_op = op == MMR_OP_OR ? 1 : 2;
    const char *ot = mmr_op_text(op);
    for (size_t i = 0; i < n; i++) {
        if (i) {
            mmr_buf_putc(p->b, '\n');
            indent(p, base + 4);
            mmr_buf_puts(p->b, ot);
            mmr_buf_putc(p->b, ' ');
            col = (size_t)base + 4 + strlen(ot) + 1;
        }
        pwrap(p, parts[i], i ? pr_op + 1 : pr_op, col, base + 4, depth + 1);
    }
    free(parts);
}

/* e starting at column col: on one line when it fits in the width, else
 * split at `and`/`or` and before a quantifier's `where`, continuation
 * lines indented from base. What cannot be split stays on one line. */
static void pwrap(pr *p, const mmr_expr *e, int min, size_t col, int base, int depth)
{
    if (!e || depth > 64 || col + measure_min(e, min) <= (size_t)p->width) { pexpr(p->b, e, min, 0); return; }
    int paren = prec(e) < min;
    if (paren) { mmr_buf_putc(p->b, '('); col++; }
    if (e->kind == MMR_E_BINARY && (e->op == MMR_OP_AND || e->op == MMR_OP_OR)) {
        print_chain(p, e, col, base, depth);
    } else if (e->kind == MMR_E_QUANT && e->rhs) {
        mmr_buf_puts(p->b, e->op == MMR_OP_ALL ? "all " : e->op == MMR_OP_EACH ? "for each " : "any ");
        mmr_buf_puts(p->b, e->text ? e->text : "?");
        mmr_buf_puts(p->b, " in ");
        pexpr(p->b, e->lhs, 5, 1);
        mmr_buf_putc(p->b, '\n');
        indent(p, base + 2);
        mmr_buf_puts(p->b, "where ");
        pwrap(p, e->rhs, 0, (size_t)base + 8, base, depth + 1);
        if (e->op == MMR_OP_EACH && e->third) {
            /* a per-key rule's `rank by` on a line of its own, as `where` */
            mmr_buf_putc(p->b, '\n');
            indent(p, base + 2);
            mmr_buf_puts(p->b, "rank by ");
            pwrap(p, e->third, 5, (size_t)base + 10, base, depth + 1);
        }
    } else {
        pexpr(p->b, e, paren ? 0 : min, 0);
    }
    if (paren) mmr_buf_putc(p->b, ')');
}

/* A chain that does not fit: see print_chain (kept for the callers that
 * decide themselves when to wrap). */
static void print_wrapped(pr *p, const mmr_expr *e, size_t col, int ind)
{
    print_chain(p, e, col, ind, 0);
}

static void print_cond(pr *p, const char *kw, const mmr_expr *e, int ind)
{
    indent(p, ind);
    mmr_buf_puts(p->b, kw);
    mmr_buf_putc(p->b, ' ');
    pwrap(p, e, 0, (size_t)ind + strlen(kw) + 1, ind, 0);
}

/* A rule named in a test: RULE, or RULE["KEY"]. */
static void print_ref(mmr_buf *b, const char *rule, const char *key)
{
    mmr_buf_puts(b, rule ? rule : "?");
    if (!key) return;
    mmr_buf_putc(b, '[');
    print_text(b, key, strlen(key));
    mmr_buf_putc(b, ']');
}

static void print_names(pr *p, const char *const *names, size_t n)
{
    mmr_buf_putc(p->b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) mmr_buf_puts(p->b, ", ");
        mmr_buf_puts(p->b, names[i] ? names[i] : "?");
    }
    mmr_buf_putc(p->b, ']');
}

static const char *type_text(mmr_type t)
{
    return mmr_type_name(t);
}

/* Item keys of block-valued fields (see print_block). */
enum { K_MSG_BLOCK = 100, K_GIVEN_BLOCK = 101, K_TRAITS_BLOCK = 102, K_TXNS = 103, K_BUDGETS = 104, K_GOALS = 105 };

/* Prints the items of a block in the given (canonical) order, each with
 * its comments; fn prints the item's text (no newline). */
typedef void (*item_fn)(pr *p, const void *decl, const item *it, int ind);

static void print_block(pr *p, const void *decl, item *it, size_t n, int header_line, int end_line, item_fn fn)
{
    int from[64];
    if (n > 64) n = 64;
    lead_froms(it, n, header_line, from);
    for (size_t i = 0; i < n; i++) {
        /* a block-valued item (`with {`, `given {`) keeps the comments
         * inside its braces: only those before its first line lead it */
        int k = it[i].key;
        int lead_end = (k == K_MSG_BLOCK || k == K_GIVEN_BLOCK || k == K_TRAITS_BLOCK || k >= K_TXNS) ? it[i].s : it[i].e;
        if (it[i].s > 0) lead(p, from[i], it[i].s, lead_end, 2);
        fn(p, decl, &it[i], 2);
        trail(p, it[i].s > 0 ? it[i].e : 0);
        if (it[i].s > 0 && p->printed) {
            /* trailing comments on lines that only end this item (a
             * closing brace) follow it on their own lines */
            int next = end_line > 0 ? end_line : it[i].e + 1;
            for (size_t j = 0; j < n; j++)
                if (it[j].s > it[i].e && it[j].s < next) next = it[j].s;
            for (size_t c = first_unprinted(p); c < p->f->ncomments; c++) {
                const mmr_comment *cm = &p->f->comments[c];
                if (cm->loc.line >= next) break;
                if (p->printed[c] || cm->own_line || cm->loc.line <= it[i].e) continue;
                indent(p, 2);
                mmr_buf_puts(p->b, cm->text);
                mmr_buf_putc(p->b, '\n');
                p->printed[c] = 1;
            }
        }
    }
    /* comments left inside the block go before its closing brace */
    if (end_line > 0) lead(p, header_line, 0, end_line - 1, 2);
    mmr_buf_putc(p->b, '}');
}

/* Header line: `rule NAME {` plus a trailing comment on that line when no
 * item starts on it. */
static void header_trail(pr *p, int line, const item *it, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (it[i].s == line) { mmr_buf_putc(p->b, '\n'); return; }
    trail(p, line);
}

/* ---- templates */

enum { K_TITLE, K_BODY, K_TONE, K_TCAT };

static void tmpl_item(pr *p, const void *d, const item *it, int ind)
{
    const mmr_template *t = d;
    indent(p, ind);
    switch (it->key) {
    case K_TITLE: mmr_buf_puts(p->b, "title "); print_text(p->b, t->title, strlen(t->title)); break;
    case K_BODY: mmr_buf_puts(p->b, "body "); print_text(p->b, t->body, strlen(t->body)); break;
    case K_TONE: mmr_buf_puts(p->b, "tone "); mmr_buf_puts(p->b, t->tone); break;
    default: mmr_buf_puts(p->b, "category "); mmr_buf_puts(p->b, t->category); break;
    }
}

static void print_template(pr *p, const mmr_template *t)
{
    item it[4];
    size_t n = 0;
    if (t->title) it[n++] = (item){ t->title_loc.line, loc_end(t->title_loc), K_TITLE, 0 };
    if (t->body) it[n++] = (item){ t->body_loc.line, loc_end(t->body_loc), K_BODY, 0 };
    if (t->tone) it[n++] = (item){ t->tone_loc.line, loc_end(t->tone_loc), K_TONE, 0 };
    if (t->category) it[n++] = (item){ t->category_loc.line, loc_end(t->category_loc), K_TCAT, 0 };
    mmr_buf_puts(p->b, "template ");
    mmr_buf_puts(p->b, t->id ? t->id : "?");
    mmr_buf_puts(p->b, " {");
    header_trail(p, t->loc.line, it, n);
    print_block(p, t, it, n, t->loc.line, t->loc.end_line, tmpl_item);
}

/* ---- rules */

enum { K_DESC, K_CAT, K_PRIO, K_COOL, K_WHEN, K_AUD, K_MSG };

static void rule_item(pr *p, const void *d, const item *it, int ind)
{
    const mmr_rule *r = d;
    switch (it->key) {
    case K_DESC: indent(p, ind); mmr_buf_puts(p->b, "description "); print_text(p->b, r->description, strlen(r->description)); break;
    case K_CAT: indent(p, ind); mmr_buf_puts(p->b, "category "); mmr_buf_puts(p->b, r->category); break;
    case K_PRIO: indent(p, ind); mmr_buf_puts(p->b, "priority "); mmr_buf_number(p->b, r->priority); break;
    case K_COOL:
        indent(p, ind);
        mmr_buf_puts(p->b, "cooldown ");
        if (r->cooldown_src) mmr_buf_puts(p->b, r->cooldown_src);
        else if (r->cooldown_s % 604800 == 0 && r->cooldown_s) mmr_buf_printf(p->b, "%lldw", (long long)(r->cooldown_s / 604800));
        else if (r->cooldown_s % 86400 == 0 && r->cooldown_s) mmr_buf_printf(p->b, "%lldd", (long long)(r->cooldown_s / 86400));
        else if (r->cooldown_s % 3600 == 0 && r->cooldown_s) mmr_buf_printf(p->b, "%lldh", (long long)(r->cooldown_s / 3600));
        else if (r->cooldown_s % 60 == 0 && r->cooldown_s) mmr_buf_printf(p->b, "%lldm", (long long)(r->cooldown_s / 60));
        else mmr_buf_printf(p->b, "%llds", (long long)r->cooldown_s);
        break;
    case K_WHEN:
        if (MMR_RULE_PER_KEY(r)) {
            /* `for each` stands where `when` would */
            indent(p, ind);
            pwrap(p, r->when, 0, (size_t)ind, ind, 0);
        } else print_cond(p, "when", r->when, ind);
        break;
    case K_AUD: print_cond(p, "audience", r->audience, ind); break;
    default: {
        indent(p, ind);
        mmr_buf_puts(p->b, "message ");
        mmr_buf_puts(p->b, r->message);
        if (r->nwith) {
            mmr_buf_puts(p->b, " with ");
            print_bindings(p, r->with, r->nwith, ind, (size_t)ind + 14 + strlen(r->message));
        }
    }
    }
}

static void print_rule(pr *p, const mmr_rule *r)
{
    item it[7];
    size_t n = 0;
    if (r->description) it[n++] = (item){ r->description_loc.line, loc_end(r->description_loc), K_DESC, 0 };
    if (r->category) it[n++] = (item){ r->category_loc.line, loc_end(r->category_loc), K_CAT, 0 };
    if (r->has_priority) it[n++] = (item){ r->priority_loc.line, loc_end(r->priority_loc), K_PRIO, 0 };
    if (r->cooldown_src || r->cooldown_s) it[n++] = (item){ r->cooldown_loc.line, loc_end(r->cooldown_loc), K_COOL, 0 };
    if (r->when) it[n++] = (item){ r->when->loc.line, expr_end(r->when), K_WHEN, 0 };
    if (r->audience) it[n++] = (item){ r->audience->loc.line, expr_end(r->audience), K_AUD, 0 };
    if (r->message) {
        int e = loc_end(r->message_loc);
        if (r->nwith) {
            int we = expr_end(r->with[r->nwith - 1].expr);
            if (we > e) e = we;
        }
        it[n++] = (item){ r->message_loc.line, e, r->nwith ? K_MSG_BLOCK : K_MSG, 0 };
    }
    mmr_buf_puts(p->b, "rule ");
    mmr_buf_puts(p->b, r->name ? r->name : "?");
    mmr_buf_puts(p->b, " {");
    header_trail(p, r->loc.line, it, n);
    print_block(p, r, it, n, r->loc.line, r->loc.end_line, rule_item);
}

/* ---- policy */

enum { K_MAX, K_QUIET, K_TZ, K_CATS, K_RETENTION, K_CURRENCY };

static void policy_item(pr *p, const void *d, const item *it, int ind)
{
    const mmr_policy *pol = d;
    indent(p, ind);
    switch (it->key) {
    case K_MAX:
        mmr_buf_printf(p->b, "max_nudges %d per ", pol->max_nudges);
        if (pol->window_src) mmr_buf_puts(p->b, pol->window_src);
        else if (pol->window_s % 3600 == 0) mmr_buf_printf(p->b, "%lldh", (long long)(pol->window_s / 3600));
        else mmr_buf_printf(p->b, "%llds", (long long)pol->window_s);
        break;
    case K_QUIET:
        mmr_buf_printf(p->b, "quiet_hours %02d:%02d - %02d:%02d",
                       pol->quiet_start_min / 60, pol->quiet_start_min % 60,
                       pol->quiet_end_min / 60, pol->quiet_end_min % 60);
        break;
    case K_TZ: mmr_buf_puts(p->b, "timezone "); print_text(p->b, pol->timezone, strlen(pol->timezone)); break;
    case K_RETENTION: mmr_buf_puts(p->b, "retention "); mmr_buf_puts(p->b, pol->retention_src); break;
    case K_CURRENCY: mmr_buf_puts(p->b, "currency "); print_text(p->b, pol->currency, strlen(pol->currency)); break;
    default: mmr_buf_puts(p->b, "categories "); print_names(p, pol->categories, pol->ncategories); break;
    }
}

static void print_policy(pr *p, const mmr_policy *pol)
{
    item it[6];
    size_t n = 0;
    if (pol->has_max) it[n++] = (item){ pol->max_loc.line, loc_end(pol->max_loc), K_MAX, 0 };
    if (pol->has_quiet) it[n++] = (item){ pol->quiet_loc.line, loc_end(pol->quiet_loc), K_QUIET, 0 };
    if (pol->timezone) it[n++] = (item){ pol->timezone_loc.line, loc_end(pol->timezone_loc), K_TZ, 0 };
    if (pol->currency) it[n++] = (item){ pol->currency_loc.line, loc_end(pol->currency_loc), K_CURRENCY, 0 };
    if (pol->categories) it[n++] = (item){ pol->categories_loc.line, loc_end(pol->categories_loc), K_CATS, 0 };
    if (pol->retention_src) it[n++] = (item){ pol->retention_loc.line, loc_end(pol->retention_loc), K_RETENTION, 0 };
    mmr_buf_puts(p->b, "policy {");
    header_trail(p, pol->loc.line, it, n);
    print_block(p, pol, it, n, pol->loc.line, pol->loc.end_line, policy_item);
}

/* ---- tests */

enum { K_AT, K_GIVEN, K_TRAITS, K_MUTED, K_HISTORY, K_EXPECT };

static void print_expect(pr *p, const mmr_expect *x)
{
    mmr_buf_puts(p->b, "expect ");
    switch (x->kind) {
    case MMR_X_NUDGE: mmr_buf_puts(p->b, "nudge "); print_ref(p->b, x->rule, x->key); break;
    case MMR_X_NO_NUDGE: mmr_buf_puts(p->b, "no nudge"); break;
    case MMR_X_CANDIDATES:
        mmr_buf_puts(p->b, "candidates [");
        for (size_t i = 0; i < x->nrules; i++) {
            if (i) mmr_buf_puts(p->b, ", ");
            print_ref(p->b, x->rules[i], x->rule_keys ? x->rule_keys[i] : NULL);
        }
        mmr_buf_putc(p->b, ']');
        break;
    case MMR_X_SUPPRESSED:
        mmr_buf_puts(p->b, "suppressed ");
        print_ref(p->b, x->rule, x->key);
        mmr_buf_printf(p->b, " because %s", x->reason ? x->reason : "?");
        break;
    case MMR_X_DEFERRED:
        mmr_buf_puts(p->b, "deferred ");
        print_ref(p->b, x->rule, x->key);
        mmr_buf_puts(p->b, " until ");
        print_text(p->b, x->text ? x->text : "", x->text ? x->text_len : 0);
        break;
    case MMR_X_TITLE_CONTAINS: case MMR_X_BODY_CONTAINS: case MMR_X_TITLE_EQ: case MMR_X_BODY_EQ:
        mmr_buf_puts(p->b, x->kind == MMR_X_TITLE_CONTAINS || x->kind == MMR_X_TITLE_EQ ? "title " : "body ");
        mmr_buf_puts(p->b, x->kind == MMR_X_TITLE_CONTAINS || x->kind == MMR_X_BODY_CONTAINS ? "contains " : "== ");
        print_text(p->b, x->text ? x->text : "", x->text ? x->text_len : 0);
        break;
    }
}

/* `transactions [`, one record a line in the `{ a = x, ... }` form, `]` */
static void print_records(pr *p, const char *kw, const mmr_test_txn *r, size_t n, int ind)
{
    mmr_buf_puts(p->b, kw);
    mmr_buf_puts(p->b, " [");
    for (size_t i = 0; i < n; i++) {
        mmr_buf_putc(p->b, '\n');
        indent(p, ind + 2);
        print_bindings(p, r[i].fields, r[i].nfields, ind + 2, (size_t)ind + 2);
        if (i + 1 < n) mmr_buf_putc(p->b, ',');
    }
    if (n) { mmr_buf_putc(p->b, '\n'); indent(p, ind); }
    mmr_buf_putc(p->b, ']');
}

static void test_item(pr *p, const void *d, const item *it, int ind)
{
    const mmr_test *t = d;
    indent(p, ind);
    switch (it->key) {
    case K_AT: mmr_buf_puts(p->b, "at "); print_text(p->b, t->at, strlen(t->at)); break;
    case K_GIVEN_BLOCK: mmr_buf_puts(p->b, "given "); print_bindings(p, t->given, t->ngiven, ind, (size_t)ind + 6); break;
    case K_TRAITS_BLOCK: mmr_buf_puts(p->b, "traits "); print_bindings(p, t->traits, t->ntraits, ind, (size_t)ind + 7); break;
    case K_MUTED: mmr_buf_puts(p->b, "muted "); print_names(p, t->muted, t->nmuted); break;
    case K_HISTORY:
        mmr_buf_puts(p->b, "history { ");
        for (size_t i = 0; i < t->nhistory; i++) {
            const mmr_history_item *h = &t->history[i];
            if (i) mmr_buf_puts(p->b, ", ");
            print_ref(p->b, h->rule, h->key);
            mmr_buf_putc(p->b, ' ');
            if (h->ago_src) mmr_buf_puts(p->b, h->ago_src);
            else mmr_buf_printf(p->b, "%llds", (long long)h->ago_s);
            mmr_buf_puts(p->b, " ago");
        }
        mmr_buf_puts(p->b, t->nhistory ? " }" : "}");
        break;
    case K_TXNS: print_records(p, "transactions", t->txns, t->ntxns, ind); break;
    case K_BUDGETS: print_records(p, "budgets", t->budgets, t->nbudgets, ind); break;
    case K_GOALS: print_records(p, "goals", t->goals, t->ngoals, ind); break;
    default: print_expect(p, &t->expects[it->idx]); break;
    }
}

static void print_test(pr *p, const mmr_test *t)
{
    size_t cap = 8 + t->nexpects;
    if (cap > 64) cap = 64;
    item *it = calloc(cap, sizeof *it);
    if (!it) return;
    size_t n = 0;
    if (t->at) it[n++] = (item){ t->at_loc.line, loc_end(t->at_loc), K_AT, 0 };
    if (t->ngiven) it[n++] = (item){ t->given[0].loc.line, expr_end(t->given[t->ngiven - 1].expr), K_GIVEN_BLOCK, 0 };
    else if (0) {}
    if (t->ntraits) it[n++] = (item){ t->traits[0].loc.line, expr_end(t->traits[t->ntraits - 1].expr), K_TRAITS_BLOCK, 0 };
    if (t->nmuted) it[n++] = (item){ t->muted_locs ? t->muted_locs[0].line : 0, t->muted_locs ? loc_end(t->muted_locs[t->nmuted - 1]) : 0, K_MUTED, 0 };
    if (t->nhistory) it[n++] = (item){ t->history[0].loc.line, loc_end(t->history[t->nhistory - 1].loc), K_HISTORY, 0 };
    if (t->has_txns) it[n++] = (item){ t->txns_loc.line, t->ntxns ? loc_end(t->txns[t->ntxns - 1].loc) : t->txns_loc.line, K_TXNS, 0 };
    if (t->has_budgets) it[n++] = (item){ t->budgets_loc.line, t->nbudgets ? loc_end(t->budgets[t->nbudgets - 1].loc) : t->budgets_loc.line, K_BUDGETS, 0 };
    if (t->has_goals) it[n++] = (item){ t->goals_loc.line, t->ngoals ? loc_end(t->goals[t->ngoals - 1].loc) : t->goals_loc.line, K_GOALS, 0 };
    for (size_t i = 0; i < t->nexpects && n < cap; i++)
        it[n++] = (item){ t->expects[i].loc.line, loc_end(t->expects[i].loc), K_EXPECT, i };
    mmr_buf_puts(p->b, "test ");
    print_text(p->b, t->name ? t->name : "", t->name ? strlen(t->name) : 0);
    mmr_buf_puts(p->b, " {");
    header_trail(p, t->loc.line, it, n);
    print_block(p, t, it, n, t->loc.line, t->loc.end_line, test_item);
    free(it);
}

/* ---- one-line declarations */

/* The parts of a derived definition: the head (`sum amount of transaction`
 * or the computed expression), then where / by / over clauses. */
static void derived_head(mmr_buf *b, const mmr_derived *x)
{
    if (x->expr) { mmr_print_expr(b, x->expr); return; }
    for (size_t i = 0; i < x->nwords; i++) {
        mmr_buf_puts(b, x->words[i] ? x->words[i] : "?");
        mmr_buf_putc(b, ' ');
    }
    mmr_buf_puts(b, "of ");
    mmr_buf_puts(b, x->source ? x->source : "?");
}

static void derived_window(mmr_buf *b, const mmr_derived *x)
{
    mmr_buf_puts(b, "over ");
    mmr_buf_puts(b, x->win_word ? x->win_word : "?");
    mmr_buf_putc(b, ' ');
    mmr_buf_puts(b, x->win_arg ? x->win_arg : "?");
}

void mmr_print_derived(mmr_buf *b, const mmr_derived *x)
{
    derived_head(b, x);
    if (x->expr) return;
    if (x->where) { mmr_buf_puts(b, " where "); mmr_print_expr(b, x->where); }
    if (x->by) { mmr_buf_puts(b, " by "); mmr_buf_puts(b, x->by); }
    if (x->win_word) { mmr_buf_putc(b, ' '); derived_window(b, x); }
}

/* One line when it fits in WIDTH, else the head on the first line and each
 * clause (and the doc string) on a line of its own. */
static void print_derived_decl(pr *p, const mmr_var_decl *v)
{
    mmr_buf one;
    mmr_buf_init(&one);
    mmr_buf_puts(&one, "signal ");
    mmr_buf_puts(&one, v->name ? v->name : "?");
    mmr_buf_puts(&one, " = ");
    mmr_print_derived(&one, v->def);
    if (v->doc) { mmr_buf_putc(&one, ' '); print_text(&one, v->doc, strlen(v->doc)); }
    if (one.len <= (size_t)p->width && !memchr(one.data, '\n', one.len)) {
        mmr_buf_append(p->b, one.data, one.len);
        mmr_buf_free(&one);
        return;
    }
    mmr_buf_free(&one);
    const mmr_derived *x = v->def;
    mmr_buf_puts(p->b, "signal ");
    mmr_buf_puts(p->b, v->name ? v->name : "?");
    mmr_buf_puts(p->b, " = ");
    derived_head(p->b, x);
    if (!x->expr) {
        if (x->where) {
            mmr_buf_puts(p->b, "\n  where ");
            if (x->where->kind == MMR_E_BINARY && (x->where->op == MMR_OP_AND || x->where->op == MMR_OP_OR) &&
                8 + measure_expr(x->where) > (size_t)p->width)
                print_wrapped(p, x->where, 8, 2);
            else
                mmr_print_expr(p->b, x->where);
        }
        if (x->by) { mmr_buf_puts(p->b, "\n  by "); mmr_buf_puts(p->b, x->by); }
        if (x->win_word) { mmr_buf_puts(p->b, "\n  "); derived_window(p->b, x); }
    }
    if (v->doc) {
        mmr_buf_puts(p->b, "\n  ");
        print_text(p->b, v->doc, strlen(v->doc));
    }
}

static void print_var(pr *p, const char *kw, const mmr_var_decl *v)
{
    if (v->def) { print_derived_decl(p, v); return; }
    mmr_buf_puts(p->b, kw);
    mmr_buf_puts(p->b, v->name ? v->name : "?");
    mmr_buf_puts(p->b, " : ");
    mmr_buf_puts(p->b, type_text(v->type));
    if (v->doc) {
        mmr_buf_putc(p->b, ' ');
        print_text(p->b, v->doc, strlen(v->doc));
    }
}

/* ------------------------------------------------------------------ file */

static mmr_loc decl_loc(const mmr_file *f, mmr_decl_ref r)
{
    switch (r.kind) {
    case MMR_D_IMPORT: return f->imports[r.index].loc;
    case MMR_D_SIGNAL: return f->signals[r.index].loc;
    case MMR_D_TRAIT: return f->traits[r.index].loc;
    case MMR_D_LET: return f->lets[r.index].loc;
    case MMR_D_TEMPLATE: return f->templates[r.index].loc;
    case MMR_D_RULE: return f->rules[r.index].loc;
    case MMR_D_POLICY: return f->policies[r.index].loc;
    default: return f->tests[r.index].loc;
    }
}

static int one_liner(mmr_decl_kind k)
{
    return k == MMR_D_IMPORT || k == MMR_D_SIGNAL || k == MMR_D_TRAIT || k == MMR_D_LET;
}

static int valid_ref(const mmr_file *f, mmr_decl_ref r)
{
    switch (r.kind) {
    case MMR_D_IMPORT: return r.index < f->nimports;
    case MMR_D_SIGNAL: return r.index < f->nsignals;
    case MMR_D_TRAIT: return r.index < f->ntraits;
    case MMR_D_LET: return r.index < f->nlets;
    case MMR_D_TEMPLATE: return r.index < f->ntemplates;
    case MMR_D_RULE: return r.index < f->nrules;
    case MMR_D_POLICY: return r.index < f->npolicies;
    case MMR_D_TEST: return r.index < f->ntests;
    }
    return 0;
}

/* Prints comments before source line `upto` at top level, keeping single
 * blank lines of the source; `force` asks for a blank line before the
 * first thing printed. Returns whether the blank is still owed. */
static int top_comments(pr *p, int upto, int force)
{
    const mmr_file *f = p->f;
    if (!p->printed) return force;
    for (size_t i = first_unprinted(p); i < f->ncomments; i++) {
        const mmr_comment *c = &f->comments[i];
        if (upto > 0 && c->loc.line >= upto) break;
        if (p->printed[i]) continue;
        if (p->started && (force || blank_between(p, p->last_line, c->loc.line))) mmr_buf_putc(p->b, '\n');
        force = 0;
        mmr_buf_puts(p->b, c->text);
        mmr_buf_putc(p->b, '\n');
        p->printed[i] = 1;
        p->started = 1;
        p->last_line = c->loc.line;
    }
    return force;
}

void mmr_print_file(mmr_buf *b, const mmr_file *f)
{
    mmr_print_file_width(b, f, WIDTH);
}

void mmr_print_file_width(mmr_buf *b, const mmr_file *f, int width)
{
    pr p;
    memset(&p, 0, sizeof p);
    p.b = b;
    p.f = f;
    p.width = width > 0 ? width : WIDTH;
    if (f->ncomments) p.printed = calloc(f->ncomments, 1);
    if (f->src) {
        int lines = 1;
        for (size_t i = 0; i < f->src_len; i++) if (f->src[i] == '\n') lines++;
        p.nlines = lines;
        p.blank_before = calloc((size_t)lines + 2, sizeof *p.blank_before);
        if (p.blank_before) {
            /* blank_before[k] = number of blank lines among lines 1..k-1 */
            int line = 1, blank = 1, count = 0;
            for (size_t i = 0; i <= f->src_len; i++) {
                char c = i < f->src_len ? f->src[i] : '\n';
                if (c == '\n') {
                    count += blank;
                    line++;
                    if (line <= lines + 1) p.blank_before[line] = count;
                    blank = 1;
                } else if (c != ' ' && c != '\t' && c != '\r') {
                    blank = 0;
                }
            }
        }
    }
    int have_prev = 0;
    mmr_decl_kind prev = MMR_D_IMPORT;
    for (size_t i = 0; i < f->norder; i++) {
        mmr_decl_ref r = f->order[i];
        if (!valid_ref(f, r)) continue;
        mmr_loc l = decl_loc(f, r);
        int force = have_prev && !(one_liner(prev) && prev == r.kind);
        if (l.line > 0) force = top_comments(&p, l.line, force);
        if (p.started && (force || (l.line > 0 && blank_between(&p, p.last_line, l.line)))) mmr_buf_putc(b, '\n');
        int ind = 0;
        switch (r.kind) {
        case MMR_D_IMPORT:
            lead(&p, p.last_line, l.line, loc_end(l), ind);
            mmr_buf_puts(b, "import ");
            print_text(b, f->imports[r.index].path ? f->imports[r.index].path : "",
                       f->imports[r.index].path ? strlen(f->imports[r.index].path) : 0);
            trail(&p, loc_end(l));
            break;
        case MMR_D_SIGNAL: case MMR_D_TRAIT:
            lead(&p, p.last_line, l.line, loc_end(l), ind);
            print_var(&p, r.kind == MMR_D_SIGNAL ? "signal " : "trait ",
                      r.kind == MMR_D_SIGNAL ? &f->signals[r.index] : &f->traits[r.index]);
            trail(&p, loc_end(l));
            break;
        case MMR_D_LET:
            lead(&p, p.last_line, l.line, loc_end(l), ind);
            mmr_buf_puts(b, "let ");
            mmr_buf_puts(b, f->lets[r.index].name ? f->lets[r.index].name : "?");
            mmr_buf_puts(b, " = ");
            if (f->lets[r.index].expr && f->lets[r.index].expr->kind == MMR_E_BINARY &&
                (f->lets[r.index].expr->op == MMR_OP_AND || f->lets[r.index].expr->op == MMR_OP_OR) &&
                7 + strlen(f->lets[r.index].name ? f->lets[r.index].name : "") + measure_expr(f->lets[r.index].expr) > (size_t)p.width)
                print_wrapped(&p, f->lets[r.index].expr, 7 + strlen(f->lets[r.index].name ? f->lets[r.index].name : ""), 0);
            else
                mmr_print_expr(b, f->lets[r.index].expr);
            trail(&p, loc_end(l));
            break;
        case MMR_D_TEMPLATE: print_template(&p, &f->templates[r.index]); trail(&p, loc_end(l)); break;
        case MMR_D_RULE: print_rule(&p, &f->rules[r.index]); trail(&p, loc_end(l)); break;
        case MMR_D_POLICY: print_policy(&p, &f->policies[r.index]); trail(&p, loc_end(l)); break;
        case MMR_D_TEST: print_test(&p, &f->tests[r.index]); trail(&p, loc_end(l)); break;
        }
        p.started = 1;
        if (l.line > 0) p.last_line = loc_end(l);
        have_prev = 1;
        prev = r.kind;
    }
    top_comments(&p, 0, 0);
    free(p.printed);
    free(p.blank_before);
}
