/* Derived signals from the database (see signals/snapdb.h). */
#include "signals/snapdb.h"
#include <stdlib.h>
#include <string.h>
#include "signals/compute.h"
#include "signals/rows.h"
#include "signals/source.h"
#include "signals/snapfile.h"
#include "util/buf.h"
#include "util/timeutil.h"
#include "util/userid.h"

static int ucmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

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

int mmr_snapdb_has_sources(mmr_db *db, mmr_diags *d)
{
    sqlite3_stmt *st;
    if (mmr_db_prepare(db, &st, "SELECT EXISTS (SELECT 1 FROM mm_transaction) OR EXISTS (SELECT 1 FROM mm_budget) "
                                "OR EXISTS (SELECT 1 FROM mm_goal)", d)) return -1;
    int r = sqlite3_step(st), v = r == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    if (v < 0) mmr_db_error(db, d, "reading mm_transaction");
    return v;
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

/* A user id read back from table.user_id: -1 with a diagnostic when it
 * breaks the user id rule (util/userid.h), a NUL inside included (the
 * byte count is SQLite's, not strlen's). */
static int bad_user(mmr_db *db, const char *table, const char *s, size_t n, mmr_diags *d)
{
    mmr_buf b;
    mmr_buf_init(&b);
    if (mmr_user_id_check(&b, s ? s : "", s ? n : 0) == 0) { mmr_buf_free(&b); return 0; }
    mmr_diag *g = mmr_diag_add(d, MMR_SEV_ERROR, db->path ? db->path : "", 0, 0, "%s.user_id: %s", table,
                               b.data ? b.data : "bad user id");
    if (g) mmr_diag_set_hint(g, "fix the stored user id; nothing was written");
    mmr_buf_free(&b);
    return -1;
}

/* A cursor over one week's rollup rows, in user order. */
typedef struct weekcur { sqlite3_stmt *st; int64_t week; int rc; } weekcur;

/* The Monday of a day's week (days since 1970-01-01, a Thursday). */
static int64_t monday(int64_t day) { return day - (((day + 3) % 7 + 7) % 7); }

static void put_uvarint(mmr_buf *b, uint64_t v)
{
    char t[10];
    int n = 0;
    do { t[n++] = (char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0)); v >>= 7; } while (v);
    mmr_buf_append(b, t, (size_t)n);
}

static int get_uvarint(const unsigned char *p, size_t len, size_t *pos, uint64_t *out)
{
    uint64_t v = 0;
    for (int s = 0; s < 64 && *pos < len; s += 7) {
        unsigned char c = p[(*pos)++];
        v |= (uint64_t)(c & 0x7f) << s;
        if (!(c & 0x80)) { *out = v; return 1; }
    }
    return 0;
}

void mmr_snapdb_bad_zone(mmr_diags *d, const char *user, const char *tz)
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
    sqlite3_stmt *users = NULL, *rows = NULL, *first = NULL, *ins = NULL, *tput = NULL;
    weekcur *wc = NULL;
    size_t nweeks = 0;
    mmr_rowdb rb = { NULL, MMR_SRC_BUDGET }, rg = { NULL, MMR_SRC_GOAL };
    unsigned char *have = NULL;
    mmr_arena ua;
    mmr_arena_init(&ua, 1 << 16);
    mmr_buf q, tmp, block;
    mmr_buf_init(&q);
    mmr_buf_init(&tmp);
    mmr_buf_init(&block);
    mmr_txn *tx = NULL;
    size_t captx = 0;
    int rc = -1;
    if (!c || !vals) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); goto out; }
    if (ensure_columns(db, u, p, d)) goto out;
    int tzcol = has_column(db, "mm_user_traits", "tz", d);
    if (tzcol < 0) goto out;
    /* users: every one with transactions or traits, in user_id order: the
     * traits table merged with a skip-scan of the (user_id, ts) index,
     * which also gives each user's first transaction */
    if (mmr_db_prepare(db, &first, "SELECT user_id, ts FROM mm_transaction WHERE user_id > ?1 "
                                   "ORDER BY user_id, ts LIMIT 1", d)) goto out;
    mmr_buf_printf(&q, "SELECT user_id, %s FROM mm_user_traits ORDER BY user_id", tzcol ? "tz" : "NULL");
    if (mmr_db_prepare(db, &users, q.data, d)) goto out;
    /* the reach, with a day of margin either side for zone offsets */
    int64_t R = mmr_sigplan_reach(p), base = D - R + 1;
    int64_t spec = mmr_sigplan_spec_id(p);
    if (mmr_db_prepare(db, &rows, "SELECT txn_id, ts, amount, type, category, merchant, recurring FROM mm_transaction "
                                  "WHERE user_id = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY ts, txn_id", d)) goto out;
    nweeks = (size_t)((monday(D) - monday(base)) / 7 + 1);
    wc = calloc(nweeks, sizeof *wc);
    if (!wc) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); goto out; }
    for (size_t k = 0; k < nweeks; k++) {
        wc[k].week = monday(base) + 7 * (int64_t)k;
        if (mmr_db_prepare(db, &wc[k].st, "SELECT user_id, data FROM mm_signal_tile WHERE spec = ?1 AND week = ?2 "
                                          "ORDER BY user_id", d)) goto out;
        sqlite3_bind_int64(wc[k].st, 1, spec);
        sqlite3_bind_int64(wc[k].st, 2, wc[k].week);
        wc[k].rc = sqlite3_step(wc[k].st);
    }
    /* (rows are written while the week cursors read on: each only ever
     * replaces the row of the user they have just passed) */
    if (mmr_db_prepare(db, &tput, "INSERT OR REPLACE INTO mm_signal_tile(user_id, spec, week, data) VALUES (?1, ?2, ?3, ?4)", d)) goto out;
    if (mmr_sigplan_uses(p, MMR_SRC_BUDGET) && mmr_rowdb_open(&rb, db, MMR_SRC_BUDGET, d)) goto out;
    if (mmr_sigplan_uses(p, MMR_SRC_GOAL) && mmr_rowdb_open(&rg, db, MMR_SRC_GOAL, d)) goto out;
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
    sqlite3_bind_text(first, 1, "", 0, SQLITE_STATIC);
    int rt = sqlite3_step(first), rr_ = sqlite3_step(users);
    for (;;) {
        if ((rt != SQLITE_ROW && rt != SQLITE_DONE) || (rr_ != SQLITE_ROW && rr_ != SQLITE_DONE)) {
            mmr_db_error(db, d, "reading the users");
            goto out;
        }
        if (rt == SQLITE_DONE && rr_ == SQLITE_DONE) break;
        size_t tlen = 0, ulen2 = 0, tzlen = 0;
        const char *tu = rt == SQLITE_ROW ? col_text(first, 0, &tlen) : NULL;
        const char *ru = rr_ == SQLITE_ROW ? col_text(users, 0, &ulen2) : NULL;
        if ((rt == SQLITE_ROW && bad_user(db, "mm_transaction", tu, tlen, d)) ||
            (rr_ == SQLITE_ROW && bad_user(db, "mm_user_traits", ru, ulen2, d))) goto out;
        int cmp = !tu ? 1 : !ru ? -1 : ucmp(tu, tlen, ru, ulen2);
        mmr_arena_reset(&ua);
        size_t ulen = cmp <= 0 ? tlen : ulen2;
        char *uidc = mmr_arena_strndup(&ua, cmp <= 0 ? tu : ru, ulen);
        const char *tz = cmp >= 0 ? col_text(users, 1, &tzlen) : NULL;
        char *tzc = tz && tzlen ? mmr_arena_strndup(&ua, tz, tzlen) : NULL;
        int64_t first_ts = cmp <= 0 ? sqlite3_column_int64(first, 1) : 0;
        if (!uidc) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); goto out; }
        /* the cursors move on before the user is computed (uidc is a copy) */
        if (cmp <= 0) {
            sqlite3_reset(first);
            sqlite3_bind_text(first, 1, uidc, (int)ulen, SQLITE_TRANSIENT);
            rt = sqlite3_step(first);
        }
        if (cmp >= 0) rr_ = sqlite3_step(users);
        mmr_sigcalc_begin(c, D);
        /* the first transaction ever: windows wholly before it are missing */
        if (cmp <= 0) {
            int64_t fd = mmr_sigcalc_local_day(c, tzc, first_ts, d);
            if (fd == INT64_MIN) { mmr_snapdb_bad_zone(d, uidc, tzc); goto out; }
            mmr_sigcalc_first_day(c, fd);
        }
        /* the days rolled up before, under the same definitions: blocks of
         * a week (Monday first), each a list of day tiles; one cursor per
         * week walks the users in step with this loop */
        memset(have, 0, (size_t)R);
        for (size_t k = 0; k < nweeks; k++) {
            weekcur *w = &wc[k];
            while (w->rc == SQLITE_ROW) {
                size_t wl;
                const char *wu = col_text(w->st, 0, &wl);
                int cmpw = wu ? ucmp(wu, wl, uidc, ulen) : -1;
                if (cmpw > 0) break;
                if (cmpw == 0) {
                    const unsigned char *blob = sqlite3_column_blob(w->st, 1);
                    size_t blen = (size_t)sqlite3_column_bytes(w->st, 1), pos = 0;
                    uint64_t off, len;
                    while (pos < blen && get_uvarint(blob, blen, &pos, &off) && get_uvarint(blob, blen, &pos, &len) &&
                           off < 7 && len <= blen - pos) {
                        int64_t day = w->week + (int64_t)off;
                        if (day >= base && day <= D && !have[day - base] &&
                            mmr_sigcalc_tile_put(c, day, blob + pos, (size_t)len) == 0) {
                            have[day - base] = 1;
                            stats->tiles_reused++;
                        }
                        pos += len;
                    }
                }
                w->rc = sqlite3_step(w->st);
            }
            if (w->rc != SQLITE_ROW && w->rc != SQLITE_DONE) { mmr_db_error(db, d, "reading mm_signal_tile"); goto out; }
        }
        /* the other days from transactions, one run of days at a time */
        int64_t dirty_lo = INT64_MAX, dirty_hi = INT64_MIN;
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
            if (mmr_sigcalc_add(c, tx, n, tzc, lo, hi, d)) { mmr_snapdb_bad_zone(d, uidc, tzc); goto out; }
            stats->tiles_built += (uint64_t)(hi - lo + 1);
            if (lo < dirty_lo) dirty_lo = lo;
            if (hi > dirty_hi) dirty_hi = hi;
            lo = hi + 1;
        }
        /* every week block with a new day is written again, whole */
        for (int64_t week = dirty_lo == INT64_MAX ? 1 : monday(dirty_lo); dirty_lo != INT64_MAX && week <= dirty_hi; week += 7) {
            mmr_buf_clear(&block);
            for (int64_t day = week < base ? base : week; day <= week + 6 && day <= D; day++) {
                if (mmr_sigcalc_tile_get(c, day, &tmp)) continue;
                put_uvarint(&block, (uint64_t)(day - week));
                put_uvarint(&block, tmp.len);
                if (tmp.len) mmr_buf_append(&block, tmp.data, tmp.len);
            }
            sqlite3_reset(tput);
            sqlite3_bind_text(tput, 1, uidc, (int)ulen, SQLITE_STATIC);
            sqlite3_bind_int64(tput, 2, spec);
            sqlite3_bind_int64(tput, 3, week);
            sqlite3_bind_blob(tput, 4, block.len ? block.data : "", (int)block.len, SQLITE_STATIC);
            if (sqlite3_step(tput) != SQLITE_DONE) { mmr_db_error(db, d, "writing mm_signal_tile"); goto out; }
        }
        /* the user's budgets and goals, when the ruleset reads them */
        mmr_rowdb *rdbs[2] = { &rb, &rg };
        for (int k = 0; k < 2; k++) {
            if (!rdbs[k]->st) continue;
            mmr_value *brows;
            size_t bn;
            if (mmr_rowdb_user(rdbs[k], db, uidc, ulen, &ua, &brows, &bn, d) ||
                mmr_sigcalc_rows(c, rdbs[k]->source, brows, bn)) goto out;
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
        if (mmr_db_prepare(db, &del, "DELETE FROM mm_signal_tile WHERE week + 6 < ?1", d)) goto out;
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
    for (size_t k = 0; wc && k < nweeks; k++) if (wc[k].st) sqlite3_finalize(wc[k].st);
    free(wc);
    if (tput) sqlite3_finalize(tput);
    free(have);
    mmr_rowdb_close(&rb);
    mmr_rowdb_close(&rg);
    free(tx);
    free(vals);
    mmr_buf_free(&q);
    mmr_buf_free(&tmp);
    mmr_buf_free(&block);
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
    /* the rollups are read in full each night: map the file rather than
     * copy it page by page (a hint: SQLite may decline) */
    sqlite3_exec(db->h, "PRAGMA mmap_size=1073741824", NULL, NULL, NULL);
    int rc = mmr_db_begin(db, d);
    if (!rc) rc = mmr_snapdb_compute(db, u, as_of, zoneinfo, st, d);
    if (!rc) rc = mmr_db_commit(db, d);
    else mmr_db_rollback(db);
    mmr_db_close(db);
    return rc;
}
