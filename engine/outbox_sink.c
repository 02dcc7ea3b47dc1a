/* Store-independent pieces of publishing the outbox: engine/outbox_sink.h. */
#include "engine/outbox_sink.h"
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <sys/stat.h>

/* A tail this long cannot be one chunk of ours. */
enum { MAX_TAIL = 64 << 20 };

void mmr_obx_sink_init(mmr_obx_sink *s, FILE *out, const char *events_path)
{
    memset(s, 0, sizeof *s);
    s->f = events_path ? NULL : out;
    s->path = events_path;
    s->label = events_path ? events_path : "<stdout>";
    s->recorded = -1;
    s->resolved = 1;
}

static void not_ours(const mmr_obx_sink *s, mmr_diags *d)
{
    mmr_diag *g = mmr_diag_add(d, MMR_SEV_ERROR, s->path, 0, 0,
                               "the events file ends with %zu bytes this database did not write (after the %lld "
                               "bytes it recorded); nothing was appended", s->tail_len - s->tpos,
                               (long long)s->recorded + (long long)s->tpos);
    if (g) mmr_diag_set_hint(g, "another database or a hand edit appended to it: give each database its own "
                                "--events file, or move this one aside; the events stay in the outbox");
}

static int sink_open(mmr_obx_sink *s, const mmr_sink_store *st, mmr_diags *d)
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
        if (st->lookup(st->ctx, s->key, &s->recorded, d)) { close(fd); return -1; }
        int64_t actual = (int64_t)sb.st_size;
        if (s->recorded < 0 || actual < s->recorded) {
            /* A file new to this database, or one rotated (shorter):
             * record where our lines start before writing any, so that a
             * process killed inside the first chunk leaves a tail the next
             * run can recognise. */
            if (st->record(st->ctx, s->key, actual, d)) { close(fd); return -1; }
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
static int sink_match(mmr_obx_sink *s, const char *line, size_t len, mmr_diags *d)
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

static int sink_write(mmr_obx_sink *s, const mmr_sink_store *st, const mmr_obx_ev *evs, size_t n,
                       const char *text, mmr_diags *d)
{
    for (size_t i = 0; i < n; i++) {
        if (evs[i].emitted) continue;
        if (!s->f && sink_open(s, st, d)) return -1;
        const char *line = text + evs[i].pay_off;
        if (!s->resolved) {
            int m = sink_match(s, line, evs[i].pay_len, d);
            if (m < 0) return -1;
            if (m == 1) continue;
        }
        fwrite(line, 1, evs[i].pay_len, s->f);
        fputc('\n', s->f);
    }
    if (s->f && (fflush(s->f) || ferror(s->f))) {
        mmr_diag_add(d, MMR_SEV_ERROR, s->label, 0, 0, "cannot write events: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int mmr_obx_sink_pos(mmr_obx_sink *s, int64_t *size, mmr_diags *d)
{
    if (!s->key) return 0;
    long pos = ftell(s->f);
    if (pos < 0) {
        mmr_diag_add(d, MMR_SEV_ERROR, s->label, 0, 0, "cannot tell the events file's size: %s", strerror(errno));
        return -1;
    }
    *size = (int64_t)pos;
    return 1;
}

int mmr_obx_sink_close(mmr_obx_sink *s, int rc, mmr_diags *d)
{
    if (!rc && s->f && !s->resolved) {
        /* the pending events ran out before the tail did */
        not_ours(s, d);
        rc = -1;
    }
    free(s->tail);
    s->tail = NULL;
    if (s->own && s->f && fclose(s->f) && !rc) {
        mmr_diag_add(d, MMR_SEV_ERROR, s->label, 0, 0, "cannot write events: %s", strerror(errno));
        rc = -1;
    }
    s->f = NULL;
    free(s->key);
    s->key = NULL;
    return rc;
}

static int redis_chunk(mmr_redis *r, int batch_ms, mmr_obx_ev *evs, size_t n, const char *text, mmr_buf *chan,
                        mmr_diags *d)
{
    size_t appended = 0;
    int down = 0;
    const char *why = "connection lost";
    mmr_redis_batch_begin(r, batch_ms);
    for (size_t i = 0; i < n; i++) {
        mmr_obx_ev *e = &evs[i];
        if (e->redis_done) continue;
        mmr_buf_clear(chan);
        mmr_buf_puts(chan, "mm:nudges:");
        mmr_buf_append(chan, text + e->user_off, e->user_len);
        if (chan->oom) { why = "out of memory"; down = 1; break; }
        if (mmr_redis_append(r, chan->data, chan->len, text + e->pay_off, e->pay_len)) { down = 1; break; }
        appended++;
    }
    for (size_t i = 0, got = 0; i < n && got < appended; i++) {
        mmr_obx_ev *e = &evs[i];
        if (e->redis_done) continue;
        got++;
        if (down) continue;
        if (mmr_redis_reply(r, &why) == 0) e->redis_ok = 1;
        else down = 1;
    }
    if (!down) return 0;
    mmr_diag_add(d, MMR_SEV_WARNING, "redis", 0, 0, "publish failed (%s); the events stay in the outbox for the next run",
                 why);
    return -1;
}

static int64_t redis_mark(const mmr_obx_ev *evs, size_t n, int64_t rd_wm, int *blocked)
{
    int64_t rd = rd_wm;
    for (size_t i = 0; i < n && !*blocked; i++) {
        const mmr_obx_ev *e = &evs[i];
        if (!e->redis_done && !e->redis_ok) { *blocked = 1; rd = e->id - 1; break; }
        rd = e->id;
    }
    return rd < rd_wm ? rd_wm : rd;
}

void mmr_obx_cursor_missing(const char *label, const char *sink_name, mmr_diags *d)
{
    mmr_diag *g = mmr_diag_add(d, MMR_SEV_ERROR, label, 0, 0,
                               "mm_event_cursor has no row for sink '%s', so nothing can tell which events it "
                               "already has", sink_name);
    if (g) mmr_diag_set_hint(g, "put it back with the id of the last event that sink received, e.g. "
                                "INSERT INTO mm_event_cursor(sink, last_event_id, updated_at) "
                                "VALUES ('%s', (SELECT max(event_id) FROM mm_event_outbox), '')", sink_name);
}

void mmr_obx_pass_start(mmr_obx_pass *p, int64_t nd_wm, int64_t rd_wm, int have_redis, int redis_only)
{
    memset(p, 0, sizeof *p);
    p->nd_wm = nd_wm;
    p->rd_wm = rd_wm;
    p->redis_only = redis_only;
    p->redis_down = !have_redis;
    p->last = p->redis_down && rd_wm < nd_wm ? nd_wm : (rd_wm < nd_wm ? rd_wm : nd_wm);
    if (redis_only) p->last = rd_wm;   /* Redis's own range, nothing for NDJSON */
    p->redis_blocked = rd_wm < p->last;
}

void mmr_obx_pass_event(const mmr_obx_pass *p, mmr_obx_ev *e)
{
    e->emitted = p->redis_only || e->id <= p->nd_wm;
    e->redis_done = !e->want_redis || e->id <= p->rd_wm;
    e->redis_ok = 0;
}

int mmr_obx_pass_chunk(mmr_obx_pass *p, mmr_obx_sink *s, const mmr_sink_store *sst, mmr_redis *r, int batch_ms,
                       mmr_obx_ev *evs, size_t n, const char *text, mmr_buf *chan, mmr_run_stats *st, mmr_diags *d)
{
    p->last = evs[n - 1].id;
    if (sink_write(s, sst, evs, n, text, d)) return -1;
    /* Redis, pipelined; the first failure ends Redis for this pass */
    if (!p->redis_down && redis_chunk(r, batch_ms, evs, n, text, chan, d)) {
        p->redis_down = 1;
        st->redis_failed = 1;
    }
    /* NDJSON has the whole chunk; Redis everything before the first
     * event that wants it and lacks it */
    p->new_rd = redis_mark(evs, n, p->rd_wm, &p->redis_blocked);
    p->new_nd = p->last > p->nd_wm && !p->redis_only ? p->last : p->nd_wm;
    return 0;
}

int mmr_obx_pass_marked(mmr_obx_pass *p, const mmr_obx_ev *evs, size_t n, mmr_run_stats *st)
{
    for (size_t i = 0; i < n; i++) {
        if (!evs[i].emitted) st->events_emitted++;
        if (evs[i].redis_ok) st->events_redis++;
    }
    p->nd_wm = p->new_nd;
    p->rd_wm = p->new_rd;
    return p->redis_only && p->redis_down;
}
