/* What `mmr run` does the same way whatever store holds the state
 * (store/run_sqlite.c for SQLite, store/run_pg.c for PostgreSQL): the
 * ruleset's identity and its rows in the rule and template masters, the
 * input slots the code reads, and stored JSON cells as values. */
#include "engine/run_shared.h"
#include "compiler/ast.h"
#include "util/placeholder.h"
#include "util/sha1.h"
#include "vm/opcodes.h"
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The ruleset's identity: SHA-1 over everything that decides an outcome
 * (rules, conditions' text, templates, policy). */
void mmr_ruleset_hash(const mmr_program *p, char out[41])
{
    mmr_sha1_ctx s;
    mmr_sha1_init(&s);
#define H_STR(x) do { const char *_s = (x) ? (x) : "\x01"; mmr_sha1_update(&s, _s, strlen(_s) + 1); } while (0)
#define H_INT(x) do { int64_t _v = (int64_t)(x); mmr_sha1_update(&s, &_v, sizeof _v); } while (0)
    for (uint32_t i = 0; i < p->nslots; i++) { H_STR(p->slots[i].name); H_INT(p->slots[i].type); }
    for (uint32_t i = 0; i < p->nrules; i++) {
        const mmr_prog_rule *r = &p->rules[i];
        H_STR(r->name); H_STR(r->category); H_INT(r->priority); H_INT(r->cooldown_s);
        H_INT(r->template_index); H_INT(r->nargs);
        for (uint32_t k = 0; k < r->nargs; k++) H_STR(r->arg_names[k]);
    }
    for (uint32_t i = 0; i < p->nconds; i++) { H_STR(p->conds[i].text); H_INT(p->conds[i].rule); H_INT(p->conds[i].part); }
    for (uint32_t i = 0; i < p->ntemplates; i++) {
        const mmr_prog_template *t = &p->templates[i];
        H_STR(t->id); H_STR(t->title); H_STR(t->body); H_STR(t->tone); H_STR(t->category);
    }
    H_INT(p->policy.max_nudges); H_INT(p->policy.window_s);
    H_INT(p->policy.quiet_start_min); H_INT(p->policy.quiet_end_min); H_STR(p->policy.timezone);
    for (uint32_t i = 0; i < p->policy.ncategories; i++) H_STR(p->policy.categories[i]);
    /* only when set (absent is INR), so rulesets without one keep their hash */
    if (p->policy.currency) H_STR(p->policy.currency);
    for (uint32_t i = 0; i < p->code[0].n; i++) mmr_sha1_update(&s, &p->code[0].insns[i], sizeof p->code[0].insns[i]);
#undef H_STR
#undef H_INT
    unsigned char dg[20];
    mmr_sha1_final(&s, dg);
    for (int i = 0; i < 20; i++) snprintf(out + 2 * i, 3, "%02x", dg[i]);
}

const char *mmr_rule_cond_text(const mmr_program *p, uint32_t rule, int part)
{
    for (uint32_t i = 0; i < p->nconds; i++)
        if (p->conds[i].rule == rule && p->conds[i].part == part) return p->conds[i].text;
    return NULL;
}

void mmr_json_obj1(mmr_buf *b, const char *key, const char *val)
{
    mmr_buf_putc(b, '{');
    mmr_buf_json_string(b, key, strlen(key));
    mmr_buf_putc(b, ':');
    mmr_buf_json_string(b, val, strlen(val));
    mmr_buf_putc(b, '}');
}

const char *mmr_want_phrase(int type)
{
    switch (type) {
    case MMR_T_NUMBER: return "a number";
    case MMR_T_BOOL: return "a boolean (0 or 1)";
    case MMR_T_TEXT: return "text";
    case MMR_T_LIST_TEXT: return "a JSON list of texts";
    case MMR_T_LIST_NUMBER: return "a JSON list of numbers";
    case MMR_T_MAP_NUMBER: return "a JSON object of numbers";
    default: return "a value";
    }
}

static int cmp_keys(const void *a, const void *b)
{
    const mmr_text *x = *(const mmr_text *const *)a, *y = *(const mmr_text *const *)b;
    return mmr_text_cmp(x, y);
}

/* A list or map stored as JSON text. 0 ok, -1 with *why. */
int mmr_json_cell(mmr_arena *a, int type, const char *s, size_t len, mmr_value *out, const char **why)
{
    json_error_t je;
    json_t *j = json_loadb(s, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    if (!j) { *why = "not valid JSON"; return -1; }
    int rc = 0;
    if (type == MMR_T_LIST_TEXT || type == MMR_T_LIST_NUMBER) {
        if (!json_is_array(j)) { *why = "not a JSON list"; json_decref(j); return -1; }
        size_t n = json_array_size(j);
        mmr_list *l = mmr_arena_alloc(a, sizeof *l);
        mmr_value *items = mmr_arena_alloc(a, (n ? n : 1) * sizeof *items);
        if (!l || !items) { *why = "out of memory"; json_decref(j); return -1; }
        for (size_t i = 0; i < n && !rc; i++) {
            json_t *e = json_array_get(j, i);
            if (type == MMR_T_LIST_TEXT) {
                if (!json_is_string(e)) { *why = "a list item is not text"; rc = -1; break; }
                mmr_text *t = mmr_text_new(a, json_string_value(e), json_string_length(e));
                if (!t) { *why = "out of memory"; rc = -1; break; }
                items[i] = mmr_v_text(t);
            } else {
                if (!json_is_number(e)) { *why = "a list item is not a number"; rc = -1; break; }
                items[i] = mmr_v_num(json_number_value(e));
            }
        }
        l->n = (uint32_t)n; l->items = items;
        if (!rc) *out = mmr_v_list(l);
    } else {
        if (!json_is_object(j)) { *why = "not a JSON object"; json_decref(j); return -1; }
        size_t n = json_object_size(j);
        mmr_map *m = mmr_arena_alloc(a, sizeof *m);
        const mmr_text **keys = mmr_arena_alloc(a, (n ? n : 1) * sizeof *keys);
        double *vals = mmr_arena_alloc(a, (n ? n : 1) * sizeof *vals);
        if (!m || !keys || !vals) { *why = "out of memory"; json_decref(j); return -1; }
        size_t i = 0;
        const char *k; json_t *e;
        json_object_foreach(j, k, e) {
            if (!json_is_number(e) && !json_is_null(e)) { *why = "a map value is not a number"; rc = -1; break; }
            keys[i] = mmr_text_new(a, k, strlen(k));
            if (!keys[i]) { *why = "out of memory"; rc = -1; break; }
            i++;
        }
        if (!rc) {
            /* sort keys, then look the values up again */
            qsort(keys, n, sizeof *keys, cmp_keys);
            for (i = 0; i < n; i++) {
                json_t *e2 = json_object_get(j, keys[i]->bytes);
                vals[i] = e2 && json_is_number(e2) ? json_number_value(e2) : NAN;
                if (!isfinite(vals[i])) vals[i] = NAN;
            }
            m->n = (uint32_t)n; m->keys = keys; m->vals = vals;
            *out = mmr_v_map(m);
        }
    }
    json_decref(j);
    return rc;
}

/* Which input slots the fast code reads: only those are loaded per user
 * (a ruleset that uses 8 of the 38 std signals reads 8 columns). */
unsigned char *mmr_used_slots(const mmr_program *p, int tz_slot)
{
    unsigned char *used = calloc(p->nslots + 1, 1);
    if (!used) return NULL;
    const mmr_code *cd = &p->code[0];
    for (uint32_t i = 0; i < cd->n; i++) {
        const mmr_insn *in = &cd->insns[i];
        if (in->op >= MMR_NOPCODES) continue;
        const mmr_opinfo *oi = &mmr_opinfo_table[in->op];
        uint32_t f[4] = { in->m, in->a, in->b, in->c };
        uint8_t k[4] = { oi->m, oi->a, oi->b, oi->c };
        for (int j = 0; j < 4; j++) {
            if (k[j] != MMR_K_R) continue;
            /* CALL and FIRE read m consecutive registers from their R operand */
            uint32_t span = (in->op == MMR_I_CALL || in->op == MMR_I_FIRE) && j >= 2 ? in->m : 1;
            for (uint32_t r = f[j]; r < f[j] + span && r < p->nslots; r++) used[r] = 1;
        }
    }
    if (tz_slot >= 0) used[tz_slot] = 1;
    return used;
}

void mmr_template_vars_json(const mmr_prog_template *t, mmr_buf *b)
{
    mmr_buf_putc(b, '[');
    int first = 1;
    const char *texts[2] = { t->title ? t->title : "", t->body ? t->body : "" };
    for (int k = 0; k < 2; k++) {
        size_t pos = 0, len = strlen(texts[k]);
        for (;;) {
            mmr_seg sg = mmr_template_next(texts[k], len, &pos);
            if (sg.kind == MMR_SEG_END || sg.kind == MMR_SEG_ERROR) break;
            if (sg.kind != MMR_SEG_PLACEHOLDER) continue;
            if (!first) mmr_buf_putc(b, ',');
            first = 0;
            mmr_buf_json_string(b, sg.name, sg.name_len);
        }
    }
    mmr_buf_putc(b, ']');
}

void mmr_rule_meta_json(const mmr_program *p, uint32_t rule, const char *as_of, mmr_buf *m)
{
    const mmr_prog_rule *r = &p->rules[rule];
    const mmr_prog_template *t = r->template_index < p->ntemplates ? &p->templates[r->template_index] : NULL;
    mmr_buf_puts(m, "{\"as_of\":");
    mmr_buf_json_string(m, as_of, strlen(as_of));
    mmr_buf_printf(m, ",\"priority\":%d", (int)r->priority);
    if (t && t->id) { mmr_buf_puts(m, ",\"template_id\":"); mmr_buf_json_string(m, t->id, strlen(t->id)); }
    if (t && t->tone) { mmr_buf_puts(m, ",\"tone\":"); mmr_buf_json_string(m, t->tone, strlen(t->tone)); }
    mmr_buf_putc(m, '}');
}

void mmr_meta_with_key(mmr_buf *m, const char *rule_meta, const char *key, size_t key_len)
{
    size_t n = strlen(rule_meta);
    if (!key || n < 2 || rule_meta[n - 1] != '}') { mmr_buf_append(m, rule_meta, n); return; }
    mmr_buf_append(m, rule_meta, n - 1);
    mmr_buf_puts(m, ",\"key\":");
    mmr_buf_json_string(m, key, key_len);
    mmr_buf_putc(m, '}');
}

void mmr_rule_key_label(mmr_buf *b, const char *rule, const char *key, size_t key_len)
{
    mmr_buf_puts(b, rule);
    if (!key) return;
    mmr_buf_putc(b, '[');
    mmr_buf_json_string(b, key, key_len);
    mmr_buf_putc(b, ']');
}

int mmr_grow(void **v, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 8;
    while (c < need) c *= 2;
    void *nv = realloc(*v, c * elem);
    if (!nv) return -1;
    *v = nv; *cap = c;
    return 0;
}

double mmr_mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int mmr_colbinder_init(mmr_colbinder *b, const mmr_program *p, const unsigned char *used, int traits)
{
    memset(b, 0, sizeof *b);
    b->p = p; b->used = used; b->traits = traits;
    b->ncol = 1;
    b->tz_col = -1;
    b->seen = calloc(p->nslots + 1, 1);
    b->v = calloc(p->nslots + 1, sizeof *b->v);
    if (b->seen && b->v) return 0;
    mmr_colbinder_free(b);
    return -1;
}

void mmr_colbinder_add(mmr_colbinder *b, const char *name, const char *cast, mmr_buf *select)
{
    const mmr_program *p = b->p;
    int slot = mmr_program_find_slot(p, name);
    int is_tz = b->traits && !strcmp(name, "tz");
    if (slot >= 0 && (p->slots[slot].is_trait != 0) != (b->traits != 0)) slot = -1;
    if (slot >= 0 && !b->used[slot]) { b->seen[slot] = 1; slot = -1; }
    if (slot < 0 && !is_tz) return;
    mmr_buf_printf(select, ", \"%s\"%s", name, cast);
    if (is_tz) b->tz_col = b->ncol;
    if (slot >= 0) {
        b->seen[slot] = 1;
        b->v[b->n++] = (mmr_colbind){ b->ncol, slot, p->slots[slot].name };
    }
    b->ncol++;
}

void mmr_colbinder_end(mmr_colbinder *b, const char *table, const char *where, mmr_diags *d,
                       mmr_colbind **out, size_t *nout)
{
    const mmr_program *p = b->p;
    for (uint32_t i = 0; i < p->nslots; i++) {
        if ((p->slots[i].is_trait != 0) != (b->traits != 0) || b->seen[i] || !b->used[i]) continue;
        mmr_diag_add(d, MMR_SEV_WARNING, where, 0, 0, "%s has no column %s: every user's %s %s is missing", table,
                     p->slots[i].name, b->traits ? "trait" : "signal", p->slots[i].name);
    }
    *out = b->v; *nout = b->n;
    b->v = NULL;
    mmr_colbinder_free(b);
}

void mmr_colbinder_free(mmr_colbinder *b)
{
    free(b->seen); free(b->v);
    b->seen = NULL; b->v = NULL;
}
