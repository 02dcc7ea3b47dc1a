/* Run-time value helpers: text comparison and map lookup. */
#include <string.h>
#include "vm/value.h"

int mmr_text_eq(const mmr_text *a, const mmr_text *b)
{
    if (a == b) return 1;
    if (!a || !b) return 0;
    return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

static int bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c) return c < 0 ? -1 : 1;
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

int mmr_text_cmp(const mmr_text *a, const mmr_text *b)
{
    if (a == b) return 0;
    if (!a) return -1;
    if (!b) return 1;
    return bytes_cmp(a->bytes, a->len, b->bytes, b->len);
}

double mmr_map_get(const mmr_map *m, const char *key, size_t len)
{
    if (!m || !m->n || !m->keys || !m->vals) return NAN;
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const mmr_text *k = m->keys[mid];
        int c = bytes_cmp(k->bytes, k->len, key, len);
        if (c == 0) return m->vals[mid];
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    return NAN;
}

mmr_text *mmr_text_new(mmr_arena *a, const char *s, size_t len)
{
    if (len > UINT32_MAX - 1) return NULL;
    mmr_text *t = mmr_arena_alloc(a, sizeof *t + len + 1);
    if (!t) return NULL;
    t->len = (uint32_t)len;
    if (s && len) memcpy(t->bytes, s, len);
    t->bytes[len] = 0;
    return t;
}
