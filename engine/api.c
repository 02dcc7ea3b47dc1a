/* The public embedding API (include/mmr.h) on top of the compiler and VM. */
#include "include/mmr.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/compile.h"
#include "engine/snapshot.h"
#include "vm/vm.h"

struct mmr_ruleset {
    mmr_program *prog;
};

struct mmr_evaluator {
    const mmr_ruleset *rs;
    mmr_vm vm;
    size_t ncols;
    int *colslot;            /* column -> slot, -1 = not used by the ruleset */
    mmr_arena values;        /* texts, lists and maps set for this user */
    uint32_t *rank;          /* rule index -> position in priority order */
    uint32_t *cands;         /* the last evaluation's candidates, in order */
    size_t ncands;
    int have_result;
};

static char *diags_text(const mmr_diags *d)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    if (!f) return NULL;
    mmr_diags_print_text(f, d);
    fclose(f);
    return s;
}

static mmr_ruleset *finish_load(mmr_program *p, mmr_diags *d, char **errors)
{
    if (errors) *errors = NULL;
    mmr_ruleset *rs = p ? calloc(1, sizeof *rs) : NULL;
    if (p && !rs) mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory");
    if (!rs) {
        mmr_program_free(p);
        if (errors) {
            if (d->errors == 0) mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "the ruleset could not be built");
            *errors = diags_text(d);
        }
        mmr_diags_free(d);
        return NULL;
    }
    rs->prog = p;
    mmr_diags_free(d);
    return rs;
}

mmr_ruleset *mmr_ruleset_load(const char *const *paths, size_t npaths, char **errors)
{
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_program *p = NULL;
    if (!paths || npaths == 0) mmr_diag_add(&d, MMR_SEV_ERROR, "", 0, 0, "no ruleset paths given");
    else p = mmr_build(paths, npaths, &d);
    return finish_load(p, &d, errors);
}

mmr_ruleset *mmr_ruleset_load_source(const char *name, const char *src, size_t len, char **errors)
{
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_program *p = NULL;
    mmr_unit *u = mmr_unit_load_source(name ? name : "<source>", src ? src : "", src ? len : 0, &d);
    if (!u) mmr_diag_add(&d, MMR_SEV_ERROR, "", 0, 0, "out of memory");
    else {
        mmr_check(u, &d);
        if (d.errors == 0) {
            p = mmr_codegen(u, &d);
            if (p && mmr_verify(p, "the compiled program", &d) != 0) { mmr_program_free(p); p = NULL; }
        }
        mmr_unit_free(u);
    }
    if (d.errors) { mmr_program_free(p); p = NULL; }
    return finish_load(p, &d, errors);
}

void mmr_ruleset_free(mmr_ruleset *rs)
{
    if (!rs) return;
    mmr_program_free(rs->prog);
    free(rs);
}

size_t mmr_rule_count(const mmr_ruleset *rs) { return rs ? rs->prog->nrules : 0; }

const char *mmr_rule_name(const mmr_ruleset *rs, size_t i)
{
    return rs && i < rs->prog->nrules ? rs->prog->rules[i].name : NULL;
}

mmr_evaluator *mmr_evaluator_new(const mmr_ruleset *rs, const char *const *columns, size_t ncolumns)
{
    if (!rs || (ncolumns && !columns)) return NULL;
    const mmr_program *p = rs->prog;
    mmr_evaluator *ev = calloc(1, sizeof *ev);
    if (!ev) return NULL;
    ev->rs = rs;
    ev->ncols = ncolumns;
    ev->colslot = calloc(ncolumns ? ncolumns : 1, sizeof *ev->colslot);
    ev->rank = calloc(p->nrules ? p->nrules : 1, sizeof *ev->rank);
    ev->cands = calloc(p->nrules ? p->nrules : 1, sizeof *ev->cands);
    mmr_arena_init(&ev->values, 0);
    if (!ev->colslot || !ev->rank || !ev->cands || mmr_vm_init(&ev->vm, p) != 0) {
        free(ev->colslot); free(ev->rank); free(ev->cands); free(ev);
        return NULL;
    }
    /* bind once: names to slots; a name given twice binds its first column */
    mmr_snap_binder *b = mmr_snap_binder_new(p);
    if (!b) { mmr_evaluator_free(ev); return NULL; }
    for (size_t i = 0; i < ncolumns; i++) {
        ev->colslot[i] = columns[i] ? mmr_snap_binder_find(b, columns[i], strlen(columns[i])) : -1;
        for (size_t j = 0; j < i && ev->colslot[i] >= 0; j++)
            if (ev->colslot[j] == ev->colslot[i]) ev->colslot[i] = -1;
    }
    mmr_snap_binder_free(b);
    for (uint32_t i = 0; i < p->nrules; i++) ev->rank[p->by_priority[i]] = i;
    mmr_vm_clear_inputs(&ev->vm);
    return ev;
}

void mmr_evaluator_free(mmr_evaluator *ev)
{
    if (!ev) return;
    mmr_vm_free(&ev->vm);
    mmr_arena_free(&ev->values);
    free(ev->colslot);
    free(ev->rank);
    free(ev->cands);
    free(ev);
}

/* The slot of a column and its declared type; -2 when col is out of
 * range (an error), -1 when the ruleset does not use it (ignored). */
static int slot_of(mmr_evaluator *ev, size_t col, int *type)
{
    if (!ev || col >= ev->ncols) return -2;
    int s = ev->colslot[col];
    if (s >= 0) *type = ev->rs->prog->slots[s].type;
    return s;
}

int mmr_set_missing(mmr_evaluator *ev, size_t col)
{
    int t, s = slot_of(ev, col, &t);
    if (s == -2) return -1;
    if (s >= 0) ev->vm.regs[s] = mmr_v_missing();
    return 0;
}

int mmr_set_number(mmr_evaluator *ev, size_t col, double v)
{
    int t, s = slot_of(ev, col, &t);
    if (s == -2) return -1;
    if (s < 0) return 0;
    if (t != MMR_T_NUMBER) { ev->vm.regs[s] = mmr_v_missing(); return -1; }
    ev->vm.regs[s] = mmr_v_num(v);   /* NaN and infinities are missing */
    return 0;
}

int mmr_set_bool(mmr_evaluator *ev, size_t col, int v)
{
    int t, s = slot_of(ev, col, &t);
    if (s == -2) return -1;
    if (s < 0) return 0;
    if (t != MMR_T_BOOL) { ev->vm.regs[s] = mmr_v_missing(); return -1; }
    ev->vm.regs[s] = mmr_v_bool(v);
    return 0;
}

static mmr_text *copy_text(mmr_arena *a, const char *s, size_t len)
{
    if (len > UINT32_MAX - 1 || (len && !s)) return NULL;
    if (mmr_utf8_check(s, len) != len || memchr(s, 0, len)) return NULL;
    return mmr_text_new(a, s, len);
}

int mmr_set_text(mmr_evaluator *ev, size_t col, const char *utf8, size_t len)
{
    int t, s = slot_of(ev, col, &t);
    if (s == -2) return -1;
    if (s < 0) return 0;
    ev->vm.regs[s] = mmr_v_missing();
    if (t != MMR_T_TEXT) return -1;
    mmr_text *x = copy_text(&ev->values, utf8, len);
    if (!x) return -1;
    ev->vm.regs[s] = mmr_v_text(x);
    return 0;
}

int mmr_set_text_list(mmr_evaluator *ev, size_t col, const char *const *items, size_t n)
{
    int t, s = slot_of(ev, col, &t);
    if (s == -2) return -1;
    if (s < 0) return 0;
    ev->vm.regs[s] = mmr_v_missing();
    if (t != MMR_T_LIST_TEXT || (n && !items) || n > UINT32_MAX) return -1;
    mmr_list *l = mmr_arena_alloc(&ev->values, sizeof *l);
    mmr_value *v = n ? mmr_arena_alloc(&ev->values, n * sizeof *v) : NULL;
    if (!l || (n && !v)) return -1;
    for (size_t i = 0; i < n; i++) {
        mmr_text *x = items[i] ? copy_text(&ev->values, items[i], strlen(items[i])) : NULL;
        if (!x) return -1;
        v[i] = mmr_v_text(x);
    }
    l->n = (uint32_t)n;
    l->items = v;
    ev->vm.regs[s] = mmr_v_list(l);
    return 0;
}

static int key_cmp(const mmr_text *x, const mmr_text *y)
{
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->bytes, y->bytes, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

int mmr_set_number_map(mmr_evaluator *ev, size_t col, const char *const *keys, const double *vals, size_t n)
{
    int t, s = slot_of(ev, col, &t);
    if (s == -2) return -1;
    if (s < 0) return 0;
    ev->vm.regs[s] = mmr_v_missing();
    if (t != MMR_T_MAP_NUMBER || (n && (!keys || !vals)) || n > UINT32_MAX) return -1;
    mmr_map *m = mmr_arena_alloc(&ev->values, sizeof *m);
    const mmr_text **k = n ? mmr_arena_alloc(&ev->values, n * sizeof *k) : NULL;
    double *v = n ? mmr_arena_alloc(&ev->values, n * sizeof *v) : NULL;
    if (!m || (n && (!k || !v))) return -1;
    /* insertion sort into place; a key given twice is an error */
    for (size_t i = 0; i < n; i++) {
        mmr_text *x = keys[i] ? copy_text(&ev->values, keys[i], strlen(keys[i])) : NULL;
        if (!x) return -1;
        double val = vals[i] == vals[i] && vals[i] - vals[i] == 0 ? vals[i] : (double)NAN;
        size_t j = i;
        while (j > 0 && key_cmp(k[j - 1], x) > 0) { k[j] = k[j - 1]; v[j] = v[j - 1]; j--; }
        if (j > 0 && key_cmp(k[j - 1], x) == 0) return -1;
        k[j] = x;
        v[j] = val;
    }
    m->n = (uint32_t)n;
    m->keys = k;
    m->vals = v;
    ev->vm.regs[s] = mmr_v_map(m);
    return 0;
}

int mmr_evaluate(mmr_evaluator *ev)
{
    if (!ev) return -1;
    ev->ncands = 0;
    ev->have_result = 0;
    int rc = mmr_vm_run(&ev->vm, 0);
    if (rc == 0) {
        /* candidates come in rule (name) order: sort by priority rank */
        for (size_t i = 0; i < ev->vm.ncands && ev->ncands < ev->rs->prog->nrules; i++) {
            uint32_t r = ev->vm.cands[i].rule;
            size_t j = ev->ncands;
            while (j > 0 && ev->rank[ev->cands[j - 1]] > ev->rank[r]) { ev->cands[j] = ev->cands[j - 1]; j--; }
            ev->cands[j] = r;
            ev->ncands++;
        }
        ev->have_result = 1;
    }
    /* every column is missing again for the next user */
    mmr_vm_clear_inputs(&ev->vm);
    mmr_arena_reset(&ev->values);
    return rc == 0 ? (int)ev->ncands : -1;
}

const char *mmr_candidate_rule(const mmr_evaluator *ev, size_t i)
{
    if (!ev || !ev->have_result || i >= ev->ncands) return NULL;
    return ev->rs->prog->rules[ev->cands[i]].name;
}

const char *mmr_selected_rule(const mmr_evaluator *ev)
{
    return mmr_candidate_rule(ev, 0);
}
