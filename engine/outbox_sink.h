/* The pieces of publishing the outbox that do not depend on the store:
 * engine/outbox.c (SQLite) and store/outbox_pg.c (PostgreSQL) each read a
 * chunk of pending events and move the cursors their own way, and share
 * what happens in between: the NDJSON sink (stdout, or an --events file
 * written exactly once by matching what a killed process left at its
 * end), a chunk's pipelined Redis PUBLISHes, and how far the Redis cursor
 * may move after them (docs/engine.md, "Events and the outbox"). */
#ifndef MMR_OUTBOX_SINK_H
#define MMR_OUTBOX_SINK_H
#include <stdint.h>
#include <stdio.h>
#include "engine/run.h"

/* One event of a chunk: its user and payload live in the chunk's text. */
typedef struct mmr_obx_ev {
    int64_t id;
    size_t user_off, user_len, pay_off, pay_len;
    int want_redis, emitted, redis_done, redis_ok;
} mmr_obx_ev;

/* Where a store keeps an events file's size after its last recorded
 * chunk (mm_event_sink), keyed by the file's real path. */
typedef struct mmr_sink_store {
    void *ctx;
    /* *size, or -1 when none is recorded. 0, or -1 with an error. */
    int (*lookup)(void *ctx, const char *key, int64_t *size, mmr_diags *d);
    /* Record size in a transaction of its own. 0, or -1 with an error. */
    int (*record)(void *ctx, const char *key, int64_t size, mmr_diags *d);
} mmr_sink_store;

/* The NDJSON sink: stdout (or any FILE), or the --events file, opened
 * only when an event is to be written to it. */
typedef struct mmr_obx_sink {
    FILE *f;
    int own;                 /* opened here */
    const char *path;        /* --events, or NULL for the FILE given */
    const char *label;       /* for messages */
    char *key;               /* realpath of a regular events file (size kept) */
    int64_t recorded;        /* its size after our last committed chunk, -1 none */
    /* Bytes past `recorded` when it was opened: a killed run's lines are
     * the first pending events, so they must match them byte for byte
     * (and are kept, not written again); anything else is not ours. */
    char *tail;
    size_t tail_len, tpos;
    int resolved;            /* the tail is matched (or there was none) */
} mmr_obx_sink;

/* out: the sink when events_path is NULL (both NULL: no NDJSON sink). */
void mmr_obx_sink_init(mmr_obx_sink *s, FILE *out, const char *events_path);

/* The size to record with the chunk's marks: 1 and *size for a file whose
 * size is kept, 0 none, -1 with an error. */
int mmr_obx_sink_pos(mmr_obx_sink *s, int64_t *size, mmr_diags *d);

/* The end of publishing: a tail left unmatched when all went well (rc 0)
 * is an error; the file is closed and everything freed. rc, or -1. */
int mmr_obx_sink_close(mmr_obx_sink *s, int rc, mmr_diags *d);

/* One publishing pass over the pending events, as both stores run it:
 * the cursors as committed, where the scan is, and Redis's state. */
typedef struct mmr_obx_pass {
    int64_t nd_wm, rd_wm;    /* the 'ndjson' and 'redis' cursors */
    int64_t last;            /* the last event read */
    int64_t new_nd, new_rd;  /* the cursors once the chunk is marked */
    int redis_only;          /* no NDJSON sink (the relay of `mmr serve`) */
    int redis_down;          /* no Redis, or it failed: none for the rest */
    int redis_blocked;       /* the Redis cursor stopped before an event */
} mmr_obx_pass;

/* Start a pass: without Redis the scan starts at the NDJSON cursor (the
 * Redis cursor only follows while no event that wants Redis is left
 * behind it); with Redis at the lower cursor; Redis alone, at its own. */
void mmr_obx_pass_start(mmr_obx_pass *p, int64_t nd_wm, int64_t rd_wm, int have_redis, int redis_only);

/* Mark a chunk's events: emitted when NDJSON has them (or there is no
 * NDJSON sink), redis_done when they need no Redis or have it. */
void mmr_obx_pass_event(const mmr_obx_pass *p, mmr_obx_ev *e);

/* A chunk read (n > 0): write it to the sink, PUBLISH it (a Redis failure
 * sets st->redis_failed and ends Redis for the pass), and work out the
 * cursors to mark in p->new_nd, p->new_rd. 0, or -1 with an error. */
int mmr_obx_pass_chunk(mmr_obx_pass *p, mmr_obx_sink *s, const mmr_sink_store *sst, mmr_redis *r, int batch_ms,
                       mmr_obx_ev *evs, size_t n, const char *text, mmr_buf *chan, mmr_run_stats *st, mmr_diags *d);

/* The chunk's marks are committed: count its events, move on. 1 when
 * the pass has nothing left to do (Redis alone, and Redis failed). */
int mmr_obx_pass_marked(mmr_obx_pass *p, const mmr_obx_ev *evs, size_t n, mmr_run_stats *st);

/* The error for a missing mm_event_cursor row, naming the database. */
void mmr_obx_cursor_missing(const char *label, const char *sink_name, mmr_diags *d);

#endif
