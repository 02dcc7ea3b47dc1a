/* `mmr ingest` into PostgreSQL (see store/pg_ingest.h). */
#include "store/pg_ingest.h"
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/ast.h"
#include "compiler/compile.h"
#include "store/pg.h"
#include "util/buf.h"

enum { FLUSH_BYTES = 4 << 20 };

enum { K_NONE, K_TXN, K_BUDGET, K_GOAL };

struct mmr_pg_ingest {
    mmr_pg *pg;
    int copying;                 /* the staging table a COPY is open on */
    mmr_buf rows, tmp;
    unsigned long long ord;      /* input order across all records */
    int committed;
};

static void oom(mmr_diags *d) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); }

static const char *const copy_sql[] = {
    NULL,
    "COPY mm_stage_txn (ord, file, line, txn_id, user_id, ts, ts_text, amount, type, category, merchant, recurring) FROM STDIN",
    "COPY mm_stage_budget (ord, user_id, category, limit_amount, period) FROM STDIN",
    "COPY mm_stage_goal (ord, user_id, goal_id, name, target, saved, deadline, priority) FROM STDIN",
};

/* The rows buffered so far to the open COPY; end it when kind differs. */
static int copy_to(mmr_pg_ingest *ig, int kind, mmr_diags *d)
{
    if (ig->rows.oom) { oom(d); return -1; }
    if (ig->copying && (ig->rows.len >= FLUSH_BYTES || kind != ig->copying)) {
        if (mmr_pg_copy_put(ig->pg, &ig->rows, d, "staging the records")) return -1;
        mmr_buf_clear(&ig->rows);
    }
    if (ig->copying && kind != ig->copying) {
        ig->copying = K_NONE;
        if (mmr_pg_copy_end(ig->pg, d, "staging the records")) return -1;
    }
    if (kind != K_NONE && !ig->copying) {
        if (mmr_pg_copy_begin(ig->pg, copy_sql[kind], d, "staging the records")) return -1;
        ig->copying = kind;
    }
    return 0;
}

static void num_field(mmr_buf *b, mmr_buf *tmp, double x, char sep)
{
    mmr_buf_clear(tmp);
    mmr_buf_printf(tmp, "%.17g", x);
    mmr_pg_copy_field(b, tmp->data, tmp->len, sep);
}

static void str_field(mmr_buf *b, const char *s, char sep) { mmr_pg_copy_field(b, s, s ? strlen(s) : 0, sep); }

/* The trait columns of a new SQLite database: std/moneymoments' and tz. */
static int std_traits(mmr_pg *pg, mmr_diags *d)
{
    static const char std_src[] = "import \"std/moneymoments\"\n";
    mmr_diags tmp;
    mmr_diags_init(&tmp);
    mmr_unit *u = mmr_unit_load_source("<std>", std_src, sizeof std_src - 1, &tmp);
    int ok = u && !mmr_check(u, &tmp) && !tmp.errors;
    mmr_diags_free(&tmp);
    if (!ok) {
        mmr_unit_free(u);
        mmr_diag_add(d, MMR_SEV_ERROR, pg->label, 0, 0, "internal: std/moneymoments does not load");
        return -1;
    }
    mmr_db_column *tc = calloc(u->ntraits + 1, sizeof *tc);
    if (!tc) { mmr_unit_free(u); oom(d); return -1; }
    for (size_t i = 0; i < u->ntraits; i++) { tc[i].name = u->traits[i]->name; tc[i].type = u->traits[i]->type; }
    int rc = mmr_pg_migrate(pg, NULL, 0, tc, u->ntraits, d);
    free(tc);
    mmr_unit_free(u);
    return rc;
}

int mmr_pg_ingest_open(mmr_pg_ingest **out, const char *url, mmr_diags *d)
{
    *out = NULL;
    mmr_pg_ingest *ig = calloc(1, sizeof *ig);
    if (!ig) { oom(d); return -1; }
    mmr_buf_init(&ig->rows);
    mmr_buf_init(&ig->tmp);
    *out = ig;
    if (mmr_pg_open(&ig->pg, url, d) || mmr_pg_exec(ig->pg, "BEGIN", d, "beginning") || std_traits(ig->pg, d))
        return -1;
    return mmr_pg_exec(ig->pg,
        "CREATE TEMP TABLE mm_stage_txn (ord bigint, file integer, line bigint, txn_id text, user_id text, ts bigint,"
        "  ts_text text, amount double precision, type text, category text, merchant text, recurring integer)"
        "  ON COMMIT DROP;"
        "CREATE TEMP TABLE mm_stage_budget (ord bigint, user_id text, category text, limit_amount double precision,"
        "  period text) ON COMMIT DROP;"
        "CREATE TEMP TABLE mm_stage_goal (ord bigint, user_id text, goal_id text, name text, target double precision,"
        "  saved double precision, deadline text, priority bigint) ON COMMIT DROP",
        d, "staging the records");
}

int mmr_pg_ingest_txn(mmr_pg_ingest *ig, int file, const mmr_txn *t, const char *ts_text, size_t ts_len,
                      mmr_diags *d)
{
    if (copy_to(ig, K_TXN, d)) return -1;
    mmr_buf *b = &ig->rows;
    mmr_buf_printf(b, "%llu\t%d\t%ld\t", ++ig->ord, file, t->line);
    mmr_pg_copy_field(b, t->txn_id, t->txn_id_len, '\t');
    mmr_pg_copy_field(b, t->user_id, t->user_id_len, '\t');
    mmr_buf_printf(b, "%lld\t", (long long)t->ts);
    mmr_pg_copy_field(b, ts_text, ts_len, '\t');
    num_field(b, &ig->tmp, t->amount, '\t');
    mmr_buf_puts(b, t->type == MMR_TXN_INCOME ? "income\t" : "expense\t");
    mmr_pg_copy_field(b, t->category, t->category_len, '\t');
    mmr_pg_copy_field(b, t->merchant, t->merchant_len, '\t');
    mmr_buf_puts(b, t->recurring ? "1\n" : "0\n");
    return 0;
}

int mmr_pg_ingest_budget(mmr_pg_ingest *ig, const char *user, const char *category, double limit,
                         const char *period, mmr_diags *d)
{
    if (copy_to(ig, K_BUDGET, d)) return -1;
    mmr_buf *b = &ig->rows;
    mmr_buf_printf(b, "%llu\t", ++ig->ord);
    str_field(b, user, '\t');
    str_field(b, category, '\t');
    num_field(b, &ig->tmp, limit, '\t');
    str_field(b, period ? period : "month", '\n');
    return 0;
}

int mmr_pg_ingest_goal(mmr_pg_ingest *ig, const char *user, const char *goal_id, const char *name, double target,
                       double saved, const char *deadline, long long priority, mmr_diags *d)
{
    if (copy_to(ig, K_GOAL, d)) return -1;
    mmr_buf *b = &ig->rows;
    mmr_buf_printf(b, "%llu\t", ++ig->ord);
    str_field(b, user, '\t');
    str_field(b, goal_id, '\t');
    str_field(b, name, '\t');
    num_field(b, &ig->tmp, target, '\t');
    num_field(b, &ig->tmp, saved, '\t');
    str_field(b, deadline, '\t');
    mmr_buf_printf(b, "%lld\n", priority);
    return 0;
}

static void json_str(mmr_buf *b, const char *s)
{
    if (!s) mmr_buf_puts(b, "null");
    else mmr_buf_json_string(b, s, strlen(s));
}

/* The first field of the staged row (columns 3..9 of r) that differs from
 * the reference row (10..16), described as cmd_ingest.c does on SQLite. */
static void describe(const PGresult *r, int i, mmr_buf *b)
{
    static const char *const names[] = { "user_id", "ts", "amount", "type", "category", "merchant", "recurring" };
    for (int k = 0; k < 7; k++) {
        int c = 3 + k, o = 10 + k;
        const char *now = PQgetisnull(r, i, c) ? NULL : PQgetvalue(r, i, c);
        const char *was = PQgetisnull(r, i, o) ? NULL : PQgetvalue(r, i, o);
        if (k == 2) {
            double a = strtod(was, NULL), x = strtod(now, NULL);
            if (a == x) continue;
            mmr_buf_puts(b, "\"amount\" ");
            mmr_buf_number(b, a);
            mmr_buf_puts(b, ", now ");
            mmr_buf_number(b, x);
            return;
        }
        if (k == 6) {
            int a = atoi(was), x = atoi(now);
            if (a == x) continue;
            mmr_buf_printf(b, "\"recurring\" %s, now %s", a ? "true" : "false", x ? "true" : "false");
            return;
        }
        if ((!now && !was) || (now && was && !strcmp(now, was))) continue;
        mmr_buf_printf(b, "\"%s\" ", names[k]);
        json_str(b, was);
        mmr_buf_puts(b, ", now ");
        json_str(b, now);
        return;
    }
}

/* Diagnostics of the transaction files in input order: by file (as given),
 * then line; stable (an insertion sort: at most a few dozen are kept). */
static int rank(const mmr_diag *g, const char *const *files, size_t nfiles)
{
    for (size_t i = 0; i < nfiles; i++) if (g->file && !strcmp(g->file, files[i])) return (int)i;
    return (int)nfiles;
}

static void sort_diags(mmr_diags *d, const char *const *files, size_t nfiles)
{
    for (size_t i = 1; i < d->n; i++) {
        mmr_diag g = d->v[i];
        int rg = rank(&g, files, nfiles);
        size_t j = i;
        while (j > 0) {
            int rp = rank(&d->v[j - 1], files, nfiles);
            if (rp < rg || (rp == rg && d->v[j - 1].line <= g.line)) break;
            d->v[j] = d->v[j - 1];
            j--;
        }
        d->v[j] = g;
    }
}

int mmr_pg_ingest_txn_done(mmr_pg_ingest *ig, const char *const *files, size_t nfiles,
                           unsigned long long *total, unsigned long long *added, unsigned long long *present,
                           mmr_diags *d)
{
    *total = *added = *present = 0;
    if (copy_to(ig, K_NONE, d)) return -1;
    /* each txn_id's reference: the stored row, else its first staged line;
     * every other staged line of it must match that field for field */
    PGresult *r = mmr_pg_query(ig->pg,
        "WITH first AS (SELECT DISTINCT ON (txn_id) * FROM mm_stage_txn ORDER BY txn_id, ord),"
        " ref AS (SELECT t.txn_id, t.user_id, t.ts_text, t.amount, t.type, t.category, t.merchant, t.recurring,"
        "   false AS earlier, NULL::bigint AS ord FROM mm_transaction t WHERE t.txn_id IN (SELECT txn_id FROM mm_stage_txn)"
        "  UNION ALL SELECT f.txn_id, f.user_id, f.ts_text, f.amount, f.type, f.category, f.merchant, f.recurring,"
        "   true, f.ord FROM first f WHERE NOT EXISTS (SELECT 1 FROM mm_transaction t WHERE t.txn_id = f.txn_id))"
        " SELECT s.file, s.line, s.txn_id, s.user_id, s.ts_text, s.amount, s.type, s.category, s.merchant, s.recurring,"
        "  o.user_id, o.ts_text, o.amount, o.type, o.category, o.merchant, o.recurring, o.earlier,"
        "  (SELECT count(*) FROM mm_stage_txn)"
        " FROM mm_stage_txn s JOIN ref o ON o.txn_id = s.txn_id AND o.ord IS DISTINCT FROM s.ord"
        " WHERE (s.user_id, s.ts_text, s.amount, s.type, s.category, s.merchant, s.recurring)"
        "   IS DISTINCT FROM (o.user_id, o.ts_text, o.amount, o.type, o.category, o.merchant, o.recurring)"
        " ORDER BY s.ord", d, "checking the transactions against mm_transaction");
    if (!r) return -1;
    int bad = PQntuples(r);
    mmr_buf why, id;
    mmr_buf_init(&why);
    mmr_buf_init(&id);
    for (int i = 0; i < bad; i++) {
        mmr_buf_clear(&why);
        mmr_buf_clear(&id);
        describe(r, i, &why);
        mmr_buf_json_string(&id, PQgetvalue(r, i, 2), (size_t)PQgetlength(r, i, 2));
        int f = atoi(PQgetvalue(r, i, 0));
        mmr_diag_add(d, MMR_SEV_ERROR, f >= 0 && (size_t)f < nfiles ? files[f] : "", atoi(PQgetvalue(r, i, 1)), 0,
                     "transaction %s %s with %s", id.data ? id.data : "",
                     !strcmp(PQgetvalue(r, i, 17), "t") ? "appears earlier in this ingest" : "was already ingested",
                     why.data ? why.data : "");
    }
    mmr_buf_free(&why);
    mmr_buf_free(&id);
    PQclear(r);
    if (bad) { sort_diags(d, files, nfiles); return 0; }
    r = mmr_pg_query(ig->pg, "SELECT count(*) FROM mm_stage_txn", d, "reading the staged transactions");
    if (!r) return -1;
    *total = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    r = PQexec(ig->pg->h,
        "INSERT INTO mm_transaction (txn_id, user_id, ts, ts_text, amount, type, category, merchant, recurring)"
        " SELECT DISTINCT ON (txn_id) txn_id, user_id, ts, ts_text, amount, type, category, merchant, recurring"
        " FROM mm_stage_txn ORDER BY txn_id, ord ON CONFLICT (txn_id) DO NOTHING");
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
        mmr_pg_error(ig->pg, r, d, "writing mm_transaction");
        PQclear(r);
        return -1;
    }
    *added = strtoull(PQcmdTuples(r), NULL, 10);
    *present = *total - *added;
    PQclear(r);
    return 0;
}

/* One trait value as the COPY field of a column of type ty. */
static void trait_field(mmr_buf *b, mmr_buf *tmp, json_t *v, const char *ty, char sep)
{
    int jsonb = !strcmp(ty, "jsonb"), boolean = !strcmp(ty, "boolean");
    if (!v || json_is_null(v)) { mmr_pg_copy_field(b, NULL, 0, sep); return; }
    if (json_is_string(v) && !jsonb) { mmr_pg_copy_field(b, json_string_value(v), json_string_length(v), sep); return; }
    if (json_is_boolean(v) && !jsonb) { mmr_pg_copy_field(b, boolean ? (json_is_true(v) ? "t" : "f") : json_is_true(v) ? "1" : "0", 1, sep); return; }
    if (json_is_number(v) && boolean) { mmr_pg_copy_field(b, json_number_value(v) != 0 ? "t" : "f", 1, sep); return; }
    if (json_is_number(v) && !jsonb) { num_field(b, tmp, json_number_value(v), sep); return; }
    char *js = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    mmr_pg_copy_field(b, js ? js : "null", js ? strlen(js) : 4, sep);
    free(js);
}

int mmr_pg_ingest_traits(mmr_pg_ingest *ig, const mmr_traits_file *tf, const char *path, mmr_diags *d)
{
    if (copy_to(ig, K_NONE, d)) return -1;
    PGresult *cols = mmr_pg_query(ig->pg, "SELECT column_name, data_type FROM information_schema.columns "
                                          "WHERE table_schema = current_schema() AND table_name = 'mm_user_traits' "
                                          "AND column_name <> 'user_id' ORDER BY ordinal_position",
                                  d, "reading the columns of mm_user_traits");
    if (!cols) return -1;
    int nc = PQntuples(cols);
    mmr_buf q, names;
    mmr_buf_init(&q);
    mmr_buf_init(&names);
    for (int i = 0; i < nc; i++) mmr_buf_printf(&names, ", \"%s\"", PQgetvalue(cols, i, 0));
    mmr_buf_printf(&q, "CREATE TEMP TABLE mm_stage_traits ON COMMIT DROP AS SELECT 0::bigint AS ord, * FROM mm_user_traits "
                       "WITH NO DATA");
    int rc = q.oom || names.oom ? (oom(d), -1) : mmr_pg_exec(ig->pg, q.data, d, "staging the traits");
    mmr_buf_clear(&q);
    mmr_buf_printf(&q, "COPY mm_stage_traits (ord, user_id%s) FROM STDIN", names.data ? names.data : "");
    if (!rc) rc = mmr_pg_copy_begin(ig->pg, q.data, d, "staging the traits");
    char **warned = NULL;
    size_t nwarned = 0;
    json_t **byc = calloc((size_t)nc + 1, sizeof *byc);
    if (!byc && !rc) { oom(d); rc = -1; }
    for (size_t r = 0; !rc && r < tf->n; r++) {
        json_t *o = tf->rows[r].json ? json_loads(tf->rows[r].json, 0, NULL) : NULL;
        memset(byc, 0, ((size_t)nc + 1) * sizeof *byc);
        const char *key;
        json_t *v;
        json_object_foreach(o, key, v) {
            int c = 0;
            while (c < nc && strcmp(PQgetvalue(cols, c, 0), key)) c++;
            if (c < nc) { byc[c] = v; continue; }
            size_t w = 0;
            while (w < nwarned && strcmp(warned[w], key)) w++;
            if (w < nwarned) continue;
            char **nw = realloc(warned, (nwarned + 1) * sizeof *nw);
            if (nw) { warned = nw; warned[nwarned++] = strdup(key); }
            mmr_diag_add(d, MMR_SEV_WARNING, path, 0, 0, "trait \"%s\" has no column in mm_user_traits; ignored", key);
        }
        mmr_buf_printf(&ig->rows, "%llu\t", ++ig->ord);
        str_field(&ig->rows, tf->rows[r].user_id, nc ? '\t' : '\n');
        for (int c = 0; c < nc; c++)
            trait_field(&ig->rows, &ig->tmp, byc[c], PQgetvalue(cols, c, 1), c + 1 < nc ? '\t' : '\n');
        json_decref(o);
        if (ig->rows.oom) { oom(d); rc = -1; }
        else if (ig->rows.len >= FLUSH_BYTES || r + 1 == tf->n) {
            rc = mmr_pg_copy_put(ig->pg, &ig->rows, d, "staging the traits");
            mmr_buf_clear(&ig->rows);
        }
    }
    free(byc);
    for (size_t i = 0; i < nwarned; i++) free(warned[i]);
    free(warned);
    if (!rc) rc = mmr_pg_copy_end(ig->pg, d, "staging the traits");
    /* the last line of a user is its row, whole */
    mmr_buf_clear(&q);
    mmr_buf_printf(&q, "INSERT INTO mm_user_traits (user_id%s) SELECT DISTINCT ON (user_id) user_id%s FROM mm_stage_traits "
                       "ORDER BY user_id, ord DESC ON CONFLICT (user_id) DO ", names.data ? names.data : "",
                   names.data ? names.data : "");
    if (!nc) mmr_buf_puts(&q, "NOTHING");
    else mmr_buf_puts(&q, "UPDATE SET ");
    for (int i = 0; i < nc; i++)
        mmr_buf_printf(&q, "%s\"%s\" = EXCLUDED.\"%s\"", i ? ", " : "", PQgetvalue(cols, i, 0), PQgetvalue(cols, i, 0));
    if (!rc) rc = q.oom ? (oom(d), -1) : mmr_pg_exec(ig->pg, q.data, d, "writing mm_user_traits");
    PQclear(cols);
    mmr_buf_free(&q);
    mmr_buf_free(&names);
    return rc;
}

int mmr_pg_ingest_commit(mmr_pg_ingest *ig, mmr_diags *d)
{
    if (copy_to(ig, K_NONE, d)) return -1;
    /* the last line of a key wins, as the upserts on SQLite leave it */
    if (mmr_pg_exec(ig->pg,
            "INSERT INTO mm_budget (user_id, category, limit_amount, period)"
            " SELECT DISTINCT ON (user_id, category) user_id, category, limit_amount, period FROM mm_stage_budget"
            " ORDER BY user_id, category, ord DESC"
            " ON CONFLICT (user_id, category) DO UPDATE SET limit_amount = EXCLUDED.limit_amount, period = EXCLUDED.period",
            d, "writing mm_budget") ||
        mmr_pg_exec(ig->pg,
            "INSERT INTO mm_goal (user_id, goal_id, name, target, saved, deadline, priority)"
            " SELECT DISTINCT ON (user_id, goal_id) user_id, goal_id, name, target, saved, deadline, priority"
            " FROM mm_stage_goal ORDER BY user_id, goal_id, ord DESC"
            " ON CONFLICT (user_id, goal_id) DO UPDATE SET name = EXCLUDED.name, target = EXCLUDED.target,"
            " saved = EXCLUDED.saved, deadline = EXCLUDED.deadline, priority = EXCLUDED.priority",
            d, "writing mm_goal") ||
        mmr_pg_exec(ig->pg, "COMMIT", d, "committing the ingest"))
        return -1;
    ig->committed = 1;
    return 0;
}

void mmr_pg_ingest_close(mmr_pg_ingest *ig)
{
    if (!ig) return;
    if (!ig->committed && ig->pg) {
        if (ig->copying && ig->pg->h) {
            PQputCopyEnd(ig->pg->h, "aborted");
            PGresult *r;
            while ((r = PQgetResult(ig->pg->h))) PQclear(r);
        }
        mmr_pg_rollback(ig->pg);
    }
    mmr_pg_close(ig->pg);
    mmr_buf_free(&ig->rows);
    mmr_buf_free(&ig->tmp);
    free(ig);
}
