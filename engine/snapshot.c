/* Snapshot plumbing shared by the NDJSON and CSV formats: binding names
 * to slots, the parser object, messages, chunked reading and the simple
 * iterator. */
#include "engine/snapshot_impl.h"
#include "util/userid.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------ helpers */

int mmr_snap_format_from_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash)) return -1;
    if (!strcmp(dot, ".csv") || !strcmp(dot, ".CSV")) return MMR_SNAP_CSV;
    if (!strcmp(dot, ".ndjson") || !strcmp(dot, ".jsonl") || !strcmp(dot, ".json")) return MMR_SNAP_NDJSON;
    return -1;
}

static size_t utf8_seq(const unsigned char *s, size_t avail)
{
    unsigned c = s[0];
    if (c < 0x80) return 1;
    if (c < 0xC2) return 0;
    if (c < 0xE0) return avail >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c < 0xF0) {
        if (avail < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && s[1] < 0xA0) return 0;     /* overlong */
        if (c == 0xED && s[1] >= 0xA0) return 0;    /* surrogate */
        return 3;
    }
    if (c < 0xF5) {
        if (avail < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && s[1] < 0x90) return 0;     /* overlong */
        if (c == 0xF4 && s[1] >= 0x90) return 0;    /* > U+10FFFF */
        return 4;
    }
    return 0;
}

size_t mmr_utf8_check(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (u[i] < 0x80) { i++; continue; }
        size_t n = utf8_seq(u + i, len - i);
        if (!n) return i;
        i += n;
    }
    return len;
}

int mmr_snap_date_ok(const char *s, size_t len)
{
    if (len != 10 || s[4] != '-' || s[7] != '-') return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return 0;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (y < 1970 || m < 1 || m > 12 || d < 1) return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = mdays[m - 1] + (m == 2 && leap);
    return d <= max;
}

static int text_cmp(const mmr_text *x, const mmr_text *y)
{
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->bytes, y->bytes, n);
    if (c) return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

long snap_sort_map(const mmr_text **keys, double *vals, size_t n)
{
    /* insertion sort for the usual handful of keys, merge-free fallback
     * (shell sort) for big maps; both keep vals beside their keys */
    size_t i0 = 1;
    while (i0 < n && text_cmp(keys[i0 - 1], keys[i0]) < 0) i0++;
    if (i0 >= n) return -1;              /* already sorted, no duplicates */
    size_t gap = 1;
    while (gap < n / 3) gap = gap * 3 + 1;
    for (; gap > 0; gap /= 3) {
        for (size_t i = gap; i < n; i++) {
            const mmr_text *k = keys[i];
            double v = vals[i];
            size_t j = i;
            while (j >= gap && text_cmp(keys[j - gap], k) > 0) {
                keys[j] = keys[j - gap]; vals[j] = vals[j - gap]; j -= gap;
            }
            keys[j] = k; vals[j] = v;
        }
    }
    for (size_t i = 1; i < n; i++)
        if (text_cmp(keys[i - 1], keys[i]) == 0) return (long)i;
    return -1;
}

int snap_items_reserve(mmr_snap_parser *ps, size_t n)
{
    if (n <= ps->items_cap) return 0;
    size_t cap = ps->items_cap ? ps->items_cap * 2 : 16;
    while (cap < n) cap *= 2;
    mmr_value *v = realloc(ps->items, cap * sizeof *v);
    if (!v) return -1;
    ps->items = v; ps->items_cap = cap;
    return 0;
}

int snap_map_reserve(mmr_snap_parser *ps, size_t n)
{
    if (n <= ps->map_cap) return 0;
    size_t cap = ps->map_cap ? ps->map_cap * 2 : 16;
    while (cap < n) cap *= 2;
    const mmr_text **k = realloc(ps->mkeys, cap * sizeof *k);
    if (!k) return -1;
    ps->mkeys = k;
    double *v = realloc(ps->mvals, cap * sizeof *v);
    if (!v) return -1;
    ps->mvals = v;
    ps->map_cap = cap;
    return 0;
}

const char *snap_type_phrase(int type)
{
    switch (type) {
    case MMR_T_NUMBER:      return "a number";
    case MMR_T_BOOL:        return "true or false";
    case MMR_T_TEXT:        return "text";
    case MMR_T_LIST_TEXT:   return "a list of text";
    case MMR_T_LIST_NUMBER: return "a list of numbers";
    case MMR_T_MAP_NUMBER:  return "an object of numbers";
    default:                return "a value";
    }
}

const char *snap_kind(const snap_slotinfo *si) { return si->is_trait ? "trait" : "signal"; }

/* The value as written, shortened for a message. */
void snap_describe_raw(mmr_buf *b, const char *raw, size_t len)
{
    enum { MAX = 40 };
    if (len <= MAX) { mmr_buf_append(b, raw, len); return; }
    size_t n = MAX - 3;
    /* do not cut a UTF-8 sequence */
    while (n > 0 && ((unsigned char)raw[n] & 0xC0) == 0x80) n--;
    mmr_buf_append(b, raw, n);
    mmr_buf_puts(b, "...");
}

void snap_type_error(snap_rec *r, const char *fmt, ...)
{
    if (r->has_terr) return;          /* the first one is reported */
    r->has_terr = 1;
    mmr_buf_clear(&r->ps->terr);
    va_list ap;
    va_start(ap, fmt);
    mmr_buf_vprintf(&r->ps->terr, fmt, ap);
    va_end(ap);
}

void snap_warn_unknown(snap_rec *r, const char *kind, const char *name, size_t len, mmr_diags *d)
{
    mmr_snap_parser *ps = r->ps;
    if (!ps->warn_unknown || !d) return;
    enum { MAX_WARNED = 32 };
    for (size_t i = 0; i < ps->nwarned && i < MAX_WARNED; i++)
        if (strlen(ps->warned[i]) == len && !memcmp(ps->warned[i], name, len)) return;
    if (ps->nwarned >= MAX_WARNED) {
        /* bounded memory and output, whatever the input holds */
        if (ps->nwarned == MAX_WARNED) {
            mmr_diag_add(d, MMR_SEV_WARNING, ps->file, (int)r->line, 0,
                         "more unknown keys; they are ignored without further warnings");
            ps->nwarned++;
        }
        return;
    }
    if (ps->nwarned == ps->capwarned) {
        size_t cap = ps->capwarned ? ps->capwarned * 2 : 8;
        char **v = realloc(ps->warned, cap * sizeof *v);
        if (!v) return;
        ps->warned = v; ps->capwarned = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy) return;
    memcpy(copy, name, len);
    copy[len] = 0;
    ps->warned[ps->nwarned++] = copy;
    mmr_buf m;
    mmr_buf_init(&m);
    mmr_buf_json_string(&m, name, len);
    mmr_diag_add(d, MMR_SEV_WARNING, ps->file, (int)r->line, 0,
                 "%s %s is not a signal or trait of the ruleset; ignored",
                 kind, m.data ? m.data : "");
    mmr_buf_free(&m);
}

int snap_bad_user(snap_rec *r, const char *s, size_t len, const char *where)
{
    mmr_buf m;
    mmr_buf_init(&m);
    int bad = mmr_user_id_check(&m, s, len) < 0;
    if (bad) snap_type_error(r, "%s%s", m.data ? m.data : "bad user id", where ? where : "");
    mmr_buf_free(&m);
    return bad;
}

/* Report the record's error, if any; fill u otherwise. */
int snap_finish(snap_rec *r, int syntax_failed, mmr_snap_user *u, mmr_diags *d)
{
    mmr_snap_parser *ps = r->ps;
    if (!syntax_failed && !r->has_terr && r->user_id) {
        u->user_id = r->user_id;
        u->user_id_len = r->user_len;
        u->as_of = r->as_of;
        u->line = r->line;
        return 1;
    }
    mmr_buf who;
    mmr_buf_init(&who);
    if (r->user_id) {
        mmr_buf_puts(&who, "user ");
        mmr_buf_append(&who, r->user_id, r->user_len);
        mmr_buf_puts(&who, ": ");
    }
    const char *w = who.data ? who.data : "";
    int rc = 1;
    if (syntax_failed) {
        /* column in characters, 1-based */
        int col = 1;
        for (const char *q = r->base; q < r->errpos && q < r->end; q++)
            if (((unsigned char)*q & 0xC0) != 0x80) col++;
        mmr_diag_add(d, MMR_SEV_ERROR, ps->file, (int)r->line, col, "%s%s", w, r->errmsg);
        rc = -1;
    } else if (r->has_terr) {
        mmr_diag_add(d, MMR_SEV_ERROR, ps->file, (int)r->line, 0, "%s%s", w,
                     ps->terr.data ? ps->terr.data : "");
        rc = -1;
    } else if (!r->user_id) {
        mmr_diag_add(d, MMR_SEV_ERROR, ps->file, (int)r->line, 0,
                     ps->fmt == MMR_SNAP_CSV ? "the user_id cell is empty"
                                             : "the record has no \"user_id\"");
        rc = -1;
    }
    mmr_buf_free(&who);
    if (rc < 0) return -1;
    u->user_id = r->user_id;
    u->user_id_len = r->user_len;
    u->as_of = r->as_of;
    u->line = r->line;
    return 1;
}

/* ------------------------------------------------------------ binder */

static uint32_t hash_name(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) { h ^= (unsigned char)s[i]; h *= 16777619u; }
    return h;
}

mmr_snap_binder *mmr_snap_binder_new(const mmr_program *p)
{
    mmr_snap_binder *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->nslots = p->nslots;
    b->slots = calloc(p->nslots ? p->nslots : 1, sizeof *b->slots);
    uint32_t size = 16;
    while (size < 2 * p->nslots + 2) size *= 2;
    b->table = malloc(size * sizeof *b->table);
    if (!b->slots || !b->table) { mmr_snap_binder_free(b); return NULL; }
    b->mask = size - 1;
    for (uint32_t i = 0; i < size; i++) b->table[i] = -1;
    for (uint32_t i = 0; i < p->nslots; i++) {
        snap_slotinfo *si = &b->slots[i];
        si->name = p->slots[i].name ? p->slots[i].name : "";
        si->len = strlen(si->name);
        si->type = p->slots[i].type;
        si->is_trait = p->slots[i].is_trait;
        if (mmr_snap_binder_find(b, si->name, si->len) >= 0) continue;  /* first wins */
        uint32_t h = hash_name(si->name, si->len) & b->mask;
        while (b->table[h] >= 0) h = (h + 1) & b->mask;
        b->table[h] = (int32_t)i;
    }
    return b;
}

void mmr_snap_binder_free(mmr_snap_binder *b)
{
    if (!b) return;
    free(b->slots);
    free(b->table);
    free(b);
}

int mmr_snap_binder_find(const mmr_snap_binder *b, const char *name, size_t len)
{
    uint32_t h = hash_name(name, len) & b->mask;
    for (;;) {
        int32_t s = b->table[h];
        if (s < 0) return -1;
        const snap_slotinfo *si = &b->slots[s];
        if (si->len == len && !memcmp(si->name, name, len)) return s;
        h = (h + 1) & b->mask;
    }
}

uint32_t mmr_snap_binder_nslots(const mmr_snap_binder *b) { return b->nslots; }

/* ------------------------------------------------------------ parser */

mmr_snap_parser *mmr_snap_parser_new(const mmr_snap_binder *b, mmr_snap_format fmt, const char *file)
{
    mmr_snap_parser *ps = calloc(1, sizeof *ps);
    if (!ps) return NULL;
    ps->b = b;
    ps->fmt = fmt;
    ps->warn_unknown = 1;
    ps->file = strdup(file ? file : "");
    ps->seen = calloc(b->nslots ? b->nslots : 1, sizeof *ps->seen);
    ps->set = calloc(b->nslots ? b->nslots : 1, sizeof *ps->set);
    if (!ps->file || !ps->seen || !ps->set) { mmr_snap_parser_free(ps); return NULL; }
    mmr_buf_init(&ps->scratch);
    mmr_buf_init(&ps->csvcell);
    mmr_buf_init(&ps->terr);
    return ps;
}

void mmr_snap_parser_free(mmr_snap_parser *ps)
{
    if (!ps) return;
    free(ps->file);
    free(ps->seen);
    free(ps->set);
    mmr_buf_free(&ps->scratch);
    mmr_buf_free(&ps->csvcell);
    mmr_buf_free(&ps->terr);
    for (int s = 0; s < 2; s++) {
        for (size_t i = 0; i < ps->cache[s].n; i++) free(ps->cache[s].v[i].key);
        free(ps->cache[s].v);
    }
    for (size_t i = 0; i < ps->nwarned && ps->warned && i < ps->capwarned && i < 32; i++) free(ps->warned[i]);
    free(ps->warned);
    free(ps->items);
    free(ps->mkeys);
    free(ps->mvals);
    free(ps->colslot);
    if (ps->colnames) for (size_t i = 0; i < ps->ncols; i++) free(ps->colnames[i]);
    free(ps->colnames);
    free(ps->fields);
    free(ps);
}

void mmr_snap_parser_warn_unknown(mmr_snap_parser *ps, int on) { ps->warn_unknown = on; }

int snap_parse_ndjson(mmr_snap_parser *ps, const char *rec, size_t len, long line,
                      mmr_value *regs, mmr_arena *a, mmr_snap_user *u, mmr_diags *d);
int snap_parse_csv(mmr_snap_parser *ps, const char *rec, size_t len, long line,
                   mmr_value *regs, mmr_arena *a, mmr_snap_user *u, mmr_diags *d);

int mmr_snap_parse(mmr_snap_parser *ps, const char *rec, size_t len, long line,
                   mmr_value *regs, mmr_arena *a, mmr_snap_user *u, mmr_diags *d)
{
    if (len && rec[len - 1] == '\r') len--;
    if (len > MMR_SNAP_MAX_RECORD) {
        mmr_diag_add(d, MMR_SEV_ERROR, ps->file, (int)line, 0,
                     "the record is longer than %zu MiB", MMR_SNAP_MAX_RECORD >> 20);
        return -1;
    }
    if (++ps->epoch == 0) {            /* wrapped: forget every mark */
        memset(ps->seen, 0, ps->b->nslots * sizeof *ps->seen);
        ps->epoch = 1;
    }
    mmr_value miss = mmr_v_missing();
    if (regs == ps->last_regs) {
        /* inputs are read-only to the VM: only what we set needs resetting */
        for (uint32_t i = 0; i < ps->nset; i++) {
            mmr_value *v = &regs[ps->set[i]];
            v->u.num = miss.u.num;
            v->tag = MMR_V_MISSING;
        }
    } else {
        for (uint32_t i = 0; i < ps->b->nslots; i++) regs[i] = miss;
        ps->last_regs = regs;
    }
    ps->nset = 0;
    if (ps->fmt == MMR_SNAP_CSV) return snap_parse_csv(ps, rec, len, line, regs, a, u, d);
    return snap_parse_ndjson(ps, rec, len, line, regs, a, u, d);
}

/* Line ends: LF, CRLF, or a CR alone (old Mac files). The length of the
 * line end at data[j] (0 when there is none); a CR that is the last byte
 * of data ends a line: callers only hand over data that ends at a record
 * end or at the end of the input (see last_record_end). */
static inline size_t eol_at(const char *data, size_t j, size_t len)
{
    if (data[j] == '\n') return 1;
    if (data[j] != '\r') return 0;
    return j + 1 < len && data[j + 1] == '\n' ? 2 : 1;
}

int mmr_snap_next_record(mmr_snap_format fmt, const char *data, size_t len, size_t *pos,
                         const char **rec, size_t *rec_len, long *nlines)
{
    size_t i = *pos;
    if (i >= len) return 0;
    if (fmt == MMR_SNAP_NDJSON) {
        const char *nl = memchr(data + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - data) : len;
        /* a CR before it ends the line there (CRLF, or a CR alone) */
        const char *cr = memchr(data + i, '\r', e - i);
        if (cr) e = (size_t)(cr - data);
        *rec = data + i;
        *rec_len = e - i;
        *nlines = 1;
        *pos = e < len ? e + eol_at(data, e, len) : len;
        return 1;
    }
    /* CSV: a line break inside quotes belongs to the field */
    long lines = 1;
    int inq = 0;
    size_t j = i, brk = 0;
    for (; j < len; j++) {
        char c = data[j];
        if (c == '"') inq = !inq;
        else if (c == '\n' || c == '\r') {
            size_t k = eol_at(data, j, len);
            if (!inq) { brk = k; break; }
            lines++;
            j += k - 1;
        }
    }
    *rec = data + i;
    *rec_len = j - i;
    *nlines = lines;
    *pos = j < len ? j + brk : len;
    return 1;
}

/* ------------------------------------------------------------ reader */

struct mmr_snap_reader {
    int fd, own_fd;
    char *path;
    mmr_snap_format fmt;
    char *buf; size_t start, len, cap;   /* unconsumed input is buf[start..len) */
    int eof;
    long line;                           /* line of buf[start] */
    int quote_parity;                    /* CSV: inside quotes at buf[len]? scanning state */
    char *header; size_t header_len; long header_line;
};

const char *mmr_snap_reader_path(const mmr_snap_reader *r) { return r->path; }

static int reader_fill(mmr_snap_reader *r, mmr_diags *d)
{
    if (r->start > 0 && (r->start > r->cap / 2 || r->len == r->start)) {
        memmove(r->buf, r->buf + r->start, r->len - r->start);
        r->len -= r->start;
        r->start = 0;
    }
    if (r->len == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : (1u << 20);
        char *nb = realloc(r->buf, cap);
        if (!nb) { mmr_diag_add(d, MMR_SEV_ERROR, r->path, 0, 0, "out of memory"); return -1; }
        r->buf = nb; r->cap = cap;
    }
    for (;;) {
        ssize_t n = read(r->fd, r->buf + r->len, r->cap - r->len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            mmr_diag_add(d, MMR_SEV_ERROR, r->path, 0, 0, "cannot read: %s", strerror(errno));
            return -1;
        }
        if (n == 0) r->eof = 1;
        r->len += (size_t)n;
        return 0;
    }
}

/* End of the last complete record in data[from..len) (just past its line
 * break), or `from` when there is none. data[from] starts a record. A CR
 * that is the last byte does not count yet: its LF may be in the next read. */
static size_t last_record_end(mmr_snap_format fmt, const char *data, size_t from, size_t len)
{
    if (fmt == MMR_SNAP_NDJSON) {
        for (size_t j = len; j > from; j--) {
            char c = data[j - 1];
            if (c == '\n' || (c == '\r' && j < len)) return j;
        }
        return from;
    }
    size_t end = from;
    int inq = 0;
    for (size_t j = from; j < len; j++) {
        char c = data[j];
        if (c == '"') inq = !inq;
        else if (!inq && (c == '\n' || (c == '\r' && j + 1 < len && data[j + 1] != '\n'))) end = j + 1;
    }
    return end;
}

/* Line ends in s[0..n): LF, CRLF (one) and lone CR. */
static long count_lines(const char *s, size_t n)
{
    long k = 0;
    const char *p = s, *e = s + n;
    while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) { k++; p++; }
    for (p = s; p < e && (p = memchr(p, '\r', (size_t)(e - p))) != NULL; p++)
        if (p + 1 == e || p[1] != '\n') k++;
    return k;
}

/* Input is read straight into `out`; only the partial record at the end
 * of a chunk is copied (into r->buf) to start the next one. */
int mmr_snap_reader_next(mmr_snap_reader *r, mmr_buf *out, size_t target,
                         long *first_line, mmr_diags *d)
{
    mmr_buf_clear(out);
    if (target < 4096) target = 4096;
    if (r->len - r->start > target) {
        /* plenty left over (from opening): a chunk from that alone */
        size_t end = last_record_end(r->fmt, r->buf, r->start, r->start + target);
        if (end > r->start) {
            mmr_buf_append(out, r->buf + r->start, end - r->start);
            if (out->oom) { mmr_diag_add(d, MMR_SEV_ERROR, r->path, 0, 0, "out of memory"); return -1; }
            *first_line = r->line;
            r->line += count_lines(out->data, out->len);
            r->start = end;
            return 1;
        }
    }
    mmr_buf_append(out, r->buf + r->start, r->len - r->start);
    r->start = r->len = 0;
    size_t want = target;
    for (;;) {
        while (!r->eof && out->len < want) {
            if (mmr_buf_reserve(out, want - out->len) < 0) {
                mmr_diag_add(d, MMR_SEV_ERROR, r->path, 0, 0, "out of memory");
                return -1;
            }
            ssize_t n = read(r->fd, out->data + out->len, want - out->len);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                mmr_diag_add(d, MMR_SEV_ERROR, r->path, 0, 0, "cannot read: %s", strerror(errno));
                return -1;
            }
            if (n == 0) { r->eof = 1; break; }
            out->len += (size_t)n;
        }
        if (out->oom) { mmr_diag_add(d, MMR_SEV_ERROR, r->path, 0, 0, "out of memory"); return -1; }
        if (out->len == 0) return 0;
        size_t end = r->eof ? out->len : last_record_end(r->fmt, out->data, 0, out->len);
        if (end > 0) {
            size_t tail = out->len - end;
            if (tail) {
                if (r->cap < tail) {
                    char *nb = realloc(r->buf, tail);
                    if (!nb) { mmr_diag_add(d, MMR_SEV_ERROR, r->path, 0, 0, "out of memory"); return -1; }
                    r->buf = nb; r->cap = tail;
                }
                memcpy(r->buf, out->data + end, tail);
                r->len = tail;
            }
            out->len = end;
            out->data[end] = 0;
            *first_line = r->line;
            r->line += count_lines(out->data, end);
            return 1;
        }
        if (out->len > MMR_SNAP_MAX_RECORD) {
            mmr_diag_add(d, MMR_SEV_ERROR, r->path, (int)r->line, 0,
                         "the record is longer than %zu MiB (no line break)",
                         MMR_SNAP_MAX_RECORD >> 20);
            return -1;
        }
        want = out->len + target;   /* one record longer than a chunk */
    }
}

mmr_snap_reader *mmr_snap_reader_open(const char *path, mmr_snap_format fmt, mmr_diags *d)
{
    mmr_snap_reader *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->fmt = fmt;
    r->line = 1;
    r->path = strdup(!strcmp(path, "-") ? "<stdin>" : path);
    if (!r->path) { free(r); return NULL; }
    if (!strcmp(path, "-")) { r->fd = 0; r->own_fd = 0; }
    else {
        /* only a regular file: a FIFO or device would block or never end
         * (O_NONBLOCK keeps the open itself from waiting for a writer) */
        r->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        struct stat st;
        const char *why = r->fd < 0 || fstat(r->fd, &st) != 0 ? strerror(errno)
                        : S_ISDIR(st.st_mode) ? strerror(EISDIR) : !S_ISREG(st.st_mode) ? "not a regular file" : NULL;
        if (!why && fcntl(r->fd, F_SETFL, fcntl(r->fd, F_GETFL) & ~O_NONBLOCK) != 0) why = strerror(errno);
        if (why) {
            /* a directory keeps the words it always had */
            mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "cannot %s: %s",
                         r->fd >= 0 && S_ISDIR(st.st_mode) ? "read" : "open", why);
            if (r->fd >= 0) close(r->fd);
            free(r->path); free(r);
            return NULL;
        }
        r->own_fd = 1;
    }
    /* a UTF-8 byte order mark is skipped */
    while (r->len < 3 && !r->eof)
        if (reader_fill(r, d) < 0) { mmr_snap_reader_close(r); return NULL; }
    if (r->len >= 3 && !memcmp(r->buf, "\xEF\xBB\xBF", 3)) r->start = 3;
    if (fmt == MMR_SNAP_CSV) {
        /* the header: the first non-blank record */
        for (;;) {
            size_t end = last_record_end(fmt, r->buf, r->start, r->len);
            size_t pos = r->start;
            const char *rec; size_t rl; long nl;
            if (end > r->start || r->eof) {
                size_t lim = end > r->start ? end : r->len;
                while (mmr_snap_next_record(fmt, r->buf, lim, &pos, &rec, &rl, &nl)) {
                    long at = r->line;
                    r->line += nl;
                    r->start = pos;
                    if (rl && rec[rl - 1] == '\r') rl--;
                    if (rl == 0) continue;
                    r->header = malloc(rl + 1);
                    if (!r->header) { mmr_snap_reader_close(r); return NULL; }
                    memcpy(r->header, rec, rl);
                    r->header[rl] = 0;
                    r->header_len = rl;
                    r->header_line = at;
                    return r;
                }
                if (r->eof) {
                    mmr_diag_add(d, MMR_SEV_ERROR, r->path, 1, 0, "the CSV file has no header row");
                    mmr_snap_reader_close(r);
                    return NULL;
                }
            }
            if (r->len - r->start > MMR_SNAP_MAX_RECORD) {
                mmr_diag_add(d, MMR_SEV_ERROR, r->path, (int)r->line, 0,
                             "the header is longer than %zu MiB", MMR_SNAP_MAX_RECORD >> 20);
                mmr_snap_reader_close(r);
                return NULL;
            }
            if (reader_fill(r, d) < 0) { mmr_snap_reader_close(r); return NULL; }
        }
    }
    return r;
}

int mmr_snap_reader_header(const mmr_snap_reader *r, const char **rec, size_t *len, long *line)
{
    if (!r->header) return -1;
    *rec = r->header;
    *len = r->header_len;
    *line = r->header_line;
    return 0;
}

void mmr_snap_reader_close(mmr_snap_reader *r)
{
    if (!r) return;
    if (r->own_fd) close(r->fd);
    free(r->buf);
    free(r->header);
    free(r->path);
    free(r);
}

/* ------------------------------------------------------------ iterator */

struct mmr_snapshot {
    mmr_snap_reader *r;
    mmr_snap_binder *b;
    mmr_snap_parser *ps;
    mmr_buf chunk;
    size_t pos;
    long line;
};

mmr_snapshot *mmr_snapshot_open(const char *path, int fmt, const mmr_program *p, mmr_diags *d)
{
    if (fmt < 0) fmt = mmr_snap_format_from_path(path);
    if (fmt < 0) fmt = MMR_SNAP_NDJSON;
    mmr_snapshot *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    mmr_buf_init(&s->chunk);
    s->r = mmr_snap_reader_open(path, (mmr_snap_format)fmt, d);
    if (!s->r) { free(s); return NULL; }
    s->b = mmr_snap_binder_new(p);
    s->ps = s->b ? mmr_snap_parser_new(s->b, (mmr_snap_format)fmt, mmr_snap_reader_path(s->r)) : NULL;
    if (!s->ps) { mmr_snapshot_close(s); return NULL; }
    if (fmt == MMR_SNAP_CSV) {
        const char *h = NULL; size_t hl = 0; long line = 1;
        mmr_snap_reader_header(s->r, &h, &hl, &line);
        if (mmr_snap_parser_header(s->ps, h, hl, line, d) < 0) { mmr_snapshot_close(s); return NULL; }
    }
    return s;
}

int mmr_snapshot_next(mmr_snapshot *s, mmr_value *regs, mmr_arena *a,
                      mmr_snap_user *u, mmr_diags *d)
{
    for (;;) {
        const char *rec; size_t rl; long nl;
        if (mmr_snap_next_record(s->ps->fmt, s->chunk.data, s->chunk.len, &s->pos, &rec, &rl, &nl)) {
            long at = s->line;
            s->line += nl;
            int rc = mmr_snap_parse(s->ps, rec, rl, at, regs, a, u, d);
            if (rc != 0) return rc;
            continue;
        }
        int rc = mmr_snap_reader_next(s->r, &s->chunk, 1u << 20, &s->line, d);
        s->pos = 0;
        if (rc <= 0) return rc;
    }
}

void mmr_snapshot_close(mmr_snapshot *s)
{
    if (!s) return;
    mmr_snap_parser_free(s->ps);
    mmr_snap_binder_free(s->b);
    mmr_snap_reader_close(s->r);
    mmr_buf_free(&s->chunk);
    free(s);
}
