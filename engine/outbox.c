/* The event outbox: publish pending events after the run's commit. */
#include "engine/run.h"
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
    mmr_buf_puts(b, "{\"type\":\"nudge\",\"delivery_id\":");
    mmr_buf_json_string(b, delivery_id, strlen(delivery_id));
    mmr_buf_puts(b, ",\"user_id\":");
    mmr_buf_json_string(b, user_id, strlen(user_id));
    mmr_buf_puts(b, ",\"rule\":");
    mmr_buf_json_string(b, rule, strlen(rule));
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

typedef struct sink {
    FILE *f;
    int own;                 /* opened here */
    char *key;               /* realpath of the events file */
} sink;

/* Open the --events file and cut off a tail written by a killed run
 * (beyond the size recorded with the last committed emission). */
static int sink_open(mmr_db *db, sink *s, const char *path, mmr_diags *d)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "cannot open the events file: %s", strerror(errno));
        return -1;
    }
    char rp[PATH_MAX];
    s->key = strdup(realpath(path, rp) ? rp : path);
    struct stat sb;
    if (!s->key || fstat(fd, &sb)) {
        mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "cannot read the events file: %s", strerror(errno));
        close(fd);
        return -1;
    }
    int64_t actual = (int64_t)sb.st_size, recorded = -1;
    sqlite3_stmt *st = NULL;
    if (mmr_db_begin(db, d)) { close(fd); return -1; }
    int rc = mmr_db_prepare(db, &st, "SELECT size FROM mm_event_sink WHERE path=?", d);
    if (!rc) {
        sqlite3_bind_text(st, 1, s->key, -1, SQLITE_STATIC);
        int r = sqlite3_step(st);
        if (r == SQLITE_ROW) recorded = sqlite3_column_int64(st, 0);
        else if (r != SQLITE_DONE) { mmr_db_error(db, d, "reading mm_event_sink"); rc = -1; }
        sqlite3_finalize(st);
    }
    if (!rc && recorded >= 0 && actual > recorded) {
        if (ftruncate(fd, (off_t)recorded)) {
            mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "cannot cut the unrecorded tail of the events file: %s",
                         strerror(errno));
            rc = -1;
        }
        actual = recorded;
    }
    if (!rc && recorded != actual) {
        rc = mmr_db_prepare(db, &st, "INSERT INTO mm_event_sink(path, size) VALUES (?1, ?2) "
                                     "ON CONFLICT(path) DO UPDATE SET size=excluded.size", d);
        if (!rc) {
            sqlite3_bind_text(st, 1, s->key, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, actual);
            if (sqlite3_step(st) != SQLITE_DONE) { mmr_db_error(db, d, "writing mm_event_sink"); rc = -1; }
            sqlite3_finalize(st);
        }
    }
    if (!rc) rc = mmr_db_commit(db, d);
    else mmr_db_rollback(db);
    if (rc) { close(fd); return -1; }
    if (lseek(fd, 0, SEEK_END) < 0 || !(s->f = fdopen(fd, "a"))) {
        mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "cannot append to the events file: %s", strerror(errno));
        close(fd);
        return -1;
    }
    s->own = 1;
    return 0;
}

int mmr_outbox_publish(mmr_db *db, const mmr_outbox_opts *o, mmr_run_stats *stats, mmr_diags *d)
{
    sink s = { o->out, 0, NULL };
    if (o->events_path && sink_open(db, &s, o->events_path, d)) { free(s.key); return -1; }
    const char *label = o->events_path ? o->events_path : "<stdout>";
    mmr_redis *redis = o->redis;
    int redis_down = !redis;
    sqlite3_stmt *sel = NULL, *upd = NULL, *range = NULL, *size = NULL, *cnt = NULL;
    mmr_buf text;
    mmr_buf_init(&text);
    ev *evs = malloc(CHUNK * sizeof *evs);
    int rc = evs ? 0 : -1;
    if (rc) mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory");
    if (!rc) rc = mmr_db_prepare(db, &sel,
        "SELECT event_id, user_id, payload, want_redis, emitted_at IS NOT NULL, redis_at IS NOT NULL "
        "FROM mm_event_outbox WHERE published_at IS NULL AND event_id > ?1 ORDER BY event_id LIMIT ?2", d);
    if (!rc) rc = mmr_db_prepare(db, &upd,
        "UPDATE mm_event_outbox SET emitted_at = coalesce(emitted_at, ?2), "
        "redis_at = CASE WHEN ?3 THEN coalesce(redis_at, ?2) ELSE redis_at END, "
        "published_at = CASE WHEN ?4 THEN ?2 END WHERE event_id = ?1", d);
    /* the common case: one statement marks a whole chunk */
    if (!rc) rc = mmr_db_prepare(db, &range,
        "UPDATE mm_event_outbox SET emitted_at = coalesce(emitted_at, ?2), "
        "redis_at = CASE WHEN ?3 AND want_redis THEN coalesce(redis_at, ?2) ELSE redis_at END, "
        "published_at = CASE WHEN want_redis = 0 OR redis_at IS NOT NULL OR ?3 THEN ?2 END "
        "WHERE event_id BETWEEN ?1 AND ?4 AND published_at IS NULL", d);
    if (!rc && s.key) rc = mmr_db_prepare(db, &size, "UPDATE mm_event_sink SET size=?2 WHERE path=?1", d);
    int64_t last = 0;
    while (!rc) {
        /* read a chunk of pending events */
        mmr_buf_clear(&text);
        size_t n = 0;
        sqlite3_reset(sel);
        sqlite3_bind_int64(sel, 1, last);
        sqlite3_bind_int(sel, 2, CHUNK);
        int r;
        while ((r = sqlite3_step(sel)) == SQLITE_ROW) {
            ev *e = &evs[n++];
            e->id = sqlite3_column_int64(sel, 0);
            e->user_off = text.len;
            e->user_len = (size_t)sqlite3_column_bytes(sel, 1);
            mmr_buf_append(&text, (const char *)sqlite3_column_text(sel, 1), e->user_len);
            e->pay_off = text.len;
            e->pay_len = (size_t)sqlite3_column_bytes(sel, 2);
            mmr_buf_append(&text, (const char *)sqlite3_column_text(sel, 2), e->pay_len);
            e->want_redis = sqlite3_column_int(sel, 3);
            e->emitted = sqlite3_column_int(sel, 4);
            e->redis_done = sqlite3_column_int(sel, 5);
            e->redis_ok = 0;
        }
        if (r != SQLITE_DONE) { mmr_db_error(db, d, "reading mm_event_outbox"); rc = -1; break; }
        if (text.oom) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); rc = -1; break; }
        if (!n) break;
        last = evs[n - 1].id;
        /* the NDJSON stream */
        for (size_t i = 0; i < n; i++) {
            if (evs[i].emitted) continue;
            fwrite(text.data + evs[i].pay_off, 1, evs[i].pay_len, s.f);
            fputc('\n', s.f);
        }
        if (fflush(s.f) || ferror(s.f)) {
            mmr_diag_add(d, MMR_SEV_ERROR, label, 0, 0, "cannot write events: %s", strerror(errno));
            rc = -1;
            break;
        }
        /* Redis, pipelined; the first failure ends Redis for this run */
        int redis_tried = !redis_down, chunk_failed = 0;
        if (!redis_down) {
            char chan[300];
            size_t appended = 0;
            for (size_t i = 0; i < n; i++) {
                ev *e = &evs[i];
                if (!e->want_redis || e->redis_done) continue;
                int cl = snprintf(chan, sizeof chan, "mm:nudges:%.*s", (int)e->user_len, text.data + e->user_off);
                if (cl < 0 || (size_t)cl >= sizeof chan ||
                    mmr_redis_append(redis, chan, (size_t)cl, text.data + e->pay_off, e->pay_len)) {
                    redis_down = 1;
                    break;
                }
                appended++;
            }
            const char *why = "connection lost";
            for (size_t i = 0, got = 0; i < n && got < appended; i++) {
                ev *e = &evs[i];
                if (!e->want_redis || e->redis_done) continue;
                got++;
                if (redis_down) continue;
                if (mmr_redis_reply(redis, &why) == 0) e->redis_ok = 1;
                else redis_down = 1;
            }
            if (redis_down) {
                chunk_failed = 1;
                mmr_diag_add(d, MMR_SEV_WARNING, "redis", 0, 0,
                             "publish failed (%s); the events stay in the outbox for the next run", why);
                stats->redis_failed = 1;
            }
        }
        /* mark */
        if ((rc = mmr_db_begin(db, d))) break;
        if (!chunk_failed) {
            sqlite3_reset(range);
            sqlite3_bind_int64(range, 1, evs[0].id);
            sqlite3_bind_text(range, 2, o->now_text, -1, SQLITE_STATIC);
            sqlite3_bind_int(range, 3, redis_tried);
            sqlite3_bind_int64(range, 4, evs[n - 1].id);
            if (sqlite3_step(range) != SQLITE_DONE) { mmr_db_error(db, d, "marking mm_event_outbox"); rc = -1; }
            for (size_t i = 0; i < n; i++) {
                if (!evs[i].emitted) stats->events_emitted++;
                if (evs[i].redis_ok) stats->events_redis++;
            }
        }
        for (size_t i = 0; i < n && !rc && chunk_failed; i++) {
            ev *e = &evs[i];
            int redis_done = e->redis_done || e->redis_ok;
            int all = !e->want_redis || redis_done;
            sqlite3_reset(upd);
            sqlite3_bind_int64(upd, 1, e->id);
            sqlite3_bind_text(upd, 2, o->now_text, -1, SQLITE_STATIC);
            sqlite3_bind_int(upd, 3, e->redis_ok);
            sqlite3_bind_int(upd, 4, all);
            if (sqlite3_step(upd) != SQLITE_DONE) { mmr_db_error(db, d, "marking mm_event_outbox"); rc = -1; }
            if (!e->emitted) stats->events_emitted++;
            if (e->redis_ok) stats->events_redis++;
        }
        if (!rc && size) {
            long pos = ftell(s.f);
            sqlite3_reset(size);
            sqlite3_bind_text(size, 1, s.key, -1, SQLITE_STATIC);
            sqlite3_bind_int64(size, 2, (sqlite3_int64)pos);
            if (pos < 0 || sqlite3_step(size) != SQLITE_DONE) { mmr_db_error(db, d, "writing mm_event_sink"); rc = -1; }
        }
        if (!rc) rc = mmr_db_commit(db, d);
        else mmr_db_rollback(db);
    }
    if (!rc && !mmr_db_prepare(db, &cnt, "SELECT count(*) FROM mm_event_outbox WHERE published_at IS NULL", d)) {
        if (sqlite3_step(cnt) == SQLITE_ROW) stats->events_pending = (uint64_t)sqlite3_column_int64(cnt, 0);
    }
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    sqlite3_finalize(range);
    sqlite3_finalize(size);
    sqlite3_finalize(cnt);
    mmr_buf_free(&text);
    free(evs);
    if (s.own && s.f && fclose(s.f) && !rc) {
        mmr_diag_add(d, MMR_SEV_ERROR, label, 0, 0, "cannot write events: %s", strerror(errno));
        rc = -1;
    }
    free(s.key);
    return rc;
}
