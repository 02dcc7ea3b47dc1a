/* engine/template: the money, pct, int and number formats and filling. */
#include <stdlib.h>
#include "t.h"
#include "engine/template.h"

static char out[512];

static const char *money(double v)
{
    mmr_buf b; mmr_buf_init(&b);
    mmr_format_money(&b, v);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    mmr_buf_free(&b);
    return out;
}
static const char *money2(double v)
{
    mmr_buf b; mmr_buf_init(&b);
    mmr_format_money2(&b, v);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    mmr_buf_free(&b);
    return out;
}
/* money / money2 in the currency of code (NULL: INR). */
static const char *money_in(const char *code, double v, int two)
{
    mmr_buf b; mmr_buf_init(&b);
    const mmr_currency *cur = mmr_currency_find(code);
    if (!cur) { snprintf(out, sizeof out, "unknown %s", code); return out; }
    if (two) mmr_format_money2_in(&b, v, cur);
    else mmr_format_money_in(&b, v, cur);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    mmr_buf_free(&b);
    return out;
}
static const char *pct(double v)
{
    mmr_buf b; mmr_buf_init(&b);
    mmr_format_pct(&b, v);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    mmr_buf_free(&b);
    return out;
}
static const char *intf(double v)
{
    mmr_buf b; mmr_buf_init(&b);
    mmr_format_int(&b, v);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    mmr_buf_free(&b);
    return out;
}
static const char *num(double v)
{
    mmr_buf b; mmr_buf_init(&b);
    mmr_format_number(&b, v);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    mmr_buf_free(&b);
    return out;
}

static mmr_text *txt(const char *s)
{
    size_t n = strlen(s);
    mmr_text *t = malloc(sizeof *t + n + 1);
    t->len = (uint32_t)n;
    memcpy(t->bytes, s, n + 1);
    return t;
}

static int fill_rc;
static char missing[64];
static const mmr_currency *fill_cur;   /* the currency fill uses; NULL: INR */

static const char *fill(const char *tmpl, const char *const *names, const mmr_value *vals, size_t n)
{
    mmr_buf b; mmr_buf_init(&b);
    const char *m = NULL, *why = NULL;
    size_t ml = 0;
    fill_rc = mmr_template_fill(&b, tmpl, strlen(tmpl), names, vals, n, &m, &ml, &why, fill_cur);
    missing[0] = 0;
    if (fill_rc == MMR_FILL_MISSING) snprintf(missing, sizeof missing, "%.*s", (int)ml, m);
    snprintf(out, sizeof out, "%s", fill_rc == MMR_FILL_OK ? (b.data ? b.data : "") : (why ? why : ""));
    mmr_buf_free(&b);
    return out;
}

int main(void)
{
    /* money: ₹, Indian grouping, whole rupees half away from zero */
    T_EQ_STR(money(0), "₹0");
    T_EQ_STR(money(999), "₹999");
    T_EQ_STR(money(1000), "₹1,000");
    T_EQ_STR(money(99999), "₹99,999");
    T_EQ_STR(money(100000), "₹1,00,000");
    T_EQ_STR(money(123456.7), "₹1,23,457");
    T_EQ_STR(money(1234567.5), "₹12,34,568");
    T_EQ_STR(money(10000000), "₹1,00,00,000");
    T_EQ_STR(money(999.5), "₹1,000");
    T_EQ_STR(money(0.49), "₹0");
    T_EQ_STR(money(-500), "-₹500");
    T_EQ_STR(money(-123456.7), "-₹1,23,457");
    T_EQ_STR(money(-0.4), "₹0");
    T_EQ_STR(money(-2.5), "-₹3");
    T_EQ_STR(money(1e15), "₹1,00,00,00,00,00,00,000");

    /* pct: x100, at most one decimal, half away from zero */
    T_EQ_STR(pct(0.35), "35%");
    T_EQ_STR(pct(0.125), "12.5%");
    T_EQ_STR(pct(0.1234), "12.3%");
    T_EQ_STR(pct(0.04), "4%");
    T_EQ_STR(pct(0.2), "20%");
    T_EQ_STR(pct(0.5), "50%");
    T_EQ_STR(pct(1), "100%");
    T_EQ_STR(pct(1.5), "150%");
    T_EQ_STR(pct(0), "0%");
    T_EQ_STR(pct(-0.2), "-20%");
    T_EQ_STR(pct(-0.0001), "0%");
    T_EQ_STR(pct(0.00049), "0%");
    T_EQ_STR(pct(0.0005), "0.1%");
    T_EQ_STR(pct(0.999), "99.9%");
    T_EQ_STR(pct(0.9999), "100%");

    /* int and number */
    T_EQ_STR(intf(2.5), "3");
    T_EQ_STR(intf(-2.5), "-3");
    T_EQ_STR(intf(2.4), "2");
    T_EQ_STR(intf(-0.2), "0");
    T_EQ_STR(intf(1234567), "1234567");
    T_EQ_STR(num(3), "3");
    T_EQ_STR(num(0.35), "0.35");
    T_EQ_STR(num(2.50), "2.5");
    T_EQ_STR(num(-1.25), "-1.25");
    /* no float noise in messages: at most 12 significant digits */
    T_EQ_STR(num(0.1 + 0.2), "0.3");
    T_EQ_STR(num(10 - 7.3000000000000114), "2.7");
    T_EQ_STR(num(2.6999999999999886), "2.7");
    T_EQ_STR(num(123456789.125), "123456789.125");
    T_EQ_STR(num(1e21), "1e+21");
    T_EQ_STR(num(-0.0), "0");
    /* money2: paise, Indian grouping */
    T_EQ_STR(money2(2.75), "₹2.75");
    T_EQ_STR(money2(3), "₹3.00");
    T_EQ_STR(money2(123456.7), "₹1,23,456.70");
    T_EQ_STR(money2(0.005), "₹0.01");
    T_EQ_STR(money2(-0.5), "-₹0.50");
    T_EQ_STR(money2(-0.004), "₹0.00");
    T_EQ_STR(money2(999.999), "₹1,000.00");
    T_EQ_STR(money(2.75), "₹3");

    /* currencies: the table, western grouping for all but INR, minus
     * before the symbol, half away from zero, JPY without minor units */
    T_EQ_STR(money_in(NULL, 123456.7, 0), "₹1,23,457");
    T_EQ_STR(money_in("INR", 1234567.5, 1), "₹12,34,567.50");
    T_EQ_STR(money_in("USD", 0, 0), "$0");
    T_EQ_STR(money_in("USD", 999, 0), "$999");
    T_EQ_STR(money_in("USD", 1000, 0), "$1,000");
    T_EQ_STR(money_in("USD", 1234.5, 0), "$1,235");
    T_EQ_STR(money_in("USD", 1234.5, 1), "$1,234.50");
    T_EQ_STR(money_in("USD", 123456.7, 0), "$123,457");
    T_EQ_STR(money_in("USD", 1234567.5, 0), "$1,234,568");
    T_EQ_STR(money_in("USD", 10000000, 0), "$10,000,000");
    T_EQ_STR(money_in("USD", 1e15, 0), "$1,000,000,000,000,000");
    T_EQ_STR(money_in("USD", -5, 0), "-$5");
    T_EQ_STR(money_in("USD", -1234.567, 1), "-$1,234.57");
    T_EQ_STR(money_in("USD", -0.4, 0), "$0");
    T_EQ_STR(money_in("USD", -0.004, 1), "$0.00");
    T_EQ_STR(money_in("USD", 0.005, 1), "$0.01");
    T_EQ_STR(money_in("USD", 999.999, 1), "$1,000.00");
    T_EQ_STR(money_in("EUR", 1234567.25, 1), "€1,234,567.25");
    T_EQ_STR(money_in("GBP", -99.5, 0), "-£100");
    T_EQ_STR(money_in("JPY", 1234.5, 0), "¥1,235");
    T_EQ_STR(money_in("JPY", 1234.5, 1), "¥1,235");   /* money2 prints like money */
    T_EQ_STR(money_in("JPY", -1234567.4, 1), "-¥1,234,567");
    T_EQ_STR(money_in("AUD", 1500, 1), "A$1,500.00");
    T_EQ_STR(money_in("CAD", 12.3, 1), "CA$12.30");
    T_EQ_STR(money_in("SGD", 100000, 0), "S$100,000");
    T_EQ_STR(money_in("AED", 2500, 0), "AED 2,500");
    T_EQ_STR(money_in("CHF", -42.5, 1), "-CHF 42.50");
    T_EQ_STR(money_in("XYZ", 1, 0), "unknown XYZ");
    T_EQ_STR(money_in("usd", 1, 0), "unknown usd");   /* codes are upper case */
    T_EQ_STR(money_in("", 1, 0), "unknown ");
    /* the list the checker prints names every row of the table */
    {
        char codes[128];
        snprintf(codes, sizeof codes, "%s", mmr_currency_codes());
        int rows = 0;
        for (char *c = strtok(codes, ", "); c; c = strtok(NULL, ", ")) {
            T_CHECK(mmr_currency_find(c) != NULL);
            rows++;
        }
        T_EQ_INT(rows, 10);
    }

    /* filling */
    mmr_text *goa = txt("Goa Trip 🏖️");
    const char *names[] = { "goal_name", "due", "drift", "n", "flag", "gone" };
    mmr_value vals[6];
    vals[0] = mmr_v_text(goa);
    vals[1] = mmr_v_num(123456.7);
    vals[2] = mmr_v_num(0.2);
    vals[3] = mmr_v_num(4);
    vals[4] = mmr_v_bool(1);
    vals[5] = mmr_v_missing();
    T_EQ_STR(fill("Your {goal_name} fund is starving 😋", names, vals, 6),
             "Your Goa Trip 🏖️ fund is starving 😋");
    T_EQ_INT(fill_rc, MMR_FILL_OK);
    T_EQ_STR(fill("{due:money} due, {drift:pct} off, {n:int} times, {n} ({n:number}), {flag}", names, vals, 6),
             "₹1,23,457 due, 20% off, 4 times, 4 (4), true");
    T_EQ_STR(fill("{{literal}} and {due}", names, vals, 6), "{literal} and 123456.7");
    T_EQ_STR(fill("", names, vals, 6), "");
    T_EQ_STR(fill("no placeholders ✈️", names, vals, 6), "no placeholders ✈️");
    /* the currency reaches the fill */
    fill_cur = mmr_currency_find("USD");
    T_EQ_STR(fill("{due:money} or {due:money2}, {drift:pct}", names, vals, 6), "$123,457 or $123,456.70, 20%");
    fill_cur = NULL;
    /* a format on text is ignored */
    T_EQ_STR(fill("{goal_name:money}", names, vals, 6), "Goa Trip 🏖️");

    /* missing: a missing value, or a name not bound at all */
    fill("Hello {gone}!", names, vals, 6);
    T_EQ_INT(fill_rc, MMR_FILL_MISSING);
    T_EQ_STR(missing, "gone");
    fill("Hello {nobody:pct}!", names, vals, 6);
    T_EQ_INT(fill_rc, MMR_FILL_MISSING);
    T_EQ_STR(missing, "nobody");
    vals[1] = mmr_v_num(NAN);                   /* NaN is missing, never "nan" */
    fill("{due:money}", names, vals, 6);
    T_EQ_INT(fill_rc, MMR_FILL_MISSING);
    T_EQ_STR(missing, "due");

    /* broken template text */
    T_EQ_STR(fill("oops { x", names, vals, 6), "\"{\" must start a placeholder like {goal_name} (write \"{{\" for a literal brace)");
    T_EQ_INT(fill_rc, MMR_FILL_ERROR);
    fill("a } b", names, vals, 6);
    T_EQ_INT(fill_rc, MMR_FILL_ERROR);
    /* QA: `{due:}` used to fill like `{due}`; a colon promises a format */
    T_EQ_STR(fill("{due:}", names, vals, 6), "\":\" in a placeholder must be followed by a format: money, money2, pct, int or number");
    T_EQ_INT(fill_rc, MMR_FILL_ERROR);

    /* a list prints its items */
    mmr_value items[2] = { mmr_v_text(txt("foodie")), mmr_v_text(txt("student")) };
    mmr_list l = { 2, items };
    mmr_value lv = mmr_v_list(&l);
    const char *ln[] = { "tags" };
    T_EQ_STR(fill("tags: {tags}", ln, &lv, 1), "tags: foodie, student");
    free((void *)items[0].u.text); free((void *)items[1].u.text);
    free(goa);
    return T_DONE("template");
}
