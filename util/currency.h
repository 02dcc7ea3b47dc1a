/* The currencies a policy may name (`currency "USD"`): how {x:money} and
 * {x:money2} print an amount. One table (util/currency.c) for the checker,
 * the .mmrc verifier and the template filler, so they agree on the codes.
 * It lives in util/ because compiler/ and vm/ both need it. */
#ifndef MMR_CURRENCY_H
#define MMR_CURRENCY_H
#include <stddef.h>

typedef struct mmr_currency {
    const char *code;     /* ISO 4217: "INR" */
    const char *symbol;   /* UTF-8, printed before the digits: "₹", "A$", "AED " */
    int indian_grouping;  /* 1: 1,23,456 (last three, then pairs); 0: 1,234,567 */
    int minor_digits;     /* 2, or 0 (JPY: money2 prints like money) */
} mmr_currency;

#define MMR_CURRENCY_DEFAULT "INR"

/* The currency of a code, or NULL when unknown (also for ""). A NULL code
 * is the default, INR, so a program without a currency prints as it
 * always did. */
const mmr_currency *mmr_currency_find(const char *code);

/* The known codes in table order, ", "-separated: "INR, USD, ..." (static). */
const char *mmr_currency_codes(void);

#endif
