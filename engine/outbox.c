/* The event outbox: publish pending events after the run's commit. */
#include "engine/run.h"
#include "engine/lease.h"
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <sys/stat.h>

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

typedef struct ev {
    int64_t id;
    size_t user_off, user_len, pay_off, pay_len;
    int want_redis, emitted, redis_done, redis_ok;
} ev;

/* The NDJSON sink: stdout, or the --events file, opened only when an
 * event is to be written to it (a file is never touched otherwise). */
typedef struct sink {
    FILE *f;
    int own;                 /* opened here */
    const char *path;        /* --events, or NULL for o->out */
    char *key;               /* realpath of a regular events file (size kept) */
    int64_t recorded;        /* its size after our last committed chunk, -1 none */
    /* Bytes past `recorded` when it was opened: a killed run's lines are
     * the first pending events, so they must match them byte for byte
     * (and are kept, not written again); anything else is not ours. */
    char *tail;
    size_t tail_len, tpos;
    int resolved;            /* the tail is matched (or there was none) */
} sink;

/* A tail this long cannot be one chunk of ours. */
enum { MAX_TAIL = 64 << 20 };

static void not_ours(const sink *s, mmr_diags *d)
{
    mmr_diag *g = mmr_diag_add(d, MMR_SEV_ERROR, s->path, 0, 0,
                               "the events file ends with %zu bytes this database did not write (after the %lld "
                               "bytes it recorded); nothing was appended", s->tail_len - s->tpos,
                               (long long)s->recorded + (long long)s->tpos);
    if (g) mmr_diag_set_hint(g, "another database or a hand edit appended to it: give each database its own "
                                "--events file, or move this one aside; the events stay in the outbox");
}

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

static int sink_open(mmr_db *db, sink *s, mmr_diags *d)
{
    const char *path = s->path;
    struct stat sb;
    int regular = stat(path, &sb) != 0 || S_ISREG(sb.st_mode);
    /* a pipe or device is written as it is, without size bookkeeping */
    int fd = regular ? open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644)
                     : open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) {
        mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "cannot open the events file: %s", strerror(errno));
        return -1;
    }
    if (regular && (fstat(fd, &sb) || !S_ISREG(sb.st_mode))) regular = 0;
    s->resolved = 1;
    if (regular) {
        char rp[PATH_MAX];
        if (!(s->key = strdup(realpath(path, rp) ? rp : path))) {
            mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "out of memory");
            close(fd);
            return -1;
        }
        sqlite3_stmt *st;
        if (mmr_db_prepare(db, &st, "SELECT size FROM mm_event_sink WHERE path=?", d)) { close(fd); return -1; }
        sqlite3_bind_text(st, 1, s->key, -1, SQLITE_STATIC);
        int r = sqlite3_step(st);
        if (r == SQLITE_ROW) s->recorded = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        if (r != SQLITE_ROW && r != SQLITE_DONE) { mmr_db_error(db, d, "reading mm_event_sink"); close(fd); return -1; }
        int64_t actual = (int64_t)sb.st_size;
        if (s->recorded < 0 || actual < s->recorded) {
            /* A file new to this database, or one rotated (shorter):
             * record where our lines start before writing any, so that a
             * process killed inside the first chunk leaves a tail the next
             * run can recognise. */
            if (mmr_db_begin(db, d)) { close(fd); return -1; }
            int rc = record_size(db, s->key, actual, d);
            if (!rc) rc = mmr_db_commit(db, d);
            else mmr_db_rollback(db);
            if (rc) { close(fd); return -1; }
            s->recorded = actual;
        } else if (actual > s->recorded) {
            s->tail_len = (size_t)(actual - s->recorded);
            s->resolved = 0;
            if (s->tail_len > MAX_TAIL) { not_ours(s, d); close(fd); return -1; }
            s->tail = malloc(s->tail_len);
            if (!s->tail || pread(fd, s->tail, s->tail_len, (off_t)s->recorded) != (ssize_t)s->tail_len) {
                mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "cannot read the events file: %s",
                             s->tail ? strerror(errno) : "out of memory");
                close(fd);
                return -1;
            }
        }
    }
    if (!(s->f = fdopen(fd, "a"))) {
        mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "cannot append to the events file: %s", strerror(errno));
        close(fd);
        return -1;
    }
    s->own = 1;
    return 0;
}

/* One line about to be written, checked against an unmatched tail:
 * 1 it is already there (skip it), 0 write it (the tail is settled), -1
 * the tail is not ours (error added). */
static int sink_match(sink *s, const char *line, size_t len, mmr_diags *d)
{
    size_t rem = s->tail_len - s->tpos;
    const char *t = s->tail + s->tpos;
    if (rem > len) {
        if (memcmp(t, line, len) || t[len] != '\n') { not_ours(s, d); return -1; }
        s->tpos += len + 1;
        if (s->tpos == s->tail_len) s->resolved = 1;
        return 1;
    }
    /* the tail ends inside this line: a killed write, cut it back */
    if (memcmp(t, line, rem)) { not_ours(s, d); return -1; }
    if (ftruncate(fileno(s->f), (off_t)(s->recorded + (int64_t)s->tpos))) {
        mmr_diag_add(d, MMR_SEV_ERROR, s->path, 0, 0, "cannot cut the unfinished line at the end of the events file: %s",
                     strerror(errno));
        return -1;
    }
    s->resolved = 1;
    return 0;
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
    mmr_diag *g = mmr_diag_add(d, MMR_SEV_ERROR, db->path, 0, 0,
                               "mm_event_cursor has no row for sink '%s', so nothing can tell which events it "
                               "already has", sink_name);
    if (g) mmr_diag_set_hint(g, "put it back with the id of the last event that sink received, e.g. "
                                "INSERT INTO mm_event_cursor(sink, last_event_id, updated_at) "
                                "VALUES ('%s', (SELECT max(event_id) FROM mm_event_outbox), '')", sink_name);
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
    sink s = { .f = o->events_path ? NULL : o->out, .path = o->events_path, .recorded = -1, .resolved = 1 };
    const char *label = o->events_path ? o->events_path : "<stdout>";
    mmr_redis *redis = o->redis;
    int redis_down = !redis;
    sqlite3_stmt *sel = NULL, *cur = NULL;
    mmr_buf text, chan;
    mmr_buf_init(&text);
    mmr_buf_init(&chan);
    static const char *const publish_lease[1] = { "publish" };
    ev *evs = malloc(CHUNK * sizeof *evs);
    int64_t nd_wm = 0, rd_wm = 0;
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
    /* Without Redis this run, the Redis cursor only follows while no
     * event that wants Redis is left behind it; the scan starts at the
     * NDJSON cursor. With Redis, it starts at the lower cursor. */
    int64_t last = redis_down && rd_wm < nd_wm ? nd_wm : (rd_wm < nd_wm ? rd_wm : nd_wm);
    if (o->redis_only) last = rd_wm;   /* Redis's own range, nothing for NDJSON */
    int redis_blocked = rd_wm < last;
    /* the run's prepared events: only if every one of them is still pending */
    FILE *spool = o->spool && o->spool_n && last < o->spool_first && !fseek(o->spool, 0, SEEK_SET) ? o->spool : NULL;
    uint64_t spooled = 0;
    int from_spool = 0;
    while (!rc) {
        /* read a chunk of pending events */
        mmr_buf_clear(&text);
        size_t n = 0;
        int r = SQLITE_DONE;
        if (!from_spool) {
            sqlite3_reset(sel);
            sqlite3_bind_int64(sel, 1, last);
            sqlite3_bind_int(sel, 2, CHUNK);
            sqlite3_bind_int64(sel, 3, spool ? o->spool_first : INT64_MAX);
        }
        while (!from_spool && (r = sqlite3_step(sel)) == SQLITE_ROW) {
            ev *e = &evs[n++];
            e->id = sqlite3_column_int64(sel, 0);
            e->want_redis = sqlite3_column_int(sel, 1);
            e->emitted = o->redis_only || e->id <= nd_wm;
            e->redis_done = !e->want_redis || e->id <= rd_wm;
            e->redis_ok = 0;
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
            ev *e = &evs[n++];
            e->id = o->spool_first + (int64_t)spooled++;
            e->want_redis = o->redis_configured;
            e->emitted = e->id <= nd_wm;
            e->redis_done = !e->want_redis || e->id <= rd_wm;
            e->redis_ok = 0;
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
        last = evs[n - 1].id;
        /* the NDJSON stream */
        for (size_t i = 0; i < n && !rc; i++) {
            if (evs[i].emitted) continue;
            if (!s.f && sink_open(db, &s, d)) { rc = -1; break; }
            const char *line = text.data + evs[i].pay_off;
            if (!s.resolved) {
                int m = sink_match(&s, line, evs[i].pay_len, d);
                if (m < 0) { rc = -1; break; }
                if (m == 1) continue;
            }
            fwrite(line, 1, evs[i].pay_len, s.f);
            fputc('\n', s.f);
        }
        if (rc) break;
        if (s.f && (fflush(s.f) || ferror(s.f))) {
            mmr_diag_add(d, MMR_SEV_ERROR, label, 0, 0, "cannot write events: %s", strerror(errno));
            rc = -1;
            break;
        }
        /* Redis, pipelined; the first failure ends Redis for this run */
        if (!redis_down) {
            size_t appended = 0;
            const char *why = "connection lost";
            mmr_redis_batch_begin(redis, o->redis_batch_ms);
            for (size_t i = 0; i < n; i++) {
                ev *e = &evs[i];
                if (e->redis_done) continue;
                mmr_buf_clear(&chan);
                mmr_buf_puts(&chan, "mm:nudges:");
                mmr_buf_append(&chan, text.data + e->user_off, e->user_len);
                if (chan.oom) { why = "out of memory"; redis_down = 1; break; }
                if (mmr_redis_append(redis, chan.data, chan.len, text.data + e->pay_off, e->pay_len)) {
                    redis_down = 1;
                    break;
                }
                appended++;
            }
            for (size_t i = 0, got = 0; i < n && got < appended; i++) {
                ev *e = &evs[i];
                if (e->redis_done) continue;
                got++;
                if (redis_down) continue;
                if (mmr_redis_reply(redis, &why) == 0) e->redis_ok = 1;
                else redis_down = 1;
            }
            if (redis_down) {
                mmr_diag_add(d, MMR_SEV_WARNING, "redis", 0, 0,
                             "publish failed (%s); the events stay in the outbox for the next run", why);
                stats->redis_failed = 1;
            }
        }
        /* the new cursors: NDJSON has the whole chunk; Redis has
         * everything before the first event that wants it and lacks it */
        int64_t new_rd = rd_wm;
        for (size_t i = 0; i < n && !redis_blocked; i++) {
            ev *e = &evs[i];
            if (!e->redis_done && !e->redis_ok) { redis_blocked = 1; new_rd = e->id - 1; break; }
            new_rd = e->id;
        }
        if (new_rd < rd_wm) new_rd = rd_wm;
        int64_t new_nd = last > nd_wm && !o->redis_only ? last : nd_wm;
        /* mark */
        if ((rc = mmr_db_begin(db, d))) break;
        /* still ours (and renewed) before the cursors move */
        if (o->lease) rc = mmr_lease_check(db, publish_lease, 1, o->lease, 1, d);
        const char *names[2] = { "ndjson", "redis" };
        int64_t vals[2] = { new_nd, new_rd };
        for (int k = 0; k < 2 && !rc; k++) {
            sqlite3_reset(cur);
            sqlite3_bind_text(cur, 1, names[k], -1, SQLITE_STATIC);
            sqlite3_bind_int64(cur, 2, vals[k]);
            sqlite3_bind_text(cur, 3, o->now_text, -1, SQLITE_STATIC);
            if (sqlite3_step(cur) != SQLITE_DONE) { mmr_db_error(db, d, "writing mm_event_cursor"); rc = -1; }
        }
        if (!rc && s.key) {
            long pos = ftell(s.f);
            if (pos < 0) {
                mmr_diag_add(d, MMR_SEV_ERROR, label, 0, 0, "cannot tell the events file's size: %s", strerror(errno));
                rc = -1;
            } else {
                rc = record_size(db, s.key, (int64_t)pos, d);
            }
        }
        if (!rc) rc = mmr_db_commit(db, d);
        else mmr_db_rollback(db);
        if (rc) break;
        for (size_t i = 0; i < n; i++) {
            if (!evs[i].emitted) stats->events_emitted++;
            if (evs[i].redis_ok) stats->events_redis++;
        }
        nd_wm = new_nd;
        rd_wm = new_rd;
        if (o->redis_only && redis_down) break;   /* nothing else to do with the rest */
    }
    if (!rc && s.f && !s.resolved) {
        /* the pending events ran out before the tail did */
        not_ours(&s, d);
        rc = -1;
    }
    /* still pending, whatever happened: after the NDJSON cursor, or
     * wanting Redis after its cursor (as committed) */
    if (cursors_ok && mmr_outbox_pending(db, &stats->events_pending, d)) rc = -1;
    if (!cursors_ok) stats->pending_unknown = 1;
    sqlite3_finalize(sel);
    sqlite3_finalize(cur);
    mmr_buf_free(&text);
    mmr_buf_free(&chan);
    free(s.tail);
    free(evs);
    if (s.own && s.f && fclose(s.f) && !rc) {
        mmr_diag_add(d, MMR_SEV_ERROR, label, 0, 0, "cannot write events: %s", strerror(errno));
        rc = -1;
    }
    free(s.key);
    return rc;
}
