/* Private to the SQLite run store (store/run_store.h): the state that
 * store/run_sqlite.c (connections, reads, the run record, the commit and
 * publishing) and store/run_sqlite_write.c (the batches, the writer thread
 * and the multi-row INSERTs) share for one run. */
#ifndef MMR_STORE_RUN_SQLITE_H
#define MMR_STORE_RUN_SQLITE_H
#include <pthread.h>
#include <stdio.h>
#include "engine/db.h"
#include "engine/responsiveness_load.h"
#include "engine/run_shared.h"
#include "engine/uuid.h"
#include "store/run_store.h"
#include "util/timeutil.h"

typedef struct sq_brec {         /* a decision with offsets into the batch text */
    size_t user, where, title, body, category, meta, key;
    int user_len, title_len, body_len, category_len, meta_len, key_len;
    uint32_t rule;
    int delivered, reason, deferred;
    size_t deliver_at;           /* deferred: the due time's text */
    int64_t seq, event_id;       /* delivered: the delivery log row, its event */
    char did[MMR_UUID_STR];
} sq_brec;

typedef struct sq_batch {
    sq_brec *v; size_t n, cap;
    mmr_buf text;
    size_t users;
} sq_batch;

typedef struct sq_pipe sq_pipe;

/* PRAGMA quick_check on a connection of its own, beside the evaluation. */
typedef struct sq_check {
    const char *path;
    int busy_ms;
    pthread_t th;
    int started, rc;
    mmr_diags d;
} sq_check;

typedef struct sq_store {
    mmr_run_store base;
    const mmr_run_env *e;
    mmr_diags *d;                /* e->d */
    const mmr_program *p;        /* e->p */
    int mode;                    /* MMR_DB_OPEN_RW, _RO (dry run) or _MEMORY (dry run, no file) */
    mmr_db *db;                  /* the run's connection: the transaction, all writes */
    mmr_db *rdb;                 /* reads: db, or a second connection (piped) */
    int in_txn;                  /* db's transaction is open */
    int v0;                      /* the schema version before this run's migration */
    int want_redis;              /* the run's events are for Redis (outbox want_redis) */
    sq_pipe *pipe;               /* NULL: one thread */
    sq_check check;
    char as_of[16];
    int64_t run_id;
    int64_t *rule_ids;           /* per program rule */
    int64_t next_seq, next_event;  /* put numbers deliveries and events */
    int rerun, has_history, has_mutes, has_traits;
    char horizon_text[MMR_TIME_BUF];
    /* statements */
    sqlite3_stmt *sig, *trait_scan, *trait_probe, *existing, *hist, *mutes, *mute_scan;
    sqlite3_stmt *ins[4][3];     /* per table: one row, a tail's rows, a full statement's rows */
    sq_batch solo;               /* one thread: the batch being filled */
    mmr_colbind *sigcols; size_t nsigcols;
    mmr_colbind *trcols;  size_t ntrcols;
    int trait_tz_col;            /* column of tz in the trait statements, or -1 */
    int trait_row;               /* trait_scan: 1 a row is current, 0 exhausted */
    int mute_row;                /* mute_scan: the same; NULL mute_scan: a probe per user */
    mmr_resp_loader *resp;       /* the responsiveness signals, or NULL: not read */
    char *prev; size_t prev_cap; /* the current user (db source) */
    /* per-user scratch */
    mmr_run_key *ex_v;    size_t ex_cap;
    mmr_delivery *hist_v; size_t hist_cap;
    const char **mute_v;  size_t mute_cap;
    /* the run's events, prepared by put (see mmr_outbox_opts) */
    FILE *spool;
    uint64_t spool_n;
    int spool_bad;               /* a write failed: publish from the outbox */
    int64_t spool_first;
    pthread_t ckpt_th;           /* the checkpoint after the commit */
    int ckpt_started;
} sq_store;

void mmr_sqrun_oom(mmr_diags *d);

/* store/run_sqlite_write.c */
int  mmr_sqrun_prepare_writes(sq_store *c);     /* the INSERTs (after mm_run: they bind run_id) */
int  mmr_sqrun_put(sq_store *c, const mmr_run_user *u, const mmr_run_row *r);
int  mmr_sqrun_user_done(sq_store *c);
/* Start the writer thread (piped runs): put's batches go to it. */
int  mmr_sqrun_pipe_start(sq_store *c);
/* Hand over the last batch (ok) or stop (!ok), wait for the writer, add
 * its diagnostics. Without a pipe, write the batch being filled (ok).
 * 0, or -1 when anything was not written. */
int  mmr_sqrun_writes_end(sq_store *c, int ok);
void mmr_sqrun_writes_free(sq_store *c);
/* Threads: the quick check (arg: the sq_check; join: 0 sound or never
 * started, -1 with its errors) and the checkpoint after the commit (arg:
 * the database path). */
void *mmr_sqrun_check_main(void *arg);
int  mmr_sqrun_check_join(sq_check *j, mmr_diags *d);
void *mmr_sqrun_ckpt_main(void *arg);
/* After the commit: the "publish" lease, the outbox, the lease back. -1
 * when something stays unpublished for a failure. */
int  mmr_sqrun_publish_outbox(const mmr_run_opts *o, mmr_db *db, const mmr_outbox_opts *base, mmr_run_stats *st,
                       mmr_diags *d);

#endif
