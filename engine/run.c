/* `mmr run`: the pipeline with state. See engine/run.h and docs/engine.md.
 *
 * Longer than our ~800-line mark: the run's one transaction shares a
 * context (prepared statements, the batch being written, the reader and
 * writer threads, the spool) from the schema check to the commit; split
 * into files, each would export most of run_ctx. The outbox
 * (engine/outbox.c), leases (engine/lease.c), the responsiveness signals
 * (engine/responsiveness_load.c) and snapshot readers live apart. */
#include "engine/run.h"
#include "engine/run_shared.h"
#include "engine/lease.h"
#include "engine/responsiveness_load.h"
#include "engine/snapshot.h"
#include "engine/uuid.h"
#include "engine/tz.h"
#include "engine/progress.h"
#include "compiler/ast.h"
#include "util/timeutil.h"
#include "util/sha1.h"
#include "util/placeholder.h"
#include "util/userid.h"
#include "vm/vm.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>

/* ------------------------------------------------------------ helpers */

static void oom(mmr_diags *d) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); }

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    if (s) sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, i);
}

/* ------------------------------------------------------------ state */

typedef struct colbind { int col; int slot; const char *name; } colbind;
typedef struct run_pipe run_pipe;

typedef struct brec {             /* a wrec with offsets into the batch text */
    size_t user, where, title, body, category, meta, key;
    int user_len, title_len, body_len, category_len, meta_len, key_len;
    uint32_t rule;
    int delivered, reason, deferred;
    size_t deliver_at;            /* deferred: the due time's text */
    int64_t seq, event_id;        /* delivered: the delivery log row, its event */
    char did[MMR_UUID_STR];
} brec;

typedef struct batch {
    brec *v; size_t n, cap;
    mmr_buf text;
    size_t users;
} batch;

typedef struct run_ctx {
    const mmr_run_opts *o;
    mmr_run_stats *st;
    mmr_diags *d;
    mmr_db *db;                  /* the run's connection: the transaction, all writes */
    mmr_db *rdb;                 /* reads: db, or a second connection (pipeline) */
    int want_redis;              /* the run's events are for Redis (outbox want_redis) */
    run_pipe *pipe;              /* NULL: one thread */
    int have_first;              /* file source: the first record is in regs */
    mmr_snap_user first;
    const mmr_program *p;
    mmr_vm vm;
    mmr_arena ua;                /* per-user inputs and look-ups */
    mmr_tz_cache *tzc;
    char now_text[MMR_TIME_BUF];
    char as_of[16];
    char hash[41];
    int64_t run_id;
    int64_t *rule_ids;           /* per program rule */
    int64_t next_seq, next_event;  /* the reader numbers deliveries and events */
    int rerun, has_history, has_mutes, has_traits;
    int tz_slot;                 /* program slot "tz" (text), or -1 */
    int64_t horizon;             /* history older than now - horizon is irrelevant */
    char horizon_text[MMR_TIME_BUF];
    unsigned char *used;         /* per slot: read by the rules' code */
    /* statements */
    sqlite3_stmt *sig, *trait_scan, *trait_probe, *existing, *hist, *mutes, *mute_scan;
    sqlite3_stmt *ins[4][3];     /* per table: one row, MULTI_TAIL rows, MULTI rows */
    batch solo;                  /* one thread: the batch being filled */
    colbind *sigcols; size_t nsigcols;
    colbind *trcols;  size_t ntrcols;
    int trait_tz_col;            /* column of tz in the trait statements, or -1 */
    int trait_row;               /* trait_scan: 1 a row is current, 0 exhausted */
    int mute_row;                /* mute_scan: the same; NULL mute_scan: a probe per user */
    uint32_t *clear_slots;       /* the slots cleared before each user: those read */
    uint32_t nclear;
    mmr_resp_loader *resp;       /* the responsiveness signals, or NULL: not read */
    char **rule_meta;            /* per rule: the delivery's meta_json */
    /* the file source */
    mmr_snapshot *snap;
    /* per-user scratch */
    mmr_candidate *cands; size_t ncands_cap;
    mmr_delivery *hist_v; size_t hist_cap;
    const char **mute_v;  size_t mute_cap;
    mmr_decide_result res;
    mmr_buf buf;
    mmr_buf kmeta;               /* a keyed delivery's meta_json */
    /* tz memo */
    char tz_last[256]; int tz_last_ok; const char *tz_last_why;
    double t0, last_progress;
    uint64_t progress_total;     /* engine/progress.h: 0 not counted yet */
    /* the run's events, prepared by the reader (see mmr_outbox_opts) */
    FILE *spool;
    uint64_t spool_n;
    int spool_bad;               /* a write failed: publish from the outbox */
    int64_t spool_first;
} run_ctx;

/* ------------------------------------------------------------ rule master */

/* The rule master's id of each program rule; 0 (no row) for a rule a
 * read-only run (--dry-run, which records nothing) finds no row for. */
static int lookup_rule_ids(run_ctx *c)
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
static int32_t rule_of_id(const run_ctx *c, int64_t id)
{
    for (uint32_t i = 0; i < c->p->nrules; i++)
        if (c->rule_ids[i] == id && id != 0) return (int32_t)i;
    return -1;
}

static int record_ruleset(run_ctx *c)
{
    const mmr_program *p = c->p;
    mmr_db *db = c->db;
    mmr_diags *d = c->d;
    c->rule_ids = calloc(p->nrules ? p->nrules : 1, sizeof *c->rule_ids);
    if (!c->rule_ids) { oom(d); return -1; }
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
        sqlite3_bind_text(ins, 11, c->hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 12, c->now_text, -1, SQLITE_STATIC);
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
        sqlite3_bind_text(tpl, 7, c->hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(tpl, 8, c->now_text, -1, SQLITE_STATIC);
        if (sqlite3_step(tpl) != SQLITE_DONE) { mmr_db_error(db, d, "writing mm_nudge_template_master"); rc = -1; }
    }
    if (b.oom && !rc) { oom(d); rc = -1; }
    mmr_buf_free(&b);
    sqlite3_finalize(ins);
    sqlite3_finalize(tpl);
    return rc ? rc : lookup_rule_ids(c);
}

/* ------------------------------------------------------------ input columns */

/* What is the same for every user: the slots to clear, each rule's meta. */
static int prepare_per_rule(run_ctx *c)
{
    const mmr_program *p = c->p;
    c->clear_slots = calloc(p->nslots + 1, sizeof *c->clear_slots);
    c->rule_meta = calloc(p->nrules + 1, sizeof *c->rule_meta);
    if (!c->clear_slots || !c->rule_meta) return -1;
    for (uint32_t i = 0; i < p->nslots; i++) if (c->used[i]) c->clear_slots[c->nclear++] = i;
    mmr_buf m;
    mmr_buf_init(&m);
    for (uint32_t i = 0; i < p->nrules; i++) {
        mmr_buf_clear(&m);
        mmr_rule_meta_json(p, i, c->as_of, &m);
        if (m.oom || !(c->rule_meta[i] = strdup(m.data))) { mmr_buf_free(&m); return -1; }
    }
    mmr_buf_free(&m);
    return 0;
}

/* Columns of table that bind to program slots (signals or traits). */
static int bind_columns(run_ctx *c, const char *table, int traits, colbind **out, size_t *nout,
                        int *tz_col, mmr_buf *select)
{
    sqlite3_stmt *st;
    mmr_buf q;
    mmr_buf_init(&q);
    mmr_buf_printf(&q, "PRAGMA table_info(%s)", table);
    int rc = mmr_db_prepare(c->rdb, &st, q.data, c->d);
    mmr_buf_free(&q);
    if (rc) return -1;
    const mmr_program *p = c->p;
    char *seen = calloc(p->nslots + 1, 1);
    colbind *v = calloc(p->nslots + 1, sizeof *v);
    if (!seen || !v) { free(seen); free(v); sqlite3_finalize(st); oom(c->d); return -1; }
    size_t n = 0;
    int ncol = 1;                /* column 0 is user_id */
    if (tz_col) *tz_col = -1;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 1);
        if (!name) continue;
        int slot = mmr_program_find_slot(p, name);
        int is_tz = traits && !strcmp(name, "tz");
        if (slot >= 0 && (p->slots[slot].is_trait != 0) != (traits != 0)) slot = -1;
        if (slot >= 0 && !c->used[slot]) { seen[slot] = 1; slot = -1; }
        if (slot < 0 && !is_tz) continue;
        mmr_buf_printf(select, ", \"%s\"", name);
        if (is_tz && tz_col) *tz_col = ncol;
        if (slot >= 0) {
            seen[slot] = 1;
            v[n].col = ncol; v[n].slot = slot; v[n].name = p->slots[slot].name;
            n++;
        }
        ncol++;
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE) { free(seen); free(v); mmr_db_error(c->rdb, c->d, "reading the table's columns"); return -1; }
    for (uint32_t i = 0; i < p->nslots; i++) {
        if ((p->slots[i].is_trait != 0) != (traits != 0) || seen[i] || !c->used[i]) continue;
        mmr_diag_add(c->d, MMR_SEV_WARNING, c->db->path, 0, 0,
                     "%s has no column %s: every user's %s %s is missing", table, p->slots[i].name,
                     traits ? "trait" : "signal", p->slots[i].name);
    }
    free(seen);
    *out = v; *nout = n;
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
static int load_cell(run_ctx *c, sqlite3_stmt *st, const colbind *cb, const char *table, const char *user)
{
    const mmr_slot *sl = &c->p->slots[cb->slot];
    mmr_value *dst = &c->vm.regs[cb->slot];
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
            mmr_text *tx = mmr_text_new(&c->ua, s, len);
            if (!tx) { oom(c->d); return -1; }
            *dst = mmr_v_text(tx);
            return 0;
        }
        break;
    default:
        if (t == SQLITE_TEXT) {
            const char *s = (const char *)sqlite3_column_text(st, cb->col);
            size_t len = (size_t)sqlite3_column_bytes(st, cb->col);
            if (mmr_json_cell(&c->ua, sl->type, s, len, dst, &why) == 0) return 0;
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
static int bad_user_cell(run_ctx *c, const char *table, const char *row, const char *s, size_t len)
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

static int load_traits_from(run_ctx *c, sqlite3_stmt *st, const char *user, const char **tz,
                            int only_missing)
{
    for (size_t i = 0; i < c->ntrcols; i++) {
        if (only_missing && c->vm.regs[c->trcols[i].slot].tag != MMR_V_MISSING) continue;
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
        *tz = mmr_arena_strdup(&c->ua, s);
        if (!*tz) { oom(c->d); return -1; }
    }
    return 0;
}

static int check_tz(run_ctx *c, const char *user, const char *tz, const char *where)
{
    if (!tz || !*tz) return 0;
    if (strcmp(tz, c->tz_last) != 0) {
        const char *why = NULL;
        const mmr_tz *z = mmr_tz_get(c->tzc, tz, &why);
        snprintf(c->tz_last, sizeof c->tz_last, "%s", tz);
        c->tz_last_ok = z != NULL && strlen(tz) < sizeof c->tz_last;
        c->tz_last_why = why ? why : "unknown time zone";
    }
    if (c->tz_last_ok) return 0;
    mmr_diag *g = mmr_diag_add(c->d, MMR_SEV_ERROR, where, 0, 0,
                               "mm_user_traits.tz: user \"%s\": %s \"%s\"", user, c->tz_last_why, tz);
    if (g) mmr_diag_set_hint(g, "use an IANA zone name such as Asia/Kolkata, or leave tz empty for the policy zone");
    return -1;
}

static void progress(run_ctx *c, int final)
{
    if (!c->o->progress) return;
    double t = mmr_mono_now();
    if (final) {
        if (c->last_progress > 0) mmr_progress_clear(c->o->progress);
        return;
    }
    if (t - c->last_progress < 0.5) return;
    c->last_progress = t;
    /* the total (counted once from mm_signal_daily) and an ETA */
    mmr_progress_run_line(c->o->progress, c->o->signals_path ? NULL : c->rdb, c->as_of, &c->progress_total,
                          c->st->users, c->st->delivered, t - c->t0);
}

/* One decision to store: a candidate, and for a delivery its log row and
 * outbox event. Strings are borrowed. */
typedef struct wrec {
    const char *user, *where;
    const mmr_text *key;         /* a per-key rule's key, or NULL */
    uint32_t rule;
    int delivered, reason, deferred;
    int64_t deliver_at;
    const char *title, *body, *category;
    char did[MMR_UUID_STR];
    const char *meta; size_t meta_len;
} wrec;

/* ---------------------------------------------------------- the pipeline
 * With an existing database the run uses two threads: the reader (a
 * second, read-only connection: signals, traits, history, mutes, then the
 * VM and the decision) hands batches of decisions to the writer (this
 * connection, inside the run's transaction). The reader's snapshot is the
 * state before the run: the run only adds rows for users already read, so
 * it sees exactly what a single thread would. With one thread the same
 * batches are written by the reader itself. */

enum { PIPE_NB = 4, PIPE_USERS = 2048 };

struct run_pipe {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    batch b[PIPE_NB];
    uint64_t filled, consumed;     /* batches handed over / written */
    int done, abort;
    int rc;                        /* the reader's result */
};

static size_t put_str(mmr_buf *t, const char *s, size_t len)
{
    size_t off = t->len;
    mmr_buf_append(t, s, len);
    mmr_buf_putc(t, 0);
    return off;
}

static batch *cur_batch(run_ctx *c)
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

static int prepare_insert(run_ctx *c, int t, int rows, sqlite3_stmt **out)
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
    if (q.oom) { mmr_buf_free(&q); oom(c->d); return -1; }
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
        sqlite3_bind_text(s, 2, c->now_text, -1, SQLITE_STATIC);
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

static void bind_row(run_ctx *c, int t, sqlite3_stmt *s, int at, const brec *r, const char *tx)
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
static int insert_one(run_ctx *c, mmr_diags *d, int t, const brec *r, const char *tx)
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
static int insert_multi(run_ctx *c, mmr_diags *d, int t, int k, const brec *const *pend, size_t n, const char *tx)
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
static int insert_rows(run_ctx *c, mmr_diags *d, int t, const batch *b)
{
    const char *tx = b->text.data;
    int only_delivered = t == T_DELIV || t == T_OUT;
    const brec *pend[MULTI];
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
static int write_batch(run_ctx *c, mmr_diags *d, const batch *b)
{
    if (insert_rows(c, d, T_DELIV, b) || insert_rows(c, d, T_OUT, b) || insert_rows(c, d, T_CAND, b) ||
        insert_rows(c, d, T_DEFER, b))
        return -1;
    return 0;
}

/* Hand the batch being filled to the writer; wait for a free one. */
static int pipe_flush(run_ctx *c)
{
    run_pipe *pp = c->pipe;
    batch *b = &pp->b[pp->filled % PIPE_NB];
    if (!b->n && !b->users) return 0;
    pthread_mutex_lock(&pp->mu);
    pp->filled++;
    pthread_cond_broadcast(&pp->cv);
    while (pp->filled - pp->consumed >= PIPE_NB && !pp->abort) pthread_cond_wait(&pp->cv, &pp->mu);
    int ab = pp->abort;
    pthread_mutex_unlock(&pp->mu);
    batch *nb = &pp->b[pp->filled % PIPE_NB];
    nb->n = 0; nb->users = 0;
    mmr_buf_clear(&nb->text);
    return ab ? -1 : 0;
}

/* One thread: write the batch now. */
static int solo_flush(run_ctx *c)
{
    batch *b = &c->solo;
    int rc = b->n ? write_batch(c, c->d, b) : 0;
    b->n = 0; b->users = 0;
    mmr_buf_clear(&b->text);
    return rc;
}

static int batch_put(run_ctx *c, const wrec *w)
{
    batch *b = cur_batch(c);
    if (mmr_grow((void **)&b->v, &b->cap, b->n + 1, sizeof *b->v)) { oom(c->d); return -1; }
    brec *r = &b->v[b->n++];
    mmr_buf *t = &b->text;
    r->user_len = (int)strlen(w->user);
    r->user = put_str(t, w->user, (size_t)r->user_len);
    r->where = put_str(t, w->where, strlen(w->where));
    r->key_len = w->key ? (int)w->key->len : 0;
    r->key = w->key ? put_str(t, w->key->bytes, w->key->len) : r->where + (size_t)strlen(w->where);
    r->rule = w->rule; r->delivered = w->delivered; r->reason = w->reason; r->deferred = w->deferred;
    if (w->deferred) {
        char at[MMR_TIME_BUF];
        mmr_time_format(w->deliver_at, at);
        r->deliver_at = put_str(t, at, strlen(at));
    }
    if (w->delivered || w->deferred) {
        if (w->delivered) {
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
    if (t->oom) { oom(c->d); return -1; }
    return 0;
}

/* Called once per user (not in dry runs): a full batch goes to the writer. */
static int user_done(run_ctx *c)
{
    batch *b = cur_batch(c);
    if (++b->users < PIPE_USERS) return 0;
    return c->pipe ? pipe_flush(c) : solo_flush(c);
}

static int add_mute(run_ctx *c, sqlite3_stmt *st, int col, size_t *nm)
{
    if (mmr_grow((void **)&c->mute_v, &c->mute_cap, *nm + 1, sizeof *c->mute_v)) { oom(c->d); return -1; }
    const char *cat = (const char *)sqlite3_column_text(st, col);
    c->mute_v[*nm] = mmr_arena_strdup(&c->ua, cat ? cat : "");
    if (!c->mute_v[(*nm)++]) { oom(c->d); return -1; }
    return 0;
}

/* The user's muted categories. Users from mm_signal_daily come in user_id
 * order, so their mutes are a merge with one ordered scan of
 * mm_user_suppression (the traits' scheme); users from a file, in any
 * order, are a look-up each. */
static int load_mutes(run_ctx *c, const char *user, size_t *nm)
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
static void clear_inputs(run_ctx *c)
{
    mmr_value *regs = c->vm.regs;
    for (uint32_t i = 0; i < c->nclear; i++) regs[c->clear_slots[i]] = mmr_v_missing();
}

/* 1 when a stored candidate's rule_key (klen bytes, '' keyless) is cand's key. */
static int same_key(const mmr_candidate *cand, const char *k, size_t klen)
{
    if (cand->key.tag != MMR_V_TEXT) return klen == 0;
    const mmr_text *t = cand->key.u.text;
    return t->len == klen && (!klen || memcmp(t->bytes, k, klen) == 0);
}

/* The delivery's meta_json into w: the rule's, plus "key" for a per-key
 * rule (built in c->kmeta, valid until the next call). */
static int rule_meta(run_ctx *c, wrec *w, const mmr_decision *dc)
{
    w->meta = c->rule_meta[dc->rule];
    if (dc->key && dc->key->len) {
        mmr_buf_clear(&c->kmeta);
        mmr_meta_with_key(&c->kmeta, w->meta, dc->key->bytes, dc->key->len);
        if (c->kmeta.oom) { oom(c->d); return -1; }
        w->meta = c->kmeta.data;
    }
    w->meta_len = strlen(w->meta);
    return 0;
}

/* Everything after the VM for one user whose inputs are in regs. */
static int process_user(run_ctx *c, const char *user, const char *tz, const char *where)
{
    mmr_run_stats *st = c->st;
    const mmr_program *p = c->p;
    st->users++;
    if ((st->users & 0xffff) == 0) progress(c, 0);
    if (check_tz(c, user, tz, where)) return -1;
    if (c->resp && mmr_resp_loader_user(c->resp, user, c->vm.regs, &c->ua, where, c->d)) return -1;
    if (mmr_vm_run(&c->vm, 0)) {
        mmr_diag_add(c->d, MMR_SEV_ERROR, where, 0, 0, "user \"%s\": the rules could not run: %s", user, c->vm.error);
        return -1;
    }
    size_t n = c->vm.ncands;
    if (!n) return 0;
    if (mmr_grow((void **)&c->cands, &c->ncands_cap, n, sizeof *c->cands)) { oom(c->d); return -1; }
    memcpy(c->cands, c->vm.cands, n * sizeof *c->cands);
    if (c->rerun) {
        /* candidates already stored for this snapshot date are final */
        sqlite3_reset(c->existing);
        sqlite3_bind_text(c->existing, 1, user, -1, SQLITE_STATIC);
        sqlite3_bind_text(c->existing, 2, c->as_of, -1, SQLITE_STATIC);
        int r;
        while ((r = sqlite3_step(c->existing)) == SQLITE_ROW) {
            int32_t rule = rule_of_id(c, sqlite3_column_int64(c->existing, 0));
            const char *k = (const char *)sqlite3_column_text(c->existing, 1);
            size_t klen = (size_t)sqlite3_column_bytes(c->existing, 1);
            for (size_t i = 0; i < n && rule >= 0; i++) {
                if (c->cands[i].rule == (uint32_t)rule && same_key(&c->cands[i], k, klen)) {
                    c->cands[i] = c->cands[--n];
                    st->existing++;
                    break;
                }
            }
        }
        if (r != SQLITE_DONE) { mmr_db_error(c->rdb, c->d, "reading mm_nudge_candidate"); return -1; }
        if (!n) return 0;
    }
    st->users_with_candidates++;
    size_t nh = 0, nm = 0;
    if (c->has_history) {
        sqlite3_reset(c->hist);
        sqlite3_bind_text(c->hist, 1, user, -1, SQLITE_STATIC);
        sqlite3_bind_text(c->hist, 2, c->horizon_text, -1, SQLITE_STATIC);
        int r;
        while ((r = sqlite3_step(c->hist)) == SQLITE_ROW) {
            if (mmr_grow((void **)&c->hist_v, &c->hist_cap, nh + 1, sizeof *c->hist_v)) { oom(c->d); return -1; }
            int64_t rule_id = sqlite3_column_int64(c->hist, 0);
            const char *at = (const char *)sqlite3_column_text(c->hist, 1);
            int64_t t;
            if (!at || mmr_time_parse(at, strlen(at), &t, NULL)) {
                mmr_diag_add(c->d, MMR_SEV_ERROR, c->db->path, 0, 0,
                             "mm_nudge_delivery_log.delivered_at: user \"%s\": not an ISO 8601 time: \"%s\"",
                             user, at ? at : "");
                return -1;
            }
            mmr_delivery *h = &c->hist_v[nh++];
            h->rule = rule_of_id(c, rule_id);    /* -1: counts for the cap only */
            h->rule_name = NULL;
            h->delivered_at = t;
            h->key = NULL;                       /* keyless: the usual row, no copy */
            if (sqlite3_column_bytes(c->hist, 2) > 0 && h->rule >= 0 &&
                !(h->key = mmr_arena_strdup(&c->ua, (const char *)sqlite3_column_text(c->hist, 2)))) {
                oom(c->d);
                return -1;
            }
        }
        if (r != SQLITE_DONE) { mmr_db_error(c->rdb, c->d, "reading mm_nudge_delivery_log"); return -1; }
    }
    if (c->has_mutes && load_mutes(c, user, &nm)) return -1;
    mmr_decide_input in = {
        .prog = p, .cands = c->cands, .ncands = n,
        .history = c->hist_v, .nhistory = nh,
        .muted = c->mute_v, .nmuted = nm,
        .now = c->o->now, .tz = tz, .tzc = c->tzc,
    };
    if (mmr_decide(&in, &c->res)) {
        mmr_diag_add(c->d, MMR_SEV_ERROR, where, 0, 0, "user \"%s\": the decision failed: %s", user,
                     c->res.note ? c->res.note : "out of memory");
        return -1;
    }
    int dry = c->o->dry_run;
    for (size_t i = 0; i < c->res.n; i++) {
        const mmr_decision *dc = &c->res.v[i];
        const mmr_prog_rule *r = &p->rules[dc->rule];
        wrec w;
        memset(&w, 0, sizeof w);
        w.user = user; w.where = where; w.rule = dc->rule; w.delivered = dc->delivered; w.reason = dc->reason;
        w.deferred = dc->deferred; w.deliver_at = dc->deliver_at;
        w.key = dc->key;
        const char *key = dc->key ? dc->key->bytes : NULL;
        size_t key_len = dc->key ? dc->key->len : 0;
        st->candidates++;
        if (dc->deferred) {
            /* not suppressed: released at deliver_at (engine/deferred.c) */
            st->deferred++;
            w.title = dc->title ? dc->title : "";
            w.body = dc->body ? dc->body : "";
            w.category = dc->category ? dc->category : "";
            if (rule_meta(c, &w, dc)) return -1;
        } else if (dc->delivered) {
            st->delivered++;
            mmr_delivery_id_key(user, r->name, c->as_of, key, key_len, w.did);
            w.title = dc->title ? dc->title : "";
            w.body = dc->body ? dc->body : "";
            w.category = dc->category ? dc->category : "";
        } else {
            st->suppressed++;
            if ((unsigned)dc->reason < MMR_NREASONS) st->by_reason[dc->reason]++;
        }
        if (dry) {
            if (dc->delivered) {
                mmr_buf_clear(&c->buf);
                mmr_event_payload_key(&c->buf, w.did, user, r->name, key, key_len, w.title, w.body, w.category,
                                      c->now_text);
                if (c->buf.oom) { oom(c->d); return -1; }
                fwrite(c->buf.data, 1, c->buf.len, c->o->events_out);
                fputc('\n', c->o->events_out);
            }
            continue;
        }
        if (dc->delivered) {
            if (rule_meta(c, &w, dc)) return -1;
            if (c->spool && !c->spool_bad) {
                /* the event as it will be published after the commit */
                mmr_buf_clear(&c->buf);
                mmr_event_payload_key(&c->buf, w.did, user, r->name, key, key_len, w.title, w.body, w.category,
                                      c->now_text);
                uint32_t len[2] = { (uint32_t)strlen(user), (uint32_t)c->buf.len };
                if (c->buf.oom || fwrite(len, sizeof len, 1, c->spool) != 1 ||
                    fwrite(user, 1, len[0], c->spool) != len[0] ||
                    fwrite(c->buf.data, 1, len[1], c->spool) != len[1])
                    c->spool_bad = 1;
                c->spool_n++;
            }
        }
        if (batch_put(c, &w)) return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ sources */

static int run_db_source(run_ctx *c)
{
    mmr_buf sel;
    mmr_buf_init(&sel);
    mmr_buf_puts(&sel, "SELECT user_id");
    if (bind_columns(c, "mm_signal_daily", 0, &c->sigcols, &c->nsigcols, NULL, &sel)) { mmr_buf_free(&sel); return -1; }
    mmr_buf_puts(&sel, " FROM mm_signal_daily WHERE as_of = ?1 ORDER BY user_id");
    int rc = sel.oom ? -1 : mmr_db_prepare(c->rdb, &c->sig, sel.data, c->d);
    mmr_buf_free(&sel);
    if (rc) return -1;
    sqlite3_bind_text(c->sig, 1, c->as_of, -1, SQLITE_STATIC);
    char *prev = NULL;
    size_t prev_cap = 0;
    int r;
    while ((r = sqlite3_step(c->sig)) == SQLITE_ROW) {
        mmr_arena_reset(&c->ua);
        clear_inputs(c);
        const char *user = (const char *)sqlite3_column_text(c->sig, 0);
        if (!user) {
            mmr_diag_add(c->d, MMR_SEV_ERROR, c->db->path, 0, 0, "mm_signal_daily.user_id: a row for %s has no user_id", c->as_of);
            rc = -1; break;
        }
        size_t ulen = (size_t)sqlite3_column_bytes(c->sig, 0);
        char row[48];
        snprintf(row, sizeof row, " (as_of %.10s)", c->as_of);
        if (bad_user_cell(c, "mm_signal_daily", row, user, ulen)) { rc = -1; break; }
        if (prev && !strcmp(prev, user)) {
            mmr_diag_add(c->d, MMR_SEV_ERROR, c->db->path, 0, 0,
                         "mm_signal_daily: user \"%s\" has two rows for %s", user, c->as_of);
            rc = -1; break;
        }
        if (mmr_grow((void **)&prev, &prev_cap, ulen + 1, 1)) { oom(c->d); rc = -1; break; }
        memcpy(prev, user, ulen + 1);
        for (size_t i = 0; i < c->nsigcols; i++)
            if ((rc = load_cell(c, c->sig, &c->sigcols[i], "mm_signal_daily", prev))) break;
        if (rc) break;
        const char *tz = NULL;
        /* merge with mm_user_traits (both ordered by user_id) */
        while (c->trait_row) {
            const char *tu = (const char *)sqlite3_column_text(c->trait_scan, 0);
            if (tu && bad_user_cell(c, "mm_user_traits", "", tu, (size_t)sqlite3_column_bytes(c->trait_scan, 0))) {
                rc = -1; break;
            }
            int cmp = tu ? strcmp(tu, prev) : -1;
            if (cmp > 0) break;
            if (cmp == 0) { if ((rc = load_traits_from(c, c->trait_scan, prev, &tz, 0))) break; break; }
            int tr = sqlite3_step(c->trait_scan);
            if (tr == SQLITE_DONE) c->trait_row = 0;
            else if (tr != SQLITE_ROW) { mmr_db_error(c->rdb, c->d, "reading mm_user_traits"); rc = -1; break; }
        }
        if (rc) break;
        if (c->tz_slot >= 0 && c->vm.regs[c->tz_slot].tag == MMR_V_TEXT)
            tz = c->vm.regs[c->tz_slot].u.text->bytes;
        if ((rc = process_user(c, prev, tz, c->db->path))) break;
        if (!c->o->dry_run && (rc = user_done(c))) break;
    }
    if (!rc && r != SQLITE_DONE) { mmr_db_error(c->rdb, c->d, "reading mm_signal_daily"); rc = -1; }
    free(prev);
    return rc;
}

static int run_file_source(run_ctx *c, int have_first, mmr_snap_user *u)
{
    int rc = 0;
    const char *path = c->o->signals_path;
    for (;;) {
        if (!have_first) {
            mmr_arena_reset(&c->ua);
            /* every input starts missing: nothing of the previous user may
             * survive a record that lacks a section */
            mmr_vm_clear_inputs(&c->vm);
            int r = mmr_snapshot_next(c->snap, c->vm.regs, &c->ua, u, c->d);
            if (r == 0) break;
            if (r < 0) return -1;
        }
        have_first = 0;
        if (u->as_of && strcmp(u->as_of, c->as_of) != 0) {
            mmr_diag_add(c->d, MMR_SEV_ERROR, path, (int)u->line, 0,
                         "user \"%s\": as_of %s differs from the run's snapshot date %s",
                         u->user_id, u->as_of, c->as_of);
            return -1;
        }
        const char *tz = NULL;
        if (c->has_traits) {
            sqlite3_reset(c->trait_probe);
            sqlite3_bind_text(c->trait_probe, 1, u->user_id, (int)u->user_id_len, SQLITE_STATIC);
            int r = sqlite3_step(c->trait_probe);
            if (r == SQLITE_ROW) { if ((rc = load_traits_from(c, c->trait_probe, u->user_id, &tz, 1))) return -1; }
            else if (r != SQLITE_DONE) { mmr_db_error(c->rdb, c->d, "reading mm_user_traits"); return -1; }
        }
        if (c->tz_slot >= 0 && c->vm.regs[c->tz_slot].tag == MMR_V_TEXT)
            tz = c->vm.regs[c->tz_slot].u.text->bytes;
        mmr_buf wb;
        mmr_buf_init(&wb);
        mmr_buf_printf(&wb, "%s:%ld", path, u->line);
        rc = process_user(c, u->user_id, tz, wb.data ? wb.data : path);
        mmr_buf_free(&wb);
        if (rc || (!c->o->dry_run && user_done(c))) return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ the run */

static int scalar_exists(run_ctx *c, const char *sql, const char *arg, int *out)
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
static int last_id(run_ctx *c, const char *table, const char *col, int64_t *out)
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

static int prepare_all(run_ctx *c)
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
    if (!c->o->signals_path &&
        mmr_db_prepare(db, &c->mute_scan, "SELECT user_id, category FROM mm_user_suppression ORDER BY user_id, category", d))
        return -1;
    /* computed, not columns: before bind_columns reads mm_signal_daily's */
    return mmr_resp_loader_open(&c->resp, c->p, c->used, db, c->o->now, !c->o->signals_path, d);
}

/* The writer's statements (after mm_run: they bind run_id). */
static int prepare_writes(run_ctx *c)
{
    for (int t = 0; t < T_N; t++)
        for (int k = 0; k < 3; k++)
            if (prepare_insert(c, t, multi_rows[k], &c->ins[t][k])) return -1;
    return 0;
}

static void ctx_free(run_ctx *c)
{
    sqlite3_stmt *sts[] = { c->sig, c->trait_scan, c->trait_probe, c->existing, c->hist, c->mutes, c->mute_scan };
    for (size_t i = 0; i < sizeof sts / sizeof sts[0]; i++) sqlite3_finalize(sts[i]);
    for (int t = 0; t < 4; t++)
        for (int k = 0; k < 3; k++) sqlite3_finalize(c->ins[t][k]);
    free(c->solo.v); mmr_buf_free(&c->solo.text);
    if (c->rdb && c->rdb != c->db) mmr_db_close(c->rdb);
    c->rdb = NULL;
    if (c->snap) mmr_snapshot_close(c->snap);
    mmr_vm_free(&c->vm);
    mmr_arena_free(&c->ua);
    mmr_tz_cache_free(c->tzc);
    free(c->rule_ids); free(c->sigcols); free(c->used); free(c->trcols);
    if (c->rule_meta) for (uint32_t i = 0; i < c->p->nrules; i++) free(c->rule_meta[i]);
    free(c->rule_meta); free(c->clear_slots);
    free(c->cands); free(c->hist_v); free(c->mute_v);
    mmr_resp_loader_free(c->resp);
    mmr_decide_result_free(&c->res);
    mmr_buf_free(&c->buf);
    mmr_buf_free(&c->kmeta);
    if (c->spool) fclose(c->spool);
    c->spool = NULL;
}

static int latest_as_of(run_ctx *c)
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

/* Every user of the snapshot through process_user. */
static int read_all(run_ctx *c)
{
    if (c->o->signals_path) return c->have_first ? run_file_source(c, 1, &c->first) : 0;
    return run_db_source(c);
}

static void *reader_main(void *arg)
{
    run_ctx *c = arg;
    run_pipe *pp = c->pipe;
    int rc = read_all(c);
    if (!rc) rc = pipe_flush(c);
    pthread_mutex_lock(&pp->mu);
    pp->rc = rc;
    pp->done = 1;
    pthread_cond_broadcast(&pp->cv);
    pthread_mutex_unlock(&pp->mu);
    return NULL;
}

static void finalize_reads(run_ctx *c)
{
    sqlite3_stmt **sts[] = { &c->sig, &c->trait_scan, &c->trait_probe, &c->existing, &c->hist, &c->mutes,
                             &c->mute_scan };
    for (size_t i = 0; i < sizeof sts / sizeof sts[0]; i++) { sqlite3_finalize(*sts[i]); *sts[i] = NULL; }
    mmr_resp_loader_free(c->resp);
    c->resp = NULL;
}

static int run_piped(run_ctx *c)
{
    run_pipe *pp = calloc(1, sizeof *pp);
    if (!pp) { oom(c->d); return -1; }
    for (int i = 0; i < PIPE_NB; i++) mmr_buf_init(&pp->b[i].text);
    pthread_mutex_init(&pp->mu, NULL);
    pthread_cond_init(&pp->cv, NULL);
    c->pipe = pp;
    mmr_diags wd;                      /* the writer's; c->d is the reader's */
    mmr_diags_init(&wd);
    int wrc = 0;
    pthread_t th;
    if (pthread_create(&th, NULL, reader_main, c) != 0) {
        mmr_diag_add(c->d, MMR_SEV_ERROR, "", 0, 0, "cannot start the reader thread");
        wrc = -1;
    } else {
        for (;;) {
            pthread_mutex_lock(&pp->mu);
            while (pp->consumed == pp->filled && !pp->done) pthread_cond_wait(&pp->cv, &pp->mu);
            int drained = pp->consumed == pp->filled, failed = pp->done && pp->rc;
            pthread_mutex_unlock(&pp->mu);
            if (drained) break;
            if (!wrc && !failed) wrc = write_batch(c, &wd, &pp->b[pp->consumed % PIPE_NB]);
            pthread_mutex_lock(&pp->mu);
            pp->consumed++;
            if (wrc) pp->abort = 1;
            pthread_cond_broadcast(&pp->cv);
            pthread_mutex_unlock(&pp->mu);
        }
        pthread_join(th, NULL);
    }
    int rc = wrc || pp->rc ? -1 : 0;
    mmr_diags_append(c->d, &wd);
    mmr_diags_free(&wd);
    /* the reader's snapshot must end before the commit */
    finalize_reads(c);
    mmr_db_close(c->rdb);
    c->rdb = c->db;
    for (int i = 0; i < PIPE_NB; i++) { free(pp->b[i].v); mmr_buf_free(&pp->b[i].text); }
    pthread_mutex_destroy(&pp->mu);
    pthread_cond_destroy(&pp->cv);
    free(pp);
    c->pipe = NULL;
    return rc;
}

static int run_body(run_ctx *c)
{
    const mmr_run_opts *o = c->o;
    mmr_diags *d = c->d;
    mmr_db *db = c->db;
    const mmr_program *p = c->p;
    mmr_db_column *xs = calloc(p->nslots + 1, sizeof *xs), *xt = calloc(p->nslots + 1, sizeof *xt);
    size_t nxs = 0, nxt = 0;
    if (!xs || !xt) { free(xs); free(xt); oom(d); return -1; }
    for (uint32_t i = 0; i < p->nslots; i++) {
        mmr_db_column col = { p->slots[i].name, p->slots[i].type };
        if (p->slots[i].is_trait) xt[nxt++] = col; else xs[nxs++] = col;
    }
    int v0 = 0;
    int rc = mmr_db_version(db, &v0, d);
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
    if (record_ruleset(c)) return -1;

    /* the snapshot date */
    mmr_snap_user first = {0};
    int have_first = 0;
    /* Two threads when the schema was there before this transaction (the
     * reader's connection cannot see tables this transaction creates). */
    int piped = !db->readonly && !o->dry_run && v0 == MMR_DB_SCHEMA_VERSION && strcmp(db->path, ":memory:") != 0;
    if (piped) {
        if (mmr_db_open(&c->rdb, o->db_path, MMR_DB_OPEN_RO, o->busy_ms, d)) return -1;
        /* sequential scans and point look-ups: a small cache is enough */
        if (mmr_db_exec(c->rdb, "PRAGMA cache_size=-16384", d) || mmr_db_begin(c->rdb, d)) return -1;
    } else {
        c->rdb = db;
    }
    if (o->as_of) snprintf(c->as_of, sizeof c->as_of, "%s", o->as_of);
    if (o->signals_path) {
        c->snap = mmr_snapshot_open(o->signals_path, -1, p, d);
        if (!c->snap) return -1;
        mmr_vm_clear_inputs(&c->vm);
        int r = mmr_snapshot_next(c->snap, c->vm.regs, &c->ua, &first, d);
        if (r < 0) return -1;
        have_first = r == 1;
        if (!o->as_of) {
            if (have_first && first.as_of) snprintf(c->as_of, sizeof c->as_of, "%s", first.as_of);
            else mmr_date_format(o->now, c->as_of);
        }
    } else if (!o->as_of) {
        if (latest_as_of(c)) return -1;
    } else {
        int any;
        if (scalar_exists(c, "SELECT 1 FROM mm_signal_daily WHERE as_of = ?1 LIMIT 1", c->as_of, &any)) return -1;
        if (!any) {
            mmr_diag_add(d, MMR_SEV_ERROR, db->path, 0, 0, "mm_signal_daily has no rows for as_of %s", c->as_of);
            return -1;
        }
    }
    snprintf(c->st->as_of, sizeof c->st->as_of, "%s", c->as_of);

    /* A run is one transaction, so a committed run record for this date is
     * the only way candidates for it can exist. */
    if (scalar_exists(c, "SELECT 1 FROM mm_run WHERE as_of = ?1 LIMIT 1", c->as_of, &c->rerun) ||
        scalar_exists(c, "SELECT 1 FROM mm_nudge_delivery_log LIMIT 1", NULL, &c->has_history) ||
        scalar_exists(c, "SELECT 1 FROM mm_user_suppression LIMIT 1", NULL, &c->has_mutes) ||
        scalar_exists(c, "SELECT 1 FROM mm_user_traits LIMIT 1", NULL, &c->has_traits))
        return -1;
    int ts = mmr_program_find_slot(p, "tz");
    c->tz_slot = ts >= 0 && p->slots[ts].is_trait && p->slots[ts].type == MMR_T_TEXT ? ts : -1;
    if (!(c->used = mmr_used_slots(p, c->tz_slot)) || prepare_per_rule(c)) { oom(d); return -1; }
    if (prepare_all(c)) return -1;
    c->horizon = p->policy.window_s;
    for (uint32_t i = 0; i < p->nrules; i++) if (p->rules[i].cooldown_s > c->horizon) c->horizon = p->rules[i].cooldown_s;
    mmr_time_format(o->now - c->horizon, c->horizon_text);

    if (!db->readonly) {
        sqlite3_stmt *st;
        if (mmr_db_prepare(db, &st, "INSERT INTO mm_run(as_of, now, ruleset_hash, source, status) "
                                    "VALUES (?1, ?2, ?3, ?4, 'running')", d)) return -1;
        sqlite3_bind_text(st, 1, c->as_of, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, c->now_text, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, c->hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, o->signals_path ? o->signals_path : "mm_signal_daily", -1, SQLITE_STATIC);
        int r = sqlite3_step(st);
        sqlite3_finalize(st);
        if (r != SQLITE_DONE) { mmr_db_error(db, d, "writing mm_run"); return -1; }
        c->run_id = sqlite3_last_insert_rowid(db->h);
        if (prepare_writes(c)) return -1;
        /* The run's events get the ids after the outbox's last (rows are
         * never deleted and this transaction holds the write lock); the
         * reader spools their payloads for the publisher. Checked after
         * the writes: any mismatch publishes from the outbox instead. */
        if (last_id(c, "mm_event_outbox", "event_id", &c->spool_first)) return -1;
        c->spool_first++;
        c->next_event = c->spool_first;
        if (last_id(c, "mm_nudge_delivery_log", "seq", &c->next_seq)) return -1;
        c->next_seq++;
        c->spool = tmpfile();
    }

    if (!o->signals_path) {
        int r = sqlite3_step(c->trait_scan);
        if (r == SQLITE_ROW) c->trait_row = 1;
        else if (r != SQLITE_DONE) { mmr_db_error(c->rdb, d, "reading mm_user_traits"); return -1; }
        r = c->has_mutes ? sqlite3_step(c->mute_scan) : SQLITE_DONE;
        if (r == SQLITE_ROW) c->mute_row = 1;
        else if (r != SQLITE_DONE) { mmr_db_error(c->rdb, d, "reading mm_user_suppression"); return -1; }
    }
    c->have_first = have_first;
    c->first = first;
    if (piped) {
        if (run_piped(c)) return -1;
    } else if (read_all(c) || (!o->dry_run && solo_flush(c))) {
        return -1;
    }
    progress(c, 1);

    if (c->spool) {
        int64_t last;
        if (last_id(c, "mm_event_outbox", "event_id", &last)) return -1;
        if (c->spool_bad || fflush(c->spool) || ferror(c->spool) ||
            last != c->spool_first + (int64_t)c->spool_n - 1) {
            fclose(c->spool);
            c->spool = NULL;
        }
    }

    if (!db->readonly) {
        sqlite3_stmt *st;
        if (mmr_db_prepare(db, &st, "UPDATE mm_run SET status='done', users=?2, candidates=?3, delivered=?4, "
                                    "suppressed=?5 WHERE run_id=?1", d)) return -1;
        sqlite3_bind_int64(st, 1, c->run_id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)c->st->users);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)c->st->candidates);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)c->st->delivered);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)c->st->suppressed);
        int r = sqlite3_step(st);
        sqlite3_finalize(st);
        if (r != SQLITE_DONE) { mmr_db_error(db, d, "writing mm_run"); return -1; }
    }
    return 0;
}

/* The run's transaction leaves its rows in the WAL. Copying them into the
 * database file (the checkpoint) is done by a second connection while this
 * one publishes the outbox: a checkpoint and a writer can work at the same
 * time in WAL mode. The run's connection has wal_autocheckpoint off, so
 * its commit does not do the copy itself; whatever this checkpoint leaves
 * (it is PASSIVE: it never waits) is done when the last connection
 * closes, or by the next writer. Failures here lose nothing: the
 * committed rows are in the WAL either way. */
typedef struct ckpt_job { const char *path; pthread_t th; int started; } ckpt_job;

static void *ckpt_main(void *arg)
{
    ckpt_job *j = arg;
    sqlite3 *h = NULL;
    /* reading the schema first opens the WAL (a connection that has read
     * nothing does not know the file is in WAL mode) */
    if (sqlite3_open_v2(j->path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK &&
        sqlite3_exec(h, "PRAGMA schema_version", NULL, NULL, NULL) == SQLITE_OK)
        sqlite3_wal_checkpoint_v2(h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    sqlite3_close_v2(h);
    return NULL;
}

/* PRAGMA quick_check on a connection of its own, beside the evaluation
 * (it reads every page: a fifth of a run's time at 1M users). The run
 * commits only if it finds the file sound. */
typedef struct check_job {
    const char *path;
    int busy_ms;
    pthread_t th;
    int started, rc;
    mmr_diags d;
} check_job;

static void *check_main(void *arg)
{
    check_job *j = arg;
    mmr_db *db = NULL;
    /* each page is read once: a small cache will do */
    j->rc = mmr_db_open(&db, j->path, MMR_DB_OPEN_RO, j->busy_ms, &j->d) ||
            mmr_db_exec(db, "PRAGMA cache_size=-2048", &j->d) || mmr_db_quick_check(db, &j->d) ? -1 : 0;
    mmr_db_close(db);
    return NULL;
}

/* Wait for the check; 0 sound (or never started), -1 with its errors. */
static int check_join(check_job *j, mmr_diags *d)
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
static int publish(const mmr_run_opts *o, mmr_db *db, const mmr_outbox_opts *base, mmr_run_stats *st, mmr_diags *d)
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

int mmr_run(const mmr_run_opts *o, mmr_run_stats *st, mmr_diags *d)
{
    memset(st, 0, sizeof *st);
    run_ctx c;
    memset(&c, 0, sizeof c);
    c.o = o; c.st = st; c.d = d; c.p = o->prog;
    c.t0 = mmr_mono_now();
    c.trait_tz_col = -1;
    c.tz_slot = -1;
    if (o->as_of && !mmr_snap_date_ok(o->as_of, strlen(o->as_of))) {
        mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "--as-of %s: not a date (YYYY-MM-DD)", o->as_of);
        return -1;
    }
    mmr_time_format(o->now, c.now_text);
    mmr_ruleset_hash(c.p, c.hash);
    mmr_arena_init(&c.ua, 0);
    mmr_decide_result_init(&c.res);
    mmr_buf_init(&c.buf);
    mmr_buf_init(&c.kmeta);
    mmr_buf_init(&c.solo.text);
    if (mmr_vm_init(&c.vm, c.p)) { oom(d); ctx_free(&c); return -1; }
    c.tzc = mmr_tz_cache_new(o->zoneinfo);
    if (!c.tzc) { oom(d); ctx_free(&c); return -1; }

    int mode = MMR_DB_OPEN_RW;
    if (o->dry_run) mode = access(o->db_path, F_OK) == 0 ? MMR_DB_OPEN_RO : MMR_DB_OPEN_MEMORY;
    if (mmr_db_open(&c.db, o->db_path, mode, o->busy_ms, d)) { ctx_free(&c); return -1; }
    if (mode == MMR_DB_OPEN_MEMORY) {
        mmr_diag_add(d, MMR_SEV_NOTE, o->db_path, 0, 0, "no such database: the dry run starts from an empty state");
    }
    /* the checkpoint after the commit is done by ckpt_main */
    int rc = mode == MMR_DB_OPEN_RW ? mmr_db_exec(c.db, "PRAGMA wal_autocheckpoint=0", d) : 0;
    check_job ck_db = { o->db_path, o->busy_ms, 0, 0, 0, {0} };
    mmr_diags_init(&ck_db.d);
    if (!rc && mode != MMR_DB_OPEN_MEMORY)
        ck_db.started = pthread_create(&ck_db.th, NULL, check_main, &ck_db) == 0;
    /* events are for Redis when this run has it, or while a `mmr serve
     * --redis` is there to publish them (its relay) */
    c.want_redis = o->redis_url != NULL;
    if (!rc && !c.want_redis && mode == MMR_DB_OPEN_RW) {
        mmr_lease_self me;
        if (!o->lease) mmr_lease_self_init(&me, "mmr run");
        int h = mmr_lease_held(c.db, MMR_LEASE_RELAY_REDIS, o->lease ? o->lease : &me, d);
        if (h < 0) rc = -1;
        c.want_redis = h == 1;
    }
    /* Due deferrals first, committed on their own: the run's reader (a
     * second connection) then sees them in the history (cooldown, cap),
     * and their events are published with the run's. */
    if (!rc && mode == MMR_DB_OPEN_RW) {
        mmr_release_stats rs;
        rc = mmr_deferred_release(c.db, c.p, o->now, c.want_redis, &rs, d);
        st->released = rs.delivered;
        st->release_suppressed = rs.suppressed;
    }
    if (!rc) rc = mmr_db_begin(c.db, d);
    if (!rc) {
        rc = run_body(&c);
        /* a damaged file is refused before anything is committed */
        if (check_join(&ck_db, d)) rc = -1;
        /* the commit gives the "evaluate" lease back (fails if it is no
         * longer ours) */
        static const char *const eval_lease[1] = { "evaluate" };
        if (!rc && !c.db->readonly && o->lease && o->lease_evaluate) rc = mmr_lease_check(c.db, eval_lease, 1, o->lease, 0, d);
        if (!rc && !c.db->readonly) {
            rc = mmr_db_commit(c.db, d);
            st->committed = rc == 0 && mode != MMR_DB_OPEN_MEMORY;
        } else mmr_db_rollback(c.db);
    }
    /* statements must go before the publish phase's transactions */
    mmr_db *db = c.db;
    if (c.rdb == c.db) c.rdb = NULL;
    c.db = NULL;
    FILE *spool = !rc && st->committed ? c.spool : NULL;
    if (spool) c.spool = NULL;
    ctx_free(&c);
    ckpt_job ck = { o->db_path, 0, 0 };
    if (!rc && !db->readonly && mode != MMR_DB_OPEN_MEMORY) {
        ck.started = pthread_create(&ck.th, NULL, ckpt_main, &ck) == 0;
        mmr_outbox_opts oo = { .out = o->events_out, .events_path = o->events_path,
                               .redis_configured = c.want_redis, .now_text = c.now_text,
                               .spool = spool, .spool_first = c.spool_first, .spool_n = spool ? c.spool_n : 0 };
        if (publish(o, db, &oo, st, d)) rc = -1;
    }
    if (check_join(&ck_db, d)) rc = -1;
    if (o->dry_run && o->events_out) fflush(o->events_out);
    if (spool) fclose(spool);
    if (ck.started) pthread_join(ck.th, NULL);
    mmr_db_close(db);
    st->elapsed_s = mmr_mono_now() - c.t0;
    return rc;
}
