/* Run-time values. 16 bytes; the tag says which union member is live.
 *
 * Invariant that the fast paths rely on: a MISSING value always carries a
 * NaN in u.num, so a number comparison on a missing value is false in both
 * directions, which is exactly Kleene's "unknown" for `x >= k` and `x < k`.
 */
#ifndef MMR_VALUE_H
#define MMR_VALUE_H
#include <stdint.h>
#include <stddef.h>
#include <math.h>
#include "util/arena.h"

typedef enum mmr_vtag {
    MMR_V_MISSING = 0,  /* absent, NULL, div by zero; also Kleene "unknown" */
    MMR_V_NUM,
    MMR_V_BOOL,         /* u.i is 0 or 1 */
    MMR_V_TEXT,
    MMR_V_LIST,
    MMR_V_MAP,
    MMR_V_ITER          /* quantifier cursor: u.map + aux = next index */
} mmr_vtag;

typedef struct mmr_text {    /* immutable UTF-8, NUL-terminated for convenience */
    uint32_t len;
    char bytes[];
} mmr_text;

typedef struct mmr_value mmr_value;

typedef struct mmr_list {    /* list<text> or list<number> */
    uint32_t n;
    const mmr_value *items;
} mmr_list;

typedef struct mmr_map {     /* map<number>: keys sorted by bytes, unique */
    uint32_t n;
    const mmr_text *const *keys;
    const double *vals;      /* NaN = missing entry */
} mmr_map;

struct mmr_value {
    union {
        double num;
        int64_t i;
        const mmr_text *text;
        const mmr_list *list;
        const mmr_map *map;
    } u;
    uint8_t tag;
    uint8_t pad[3];
    uint32_t aux;
};

static inline mmr_value mmr_v_missing(void) { mmr_value v = {0}; v.u.num = NAN; v.tag = MMR_V_MISSING; return v; }
static inline mmr_value mmr_v_num(double d)
{
    mmr_value v = {0};
    /* inf and NaN from arithmetic are not numbers a rule can use */
    if (!isfinite(d)) { v.u.num = NAN; v.tag = MMR_V_MISSING; return v; }
    v.u.num = d; v.tag = MMR_V_NUM; return v;
}
static inline mmr_value mmr_v_bool(int b) { mmr_value v = {0}; v.u.i = b ? 1 : 0; v.tag = MMR_V_BOOL; return v; }
static inline mmr_value mmr_v_text(const mmr_text *t) { mmr_value v = {0}; v.u.text = t; v.tag = MMR_V_TEXT; return v; }
static inline mmr_value mmr_v_list(const mmr_list *l) { mmr_value v = {0}; v.u.list = l; v.tag = MMR_V_LIST; return v; }
static inline mmr_value mmr_v_map(const mmr_map *m) { mmr_value v = {0}; v.u.map = m; v.tag = MMR_V_MAP; return v; }

/* Kleene truth of a value: 1 true, 0 false, -1 unknown (missing). */
static inline int mmr_truth(const mmr_value *v)
{
    return v->tag == MMR_V_BOOL ? (int)v->u.i : -1;
}
static inline mmr_value mmr_v_truth(int t) { return t < 0 ? mmr_v_missing() : mmr_v_bool(t); }

/* A text of len bytes in arena a, NUL-terminated: a copy of s, or (s NULL)
 * bytes for the caller to fill. NULL when out of memory or too long. */
mmr_text *mmr_text_new(mmr_arena *a, const char *s, size_t len);

int mmr_text_eq(const mmr_text *a, const mmr_text *b);
int mmr_text_cmp(const mmr_text *a, const mmr_text *b);   /* bytewise */
/* Map lookup by key (binary search); NaN (missing) when absent. */
double mmr_map_get(const mmr_map *m, const char *key, size_t len);

#endif
