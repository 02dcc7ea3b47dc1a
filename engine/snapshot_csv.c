/* CSV snapshots (RFC 4180 with LF, CRLF or CR line ends).
 *
 * The header row binds columns to slots once: user_id (required), as_of
 * (optional), then signals and traits by name. In a row, an empty
 * unquoted cell is missing; a quoted empty cell ("") is the empty text.
 * Numbers use the JSON number grammar; bools are true/false; list and map
 * cells hold JSON text (["a","b"], {"dining":120}).
 */
#include "engine/snapshot_impl.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int fields_reserve(mmr_snap_parser *ps, size_t n)
{
    if (n <= ps->fields_cap) return 0;
    size_t cap = ps->fields_cap ? ps->fields_cap * 2 : 64;
    while (cap < n) cap *= 2;
    snap_field *f = realloc(ps->fields, cap * sizeof *f);
    if (!f) return -1;
    ps->fields = f;
    ps->fields_cap = cap;
    return 0;
}

/* Split rec into ps->fields. Returns the count, or -1 with *errpos and
 * *msg set. Quoted cells keep their "" pairs: see cell_text. */
static long split(mmr_snap_parser *ps, const char *rec, size_t len, const char **errpos, const char **msg)
{
    const char *p = rec, *end = rec + len;
    size_t n = 0;
    for (;;) {
        if (fields_reserve(ps, n + 1) < 0) { *errpos = p; *msg = "out of memory"; return -1; }
        snap_field *f = &ps->fields[n++];
        f->raw = p;
        if (p < end && *p == '"') {
            const char *s = ++p;
            for (;;) {
                const char *q = memchr(p, '"', (size_t)(end - p));
                if (!q) { *errpos = s - 1; *msg = "unterminated quoted cell"; return -1; }
                if (q + 1 < end && q[1] == '"') { p = q + 2; continue; }
                f->p = s; f->len = (size_t)(q - s); f->quoted = 1;
                p = q + 1;
                break;
            }
            if (p < end && *p != ',') { *errpos = p; *msg = "expected ',' after a quoted cell"; return -1; }
        } else {
            const char *s = p;
            while (p < end && *p != ',') {
                if (*p == '"') { *errpos = p; *msg = "a quote inside an unquoted cell (quote the whole cell)"; return -1; }
                p++;
            }
            f->p = s; f->len = (size_t)(p - s); f->quoted = 0;
        }
        f->raw_len = (size_t)(p - f->raw);
        if (p >= end) return (long)n;
        p++;   /* the comma */
    }
}

/* The cell's text with "" turned into ". */
static void cell_text(mmr_snap_parser *ps, const snap_field *f, const char **s, size_t *n)
{
    if (!f->quoted || !memchr(f->p, '"', f->len)) { *s = f->p; *n = f->len; return; }
    mmr_buf *b = &ps->csvcell;
    mmr_buf_clear(b);
    for (size_t i = 0; i < f->len; i++) {
        mmr_buf_putc(b, f->p[i]);
        if (f->p[i] == '"') i++;
    }
    *s = b->data ? b->data : "";
    *n = b->len;
}

static int char_col(const char *base, const char *at)
{
    int col = 1;
    for (const char *q = base; q < at; q++)
        if (((unsigned char)*q & 0xC0) != 0x80) col++;
    return col;
}

/* The first column before i named like column i, or -1 (then i is
 * added). seen: an open-addressing table of column numbers, mask + 1
 * slots, more than twice the columns. */
static long seen_first(long *seen, size_t mask, char *const *names, long i)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *q = (const unsigned char *)names[i]; *q; q++) { h ^= *q; h *= 16777619u; }
    for (size_t k = h & mask;; k = (k + 1) & mask) {
        if (seen[k] < 0) { seen[k] = i; return -1; }
        if (!strcmp(names[seen[k]], names[i])) return seen[k];
    }
}

int mmr_snap_parser_header(mmr_snap_parser *ps, const char *rec, size_t len, long line, mmr_diags *d)
{
    if (len && rec[len - 1] == '\r') len--;
    size_t bad = mmr_utf8_check(rec, len);
    if (bad < len) {
        mmr_diag_add(d, MMR_SEV_ERROR, ps->file, (int)line, char_col(rec, rec + bad), "invalid UTF-8");
        return -1;
    }
    const char *errpos, *msg;
    long n = split(ps, rec, len, &errpos, &msg);
    if (n < 0) {
        mmr_diag_add(d, MMR_SEV_ERROR, ps->file, (int)line, char_col(rec, errpos), "%s", msg);
        return -1;
    }
    if (ps->colnames) for (size_t i = 0; i < ps->ncols; i++) free(ps->colnames[i]);
    free(ps->colnames);
    free(ps->colslot);
    ps->ncols = 0;
    ps->colslot = calloc((size_t)n, sizeof *ps->colslot);
    ps->colnames = calloc((size_t)n, sizeof *ps->colnames);
    if (!ps->colslot || !ps->colnames) { mmr_diag_add(d, MMR_SEV_ERROR, ps->file, (int)line, 0, "out of memory"); return -1; }
    ps->ncols = (size_t)n;
    /* names seen so far, by hash: a header of many columns is checked for
     * duplicates in linear time */
    size_t mask = 15;
    while (mask < 2 * (size_t)n) mask = mask * 2 + 1;
    long *seen = malloc((mask + 1) * sizeof *seen);
    if (!seen) { mmr_diag_add(d, MMR_SEV_ERROR, ps->file, (int)line, 0, "out of memory"); return -1; }
    for (size_t k = 0; k <= mask; k++) seen[k] = -1;
    int user_col = -1, rc = 0;
    snap_rec r;
    memset(&r, 0, sizeof r);
    r.ps = ps; r.line = line; r.d = d;
    for (long i = 0; i < n; i++) {
        const char *s; size_t sl;
        cell_text(ps, &ps->fields[i], &s, &sl);
        ps->colnames[i] = strndup(s, sl);
        if (!ps->colnames[i]) { free(seen); mmr_diag_add(d, MMR_SEV_ERROR, ps->file, (int)line, 0, "out of memory"); return -1; }
        if (sl == 0) {
            mmr_diag_add(d, MMR_SEV_ERROR, ps->file, (int)line, 0, "column %ld has no name", i + 1);
            rc = -1;
            continue;
        }
        long j = seen_first(seen, mask, ps->colnames, i);
        if (j >= 0) {
            mmr_diag_add(d, MMR_SEV_ERROR, ps->file, (int)line, 0,
                         "column \"%s\" appears twice (columns %ld and %ld)", ps->colnames[i], j + 1, i + 1);
            rc = -1;
        }
        if (!strcmp(ps->colnames[i], "user_id")) { ps->colslot[i] = SNAP_COL_USER; user_col = (int)i; }
        else if (!strcmp(ps->colnames[i], "as_of")) ps->colslot[i] = SNAP_COL_ASOF;
        else {
            int slot = mmr_snap_binder_find(ps->b, s, sl);
            ps->colslot[i] = slot >= 0 ? slot : SNAP_COL_UNKNOWN;
            if (slot < 0) snap_warn_unknown(&r, "column", s, sl, d);
        }
    }
    free(seen);
    if (user_col < 0 && rc == 0) {
        mmr_diag_add(d, MMR_SEV_ERROR, ps->file, (int)line, 0, "the header has no user_id column");
        rc = -1;
    }
    ps->header_done = rc == 0;
    return rc;
}

static void quote_cell(mmr_buf *b, const char *s, size_t n)
{
    mmr_buf tmp;
    mmr_buf_init(&tmp);
    mmr_buf_json_string(&tmp, s, n);
    snap_describe_raw(b, tmp.data ? tmp.data : "", tmp.len);
    mmr_buf_free(&tmp);
}

static void cell_type_error(snap_rec *r, int slot, const char *s, size_t n)
{
    const snap_slotinfo *si = &r->ps->b->slots[slot];
    mmr_buf raw;
    mmr_buf_init(&raw);
    quote_cell(&raw, s, n);
    snap_type_error(r, "%s \"%s\"%s must be %s, got %s", snap_kind(si), si->name, r->csv_where,
                    snap_type_phrase(si->type), raw.data ? raw.data : "");
    mmr_buf_free(&raw);
}

static void cell_value(snap_rec *r, int slot, const snap_field *f)
{
    mmr_snap_parser *ps = r->ps;
    const snap_slotinfo *si = &ps->b->slots[slot];
    const char *s; size_t n;
    cell_text(ps, f, &s, &n);
    switch (si->type) {
    case MMR_T_NUMBER: {
        double v;
        const char *q = snap_parse_number(s, s + n, &v);
        if (!q || q != s + n || n == 0) { cell_type_error(r, slot, s, n); return; }
        if (!isfinite(v)) { cell_type_error(r, slot, s, n); return; }
        r->regs[slot] = mmr_v_num(v);
        return;
    }
    case MMR_T_BOOL:
        if (n == 4 && !strncasecmp(s, "true", 4)) { r->regs[slot] = mmr_v_bool(1); return; }
        if (n == 5 && !strncasecmp(s, "false", 5)) { r->regs[slot] = mmr_v_bool(0); return; }
        cell_type_error(r, slot, s, n);
        return;
    case MMR_T_TEXT: {
        mmr_text *t = mmr_text_new(r->a, s, n);
        if (!t) { snap_type_error(r, "out of memory"); return; }
        r->regs[slot] = mmr_v_text(t);
        return;
    }
    default: {
        /* JSON text in the cell */
        snap_rec sub = *r;
        sub.base = s; sub.end = s + n;
        sub.errpos = NULL;
        const char *p = snap_json_ws(s, s + n);
        const char *q = p < s + n ? snap_json_slot(&sub, p, slot) : NULL;
        if (q) q = snap_json_ws(q, s + n);
        if (q && q != s + n && !sub.errpos) { sub.errpos = q; snprintf(sub.errmsg, sizeof sub.errmsg, "unexpected text after the value"); }
        if (!q || q != s + n) {
            if (!sub.errpos) { sub.errpos = p; snprintf(sub.errmsg, sizeof sub.errmsg, "expected a value"); }
            mmr_buf raw;
            mmr_buf_init(&raw);
            quote_cell(&raw, s, n);
            snap_type_error(r, "%s \"%s\"%s must be %s written as JSON, got %s (%s at character %d of the cell)",
                            snap_kind(si), si->name, r->csv_where, snap_type_phrase(si->type),
                            raw.data ? raw.data : "", sub.errmsg, char_col(s, sub.errpos));
            mmr_buf_free(&raw);
            return;
        }
        r->has_terr = sub.has_terr;
        return;
    }
    }
}

int snap_parse_csv(mmr_snap_parser *ps, const char *rec, size_t len, long line,
                   mmr_value *regs, mmr_arena *a, mmr_snap_user *u, mmr_diags *d);

int snap_parse_csv(mmr_snap_parser *ps, const char *rec, size_t len, long line,
                   mmr_value *regs, mmr_arena *a, mmr_snap_user *u, mmr_diags *d)
{
    if (!ps->header_done) {
        mmr_diag_add(d, MMR_SEV_ERROR, ps->file, (int)line, 0, "no valid CSV header");
        return -1;
    }
    if (len == 0) return 0;
    snap_rec r;
    memset(&r, 0, sizeof r);
    r.ps = ps; r.base = rec; r.end = rec + len; r.line = line;
    r.regs = regs; r.a = a; r.d = d; r.csv_where = "";
    size_t bad = mmr_utf8_check(rec, len);
    if (bad < len) {
        r.errpos = rec + bad;
        snprintf(r.errmsg, sizeof r.errmsg, "invalid UTF-8");
        return snap_finish(&r, 1, u, d);
    }
    const char *errpos, *msg;
    long n = split(ps, rec, len, &errpos, &msg);
    if (n < 0) {
        r.errpos = errpos;
        snprintf(r.errmsg, sizeof r.errmsg, "%s", msg);
        return snap_finish(&r, 1, u, d);
    }
    /* the user first, so every message can name them */
    for (size_t i = 0; i < ps->ncols && i < (size_t)n; i++) {
        if (ps->colslot[i] != SNAP_COL_USER) continue;
        const char *s; size_t sl;
        cell_text(ps, &ps->fields[i], &s, &sl);
        char where[32];
        snprintf(where, sizeof where, " (column %zu)", i + 1);
        if (sl && !snap_bad_user(&r, s, sl, where)) {
            r.user_id = mmr_arena_strndup(a, s, sl);
            r.user_len = sl;
            if (!r.user_id) { snap_type_error(&r, "out of memory"); return snap_finish(&r, 0, u, d); }
        }
    }
    if ((size_t)n != ps->ncols) {
        snap_type_error(&r, "the row has %ld cells, the header has %zu", n, ps->ncols);
        return snap_finish(&r, 0, u, d);
    }
    char where[32];
    for (size_t i = 0; i < ps->ncols; i++) {
        int slot = ps->colslot[i];
        const snap_field *f = &ps->fields[i];
        if (slot == SNAP_COL_USER || slot == SNAP_COL_UNKNOWN) continue;
        if (slot == SNAP_COL_ASOF) {
            const char *s; size_t sl;
            cell_text(ps, f, &s, &sl);
            if (sl == 0) continue;
            if (!mmr_snap_date_ok(s, sl)) {
                mmr_buf raw;
                mmr_buf_init(&raw);
                quote_cell(&raw, s, sl);
                snap_type_error(&r, "as_of (column %zu) must be a date YYYY-MM-DD, got %s", i + 1,
                                raw.data ? raw.data : "");
                mmr_buf_free(&raw);
                continue;
            }
            r.as_of = mmr_arena_strndup(a, s, sl);
            continue;
        }
        if (f->len == 0 && !f->quoted) continue;      /* missing */
        if (ps->seen[slot] == ps->epoch) continue;   /* a slot named twice: first wins */
        ps->seen[slot] = ps->epoch;
        ps->set[ps->nset++] = (uint32_t)slot;
        snprintf(where, sizeof where, " (column %zu)", i + 1);
        r.csv_where = where;
        cell_value(&r, slot, f);
        r.csv_where = "";
    }
    return snap_finish(&r, 0, u, d);
}
