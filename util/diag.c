#include "util/diag.h"
#include "util/buf.h"
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>

void mmr_diags_init(mmr_diags *d) { memset(d, 0, sizeof *d); }

static void diag_release(mmr_diag *g)
{
    free(g->file); free(g->jpath); free(g->code); free(g->name);
    free(g->message); free(g->hint);
}

void mmr_diags_free(mmr_diags *d)
{
    for (size_t i = 0; i < d->n; i++) diag_release(&d->v[i]);
    free(d->v);
    mmr_diags_init(d);
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static mmr_diag *diag_push(mmr_diags *d, mmr_severity sev)
{
    size_t limit = d->max_errors ? d->max_errors : 100;
    if (sev == MMR_SEV_ERROR) d->errors++;
    else if (sev == MMR_SEV_WARNING) d->warnings++;
    if (sev == MMR_SEV_ERROR && d->errors > limit) { d->truncated = 1; return NULL; }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        mmr_diag *v = realloc(d->v, cap * sizeof *v);
        if (!v) return NULL;
        d->v = v;
        d->cap = cap;
    }
    mmr_diag *g = &d->v[d->n++];
    memset(g, 0, sizeof *g);
    g->sev = sev;
    return g;
}

static char *vformat(const char *fmt, va_list ap)
{
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_buf_vprintf(&b, fmt, ap);
    return mmr_buf_take(&b);
}

mmr_diag *mmr_diag_add(mmr_diags *d, mmr_severity sev, const char *file,
                       int line, int col, const char *fmt, ...)
{
    mmr_diag *g = diag_push(d, sev);
    if (!g) return NULL;
    va_list ap;
    va_start(ap, fmt);
    g->message = vformat(fmt, ap);
    va_end(ap);
    g->file = strdup(file ? file : "");
    g->line = line;
    g->col = col;
    return g;
}

mmr_diag *mmr_diag_add_json(mmr_diags *d, mmr_severity sev, const char *file,
                            const char *jpath, const char *fmt, ...)
{
    mmr_diag *g = diag_push(d, sev);
    if (!g) return NULL;
    va_list ap;
    va_start(ap, fmt);
    g->message = vformat(fmt, ap);
    va_end(ap);
    g->file = strdup(file ? file : "");
    g->jpath = dup_or_null(jpath);
    return g;
}

void mmr_diag_set_code(mmr_diag *g, const char *code, const char *name)
{
    if (!g) return;
    free(g->code); free(g->name);
    g->code = dup_or_null(code);
    g->name = dup_or_null(name);
}

void mmr_diag_set_hint(mmr_diag *g, const char *fmt, ...)
{
    if (!g) return;
    va_list ap;
    va_start(ap, fmt);
    free(g->hint);
    g->hint = vformat(fmt, ap);
    va_end(ap);
}

void mmr_diags_append(mmr_diags *dst, mmr_diags *src)
{
    for (size_t i = 0; i < src->n; i++) {
        mmr_diag *g = diag_push(dst, src->v[i].sev);
        if (g) { *g = src->v[i]; memset(&src->v[i], 0, sizeof src->v[i]); }
        else diag_release(&src->v[i]);
    }
    if (src->truncated) dst->truncated = 1;
    free(src->v);
    mmr_diags_init(src);
}

static int diag_cmp(const mmr_diag *a, const mmr_diag *b)
{
    int c = strcmp(a->file ? a->file : "", b->file ? b->file : "");
    if (c) return c;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    if (a->col != b->col) return a->col < b->col ? -1 : 1;
    return 0;
}

void mmr_diags_sort(mmr_diags *d)
{
    /* Stable: a merge sort (lint on a 20k-rule ruleset gives 40k findings,
     * and the insertion sort this was took seconds); insertion sort when
     * the buffer cannot be had, or the list is short. */
    mmr_diag *tmp = d->n > 16 ? malloc(d->n * sizeof *tmp) : NULL;
    if (!tmp) {
        for (size_t i = 1; i < d->n; i++) {
            mmr_diag t = d->v[i];
            size_t j = i;
            while (j > 0 && diag_cmp(&d->v[j - 1], &t) > 0) { d->v[j] = d->v[j - 1]; j--; }
            d->v[j] = t;
        }
        return;
    }
    mmr_diag *src = d->v, *dst = tmp;
    for (size_t w = 1; w < d->n; w *= 2) {
        for (size_t lo = 0; lo < d->n; lo += 2 * w) {
            size_t mid = lo + w < d->n ? lo + w : d->n;
            size_t hi = lo + 2 * w < d->n ? lo + 2 * w : d->n;
            size_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi) dst[k++] = diag_cmp(&src[b], &src[a]) < 0 ? src[b++] : src[a++];
            while (a < mid) dst[k++] = src[a++];
            while (b < hi) dst[k++] = src[b++];
        }
        mmr_diag *t = src; src = dst; dst = t;
    }
    if (src != d->v) memcpy(d->v, src, d->n * sizeof *src);
    free(tmp);
}

const char *mmr_sev_name(mmr_severity s)
{
    return s == MMR_SEV_ERROR ? "error" : s == MMR_SEV_WARNING ? "warning" : "note";
}

void mmr_fput_escaped(FILE *out, const char *s, int backslash)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned c = *p;
        if (c == '\n') fputs("\\n", out);
        else if (c == '\t') fputs("\\t", out);
        else if (c == '\r') fputs("\\r", out);
        else if (c < 0x20 || c == 0x7f) fprintf(out, "\\x%02X", c);
        else if (c == '\\' && backslash) fputs("\\\\", out);
        else fputc((int)c, out);
    }
}

void mmr_diags_print_text(FILE *out, const mmr_diags *d)
{
    mmr_diags_print_styled(out, d, NULL);
}

void mmr_diags_print_json(FILE *out, const mmr_diags *d)
{
    mmr_buf b;
    mmr_buf_init(&b);
    for (size_t i = 0; i < d->n; i++) {
        const mmr_diag *g = &d->v[i];
        mmr_buf_clear(&b);
        mmr_buf_puts(&b, "{\"file\":");
        mmr_buf_json_string(&b, g->file ? g->file : "", g->file ? strlen(g->file) : 0);
        if (g->jpath) {
            mmr_buf_puts(&b, ",\"path\":");
            mmr_buf_json_string(&b, g->jpath, strlen(g->jpath));
        } else {
            mmr_buf_printf(&b, ",\"line\":%d,\"col\":%d", g->line, g->col);
        }
        if (!g->jpath && g->end_line > 0 && g->end_col > 0)
            mmr_buf_printf(&b, ",\"end_line\":%d,\"end_col\":%d", g->end_line, g->end_col);
        mmr_buf_printf(&b, ",\"severity\":\"%s\"", mmr_sev_name(g->sev));
        if (g->code) { mmr_buf_puts(&b, ",\"code\":"); mmr_buf_json_string(&b, g->code, strlen(g->code)); }
        if (g->name) { mmr_buf_puts(&b, ",\"name\":"); mmr_buf_json_string(&b, g->name, strlen(g->name)); }
        mmr_buf_puts(&b, ",\"message\":");
        mmr_buf_json_string(&b, g->message ? g->message : "", g->message ? strlen(g->message) : 0);
        if (g->hint) { mmr_buf_puts(&b, ",\"hint\":"); mmr_buf_json_string(&b, g->hint, strlen(g->hint)); }
        mmr_buf_puts(&b, "}\n");
        fwrite(b.data, 1, b.len, out);
    }
    mmr_buf_free(&b);
}
