/* Reports of `mmr test` for other tools: JUnit XML (CI test views) and an
 * lcov tracefile (coverage viewers). See engine/testrun.h and
 * docs/testing.md. Both are built from the per-test JSON records and the
 * coverage counters of an mmr_testrun; nothing is printed here. */
#include <stdlib.h>
#include <string.h>
#include "engine/testrun.h"

/* ------------------------------------------------------------ JUnit */

/* s as XML 1.0 character data or attribute value (attr): the markup
 * characters as entities, bytes that are not UTF-8 and the characters XML
 * cannot hold (U+FFFE, U+FFFF) as U+FFFD, other control characters as
 * \u{X} (the .mmr escape), tab/newline/CR kept (as references in an
 * attribute, where a parser would otherwise turn them into spaces). */
static void xml_esc(mmr_buf *b, const char *s, size_t n, int attr)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t len = mmr_utf8_char_len(s + i, n - i);
        if (len == 0) { mmr_buf_put_utf8(b, 0xFFFD); i++; continue; }
        if (len == 3 && c == 0xEF && (unsigned char)s[i + 1] == 0xBF && (unsigned char)s[i + 2] >= 0xBE) {
            mmr_buf_put_utf8(b, 0xFFFD); i += 3; continue;
        }
        if (len > 1) { mmr_buf_append(b, s + i, len); i += len; continue; }
        switch (c) {
        case '&': mmr_buf_puts(b, "&amp;"); break;
        case '<': mmr_buf_puts(b, "&lt;"); break;
        case '>': mmr_buf_puts(b, "&gt;"); break;
        case '"': mmr_buf_puts(b, attr ? "&quot;" : "\""); break;
        case '\r': mmr_buf_puts(b, "&#13;"); break;
        case '\n': case '\t':
            if (attr) mmr_buf_printf(b, "&#%u;", c);
            else mmr_buf_putc(b, (char)c);
            break;
        default:
            if (c < 0x20) mmr_buf_printf(b, "\\u{%X}", c);
            else mmr_buf_putc(b, (char)c);
        }
        i++;
    }
}

static void xml_attr(mmr_buf *b, const char *name, const char *v)
{
    mmr_buf_printf(b, " %s=\"", name);
    xml_esc(b, v, strlen(v), 1);
    mmr_buf_putc(b, '"');
}

static const char *jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* One <testcase> of the report: a test that ran (t in r->tests, with its
 * time) or one --filter left out (skipped). */
typedef struct jcase {
    const json_t *t;
    double seconds;
    int skipped;
    size_t file_rank, seq;
} jcase;

static int jcase_cmp(const void *x, const void *y)
{
    const jcase *a = x, *b = y;
    if (a->file_rank != b->file_rank) return a->file_rank < b->file_rank ? -1 : 1;
    long long la = json_integer_value(json_object_get(a->t, "line"));
    long long lb = json_integer_value(json_object_get(b->t, "line"));
    if (la != lb) return la < lb ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* A test is in error (not failed) when it could not run to the decision:
 * a bad `at`, a value that does not fit, the VM failed. */
static int jcase_error(const jcase *c)
{
    return !c->skipped && !json_is_true(json_object_get(c->t, "passed"))
        && !json_object_get(c->t, "candidates");
}

static int jcase_failed(const jcase *c)
{
    return !c->skipped && !json_is_true(json_object_get(c->t, "passed")) && !jcase_error(c);
}

static void counts_attrs(mmr_buf *out, const jcase *v, size_t n)
{
    size_t fails = 0, errs = 0, skips = 0;
    double secs = 0;
    for (size_t i = 0; i < n; i++) {
        fails += jcase_failed(&v[i]);
        errs += jcase_error(&v[i]);
        skips += v[i].skipped != 0;
        secs += v[i].seconds;
    }
    mmr_buf_printf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\"",
                   n, fails, errs, skips, secs);
}

static void render_case(mmr_buf *out, const jcase *c, mmr_buf *tmp)
{
    const char *file = jstr(c->t, "file");
    mmr_buf_puts(out, "    <testcase");
    xml_attr(out, "classname", file);
    xml_attr(out, "name", jstr(c->t, "name"));
    xml_attr(out, "file", file);
    mmr_buf_printf(out, " line=\"%lld\" time=\"%.3f\"",
                   (long long)json_integer_value(json_object_get(c->t, "line")), c->seconds);
    if (c->skipped) {
        mmr_buf_puts(out, ">\n      <skipped message=\"not selected by --filter\"/>\n    </testcase>\n");
        return;
    }
    json_t *fails = json_object_get(c->t, "failures");
    if (json_array_size(fails) == 0) { mmr_buf_puts(out, "/>\n"); return; }
    const char *el = jcase_error(c) ? "error" : "failure";
    const json_t *f = json_array_get(fails, 0);
    mmr_buf_clear(tmp);
    mmr_buf_printf(tmp, "%s:%lld: %s", jstr(f, "file"),
                   (long long)json_integer_value(json_object_get(f, "line")), jstr(f, "message"));
    if (json_array_size(fails) > 1) mmr_buf_printf(tmp, " (and %zu more)", json_array_size(fails) - 1);
    mmr_buf_printf(out, ">\n      <%s", el);
    xml_attr(out, "message", tmp->data ? tmp->data : "");
    mmr_buf_printf(out, " type=\"%s\">", jcase_error(c) ? "error" : "expectation");
    mmr_buf_clear(tmp);
    mmr_testrun_render_test_text(c->t, tmp);
    xml_esc(out, tmp->data ? tmp->data : "", tmp->len, 0);
    mmr_buf_printf(out, "</%s>\n    </testcase>\n", el);
}

static void junit_head(mmr_buf *out, const jcase *v, size_t n)
{
    mmr_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"mmr test\"");
    counts_attrs(out, v, n);
    mmr_buf_puts(out, ">\n");
}

void mmr_testrun_render_junit(const mmr_testrun *r, mmr_buf *out)
{
    size_t nran = json_array_size(r->tests), nskip = json_array_size(r->filtered);
    jcase *v = calloc(nran + nskip + 1, sizeof *v);
    if (!v) { out->oom = 1; return; }
    size_t n = 0, i;
    json_t *t;
    json_array_foreach(r->tests, i, t) { v[n] = (jcase){ t, r->seconds ? r->seconds[i] : 0, 0, 0, n }; n++; }
    json_array_foreach(r->filtered, i, t) { v[n] = (jcase){ t, 0, 1, 0, n }; n++; }
    /* suites in the order the files were loaded, cases by line (a path
     * that is not UTF-8 was changed in the records: after the others) */
    size_t nunit = r->unit ? r->unit->ntests : 0;
    for (size_t k = 0; k < n; k++) {
        const char *file = jstr(v[k].t, "file");
        v[k].file_rank = nunit + k;
        for (size_t u = 0; u < nunit; u++) {
            const char *uf = r->unit->tests[u]->loc.file;
            if (uf && strcmp(uf, file) == 0) { v[k].file_rank = u; break; }
        }
        for (size_t e = 0; e < k && v[k].file_rank >= nunit; e++)
            if (strcmp(jstr(v[e].t, "file"), file) == 0) v[k].file_rank = v[e].file_rank;
    }
    qsort(v, n, sizeof *v, jcase_cmp);
    mmr_buf tmp;
    mmr_buf_init(&tmp);
    junit_head(out, v, n);
    for (size_t s = 0; s < n;) {
        size_t e = s + 1;
        const char *file = jstr(v[s].t, "file");
        while (e < n && strcmp(jstr(v[e].t, "file"), file) == 0) e++;
        mmr_buf_puts(out, "  <testsuite");
        xml_attr(out, "name", file);
        counts_attrs(out, v + s, e - s);
        mmr_buf_puts(out, ">\n");
        for (size_t k = s; k < e; k++) render_case(out, &v[k], &tmp);
        mmr_buf_puts(out, "  </testsuite>\n");
        s = e;
    }
    mmr_buf_puts(out, "</testsuites>\n");
    if (tmp.oom) out->oom = 1;
    mmr_buf_free(&tmp);
    free(v);
}

void mmr_testrun_render_junit_error(const char *name, size_t nerrors, const char *diag_text, mmr_buf *out)
{
    mmr_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"mmr test\""
                      " tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0.000\">\n  <testsuite");
    xml_attr(out, "name", name);
    mmr_buf_puts(out, " tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0.000\">\n    <testcase");
    xml_attr(out, "classname", name);
    mmr_buf_puts(out, " name=\"the ruleset compiles\" time=\"0.000\">\n      <error");
    mmr_buf_printf(out, " message=\"the ruleset has %zu error%s\" type=\"ruleset\">", nerrors,
                   nerrors == 1 ? "" : "s");
    xml_esc(out, diag_text, strlen(diag_text), 0);
    mmr_buf_puts(out, "</error>\n    </testcase>\n  </testsuite>\n</testsuites>\n");
}

/* ------------------------------------------------------------ lcov */

typedef struct lcond { uint32_t i; int line; } lcond;

static int lcond_cmp(const void *x, const void *y)
{
    const lcond *a = x, *b = y;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

static const char *nz(const char *s) { return s ? s : ""; }

/* Has an earlier rule or condition than (rule ri, cond ci) the file f?
 * Files are listed once, in program order. */
static int file_seen_before(const mmr_program *p, const char *f, uint32_t ri, uint32_t ci)
{
    for (uint32_t k = 0; k < ri && k < p->nrules; k++) if (strcmp(nz(p->rules[k].file), f) == 0) return 1;
    for (uint32_t k = 0; k < ci && k < p->nconds; k++) if (strcmp(nz(p->conds[k].file), f) == 0) return 1;
    return 0;
}

static void lcov_file(const mmr_testrun *r, const char *f, lcond *v, mmr_buf *out)
{
    const mmr_program *p = r->prog;
    if (!*f) return;    /* no source file (cannot happen for parsed rules) */
    mmr_buf_puts(out, "TN:\nSF:");
    mmr_buf_puts(out, f);
    mmr_buf_putc(out, '\n');
    size_t fnf = 0, fnh = 0;
    for (uint32_t k = 0; k < p->nrules; k++)
        if (strcmp(nz(p->rules[k].file), f) == 0) mmr_buf_printf(out, "FN:%d,%s\n", p->rules[k].line, p->rules[k].name);
    for (uint32_t k = 0; k < p->nrules; k++)
        if (strcmp(nz(p->rules[k].file), f) == 0) {
            mmr_buf_printf(out, "FNDA:%u,%s\n", r->rule_fired[k], p->rules[k].name);
            fnf++;
            fnh += r->rule_fired[k] > 0;
        }
    mmr_buf_printf(out, "FNF:%zu\nFNH:%zu\n", fnf, fnh);
    size_t n = 0;
    for (uint32_t k = 0; k < p->nconds; k++)   /* conditions: not lets holding numbers, nor explain details */
        if (mmr_cov_kind(p, k) == 1 && strcmp(nz(p->conds[k].file), f) == 0) v[n++] = (lcond){ k, p->conds[k].line };
    qsort(v, n, sizeof *v, lcond_cmp);
    size_t brh = 0;
    for (size_t k = 0, block = 0; k < n; k++) {
        block = (k > 0 && v[k - 1].line == v[k].line) ? block + 1 : 0;
        const uint32_t *h = &r->cond_hits[(size_t)v[k].i * 3];
        for (int br = 0; br < 2; br++) {
            mmr_buf_printf(out, "BRDA:%d,%zu,%d,", v[k].line, block, br);
            if (h[0] + h[1] + h[2] == 0) mmr_buf_puts(out, "-\n");
            else mmr_buf_printf(out, "%u\n", h[br]);
            brh += h[br] > 0;
        }
    }
    mmr_buf_printf(out, "BRF:%zu\nBRH:%zu\n", n * 2, brh);
    /* a line's hits: the most evaluations of one condition on it */
    size_t lf = 0, lh = 0;
    for (size_t k = 0; k < n;) {
        uint32_t hits = 0;
        size_t e = k;
        for (; e < n && v[e].line == v[k].line; e++) {
            const uint32_t *h = &r->cond_hits[(size_t)v[e].i * 3];
            if (h[0] + h[1] + h[2] > hits) hits = h[0] + h[1] + h[2];
        }
        mmr_buf_printf(out, "DA:%d,%u\n", v[k].line, hits);
        lf++;
        lh += hits > 0;
        k = e;
    }
    mmr_buf_printf(out, "LF:%zu\nLH:%zu\nend_of_record\n", lf, lh);
}

void mmr_testrun_render_lcov(const mmr_testrun *r, mmr_buf *out)
{
    const mmr_program *p = r->prog;
    if (!p || !r->cond_hits || !r->rule_fired) return;
    lcond *v = calloc(p->nconds + 1, sizeof *v);
    if (!v) { out->oom = 1; return; }
    for (uint32_t ri = 0; ri < p->nrules; ri++)
        if (!file_seen_before(p, nz(p->rules[ri].file), ri, 0)) lcov_file(r, nz(p->rules[ri].file), v, out);
    for (uint32_t ci = 0; ci < p->nconds; ci++)
        if (!file_seen_before(p, nz(p->conds[ci].file), p->nrules, ci)) lcov_file(r, nz(p->conds[ci].file), v, out);
    free(v);
}
