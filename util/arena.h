/* Bump allocator: many small allocations with one owner and one free.
 * Used for ASTs, compiled programs' strings and per-user scratch values. */
#ifndef MMR_ARENA_H
#define MMR_ARENA_H
#include <stddef.h>

typedef struct mmr_arena_block mmr_arena_block;

typedef struct mmr_arena {
    mmr_arena_block *head;  /* newest block first */
    size_t block_size;      /* default size of new blocks */
} mmr_arena;

void  mmr_arena_init(mmr_arena *a, size_t block_size);
void *mmr_arena_alloc(mmr_arena *a, size_t n);          /* 16-byte aligned, NULL on OOM */
void *mmr_arena_calloc(mmr_arena *a, size_t n);
char *mmr_arena_strdup(mmr_arena *a, const char *s);
char *mmr_arena_strndup(mmr_arena *a, const char *s, size_t n);
/* Forget everything but keep the first block: cheap per-user reset. */
void  mmr_arena_reset(mmr_arena *a);
void  mmr_arena_free(mmr_arena *a);

#endif
