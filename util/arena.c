#include "util/arena.h"
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

struct mmr_arena_block {
    mmr_arena_block *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

void mmr_arena_init(mmr_arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : 16384;
}

void *mmr_arena_alloc(mmr_arena *a, size_t n)
{
    n = (n + 15u) & ~(size_t)15u;
    if (n == 0) n = 16;
    mmr_arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t sz = a->block_size;
        if (n > sz / 4) {
            /* Large objects get a block of their own behind the head,
             * so the head block keeps serving small allocations. */
            if (n > SIZE_MAX - sizeof *b) return NULL;
            mmr_arena_block *big = malloc(sizeof *big + n);
            if (!big) return NULL;
            big->size = n;
            big->used = n;
            if (b) { big->next = b->next; b->next = big; }
            else   { big->next = NULL; a->head = big; }
            return big->data;
        }
        b = malloc(sizeof *b + sz);
        if (!b) return NULL;
        b->size = sz;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

void *mmr_arena_calloc(mmr_arena *a, size_t n)
{
    void *p = mmr_arena_alloc(a, n);
    if (p) memset(p, 0, n);
    return p;
}

char *mmr_arena_strndup(mmr_arena *a, const char *s, size_t n)
{
    char *p = mmr_arena_alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *mmr_arena_strdup(mmr_arena *a, const char *s)
{
    return mmr_arena_strndup(a, s, strlen(s));
}

void mmr_arena_reset(mmr_arena *a)
{
    /* Free every block but the oldest; keep that one if it is a normal
     * block, so a per-user reset does no malloc in the steady state. */
    mmr_arena_block *b = a->head, *next;
    a->head = NULL;
    for (; b; b = next) {
        next = b->next;
        if (!next && b->size == a->block_size) {
            b->used = 0;
            a->head = b;
        } else {
            free(b);
        }
    }
}

void mmr_arena_free(mmr_arena *a)
{
    mmr_arena_block *b = a->head, *next;
    for (; b; b = next) { next = b->next; free(b); }
    a->head = NULL;
}
