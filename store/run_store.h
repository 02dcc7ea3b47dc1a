/* What a night run (`mmr run`, engine/run.c) needs from a store: one
 * table of calls per backend, the pipeline driving them the same way
 * whichever database --db names (issue 12).
 *
 *   store/run_sqlite.c   a SQLite file (engine/db.h)
 *   store/run_pg.c       a postgresql:// URL (store/pg.h)
 *
 * The pipeline owns the per-user core (the VM, dropping candidates already
 * stored, mmr_decide, the stats, delivery ids, event payloads, dry-run
 * printing) and the --signals file; a store owns its connection(s), its
 * reading order, its batching and its threads (SQLite's reader/writer
 * pipe, quick_check and checkpoint threads stay inside run_sqlite.c).
 *
 * The calls, in order:
 *
 *   open      connect, create or migrate the schema, record the ruleset,
 *             begin the run's transaction (SQLite first releases due
 *             deferrals, committed on their own; PostgreSQL commits the
 *             schema and ruleset on their own). -1: nothing of the run
 *             written; call close.
 *   start     pick the snapshot date (as_of NULL: the latest in
 *             mm_signal_daily; a --signals run always gives one), check
 *             it has signals (not for a file), write the run record
 *             ('running') and ready the reads. Inside the transaction.
 *   next_user (users from mm_signal_daily) the next user in user_id
 *             order with its signals, traits and responsiveness in the
 *             registers; 1 a user, 0 the end, -1 an error.
 *   user_inputs (users from a --signals file, any order) what the
 *             record cannot hold: traits the record left missing and the
 *             responsiveness signals. NULL: the store cannot serve a file.
 *   existing  the candidates already stored for (user, as_of) (a rerun:
 *             they are final and are not decided again).
 *   prior     the user's deliveries within the horizon and muted
 *             categories (only asked for a user with candidates left).
 *   put       one decision to be written: a candidate row, and a
 *             delivery + outbox event, or a deferral. Nothing is visible
 *             before finish commits.
 *   user_done the user's decisions are all put (a batch may be written).
 *   finish    keep 1: write what is batched, the run record's counts,
 *             check and commit: one transaction, all or nothing (sets
 *             st->committed). keep 0, or any failure: roll back, the
 *             database as it was before start. Always call it once
 *             after a successful open.
 *   publish   after a commit: the outbox's pending events to the sinks
 *             (NDJSON, Redis), each exactly once; -1 leaves them pending.
 *             Does nothing after a dry run or a failed finish.
 *   close     free everything (joins the store's threads).
 *
 * Strings and arrays a store returns are its own or in the run's arena
 * (env.ua), valid until the next call of the same kind. Every call is on
 * the pipeline's thread. Errors are diagnostics in env.d. */
#ifndef MMR_STORE_RUN_STORE_H
#define MMR_STORE_RUN_STORE_H
#include <stddef.h>
#include <stdint.h>
#include "engine/run.h"
#include "engine/decide.h"
#include "util/arena.h"
#include "vm/value.h"

/* What the pipeline lends a store for the run (all borrowed). */
typedef struct mmr_run_env {
    const mmr_run_opts *o;
    const mmr_program *p;
    mmr_run_stats *st;
    mmr_diags *d;
    const char *now_text;        /* o->now as ISO 8601 */
    const char *hash;            /* mmr_ruleset_hash */
    unsigned char *used;         /* per slot: read by the code (a store's responsiveness
                                    loader clears its slots: they are not columns) */
    mmr_value *regs;             /* the VM's registers: inputs go here */
    mmr_arena *ua;               /* per user, reset by the pipeline before each */
    int tz_slot;                 /* the trait slot "tz" (text), or -1 */
    int64_t horizon;             /* history older than now - horizon is irrelevant */
} mmr_run_env;

/* One user of the snapshot, as the store gives it. */
typedef struct mmr_run_user {
    const char *id;              /* NUL-terminated */
    size_t id_len;
    const char *where;           /* for messages: the database, or FILE:LINE */
    const char *tz;              /* mm_user_traits.tz, or NULL */
} mmr_run_user;

/* A candidate already stored for the date: the program's rule (-1: a rule
 * this ruleset does not have) and its rule_key ("" keyless). */
typedef struct mmr_run_key {
    int32_t rule;
    const char *key;
    size_t key_len;
} mmr_run_key;

/* One decision to write, with what the pipeline made of it. */
typedef struct mmr_run_row {
    const mmr_decision *dc;
    const char *title, *body, *category;   /* never NULL */
    const char *did;             /* delivered: the delivery id */
    const char *meta;            /* delivered or deferred: meta_json */
    size_t meta_len;
    const char *event;           /* delivered and want_events: the payload, else NULL */
    size_t event_len;
} mmr_run_row;

typedef struct mmr_run_store mmr_run_store;

typedef struct mmr_run_store_ops {
    const char *name;            /* "sqlite", "postgresql" */
    int  (*open)(mmr_run_store **out, const mmr_run_env *e);
    int  (*start)(mmr_run_store *s, const char *as_of, char out[16]);
    int  (*next_user)(mmr_run_store *s, mmr_run_user *u);
    int  (*user_inputs)(mmr_run_store *s, mmr_run_user *u);
    int  (*existing)(mmr_run_store *s, const mmr_run_user *u, const mmr_run_key **v, size_t *n);
    int  (*prior)(mmr_run_store *s, const mmr_run_user *u, const mmr_delivery **hist, size_t *nh,
                  const char *const **muted, size_t *nm);
    int  (*put)(mmr_run_store *s, const mmr_run_user *u, const mmr_run_row *r);
    int  (*user_done)(mmr_run_store *s);
    /* the users of the date, for the progress line: 0, or -1 unknown */
    int  (*users_total)(mmr_run_store *s, uint64_t *n);
    int  (*finish)(mmr_run_store *s, int keep);
    int  (*publish)(mmr_run_store *s);
    void (*close)(mmr_run_store *s);
} mmr_run_store_ops;

/* Every backend's state starts with this. */
struct mmr_run_store {
    const mmr_run_store_ops *ops;
    int want_events;             /* put wants each delivery's event payload */
};

extern const mmr_run_store_ops mmr_run_sqlite_ops;
extern const mmr_run_store_ops mmr_run_pg_ops;

#endif
