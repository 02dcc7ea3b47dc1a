/* Leases on a state database (engine/lease.h). */
#define _GNU_SOURCE
#include "engine/lease.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include "util/timeutil.h"

/* Field 22 of /proc/PID/stat: the process's start, in clock ticks after
 * boot. With the pid it names one process for the life of the machine. */
static int64_t proc_start_of(int64_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%lld/stat", (long long)pid);
    FILE *f = fopen(path, "re");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    /* the command name (field 2) may hold spaces and ')': skip to the last ')' */
    char *p = strrchr(buf, ')');
    if (!p) return 0;
    p++;
    for (int field = 3; field < 22; field++) {
        p = strchr(p + 1, ' ');
        if (!p) return 0;
    }
    return strtoll(p + 1, NULL, 10);
}

void mmr_lease_self_init(mmr_lease_self *me, const char *what)
{
    memset(me, 0, sizeof *me);
    if (gethostname(me->host, sizeof me->host - 1)) snprintf(me->host, sizeof me->host, "localhost");
    me->pid = (int64_t)getpid();
    me->proc_start = proc_start_of(me->pid);
    snprintf(me->what, sizeof me->what, "%s", what ? what : "mmr");
    /* the nonce tells two holders apart even where /proc is missing */
    uint64_t nonce = 0;
    if (getrandom(&nonce, sizeof nonce, GRND_NONBLOCK) != (ssize_t)sizeof nonce)
        nonce = (uint64_t)time(NULL) ^ ((uint64_t)me->pid << 32);
    snprintf(me->token, sizeof me->token, "%.100s/%lld/%lld/%016llx", me->host, (long long)me->pid,
             (long long)me->proc_start, (unsigned long long)nonce);
}

/* A row of mm_lease. */
typedef struct holder {
    char name[64], token[160], host[128], started[40], what[64];
    int64_t pid, proc_start, renewed_at;
} holder;

static void copy_col(char *dst, size_t n, sqlite3_stmt *st, int col)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    snprintf(dst, n, "%s", s ? (const char *)s : "");
}

/* 1 if h's process is still there. */
static int holder_alive(const holder *h, const mmr_lease_self *me)
{
    if (!strcmp(h->host, me->host)) {
        if (h->pid <= 0) return 0;
        if (kill((pid_t)h->pid, 0) != 0 && errno == ESRCH) return 0;
        /* the pid may have been reused by another process since */
        if (h->proc_start) {
            int64_t s = proc_start_of(h->pid);
            if (s && s != h->proc_start) return 0;
        }
        return 1;
    }
    return (int64_t)time(NULL) - h->renewed_at <= MMR_LEASE_TTL_S;
}

/* The first of names[] held by a live process other than me: 1 and *out;
 * 0 none; -1 error. A database without the table holds no lease. */
static int live_holder(mmr_db *db, const char *const *names, size_t n, const mmr_lease_self *me,
                       holder *out, mmr_diags *d)
{
    int ex = mmr_db_table_exists(db, "mm_lease", d);
    if (ex <= 0) return ex;
    sqlite3_stmt *st;
    if (mmr_db_prepare(db, &st, "SELECT holder, host, pid, proc_start, started_at, renewed_at, what "
                                "FROM mm_lease WHERE name = ?1", d))
        return -1;
    int found = 0;
    for (size_t i = 0; i < n && !found; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, names[i], -1, SQLITE_STATIC);
        int r = sqlite3_step(st);
        if (r == SQLITE_DONE) continue;
        if (r != SQLITE_ROW) { mmr_db_error(db, d, "reading mm_lease"); found = -1; break; }
        holder h;
        memset(&h, 0, sizeof h);
        snprintf(h.name, sizeof h.name, "%s", names[i]);
        copy_col(h.token, sizeof h.token, st, 0);
        copy_col(h.host, sizeof h.host, st, 1);
        h.pid = sqlite3_column_int64(st, 2);
        h.proc_start = sqlite3_column_int64(st, 3);
        copy_col(h.started, sizeof h.started, st, 4);
        h.renewed_at = sqlite3_column_int64(st, 5);
        copy_col(h.what, sizeof h.what, st, 6);
        if (!strcmp(h.token, me->token) || !holder_alive(&h, me)) continue;
        *out = h;
        found = 1;
    }
    sqlite3_finalize(st);
    return found;
}

int mmr_lease_held(mmr_db *db, const char *name, const mmr_lease_self *me, mmr_diags *d)
{
    holder h;
    const char *names[1] = { name };
    return live_holder(db, names, 1, me, &h, d);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Write my rows for names[] inside the caller's transaction. */
static int write_rows(mmr_db *db, const char *const *names, size_t n, const mmr_lease_self *me, mmr_diags *d)
{
    char started[MMR_TIME_BUF];
    int64_t now = (int64_t)time(NULL);
    mmr_time_format(now, started);
    sqlite3_stmt *st;
    if (mmr_db_prepare(db, &st, "INSERT OR REPLACE INTO mm_lease(name, holder, host, pid, proc_start, started_at, "
                                "renewed_at, what) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", d))
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, names[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, me->token, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, me->host, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, me->pid);
        sqlite3_bind_int64(st, 5, me->proc_start);
        sqlite3_bind_text(st, 6, started, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, now);
        sqlite3_bind_text(st, 8, me->what, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) { mmr_db_error(db, d, "writing mm_lease"); rc = -1; }
    }
    sqlite3_finalize(st);
    return rc;
}

int mmr_lease_acquire(mmr_db *db, const char *const *names, size_t n, const mmr_lease_self *me,
                      int wait_ms, mmr_diags *d)
{
    int64_t deadline = mono_ms() + (wait_ms > 0 ? wait_ms : 0);
    int pause_ms = 10;
    holder h;
    /* a file without the mmr schema (new, or not ours) gets no table:
     * a run that fails must leave it as it was */
    int ex = mmr_db_table_exists(db, "mm_lease", d);
    if (ex == 0) ex = mmr_db_table_exists(db, "mm_schema_version", d);
    if (ex < 0) return -1;
    if (ex == 0) return 2;
    for (;;) {
        /* look first without the write lock: a holder that works inside a
         * long transaction keeps the lock, but its lease row is readable */
        int r = live_holder(db, names, n, me, &h, d);
        if (r < 0) return -1;
        if (r == 0) {
            if (mmr_db_begin(db, d)) return -1;
            int rc = mmr_db_exec(db, MMR_LEASE_TABLE_SQL, d);
            if (!rc) rc = live_holder(db, names, n, me, &h, d);
            if (rc == 0) rc = write_rows(db, names, n, me, d);
            if (rc == 0) return mmr_db_commit(db, d);
            mmr_db_rollback(db);
            if (rc < 0) return -1;
        }
        int64_t left = deadline - mono_ms();
        if (left <= 0) break;
        struct timespec ts = { 0, (long)(pause_ms < left ? pause_ms : left) * 1000000L };
        nanosleep(&ts, NULL);
        if (pause_ms < 200) pause_ms *= 2;
    }
    mmr_diag *g = mmr_diag_add(d, MMR_SEV_ERROR, db->path, 0, 0,
                               "another process holds this database's \"%s\" lease: %s, pid %lld on host %s, "
                               "since %s", h.name, h.what[0] ? h.what : "mmr", (long long)h.pid, h.host,
                               h.started);
    if (g) mmr_diag_set_hint(g, "waited %d ms (--busy-timeout); let it finish, or wait longer", wait_ms > 0 ? wait_ms : 0);
    return 1;
}

int mmr_lease_check(mmr_db *db, const char *const *names, size_t n, const mmr_lease_self *me,
                    int renew, mmr_diags *d)
{
    sqlite3_stmt *sel, *upd;
    if (mmr_db_prepare(db, &sel, "SELECT holder, pid, host FROM mm_lease WHERE name = ?1", d)) return -1;
    if (mmr_db_prepare(db, &upd, renew ? "UPDATE mm_lease SET renewed_at = ?2 WHERE name = ?1"
                                       : "DELETE FROM mm_lease WHERE name = ?1", d)) {
        sqlite3_finalize(sel);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        sqlite3_reset(sel);
        sqlite3_bind_text(sel, 1, names[i], -1, SQLITE_STATIC);
        int r = sqlite3_step(sel);
        if (r != SQLITE_ROW && r != SQLITE_DONE) { mmr_db_error(db, d, "reading mm_lease"); rc = -1; break; }
        const unsigned char *tok = r == SQLITE_ROW ? sqlite3_column_text(sel, 0) : NULL;
        if (!tok || strcmp((const char *)tok, me->token)) {
            char host[128];
            if (tok) copy_col(host, sizeof host, sel, 2);
            mmr_diag *g = tok
                ? mmr_diag_add(d, MMR_SEV_ERROR, db->path, 0, 0,
                               "the \"%s\" lease was taken over by pid %lld on host %s while this process worked; "
                               "its work was rolled back", names[i], (long long)sqlite3_column_int64(sel, 1), host)
                : mmr_diag_add(d, MMR_SEV_ERROR, db->path, 0, 0,
                               "the \"%s\" lease was removed from mm_lease while this process worked; "
                               "its work was rolled back", names[i]);
            if (g) mmr_diag_set_hint(g, "a process is presumed gone when its pid is gone (same host) or it has not "
                                        "renewed for 600 s (another host); do not share one database across hosts");
            rc = -1;
            break;
        }
        sqlite3_reset(upd);
        sqlite3_bind_text(upd, 1, names[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(upd, 2, (int64_t)time(NULL));
        if (sqlite3_step(upd) != SQLITE_DONE) { mmr_db_error(db, d, "writing mm_lease"); rc = -1; }
    }
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    return rc;
}

void mmr_lease_release(mmr_db *db, const char *const *names, size_t n, const mmr_lease_self *me)
{
    mmr_diags tmp;
    mmr_diags_init(&tmp);
    if (mmr_db_table_exists(db, "mm_lease", &tmp) == 1 && !mmr_db_begin(db, &tmp)) {
        sqlite3_stmt *st = NULL;
        int rc = mmr_db_prepare(db, &st, "DELETE FROM mm_lease WHERE name = ?1 AND holder = ?2", &tmp);
        for (size_t i = 0; i < n && !rc; i++) {
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, names[i], -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, me->token, -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE) rc = -1;
        }
        sqlite3_finalize(st);
        if (rc || mmr_db_commit(db, &tmp)) mmr_db_rollback(db);
    }
    mmr_diags_free(&tmp);
}
