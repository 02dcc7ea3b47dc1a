#include "util/currency.h"
#include <string.h>

/* Adding a currency: a row here and the list in mmr_currency_codes. */
static const mmr_currency currencies[] = {
    { "INR", "\xE2\x82\xB9", 1, 2 },   /* ₹ U+20B9 */
    { "USD", "$", 0, 2 },
    { "EUR", "\xE2\x82\xAC", 0, 2 },   /* € U+20AC */
    { "GBP", "\xC2\xA3", 0, 2 },       /* £ U+00A3 */
    { "JPY", "\xC2\xA5", 0, 0 },       /* ¥ U+00A5 */
    { "AUD", "A$", 0, 2 },
    { "CAD", "CA$", 0, 2 },
    { "SGD", "S$", 0, 2 },
    { "AED", "AED ", 0, 2 },
    { "CHF", "CHF ", 0, 2 },
};

const mmr_currency *mmr_currency_find(const char *code)
{
    if (!code) return &currencies[0];
    for (size_t i = 0; i < sizeof currencies / sizeof currencies[0]; i++)
        if (!strcmp(currencies[i].code, code)) return &currencies[i];
    return NULL;
}

const char *mmr_currency_codes(void)
{
    /* Kept in step with the table by tests/unit/test_template.c. */
    return "INR, USD, EUR, GBP, JPY, AUD, CAD, SGD, AED, CHF";
}
