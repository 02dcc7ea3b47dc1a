/* JSON numbers, read fast: the NDJSON snapshot and transaction parsers.
 * Inline because both read millions of numbers a second. */
#ifndef MMR_JSONNUM_H
#define MMR_JSONNUM_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const double mmr_pow10_tab[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/* The JSON number grammar at p (before end); returns its end, or NULL when
 * there is no valid number there. *out is the correctly rounded value (inf
 * when out of range): short numbers take an exact fast path (exact
 * operands, one rounding), others strtod on a copy. */
static inline const char *mmr_json_number(const char *p, const char *end, double *out)
{
    const char *s = p;
    int neg = 0;
    if (p < end && *p == '-') { neg = 1; p++; }
    if (p >= end) return NULL;
    uint64_t mant = 0;
    int ndig = 0, drop = 0, e10 = 0;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') {
        while (p < end && *p >= '0' && *p <= '9') {
            if (ndig < 19) { mant = mant * 10 + (uint64_t)(*p - '0'); ndig++; }
            else drop++;
            p++;
        }
    } else return NULL;
    e10 = drop;
    if (p < end && *p == '.') {
        p++;
        if (p >= end || *p < '0' || *p > '9') return NULL;
        while (p < end && *p >= '0' && *p <= '9') {
            if (mant == 0 && *p == '0') { e10--; p++; continue; }
            if (ndig < 19) { mant = mant * 10 + (uint64_t)(*p - '0'); ndig++; e10--; }
            else drop++;
            p++;
        }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        int eneg = 0;
        if (p < end && (*p == '+' || *p == '-')) { eneg = *p == '-'; p++; }
        if (p >= end || *p < '0' || *p > '9') return NULL;
        int ev = 0;
        while (p < end && *p >= '0' && *p <= '9') {
            if (ev < 100000) ev = ev * 10 + (*p - '0');
            p++;
        }
        e10 += eneg ? -ev : ev;
    }
    if (mant == 0) { *out = neg ? -0.0 : 0.0; return p; }
    if (drop == 0 && mant < ((uint64_t)1 << 53) && e10 >= -22 && e10 <= 22) {
        /* exact operands, one correctly rounded operation */
        double v = (double)mant;
        v = e10 < 0 ? v / mmr_pow10_tab[-e10] : v * mmr_pow10_tab[e10];
        *out = neg ? -v : v;
        return p;
    }
    size_t n = (size_t)(p - s);
    char tmp[128];
    char *t = n < sizeof tmp ? tmp : malloc(n + 1);
    if (!t) return NULL;
    memcpy(t, s, n);
    t[n] = 0;
    *out = strtod(t, NULL);
    if (t != tmp) free(t);
    return p;
}


/* The JSON number grammar at p (before end); returns its end, or NULL when
 * there is no valid number there. *out is the correctly rounded value (inf
 * when out of range). Short numbers take an exact fast path; others go
 * through strtod on a copy. */
#endif
