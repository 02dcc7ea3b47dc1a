/* The data of `mmr run --report` (engine/report.h): this run's funnel from
 * its statistics, its candidates per rule and per category from the
 * database (a SQLite file or PostgreSQL: the same queries), and the
 * previous committed run of the same ruleset. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "engine/report.h"
#include "engine/db.h"
#include "engine/run_shared.h"
#include "store/pg.h"
#include "util/outfile.h"
#include "util/timeutil.h"

/* One rule's (or category's) candidates in one run. */
typedef struct counts {
    uint64_t candidates, delivered, suppressed, deferred;
    uint64_t by_reason[MMR_NREASONS];
} counts;

int mmr_report_format_of(const char *path)
{
    size_t n = strlen(path);
    if (!strcmp(path, "-")) return MMR_REPORT_JSON;
    if (n > 5 && !strcmp(path + n - 5, ".json")) return MMR_REPORT_JSON;
    if (n > 5 && !strcmp(path + n - 5, ".html")) return MMR_REPORT_HTML;
    if (n > 4 && !strcmp(path + n - 4, ".htm")) return MMR_REPORT_HTML;
    return -1;
}

static json_t *num(uint64_t v) { return json_integer((json_int_t)v); }

/* {"muted": n, ...}: every reason, in their order, so charts line up */
static json_t *reasons_json(const uint64_t *by)
{
    json_t *o = json_object();
    for (int r = 1; r < MMR_NREASONS; r++)
        json_object_set_new(o, mmr_reason_name((mmr_reason)r), num(by[r]));
    return o;
}

static json_t *counts_json(const counts *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "candidates", num(c->candidates));
    json_object_set_new(o, "delivered", num(c->delivered));
    json_object_set_new(o, "suppressed", num(c->suppressed));
    json_object_set_new(o, "deferred", num(c->deferred));
    json_object_set_new(o, "suppressed_by_reason", reasons_json(c->by_reason));
    return o;
}

static int rule_index(const mmr_program *p, const char *name)
{
    uint32_t lo = 0, hi = p->nrules;      /* rules are sorted by name */
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        int c = strcmp(p->rules[mid].name, name);
        if (!c) return (int)mid;
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    return -1;
}

/* Where the report reads: the run's database. */
typedef struct report_src {
    mmr_db *db;                  /* SQLite, or */
    mmr_pg *pg;                  /* PostgreSQL */
    char shard[64];              /* PostgreSQL: the run's shard, as SQL (" AND shard_k = K ...") */
} report_src;

enum { SRC_COLS = 8 };
typedef void (*src_row_fn)(void *ctx, const char *const *v);

/* sql (parameters $1..$n, text; SQLite binds them by name and compares
 * them to integer columns as numbers) with each row's first SRC_COLS
 * columns as text (NULL: SQL null) to fn. 0, or -1 with an error. */
static int src_rows(const report_src *s, const char *sql, const char *const *params, int n, src_row_fn fn,
                    void *ctx, const char *what, mmr_diags *d)
{
    const char *v[SRC_COLS] = { 0 };
    if (s->pg) {
        PGresult *r = PQexecParams(s->pg->h, sql, n, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) { mmr_pg_error(s->pg, r, d, what); PQclear(r); return -1; }
        int nc = PQnfields(r) < SRC_COLS ? PQnfields(r) : SRC_COLS;
        for (int i = 0; i < PQntuples(r); i++) {
            for (int k = 0; k < nc; k++) v[k] = PQgetisnull(r, i, k) ? NULL : PQgetvalue(r, i, k);
            fn(ctx, v);
        }
        PQclear(r);
        return 0;
    }
    sqlite3_stmt *st;
    if (mmr_db_prepare(s->db, &st, sql, d)) return -1;
    for (int k = 0; k < n; k++) {
        char name[16];
        snprintf(name, sizeof name, "$%d", k + 1);
        int at = sqlite3_bind_parameter_index(st, name);
        if (at) sqlite3_bind_text(st, at, params[k], -1, SQLITE_STATIC);
    }
    int rc, nc = sqlite3_column_count(st) < SRC_COLS ? sqlite3_column_count(st) : SRC_COLS;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int k = 0; k < nc; k++) v[k] = (const char *)sqlite3_column_text(st, k);
        fn(ctx, v);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) { mmr_db_error(s->db, d, what); return -1; }
    return 0;
}

static uint64_t u64_of(const char *v) { return v ? strtoull(v, NULL, 10) : 0; }

typedef struct counts_ctx { const mmr_program *p; counts *per; } counts_ctx;

/* One row of read_counts: rule name, status, reason, count. */
static void count_row(void *ctx, const char *const *v)
{
    counts_ctx *x = ctx;
    int i = v[0] ? rule_index(x->p, v[0]) : -1;
    if (i < 0) return;
    uint64_t n = u64_of(v[3]);
    counts *c = &x->per[i];
    c->candidates += n;
    if (!strcmp(v[1], "delivered")) c->delivered += n;
    else if (!strcmp(v[1], "deferred")) c->deferred += n;
    else {
        c->suppressed += n;
        int r = mmr_reason_from_name(v[2] ? v[2] : "");
        if (r > 0 && r < MMR_NREASONS) c->by_reason[r] += n;
    }
}

/* The candidates of run_id (all of date as_of: the key's range) per rule
 * of p into per[p->nrules]; rows of rules p does not have are left out. */
static int read_counts(const report_src *s, const mmr_program *p, int64_t run_id, const char *as_of,
                       counts *per, mmr_diags *d)
{
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)run_id);
    const char *params[2] = { as_of, id };
    counts_ctx x = { p, per };
    return src_rows(s, "SELECT r.name, c.status, coalesce(c.suppression_reason, ''), count(*) "
                       "FROM mm_nudge_candidate c JOIN mm_nudge_rule_master r USING (rule_id) "
                       "WHERE c.as_of = $1 AND c.run_id = $2 GROUP BY 1, 2, 3",
                    params, 2, count_row, &x, "reading mm_nudge_candidate", d);
}

static void add_counts(counts *to, const counts *c)
{
    to->candidates += c->candidates;
    to->delivered += c->delivered;
    to->suppressed += c->suppressed;
    to->deferred += c->deferred;
    for (int r = 0; r < MMR_NREASONS; r++) to->by_reason[r] += c->by_reason[r];
}

typedef struct run_row {
    int found;
    int64_t run_id;
    char as_of[16], now[MMR_TIME_BUF];
    uint64_t users, candidates, delivered, suppressed;
} run_row;

static void run_row_of(void *ctx, const char *const *v)
{
    run_row *out = ctx;
    out->found = 1;
    out->run_id = v[0] ? strtoll(v[0], NULL, 10) : 0;
    snprintf(out->as_of, sizeof out->as_of, "%s", v[1] ? v[1] : "");
    snprintf(out->now, sizeof out->now, "%s", v[2] ? v[2] : "");
    out->users = u64_of(v[3]);
    out->candidates = u64_of(v[4]);
    out->delivered = u64_of(v[5]);
    out->suppressed = u64_of(v[6]);
}

/* The latest committed run of hash (of the run's shard, PostgreSQL)
 * matching the condition: this run (as_of and now given) or the one
 * before run_id (before > 0). */
static int find_run(const report_src *s, const char *hash, const char *as_of, const char *now, int64_t before,
                    run_row *out, mmr_diags *d)
{
    memset(out, 0, sizeof *out);
    char id[32], sql[512];
    snprintf(id, sizeof id, "%lld", (long long)before);
    snprintf(sql, sizeof sql, "SELECT run_id, as_of, now, users, candidates, delivered, suppressed FROM mm_run "
                              "WHERE ruleset_hash = $1 AND status = 'done'%s%s ORDER BY run_id DESC LIMIT 1",
             before > 0 ? " AND run_id < $2" : " AND as_of = $2 AND now = $3", s->shard);
    const char *params[3] = { hash, before > 0 ? id : as_of, now };
    return src_rows(s, sql, params, before > 0 ? 2 : 3, run_row_of, out, "reading mm_run", d);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* rules[] and categories[] (both sorted by name); cur/prev NULL: unknown
 * (null counts). 0, or -1 out of memory. */
static int add_breakdown(json_t *r, const mmr_program *p, const counts *cur, const counts *prev)
{
    json_t *rules = json_array(), *cats = json_object();
    counts *cat_cur = calloc(p->nrules ? p->nrules : 1, sizeof *cat_cur);
    counts *cat_prev = calloc(p->nrules ? p->nrules : 1, sizeof *cat_prev);
    const char **cat_name = calloc(p->nrules ? p->nrules : 1, sizeof *cat_name);
    size_t ncat = 0;
    if (!rules || !cats || !cat_cur || !cat_prev || !cat_name) {
        json_decref(rules);
        json_decref(cats);
        free(cat_cur);
        free(cat_prev);
        free(cat_name);
        return -1;
    }
    for (uint32_t i = 0; i < p->nrules; i++) {
        const mmr_prog_rule *pr = &p->rules[i];
        const char *cat = pr->category ? pr->category : "";
        json_t *o = json_object();
        json_object_set_new(o, "rule", json_string(pr->name));
        json_object_set_new(o, "category", json_string(cat));
        json_object_set_new(o, "priority", json_integer(pr->priority));
        json_object_set_new(o, "counts", cur ? counts_json(&cur[i]) : json_null());
        json_object_set_new(o, "previous", prev ? counts_json(&prev[i]) : json_null());
        json_array_append_new(rules, o);
        size_t k = 0;
        while (k < ncat && strcmp(cat_name[k], cat)) k++;
        if (k == ncat) cat_name[ncat++] = cat;
        if (cur) add_counts(&cat_cur[k], &cur[i]);
        if (prev) add_counts(&cat_prev[k], &prev[i]);
    }
    for (size_t k = 0; k < ncat; k++) {
        json_t *o = json_object();
        json_object_set_new(o, "category", json_string(cat_name[k]));
        json_object_set_new(o, "counts", cur ? counts_json(&cat_cur[k]) : json_null());
        json_object_set_new(o, "previous", prev ? counts_json(&cat_prev[k]) : json_null());
        json_object_set_new(cats, cat_name[k], o);
    }
    /* categories by name */
    qsort(cat_name, ncat, sizeof *cat_name, cmp_str);
    json_t *arr = json_array();
    for (size_t k = 0; k < ncat; k++) json_array_append(arr, json_object_get(cats, cat_name[k]));
    json_decref(cats);
    json_object_set_new(r, "rules", rules);
    json_object_set_new(r, "categories", arr);
    free(cat_cur);
    free(cat_prev);
    free(cat_name);
    return 0;
}

static json_t *funnel_json(uint64_t users, const uint64_t *uwc, uint64_t cands, uint64_t delivered,
                           uint64_t suppressed, uint64_t deferred, const uint64_t *by)
{
    json_t *o = json_object();
    json_object_set_new(o, "users", num(users));
    json_object_set_new(o, "users_with_candidates", uwc ? num(*uwc) : json_null());
    json_object_set_new(o, "candidates", num(cands));
    json_object_set_new(o, "delivered", num(delivered));
    json_object_set_new(o, "suppressed", num(suppressed));
    json_object_set_new(o, "suppressed_by_reason", reasons_json(by));
    json_object_set_new(o, "deferred", num(deferred));
    return o;
}

int mmr_report_build(const mmr_report_in *in, json_t **out, mmr_diags *d)
{
    *out = NULL;
    const mmr_program *p = in->prog;
    const mmr_run_stats *st = in->st;
    char hash[41], now[MMR_TIME_BUF];
    mmr_ruleset_hash(p, hash);
    mmr_time_format(in->now, now);
    size_t nr = p->nrules ? p->nrules : 1;
    counts *cur = calloc(nr, sizeof *cur), *prev = calloc(nr, sizeof *prev);
    report_src src;
    memset(&src, 0, sizeof src);
    int pg = mmr_pg_is_url(in->db_path);
    mmr_buf label;               /* the database in the report: a URL without its password */
    mmr_buf_init(&label);
    if (pg) mmr_pg_redact(in->db_path, &label);
    json_t *r = json_object();
    int rc = -1;
    if (!cur || !prev || !r || label.oom) { mmr_diag_add(d, MMR_SEV_ERROR, in->db_path, 0, 0, "out of memory"); goto out; }
    run_row self = { 0 }, before = { 0 };
    /* a dry run may have started from no database, or one no run has
     * written to yet: then there is nothing to compare with */
    int has_runs = 1;
    if (pg) {
        if (mmr_pg_open(&src.pg, in->db_path, d)) goto out;
        snprintf(src.shard, sizeof src.shard, " AND shard_k = %d AND shard_n = %d",
                 in->shard_n > 1 ? in->shard_k : 0, in->shard_n > 1 ? in->shard_n : 1);
        if (in->dry_run) {
            PGresult *t = mmr_pg_query(src.pg, "SELECT to_regclass('mm_run') IS NOT NULL", d, "reading the schema");
            if (!t) goto out;
            has_runs = PQntuples(t) && !strcmp(PQgetvalue(t, 0, 0), "t");
            PQclear(t);
        }
    }
    else if (in->dry_run && access(in->db_path, F_OK) != 0) has_runs = 0;
    else if (mmr_db_open(&src.db, in->db_path, MMR_DB_OPEN_RO, in->busy_ms, d)) goto out;
    else if (in->dry_run && (has_runs = mmr_db_table_exists(src.db, "mm_run", d)) < 0) goto out;
    if (has_runs) {
        if (!in->dry_run && st->as_of[0] && find_run(&src, hash, st->as_of, now, 0, &self, d)) goto out;
        if (find_run(&src, hash, NULL, NULL, self.found ? self.run_id : INT64_MAX, &before, d)) goto out;
        if (self.found && read_counts(&src, p, self.run_id, self.as_of, cur, d)) goto out;
        if (before.found && read_counts(&src, p, before.run_id, before.as_of, prev, d)) goto out;
    }

    json_object_set_new(r, "mmr_report", json_integer(MMR_REPORT_VERSION));
    json_object_set_new(r, "ruleset", json_string(in->ruleset_label ? in->ruleset_label : ""));
    json_object_set_new(r, "ruleset_hash", json_string(hash));
    json_object_set_new(r, "database", json_string(pg ? label.data : in->db_path));
    json_object_set_new(r, "dry_run", json_boolean(in->dry_run));

    json_t *run = json_object();
    json_object_set_new(run, "run_id", self.found ? json_integer(self.run_id) : json_null());
    json_object_set_new(run, "as_of", json_string(st->as_of));
    json_object_set_new(run, "now", json_string(now));
    json_object_set_new(r, "run", run);

    json_t *f = funnel_json(st->users, &st->users_with_candidates, st->candidates, st->delivered,
                            st->suppressed, st->deferred, st->by_reason);
    json_object_set_new(f, "already_stored", num(st->existing));
    json_object_set_new(f, "released", num(st->released));
    json_object_set_new(f, "release_suppressed", num(st->release_suppressed));
    json_object_set_new(r, "funnel", f);

    if (before.found) {
        counts all = { 0 };
        for (uint32_t i = 0; i < p->nrules; i++) add_counts(&all, &prev[i]);
        json_t *pv = json_object();
        json_object_set_new(pv, "run_id", json_integer(before.run_id));
        json_object_set_new(pv, "as_of", json_string(before.as_of));
        json_object_set_new(pv, "now", json_string(before.now));
        /* mm_run keeps the totals; the candidates give the rest */
        json_object_set_new(pv, "funnel", funnel_json(before.users, NULL, before.candidates, before.delivered,
                                                      before.suppressed, all.deferred, all.by_reason));
        json_object_set_new(r, "previous", pv);
    } else {
        json_object_set_new(r, "previous", json_null());
    }
    if (add_breakdown(r, p, self.found ? cur : NULL, before.found ? prev : NULL)) {
        mmr_diag_add(d, MMR_SEV_ERROR, in->db_path, 0, 0, "out of memory");
        goto out;
    }

    json_t *ev = json_object();
    json_object_set_new(ev, "written", num(st->events_emitted));
    json_object_set_new(ev, "published_to_redis", num(st->events_redis));
    json_object_set_new(ev, "pending", in->dry_run || st->pending_unknown ? json_null() : num(st->events_pending));
    json_object_set_new(ev, "complete", json_boolean(in->dry_run || in->publish_complete));
    json_object_set_new(r, "events", ev);

    json_t *t = json_object();
    json_object_set_new(t, "elapsed_s", json_real(st->elapsed_s));
    json_object_set_new(t, "users_per_s", st->elapsed_s > 0 ? json_real((double)st->users / st->elapsed_s) : json_null());
    json_object_set_new(r, "timings", t);
    rc = 0;
out:
    if (src.db) mmr_db_close(src.db);
    mmr_pg_close(src.pg);
    mmr_buf_free(&label);
    free(cur);
    free(prev);
    if (rc) json_decref(r);
    else *out = r;
    return rc;
}

int mmr_report_write(const json_t *r, const char *path, mmr_diags *d)
{
    int fmt = mmr_report_format_of(path);
    mmr_buf b;
    mmr_buf_init(&b);
    if (fmt == MMR_REPORT_HTML) {
        mmr_report_html(r, &b);
    } else {
        char *s = json_dumps(r, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s) { mmr_buf_puts(&b, s); mmr_buf_putc(&b, '\n'); }
        free(s);
        if (!s) b.len = 0;
    }
    int rc = 0;
    if (!b.len || b.oom) {
        mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "cannot write the report: out of memory");
        rc = -1;
    } else if (mmr_outfile_write(path, b.data, b.len, MMR_OUT_DASH)) {
        mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "cannot write the report: %s", strerror(errno));
        rc = -1;
    }
    mmr_buf_free(&b);
    return rc;
}
