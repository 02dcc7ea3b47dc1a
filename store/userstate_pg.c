/* Per-user state on PostgreSQL: feed, mute settings, interactions, with
 * the contracts of store/userstate.h and the behaviour of the SQLite
 * version (store/userstate.c) row for row. Text is compared and sorted
 * with COLLATE "C" (bytes), as SQLite does, so the feed's order and its
 * cursor are the same whatever the database's collation. */
#include <stdlib.h>
#include <string.h>
#include "store/userstate.h"
#include "util/userid.h"

/* A failure: BUSY for what a retry can cure (a lock wait past
 * lock_timeout, a serialization failure, a deadlock), so a server can
 * answer 503 as it does for SQLite's busy timeout. */
static int failed(mmr_pg *pg, const PGresult *r, mmr_diags *d, const char *what)
{
    mmr_pg_error(pg, r, d, what);
    const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    return st && (!strcmp(st, "55P03") || !strcmp(st, "40001") || !strcmp(st, "40P01")) ? MMR_STORE_BUSY
                                                                                          : MMR_STORE_ERROR;
}

/* Run sql with text parameters (NULL: SQL null). The result (PQclear
 * it), or NULL with *rc set and a diagnostic. */
static PGresult *run(mmr_pg *pg, const char *sql, int n, const char *const *params, int *rc, mmr_diags *d,
                     const char *what)
{
    PGresult *r = PQexecParams(pg->h, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) return r;
    *rc = failed(pg, r, d, what);
    PQclear(r);
    return NULL;
}

static int exec0(mmr_pg *pg, const char *sql, int n, const char *const *params, mmr_diags *d, const char *what)
{
    int rc = MMR_STORE_OK;
    PGresult *r = run(pg, sql, n, params, &rc, d, what);
    PQclear(r);
    return r ? MMR_STORE_OK : rc;
}

static int commit(mmr_pg *pg, mmr_diags *d)
{
    int rc = exec0(pg, "COMMIT", 0, NULL, d, "commit");
    if (rc) mmr_pg_rollback(pg);
    return rc;
}

static void oom(mmr_diags *d) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); }

static void put_field(mmr_buf *b, const char *key, const PGresult *r, int row, int col)
{
    mmr_buf_printf(b, "\"%s\":", key);
    if (PQgetisnull(r, row, col)) mmr_buf_puts(b, "null");
    else mmr_buf_json_string(b, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

int mmr_store_pg_feed(mmr_pg *pg, const char *user, long limit, const char *before_at, const char *before_id,
                      mmr_buf *items, int *more, mmr_buf *last_at, mmr_buf *last_id, mmr_diags *d)
{
    /* one statement: its own transaction; $2 NULL: from the newest; $4
     * NULL: no limit */
    static const char sql[] =
        "SELECT delivery_id, title, body, category, delivered_at FROM mm_nudge_delivery_log "
        "WHERE user_id = $1 AND ($2::text IS NULL OR delivered_at < $2::text COLLATE \"C\" "
        "  OR (delivered_at = $2::text AND delivery_id > $3::text COLLATE \"C\")) "
        "ORDER BY delivered_at COLLATE \"C\" DESC, delivery_id COLLATE \"C\" LIMIT $4::bigint";
    *more = 0;
    char lim[32];
    snprintf(lim, sizeof lim, "%ld", limit + 1);
    int cur = before_at && before_id;
    const char *params[4] = { user, cur ? before_at : NULL, cur ? before_id : NULL, limit > 0 ? lim : NULL };
    int rc = MMR_STORE_ERROR;
    PGresult *r = run(pg, sql, 4, params, &rc, d, "reading mm_nudge_delivery_log");
    if (!r) return rc;
    int rows = PQntuples(r);
    for (int i = 0; i < rows; i++) {
        if (limit > 0 && i == limit) { *more = 1; break; }
        mmr_buf_puts(items, i ? ",{" : "{");
        put_field(items, "id", r, i, 0); mmr_buf_putc(items, ',');
        put_field(items, "title", r, i, 1); mmr_buf_putc(items, ',');
        put_field(items, "body", r, i, 2); mmr_buf_putc(items, ',');
        put_field(items, "category", r, i, 3); mmr_buf_putc(items, ',');
        put_field(items, "delivered_at", r, i, 4);
        mmr_buf_putc(items, '}');
        mmr_buf_clear(last_at);
        mmr_buf_clear(last_id);
        mmr_buf_puts(last_at, PQgetvalue(r, i, 4));
        mmr_buf_puts(last_id, PQgetvalue(r, i, 0));
    }
    PQclear(r);
    if (items->oom || last_at->oom || last_id->oom) { oom(d); return MMR_STORE_ERROR; }
    return MMR_STORE_OK;
}

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Add column 0 of every row of r to l. -1 out of memory. */
static int add_rows(mmr_strlist *l, const PGresult *r)
{
    for (int i = 0; i < PQntuples(r); i++)
        if (mmr_strlist_add(l, PQgetvalue(r, i, 0))) return -1;
    return 0;
}

int mmr_store_pg_settings(mmr_pg *pg, const char *user, const mmr_strlist *mute, const mmr_strlist *unmute,
                          int replace, const char *now_ts, mmr_strlist *muted, mmr_strlist *cats, mmr_diags *d)
{
    int change = replace || mute->n || unmute->n;
    /* a read sees one snapshot; a change holds the user's lock, so two
     * changes of one user's mutes run one after the other (SQLite: the
     * write lock of BEGIN IMMEDIATE) */
    int rc = exec0(pg, change ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ", 0, NULL, d, "beginning");
    if (rc) return rc;
    const char *u1[1] = { user };
    PGresult *r = NULL;
    if (change && (rc = exec0(pg, "SELECT pg_advisory_xact_lock(hashtext('mm_user_suppression'), hashtext($1))",
                              1, u1, d, "locking the user's settings")))
        goto out;
    rc = MMR_STORE_ERROR;
    if (!(r = run(pg, "SELECT category FROM mm_nudge_rule_master WHERE category <> '' "
                      "GROUP BY category ORDER BY category COLLATE \"C\"", 0, NULL, &rc, d,
                  "reading mm_nudge_rule_master"))) goto out;
    if (add_rows(cats, r)) goto oom;
    PQclear(r); r = NULL;
    int bad = mmr_store_check_categories(cats, mute, unmute, pg->label, d);
    if (bad < 0) goto oom;
    if (bad) { rc = MMR_STORE_INVALID; goto out; }
    if (change) {
        rc = MMR_STORE_OK;
        for (size_t i = 0; i < mute->n; i++) {
            const char *p[3] = { user, mute->v[i], now_ts };
            if ((rc = exec0(pg, "INSERT INTO mm_user_suppression(user_id, category, muted_at) "
                                "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", 3, p, d,
                            "writing mm_user_suppression"))) goto out;
        }
        /* replace: every category not in mute goes, including ones no
         * longer valid */
        mmr_strlist gone = {0};
        if (replace &&
            !(r = run(pg, "SELECT category FROM mm_user_suppression WHERE user_id = $1", 1, u1, &rc, d,
                      "reading mm_user_suppression"))) goto out;
        if (replace) {
            for (int i = 0; i < PQntuples(r); i++) {
                const char *c = PQgetvalue(r, i, 0);
                if (!mmr_strlist_has(mute, c) && mmr_strlist_add(&gone, c)) { mmr_strlist_free(&gone); goto oom; }
            }
            PQclear(r); r = NULL;
        }
        const mmr_strlist *del = replace ? &gone : unmute;
        for (size_t i = 0; i < del->n && !rc; i++) {
            const char *p[2] = { user, del->v[i] };
            rc = exec0(pg, "DELETE FROM mm_user_suppression WHERE user_id = $1 AND category = $2", 2, p, d,
                       "writing mm_user_suppression");
        }
        mmr_strlist_free(&gone);
        if (rc) goto out;
    }
    rc = MMR_STORE_ERROR;
    if (!(r = run(pg, "SELECT category FROM mm_user_suppression WHERE user_id = $1 ORDER BY category COLLATE \"C\"",
                  1, u1, &rc, d, "reading mm_user_suppression"))) goto out;
    if (add_rows(muted, r)) goto oom;
    PQclear(r); r = NULL;
    qsort(cats->v, cats->n, sizeof *cats->v, cmpstr);
    return commit(pg, d);
oom:
    oom(d);
    rc = MMR_STORE_ERROR;
out:
    PQclear(r);
    mmr_pg_rollback(pg);
    return rc;
}

int mmr_store_pg_interaction(mmr_pg *pg, const char *delivery_id, const char *user, const char *action,
                             const char *ts, long long *iid, char **user_out, mmr_diags *d)
{
    char *owner = NULL;
    *user_out = NULL;
    int rc = exec0(pg, "BEGIN", 0, NULL, d, "beginning");
    if (rc) return rc;
    rc = MMR_STORE_ERROR;
    const char *p1[1] = { delivery_id };
    PGresult *r = run(pg, "SELECT user_id FROM mm_nudge_delivery_log WHERE delivery_id = $1", 1, p1, &rc, d,
                      "reading mm_nudge_delivery_log");
    if (!r) goto out;
    const char *us = PQntuples(r) && !PQgetisnull(r, 0, 0) ? PQgetvalue(r, 0, 0) : NULL;
    if (!PQntuples(r) || (user && (!us || strcmp(us, user)))) {
        mmr_diag_add(d, MMR_SEV_ERROR, pg->label, 0, 0, "no delivery with id \"%s\"", delivery_id);
        rc = MMR_STORE_NOT_FOUND;
        goto out;
    }
    {
        /* a stored id must pass the user id rule too (util/userid.h) */
        mmr_buf ub;
        mmr_buf_init(&ub);
        size_t ul = us ? (size_t)PQgetlength(r, 0, 0) : 0;
        if (mmr_user_id_check(&ub, us ? us : "", ul) < 0) {
            mmr_diag_add(d, MMR_SEV_ERROR, pg->label, 0, 0, "mm_nudge_delivery_log.user_id (delivery_id \"%s\"): %s",
                         delivery_id, ub.data ? ub.data : "bad user id");
            mmr_buf_free(&ub);
            goto out;
        }
        mmr_buf_free(&ub);
        owner = strdup(us);
    }
    PQclear(r); r = NULL;
    if (!owner) { oom(d); goto out; }
    const char *p4[4] = { delivery_id, owner, action, ts };
    if (!(r = run(pg, "INSERT INTO mm_nudge_interaction_log(delivery_id, user_id, action, timestamp) "
                      "VALUES ($1, $2, $3, $4) RETURNING interaction_id", 4, p4, &rc, d,
                  "writing mm_nudge_interaction_log"))) goto out;
    *iid = PQntuples(r) ? atoll(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r); r = NULL;
    if ((rc = commit(pg, d))) goto out;
    *user_out = owner;
    return MMR_STORE_OK;
out:
    PQclear(r);
    mmr_pg_rollback(pg);
    free(owner);
    return rc;
}
