/* Derived signals: windows in local time (DST days, month and week
 * boundaries), missing-not-zero, every aggregate, and that folding stored
 * day tiles gives exactly what folding transactions gives. */
#include <stdlib.h>
#include <string.h>
#include "t.h"
#include "compiler/compile.h"
#include "signals/compute.h"
#include "signals/snapfile.h"
#include "util/timeutil.h"

static const char src[] =
    "policy { timezone \"America/New_York\" }\n"
    "let wants = [\"Food\", \"Shopping\"]\n"
    "signal n_day = count of transaction over last 1d\n"
    "signal n_7d = count of transaction over last 7d\n"
    "signal spend_7d = sum amount of transaction where type == \"expense\" over last 7d\n"
    "signal spend_prev_7d = sum amount of transaction where type == \"expense\" over previous 7d\n"
    "signal spend_week = sum amount of transaction where type == \"expense\" over this week\n"
    "signal spend_prev_week = sum amount of transaction where type == \"expense\" over previous week\n"
    "signal spend_month = sum amount of transaction where type == \"expense\" over this month\n"
    "signal spend_prev_month = sum amount of transaction where type == \"expense\" over previous month\n"
    "signal wants_30d = sum amount of transaction where category in wants and amount >= 5 over last 30d\n"
    "signal avg_30d = avg amount of transaction over last 30d\n"
    "signal min_30d = min amount of transaction over last 30d\n"
    "signal max_30d = max amount of transaction over last 30d\n"
    "signal sd_30d = stddev amount of transaction over last 30d\n"
    "signal merchants_30d = count distinct merchant of transaction over last 30d\n"
    "signal first_merchant = first merchant of transaction over last 30d\n"
    "signal last_merchant = last merchant of transaction over last 30d\n"
    "signal by_cat_30d = sum amount of transaction by category over last 30d\n"
    "signal by_hour_30d = count of transaction by hour over last 30d\n"
    "signal weekly_sd = stddev weekly sum amount of transaction over last 4w\n"
    "signal weekly_avg = avg weekly count of transaction over last 4w\n"
    "signal wants_share = ratio(wants_30d, spend_prev_month + spend_month)\n";

typedef struct fix {
    mmr_unit *u;
    mmr_sigplan *p;
    mmr_sigcalc *c;
    mmr_value *v;
    mmr_arena a;
} fix;

static int fix_init(fix *f)
{
    mmr_diags d;
    mmr_diags_init(&d);
    memset(f, 0, sizeof *f);
    f->u = mmr_unit_load_source("t.mmr", src, sizeof src - 1, &d);
    if (f->u) mmr_check(f->u, &d);
    if (d.errors) { mmr_diags_print_text(stderr, &d); mmr_diags_free(&d); return -1; }
    mmr_diags_free(&d);
    f->p = mmr_sigplan_new(f->u);
    f->c = mmr_sigcalc_new(f->p, NULL);
    f->v = calloc(f->u->nsignals, sizeof *f->v);
    mmr_arena_init(&f->a, 4096);
    return f->c && f->v ? 0 : -1;
}

static void fix_free(fix *f)
{
    free(f->v);
    mmr_arena_free(&f->a);
    mmr_sigcalc_free(f->c);
    mmr_sigplan_free(f->p);
    mmr_unit_free(f->u);
}

static int sig(const fix *f, const char *name)
{
    for (size_t i = 0; i < f->u->nsignals; i++) if (!strcmp(f->u->signals[i]->name, name)) return (int)i;
    fprintf(stderr, "no signal %s\n", name);
    exit(1);
}

static double num(const fix *f, const char *name)
{
    const mmr_value *v = &f->v[sig(f, name)];
    return v->tag == MMR_V_NUM ? v->u.num : NAN;
}

static int missing(const fix *f, const char *name) { return f->v[sig(f, name)].tag == MMR_V_MISSING; }

static const char *text(const fix *f, const char *name)
{
    const mmr_value *v = &f->v[sig(f, name)];
    return v->tag == MMR_V_TEXT ? v->u.text->bytes : NULL;
}

static mmr_txn tx(const char *id, const char *ts, double amount, const char *type, const char *cat, const char *merchant)
{
    mmr_txn t;
    memset(&t, 0, sizeof t);
    t.txn_id = id; t.txn_id_len = strlen(id);
    t.user_id = "u1"; t.user_id_len = 2;
    mmr_time_parse(ts, strlen(ts), &t.ts, NULL);
    t.amount = amount;
    t.type = !strcmp(type, "income") ? MMR_TXN_INCOME : MMR_TXN_EXPENSE;
    t.category = cat; t.category_len = strlen(cat);
    t.merchant = merchant; t.merchant_len = merchant ? strlen(merchant) : 0;
    return t;
}

static int run(fix *f, const mmr_txn *t, size_t n, const char *tz, const char *as_of)
{
    int64_t day;
    mmr_sig_day_parse(as_of, &day);
    mmr_diags d;
    mmr_diags_init(&d);
    for (size_t i = 0; i < f->u->nsignals; i++) f->v[i] = mmr_v_missing();
    mmr_arena_reset(&f->a);
    int rc = mmr_sigcalc_user(f->c, t, n, tz, day, NULL, f->v, &f->a, &d);
    if (rc) mmr_diags_print_text(stderr, &d);
    mmr_diags_free(&d);
    return rc;
}

/* The local day in New York: the DST days have 23 and 25 hours, and an
 * instant belongs to the calendar day on the wall clock. */
static void test_dst(fix *f)
{
    mmr_txn t[] = {
        /* 2025-03-09 is 23 hours long in New York: 23:30 EDT is 03:30Z the next day */
        tx("a", "2025-03-09T03:30:00Z", 1, "expense", "Food", NULL),   /* 22:30 EST on the 8th */
        tx("b", "2025-03-10T03:30:00Z", 2, "expense", "Food", NULL),   /* 23:30 EDT on the 9th */
        tx("c", "2025-03-10T04:30:00Z", 4, "expense", "Food", NULL),   /* 00:30 EDT on the 10th */
    };
    T_EQ_INT(run(f, t, 3, NULL, "2025-03-09"), 0);
    T_EQ_NUM(num(f, "n_day"), 1);            /* only b */
    T_EQ_NUM(num(f, "spend_7d"), 3);         /* a and b */
    T_EQ_INT(run(f, t, 3, NULL, "2025-03-10"), 0);
    T_EQ_NUM(num(f, "n_day"), 1);            /* only c */
    /* 2025-11-02 is 25 hours long: both 00:30 EDT and 23:30 EST are on the 2nd */
    mmr_txn u[] = {
        tx("d", "2025-11-02T04:30:00Z", 1, "expense", "Food", NULL),
        tx("e", "2025-11-03T04:30:00Z", 2, "expense", "Food", NULL),
        tx("f", "2025-11-03T05:30:00Z", 4, "expense", "Food", NULL),
    };
    T_EQ_INT(run(f, u, 3, NULL, "2025-11-02"), 0);
    T_EQ_NUM(num(f, "n_day"), 2);
    /* the same instants for a user in UTC (the tz trait wins over the policy) */
    T_EQ_INT(run(f, u, 3, "UTC", "2025-11-02"), 0);
    T_EQ_NUM(num(f, "n_day"), 1);
}

/* Calendar windows around a month start and a Sunday, and the rolling
 * previous window; missing before the user's first transaction. */
static void test_windows(fix *f)
{
    mmr_txn t[] = {
        tx("a", "2025-01-30T15:00:00Z", 10, "expense", "Food", "M1"),   /* Thu */
        tx("b", "2025-02-10T15:00:00Z", 20, "expense", "Food", "M2"),   /* Mon */
        tx("c", "2025-02-16T15:00:00Z", 40, "expense", "Shopping", "M1"),  /* Sun */
        tx("d", "2025-02-17T15:00:00Z", 80, "expense", "Rent", NULL),   /* Mon */
        tx("e", "2025-02-18T15:00:00Z", 1000, "income", "Salary", NULL),
    };
    T_EQ_INT(run(f, t, 5, NULL, "2025-02-18"), 0);            /* a Tuesday */
    T_EQ_NUM(num(f, "spend_week"), 80);                       /* Mon 17 .. Tue 18 */
    T_EQ_NUM(num(f, "spend_prev_week"), 60);                  /* Mon 10 .. Sun 16 */
    T_EQ_NUM(num(f, "spend_month"), 140);                     /* Feb 1 .. 18 */
    T_EQ_NUM(num(f, "spend_prev_month"), 10);                 /* January */
    T_EQ_NUM(num(f, "spend_7d"), 120);                        /* Feb 12 .. 18 */
    T_EQ_NUM(num(f, "spend_prev_7d"), 20);                    /* Feb 5 .. 11 */
    T_EQ_NUM(num(f, "n_7d"), 3);                              /* income counts in count of transaction */
    T_EQ_NUM(num(f, "wants_30d"), 70);                        /* Food and Shopping, amount >= 5 */
    T_EQ_NUM(num(f, "merchants_30d"), 2);
    T_EQ_STR(text(f, "first_merchant"), "M1");
    T_CHECK(missing(f, "last_merchant"));                     /* the last (e) has no merchant */
    T_EQ_NUM(num(f, "min_30d"), 10);
    T_EQ_NUM(num(f, "max_30d"), 1000);
    T_EQ_NUM(num(f, "avg_30d"), 230);
    T_CHECK(fabs(num(f, "sd_30d") - 385.7460304) < 1e-6);    /* population: sqrt(744000 / 5) */
    T_EQ_NUM(num(f, "wants_share"), 70.0 / 150);              /* 70 / (10 + 140) */
    const mmr_value *m = &f->v[sig(f, "by_cat_30d")];
    T_EQ_INT(m->tag, MMR_V_MAP);
    if (m->tag == MMR_V_MAP) {
        T_EQ_INT(m->u.map->n, 4);
        T_EQ_STR(m->u.map->keys[0]->bytes, "Food");          /* byte order */
        T_EQ_NUM(m->u.map->vals[0], 30);
        T_EQ_STR(m->u.map->keys[3]->bytes, "Shopping");
    }
    const mmr_value *h = &f->v[sig(f, "by_hour_30d")];
    T_EQ_INT(h->tag, MMR_V_MAP);
    if (h->tag == MMR_V_MAP) T_EQ_STR(h->u.map->keys[0]->bytes, "10");  /* 15:00Z is 10:00 EST */
    /* weekly buckets: 4 weeks ending Tue 18 Feb, the oldest (Jan 22-28)
     * lies before the first transaction and is left out */
    T_EQ_NUM(num(f, "weekly_avg"), 5.0 / 3);

    /* before the first transaction: count and sum missing, not 0 */
    T_EQ_INT(run(f, t + 3, 2, NULL, "2025-02-18"), 0);
    T_CHECK(missing(f, "spend_prev_week"));
    T_CHECK(missing(f, "spend_prev_month"));
    T_EQ_NUM(num(f, "spend_week"), 80);
    T_CHECK(missing(f, "wants_share"));
    /* a window after the first transaction with no rows is 0 */
    T_EQ_INT(run(f, t, 5, NULL, "2025-04-30"), 0);
    T_EQ_NUM(num(f, "spend_7d"), 0);
    T_CHECK(missing(f, "avg_30d"));
    T_CHECK(missing(f, "first_merchant"));
    const mmr_value *e = &f->v[sig(f, "by_cat_30d")];
    T_CHECK(e->tag == MMR_V_MAP && e->u.map->n == 0);
    /* no transactions at all: every aggregate missing */
    T_EQ_INT(run(f, NULL, 0, NULL, "2025-02-18"), 0);
    T_CHECK(missing(f, "n_7d"));
    T_CHECK(missing(f, "by_cat_30d"));
    /* an unknown zone is an error, not a guess */
    mmr_diags d;
    mmr_diags_init(&d);
    int64_t day;
    mmr_sig_day_parse("2025-02-18", &day);
    T_EQ_INT(mmr_sigcalc_user(f->c, t, 5, "Mars/Olympus", day, NULL, f->v, &f->a, &d), -1);
    T_CHECK(d.n == 1 && strstr(d.v[0].message, "Mars/Olympus") != NULL);
    mmr_diags_free(&d);
}

/* Folding day tiles written and read back gives byte-identical lines to
 * folding the transactions: the incremental path equals the full one. */
static void test_tiles(fix *f)
{
    mmr_txn t[] = {
        tx("a", "2025-01-30T15:00:00Z", 10.25, "expense", "Food", "M1"),
        tx("b", "2025-02-10T15:00:00Z", 20, "expense", "Food", "M2"),
        tx("c", "2025-02-16T15:00:00Z", 40, "expense", "Shopping", "M1"),
        tx("c2", "2025-02-16T15:00:00Z", 3, "expense", "Shopping", "M0"),   /* a tie in time */
        tx("d", "2025-02-17T15:00:00Z", 80, "expense", "Rent", NULL),
        tx("e", "2025-02-18T15:00:00Z", 1000, "income", "Salary", NULL),
    };
    int64_t D;
    mmr_sig_day_parse("2025-02-18", &D);
    mmr_buf want, got, tile;
    mmr_buf_init(&want); mmr_buf_init(&got); mmr_buf_init(&tile);
    T_EQ_INT(run(f, t, 6, NULL, "2025-02-18"), 0);
    mmr_signals_line(&want, f->u, f->p, NULL, "u1", 2, "2025-02-18", f->v, NULL);

    /* tiles of every day, stored as bytes */
    int R = mmr_sigplan_reach(f->p);
    mmr_buf *days = calloc((size_t)R, sizeof *days);
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_sigcalc_begin(f->c, D);
    T_EQ_INT(mmr_sigcalc_add(f->c, t, 6, NULL, INT64_MIN, INT64_MAX, &d), 0);
    for (int i = 0; i < R; i++) { mmr_buf_init(&days[i]); mmr_sigcalc_tile_get(f->c, D - R + 1 + i, &days[i]); }
    /* a second calc reads them back, knowing only the first day */
    mmr_sigcalc *c2 = mmr_sigcalc_new(f->p, NULL);
    mmr_sigcalc_begin(c2, D);
    mmr_sigcalc_first_day(c2, mmr_sigcalc_local_day(c2, NULL, t[0].ts, &d));
    for (int i = 0; i < R; i++)
        T_EQ_INT(mmr_sigcalc_tile_put(c2, D - R + 1 + i, days[i].data ? days[i].data : "", days[i].len), 0);
    for (size_t i = 0; i < f->u->nsignals; i++) f->v[i] = mmr_v_missing();
    mmr_arena_reset(&f->a);
    mmr_sigcalc_finish(c2, NULL, f->v, &f->a);
    mmr_signals_line(&got, f->u, f->p, NULL, "u1", 2, "2025-02-18", f->v, NULL);
    T_EQ_STR(got.data, want.data);
    /* a damaged tile is refused, never half read */
    const char junk[] = "\x05\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff";
    mmr_sigcalc_begin(c2, D);
    T_EQ_INT(mmr_sigcalc_tile_put(c2, D, junk, sizeof junk - 1), -1);
    T_EQ_INT(mmr_sigcalc_tile_put(c2, D, "\x7f", 1), -1);
    for (int i = 0; i < R; i++) mmr_buf_free(&days[i]);
    free(days);
    mmr_sigcalc_free(c2);
    mmr_diags_free(&d);
    mmr_buf_free(&want); mmr_buf_free(&got); mmr_buf_free(&tile);
}

int main(void)
{
    fix f;
    if (fix_init(&f)) { fprintf(stderr, "fixture failed\n"); return 1; }
    test_dst(&f);
    test_windows(&f);
    test_tiles(&f);
    fix_free(&f);
    return T_DONE("signals");
}
