/* The store handle: SQLite or PostgreSQL behind one type (store/store.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/store.h"

struct mmr_store {
    mmr_db *db;     /* SQLite, or */
    mmr_pg *pg;     /* PostgreSQL */
};

/* A read-only open needs the current schema; the message is the one of
 * the SQLite store (engine/db.c mmr_db_open_state). */
static int pg_check_schema(mmr_pg *pg, mmr_diags *d)
{
    /* two statements: a query naming a missing table would not parse */
    PGresult *r = mmr_pg_query(pg, "SELECT to_regclass('mm_schema_version') IS NOT NULL", d, "reading the schema");
    if (!r) return -1;
    int v = PQntuples(r) && !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    if (v) {
        if (!(r = mmr_pg_query(pg, "SELECT coalesce(max(version), 0) FROM mm_schema_version", d,
                               "reading mm_schema_version"))) return -1;
        v = PQntuples(r) ? atoi(PQgetvalue(r, 0, 0)) : 0;
        PQclear(r);
    }
    if (v == MMR_DB_SCHEMA_VERSION) return 0;
    mmr_diag_add(d, MMR_SEV_ERROR, pg->label, 0, 0,
                 v == 0 ? "the database has no mmr schema (version %d, need %d); run `mmr run` first"
                 : v < MMR_DB_SCHEMA_VERSION
                     ? "the database has an older mmr schema (version %d, need %d); run `mmr run` once to migrate it"
                     : "the database has schema version %d; this mmr knows up to %d",
                 v, MMR_DB_SCHEMA_VERSION);
    return -1;
}

static int pg_open(mmr_pg **out, const char *url, int flags, int busy_ms, mmr_diags *d)
{
    mmr_pg *pg;
    if (mmr_pg_open(&pg, url, d)) return -1;
    /* a lock held longer than busy_ms fails the statement (SQLSTATE
     * 55P03, MMR_STORE_BUSY) instead of holding the caller; read-only:
     * every transaction of the session is, so nothing can be written
     * (read-write leaves the server's setting alone: a read-only
     * database stays one, and says so) */
    char set[160];
    snprintf(set, sizeof set, "SET lock_timeout = %d%s", busy_ms > 0 ? busy_ms : MMR_DB_BUSY_MS_DEFAULT,
             flags == MMR_STORE_OPEN_RO ? "; SET default_transaction_read_only = on" : "");
    int rc = mmr_pg_exec(pg, set, d, "setting up the session");
    if (!rc && flags == MMR_STORE_OPEN_RO) rc = pg_check_schema(pg, d);
    else if (!rc && flags == MMR_STORE_OPEN_RW) {
        /* create the schema or check its version, as `mmr run` does
         * (store/pg_schema.c), in a transaction of its own */
        rc = mmr_pg_exec(pg, "BEGIN", d, "beginning");
        if (!rc) rc = mmr_pg_migrate(pg, NULL, 0, NULL, 0, d);
        if (!rc) rc = mmr_pg_exec(pg, "COMMIT", d, "committing the schema");
        if (rc) mmr_pg_rollback(pg);
    }
    if (rc) { mmr_pg_close(pg); return -1; }
    *out = pg;
    return 0;
}

int mmr_store_open(mmr_store **out, const char *db, int flags, int busy_ms, mmr_diags *d)
{
    *out = NULL;
    mmr_store *s = calloc(1, sizeof *s);
    if (!s) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); return -1; }
    int rc = mmr_pg_is_url(db) ? pg_open(&s->pg, db, flags, busy_ms, d)
             : flags == MMR_STORE_OPEN_CHECKED ? mmr_db_open(&s->db, db, MMR_DB_OPEN_RW, busy_ms, d)
             : mmr_db_open_state(&s->db, db, flags == MMR_STORE_OPEN_RO ? MMR_DB_OPEN_RO : MMR_DB_OPEN_RW, busy_ms, d);
    if (rc) { free(s); return -1; }
    *out = s;
    return 0;
}

void mmr_store_close(mmr_store *s)
{
    if (!s) return;
    mmr_db_close(s->db);
    mmr_pg_close(s->pg);
    free(s);
}

int mmr_store_usable(const mmr_store *s) { return !s->pg || PQstatus(s->pg->h) == CONNECTION_OK; }
const char *mmr_store_label(const mmr_store *s) { return s->pg ? s->pg->label : s->db->path; }
mmr_db *mmr_store_sqlite(mmr_store *s) { return s->db; }
mmr_pg *mmr_store_pg(mmr_store *s) { return s->pg; }

int mmr_store_feed(mmr_store *s, const char *user, long limit, const char *before_at, const char *before_id,
                   mmr_buf *items, int *more, mmr_buf *last_at, mmr_buf *last_id, mmr_diags *d)
{
    return s->pg ? mmr_store_pg_feed(s->pg, user, limit, before_at, before_id, items, more, last_at, last_id, d)
                 : mmr_store_sqlite_feed(s->db, user, limit, before_at, before_id, items, more, last_at, last_id, d);
}

int mmr_store_settings(mmr_store *s, const char *user, const mmr_strlist *mute, const mmr_strlist *unmute,
                       int replace, const char *now_ts, mmr_strlist *muted, mmr_strlist *cats, mmr_diags *d)
{
    return s->pg ? mmr_store_pg_settings(s->pg, user, mute, unmute, replace, now_ts, muted, cats, d)
                 : mmr_store_sqlite_settings(s->db, user, mute, unmute, replace, now_ts, muted, cats, d);
}

int mmr_store_interaction(mmr_store *s, const char *delivery_id, const char *user, const char *action,
                          const char *ts, long long *iid, char **user_out, mmr_diags *d)
{
    return s->pg ? mmr_store_pg_interaction(s->pg, delivery_id, user, action, ts, iid, user_out, d)
                 : mmr_store_sqlite_interaction(s->db, delivery_id, user, action, ts, iid, user_out, d);
}
