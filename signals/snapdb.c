/* Derived signals from the database (see signals/snapdb.h). */
#include "signals/snapdb.h"
#include <stdlib.h>
#include <string.h>
#include "signals/compute.h"
#include "signals/snapfile.h"
#include "util/buf.h"
#include "util/timeutil.h"

static int has_column(mmr_db *db, const char *table, const char *col, mmr_diags *d)
{
    sqlite3_stmt *st;
    mmr_buf q;
    mmr_buf_init(&q);
    mmr_buf_printf(&q, "SELECT 1 FROM pragma_table_info('%s') WHERE name = ?1", table);
    int rc = mmr_db_prepare(db, &st, q.data, d);
    mmr_buf_free(&q);
    if (rc) return -1;
    sqlite3_bind_text(st, 1, col, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    return r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
}

/* Every derived signal is a column of mm_signal_daily (added when missing). */
static int ensure_columns(mmr_db *db, const mmr_unit *u, const mmr_sigplan *p, mmr_diags *d)
{
    for (size_t k = 0; k < mmr_sigplan_count(p); k++) {
        const mmr_var_decl *v = u->signals[mmr_sigplan_signal(p, k)];
        int h = has_column(db, "mm_signal_daily", v->name, d);
        if (h < 0) return -1;
        if (h) continue;
        mmr_buf q;
        mmr_buf_init(&q);
        mmr_buf_printf(&q, "ALTER TABLE mm_signal_daily ADD COLUMN \"%s\" %s", v->name, mmr_db_sql_type(v->type));
        int rc = mmr_db_exec(db, q.data, d);
        mmr_buf_free(&q);
        if (rc) return -1;
    }
    return 0;
}

int mmr_snapdb_has_date(mmr_db *db, const mmr_unit *u, const char *as_of, mmr_diags *d)
{
    /* a column of this ruleset's not there yet: another ruleset's rows */
    for (size_t i = 0; i < u->nsignals; i++) {
        if (!u->signals[i]->def) continue;
        int h = has_column(db, "mm_signal_daily", u->signals[i]->name, d);
        if (h <= 0) return h;
    }
    sqlite3_stmt *st;
    if (mmr_db_prepare(db, &st, "SELECT 1 FROM mm_signal_daily WHERE as_of = ?1 LIMIT 1", d)) return -1;
    sqlite3_bind_text(st, 1, as_of, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE) { mmr_db_error(db, d, "reading mm_signal_daily"); return -1; }
    return r == SQLITE_ROW;
}

static void bind_value(sqlite3_stmt *st, int i, const mmr_value *v, mmr_buf *tmp)
{
    switch (v->tag) {
    case MMR_V_NUM: sqlite3_bind_double(st, i, v->u.num); return;
    case MMR_V_BOOL: sqlite3_bind_int(st, i, (int)v->u.i); return;
    case MMR_V_TEXT: sqlite3_bind_text(st, i, v->u.text->bytes, (int)v->u.text->len, SQLITE_TRANSIENT); return;
    case MMR_V_MAP:
        mmr_buf_clear(tmp);
        mmr_buf_putc(tmp, '{');
        for (uint32_t k = 0; k < v->u.map->n; k++) {
            if (k) mmr_buf_putc(tmp, ',');
            mmr_buf_json_string(tmp, v->u.map->keys[k]->bytes, v->u.map->keys[k]->len);
            mmr_buf_putc(tmp, ':');
            mmr_buf_number(tmp, v->u.map->vals[k]);
        }
        mmr_buf_putc(tmp, '}');
        sqlite3_bind_text(st, i, tmp->data, (int)tmp->len, SQLITE_TRANSIENT);
        return;
    default: sqlite3_bind_null(st, i); return;
    }
}

static const char *col_text(sqlite3_stmt *st, int i, size_t *n)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    *n = s ? (size_t)sqlite3_column_bytes(st, i) : 0;
    return s;
}

/* An unknown zone in mm_user_traits (or the policy): say where. */
static void bad_zone(mmr_diags *d, const char *user, const char *tz)
{
    mmr_diag *g = d->n ? &d->v[d->n - 1] : NULL;
    if (!g) return;
    free(g->file);
    g->file = strdup(tz ? "mm_user_traits" : "policy timezone");
    if (tz) {
        mmr_buf m;
        mmr_buf_init(&m);
        mmr_buf_printf(&m, "user %s, column tz: unknown time zone \"%s\"", user, tz);
        free(g->message);
        g->message = mmr_buf_take(&m);
    }
}

int mmr_snapdb_compute(mmr_db *db, const mmr_unit *u, const char *as_of, const char *zoneinfo,
                       mmr_snapdb_stats *stats, mmr_diags *d)
{
    memset(stats, 0, sizeof *stats);
    int64_t D;
    if (mmr_sig_day_parse(as_of, &D)) {
        mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "\"%s\" is not a date YYYY-MM-DD", as_of);
        return -1;
    }
    mmr_sigplan *p = mmr_sigplan_new(u);
    mmr_sigcalc *c = p ? mmr_sigcalc_new(p, zoneinfo) : NULL;
    mmr_value *vals = calloc(u->nsignals ? u->nsignals : 1, sizeof *vals);
    sqlite3_stmt *users = NULL, *rows = NULL, *first = NULL, *ins = NULL, *tget = NULL, *tput = NULL;
    unsigned char *have = NULL;
    mmr_arena ua;
    mmr_arena_init(&ua, 1 << 16);
    mmr_buf q, tmp;
    mmr_buf_init(&q);
    mmr_buf_init(&tmp);
    mmr_txn *tx = NULL;
    size_t captx = 0;
    int rc = -1;
    if (!c || !vals) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); goto out; }
    if (ensure_columns(db, u, p, d)) goto out;
    int tzcol = has_column(db, "mm_user_traits", "tz", d);
    if (tzcol < 0) goto out;
    /* users: every one with transactions or traits, in user_id order */
    mmr_buf_printf(&q, "SELECT user_id, max(tz) FROM (SELECT DISTINCT user_id, NULL AS tz FROM mm_transaction "
                       "UNION ALL SELECT user_id, %s FROM mm_user_traits) GROUP BY user_id ORDER BY user_id",
                   tzcol ? "tz" : "NULL");
    if (mmr_db_prepare(db, &users, q.data, d)) goto out;
    /* the reach, with a day of margin either side for zone offsets */
    int64_t R = mmr_sigplan_reach(p), base = D - R + 1;
    const char *spec = mmr_sigplan_spec(p);
    if (mmr_db_prepare(db, &rows, "SELECT txn_id, ts, amount, type, category, merchant, recurring FROM mm_transaction "
                                  "WHERE user_id = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY ts, txn_id", d)) goto out;
    if (mmr_db_prepare(db, &first, "SELECT min(ts) FROM mm_transaction WHERE user_id = ?1", d)) goto out;
    if (mmr_db_prepare(db, &tget, "SELECT day, spec, data FROM mm_signal_tile WHERE user_id = ?1 AND day BETWEEN ?2 AND ?3", d)) goto out;
    if (mmr_db_prepare(db, &tput, "INSERT OR REPLACE INTO mm_signal_tile(user_id, day, spec, data) VALUES (?1, ?2, ?3, ?4)", d)) goto out;
    have = malloc((size_t)R);
    if (!have) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); goto out; }
    mmr_buf_clear(&q);
    mmr_buf_puts(&q, "INSERT INTO mm_signal_daily(user_id, as_of");
    size_t nout = mmr_sigplan_count(p);
    for (size_t k = 0; k < nout; k++) mmr_buf_printf(&q, ", \"%s\"", u->signals[mmr_sigplan_signal(p, k)]->name);
    mmr_buf_puts(&q, ") VALUES (?1, ?2");
    for (size_t k = 0; k < nout; k++) mmr_buf_printf(&q, ", ?%zu", k + 3);
    mmr_buf_puts(&q, ") ON CONFLICT(as_of, user_id) DO UPDATE SET ");
    for (size_t k = 0; k < nout; k++) {
        const char *n = u->signals[mmr_sigplan_signal(p, k)]->name;
        mmr_buf_printf(&q, "%s\"%s\" = excluded.\"%s\"", k ? ", " : "", n, n);
    }
    if (mmr_db_prepare(db, &ins, q.data, d)) goto out;
    int r;
    while ((r = sqlite3_step(users)) == SQLITE_ROW) {
        size_t ulen, tzlen;
        const char *uid = col_text(users, 0, &ulen);
        const char *tz = col_text(users, 1, &tzlen);
        if (!uid) continue;
        mmr_arena_reset(&ua);
        char *uidc = mmr_arena_strndup(&ua, uid, ulen);
        char *tzc = tz && tzlen ? mmr_arena_strndup(&ua, tz, tzlen) : NULL;
        if (!uidc) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); goto out; }
        mmr_sigcalc_begin(c, D);
        /* the first transaction ever: windows wholly before it are missing */
        sqlite3_reset(first);
        sqlite3_bind_text(first, 1, uidc, (int)ulen, SQLITE_STATIC);
        if (sqlite3_step(first) == SQLITE_ROW && sqlite3_column_type(first, 0) != SQLITE_NULL) {
            int64_t fd = mmr_sigcalc_local_day(c, tzc, sqlite3_column_int64(first, 0), d);
            if (fd == INT64_MIN) { bad_zone(d, uidc, tzc); goto out; }
            mmr_sigcalc_first_day(c, fd);
        }
        /* the days rolled up before, under the same definitions */
        memset(have, 0, (size_t)R);
        sqlite3_reset(tget);
        sqlite3_bind_text(tget, 1, uidc, (int)ulen, SQLITE_STATIC);
        sqlite3_bind_int64(tget, 2, base);
        sqlite3_bind_int64(tget, 3, D);
        int tr;
        while ((tr = sqlite3_step(tget)) == SQLITE_ROW) {
            int64_t day = sqlite3_column_int64(tget, 0);
            const char *sp = (const char *)sqlite3_column_text(tget, 1);
            if (day < base || day > D || !sp || strcmp(sp, spec)) continue;
            const void *blob = sqlite3_column_blob(tget, 2);
            int blen = sqlite3_column_bytes(tget, 2);
            if (mmr_sigcalc_tile_put(c, day, blob, (size_t)blen) == 0) { have[day - base] = 1; stats->tiles_reused++; }
        }
        if (tr != SQLITE_DONE) { mmr_db_error(db, d, "reading mm_signal_tile"); goto out; }
        /* the other days from transactions, one run of days at a time */
        for (int64_t lo = base; lo <= D;) {
            if (have[lo - base]) { lo++; continue; }
            int64_t hi = lo;
            while (hi + 1 <= D && !have[hi + 1 - base]) hi++;
            size_t n = 0;
            sqlite3_reset(rows);
            sqlite3_bind_text(rows, 1, uidc, (int)ulen, SQLITE_STATIC);
            sqlite3_bind_int64(rows, 2, (lo - 1) * 86400);     /* a day either side: any zone */
            sqlite3_bind_int64(rows, 3, (hi + 2) * 86400);
            int rr;
            while ((rr = sqlite3_step(rows)) == SQLITE_ROW) {
                if (n == captx) {
                    size_t nc = captx ? captx * 2 : 1024;
                    mmr_txn *nt = realloc(tx, nc * sizeof *nt);
                    if (!nt) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); goto out; }
                    tx = nt; captx = nc;
                }
                mmr_txn *t = &tx[n++];
                memset(t, 0, sizeof *t);
                t->user_id = uidc; t->user_id_len = ulen;
                size_t len;
                const char *sv = col_text(rows, 0, &len);
                t->txn_id = mmr_arena_strndup(&ua, sv ? sv : "", len); t->txn_id_len = len;
                t->ts = sqlite3_column_int64(rows, 1);
                t->amount = sqlite3_column_double(rows, 2);
                sv = col_text(rows, 3, &len);
                t->type = sv && !strcmp(sv, "income") ? MMR_TXN_INCOME : MMR_TXN_EXPENSE;
                sv = col_text(rows, 4, &len);
                t->category = mmr_arena_strndup(&ua, sv ? sv : "", len); t->category_len = len;
                sv = col_text(rows, 5, &len);
                if (sv) { t->merchant = mmr_arena_strndup(&ua, sv, len); t->merchant_len = len; }
                t->recurring = sqlite3_column_int(rows, 6) != 0;
                if (!t->txn_id || !t->category || (sv && !t->merchant)) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); goto out; }
            }
            if (rr != SQLITE_DONE) { mmr_db_error(db, d, "reading mm_transaction"); goto out; }
            stats->transactions += n;
            if (mmr_sigcalc_add(c, tx, n, tzc, lo, hi, d)) { bad_zone(d, uidc, tzc); goto out; }
            for (int64_t day = lo; day <= hi; day++) {
                if (mmr_sigcalc_tile_get(c, day, &tmp)) continue;
                sqlite3_reset(tput);
                sqlite3_bind_text(tput, 1, uidc, (int)ulen, SQLITE_STATIC);
                sqlite3_bind_int64(tput, 2, day);
                sqlite3_bind_text(tput, 3, spec, -1, SQLITE_STATIC);
                sqlite3_bind_blob(tput, 4, tmp.len ? tmp.data : "", (int)tmp.len, SQLITE_STATIC);
                if (sqlite3_step(tput) != SQLITE_DONE) { mmr_db_error(db, d, "writing mm_signal_tile"); goto out; }
                stats->tiles_built++;
            }
            lo = hi + 1;
        }
        for (size_t i = 0; i < u->nsignals; i++) vals[i] = mmr_v_missing();
        mmr_sigcalc_finish(c, NULL, vals, &ua);
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, uidc, (int)ulen, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, as_of, -1, SQLITE_STATIC);
        for (size_t k = 0; k < nout; k++) bind_value(ins, (int)k + 3, &vals[mmr_sigplan_signal(p, k)], &tmp);
        if (sqlite3_step(ins) != SQLITE_DONE) { mmr_db_error(db, d, "writing mm_signal_daily"); goto out; }
        stats->users++;
    }
    if (r != SQLITE_DONE) { mmr_db_error(db, d, "reading users"); goto out; }
    /* retention: signal rows and rollups older than it go, in this transaction */
    {
        char keep[MMR_TIME_BUF];
        mmr_date_format((D - mmr_sigplan_retention(p) + 1) * 86400, keep);
        sqlite3_stmt *del;
        if (mmr_db_prepare(db, &del, "DELETE FROM mm_signal_daily WHERE as_of < ?1", d)) goto out;
        sqlite3_bind_text(del, 1, keep, -1, SQLITE_TRANSIENT);
        int dr = sqlite3_step(del);
        stats->deleted_rows = (uint64_t)sqlite3_changes(db->h);
        sqlite3_finalize(del);
        if (dr != SQLITE_DONE) { mmr_db_error(db, d, "deleting old mm_signal_daily rows"); goto out; }
        if (mmr_db_prepare(db, &del, "DELETE FROM mm_signal_tile WHERE day < ?1", d)) goto out;
        sqlite3_bind_int64(del, 1, D - mmr_sigplan_retention(p) + 1);
        dr = sqlite3_step(del);
        sqlite3_finalize(del);
        if (dr != SQLITE_DONE) { mmr_db_error(db, d, "deleting old mm_signal_tile rows"); goto out; }
    }
    rc = 0;
out:
    if (users) sqlite3_finalize(users);
    if (rows) sqlite3_finalize(rows);
    if (first) sqlite3_finalize(first);
    if (ins) sqlite3_finalize(ins);
    if (tget) sqlite3_finalize(tget);
    if (tput) sqlite3_finalize(tput);
    free(have);
    free(tx);
    free(vals);
    mmr_buf_free(&q);
    mmr_buf_free(&tmp);
    mmr_arena_free(&ua);
    mmr_sigcalc_free(c);
    mmr_sigplan_free(p);
    return rc;
}

int mmr_snapdb_run(const mmr_unit *u, const char *path, const char *as_of, int busy_ms,
                   const char *zoneinfo, mmr_snapdb_stats *st, mmr_diags *d)
{
    mmr_db *db = NULL;
    if (mmr_db_open_state(&db, path, MMR_DB_OPEN_RW, busy_ms, d)) return -1;
    int rc = mmr_db_begin(db, d);
    if (!rc) rc = mmr_snapdb_compute(db, u, as_of, zoneinfo, st, d);
    if (!rc) rc = mmr_db_commit(db, d);
    else mmr_db_rollback(db);
    mmr_db_close(db);
    return rc;
}
