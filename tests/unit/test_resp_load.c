/* The responsiveness signals of `mmr run` (engine/responsiveness_load.h):
 * per user from the interaction log in the delivery's category, by an
 * ordered scan or a look-up per user, the same either way. */
#include <stdlib.h>
#include "t.h"
#include "compiler/compile.h"
#include "engine/responsiveness_load.h"
#include "signals/responsiveness.h"
#include "util/timeutil.h"

#define NOW "2025-10-26T09:00:00Z"

static mmr_program *build(const char *src)
{
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_unit *u = mmr_unit_load_source("t.mmr", src, strlen(src), &d);
    mmr_check(u, &d);
    mmr_program *p = d.errors ? NULL : mmr_codegen(u, &d);
    if (!p) mmr_diags_print_text(stderr, &d);
    mmr_unit_free(u);
    mmr_diags_free(&d);
    return p;
}

static const char both_src[] =
    "import \"std/moneymoments\"\n"
    "template T { title \"t\" body \"b\" category dining }\n"
    "rule r { priority 1 when responsiveness > -2 and responsiveness_by_category[\"dining\"] ?? 0 > -2 message T }\n";

static int64_t at(const char *iso)
{
    int64_t t = 0;
    mmr_time_parse(iso, strlen(iso), &t, NULL);
    return t;
}

/* The two tables the loader reads, as engine/db.c has them, and
 * mm_signal_daily for the column check. u0 is in the log but not in the
 * snapshot; u1 dismissed dining twice and clicked goal; u2 has nothing;
 * u3 viewed budget (a time after now counts as now). */
static mmr_db *state(mmr_diags *d, const char *extra)
{
    mmr_db *db;
    if (mmr_db_open(&db, "x", MMR_DB_OPEN_MEMORY, 0, d)) return NULL;
    int ok = sqlite3_exec(db->h,
        "CREATE TABLE mm_signal_daily (user_id TEXT, as_of TEXT, dining_txn_7d REAL);"
        "CREATE TABLE mm_nudge_delivery_log (seq INTEGER PRIMARY KEY, delivery_id TEXT NOT NULL UNIQUE,"
        "  user_id TEXT NOT NULL, rule_id INTEGER, as_of TEXT, title TEXT, body TEXT, category TEXT NOT NULL,"
        "  meta_json TEXT, delivered_at TEXT NOT NULL);"
        "CREATE INDEX mm_nudge_delivery_user ON mm_nudge_delivery_log(user_id, delivered_at, rule_id);"
        "CREATE TABLE mm_nudge_interaction_log (interaction_id INTEGER PRIMARY KEY, delivery_id TEXT NOT NULL,"
        "  user_id TEXT NOT NULL, action TEXT NOT NULL, timestamp TEXT NOT NULL);"
        "CREATE INDEX mm_nudge_interaction_delivery ON mm_nudge_interaction_log(delivery_id);"
        "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, category, delivered_at) VALUES"
        "  ('d0', 'u0', 'dining', 't'), ('d1', 'u1', 'dining', 't'), ('d2', 'u1', 'dining', 't'),"
        "  ('d3', 'u1', 'goal', 't'), ('d4', 'u2', 'dining', 't'), ('d5', 'u3', 'budget', 't');"
        "INSERT INTO mm_nudge_interaction_log(delivery_id, user_id, action, timestamp) VALUES"
        "  ('d0', 'u0', 'clicked', '2025-10-25T09:00:00Z'),"
        "  ('d1', 'u1', 'dismissed', '2025-10-26T09:00:00Z'),"
        "  ('d2', 'u1', 'dismissed', '2025-10-12T09:00:00Z'),"
        "  ('d3', 'u1', 'clicked', '2025-10-26T09:00:00Z'),"
        "  ('d5', 'u3', 'viewed', '2025-10-27T09:00:00Z');",
        NULL, NULL, NULL) == SQLITE_OK;
    if (ok && extra) ok = sqlite3_exec(db->h, extra, NULL, NULL, NULL) == SQLITE_OK;
    if (!ok) { fprintf(stderr, "%s\n", sqlite3_errmsg(db->h)); mmr_db_close(db); return NULL; }
    return db;
}

typedef struct fixture {
    mmr_diags d;
    mmr_db *db;
    mmr_program *p;
    mmr_resp_loader *l;
    unsigned char *used;
    mmr_value *regs;
    int sa, sc;
    mmr_arena a;
} fixture;

/* The program of src over state(extra); 0 when both are there. */
static int fx_init(fixture *f, const char *src, const char *extra)
{
    memset(f, 0, sizeof *f);
    mmr_diags_init(&f->d);
    mmr_arena_init(&f->a, 0);
    f->db = state(&f->d, extra);
    f->p = build(src);
    uint32_t n = f->p ? f->p->nslots : 0;
    f->used = calloc(n + 1, 1);
    f->regs = calloc(n + 1, sizeof *f->regs);
    f->sa = f->p ? mmr_program_find_slot(f->p, MMR_RESP_SIGNAL) : -1;
    f->sc = f->p ? mmr_program_find_slot(f->p, MMR_RESP_BY_CATEGORY_SIGNAL) : -1;
    T_CHECK(f->db && f->p && f->used && f->regs && f->sa >= 0 && f->sc >= 0);
    return f->db && f->p && f->used && f->regs && f->sa >= 0 && f->sc >= 0 ? 0 : -1;
}

/* A new loader (the old one freed) for the slots marked in use. */
static int fx_open(fixture *f, int use_all, int use_cat, int from_table)
{
    mmr_resp_loader_free(f->l);
    f->l = NULL;
    f->used[f->sa] = (unsigned char)use_all;
    f->used[f->sc] = (unsigned char)use_cat;
    return mmr_resp_loader_open(&f->l, f->p, f->used, f->db, at(NOW), from_table, &f->d);
}

static void fx_free(fixture *f)
{
    mmr_resp_loader_free(f->l);
    mmr_db_close(f->db);
    mmr_program_free(f->p);
    free(f->used);
    free(f->regs);
    mmr_arena_free(&f->a);
    mmr_diags_free(&f->d);
}

static int user(fixture *f, const char *u)
{
    mmr_arena_reset(&f->a);
    for (uint32_t i = 0; i < f->p->nslots; i++) f->regs[i] = mmr_v_missing();
    return f->l ? mmr_resp_loader_user(f->l, u, f->regs, &f->a, "snap:1", &f->d) : -2;
}

static double score_of(const char *const *actions, const char *const *times, int n)
{
    mmr_resp_acc a = {0, 0};
    for (int i = 0; i < n; i++) mmr_resp_add(&a, actions[i], at(times[i]), at(NOW));
    return mmr_resp_score(&a);
}

/* The values of u1, u2 and u3 in regs as the formula gives them. */
static void check_user(fixture *f, const char *u)
{
    const mmr_value *all = &f->regs[f->sa], *cat = &f->regs[f->sc];
    T_EQ_INT(all->tag, MMR_V_NUM);
    T_EQ_INT(cat->tag, MMR_V_MAP);
    if (all->tag != MMR_V_NUM || cat->tag != MMR_V_MAP) return;
    const mmr_map *m = cat->u.map;
    if (!strcmp(u, "u1")) {
        static const char *const act[3] = { "dismissed", "dismissed", "clicked" };
        static const char *const ts[3] = { NOW, "2025-10-12T09:00:00Z", NOW };
        T_EQ_NUM(all->u.num, score_of(act, ts, 3));
        T_EQ_INT(m->n, 2);                   /* sorted by bytes */
        if (m->n != 2) return;
        T_EQ_STR(m->keys[0]->bytes, "dining");
        T_EQ_STR(m->keys[1]->bytes, "goal");
        T_EQ_NUM(m->vals[0], score_of(act, ts, 2));   /* one fresh, one at half weight */
        T_CHECK(m->vals[0] < -0.5);
        T_EQ_NUM(m->vals[1], 0.5);
        T_CHECK(isnan(mmr_map_get(m, "travel", 6)));   /* no key: missing, `?? 0` */
    } else if (!strcmp(u, "u2")) {
        T_EQ_NUM(all->u.num, 0);             /* a delivery without interactions */
        T_EQ_INT(m->n, 0);
    } else {
        T_EQ_NUM(all->u.num, 0.125);         /* a view "tomorrow" counts as now */
        T_EQ_INT(m->n, 1);
        if (m->n == 1) T_EQ_STR(m->keys[0]->bytes, "budget");
    }
}

static void test_scan_and_probe(void)
{
    static const char *const users[3] = { "u1", "u2", "u3" };
    for (int from_table = 1; from_table >= 0; from_table--) {
        fixture f;
        if (fx_init(&f, both_src, NULL) == 0) {
            T_EQ_INT(fx_open(&f, 1, 1, from_table), 0);
            T_CHECK(f.l != NULL);
            /* computed, so no input columns to bind */
            T_EQ_INT(f.used[f.sa], 0);
            T_EQ_INT(f.used[f.sc], 0);
            /* the scan wants user_id order (u0 is skipped); look-ups any order */
            for (int k = 0; k < 3; k++) {
                const char *u = from_table ? users[k] : users[2 - k];
                T_EQ_INT(user(&f, u), 0);
                check_user(&f, u);
            }
            /* past the last user of the log */
            T_EQ_INT(user(&f, "u9"), 0);
            T_EQ_NUM(f.regs[f.sa].u.num, 0);
            T_EQ_INT(f.d.n, 0);
        }
        fx_free(&f);
    }
}

/* A ruleset that reads neither signal gets no loader; one that reads only
 * the overall score gets that slot alone. */
static void test_unused(void)
{
    fixture f;
    if (fx_init(&f, both_src, NULL) == 0) {
        T_EQ_INT(fx_open(&f, 0, 0, 1), 0);
        T_CHECK(f.l == NULL);
        T_EQ_INT(fx_open(&f, 1, 0, 1), 0);
        T_EQ_INT(user(&f, "u1"), 0);
        T_EQ_INT(f.regs[f.sa].tag, MMR_V_NUM);
        T_EQ_INT(f.regs[f.sc].tag, MMR_V_MISSING);
        T_EQ_INT(f.used[f.sc], 0);
    }
    fx_free(&f);
}

/* Given values are replaced: a column of mm_signal_daily is warned about
 * at the start, a --signals value once per run. */
static void test_given_values(void)
{
    fixture f;
    if (fx_init(&f, both_src, "ALTER TABLE mm_signal_daily ADD COLUMN responsiveness REAL") == 0) {
        T_EQ_INT(fx_open(&f, 1, 1, 1), 0);
        T_EQ_INT(f.d.n, 1);
        T_CHECK(f.d.n == 1 && strstr(f.d.v[0].message, "mm_signal_daily.responsiveness is ignored"));
        T_EQ_INT(fx_open(&f, 1, 1, 0), 0);
        T_EQ_INT(f.d.n, 1);                  /* no table check for a file's users */
        for (int k = 0; k < 2 && f.l; k++) {
            mmr_arena_reset(&f.a);
            f.regs[f.sa] = mmr_v_num(0.9);
            T_EQ_INT(mmr_resp_loader_user(f.l, "u2", f.regs, &f.a, "snap:3", &f.d), 0);
            T_EQ_NUM(f.regs[f.sa].u.num, 0);
        }
        T_EQ_INT(f.d.n, 2);
        T_CHECK(f.d.n == 2 && strstr(f.d.v[1].message, "signal responsiveness is ignored") &&
                !strcmp(f.d.v[1].file, "snap:3"));
    }
    fx_free(&f);
}

/* A timestamp that is no time is an error naming the user. */
static void test_bad_timestamp(void)
{
    fixture f;
    if (fx_init(&f, both_src, "UPDATE mm_nudge_interaction_log SET timestamp = 'soon' WHERE delivery_id = 'd3'") == 0) {
        for (int from_table = 0; from_table < 2; from_table++) {
            T_EQ_INT(fx_open(&f, 1, 1, from_table), 0);
            T_EQ_INT(user(&f, "u1"), -1);
        }
        T_EQ_INT(f.d.errors, 2);
        T_CHECK(f.d.n && strstr(f.d.v[0].message, "mm_nudge_interaction_log.timestamp: user \"u1\""));
    }
    fx_free(&f);
}

int main(void)
{
    test_scan_and_probe();
    test_unused();
    test_given_values();
    test_bad_timestamp();
    return T_DONE("resp_load");
}
