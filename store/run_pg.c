/* The run store over PostgreSQL (store/run_store.h; store/pg.h,
 * docs/scale.md): engine/run.c's reads and writes for
 * `mmr run --db postgresql://…`.
 *
 *   1. In a short transaction of its own, under the schema's advisory
 *      lock: create or extend the schema, record the ruleset in the rule
 *      and template masters. Concurrent workers queue only here.
 *   2. The run's transaction (REPEATABLE READ: one snapshot for every
 *      read): an advisory lock on (as_of, shard) so the same shard never
 *      runs twice at once; a run record with its shard; the signals,
 *      traits, mutes, history, earlier candidates and interactions of the
 *      shard's users read through cursors in user_id order (byte order:
 *      COLLATE "C") and merged, a user at a time for the pipeline (VM,
 *      decision); the rows go in with COPY.
 *      Deliveries are staged in a temporary table and moved into the
 *      delivery log and the outbox at the end, under a lock on the
 *      outbox, so event ids become visible in commit order (a publisher
 *      reading past its cursor never skips an event committed later).
 *   3. After the commit: every pending event (this run's or another
 *      worker's) is published, NDJSON and Redis, under the "publish"
 *      lease (store/outbox_pg.c), so each goes out once whoever sends it.
 *
 * A shard is the users with mm_shard(user_id, N) = K. Decisions never
 * cross users, so shards share nothing but the tables.
 *
 * The schema and connection live in store/pg*.c, the publishing in
 * store/outbox_pg.c, the checks and the release before the run in
 * store/run_pg_checks.c. A little past our ~800-line mark: the cursors,
 * their per-user twins for a --signals file and the COPY buffers share
 * one context from the run record to the commit.
 */
#include "store/run_store.h"
#include "engine/run_shared.h"
#include "engine/responsiveness_load.h"
#include "engine/snapshot.h"
#include "engine/uuid.h"
#include "compiler/ast.h"
#include "store/pg.h"
#include "store/outbox_pg.h"
#include "store/run_pg_checks.h"
#include "signals/responsiveness.h"
#include "util/timeutil.h"
#include "util/userid.h"
#include "util/strmap.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { FETCH_ROWS = 4096, FLUSH_BYTES = 4 << 20 };

/* A cursor, read FETCH_ROWS at a time; or (users from a --signals file,
 * in any order) a prepared statement run for one user at a time. */
typedef struct pg_stream {
    const char *name;
    PGresult *res;
    int row, nrows, open, done;
    int point;                   /* the prepared statement's rows: one user's */
} pg_stream;

typedef struct pgrun {
    mmr_run_store base;
    const mmr_run_env *e;
    const mmr_run_opts *o;
    mmr_run_stats *st;
    mmr_diags *d;
    mmr_pg *pg;
    const mmr_program *p;
    char horizon_text[MMR_TIME_BUF];
    char as_of[16], shard_where[96];
    char prev[MMR_USER_ID_MAX + 1];  /* the current user */
    int64_t run_id;
    int64_t *rule_ids;
    int in_txn;                  /* the run's transaction is open */
    int file;                    /* users from a --signals file: look-ups per user */
    pg_stream sig, tr, mu, hi, ex, rs;
    mmr_colbind *sigc; size_t nsigc;
    mmr_colbind *trc; size_t ntrc;
    int tr_tz_col;
    mmr_resp_loader *resp;
    mmr_run_key *ex_v; size_t ex_cap;
    mmr_delivery *hist; size_t hcap;
    const char **mutes; size_t mcap;
    mmr_buf cand, defer, deliv, buf;
    int64_t ord;
    /* a --signals file: each (user, rule, key) put, to 1 when delivered
     * (the COPY would fail only at the end, without the file's line) */
    mmr_strmap seen;
    mmr_arena seen_keys;
} pgrun;

static void oom(mmr_diags *d) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); }

/* ------------------------------------------------------------ cursors */

static int stream_open(pgrun *c, pg_stream *s, const char *name, const char *select)
{
    mmr_buf q;
    mmr_buf_init(&q);
    if (c->file) mmr_buf_printf(&q, "PREPARE %s (text) AS %s", name, select);   /* $1: the user */
    else mmr_buf_printf(&q, "DECLARE %s NO SCROLL CURSOR FOR %s", name, select);
    s->point = c->file;
    int rc = q.oom ? (oom(c->d), -1) : mmr_pg_exec(c->pg, q.data, c->d, "opening a cursor");
    mmr_buf_free(&q);
    s->name = name;
    s->open = rc == 0;
    return rc;
}

/* The current row's user, or NULL at the end (*err on failure). */
static const char *stream_user(pgrun *c, pg_stream *s, int *err)
{
    if (!s->open || s->done) return NULL;
    if (s->row >= s->nrows && s->point) { s->done = 1; return NULL; }
    if (s->row >= s->nrows) {
        PQclear(s->res);
        char q[96];
        snprintf(q, sizeof q, "FETCH %d FROM %s", FETCH_ROWS, s->name);
        s->res = mmr_pg_query(c->pg, q, c->d, "reading the state");
        if (!s->res) { *err = 1; s->done = 1; return NULL; }
        s->nrows = PQntuples(s->res);
        s->row = 0;
        if (!s->nrows) { s->done = 1; return NULL; }
    }
    return PQgetvalue(s->res, s->row, 0);
}

static const char *cell(const pg_stream *s, int col) { return PQgetvalue(s->res, s->row, col); }
static int null_at(const pg_stream *s, int col) { return PQgetisnull(s->res, s->row, col); }
static int len_at(const pg_stream *s, int col) { return PQgetlength(s->res, s->row, col); }

/* Skip the rows of users before user; 1 when the current row is user's,
 * 0 when not, -1 on error. */
static int stream_seek(pgrun *c, pg_stream *s, const char *user)
{
    int err = 0;
    for (;;) {
        const char *u = stream_user(c, s, &err);
        if (!u) return err ? -1 : 0;
        int cmp = strcmp(u, user);
        if (cmp == 0) return 1;
        if (cmp > 0) return 0;
        s->row++;
    }
}

/* A point stream: user's rows (a cursor: nothing to do). 0, or -1. */
static int stream_load(pgrun *c, pg_stream *s, const char *user)
{
    if (!s->point) return 0;
    PQclear(s->res);
    s->res = PQexecPrepared(c->pg->h, s->name, 1, &user, NULL, NULL, 0);
    s->row = 0;
    s->nrows = 0;
    s->done = 0;
    if (PQresultStatus(s->res) != PGRES_TUPLES_OK) {
        mmr_pg_error(c->pg, s->res, c->d, "reading the state");
        PQclear(s->res);
        s->res = NULL;
        s->done = 1;
        return -1;
    }
    s->nrows = PQntuples(s->res);
    return 0;
}

static void stream_close(pg_stream *s)
{
    PQclear(s->res);
    s->res = NULL;
}

/* ------------------------------------------------------------ setup */

/* s as an SQL literal (NULL: NULL) */
static void put_literal(mmr_pg *pg, mmr_buf *q, const char *s)
{
    if (!s) { mmr_buf_puts(q, "NULL"); return; }
    char *e = PQescapeLiteral(pg->h, s, strlen(s));
    if (!e) { q->oom = 1; return; }
    mmr_buf_puts(q, e);
    PQfreemem(e);
}

/* 1 when both masters already hold this ruleset (the usual case: the
 * other shards of the night, or yesterday's run). Then no upsert runs: it
 * would wait for the row locks that running shards' candidates hold on
 * their rules (foreign keys). */
static int ruleset_recorded(pgrun *c)
{
    uint32_t ntpl = 0;
    for (uint32_t i = 0; i < c->p->ntemplates; i++) ntpl += c->p->templates[i].id != NULL;
    char q[400];
    snprintf(q, sizeof q, "SELECT (SELECT count(*) FROM mm_nudge_rule_master WHERE ruleset_hash = '%s') = %u AND "
                          "(SELECT count(*) FROM mm_nudge_template_master WHERE ruleset_hash = '%s') >= %u",
             c->e->hash, c->p->nrules, c->e->hash, ntpl);
    PGresult *r = mmr_pg_query(c->pg, q, c->d, "reading mm_nudge_rule_master");
    if (!r) return -1;
    int yes = PQntuples(r) && !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    return yes;
}

static int record_ruleset(pgrun *c)
{
    const mmr_program *p = c->p;
    int done = ruleset_recorded(c);
    if (done) return done < 0 ? -1 : 0;
    mmr_buf q, b;
    mmr_buf_init(&q);
    mmr_buf_init(&b);
    mmr_buf_puts(&q, "INSERT INTO mm_nudge_rule_master(name, description, category, priority, cooldown_days, "
                     "cooldown_s, expression_json, traits_filter_json, message_template_id, source, ruleset_hash, "
                     "updated_at) VALUES ");
    for (uint32_t i = 0; i < p->nrules; i++) {
        const mmr_prog_rule *r = &p->rules[i];
        const mmr_prog_template *t = r->template_index < p->ntemplates ? &p->templates[r->template_index] : NULL;
        const char *w = mmr_rule_cond_text(p, i, MMR_COND_WHEN_ALL), *a = mmr_rule_cond_text(p, i, MMR_COND_AUDIENCE_ALL);
        mmr_buf_puts(&q, i ? ",(" : "(");
#define LIT(s) put_literal(c->pg, &q, (s))
        LIT(r->name); mmr_buf_putc(&q, ','); LIT(r->description); mmr_buf_putc(&q, ',');
        LIT(r->category ? r->category : ""); mmr_buf_printf(&q, ",%d,%.17g,%lld,", (int)r->priority,
                                                            (double)r->cooldown_s / 86400.0, (long long)r->cooldown_s);
        mmr_buf_clear(&b); if (w) mmr_json_obj1(&b, "when", w);
        LIT(w ? b.data : NULL); mmr_buf_putc(&q, ',');
        mmr_buf_clear(&b); if (a) mmr_json_obj1(&b, "audience", a);
        LIT(a ? b.data : NULL); mmr_buf_putc(&q, ',');
        LIT(t ? t->id : NULL); mmr_buf_putc(&q, ','); LIT(r->file); mmr_buf_putc(&q, ',');
        LIT(c->e->hash); mmr_buf_putc(&q, ','); LIT(c->e->now_text); mmr_buf_putc(&q, ')');
    }
    mmr_buf_puts(&q, " ON CONFLICT (name) DO UPDATE SET description=excluded.description, "
                     "category=excluded.category, priority=excluded.priority, cooldown_days=excluded.cooldown_days, "
                     "cooldown_s=excluded.cooldown_s, expression_json=excluded.expression_json, "
                     "traits_filter_json=excluded.traits_filter_json, message_template_id=excluded.message_template_id, "
                     "source=excluded.source, ruleset_hash=excluded.ruleset_hash, updated_at=excluded.updated_at "
                     "WHERE mm_nudge_rule_master.ruleset_hash IS DISTINCT FROM excluded.ruleset_hash");
    int rc = q.oom ? (oom(c->d), -1) : p->nrules ? mmr_pg_exec(c->pg, q.data, c->d, "writing mm_nudge_rule_master") : 0;
    for (uint32_t i = 0; i < p->ntemplates && !rc; i++) {
        const mmr_prog_template *t = &p->templates[i];
        if (!t->id) continue;
        mmr_buf_clear(&q);
        mmr_buf_puts(&q, "INSERT INTO mm_nudge_template_master(template_id, title, body, tone, variables_json, "
                         "category, ruleset_hash, updated_at) VALUES (");
        mmr_buf_clear(&b);
        mmr_template_vars_json(t, &b);
        LIT(t->id); mmr_buf_putc(&q, ','); LIT(t->title ? t->title : ""); mmr_buf_putc(&q, ',');
        LIT(t->body ? t->body : ""); mmr_buf_putc(&q, ','); LIT(t->tone); mmr_buf_putc(&q, ',');
        LIT(b.data ? b.data : "[]"); mmr_buf_putc(&q, ','); LIT(t->category); mmr_buf_putc(&q, ',');
        LIT(c->e->hash); mmr_buf_putc(&q, ','); LIT(c->e->now_text);
#undef LIT
        mmr_buf_puts(&q, ") ON CONFLICT (template_id) DO UPDATE SET title=excluded.title, body=excluded.body, "
                         "tone=excluded.tone, variables_json=excluded.variables_json, category=excluded.category, "
                         "ruleset_hash=excluded.ruleset_hash, updated_at=excluded.updated_at "
                         "WHERE mm_nudge_template_master.ruleset_hash IS DISTINCT FROM excluded.ruleset_hash");
        rc = q.oom ? (oom(c->d), -1) : mmr_pg_exec(c->pg, q.data, c->d, "writing mm_nudge_template_master");
    }
    mmr_buf_free(&q);
    mmr_buf_free(&b);
    return rc;
}

/* Each program rule's rule_id (0: not recorded, a dry run's). */
static int lookup_rule_ids(pgrun *c)
{
    c->rule_ids = calloc(c->p->nrules + 1, sizeof *c->rule_ids);
    if (!c->rule_ids) { oom(c->d); return -1; }
    PGresult *r = mmr_pg_query(c->pg, "SELECT name, rule_id FROM mm_nudge_rule_master", c->d, "reading mm_nudge_rule_master");
    if (!r) return -1;
    for (int i = 0; i < PQntuples(r); i++)
        for (uint32_t k = 0; k < c->p->nrules; k++)
            if (!strcmp(PQgetvalue(r, i, 0), c->p->rules[k].name)) c->rule_ids[k] = atoll(PQgetvalue(r, i, 1));
    PQclear(r);
    return 0;
}

static int32_t rule_of_id(const pgrun *c, int64_t id)
{
    for (uint32_t i = 0; i < c->p->nrules; i++)
        if (c->rule_ids[i] == id && id != 0) return (int32_t)i;
    return -1;
}

/* The columns of table that feed slots the code reads; select gets them. */
static int bind_columns(pgrun *c, const char *table, int traits, mmr_colbind **out, size_t *nout, int *tz_col,
                        mmr_buf *select)
{
    char q[256];
    snprintf(q, sizeof q, "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                          "AND table_name = '%s' ORDER BY ordinal_position", table);
    PGresult *r = mmr_pg_query(c->pg, q, c->d, "reading the table's columns");
    if (!r) return -1;
    mmr_colbinder b;
    if (mmr_colbinder_init(&b, c->p, c->e->used, traits)) { PQclear(r); oom(c->d); return -1; }
    /* jsonb prints with spaces; ::text keeps it JSON all the same */
    for (int i = 0; i < PQntuples(r); i++) mmr_colbinder_add(&b, PQgetvalue(r, i, 0), "::text", select);
    PQclear(r);
    if (tz_col) *tz_col = b.tz_col;
    mmr_colbinder_end(&b, table, c->pg->label, c->d, out, nout);
    return 0;
}

/* ------------------------------------------------------------ per user */

/* A text cell of the slot's type into regs (NULL: missing). */
static int load_cell(pgrun *c, const pg_stream *s, const mmr_colbind *cm, const char *table, const char *user)
{
    const mmr_slot *sl = &c->p->slots[cm->slot];
    mmr_value *dst = &c->e->regs[cm->slot];
    if (null_at(s, cm->col)) { *dst = mmr_v_missing(); return 0; }
    const char *v = cell(s, cm->col);
    size_t len = (size_t)len_at(s, cm->col);
    const char *why = NULL;
    switch (sl->type) {
    case MMR_T_NUMBER: {
        char *end;
        double x = strtod(v, &end);
        if (end != v && !*end && isfinite(x)) { *dst = mmr_v_num(x); return 0; }
        why = "not a finite number";
        break;
    }
    case MMR_T_BOOL:
        if (!strcmp(v, "t") || !strcmp(v, "1") || !strcmp(v, "true")) { *dst = mmr_v_bool(1); return 0; }
        if (!strcmp(v, "f") || !strcmp(v, "0") || !strcmp(v, "false")) { *dst = mmr_v_bool(0); return 0; }
        why = "not a boolean";
        break;
    case MMR_T_TEXT: {
        mmr_text *tx = mmr_text_new(c->e->ua, v, len);
        if (!tx) { oom(c->d); return -1; }
        *dst = mmr_v_text(tx);
        return 0;
    }
    default:
        if (mmr_json_cell(c->e->ua, sl->type, v, len, dst, &why) == 0) return 0;
        break;
    }
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_buf_json_string(&b, v, len > 40 ? 40 : len);
    mmr_diag *g = mmr_diag_add(c->d, MMR_SEV_ERROR, c->pg->label, 0, 0, "%s.%s: user \"%s\": %s %s must be %s, found %s %s",
                               table, cm->name, user, sl->is_trait ? "trait" : "signal", cm->name,
                               mmr_want_phrase(sl->type), why, b.data ? b.data : "");
    if (g) mmr_diag_set_hint(g, "fix the stored value or the column; nothing was written");
    mmr_buf_free(&b);
    return -1;
}

static void copy_int(mmr_buf *b, long long v, char sep) { mmr_buf_printf(b, "%lld%c", v, sep); }
static void copy_str(mmr_buf *b, const char *s, char sep) { mmr_pg_copy_field(b, s, s ? strlen(s) : 0, sep); }

/* A user twice in a --signals file: the second decision of a (user,
 * rule, key), refused with the record's FILE:LINE as on SQLite. 0, or -1
 * with the diagnostic. */
static int file_repeat(pgrun *c, const mmr_run_user *u, const mmr_decision *dc)
{
    mmr_buf *b = &c->buf;
    mmr_buf_clear(b);
    /* user ids hold no control characters: "\n" separates unambiguously */
    mmr_buf_printf(b, "%s\n%u\n", u->id, (unsigned)dc->rule);
    if (dc->key) mmr_buf_append(b, dc->key->bytes, dc->key->len);
    if (b->oom) { oom(c->d); return -1; }
    size_t was;
    if (mmr_strmap_get(&c->seen, b->data, &was)) {
        mmr_buf label;
        mmr_buf_init(&label);
        mmr_rule_key_label(&label, c->p->rules[dc->rule].name, dc->key ? dc->key->bytes : NULL,
                           dc->key ? dc->key->len : 0);
        const char *rn = label.data ? label.data : c->p->rules[dc->rule].name;
        if (was || dc->delivered)
            mmr_diag_add(c->d, MMR_SEV_ERROR, u->where, 0, 0,
                         "user \"%s\": rule %s was already delivered for %s (is the user in the snapshot twice?)",
                         u->id, rn, c->as_of);
        else
            mmr_diag_add(c->d, MMR_SEV_ERROR, u->where, 0, 0,
                         "user \"%s\": a second candidate for rule %s on %s (is the user in the snapshot twice?)",
                         u->id, rn, c->as_of);
        mmr_buf_free(&label);
        return -1;
    }
    char *k = mmr_arena_strdup(&c->seen_keys, b->data);
    if (!k || mmr_strmap_put(&c->seen, k, dc->delivered ? 1 : 0)) { oom(c->d); return -1; }
    return 0;
}

/* The rows of one decision into the COPY buffers. */
static int pg_put(mmr_run_store *s, const mmr_run_user *u, const mmr_run_row *w)
{
    pgrun *c = (pgrun *)s;
    const mmr_decision *dc = w->dc;
    const char *user = u->id;
    const mmr_prog_rule *r = &c->p->rules[dc->rule];
    const char *key = dc->key ? dc->key->bytes : "";    /* rule_key: '' keyless */
    if (c->file && file_repeat(c, u, dc)) return -1;
    mmr_buf *b = &c->cand;
    copy_str(b, c->as_of, '\t'); copy_str(b, user, '\t'); copy_int(b, c->rule_ids[dc->rule], '\t');
    copy_str(b, key, '\t');
    copy_str(b, dc->delivered ? "delivered" : dc->deferred ? "deferred" : "suppressed", '\t');
    copy_str(b, dc->delivered || dc->deferred ? NULL : mmr_reason_name(dc->reason), '\t');
    copy_int(b, (long long)r->priority, '\t'); copy_int(b, c->run_id, '\n');
    if (dc->deferred) {
        char at[MMR_TIME_BUF];
        mmr_time_format(dc->deliver_at, at);
        b = &c->defer;
        copy_str(b, c->as_of, '\t'); copy_str(b, user, '\t'); copy_int(b, c->rule_ids[dc->rule], '\t');
        copy_str(b, key, '\t');
        copy_str(b, at, '\t'); copy_str(b, w->title, '\t'); copy_str(b, w->body, '\t'); copy_str(b, w->category, '\t');
        copy_str(b, w->meta, '\t');
        copy_int(b, c->p->policy.max_nudges, '\t'); copy_int(b, c->p->policy.window_s, '\n');
    } else if (dc->delivered) {
        b = &c->deliv;
        copy_int(b, c->ord++, '\t'); copy_str(b, w->did, '\t'); copy_str(b, user, '\t');
        copy_int(b, c->rule_ids[dc->rule], '\t'); copy_str(b, key, '\t');
        copy_str(b, w->title, '\t'); copy_str(b, w->body, '\t');
        copy_str(b, w->category, '\t'); copy_str(b, w->meta, '\n');
    }
    return 0;
}

static const char *const copy_sql[3][2] = {
    { "COPY mm_nudge_candidate(as_of, user_id, rule_id, rule_key, status, suppression_reason, priority, run_id) "
      "FROM STDIN", "writing mm_nudge_candidate" },
    { "COPY mm_nudge_deferred(as_of, user_id, rule_id, rule_key, deliver_at, title, body, category, meta_json, "
      "cap_max, cap_window_s) FROM STDIN", "writing mm_nudge_deferred" },
    { "COPY mm_stage_delivery(ord, delivery_id, user_id, rule_id, rule_key, title, body, category, meta_json) "
      "FROM STDIN", "writing the run's deliveries" },
};

static int flush_rows(pgrun *c, int force)
{
    mmr_buf *bufs[3] = { &c->cand, &c->defer, &c->deliv };
    for (int i = 0; i < 3; i++) {
        if (bufs[i]->oom) { oom(c->d); return -1; }
        if (!bufs[i]->len || (!force && bufs[i]->len < FLUSH_BYTES)) continue;
        if (mmr_pg_copy_begin(c->pg, copy_sql[i][0], c->d, copy_sql[i][1]) ||
            mmr_pg_copy_put(c->pg, bufs[i], c->d, copy_sql[i][1]) ||
            mmr_pg_copy_end(c->pg, c->d, copy_sql[i][1]))
            return -1;
        mmr_buf_clear(bufs[i]);
    }
    return 0;
}

static int pg_user_done(mmr_run_store *s) { return flush_rows((pgrun *)s, 0); }

/* The user's row of mm_user_traits into regs (only_missing: the slots a
 * --signals record left missing) and *tz. */
static int load_traits(pgrun *c, const char *user, const char **tz, int only_missing)
{
    int m = stream_seek(c, &c->tr, user);
    if (m <= 0) return m;
    for (size_t i = 0; i < c->ntrc; i++) {
        if (only_missing && c->e->regs[c->trc[i].slot].tag != MMR_V_MISSING) continue;
        if (load_cell(c, &c->tr, &c->trc[i], "mm_user_traits", user)) return -1;
    }
    if (c->tr_tz_col >= 0 && !*tz && !null_at(&c->tr, c->tr_tz_col) &&
        !(*tz = mmr_arena_strdup(c->e->ua, cell(&c->tr, c->tr_tz_col)))) { oom(c->d); return -1; }
    c->tr.row++;
    return 0;
}

/* The responsiveness signals from the user's interactions. */
static int load_resp(pgrun *c, const char *user, const char *where)
{
    if (!c->resp) return 0;
    int m;
    mmr_resp_loader_begin(c->resp);
    if (stream_load(c, &c->rs, user)) return -1;
    while ((m = stream_seek(c, &c->rs, user)) == 1) {
        const pg_stream *r = &c->rs;
        if (mmr_resp_loader_row(c->resp, user, cell(r, 1), (size_t)len_at(r, 1), cell(r, 2), cell(r, 3),
                                (size_t)len_at(r, 3), c->e->ua, c->d))
            return -1;
        c->rs.row++;
    }
    return m < 0 || mmr_resp_loader_end(c->resp, user, c->e->regs, c->e->ua, where, c->d) ? -1 : 0;
}

/* The next user of the shard's snapshot: signals, then the traits and
 * interactions merged from their cursors. */
static int pg_next_user(mmr_run_store *s, mmr_run_user *out)
{
    pgrun *c = (pgrun *)s;
    int err = 0;
    const char *user = stream_user(c, &c->sig, &err);
    if (!user) return err ? -1 : 0;
    mmr_buf_clear(&c->buf);
    if (mmr_user_id_check(&c->buf, user, (size_t)len_at(&c->sig, 0))) {
        mmr_diag *g = mmr_diag_add(c->d, MMR_SEV_ERROR, c->pg->label, 0, 0, "mm_signal_daily.user_id (as_of %s): %s",
                                   c->as_of, c->buf.data ? c->buf.data : "bad user id");
        if (g) mmr_diag_set_hint(g, "fix the stored user id; nothing was written");
        return -1;
    }
    if (!strcmp(c->prev, user)) {
        mmr_diag_add(c->d, MMR_SEV_ERROR, c->pg->label, 0, 0, "mm_signal_daily: user \"%s\" has two rows for %s",
                     user, c->as_of);
        return -1;
    }
    snprintf(c->prev, sizeof c->prev, "%s", user);
    user = c->prev;
    for (size_t i = 0; i < c->nsigc; i++)
        if (load_cell(c, &c->sig, &c->sigc[i], "mm_signal_daily", user)) return -1;
    c->sig.row++;
    const char *tz = NULL;
    if (load_traits(c, user, &tz, 0)) return -1;
    *out = (mmr_run_user){ user, strlen(user), c->pg->label, tz };
    return load_resp(c, user, c->pg->label) ? -1 : 1;
}

/* A --signals record's user: the traits it left missing, the
 * responsiveness. */
static int pg_user_inputs(mmr_run_store *s, mmr_run_user *u)
{
    pgrun *c = (pgrun *)s;
    if (stream_load(c, &c->tr, u->id) || load_traits(c, u->id, &u->tz, 1)) return -1;
    return load_resp(c, u->id, u->where);
}

/* Candidates already stored for this date (a rerun). */
static int pg_existing(mmr_run_store *s, const mmr_run_user *u, const mmr_run_key **v, size_t *n)
{
    pgrun *c = (pgrun *)s;
    int m;
    *n = 0;
    *v = c->ex_v;
    if (stream_load(c, &c->ex, u->id)) return -1;
    while ((m = stream_seek(c, &c->ex, u->id)) == 1) {
        if (mmr_grow((void **)&c->ex_v, &c->ex_cap, *n + 1, sizeof *c->ex_v)) { oom(c->d); return -1; }
        mmr_run_key *k = &c->ex_v[(*n)++];
        k->rule = rule_of_id(c, atoll(cell(&c->ex, 1)));
        k->key_len = (size_t)len_at(&c->ex, 2);
        /* a copy: the next FETCH frees the row */
        if (!(k->key = mmr_arena_strdup(c->e->ua, cell(&c->ex, 2)))) { oom(c->d); return -1; }
        c->ex.row++;
    }
    *v = c->ex_v;
    return m < 0 ? -1 : 0;
}

static int pg_prior(mmr_run_store *s, const mmr_run_user *u, const mmr_delivery **hist, size_t *nh,
                    const char *const **muted, size_t *nm)
{
    pgrun *c = (pgrun *)s;
    const char *user = u->id;
    int m;
    *nh = *nm = 0;
    *hist = c->hist;
    *muted = c->mutes;
    if (stream_load(c, &c->hi, user) || stream_load(c, &c->mu, user)) return -1;
    while ((m = stream_seek(c, &c->hi, user)) == 1) {
        const char *at = cell(&c->hi, 2);
        int64_t t;
        if (mmr_time_parse(at, strlen(at), &t, NULL)) {
            mmr_diag_add(c->d, MMR_SEV_ERROR, c->pg->label, 0, 0,
                         "mm_nudge_delivery_log.delivered_at: user \"%s\": not an ISO 8601 time: \"%s\"", user, at);
            return -1;
        }
        if (mmr_grow((void **)&c->hist, &c->hcap, *nh + 1, sizeof *c->hist)) { oom(c->d); return -1; }
        mmr_delivery *h = &c->hist[(*nh)++];
        *h = (mmr_delivery){ rule_of_id(c, atoll(cell(&c->hi, 1))), NULL, t, NULL };
        if (len_at(&c->hi, 3) > 0 && h->rule >= 0 && !(h->key = mmr_arena_strdup(c->e->ua, cell(&c->hi, 3)))) {
            oom(c->d);
            return -1;
        }
        c->hi.row++;
    }
    if (m < 0) return -1;
    while ((m = stream_seek(c, &c->mu, user)) == 1) {
        if (mmr_grow((void **)&c->mutes, &c->mcap, *nm + 1, sizeof *c->mutes)) { oom(c->d); return -1; }
        if (!(c->mutes[(*nm)++] = mmr_arena_strdup(c->e->ua, cell(&c->mu, 1)))) { oom(c->d); return -1; }
        c->mu.row++;
    }
    *hist = c->hist;
    *muted = c->mutes;
    return m < 0 ? -1 : 0;
}

/* ------------------------------------------------------------ the run */

static int open_streams(pgrun *c)
{
    /* the shard's users (cursors), or one user (a file's: look-ups) */
    const char *sw = c->file ? " AND user_id = $1" : c->shard_where;
    mmr_buf q, cols;
    mmr_buf_init(&q);
    mmr_buf_init(&cols);
    int rc = 0;
    if (!c->file) {
        rc = bind_columns(c, "mm_signal_daily", 0, &c->sigc, &c->nsigc, NULL, &cols);
        mmr_buf_printf(&q, "SELECT user_id%s FROM mm_signal_daily WHERE as_of = '%s'%s ORDER BY user_id COLLATE \"C\"",
                       cols.data ? cols.data : "", c->as_of, sw);
        if (!rc) rc = stream_open(c, &c->sig, "mm_sig", q.data);
        mmr_buf_clear(&cols); mmr_buf_clear(&q);
    }
    if (!rc) rc = bind_columns(c, "mm_user_traits", 1, &c->trc, &c->ntrc, &c->tr_tz_col, &cols);
    mmr_buf_printf(&q, "SELECT user_id%s FROM mm_user_traits WHERE true%s ORDER BY user_id COLLATE \"C\"",
                   cols.data ? cols.data : "", sw);
    if (!rc) rc = stream_open(c, &c->tr, "mm_tr", q.data);
    mmr_buf_clear(&q);
    mmr_buf_printf(&q, "SELECT user_id, category FROM mm_user_suppression WHERE true%s "
                       "ORDER BY user_id COLLATE \"C\", category COLLATE \"C\"", sw);
    if (!rc) rc = stream_open(c, &c->mu, "mm_mu", q.data);
    mmr_buf_clear(&q);
    mmr_buf_printf(&q, "SELECT user_id, rule_id, delivered_at, rule_key FROM mm_nudge_delivery_log WHERE delivered_at > '%s'%s "
                       "ORDER BY user_id COLLATE \"C\"", c->horizon_text, sw);
    if (!rc) rc = stream_open(c, &c->hi, "mm_hi", q.data);
    mmr_buf_clear(&q);
    mmr_buf_printf(&q, "SELECT user_id, rule_id, rule_key FROM mm_nudge_candidate WHERE as_of = '%s'%s "
                       "ORDER BY user_id COLLATE \"C\"",
                   c->as_of, sw);
    if (!rc) rc = stream_open(c, &c->ex, "mm_ex", q.data);
    if (!rc && c->resp) {
        char sh[64] = "";
        if (c->file) snprintf(sh, sizeof sh, " WHERE d.user_id = $1");
        else if (c->shard_where[0]) snprintf(sh, sizeof sh, " WHERE mm_shard(d.user_id, %d) = %d", c->o->shard_n, c->o->shard_k);
        mmr_buf_clear(&q);
        mmr_buf_printf(&q, "SELECT d.user_id, d.category, i.action, i.timestamp FROM mm_nudge_delivery_log d "
                           "JOIN mm_nudge_interaction_log i ON i.delivery_id = d.delivery_id%s "
                           "ORDER BY d.user_id COLLATE \"C\"", sh);
        rc = stream_open(c, &c->rs, "mm_rs", q.data);
    }
    if (q.oom || cols.oom) { oom(c->d); rc = -1; }
    mmr_buf_free(&q);
    mmr_buf_free(&cols);
    return rc;
}

static int scalar_text(pgrun *c, const char *sql, char *out, size_t n, const char *what)
{
    PGresult *r = mmr_pg_query(c->pg, sql, c->d, what);
    if (!r) return -1;
    int got = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0);
    snprintf(out, n, "%s", got ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    return got;
}

/* Step 1: schema and ruleset, committed on their own. */
static int prepare(pgrun *c)
{
    const mmr_program *p = c->p;
    mmr_db_column *xs = calloc(p->nslots + 1, sizeof *xs), *xt = calloc(p->nslots + 1, sizeof *xt);
    size_t nxs = 0, nxt = 0;
    if (!xs || !xt) { free(xs); free(xt); oom(c->d); return -1; }
    for (uint32_t i = 0; i < p->nslots; i++) {
        if (mmr_resp_is_signal(p->slots[i].name, p->slots[i].type) && !p->slots[i].is_trait) continue;
        mmr_db_column col = { p->slots[i].name, p->slots[i].type };
        if (p->slots[i].is_trait) xt[nxt++] = col; else xs[nxs++] = col;
    }
    int rc = mmr_pg_exec(c->pg, "BEGIN", c->d, "beginning");
    if (!rc) rc = mmr_pg_migrate(c->pg, xs, nxs, xt, nxt, c->d);
    free(xs); free(xt);
    if (!rc) rc = record_ruleset(c);
    if (!rc) rc = mmr_pg_exec(c->pg, "COMMIT", c->d, "committing the schema and ruleset");
    if (rc) mmr_pg_rollback(c->pg);
    return rc;
}

/* Step 2's end: the staged deliveries into the log and the outbox, the
 * run record's counts. */
static int finish_writes(pgrun *c)
{
    char q[1024];
    if (flush_rows(c, 1)) return -1;
    int want_redis = mmr_pg_outbox_want_redis(c->pg, c->o, c->d);
    if (want_redis < 0) return -1;
    snprintf(q, sizeof q,
             "LOCK TABLE mm_event_outbox IN EXCLUSIVE MODE;"
             "WITH ins AS (INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, rule_key, as_of, title, "
             "body, category, meta_json, delivered_at) SELECT delivery_id, user_id, rule_id, rule_key, '%s', title, "
             "body, category, meta_json, '%s' FROM mm_stage_delivery ORDER BY ord RETURNING seq) "
             "INSERT INTO mm_event_outbox(delivery_seq, want_redis) SELECT seq, %d FROM ins ORDER BY seq;"
             "UPDATE mm_run SET status = 'done', users = %llu, candidates = %llu, delivered = %llu, suppressed = %llu "
             "WHERE run_id = %lld",
             c->as_of, c->e->now_text, want_redis, (unsigned long long)c->st->users, (unsigned long long)c->st->candidates,
             (unsigned long long)c->st->delivered, (unsigned long long)c->st->suppressed, (long long)c->run_id);
    return mmr_pg_exec(c->pg, q, c->d, "writing mm_nudge_delivery_log and mm_event_outbox");
}

/* Step 1 (not for a dry run), then the run's transaction and the rule ids. */
static int pg_open(mmr_run_store **out, const mmr_run_env *e)
{
    const mmr_run_opts *o = e->o;
    char q[512];
    *out = NULL;
    if (o->signals_path && o->shard_n > 1) {
        /* a shard is the users with mm_shard(user_id, N) = K of mm_signal_daily */
        mmr_diag_add(e->d, MMR_SEV_ERROR, "", 0, 0, "--signals with --shard: a file is one worker's, give it without --shard");
        return -1;
    }
    pgrun *c = calloc(1, sizeof *c);
    if (!c) { oom(e->d); return -1; }
    *out = &c->base;
    c->base.ops = &mmr_run_pg_ops;
    c->e = e; c->o = o; c->st = e->st; c->d = e->d; c->p = e->p;
    c->tr_tz_col = -1;
    c->file = o->signals_path != NULL;
    mmr_buf_init(&c->cand); mmr_buf_init(&c->defer); mmr_buf_init(&c->deliv); mmr_buf_init(&c->buf);
    mmr_strmap_init(&c->seen);
    mmr_arena_init(&c->seen_keys, 0);
    if (mmr_pg_open(&c->pg, o->db_path, c->d)) return -1;
    if (!o->dry_run && (prepare(c) || mmr_pg_run_cursors_there(c->pg, c->d) ||
                          mmr_pg_run_release_due(c->pg, o, c->st, c->d))) return -1;
    if (mmr_pg_exec(c->pg, o->dry_run ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                                      : "BEGIN ISOLATION LEVEL REPEATABLE READ", c->d, "beginning the run"))
        return -1;
    c->in_txn = 1;
    if (o->dry_run) {
        int ex = scalar_text(c, "SELECT to_regclass('mm_schema_version')::text", q, sizeof q, "reading the schema");
        if (ex < 0) return -1;
        if (!ex) {
            mmr_diag_add(c->d, MMR_SEV_ERROR, c->pg->label, 0, 0, "the database has no mmr schema: nothing to dry-run");
            return -1;
        }
    }
    return lookup_rule_ids(c);
}

/* Step 2: the date, the shard's lock, the run record, the cursors. */
static int pg_start(mmr_run_store *s, const char *as_of, char out[16])
{
    pgrun *c = (pgrun *)s;
    const mmr_run_opts *o = c->o;
    const mmr_program *p = c->p;
    char q[512];
    if (as_of) snprintf(c->as_of, sizeof c->as_of, "%s", as_of);
    else {
        int got = scalar_text(c, "SELECT max(as_of) FROM mm_signal_daily", c->as_of, sizeof c->as_of, "reading mm_signal_daily");
        if (got < 0) return -1;
        if (!got || !mmr_snap_date_ok(c->as_of, strlen(c->as_of))) {
            mmr_diag *g = mmr_diag_add(c->d, MMR_SEV_ERROR, c->pg->label, 0, 0,
                                       got ? "mm_signal_daily.as_of: \"%s\" is not a date (YYYY-MM-DD)"
                                           : "mm_signal_daily is empty: no snapshot to run%s", got ? c->as_of : "");
            if (g && !got) mmr_diag_set_hint(g, "load signals into mm_signal_daily (mmr signals --emit-sql postgresql)");
            return -1;
        }
    }
    snprintf(out, 16, "%s", c->as_of);
    snprintf(q, sizeof q, "SELECT 1 FROM mm_signal_daily WHERE as_of = '%s' LIMIT 1", c->as_of);
    int any = c->file ? 1 : scalar_text(c, q, q, sizeof q, "reading mm_signal_daily");
    if (any < 0) return -1;
    if (!any) {
        mmr_diag_add(c->d, MMR_SEV_ERROR, c->pg->label, 0, 0, "mm_signal_daily has no rows for as_of %s", c->as_of);
        return -1;
    }
    int k = o->shard_n > 1 ? o->shard_k : 0, n = o->shard_n > 1 ? o->shard_n : 1;
    if (n > 1) snprintf(c->shard_where, sizeof c->shard_where, " AND mm_shard(user_id, %d) = %d", n, k);
    if (!o->dry_run) {
        /* one process a shard and date: a second waits for nothing, it fails */
        snprintf(q, sizeof q, "SELECT pg_try_advisory_xact_lock(7171443, hashtext('%s %d/%d'))", c->as_of, k, n);
        char got[8];
        if (scalar_text(c, q, got, sizeof got, "locking the shard") < 0) return -1;
        if (strcmp(got, "t") != 0) {
            mmr_diag *g = mmr_diag_add(c->d, MMR_SEV_ERROR, c->pg->label, 0, 0,
                                       "shard %d/%d of %s is being run by another process", k, n, c->as_of);
            if (g) mmr_diag_set_hint(g, "wait for it to finish; a rerun after it creates nothing new");
            return -1;
        }
        mmr_buf_clear(&c->buf);
        mmr_buf_printf(&c->buf, "INSERT INTO mm_run(as_of, now, ruleset_hash, source, status, shard_k, shard_n) "
                                "VALUES ('%s', '%s', '%s', ", c->as_of, c->e->now_text, c->e->hash);
        put_literal(c->pg, &c->buf, o->signals_path ? o->signals_path : "mm_signal_daily");
        mmr_buf_printf(&c->buf, ", 'running', %d, %d) RETURNING run_id", k, n);
        char id[32];
        if (c->buf.oom) { oom(c->d); return -1; }
        if (scalar_text(c, c->buf.data, id, sizeof id, "writing mm_run") <= 0) return -1;
        c->run_id = atoll(id);
        if (mmr_pg_exec(c->pg, "CREATE TEMP TABLE mm_stage_delivery (ord bigint, delivery_id text, user_id text, "
                               "rule_id bigint, rule_key text, title text, body text, category text, meta_json text) "
                               "ON COMMIT DROP",
                        c->d, "staging the run's deliveries"))
            return -1;
    }
    /* before the loader, which clears the computed signals' slots in used */
    if (!c->file && mmr_pg_run_warn_resp_columns(c->pg, p, c->e->used, c->d)) return -1;
    if (mmr_resp_loader_open(&c->resp, p, c->e->used, NULL, o->now, !c->file, c->d)) return -1;
    if (c->resp) mmr_resp_loader_set_label(c->resp, c->pg->label);
    mmr_time_format(o->now - c->e->horizon, c->horizon_text);
    return open_streams(c);
}

/* Step 2's end: the rest of the rows, the commit (keep), or a rollback. */
static int pg_finish(mmr_run_store *s, int keep)
{
    pgrun *c = (pgrun *)s;
    int rc = keep ? 0 : -1;
    if (!rc && !c->o->dry_run) {
        rc = finish_writes(c);
        if (!rc) rc = mmr_pg_exec(c->pg, "COMMIT", c->d, "committing the run");
        c->st->committed = rc == 0;
    }
    if (rc || c->o->dry_run) mmr_pg_rollback(c->pg);
    c->in_txn = 0;
    return rc;
}

/* Step 3: publish the pending events (store/outbox_pg.c). */
static int publish(pgrun *c)
{
    return mmr_pg_outbox_publish_run(c->pg, c->o, c->e->now_text, c->st, c->d);
}

static int pg_publish(mmr_run_store *s)
{
    pgrun *c = (pgrun *)s;
    return c->st->committed ? publish(c) : 0;
}

static void pg_close(mmr_run_store *s)
{
    pgrun *c = (pgrun *)s;
    if (!c) return;
    pg_stream *ss[] = { &c->sig, &c->tr, &c->mu, &c->hi, &c->ex, &c->rs };
    for (size_t i = 0; i < sizeof ss / sizeof ss[0]; i++) stream_close(ss[i]);
    if (c->in_txn && c->pg) mmr_pg_rollback(c->pg);
    free(c->rule_ids); free(c->sigc); free(c->trc);
    free(c->ex_v); free(c->hist); free(c->mutes);
    mmr_resp_loader_free(c->resp);
    mmr_buf_free(&c->cand); mmr_buf_free(&c->defer); mmr_buf_free(&c->deliv); mmr_buf_free(&c->buf);
    mmr_strmap_free(&c->seen);
    mmr_arena_free(&c->seen_keys);
    mmr_pg_close(c->pg);
    free(c);
}

const mmr_run_store_ops mmr_run_pg_ops = {
    "PostgreSQL", pg_open, pg_start, pg_next_user, pg_user_inputs, pg_existing, pg_prior, pg_put,
    pg_user_done, NULL, pg_finish, pg_publish, pg_close,
};
