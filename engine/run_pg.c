/* `mmr run --db postgresql://…`: engine/run.c's pipeline over the
 * PostgreSQL store (store/pg.h, docs/scale.md).
 *
 *   1. In a short transaction of its own, under the schema's advisory
 *      lock: create or extend the schema, record the ruleset in the rule
 *      and template masters. Concurrent workers queue only here.
 *   2. The run's transaction (REPEATABLE READ: one snapshot for every
 *      read): an advisory lock on (as_of, shard) so the same shard never
 *      runs twice at once; a run record with its shard; the signals,
 *      traits, mutes, history, earlier candidates and interactions of the
 *      shard's users read through cursors in user_id order (byte order:
 *      COLLATE "C") and merged; VM, decision; the rows go in with COPY.
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
 * Just past our ~800-line mark: the cursors, the per-user merge and the
 * COPY buffers share one context from the run record to the commit, as
 * in run.c; the schema and connection live in store/pg*.c.
 */
#include "engine/run.h"
#include "engine/run_shared.h"
#include "engine/responsiveness_load.h"
#include "engine/snapshot.h"
#include "engine/tz.h"
#include "engine/uuid.h"
#include "compiler/ast.h"
#include "store/pg.h"
#include "store/outbox_pg.h"
#include "signals/responsiveness.h"
#include "util/timeutil.h"
#include "util/userid.h"
#include "vm/vm.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { FETCH_ROWS = 4096, FLUSH_BYTES = 4 << 20 };

typedef struct pg_stream {       /* a cursor, read FETCH_ROWS at a time */
    const char *name;
    PGresult *res;
    int row, nrows, open, done;
} pg_stream;

typedef struct colmap { int col, slot; const char *name; } colmap;

typedef struct pgrun {
    const mmr_run_opts *o;
    mmr_run_stats *st;
    mmr_diags *d;
    mmr_pg *pg;
    const mmr_program *p;
    mmr_vm vm;
    mmr_arena ua;
    mmr_tz_cache *tzc;
    char now_text[MMR_TIME_BUF], horizon_text[MMR_TIME_BUF];
    char as_of[16], hash[41], shard_where[96];
    int64_t run_id;
    int64_t *rule_ids;
    unsigned char *used;
    char **rule_meta;
    int tz_slot;
    pg_stream sig, tr, mu, hi, ex, rs;
    colmap *sigc; size_t nsigc;
    colmap *trc; size_t ntrc;
    int tr_tz_col;
    mmr_resp_loader *resp;
    mmr_candidate *cands; size_t ncap;
    mmr_delivery *hist; size_t hcap;
    const char **mutes; size_t mcap;
    mmr_decide_result res;
    mmr_buf cand, defer, deliv, buf, kmeta;
    int64_t ord;
    double t0, last_progress;
} pgrun;

static void oom(mmr_diags *d) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); }

/* ------------------------------------------------------------ cursors */

static int stream_open(pgrun *c, pg_stream *s, const char *name, const char *select)
{
    mmr_buf q;
    mmr_buf_init(&q);
    mmr_buf_printf(&q, "DECLARE %s NO SCROLL CURSOR FOR %s", name, select);
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
             c->hash, c->p->nrules, c->hash, ntpl);
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
        LIT(c->hash); mmr_buf_putc(&q, ','); LIT(c->now_text); mmr_buf_putc(&q, ')');
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
        LIT(c->hash); mmr_buf_putc(&q, ','); LIT(c->now_text);
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
static int bind_columns(pgrun *c, const char *table, int traits, colmap **out, size_t *nout, int *tz_col,
                        mmr_buf *select)
{
    char q[256];
    snprintf(q, sizeof q, "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                          "AND table_name = '%s' ORDER BY ordinal_position", table);
    PGresult *r = mmr_pg_query(c->pg, q, c->d, "reading the table's columns");
    if (!r) return -1;
    const mmr_program *p = c->p;
    char *seen = calloc(p->nslots + 1, 1);
    colmap *v = calloc(p->nslots + 1, sizeof *v);
    if (!seen || !v) { free(seen); free(v); PQclear(r); oom(c->d); return -1; }
    size_t n = 0;
    int ncol = 1;
    if (tz_col) *tz_col = -1;
    for (int i = 0; i < PQntuples(r); i++) {
        const char *name = PQgetvalue(r, i, 0);
        int slot = mmr_program_find_slot(p, name);
        int is_tz = traits && !strcmp(name, "tz");
        if (slot >= 0 && (p->slots[slot].is_trait != 0) != (traits != 0)) slot = -1;
        if (slot >= 0 && !c->used[slot]) { seen[slot] = 1; slot = -1; }
        if (slot < 0 && !is_tz) continue;
        /* jsonb prints with spaces; ::text keeps it JSON all the same */
        mmr_buf_printf(select, ", \"%s\"::text", name);
        if (is_tz && tz_col) *tz_col = ncol;
        if (slot >= 0) { seen[slot] = 1; v[n].col = ncol; v[n].slot = slot; v[n].name = p->slots[slot].name; n++; }
        ncol++;
    }
    PQclear(r);
    for (uint32_t i = 0; i < p->nslots; i++) {
        if ((p->slots[i].is_trait != 0) != (traits != 0) || seen[i] || !c->used[i]) continue;
        mmr_diag_add(c->d, MMR_SEV_WARNING, c->pg->label, 0, 0, "%s has no column %s: every user's %s %s is missing",
                     table, p->slots[i].name, traits ? "trait" : "signal", p->slots[i].name);
    }
    free(seen);
    *out = v; *nout = n;
    return 0;
}

/* ------------------------------------------------------------ per user */

/* A text cell of the slot's type into regs (NULL: missing). */
static int load_cell(pgrun *c, const pg_stream *s, const colmap *cm, const char *table, const char *user)
{
    const mmr_slot *sl = &c->p->slots[cm->slot];
    mmr_value *dst = &c->vm.regs[cm->slot];
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
        mmr_text *tx = mmr_text_new(&c->ua, v, len);
        if (!tx) { oom(c->d); return -1; }
        *dst = mmr_v_text(tx);
        return 0;
    }
    default:
        if (mmr_json_cell(&c->ua, sl->type, v, len, dst, &why) == 0) return 0;
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

static int check_tz(pgrun *c, const char *user, const char *tz)
{
    if (!tz || !*tz) return 0;
    const char *why = NULL;
    if (mmr_tz_get(c->tzc, tz, &why)) return 0;
    mmr_diag *g = mmr_diag_add(c->d, MMR_SEV_ERROR, c->pg->label, 0, 0, "mm_user_traits.tz: user \"%s\": %s \"%s\"",
                               user, why ? why : "unknown time zone", tz);
    if (g) mmr_diag_set_hint(g, "use an IANA zone name such as Asia/Kolkata, or leave tz empty for the policy zone");
    return -1;
}

static void copy_int(mmr_buf *b, long long v, char sep) { mmr_buf_printf(b, "%lld%c", v, sep); }
static void copy_str(mmr_buf *b, const char *s, char sep) { mmr_pg_copy_field(b, s, s ? strlen(s) : 0, sep); }

/* The delivery's meta_json: the rule's, plus "key" for a per-key rule. */
static const char *meta_of(pgrun *c, const mmr_decision *dc)
{
    if (!dc->key || !dc->key->len) return c->rule_meta[dc->rule];
    mmr_buf_clear(&c->kmeta);
    mmr_meta_with_key(&c->kmeta, c->rule_meta[dc->rule], dc->key->bytes, dc->key->len);
    return c->kmeta.oom ? c->rule_meta[dc->rule] : c->kmeta.data;
}

/* The rows of one decision into the COPY buffers. */
static void put_decision(pgrun *c, const char *user, const mmr_decision *dc)
{
    const mmr_prog_rule *r = &c->p->rules[dc->rule];
    const char *key = dc->key ? dc->key->bytes : "";    /* rule_key: '' keyless */
    mmr_buf *b = &c->cand;
    copy_str(b, c->as_of, '\t'); copy_str(b, user, '\t'); copy_int(b, c->rule_ids[dc->rule], '\t');
    copy_str(b, key, '\t');
    copy_str(b, dc->delivered ? "delivered" : dc->deferred ? "deferred" : "suppressed", '\t');
    copy_str(b, dc->delivered || dc->deferred ? NULL : mmr_reason_name(dc->reason), '\t');
    copy_int(b, (long long)r->priority, '\t'); copy_int(b, c->run_id, '\n');
    const char *title = dc->title ? dc->title : "", *body = dc->body ? dc->body : "";
    const char *cat = dc->category ? dc->category : "";
    if (dc->deferred) {
        char at[MMR_TIME_BUF];
        mmr_time_format(dc->deliver_at, at);
        b = &c->defer;
        copy_str(b, c->as_of, '\t'); copy_str(b, user, '\t'); copy_int(b, c->rule_ids[dc->rule], '\t');
        copy_str(b, key, '\t');
        copy_str(b, at, '\t'); copy_str(b, title, '\t'); copy_str(b, body, '\t'); copy_str(b, cat, '\t');
        copy_str(b, meta_of(c, dc), '\t');
        copy_int(b, c->p->policy.max_nudges, '\t'); copy_int(b, c->p->policy.window_s, '\n');
    } else if (dc->delivered) {
        char did[MMR_UUID_STR];
        mmr_delivery_id_key(user, r->name, c->as_of, dc->key ? key : NULL, dc->key ? dc->key->len : 0, did);
        b = &c->deliv;
        copy_int(b, c->ord++, '\t'); copy_str(b, did, '\t'); copy_str(b, user, '\t');
        copy_int(b, c->rule_ids[dc->rule], '\t'); copy_str(b, key, '\t');
        copy_str(b, title, '\t'); copy_str(b, body, '\t');
        copy_str(b, cat, '\t'); copy_str(b, meta_of(c, dc), '\n');
    }
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

static void progress(pgrun *c)
{
    if (!c->o->progress) return;
    double t = mmr_mono_now();
    if (t - c->last_progress < 0.5) return;
    c->last_progress = t;
    fprintf(c->o->progress, "\rmmr run: %llu users, %llu delivered (%.1f s)",
            (unsigned long long)c->st->users, (unsigned long long)c->st->delivered, t - c->t0);
    fflush(c->o->progress);
}

static int process_user(pgrun *c, const char *user)
{
    mmr_run_stats *st = c->st;
    const char *tz = NULL;
    int m = stream_seek(c, &c->tr, user);
    if (m < 0) return -1;
    if (m) {
        for (size_t i = 0; i < c->ntrc; i++)
            if (load_cell(c, &c->tr, &c->trc[i], "mm_user_traits", user)) return -1;
        if (c->tr_tz_col >= 0 && !null_at(&c->tr, c->tr_tz_col) &&
            !(tz = mmr_arena_strdup(&c->ua, cell(&c->tr, c->tr_tz_col)))) { oom(c->d); return -1; }
        c->tr.row++;
    }
    if (c->tz_slot >= 0 && c->vm.regs[c->tz_slot].tag == MMR_V_TEXT) tz = c->vm.regs[c->tz_slot].u.text->bytes;
    if (check_tz(c, user, tz)) return -1;
    if (c->resp) {
        mmr_resp_loader_begin(c->resp);
        while ((m = stream_seek(c, &c->rs, user)) == 1) {
            const pg_stream *s = &c->rs;
            if (mmr_resp_loader_row(c->resp, user, cell(s, 1), (size_t)len_at(s, 1), cell(s, 2), cell(s, 3),
                                    (size_t)len_at(s, 3), &c->ua, c->d))
                return -1;
            c->rs.row++;
        }
        if (m < 0 || mmr_resp_loader_end(c->resp, user, c->vm.regs, &c->ua, c->pg->label, c->d)) return -1;
    }
    st->users++;
    if (mmr_vm_run(&c->vm, 0)) {
        mmr_diag_add(c->d, MMR_SEV_ERROR, c->pg->label, 0, 0, "user \"%s\": the rules could not run: %s", user, c->vm.error);
        return -1;
    }
    size_t n = c->vm.ncands;
    if (!n) return 0;
    if (mmr_grow((void **)&c->cands, &c->ncap, n, sizeof *c->cands)) { oom(c->d); return -1; }
    memcpy(c->cands, c->vm.cands, n * sizeof *c->cands);
    /* candidates already stored for this date (a rerun) are final */
    while ((m = stream_seek(c, &c->ex, user)) == 1) {
        int32_t rule = rule_of_id(c, atoll(cell(&c->ex, 1)));
        const char *k = cell(&c->ex, 2);
        size_t klen = (size_t)len_at(&c->ex, 2);
        for (size_t i = 0; i < n && rule >= 0; i++) {
            const mmr_candidate *ci = &c->cands[i];
            size_t cl = ci->key.tag == MMR_V_TEXT ? ci->key.u.text->len : 0;
            if (ci->rule != (uint32_t)rule || cl != klen || (cl && memcmp(ci->key.u.text->bytes, k, cl))) continue;
            c->cands[i] = c->cands[--n];
            st->existing++;
            break;
        }
        c->ex.row++;
    }
    if (m < 0) return -1;
    if (!n) return 0;
    st->users_with_candidates++;
    size_t nh = 0, nm = 0;
    while ((m = stream_seek(c, &c->hi, user)) == 1) {
        const char *at = cell(&c->hi, 2);
        int64_t t;
        if (mmr_time_parse(at, strlen(at), &t, NULL)) {
            mmr_diag_add(c->d, MMR_SEV_ERROR, c->pg->label, 0, 0,
                         "mm_nudge_delivery_log.delivered_at: user \"%s\": not an ISO 8601 time: \"%s\"", user, at);
            return -1;
        }
        if (mmr_grow((void **)&c->hist, &c->hcap, nh + 1, sizeof *c->hist)) { oom(c->d); return -1; }
        mmr_delivery *h = &c->hist[nh++];
        *h = (mmr_delivery){ rule_of_id(c, atoll(cell(&c->hi, 1))), NULL, t, NULL };
        if (len_at(&c->hi, 3) > 0 && h->rule >= 0 && !(h->key = mmr_arena_strdup(&c->ua, cell(&c->hi, 3)))) {
            oom(c->d);
            return -1;
        }
        c->hi.row++;
    }
    if (m < 0) return -1;
    while ((m = stream_seek(c, &c->mu, user)) == 1) {
        if (mmr_grow((void **)&c->mutes, &c->mcap, nm + 1, sizeof *c->mutes)) { oom(c->d); return -1; }
        if (!(c->mutes[nm++] = mmr_arena_strdup(&c->ua, cell(&c->mu, 1)))) { oom(c->d); return -1; }
        c->mu.row++;
    }
    if (m < 0) return -1;
    mmr_decide_input in = {
        .prog = c->p, .cands = c->cands, .ncands = n, .history = c->hist, .nhistory = nh,
        .muted = c->mutes, .nmuted = nm, .now = c->o->now, .tz = tz, .tzc = c->tzc,
    };
    if (mmr_decide(&in, &c->res)) {
        mmr_diag_add(c->d, MMR_SEV_ERROR, c->pg->label, 0, 0, "user \"%s\": the decision failed: %s", user,
                     c->res.note ? c->res.note : "out of memory");
        return -1;
    }
    for (size_t i = 0; i < c->res.n; i++) {
        const mmr_decision *dc = &c->res.v[i];
        st->candidates++;
        if (dc->deferred) st->deferred++;
        else if (dc->delivered) st->delivered++;
        else { st->suppressed++; if ((unsigned)dc->reason < MMR_NREASONS) st->by_reason[dc->reason]++; }
        if (!c->o->dry_run) { put_decision(c, user, dc); continue; }
        if (!dc->delivered) continue;
        char did[MMR_UUID_STR];
        const char *key = dc->key ? dc->key->bytes : NULL;
        size_t key_len = dc->key ? dc->key->len : 0;
        mmr_delivery_id_key(user, c->p->rules[dc->rule].name, c->as_of, key, key_len, did);
        mmr_buf_clear(&c->buf);
        mmr_event_payload_key(&c->buf, did, user, c->p->rules[dc->rule].name, key, key_len,
                              dc->title ? dc->title : "", dc->body ? dc->body : "",
                              dc->category ? dc->category : "", c->now_text);
        if (c->buf.oom) { oom(c->d); return -1; }
        fwrite(c->buf.data, 1, c->buf.len, c->o->events_out);
        fputc('\n', c->o->events_out);
    }
    return 0;
}

/* Every user of the shard's snapshot. */
static int read_users(pgrun *c)
{
    char prev[MMR_USER_ID_MAX + 1] = "";
    int err = 0;
    mmr_buf ub;
    mmr_buf_init(&ub);
    for (;;) {
        const char *user = stream_user(c, &c->sig, &err);
        if (!user) break;
        mmr_arena_reset(&c->ua);
        for (uint32_t i = 0; i < c->p->nslots; i++) if (c->used[i]) c->vm.regs[i] = mmr_v_missing();
        mmr_buf_clear(&ub);
        if (mmr_user_id_check(&ub, user, (size_t)len_at(&c->sig, 0))) {
            mmr_diag_add(c->d, MMR_SEV_ERROR, c->pg->label, 0, 0, "mm_signal_daily.user_id (as_of %s): %s", c->as_of,
                         ub.data ? ub.data : "bad user id");
            err = 1; break;
        }
        if (!strcmp(prev, user)) {
            mmr_diag_add(c->d, MMR_SEV_ERROR, c->pg->label, 0, 0, "mm_signal_daily: user \"%s\" has two rows for %s",
                         user, c->as_of);
            err = 1; break;
        }
        snprintf(prev, sizeof prev, "%s", user);
        for (size_t i = 0; i < c->nsigc && !err; i++)
            if (load_cell(c, &c->sig, &c->sigc[i], "mm_signal_daily", prev)) err = 1;
        c->sig.row++;
        if (err || process_user(c, prev) || flush_rows(c, 0)) { err = 1; break; }
        if ((c->st->users & 0x3fff) == 0) progress(c);
    }
    mmr_buf_free(&ub);
    return err ? -1 : 0;
}

/* ------------------------------------------------------------ the run */

static int open_streams(pgrun *c)
{
    const char *sw = c->shard_where;
    mmr_buf q, cols;
    mmr_buf_init(&q);
    mmr_buf_init(&cols);
    int rc = bind_columns(c, "mm_signal_daily", 0, &c->sigc, &c->nsigc, NULL, &cols);
    mmr_buf_printf(&q, "SELECT user_id%s FROM mm_signal_daily WHERE as_of = '%s'%s ORDER BY user_id COLLATE \"C\"",
                   cols.data ? cols.data : "", c->as_of, sw);
    if (!rc) rc = stream_open(c, &c->sig, "mm_sig", q.data);
    mmr_buf_clear(&cols); mmr_buf_clear(&q);
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
        if (c->shard_where[0]) snprintf(sh, sizeof sh, " WHERE mm_shard(d.user_id, %d) = %d", c->o->shard_n, c->o->shard_k);
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
             c->as_of, c->now_text, want_redis, (unsigned long long)c->st->users, (unsigned long long)c->st->candidates,
             (unsigned long long)c->st->delivered, (unsigned long long)c->st->suppressed, (long long)c->run_id);
    return mmr_pg_exec(c->pg, q, c->d, "writing mm_nudge_delivery_log and mm_event_outbox");
}

static int run_body(pgrun *c)
{
    const mmr_run_opts *o = c->o;
    const mmr_program *p = c->p;
    char q[512];
    if (!o->dry_run && prepare(c)) return -1;
    if (mmr_pg_exec(c->pg, o->dry_run ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                                      : "BEGIN ISOLATION LEVEL REPEATABLE READ", c->d, "beginning the run"))
        return -1;
    if (o->dry_run) {
        int ex = scalar_text(c, "SELECT to_regclass('mm_schema_version')::text", q, sizeof q, "reading the schema");
        if (ex < 0) return -1;
        if (!ex) {
            mmr_diag_add(c->d, MMR_SEV_ERROR, c->pg->label, 0, 0, "the database has no mmr schema: nothing to dry-run");
            return -1;
        }
    }
    if (lookup_rule_ids(c)) return -1;
    if (o->as_of) snprintf(c->as_of, sizeof c->as_of, "%s", o->as_of);
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
    snprintf(c->st->as_of, sizeof c->st->as_of, "%s", c->as_of);
    snprintf(q, sizeof q, "SELECT 1 FROM mm_signal_daily WHERE as_of = '%s' LIMIT 1", c->as_of);
    int any = scalar_text(c, q, q, sizeof q, "reading mm_signal_daily");
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
        snprintf(q, sizeof q, "INSERT INTO mm_run(as_of, now, ruleset_hash, source, status, shard_k, shard_n) "
                              "VALUES ('%s', '%s', '%s', 'mm_signal_daily', 'running', %d, %d) RETURNING run_id",
                 c->as_of, c->now_text, c->hash, k, n);
        char id[32];
        if (scalar_text(c, q, id, sizeof id, "writing mm_run") <= 0) return -1;
        c->run_id = atoll(id);
        if (mmr_pg_exec(c->pg, "CREATE TEMP TABLE mm_stage_delivery (ord bigint, delivery_id text, user_id text, "
                               "rule_id bigint, rule_key text, title text, body text, category text, meta_json text) "
                               "ON COMMIT DROP",
                        c->d, "staging the run's deliveries"))
            return -1;
    }
    int ts = mmr_program_find_slot(p, "tz");
    c->tz_slot = ts >= 0 && p->slots[ts].is_trait && p->slots[ts].type == MMR_T_TEXT ? ts : -1;
    if (!(c->used = mmr_used_slots(p, c->tz_slot))) { oom(c->d); return -1; }
    c->rule_meta = calloc(p->nrules + 1, sizeof *c->rule_meta);
    if (!c->rule_meta) { oom(c->d); return -1; }
    for (uint32_t i = 0; i < p->nrules; i++) {
        mmr_buf_clear(&c->buf);
        mmr_rule_meta_json(p, i, c->as_of, &c->buf);
        if (c->buf.oom || !(c->rule_meta[i] = strdup(c->buf.data))) { oom(c->d); return -1; }
    }
    if (mmr_resp_loader_open(&c->resp, p, c->used, NULL, o->now, 1, c->d)) return -1;
    if (c->resp) mmr_resp_loader_set_label(c->resp, c->pg->label);
    int64_t horizon = p->policy.window_s;
    for (uint32_t i = 0; i < p->nrules; i++) if (p->rules[i].cooldown_s > horizon) horizon = p->rules[i].cooldown_s;
    mmr_time_format(o->now - horizon, c->horizon_text);
    if (open_streams(c) || read_users(c)) return -1;
    if (c->o->progress && c->last_progress > 0) fprintf(c->o->progress, "\r%60s\r", "");
    if (o->dry_run) return 0;
    return finish_writes(c);
}

/* Step 3: publish the pending events (store/outbox_pg.c). */
static int publish(pgrun *c)
{
    return mmr_pg_outbox_publish_run(c->pg, c->o, c->now_text, c->st, c->d);
}

static void ctx_free(pgrun *c)
{
    pg_stream *ss[] = { &c->sig, &c->tr, &c->mu, &c->hi, &c->ex, &c->rs };
    for (size_t i = 0; i < sizeof ss / sizeof ss[0]; i++) stream_close(ss[i]);
    mmr_vm_free(&c->vm);
    mmr_arena_free(&c->ua);
    mmr_tz_cache_free(c->tzc);
    free(c->rule_ids); free(c->used); free(c->sigc); free(c->trc);
    if (c->rule_meta) for (uint32_t i = 0; i < c->p->nrules; i++) free(c->rule_meta[i]);
    free(c->rule_meta);
    free(c->cands); free(c->hist); free(c->mutes);
    mmr_resp_loader_free(c->resp);
    mmr_decide_result_free(&c->res);
    mmr_buf_free(&c->cand); mmr_buf_free(&c->defer); mmr_buf_free(&c->deliv); mmr_buf_free(&c->buf);
    mmr_buf_free(&c->kmeta);
    mmr_pg_close(c->pg);
}

int mmr_run_pg(const mmr_run_opts *o, mmr_run_stats *st, mmr_diags *d)
{
    memset(st, 0, sizeof *st);
    if (o->as_of && !mmr_snap_date_ok(o->as_of, strlen(o->as_of))) {
        mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "--as-of %s: not a date (YYYY-MM-DD)", o->as_of);
        return -1;
    }
    if (o->signals_path) {
        mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "--signals with a PostgreSQL database is not supported yet");
        return -1;
    }
    pgrun c;
    memset(&c, 0, sizeof c);
    c.o = o; c.st = st; c.d = d; c.p = o->prog;
    c.t0 = mmr_mono_now();
    c.tr_tz_col = -1;
    mmr_time_format(o->now, c.now_text);
    mmr_ruleset_hash(c.p, c.hash);
    mmr_arena_init(&c.ua, 0);
    mmr_decide_result_init(&c.res);
    mmr_buf_init(&c.cand); mmr_buf_init(&c.defer); mmr_buf_init(&c.deliv); mmr_buf_init(&c.buf);
    mmr_buf_init(&c.kmeta);
    if (mmr_vm_init(&c.vm, c.p) || !(c.tzc = mmr_tz_cache_new(o->zoneinfo))) { oom(d); ctx_free(&c); return -1; }
    if (mmr_pg_open(&c.pg, o->db_path, d)) { ctx_free(&c); return -1; }
    int rc = run_body(&c);
    if (!rc && !o->dry_run) {
        rc = mmr_pg_exec(c.pg, "COMMIT", d, "committing the run");
        st->committed = rc == 0;
    } else {
        mmr_pg_rollback(c.pg);
    }
    if (!rc && !o->dry_run && publish(&c)) rc = -1;
    if (o->dry_run && o->events_out) fflush(o->events_out);
    ctx_free(&c);
    st->elapsed_s = mmr_mono_now() - c.t0;
    return rc;
}
