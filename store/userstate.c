/* Per-user state: feed, mute settings, interactions (store/userstate.h). */
#include <stdlib.h>
#include <string.h>
#include "store/userstate.h"
#include "util/userid.h"

const char *const mmr_store_default_categories[5] = { "budget", "dining", "goal", "shopping", "travel" };

int mmr_strlist_add(mmr_strlist *s, const char *x)
{
    if (mmr_strlist_has(s, x)) return 0;
    if (s->n == s->cap) {
        size_t c = s->cap ? s->cap * 2 : 8;
        char **v = realloc(s->v, c * sizeof *v);
        if (!v) return -1;
        s->v = v; s->cap = c;
    }
    if (!(s->v[s->n] = strdup(x))) return -1;
    s->n++;
    return 0;
}

int mmr_strlist_has(const mmr_strlist *s, const char *x)
{
    for (size_t i = 0; i < s->n; i++) if (!strcmp(s->v[i], x)) return 1;
    return 0;
}

void mmr_strlist_free(mmr_strlist *s)
{
    for (size_t i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* Shared by both stores' settings: the valid categories (the defaults
 * when none were recorded) and one error per requested one that is not. */
int mmr_store_check_categories(mmr_strlist *cats, const mmr_strlist *mute, const mmr_strlist *unmute,
                               const char *label, mmr_diags *d)
{
    if (!cats->n)
        for (size_t i = 0; i < sizeof mmr_store_default_categories / sizeof *mmr_store_default_categories; i++)
            if (mmr_strlist_add(cats, mmr_store_default_categories[i])) return -1;
    int bad = 0;
    for (int pass = 0; pass < 2; pass++) {
        const mmr_strlist *s = pass ? unmute : mute;
        for (size_t i = 0; i < s->n; i++) {
            if (mmr_strlist_has(cats, s->v[i])) continue;
            mmr_buf b;
            mmr_buf_init(&b);
            for (size_t j = 0; j < cats->n; j++) mmr_buf_printf(&b, "%s%s", j ? ", " : "", cats->v[j]);
            mmr_diag_add(d, MMR_SEV_ERROR, label, 0, 0, "unknown category \"%s\" (valid: %s)", s->v[i],
                         b.data ? b.data : "");
            mmr_buf_free(&b);
            bad = 1;
        }
    }
    return bad;
}

void mmr_strlist_json(mmr_buf *b, const mmr_strlist *s)
{
    mmr_buf_putc(b, '[');
    for (size_t i = 0; i < s->n; i++) {
        if (i) mmr_buf_putc(b, ',');
        mmr_buf_json_string(b, s->v[i], strlen(s->v[i]));
    }
    mmr_buf_putc(b, ']');
}

/* A failed statement: BUSY when the lock outlived the busy timeout, so a
 * server can answer 503 instead of a generic error. */
static int failed(mmr_db *db, mmr_diags *d, const char *what)
{
    int e = sqlite3_errcode(db->h);
    mmr_db_error(db, d, what);
    return e == SQLITE_BUSY || e == SQLITE_LOCKED ? MMR_STORE_BUSY : MMR_STORE_ERROR;
}

/* write: BEGIN IMMEDIATE (the write lock at once); read: a deferred
 * BEGIN, which under WAL never waits for a writer */
static int begin(mmr_db *db, int write, mmr_diags *d)
{
    if (write ? !mmr_db_begin(db, d) : sqlite3_exec(db->h, "BEGIN", NULL, NULL, NULL) == SQLITE_OK)
        return MMR_STORE_OK;
    int e = sqlite3_errcode(db->h);
    if (!write) mmr_db_error(db, d, "starting a read transaction");
    return e == SQLITE_BUSY || e == SQLITE_LOCKED ? MMR_STORE_BUSY : MMR_STORE_ERROR;
}

static int commit(mmr_db *db, mmr_diags *d)
{
    if (sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) return MMR_STORE_OK;
    int rc = failed(db, d, "commit");
    mmr_db_rollback(db);
    return rc;
}

static void put_field(mmr_buf *b, const char *key, sqlite3_stmt *st, int col)
{
    mmr_buf_printf(b, "\"%s\":", key);
    const char *s = (const char *)sqlite3_column_text(st, col);
    if (s) mmr_buf_json_string(b, s, (size_t)sqlite3_column_bytes(st, col));
    else mmr_buf_puts(b, "null");
}

int mmr_store_sqlite_feed(mmr_db *db, const char *user, long limit, const char *before_at, const char *before_id,
                   mmr_buf *items, int *more, mmr_buf *last_at, mmr_buf *last_id, mmr_diags *d)
{
    static const char feed_sql[] =
        /* ?2 NULL: from the newest; the row after the cursor in the feed's order */
        "SELECT delivery_id, title, body, category, delivered_at "
        "FROM mm_nudge_delivery_log WHERE user_id = ?1 "
        "AND (?2 IS NULL OR delivered_at < ?2 OR (delivered_at = ?2 AND delivery_id > ?3)) "
        "ORDER BY delivered_at DESC, delivery_id LIMIT ?4";
    sqlite3_stmt *st = NULL;
    *more = 0;
    /* one statement: its own read transaction (under WAL it never waits
     * for a writer), so no BEGIN; cached, as the server asks it most */
    int rc = MMR_STORE_ERROR;
    if (mmr_db_cached(db, &st, feed_sql, d)) {   /* the diagnostic is added */
        int e = sqlite3_errcode(db->h);
        return e == SQLITE_BUSY || e == SQLITE_LOCKED ? MMR_STORE_BUSY : MMR_STORE_ERROR;
    }
    sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
    if (before_at && before_id) {
        sqlite3_bind_text(st, 2, before_at, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, before_id, -1, SQLITE_STATIC);
    }
    sqlite3_bind_int64(st, 4, limit > 0 ? (sqlite3_int64)limit + 1 : -1);
    int r;
    long n = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (limit > 0 && n == limit) { *more = 1; break; }
        mmr_buf_puts(items, n++ ? ",{" : "{");
        put_field(items, "id", st, 0); mmr_buf_putc(items, ',');
        put_field(items, "title", st, 1); mmr_buf_putc(items, ',');
        put_field(items, "body", st, 2); mmr_buf_putc(items, ',');
        put_field(items, "category", st, 3); mmr_buf_putc(items, ',');
        put_field(items, "delivered_at", st, 4);
        mmr_buf_putc(items, '}');
        mmr_buf_clear(last_at);
        mmr_buf_clear(last_id);
        const char *a = (const char *)sqlite3_column_text(st, 4), *i = (const char *)sqlite3_column_text(st, 0);
        mmr_buf_puts(last_at, a ? a : "");
        mmr_buf_puts(last_id, i ? i : "");
    }
    if (r != SQLITE_DONE && r != SQLITE_ROW) { rc = failed(db, d, "reading mm_nudge_delivery_log"); goto out; }
    if (items->oom || last_at->oom || last_id->oom) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); goto out; }
    rc = MMR_STORE_OK;
out:
    mmr_db_uncache(db, st);
    return rc;
}

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int mmr_store_sqlite_settings(mmr_db *db, const char *user, const mmr_strlist *mute, const mmr_strlist *unmute,
                       int replace, const char *now_ts, mmr_strlist *muted, mmr_strlist *cats, mmr_diags *d)
{
    sqlite3_stmt *st = NULL;
    int change = replace || mute->n || unmute->n;
    int rc = begin(db, change, d);
    if (rc) return rc;
    rc = MMR_STORE_ERROR;
    int r;
    if (mmr_db_prepare(db, &st, "SELECT DISTINCT category FROM mm_nudge_rule_master WHERE category <> '' "
                                "ORDER BY category", d)) goto out;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if (mmr_strlist_add(cats, (const char *)sqlite3_column_text(st, 0))) goto oom;
    if (r != SQLITE_DONE) { rc = failed(db, d, "reading mm_nudge_rule_master"); goto out; }
    sqlite3_finalize(st); st = NULL;
    int bad = mmr_store_check_categories(cats, mute, unmute, db->path, d);
    if (bad < 0) goto oom;
    if (bad) { rc = MMR_STORE_INVALID; goto out; }
    if (change) {
        if (mmr_db_prepare(db, &st, "INSERT INTO mm_user_suppression(user_id, category, muted_at) "
                                    "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING", d)) goto out;
        for (size_t i = 0; i < mute->n; i++) {
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, mute->v[i], -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, now_ts, -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE) { rc = failed(db, d, "writing mm_user_suppression"); goto out; }
        }
        sqlite3_finalize(st); st = NULL;
        if (mmr_db_prepare(db, &st, "DELETE FROM mm_user_suppression WHERE user_id = ?1 AND category = ?2", d)) goto out;
        /* replace: every category not in mute goes, including ones no
         * longer valid */
        mmr_strlist gone = {0};
        if (replace) {
            sqlite3_stmt *q = NULL;
            if (mmr_db_prepare(db, &q, "SELECT category FROM mm_user_suppression WHERE user_id = ?1", d)) goto out;
            sqlite3_bind_text(q, 1, user, -1, SQLITE_STATIC);
            int bad_add = 0;
            while ((r = sqlite3_step(q)) == SQLITE_ROW) {
                const char *c = (const char *)sqlite3_column_text(q, 0);
                if (c && !mmr_strlist_has(mute, c) && mmr_strlist_add(&gone, c)) bad_add = 1;
            }
            if (r != SQLITE_DONE) { sqlite3_finalize(q); mmr_strlist_free(&gone); rc = failed(db, d, "reading mm_user_suppression"); goto out; }
            sqlite3_finalize(q);
            if (bad_add) { mmr_strlist_free(&gone); goto oom; }
        }
        const mmr_strlist *del = replace ? &gone : unmute;
        for (size_t i = 0; i < del->n; i++) {
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, del->v[i], -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE) { mmr_strlist_free(&gone); rc = failed(db, d, "writing mm_user_suppression"); goto out; }
        }
        mmr_strlist_free(&gone);
        sqlite3_finalize(st); st = NULL;
    }
    if (mmr_db_prepare(db, &st, "SELECT category FROM mm_user_suppression WHERE user_id = ?1 ORDER BY category", d)) goto out;
    sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if (mmr_strlist_add(muted, (const char *)sqlite3_column_text(st, 0))) goto oom;
    if (r != SQLITE_DONE) { rc = failed(db, d, "reading mm_user_suppression"); goto out; }
    sqlite3_finalize(st); st = NULL;
    qsort(cats->v, cats->n, sizeof *cats->v, cmpstr);
    if (change) return commit(db, d);
    rc = MMR_STORE_OK;
    goto out;
oom:
    mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory");
    rc = MMR_STORE_ERROR;
out:
    sqlite3_finalize(st);
    mmr_db_rollback(db);
    return rc;
}

int mmr_store_sqlite_interaction(mmr_db *db, const char *delivery_id, const char *user, const char *action,
                          const char *ts, long long *iid, char **user_out, mmr_diags *d)
{
    sqlite3_stmt *sel = NULL, *ins = NULL;
    char *owner = NULL;
    *user_out = NULL;
    int rc = begin(db, 1, d);
    if (rc) return rc;
    rc = MMR_STORE_ERROR;
    if (mmr_db_prepare(db, &sel, "SELECT user_id FROM mm_nudge_delivery_log WHERE delivery_id = ?1", d) ||
        mmr_db_prepare(db, &ins, "INSERT INTO mm_nudge_interaction_log(delivery_id, user_id, action, timestamp) "
                                 "VALUES (?1, ?2, ?3, ?4)", d)) goto out;
    sqlite3_bind_text(sel, 1, delivery_id, -1, SQLITE_STATIC);
    int r = sqlite3_step(sel);
    const char *us = r == SQLITE_ROW ? (const char *)sqlite3_column_text(sel, 0) : NULL;
    size_t ul = us ? (size_t)sqlite3_column_bytes(sel, 0) : 0;
    if (r == SQLITE_DONE || (r == SQLITE_ROW && user && (!us || ul != strlen(user) || memcmp(us, user, ul)))) {
        mmr_diag_add(d, MMR_SEV_ERROR, db->path, 0, 0, "no delivery with id \"%s\"", delivery_id);
        rc = MMR_STORE_NOT_FOUND;
        goto out;
    }
    if (r != SQLITE_ROW) { rc = failed(db, d, "reading mm_nudge_delivery_log"); goto out; }
    {
        /* a stored id must pass the user id rule too: a NUL inside would
         * cut it short here (util/userid.h) */
        mmr_buf ub;
        mmr_buf_init(&ub);
        if (mmr_user_id_check(&ub, us ? us : "", ul) < 0) {
            mmr_diag_add(d, MMR_SEV_ERROR, db->path, 0, 0, "mm_nudge_delivery_log.user_id (delivery_id \"%s\"): %s",
                         delivery_id, ub.data ? ub.data : "bad user id");
            mmr_buf_free(&ub);
            goto out;
        }
        mmr_buf_free(&ub);
        owner = strndup(us, ul);
    }
    if (!owner) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); goto out; }
    sqlite3_bind_text(ins, 1, delivery_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, ts, -1, SQLITE_STATIC);
    if (sqlite3_step(ins) != SQLITE_DONE) { rc = failed(db, d, "writing mm_nudge_interaction_log"); goto out; }
    *iid = (long long)sqlite3_last_insert_rowid(db->h);
    sqlite3_finalize(sel); sel = NULL;
    sqlite3_finalize(ins); ins = NULL;
    rc = commit(db, d);
    if (rc) goto out;
    *user_out = owner;
    return MMR_STORE_OK;
out:
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    mmr_db_rollback(db);
    free(owner);
    return rc;
}
