/* The run store over a SQLite file (store/run_store.h): engine/run.c's
 * reads and writes for one `mmr run`.
 *
 * The run's connection holds the one transaction; with a schema that was
 * there before it, the users are read on a second, read-only connection
 * (the pipeline's thread) while a writer thread puts the batches in
 * (store/run_sqlite_write.c). Beside them a third connection runs PRAGMA
 * quick_check, and after the commit a fourth copies the WAL into the file
 * while this one publishes the outbox (engine/outbox.c). */
#include "store/run_sqlite.h"
#include "engine/run_shared.h"
#include "engine/lease.h"
#include "engine/progress.h"
#include "engine/snapshot.h"
#include "compiler/ast.h"
#include "util/userid.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void mmr_sqrun_oom(mmr_diags *d) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); }

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    if (s) sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, i);
}

/* ------------------------------------------------------------ rule master */

/* The rule master's id of each program rule; 0 (no row) for a rule a
 * read-only run (--dry-run, which records nothing) finds no row for. */
static int lookup_rule_ids(sq_store *c)
{
    sqlite3_stmt *id;
    if (mmr_db_prepare(c->db, &id, "SELECT rule_id FROM mm_nudge_rule_master WHERE name=?", c->d)) return -1;
    int rc = 0;
    for (uint32_t i = 0; i < c->p->nrules && !rc; i++) {
        sqlite3_reset(id);
        sqlite3_bind_text(id, 1, c->p->rules[i].name, -1, SQLITE_STATIC);
        int r = sqlite3_step(id);
        if (r == SQLITE_ROW) c->rule_ids[i] = sqlite3_column_int64(id, 0);
        else if (r != SQLITE_DONE) { mmr_db_error(c->db, c->d, "reading mm_nudge_rule_master"); rc = -1; }
    }
    sqlite3_finalize(id);
    return rc;
}

/* The program's rule for a rule_id of the state, or -1 (a rule this
 * ruleset does not have). Rulesets are small: a scan. */
static int32_t rule_of_id(const sq_store *c, int64_t id)
{
    for (uint32_t i = 0; i < c->p->nrules; i++)
        if (c->rule_ids[i] == id && id != 0) return (int32_t)i;
    return -1;
}

static int record_ruleset(sq_store *c)
{
    const mmr_program *p = c->p;
    mmr_db *db = c->db;
    mmr_diags *d = c->d;
    c->rule_ids = calloc(p->nrules ? p->nrules : 1, sizeof *c->rule_ids);
    if (!c->rule_ids) { mmr_sqrun_oom(d); return -1; }
    if (db->readonly) return lookup_rule_ids(c);
    sqlite3_stmt *ins = NULL, *tpl = NULL;
    int rc = mmr_db_prepare(db, &ins,
        "INSERT INTO mm_nudge_rule_master(name, description, category, priority, cooldown_days, "
        "cooldown_s, expression_json, traits_filter_json, message_template_id, source, ruleset_hash, updated_at) "
        "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12) ON CONFLICT(name) DO UPDATE SET "
        "description=excluded.description, category=excluded.category, priority=excluded.priority, "
        "cooldown_days=excluded.cooldown_days, cooldown_s=excluded.cooldown_s, "
        "expression_json=excluded.expression_json, traits_filter_json=excluded.traits_filter_json, "
        "message_template_id=excluded.message_template_id, source=excluded.source, "
        "ruleset_hash=excluded.ruleset_hash, updated_at=excluded.updated_at "
        "WHERE mm_nudge_rule_master.ruleset_hash IS NOT excluded.ruleset_hash", d);
    if (!rc) rc = mmr_db_prepare(db, &tpl,
        "INSERT INTO mm_nudge_template_master(template_id, title, body, tone, variables_json, category, "
        "ruleset_hash, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8) ON CONFLICT(template_id) DO UPDATE SET "
        "title=excluded.title, body=excluded.body, tone=excluded.tone, variables_json=excluded.variables_json, "
        "category=excluded.category, ruleset_hash=excluded.ruleset_hash, updated_at=excluded.updated_at "
        "WHERE mm_nudge_template_master.ruleset_hash IS NOT excluded.ruleset_hash", d);
    mmr_buf b;
    mmr_buf_init(&b);
    for (uint32_t i = 0; i < p->nrules && !rc; i++) {
        const mmr_prog_rule *r = &p->rules[i];
        const mmr_prog_template *t = r->template_index < p->ntemplates ? &p->templates[r->template_index] : NULL;
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, r->name, -1, SQLITE_STATIC);
        bind_text_or_null(ins, 2, r->description);
        sqlite3_bind_text(ins, 3, r->category ? r->category : "", -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 4, r->priority);
        sqlite3_bind_double(ins, 5, (double)r->cooldown_s / 86400.0);
        sqlite3_bind_int64(ins, 6, r->cooldown_s);
        const char *w = mmr_rule_cond_text(p, i, MMR_COND_WHEN_ALL), *a = mmr_rule_cond_text(p, i, MMR_COND_AUDIENCE_ALL);
        mmr_buf_clear(&b);
        if (w) { mmr_json_obj1(&b, "when", w); sqlite3_bind_text(ins, 7, b.data, (int)b.len, SQLITE_TRANSIENT); }
        else sqlite3_bind_null(ins, 7);
        mmr_buf_clear(&b);
        if (a) { mmr_json_obj1(&b, "audience", a); sqlite3_bind_text(ins, 8, b.data, (int)b.len, SQLITE_TRANSIENT); }
        else sqlite3_bind_null(ins, 8);
        bind_text_or_null(ins, 9, t ? t->id : NULL);
        bind_text_or_null(ins, 10, r->file);
        sqlite3_bind_text(ins, 11, c->e->hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 12, c->e->now_text, -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE) { mmr_db_error(db, d, "writing mm_nudge_rule_master"); rc = -1; break; }
    }
    for (uint32_t i = 0; i < p->ntemplates && !rc; i++) {
        const mmr_prog_template *t = &p->templates[i];
        if (!t->id) continue;
        mmr_buf_clear(&b);
        mmr_template_vars_json(t, &b);
        const char *texts[2] = { t->title ? t->title : "", t->body ? t->body : "" };
        sqlite3_reset(tpl);
        sqlite3_bind_text(tpl, 1, t->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(tpl, 2, texts[0], -1, SQLITE_STATIC);
        sqlite3_bind_text(tpl, 3, texts[1], -1, SQLITE_STATIC);
        bind_text_or_null(tpl, 4, t->tone);
        sqlite3_bind_text(tpl, 5, b.data, (int)b.len, SQLITE_TRANSIENT);
        bind_text_or_null(tpl, 6, t->category);
        sqlite3_bind_text(tpl, 7, c->e->hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(tpl, 8, c->e->now_text, -1, SQLITE_STATIC);
        if (sqlite3_step(tpl) != SQLITE_DONE) { mmr_db_error(db, d, "writing mm_nudge_template_master"); rc = -1; }
    }
    if (b.oom && !rc) { mmr_sqrun_oom(d); rc = -1; }
    mmr_buf_free(&b);
    sqlite3_finalize(ins);
    sqlite3_finalize(tpl);
    return rc ? rc : lookup_rule_ids(c);
}

/* Columns of table that bind to program slots (signals or traits). */
static int bind_columns(sq_store *c, const char *table, int traits, mmr_colbind **out, size_t *nout,
                        int *tz_col, mmr_buf *select)
{
    sqlite3_stmt *st;
    mmr_buf q;
    mmr_buf_init(&q);
    mmr_buf_printf(&q, "PRAGMA table_info(%s)", table);
    int rc = mmr_db_prepare(c->rdb, &st, q.data, c->d);
    mmr_buf_free(&q);
    if (rc) return -1;
    mmr_colbinder b;
    if (mmr_colbinder_init(&b, c->p, c->e->used, traits)) { sqlite3_finalize(st); mmr_sqrun_oom(c->d); return -1; }
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 1);
        if (name) mmr_colbinder_add(&b, name, "", select);
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE) { mmr_colbinder_free(&b); mmr_db_error(c->rdb, c->d, "reading the table's columns"); return -1; }
    if (tz_col) *tz_col = b.tz_col;
    mmr_colbinder_end(&b, table, c->db->path, c->d, out, nout);
    return 0;
}

static const char *sql_type_phrase(int t)
{
    switch (t) {
    case SQLITE_INTEGER: return "an integer";
    case SQLITE_FLOAT: return "a real number";
    case SQLITE_TEXT: return "text";
    case SQLITE_BLOB: return "a blob";
    default: return "null";
    }
}

/* Column `col` of st into regs[slot]. -1 with a diagnostic naming the
 * table, column and user on a value that does not fit the slot's type. */
static int load_cell(sq_store *c, sqlite3_stmt *st, const mmr_colbind *cb, const char *table, const char *user)
{
    const mmr_slot *sl = &c->p->slots[cb->slot];
    mmr_value *dst = &c->e->regs[cb->slot];
    int t = sqlite3_column_type(st, cb->col);
    if (t == SQLITE_NULL) { *dst = mmr_v_missing(); return 0; }
    const char *why = NULL;
    switch (sl->type) {
    case MMR_T_NUMBER:
        if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) {
            double v = sqlite3_column_double(st, cb->col);
            if (!isfinite(v)) { why = "not a finite number"; break; }
            *dst = mmr_v_num(v);
            return 0;
        }
        break;
    case MMR_T_BOOL:
        if (t == SQLITE_INTEGER) {
            sqlite3_int64 v = sqlite3_column_int64(st, cb->col);
            if (v == 0 || v == 1) { *dst = mmr_v_bool((int)v); return 0; }
            why = "an integer other than 0 or 1";
        }
        break;
    case MMR_T_TEXT:
        if (t == SQLITE_TEXT) {
            const char *s = (const char *)sqlite3_column_text(st, cb->col);
            size_t len = (size_t)sqlite3_column_bytes(st, cb->col);
            if (mmr_utf8_check(s, len) != len) { why = "text that is not valid UTF-8"; break; }
            mmr_text *tx = mmr_text_new(c->e->ua, s, len);
            if (!tx) { mmr_sqrun_oom(c->d); return -1; }
            *dst = mmr_v_text(tx);
            return 0;
        }
        break;
    default:
        if (t == SQLITE_TEXT) {
            const char *s = (const char *)sqlite3_column_text(st, cb->col);
            size_t len = (size_t)sqlite3_column_bytes(st, cb->col);
            if (mmr_json_cell(c->e->ua, sl->type, s, len, dst, &why) == 0) return 0;
        }
        break;
    }
    mmr_buf b;
    mmr_buf_init(&b);
    if (t == SQLITE_TEXT) {
        size_t len = (size_t)sqlite3_column_bytes(st, cb->col);
        mmr_buf_puts(&b, " ");
        mmr_buf_json_string(&b, (const char *)sqlite3_column_text(st, cb->col), len > 40 ? 40 : len);
    } else if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) {
        mmr_buf_puts(&b, " ");
        mmr_buf_number(&b, sqlite3_column_double(st, cb->col));
    }
    mmr_diag *g = mmr_diag_add(c->d, MMR_SEV_ERROR, c->db->path, 0, 0,
        "%s.%s: user \"%s\": %s %s must be %s, found %s%s", table, cb->name, user,
        sl->is_trait ? "trait" : "signal", cb->name, mmr_want_phrase(sl->type),
        why ? why : sql_type_phrase(t), b.data ? b.data : "");
    if (g) mmr_diag_set_hint(g, "fix the stored value or the column; nothing was written");
    mmr_buf_free(&b);
    return -1;
}

/* A user id read from table.user_id: -1 with a diagnostic when it breaks
 * the user id rule (util/userid.h), a NUL inside included (SQLite's byte
 * count against the C string). `row` says which row, for the message. */
static int bad_user_cell(sq_store *c, const char *table, const char *row, const char *s, size_t len)
{
    mmr_buf b;
    mmr_buf_init(&b);
    if (mmr_user_id_check(&b, s ? s : "", s ? len : 0) == 0) { mmr_buf_free(&b); return 0; }
    mmr_diag *g = mmr_diag_add(c->d, MMR_SEV_ERROR, c->db->path, 0, 0, "%s.user_id%s: %s", table, row,
                               b.data ? b.data : "bad user id");
    if (g) mmr_diag_set_hint(g, "fix the stored user id; nothing was written");
    mmr_buf_free(&b);
    return -1;
}

/* ------------------------------------------------------------ per user */

static int load_traits_from(sq_store *c, sqlite3_stmt *st, const char *user, const char **tz,
                            int only_missing)
{
    for (size_t i = 0; i < c->ntrcols; i++) {
        if (only_missing && c->e->regs[c->trcols[i].slot].tag != MMR_V_MISSING) continue;
        if (load_cell(c, st, &c->trcols[i], "mm_user_traits", user)) return -1;
    }
    if (c->trait_tz_col >= 0 && !*tz && sqlite3_column_type(st, c->trait_tz_col) == SQLITE_TEXT) {
        const char *s = (const char *)sqlite3_column_text(st, c->trait_tz_col);
        if (s && strlen(s) != (size_t)sqlite3_column_bytes(st, c->trait_tz_col)) {
            /* a NUL inside would silently cut the zone name short */
            mmr_diag_add(c->d, MMR_SEV_ERROR, c->db->path, 0, 0,
                         "mm_user_traits.tz: user \"%s\": the zone name holds a NUL byte", user);
            return -1;
        }
        *tz = mmr_arena_strdup(c->e->ua, s);
        if (!*tz) { mmr_sqrun_oom(c->d); return -1; }
    }
    return 0;
}

static int add_mute(sq_store *c, sqlite3_stmt *st, int col, size_t *nm)
{
    if (mmr_grow((void **)&c->mute_v, &c->mute_cap, *nm + 1, sizeof *c->mute_v)) { mmr_sqrun_oom(c->d); return -1; }
    const char *cat = (const char *)sqlite3_column_text(st, col);
    c->mute_v[*nm] = mmr_arena_strdup(c->e->ua, cat ? cat : "");
    if (!c->mute_v[(*nm)++]) { mmr_sqrun_oom(c->d); return -1; }
    return 0;
}

/* The user's muted categories. Users from mm_signal_daily come in user_id
 * order, so their mutes are a merge with one ordered scan of
 * mm_user_suppression (the traits' scheme); users from a file, in any
 * order, are a look-up each. */
static int load_mutes(sq_store *c, const char *user, size_t *nm)
{
    int r = SQLITE_DONE;
    if (c->mute_scan) {
        while (c->mute_row) {
            const char *mu = (const char *)sqlite3_column_text(c->mute_scan, 0);
            int cmp = mu ? strcmp(mu, user) : -1;
            if (cmp > 0) return 0;
            if (cmp == 0 && add_mute(c, c->mute_scan, 1, nm)) return -1;
            r = sqlite3_step(c->mute_scan);
            if (r != SQLITE_ROW) { c->mute_row = 0; break; }
        }
    } else {
        sqlite3_reset(c->mutes);
        sqlite3_bind_text(c->mutes, 1, user, -1, SQLITE_STATIC);
        while ((r = sqlite3_step(c->mutes)) == SQLITE_ROW)
            if (add_mute(c, c->mutes, 0, nm)) return -1;
    }
    if (r != SQLITE_DONE) { mmr_db_error(c->rdb, c->d, "reading mm_user_suppression"); return -1; }
    return 0;
}

/* Only the slots the code reads need clearing between users. */
/* ------------------------------------------------------------ the run */

static int scalar_exists(sq_store *c, const char *sql, const char *arg, int *out)
{
    sqlite3_stmt *st;
    if (mmr_db_prepare(c->db, &st, sql, c->d)) return -1;
    if (arg) sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    *out = r == SQLITE_ROW;
    sqlite3_finalize(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE) { mmr_db_error(c->db, c->d, "reading the state"); return -1; }
    return 0;
}

/* The largest id in an append-only table (0 when empty): the next row's
 * is one more, as this transaction holds the write lock. */
static int last_id(sq_store *c, const char *table, const char *col, int64_t *out)
{
    char sql[128], what[96];
    snprintf(sql, sizeof sql, "SELECT coalesce(max(%s), 0) FROM %s", col, table);
    snprintf(what, sizeof what, "reading %s", table);
    sqlite3_stmt *st;
    if (mmr_db_prepare(c->db, &st, sql, c->d)) return -1;
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (r != SQLITE_ROW) { mmr_db_error(c->db, c->d, what); return -1; }
    return 0;
}

static int prepare_all(sq_store *c)
{
    mmr_db *db = c->rdb;
    mmr_diags *d = c->d;
    /* traits: a merge scan (db source) and a probe (file source) */
    mmr_buf cols;
    mmr_buf_init(&cols);
    if (bind_columns(c, "mm_user_traits", 1, &c->trcols, &c->ntrcols, &c->trait_tz_col, &cols)) {
        mmr_buf_free(&cols);
        return -1;
    }
    mmr_buf q;
    mmr_buf_init(&q);
    mmr_buf_printf(&q, "SELECT user_id%s FROM mm_user_traits ORDER BY user_id", cols.data ? cols.data : "");
    int rc = mmr_db_prepare(db, &c->trait_scan, q.data, d);
    mmr_buf_clear(&q);
    mmr_buf_printf(&q, "SELECT user_id%s FROM mm_user_traits WHERE user_id = ?1", cols.data ? cols.data : "");
    if (!rc) rc = mmr_db_prepare(db, &c->trait_probe, q.data, d);
    mmr_buf_free(&q);
    mmr_buf_free(&cols);
    if (rc) return -1;
    if (mmr_db_prepare(db, &c->existing, "SELECT rule_id, rule_key FROM mm_nudge_candidate WHERE as_of=?2 AND user_id=?1", d) ||
        mmr_db_prepare(db, &c->hist, "SELECT rule_id, delivered_at, rule_key FROM mm_nudge_delivery_log "
                                     "WHERE user_id=?1 AND delivered_at > ?2", d) ||
        mmr_db_prepare(db, &c->mutes, "SELECT category FROM mm_user_suppression WHERE user_id=?1 ORDER BY category", d))
        return -1;
    if (!c->e->o->signals_path &&
        mmr_db_prepare(db, &c->mute_scan, "SELECT user_id, category FROM mm_user_suppression ORDER BY user_id, category", d))
        return -1;
    /* computed, not columns: before bind_columns reads mm_signal_daily's */
    return mmr_resp_loader_open(&c->resp, c->p, c->e->used, db, c->e->o->now, !c->e->o->signals_path, d);
}

static int latest_as_of(sq_store *c)
{
    sqlite3_stmt *st;
    if (mmr_db_prepare(c->db, &st, "SELECT max(as_of) FROM mm_signal_daily", c->d)) return -1;
    int r = sqlite3_step(st), rc = 0;
    if (r != SQLITE_ROW) { mmr_db_error(c->rdb, c->d, "reading mm_signal_daily"); rc = -1; }
    else if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
        mmr_diag *g = mmr_diag_add(c->d, MMR_SEV_ERROR, c->db->path, 0, 0, "mm_signal_daily is empty: no snapshot to run");
        if (g) mmr_diag_set_hint(g, "load signals into mm_signal_daily, or give --signals FILE");
        rc = -1;
    } else {
        const char *s = (const char *)sqlite3_column_text(st, 0);
        if (!mmr_snap_date_ok(s, strlen(s))) {
            mmr_diag_add(c->d, MMR_SEV_ERROR, c->db->path, 0, 0, "mm_signal_daily.as_of: \"%s\" is not a date (YYYY-MM-DD)", s);
            rc = -1;
        } else snprintf(c->as_of, sizeof c->as_of, "%s", s);
    }
    sqlite3_finalize(st);
    return rc;
}


/* ------------------------------------------------------------ the calls */

static void finalize_reads(sq_store *c)
{
    sqlite3_stmt **sts[] = { &c->sig, &c->trait_scan, &c->trait_probe, &c->existing, &c->hist, &c->mutes,
                             &c->mute_scan };
    for (size_t i = 0; i < sizeof sts / sizeof sts[0]; i++) { sqlite3_finalize(*sts[i]); *sts[i] = NULL; }
    mmr_resp_loader_free(c->resp);
    c->resp = NULL;
}

/* Every statement: they must go before the publish phase's transactions. */
static void finalize_all(sq_store *c)
{
    finalize_reads(c);
    for (int t = 0; t < 4; t++)
        for (int k = 0; k < 3; k++) { sqlite3_finalize(c->ins[t][k]); c->ins[t][k] = NULL; }
    if (c->rdb && c->rdb != c->db) mmr_db_close(c->rdb);
    c->rdb = NULL;
}

/* The schema (created or migrated with the ruleset's input columns), the
 * outbox cursors, the ruleset. Inside the run's transaction. */
static int prepare_schema(sq_store *c)
{
    const mmr_program *p = c->p;
    mmr_diags *d = c->d;
    mmr_db *db = c->db;
    mmr_db_column *xs = calloc(p->nslots + 1, sizeof *xs), *xt = calloc(p->nslots + 1, sizeof *xt);
    size_t nxs = 0, nxt = 0;
    if (!xs || !xt) { free(xs); free(xt); mmr_sqrun_oom(d); return -1; }
    for (uint32_t i = 0; i < p->nslots; i++) {
        mmr_db_column col = { p->slots[i].name, p->slots[i].type };
        if (p->slots[i].is_trait) xt[nxt++] = col; else xs[nxs++] = col;
    }
    int rc = mmr_db_version(db, &c->v0, d);
    if (!rc) rc = mmr_db_migrate(db, xs, nxs, xt, nxt, d);
    free(xs); free(xt);
    if (rc || mmr_db_check_tables(db, d)) return -1;
    /* a missing cursor would fail every publish after this commit */
    static const char *const sinks[2] = { "ndjson", "redis" };
    for (int k = 0; k < 2 && !db->readonly; k++) {
        int ex;
        if (scalar_exists(c, "SELECT 1 FROM mm_event_cursor WHERE sink = ?1", sinks[k], &ex)) return -1;
        if (!ex) { mmr_outbox_cursor_missing(db, sinks[k], d); return -1; }
    }
    return record_ruleset(c);
}

static int sq_open(mmr_run_store **out, const mmr_run_env *e)
{
    const mmr_run_opts *o = e->o;
    mmr_diags *d = e->d;
    sq_store *c = calloc(1, sizeof *c);
    *out = c ? &c->base : NULL;
    if (!c) { mmr_sqrun_oom(d); return -1; }
    c->base.ops = &mmr_run_sqlite_ops;
    c->e = e; c->d = d; c->p = e->p;
    c->trait_tz_col = -1;
    mmr_buf_init(&c->solo.text);
    mmr_diags_init(&c->check.d);
    c->mode = MMR_DB_OPEN_RW;
    if (o->dry_run) c->mode = access(o->db_path, F_OK) == 0 ? MMR_DB_OPEN_RO : MMR_DB_OPEN_MEMORY;
    if (mmr_db_open(&c->db, o->db_path, c->mode, o->busy_ms, d)) return -1;
    if (c->mode == MMR_DB_OPEN_MEMORY)
        mmr_diag_add(d, MMR_SEV_NOTE, o->db_path, 0, 0, "no such database: the dry run starts from an empty state");
    /* the checkpoint after the commit is done by ckpt_main */
    int rc = c->mode == MMR_DB_OPEN_RW ? mmr_db_exec(c->db, "PRAGMA wal_autocheckpoint=0", d) : 0;
    c->check.path = o->db_path;
    c->check.busy_ms = o->busy_ms;
    if (!rc && c->mode != MMR_DB_OPEN_MEMORY)
        c->check.started = pthread_create(&c->check.th, NULL, mmr_sqrun_check_main, &c->check) == 0;
    /* events are for Redis when this run has it, or while a `mmr serve
     * --redis` is there to publish them (its relay) */
    c->want_redis = o->redis_url != NULL;
    if (!rc && !c->want_redis && c->mode == MMR_DB_OPEN_RW) {
        mmr_lease_self me;
        if (!o->lease) mmr_lease_self_init(&me, "mmr run");
        int h = mmr_lease_held(c->db, MMR_LEASE_RELAY_REDIS, o->lease ? o->lease : &me, d);
        if (h < 0) rc = -1;
        c->want_redis = h == 1;
    }
    /* Due deferrals first, committed on their own: the run's reader (a
     * second connection) then sees them in the history (cooldown, cap),
     * and their events are published with the run's. */
    if (!rc && c->mode == MMR_DB_OPEN_RW) {
        mmr_release_stats rs;
        rc = mmr_deferred_release(c->db, c->p, o->now, c->want_redis, &rs, d);
        e->st->released = rs.delivered;
        e->st->release_suppressed = rs.suppressed;
    }
    if (!rc) rc = mmr_db_begin(c->db, d);
    if (rc) return -1;
    c->in_txn = 1;
    c->rdb = c->db;
    return prepare_schema(c);
}

static int sq_start(mmr_run_store *s, const char *as_of, char out[16])
{
    sq_store *c = (sq_store *)s;
    const mmr_run_opts *o = c->e->o;
    mmr_diags *d = c->d;
    mmr_db *db = c->db;
    /* Two threads when the schema was there before this transaction (the
     * reader's connection cannot see tables this transaction creates). */
    int piped = !db->readonly && !o->dry_run && c->v0 == MMR_DB_SCHEMA_VERSION && strcmp(db->path, ":memory:") != 0;
    if (piped) {
        if (mmr_db_open(&c->rdb, o->db_path, MMR_DB_OPEN_RO, o->busy_ms, d)) { c->rdb = db; return -1; }
        /* sequential scans and point look-ups: a small cache is enough */
        if (mmr_db_exec(c->rdb, "PRAGMA cache_size=-16384", d) || mmr_db_begin(c->rdb, d)) return -1;
    }
    if (as_of) snprintf(c->as_of, sizeof c->as_of, "%s", as_of);
    if (!o->signals_path) {
        if (!as_of) {
            if (latest_as_of(c)) return -1;
        } else {
            int any;
            if (scalar_exists(c, "SELECT 1 FROM mm_signal_daily WHERE as_of = ?1 LIMIT 1", c->as_of, &any)) return -1;
            if (!any) {
                mmr_diag_add(d, MMR_SEV_ERROR, db->path, 0, 0, "mm_signal_daily has no rows for as_of %s", c->as_of);
                return -1;
            }
        }
    }
    snprintf(out, 16, "%s", c->as_of);

    /* A run is one transaction, so a committed run record for this date is
     * the only way candidates for it can exist. */
    if (scalar_exists(c, "SELECT 1 FROM mm_run WHERE as_of = ?1 LIMIT 1", c->as_of, &c->rerun) ||
        scalar_exists(c, "SELECT 1 FROM mm_nudge_delivery_log LIMIT 1", NULL, &c->has_history) ||
        scalar_exists(c, "SELECT 1 FROM mm_user_suppression LIMIT 1", NULL, &c->has_mutes) ||
        scalar_exists(c, "SELECT 1 FROM mm_user_traits LIMIT 1", NULL, &c->has_traits))
        return -1;
    if (prepare_all(c)) return -1;
    mmr_time_format(o->now - c->e->horizon, c->horizon_text);

    if (!db->readonly) {
        sqlite3_stmt *st;
        if (mmr_db_prepare(db, &st, "INSERT INTO mm_run(as_of, now, ruleset_hash, source, status) "
                                    "VALUES (?1, ?2, ?3, ?4, 'running')", d)) return -1;
        sqlite3_bind_text(st, 1, c->as_of, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, c->e->now_text, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, c->e->hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, o->signals_path ? o->signals_path : "mm_signal_daily", -1, SQLITE_STATIC);
        int r = sqlite3_step(st);
        sqlite3_finalize(st);
        if (r != SQLITE_DONE) { mmr_db_error(db, d, "writing mm_run"); return -1; }
        c->run_id = sqlite3_last_insert_rowid(db->h);
        if (mmr_sqrun_prepare_writes(c)) return -1;
        /* The run's events get the ids after the outbox's last (rows are
         * never deleted and this transaction holds the write lock); put
         * spools their payloads for the publisher. Checked after the
         * writes: any mismatch publishes from the outbox instead. */
        if (last_id(c, "mm_event_outbox", "event_id", &c->spool_first)) return -1;
        c->spool_first++;
        c->next_event = c->spool_first;
        if (last_id(c, "mm_nudge_delivery_log", "seq", &c->next_seq)) return -1;
        c->next_seq++;
        c->spool = tmpfile();
        c->base.want_events = c->spool != NULL;
    }

    if (!o->signals_path) {
        int r = sqlite3_step(c->trait_scan);
        if (r == SQLITE_ROW) c->trait_row = 1;
        else if (r != SQLITE_DONE) { mmr_db_error(c->rdb, d, "reading mm_user_traits"); return -1; }
        r = c->has_mutes ? sqlite3_step(c->mute_scan) : SQLITE_DONE;
        if (r == SQLITE_ROW) c->mute_row = 1;
        else if (r != SQLITE_DONE) { mmr_db_error(c->rdb, d, "reading mm_user_suppression"); return -1; }
        mmr_buf sel;
        mmr_buf_init(&sel);
        mmr_buf_puts(&sel, "SELECT user_id");
        if (bind_columns(c, "mm_signal_daily", 0, &c->sigcols, &c->nsigcols, NULL, &sel)) { mmr_buf_free(&sel); return -1; }
        mmr_buf_puts(&sel, " FROM mm_signal_daily WHERE as_of = ?1 ORDER BY user_id");
        int rc = sel.oom ? -1 : mmr_db_prepare(c->rdb, &c->sig, sel.data, d);
        mmr_buf_free(&sel);
        if (rc) return -1;
        sqlite3_bind_text(c->sig, 1, c->as_of, -1, SQLITE_STATIC);
    }
    return piped ? mmr_sqrun_pipe_start(c) : 0;
}

/* The next row of mm_signal_daily: the user, signals, traits (merged in
 * user_id order), responsiveness. */
static int sq_next_user(mmr_run_store *s, mmr_run_user *u)
{
    sq_store *c = (sq_store *)s;
    int r = sqlite3_step(c->sig);
    if (r == SQLITE_DONE) return 0;
    if (r != SQLITE_ROW) { mmr_db_error(c->rdb, c->d, "reading mm_signal_daily"); return -1; }
    const char *user = (const char *)sqlite3_column_text(c->sig, 0);
    if (!user) {
        mmr_diag_add(c->d, MMR_SEV_ERROR, c->db->path, 0, 0, "mm_signal_daily.user_id: a row for %s has no user_id", c->as_of);
        return -1;
    }
    size_t ulen = (size_t)sqlite3_column_bytes(c->sig, 0);
    char row[48];
    snprintf(row, sizeof row, " (as_of %.10s)", c->as_of);
    if (bad_user_cell(c, "mm_signal_daily", row, user, ulen)) return -1;
    if (c->prev && !strcmp(c->prev, user)) {
        mmr_diag_add(c->d, MMR_SEV_ERROR, c->db->path, 0, 0,
                     "mm_signal_daily: user \"%s\" has two rows for %s", user, c->as_of);
        return -1;
    }
    if (mmr_grow((void **)&c->prev, &c->prev_cap, ulen + 1, 1)) { mmr_sqrun_oom(c->d); return -1; }
    memcpy(c->prev, user, ulen + 1);
    const char *prev = c->prev;
    for (size_t i = 0; i < c->nsigcols; i++)
        if (load_cell(c, c->sig, &c->sigcols[i], "mm_signal_daily", prev)) return -1;
    const char *tz = NULL;
    /* merge with mm_user_traits (both ordered by user_id) */
    while (c->trait_row) {
        const char *tu = (const char *)sqlite3_column_text(c->trait_scan, 0);
        if (tu && bad_user_cell(c, "mm_user_traits", "", tu, (size_t)sqlite3_column_bytes(c->trait_scan, 0)))
            return -1;
        int cmp = tu ? strcmp(tu, prev) : -1;
        if (cmp > 0) break;
        if (cmp == 0) { if (load_traits_from(c, c->trait_scan, prev, &tz, 0)) return -1; break; }
        int tr = sqlite3_step(c->trait_scan);
        if (tr == SQLITE_DONE) c->trait_row = 0;
        else if (tr != SQLITE_ROW) { mmr_db_error(c->rdb, c->d, "reading mm_user_traits"); return -1; }
    }
    *u = (mmr_run_user){ prev, ulen, c->db->path, tz };
    if (c->resp && mmr_resp_loader_user(c->resp, prev, c->e->regs, c->e->ua, u->where, c->d)) return -1;
    return 1;
}

/* A --signals record's user: the traits it left missing (a look-up), the
 * responsiveness. */
static int sq_user_inputs(mmr_run_store *s, mmr_run_user *u)
{
    sq_store *c = (sq_store *)s;
    if (c->has_traits) {
        sqlite3_reset(c->trait_probe);
        sqlite3_bind_text(c->trait_probe, 1, u->id, (int)u->id_len, SQLITE_STATIC);
        int r = sqlite3_step(c->trait_probe);
        if (r == SQLITE_ROW) { if (load_traits_from(c, c->trait_probe, u->id, &u->tz, 1)) return -1; }
        else if (r != SQLITE_DONE) { mmr_db_error(c->rdb, c->d, "reading mm_user_traits"); return -1; }
    }
    if (c->resp && mmr_resp_loader_user(c->resp, u->id, c->e->regs, c->e->ua, u->where, c->d)) return -1;
    return 0;
}

static int sq_existing(mmr_run_store *s, const mmr_run_user *u, const mmr_run_key **v, size_t *n)
{
    sq_store *c = (sq_store *)s;
    *v = c->ex_v;
    *n = 0;
    if (!c->rerun) return 0;
    sqlite3_reset(c->existing);
    sqlite3_bind_text(c->existing, 1, u->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(c->existing, 2, c->as_of, -1, SQLITE_STATIC);
    int r;
    while ((r = sqlite3_step(c->existing)) == SQLITE_ROW) {
        if (mmr_grow((void **)&c->ex_v, &c->ex_cap, *n + 1, sizeof *c->ex_v)) { mmr_sqrun_oom(c->d); return -1; }
        mmr_run_key *k = &c->ex_v[(*n)++];
        k->rule = rule_of_id(c, sqlite3_column_int64(c->existing, 0));
        k->key_len = (size_t)sqlite3_column_bytes(c->existing, 1);
        k->key = mmr_arena_strdup(c->e->ua, k->key_len ? (const char *)sqlite3_column_text(c->existing, 1) : "");
        if (!k->key) { mmr_sqrun_oom(c->d); return -1; }
    }
    *v = c->ex_v;
    if (r != SQLITE_DONE) { mmr_db_error(c->rdb, c->d, "reading mm_nudge_candidate"); return -1; }
    return 0;
}

static int sq_prior(mmr_run_store *s, const mmr_run_user *u, const mmr_delivery **hist, size_t *nh,
                    const char *const **muted, size_t *nm)
{
    sq_store *c = (sq_store *)s;
    const char *user = u->id;
    *nh = *nm = 0;
    *hist = c->hist_v;
    *muted = c->mute_v;
    if (c->has_history) {
        sqlite3_reset(c->hist);
        sqlite3_bind_text(c->hist, 1, user, -1, SQLITE_STATIC);
        sqlite3_bind_text(c->hist, 2, c->horizon_text, -1, SQLITE_STATIC);
        int r;
        while ((r = sqlite3_step(c->hist)) == SQLITE_ROW) {
            if (mmr_grow((void **)&c->hist_v, &c->hist_cap, *nh + 1, sizeof *c->hist_v)) { mmr_sqrun_oom(c->d); return -1; }
            int64_t rule_id = sqlite3_column_int64(c->hist, 0);
            const char *at = (const char *)sqlite3_column_text(c->hist, 1);
            int64_t t;
            if (!at || mmr_time_parse(at, strlen(at), &t, NULL)) {
                mmr_diag_add(c->d, MMR_SEV_ERROR, c->db->path, 0, 0,
                             "mm_nudge_delivery_log.delivered_at: user \"%s\": not an ISO 8601 time: \"%s\"",
                             user, at ? at : "");
                return -1;
            }
            mmr_delivery *h = &c->hist_v[(*nh)++];
            h->rule = rule_of_id(c, rule_id);    /* -1: counts for the cap only */
            h->rule_name = NULL;
            h->delivered_at = t;
            h->key = NULL;                       /* keyless: the usual row, no copy */
            if (sqlite3_column_bytes(c->hist, 2) > 0 && h->rule >= 0 &&
                !(h->key = mmr_arena_strdup(c->e->ua, (const char *)sqlite3_column_text(c->hist, 2)))) {
                mmr_sqrun_oom(c->d);
                return -1;
            }
        }
        *hist = c->hist_v;
        if (r != SQLITE_DONE) { mmr_db_error(c->rdb, c->d, "reading mm_nudge_delivery_log"); return -1; }
    }
    if (c->has_mutes && load_mutes(c, user, nm)) return -1;
    *muted = c->mute_v;
    return 0;
}

static int sq_put_op(mmr_run_store *s, const mmr_run_user *u, const mmr_run_row *r)
{
    return mmr_sqrun_put((sq_store *)s, u, r);
}

static int sq_user_done_op(mmr_run_store *s) { return mmr_sqrun_user_done((sq_store *)s); }

static int sq_users_total(mmr_run_store *s, uint64_t *n)
{
    sq_store *c = (sq_store *)s;
    *n = 0;
    return c->e->o->signals_path ? -1 : mmr_progress_users_total(c->rdb, c->as_of, n);
}

/* The batches written, the spool checked, the run record's counts; then
 * the quick check, the "evaluate" lease and the commit (or a rollback). */
static int sq_finish(mmr_run_store *s, int keep)
{
    sq_store *c = (sq_store *)s;
    mmr_diags *d = c->d;
    mmr_db *db = c->db;
    const mmr_run_opts *o = c->e->o;
    mmr_run_stats *st = c->e->st;
    int rc = keep ? 0 : -1;
    if ((c->pipe || (!rc && !o->dry_run)) && mmr_sqrun_writes_end(c, !rc)) rc = -1;
    /* the reader's snapshot must end before the commit */
    finalize_reads(c);
    if (c->rdb != db) mmr_db_close(c->rdb);
    c->rdb = db;
    if (!rc && c->spool) {
        int64_t last;
        if (last_id(c, "mm_event_outbox", "event_id", &last)) rc = -1;
        else if (c->spool_bad || fflush(c->spool) || ferror(c->spool) ||
                 last != c->spool_first + (int64_t)c->spool_n - 1) {
            fclose(c->spool);
            c->spool = NULL;
        }
    }
    if (!rc && !db->readonly) {
        sqlite3_stmt *u;
        if (mmr_db_prepare(db, &u, "UPDATE mm_run SET status='done', users=?2, candidates=?3, delivered=?4, "
                                   "suppressed=?5 WHERE run_id=?1", d)) rc = -1;
        else {
            sqlite3_bind_int64(u, 1, c->run_id);
            sqlite3_bind_int64(u, 2, (sqlite3_int64)st->users);
            sqlite3_bind_int64(u, 3, (sqlite3_int64)st->candidates);
            sqlite3_bind_int64(u, 4, (sqlite3_int64)st->delivered);
            sqlite3_bind_int64(u, 5, (sqlite3_int64)st->suppressed);
            int r = sqlite3_step(u);
            sqlite3_finalize(u);
            if (r != SQLITE_DONE) { mmr_db_error(db, d, "writing mm_run"); rc = -1; }
        }
    }
    /* a damaged file is refused before anything is committed */
    if (mmr_sqrun_check_join(&c->check, d)) rc = -1;
    /* the commit gives the "evaluate" lease back (fails if it is no
     * longer ours) */
    static const char *const eval_lease[1] = { "evaluate" };
    if (!rc && !db->readonly && o->lease && o->lease_evaluate) rc = mmr_lease_check(db, eval_lease, 1, o->lease, 0, d);
    if (!rc && !db->readonly) {
        rc = mmr_db_commit(db, d);
        st->committed = rc == 0 && c->mode != MMR_DB_OPEN_MEMORY;
    } else mmr_db_rollback(db);
    c->in_txn = 0;
    return rc;
}

/* After the commit: the checkpoint thread, then the "publish" lease and
 * the outbox. */
static int sq_publish(mmr_run_store *s)
{
    sq_store *c = (sq_store *)s;
    const mmr_run_opts *o = c->e->o;
    mmr_run_stats *st = c->e->st;
    finalize_all(c);
    if (!st->committed) return 0;
    c->ckpt_started = pthread_create(&c->ckpt_th, NULL, mmr_sqrun_ckpt_main, (void *)o->db_path) == 0;
    mmr_outbox_opts oo = { .out = o->events_out, .events_path = o->events_path,
                           .redis_configured = c->want_redis, .now_text = c->e->now_text,
                           .spool = c->spool, .spool_first = c->spool_first, .spool_n = c->spool ? c->spool_n : 0 };
    return mmr_sqrun_publish_outbox(o, c->db, &oo, st, c->d);
}

static void sq_close(mmr_run_store *s)
{
    sq_store *c = (sq_store *)s;
    if (!c) return;
    if (c->pipe) mmr_sqrun_writes_end(c, 0);
    finalize_all(c);
    if (c->in_txn) mmr_db_rollback(c->db);
    mmr_sqrun_check_join(&c->check, c->d);
    mmr_diags_free(&c->check.d);
    if (c->spool) fclose(c->spool);
    if (c->ckpt_started) pthread_join(c->ckpt_th, NULL);
    mmr_sqrun_writes_free(c);
    mmr_db_close(c->db);
    free(c->rule_ids); free(c->sigcols); free(c->trcols); free(c->prev);
    free(c->ex_v); free(c->hist_v); free(c->mute_v);
    free(c);
}

const mmr_run_store_ops mmr_run_sqlite_ops = {
    "sqlite", sq_open, sq_start, sq_next_user, sq_user_inputs, sq_existing, sq_prior, sq_put_op,
    sq_user_done_op, sq_users_total, sq_finish, sq_publish, sq_close,
};
