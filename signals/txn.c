/* Transactions: NDJSON lines and CSV rows into mmr_txn (signals/txn.h).
 *
 * The NDJSON reader is hand-written for one flat shape: strict JSON
 * (RFC 8259 grammar, escapes with surrogate pairs, UTF-8), but nothing
 * generic is built. Keys are matched on their bytes as written (a key
 * with escapes is decoded first); values of the known fields are checked
 * and copied into the caller's arena; unknown fields, however nested, are
 * validated and skipped. CSV follows engine/snapshot_csv.c: RFC 4180 with
 * LF, CRLF or CR line ends, an empty unquoted cell is absent, "" is empty
 * text. A user id follows util/userid.h.
 *
 * One diagnostic per bad record: a syntax error (FILE:LINE:COL) wins over
 * a field error (FILE:LINE, the first in the record), which wins over a
 * missing field.
 *
 * Longer than our ~800-line mark: one hand-written JSON and CSV reader for
 * one record shape, kept in one file because the speed budget of the
 * signals stage depends on it being read as a whole.
 */
#include "signals/txn.h"
#include "util/jsonnum.h"
#include "engine/snapshot.h"
#include "util/buf.h"
#include "util/timeutil.h"
#include "util/userid.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

enum { F_TXN_ID, F_USER_ID, F_TS, F_AMOUNT, F_TYPE, F_CATEGORY, F_MERCHANT, F_RECURRING, NFIELDS };

static const char *const field_name[NFIELDS] = {
    "txn_id", "user_id", "ts", "amount", "type", "category", "merchant", "recurring"
};
#define REQUIRED ((1u << F_TXN_ID) | (1u << F_USER_ID) | (1u << F_TS) | (1u << F_AMOUNT) | \
                  (1u << F_TYPE) | (1u << F_CATEGORY))

#define MAX_DEPTH 64
#define RAW_MAX 40          /* a value quoted in a message is cut to this many bytes */

typedef struct csv_cell { const char *p; size_t len; int quoted; } csv_cell;

struct mmr_txn_parser {
    mmr_txn_format fmt;
    uint64_t kword[NFIELDS][2], kmask[NFIELDS][2];  /* key_text as words, and its bytes */
    signed char follow[NFIELDS + 2];  /* NDJSON: the key that came after each
                                   * field last time (NFIELDS: the first key,
                                   * NFIELDS + 1: after an unknown key) */
    char *file;
    mmr_buf scratch;             /* a string with escapes, a CSV cell with "" */
    mmr_buf msg;                 /* the record's first field error */
    const char *ts_text;         /* the last good record's "ts" as written */
    size_t ts_len;
    /* CSV */
    int header_done;
    size_t ncols;
    signed char *colfield;       /* per column: a field, or -1 (ignored) */
    csv_cell *cells;
    size_t cells_cap;
};

/* One record being parsed. */
typedef struct rec {
    mmr_txn_parser *p;
    const char *base, *end;
    char *mut;                   /* base, writable (the reader's NDJSON), or NULL */
    long line;
    mmr_arena *a;
    const char *errpos;          /* syntax error (NDJSON, CSV splitting) */
    const char *errmsg;
    int ferr;                    /* a field error is in p->msg */
    int oom;
    unsigned have;               /* fields given (null merchant/recurring count) */
    mmr_txn t;
    const char *ts_text; size_t ts_len;
} rec;

/* ------------------------------------------------------------ helpers */

mmr_txn_format mmr_txn_format_from_path(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    const char *slash = path ? strrchr(path, '/') : NULL;
    if (dot && (!slash || dot > slash) && !strcasecmp(dot, ".csv")) return MMR_TXN_CSV;
    return MMR_TXN_NDJSON;
}

static int syntax(rec *r, const char *at, const char *msg)
{
    if (!r->errpos) { r->errpos = at; r->errmsg = msg; }
    return 0;
}

/* The value as a message shows it: as written (NDJSON) or as a JSON
 * string (CSV cells, decoded), cut to RAW_MAX bytes on a character
 * boundary. */
static void describe(mmr_buf *b, const char *raw, size_t n, int quote)
{
    mmr_buf tmp;
    mmr_buf_init(&tmp);
    if (quote) {
        mmr_buf_json_string(&tmp, raw, n);
        raw = tmp.data ? tmp.data : "\"\"";
        n = tmp.data ? tmp.len : 2;
    }
    if (n <= RAW_MAX) mmr_buf_append(b, raw, n);
    else {
        size_t k = RAW_MAX - 3;
        while (k > 0 && ((unsigned char)raw[k] & 0xC0) == 0x80) k--;
        mmr_buf_append(b, raw, k);
        mmr_buf_puts(b, "...");
    }
    mmr_buf_free(&tmp);
}

/* Record the record's first field error: "\"FIELD\"" + text + the value. */
static void field_error(rec *r, int f, const char *what, const char *raw, size_t rawn, int quote)
{
    if (r->ferr) return;
    r->ferr = 1;
    mmr_buf *b = &r->p->msg;
    mmr_buf_clear(b);
    mmr_buf_printf(b, "\"%s\"%s", field_name[f], what);
    if (raw) describe(b, raw, rawn, quote);
}

/* The phrase after "FIELD" for a value of the wrong kind. */
static const char *wants(int f)
{
    switch (f) {
    case F_TS:        return ": expected an ISO 8601 instant with Z or an offset, got ";
    case F_AMOUNT:    return " must be a positive number, got ";
    case F_TYPE:      return " must be \"expense\" or \"income\", got ";
    case F_MERCHANT:  return " must be text or null, got ";
    case F_RECURRING: return " must be true or false, got ";
    default:          return " must be non-empty text, got ";
    }
}

static int char_col(const char *base, const char *at)
{
    int col = 1;
    for (const char *q = base; q < at; q++)
        if (((unsigned char)*q & 0xC0) != 0x80) col++;
    return col;
}

/* A text value of field f (decoded: s, n), as written raw/rawn (quote:
 * raw is a CSV cell's text). Checks it and copies it into the arena. */
static void set_text(rec *r, int f, const char *s, size_t n, const char *raw, size_t rawn, int quote, int may_nul)
{
    if (f == F_MERCHANT && n == 0) { r->t.merchant = NULL; r->t.merchant_len = 0; return; }
    if (f == F_USER_ID && mmr_user_id_problem(s, n)) {
        /* the one rule for user ids (util/userid.h), in its own words */
        if (!r->ferr) {
            r->ferr = 1;
            mmr_buf_clear(&r->p->msg);
            mmr_user_id_check(&r->p->msg, s, n);
        }
        return;
    }
    if (n == 0) { field_error(r, f, wants(f), raw, rawn, quote); return; }
    if (may_nul && memchr(s, 0, n)) {
        field_error(r, f, " must not contain a NUL character (\\u0000), got ", raw, rawn, quote);
        return;
    }
    if (f == F_TXN_ID && n > MMR_TXN_MAX_ID) {
        char what[96];
        snprintf(what, sizeof what, " is longer than %d bytes (%zu), got ", MMR_TXN_MAX_ID, n);
        field_error(r, f, what, raw, rawn, quote);
        return;
    }
    if (f == F_TYPE) {
        if (n == 7 && !memcmp(s, "expense", 7)) r->t.type = MMR_TXN_EXPENSE;
        else if (n == 6 && !memcmp(s, "income", 6)) r->t.type = MMR_TXN_INCOME;
        else field_error(r, f, wants(f), raw, rawn, quote);
        return;
    }
    if (f == F_TS) {
        const char *why = NULL;
        int64_t t = 0;
        int bad = mmr_time_parse(s, n, &t, &why) < 0;
        /* a date alone (midnight UTC to mmr_time_parse) is not an instant */
        if (!bad && n == 10) {
            bad = 1;
            why = "a date without a time of day";
        }
        if (bad) {
            if (r->ferr) return;
            field_error(r, f, wants(f), raw, rawn, quote);
            mmr_buf_printf(&r->p->msg, " (%s)", why ? why : "not an instant");
            return;
        }
        r->t.ts = t;
    }
    char *c;
    if (r->mut && !may_nul) {
        /* a slice of the reader's own buffer: end it in place, over the
         * closing quote */
        c = r->mut + (s - r->base);
        c[n] = 0;
    } else {
        c = r->a ? mmr_arena_strndup(r->a, s, n) : NULL;
        if (!c) { r->oom = 1; return; }
    }
    switch (f) {
    case F_TXN_ID:   r->t.txn_id = c;   r->t.txn_id_len = n;   break;
    case F_USER_ID:  r->t.user_id = c;  r->t.user_id_len = n;  break;
    case F_CATEGORY: r->t.category = c; r->t.category_len = n; break;
    case F_MERCHANT: r->t.merchant = c; r->t.merchant_len = n; break;
    case F_TS:       r->ts_text = c;    r->ts_len = n;         break;
    default: break;
    }
}

static void set_amount(rec *r, double v, const char *raw, size_t rawn, int quote)
{
    if (!(v > 0) || !isfinite(v)) { field_error(r, F_AMOUNT, wants(F_AMOUNT), raw, rawn, quote); return; }
    r->t.amount = v;
}

/* Report the record's result. */
static int finish(rec *r, mmr_txn *out, mmr_diags *d)
{
    mmr_txn_parser *p = r->p;
    if (r->errpos) {
        int col = char_col(r->base, r->errpos);
        if (p->fmt == MMR_TXN_NDJSON && strcmp(r->errmsg, "invalid UTF-8"))
            mmr_diag_add(d, MMR_SEV_ERROR, p->file, (int)r->line, col, "invalid JSON: %s", r->errmsg);
        else
            mmr_diag_add(d, MMR_SEV_ERROR, p->file, (int)r->line, col, "%s", r->errmsg);
        return -1;
    }
    if (r->oom) {
        mmr_diag_add(d, MMR_SEV_ERROR, p->file, (int)r->line, 0, "out of memory");
        return -1;
    }
    if (r->ferr) {
        mmr_diag_add(d, MMR_SEV_ERROR, p->file, (int)r->line, 0, "%s", p->msg.data ? p->msg.data : "");
        return -1;
    }
    if ((r->have & REQUIRED) != REQUIRED) {
        for (int f = 0; f < NFIELDS; f++)
            if ((REQUIRED & (1u << f)) && !(r->have & (1u << f))) {
                mmr_diag_add(d, MMR_SEV_ERROR, p->file, (int)r->line, 0, "missing \"%s\"", field_name[f]);
                break;
            }
        return -1;
    }
    *out = r->t;
    p->ts_text = r->ts_text;
    p->ts_len = r->ts_len;
    return 1;
}

/* ------------------------------------------------------------ JSON */

static const char *ws_slow(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

/* Most lines have no blanks between tokens: one byte decides. */
static inline const char *ws(const char *p, const char *end)
{
    if (p < end && (unsigned char)*p > ' ') return p;
    return ws_slow(p, end);
}

/* p just after the opening quote. Returns the position after the closing
 * quote, or NULL (syntax error recorded). With decode, *out and *olen get the
 * text: a slice of the record when it has no escapes, else p->scratch
 * (valid until the next string); \u0000 decodes to a NUL byte, which the
 * field checks reject. */
static const char *jstr(rec *r, const char *p, int decode, const char **out, size_t *olen, int *escaped)
{
    const char *start = p, *end = r->end;
    for (;;) {
        /* eight bytes at a time while none is '"', '\\', a control
         * character or a non-ASCII byte */
        while (end - p >= 8) {
            uint64_t x;
            memcpy(&x, p, 8);
            const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
            uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
            uint64_t special = (((q - ones) & ~q) | ((b - ones) & ~b) | ((x - ones * 0x20) & ~x) | x) & high;
            if (special) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                /* the lowest flag is exact (borrows only reach higher bytes) */
                p += __builtin_ctzll(special) >> 3;
#endif
                break;
            }
            p += 8;
        }
        while (p < end) {
            unsigned char c = (unsigned char)*p;
            if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
            p++;
        }
        if (p >= end) { syntax(r, start - 1, "unterminated string"); return NULL; }
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            if (decode) { *out = start; *olen = (size_t)(p - start); *escaped = 0; }
            return p + 1;
        }
        if (c >= 0x80) {
            size_t n = mmr_utf8_char_len(p, (size_t)(end - p));
            if (!n) { syntax(r, p, "invalid UTF-8"); return NULL; }
            p += n;
            continue;
        }
        if (c < 0x20) { syntax(r, p, "control character in a string (escape it)"); return NULL; }
        break;   /* a backslash */
    }
    mmr_buf *b = &r->p->scratch;
    if (decode) {
        mmr_buf_clear(b);
        mmr_buf_append(b, start, (size_t)(p - start));
    }
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            if (decode) {
                *escaped = 1;
                if (b->oom) { r->oom = 1; *out = ""; *olen = 0; }
                else { *out = b->data ? b->data : ""; *olen = b->len; }
            }
            return p + 1;
        }
        if (c < 0x20) { syntax(r, p, "control character in a string (escape it)"); return NULL; }
        if (c >= 0x80) {
            size_t n = mmr_utf8_char_len(p, (size_t)(end - p));
            if (!n) { syntax(r, p, "invalid UTF-8"); return NULL; }
            if (decode) mmr_buf_append(b, p, n);
            p += n;
            continue;
        }
        if (c != '\\') {
            const char *q = p;
            while (q < end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20 && (unsigned char)*q < 0x80) q++;
            if (decode) mmr_buf_append(b, p, (size_t)(q - p));
            p = q;
            continue;
        }
        if (p + 1 >= end) break;
        char e = p[1], ch = 0;
        switch (e) {
        case '"': ch = '"'; break;
        case '\\': ch = '\\'; break;
        case '/': ch = '/'; break;
        case 'b': ch = '\b'; break;
        case 'f': ch = '\f'; break;
        case 'n': ch = '\n'; break;
        case 'r': ch = '\r'; break;
        case 't': ch = '\t'; break;
        case 'u': {
            unsigned cp;
            if (!mmr_hex4(p + 2, end, &cp)) { syntax(r, p, "invalid \\u escape (four hex digits expected)"); return NULL; }
            if (cp >= 0xDC00 && cp <= 0xDFFF) { syntax(r, p, "unpaired surrogate in a \\u escape"); return NULL; }
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (end - p < 12 || p[6] != '\\' || p[7] != 'u' || !mmr_hex4(p + 8, end, &lo)
                    || lo < 0xDC00 || lo > 0xDFFF) {
                    syntax(r, p, "unpaired surrogate in a \\u escape");
                    return NULL;
                }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            }
            if (decode) mmr_buf_put_utf8(b, cp);
            p += 6;
            continue;
        }
        default:
            syntax(r, p, "invalid escape in a string");
            return NULL;
        }
        if (decode) mmr_buf_putc(b, ch);
        p += 2;
    }
    syntax(r, start - 1, "unterminated string");
    return NULL;
}

static int lit(const char *p, const char *end, const char *w, size_t n)
{
    return (size_t)(end - p) >= n && !memcmp(p, w, n);
}

/* Validate and skip any JSON value. */
static const char *jskip(rec *r, const char *p, int depth)
{
    const char *end = r->end;
    if (p >= end) { syntax(r, p, "expected a value"); return NULL; }
    switch (*p) {
    case '"':
        return jstr(r, p + 1, 0, NULL, NULL, NULL);
    case 't': if (lit(p, end, "true", 4)) return p + 4; break;
    case 'f': if (lit(p, end, "false", 5)) return p + 5; break;
    case 'n': if (lit(p, end, "null", 4)) return p + 4; break;
    case '{': case '[': {
        char close = *p == '{' ? '}' : ']';
        if (depth >= MAX_DEPTH) { syntax(r, p, "nesting too deep"); return NULL; }
        p = ws(p + 1, end);
        if (p < end && *p == close) return p + 1;
        for (;;) {
            if (close == '}') {
                if (p >= end || *p != '"') { syntax(r, p, "expected a key (a string)"); return NULL; }
                p = jstr(r, p + 1, 0, NULL, NULL, NULL);
                if (!p) return NULL;
                p = ws(p, end);
                if (p >= end || *p != ':') { syntax(r, p, "expected ':' after the key"); return NULL; }
                p = ws(p + 1, end);
            }
            p = jskip(r, p, depth + 1);
            if (!p) return NULL;
            p = ws(p, end);
            if (p < end && *p == ',') { p = ws(p + 1, end); continue; }
            if (p < end && *p == close) return p + 1;
            syntax(r, p, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
            return NULL;
        }
    }
    default:
        if (*p == '-' || (*p >= '0' && *p <= '9')) {
            double v;
            const char *q = mmr_json_number(p, end, &v);
            if (!q) { syntax(r, p, "invalid number"); return NULL; }
            return q;
        }
    }
    syntax(r, p, "expected a value");
    return NULL;
}

/* Field of a key (decoded text), or -1. */
static int field_of(const char *k, size_t n)
{
    switch (n) {
    case 2: return !memcmp(k, "ts", 2) ? F_TS : -1;
    case 4: return !memcmp(k, "type", 4) ? F_TYPE : -1;
    case 6: return !memcmp(k, "txn_id", 6) ? F_TXN_ID : !memcmp(k, "amount", 6) ? F_AMOUNT : -1;
    case 7: return !memcmp(k, "user_id", 7) ? F_USER_ID : -1;
    case 8: return !memcmp(k, "category", 8) ? F_CATEGORY : !memcmp(k, "merchant", 8) ? F_MERCHANT : -1;
    case 9: return !memcmp(k, "recurring", 9) ? F_RECURRING : -1;
    default: return -1;
    }
}

static const unsigned char key_len[NFIELDS] = { 6, 7, 2, 6, 4, 8, 8, 9 };
static const char key_text[NFIELDS][12] = {   /* with the closing quote */
    "txn_id\"", "user_id\"", "ts\"", "amount\"", "type\"", "category\"", "merchant\"", "recurring\""
};

/* Is the key at k (after its opening quote) field f's, closing quote
 * included? Two word compares when the line goes on long enough. */
static inline int key_is(const mmr_txn_parser *ps, const char *k, const char *end, int f)
{
    size_t avail = (size_t)(end - k);
    if (avail < 16) return avail > key_len[f] && !memcmp(k, key_text[f], key_len[f] + 1u);
    uint64_t a, b;
    memcpy(&a, k, 8);
    memcpy(&b, k + 8, 8);
    return ((a ^ ps->kword[f][0]) & ps->kmask[f][0]) == 0 && ((b ^ ps->kword[f][1]) & ps->kmask[f][1]) == 0;
}

/* k just after a key's opening quote: the field whose name and closing
 * quote are there, or -1. */
static inline int key_as_written(const char *k, const char *end)
{
    if (k >= end) return -1;
    size_t avail = (size_t)(end - k);
#define KEY(f, text) (avail > sizeof text - 1 && !memcmp(k, text "\"", sizeof text) ? (f) : -1)
    switch (*k) {
    case 't': {
        int f = KEY(F_TXN_ID, "txn_id");
        if (f < 0) f = KEY(F_TS, "ts");
        if (f < 0) f = KEY(F_TYPE, "type");
        return f;
    }
    case 'u': return KEY(F_USER_ID, "user_id");
    case 'a': return KEY(F_AMOUNT, "amount");
    case 'c': return KEY(F_CATEGORY, "category");
    case 'm': return KEY(F_MERCHANT, "merchant");
    case 'r': return KEY(F_RECURRING, "recurring");
    default:  return -1;
    }
#undef KEY
}

/* The value of field f at p (not at the end). Returns the position after
 * it or NULL on a syntax error. */
static const char *json_value(rec *r, int f, const char *p)
{
    const char *end = r->end, *v = p, *q;
    switch (f) {
    case F_AMOUNT:
        if (*p == '-' || (*p >= '0' && *p <= '9')) {
            double x;
            q = mmr_json_number(p, end, &x);
            if (!q) { syntax(r, p, "invalid number"); return NULL; }
            set_amount(r, x, v, (size_t)(q - v), 0);
            return q;
        }
        break;
    case F_RECURRING:
        if (lit(p, end, "true", 4)) { r->t.recurring = 1; return p + 4; }
        if (lit(p, end, "false", 5)) { r->t.recurring = 0; return p + 5; }
        if (lit(p, end, "null", 4)) { r->t.recurring = 0; return p + 4; }
        break;
    default:    /* text */
        if (*p == '"') {
            const char *s; size_t n; int esc;
            q = jstr(r, p + 1, 1, &s, &n, &esc);
            if (!q) return NULL;
            set_text(r, f, s, n, v, (size_t)(q - v), 0, esc);
            return q;
        }
        if (f == F_MERCHANT && lit(p, end, "null", 4)) { r->t.merchant = NULL; r->t.merchant_len = 0; return p + 4; }
        break;
    }
    q = jskip(r, p, 1);
    if (!q) return NULL;
    field_error(r, f, wants(f), v, (size_t)(q - v), 0);
    return q;
}

/* Field by field: a memset of the whole struct costs more than the
 * parsing of a short line on some CPUs (rep stos). */
static inline void rec_init(rec *r, mmr_txn_parser *p, const char *s, size_t len, long line, mmr_arena *a)
{
    r->p = p; r->base = s; r->end = s + len; r->line = line; r->a = a;
    r->mut = NULL;
    r->errpos = NULL; r->errmsg = NULL;
    r->ferr = 0; r->oom = 0; r->have = 0;
    r->t.txn_id = NULL;   r->t.txn_id_len = 0;
    r->t.user_id = NULL;  r->t.user_id_len = 0;
    r->t.ts = 0;          r->t.amount = 0;
    r->t.type = 0;
    r->t.category = NULL; r->t.category_len = 0;
    r->t.merchant = NULL; r->t.merchant_len = 0;
    r->t.recurring = 0;   r->t.line = line;
    r->ts_text = NULL;    r->ts_len = 0;
}

static int parse_ndjson(mmr_txn_parser *ps, const char *s, char *mut, size_t len, long line,
                        mmr_txn *out, mmr_arena *a, mmr_diags *d)
{
    rec r;
    rec_init(&r, ps, s, len, line, a);
    r.mut = mut;
    const char *end = r.end;
    const char *p = ws(s, end);
    if (p == end) return 0;                       /* blank line */
    if (*p != '{') { syntax(&r, p, "a line must be one JSON object"); goto done; }
    int prev = NFIELDS;
    p = ws(p + 1, end);
    if (p < end && *p == '}') { p++; goto tail; }
    for (;;) {
        if (p >= end || *p != '"') { syntax(&r, p, "expected a key (a string)"); goto done; }
        /* the known keys as written, closing quote included; anything
         * else (other keys, escapes) is decoded first */
        int f = ps->follow[prev];
        if (f >= 0 && key_is(ps, p + 1, end, f)) {
            p += 2 + key_len[f];        /* the key the last line had here */
        } else if ((f = key_as_written(p + 1, end)) >= 0) {
            ps->follow[prev] = (signed char)f;
            p += 2 + key_len[f];
        }
        else {
            const char *ks; size_t kn; int esc;
            p = jstr(&r, p + 1, 1, &ks, &kn, &esc);
            if (!p) goto done;
            f = field_of(ks, kn);
        }
        prev = f >= 0 ? f : NFIELDS + 1;
        p = ws(p, end);
        if (p >= end || *p != ':') { syntax(&r, p, "expected ':' after the key"); goto done; }
        p = ws(p + 1, end);
        if (p >= end) { syntax(&r, p, "expected a value"); goto done; }
        if (f < 0) p = jskip(&r, p, 1);
        else if (r.have & (1u << f)) {
            p = jskip(&r, p, 1);
            if (p && !r.ferr) {
                field_error(&r, f, " appears twice", NULL, 0, 0);
            }
        } else {
            r.have |= 1u << f;
            p = json_value(&r, f, p);
        }
        if (!p) goto done;
        p = ws(p, end);
        if (p < end && *p == ',') { p = ws(p + 1, end); continue; }
        if (p < end && *p == '}') { p++; break; }
        syntax(&r, p, "expected ',' or '}'");
        goto done;
    }
tail:
    p = ws(p, end);
    if (p < end) syntax(&r, p, "unexpected text after the object");
done:
    return finish(&r, out, d);
}

/* ------------------------------------------------------------ CSV */

static int cells_reserve(mmr_txn_parser *p, size_t n)
{
    if (n <= p->cells_cap) return 0;
    size_t cap = p->cells_cap ? p->cells_cap * 2 : 16;
    while (cap < n) cap *= 2;
    csv_cell *c = realloc(p->cells, cap * sizeof *c);
    if (!c) return -1;
    p->cells = c;
    p->cells_cap = cap;
    return 0;
}

/* Split a CSV record into p->cells. Returns the count, or -1 with a
 * syntax error in r. Quoted cells keep their "" pairs (cell_text). */
static long csv_split(rec *r)
{
    mmr_txn_parser *ps = r->p;
    const char *p = r->base, *end = r->end;
    size_t n = 0;
    for (;;) {
        if (cells_reserve(ps, n + 1) < 0) { r->oom = 1; return -1; }
        csv_cell *c = &ps->cells[n++];
        if (p < end && *p == '"') {
            const char *s = ++p;
            for (;;) {
                const char *q = memchr(p, '"', (size_t)(end - p));
                if (!q) { syntax(r, s - 1, "unterminated quoted cell"); return -1; }
                if (q + 1 < end && q[1] == '"') { p = q + 2; continue; }
                c->p = s; c->len = (size_t)(q - s); c->quoted = 1;
                p = q + 1;
                break;
            }
            if (p < end && *p != ',') { syntax(r, p, "expected ',' after a quoted cell"); return -1; }
        } else {
            const char *s = p;
            const char *q = memchr(p, ',', (size_t)(end - p));
            if (!q) q = end;
            const char *dq = memchr(p, '"', (size_t)(q - p));
            if (dq) { syntax(r, dq, "a quote inside an unquoted cell (quote the whole cell)"); return -1; }
            p = q;
            c->p = s; c->len = (size_t)(p - s); c->quoted = 0;
        }
        if (p >= end) return (long)n;
        p++;   /* the comma */
    }
}

/* The cell's text with "" turned into " (in p->scratch when needed). */
static void cell_text(mmr_txn_parser *ps, const csv_cell *c, const char **s, size_t *n)
{
    if (!c->quoted || !memchr(c->p, '"', c->len)) { *s = c->p; *n = c->len; return; }
    mmr_buf *b = &ps->scratch;
    mmr_buf_clear(b);
    for (size_t i = 0; i < c->len; i++) {
        mmr_buf_putc(b, c->p[i]);
        if (c->p[i] == '"') i++;
    }
    *s = b->data ? b->data : "";
    *n = b->len;
}

int mmr_txn_parser_header(mmr_txn_parser *ps, const char *s, size_t len, long line, mmr_diags *d)
{
    ps->header_done = 0;
    if (len && s[len - 1] == '\r') len--;
    rec r;
    rec_init(&r, ps, s, len, line, NULL);
    size_t bad = mmr_utf8_check(s, len);
    if (bad < len) {
        mmr_diag_add(d, MMR_SEV_ERROR, ps->file, (int)line, char_col(s, s + bad), "invalid UTF-8");
        return -1;
    }
    long n = csv_split(&r);
    if (n < 0) {
        if (r.oom) mmr_diag_add(d, MMR_SEV_ERROR, ps->file, (int)line, 0, "out of memory");
        else mmr_diag_add(d, MMR_SEV_ERROR, ps->file, (int)line, char_col(s, r.errpos), "%s", r.errmsg);
        return -1;
    }
    free(ps->colfield);
    ps->ncols = 0;
    ps->colfield = malloc((size_t)n);
    if (!ps->colfield) { mmr_diag_add(d, MMR_SEV_ERROR, ps->file, (int)line, 0, "out of memory"); return -1; }
    ps->ncols = (size_t)n;
    long where[NFIELDS];
    for (int f = 0; f < NFIELDS; f++) where[f] = -1;
    int rc = 0;
    for (long i = 0; i < n; i++) {
        const char *c; size_t cl;
        cell_text(ps, &ps->cells[i], &c, &cl);
        int f = field_of(c, cl);
        ps->colfield[i] = (signed char)f;
        if (f < 0) continue;           /* other columns are ignored */
        if (where[f] >= 0) {
            mmr_diag_add(d, MMR_SEV_ERROR, ps->file, (int)line, 0,
                         "column \"%s\" appears twice (columns %ld and %ld)", field_name[f], where[f] + 1, i + 1);
            rc = -1;
            continue;
        }
        where[f] = i;
    }
    for (int f = 0; f < NFIELDS && rc == 0; f++)
        if ((REQUIRED & (1u << f)) && where[f] < 0) {
            mmr_diag_add(d, MMR_SEV_ERROR, ps->file, (int)line, 0, "the header has no \"%s\" column", field_name[f]);
            rc = -1;
        }
    ps->header_done = rc == 0;
    return rc;
}

static int parse_csv(mmr_txn_parser *ps, const char *s, size_t len, long line,
                     mmr_txn *out, mmr_arena *a, mmr_diags *d)
{
    if (!ps->header_done) {
        mmr_diag_add(d, MMR_SEV_ERROR, ps->file, (int)line, 0, "no valid CSV header");
        return -1;
    }
    if (len == 0) return 0;
    rec r;
    rec_init(&r, ps, s, len, line, a);
    size_t bad = mmr_utf8_check(s, len);
    if (bad < len) { syntax(&r, s + bad, "invalid UTF-8"); return finish(&r, out, d); }
    long n = csv_split(&r);
    if (n < 0) return finish(&r, out, d);
    if ((size_t)n != ps->ncols) {
        mmr_diag_add(d, MMR_SEV_ERROR, ps->file, (int)line, 0, "the row has %ld cells, the header has %zu",
                     n, ps->ncols);
        return -1;
    }
    for (size_t i = 0; i < ps->ncols; i++) {
        int f = ps->colfield[i];
        if (f < 0) continue;
        const csv_cell *c = &ps->cells[i];
        if (c->len == 0 && !c->quoted) continue;       /* absent */
        r.have |= 1u << f;
        const char *v; size_t vl;
        cell_text(ps, c, &v, &vl);
        if (f == F_AMOUNT) {
            double x;
            const char *q = mmr_json_number(v, v + vl, &x);
            if (!q || q != v + vl) field_error(&r, f, wants(f), v, vl, 1);
            else set_amount(&r, x, v, vl, 1);
        } else if (f == F_RECURRING) {
            if (vl == 4 && !strncasecmp(v, "true", 4)) r.t.recurring = 1;
            else if (vl == 5 && !strncasecmp(v, "false", 5)) r.t.recurring = 0;
            else field_error(&r, f, wants(f), v, vl, 1);
        } else {
            set_text(&r, f, v, vl, v, vl, 1, 1);
        }
    }
    return finish(&r, out, d);
}

/* ------------------------------------------------------------ parser */

mmr_txn_parser *mmr_txn_parser_new(mmr_txn_format fmt, const char *file)
{
    mmr_txn_parser *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->fmt = fmt;
    memset(p->follow, -1, sizeof p->follow);
    for (int f = 0; f < NFIELDS; f++) {
        unsigned char w[16] = {0}, m[16] = {0};
        memcpy(w, key_text[f], key_len[f] + 1u);
        memset(m, 0xFF, key_len[f] + 1u);
        memcpy(p->kword[f], w, 16);
        memcpy(p->kmask[f], m, 16);
    }
    p->file = strdup(file ? file : "");
    if (!p->file) { free(p); return NULL; }
    mmr_buf_init(&p->scratch);
    mmr_buf_init(&p->msg);
    return p;
}

void mmr_txn_parser_free(mmr_txn_parser *p)
{
    if (!p) return;
    free(p->file);
    mmr_buf_free(&p->scratch);
    mmr_buf_free(&p->msg);
    free(p->colfield);
    free(p->cells);
    free(p);
}

static int parse_record(mmr_txn_parser *p, const char *s, char *mut, size_t len, long line,
                        mmr_txn *out, mmr_arena *a, mmr_diags *d)
{
    if (len && s[len - 1] == '\r') len--;
    if (len > MMR_SNAP_MAX_RECORD) {
        mmr_diag_add(d, MMR_SEV_ERROR, p->file, (int)line, 0,
                     "the record is longer than %zu MiB", MMR_SNAP_MAX_RECORD >> 20);
        return -1;
    }
    if (p->fmt == MMR_TXN_CSV) return parse_csv(p, s, len, line, out, a, d);
    return parse_ndjson(p, s, mut, len, line, out, a, d);
}

int mmr_txn_parse(mmr_txn_parser *p, const char *s, size_t len, long line,
                  mmr_txn *out, mmr_arena *a, mmr_diags *d)
{
    int rc = parse_record(p, s, NULL, len, line, out, a, d);
    if (rc != 1) memset(out, 0, sizeof *out);
    return rc;
}

const char *mmr_txn_parser_ts_text(const mmr_txn_parser *p, size_t *len)
{
    if (len) *len = p->ts_len;
    return p->ts_text;
}

/* ------------------------------------------------------------ reader */

#define READ_CHUNK ((size_t)4 << 20)

struct mmr_txn_reader {
    mmr_snap_reader *sr;
    mmr_txn_parser *p;
    mmr_txn_format fmt;
    mmr_buf chunk;
    size_t pos;
    long line;            /* line of chunk.data[pos] */
    mmr_arena arena;      /* the current record's strings */
    size_t target;        /* chunk size: READ_CHUNK, less for a small file */
    int done;
};

mmr_txn_reader *mmr_txn_reader_open(const char *path, mmr_diags *d)
{
    mmr_txn_format fmt = mmr_txn_format_from_path(path);
    mmr_txn_reader *r = calloc(1, sizeof *r);
    if (!r) { mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "out of memory"); return NULL; }
    r->fmt = fmt;
    r->line = 1;
    r->target = READ_CHUNK;
    struct stat st;
    if (strcmp(path, "-") && stat(path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size < READ_CHUNK)
        r->target = (size_t)st.st_size + 4096;
    mmr_buf_init(&r->chunk);
    mmr_arena_init(&r->arena, 16384);
    r->sr = mmr_snap_reader_open(path, fmt == MMR_TXN_CSV ? MMR_SNAP_CSV : MMR_SNAP_NDJSON, d);
    if (!r->sr) { mmr_txn_reader_close(r); return NULL; }
    r->p = mmr_txn_parser_new(fmt, mmr_snap_reader_path(r->sr));
    if (!r->p) {
        mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "out of memory");
        mmr_txn_reader_close(r);
        return NULL;
    }
    if (fmt == MMR_TXN_CSV) {
        const char *h = NULL; size_t hl = 0; long hline = 1;
        mmr_snap_reader_header(r->sr, &h, &hl, &hline);
        if (mmr_txn_parser_header(r->p, h ? h : "", hl, hline, d) < 0) { mmr_txn_reader_close(r); return NULL; }
    }
    return r;
}

int mmr_txn_reader_next(mmr_txn_reader *r, mmr_txn *out, mmr_diags *d)
{
    memset(out, 0, sizeof *out);
    if (r->done) return 0;
    mmr_arena_reset(&r->arena);
    for (;;) {
        const char *s; size_t sl; long nl;
        if (mmr_snap_next_record(r->fmt == MMR_TXN_CSV ? MMR_SNAP_CSV : MMR_SNAP_NDJSON, r->chunk.data, r->chunk.len, &r->pos, &s, &sl, &nl)) {
            long at = r->line;
            r->line += nl;
            /* the chunk is ours: NDJSON strings are ended in place */
            char *mut = r->fmt == MMR_TXN_NDJSON ? r->chunk.data + (s - r->chunk.data) : NULL;
            int rc = parse_record(r->p, s, mut, sl, at, out, &r->arena, d);
            if (rc == 1) return 1;
            if (rc < 0) { memset(out, 0, sizeof *out); return -1; }
            continue;
        }
        int rc = mmr_snap_reader_next(r->sr, &r->chunk, r->target, &r->line, d);
        r->pos = 0;
        if (rc <= 0) {
            /* the end, or an error that leaves no sure place to go on from */
            r->done = 1;
            return rc;
        }
    }
}

const char *mmr_txn_reader_path(const mmr_txn_reader *r) { return mmr_snap_reader_path(r->sr); }

const char *mmr_txn_reader_ts_text(const mmr_txn_reader *r, size_t *len)
{
    return mmr_txn_parser_ts_text(r->p, len);
}

void mmr_txn_reader_close(mmr_txn_reader *r)
{
    if (!r) return;
    mmr_snap_reader_close(r->sr);
    mmr_txn_parser_free(r->p);
    mmr_buf_free(&r->chunk);
    mmr_arena_free(&r->arena);
    free(r);
}
