/* Filling a template's title or body with a candidate's values.
 *
 * Formats (after the colon in {name:format}):
 *   money   the policy currency's symbol (util/currency.c; default INR, ₹)
 *           + whole units rounded half away from zero, in its grouping:
 *           INR Indian (last three digits, then pairs): 123456.7 ->
 *           ₹1,23,457, 1234567.5 -> ₹12,34,568; every other currency in
 *           threes: 1234567.5 USD -> $1,234,568. Minus before the symbol:
 *           -₹500, -$5. A value that rounds to zero prints ₹0 (never -₹0).
 *   money2  the same with two decimals (paise, cents), half away from
 *           zero: 2.75 -> ₹2.75, 123456.7 -> ₹1,23,456.70, -0.5 -> -₹0.50,
 *           1234.5 USD -> $1,234.50; a currency without minor units (JPY)
 *           prints as money: ¥1,235
 *   pct     value x 100, rounded half away from zero to at most one
 *           decimal, trailing ".0" dropped: 0.35 -> 35%, 0.125 -> 12.5%,
 *           0.1234 -> 12.3%, -0.2 -> -20%. (The rounding is done on
 *           value x 1000, so a binary fraction just below a half rounds
 *           down, as the double says.)
 *   int     rounded half away from zero, no grouping: 2.5 -> 3, -2.5 -> -3
 *   number  at most 12 significant digits (printf %.12g), no trailing
 *           zeros, so arithmetic noise never shows: 3, 0.35, 2.7 (not
 *           2.6999999999999886), 1e+21
 * No format: a number prints as `number`, text as is (UTF-8 untouched),
 * a bool as true/false, a list<text> as its items joined by ", ". A format
 * on a text or bool value is ignored (the checker rejects it anyway).
 * A missing value (or a map, which has no text form) is "missing": the
 * caller suppresses the candidate with template_value_missing.
 */
#ifndef MMR_TEMPLATE_H
#define MMR_TEMPLATE_H
#include <stddef.h>
#include "util/buf.h"
#include "vm/value.h"
#include "util/currency.h"

typedef enum mmr_fill_status {
    MMR_FILL_OK = 0,
    MMR_FILL_MISSING = 1,   /* a placeholder's value is missing: *missing names it */
    MMR_FILL_ERROR = -1     /* bad template text or out of memory: *why says which */
} mmr_fill_status;

/* Append the filled text of tmpl to out. Placeholder names are looked up
 * in names[0..n) (the rule's arg_names) with values vals[0..n); a name not
 * in the list counts as missing. On MMR_FILL_MISSING, *missing (if not
 * NULL) points at the placeholder name inside tmpl (not NUL-terminated;
 * length in *missing_len) and out holds a partial text to be discarded.
 * cur is the program's currency (mmr_currency_find(policy.currency));
 * NULL means INR. */
mmr_fill_status mmr_template_fill(mmr_buf *out, const char *tmpl, size_t len,
                                  const char *const *names, const mmr_value *vals,
                                  size_t n, const char **missing, size_t *missing_len,
                                  const char **why, const mmr_currency *cur);

/* Format one value. fmt is "", "money", "money2", "pct", "int" or "number"
 * (an unknown format acts as ""); cur as for mmr_template_fill. Returns 0,
 * or 1 when v is missing/unprintable (nothing appended). */
int mmr_format_value(mmr_buf *out, const mmr_value *v, const char *fmt, size_t fmt_len,
                     const mmr_currency *cur);

/* The number formats on their own (v must be finite). money and money2
 * are INR; the _in forms take a currency (NULL: INR). */
void mmr_format_money(mmr_buf *out, double v);
void mmr_format_money2(mmr_buf *out, double v);
void mmr_format_money_in(mmr_buf *out, double v, const mmr_currency *cur);
void mmr_format_money2_in(mmr_buf *out, double v, const mmr_currency *cur);
void mmr_format_pct(mmr_buf *out, double v);
void mmr_format_int(mmr_buf *out, double v);
void mmr_format_number(mmr_buf *out, double v);

#endif
