/* mmr_program: construction, lookup and rule ordering. */
#include <stdlib.h>
#include <string.h>
#include "vm/program.h"

mmr_program *mmr_program_new(void)
{
    mmr_program *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    mmr_arena_init(&p->arena, 0);
    p->policy.max_nudges = 1;
    p->policy.window_s = 86400;
    p->policy.quiet_start_min = -1;
    p->policy.quiet_end_min = -1;
    p->policy.timezone = "UTC";
    return p;
}

void mmr_program_free(mmr_program *p)
{
    if (!p) return;
    mmr_arena_free(&p->arena);
    free(p);
}

int mmr_program_find_slot(const mmr_program *p, const char *name)
{
    if (!p || !name) return -1;
    for (uint32_t i = 0; i < p->nslots; i++)
        if (p->slots[i].name && !strcmp(p->slots[i].name, name)) return (int)i;
    return -1;
}

int mmr_program_find_rule(const mmr_program *p, const char *name)
{
    if (!p || !name) return -1;
    for (uint32_t i = 0; i < p->nrules; i++)
        if (p->rules[i].name && !strcmp(p->rules[i].name, name)) return (int)i;
    return -1;
}

/* priority desc, then name asc (bytewise), then index for stability */
static int rule_before(const mmr_prog_rule *r, uint32_t x, uint32_t y)
{
    const mmr_prog_rule *a = &r[x], *b = &r[y];
    if (a->priority != b->priority) return a->priority > b->priority;
    int c = strcmp(a->name ? a->name : "", b->name ? b->name : "");
    if (c) return c < 0;
    return x < y;
}

int mmr_program_order_rules(mmr_program *p)
{
    if (!p) return -1;
    if (!p->nrules) { p->by_priority = NULL; return 0; }
    uint32_t *o = mmr_arena_alloc(&p->arena, sizeof *o * (size_t)p->nrules);
    if (!o) return -1;
    /* insertion sort: rule counts are small, and it is stable */
    for (uint32_t i = 0; i < p->nrules; i++) {
        uint32_t j = i;
        while (j > 0 && rule_before(p->rules, i, o[j - 1])) { o[j] = o[j - 1]; j--; }
        o[j] = i;
    }
    p->by_priority = o;
    return 0;
}
