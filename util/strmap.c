#include "util/strmap.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void mmr_strmap_init(mmr_strmap *m) { memset(m, 0, sizeof *m); }

void mmr_strmap_free(mmr_strmap *m)
{
    free(m->keys);
    free(m->vals);
    mmr_strmap_init(m);
}

/* FNV-1a: short keys, no adversary worth a keyed hash here */
static size_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    while (*s) { h ^= (unsigned char)*s++; h *= 1099511628211ull; }
    return (size_t)h;
}

static size_t slot(const char *const *keys, size_t cap, const char *k)
{
    size_t i = hash(k) & (cap - 1);
    while (keys[i] && strcmp(keys[i], k)) i = (i + 1) & (cap - 1);
    return i;
}

static int grow(mmr_strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 16;
    if (cap < m->cap || cap > SIZE_MAX / sizeof(size_t)) return -1;
    const char **keys = calloc(cap, sizeof *keys);
    size_t *vals = calloc(cap, sizeof *vals);
    if (!keys || !vals) { free(keys); free(vals); return -1; }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t j = slot(keys, cap, m->keys[i]);
        keys[j] = m->keys[i];
        vals[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
    return 0;
}

int mmr_strmap_get(const mmr_strmap *m, const char *k, size_t *val)
{
    if (!m->cap || !k) return 0;
    size_t i = slot(m->keys, m->cap, k);
    if (!m->keys[i]) return 0;
    if (val) *val = m->vals[i];
    return 1;
}

int mmr_strmap_put(mmr_strmap *m, const char *k, size_t val)
{
    if (!k) return -1;
    if ((m->n + 1) * 2 > m->cap && grow(m)) return -1;   /* at most half full */
    size_t i = slot(m->keys, m->cap, k);
    if (!m->keys[i]) { m->keys[i] = k; m->n++; }
    m->vals[i] = val;
    return 0;
}

int mmr_strmap_del(mmr_strmap *m, const char *k)
{
    if (!m->cap || !k) return 0;
    size_t mask = m->cap - 1, i = slot(m->keys, m->cap, k);
    if (!m->keys[i]) return 0;
    m->n--;
    /* backward shift: an entry whose home h lies cyclically outside (i, j]
     * can fill the hole at i, which then moves to j */
    for (size_t j = (i + 1) & mask; m->keys[j]; j = (j + 1) & mask) {
        size_t h = hash(m->keys[j]) & mask;
        int movable = i < j ? (h <= i || h > j) : (h <= i && h > j);
        if (!movable) continue;
        m->keys[i] = m->keys[j];
        m->vals[i] = m->vals[j];
        i = j;
    }
    m->keys[i] = NULL;
    m->vals[i] = 0;
    return 1;
}
