/* A string-keyed hash map (open addressing, linear probing) for name
 * lookups that must stay linear on large inputs: 100,000 rule names
 * checked for duplicates one by one would be quadratic with a list scan.
 * Keys are borrowed: the caller keeps each key alive (and unchanged) for
 * as long as the map is used. Values are size_t. */
#ifndef MMR_STRMAP_H
#define MMR_STRMAP_H
#include <stddef.h>

typedef struct mmr_strmap {
    const char **keys;   /* owned array of borrowed keys; NULL = empty slot */
    size_t *vals;        /* owned */
    size_t cap, n;       /* cap is 0 or a power of two */
} mmr_strmap;

void mmr_strmap_init(mmr_strmap *m);
void mmr_strmap_free(mmr_strmap *m);
/* 1 and *val set when k is present, else 0. val may be NULL. */
int mmr_strmap_get(const mmr_strmap *m, const char *k, size_t *val);
/* Insert or replace. 0 on success, -1 when out of memory (map unchanged). */
int mmr_strmap_put(mmr_strmap *m, const char *k, size_t val);
/* Remove k: 1 if it was there, else 0. Later entries of its probe run
 * move back into the hole (no tombstones: a map with many removals stays
 * as fast as a fresh one). */
int mmr_strmap_del(mmr_strmap *m, const char *k);

#endif
