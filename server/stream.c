/* The SSE stream: one mmr_stream per open connection, fed by the relay
 * (server/relay.c) and drained by libmicrohttpd through a content-reader
 * callback. A stream with nothing to send is suspended, so an idle
 * stream costs no polling; the relay resumes it when it queues bytes.
 * Unsent bytes are bounded: a client that stops reading is dropped.
 * Streams are listed twice: all of them, and per user behind a hash map,
 * so handing an event to its user costs the same with 10 or 10,000
 * streams open (a walk of all of them took half the server's CPU at
 * 10,000: docs/performance.md). */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include "server/internal.h"
#include "engine/run.h"
#include "util/userid.h"

struct mmr_stream {
    mmr_stream *prev, *next;      /* every open stream (heartbeats, stop) */
    mmr_stream *uprev, *unext;    /* the same user's (the relay's hand-off) */
    mmr_server *srv;
    struct MHD_Connection *conn;
    char *user;
    mmr_buf out;          /* queued bytes; out.data[off..len) unsent */
    size_t off;
    int suspended, ended, overflow, listed;
    int64_t last_ms;      /* when bytes were last queued (heartbeat clock) */
};

void mmr_sse_frame(mmr_buf *b, const char *delivery_id, const char *user_id, const char *rule, const char *key,
                   const char *title, const char *body, const char *category, const char *created_at)
{
    mmr_buf_printf(b, "id: %s\nevent: nudge\ndata: ", delivery_id);
    mmr_event_payload_key(b, delivery_id, user_id, rule, key, key ? strlen(key) : 0, title, body, category,
                          created_at);
    mmr_buf_puts(b, "\n\n");
}

static void wake_locked(mmr_stream *st)
{
    if (st->suspended) {
        st->suspended = 0;
        MHD_resume_connection(st->conn);
    }
}

static void queue_locked(mmr_stream *st, const char *text, size_t len)
{
    if (st->overflow || st->ended) return;
    if (st->out.len - st->off + len > MMR_STREAM_BUF_MAX) st->overflow = 1;
    else {
        mmr_buf_append(&st->out, text, len);
        if (st->out.oom) st->overflow = 1;
    }
    st->last_ms = mmr_now_ms();
    wake_locked(st);
}

void mmr_streams_push_locked(mmr_server *s, const char *user, const char *text, size_t len)
{
    size_t v;
    if (!mmr_strmap_get(&s->by_user, user, &v)) return;
    for (mmr_stream *st = (mmr_stream *)(uintptr_t)v; st; st = st->unext) queue_locked(st, text, len);
}

void mmr_streams_tick_locked(mmr_server *s, int64_t now_ms)
{
    static const char hb[] = ": heartbeat\n\n";
    for (mmr_stream *st = s->streams; st; st = st->next)
        if (now_ms - st->last_ms >= s->heartbeat_ms) queue_locked(st, hb, sizeof hb - 1);
}

void mmr_streams_close_locked(mmr_server *s)
{
    for (mmr_stream *st = s->streams; st; st = st->next) {
        st->ended = 1;
        wake_locked(st);
    }
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    mmr_stream *st = cls;
    ssize_t n = 0;
    pthread_mutex_lock(&st->srv->lock);
    if (st->overflow) n = MHD_CONTENT_READER_END_WITH_ERROR;
    else if (st->off < st->out.len) {
        size_t k = st->out.len - st->off < max ? st->out.len - st->off : max;
        memcpy(buf, st->out.data + st->off, k);
        st->off += k;
        if (st->off == st->out.len) { mmr_buf_clear(&st->out); st->off = 0; }
        n = (ssize_t)k;
    } else if (st->ended) n = MHD_CONTENT_READER_END_OF_STREAM;
    else {
        /* nothing to send: sleep until the relay or a heartbeat wakes us */
        st->suspended = 1;
        MHD_suspend_connection(st->conn);
    }
    pthread_mutex_unlock(&st->srv->lock);
    return n;
}

/* Into both lists; -1 when the map cannot grow (nothing changed). */
static int link_locked(mmr_server *s, mmr_stream *st)
{
    size_t v;
    mmr_stream *head = mmr_strmap_get(&s->by_user, st->user, &v) ? (mmr_stream *)(uintptr_t)v : NULL;
    if (!head && mmr_strmap_put(&s->by_user, st->user, (size_t)(uintptr_t)st)) return -1;
    if (head) {   /* after the head: the map's key stays the head's string */
        st->uprev = head;
        st->unext = head->unext;
        if (head->unext) head->unext->uprev = st;
        head->unext = st;
    }
    st->next = s->streams;
    if (s->streams) s->streams->prev = st;
    s->streams = st;
    st->listed = 1;
    return 0;
}

static void unlink_locked(mmr_stream *st)
{
    if (!st->listed) return;
    mmr_server *s = st->srv;
    if (st->prev) st->prev->next = st->next; else s->streams = st->next;
    if (st->next) st->next->prev = st->prev;
    if (st->uprev) st->uprev->unext = st->unext;
    else {
        /* the head: the key is its string, so the entry goes and the next
         * stream (if any) comes in under its own (a put after a delete
         * never needs to grow the map) */
        mmr_strmap_del(&s->by_user, st->user);
        if (st->unext) mmr_strmap_put(&s->by_user, st->unext->user, (size_t)(uintptr_t)st->unext);
    }
    if (st->unext) st->unext->uprev = st->uprev;
    st->uprev = st->unext = NULL;
    st->listed = 0;
}

static void stream_free(void *cls)
{
    mmr_stream *st = cls;
    pthread_mutex_lock(&st->srv->lock);
    unlink_locked(st);
    pthread_mutex_unlock(&st->srv->lock);
    mmr_buf_free(&st->out);
    free(st->user);
    free(st);
}

/* replay (below) on PostgreSQL: one statement, so one snapshot. */
static int replay_pg(mmr_pg *pg, const char *user, const char *last_id, int64_t relay_last, mmr_buf *b, int *more,
                     mmr_diags *d)
{
    char rl[32];
    snprintf(rl, sizeof rl, "%lld", (long long)relay_last);
    const char *p[3] = { user, last_id, rl };
    PGresult *r = PQexecParams(pg->h,
            "SELECT d.delivery_id, d.user_id, r.name, d.title, d.body, d.category, d.delivered_at, d.rule_key "
            "FROM mm_nudge_delivery_log d JOIN mm_nudge_rule_master r ON r.rule_id = d.rule_id "
            "WHERE d.user_id = $1 "
            "AND d.seq > (SELECT seq FROM mm_nudge_delivery_log WHERE delivery_id = $2 AND user_id = $1) "
            "AND d.seq <= coalesce((SELECT delivery_seq FROM mm_event_outbox WHERE event_id <= $3::bigint "
            "                       ORDER BY event_id DESC LIMIT 1), 0) "
            "ORDER BY d.seq", 3, NULL, p, NULL, NULL, 0);
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        mmr_pg_error(pg, r, d, "reading mm_nudge_delivery_log");
        PQclear(r);
        return -1;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        if (b->len >= MMR_STREAM_BUF_MAX / 2) { *more = 1; break; }
        mmr_sse_frame(b, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 7),
                      PQgetvalue(r, i, 3), PQgetvalue(r, i, 4), PQgetvalue(r, i, 5), PQgetvalue(r, i, 6));
    }
    PQclear(r);
    return 0;
}

/* The user's deliveries after last_id that the relay had already passed
 * when the stream was registered (relay_last); later ones come from the
 * relay, so each reaches the stream once. At most half a stream buffer:
 * *more is set when deliveries are left for the next reconnect. */
static int replay(mmr_server *s, const char *user, const char *last_id, int64_t relay_last, mmr_buf *b, int *more,
                  mmr_diags *d)
{
    *more = 0;
    mmr_store *st = mmr_server_db_take(s, d);
    if (!st) return -1;
    mmr_db *db = mmr_store_sqlite(st);
    sqlite3_stmt *q = NULL;
    int rc = -1;
    if (!db) {
        rc = replay_pg(mmr_store_pg(st), user, last_id, relay_last, b, more, d);
        goto out;
    }
    if (mmr_db_prepare(db, &q,
            "SELECT d.delivery_id, d.user_id, r.name, d.title, d.body, d.category, d.delivered_at, d.rule_key "
            "FROM mm_nudge_delivery_log d JOIN mm_nudge_rule_master r ON r.rule_id = d.rule_id "
            "WHERE d.user_id = ?1 "
            "AND d.seq > (SELECT seq FROM mm_nudge_delivery_log WHERE delivery_id = ?2 AND user_id = ?1) "
            "AND d.seq <= coalesce((SELECT delivery_seq FROM mm_event_outbox WHERE event_id <= ?3 "
            "                       ORDER BY event_id DESC LIMIT 1), 0) "
            "ORDER BY d.seq", d)) goto out;
    sqlite3_bind_text(q, 1, user, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, last_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, relay_last);
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        if (b->len >= MMR_STREAM_BUF_MAX / 2) { *more = 1; r = SQLITE_DONE; break; }
        const char *c[8];
        for (int i = 0; i < 8; i++) { c[i] = (const char *)sqlite3_column_text(q, i); if (!c[i]) c[i] = ""; }
        mmr_sse_frame(b, c[0], c[1], c[2], c[7], c[3], c[4], c[5], c[6]);
    }
    if (r != SQLITE_DONE) { mmr_db_error(db, d, "reading mm_nudge_delivery_log"); goto out; }
    rc = 0;
out:
    sqlite3_finalize(q);
    mmr_server_db_give(s, st);
    return rc;
}

void mmr_stream_open(mmr_request *rq, mmr_reply *rp)
{
    mmr_server *s = rq->srv;
    const char *last = mmr_request_value(rq, MHD_HEADER_KIND, "Last-Event-ID");
    if (!last) last = mmr_request_value(rq, MHD_GET_ARGUMENT_KIND, "last_event_id");
    if (last && (mmr_user_id_problem(last, strlen(last)))) {
        mmr_reply_error(rp, 400, "Last-Event-ID is not a delivery id");
        return;
    }
    mmr_stream *st = calloc(1, sizeof *st);
    if (!st || !(st->user = strdup(rq->user))) { free(st); mmr_reply_error(rp, 503, "out of memory"); return; }
    st->srv = s;
    st->conn = rq->conn;
    mmr_buf_init(&st->out);
    st->last_ms = mmr_now_ms();
    pthread_mutex_lock(&s->lock);
    int stopping = s->stopping;
    int64_t relay_last = s->relay_last;
    int linked = !stopping && link_locked(s, st) == 0;
    pthread_mutex_unlock(&s->lock);
    if (stopping) { stream_free(st); mmr_reply_error(rp, 503, "server is stopping"); return; }
    if (!linked) { stream_free(st); mmr_reply_error(rp, 503, "out of memory"); return; }
    mmr_buf head;
    mmr_buf_init(&head);
    mmr_buf_puts(&head, "retry: 3000\n\n");
    mmr_diags d;
    mmr_diags_init(&d);
    int more = 0;
    if (last && replay(s, st->user, last, relay_last, &head, &more, &d)) {
        mmr_reply_error(rp, 503, "cannot replay: %s", d.n ? d.v[d.n - 1].message : "database error");
        mmr_diags_free(&d);
        mmr_buf_free(&head);
        stream_free(st);
        return;
    }
    mmr_diags_free(&d);
    /* the replay goes before anything the relay queued meanwhile. A
     * replay cut short ends the stream instead: the client reconnects at
     * once with the last id it got and the next part follows, so nothing
     * is skipped and the relay's events come again in order then. */
    pthread_mutex_lock(&s->lock);
    if (more) {
        unlink_locked(st);
        st->ended = 1;
        mmr_buf_puts(&head, "retry: 10\n\n");
    } else if (st->out.len > st->off) mmr_buf_append(&head, st->out.data + st->off, st->out.len - st->off);
    mmr_buf_free(&st->out);
    st->out = head;
    st->off = 0;
    if (st->out.oom) st->overflow = 1;
    pthread_mutex_unlock(&s->lock);
    /* the reader's block is held per open stream for its whole life: 256
     * bytes instead of 4 KiB is 3.8 KB less per stream (a frame then
     * takes two writes, which nobody notices) */
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 256, reader, st, stream_free);
    if (!r) { stream_free(st); mmr_reply_error(rp, 503, "out of memory"); return; }
    MHD_add_response_header(r, "Content-Type", "text/event-stream");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    rp->custom = r;
    rp->status = 200;
}
