/* Leases (engine/lease.h): taken all or none, refused while a live holder
 * has one (the error names it), taken over from a gone holder (a dead pid,
 * a reused pid, a stale holder on another host), given back in the
 * caller's transaction, and fenced: a lease taken over cannot commit. */
#define _GNU_SOURCE
#include "tests/unit/t.h"
#include "engine/lease.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static int exec_ok(mmr_db *db, const char *sql)
{
    return sqlite3_exec(db->h, sql, NULL, NULL, NULL) == SQLITE_OK;
}

static int count(mmr_db *db, const char *sql)
{
    sqlite3_stmt *st;
    int n = -1;
    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* A row as another process would have written it. */
static void plant(mmr_db *db, const char *name, const char *host, long long pid, long long start, long long renewed)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT OR REPLACE INTO mm_lease VALUES ('%s', 'other', '%s', %lld, %lld, '2025-10-26T09:00:00Z', %lld, 'mmr run')",
             name, host, pid, start, renewed);
    T_CHECK(exec_ok(db, sql));
}

int main(void)
{
    char path[] = "/tmp/mmr-lease-XXXXXX";
    int fd = mkstemp(path);
    T_CHECK(fd >= 0);
    close(fd);
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_db *db;
    T_EQ_INT(mmr_db_open(&db, path, MMR_DB_OPEN_RW, 100, &d), 0);
    mmr_lease_self me, other;
    mmr_lease_self_init(&me, "mmr run");
    mmr_lease_self_init(&other, "mmr serve");
    T_CHECK(strcmp(me.token, other.token) != 0);     /* one process, two holders: told apart */
    T_EQ_INT(me.pid, getpid());
    T_CHECK(me.proc_start > 0);
    static const char *const ev[1] = { "evaluate" };
    static const char *const both[2] = { "evaluate", "publish" };

    /* a file without the mmr schema: nothing taken, nothing written */
    T_EQ_INT(mmr_lease_acquire(db, ev, 1, &me, 0, &d), 2);
    T_EQ_INT(count(db, "SELECT count(*) FROM sqlite_master"), 0);
    T_CHECK(exec_ok(db, "CREATE TABLE mm_schema_version(version INTEGER PRIMARY KEY, applied_at TEXT)"));

    /* taken; taken again by its holder; refused to another holder */
    T_EQ_INT(mmr_lease_acquire(db, ev, 1, &me, 0, &d), 0);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_lease WHERE name = 'evaluate'"), 1);
    T_EQ_INT(mmr_lease_acquire(db, ev, 1, &me, 0, &d), 0);
    T_EQ_INT((int)d.errors, 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T_EQ_INT(mmr_lease_acquire(db, both, 2, &other, 150, &d), 1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    T_CHECK((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 140);   /* it waited */
    T_EQ_INT((int)d.errors, 1);
    char want[256];
    snprintf(want, sizeof want, "another process holds this database's \"evaluate\" lease: mmr run, pid %lld on host %s, since ",
             (long long)me.pid, me.host);
    T_CHECK(d.n == 1 && !strncmp(d.v[0].message, want, strlen(want)));
    T_CHECK(d.n == 1 && d.v[0].hint && !strcmp(d.v[0].hint, "waited 150 ms (--busy-timeout); let it finish, or wait longer"));
    /* all or none: "publish" was free but not taken */
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_lease WHERE name = 'publish'"), 0);
    mmr_diags_free(&d);
    mmr_diags_init(&d);

    /* given back inside the caller's transaction */
    T_EQ_INT(mmr_db_begin(db, &d), 0);
    T_EQ_INT(mmr_lease_check(db, ev, 1, &me, 1, &d), 0);      /* renew */
    T_EQ_INT(mmr_lease_check(db, ev, 1, &me, 0, &d), 0);      /* give back */
    T_EQ_INT(mmr_db_commit(db, &d), 0);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_lease"), 0);
    T_EQ_INT(mmr_lease_acquire(db, both, 2, &other, 0, &d), 0);
    mmr_lease_release(db, both, 2, &me);                        /* not mine: left alone */
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_lease"), 2);
    mmr_lease_release(db, both, 2, &other);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_lease"), 0);

    /* gone holders are taken over: a dead pid on this host ... */
    pid_t child = fork();
    if (child == 0) _exit(0);
    waitpid(child, NULL, 0);
    plant(db, "evaluate", me.host, child, 0, (long long)time(NULL));
    T_EQ_INT(mmr_lease_acquire(db, ev, 1, &me, 0, &d), 0);
    /* ... a live pid that started at another time (reused) ... */
    plant(db, "evaluate", me.host, me.pid, me.proc_start + 1, (long long)time(NULL));
    T_EQ_INT(mmr_lease_acquire(db, ev, 1, &other, 0, &d), 0);
    /* ... a holder on another host not renewed for the TTL */
    plant(db, "evaluate", "elsewhere", 1, 1, (long long)time(NULL) - MMR_LEASE_TTL_S - 5);
    T_EQ_INT(mmr_lease_acquire(db, ev, 1, &me, 0, &d), 0);
    T_EQ_INT((int)d.errors, 0);
    /* while a renewed one on another host is respected */
    plant(db, "evaluate", "elsewhere", 1, 1, (long long)time(NULL));
    T_EQ_INT(mmr_lease_acquire(db, ev, 1, &me, 0, &d), 1);
    T_EQ_INT((int)d.errors, 1);
    mmr_diags_free(&d);
    mmr_diags_init(&d);

    /* fencing: a lease taken over while we worked fails our commit */
    T_EQ_INT(mmr_db_begin(db, &d), 0);
    T_EQ_INT(mmr_lease_check(db, ev, 1, &me, 1, &d), -1);
    mmr_db_rollback(db);
    T_CHECK(d.n == 1 && strstr(d.v[0].message, "the \"evaluate\" lease was taken over by pid 1 on host elsewhere while this process worked"));
    mmr_diags_free(&d);
    mmr_diags_init(&d);
    T_CHECK(exec_ok(db, "DELETE FROM mm_lease"));
    T_EQ_INT(mmr_db_begin(db, &d), 0);
    T_EQ_INT(mmr_lease_check(db, ev, 1, &me, 0, &d), -1);
    mmr_db_rollback(db);
    T_CHECK(d.n == 1 && strstr(d.v[0].message, "the \"evaluate\" lease was removed from mm_lease while this process worked"));

    mmr_diags_free(&d);
    mmr_db_close(db);
    unlink(path);
    char side[64];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    return T_DONE("lease");
}
