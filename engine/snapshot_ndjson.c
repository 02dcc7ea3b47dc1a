/* NDJSON snapshots: a hand-written JSON reader specialised for one shape,
 *
 *   {"user_id":"u1","as_of":"2025-10-26","signals":{...},"traits":{...}}
 *
 * It is strict JSON (RFC 8259: grammar, escapes, UTF-8, no duplicate keys
 * where it matters) but builds nothing generic: values go straight into
 * the program's input slots. The keys of "signals" and "traits" are
 * matched against the previous line's keys in the same position first
 * (snapshots from one producer repeat their key order), and only looked
 * up in the binder's hash table when that guess fails.
 */
#include "engine/snapshot_impl.h"
#include "util/jsonnum.h"
#include <stdlib.h>
#include <string.h>
#include <math.h>

#define MAX_DEPTH 64

static int syntax(snap_rec *r, const char *at, const char *msg)
{
    if (!r->errpos) {
        r->errpos = at;
        snprintf(r->errmsg, sizeof r->errmsg, "%s", msg);
    }
    return 0;
}

const char *snap_json_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

/* Most JSON has no blanks between tokens: test one byte inline first. */
static inline const char *ws(const char *p, const char *end)
{
    if (p < end && (unsigned char)*p > ' ') return p;
    return snap_json_ws(p, end);
}

/* p is just after the opening quote. On success returns the position
 * after the closing quote; *out and *olen hold the decoded text: a slice of the
 * record when there were no escapes, else in ps->scratch (valid until the
 * next string). */
static const char *jstr(snap_rec *r, const char *p, const char **out, size_t *olen, int *escaped)
{
    const char *start = p, *end = r->end;
    for (;;) {
        /* eight bytes at a time while none is special: '"', '\\',
         * a control character or a non-ASCII byte */
        while (end - p >= 8) {
            uint64_t x;
            memcpy(&x, p, 8);
            const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
            uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
            uint64_t special = ((q - ones) & ~q) | ((b - ones) & ~b) | ((x - ones * 0x20) & ~x) | x;
            if (special & high) break;
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
            *out = start; *olen = (size_t)(p - start); *escaped = 0;
            return p + 1;
        }
        if (c >= 0x80) {
            size_t n = mmr_utf8_char_len(p, (size_t)(end - p));
            if (!n) { syntax(r, p, "invalid UTF-8 in a string"); return NULL; }
            p += n;
            continue;
        }
        if (c < 0x20) { syntax(r, p, "control character in a string (escape it)"); return NULL; }
        break;   /* a backslash: decode from here */
    }
    mmr_buf *b = &r->ps->scratch;
    mmr_buf_clear(b);
    mmr_buf_append(b, start, (size_t)(p - start));
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            if (b->oom) { syntax(r, p, "out of memory"); return NULL; }
            *out = b->data ? b->data : ""; *olen = b->len; *escaped = 1;
            return p + 1;
        }
        if (c < 0x20) { syntax(r, p, "control character in a string (escape it)"); return NULL; }
        if (c >= 0x80) {
            size_t n = mmr_utf8_char_len(p, (size_t)(end - p));
            if (!n) { syntax(r, p, "invalid UTF-8 in a string"); return NULL; }
            mmr_buf_append(b, p, n);
            p += n;
            continue;
        }
        if (c != '\\') {
            const char *q = p;
            while (q < end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20 && (unsigned char)*q < 0x80) q++;
            mmr_buf_append(b, p, (size_t)(q - p));
            p = q;
            continue;
        }
        if (p + 1 >= end) break;
        char e = p[1];
        switch (e) {
        case '"': mmr_buf_putc(b, '"'); p += 2; break;
        case '\\': mmr_buf_putc(b, '\\'); p += 2; break;
        case '/': mmr_buf_putc(b, '/'); p += 2; break;
        case 'b': mmr_buf_putc(b, '\b'); p += 2; break;
        case 'f': mmr_buf_putc(b, '\f'); p += 2; break;
        case 'n': mmr_buf_putc(b, '\n'); p += 2; break;
        case 'r': mmr_buf_putc(b, '\r'); p += 2; break;
        case 't': mmr_buf_putc(b, '\t'); p += 2; break;
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
            if (cp == 0) { syntax(r, p, "\\u0000 is not allowed in text"); return NULL; }
            mmr_buf_put_utf8(b, cp);
            p += 6;
            break;
        }
        default:
            syntax(r, p, "invalid escape in a string");
            return NULL;
        }
    }
    syntax(r, start - 1, "unterminated string");
    return NULL;
}

const char *snap_parse_number(const char *p, const char *end, double *out)
{
    return mmr_json_number(p, end, out);
}

static int lit(const char *p, const char *end, const char *w, size_t n)
{
    return (size_t)(end - p) >= n && !memcmp(p, w, n);
}

/* Validate and skip any JSON value. */
static const char *jskip(snap_rec *r, const char *p, int depth)
{
    const char *end = r->end;
    if (p >= end) { syntax(r, p, "expected a value"); return NULL; }
    const char *s; size_t sl; int esc;
    switch (*p) {
    case '"':
        return jstr(r, p + 1, &s, &sl, &esc);
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
                p = jstr(r, p + 1, &s, &sl, &esc);
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

static const char *bad_type(snap_rec *r, const char *p, int slot)
{
    const char *q = jskip(r, p, 1);
    if (!q) return NULL;
    const snap_slotinfo *si = &r->ps->b->slots[slot];
    mmr_buf raw;
    mmr_buf_init(&raw);
    snap_describe_raw(&raw, p, (size_t)(q - p));
    snap_type_error(r, "%s \"%s\"%s must be %s, got %s", snap_kind(si), si->name,
                    r->csv_where ? r->csv_where : "", snap_type_phrase(si->type),
                    raw.data ? raw.data : "");
    mmr_buf_free(&raw);
    return q;
}

/* Store a value field by field: building an mmr_value on the stack and
 * copying it costs a store-forwarding stall per value on the hot path. */
static inline void put_num(mmr_value *dst, double d) { dst->u.num = d; dst->tag = MMR_V_NUM; }
static inline void put_text(mmr_value *dst, const mmr_text *t) { dst->u.text = t; dst->tag = MMR_V_TEXT; }

static int is_num_start(char c) { return c == '-' || (c >= '0' && c <= '9'); }

static const char *num_value(snap_rec *r, const char *p, double *v)
{
    const char *q = mmr_json_number(p, r->end, v);
    if (!q) { syntax(r, p, "invalid number"); return NULL; }
    if (!isfinite(*v)) { syntax(r, p, "number out of range"); return NULL; }
    return q;
}

static const char *jlist(snap_rec *r, const char *p, int slot)
{
    const snap_slotinfo *si = &r->ps->b->slots[slot];
    mmr_snap_parser *ps = r->ps;
    const char *end = r->end;
    int want_text = si->type == MMR_T_LIST_TEXT;
    size_t n = 0;
    int bad = 0;
    p = ws(p + 1, end);
    if (p < end && *p == ']') p++;
    else for (;;) {
        if (p >= end) { syntax(r, p, "expected a value"); return NULL; }
        if (snap_items_reserve(ps, n + 1) < 0) { syntax(r, p, "out of memory"); return NULL; }
        const char *q;
        if (want_text && *p == '"') {
            const char *s; size_t sl; int esc;
            q = jstr(r, p + 1, &s, &sl, &esc);
            if (!q) return NULL;
            mmr_text *t = mmr_text_new(r->a, s, sl);
            if (!t) { syntax(r, p, "out of memory"); return NULL; }
            ps->items[n++] = mmr_v_text(t);
        } else if (!want_text && is_num_start(*p)) {
            double v;
            q = num_value(r, p, &v);
            if (!q) return NULL;
            ps->items[n++] = mmr_v_num(v);
        } else {
            q = jskip(r, p, 2);
            if (!q) return NULL;
            if (!bad) {
                mmr_buf raw;
                mmr_buf_init(&raw);
                snap_describe_raw(&raw, p, (size_t)(q - p));
                snap_type_error(r, "%s \"%s\"%s: item %zu must be %s, got %s", snap_kind(si), si->name,
                                r->csv_where ? r->csv_where : "", n + 1,
                                want_text ? "text" : "a number", raw.data ? raw.data : "");
                mmr_buf_free(&raw);
            }
            bad = 1;
            n++;
        }
        p = ws(q, end);
        if (p < end && *p == ',') { p = ws(p + 1, end); continue; }
        if (p < end && *p == ']') { p++; break; }
        syntax(r, p, "expected ',' or ']'");
        return NULL;
    }
    if (bad) return p;
    mmr_list *l = mmr_arena_alloc(r->a, sizeof *l);
    mmr_value *items = n ? mmr_arena_alloc(r->a, n * sizeof *items) : NULL;
    if (!l || (n && !items)) { syntax(r, p, "out of memory"); return NULL; }
    if (n) memcpy(items, ps->items, n * sizeof *items);
    l->n = (uint32_t)n;
    l->items = items;
    r->regs[slot] = mmr_v_list(l);
    return p;
}

static const char *jmap(snap_rec *r, const char *p, int slot)
{
    const snap_slotinfo *si = &r->ps->b->slots[slot];
    mmr_snap_parser *ps = r->ps;
    const char *end = r->end;
    size_t n = 0;
    int bad = 0;
    p = ws(p + 1, end);
    if (p < end && *p == '}') p++;
    else for (;;) {
        if (p >= end || *p != '"') { syntax(r, p, "expected a key (a string)"); return NULL; }
        if (snap_map_reserve(ps, n + 1) < 0) { syntax(r, p, "out of memory"); return NULL; }
        const char *s; size_t sl; int esc;
        const char *q = jstr(r, p + 1, &s, &sl, &esc);
        if (!q) return NULL;
        mmr_text *k = mmr_text_new(r->a, s, sl);
        if (!k) { syntax(r, p, "out of memory"); return NULL; }
        p = ws(q, end);
        if (p >= end || *p != ':') { syntax(r, p, "expected ':' after the key"); return NULL; }
        p = ws(p + 1, end);
        double v = NAN;
        if (p < end && is_num_start(*p)) {
            q = num_value(r, p, &v);
            if (!q) return NULL;
        } else if (lit(p, end, "null", 4)) {
            q = p + 4;
        } else {
            q = jskip(r, p, 2);
            if (!q) return NULL;
            if (!bad) {
                mmr_buf raw, key;
                mmr_buf_init(&raw);
                mmr_buf_init(&key);
                snap_describe_raw(&raw, p, (size_t)(q - p));
                mmr_buf_json_string(&key, k->bytes, k->len);
                snap_type_error(r, "%s \"%s\"%s: the value of %s must be a number, got %s",
                                snap_kind(si), si->name, r->csv_where ? r->csv_where : "",
                                key.data ? key.data : "", raw.data ? raw.data : "");
                mmr_buf_free(&raw);
                mmr_buf_free(&key);
            }
            bad = 1;
        }
        ps->mkeys[n] = k;
        ps->mvals[n] = v;
        n++;
        p = ws(q, end);
        if (p < end && *p == ',') { p = ws(p + 1, end); continue; }
        if (p < end && *p == '}') { p++; break; }
        syntax(r, p, "expected ',' or '}'");
        return NULL;
    }
    if (bad) return p;
    long dup = snap_sort_map(ps->mkeys, ps->mvals, n);
    if (dup >= 0) {
        mmr_buf key;
        mmr_buf_init(&key);
        mmr_buf_json_string(&key, ps->mkeys[dup]->bytes, ps->mkeys[dup]->len);
        snap_type_error(r, "%s \"%s\"%s has the key %s twice", snap_kind(si), si->name,
                        r->csv_where ? r->csv_where : "", key.data ? key.data : "");
        mmr_buf_free(&key);
        return p;
    }
    mmr_map *m = mmr_arena_alloc(r->a, sizeof *m);
    const mmr_text **keys = n ? mmr_arena_alloc(r->a, n * sizeof *keys) : NULL;
    double *vals = n ? mmr_arena_alloc(r->a, n * sizeof *vals) : NULL;
    if (!m || (n && (!keys || !vals))) { syntax(r, p, "out of memory"); return NULL; }
    if (n) { memcpy(keys, ps->mkeys, n * sizeof *keys); memcpy(vals, ps->mvals, n * sizeof *vals); }
    m->n = (uint32_t)n;
    m->keys = keys;
    m->vals = vals;
    r->regs[slot] = mmr_v_map(m);
    return p;
}

const char *snap_json_slot(snap_rec *r, const char *p, int slot)
{
    const char *end = r->end;
    if (p >= end) { syntax(r, p, "expected a value"); return NULL; }
    if (*p == 'n' && lit(p, end, "null", 4)) return p + 4;   /* missing */
    const snap_slotinfo *si = &r->ps->b->slots[slot];
    switch (si->type) {
    case MMR_T_NUMBER:
        if (is_num_start(*p)) {
            double v;
            const char *q = num_value(r, p, &v);
            if (!q) return NULL;
            put_num(&r->regs[slot], v);
            return q;
        }
        break;
    case MMR_T_BOOL:
        if (lit(p, end, "true", 4)) { r->regs[slot] = mmr_v_bool(1); return p + 4; }
        if (lit(p, end, "false", 5)) { r->regs[slot] = mmr_v_bool(0); return p + 5; }
        break;
    case MMR_T_TEXT:
        if (*p == '"') {
            const char *s; size_t sl; int esc;
            const char *q = jstr(r, p + 1, &s, &sl, &esc);
            if (!q) return NULL;
            mmr_text *t = mmr_text_new(r->a, s, sl);
            if (!t) { syntax(r, p, "out of memory"); return NULL; }
            put_text(&r->regs[slot], t);
            return q;
        }
        break;
    case MMR_T_LIST_TEXT:
    case MMR_T_LIST_NUMBER:
        if (*p == '[') return jlist(r, p, slot);
        break;
    case MMR_T_MAP_NUMBER:
        if (*p == '{') return jmap(r, p, slot);
        break;
    default:
        break;
    }
    return bad_type(r, p, slot);
}

/* ------------------------------------------------------------ records */

static int key_is(const char *k, size_t kl, const char *w)
{
    size_t n = strlen(w);
    return kl == n && !memcmp(k, w, n);
}

/* The key cache of one section: the keys seen so far, in the order lines
 * give them (new keys are inserted where they were met). A line's keys
 * are matched by a cursor that moves forward, skipping keys this line
 * lacks, so lines of one producer hit it nearly always; a key is matched
 * by comparing bytes in place, without decoding the string. */
#define CACHE_MAX 256
#define CACHE_WINDOW 12

static int cache_insert(snap_keycache *kc, size_t at, const char *k, size_t kl, int slot)
{
    if (kc->n >= CACHE_MAX || at > kc->n) return 0;
    if (kc->n == kc->cap) {
        size_t cap = kc->cap ? kc->cap * 2 : 64;
        snap_keycache_ent *v = realloc(kc->v, cap * sizeof *v);
        if (!v) return 0;
        kc->v = v; kc->cap = cap;
    }
    char *copy = malloc(kl + 1);
    if (!copy) return 0;
    memcpy(copy, k, kl);
    copy[kl] = 0;
    memmove(kc->v + at + 1, kc->v + at, (kc->n - at) * sizeof *kc->v);
    kc->v[at].key = copy;
    kc->v[at].len = kl;
    kc->v[at].slot = slot;
    kc->n++;
    return 1;
}

/* Short keys compare as words: first and last eight bytes (overlapping),
 * then the middle for longer keys. */
static inline int key_eq(const char *a, const char *b, size_t n)
{
    if (n < 8) return !memcmp(a, b, n);
    uint64_t x, y;
    memcpy(&x, a, 8); memcpy(&y, b, 8);
    if (x != y) return 0;
    memcpy(&x, a + n - 8, 8); memcpy(&y, b + n - 8, 8);
    if (x != y) return 0;
    return n <= 16 || !memcmp(a + 8, b + 8, n - 16);
}

/* p at the opening quote. A hit returns the position after the closing
 * quote and sets *slot and *cur; else NULL. */
static const char *cache_match(const snap_keycache *kc, size_t *cur, const char *p, const char *end, int *slot)
{
    size_t avail = (size_t)(end - p) - 1;
    const char *k = p + 1;
    size_t stop = *cur + CACHE_WINDOW < kc->n ? *cur + CACHE_WINDOW : kc->n;
    for (size_t t = *cur; t < stop; t++) {
        const snap_keycache_ent *e = &kc->v[t];
        if (e->len < avail && k[0] == e->key[0] && k[e->len] == '"' && key_eq(k, e->key, e->len)) {
            *slot = e->slot;
            *cur = t + 1;
            return k + e->len + 1;
        }
    }
    return NULL;
}

/* Unknown keys of one object, to catch duplicates among them too. */
typedef struct unk_keys { const char **k; size_t *l; size_t n; } unk_keys;

static const char *jsection(snap_rec *r, const char *p, int sec)
{
    mmr_snap_parser *ps = r->ps;
    const char *end = r->end;
    snap_keycache *kc = &ps->cache[sec];
    size_t cur = 0;
    const char *ukeys[16]; size_t ulens[16]; size_t nu = 0;
    p = ws(p + 1, end);
    if (p < end && *p == '}') return p + 1;
    for (;;) {
        if (p >= end || *p != '"') { syntax(r, p, "expected a key (a string)"); return NULL; }
        const char *keypos = p;
        const char *k = p + 1; size_t kl; int esc = 0;
        int slot;
        const char *q = cache_match(kc, &cur, p, end, &slot);
        if (q) {
            kl = (size_t)(q - 1 - k);
            p = q;
        } else {
            p = jstr(r, p + 1, &k, &kl, &esc);
            if (!p) return NULL;
            slot = mmr_snap_binder_find(ps->b, k, kl);
            if (!esc && cache_insert(kc, cur, k, kl, slot)) cur++;
        }
        p = ws(p, end);
        if (p >= end || *p != ':') { syntax(r, p, "expected ':' after the key"); return NULL; }
        p = ws(p + 1, end);
        if (slot >= 0) {
            if (ps->seen[slot] == ps->epoch) {
                char m[160];
                snprintf(m, sizeof m, "duplicate key \"%s\"", ps->b->slots[slot].name);
                syntax(r, keypos, m);
                return NULL;
            }
            ps->seen[slot] = ps->epoch;
            ps->set[ps->nset++] = (uint32_t)slot;
            p = snap_json_slot(r, p, slot);
        } else {
            /* duplicates among ignored keys are still duplicates; keys
             * with escapes live in scratch, so those are not tracked */
            if (!esc) {
                for (size_t j = 0; j < nu; j++)
                    if (ulens[j] == kl && !memcmp(ukeys[j], k, kl)) {
                        mmr_buf m;
                        mmr_buf_init(&m);
                        mmr_buf_puts(&m, "duplicate key ");
                        snap_describe_raw(&m, keypos, kl + 2);
                        syntax(r, keypos, m.data ? m.data : "duplicate key");
                        mmr_buf_free(&m);
                        return NULL;
                    }
                if (nu < 16) { ukeys[nu] = k; ulens[nu] = kl; nu++; }
            }
            snap_warn_unknown(r, sec ? "trait" : "signal", k, kl, r->d);
            p = jskip(r, p, 1);
        }
        if (!p) return NULL;
        p = ws(p, end);
        if (p < end && *p == ',') { p = ws(p + 1, end); continue; }
        if (p < end && *p == '}') return p + 1;
        syntax(r, p, "expected ',' or '}'");
        return NULL;
    }
}

int snap_parse_ndjson(mmr_snap_parser *ps, const char *rec, size_t len, long line,
                      mmr_value *regs, mmr_arena *a, mmr_snap_user *u, mmr_diags *d);

int snap_parse_ndjson(mmr_snap_parser *ps, const char *rec, size_t len, long line,
                      mmr_value *regs, mmr_arena *a, mmr_snap_user *u, mmr_diags *d)
{
    snap_rec r;
    memset(&r, 0, sizeof r);
    r.ps = ps; r.base = rec; r.end = rec + len; r.line = line;
    r.regs = regs; r.a = a; r.d = d; r.csv_where = "";
    const char *end = r.end;
    const char *p = ws(rec, end);
    if (p == end) return 0;                       /* blank line */
    int have[4] = { 0, 0, 0, 0 };                 /* user_id as_of signals traits */
    if (*p != '{') { syntax(&r, p, "a line must be one JSON object"); goto fail; }
    p = ws(p + 1, end);
    if (p < end && *p == '}') { p++; goto done; }
    for (;;) {
        if (p >= end || *p != '"') { syntax(&r, p, "expected a key (a string)"); goto fail; }
        const char *keypos = p;
        const char *k; size_t kl; int esc = 0;
        int which = -1;
        static const struct { const char *text; size_t len; } tops[4] = {
            { "user_id\"", 8 }, { "as_of\"", 6 }, { "signals\"", 8 }, { "traits\"", 7 }
        };
        for (int t = 0; t < 4; t++)
            if ((size_t)(end - p) > tops[t].len && !memcmp(p + 1, tops[t].text, tops[t].len)) {
                which = t; k = p + 1; kl = tops[t].len - 1; p += tops[t].len + 1;
                break;
            }
        if (which < 0) {
            p = jstr(&r, p + 1, &k, &kl, &esc);
            if (!p) goto fail;
            which = key_is(k, kl, "signals") ? 2 : key_is(k, kl, "traits") ? 3
                  : key_is(k, kl, "user_id") ? 0 : key_is(k, kl, "as_of") ? 1 : -1;
        }
        if (which >= 0) {
            if (have[which]) {
                char m[64];
                snprintf(m, sizeof m, "duplicate key \"%.*s\"", (int)kl, k);
                syntax(&r, keypos, m);
                goto fail;
            }
            have[which] = 1;
        }
        p = ws(p, end);
        if (p >= end || *p != ':') { syntax(&r, p, "expected ':' after the key"); goto fail; }
        p = ws(p + 1, end);
        if (p >= end) { syntax(&r, p, "expected a value"); goto fail; }
        const char *v = p;
        switch (which) {
        case 0:     /* user_id: a string or an integer */
            if (*p == '"') {
                const char *s; size_t sl;
                p = jstr(&r, p + 1, &s, &sl, &esc);
                if (!p) goto fail;
                if (snap_bad_user(&r, s, sl, NULL)) break;
                r.user_id = mmr_arena_strndup(a, s, sl);
                r.user_len = sl;
                if (!r.user_id) { syntax(&r, v, "out of memory"); goto fail; }
            } else if (is_num_start(*p)) {
                double dv;
                p = mmr_json_number(p, end, &dv);
                if (!p) { syntax(&r, v, "invalid number"); goto fail; }
                if (snap_bad_user(&r, v, (size_t)(p - v), NULL)) break;
                r.user_id = mmr_arena_strndup(a, v, (size_t)(p - v));
                r.user_len = (size_t)(p - v);
                if (!r.user_id) { syntax(&r, v, "out of memory"); goto fail; }
            } else {
                p = jskip(&r, p, 1);
                if (!p) goto fail;
                mmr_buf raw; mmr_buf_init(&raw);
                snap_describe_raw(&raw, v, (size_t)(p - v));
                snap_type_error(&r, "\"user_id\" must be a string, got %s", raw.data ? raw.data : "");
                mmr_buf_free(&raw);
            }
            break;
        case 1:     /* as_of: "YYYY-MM-DD" or null */
            if (*p == '"') {
                const char *s; size_t sl;
                p = jstr(&r, p + 1, &s, &sl, &esc);
                if (!p) goto fail;
                if (!mmr_snap_date_ok(s, sl)) {
                    mmr_buf raw; mmr_buf_init(&raw);
                    snap_describe_raw(&raw, v, (size_t)(p - v));
                    snap_type_error(&r, "\"as_of\" must be a date YYYY-MM-DD, got %s", raw.data ? raw.data : "");
                    mmr_buf_free(&raw);
                    break;
                }
                r.as_of = mmr_arena_strndup(a, s, sl);
                if (!r.as_of) { syntax(&r, v, "out of memory"); goto fail; }
            } else if (lit(p, end, "null", 4)) {
                p += 4;
            } else {
                p = jskip(&r, p, 1);
                if (!p) goto fail;
                mmr_buf raw; mmr_buf_init(&raw);
                snap_describe_raw(&raw, v, (size_t)(p - v));
                snap_type_error(&r, "\"as_of\" must be a date YYYY-MM-DD, got %s", raw.data ? raw.data : "");
                mmr_buf_free(&raw);
            }
            break;
        case 2: case 3:
            if (*p == '{') {
                p = jsection(&r, p, which - 2);
                if (!p) goto fail;
            } else if (lit(p, end, "null", 4)) {
                p += 4;
            } else {
                p = jskip(&r, p, 1);
                if (!p) goto fail;
                mmr_buf raw; mmr_buf_init(&raw);
                snap_describe_raw(&raw, v, (size_t)(p - v));
                snap_type_error(&r, "\"%s\" must be an object, got %s", which == 2 ? "signals" : "traits",
                                raw.data ? raw.data : "");
                mmr_buf_free(&raw);
            }
            break;
        default:    /* other keys are the producer's business */
            p = jskip(&r, p, 1);
            if (!p) goto fail;
        }
        p = ws(p, end);
        if (p < end && *p == ',') { p = ws(p + 1, end); continue; }
        if (p < end && *p == '}') { p++; break; }
        syntax(&r, p, "expected ',' or '}'");
        goto fail;
    }
done:
    p = ws(p, end);
    if (p < end) { syntax(&r, p, "unexpected text after the object"); goto fail; }
    return snap_finish(&r, 0, u, d);
fail:
    return snap_finish(&r, 1, u, d);
}
