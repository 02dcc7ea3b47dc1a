/* util/strmap: insert, replace, miss, growth past many resizes, removal. */
#include "tests/unit/t.h"
#include "util/strmap.h"
#include <stdlib.h>

int main(void)
{
    mmr_strmap m;
    mmr_strmap_init(&m);
    size_t v = 99;
    T_EQ_INT(mmr_strmap_get(&m, "a", &v), 0);       /* empty map */
    T_EQ_INT(v, 99);
    T_EQ_INT(mmr_strmap_put(&m, "a", 1), 0);
    T_EQ_INT(mmr_strmap_get(&m, "a", &v), 1);
    T_EQ_INT(v, 1);
    T_EQ_INT(mmr_strmap_put(&m, "a", 7), 0);        /* replace keeps one entry */
    T_EQ_INT(m.n, 1);
    T_EQ_INT(mmr_strmap_get(&m, "a", &v), 1);
    T_EQ_INT(v, 7);
    T_EQ_INT(mmr_strmap_get(&m, "b", NULL), 0);
    T_EQ_INT(mmr_strmap_get(&m, NULL, NULL), 0);
    T_EQ_INT(mmr_strmap_put(&m, "", 3), 0);         /* the empty string is a key */
    T_EQ_INT(mmr_strmap_get(&m, "", &v), 1);
    T_EQ_INT(v, 3);

    enum { N = 50000 };
    char (*keys)[16] = malloc(N * sizeof *keys);
    T_CHECK(keys != NULL);
    if (!keys) return T_DONE("strmap");
    size_t failed_puts = 0;
    for (size_t i = 0; i < N; i++) {
        snprintf(keys[i], sizeof keys[i], "k%zu", i);
        if (mmr_strmap_put(&m, keys[i], i * 2)) failed_puts++;
    }
    T_EQ_INT(failed_puts, 0);
    T_EQ_INT(m.n, N + 2);
    size_t bad = 0;
    for (size_t i = 0; i < N; i++)
        if (!mmr_strmap_get(&m, keys[i], &v) || v != i * 2) bad++;
    T_EQ_INT(bad, 0);
    T_EQ_INT(mmr_strmap_get(&m, "k50000", NULL), 0);
    T_EQ_INT(mmr_strmap_get(&m, "a", &v), 1);
    T_EQ_INT(v, 7);

    /* removal: every other key goes (the probe runs are long at half
     * full); the rest are all still found, the removed none */
    T_EQ_INT(mmr_strmap_del(&m, "nope"), 0);
    size_t gone = 0;
    for (size_t i = 0; i < N; i += 2) gone += (size_t)mmr_strmap_del(&m, keys[i]);
    T_EQ_INT(gone, N / 2);
    T_EQ_INT(m.n, N / 2 + 2);
    bad = 0;
    for (size_t i = 0; i < N; i++) {
        int there = mmr_strmap_get(&m, keys[i], &v);
        if (i % 2 ? !there || v != i * 2 : there) bad++;
    }
    T_EQ_INT(bad, 0);
    T_EQ_INT(mmr_strmap_del(&m, keys[0]), 0);      /* twice: the second finds nothing */
    /* put back after removal */
    T_EQ_INT(mmr_strmap_put(&m, keys[0], 5), 0);
    T_EQ_INT(mmr_strmap_get(&m, keys[0], &v), 1);
    T_EQ_INT(v, 5);
    mmr_strmap_free(&m);
    T_EQ_INT(m.n, 0);
    T_EQ_INT(mmr_strmap_get(&m, "a", NULL), 0);
    free(keys);
    return T_DONE("strmap");
}
