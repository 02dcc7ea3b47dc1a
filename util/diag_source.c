/* Text diagnostics the way compilers print them: the first line as ever
 * (FILE:LINE:COL: error: message), then the source line it points into and
 * a caret under the column, with ~~~ under the rest of the range:
 *
 *   rules/x.mmr:3:14: error: unknown signal "dinning_txn_7d"
 *       3 |   when dinning_txn_7d >= 3
 *         |        ^~~~~~~~~~~~~~
 *     hint: did you mean "dining_txn_7d"?
 *
 * Only .mmr sources are quoted: a JSON master's places are JSON paths and
 * a data file (NDJSON, CSV) may be huge or a stream. A file is read once
 * per print (the embedded std schemas come from the caller's lookup), and
 * a line that cannot be found (the file changed or went away) is skipped.
 *
 * Columns are the lexer's: one per character (a UTF-8 sequence is one),
 * a tab one. The quoted line expands tabs (stops of 8), shows control
 * characters, invalid UTF-8 and bidirectional controls as "?", and is cut
 * around the column when it is long, so the caret lines up and the line
 * cannot move the terminal's cursor. */
#include "util/diag.h"
#include "util/buf.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A line over LONG_LINE bytes is cut to LONG_BEFORE bytes before the
 * column and LONG_AFTER from it before it is looked at; what is shown is
 * at most MAX_SHOWN columns, LEFT_CONTEXT of them before the caret. */
enum { TAB_STOP = 8, MAX_SHOWN = 120, LEFT_CONTEXT = 40,
       LONG_LINE = 4096, LONG_BEFORE = 1024, LONG_AFTER = 2048 };

#define C_BOLD  "\033[1m"
#define C_RED   "\033[1;31m"
#define C_MAG   "\033[1;35m"
#define C_CYAN  "\033[1;36m"
#define C_GREEN "\033[1;32m"
#define C_OFF   "\033[0m"

/* ------------------------------------------------------------ the sources */

typedef struct src_file {
    char *file;            /* the diagnostic's file name */
    const char *text;      /* NULL: could not be had */
    char *owned;           /* text when read from disk */
    size_t len;
    size_t *lines;         /* byte offset of each line's start */
    size_t nlines;
} src_file;

typedef struct src_cache {
    src_file *v;
    size_t n, cap;
    const mmr_diag_style *st;
} src_cache;

static int ends_with_mmr(const char *s)
{
    size_t n = strlen(s);
    return n > 4 && !strcmp(s + n - 4, ".mmr");
}

static void index_lines(src_file *f)
{
    size_t n = 1;
    for (size_t i = 0; i < f->len; i++) if (f->text[i] == '\n') n++;
    f->lines = malloc(n * sizeof *f->lines);
    if (!f->lines) { f->text = NULL; return; }
    f->lines[0] = 0;
    f->nlines = 1;
    for (size_t i = 0; i < f->len; i++)
        if (f->text[i] == '\n') f->lines[f->nlines++] = i + 1;
}

static src_file *cache_get(src_cache *c, const char *file)
{
    for (size_t i = 0; i < c->n; i++) if (!strcmp(c->v[i].file, file)) return &c->v[i];
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        src_file *nv = realloc(c->v, cap * sizeof *nv);
        if (!nv) return NULL;
        c->v = nv; c->cap = cap;
    }
    src_file *f = &c->v[c->n];
    memset(f, 0, sizeof *f);
    if (!(f->file = strdup(file))) return NULL;
    c->n++;
    if (c->st->embedded) f->text = c->st->embedded(file, &f->len);
    if (!f->text && (f->owned = mmr_read_file(file, &f->len)) != NULL) f->text = f->owned;
    if (f->text) index_lines(f);
    return f;
}

static void cache_free(src_cache *c)
{
    for (size_t i = 0; i < c->n; i++) { free(c->v[i].file); free(c->v[i].owned); free(c->v[i].lines); }
    free(c->v);
}

/* ------------------------------------------------------ one quoted line */

/* A cell is one column of the lexer: shown as its bytes, a "?", or (a
 * tab) spaces. */
typedef struct cell { size_t off; unsigned char len, width, kind; } cell;
enum { CELL_BYTES, CELL_QMARK, CELL_SPACES };

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char b = s[0];
    size_t k;
    uint32_t v;
    if (b >= 0xC2 && b <= 0xDF) { k = 2; v = b & 0x1F; }
    else if (b >= 0xE0 && b <= 0xEF) { k = 3; v = b & 0x0F; }
    else if (b >= 0xF0 && b <= 0xF4) { k = 4; v = b & 0x07; }
    else return 0;
    if (n < k) return 0;
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    if ((k == 3 && v < 0x800) || (k == 4 && (v < 0x10000 || v > 0x10FFFF)) || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return k;
}

/* Characters that would change how the rest of the terminal line looks. */
static int unshowable(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x200E && cp <= 0x200F) ||
           (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Split line (n bytes) into cells; *ncells set; NULL on OOM. */
static cell *split_cells(const unsigned char *s, size_t n, size_t *ncells)
{
    cell *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return NULL;
    size_t k = 0, i = 0, x = 0;
    while (i < n) {
        unsigned char b = s[i];
        if ((b & 0xC0) == 0x80) { i++; continue; }        /* the lexer counts no column */
        cell c = { i, 1, 1, CELL_BYTES };
        if (b == '\t') { c.kind = CELL_SPACES; c.width = (unsigned char)(TAB_STOP - x % TAB_STOP); }
        else if (b < 0x20 || b == 0x7F) c.kind = CELL_QMARK;
        else if (b >= 0x80) {
            uint32_t cp = 0;
            size_t len = utf8_len(s + i, n - i, &cp);
            if (!len || unshowable(cp)) c.kind = CELL_QMARK;
            else c.len = (unsigned char)len;
        }
        x += c.width;
        v[k++] = c;
        i += c.kind == CELL_BYTES ? c.len : 1;
    }
    *ncells = k;
    return v;
}

static void put_cell(FILE *out, const unsigned char *s, const cell *c)
{
    if (c->kind == CELL_BYTES) fwrite(s + c->off, 1, c->len, out);
    else if (c->kind == CELL_QMARK) fputc('?', out);
    else for (int i = 0; i < c->width; i++) fputc(' ', out);
}

/* Bytes [*b0, *b1) of a long line (n bytes) around column col (1-based),
 * so a megabyte line costs no megabyte of cells per diagnostic; returns
 * the column of byte *b0, 0 when the line has no column col. */
static size_t around(const unsigned char *s, size_t n, size_t start, size_t col, size_t *b0, size_t *b1)
{
    size_t c = 0, p = n;
    for (size_t i = start; i < n; i++)
        if ((s[i] & 0xC0) != 0x80 && ++c == col) { p = i; break; }
    if (p == n && c + 1 != col) return 0;      /* col past the end of the line */
    size_t lo = p > start + LONG_BEFORE ? p - LONG_BEFORE : start;
    while (lo > start && (s[lo] & 0xC0) == 0x80) lo--;
    *b0 = lo;
    *b1 = p + LONG_AFTER < n ? p + LONG_AFTER : n;
    size_t before = 0;
    for (size_t i = start; i < lo; i++) if ((s[i] & 0xC0) != 0x80) before++;
    return before + 1;
}

/* The source line of g and its caret line, when the source can be had. */
static void quote_line(FILE *out, const mmr_diag *g, src_file *f, int color)
{
    if (!f || !f->text || g->line < 1 || (size_t)g->line > f->nlines) return;
    const unsigned char *s = (const unsigned char *)f->text + f->lines[g->line - 1];
    size_t n = ((size_t)g->line < f->nlines ? f->lines[g->line] - 1 : f->len) - f->lines[g->line - 1];
    if (n && s[n - 1] == '\r') n--;
    size_t start = g->line == 1 && n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF ? 3 : 0;
    size_t b0 = start, b1 = n, c0 = 1;
    if (n > LONG_LINE && !(c0 = around(s, n, start, (size_t)g->col, &b0, &b1))) return;
    size_t nc = 0;
    cell *cells = split_cells(s + b0, b1 - b0, &nc);
    if (!cells) return;
    size_t col = (size_t)g->col - c0, at = 0, total = 0;
    if (col > nc) { free(cells); return; }   /* not this file's place: it changed */
    for (size_t i = 0; i < nc; i++) total += cells[i].width;
    for (size_t i = 0; i < col; i++) at += cells[i].width;
    size_t end = at + 1;                     /* display end (exclusive) of the range */
    if (g->end_line > g->line) end = total > at ? total : at + 1;
    else if (g->end_line == g->line && (size_t)g->end_col >= (size_t)g->col) {
        size_t e = 0, last = (size_t)g->end_col - c0 + 1;
        for (size_t i = 0; i < last && i < nc; i++) e += cells[i].width;
        if (e > end) end = e;
    }
    /* a long line is shown around the column, from a cell's start */
    size_t from = 0, right = total, x = 0, i = 0;
    if (total > MAX_SHOWN) {
        size_t left = at > LEFT_CONTEXT ? at - LEFT_CONTEXT : 0;
        while (i < nc && x < left) x += cells[i++].width;
        from = x;
        right = from + MAX_SHOWN;
    }
    int cut = from > 0 || b0 > start;
    int gutter = g->line > 99999 ? snprintf(NULL, 0, "%d", g->line) : 5;
    fprintf(out, "%*d | %s", gutter, g->line, cut ? "..." : "");
    for (; i < nc && x + cells[i].width <= right; i++) { put_cell(out, s + b0, &cells[i]); x += cells[i].width; }
    if (i < nc || b1 < n) fputs("...", out);
    fputc('\n', out);
    free(cells);
    /* the caret line, relative to what was shown */
    if (end > right) end = right;
    size_t len = end > at ? end - at : 1;
    size_t pad = (cut ? 3 : 0) + (at > from ? at - from : 0);
    fprintf(out, "%*s | %*s", gutter, "", (int)pad, "");
    if (color) fputs(C_GREEN, out);
    fputc('^', out);
    for (size_t k = 1; k < len; k++) fputc('~', out);
    if (color) fputs(C_OFF, out);
    fputc('\n', out);
}

/* ------------------------------------------------------------ the printer */

static const char *sev_color(mmr_severity s)
{
    return s == MMR_SEV_ERROR ? C_RED : s == MMR_SEV_WARNING ? C_MAG : C_CYAN;
}

/* Text output is one line per diagnostic (plus its quote and hint): a file
 * name (or a message quoting one) with a newline in it must not start a
 * forged "file:line: error:" line, so control characters are escaped. */
void mmr_diags_print_styled(FILE *out, const mmr_diags *d, const mmr_diag_style *st)
{
    static const mmr_diag_style plain = { 0, 0, NULL };
    if (!st) st = &plain;
    src_cache cache = { NULL, 0, 0, st };
    for (size_t i = 0; i < d->n; i++) {
        const mmr_diag *g = &d->v[i];
        const char *file = g->file && *g->file ? g->file : "<input>";
        if (st->color) fputs(C_BOLD, out);
        mmr_fput_escaped(out, file, 1);
        if (g->jpath) { fputs(": ", out); mmr_fput_escaped(out, g->jpath, 0); }
        else if (g->line > 0 && g->col > 0) fprintf(out, ":%d:%d", g->line, g->col);
        else if (g->line > 0) fprintf(out, ":%d", g->line);
        fputs(":", out);
        if (st->color) fputs(C_OFF, out);
        fputc(' ', out);
        if (st->color) fputs(sev_color(g->sev), out);
        fprintf(out, "%s:", mmr_sev_name(g->sev));
        if (st->color) fputs(C_OFF, out);
        fputc(' ', out);
        mmr_fput_escaped(out, g->message ? g->message : "", 0);
        if (g->code) fprintf(out, " [%s%s%s]", g->code, g->name ? " " : "", g->name ? g->name : "");
        fputc('\n', out);
        if (st->quote && !g->jpath && g->line > 0 && g->col > 0 && g->file && ends_with_mmr(g->file))
            quote_line(out, g, cache_get(&cache, g->file), st->color);
        if (g->hint) { fputs("  hint: ", out); mmr_fput_escaped(out, g->hint, 0); fputc('\n', out); }
    }
    if (d->truncated) fprintf(out, "note: too many errors; the rest were not shown\n");
    cache_free(&cache);
}
