/* Derived signals on PostgreSQL (see store/pg_signals.h). */
#include "store/pg_signals.h"
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "signals/compute.h"
#include "signals/emit_sql.h"
#include "signals/snapdb.h"
#include "signals/source.h"
#include "store/pg.h"
#include "util/buf.h"
#include "util/timeutil.h"
#include "util/userid.h"

enum { FETCH_ROWS = 4096, FLUSH_BYTES = 4 << 20 };

static void oom(mmr_diags *d) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); }

/* A cursor of the transaction, read FETCH_ROWS rows at a time. */
typedef struct cur { const char *name; PGresult *res; int row, nrows, done; } cur;

static int cur_open(mmr_pg *pg, cur *c, const char *name, const char *sql, mmr_diags *d)
{
    memset(c, 0, sizeof *c);
    c->name = name;
    mmr_buf q;
    mmr_buf_init(&q);
    mmr_buf_printf(&q, "DECLARE %s NO SCROLL CURSOR FOR %s", name, sql);
    int rc = q.oom ? (oom(d), -1) : mmr_pg_exec(pg, q.data, d, "opening a cursor");
    mmr_buf_free(&q);
    return rc;
}

/* 1 with c->row on a row, 0 at the end, -1 on error. */
static int cur_next(mmr_pg *pg, cur *c, mmr_diags *d)
{
    if (c->res && ++c->row < c->nrows) return 1;
    if (c->done) return 0;
    PQclear(c->res);
    c->res = NULL;
    char q[96];
    snprintf(q, sizeof q, "FETCH %d FROM %s", FETCH_ROWS, c->name);
    c->res = mmr_pg_query(pg, q, d, "reading through a cursor");
    if (!c->res) return -1;
    c->nrows = PQntuples(c->res);
    c->row = 0;
    if (c->nrows < FETCH_ROWS) c->done = 1;
    return c->nrows > 0;
}

static void cur_free(cur *c) { PQclear(c->res); c->res = NULL; }

static const char *val(const cur *c, int col, size_t *len)
{
    if (PQgetisnull(c->res, c->row, col)) { if (len) *len = 0; return NULL; }
    if (len) *len = (size_t)PQgetlength(c->res, c->row, col);
    return PQgetvalue(c->res, c->row, col);
}

/* Byte order, as COLLATE "C" sorts. */
static int ucmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

/* The derived signals as columns of mm_signal_daily, the ruleset's traits
 * as columns of mm_user_traits: created when missing. */
static int migrate(mmr_pg *pg, const mmr_unit *u, const mmr_sigplan *p, mmr_diags *d)
{
    size_t n = mmr_sigplan_count(p);
    mmr_db_column *sc = calloc(n + 1, sizeof *sc), *tc = calloc(u->ntraits + 1, sizeof *tc);
    if (!sc || !tc) { free(sc); free(tc); oom(d); return -1; }
    for (size_t k = 0; k < n; k++) {
        const mmr_var_decl *v = u->signals[mmr_sigplan_signal(p, k)];
        sc[k].name = v->name;
        sc[k].type = v->type;
    }
    for (size_t i = 0; i < u->ntraits; i++) { tc[i].name = u->traits[i]->name; tc[i].type = u->traits[i]->type; }
    int rc = mmr_pg_migrate(pg, sc, n, tc, u->ntraits, d);
    free(sc);
    free(tc);
    return rc;
}

static void put_num(mmr_buf *b, double x)
{
    if (isnan(x)) mmr_buf_puts(b, "null");
    else if (isinf(x)) mmr_buf_puts(b, x > 0 ? "Infinity" : "-Infinity");
    else mmr_buf_printf(b, "%.17g", x);
}

/* One value as a COPY text field. */
static void copy_value(mmr_buf *b, const mmr_value *v, mmr_buf *tmp, char sep)
{
    switch (v->tag) {
    case MMR_V_NUM:
        mmr_buf_clear(tmp);
        put_num(tmp, v->u.num);
        mmr_pg_copy_field(b, tmp->data, tmp->len, sep);
        return;
    case MMR_V_BOOL: mmr_pg_copy_field(b, v->u.i ? "t" : "f", 1, sep); return;
    case MMR_V_TEXT: mmr_pg_copy_field(b, v->u.text->bytes, v->u.text->len, sep); return;
    case MMR_V_MAP:
        mmr_buf_clear(tmp);
        mmr_buf_putc(tmp, '{');
        for (uint32_t k = 0; k < v->u.map->n; k++) {
            if (k) mmr_buf_putc(tmp, ',');
            mmr_buf_json_string(tmp, v->u.map->keys[k]->bytes, v->u.map->keys[k]->len);
            mmr_buf_putc(tmp, ':');
            put_num(tmp, v->u.map->vals[k]);
        }
        mmr_buf_putc(tmp, '}');
        mmr_pg_copy_field(b, tmp->data, tmp->len, sep);
        return;
    default: mmr_pg_copy_field(b, NULL, 0, sep); return;
    }
}

static int flush(mmr_pg *pg, mmr_buf *rows, const char *copy_sql, mmr_diags *d)
{
    if (!rows->len) return 0;
    if (rows->oom) { oom(d); return -1; }
    int rc = mmr_pg_copy_begin(pg, copy_sql, d, "writing the signals") ||
             mmr_pg_copy_put(pg, rows, d, "writing the signals") ||
             mmr_pg_copy_end(pg, d, "writing the signals") ? -1 : 0;
    mmr_buf_clear(rows);
    return rc;
}

/* A user id read back from a table: checked by the user id rule. */
static int bad_user(mmr_pg *pg, const char *table, const char *s, size_t n, mmr_diags *d)
{
    mmr_buf b;
    mmr_buf_init(&b);
    if (mmr_user_id_check(&b, s ? s : "", s ? n : 0) == 0) { mmr_buf_free(&b); return 0; }
    mmr_diag *g = mmr_diag_add(d, MMR_SEV_ERROR, pg->label, 0, 0, "%s.user_id: %s", table, b.data ? b.data : "bad user id");
    if (g) mmr_diag_set_hint(g, "fix the stored user id; nothing was written");
    mmr_buf_free(&b);
    return -1;
}

/* One source's rows (budgets or goals) of user uid from cursor c, which
 * stands on the next unread row (or past the end: *more == 0). */
static int side_rows(mmr_pg *pg, cur *c, int *more, int source, const char *uid, size_t ulen, mmr_arena *a,
                     mmr_sigcalc *calc, mmr_diags *d)
{
    size_t nf = mmr_sources[source].nfields, n = 0, cap = 0;
    mmr_value *rows = NULL;
    mmr_text *ut = mmr_text_new(a, uid, ulen);
    if (!ut) { oom(d); return -1; }
    while (*more) {
        size_t l;
        const char *cu = val(c, 0, &l);
        int cmp = ucmp(cu ? cu : "", l, uid, ulen);
        if (cmp > 0) break;
        if (cmp == 0) {
            if (n == cap) {
                size_t nc = cap ? cap * 2 : 8;
                mmr_value *nr = mmr_arena_alloc(a, nc * nf * sizeof *nr);
                if (!nr) { oom(d); return -1; }
                if (n) memcpy(nr, rows, n * nf * sizeof *nr);
                rows = nr;
                cap = nc;
            }
            mmr_value *row = &rows[n++ * nf];
            for (size_t f = 0; f < nf; f++) row[f] = mmr_v_missing();
            row[0] = mmr_v_text(ut);
            /* the cursor's columns after user_id, in the field order below */
            static const int budget_f[] = { MMR_BGF_CATEGORY, MMR_BGF_LIMIT, MMR_BGF_PERIOD };
            static const int goal_f[] = { MMR_GLF_GOAL_ID, MMR_GLF_NAME, MMR_GLF_TARGET, MMR_GLF_SAVED,
                                          MMR_GLF_DEADLINE, MMR_GLF_PRIORITY };
            const int *fs = source == MMR_SRC_BUDGET ? budget_f : goal_f;
            int nfs = source == MMR_SRC_BUDGET ? 3 : 6;
            for (int k = 0; k < nfs; k++) {
                size_t vl;
                const char *s = val(c, k + 1, &vl);
                int numeric = PQftype(c->res, k + 1) != 25;     /* 25: text */
                if (!s) continue;
                if (numeric) row[fs[k]] = mmr_v_num(strtod(s, NULL));
                else {
                    mmr_text *t = mmr_text_new(a, s, vl);
                    if (!t) { oom(d); return -1; }
                    row[fs[k]] = mmr_v_text(t);
                }
            }
        }
        int r = cur_next(pg, c, d);
        if (r < 0) return -1;
        *more = r;
    }
    return mmr_sigcalc_rows(calc, source, rows, n) ? (oom(d), -1) : 0;
}

/* In mmr: users, transactions, budgets and goals through cursors merged by
 * user_id; the rows into a staging table with COPY, then upserted. */
static int compute_engine(mmr_pg *pg, const mmr_unit *u, const mmr_sigplan *p, const char *as_of, int64_t D,
                          const char *zoneinfo, mmr_pg_sig_stats *st, mmr_diags *d)
{
    size_t nout = mmr_sigplan_count(p);
    int64_t R = mmr_sigplan_reach(p), base = D - R + 1;
    mmr_sigcalc *calc = mmr_sigcalc_new(p, zoneinfo);
    mmr_value *vals = calloc(u->nsignals ? u->nsignals : 1, sizeof *vals);
    cur cu = {0}, ct = {0}, cb = {0}, cg = {0};
    mmr_arena ua;
    mmr_arena_init(&ua, 1 << 16);
    mmr_buf q, cols, rows, tmp;
    mmr_buf_init(&q); mmr_buf_init(&cols); mmr_buf_init(&rows); mmr_buf_init(&tmp);
    mmr_txn *tx = NULL;
    size_t captx = 0;
    int rc = -1;
    if (!calc || !vals) { oom(d); goto out; }
    for (size_t k = 0; k < nout; k++) mmr_buf_printf(&cols, ", \"%s\"", u->signals[mmr_sigplan_signal(p, k)]->name);
    if (cols.oom) { oom(d); goto out; }
    if (mmr_pg_exec(pg, "CREATE TEMP TABLE mm_stage_signal (LIKE mm_signal_daily) ON COMMIT DROP", d,
                    "staging the signals"))
        goto out;
    if (cur_open(pg, &cu, "mm_sig_users",
                 "SELECT user_id, u.first_ts, x.tz FROM (SELECT user_id, min(ts) AS first_ts FROM mm_transaction "
                 "GROUP BY user_id) u FULL JOIN mm_user_traits x USING (user_id) ORDER BY user_id COLLATE \"C\"", d))
        goto out;
    /* the reach, with a day of margin either side for zone offsets */
    mmr_buf_printf(&q, "SELECT user_id, txn_id, ts, amount, type, category, merchant, recurring FROM mm_transaction "
                       "WHERE ts >= %" PRId64 " AND ts < %" PRId64 " ORDER BY user_id COLLATE \"C\", ts, txn_id COLLATE \"C\"",
                   (base - 1) * 86400, (D + 2) * 86400);
    if (q.oom || cur_open(pg, &ct, "mm_sig_txns", q.data, d)) goto out;
    int use_b = mmr_sigplan_uses(p, MMR_SRC_BUDGET), use_g = mmr_sigplan_uses(p, MMR_SRC_GOAL);
    if (use_b && cur_open(pg, &cb, "mm_sig_budgets", "SELECT user_id, category, limit_amount, period FROM mm_budget "
                                                     "ORDER BY user_id COLLATE \"C\", category COLLATE \"C\"", d))
        goto out;
    if (use_g && cur_open(pg, &cg, "mm_sig_goals", "SELECT user_id, goal_id, name, target, saved, deadline, priority "
                                                   "FROM mm_goal ORDER BY user_id COLLATE \"C\", goal_id COLLATE \"C\"", d))
        goto out;
    mmr_buf_clear(&q);
    mmr_buf_printf(&q, "COPY mm_stage_signal (user_id, as_of%s) FROM STDIN", cols.data);
    if (q.oom) { oom(d); goto out; }
    int mt = cur_next(pg, &ct, d), mb = use_b ? cur_next(pg, &cb, d) : 0, mg = use_g ? cur_next(pg, &cg, d) : 0, mu;
    if (mt < 0 || mb < 0 || mg < 0) goto out;
    while ((mu = cur_next(pg, &cu, d)) > 0) {
        mmr_arena_reset(&ua);
        size_t ulen, tzlen;
        const char *uid0 = val(&cu, 0, &ulen), *tz0 = val(&cu, 2, &tzlen);
        if (bad_user(pg, val(&cu, 1, NULL) ? "mm_transaction" : "mm_user_traits", uid0, ulen, d)) goto out;
        char *uid = mmr_arena_strndup(&ua, uid0, ulen);
        char *tz = tz0 && tzlen ? mmr_arena_strndup(&ua, tz0, tzlen) : NULL;
        if (!uid || (tz0 && tzlen && !tz)) { oom(d); goto out; }
        mmr_sigcalc_begin(calc, D);
        /* the first transaction ever: windows wholly before it are missing */
        if (val(&cu, 1, NULL)) {
            int64_t fd = mmr_sigcalc_local_day(calc, tz, strtoll(val(&cu, 1, NULL), NULL, 10), d);
            if (fd == INT64_MIN) { mmr_snapdb_bad_zone(d, uid, tz); goto out; }
            mmr_sigcalc_first_day(calc, fd);
        }
        size_t n = 0;
        while (mt > 0) {
            size_t l;
            const char *tu = val(&ct, 0, &l);
            int cmp = ucmp(tu ? tu : "", l, uid, ulen);
            if (cmp > 0) break;
            if (cmp == 0) {
                if (n == captx) {
                    size_t nc = captx ? captx * 2 : 1024;
                    mmr_txn *nt = realloc(tx, nc * sizeof *nt);
                    if (!nt) { oom(d); goto out; }
                    tx = nt; captx = nc;
                }
                mmr_txn *t = &tx[n++];
                memset(t, 0, sizeof *t);
                t->user_id = uid; t->user_id_len = ulen;
                size_t vl;
                const char *s = val(&ct, 1, &vl);
                t->txn_id = mmr_arena_strndup(&ua, s ? s : "", vl); t->txn_id_len = vl;
                t->ts = strtoll(val(&ct, 2, NULL), NULL, 10);
                t->amount = strtod(val(&ct, 3, NULL), NULL);
                s = val(&ct, 4, NULL);
                t->type = s && !strcmp(s, "income") ? MMR_TXN_INCOME : MMR_TXN_EXPENSE;
                s = val(&ct, 5, &vl);
                t->category = mmr_arena_strndup(&ua, s ? s : "", vl); t->category_len = vl;
                s = val(&ct, 6, &vl);
                if (s) { t->merchant = mmr_arena_strndup(&ua, s, vl); t->merchant_len = vl; }
                t->recurring = atoi(val(&ct, 7, NULL)) != 0;
                if (!t->txn_id || !t->category || (s && !t->merchant)) { oom(d); goto out; }
            }
            if ((mt = cur_next(pg, &ct, d)) < 0) goto out;
        }
        st->transactions += n;
        if (mmr_sigcalc_add(calc, tx, n, tz, base, D, d)) { mmr_snapdb_bad_zone(d, uid, tz); goto out; }
        if (use_b && side_rows(pg, &cb, &mb, MMR_SRC_BUDGET, uid, ulen, &ua, calc, d)) goto out;
        if (use_g && side_rows(pg, &cg, &mg, MMR_SRC_GOAL, uid, ulen, &ua, calc, d)) goto out;
        for (size_t i = 0; i < u->nsignals; i++) vals[i] = mmr_v_missing();
        mmr_sigcalc_finish(calc, NULL, vals, &ua);
        mmr_pg_copy_field(&rows, uid, ulen, '\t');
        mmr_pg_copy_field(&rows, as_of, strlen(as_of), nout ? '\t' : '\n');
        for (size_t k = 0; k < nout; k++)
            copy_value(&rows, &vals[mmr_sigplan_signal(p, k)], &tmp, k + 1 < nout ? '\t' : '\n');
        st->users++;
        if (rows.len >= FLUSH_BYTES && flush(pg, &rows, q.data, d)) goto out;
    }
    if (mu < 0 || flush(pg, &rows, q.data, d)) goto out;
    /* the date's rows: the derived columns replaced, any others kept */
    mmr_buf_clear(&q);
    mmr_buf_printf(&q, "INSERT INTO mm_signal_daily (user_id, as_of%s) SELECT user_id, as_of%s FROM mm_stage_signal "
                       "ON CONFLICT (as_of, user_id) DO UPDATE SET ", cols.data, cols.data);
    for (size_t k = 0; k < nout; k++) {
        const char *nm = u->signals[mmr_sigplan_signal(p, k)]->name;
        mmr_buf_printf(&q, "%s\"%s\" = EXCLUDED.\"%s\"", k ? ", " : "", nm, nm);
    }
    if (q.oom) { oom(d); goto out; }
    rc = mmr_pg_exec(pg, q.data, d, "writing mm_signal_daily");
out:
    cur_free(&cu); cur_free(&ct); cur_free(&cb); cur_free(&cg);
    free(tx);
    free(vals);
    mmr_buf_free(&q); mmr_buf_free(&cols); mmr_buf_free(&rows); mmr_buf_free(&tmp);
    mmr_arena_free(&ua);
    mmr_sigcalc_free(calc);
    return rc;
}

static int count_users(mmr_pg *pg, uint64_t *out, mmr_diags *d)
{
    PGresult *r = mmr_pg_query(pg, "SELECT count(*) FROM (SELECT user_id FROM mm_transaction UNION "
                                    "SELECT user_id FROM mm_user_traits) u", d, "counting the users");
    if (!r) return -1;
    *out = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return 0;
}

int mmr_pg_signals_run(const mmr_unit *u, const char *url, const char *as_of, const char *zoneinfo,
                       mmr_pg_sig_mode mode, mmr_pg_sig_stats *st, mmr_diags *d)
{
    memset(st, 0, sizeof *st);
    int64_t D;
    if (mmr_sig_day_parse(as_of, &D)) {
        mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "\"%s\" is not a date YYYY-MM-DD", as_of);
        return -1;
    }
    mmr_sigplan *p = mmr_sigplan_new(u);
    if (!p) { oom(d); return -1; }
    /* the SQL first: whether it can be said decides where it runs */
    mmr_buf sql;
    mmr_buf_init(&sql);
    int sql_ok = 0;
    if (mode != MMR_PG_SIG_ENGINE) {
        mmr_diags tmp;
        mmr_diags_init(&tmp);
        sql_ok = mmr_emit_sql_pg_body(u, as_of, &sql, &tmp) == 0 && !sql.oom;
        if (!sql_ok && mode == MMR_PG_SIG_SQL) mmr_diags_append(d, &tmp);
        mmr_diags_free(&tmp);
        if (!sql_ok && mode == MMR_PG_SIG_SQL) { mmr_buf_free(&sql); mmr_sigplan_free(p); return -1; }
    }
    mmr_pg *pg = NULL;
    int rc = mmr_pg_open(&pg, url, d);
    if (!rc) rc = mmr_pg_exec(pg, "BEGIN", d, "beginning");
    if (!rc) rc = migrate(pg, u, p, d);
    if (!rc) {
        /* one computation of a date at a time (workers of a sharded run
         * that each derive it queue here instead of upserting at once) */
        char q[96];
        snprintf(q, sizeof q, "SELECT pg_advisory_xact_lock(7171444, hashtext('%.10s'))", as_of);
        rc = mmr_pg_exec(pg, q, d, "locking the date's signals");
    }
    if (!rc && sql_ok) {
        st->in_database = 1;
        rc = mmr_pg_exec(pg, sql.data, d, "computing the signals in the database");
        if (!rc) rc = count_users(pg, &st->users, d);
    } else if (!rc) {
        rc = compute_engine(pg, u, p, as_of, D, zoneinfo, st, d);
        if (!rc) {
            /* the retention, as the SQL and snapdb.c delete it */
            char keep[MMR_TIME_BUF], q[128];
            mmr_date_format((D - mmr_sigplan_retention(p) + 1) * 86400, keep);
            snprintf(q, sizeof q, "DELETE FROM mm_signal_daily WHERE as_of < '%s'", keep);
            rc = mmr_pg_exec(pg, q, d, "deleting old mm_signal_daily rows");
        }
    }
    if (!rc) rc = mmr_pg_exec(pg, "COMMIT", d, "committing the signals");
    if (rc) mmr_pg_rollback(pg);
    mmr_pg_close(pg);
    mmr_buf_free(&sql);
    mmr_sigplan_free(p);
    return rc;
}

int mmr_pg_signals_needed(const mmr_unit *u, const char *url, const char *as_of, mmr_diags *d)
{
    mmr_pg *pg = NULL;
    if (mmr_pg_open(&pg, url, d)) return -1;
    mmr_buf q;
    mmr_buf_init(&q);
    /* no schema yet: nothing to derive from */
    mmr_buf_puts(&q, "SELECT CASE WHEN to_regclass('mm_transaction') IS NULL OR to_regclass('mm_signal_daily') IS NULL "
                     "THEN 0 ELSE 1 END");
    PGresult *r = mmr_pg_query(pg, q.data, d, "reading the schema");
    int rc = r ? atoi(PQgetvalue(r, 0, 0)) : -1;
    PQclear(r);
    if (rc == 1) {
        /* a derived column missing, or no row for the date, and something to derive from */
        mmr_buf_clear(&q);
        mmr_buf_puts(&q, "SELECT (SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() "
                         "AND table_name = 'mm_signal_daily' AND column_name IN (''");
        size_t nd = 0;
        for (size_t i = 0; i < u->nsignals; i++) {
            if (!u->signals[i]->def) continue;
            nd++;
            mmr_buf_printf(&q, ", '%s'", u->signals[i]->name);
        }
        mmr_buf_printf(&q, ")) < %zu OR NOT EXISTS (SELECT 1 FROM mm_signal_daily WHERE as_of = '%.10s'), "
                           "EXISTS (SELECT 1 FROM mm_transaction) OR EXISTS (SELECT 1 FROM mm_budget) "
                           "OR EXISTS (SELECT 1 FROM mm_goal)", nd, as_of);
        r = q.oom ? NULL : mmr_pg_query(pg, q.data, d, "reading mm_signal_daily");
        rc = r ? !strcmp(PQgetvalue(r, 0, 0), "t") && !strcmp(PQgetvalue(r, 0, 1), "t") : -1;
        PQclear(r);
    }
    mmr_buf_free(&q);
    mmr_pg_close(pg);
    return rc;
}
