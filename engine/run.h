/* `mmr run`: the whole pipeline with state (docs/engine.md).
 *
 *   signals (mm_signal_daily or a --signals file) + traits, mutes and
 *   delivery history (SQLite or PostgreSQL: store/run_store.h) -> VM ->
 *   candidates -> mmr_decide ->
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
    int redis_batch_ms;          /* a batch's publish deadline; 0: MMR_REDIS_BATCH_MS */
    int busy_ms;                 /* <= 0: MMR_DB_BUSY_MS_DEFAULT; also how long to
                                    wait for the "publish" lease */
    /* This process as a lease holder (engine/lease.h), or NULL: no leases.
     * The caller takes the "evaluate" lease before mmr_run (and gives it
     * back after, in case the run failed); the run's commit gives it back,
     * and the publish phase takes, renews and gives back "publish". */
    const struct mmr_lease_self *lease;
    int lease_evaluate;          /* the caller holds "evaluate" (acquire gave 0) */
    const char *zoneinfo;        /* NULL: /usr/share/zoneinfo */
    FILE *progress;              /* NULL: quiet; else a \r progress line */
    const char *ruleset_label;   /* for mm_nudge_rule_master.source */
    int shard_k, shard_n;        /* PostgreSQL: only the users with mm_shard(user_id,
                                    shard_n) = shard_k (shard_n <= 1: all) */
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
    uint64_t deferred;           /* new candidates deferred by quiet hours */
    uint64_t released;           /* due deferrals delivered at the run's start */
    uint64_t release_suppressed; /* due deferrals suppressed then */
    uint64_t events_emitted;     /* NDJSON lines written by this run */
    uint64_t events_redis;       /* PUBLISHes that succeeded */
    uint64_t events_pending;     /* still in the outbox after this run */
    int redis_failed;            /* Redis unreachable or failing */
    int pending_unknown;         /* events_pending could not be counted */
    int publish_busy;            /* another process held the "publish" lease */
    int committed;               /* the run's transaction committed */
    double elapsed_s;
} mmr_run_stats;

/* 0 on success; -1 with diagnostics (the database unchanged unless the
 * failure came after the commit, while publishing: then the events stay
 * in the outbox and the diagnostics are warnings). o->db_path a file is
 * SQLite (store/run_sqlite.c); a postgresql:// URL is PostgreSQL
 * (store/run_pg.c, docs/scale.md: the schema and the ruleset are
 * committed first, on their own; after the run every pending event is
 * printed once; no Redis yet). */
int mmr_run(const mmr_run_opts *o, mmr_run_stats *st, mmr_diags *d);

/* What mmr_deferred_release did. */
typedef struct mmr_release_stats {
    uint64_t delivered;          /* deliveries (each with an outbox event) */
    uint64_t suppressed;         /* mutes, cooldown or the cap said no */
    uint64_t by_reason[MMR_NREASONS];
} mmr_release_stats;

/* engine/deferred.c: release every deferral due at now (deliver_at <= now)
 * in ONE transaction of its own (BEGIN IMMEDIATE: call it with none open).
 * Each becomes a delivery plus an outbox event (want_redis as given) if the
 * user's mutes, the rule's cooldown (mm_nudge_rule_master.cooldown_s) and
 * the cap of p's policy still allow it at now, else a suppression with that
 * reason; its mm_nudge_deferred row goes, so a deferral is released exactly
 * once. The delivery id is that of (user, rule, as_of), delivered_at is
 * now. p may be NULL: then the cap stored with each deferral is checked
 * (none for a deferral from schema 6). Publishing the events
 * is the caller's (mmr_outbox_publish). A read-only database or one from
 * before schema 6 releases nothing. 0, or -1 with diagnostics and nothing
 * changed. */
int mmr_deferred_release(mmr_db *db, const mmr_program *p, int64_t now, int want_redis,
                         mmr_release_stats *rs, mmr_diags *d);

/* ------------------------------------------------------------------
 * Internals shared by run.c, outbox.c and redis_pub.c. */

typedef struct mmr_redis mmr_redis;

/* Deadlines (engine/redis_pub.c): one over connect + AUTH + SELECT, one
 * over each batch of PUBLISHes (its appends and all their replies). */
#define MMR_REDIS_CONNECT_MS 2000
#define MMR_REDIS_BATCH_MS   10000

/* url: redis://[[user][:password]@]host[:port][/db] (host a name, an IPv4
 * address or an [IPv6] one; port 6379 by default) or
 * unix://[[user][:password]@]/PATH/TO/SOCKET[?db=N]; user, password and
 * path percent-decoded (%40 for '@' and so on). connect sends AUTH user
 * password (an ACL user) or AUTH password (the default user) when there is
 * a password, and SELECT when there is a db, all within
 * MMR_REDIS_CONNECT_MS (connect_within: timeout_ms, <= 0 the default). A
 * user without a password is refused. 0, or -1 with a warning such as
 * "cannot connect to redis HOST:PORT: no answer within 2 s" ([IPv6]:PORT,
 * or the socket's path; never the user or password), or an error for a
 * URL refused. No environment is read here: see url_resolve. */
int  mmr_redis_url_ok(const char *url);   /* 1 if connect accepts the URL */
int  mmr_redis_connect(mmr_redis **out, const char *url, mmr_diags *d);
int  mmr_redis_connect_within(mmr_redis **out, const char *url, int timeout_ms, mmr_diags *d);
/* For cli/: check url and give the one to connect with, in *out
 * (allocated; out NULL: check only): url itself, or, when url has no
 * password and password is not NULL or "", url with password
 * percent-encoded into it (cli/ passes MMR_REDIS_PASSWORD, else
 * REDISCLI_AUTH). 0, or -1 with why (n bytes at most): "--redis URL: not
 * a Redis URL (...)" or "--redis URL: a user name without a password
 * (...)", URL shown with what precedes its '@' as "***", or "out of
 * memory". */
int  mmr_redis_url_resolve(const char *url, const char *password, char **out, char *why, size_t n);
/* Start the deadline (timeout_ms, <= 0: MMR_REDIS_BATCH_MS) of the batch
 * that follows. An append with no batch under way starts one with the
 * default; a batch ends when its last reply is read. */
void mmr_redis_batch_begin(mmr_redis *r, int timeout_ms);
/* PUBLISH channel message (a batch of one). 0 ok, -1 failed (why set). */
int  mmr_redis_publish(mmr_redis *r, const char *channel, size_t chlen,
                       const char *msg, size_t len, const char **why);
/* Pipelined: append many PUBLISHes (buffered, no I/O), then read one reply
 * per append, in order (sending as needed, never past the deadline).
 * append 0/-1; reply 0 (published) or -1 with why (valid until close):
 * the server's error text, "unexpected reply" (not an integer, or a
 * growing bulk), "connection lost (...)", "connection closed by the
 * server", or "no reply within 10 s (the batch deadline)". Any failure but
 * a server error leaves the connection dead: later calls fail at once with
 * the same why. No signal is raised when the server goes away (EPIPE). */
int  mmr_redis_append(mmr_redis *r, const char *channel, size_t chlen,
                      const char *msg, size_t len);
int  mmr_redis_reply(mmr_redis *r, const char **why);
void mmr_redis_close(mmr_redis *r);

typedef struct mmr_outbox_opts {
    FILE *out;                   /* NDJSON sink when path is NULL */
    const char *events_path;     /* or this file (appended, exactly once) */
    mmr_redis *redis;            /* NULL: no Redis this run */
    int redis_configured;        /* the run's events want Redis (--redis, even if connect
                                    failed, or a relay holds "relay:redis") */
    int redis_only;              /* Redis alone (the relay of `mmr serve`): no NDJSON
                                    sink, its cursor stays where it is */
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
    int redis_batch_ms;          /* each batch's deadline (<= 0: the default) */
    const struct mmr_lease_self *lease;  /* renewed with each chunk's marks; NULL none */
} mmr_outbox_opts;

/* Publish every pending outbox event in event_id order and mark it, in
 * chunks each committed in its own transaction. Redis failures stop Redis
 * publishing for this run (the events stay pending for it). 0, or -1 on a
 * database / file error (the events stay pending). */
int mmr_outbox_publish(mmr_db *db, const mmr_outbox_opts *o, mmr_run_stats *st, mmr_diags *d);

/* Events still pending for a sink (after the ndjson cursor, or wanting
 * Redis after its cursor). 0, or -1 with an error (a missing cursor row
 * is named, with the SQL that restores it). */
int mmr_outbox_pending(mmr_db *db, uint64_t *out, mmr_diags *d);
void mmr_outbox_cursor_missing(mmr_db *db, const char *sink_name, mmr_diags *d);

/* The event payload of one delivery (one NDJSON line, no newline). */
void mmr_event_payload(mmr_buf *b, const char *delivery_id, const char *user_id,
                       const char *rule, const char *title, const char *body,
                       const char *category, const char *created_at);
/* The same for a per-key rule's delivery: "key" follows "rule". key NULL
 * or empty (keyless): exactly mmr_event_payload's text. */
void mmr_event_payload_key(mmr_buf *b, const char *delivery_id, const char *user_id,
                           const char *rule, const char *key, size_t key_len, const char *title,
                           const char *body, const char *category, const char *created_at);

#endif
