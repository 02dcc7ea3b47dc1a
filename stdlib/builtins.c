/* The standard functions. One table: name, arity, type rule, run-time
 * function, signature and one line of documentation. The VM never passes a
 * missing argument (it returns missing instead), so every fn below sees
 * present values of the types its typer accepted. */
#include <math.h>
#include <string.h>
#include <stdint.h>
#include <stdlib.h>
#include <unicase.h>
#include <unistr.h>
#include "stdlib/builtins.h"
#include "compiler/ast.h"
#include "util/buf.h"

/* ------------------------------------------------------------ typers */

/* ERROR (an earlier, reported error) and the literal `missing` fit any
 * parameter type, so one mistake gives one message. */
static int fits(int t, int want)
{
    return t == want || t == MMR_T_ERROR || t == MMR_T_MISSING;
}

static int all_numbers(const int *t, unsigned n, const char **why)
{
    for (unsigned i = 0; i < n; i++)
        if (!fits(t[i], MMR_T_NUMBER)) { *why = "expects number arguments"; return 0; }
    return 1;
}

static int ty_num_to_num(const int *t, unsigned n, const char **why)
{
    return all_numbers(t, n, why) ? MMR_T_NUMBER : MMR_T_ERROR;
}

static int ty_round(const int *t, unsigned n, const char **why)
{
    if (!all_numbers(t, n, why)) { *why = "round(x) and round(x, digits) take numbers"; return MMR_T_ERROR; }
    return MMR_T_NUMBER;
}

static int ty_len(const int *t, unsigned n, const char **why)
{
    (void)n;
    int a = t[0];
    if (a == MMR_T_TEXT || a == MMR_T_LIST_TEXT || a == MMR_T_LIST_NUMBER || a == MMR_T_MAP_NUMBER ||
        a == MMR_T_ERROR || a == MMR_T_MISSING)
        return MMR_T_NUMBER;
    *why = "len takes a text, a list or a map";
    return MMR_T_ERROR;
}

static int ty_contains(const int *t, unsigned n, const char **why)
{
    (void)n;
    int a = t[0], b = t[1];
    if (a == MMR_T_ERROR || b == MMR_T_ERROR) return MMR_T_BOOL;
    if (fits(a, MMR_T_TEXT) && fits(b, MMR_T_TEXT)) return MMR_T_BOOL;
    if (fits(a, MMR_T_LIST_TEXT) && fits(b, MMR_T_TEXT)) return MMR_T_BOOL;
    if (fits(a, MMR_T_LIST_NUMBER) && fits(b, MMR_T_NUMBER)) return MMR_T_BOOL;
    *why = "contains takes (text, text), (list<text>, text) or (list<number>, number)";
    return MMR_T_ERROR;
}

static int ty_text_to_text(const int *t, unsigned n, const char **why)
{
    (void)n;
    if (fits(t[0], MMR_T_TEXT)) return MMR_T_TEXT;
    *why = "expects a text argument";
    return MMR_T_ERROR;
}

static int ty_text2_to_bool(const int *t, unsigned n, const char **why)
{
    (void)n;
    if (fits(t[0], MMR_T_TEXT) && fits(t[1], MMR_T_TEXT)) return MMR_T_BOOL;
    *why = "expects two text arguments";
    return MMR_T_ERROR;
}

static int ty_map_to_num(const int *t, unsigned n, const char **why)
{
    (void)n;
    if (fits(t[0], MMR_T_MAP_NUMBER)) return MMR_T_NUMBER;
    *why = "expects a map<number> argument";
    return MMR_T_ERROR;
}

static int ty_map_to_text(const int *t, unsigned n, const char **why)
{
    (void)n;
    if (fits(t[0], MMR_T_MAP_NUMBER)) return MMR_T_TEXT;
    *why = "expects a map<number> argument";
    return MMR_T_ERROR;
}

/* ------------------------------------------------------------ numbers */

static double no_neg_zero(double x) { return x == 0 ? 0.0 : x; }

static void fn_abs(mmr_value *d, const mmr_value *a, unsigned n, mmr_builtin_ctx *c)
{ (void)n; (void)c; *d = mmr_v_num(mmr_num_abs(a[0].u.num)); }

static void fn_floor(mmr_value *d, const mmr_value *a, unsigned n, mmr_builtin_ctx *c)
{ (void)n; (void)c; *d = mmr_v_num(no_neg_zero(floor(a[0].u.num))); }

static void fn_ceil(mmr_value *d, const mmr_value *a, unsigned n, mmr_builtin_ctx *c)
{ (void)n; (void)c; *d = mmr_v_num(no_neg_zero(ceil(a[0].u.num))); }

static void fn_min(mmr_value *d, const mmr_value *a, unsigned n, mmr_builtin_ctx *c)
{
    (void)c;
    double m = a[0].u.num;
    for (unsigned i = 1; i < n; i++) m = mmr_num_min(m, a[i].u.num);
    *d = mmr_v_num(m);
}

static void fn_max(mmr_value *d, const mmr_value *a, unsigned n, mmr_builtin_ctx *c)
{
    (void)c;
    double m = a[0].u.num;
    for (unsigned i = 1; i < n; i++) m = mmr_num_max(m, a[i].u.num);
    *d = mmr_v_num(m);
}

/* Half away from zero. With digits, the scaled value is nudged by a few
 * ulps first, so 2.675 (stored as 2.67499999...) rounds to 2.68 as written. */
static void fn_round(mmr_value *d, const mmr_value *a, unsigned n, mmr_builtin_ctx *c)
{
    (void)c;
    double x = a[0].u.num;
    if (n < 2) { *d = mmr_v_num(no_neg_zero(round(x))); return; }
    double dg = a[1].u.num;
    if (dg != floor(dg) || dg < -15 || dg > 15) { *d = mmr_v_missing(); return; }
    double scale = pow(10.0, fabs(dg));
    double y = dg >= 0 ? x * scale : x / scale;
    if (!isfinite(y)) { *d = mmr_v_num(x); return; }
    double r = round(y + copysign(fabs(y) * 4 * 2.220446049250313e-16, y));
    double out = dg >= 0 ? r / scale : r * scale;
    *d = mmr_v_num(no_neg_zero(out));
}

static void fn_clamp(mmr_value *d, const mmr_value *a, unsigned n, mmr_builtin_ctx *c)
{
    (void)n; (void)c;
    double x = a[0].u.num, lo = a[1].u.num, hi = a[2].u.num;
    if (lo > hi) { *d = mmr_v_missing(); return; }
    *d = mmr_v_num(x < lo ? lo : x > hi ? hi : x);
}

static void fn_pct_change(mmr_value *d, const mmr_value *a, unsigned n, mmr_builtin_ctx *c)
{
    (void)n; (void)c;
    *d = mmr_v_num(mmr_num_pct_change(a[0].u.num, a[1].u.num));
}

static void fn_ratio(mmr_value *d, const mmr_value *a, unsigned n, mmr_builtin_ctx *c)
{
    (void)n; (void)c;
    *d = mmr_v_num(mmr_num_ratio(a[0].u.num, a[1].u.num));
}

/* ------------------------------------------------------------ UTF-8 */

/* Decode one code point at s[0..n). Returns its byte length (>= 1) and
 * sets *cp, or -1 in *cp for an invalid byte (length 1). */
static size_t utf8_next(const unsigned char *s, size_t n, int32_t *cp)
{
    unsigned char b = s[0];
    if (b < 0x80) { *cp = b; return 1; }
    size_t len; int32_t v, min;
    if (b >= 0xC2 && b <= 0xDF) { len = 2; v = b & 0x1F; min = 0x80; }
    else if (b >= 0xE0 && b <= 0xEF) { len = 3; v = b & 0x0F; min = 0x800; }
    else if (b >= 0xF0 && b <= 0xF4) { len = 4; v = b & 0x07; min = 0x10000; }
    else { *cp = -1; return 1; }
    if (len > n) { *cp = -1; return 1; }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) { *cp = -1; return 1; }
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) { *cp = -1; return 1; }
    *cp = v;
    return len;
}

static size_t utf8_count(const char *s, size_t n)
{
    size_t i = 0, k = 0;
    int32_t cp;
    while (i < n) { i += utf8_next((const unsigned char *)s + i, n - i, &cp); k++; }
    return k;
}

/* Full Unicode case mapping by libunistring (SpecialCasing included: ß ->
 * SS, a final capital sigma -> ς, İ -> i + U+0307), language-neutral.
 * Invalid UTF-8 bytes are copied unchanged: each valid run is mapped on
 * its own. */
static void map_case(mmr_value *d, const mmr_value *a, mmr_builtin_ctx *ctx, int upper)
{
    const mmr_text *s = a[0].u.text;
    if (!s) { *d = mmr_v_missing(); return; }
    const uint8_t *p = (const uint8_t *)s->bytes;
    size_t n = s->len, i = 0;
    mmr_buf out;
    mmr_buf_init(&out);
    while (i < n) {
        const uint8_t *bad = u8_check(p + i, n - i);
        size_t run = bad ? (size_t)(bad - (p + i)) : n - i;
        if (run) {
            size_t rl = 0;
            uint8_t *r = upper ? u8_toupper(p + i, run, NULL, NULL, NULL, &rl)
                               : u8_tolower(p + i, run, NULL, NULL, NULL, &rl);
            if (!r) { mmr_buf_free(&out); *d = mmr_v_missing(); return; }
            mmr_buf_append(&out, (const char *)r, rl);
            free(r);
            i += run;
        }
        if (bad) { mmr_buf_append(&out, (const char *)bad, 1); i++; }
    }
    mmr_text *t = out.oom ? NULL : mmr_text_new(ctx->scratch, out.data ? out.data : "", out.len);
    mmr_buf_free(&out);
    *d = t ? mmr_v_text(t) : mmr_v_missing();
}

static void fn_lower(mmr_value *d, const mmr_value *a, unsigned n, mmr_builtin_ctx *c)
{ (void)n; map_case(d, a, c, 0); }

static void fn_upper(mmr_value *d, const mmr_value *a, unsigned n, mmr_builtin_ctx *c)
{ (void)n; map_case(d, a, c, 1); }

static void fn_len(mmr_value *d, const mmr_value *a, unsigned n, mmr_builtin_ctx *c)
{
    (void)n; (void)c;
    switch (a[0].tag) {
    case MMR_V_TEXT: *d = a[0].u.text ? mmr_v_num((double)utf8_count(a[0].u.text->bytes, a[0].u.text->len)) : mmr_v_missing(); break;
    case MMR_V_LIST: *d = a[0].u.list ? mmr_v_num((double)a[0].u.list->n) : mmr_v_missing(); break;
    case MMR_V_MAP:  *d = a[0].u.map ? mmr_v_num((double)a[0].u.map->n) : mmr_v_missing(); break;
    default: *d = mmr_v_missing(); break;
    }
}

static int bytes_find(const char *h, size_t hn, const char *nd, size_t nn)
{
    if (nn == 0) return 1;
    if (nn > hn) return 0;
    for (size_t i = 0; i + nn <= hn; i++)
        if (h[i] == nd[0] && memcmp(h + i, nd, nn) == 0) return 1;
    return 0;
}

static void fn_contains(mmr_value *d, const mmr_value *a, unsigned n, mmr_builtin_ctx *c)
{
    (void)n; (void)c;
    if (a[0].tag == MMR_V_TEXT && a[1].tag == MMR_V_TEXT && a[0].u.text && a[1].u.text) {
        *d = mmr_v_bool(bytes_find(a[0].u.text->bytes, a[0].u.text->len, a[1].u.text->bytes, a[1].u.text->len));
        return;
    }
    if (a[0].tag == MMR_V_LIST && a[0].u.list) {
        const mmr_list *l = a[0].u.list;
        for (uint32_t i = 0; i < l->n; i++) {
            const mmr_value *it = &l->items[i];
            if (it->tag != a[1].tag) continue;
            if (it->tag == MMR_V_TEXT && mmr_text_eq(it->u.text, a[1].u.text)) { *d = mmr_v_bool(1); return; }
            if (it->tag == MMR_V_NUM && it->u.num == a[1].u.num) { *d = mmr_v_bool(1); return; }
        }
        *d = mmr_v_bool(0);
        return;
    }
    *d = mmr_v_missing();
}

static void fn_starts_with(mmr_value *d, const mmr_value *a, unsigned n, mmr_builtin_ctx *c)
{
    (void)n; (void)c;
    const mmr_text *s = a[0].u.text, *p = a[1].u.text;
    if (a[0].tag != MMR_V_TEXT || a[1].tag != MMR_V_TEXT || !s || !p) { *d = mmr_v_missing(); return; }
    *d = mmr_v_bool(p->len <= s->len && memcmp(s->bytes, p->bytes, p->len) == 0);
}

static void fn_ends_with(mmr_value *d, const mmr_value *a, unsigned n, mmr_builtin_ctx *c)
{
    (void)n; (void)c;
    const mmr_text *s = a[0].u.text, *p = a[1].u.text;
    if (a[0].tag != MMR_V_TEXT || a[1].tag != MMR_V_TEXT || !s || !p) { *d = mmr_v_missing(); return; }
    *d = mmr_v_bool(p->len <= s->len && memcmp(s->bytes + (s->len - p->len), p->bytes, p->len) == 0);
}

/* ------------------------------------------------------------ maps */

static const mmr_map *map_arg(const mmr_value *a)
{
    return a->tag == MMR_V_MAP ? a->u.map : NULL;
}

/* Map aggregates skip missing entries (NaN values). */
static void fn_sum(mmr_value *d, const mmr_value *a, unsigned n, mmr_builtin_ctx *c)
{
    (void)n; (void)c;
    const mmr_map *m = map_arg(a);
    if (!m) { *d = mmr_v_missing(); return; }
    double s = 0;
    for (uint32_t i = 0; i < m->n; i++) if (!isnan(m->vals[i])) s += m->vals[i];
    *d = mmr_v_num(s);
}

static void fn_count(mmr_value *d, const mmr_value *a, unsigned n, mmr_builtin_ctx *c)
{
    (void)n; (void)c;
    const mmr_map *m = map_arg(a);
    *d = m ? mmr_v_num((double)m->n) : mmr_v_missing();
}

static void fn_avg(mmr_value *d, const mmr_value *a, unsigned n, mmr_builtin_ctx *c)
{
    (void)n; (void)c;
    const mmr_map *m = map_arg(a);
    if (!m) { *d = mmr_v_missing(); return; }
    double s = 0; uint32_t k = 0;
    for (uint32_t i = 0; i < m->n; i++) if (!isnan(m->vals[i])) { s += m->vals[i]; k++; }
    *d = k ? mmr_v_num(s / k) : mmr_v_missing();
}

/* index of the largest (want_max) or smallest present value; ties go to
 * the first key in sorted order; -1 when there is none */
static long extreme(const mmr_map *m, int want_max)
{
    long best = -1;
    for (uint32_t i = 0; i < m->n; i++) {
        double v = m->vals[i];
        if (isnan(v)) continue;
        if (best < 0 || (want_max ? v > m->vals[best] : v < m->vals[best])) best = (long)i;
    }
    return best;
}

static void fn_max_of(mmr_value *d, const mmr_value *a, unsigned n, mmr_builtin_ctx *c)
{
    (void)n; (void)c;
    const mmr_map *m = map_arg(a);
    long i = m ? extreme(m, 1) : -1;
    *d = i < 0 ? mmr_v_missing() : mmr_v_num(m->vals[i]);
}

static void fn_min_of(mmr_value *d, const mmr_value *a, unsigned n, mmr_builtin_ctx *c)
{
    (void)n; (void)c;
    const mmr_map *m = map_arg(a);
    long i = m ? extreme(m, 0) : -1;
    *d = i < 0 ? mmr_v_missing() : mmr_v_num(m->vals[i]);
}

static void fn_top_key(mmr_value *d, const mmr_value *a, unsigned n, mmr_builtin_ctx *c)
{
    (void)n; (void)c;
    const mmr_map *m = map_arg(a);
    long i = m ? extreme(m, 1) : -1;
    *d = i < 0 ? mmr_v_missing() : mmr_v_text(m->keys[i]);
}

/* ------------------------------------------------------------ table */

const mmr_builtin mmr_builtins[] = {
    { "abs", 1, 1, ty_num_to_num, fn_abs, "abs(x: number) -> number", "absolute value" },
    { "min", 2, 8, ty_num_to_num, fn_min, "min(a: number, b: number, ...) -> number", "smallest of 2 to 8 numbers" },
    { "max", 2, 8, ty_num_to_num, fn_max, "max(a: number, b: number, ...) -> number", "largest of 2 to 8 numbers" },
    { "round", 1, 2, ty_round, fn_round, "round(x: number, digits: number = 0) -> number",
      "round half away from zero, to `digits` decimals (-15..15; missing if not an integer)" },
    { "floor", 1, 1, ty_num_to_num, fn_floor, "floor(x: number) -> number", "largest integer <= x" },
    { "ceil", 1, 1, ty_num_to_num, fn_ceil, "ceil(x: number) -> number", "smallest integer >= x" },
    { "clamp", 3, 3, ty_num_to_num, fn_clamp, "clamp(x: number, lo: number, hi: number) -> number",
      "x limited to [lo, hi]; missing when lo > hi" },
    { "pct_change", 2, 2, ty_num_to_num, fn_pct_change, "pct_change(new: number, old: number) -> number",
      "(new - old) / old; missing when old is 0" },
    { "ratio", 2, 2, ty_num_to_num, fn_ratio, "ratio(a: number, b: number) -> number", "a / b; missing when b is 0" },
    { "len", 1, 1, ty_len, fn_len, "len(x: text | list | map) -> number",
      "Unicode characters of a text (an invalid UTF-8 byte counts as one), items of a list, keys of a map" },
    { "contains", 2, 2, ty_contains, fn_contains, "contains(haystack: text | list, needle: text | number) -> bool",
      "substring test on texts (bytewise), membership test on lists" },
    { "lower", 1, 1, ty_text_to_text, fn_lower, "lower(s: text) -> text",
      "Unicode lower case (full mapping: a final Σ becomes ς; invalid bytes unchanged)" },
    { "upper", 1, 1, ty_text_to_text, fn_upper, "upper(s: text) -> text",
      "Unicode upper case (full mapping: ß becomes SS; invalid bytes unchanged)" },
    { "starts_with", 2, 2, ty_text2_to_bool, fn_starts_with, "starts_with(s: text, prefix: text) -> bool", "prefix test, bytewise" },
    { "ends_with", 2, 2, ty_text2_to_bool, fn_ends_with, "ends_with(s: text, suffix: text) -> bool", "suffix test, bytewise" },
    { "sum", 1, 1, ty_map_to_num, fn_sum, "sum(m: map<number>) -> number", "sum of the present values; 0 for an empty map" },
    { "count", 1, 1, ty_map_to_num, fn_count, "count(m: map<number>) -> number", "number of keys" },
    { "avg", 1, 1, ty_map_to_num, fn_avg, "avg(m: map<number>) -> number", "mean of the present values; missing when there are none" },
    { "max_of", 1, 1, ty_map_to_num, fn_max_of, "max_of(m: map<number>) -> number", "largest present value; missing when there is none" },
    { "min_of", 1, 1, ty_map_to_num, fn_min_of, "min_of(m: map<number>) -> number", "smallest present value; missing when there is none" },
    { "top_key", 1, 1, ty_map_to_text, fn_top_key, "top_key(m: map<number>) -> text",
      "key of the largest present value (ties: first key in sorted order); missing when there is none" },
};

const unsigned mmr_nbuiltins = sizeof mmr_builtins / sizeof mmr_builtins[0];

int mmr_builtin_find(const char *name)
{
    if (!name) return -1;
    for (unsigned i = 0; i < mmr_nbuiltins; i++)
        if (!strcmp(mmr_builtins[i].name, name)) return (int)i;
    return -1;
}
