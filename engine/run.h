/* `mmr run`: the whole pipeline with state (docs/engine.md).
 *
 *   signals (mm_signal_daily or a --signals file) + traits, mutes and
 *   delivery history (SQLite) -> VM -> candidates -> mmr_decide ->
 *   candidates, deliveries and outbox events written in ONE transaction ->
 *   commit -> the outbox is published (NDJSON, Redis) and marked.
 *
 * A failure before the commit (bad input, locked or read-only database,
 * out of memory) rolls everything back: the database is as it was. A
 * process killed before the commit leaves nothing; one killed while
 * publishing leaves events in the outbox that the next run publishes
 * first (an --events file is cut back to its last recorded size, so each
 * event is in it exactly once).
 */
#ifndef MMR_RUN_H
#define MMR_RUN_H
#include <stdio.h>
#include <stdint.h>
#include "util/diag.h"
#include "util/buf.h"
#include "vm/program.h"
#include "engine/db.h"
#include "engine/decide.h"

typedef struct mmr_run_opts {
    const mmr_program *prog;
    const char *db_path;
    const char *signals_path;    /* NULL: mm_signal_daily */
    const char *as_of;           /* "YYYY-MM-DD" or NULL: the latest (db) or
                                    the records' own (file) */
    int64_t now;                 /* Unix seconds, UTC */
    int dry_run;                 /* read-only: print what would be delivered */
    FILE *events_out;            /* NDJSON sink when events_path is NULL (stdout) */
    const char *events_path;     /* append events here instead */
    const char *redis_url;       /* NULL: no Redis */
    int busy_ms;                 /* <= 0: MMR_DB_BUSY_MS_DEFAULT */
    const char *zoneinfo;        /* NULL: /usr/share/zoneinfo */
    FILE *progress;              /* NULL: quiet; else a \r progress line */
    const char *ruleset_label;   /* for mm_nudge_rule_master.source */
} mmr_run_opts;

typedef struct mmr_run_stats {
    char as_of[16];
    uint64_t users;              /* users read from the snapshot */
    uint64_t users_with_candidates;
    uint64_t candidates;         /* new candidates written */
    uint64_t existing;           /* candidates already present (rerun): skipped */
    uint64_t delivered;
    uint64_t suppressed;
    uint64_t by_reason[MMR_NREASONS];
    uint64_t events_emitted;     /* NDJSON lines written by this run */
    uint64_t events_redis;       /* PUBLISHes that succeeded */
    uint64_t events_pending;     /* still in the outbox after this run */
    int redis_failed;            /* Redis unreachable or failing */
    int committed;               /* the run's transaction committed */
    double elapsed_s;
} mmr_run_stats;

/* 0 on success; -1 with diagnostics (the database unchanged unless the
 * failure came after the commit, while publishing: then the events stay
 * in the outbox and the diagnostics are warnings). */
int mmr_run(const mmr_run_opts *o, mmr_run_stats *st, mmr_diags *d);

/* ------------------------------------------------------------------
 * Internals shared by run.c, outbox.c and redis_pub.c. */

typedef struct mmr_redis mmr_redis;

/* url: redis://[:password@]host[:port][/db] (port 6379 by default).
 * Connect and command timeouts are 2 s. 0, or -1 with a diagnostic. */
int  mmr_redis_url_ok(const char *url);   /* 1 if the URL parses */
int  mmr_redis_connect(mmr_redis **out, const char *url, mmr_diags *d);
/* PUBLISH channel message. 0 ok, -1 failed (why set, static or in r). */
int  mmr_redis_publish(mmr_redis *r, const char *channel, size_t chlen,
                       const char *msg, size_t len, const char **why);
/* Pipelined: append many PUBLISHes, then read one reply per append, in
 * order. append 0/-1; reply 0 (published) or -1 (why set). */
int  mmr_redis_append(mmr_redis *r, const char *channel, size_t chlen,
                      const char *msg, size_t len);
int  mmr_redis_reply(mmr_redis *r, const char **why);
void mmr_redis_close(mmr_redis *r);

typedef struct mmr_outbox_opts {
    FILE *out;                   /* NDJSON sink when path is NULL */
    const char *events_path;     /* or this file (appended, exactly once) */
    mmr_redis *redis;            /* NULL: no Redis this run */
    int redis_configured;        /* --redis was given (even if connect failed) */
    const char *now_text;        /* ISO 8601: the marks' timestamp */
    /* The run's own events, prepared during the run (NULL: none): their
     * payloads in event_id order, ids spool_first .. spool_first+spool_n-1,
     * as records of (u32 user length, u32 payload length, user, payload).
     * They are the outbox rows the run committed, so publishing reads them
     * from here instead of reading the rows back; events before
     * spool_first (left by earlier runs) are read from the outbox. */
    FILE *spool;
    int64_t spool_first;
    uint64_t spool_n;
} mmr_outbox_opts;

/* Publish every pending outbox event in event_id order and mark it, in
 * chunks each committed in its own transaction. Redis failures stop Redis
 * publishing for this run (the events stay pending for it). 0, or -1 on a
 * database / file error (the events stay pending). */
int mmr_outbox_publish(mmr_db *db, const mmr_outbox_opts *o, mmr_run_stats *st, mmr_diags *d);

/* The event payload of one delivery (one NDJSON line, no newline). */
void mmr_event_payload(mmr_buf *b, const char *delivery_id, const char *user_id,
                       const char *rule, const char *title, const char *body,
                       const char *category, const char *created_at);

#endif
