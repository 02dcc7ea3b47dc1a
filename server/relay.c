/* The relay: a thread that looks every 10 ms whether the database changed
 * (PRAGMA data_version, a read of the WAL index: no query, no read
 * transaction) and, when it did, reads mm_event_outbox for the events
 * committed since the last it saw and hands each to the open streams of
 * its user. It starts at the newest event at startup (older ones are
 * replayed on request from the delivery log, by Last-Event-ID), uses its
 * own read-only connection (WAL: it never blocks `mmr run`), and does
 * not move the NDJSON cursor, which belongs to `mmr run`'s output. What
 * the relay writes (due deferrals, Redis) is relay_work.c's, on a thread
 * of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "server/internal.h"

/* PostgreSQL has no data_version to look at for free: the poll is a
 * query (an index probe past the last event), so every 50 ms */
enum { POLL_MS = 10, PG_POLL_MS = 50, BATCH = 1000 };

/* PRAGMA data_version of the relay's connection: it changes whenever
 * another connection commits. -1 when it cannot be read (then poll). */
static int64_t data_version(sqlite3_stmt *ver)
{
    int64_t v = sqlite3_step(ver) == SQLITE_ROW ? sqlite3_column_int64(ver, 0) : -1;
    sqlite3_reset(ver);
    return v;
}


/* One poll on PostgreSQL: the events after last handed to the streams.
 * The number of rows, or -1 (tried again on the next tick; a lost
 * connection is made again first). */
static int poll_pg(mmr_server *s, int64_t last, mmr_buf *frame)
{
    mmr_pg *pg = s->relay_pg;
    if (PQstatus(pg->h) != CONNECTION_OK) {
        PQreset(pg->h);
        if (PQstatus(pg->h) != CONNECTION_OK) return -1;
    }
    char a[32], b[32];
    snprintf(a, sizeof a, "%lld", (long long)last);
    snprintf(b, sizeof b, "%d", BATCH);
    const char *p[2] = { a, b };
    PGresult *r = PQexecParams(pg->h,
        "SELECT o.event_id, d.delivery_id, d.user_id, r.name, d.title, d.body, d.category, d.delivered_at, d.rule_key "
        "FROM mm_event_outbox o JOIN mm_nudge_delivery_log d ON d.seq = o.delivery_seq "
        "JOIN mm_nudge_rule_master r ON r.rule_id = d.rule_id "
        "WHERE o.event_id > $1::bigint ORDER BY o.event_id LIMIT $2::bigint", 2, NULL, p, NULL, NULL, 0);
    int n = -1;
    if (r && PQresultStatus(r) == PGRES_TUPLES_OK) {
        n = PQntuples(r);
        for (int i = 0; i < n; i++) {
            mmr_buf_clear(frame);
            mmr_sse_frame(frame, PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), PQgetvalue(r, i, 8),
                          PQgetvalue(r, i, 4), PQgetvalue(r, i, 5), PQgetvalue(r, i, 6), PQgetvalue(r, i, 7));
            pthread_mutex_lock(&s->lock);
            if (!frame->oom) mmr_streams_push_locked(s, PQgetvalue(r, i, 2), frame->data, frame->len);
            s->relay_last = atoll(PQgetvalue(r, i, 0));
            pthread_mutex_unlock(&s->lock);
        }
    }
    PQclear(r);
    return n;
}

void mmr_relay_sleep_locked(mmr_server *s, int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += ms * 1000000L;
    if (until.tv_nsec >= 1000000000L) { until.tv_sec++; until.tv_nsec -= 1000000000L; }
    pthread_cond_timedwait(&s->wake, &s->lock, &until);
}

static void *relay_main(void *arg)
{
    mmr_server *s = arg;
    sqlite3_stmt *sel = s->relay_sel;
    mmr_buf frame;
    mmr_buf_init(&frame);
    /* heartbeats are due every heartbeat_ms: looking 4 times as often is
     * enough (walking every stream every tick is not free at 10,000) */
    int tick_ms = s->heartbeat_ms / 4 < 10 ? 10 : s->heartbeat_ms / 4 > 1000 ? 1000 : s->heartbeat_ms / 4;
    int64_t seen = -1, next_tick = 0;
    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        int64_t last = s->relay_last;
        pthread_mutex_unlock(&s->lock);
        int n = 0, r = SQLITE_DONE;
        if (s->relay_pg) {
            n = poll_pg(s, last, &frame);
            goto idle;
        }
        /* read before the poll: a commit after it changes it again */
        int64_t ver = data_version(s->relay_ver);
        if (ver >= 0 && ver == seen) goto idle;
        sqlite3_reset(sel);
        sqlite3_bind_int64(sel, 1, last);
        sqlite3_bind_int(sel, 2, BATCH);
        /* a busy or failed poll is simply retried on the next tick */
        while ((r = sqlite3_step(sel)) == SQLITE_ROW) {
            const char *c[8];
            for (int i = 0; i < 8; i++) { c[i] = (const char *)sqlite3_column_text(sel, i + 1); if (!c[i]) c[i] = ""; }
            mmr_buf_clear(&frame);
            mmr_sse_frame(&frame, c[0], c[1], c[2], c[7], c[3], c[4], c[5], c[6]);
            pthread_mutex_lock(&s->lock);
            if (!frame.oom) mmr_streams_push_locked(s, c[1], frame.data, frame.len);
            s->relay_last = sqlite3_column_int64(sel, 0);
            pthread_mutex_unlock(&s->lock);
            n++;
        }
        sqlite3_reset(sel);   /* ends the read transaction: WAL can checkpoint */
        if (r == SQLITE_DONE && n < BATCH) seen = ver;   /* all of that version read */
    idle:
        pthread_mutex_lock(&s->lock);
        int64_t now = mmr_now_ms();
        if (now >= next_tick) {
            mmr_streams_tick_locked(s, now);
            next_tick = now + tick_ms;
        }
        if (n == BATCH || s->stopping) continue;   /* more waiting: no sleep */
        mmr_relay_sleep_locked(s, s->relay_pg ? PG_POLL_MS : POLL_MS);
    }
    pthread_mutex_unlock(&s->lock);
    mmr_buf_free(&frame);
    return NULL;
}

/* mmr_relay_start on PostgreSQL: its own connection, from the newest event. */
static int relay_start_pg(mmr_server *s, const mmr_server_opts *o, mmr_diags *d)
{
    if (mmr_pg_open(&s->relay_pg, s->db_path, d)) return -1;
    PGresult *r = mmr_pg_query(s->relay_pg, "SELECT coalesce(max(event_id), 0) FROM mm_event_outbox", d,
                               "reading mm_event_outbox");
    if (!r) return -1;
    s->relay_last = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (mmr_relay_work_start(s, o, d)) return -1;
    int e = pthread_create(&s->relay, NULL, relay_main, s);
    if (e) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "cannot start the relay thread: %s", strerror(e)); return -1; }
    s->relay_started = 1;
    return 0;
}

int mmr_relay_start(mmr_server *s, const mmr_server_opts *o, mmr_diags *d)
{
    if (s->pg) return relay_start_pg(s, o, d);
    sqlite3_stmt *q = NULL;
    if (mmr_db_open(&s->relay_db, s->db_path, MMR_DB_OPEN_RO, 1000, d)) return -1;
    int rc = -1;
    if (mmr_db_prepare(s->relay_db, &q, "SELECT coalesce(max(event_id), 0) FROM mm_event_outbox", d)) goto out;
    if (sqlite3_step(q) != SQLITE_ROW) { mmr_db_error(s->relay_db, d, "reading mm_event_outbox"); goto out; }
    s->relay_last = sqlite3_column_int64(q, 0);
    if (mmr_db_prepare(s->relay_db, &s->relay_sel,
            "SELECT o.event_id, d.delivery_id, d.user_id, r.name, d.title, d.body, d.category, d.delivered_at, "
            "d.rule_key FROM mm_event_outbox o CROSS JOIN mm_nudge_delivery_log d ON d.seq = o.delivery_seq "
            "CROSS JOIN mm_nudge_rule_master r ON r.rule_id = d.rule_id "
            "WHERE o.event_id > ?1 ORDER BY o.event_id LIMIT ?2", d)) goto out;
    if (mmr_db_prepare(s->relay_db, &s->relay_ver, "PRAGMA data_version", d)) goto out;
    if (mmr_relay_work_start(s, o, d)) goto out;
    int e = pthread_create(&s->relay, NULL, relay_main, s);
    if (e) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "cannot start the relay thread: %s", strerror(e)); goto out; }
    s->relay_started = 1;
    rc = 0;
out:
    sqlite3_finalize(q);
    return rc;
}

void mmr_relay_stop(mmr_server *s)
{
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->lock);
    if (s->relay_started) pthread_join(s->relay, NULL);
    s->relay_started = 0;
    mmr_relay_work_stop(s);
}

void mmr_relay_free(mmr_server *s)
{
    mmr_relay_work_free(s);
    sqlite3_finalize(s->relay_sel);
    sqlite3_finalize(s->relay_ver);
    s->relay_sel = s->relay_ver = NULL;
    mmr_db_close(s->relay_db);
    s->relay_db = NULL;
    mmr_pg_close(s->relay_pg);
    s->relay_pg = NULL;
}
