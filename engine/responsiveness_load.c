/* The responsiveness signals for `mmr run` (see engine/responsiveness_load.h). */
#include "engine/responsiveness_load.h"
#include <stdlib.h>
#include <string.h>
#include "signals/responsiveness.h"
#include "util/timeutil.h"

typedef struct resp_cat {
    const char *name;            /* in the user's arena */
    size_t len;
    mmr_resp_acc acc;
} resp_cat;

struct mmr_resp_loader {
    mmr_db *db;
    int64_t now;
    int slot_all, slot_cat;      /* the program's slots, or -1 when not read */
    int from_table;              /* users from mm_signal_daily, in user_id order */
    int any;                     /* the interaction log has rows */
    int row;                     /* scan: a row is current */
    int warned;                  /* a --signals value was replaced */
    sqlite3_stmt *scan, *probe;  /* scan: from_table; probe: otherwise */
    resp_cat *cats; size_t ncats, cap;
    mmr_resp_acc all;            /* the current user's, over every category */
    const char *label;           /* the database, for messages */
};

#define RESP_FROM " FROM mm_nudge_delivery_log d JOIN mm_nudge_interaction_log i ON i.delivery_id = d.delivery_id"

static void oom(mmr_diags *d) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); }

static int computed_slot(const mmr_program *p, const unsigned char *used, const char *name)
{
    int s = mmr_program_find_slot(p, name);
    if (s < 0 || !used[s] || p->slots[s].is_trait || !mmr_resp_is_signal(name, p->slots[s].type)) return -1;
    return s;
}

/* A column of mm_signal_daily named like a computed signal: warned, never read. */
static int warn_columns(mmr_resp_loader *l, const mmr_program *p, mmr_diags *d)
{
    sqlite3_stmt *st;
    if (mmr_db_prepare(l->db, &st, "SELECT name FROM pragma_table_info('mm_signal_daily')", d)) return -1;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        int s = name ? mmr_program_find_slot(p, name) : -1;
        if (s < 0 || (s != l->slot_all && s != l->slot_cat)) continue;
        mmr_diag *g = mmr_diag_add(d, MMR_SEV_WARNING, l->db->path, 0, 0,
                                   "mm_signal_daily.%s is ignored: mmr run computes %s from mm_nudge_interaction_log",
                                   name, name);
        if (g) mmr_diag_set_hint(g, "drop the column, or store the value under another name");
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE) { mmr_db_error(l->db, d, "reading the columns of mm_signal_daily"); return -1; }
    return 0;
}

static int step_scan(mmr_resp_loader *l, mmr_diags *d)
{
    int r = sqlite3_step(l->scan);
    l->row = r == SQLITE_ROW;
    if (r != SQLITE_ROW && r != SQLITE_DONE) { mmr_db_error(l->db, d, "reading mm_nudge_interaction_log"); return -1; }
    return 0;
}

int mmr_resp_loader_open(mmr_resp_loader **out, const mmr_program *p, unsigned char *used, mmr_db *db,
                         int64_t now, int from_table, mmr_diags *d)
{
    *out = NULL;
    int sa = computed_slot(p, used, MMR_RESP_SIGNAL);
    int sc = computed_slot(p, used, MMR_RESP_BY_CATEGORY_SIGNAL);
    if (sa < 0 && sc < 0) return 0;
    mmr_resp_loader *l = calloc(1, sizeof *l);
    if (!l) { oom(d); return -1; }
    l->db = db; l->now = now; l->slot_all = sa; l->slot_cat = sc; l->from_table = from_table;
    l->label = db ? db->path : "";
    if (sa >= 0) used[sa] = 0;
    if (sc >= 0) used[sc] = 0;
    if (!db) { *out = l; return 0; }
    sqlite3_stmt *st = NULL;
    int rc = mmr_db_prepare(db, &st, "SELECT 1 FROM mm_nudge_interaction_log LIMIT 1", d);
    if (!rc) {
        int r = sqlite3_step(st);
        l->any = r == SQLITE_ROW;
        if (r != SQLITE_ROW && r != SQLITE_DONE) { mmr_db_error(db, d, "reading mm_nudge_interaction_log"); rc = -1; }
    }
    sqlite3_finalize(st);
    if (!rc && from_table) rc = warn_columns(l, p, d);
    /* the delivery log's index by user gives the scan its order and the
     * look-up its rows; the interactions come by their delivery_id index */
    if (!rc && l->any && from_table) {
        rc = mmr_db_prepare(db, &l->scan, "SELECT d.user_id, d.category, i.action, i.timestamp" RESP_FROM
                                          " ORDER BY d.user_id", d);
        if (!rc) rc = step_scan(l, d);
    } else if (!rc && l->any) {
        rc = mmr_db_prepare(db, &l->probe, "SELECT d.user_id, d.category, i.action, i.timestamp" RESP_FROM
                                           " WHERE d.user_id = ?1", d);
    }
    if (rc) { mmr_resp_loader_free(l); return -1; }
    *out = l;
    return 0;
}

void mmr_resp_loader_free(mmr_resp_loader *l)
{
    if (!l) return;
    sqlite3_finalize(l->scan);
    sqlite3_finalize(l->probe);
    free(l->cats);
    free(l);
}

/* One interaction row of the user's. */
int mmr_resp_loader_row(mmr_resp_loader *l, const char *user, const char *cat, size_t len, const char *action,
                        const char *at, size_t at_len, mmr_arena *a, mmr_diags *d)
{
    int64_t t;
    if (!at || mmr_time_parse(at, at_len, &t, NULL)) {
        mmr_diag_add(d, MMR_SEV_ERROR, l->label, 0, 0,
                     "mm_nudge_interaction_log.timestamp: user \"%s\": not an ISO 8601 time: \"%s\"",
                     user, at ? at : "");
        return -1;
    }
    mmr_resp_add(&l->all, action, t, l->now);
    if (l->slot_cat < 0) return 0;
    if (!cat) { cat = ""; len = 0; }
    size_t k = 0;
    while (k < l->ncats && !(l->cats[k].len == len && !memcmp(l->cats[k].name, cat, len))) k++;
    if (k == l->ncats) {
        if (l->ncats == l->cap) {
            size_t cap = l->cap ? 2 * l->cap : 8;
            resp_cat *v = realloc(l->cats, cap * sizeof *v);
            if (!v) { oom(d); return -1; }
            l->cats = v; l->cap = cap;
        }
        resp_cat *c = &l->cats[l->ncats];
        c->name = mmr_arena_strndup(a, cat, len);
        if (!c->name) { oom(d); return -1; }
        c->len = len;
        c->acc = (mmr_resp_acc){0, 0};
        l->ncats++;
    }
    mmr_resp_add(&l->cats[k].acc, action, t, l->now);
    return 0;
}

static int add_row(mmr_resp_loader *l, sqlite3_stmt *st, const char *user, mmr_arena *a, mmr_diags *d)
{
    const char *cat = (const char *)sqlite3_column_text(st, 1);
    return mmr_resp_loader_row(l, user, cat, cat ? (size_t)sqlite3_column_bytes(st, 1) : 0,
                               (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
                               (size_t)sqlite3_column_bytes(st, 3), a, d);
}

static int cmp_cat(const void *x, const void *y)
{
    const resp_cat *a = x, *b = y;
    int c = memcmp(a->name, b->name, a->len < b->len ? a->len : b->len);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* The per-category scores as a map (keys sorted by bytes). */
static int put_map(mmr_resp_loader *l, mmr_value *dst, mmr_arena *a, mmr_diags *d)
{
    size_t n = l->ncats;
    if (n > 1) qsort(l->cats, n, sizeof *l->cats, cmp_cat);
    mmr_map *m = mmr_arena_alloc(a, sizeof *m);
    const mmr_text **keys = mmr_arena_alloc(a, (n ? n : 1) * sizeof *keys);
    double *vals = mmr_arena_alloc(a, (n ? n : 1) * sizeof *vals);
    if (!m || !keys || !vals) { oom(d); return -1; }
    for (size_t i = 0; i < n; i++) {
        if (!(keys[i] = mmr_text_new(a, l->cats[i].name, l->cats[i].len))) { oom(d); return -1; }
        vals[i] = mmr_resp_score(&l->cats[i].acc);
    }
    m->n = (uint32_t)n; m->keys = keys; m->vals = vals;
    *dst = mmr_v_map(m);
    return 0;
}

int mmr_resp_loader_user(mmr_resp_loader *l, const char *user, mmr_value *regs, mmr_arena *a,
                         const char *where, mmr_diags *d)
{
    mmr_resp_loader_begin(l);
    if (l->scan) {
        /* both in user_id order: skip the users without a snapshot row */
        while (l->row) {
            const char *u = (const char *)sqlite3_column_text(l->scan, 0);
            int cmp = u ? strcmp(u, user) : -1;
            if (cmp > 0) break;
            if (cmp == 0 && add_row(l, l->scan, user, a, d)) return -1;
            if (step_scan(l, d)) return -1;
        }
    } else if (l->probe) {
        sqlite3_reset(l->probe);
        sqlite3_bind_text(l->probe, 1, user, -1, SQLITE_STATIC);
        int r;
        while ((r = sqlite3_step(l->probe)) == SQLITE_ROW)
            if (add_row(l, l->probe, user, a, d)) return -1;
        if (r != SQLITE_DONE) { mmr_db_error(l->db, d, "reading mm_nudge_interaction_log"); return -1; }
    }
    return mmr_resp_loader_end(l, user, regs, a, where, d);
}

void mmr_resp_loader_begin(mmr_resp_loader *l)
{
    l->all = (mmr_resp_acc){0, 0};
    l->ncats = 0;
}

int mmr_resp_loader_end(mmr_resp_loader *l, const char *user, mmr_value *regs, mmr_arena *a,
                        const char *where, mmr_diags *d)
{
    int slots[2] = { l->slot_all, l->slot_cat };
    static const char *const names[2] = { MMR_RESP_SIGNAL, MMR_RESP_BY_CATEGORY_SIGNAL };
    for (int k = 0; k < 2 && !l->from_table && !l->warned; k++) {
        if (slots[k] < 0 || regs[slots[k]].tag == MMR_V_MISSING) continue;
        l->warned = 1;
        mmr_diag_add(d, MMR_SEV_WARNING, where, 0, 0,
                     "user \"%s\": signal %s is ignored: mmr run computes it from mm_nudge_interaction_log "
                     "(said once per run)", user, names[k]);
    }
    if (l->slot_all >= 0) regs[l->slot_all] = mmr_v_num(mmr_resp_score(&l->all));
    if (l->slot_cat >= 0 && put_map(l, &regs[l->slot_cat], a, d)) return -1;
    return 0;
}

void mmr_resp_loader_set_label(mmr_resp_loader *l, const char *label)
{
    l->label = label;
}
