/* The event outbox: publish pending events after the run's commit. */
#include "engine/run.h"
#include "engine/lease.h"
#include "engine/outbox_sink.h"
#include <stdlib.h>
#include <string.h>
#include <errno.h>

void mmr_event_payload(mmr_buf *b, const char *delivery_id, const char *user_id,
                       const char *rule, const char *title, const char *body,
                       const char *category, const char *created_at)
{
    mmr_event_payload_key(b, delivery_id, user_id, rule, NULL, 0, title, body, category, created_at);
}

void mmr_event_payload_key(mmr_buf *b, const char *delivery_id, const char *user_id,
                           const char *rule, const char *key, size_t key_len, const char *title,
                           const char *body, const char *category, const char *created_at)
{
    mmr_buf_puts(b, "{\"type\":\"nudge\",\"delivery_id\":");
    mmr_buf_json_string(b, delivery_id, strlen(delivery_id));
    mmr_buf_puts(b, ",\"user_id\":");
    mmr_buf_json_string(b, user_id, strlen(user_id));
    mmr_buf_puts(b, ",\"rule\":");
    mmr_buf_json_string(b, rule, strlen(rule));
    if (key && key_len) {
        mmr_buf_puts(b, ",\"key\":");
        mmr_buf_json_string(b, key, key_len);
    }
    mmr_buf_puts(b, ",\"title\":");
    mmr_buf_json_string(b, title, strlen(title));
    mmr_buf_puts(b, ",\"body\":");
    mmr_buf_json_string(b, body, strlen(body));
    mmr_buf_puts(b, ",\"category\":");
    mmr_buf_json_string(b, category, strlen(category));
    mmr_buf_puts(b, ",\"created_at\":");
    mmr_buf_json_string(b, created_at, strlen(created_at));
    mmr_buf_putc(b, '}');
}

enum { CHUNK = 4096 };

/* The events file's size after our last line, inside the caller's
 * transaction. */
static int record_size(mmr_db *db, const char *key, int64_t size, mmr_diags *d)
{
    sqlite3_stmt *st;
    if (mmr_db_prepare(db, &st, "INSERT INTO mm_event_sink(path, size) VALUES (?1, ?2) "
                                "ON CONFLICT(path) DO UPDATE SET size=excluded.size", d))
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, size);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    if (rc) mmr_db_error(db, d, "writing mm_event_sink");
    sqlite3_finalize(st);
    return rc;
}

/* mm_event_sink for the NDJSON sink (engine/outbox_sink.h) */
static int sink_lookup(void *ctx, const char *key, int64_t *size, mmr_diags *d)
{
    mmr_db *db = ctx;
    sqlite3_stmt *st;
    *size = -1;
    if (mmr_db_prepare(db, &st, "SELECT size FROM mm_event_sink WHERE path=?", d)) return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) *size = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE) { mmr_db_error(db, d, "reading mm_event_sink"); return -1; }
    return 0;
}

static int sink_record(void *ctx, const char *key, int64_t size, mmr_diags *d)
{
    mmr_db *db = ctx;
    if (mmr_db_begin(db, d)) return -1;
    int rc = record_size(db, key, size, d);
    if (!rc) rc = mmr_db_commit(db, d);
    else mmr_db_rollback(db);
    return rc;
}

static int read_cursor(mmr_db *db, const char *sink_name, int64_t *out, mmr_diags *d)
{
    sqlite3_stmt *st;
    if (mmr_db_prepare(db, &st, "SELECT last_event_id FROM mm_event_cursor WHERE sink=?1", d)) return -1;
    sqlite3_bind_text(st, 1, sink_name, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (r == SQLITE_DONE) { mmr_outbox_cursor_missing(db, sink_name, d); return -1; }
    if (r != SQLITE_ROW) { mmr_db_error(db, d, "reading mm_event_cursor"); return -1; }
    return 0;
}

void mmr_outbox_cursor_missing(mmr_db *db, const char *sink_name, mmr_diags *d)
{
    mmr_obx_cursor_missing(db->path, sink_name, d);
}

int mmr_outbox_pending(mmr_db *db, uint64_t *out, mmr_diags *d)
{
    int64_t nd = 0, rd = 0;
    sqlite3_stmt *cnt;
    if (read_cursor(db, "ndjson", &nd, d) || read_cursor(db, "redis", &rd, d)) return -1;
    if (mmr_db_prepare(db, &cnt,
            "SELECT (SELECT count(*) FROM mm_event_outbox WHERE event_id > ?1) + "
            "(SELECT count(*) FROM mm_event_outbox WHERE event_id > ?2 AND event_id <= ?1 AND want_redis)", d))
        return -1;
    sqlite3_bind_int64(cnt, 1, nd);
    sqlite3_bind_int64(cnt, 2, rd);
    int r = sqlite3_step(cnt);
    if (r == SQLITE_ROW) *out = (uint64_t)sqlite3_column_int64(cnt, 0);
    sqlite3_finalize(cnt);
    if (r != SQLITE_ROW) { mmr_db_error(db, d, "counting mm_event_outbox"); return -1; }
    return 0;
}

/* Pending events are those after a sink's watermark: every event after
 * the 'ndjson' cursor, and the events that want Redis after the 'redis'
 * cursor. They are read in event_id order, a chunk at a time, the event
 * text built from the delivery row; each chunk is written to the NDJSON
 * stream, PUBLISHed (pipelined), and the cursors (and the --events file's
 * size) are moved in one small transaction. */
int mmr_outbox_publish(mmr_db *db, const mmr_outbox_opts *o, mmr_run_stats *stats, mmr_diags *d)
{
    mmr_obx_sink s;
    mmr_obx_sink_init(&s, o->out, o->events_path);
    const mmr_sink_store sst = { db, sink_lookup, sink_record };
    sqlite3_stmt *sel = NULL, *cur = NULL;
    mmr_buf text, chan;
    mmr_buf_init(&text);
    mmr_buf_init(&chan);
    static const char *const publish_lease[1] = { "publish" };
    mmr_obx_ev *evs = malloc(CHUNK * sizeof *evs);
    int64_t nd_wm = 0, rd_wm = 0;
    mmr_obx_pass ps;
    int rc = evs ? 0 : -1;
    if (rc) mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory");
    if (!rc) rc = read_cursor(db, "ndjson", &nd_wm, d);
    if (!rc) rc = read_cursor(db, "redis", &rd_wm, d);
    int cursors_ok = !rc;
    if (!rc) rc = mmr_db_prepare(db, &sel,
        "SELECT o.event_id, o.want_redis, d.delivered_at, d.delivery_id, d.user_id, r.name, d.title, d.body, d.category, "
        "d.rule_key "
        "FROM mm_event_outbox o CROSS JOIN mm_nudge_delivery_log d ON d.seq = o.delivery_seq "
        "CROSS JOIN mm_nudge_rule_master r ON r.rule_id = d.rule_id "
        "WHERE o.event_id > ?1 AND o.event_id < ?3 ORDER BY o.event_id LIMIT ?2", d);
    if (!rc) rc = mmr_db_prepare(db, &cur,
        "UPDATE mm_event_cursor SET last_event_id = ?2, updated_at = ?3 WHERE sink = ?1 AND last_event_id <> ?2", d);
    mmr_obx_pass_start(&ps, nd_wm, rd_wm, o->redis != NULL, o->redis_only);
    /* the run's prepared events: only if every one of them is still pending */
    FILE *spool = o->spool && o->spool_n && ps.last < o->spool_first && !fseek(o->spool, 0, SEEK_SET) ? o->spool : NULL;
    uint64_t spooled = 0;
    int from_spool = 0;
    while (!rc) {
        /* read a chunk of pending events */
        mmr_buf_clear(&text);
        size_t n = 0;
        int r = SQLITE_DONE;
        if (!from_spool) {
            sqlite3_reset(sel);
            sqlite3_bind_int64(sel, 1, ps.last);
            sqlite3_bind_int(sel, 2, CHUNK);
            sqlite3_bind_int64(sel, 3, spool ? o->spool_first : INT64_MAX);
        }
        while (!from_spool && (r = sqlite3_step(sel)) == SQLITE_ROW) {
            mmr_obx_ev *e = &evs[n++];
            e->id = sqlite3_column_int64(sel, 0);
            e->want_redis = sqlite3_column_int(sel, 1);
            mmr_obx_pass_event(&ps, e);
            const char *user = (const char *)sqlite3_column_text(sel, 4);
            e->user_len = (size_t)sqlite3_column_bytes(sel, 4);
            e->user_off = text.len;
            mmr_buf_append(&text, user ? user : "", e->user_len);
            e->pay_off = text.len;
#define COL(i) ((const char *)sqlite3_column_text(sel, (i)) ? (const char *)sqlite3_column_text(sel, (i)) : "")
            mmr_event_payload_key(&text, COL(3), user ? user : "", COL(5), COL(9),
                                  (size_t)sqlite3_column_bytes(sel, 9), COL(6), COL(7), COL(8), COL(2));
#undef COL
            e->pay_len = text.len - e->pay_off;
        }
        if (r != SQLITE_DONE) { mmr_db_error(db, d, "reading mm_event_outbox"); rc = -1; break; }
        if (!n && spool && !from_spool) { sqlite3_reset(sel); from_spool = 1; }
        while (from_spool && n < CHUNK && spooled < o->spool_n) {
            uint32_t len[2];
            if (fread(len, sizeof len, 1, spool) != 1) { rc = -1; break; }
            mmr_obx_ev *e = &evs[n++];
            e->id = o->spool_first + (int64_t)spooled++;
            e->want_redis = o->redis_configured;
            mmr_obx_pass_event(&ps, e);
            e->user_off = text.len;
            e->user_len = len[0];
            e->pay_off = text.len + len[0];
            e->pay_len = len[1];
            if (mmr_buf_reserve(&text, (size_t)len[0] + len[1])) { rc = -1; break; }
            if (fread(text.data + text.len, 1, (size_t)len[0] + len[1], spool) != (size_t)len[0] + len[1]) { rc = -1; break; }
            text.len += (size_t)len[0] + len[1];
        }
        if (rc) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "cannot read the run's prepared events: %s", strerror(errno)); break; }
        if (text.oom) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); rc = -1; break; }
        if (!n) break;
        if ((rc = mmr_obx_pass_chunk(&ps, &s, &sst, o->redis, o->redis_batch_ms, evs, n, text.data, &chan, stats, d)))
            break;
        /* mark */
        if ((rc = mmr_db_begin(db, d))) break;
        /* still ours (and renewed) before the cursors move */
        if (o->lease) rc = mmr_lease_check(db, publish_lease, 1, o->lease, 1, d);
        const char *names[2] = { "ndjson", "redis" };
        int64_t vals[2] = { ps.new_nd, ps.new_rd };
        for (int k = 0; k < 2 && !rc; k++) {
            sqlite3_reset(cur);
            sqlite3_bind_text(cur, 1, names[k], -1, SQLITE_STATIC);
            sqlite3_bind_int64(cur, 2, vals[k]);
            sqlite3_bind_text(cur, 3, o->now_text, -1, SQLITE_STATIC);
            if (sqlite3_step(cur) != SQLITE_DONE) { mmr_db_error(db, d, "writing mm_event_cursor"); rc = -1; }
        }
        int64_t size = 0;
        int has_size = rc ? 0 : mmr_obx_sink_pos(&s, &size, d);
        if (has_size < 0) rc = -1;
        else if (has_size) rc = record_size(db, s.key, size, d);
        if (!rc) rc = mmr_db_commit(db, d);
        else mmr_db_rollback(db);
        if (rc || mmr_obx_pass_marked(&ps, evs, n, stats)) break;
    }
    /* still pending, whatever happened: after the NDJSON cursor, or
     * wanting Redis after its cursor (as committed) */
    if (cursors_ok && mmr_outbox_pending(db, &stats->events_pending, d)) rc = -1;
    if (!cursors_ok) stats->pending_unknown = 1;
    sqlite3_finalize(sel);
    sqlite3_finalize(cur);
    mmr_buf_free(&text);
    mmr_buf_free(&chan);
    free(evs);
    return mmr_obx_sink_close(&s, rc, d);
}
