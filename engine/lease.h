/* Leases: which process may evaluate a database, and which may publish a
 * sink's cursor range (docs/engine.md, "Concurrency").
 *
 * A lease is a row of mm_lease named for what it guards ("evaluate",
 * "sink:ndjson", "sink:redis"), holding the holder's token, pid, host,
 * process start time and when it was taken. It is taken in a short
 * transaction of its own and given back in the transaction that ends the
 * work it guards (a run's commit gives back "evaluate"), so a crash leaves
 * the row behind: a lease whose holder is gone is taken over.
 *
 * Gone means: on this host, no process with that pid and start time (a
 * pid that was reused is gone too); on another host, not renewed for
 * MMR_LEASE_TTL_S seconds. SQLite's own write lock still orders the
 * transactions; the lease is what makes a second process wait for the
 * whole of the first one's work instead of interleaving with it, and
 * what names the holder when it gives up.
 */
#ifndef MMR_LEASE_H
#define MMR_LEASE_H
#include <stdint.h>
#include "engine/db.h"
#include "util/diag.h"

#define MMR_LEASE_TTL_S 600

#define MMR_LEASE_TABLE_SQL \
    "CREATE TABLE IF NOT EXISTS mm_lease (" \
    "  name       TEXT PRIMARY KEY," \
    "  holder     TEXT NOT NULL," \
    "  host       TEXT NOT NULL," \
    "  pid        INTEGER NOT NULL," \
    "  proc_start INTEGER NOT NULL," \
    "  started_at TEXT NOT NULL," \
    "  renewed_at INTEGER NOT NULL," \
    "  what       TEXT NOT NULL) WITHOUT ROWID;"

/* This process as a lease holder. */
typedef struct mmr_lease_self {
    char token[160];        /* host/pid/start/nonce: unique per process */
    char host[128];
    int64_t pid;
    int64_t proc_start;     /* clock ticks after boot (/proc), 0 unknown */
    char what[64];          /* "mmr run", "mmr serve" */
} mmr_lease_self;

/* Fill me for the calling process. */
void mmr_lease_self_init(mmr_lease_self *me, const char *what);

/* Take every lease in names[] (all or none), waiting up to wait_ms while
 * a live holder has one. 0 taken; 1 held by another process (an error
 * naming the holder is added); 2 nothing taken, as the file has no mmr
 * schema yet (a new database: SQLite's write lock alone orders its first
 * run); -1 a database error. Runs its own transactions: call it outside
 * one. */
int mmr_lease_acquire(mmr_db *db, const char *const *names, size_t n, const mmr_lease_self *me,
                      int wait_ms, mmr_diags *d);

/* Inside the caller's write transaction: renew (renew=1) or give back
 * (renew=0) the leases. -1 with an error when one of them is no longer
 * ours (taken over after we were presumed gone): the caller must roll
 * back. */
int mmr_lease_check(mmr_db *db, const char *const *names, size_t n, const mmr_lease_self *me,
                    int renew, mmr_diags *d);

/* 1 if a live process other than me holds the lease `name`, 0 if none
 * does (or the table is not there yet), -1 a database error. */
int mmr_lease_held(mmr_db *db, const char *name, const mmr_lease_self *me, mmr_diags *d);

/* The lease a `mmr serve --redis` holds while it runs: while it is held,
 * runs without --redis mark their events for Redis too, and the server's
 * relay publishes them (docs/serve.md, "Redis"). */
#define MMR_LEASE_RELAY_REDIS "relay:redis"

/* Give back whatever of names[] is still ours, in a transaction of its
 * own; quiet (a lease left behind is taken over anyway). */
void mmr_lease_release(mmr_db *db, const char *const *names, size_t n, const mmr_lease_self *me);

#endif
