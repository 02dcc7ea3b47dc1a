/* Publishing the outbox on PostgreSQL: store/outbox_pg.h. The chunk's
 * NDJSON, Redis and cursor rules are engine/outbox_sink.c's, shared with
 * SQLite; what is here is how the chunk is read and the marks written. */
#include "store/outbox_pg.h"
#include "store/lease_pg.h"
#include "engine/outbox_sink.h"
#include "engine/lease.h"
#include <stdlib.h>
#include <string.h>

enum { CHUNK = 4096 };

static int read_cursors(mmr_pg *pg, int64_t *nd, int64_t *rd, mmr_diags *d)
{
    PGresult *r = mmr_pg_query(pg, "SELECT sink, last_event_id FROM mm_event_cursor", d, "reading mm_event_cursor");
    if (!r) return -1;
    int have = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        const char *s = PQgetvalue(r, i, 0);
        int64_t v = atoll(PQgetvalue(r, i, 1));
        if (!strcmp(s, "ndjson")) { *nd = v; have |= 1; }
        else if (!strcmp(s, "redis")) { *rd = v; have |= 2; }
    }
    PQclear(r);
    if (have == 3) return 0;
    mmr_obx_cursor_missing(pg->label, have & 1 ? "redis" : "ndjson", d);
    return -1;
}

int mmr_pg_outbox_pending(mmr_pg *pg, uint64_t *out, mmr_diags *d)
{
    int64_t nd = 0, rd = 0;
    if (read_cursors(pg, &nd, &rd, d)) return -1;
    char a[24], b[24];
    snprintf(a, sizeof a, "%lld", (long long)nd);
    snprintf(b, sizeof b, "%lld", (long long)rd);
    const char *p[2] = { a, b };
    PGresult *r = mmr_pg_params(pg, "SELECT (SELECT count(*) FROM mm_event_outbox WHERE event_id > $1::bigint) + "
                         "(SELECT count(*) FROM mm_event_outbox WHERE event_id > $2::bigint AND event_id <= $1::bigint "
                         "AND want_redis = 1)", 2, p, d, "counting mm_event_outbox");
    if (!r) return -1;
    *out = (uint64_t)atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}

int mmr_pg_outbox_redis_waiting(mmr_pg *pg, mmr_diags *d)
{
    PGresult *r = mmr_pg_query(pg, "SELECT 1 FROM mm_event_outbox WHERE want_redis = 1 AND event_id > "
                                   "(SELECT last_event_id FROM mm_event_cursor WHERE sink = 'redis') LIMIT 1",
                               d, "reading mm_event_outbox");
    if (!r) return -1;
    int any = PQntuples(r) > 0;
    PQclear(r);
    return any;
}

/* mm_event_sink (engine/outbox_sink.h): each statement outside BEGIN is a
 * transaction of its own; inside the marks', it is part of them. */
static int sink_lookup(void *ctx, const char *key, int64_t *size, mmr_diags *d)
{
    mmr_pg *pg = ctx;
    const char *p[1] = { key };
    PGresult *r = mmr_pg_params(pg, "SELECT size FROM mm_event_sink WHERE path = $1", 1, p, d, "reading mm_event_sink");
    if (!r) return -1;
    *size = PQntuples(r) ? atoll(PQgetvalue(r, 0, 0)) : -1;
    PQclear(r);
    return 0;
}

static int sink_record(void *ctx, const char *key, int64_t size, mmr_diags *d)
{
    mmr_pg *pg = ctx;
    char v[24];
    snprintf(v, sizeof v, "%lld", (long long)size);
    const char *p[2] = { key, v };
    PGresult *r = mmr_pg_params(pg, "INSERT INTO mm_event_sink(path, size) VALUES ($1, $2::bigint) "
                         "ON CONFLICT (path) DO UPDATE SET size = excluded.size", 2, p, d, "writing mm_event_sink");
    PQclear(r);
    return r ? 0 : -1;
}

/* A chunk of the events after the pass's last into evs and text: their
 * count, or -1. */
static int read_chunk(mmr_pg *pg, const mmr_obx_pass *ps, mmr_obx_ev *evs, mmr_buf *text, mmr_diags *d)
{
    char a[24], b[16];
    snprintf(a, sizeof a, "%lld", (long long)ps->last);
    snprintf(b, sizeof b, "%d", CHUNK);
    const char *p[2] = { a, b };
    PGresult *r = mmr_pg_params(pg, "SELECT o.event_id, o.want_redis, d.delivered_at, d.delivery_id, d.user_id, r.name, "
                                    "d.title, d.body, d.category, d.rule_key "
                                    "FROM mm_event_outbox o JOIN mm_nudge_delivery_log d ON d.seq = o.delivery_seq "
                                    "JOIN mm_nudge_rule_master r ON r.rule_id = d.rule_id "
                                    "WHERE o.event_id > $1::bigint ORDER BY o.event_id LIMIT $2::integer",
                                2, p, d, "reading mm_event_outbox");
    if (!r) return -1;
    int n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        mmr_obx_ev *e = &evs[i];
#define COL(c) PQgetvalue(r, i, (c))
        e->id = atoll(COL(0));
        e->want_redis = atoi(COL(1)) != 0;
        mmr_obx_pass_event(ps, e);
        e->user_len = (size_t)PQgetlength(r, i, 4);
        e->user_off = text->len;
        mmr_buf_append(text, COL(4), e->user_len);
        e->pay_off = text->len;
        mmr_event_payload_key(text, COL(3), COL(4), COL(5), COL(9), (size_t)PQgetlength(r, i, 9), COL(6), COL(7),
                              COL(8), COL(2));
        e->pay_len = text->len - e->pay_off;
#undef COL
    }
    PQclear(r);
    if (text->oom) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); return -1; }
    return n;
}

/* The chunk's marks: both cursors and the events file's size. */
static int mark(mmr_pg *pg, mmr_obx_sink *s, int64_t nd, int64_t rd, const char *now_text, mmr_diags *d)
{
    char a[24], b[24];
    snprintf(a, sizeof a, "%lld", (long long)nd);
    snprintf(b, sizeof b, "%lld", (long long)rd);
    const char *p[3] = { a, b, now_text };
    int64_t size = 0;
    int rc = mmr_pg_exec(pg, "BEGIN", d, "publishing");
    PGresult *r = rc ? NULL
        : mmr_pg_params(pg, "UPDATE mm_event_cursor SET last_event_id = CASE sink WHEN 'ndjson' THEN $1::bigint ELSE $2::bigint END, "
                 "updated_at = $3 WHERE (sink = 'ndjson' AND last_event_id <> $1::bigint) "
                 "OR (sink = 'redis' AND last_event_id <> $2::bigint)", 3, p, d, "writing mm_event_cursor");
    if (!rc && !r) rc = -1;
    PQclear(r);
    int has = rc ? 0 : mmr_obx_sink_pos(s, &size, d);
    if (has < 0) rc = -1;
    else if (has) rc = sink_record(pg, s->key, size, d);
    if (!rc) rc = mmr_pg_exec(pg, "COMMIT", d, "writing mm_event_cursor");
    if (rc) mmr_pg_rollback(pg);
    return rc;
}

int mmr_pg_outbox_publish(mmr_pg *pg, const mmr_pg_outbox_opts *o, mmr_run_stats *st, mmr_diags *d)
{
    int lr = mmr_pg_lease_acquire(pg, "publish", o->what, o->lease_wait_ms, d);
    if (lr) {
        st->publish_busy = lr == 1;
        if (mmr_pg_outbox_pending(pg, &st->events_pending, d)) st->pending_unknown = 1;
        return -1;
    }
    mmr_obx_sink s;
    mmr_obx_sink_init(&s, o->redis_only ? NULL : o->out, o->redis_only ? NULL : o->events_path);
    const mmr_sink_store sst = { pg, sink_lookup, sink_record };
    mmr_buf text, chan;
    mmr_buf_init(&text);
    mmr_buf_init(&chan);
    mmr_obx_ev *evs = malloc(CHUNK * sizeof *evs);
    int64_t nd_wm = 0, rd_wm = 0;
    mmr_obx_pass ps;
    int rc = evs ? 0 : -1;
    if (rc) mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory");
    if (!rc) rc = read_cursors(pg, &nd_wm, &rd_wm, d);
    int cursors_ok = !rc;
    mmr_obx_pass_start(&ps, nd_wm, rd_wm, o->redis != NULL, o->redis_only);
    while (!rc) {
        mmr_buf_clear(&text);
        int n = read_chunk(pg, &ps, evs, &text, d);
        if (n <= 0) { rc = n; break; }
        rc = mmr_obx_pass_chunk(&ps, &s, &sst, o->redis, o->redis_batch_ms, evs, (size_t)n, text.data, &chan, st, d);
        if (!rc) rc = mark(pg, &s, ps.new_nd, ps.new_rd, o->now_text, d);
        if (rc || mmr_obx_pass_marked(&ps, evs, (size_t)n, st)) break;
    }
    rc = mmr_obx_sink_close(&s, rc, d);
    mmr_pg_lease_release(pg, "publish");
    if (cursors_ok && mmr_pg_outbox_pending(pg, &st->events_pending, d)) rc = -1;
    if (!cursors_ok) st->pending_unknown = 1;
    mmr_buf_free(&text);
    mmr_buf_free(&chan);
    free(evs);
    return rc;
}

int mmr_pg_outbox_publish_run(mmr_pg *pg, const mmr_run_opts *o, const char *now_text, mmr_run_stats *st,
                              mmr_diags *d)
{
    mmr_redis *redis = NULL;
    if (o->redis_url && mmr_redis_connect_within(&redis, o->redis_url, o->redis_batch_ms, d)) {
        st->redis_failed = 1;
        redis = NULL;
    }
    mmr_pg_outbox_opts oo = { .out = o->events_out, .events_path = o->events_path, .redis = redis,
                              .redis_batch_ms = o->redis_batch_ms, .now_text = now_text, .what = "mmr run",
                              .lease_wait_ms = o->busy_ms > 0 ? o->busy_ms : MMR_DB_BUSY_MS_DEFAULT };
    /* the run itself is committed; on failure the events wait in the outbox */
    int rc = mmr_pg_outbox_publish(pg, &oo, st, d);
    mmr_redis_close(redis);
    return rc;
}

int mmr_pg_outbox_want_redis(mmr_pg *pg, const mmr_run_opts *o, mmr_diags *d)
{
    if (o->redis_url) return 1;
    return mmr_pg_lease_held(pg, MMR_LEASE_RELAY_REDIS, d);
}
