/* Leases on PostgreSQL: who publishes the outbox ("publish") and which
 * `mmr serve --redis` relays events to Redis ("relay:redis"), as
 * engine/lease.h does on SQLite (docs/engine.md, "Concurrency").
 *
 * Why not engine/lease.c's rows: SQLite has no sessions across processes,
 * so a lease there is a row naming its holder's host, pid and process
 * start, renewed, and taken over once the holder is presumed gone. A
 * PostgreSQL server knows its sessions: a lease here is a session-level
 * advisory lock on the holder's own connection, which the server gives
 * back the moment that process exits, is killed or loses the connection.
 * So there is no expiry, no renewal, no take-over guess, and no fencing
 * inside each transaction: while the connection lives the lock is ours,
 * and a transaction on a dead connection cannot commit anyway.
 *
 * The lock is (MMR_PG_LEASE_SPACE, a small number per lease name), so an
 * operator sees the holders with
 *   SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = 7171444;
 * Advisory locks are per database: two databases on one server share none.
 */
#ifndef MMR_STORE_LEASE_PG_H
#define MMR_STORE_LEASE_PG_H
#include "store/pg.h"

#define MMR_PG_LEASE_SPACE 7171444

/* Take the lease name ("publish", "relay:redis") on pg's session, waiting
 * up to wait_ms while another session has it. The session shows as `what`
 * (application_name) to whoever finds it holding the lease. Not
 * reentrant: take a lease only when not holding it. 0 taken; 1 held by
 * another session (an error naming it is added); -1 an error. */
int  mmr_pg_lease_acquire(mmr_pg *pg, const char *name, const char *what, int wait_ms, mmr_diags *d);

/* Give it back (quiet: a lost connection gave it back already). */
void mmr_pg_lease_release(mmr_pg *pg, const char *name);

/* 1 if another session holds the lease, 0 if none does, -1 an error.
 * Works inside a transaction (pg_locks is a view). */
int  mmr_pg_lease_held(mmr_pg *pg, const char *name, mmr_diags *d);

#endif
