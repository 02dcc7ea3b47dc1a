/* The SQLite run store's writes (store/run_sqlite.h) and its side jobs.
 * Each decision put goes into a batch; a full batch (PIPE_USERS users) is written by the
 * writer thread, on the run's connection inside its transaction, while the
 * pipeline's thread reads and evaluates the next users on a second,
 * read-only connection. Without that connection (a new database, whose
 * tables the reader could not see) the pipeline's thread writes each batch
 * itself. Deliveries and events are numbered here, in put order. Beside
 * the run a thread checks the file (quick_check); after the commit one
 * checkpoints the WAL while the outbox is published. */
#include "store/run_sqlite.h"
#include "engine/run_shared.h"
#include "engine/lease.h"
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------- the pipe
 * With an existing database the run uses two threads: the pipeline's (a
 * second, read-only connection: signals, traits, history, mutes, then the
 * VM and the decision) hands batches of decisions to the writer thread
 * (the run's connection, inside its transaction). The reader's snapshot is
 * the state before the run: the run only adds rows for users already read,
 * so it sees exactly what a single thread would. With one thread the same
 * batches are written by the pipeline's thread itself. */

enum { PIPE_NB = 4, PIPE_USERS = 2048 };

struct sq_pipe {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    sq_batch b[PIPE_NB];
    uint64_t filled, consumed;     /* batches handed over / written */
    int done, abort;
    int rc;                        /* the reader's result */
    int wrc;                       /* the writer's */
    mmr_diags wd;                  /* the writer's diagnostics */
    pthread_t th;
};

static size_t put_str(mmr_buf *t, const char *s, size_t len)
{
    size_t off = t->len;
    mmr_buf_append(t, s, len);
    mmr_buf_putc(t, 0);
    return off;
}

static sq_batch *cur_batch(sq_store *c)
{
    return c->pipe ? &c->pipe->b[c->pipe->filled % PIPE_NB] : &c->solo;
}

/* ------------------------------------------------------------ the writer
 * Rows go in with multi-row INSERTs of MULTI rows (one statement step per
 * MULTI rows), the remainder of a batch with MULTI_TAIL-row and one-row
 * statements. The
 * run's constants (as_of, run_id, now, want_redis) are bound once: a
 * statement keeps its bindings across resets. The statements are INSERT
 * OR FAIL and the tables' foreign keys are deferred to the commit, so no
 * statement can need undoing and SQLite keeps no statement journal (a
 * copy of every page a multi-row statement touches). A constraint failure
 * stops the statement after the rows before the one at fault
 * (sqlite3_changes); that row is inserted again alone for a message that
 * names it, and the run is rolled back. */

enum { MULTI = 64, MULTI_TAIL = 8 };
static const int multi_rows[3] = { 1, MULTI_TAIL, MULTI };
enum { T_CAND, T_DELIV, T_OUT, T_DEFER, T_N };

typedef struct ins_spec {
    const char *table, *consts, *cols, *what;
    int nconst, per_row;
} ins_spec;

static const ins_spec ins_specs[T_N] = {
    { "mm_nudge_candidate", "as_of, run_id",
      "user_id, rule_id, rule_key, status, suppression_reason, priority",
      "writing mm_nudge_candidate", 2, 6 },
    { "mm_nudge_delivery_log", "as_of, delivered_at",
      "seq, delivery_id, user_id, rule_id, rule_key, title, body, category, meta_json",
      "writing mm_nudge_delivery_log", 2, 9 },
    { "mm_event_outbox", "want_redis",
      "event_id, delivery_seq",
      "writing mm_event_outbox", 1, 2 },
    { "mm_nudge_deferred", "as_of, cap_max, cap_window_s",
      "user_id, rule_id, rule_key, deliver_at, title, body, category, meta_json",
      "writing mm_nudge_deferred", 3, 8 },
};

static int prepare_insert(sq_store *c, int t, int rows, sqlite3_stmt **out)
{
    const ins_spec *sp = &ins_specs[t];
    mmr_buf q;
    mmr_buf_init(&q);
    mmr_buf_printf(&q, "INSERT OR FAIL INTO %s(%s, %s) VALUES ", sp->table, sp->consts, sp->cols);
    for (int r = 0; r < rows; r++) {
        mmr_buf_puts(&q, r ? ",(" : "(");
        for (int k = 0; k < sp->nconst; k++) mmr_buf_printf(&q, "?%d,", k + 1);
        for (int k = 0; k < sp->per_row; k++)
            mmr_buf_printf(&q, k ? ",?%d" : "?%d", sp->nconst + 1 + r * sp->per_row + k);
        mmr_buf_putc(&q, ')');
    }
    if (q.oom) { mmr_buf_free(&q); mmr_sqrun_oom(c->d); return -1; }
    int rc = mmr_db_prepare(c->db, out, q.data, c->d);
    mmr_buf_free(&q);
    if (rc) return -1;
    sqlite3_stmt *s = *out;
    switch (t) {
    case T_CAND:
        sqlite3_bind_text(s, 1, c->as_of, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, c->run_id);
        break;
    case T_DELIV:
        sqlite3_bind_text(s, 1, c->as_of, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, c->e->now_text, -1, SQLITE_STATIC);
        break;
    case T_DEFER:
        /* the cap it was deferred under: the relay of `mmr serve` checks
         * it at the release without the ruleset */
        sqlite3_bind_text(s, 1, c->as_of, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, c->p->policy.max_nudges);
        sqlite3_bind_int64(s, 3, c->p->policy.window_s);
        break;
    default:
        sqlite3_bind_int(s, 1, c->want_redis);
        break;
    }
    return 0;
}

static void bind_row(sq_store *c, int t, sqlite3_stmt *s, int at, const sq_brec *r, const char *tx)
{
    const mmr_prog_rule *ru = &c->p->rules[r->rule];
    switch (t) {
    case T_CAND:
        sqlite3_bind_text(s, at, tx + r->user, r->user_len, SQLITE_STATIC);
        sqlite3_bind_int64(s, at + 1, c->rule_ids[r->rule]);
        sqlite3_bind_text(s, at + 2, tx + r->key, r->key_len, SQLITE_STATIC);
        if (r->delivered || r->deferred) {
            sqlite3_bind_text(s, at + 3, r->delivered ? "delivered" : "deferred", -1, SQLITE_STATIC);
            sqlite3_bind_null(s, at + 4);
        } else {
            sqlite3_bind_text(s, at + 3, "suppressed", 10, SQLITE_STATIC);
            sqlite3_bind_text(s, at + 4, mmr_reason_name((mmr_reason)r->reason), -1, SQLITE_STATIC);
        }
        sqlite3_bind_int(s, at + 5, (int)ru->priority);
        break;
    case T_DELIV:
        sqlite3_bind_int64(s, at, r->seq);
        sqlite3_bind_text(s, at + 1, r->did, MMR_UUID_STR - 1, SQLITE_STATIC);
        sqlite3_bind_text(s, at + 2, tx + r->user, r->user_len, SQLITE_STATIC);
        sqlite3_bind_int64(s, at + 3, c->rule_ids[r->rule]);
        sqlite3_bind_text(s, at + 4, tx + r->key, r->key_len, SQLITE_STATIC);
        sqlite3_bind_text(s, at + 5, tx + r->title, r->title_len, SQLITE_STATIC);
        sqlite3_bind_text(s, at + 6, tx + r->body, r->body_len, SQLITE_STATIC);
        sqlite3_bind_text(s, at + 7, tx + r->category, r->category_len, SQLITE_STATIC);
        sqlite3_bind_text(s, at + 8, tx + r->meta, r->meta_len, SQLITE_STATIC);
        break;
    case T_DEFER:
        sqlite3_bind_text(s, at, tx + r->user, r->user_len, SQLITE_STATIC);
        sqlite3_bind_int64(s, at + 1, c->rule_ids[r->rule]);
        sqlite3_bind_text(s, at + 2, tx + r->key, r->key_len, SQLITE_STATIC);
        sqlite3_bind_text(s, at + 3, tx + r->deliver_at, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, at + 4, tx + r->title, r->title_len, SQLITE_STATIC);
        sqlite3_bind_text(s, at + 5, tx + r->body, r->body_len, SQLITE_STATIC);
        sqlite3_bind_text(s, at + 6, tx + r->category, r->category_len, SQLITE_STATIC);
        sqlite3_bind_text(s, at + 7, tx + r->meta, r->meta_len, SQLITE_STATIC);
        break;
    default:
        sqlite3_bind_int64(s, at, r->event_id);
        sqlite3_bind_int64(s, at + 1, r->seq);
        break;
    }
}

/* One row with the one-row statement. 0, or -1 with a diagnostic. */
static int insert_one(sq_store *c, mmr_diags *d, int t, const sq_brec *r, const char *tx)
{
    sqlite3_stmt *s = c->ins[t][0];
    sqlite3_reset(s);
    bind_row(c, t, s, ins_specs[t].nconst + 1, r, tx);
    if (sqlite3_step(s) == SQLITE_DONE) return 0;
    int constraint = (sqlite3_extended_errcode(c->db->h) & 0xff) == SQLITE_CONSTRAINT;
    mmr_buf rule;                /* rule, or rule["key"] */
    mmr_buf_init(&rule);
    mmr_rule_key_label(&rule, c->p->rules[r->rule].name, r->key_len ? tx + r->key : NULL, (size_t)r->key_len);
    const char *rn = rule.data ? rule.data : c->p->rules[r->rule].name;
    if (constraint && t == T_CAND)
        mmr_diag_add(d, MMR_SEV_ERROR, tx + r->where, 0, 0,
                     "user \"%s\": a second candidate for rule %s on %s (is the user in the snapshot twice?)",
                     tx + r->user, rn, c->as_of);
    else if (constraint && t == T_DELIV)
        mmr_diag_add(d, MMR_SEV_ERROR, tx + r->where, 0, 0,
                     "user \"%s\": rule %s was already delivered for %s (is the user in the snapshot twice?)",
                     tx + r->user, rn, c->as_of);
    else
        mmr_db_error(c->db, d, ins_specs[t].what);
    mmr_buf_free(&rule);
    sqlite3_reset(s);
    return -1;
}

/* pend[0..n) with the k-row statement (n is its row count). 0, or -1 with
 * a diagnostic naming the row at fault. */
static int insert_multi(sq_store *c, mmr_diags *d, int t, int k, const sq_brec *const *pend, size_t n, const char *tx)
{
    const ins_spec *sp = &ins_specs[t];
    sqlite3_stmt *s = c->ins[t][k];
    sqlite3_reset(s);
    for (size_t i = 0; i < n; i++) bind_row(c, t, s, sp->nconst + 1 + (int)i * sp->per_row, pend[i], tx);
    if (sqlite3_step(s) == SQLITE_DONE) return 0;
    int constraint = (sqlite3_extended_errcode(c->db->h) & 0xff) == SQLITE_CONSTRAINT;
    /* OR FAIL: the rows before the one at fault are in */
    size_t done = constraint ? (size_t)sqlite3_changes(c->db->h) : 0;
    sqlite3_reset(s);
    if (!constraint) { mmr_db_error(c->db, d, sp->what); return -1; }
    if (done > n) done = n;
    for (size_t i = done; i < n; i++)
        if (insert_one(c, d, t, pend[i], tx)) return -1;
    /* not found again: fail anyway, the statement did */
    mmr_db_error(c->db, d, sp->what);
    return -1;
}

/* The records of b for table t (candidates: all; deliveries and events:
 * the delivered ones), in order. */
static int insert_rows(sq_store *c, mmr_diags *d, int t, const sq_batch *b)
{
    const char *tx = b->text.data;
    int only_delivered = t == T_DELIV || t == T_OUT;
    const sq_brec *pend[MULTI];
    size_t np = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (only_delivered && !b->v[i].delivered) continue;
        if (t == T_DEFER && !b->v[i].deferred) continue;
        pend[np++] = &b->v[i];
        if (np < MULTI) continue;
        if (insert_multi(c, d, t, 2, pend, np, tx)) return -1;
        np = 0;
    }
    size_t at = 0;
    for (; np - at >= MULTI_TAIL; at += MULTI_TAIL)
        if (insert_multi(c, d, t, 1, pend + at, MULTI_TAIL, tx)) return -1;
    for (; at < np; at++)
        if (insert_one(c, d, t, pend[at], tx)) return -1;
    return 0;
}

/* Deliveries before their events (the events' foreign key). */
static int write_batch(sq_store *c, mmr_diags *d, const sq_batch *b)
{
    if (insert_rows(c, d, T_DELIV, b) || insert_rows(c, d, T_OUT, b) || insert_rows(c, d, T_CAND, b) ||
        insert_rows(c, d, T_DEFER, b))
        return -1;
    return 0;
}

/* Hand the batch being filled to the writer; wait for a free one. */
static int pipe_flush(sq_store *c)
{
    sq_pipe *pp = c->pipe;
    sq_batch *b = &pp->b[pp->filled % PIPE_NB];
    if (!b->n && !b->users) return 0;
    pthread_mutex_lock(&pp->mu);
    pp->filled++;
    pthread_cond_broadcast(&pp->cv);
    while (pp->filled - pp->consumed >= PIPE_NB && !pp->abort) pthread_cond_wait(&pp->cv, &pp->mu);
    int ab = pp->abort;
    pthread_mutex_unlock(&pp->mu);
    sq_batch *nb = &pp->b[pp->filled % PIPE_NB];
    nb->n = 0; nb->users = 0;
    mmr_buf_clear(&nb->text);
    return ab ? -1 : 0;
}

/* One thread: write the batch now. */
static int solo_flush(sq_store *c)
{
    sq_batch *b = &c->solo;
    int rc = b->n ? write_batch(c, c->d, b) : 0;
    b->n = 0; b->users = 0;
    mmr_buf_clear(&b->text);
    return rc;
}

int mmr_sqrun_put(sq_store *c, const mmr_run_user *u, const mmr_run_row *w)
{
    const mmr_decision *dc = w->dc;
    if (dc->delivered && c->spool && !c->spool_bad) {
        /* the event as it will be published after the commit */
        uint32_t len[2] = { (uint32_t)strlen(u->id), (uint32_t)w->event_len };
        if (!w->event || fwrite(len, sizeof len, 1, c->spool) != 1 ||
            fwrite(u->id, 1, len[0], c->spool) != len[0] ||
            fwrite(w->event, 1, len[1], c->spool) != len[1])
            c->spool_bad = 1;
        c->spool_n++;
    }
    sq_batch *b = cur_batch(c);
    if (mmr_grow((void **)&b->v, &b->cap, b->n + 1, sizeof *b->v)) { mmr_sqrun_oom(c->d); return -1; }
    sq_brec *r = &b->v[b->n++];
    mmr_buf *t = &b->text;
    r->user_len = (int)strlen(u->id);
    r->user = put_str(t, u->id, (size_t)r->user_len);
    r->where = put_str(t, u->where, strlen(u->where));
    r->key_len = dc->key ? (int)dc->key->len : 0;
    r->key = dc->key ? put_str(t, dc->key->bytes, dc->key->len) : r->where + (size_t)strlen(u->where);
    r->rule = dc->rule; r->delivered = dc->delivered; r->reason = dc->reason; r->deferred = dc->deferred;
    if (dc->deferred) {
        char at[MMR_TIME_BUF];
        mmr_time_format(dc->deliver_at, at);
        r->deliver_at = put_str(t, at, strlen(at));
    }
    if (dc->delivered || dc->deferred) {
        if (dc->delivered) {
            r->seq = c->next_seq++;
            r->event_id = c->next_event++;
            memcpy(r->did, w->did, sizeof r->did);
        }
        r->title_len = (int)strlen(w->title);
        r->body_len = (int)strlen(w->body);
        r->category_len = (int)strlen(w->category);
        r->title = put_str(t, w->title, (size_t)r->title_len);
        r->body = put_str(t, w->body, (size_t)r->body_len);
        r->category = put_str(t, w->category, (size_t)r->category_len);
        r->meta = put_str(t, w->meta, w->meta_len); r->meta_len = (int)w->meta_len;
    }
    if (t->oom) { mmr_sqrun_oom(c->d); return -1; }
    return 0;
}

/* Called once per user (not in dry runs): a full batch goes to the writer. */
int mmr_sqrun_user_done(sq_store *c)
{
    sq_batch *b = cur_batch(c);
    if (++b->users < PIPE_USERS) return 0;
    return c->pipe ? pipe_flush(c) : solo_flush(c);
}


/* The writer thread: each batch handed over, in order, until the pipeline
 * is done; after a failure (its own or the pipeline's) the rest are only
 * counted, so the pipeline never waits for a slot. */
static void *writer_main(void *arg)
{
    sq_store *c = arg;
    sq_pipe *pp = c->pipe;
    for (;;) {
        pthread_mutex_lock(&pp->mu);
        while (pp->consumed == pp->filled && !pp->done) pthread_cond_wait(&pp->cv, &pp->mu);
        int drained = pp->consumed == pp->filled, failed = pp->done && pp->rc;
        pthread_mutex_unlock(&pp->mu);
        if (drained) break;
        if (!pp->wrc && !failed) pp->wrc = write_batch(c, &pp->wd, &pp->b[pp->consumed % PIPE_NB]);
        pthread_mutex_lock(&pp->mu);
        pp->consumed++;
        if (pp->wrc) pp->abort = 1;
        pthread_cond_broadcast(&pp->cv);
        pthread_mutex_unlock(&pp->mu);
    }
    return NULL;
}

int mmr_sqrun_pipe_start(sq_store *c)
{
    sq_pipe *pp = calloc(1, sizeof *pp);
    if (!pp) { mmr_sqrun_oom(c->d); return -1; }
    for (int i = 0; i < PIPE_NB; i++) mmr_buf_init(&pp->b[i].text);
    mmr_diags_init(&pp->wd);
    pthread_mutex_init(&pp->mu, NULL);
    pthread_cond_init(&pp->cv, NULL);
    c->pipe = pp;
    if (pthread_create(&pp->th, NULL, writer_main, c) != 0) {
        mmr_diag_add(c->d, MMR_SEV_ERROR, "", 0, 0, "cannot start the writer thread");
        mmr_sqrun_writes_free(c);
        return -1;
    }
    return 0;
}

int mmr_sqrun_writes_end(sq_store *c, int ok)
{
    sq_pipe *pp = c->pipe;
    if (!pp) return ok ? solo_flush(c) : -1;
    int rc = ok ? pipe_flush(c) : -1;
    pthread_mutex_lock(&pp->mu);
    pp->rc = rc;
    pp->done = 1;
    pthread_cond_broadcast(&pp->cv);
    pthread_mutex_unlock(&pp->mu);
    pthread_join(pp->th, NULL);
    rc = rc || pp->wrc ? -1 : 0;
    mmr_diags_append(c->d, &pp->wd);
    mmr_sqrun_writes_free(c);
    return rc;
}

/* The pipe (its thread joined or never started) and the one-thread batch. */
void mmr_sqrun_writes_free(sq_store *c)
{
    sq_pipe *pp = c->pipe;
    if (pp) {
        for (int i = 0; i < PIPE_NB; i++) { free(pp->b[i].v); mmr_buf_free(&pp->b[i].text); }
        mmr_diags_free(&pp->wd);
        pthread_mutex_destroy(&pp->mu);
        pthread_cond_destroy(&pp->cv);
        free(pp);
        c->pipe = NULL;
    }
    free(c->solo.v);
    c->solo.v = NULL;
    c->solo.n = c->solo.cap = 0;
    mmr_buf_free(&c->solo.text);
}

int mmr_sqrun_prepare_writes(sq_store *c)
{
    for (int t = 0; t < T_N; t++)
        for (int k = 0; k < 3; k++)
            if (prepare_insert(c, t, multi_rows[k], &c->ins[t][k])) return -1;
    return 0;
}

/* ------------------------------------------------------------ side jobs */

/* The run's transaction leaves its rows in the WAL. Copying them into the
 * database file (the checkpoint) is done by a second connection while this
 * one publishes the outbox: a checkpoint and a writer can work at the same
 * time in WAL mode. The run's connection has wal_autocheckpoint off, so
 * its commit does not do the copy itself; whatever this checkpoint leaves
 * (it is PASSIVE: it never waits) is done when the last connection
 * closes, or by the next writer. Failures here lose nothing: the
 * committed rows are in the WAL either way. */
void *mmr_sqrun_ckpt_main(void *arg)
{
    const char *path = arg;
    sqlite3 *h = NULL;
    /* reading the schema first opens the WAL (a connection that has read
     * nothing does not know the file is in WAL mode) */
    if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK &&
        sqlite3_exec(h, "PRAGMA schema_version", NULL, NULL, NULL) == SQLITE_OK)
        sqlite3_wal_checkpoint_v2(h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    sqlite3_close_v2(h);
    return NULL;
}

/* PRAGMA quick_check on a connection of its own, beside the evaluation
 * (it reads every page: a fifth of a run's time at 1M users). The run
 * commits only if it finds the file sound. */
void *mmr_sqrun_check_main(void *arg)
{
    sq_check *j = arg;
    mmr_db *db = NULL;
    /* each page is read once: a small cache will do */
    j->rc = mmr_db_open(&db, j->path, MMR_DB_OPEN_RO, j->busy_ms, &j->d) ||
            mmr_db_exec(db, "PRAGMA cache_size=-2048", &j->d) || mmr_db_quick_check(db, &j->d) ? -1 : 0;
    mmr_db_close(db);
    return NULL;
}

/* Wait for the check; 0 sound (or never started), -1 with its errors. */
int mmr_sqrun_check_join(sq_check *j, mmr_diags *d)
{
    if (!j->started) return 0;
    pthread_join(j->th, NULL);
    j->started = 0;
    mmr_diags_append(d, &j->d);
    mmr_diags_free(&j->d);
    return j->rc;
}

/* After the commit: take the "publish" lease, publish the outbox, give
 * the lease back. -1 when something stays unpublished for a failure. */
int mmr_sqrun_publish_outbox(const mmr_run_opts *o, mmr_db *db, const mmr_outbox_opts *base, mmr_run_stats *st,
                             mmr_diags *d)
{
    static const char *const names[1] = { "publish" };
    int held = 0;
    if (o->lease) {
        int r = mmr_lease_acquire(db, names, 1, o->lease, o->busy_ms > 0 ? o->busy_ms : MMR_DB_BUSY_MS_DEFAULT, d);
        if (r == 1 || r < 0) {
            st->publish_busy = r == 1;
            if (mmr_outbox_pending(db, &st->events_pending, d)) st->pending_unknown = 1;
            return -1;
        }
        held = r == 0;
    }
    mmr_redis *redis = NULL;
    if (o->redis_url && mmr_redis_connect_within(&redis, o->redis_url, o->redis_batch_ms, d)) {
        st->redis_failed = 1;
        redis = NULL;
    }
    mmr_outbox_opts oo = *base;
    oo.redis = redis;
    oo.redis_batch_ms = o->redis_batch_ms;
    oo.lease = held ? o->lease : NULL;
    /* the run itself is committed; on failure the events wait in the outbox */
    int rc = mmr_outbox_publish(db, &oo, st, d);
    mmr_redis_close(redis);
    if (held) mmr_lease_release(db, names, 1, o->lease);
    return rc;
}
