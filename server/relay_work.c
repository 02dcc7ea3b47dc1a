/* What the relay of `mmr serve` writes (docs/serve.md, "The relay"):
 *
 *  - deferrals whose quiet hours have ended are released (engine/
 *    deferred.c) as soon as they are due, with the cap stored with each,
 *    so a nudge held overnight goes out at the end of the window even
 *    when no run follows;
 *  - with --redis, the events that want Redis and are still pending
 *    (after the "redis" cursor) are PUBLISHed under the "publish" lease,
 *    the one `mmr run` takes for its own publishing: the two share the
 *    cursor, so each event goes to Redis exactly once whoever sends it.
 *    While it runs the server holds the "relay:redis" lease, which tells
 *    a run without --redis to mark its events for Redis too.
 *
 * On PostgreSQL the same, with store/lease_pg.h's leases (advisory locks
 * held by the session of the thread's one connection) and
 * store/outbox_pg.c's publishing.
 *
 * All of it runs on the relay thread, on a read-write connection of its
 * own, never under the server's lock. A busy database (a run's long
 * transaction) is not an error: the work is tried again on a later tick.
 * Other failures go to the log once a minute at most.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "server/internal.h"
#include "engine/lease.h"
#include "engine/run.h"
#include "store/deferred_pg.h"
#include "store/lease_pg.h"
#include "store/outbox_pg.h"
#include "util/timeutil.h"

enum {
    DEFER_EVERY_MS = 200,          /* look for due deferrals */
    LEASE_RENEW_MS = 60 * 1000,    /* renew "relay:redis" (another host presumes us gone after 600 s) */
    LEASE_RETRY_MS = 5 * 1000,     /* try to take "relay:redis" while another server has it */
    REDIS_RETRY_MIN_MS = 1000,     /* after a Redis failure: 1 s, doubling ... */
    REDIS_RETRY_MAX_MS = 30 * 1000,/* ... up to 30 s */
    LOG_EVERY_MS = 60 * 1000,      /* the same kind of failure is logged once a minute */
    BUSY_MS = 200,                 /* the relay's connection waits this long for a lock */
    TICK_MS = 50
};

struct mmr_relay_work {
    char *redis_url;
    int redis_timeout_ms;
    FILE *log;
    mmr_db *ro;                    /* the looks (connections are one thread's each) */
    mmr_db *rw;                    /* the writes, opened on first use */
    mmr_pg *pg;                    /* PostgreSQL: the one connection (its session holds the leases) */
    sqlite3_stmt *due;             /* a deferral due at ?1 (ro) */
    sqlite3_stmt *pending;         /* an event waiting for Redis (ro) */
    mmr_lease_self me;
    mmr_redis *redis;              /* connected, or NULL */
    int have_relay_lease;
    pthread_t thread;
    int started;
    int64_t next_defer, next_lease, next_redis, redis_backoff, last_log;
};

static void work_log(mmr_relay_work *w, mmr_diags *d, int64_t now_ms)
{
    if (w->log && d->n && now_ms - w->last_log >= LOG_EVERY_MS) {
        for (size_t i = 0; i < d->n; i++)
            fprintf(w->log, "mmr serve: relay: %s%s%s\n", d->v[i].file, *d->v[i].file ? ": " : "", d->v[i].message);
        fflush(w->log);
        w->last_log = now_ms;
    }
    mmr_diags_free(d);
    mmr_diags_init(d);
}

/* The last failure on w->rw was only a lock held by someone else. */
static int was_busy(const mmr_relay_work *w)
{
    if (!w->rw) return 0;
    int e = sqlite3_errcode(w->rw->h) & 0xff;
    return e == SQLITE_BUSY || e == SQLITE_LOCKED;
}

static int rw_open(mmr_server *s, mmr_relay_work *w, mmr_diags *d)
{
    if (w->rw) return 0;
    return mmr_db_open(&w->rw, s->db_path, MMR_DB_OPEN_RW, BUSY_MS, d);
}

/* 1 if the statement (bound) gives a row, 0 if not, -1 (then retried). */
static int any_row(sqlite3_stmt *st)
{
    int r = sqlite3_step(st);
    sqlite3_reset(st);   /* ends the read: WAL can checkpoint */
    return r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
}

static void release_due(mmr_server *s, mmr_relay_work *w, int64_t now_ms, mmr_diags *d)
{
    int64_t now = (int64_t)time(NULL);
    char t[MMR_TIME_BUF];
    sqlite3_bind_text(w->due, 1, mmr_time_format(now, t), -1, SQLITE_TRANSIENT);
    if (any_row(w->due) != 1) return;
    mmr_release_stats rs;
    if (rw_open(s, w, d) || mmr_deferred_release(w->rw, NULL, now, w->redis_url != NULL, &rs, d)) {
        if (was_busy(w)) { mmr_diags_free(d); mmr_diags_init(d); return; }
        work_log(w, d, now_ms);
    }
}

/* The PostgreSQL connection, made again if it was lost; its session's
 * leases went with it. 0, or -1 (logged; tried again on a later tick). */
static int pg_ready(mmr_relay_work *w, int64_t now_ms, mmr_diags *d)
{
    if (PQstatus(w->pg->h) == CONNECTION_OK) return 0;
    w->have_relay_lease = 0;
    PQreset(w->pg->h);
    if (PQstatus(w->pg->h) != CONNECTION_OK) { mmr_pg_error(w->pg, NULL, d, "reconnecting"); work_log(w, d, now_ms); return -1; }
    PQclear(PQexec(w->pg->h, "SET lock_timeout = 200"));
    return 0;
}

/* A failure that is only a lock wait past lock_timeout (a run
 * committing): not an error, the next tick tries again. */
static void quiet_lock_timeout(mmr_diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        if (strstr(d->v[i].message, "lock timeout")) { mmr_diags_free(d); mmr_diags_init(d); break; }
}

/* release_due on PostgreSQL. */
static void release_due_pg(mmr_relay_work *w, int64_t now_ms, mmr_diags *d)
{
    if (pg_ready(w, now_ms, d)) return;
    int64_t now = (int64_t)time(NULL);
    char t[MMR_TIME_BUF];
    const char *p[1] = { mmr_time_format(now, t) };
    PGresult *r = PQexecParams(w->pg->h, "SELECT 1 FROM mm_nudge_deferred WHERE deliver_at <= $1::text COLLATE \"C\" LIMIT 1",
                               1, NULL, p, NULL, NULL, 0);
    int due = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0;
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) mmr_pg_error(w->pg, r, d, "reading mm_nudge_deferred");
    PQclear(r);
    mmr_release_stats rs;
    if (due && mmr_pg_deferred_release(w->pg, now, w->redis_url != NULL, &rs, d) < 0) quiet_lock_timeout(d);
    work_log(w, d, now_ms);
}

/* Hold "relay:redis" while we run: take it when free, renew it. */
static void relay_lease(mmr_server *s, mmr_relay_work *w, int64_t now_ms, mmr_diags *d)
{
    static const char *const names[1] = { MMR_LEASE_RELAY_REDIS };
    if (now_ms < w->next_lease || rw_open(s, w, d)) return;
    if (!w->have_relay_lease) {
        int r = mmr_lease_acquire(w->rw, names, 1, &w->me, 0, d);
        w->have_relay_lease = r == 0;
        /* another server has it: we publish anyway (the cursor is shared) */
        if (r == 1) { mmr_diags_free(d); mmr_diags_init(d); }
        w->next_lease = now_ms + (w->have_relay_lease ? LEASE_RENEW_MS : LEASE_RETRY_MS);
    } else {
        int rc = mmr_db_begin(w->rw, d);
        if (!rc) rc = mmr_lease_check(w->rw, names, 1, &w->me, 1, d);
        if (!rc) rc = mmr_db_commit(w->rw, d);
        else mmr_db_rollback(w->rw);
        if (rc && !was_busy(w)) w->have_relay_lease = 0;   /* taken over: take it again */
        w->next_lease = now_ms + (rc ? LEASE_RETRY_MS : LEASE_RENEW_MS);
    }
    if (was_busy(w)) { mmr_diags_free(d); mmr_diags_init(d); }
    work_log(w, d, now_ms);
}

static void redis_down(mmr_relay_work *w, int64_t now_ms)
{
    mmr_redis_close(w->redis);
    w->redis = NULL;
    w->redis_backoff = w->redis_backoff ? w->redis_backoff * 2 : REDIS_RETRY_MIN_MS;
    if (w->redis_backoff > REDIS_RETRY_MAX_MS) w->redis_backoff = REDIS_RETRY_MAX_MS;
    w->next_redis = now_ms + w->redis_backoff;
}

static void publish_pending(mmr_server *s, mmr_relay_work *w, int64_t now_ms, mmr_diags *d)
{
    static const char *const names[1] = { "publish" };
    if (now_ms < w->next_redis || any_row(w->pending) != 1) return;
    if (rw_open(s, w, d)) { work_log(w, d, now_ms); return; }
    if (!w->redis && mmr_redis_connect_within(&w->redis, w->redis_url, w->redis_timeout_ms, d)) {
        w->redis = NULL;
        redis_down(w, now_ms);
        work_log(w, d, now_ms);
        return;
    }
    /* a run publishing now has the lease: it sends them, or we do next tick */
    int r = mmr_lease_acquire(w->rw, names, 1, &w->me, 0, d);
    if (r != 0) {
        if (r == 1 || was_busy(w)) { mmr_diags_free(d); mmr_diags_init(d); }
        work_log(w, d, now_ms);
        return;
    }
    char now_text[MMR_TIME_BUF];
    mmr_time_format((int64_t)time(NULL), now_text);
    mmr_outbox_opts oo = { .redis = w->redis, .redis_configured = 1, .redis_only = 1, .now_text = now_text,
                           .redis_batch_ms = w->redis_timeout_ms, .lease = &w->me };
    mmr_run_stats st;
    memset(&st, 0, sizeof st);
    int rc = mmr_outbox_publish(w->rw, &oo, &st, d);
    mmr_lease_release(w->rw, names, 1, &w->me);
    if (st.redis_failed) redis_down(w, now_ms);
    else if (!rc) w->redis_backoff = 0;
    if (rc && was_busy(w)) { mmr_diags_free(d); mmr_diags_init(d); }
    work_log(w, d, now_ms);
}

/* relay_lease on PostgreSQL: a session advisory lock on w->pg, nothing
 * to renew; only taken again after the connection was made again, or
 * when another server's holder went away. */
static void relay_lease_pg(mmr_relay_work *w, int64_t now_ms, mmr_diags *d)
{
    if (w->have_relay_lease || now_ms < w->next_lease || pg_ready(w, now_ms, d)) return;
    int r = mmr_pg_lease_acquire(w->pg, MMR_LEASE_RELAY_REDIS, "mmr serve", 0, d);
    w->have_relay_lease = r == 0;
    /* another server has it: we publish anyway (the cursor is shared) */
    if (r == 1) { mmr_diags_free(d); mmr_diags_init(d); }
    w->next_lease = now_ms + LEASE_RETRY_MS;
    work_log(w, d, now_ms);
}

/* publish_pending on PostgreSQL (store/outbox_pg.c takes "publish"). */
static void publish_pending_pg(mmr_relay_work *w, int64_t now_ms, mmr_diags *d)
{
    if (now_ms < w->next_redis || pg_ready(w, now_ms, d)) return;
    if (mmr_pg_outbox_redis_waiting(w->pg, d) != 1) { work_log(w, d, now_ms); return; }
    if (!w->redis && mmr_redis_connect_within(&w->redis, w->redis_url, w->redis_timeout_ms, d)) {
        w->redis = NULL;
        redis_down(w, now_ms);
        work_log(w, d, now_ms);
        return;
    }
    char now_text[MMR_TIME_BUF];
    mmr_time_format((int64_t)time(NULL), now_text);
    mmr_pg_outbox_opts oo = { .redis_only = 1, .redis = w->redis, .redis_batch_ms = w->redis_timeout_ms,
                              .now_text = now_text, .what = "mmr serve", .lease_wait_ms = 0 };
    mmr_run_stats st;
    memset(&st, 0, sizeof st);
    int rc = mmr_pg_outbox_publish(w->pg, &oo, &st, d);
    /* a run publishing now has the lease: it sends them, or we do next tick */
    if (st.publish_busy) { mmr_diags_free(d); mmr_diags_init(d); return; }
    if (st.redis_failed) redis_down(w, now_ms);
    else if (!rc) w->redis_backoff = 0;
    if (rc) quiet_lock_timeout(d);
    work_log(w, d, now_ms);
}

static void work_tick(mmr_server *s, mmr_relay_work *w, int64_t now_ms)
{
    mmr_diags d;
    mmr_diags_init(&d);
    if (now_ms >= w->next_defer) {
        w->next_defer = now_ms + DEFER_EVERY_MS;
        if (w->pg) release_due_pg(w, now_ms, &d);
        else release_due(s, w, now_ms, &d);
    }
    if (w->redis_url && w->pg) {
        relay_lease_pg(w, now_ms, &d);
        publish_pending_pg(w, now_ms, &d);
    } else if (w->redis_url) {
        relay_lease(s, w, now_ms, &d);
        publish_pending(s, w, now_ms, &d);
    }
    mmr_diags_free(&d);
}

/* Its own thread: a Redis that stalls for its whole deadline must not
 * hold up the streams. */
static void *work_main(void *arg)
{
    mmr_server *s = arg;
    mmr_relay_work *w = s->work;
    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        pthread_mutex_unlock(&s->lock);
        work_tick(s, w, mmr_now_ms());
        pthread_mutex_lock(&s->lock);
        if (s->stopping) break;
        mmr_relay_sleep_locked(s, TICK_MS);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

int mmr_relay_work_start(mmr_server *s, const mmr_server_opts *o, mmr_diags *d)
{
    mmr_relay_work *w = calloc(1, sizeof *w);
    if (!w || (o->redis_url && !(w->redis_url = strdup(o->redis_url)))) {
        free(w);
        mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory");
        return -1;
    }
    s->work = w;
    w->redis_timeout_ms = o->redis_timeout_ms;
    w->log = o->log;
    mmr_lease_self_init(&w->me, "mmr serve");
    /* PostgreSQL: one connection; with --redis, "relay:redis" is taken
     * before the server says it is listening, as below */
    if (s->pg) {
        if (mmr_pg_open(&w->pg, s->db_path, d) || mmr_pg_exec(w->pg, "SET lock_timeout = 200", d, "setting up the session"))
            return -1;
        if (w->redis_url) {
            mmr_diags q;
            mmr_diags_init(&q);
            relay_lease_pg(w, mmr_now_ms(), &q);
            mmr_diags_free(&q);
        }
        int e = pthread_create(&w->thread, NULL, work_main, s);
        if (e) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "cannot start the relay thread: %s", strerror(e)); return -1; }
        w->started = 1;
        return 0;
    }
    if (mmr_db_open(&w->ro, s->db_path, MMR_DB_OPEN_RO, BUSY_MS, d) ||
        mmr_db_prepare(w->ro, &w->due, "SELECT 1 FROM mm_nudge_deferred WHERE deliver_at <= ?1 LIMIT 1", d) ||
        mmr_db_prepare(w->ro, &w->pending,
            "SELECT 1 FROM mm_event_outbox WHERE want_redis AND event_id > "
            "(SELECT last_event_id FROM mm_event_cursor WHERE sink = 'redis') LIMIT 1", d))
        return -1;
    /* take "relay:redis" before the server says it is listening: a run
     * started after that marks its events for us */
    if (w->redis_url) {
        mmr_diags q;
        mmr_diags_init(&q);
        relay_lease(s, w, mmr_now_ms(), &q);
        mmr_diags_free(&q);
    }
    int e = pthread_create(&w->thread, NULL, work_main, s);
    if (e) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "cannot start the relay thread: %s", strerror(e)); return -1; }
    w->started = 1;
    return 0;
}

/* After s->stopping is set and s->wake broadcast. */
void mmr_relay_work_stop(mmr_server *s)
{
    mmr_relay_work *w = s->work;
    if (!w) return;
    if (w->started) pthread_join(w->thread, NULL);
    w->started = 0;
    if (w->pg && w->have_relay_lease) mmr_pg_lease_release(w->pg, MMR_LEASE_RELAY_REDIS);
    if (w->rw && w->have_relay_lease) {
        static const char *const names[1] = { MMR_LEASE_RELAY_REDIS };
        mmr_lease_release(w->rw, names, 1, &w->me);
        w->have_relay_lease = 0;
    }
}

void mmr_relay_work_free(mmr_server *s)
{
    mmr_relay_work *w = s->work;
    if (!w) return;
    mmr_redis_close(w->redis);
    sqlite3_finalize(w->due);
    sqlite3_finalize(w->pending);
    mmr_db_close(w->rw);
    mmr_db_close(w->ro);
    mmr_pg_close(w->pg);
    free(w->redis_url);
    free(w);
    s->work = NULL;
}
