/* mmr ingest — load transactions (and budgets, goals) into the state
 * database: stage 1 of the signals pipeline (docs/signals.md, "Ingest"). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cli.h"
#include "engine/db.h"
#include "engine/snapshot.h"
#include "signals/snapfile.h"
#include "signals/txn.h"
#include "store/pg.h"
#include "store/pg_ingest.h"
#include "util/buf.h"
#include "util/timeutil.h"
#include "util/userid.h"

static const char help[] =
"usage: mmr ingest --db FILE [--traits FILE] [--budgets FILE] [--goals FILE] [TXFILE...]\n"
"\n"
"Loads transactions into mm_transaction of the state database FILE (created\n"
"and migrated as needed), all files in one transaction. TXFILE is NDJSON, one\n"
"transaction a line, or CSV (a .csv name) with a header row of the same names:\n"
"  {\"txn_id\":\"t1\",\"user_id\":\"u1\",\"ts\":\"2025-10-20T14:03:00+05:30\",\"amount\":260,\n"
"   \"type\":\"expense\",\"category\":\"Food & Dining\",\"merchant\":\"Swiggy\",\"recurring\":false}\n"
"(- reads stdin). Ingest is idempotent by txn_id: a transaction sent again\n"
"unchanged is skipped; the same txn_id with any field changed is an error.\n"
"A new transaction drops the signal tiles of its user around its day.\n"
"\n"
"  --db FILE       the state database (required): a SQLite file, or\n"
"                  postgresql://[user@]host[:port]/dbname (libpq's URL; the\n"
"                  rows go in with COPY, the same checks and counts)\n"
"  --traits FILE   NDJSON traits, each line the user's whole mm_user_traits row:\n"
"                  {\"user_id\":\"u1\",\"traits\":{\"tz\":\"America/New_York\",\"age_band\":\"25-34\"}}\n"
"                  (a trait without a column is ignored with a warning)\n"
"  --budgets FILE  NDJSON budgets, each replacing the row of its user and category:\n"
"                  {\"user_id\":\"u1\",\"category\":\"Food & Dining\",\"limit\":5000,\"period\":\"month\"}\n"
"  --goals FILE    NDJSON goals, each replacing the row of its user and goal_id:\n"
"                  {\"user_id\":\"u1\",\"goal_id\":\"g1\",\"name\":\"Goa Trip\",\"target\":50000,\n"
"                   \"saved\":12000,\"deadline\":\"2026-03-01\",\"priority\":1}\n"
"  --busy-timeout MS  how long to wait for a locked database (default 5000)\n"
"\n"
"A summary goes to stderr. Any bad record anywhere: every error is printed\n"
"(the first 20), nothing is written, exit 1.\n"
"Exit status: 0 success, 1 bad input or state (nothing written), 2 usage.\n";

#define SHOW_ERRORS 20

typedef struct ingest {
    mmr_db *db;
    mmr_pg_ingest *pg;           /* PostgreSQL instead of db (store/pg_ingest.h) */
    int file_index;              /* of the transaction file being read */
    mmr_diags *d;
    sqlite3_stmt *ins, *get, *del_tiles;
    int64_t first_new_rowid;     /* rows from this ingest have rowid >= this */
    int tiles;                   /* mm_signal_tile had rows when we began */
    int64_t *specs; size_t nspecs;   /* the definitions those rows were made under */
    const char *last_user; size_t last_user_len; int64_t last_day;
    mmr_buf last_user_buf;
    unsigned long long total, added, present;
    int fatal;                   /* a database failure: stop */
} ingest;

/* ------------------------------------------------------------ transactions */

static void json_str(mmr_buf *b, const char *s, size_t n)
{
    if (!s) mmr_buf_puts(b, "null");
    else mmr_buf_json_string(b, s, n);
}

/* The stored row (from ig->get, positioned on it) against t: the first
 * field that differs, described into b; 0 when all are the same. */
static int differs(sqlite3_stmt *g, const mmr_txn *t, const char *ts_text, size_t ts_len, mmr_buf *b)
{
    const char *s; int n;
#define COL_TEXT(i) (s = (const char *)sqlite3_column_text(g, i), n = sqlite3_column_bytes(g, i))
#define TEXT_DIFF(i, name, val, len) do { COL_TEXT(i); \
        if (!s || (size_t)n != (len) || memcmp(s, val, (size_t)n)) { \
            mmr_buf_puts(b, "\"" name "\" "); json_str(b, s, s ? (size_t)n : 0); \
            mmr_buf_puts(b, ", now "); json_str(b, val, len); return 1; } } while (0)
    TEXT_DIFF(1, "user_id", t->user_id, t->user_id_len);
    TEXT_DIFF(3, "ts", ts_text, ts_len);
    double amount = sqlite3_column_double(g, 4);
    if (amount != t->amount) {
        mmr_buf_puts(b, "\"amount\" ");
        mmr_buf_number(b, amount);
        mmr_buf_puts(b, ", now ");
        mmr_buf_number(b, t->amount);
        return 1;
    }
    const char *type = t->type == MMR_TXN_INCOME ? "income" : "expense";
    TEXT_DIFF(5, "type", type, strlen(type));
    TEXT_DIFF(6, "category", t->category, t->category_len);
    COL_TEXT(7);
    int same_merchant = (!s && !t->merchant) ||
                        (s && t->merchant && (size_t)n == t->merchant_len && !memcmp(s, t->merchant, (size_t)n));
    if (!same_merchant) {
        mmr_buf_puts(b, "\"merchant\" ");
        json_str(b, s, s ? (size_t)n : 0);
        mmr_buf_puts(b, ", now ");
        json_str(b, t->merchant, t->merchant_len);
        return 1;
    }
    int rec = sqlite3_column_int(g, 8);
    if (rec != t->recurring) {
        mmr_buf_printf(b, "\"recurring\" %s, now %s", rec ? "true" : "false", t->recurring ? "true" : "false");
        return 1;
    }
    return 0;
#undef TEXT_DIFF
#undef COL_TEXT
}

/* The signal tiles around the new transaction's day: UTC days d - 1 ..
 * d + 1 cover its local day in every zone; a tile row holds one week,
 * keyed by the day number of its Monday. */
static int drop_tiles(ingest *ig, const mmr_txn *t)
{
    if (!ig->tiles) return 0;
    int64_t day = mmr_time_day(t->ts);
    if (ig->last_user && day == ig->last_day && ig->last_user_len == t->user_id_len &&
        !memcmp(ig->last_user, t->user_id, t->user_id_len))
        return 0;
    /* the week blocks holding days day-1 .. day+1 (Monday first), under
     * every set of definitions that has rollups: keyed (spec, week, user) */
    int64_t w1 = (day - 1) - (((day - 1) + 3) % 7 + 7) % 7, w2 = (day + 1) - (((day + 1) + 3) % 7 + 7) % 7;
    sqlite3_stmt *st = ig->del_tiles;
    for (size_t k = 0; k < ig->nspecs; k++)
        for (int64_t w = w1; w <= w2; w += 7) {
            sqlite3_reset(st);
            sqlite3_bind_int64(st, 1, ig->specs[k]);
            sqlite3_bind_int64(st, 2, w);
            sqlite3_bind_text(st, 3, t->user_id, (int)t->user_id_len, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE) { mmr_db_error(ig->db, ig->d, "deleting from mm_signal_tile"); return -1; }
        }
    mmr_buf_clear(&ig->last_user_buf);
    mmr_buf_append(&ig->last_user_buf, t->user_id, t->user_id_len);
    ig->last_user = ig->last_user_buf.oom ? NULL : ig->last_user_buf.data;
    ig->last_user_len = t->user_id_len;
    ig->last_day = day;
    return 0;
}

static int store(ingest *ig, const char *file, const mmr_txn *t, const char *ts_text, size_t ts_len)
{
    sqlite3_stmt *st = ig->ins;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, t->txn_id, (int)t->txn_id_len, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, t->user_id, (int)t->user_id_len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, t->ts);
    sqlite3_bind_text(st, 4, ts_text, (int)ts_len, SQLITE_STATIC);
    sqlite3_bind_double(st, 5, t->amount);
    sqlite3_bind_text(st, 6, t->type == MMR_TXN_INCOME ? "income" : "expense", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, t->category, (int)t->category_len, SQLITE_STATIC);
    if (t->merchant) sqlite3_bind_text(st, 8, t->merchant, (int)t->merchant_len, SQLITE_STATIC);
    else sqlite3_bind_null(st, 8);
    sqlite3_bind_int(st, 9, t->recurring ? 1 : 0);
    if (sqlite3_step(st) != SQLITE_DONE) { mmr_db_error(ig->db, ig->d, "writing mm_transaction"); return -1; }
    ig->total++;
    if (sqlite3_changes(ig->db->h) == 1) {
        ig->added++;
        return drop_tiles(ig, t);
    }
    /* the txn_id is there: the same transaction, or a conflict */
    sqlite3_stmt *g = ig->get;
    sqlite3_reset(g);
    sqlite3_bind_text(g, 1, t->txn_id, (int)t->txn_id_len, SQLITE_STATIC);
    if (sqlite3_step(g) != SQLITE_ROW) { mmr_db_error(ig->db, ig->d, "reading mm_transaction"); return -1; }
    mmr_buf why;
    mmr_buf_init(&why);
    if (!differs(g, t, ts_text, ts_len, &why)) {
        ig->present++;
    } else {
        mmr_buf id;
        mmr_buf_init(&id);
        mmr_buf_json_string(&id, t->txn_id, t->txn_id_len);
        int earlier = sqlite3_column_int64(g, 0) >= ig->first_new_rowid;
        mmr_diag_add(ig->d, MMR_SEV_ERROR, file, (int)t->line, 0, "transaction %s %s with %s",
                     id.data ? id.data : "", earlier ? "appears earlier in this ingest" : "was already ingested",
                     why.data ? why.data : "");
        mmr_buf_free(&id);
    }
    mmr_buf_free(&why);
    sqlite3_reset(g);
    return 0;
}

static void ingest_file(ingest *ig, mmr_txn_reader *r)
{
    mmr_txn t;
    int rc;
    while ((rc = mmr_txn_reader_next(r, &t, ig->d)) != 0) {
        if (rc < 0) continue;
        size_t tl;
        const char *ts = mmr_txn_reader_ts_text(r, &tl);
        if (ig->pg) {
            if (mmr_pg_ingest_txn(ig->pg, ig->file_index, &t, ts, tl, ig->d)) { ig->fatal = 1; return; }
        } else if (store(ig, mmr_txn_reader_path(r), &t, ts, tl) < 0) { ig->fatal = 1; return; }
    }
}

/* ------------------------------------------------------------ traits */

/* Each traits line replaces its user's mm_user_traits row: the columns the
 * table has (the std/moneymoments traits and those rulesets added); other
 * keys are ignored with one warning each. Lists are stored as JSON text. */
static int ingest_traits(mmr_db *db, const mmr_traits_file *tf, const char *path, mmr_diags *d)
{
    sqlite3_stmt *ti;
    char **cols = NULL;
    size_t ncols = 0;
    if (mmr_db_prepare(db, &ti, "SELECT name FROM pragma_table_info('mm_user_traits') WHERE name <> 'user_id' ORDER BY cid", d)) return -1;
    while (sqlite3_step(ti) == SQLITE_ROW) {
        char **nc = realloc(cols, (ncols + 1) * sizeof *nc);
        if (!nc) break;
        cols = nc;
        cols[ncols] = strdup((const char *)sqlite3_column_text(ti, 0));
        if (cols[ncols]) ncols++;
    }
    sqlite3_finalize(ti);
    mmr_buf q;
    mmr_buf_init(&q);
    mmr_buf_puts(&q, "INSERT INTO mm_user_traits(user_id");
    for (size_t i = 0; i < ncols; i++) mmr_buf_printf(&q, ", \"%s\"", cols[i]);
    mmr_buf_puts(&q, ") VALUES (?1");
    for (size_t i = 0; i < ncols; i++) mmr_buf_printf(&q, ", ?%zu", i + 2);
    mmr_buf_puts(&q, ") ON CONFLICT(user_id) DO UPDATE SET ");
    for (size_t i = 0; i < ncols; i++) mmr_buf_printf(&q, "%s\"%s\" = excluded.\"%s\"", i ? ", " : "", cols[i], cols[i]);
    if (!ncols) mmr_buf_puts(&q, "user_id = excluded.user_id");
    sqlite3_stmt *st = NULL;
    int rc = mmr_db_prepare(db, &st, q.data, d);
    mmr_buf_free(&q);
    char **warned = NULL;
    size_t nwarned = 0;
    for (size_t r = 0; rc == 0 && r < tf->n; r++) {
        json_t *o = tf->rows[r].json ? json_loads(tf->rows[r].json, 0, NULL) : NULL;
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        sqlite3_bind_text(st, 1, tf->rows[r].user_id, -1, SQLITE_STATIC);
        const char *key;
        json_t *v;
        json_object_foreach(o, key, v) {
            size_t c = 0;
            while (c < ncols && strcmp(cols[c], key)) c++;
            if (c == ncols) {
                size_t w = 0;
                while (w < nwarned && strcmp(warned[w], key)) w++;
                if (w == nwarned) {
                    char **nw = realloc(warned, (nwarned + 1) * sizeof *nw);
                    if (nw) { warned = nw; warned[nwarned++] = strdup(key); }
                    mmr_diag_add(d, MMR_SEV_WARNING, path, 0, 0, "trait \"%s\" has no column in mm_user_traits; ignored", key);
                }
                continue;
            }
            int i = (int)c + 2;
            if (json_is_string(v)) sqlite3_bind_text(st, i, json_string_value(v), (int)json_string_length(v), SQLITE_TRANSIENT);
            else if (json_is_boolean(v)) sqlite3_bind_int(st, i, json_is_true(v));
            else if (json_is_number(v)) sqlite3_bind_double(st, i, json_number_value(v));
            else if (!json_is_null(v)) {
                char *js = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
                if (js) sqlite3_bind_text(st, i, js, -1, free);
            }
        }
        json_decref(o);
        if (sqlite3_step(st) != SQLITE_DONE) { mmr_db_error(db, d, "writing mm_user_traits"); rc = -1; }
    }
    if (st) sqlite3_finalize(st);
    for (size_t i = 0; i < ncols; i++) free(cols[i]);
    free(cols);
    for (size_t i = 0; i < nwarned; i++) free(warned[i]);
    free(warned);
    return rc;
}

/* ------------------------------------------------------------ budgets, goals */

typedef struct side {
    const char *path;
    int goals;                   /* else budgets */
    unsigned long long n;
} side;

/* A JSON value as a message shows it: compact, cut to 40 bytes. */
static void describe_json(mmr_buf *b, json_t *v)
{
    char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!t) { mmr_buf_puts(b, "?"); return; }
    size_t n = strlen(t);
    if (n <= 40) mmr_buf_append(b, t, n);
    else {
        size_t k = 37;
        while (k > 0 && ((unsigned char)t[k] & 0xC0) == 0x80) k--;
        mmr_buf_append(b, t, k);
        mmr_buf_puts(b, "...");
    }
    free(t);
}

/* One record of --budgets or --goals: checked, then upserted. The first
 * problem of a record is reported. */
typedef struct side_rec {
    json_t *o;
    const char *file;
    long line;
    mmr_diags *d;
    int bad;
} side_rec;

static void side_error(side_rec *r, const char *key, const char *what, json_t *v)
{
    if (r->bad) return;
    r->bad = 1;
    mmr_buf b;
    mmr_buf_init(&b);
    if (v) describe_json(&b, v);
    mmr_diag_add(r->d, MMR_SEV_ERROR, r->file, (int)r->line, 0, "\"%s\" %s%s", key, what, b.data ? b.data : "");
    mmr_buf_free(&b);
}

/* A non-empty text field, or NULL (absent or null when optional). */
static const char *get_text(side_rec *r, const char *key, int required)
{
    json_t *v = json_object_get(r->o, key);
    if (!v || json_is_null(v)) {
        if (required && !r->bad) {
            r->bad = 1;
            mmr_diag_add(r->d, MMR_SEV_ERROR, r->file, (int)r->line, 0, "missing \"%s\"", key);
        }
        return NULL;
    }
    if (!json_is_string(v) || json_string_length(v) == 0) { side_error(r, key, "must be non-empty text, got ", v); return NULL; }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        side_error(r, key, "must not contain a NUL character (\\u0000), got ", v);
        return NULL;
    }
    return json_string_value(v);
}

/* A finite number field, > 0 (positive) or >= 0: 1 set, 0 absent or
 * null, -1 bad. */
static int get_num(side_rec *r, const char *key, int positive, double *out)
{
    json_t *v = json_object_get(r->o, key);
    if (!v || json_is_null(v)) return 0;
    double x = json_is_number(v) ? json_number_value(v) : NAN;
    if (!isfinite(x) || (positive ? !(x > 0) : x < 0)) {
        side_error(r, key, positive ? "must be a positive number, got " : "must be a number, at least 0, got ", v);
        return -1;
    }
    *out = x;
    return 1;
}

static void side_record(ingest *ig, side *sd, sqlite3_stmt *st, const char *rec, size_t len, long line,
                        const char *file)
{
    json_error_t je;
    json_t *o = json_loadb(rec, len, JSON_REJECT_DUPLICATES, &je);
    if (!o) {
        mmr_diag_add(ig->d, MMR_SEV_ERROR, file, (int)line, je.column > 0 ? je.column : 0, "invalid JSON: %s", je.text);
        return;
    }
    side_rec r = { o, file, line, ig->d, 0 };
    if (!json_is_object(o)) {
        r.bad = 1;
        mmr_diag_add(ig->d, MMR_SEV_ERROR, file, (int)line, 0, "a line must be one JSON object");
    }
    json_t *uv = json_is_object(o) ? json_object_get(o, "user_id") : NULL;
    mmr_buf um;   /* the user id rule (util/userid.h) comes first, in its words */
    mmr_buf_init(&um);
    if (!r.bad && json_is_string(uv) && mmr_user_id_check(&um, json_string_value(uv), json_string_length(uv)) < 0) {
        r.bad = 1;
        mmr_diag_add(ig->d, MMR_SEV_ERROR, file, (int)line, 0, "%s", um.data ? um.data : "bad user id");
    }
    mmr_buf_free(&um);
    const char *user = get_text(&r, "user_id", 1);
    int pg_rc = 0;
    sqlite3_reset(st);
    if (!sd->goals) {
        const char *cat = get_text(&r, "category", 1);
        double limit = 0;
        if (get_num(&r, "limit", 1, &limit) == 0 && !r.bad) {
            r.bad = 1;
            mmr_diag_add(ig->d, MMR_SEV_ERROR, file, (int)line, 0, "missing \"limit\"");
        }
        const char *period = get_text(&r, "period", 0);
        if (period && strcmp(period, "month") && strcmp(period, "week"))
            side_error(&r, "period", "must be \"month\" or \"week\", got ", json_object_get(o, "period"));
        if (!r.bad && ig->pg) {
            pg_rc = mmr_pg_ingest_budget(ig->pg, user, cat, limit, period, ig->d);
        } else if (!r.bad) {
            sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, cat, -1, SQLITE_TRANSIENT);
            sqlite3_bind_double(st, 3, limit);
            sqlite3_bind_text(st, 4, period ? period : "month", -1, SQLITE_TRANSIENT);
        }
    } else {
        const char *gid = get_text(&r, "goal_id", 1);
        const char *name = get_text(&r, "name", 1);
        double target = 0, saved = 0;
        if (get_num(&r, "target", 1, &target) == 0 && !r.bad) {
            r.bad = 1;
            mmr_diag_add(ig->d, MMR_SEV_ERROR, file, (int)line, 0, "missing \"target\"");
        }
        get_num(&r, "saved", 0, &saved);
        json_t *dv = json_object_get(o, "deadline");
        const char *deadline = NULL;
        if (dv && !json_is_null(dv)) {
            if (!json_is_string(dv) || !mmr_snap_date_ok(json_string_value(dv), json_string_length(dv)))
                side_error(&r, "deadline", "must be a date YYYY-MM-DD or null, got ", dv);
            else deadline = json_string_value(dv);
        }
        json_t *pv = json_object_get(o, "priority");
        json_int_t prio = 0;
        if (pv && !json_is_null(pv)) {
            if (!json_is_integer(pv) || json_integer_value(pv) < -1000000 || json_integer_value(pv) > 1000000)
                side_error(&r, "priority", "must be a whole number (-1000000 to 1000000), got ", pv);
            else prio = json_integer_value(pv);
        }
        if (!r.bad && ig->pg) {
            pg_rc = mmr_pg_ingest_goal(ig->pg, user, gid, name, target, saved, deadline, (long long)prio, ig->d);
        } else if (!r.bad) {
            sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, gid, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_double(st, 4, target);
            sqlite3_bind_double(st, 5, saved);
            if (deadline) sqlite3_bind_text(st, 6, deadline, -1, SQLITE_TRANSIENT);
            else sqlite3_bind_null(st, 6);
            sqlite3_bind_int64(st, 7, (sqlite3_int64)prio);
        }
    }
    if (!r.bad && ig->pg) {
        if (pg_rc) ig->fatal = 1;
        else sd->n++;
    } else if (!r.bad) {
        if (sqlite3_step(st) != SQLITE_DONE) {
            mmr_db_error(ig->db, ig->d, sd->goals ? "writing mm_goal" : "writing mm_budget");
            ig->fatal = 1;
        } else sd->n++;
    }
    json_decref(o);
}

static void ingest_side(ingest *ig, side *sd, mmr_snap_reader *r)
{
    static const char budget_sql[] =
        "INSERT INTO mm_budget(user_id, category, limit_amount, period) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (user_id, category) DO UPDATE SET limit_amount = excluded.limit_amount, period = excluded.period";
    static const char goal_sql[] =
        "INSERT INTO mm_goal(user_id, goal_id, name, target, saved, deadline, priority) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
        "ON CONFLICT (user_id, goal_id) DO UPDATE SET name = excluded.name, target = excluded.target, "
        "saved = excluded.saved, deadline = excluded.deadline, priority = excluded.priority";
    sqlite3_stmt *st = NULL;
    if (!ig->pg && mmr_db_prepare(ig->db, &st, sd->goals ? goal_sql : budget_sql, ig->d)) { ig->fatal = 1; return; }
    mmr_buf chunk;
    mmr_buf_init(&chunk);
    long line = 1;
    for (;;) {
        int rc = mmr_snap_reader_next(r, &chunk, 1u << 20, &line, ig->d);
        if (rc <= 0) break;
        size_t pos = 0;
        const char *rec; size_t rl; long nl;
        while (!ig->fatal && mmr_snap_next_record(MMR_SNAP_NDJSON, chunk.data, chunk.len, &pos, &rec, &rl, &nl)) {
            long at = line;
            line += nl;
            if (rl && rec[rl - 1] == '\r') rl--;
            size_t k = 0;
            while (k < rl && (rec[k] == ' ' || rec[k] == '\t')) k++;
            if (k == rl) continue;     /* blank */
            side_record(ig, sd, st, rec, rl, at, mmr_snap_reader_path(r));
        }
        if (ig->fatal) break;
    }
    mmr_buf_free(&chunk);
    sqlite3_finalize(st);
}

/* ------------------------------------------------------------ command */

static int count_rowid(mmr_db *db, const char *sql, int64_t *out, mmr_diags *d)
{
    sqlite3_stmt *st = NULL;
    if (mmr_db_prepare(db, &st, sql, d)) return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *out = sqlite3_column_int64(st, 0);
    else mmr_db_error(db, d, "reading mm_transaction");
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

int cmd_ingest(int argc, char **argv)
{
    if (cli_help_requested(argc, argv, help)) return EXIT_OK;
    cli_opts o;
    cli_opts_init(&o, argc, argv);
    const char *name, *arg, *dbp = NULL, *budgets = NULL, *goals = NULL, *traits = NULL;
    long busy_ms = 0;
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    size_t nfiles = 0;
    int k, rc = EXIT_INPUT;
    if (!files) { fprintf(stderr, "mmr ingest: out of memory\n"); return EXIT_INPUT; }
    while ((k = cli_opts_next(&o, &name, &arg)) >= 0) {
        if (k == 0) { files[nfiles++] = arg; continue; }
        if (strcmp(name, "db") && strcmp(name, "budgets") && strcmp(name, "goals") && strcmp(name, "traits") &&
            strcmp(name, "busy-timeout")) {
            free(files);
            return cli_usage_error("ingest", "unknown option \"%s\"", o.typed);
        }
        const char *v = cli_opts_value(&o);
        if (!v) { free(files); return cli_usage_error("ingest", "%s needs a value", o.typed); }
        if (!strcmp(name, "db")) dbp = v;
        else if (!strcmp(name, "budgets")) budgets = v;
        else if (!strcmp(name, "goals")) goals = v;
        else if (!strcmp(name, "traits")) traits = v;
        else {
            char *e;
            busy_ms = strtol(v, &e, 10);
            if (*e || e == v || busy_ms < 0 || busy_ms > 3600000) {
                free(files);
                return cli_usage_error("ingest", "--busy-timeout wants milliseconds, got \"%s\"", v);
            }
        }
    }
    if (!dbp) { free(files); return cli_usage_error("ingest", "--db FILE is required"); }
    int pg = mmr_pg_is_url(dbp);
    if (!pg && cli_check_data_path("ingest", "--db", dbp)) { free(files); return EXIT_INPUT; }
    if (!nfiles && !budgets && !goals && !traits) {
        free(files);
        return cli_usage_error("ingest", "nothing to ingest: give transaction files, --traits, --budgets or --goals");
    }
    int stdin_uses = (budgets && !strcmp(budgets, "-")) + (goals && !strcmp(goals, "-"));
    for (size_t i = 0; i < nfiles; i++) stdin_uses += !strcmp(files[i], "-");
    if (stdin_uses > 1) { free(files); return cli_usage_error("ingest", "only one input can be - (stdin)"); }

    mmr_diags d;
    mmr_diags_init(&d);
    d.max_errors = SHOW_ERRORS;
    mmr_txn_reader **readers = calloc(nfiles + 1, sizeof *readers);
    mmr_snap_reader *rb = NULL, *rg = NULL;
    ingest ig;
    memset(&ig, 0, sizeof ig);
    mmr_traits_file tf;
    memset(&tf, 0, sizeof tf);
    mmr_buf_init(&ig.last_user_buf);
    ig.d = &d;
    side sb = { budgets, 0, 0 }, sg = { goals, 1, 0 };
    int began = 0, reindex = 0;
    if (!readers) { mmr_diag_add(&d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); goto out; }
    /* every input opens before the database is touched */
    for (size_t i = 0; i < nfiles; i++) readers[i] = mmr_txn_reader_open(files[i], &d);
    if (budgets) rb = mmr_snap_reader_open(budgets, MMR_SNAP_NDJSON, &d);
    if (goals) rg = mmr_snap_reader_open(goals, MMR_SNAP_NDJSON, &d);
    if (traits) mmr_traits_file_load(&tf, traits, NULL, NULL, &d);
    if (d.errors) goto out;

    if (pg) {
        /* the same records and checks; the rows go in with COPY */
        const char **paths = calloc(nfiles + 1, sizeof *paths);
        if (!paths) { mmr_diag_add(&d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); goto out; }
        for (size_t i = 0; i < nfiles; i++) paths[i] = mmr_txn_reader_path(readers[i]);
        if (mmr_pg_ingest_open(&ig.pg, dbp, &d)) ig.fatal = 1;
        for (size_t i = 0; i < nfiles && !ig.fatal; i++) { ig.file_index = (int)i; ingest_file(&ig, readers[i]); }
        if (nfiles && !ig.fatal &&
            mmr_pg_ingest_txn_done(ig.pg, paths, nfiles, &ig.total, &ig.added, &ig.present, &d))
            ig.fatal = 1;
        free(paths);
        if (rb && !ig.fatal) ingest_side(&ig, &sb, rb);
        if (rg && !ig.fatal) ingest_side(&ig, &sg, rg);
        if (traits && !ig.fatal && !d.errors && mmr_pg_ingest_traits(ig.pg, &tf, traits, &d)) goto out;
        if (d.errors || ig.fatal || mmr_pg_ingest_commit(ig.pg, &d)) goto out;
        goto summary;
    }

    if (mmr_db_open(&ig.db, dbp, MMR_DB_OPEN_RW, (int)busy_ms, &d)) goto out;
    /* the sort that makes the index again spills to a file, not memory */
    if (mmr_db_exec(ig.db, "PRAGMA temp_store=FILE", &d)) goto out;
    if (mmr_db_begin(ig.db, &d)) goto out;
    began = 1;
    if (mmr_db_migrate(ig.db, NULL, 0, NULL, 0, &d) || mmr_db_check_tables(ig.db, &d)) goto out;
    if (nfiles) {
        int64_t maxrow = 0, tiles = 0;
        if (count_rowid(ig.db, "SELECT coalesce(max(rowid), 0) FROM mm_transaction", &maxrow, &d) ||
            count_rowid(ig.db, "SELECT EXISTS (SELECT 1 FROM mm_signal_tile)", &tiles, &d))
            goto out;
        ig.first_new_rowid = maxrow + 1;
        ig.tiles = tiles != 0;
        if (ig.tiles) {
            /* few: one per ruleset version that has run */
            sqlite3_stmt *sp;
            if (mmr_db_prepare(ig.db, &sp, "SELECT DISTINCT spec FROM mm_signal_tile", &d)) goto out;
            while (sqlite3_step(sp) == SQLITE_ROW) {
                int64_t *ns = realloc(ig.specs, (ig.nspecs + 1) * sizeof *ns);
                if (!ns) { sqlite3_finalize(sp); fprintf(stderr, "mmr ingest: out of memory\n"); goto out; }
                ig.specs = ns;
                ig.specs[ig.nspecs++] = sqlite3_column_int64(sp, 0);
            }
            if (sqlite3_finalize(sp) != SQLITE_OK) { mmr_db_error(ig.db, &d, "reading mm_signal_tile"); goto out; }
        }
        /* A load bigger than the table (input bytes / 256: a low guess
         * at its lines, which are ~170 bytes): the index by user and time
         * is made again after the rows are in, one sort instead of a
         * random insert per row (3.6M rows in random txn_id order: 20 s
         * instead of 53 s). Same transaction, so a failure rolls this back
         * too. */
        unsigned long long bytes = 0;
        for (size_t i = 0; i < nfiles; i++) {
            struct stat sb_;
            if (strcmp(files[i], "-") && stat(files[i], &sb_) == 0 && S_ISREG(sb_.st_mode))
                bytes += (unsigned long long)sb_.st_size;
        }
        if (maxrow == 0 || bytes / 256 > (unsigned long long)maxrow) {
            if (mmr_db_exec(ig.db, "DROP INDEX IF EXISTS mm_transaction_user_ts", &d)) goto out;
            reindex = 1;
        }
        if (mmr_db_prepare(ig.db, &ig.ins,
                           "INSERT INTO mm_transaction(txn_id, user_id, ts, ts_text, amount, type, category, merchant, recurring) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (txn_id) DO NOTHING", &d) ||
            mmr_db_prepare(ig.db, &ig.get,
                           "SELECT rowid, user_id, ts, ts_text, amount, type, category, merchant, recurring "
                           "FROM mm_transaction WHERE txn_id = ?1", &d) ||
            mmr_db_prepare(ig.db, &ig.del_tiles,
                           "DELETE FROM mm_signal_tile WHERE spec = ?1 AND week = ?2 AND user_id = ?3", &d))
            goto out;
    }
    for (size_t i = 0; i < nfiles && !ig.fatal; i++) ingest_file(&ig, readers[i]);
    if (rb && !ig.fatal) ingest_side(&ig, &sb, rb);
    if (rg && !ig.fatal) ingest_side(&ig, &sg, rg);
    if (traits && !ig.fatal && !d.errors && ingest_traits(ig.db, &tf, traits, &d)) goto out;
    if (d.errors || ig.fatal) goto out;
    if (reindex && mmr_db_exec(ig.db, MMR_DB_TXN_INDEX_SQL, &d)) goto out;
    sqlite3_finalize(ig.ins); ig.ins = NULL;
    sqlite3_finalize(ig.get); ig.get = NULL;
    sqlite3_finalize(ig.del_tiles); ig.del_tiles = NULL;
    began = 0;
    if (mmr_db_commit(ig.db, &d)) goto out;
summary:
    if (d.n) cli_print_diags(&d, CLI_FMT_TEXT);   /* warnings */
    fputs("mmr ingest: ", stderr);
    if (nfiles)
        fprintf(stderr, "%llu transaction%s from %zu file%s: %llu new, %llu already present",
                ig.total, ig.total == 1 ? "" : "s", nfiles, nfiles == 1 ? "" : "s", ig.added, ig.present);
    if (budgets) fprintf(stderr, "%s%llu budget%s", nfiles ? "; " : "", sb.n, sb.n == 1 ? "" : "s");
    if (goals) fprintf(stderr, "%s%llu goal%s", nfiles || budgets ? "; " : "", sg.n, sg.n == 1 ? "" : "s");
    if (traits) fprintf(stderr, "%straits of %zu user%s", nfiles || budgets || goals ? "; " : "", tf.n, tf.n == 1 ? "" : "s");
    fputc('\n', stderr);
    rc = EXIT_OK;
out:
    sqlite3_finalize(ig.ins);
    sqlite3_finalize(ig.get);
    sqlite3_finalize(ig.del_tiles);
    free(ig.specs);
    mmr_traits_file_free(&tf);
    if (began && ig.db) mmr_db_rollback(ig.db);
    mmr_pg_ingest_close(ig.pg);
    mmr_db_close(ig.db);
    for (size_t i = 0; readers && i < nfiles; i++) mmr_txn_reader_close(readers[i]);
    free(readers);
    mmr_snap_reader_close(rb);
    mmr_snap_reader_close(rg);
    mmr_buf_free(&ig.last_user_buf);
    if (rc != EXIT_OK) {
        d.truncated = 0;
        mmr_diags_print_text(stderr, &d);
        if (d.errors > SHOW_ERRORS) fprintf(stderr, "... and %zu more errors\n", d.errors - SHOW_ERRORS);
        if (d.errors)
            fprintf(stderr, "mmr ingest: %zu error%s; nothing was written\n", d.errors, d.errors == 1 ? "" : "s");
    }
    mmr_diags_free(&d);
    free(files);
    return rc;
}
