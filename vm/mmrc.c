/* .mmrc files: a serialised mmr_program.
 *
 *   offset 0   "MMRC"
 *          4   u32 format version: 1, or 2 for a program with per-key
 *              rules (FIREKEY); the payload is the same, so a version 1
 *              program keeps its bytes and an older mmr refuses a
 *              version 2 file by its version, not by an unknown opcode.
 *              3: a program whose policy names a currency other than
 *              INR; its payload has the code after the policy
 *              categories (and it may or may not use FIREKEY). Programs
 *              without a currency keep version 1 or 2 and their bytes.
 *          8   u64 payload length in bytes
 *         16   u64 FNV-1a 64 checksum of the payload
 *         24   payload
 *
 * Everything is little-endian and fixed-width; the payload layout is in
 * docs/bytecode.md. The reader trusts nothing: every count is checked
 * against the bytes that remain before anything is allocated, strings must
 * be valid UTF-8 without NUL, the payload must be consumed exactly, and the
 * result goes through mmr_verify before it is returned. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vm/program.h"
#include "util/buf.h"
#include "util/outfile.h"

#define MMRC_VERSION 1u        /* programs without FIREKEY */
#define MMRC_VERSION_KEYED 2u  /* programs with FIREKEY: per-key rules */
#define MMRC_VERSION_CURRENCY 3u  /* a policy currency (and FIREKEY or not) */

static int uses_firekey(const mmr_program *p)
{
    for (int ci = 0; ci < 2; ci++)
        for (uint32_t i = 0; i < p->code[ci].n; i++)
            if (p->code[ci].insns[i].op == MMR_I_FIREKEY) return 1;
    return 0;
}

/* The oldest version that holds the program, so a file's bytes (and the
 * ruleset hash) change only when it uses something new. */
static uint32_t version_for(const mmr_program *p)
{
    if (p->policy.currency) return MMRC_VERSION_CURRENCY;
    return uses_firekey(p) ? MMRC_VERSION_KEYED : MMRC_VERSION;
}
#define MMRC_HEADER 24u
#define NULL_STR 0xFFFFFFFFu

static uint64_t fnv1a64(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ull; }
    return h;
}

/* ------------------------------------------------------------ writer */

typedef struct wbuf {
    unsigned char *d;
    size_t n, cap;
    int oom;
} wbuf;

static void w_bytes(wbuf *w, const void *s, size_t n)
{
    if (w->oom) return;
    if (w->cap - w->n < n) {
        size_t nc = w->cap ? w->cap : 1024;
        while (nc - w->n < n) {
            if (nc > (size_t)-1 / 2) { w->oom = 1; return; }
            nc *= 2;
        }
        unsigned char *q = realloc(w->d, nc);
        if (!q) { w->oom = 1; return; }
        w->d = q; w->cap = nc;
    }
    if (n) memcpy(w->d + w->n, s, n);
    w->n += n;
}

static void w_u8(wbuf *w, unsigned v) { unsigned char b = (unsigned char)v; w_bytes(w, &b, 1); }
static void w_u16(wbuf *w, unsigned v) { unsigned char b[2] = { (unsigned char)v, (unsigned char)(v >> 8) }; w_bytes(w, b, 2); }
static void w_u32(wbuf *w, uint32_t v)
{
    unsigned char b[4];
    for (int i = 0; i < 4; i++) b[i] = (unsigned char)(v >> (8 * i));
    w_bytes(w, b, 4);
}
static void w_u64(wbuf *w, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * i));
    w_bytes(w, b, 8);
}
static void w_f64(wbuf *w, double d) { uint64_t v; memcpy(&v, &d, 8); w_u64(w, v); }
static void w_str(wbuf *w, const char *s)
{
    if (!s) { w_u32(w, NULL_STR); return; }
    size_t n = strlen(s);
    if (n >= NULL_STR) { w->oom = 1; return; }
    w_u32(w, (uint32_t)n);
    w_bytes(w, s, n);
}
static void w_text(wbuf *w, const mmr_text *t)
{
    if (!t) { w_u32(w, NULL_STR); return; }
    w_u32(w, t->len);
    w_bytes(w, t->bytes, t->len);
}

static void w_value(wbuf *w, const mmr_value *v, int depth)
{
    w_u8(w, v->tag);
    switch (v->tag) {
    case MMR_V_NUM: w_f64(w, v->u.num); break;
    case MMR_V_BOOL: w_u8(w, v->u.i != 0); break;
    case MMR_V_TEXT: w_text(w, v->u.text); break;
    case MMR_V_LIST: {
        const mmr_list *l = v->u.list;
        uint32_t n = l ? l->n : 0;
        w_u32(w, n);
        for (uint32_t i = 0; i < n; i++) {
            if (depth > 0 || l->items[i].tag == MMR_V_LIST || l->items[i].tag == MMR_V_MAP) { w->oom = 1; return; }
            w_value(w, &l->items[i], depth + 1);
        }
        break;
    }
    case MMR_V_MAP: {
        const mmr_map *m = v->u.map;
        uint32_t n = m ? m->n : 0;
        w_u32(w, n);
        for (uint32_t i = 0; i < n; i++) { w_text(w, m->keys[i]); w_f64(w, m->vals[i]); }
        break;
    }
    default: break;   /* MISSING: the tag says it all; ITER never appears */
    }
}

static void w_i32(wbuf *w, int32_t v) { w_u32(w, (uint32_t)v); }
static void w_i64(wbuf *w, int64_t v) { w_u64(w, (uint64_t)v); }

int mmr_program_write(const mmr_program *p, unsigned char **out, size_t *len)
{
    wbuf w = { 0 };
    *out = NULL; *len = 0;
    /* header; length and checksum are filled in at the end */
    w_bytes(&w, "MMRC", 4);
    uint32_t version = version_for(p);
    w_u32(&w, version);
    w_u64(&w, 0);
    w_u64(&w, 0);

    w_u32(&w, p->nslots);
    for (uint32_t i = 0; i < p->nslots; i++) {
        w_str(&w, p->slots[i].name); w_u8(&w, p->slots[i].type); w_u8(&w, p->slots[i].is_trait);
    }
    w_u32(&w, p->nlets);
    for (uint32_t i = 0; i < p->nlets; i++) w_str(&w, p->let_names[i]);
    w_u32(&w, p->nconsts);
    for (uint32_t i = 0; i < p->nconsts; i++) w_value(&w, &p->consts[i], 0);
    w_u32(&w, p->ntemplates);
    for (uint32_t i = 0; i < p->ntemplates; i++) {
        const mmr_prog_template *t = &p->templates[i];
        w_str(&w, t->id); w_str(&w, t->title); w_str(&w, t->body); w_str(&w, t->tone); w_str(&w, t->category);
    }
    w_u32(&w, p->nrules);
    for (uint32_t i = 0; i < p->nrules; i++) {
        const mmr_prog_rule *r = &p->rules[i];
        w_str(&w, r->name); w_str(&w, r->description); w_str(&w, r->category);
        w_i32(&w, r->priority); w_i64(&w, r->cooldown_s); w_u32(&w, r->template_index);
        w_u32(&w, r->nargs);
        for (uint32_t j = 0; j < r->nargs; j++) w_str(&w, r->arg_names[j]);
        w_str(&w, r->file); w_i32(&w, r->line); w_i32(&w, r->col);
    }
    w_u32(&w, p->nconds);
    for (uint32_t i = 0; i < p->nconds; i++) {
        const mmr_prog_cond *c = &p->conds[i];
        w_u32(&w, c->rule); w_u32(&w, c->let); w_str(&w, c->text);
        w_str(&w, c->file); w_i32(&w, c->line); w_i32(&w, c->col); w_u8(&w, c->part);
    }
    const mmr_prog_policy *pol = &p->policy;
    w_i32(&w, pol->max_nudges); w_i64(&w, pol->window_s);
    w_i32(&w, pol->quiet_start_min); w_i32(&w, pol->quiet_end_min);
    w_str(&w, pol->timezone);
    w_u32(&w, pol->ncategories);
    for (uint32_t i = 0; i < pol->ncategories; i++) w_str(&w, pol->categories[i]);
    if (version >= MMRC_VERSION_CURRENCY) w_str(&w, pol->currency);
    w_u32(&w, p->nregs);
    w_u32(&w, p->max_call_depth);
    for (int ci = 0; ci < 2; ci++) {
        const mmr_code *cd = &p->code[ci];
        w_u32(&w, cd->n);
        for (uint32_t i = 0; i < cd->n; i++) {
            const mmr_insn *in = &cd->insns[i];
            w_u8(&w, in->op); w_u8(&w, in->m); w_u16(&w, in->a); w_u32(&w, in->b); w_u32(&w, in->c);
        }
    }
    for (uint32_t i = 0; i < p->nrules; i++) w_u32(&w, p->by_priority ? p->by_priority[i] : i);

    if (w.oom) { free(w.d); return -1; }
    uint64_t plen = w.n - MMRC_HEADER;
    uint64_t sum = fnv1a64(w.d + MMRC_HEADER, (size_t)plen);
    for (int i = 0; i < 8; i++) {
        w.d[8 + i] = (unsigned char)(plen >> (8 * i));
        w.d[16 + i] = (unsigned char)(sum >> (8 * i));
    }
    *out = w.d;
    *len = w.n;
    return 0;
}

int mmr_program_save(const mmr_program *p, const char *path, mmr_diags *d)
{
    unsigned char *buf;
    size_t len;
    if (mmr_program_write(p, &buf, &len)) {
        mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "cannot encode the program (out of memory or a malformed constant)");
        return -1;
    }
    /* a mkstemp temporary beside the target, renamed over it: a crash never
     * leaves half a file and a planted symlink is never followed */
    int ok = mmr_outfile_write(path, buf, len, 0) == 0;
    if (!ok)
        mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "cannot write: %s",
                     errno == ENXIO ? "no process is reading it (a FIFO or socket)" : strerror(errno));
    free(buf);
    return ok ? 0 : -1;
}

/* ------------------------------------------------------------ reader */

typedef struct rd {
    const unsigned char *b;
    size_t len, pos;          /* pos is a file offset; b[0] is file byte 0 */
    const char *name;
    mmr_diags *d;
    mmr_arena *a;
    int failed;
    char what[96];            /* what is being read, for messages */
} rd;

#define WHAT(r, ...) snprintf((r)->what, sizeof (r)->what, __VA_ARGS__)

static int r_fail_trunc(rd *r)
{
    if (!r->failed)
        mmr_diag_add(r->d, MMR_SEV_ERROR, r->name, 0, 0, "truncated at byte %zu (reading %s)", r->len, r->what);
    r->failed = 1;
    return -1;
}

static int r_bad(rd *r, const char *fmt, const char *detail)
{
    if (!r->failed) {
        char msg[160];
        snprintf(msg, sizeof msg, fmt, detail);
        mmr_diag_add(r->d, MMR_SEV_ERROR, r->name, 0, 0, "byte %zu (reading %s): %s", r->pos, r->what, msg);
    }
    r->failed = 1;
    return -1;
}

static int r_need(rd *r, size_t n)
{
    if (r->failed) return -1;
    if (r->len - r->pos < n) return r_fail_trunc(r);
    return 0;
}

static uint64_t r_le(rd *r, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v |= (uint64_t)r->b[r->pos + (size_t)i] << (8 * i);
    r->pos += (size_t)n;
    return v;
}

static uint8_t r_u8(rd *r) { return r_need(r, 1) ? 0 : (uint8_t)r_le(r, 1); }
static uint16_t r_u16(rd *r) { return r_need(r, 2) ? 0 : (uint16_t)r_le(r, 2); }
static uint32_t r_u32(rd *r) { return r_need(r, 4) ? 0 : (uint32_t)r_le(r, 4); }
static uint64_t r_u64(rd *r) { return r_need(r, 8) ? 0 : r_le(r, 8); }
static int32_t r_i32(rd *r) { return (int32_t)r_u32(r); }
static int64_t r_i64(rd *r) { return (int64_t)r_u64(r); }
static double r_f64(rd *r) { uint64_t v = r_u64(r); double d; memcpy(&d, &v, 8); return d; }

/* A count of items that each take at least min_bytes. *alloc gets how
 * many to allocate: n when the bytes left could hold them, else just past
 * what they could hold, so reading the items runs into the end of the data
 * (and says where) before it can run past the allocation. */
static uint32_t r_count(rd *r, size_t min_bytes, uint32_t *alloc)
{
    uint32_t n = r_u32(r);
    *alloc = 0;
    if (r->failed) return 0;
    size_t left = r->len - r->pos;
    if ((uint64_t)n * min_bytes > left) *alloc = (uint32_t)(left / min_bytes + 1);
    else *alloc = n;
    return n;
}

static int utf8_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c == 0) return 0;
        if (c < 0x80) { i++; continue; }
        size_t k; uint32_t v, min;
        if (c >= 0xC2 && c <= 0xDF) { k = 2; v = c & 0x1F; min = 0x80; }
        else if (c >= 0xE0 && c <= 0xEF) { k = 3; v = c & 0x0F; min = 0x800; }
        else if (c >= 0xF0 && c <= 0xF4) { k = 4; v = c & 0x07; min = 0x10000; }
        else return 0;
        if (n - i < k) return 0;
        for (size_t j = 1; j < k; j++) {
            if ((s[i + j] & 0xC0) != 0x80) return 0;
            v = (v << 6) | (s[i + j] & 0x3F);
        }
        if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
        i += k;
    }
    return 1;
}

/* a string: NULL allowed when nullable; *lenp gets its length */
static const char *r_str_n(rd *r, int nullable, size_t *lenp)
{
    uint32_t n = r_u32(r);
    if (r->failed) return NULL;
    if (n == NULL_STR) {
        if (!nullable) { r->pos -= 4; r_bad(r, "%s", "a required string is absent"); }
        return NULL;
    }
    if (r_need(r, n)) return NULL;
    const unsigned char *s = r->b + r->pos;
    if (!utf8_ok(s, n)) { r_bad(r, "%s", "string is not valid UTF-8 or holds a NUL byte"); return NULL; }
    char *out = mmr_arena_strndup(r->a, (const char *)s, n);
    if (!out) { r_bad(r, "%s", "out of memory"); return NULL; }
    r->pos += n;
    if (lenp) *lenp = n;
    return out;
}

static const char *r_str(rd *r) { return r_str_n(r, 0, NULL); }
static const char *r_ostr(rd *r) { return r_str_n(r, 1, NULL); }

static const mmr_text *r_text(rd *r)
{
    uint32_t n = r_u32(r);
    if (r->failed) return NULL;
    if (n == NULL_STR) { r->pos -= 4; r_bad(r, "%s", "text is absent"); return NULL; }
    if (r_need(r, n)) return NULL;
    const unsigned char *s = r->b + r->pos;
    if (!utf8_ok(s, n)) { r_bad(r, "%s", "text is not valid UTF-8 or holds a NUL byte"); return NULL; }
    mmr_text *t = mmr_text_new(r->a, (const char *)s, n);
    if (!t) { r_bad(r, "%s", "out of memory"); return NULL; }
    r->pos += n;
    return t;
}

static void *r_array(rd *r, size_t n, size_t elem)
{
    if (r->failed) return NULL;
    if (n == 0) return NULL;
    void *p = mmr_arena_calloc(r->a, n * elem);
    if (!p) r_bad(r, "%s", "out of memory");
    return p;
}

static mmr_value r_value(rd *r, int depth)
{
    mmr_value v = mmr_v_missing();
    size_t at = r->pos;
    uint8_t tag = r_u8(r);
    if (r->failed) return v;
    switch (tag) {
    case MMR_V_MISSING: return v;
    case MMR_V_NUM: {
        double d = r_f64(r);
        if (!r->failed && !isfinite(d)) { r->pos = at; r_bad(r, "%s", "a number constant is not finite"); }
        return mmr_v_num(d);
    }
    case MMR_V_BOOL: {
        uint8_t b = r_u8(r);
        if (!r->failed && b > 1) { r->pos = at; r_bad(r, "%s", "a bool constant is neither 0 nor 1"); }
        return mmr_v_bool(b);
    }
    case MMR_V_TEXT: {
        const mmr_text *t = r_text(r);
        return t ? mmr_v_text(t) : v;
    }
    case MMR_V_LIST: {
        if (depth > 0) { r->pos = at; r_bad(r, "%s", "a list inside a list"); return v; }
        uint32_t na, n = r_count(r, 1, &na);
        mmr_list *l = mmr_arena_calloc(r->a, sizeof *l);
        mmr_value *items = r_array(r, na, sizeof *items);
        if (r->failed || !l) { if (!l) r_bad(r, "%s", "out of memory"); return v; }
        for (uint32_t i = 0; i < n && !r->failed; i++) {
            items[i] = r_value(r, depth + 1);
            if (!r->failed && items[i].tag != MMR_V_TEXT && items[i].tag != MMR_V_NUM && items[i].tag != MMR_V_MISSING)
                r_bad(r, "%s", "a list item is neither text nor number");
        }
        l->n = n; l->items = items;
        return r->failed ? v : mmr_v_list(l);
    }
    case MMR_V_MAP: {
        if (depth > 0) { r->pos = at; r_bad(r, "%s", "a map inside a list"); return v; }
        uint32_t na, n = r_count(r, 12, &na);
        mmr_map *m = mmr_arena_calloc(r->a, sizeof *m);
        const mmr_text **keys = r_array(r, na, sizeof *keys);
        double *vals = r_array(r, na, sizeof *vals);
        if (r->failed || !m) { if (!m) r_bad(r, "%s", "out of memory"); return v; }
        for (uint32_t i = 0; i < n && !r->failed; i++) {
            keys[i] = r_text(r);
            vals[i] = r_f64(r);
            if (!r->failed && i && mmr_text_cmp(keys[i - 1], keys[i]) >= 0)
                r_bad(r, "%s", "map keys are not sorted and unique");
        }
        m->n = n; m->keys = keys; m->vals = vals;
        return r->failed ? v : mmr_v_map(m);
    }
    default: {
        char t[16];
        snprintf(t, sizeof t, "%u", tag);
        r->pos = at;
        r_bad(r, "bad value tag %s", t);
        return v;
    }
    }
}

static int r_payload(rd *r, mmr_program *p, uint32_t ver)
{
    uint32_t na;
    WHAT(r, "slot count");
    p->nslots = r_count(r, 6, &na);
    p->slots = r_array(r, na, sizeof *p->slots);
    for (uint32_t i = 0; i < p->nslots && !r->failed; i++) {
        WHAT(r, "slot %u name", i); p->slots[i].name = r_str(r);
        WHAT(r, "slot %u type", i); p->slots[i].type = r_u8(r);
        WHAT(r, "slot %u flags", i); p->slots[i].is_trait = r_u8(r);
    }
    WHAT(r, "let count");
    p->nlets = r_count(r, 4, &na);
    p->let_names = r_array(r, na, sizeof *p->let_names);
    for (uint32_t i = 0; i < p->nlets && !r->failed; i++) { WHAT(r, "let %u name", i); p->let_names[i] = r_str(r); }
    WHAT(r, "constant count");
    p->nconsts = r_count(r, 1, &na);
    p->consts = r_array(r, na, sizeof *p->consts);
    for (uint32_t i = 0; i < p->nconsts && !r->failed; i++) { WHAT(r, "constant %u", i); p->consts[i] = r_value(r, 0); }
    WHAT(r, "template count");
    p->ntemplates = r_count(r, 20, &na);
    p->templates = r_array(r, na, sizeof *p->templates);
    for (uint32_t i = 0; i < p->ntemplates && !r->failed; i++) {
        mmr_prog_template *t = &p->templates[i];
        WHAT(r, "template %u id", i); t->id = r_str(r);
        WHAT(r, "template %u title", i); t->title = r_ostr(r);
        WHAT(r, "template %u body", i); t->body = r_ostr(r);
        WHAT(r, "template %u tone", i); t->tone = r_ostr(r);
        WHAT(r, "template %u category", i); t->category = r_ostr(r);
    }
    WHAT(r, "rule count");
    p->nrules = r_count(r, 44, &na);
    p->rules = r_array(r, na, sizeof *p->rules);
    for (uint32_t i = 0; i < p->nrules && !r->failed; i++) {
        mmr_prog_rule *ru = &p->rules[i];
        WHAT(r, "rule %u name", i); ru->name = r_str(r);
        WHAT(r, "rule %u description", i); ru->description = r_ostr(r);
        WHAT(r, "rule %u category", i); ru->category = r_ostr(r);
        WHAT(r, "rule %u priority", i); ru->priority = r_i32(r);
        WHAT(r, "rule %u cooldown", i); ru->cooldown_s = r_i64(r);
        WHAT(r, "rule %u template", i); ru->template_index = r_u32(r);
        WHAT(r, "rule %u argument count", i); ru->nargs = r_count(r, 4, &na);
        ru->arg_names = r_array(r, na, sizeof *ru->arg_names);
        for (uint32_t j = 0; j < ru->nargs && !r->failed; j++) {
            WHAT(r, "rule %u argument %u name", i, j); ru->arg_names[j] = r_str(r);
        }
        WHAT(r, "rule %u file", i); ru->file = r_ostr(r);
        WHAT(r, "rule %u line", i); ru->line = r_i32(r);
        WHAT(r, "rule %u column", i); ru->col = r_i32(r);
    }
    WHAT(r, "condition count");
    p->nconds = r_count(r, 25, &na);
    p->conds = r_array(r, na, sizeof *p->conds);
    for (uint32_t i = 0; i < p->nconds && !r->failed; i++) {
        mmr_prog_cond *c = &p->conds[i];
        WHAT(r, "condition %u owner", i); c->rule = r_u32(r); c->let = r_u32(r);
        WHAT(r, "condition %u text", i); c->text = r_str(r);
        WHAT(r, "condition %u file", i); c->file = r_ostr(r);
        WHAT(r, "condition %u place", i); c->line = r_i32(r); c->col = r_i32(r);
        WHAT(r, "condition %u part", i); c->part = r_u8(r);
    }
    mmr_prog_policy *pol = &p->policy;
    WHAT(r, "policy");
    pol->max_nudges = r_i32(r); pol->window_s = r_i64(r);
    pol->quiet_start_min = r_i32(r); pol->quiet_end_min = r_i32(r);
    WHAT(r, "policy timezone"); pol->timezone = r_ostr(r);
    WHAT(r, "policy category count");
    pol->ncategories = r_count(r, 4, &na);
    pol->categories = r_array(r, na, sizeof *pol->categories);
    for (uint32_t i = 0; i < pol->ncategories && !r->failed; i++) {
        WHAT(r, "policy category %u", i); pol->categories[i] = r_str(r);
    }
    if (ver >= MMRC_VERSION_CURRENCY) { WHAT(r, "policy currency"); pol->currency = r_str(r); }
    WHAT(r, "register count"); p->nregs = r_u32(r);
    WHAT(r, "call depth"); p->max_call_depth = r_u32(r);
    for (int ci = 0; ci < 2 && !r->failed; ci++) {
        WHAT(r, "code[%d] length", ci);
        mmr_code *cd = &p->code[ci];
        cd->n = r_count(r, 12, &na);
        cd->insns = r_array(r, na, sizeof *cd->insns);
        for (uint32_t i = 0; i < cd->n && !r->failed; i++) {
            WHAT(r, "code[%d] instruction %u", ci, i);
            mmr_insn *in = &cd->insns[i];
            in->op = r_u8(r); in->m = r_u8(r); in->a = r_u16(r); in->b = r_u32(r); in->c = r_u32(r);
        }
    }
    WHAT(r, "rule order");
    if (!r->failed && (uint64_t)p->nrules * 4 > r->len - r->pos) { r->pos = r->len; r_fail_trunc(r); }
    p->by_priority = r_array(r, p->nrules, sizeof *p->by_priority);
    for (uint32_t i = 0; i < p->nrules && !r->failed; i++) p->by_priority[i] = r_u32(r);
    return r->failed ? -1 : 0;
}

mmr_program *mmr_program_read(const unsigned char *buf, size_t len, const char *name, mmr_diags *d)
{
    if (!name) name = "";
    if (len < 4 || memcmp(buf, "MMRC", 4) != 0) {
        mmr_diag_add(d, MMR_SEV_ERROR, name, 0, 0, "not a .mmrc file (bad magic)");
        return NULL;
    }
    rd r = { buf, len, 4, name, d, NULL, 0, "" };
    WHAT(&r, "header");
    uint32_t ver = r_u32(&r);
    if (r.failed) return NULL;
    if (ver != MMRC_VERSION && ver != MMRC_VERSION_KEYED && ver != MMRC_VERSION_CURRENCY) {
        mmr_diag_add(d, MMR_SEV_ERROR, name, 0, 0, "unsupported format version %u (this mmr reads %u to %u)", ver,
                     MMRC_VERSION, MMRC_VERSION_CURRENCY);
        return NULL;
    }
    uint64_t plen = r_u64(&r);
    uint64_t sum = r_u64(&r);
    if (r.failed) return NULL;
    size_t have = len - MMRC_HEADER;
    mmr_program *p = mmr_program_new();
    if (!p) { mmr_diag_add(d, MMR_SEV_ERROR, name, 0, 0, "out of memory"); return NULL; }
    r.a = &p->arena;
    if (plen > have) {
        /* a short file: parse what is there, to say where it breaks off */
        if (r_payload(&r, p, ver) == 0)
            mmr_diag_add(d, MMR_SEV_ERROR, name, 0, 0, "truncated at byte %zu (the header promises %llu bytes)",
                         len, (unsigned long long)(plen + MMRC_HEADER));
        mmr_program_free(p);
        return NULL;
    }
    if (plen < have) {
        mmr_diag_add(d, MMR_SEV_ERROR, name, 0, 0, "%zu unexpected bytes after the end of the program at byte %llu",
                     have - (size_t)plen, (unsigned long long)(plen + MMRC_HEADER));
        mmr_program_free(p);
        return NULL;
    }
    if (fnv1a64(buf + MMRC_HEADER, have) != sum) {
        mmr_diag_add(d, MMR_SEV_ERROR, name, 0, 0, "checksum mismatch (file corrupted)");
        mmr_program_free(p);
        return NULL;
    }
    if (r_payload(&r, p, ver)) { mmr_program_free(p); return NULL; }
    if (r.pos != len) {
        mmr_diag_add(d, MMR_SEV_ERROR, name, 0, 0, "%zu unexpected bytes after the end of the program at byte %zu",
                     len - r.pos, r.pos);
        mmr_program_free(p);
        return NULL;
    }
    if (ver == MMRC_VERSION && uses_firekey(p)) {
        mmr_diag_add(d, MMR_SEV_ERROR, name, 0, 0, "a format version 1 file with a per-key rule (firekey): "
                     "version 1 predates them, so the file is corrupt");
        mmr_program_free(p);
        return NULL;
    }
    if (mmr_verify(p, name, d)) { mmr_program_free(p); return NULL; }
    return p;
}

mmr_program *mmr_program_load(const char *path, mmr_diags *d)
{
    size_t len = 0;
    char *buf = mmr_read_file(path, &len);
    if (!buf) {
        mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "cannot read: %s", strerror(errno));
        return NULL;
    }
    mmr_program *p = mmr_program_read((const unsigned char *)buf, len, path, d);
    free(buf);
    return p;
}
