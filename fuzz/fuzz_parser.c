/* libFuzzer target: the parser and the formatter on arbitrary bytes. A
 * file that parses must print to text that parses to the same tree
 * (parse(fmt(x)) == parse(x), structurally), and fmt is idempotent. A
 * file with errors has them printed with its source lines quoted, and
 * that text has no control character but the newlines. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "compiler/ast.h"
#include "compiler/compile.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static int seq(const char *a, const char *b) { if (!a || !b) return a == b; return !strcmp(a, b); }
#define FAIL(...) do { fprintf(stderr, "MISMATCH: " __VA_ARGS__); fprintf(stderr, "\n"); abort(); } while (0)

static void ex(const mmr_expr *a, const mmr_expr *b)
{
    if (!a || !b) { if (a != b) FAIL("null expr"); return; }
    if (a->kind != b->kind) FAIL("kind %d vs %d at %d:%d", a->kind, b->kind, a->loc.line, a->loc.col);
    if (a->op != b->op) FAIL("op");
    if (a->negated != b->negated) FAIL("negated");
    if (a->kind == MMR_E_NUMBER) {
        if (!(a->num == b->num || (a->num != a->num && b->num != b->num))) FAIL("num %.17g vs %.17g", a->num, b->num);
        if (a->num == 0 && b->num == 0 && (1/a->num) != (1/b->num)) FAIL("signed zero");
    }
    if (a->kind == MMR_E_BOOL && a->boolean != b->boolean) FAIL("bool");
    if (a->kind == MMR_E_TEXT && (a->text_len != b->text_len || memcmp(a->text, b->text, a->text_len))) FAIL("text");
    if ((a->kind == MMR_E_NAME || a->kind == MMR_E_CALL || a->kind == MMR_E_QUANT) && !seq(a->text, b->text)) FAIL("name");
    ex(a->lhs, b->lhs); ex(a->rhs, b->rhs); ex(a->third, b->third);
    if (a->nitems != b->nitems) FAIL("nitems");
    for (size_t i = 0; i < a->nitems; i++) {
        ex(a->items ? a->items[i] : NULL, b->items ? b->items[i] : NULL);
        ex(a->keys ? a->keys[i] : NULL, b->keys ? b->keys[i] : NULL);
    }
}
static void binds(const mmr_binding *a, size_t na, const mmr_binding *b, size_t nb)
{
    if (na != nb) FAIL("nbind");
    for (size_t i = 0; i < na; i++) { if (!seq(a[i].name, b[i].name)) FAIL("bname"); ex(a[i].expr, b[i].expr); }
}
static void names(const char **a, size_t na, const char **b, size_t nb)
{
    if (na != nb) FAIL("nnames");
    for (size_t i = 0; i < na; i++) if (!seq(a[i], b[i])) FAIL("names");
}
static void cmpf(const mmr_file *f, const mmr_file *g)
{
    if (f->norder != g->norder) FAIL("norder %zu %zu", f->norder, g->norder);
    for (size_t i = 0; i < f->norder; i++) if (f->order[i].kind != g->order[i].kind) FAIL("order kind");
    if (f->nimports != g->nimports) FAIL("nimports");
    for (size_t i = 0; i < f->nimports; i++) if (!seq(f->imports[i].path, g->imports[i].path)) FAIL("import");
    const mmr_var_decl *vs[2][2] = { { f->signals, g->signals }, { f->traits, g->traits } };
    size_t vn[2][2] = { { f->nsignals, g->nsignals }, { f->ntraits, g->ntraits } };
    for (int k = 0; k < 2; k++) {
        if (vn[k][0] != vn[k][1]) FAIL("nvars");
        for (size_t i = 0; i < vn[k][0]; i++) {
            if (!seq(vs[k][0][i].name, vs[k][1][i].name) || vs[k][0][i].type != vs[k][1][i].type || !seq(vs[k][0][i].doc, vs[k][1][i].doc)) FAIL("var");
        }
    }
    if (f->nlets != g->nlets) FAIL("nlets");
    for (size_t i = 0; i < f->nlets; i++) { if (!seq(f->lets[i].name, g->lets[i].name)) FAIL("let"); ex(f->lets[i].expr, g->lets[i].expr); }
    if (f->ntemplates != g->ntemplates) FAIL("ntemplates");
    for (size_t i = 0; i < f->ntemplates; i++) {
        const mmr_template *a = &f->templates[i], *b = &g->templates[i];
        if (!seq(a->id, b->id) || !seq(a->title, b->title) || !seq(a->body, b->body) || !seq(a->tone, b->tone) || !seq(a->category, b->category)) FAIL("template");
    }
    if (f->nrules != g->nrules) FAIL("nrules");
    for (size_t i = 0; i < f->nrules; i++) {
        const mmr_rule *a = &f->rules[i], *b = &g->rules[i];
        if (!seq(a->name, b->name) || !seq(a->description, b->description) || !seq(a->category, b->category) ||
            a->has_priority != b->has_priority || a->priority != b->priority || a->cooldown_s != b->cooldown_s ||
            !seq(a->message, b->message)) FAIL("rule %s", a->name);
        ex(a->when, b->when); ex(a->audience, b->audience); binds(a->with, a->nwith, b->with, b->nwith);
    }
    if (f->npolicies != g->npolicies) FAIL("npolicies");
    for (size_t i = 0; i < f->npolicies; i++) {
        const mmr_policy *a = &f->policies[i], *b = &g->policies[i];
        if (a->has_max != b->has_max || a->max_nudges != b->max_nudges || a->window_s != b->window_s ||
            a->has_quiet != b->has_quiet || a->quiet_start_min != b->quiet_start_min || a->quiet_end_min != b->quiet_end_min ||
            !seq(a->timezone, b->timezone)) FAIL("policy");
        names(a->categories, a->ncategories, b->categories, b->ncategories);
    }
    if (f->ntests != g->ntests) FAIL("ntests");
    for (size_t i = 0; i < f->ntests; i++) {
        const mmr_test *a = &f->tests[i], *b = &g->tests[i];
        if (!seq(a->name, b->name) || !seq(a->at, b->at)) FAIL("test");
        binds(a->given, a->ngiven, b->given, b->ngiven);
        binds(a->traits, a->ntraits, b->traits, b->ntraits);
        names(a->muted, a->nmuted, b->muted, b->nmuted);
        if (a->nhistory != b->nhistory) FAIL("nhist");
        for (size_t k = 0; k < a->nhistory; k++) if (!seq(a->history[k].rule, b->history[k].rule) || a->history[k].ago_s != b->history[k].ago_s) FAIL("hist");
        if (a->nexpects != b->nexpects) FAIL("nexpects");
        for (size_t k = 0; k < a->nexpects; k++) {
            const mmr_expect *x = &a->expects[k], *y = &b->expects[k];
            if (x->kind != y->kind || !seq(x->rule, y->rule) || !seq(x->reason, y->reason) || x->text_len != y->text_len ||
                (x->text_len && memcmp(x->text, y->text, x->text_len))) FAIL("expect");
            names(x->rules, x->nrules, y->rules, y->nrules);
        }
    }
    if (f->ncomments != g->ncomments) FAIL("ncomments %zu %zu", f->ncomments, g->ncomments);
    for (size_t i = 0; i < f->ncomments; i++) if (!seq(f->comments[i].text, g->comments[i].text)) FAIL("comment text");
}

static const char *fuzz_src;
static size_t fuzz_len;
static const char *fuzz_text(const char *file, size_t *len) { (void)file; *len = fuzz_len; return fuzz_src; }

/* The diagnostics, quoted (util/diag_source.c): no control characters. */
static void quoted(const mmr_diags *d, const uint8_t *data, size_t size)
{
    char *out = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&out, &n);
    if (!m) return;
    fuzz_src = (const char *)data; fuzz_len = size;
    mmr_diag_style st = { 0, 1, fuzz_text };
    mmr_diags_print_styled(m, d, &st);
    fclose(m);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)out[i];
        if ((c < 0x20 && c != '\n') || c == 0x7f) { fprintf(stderr, "CONTROL 0x%02x IN:\n%.*s\n", c, (int)n, out); abort(); }
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16) return 0;
    mmr_arena a;
    mmr_arena_init(&a, 0);
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_file *f = mmr_parse(&a, "fuzz.mmr", (const char *)data, size, &d);
    if (d.n) quoted(&d, data, size);
    if (f && d.errors == 0) {
        mmr_buf b1, b2;
        mmr_buf_init(&b1);
        mmr_buf_init(&b2);
        mmr_print_file(&b1, f);
        mmr_diags d2;
        mmr_diags_init(&d2);
        mmr_file *g = mmr_parse(&a, "fuzz.mmr", b1.data ? b1.data : "", b1.len, &d2);
        if (!g || d2.errors) { fprintf(stderr, "PRINTED DOES NOT PARSE:\n%.*s\n", (int)b1.len, b1.data); abort(); }
        cmpf(f, g);
        mmr_print_file(&b2, g);
        if (b1.len != b2.len || (b1.len && memcmp(b1.data, b2.data, b1.len))) { fprintf(stderr, "NOT IDEMPOTENT:\n%.*s\n----\n%.*s\n", (int)b1.len, b1.data, (int)b2.len, b2.data); abort(); }
        mmr_diags_free(&d2);
        mmr_buf_free(&b1);
        mmr_buf_free(&b2);
    }
    mmr_diags_free(&d);
    mmr_arena_free(&a);
    return 0;
}
