/* Leases on PostgreSQL as session advisory locks: store/lease_pg.h. */
#include "store/lease_pg.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The second half of each lease's lock: fixed, so it reads the same in
 * pg_locks on every server and version (hashtext() is not promised to). */
static int lease_id(const char *name)
{
    static const char *const names[] = { "publish", "relay:redis" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(name, names[i])) return (int)i + 1;
    return 0;
}

static int known(const char *name, mmr_diags *d)
{
    int id = lease_id(name);
    if (!id) mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "no such lease \"%s\"", name);
    return id;
}

/* A granted lock on the lease by another session of this database. */
#define HOLDER_SQL(cols) \
    "SELECT " cols " FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid " \
    "WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) " \
    "AND l.classid = " MMR_STR(MMR_PG_LEASE_SPACE) " AND l.objid = $1::integer AND l.objsubid = 2 AND l.granted " \
    "AND l.pid <> pg_backend_pid() LIMIT 1"
#define MMR_STR_(x) #x
#define MMR_STR(x) MMR_STR_(x)

static PGresult *holder(mmr_pg *pg, int id, const char *cols_sql, mmr_diags *d)
{
    char v[16];
    snprintf(v, sizeof v, "%d", id);
    const char *p[1] = { v };
    return mmr_pg_params(pg, cols_sql, 1, p, d, "reading pg_locks");
}

int mmr_pg_lease_held(mmr_pg *pg, const char *name, mmr_diags *d)
{
    int id = known(name, d);
    if (!id) return -1;
    PGresult *r = holder(pg, id, HOLDER_SQL("1"), d);
    if (!r) return -1;
    int held = PQntuples(r) > 0;
    PQclear(r);
    return held;
}

/* 1 taken, 0 not, -1 error. */
static int try_lock(mmr_pg *pg, int id, mmr_diags *d)
{
    char q[96];
    snprintf(q, sizeof q, "SELECT pg_try_advisory_lock(%d, %d)", MMR_PG_LEASE_SPACE, id);
    PGresult *r = mmr_pg_query(pg, q, d, "taking a lease");
    if (!r) return -1;
    int got = PQntuples(r) && !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    return got;
}

/* The error for a lease another session holds: as engine/lease.c words
 * it, with what PostgreSQL knows of that session. */
static void held_error(mmr_pg *pg, const char *name, int id, int wait_ms, mmr_diags *d)
{
    PGresult *r = holder(pg, id, HOLDER_SQL("coalesce(nullif(a.application_name, ''), 'mmr'), l.pid, "
                                            "coalesce(host(a.client_addr), 'a local socket'), "
                                            "coalesce(to_char(a.backend_start AT TIME ZONE 'UTC', "
                                            "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '?')"), d);
    int got = r && PQntuples(r) > 0;
    mmr_diag *g = got ? mmr_diag_add(d, MMR_SEV_ERROR, pg->label, 0, 0,
                                     "another process holds this database's \"%s\" lease: %s, server process %s "
                                     "(connected from %s), since %s", name, PQgetvalue(r, 0, 0),
                                     PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 3))
                      : mmr_diag_add(d, MMR_SEV_ERROR, pg->label, 0, 0,
                                     "another process holds this database's \"%s\" lease", name);
    if (g) mmr_diag_set_hint(g, "waited %d ms (--busy-timeout); let it finish, or wait longer", wait_ms);
    PQclear(r);
}

int mmr_pg_lease_acquire(mmr_pg *pg, const char *name, const char *what, int wait_ms, mmr_diags *d)
{
    int id = known(name, d);
    if (!id) return -1;
    if (what) {
        const char *p[1] = { what };
        PQclear(PQexecParams(pg->h, "SELECT set_config('application_name', $1, false)", 1, NULL, p, NULL, NULL, 0));
    }
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long pause_ms = 10;
    for (;;) {
        int got = try_lock(pg, id, d);
        if (got) return got < 0 ? -1 : 0;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left = (long)wait_ms - (long)((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000);
        if (left <= 0) break;
        /* polled, holding nothing: a blocking pg_advisory_lock could not
         * be given up at the deadline without touching lock_timeout */
        struct timespec ts = { 0, (pause_ms < left ? pause_ms : left) * 1000000L };
        nanosleep(&ts, NULL);
        if (pause_ms < 200) pause_ms *= 2;
    }
    held_error(pg, name, id, wait_ms > 0 ? wait_ms : 0, d);
    return 1;
}

void mmr_pg_lease_release(mmr_pg *pg, const char *name)
{
    int id = lease_id(name);
    if (!id || !pg || PQstatus(pg->h) != CONNECTION_OK) return;
    char q[96];
    snprintf(q, sizeof q, "SELECT pg_advisory_unlock(%d, %d)", MMR_PG_LEASE_SPACE, id);
    PQclear(PQexec(pg->h, q));
}
