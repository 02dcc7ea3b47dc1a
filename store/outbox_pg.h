/* Publishing the outbox on PostgreSQL: engine/outbox.c's job for
 * `mmr run --db postgresql://…` (after its commit) and for the relay of
 * `mmr serve --db postgresql://… --redis` (docs/engine.md, "Events and the
 * outbox"; docs/scale.md).
 *
 * Under the "publish" lease (store/lease_pg.h), so one process publishes a
 * database at a time, every pending event is read in event_id order, a
 * chunk at a time, its text built from the delivery row: written to the
 * NDJSON sink (stdout, or an --events file kept exactly once by its size in
 * mm_event_sink, engine/outbox_sink.h) and PUBLISHed to Redis when it
 * wants Redis; then the 'ndjson' and 'redis' cursors (and the file's size)
 * move in one small transaction. The cursors are the ones engine/outbox.c
 * keeps on SQLite, with the same rules: the Redis cursor stops before the
 * first event that wants Redis and did not get it.
 */
#ifndef MMR_STORE_OUTBOX_PG_H
#define MMR_STORE_OUTBOX_PG_H
#include <stdint.h>
#include <stdio.h>
#include "store/pg.h"
#include "engine/run.h"

typedef struct mmr_pg_outbox_opts {
    FILE *out;                   /* the NDJSON sink when events_path is NULL */
    const char *events_path;     /* or this file (appended, exactly once) */
    int redis_only;              /* no NDJSON sink, its cursor stays (the relay) */
    mmr_redis *redis;            /* NULL: no Redis this time */
    int redis_batch_ms;          /* each batch's deadline (<= 0: the default) */
    const char *now_text;        /* the marks' timestamp */
    const char *what;            /* who publishes, for a waiting process: "mmr run" */
    int lease_wait_ms;           /* how long to wait for "publish" */
} mmr_pg_outbox_opts;

/* Take "publish", publish every pending event, give it back. st gets the
 * counts (events_emitted, events_redis, events_pending) and redis_failed
 * when Redis failed (its events stay pending), publish_busy when another
 * process held the lease past lease_wait_ms (then nothing was done but
 * counting, and an error names the holder). 0, or -1 when something that
 * should have been published was not (the events stay in the outbox). */
int mmr_pg_outbox_publish(mmr_pg *pg, const mmr_pg_outbox_opts *o, mmr_run_stats *st, mmr_diags *d);

/* Events still pending: after the 'ndjson' cursor, or wanting Redis after
 * the 'redis' cursor. 0, or -1 with an error. */
int mmr_pg_outbox_pending(mmr_pg *pg, uint64_t *out, mmr_diags *d);

/* 1 when an event wants Redis after the 'redis' cursor, 0 not, -1. */
int mmr_pg_outbox_redis_waiting(mmr_pg *pg, mmr_diags *d);

/* For `mmr run --db postgresql://…` after its commit (engine/run_pg.c):
 * connect to o->redis_url if any (a failure: st->redis_failed, the events
 * wait), publish to o->events_out or o->events_path and Redis, waiting up
 * to o->busy_ms for the lease. As mmr_pg_outbox_publish. */
int mmr_pg_outbox_publish_run(mmr_pg *pg, const mmr_run_opts *o, const char *now_text, mmr_run_stats *st,
                              mmr_diags *d);

/* want_redis of a run's outbox rows: 1 with --redis (o->redis_url), or
 * while a `mmr serve --redis` holds "relay:redis" (its relay publishes
 * them); 0 otherwise; -1 with an error. */
int mmr_pg_outbox_want_redis(mmr_pg *pg, const mmr_run_opts *o, mmr_diags *d);

#endif
