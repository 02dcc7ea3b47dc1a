#include "engine/template.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "util/placeholder.h"

/* Decimal digits of a, at out; returns the length. printf would do, at
 * several times the cost, once per placeholder per user. */
static size_t u64_text(unsigned long long a, char *out)
{
    char rev[24];
    size_t n = 0;
    do { rev[n++] = (char)('0' + a % 10); a /= 10; } while (a);
    for (size_t i = 0; i < n; i++) out[i] = rev[n - 1 - i];
    out[n] = 0;
    return n;
}

/* Round half away from zero, as text of the integer (any finite double). */
static void int_text(double v, char *out, size_t cap)
{
    double r = round(v);
    if (r == 0) r = 0;                 /* no "-0" */
    if (fabs(r) < 9e15) {
        long long t = (long long)r;
        if (t < 0) *out++ = '-';
        u64_text((unsigned long long)(t < 0 ? -t : t), out);
        return;
    }
    snprintf(out, cap, "%.0f", r);
}

/* The currency's symbol and the integer text d (optional '-', which goes
 * before the symbol: -$5) in the currency's digit grouping. */
static void money_digits(mmr_buf *out, const char *d, const mmr_currency *cur)
{
    if (*d == '-') { mmr_buf_putc(out, '-'); d++; }
    mmr_buf_puts(out, cur->symbol);
    size_t n = strlen(d);
    if (n <= 3) { mmr_buf_puts(out, d); return; }
    size_t head = n - 3;                        /* digits before the last three */
    size_t step = cur->indian_grouping ? 2 : 3; /* Indian: then pairs; else threes */
    size_t first = head % step ? head % step : step;   /* the leading group */
    mmr_buf_append(out, d, first);
    for (size_t i = first; i < head; i += step) {
        mmr_buf_putc(out, ',');
        mmr_buf_append(out, d + i, step);
    }
    mmr_buf_putc(out, ',');
    mmr_buf_append(out, d + head, 3);
}

static const mmr_currency *or_inr(const mmr_currency *cur)
{
    return cur ? cur : mmr_currency_find(NULL);
}

void mmr_format_money_in(mmr_buf *out, double v, const mmr_currency *cur)
{
    char digits[400];
    int_text(v, digits, sizeof digits);
    money_digits(out, digits, or_inr(cur));
}

/* Two decimals (paise, cents): ₹2.75, $1,234.50; half away from zero. A
 * currency without minor units (JPY) prints as money. */
void mmr_format_money2_in(mmr_buf *out, double v, const mmr_currency *cur)
{
    cur = or_inr(cur);
    double cents = round(v * 100.0);
    if (cents == 0) cents = 0;
    if (cur->minor_digits == 0 || !(fabs(cents) < 9e15)) { mmr_format_money_in(out, v, cur); return; }
    long long t = (long long)cents;
    unsigned long long a = (unsigned long long)(t < 0 ? -t : t);
    char digits[32];
    char *p = digits;
    if (t < 0) *p++ = '-';
    u64_text(a / 100, p);
    money_digits(out, digits, cur);
    mmr_buf_putc(out, '.');
    mmr_buf_putc(out, (char)('0' + (a % 100) / 10));
    mmr_buf_putc(out, (char)('0' + a % 10));
}

void mmr_format_money(mmr_buf *out, double v) { mmr_format_money_in(out, v, NULL); }
void mmr_format_money2(mmr_buf *out, double v) { mmr_format_money2_in(out, v, NULL); }

void mmr_format_pct(mmr_buf *out, double v)
{
    double tenths = round(v * 1000.0);          /* tenths of a percent */
    if (tenths == 0) tenths = 0;
    char tmp[400];
    if (fabs(tenths) < 9e15) {
        long long t = (long long)tenths;
        long long a = t < 0 ? -t : t;
        char *p = tmp;
        if (t < 0) *p++ = '-';
        p += u64_text((unsigned long long)(a / 10), p);
        if (a % 10) { *p++ = '.'; *p++ = (char)('0' + a % 10); }
        *p++ = '%';
        *p = 0;
    } else {
        snprintf(tmp, sizeof tmp, "%.0f%%", round(v * 100.0));
    }
    mmr_buf_puts(out, tmp);
}

void mmr_format_int(mmr_buf *out, double v)
{
    char tmp[400];
    int_text(v, tmp, sizeof tmp);
    mmr_buf_puts(out, tmp);
}

/* At most 12 significant digits: arithmetic noise such as
 * 2.6999999999999886 (10 - 7.3000000000000114) prints as 2.7. */
void mmr_format_number(mmr_buf *out, double v)
{
    char tmp[64];
    if (v == 0) { mmr_buf_putc(out, '0'); return; }
    snprintf(tmp, sizeof tmp, "%.12g", v);
    if (!strcmp(tmp, "-0")) { mmr_buf_putc(out, '0'); return; }
    mmr_buf_puts(out, tmp);
}

static int fmt_is(const char *fmt, size_t len, const char *name)
{
    return strlen(name) == len && memcmp(fmt, name, len) == 0;
}

int mmr_format_value(mmr_buf *out, const mmr_value *v, const char *fmt, size_t fmt_len,
                     const mmr_currency *cur)
{
    switch (v->tag) {
    case MMR_V_NUM:
        if (!isfinite(v->u.num)) return 1;
        if (fmt_is(fmt, fmt_len, "money")) mmr_format_money_in(out, v->u.num, cur);
        else if (fmt_is(fmt, fmt_len, "money2")) mmr_format_money2_in(out, v->u.num, cur);
        else if (fmt_is(fmt, fmt_len, "pct")) mmr_format_pct(out, v->u.num);
        else if (fmt_is(fmt, fmt_len, "int")) mmr_format_int(out, v->u.num);
        else mmr_format_number(out, v->u.num);
        return 0;
    case MMR_V_TEXT:
        if (!v->u.text) return 1;
        mmr_buf_append(out, v->u.text->bytes, v->u.text->len);
        return 0;
    case MMR_V_BOOL:
        mmr_buf_puts(out, v->u.i ? "true" : "false");
        return 0;
    case MMR_V_LIST: {
        const mmr_list *l = v->u.list;
        if (!l) return 1;
        for (uint32_t i = 0; i < l->n; i++) {
            if (i) mmr_buf_puts(out, ", ");
            const mmr_value *it = &l->items[i];
            if (it->tag == MMR_V_TEXT && it->u.text) mmr_buf_append(out, it->u.text->bytes, it->u.text->len);
            else if (it->tag == MMR_V_NUM) mmr_format_number(out, it->u.num);
            else return 1;
        }
        return 0;
    }
    default:
        return 1;
    }
}

mmr_fill_status mmr_template_fill(mmr_buf *out, const char *tmpl, size_t len,
                                  const char *const *names, const mmr_value *vals,
                                  size_t n, const char **missing, size_t *missing_len,
                                  const char **why, const mmr_currency *cur)
{
    size_t pos = 0;
    if (!tmpl) return MMR_FILL_OK;
    for (;;) {
        mmr_seg g = mmr_template_next(tmpl, len, &pos);
        if (g.kind == MMR_SEG_END) break;
        if (g.kind == MMR_SEG_ERROR) { if (why) *why = g.error; return MMR_FILL_ERROR; }
        if (g.kind == MMR_SEG_TEXT) { mmr_buf_append(out, g.text, g.len); continue; }
        const mmr_value *v = NULL;
        for (size_t i = 0; i < n; i++)
            if (names[i] && strlen(names[i]) == g.name_len && memcmp(names[i], g.name, g.name_len) == 0) {
                v = &vals[i];
                break;
            }
        if (!v || mmr_format_value(out, v, g.fmt, g.fmt_len, cur) != 0) {
            if (missing) *missing = g.name;
            if (missing_len) *missing_len = g.name_len;
            return MMR_FILL_MISSING;
        }
    }
    if (out->oom) { if (why) *why = "out of memory"; return MMR_FILL_ERROR; }
    return MMR_FILL_OK;
}
