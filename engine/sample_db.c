/* mmr gen --db: the sample users in a state database. See engine/db.h. */
#include "engine/db.h"
#include "engine/sample.h"
#include "engine/uuid.h"
#include "util/buf.h"
#include "util/timeutil.h"
#include <stdlib.h>
#include <string.h>

static void json_field(mmr_buf *b, const mmr_sample_field *f)
{
    if (f->kind == MMR_SF_TEXT_LIST) {
        mmr_buf_putc(b, '[');
        for (size_t i = 0; i < f->n; i++) {
            if (i) mmr_buf_putc(b, ',');
            mmr_buf_json_string(b, f->items[i], strlen(f->items[i]));
        }
        mmr_buf_putc(b, ']');
    } else {
        mmr_buf_putc(b, '{');
        for (size_t i = 0; i < f->n; i++) {
            if (i) mmr_buf_putc(b, ',');
            mmr_buf_json_string(b, f->keys[i], strlen(f->keys[i]));
            mmr_buf_putc(b, ':');
            mmr_buf_number(b, f->vals[i]);
        }
        mmr_buf_putc(b, '}');
    }
}

/* INSERT for the signal (is_trait 0) or trait (1) fields of u. */
static int make_insert(mmr_db *db, const mmr_sample_user *u, int traits, sqlite3_stmt **st, mmr_diags *d)
{
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_buf_printf(&b, "INSERT INTO %s(user_id%s", traits ? "mm_user_traits" : "mm_signal_daily",
                   traits ? "" : ", as_of");
    size_t n = 0;
    for (size_t i = 0; i < u->nfields; i++)
        if (u->fields[i].is_trait == traits) { mmr_buf_printf(&b, ", \"%s\"", u->fields[i].name); n++; }
    mmr_buf_puts(&b, ") VALUES (?");
    for (size_t i = 0; i < n + (traits ? 0 : 1); i++) mmr_buf_puts(&b, ", ?");
    mmr_buf_puts(&b, ")");
    int rc = b.oom ? -1 : mmr_db_prepare(db, st, b.data, d);
    mmr_buf_free(&b);
    return rc;
}

static int bind_fields(sqlite3_stmt *st, const mmr_sample_user *u, int traits, mmr_buf *scratch)
{
    int col = 1;
    sqlite3_reset(st);
    sqlite3_bind_text(st, col++, u->user_id, -1, SQLITE_STATIC);
    if (!traits) sqlite3_bind_text(st, col++, u->as_of, -1, SQLITE_STATIC);
    for (size_t i = 0; i < u->nfields; i++) {
        const mmr_sample_field *f = &u->fields[i];
        if (f->is_trait != traits) continue;
        switch (f->kind) {
        case MMR_SF_NUMBER: sqlite3_bind_double(st, col, f->num); break;
        case MMR_SF_TEXT: sqlite3_bind_text(st, col, f->text, -1, SQLITE_STATIC); break;
        case MMR_SF_TEXT_LIST:
        case MMR_SF_NUMBER_MAP:
            mmr_buf_clear(scratch);
            json_field(scratch, f);
            if (scratch->oom) return -1;
            sqlite3_bind_text(st, col, scratch->data, (int)scratch->len, SQLITE_TRANSIENT);
            break;
        default: sqlite3_bind_null(st, col); break;
        }
        col++;
    }
    return 0;
}

static const struct { const char *name, *category; int priority; int64_t cooldown_s; } sample_rules[] = {
    { "budget_drift", "budget", 50, 7 * 86400 },
    { "dining_overspend", "dining", 80, 3 * 86400 },
};

int mmr_sample_db_fill(const char *path, uint64_t n, uint64_t seed, const char *as_of, mmr_diags *d)
{
    int64_t day;
    if (mmr_date_parse(as_of, strlen(as_of), &day, NULL)) {
        mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "%s: not a date (YYYY-MM-DD)", as_of);
        return -1;
    }
    mmr_db *db;
    if (mmr_db_open(&db, path, MMR_DB_OPEN_RW, 0, d)) return -1;
    sqlite3_stmt *sig = NULL, *tr = NULL, *mute = NULL, *rule = NULL, *deliv = NULL;
    mmr_buf scratch;
    mmr_buf_init(&scratch);
    mmr_sample_user *u = malloc(sizeof *u);
    int rc = u ? mmr_db_begin(db, d) : -1;
    if (!u) mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory");
    if (!rc) rc = mmr_db_migrate(db, NULL, 0, NULL, 0, d);
    if (!rc) {
        mmr_sample_user_make(u, seed, 0, as_of);
        rc = make_insert(db, u, 0, &sig, d);
        if (!rc) rc = make_insert(db, u, 1, &tr, d);
    }
    if (!rc) rc = mmr_db_prepare(db, &mute, "INSERT OR IGNORE INTO mm_user_suppression(user_id, category, muted_at) "
                                             "VALUES (?1, ?2, ?3)", d);
    if (!rc) rc = mmr_db_prepare(db, &rule,
        "INSERT INTO mm_nudge_rule_master(name, category, priority, cooldown_days, cooldown_s, ruleset_hash, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, 'sample', ?6) ON CONFLICT(name) DO NOTHING", d);
    if (!rc) rc = mmr_db_prepare(db, &deliv,
        "INSERT OR IGNORE INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, "
        "meta_json, delivered_at) SELECT ?1, ?2, rule_id, ?3, ?4, ?5, category, '{\"sample\":true}', ?6 "
        "FROM mm_nudge_rule_master WHERE name = ?7", d);
    char before[MMR_TIME_BUF];
    mmr_time_format(day - 30 * 86400, before);
    for (size_t i = 0; !rc && i < sizeof sample_rules / sizeof *sample_rules; i++) {
        sqlite3_reset(rule);
        sqlite3_bind_text(rule, 1, sample_rules[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(rule, 2, sample_rules[i].category, -1, SQLITE_STATIC);
        sqlite3_bind_int(rule, 3, sample_rules[i].priority);
        sqlite3_bind_double(rule, 4, (double)sample_rules[i].cooldown_s / 86400.0);
        sqlite3_bind_int64(rule, 5, sample_rules[i].cooldown_s);
        sqlite3_bind_text(rule, 6, before, -1, SQLITE_STATIC);
        if (sqlite3_step(rule) != SQLITE_DONE) { mmr_db_error(db, d, "writing mm_nudge_rule_master"); rc = -1; }
    }
    for (uint64_t i = 0; !rc && i < n; i++) {
        mmr_sample_user_make(u, seed, i, as_of);
        if (bind_fields(sig, u, 0, &scratch) || bind_fields(tr, u, 1, &scratch)) {
            mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory");
            rc = -1;
            break;
        }
        if (sqlite3_step(sig) != SQLITE_DONE) { mmr_db_error(db, d, "writing mm_signal_daily"); rc = -1; break; }
        if (sqlite3_step(tr) != SQLITE_DONE) {
            if ((sqlite3_errcode(db->h) & 0xff) != SQLITE_CONSTRAINT) { mmr_db_error(db, d, "writing mm_user_traits"); rc = -1; break; }
        }
        const char *mc = i % 10 == 3 ? "dining" : i % 23 == 5 ? "shopping" : NULL;
        if (mc) {
            sqlite3_reset(mute);
            sqlite3_bind_text(mute, 1, u->user_id, -1, SQLITE_STATIC);
            sqlite3_bind_text(mute, 2, mc, -1, SQLITE_STATIC);
            sqlite3_bind_text(mute, 3, before, -1, SQLITE_STATIC);
            if (sqlite3_step(mute) != SQLITE_DONE) { mmr_db_error(db, d, "writing mm_user_suppression"); rc = -1; break; }
        }
        if (i % 8 == 1 || i % 8 == 2) {
            int dining = i % 8 == 1;
            int64_t at = dining ? day - 86400 + 10 * 3600 : day - 3 * 86400 + 9 * 3600;
            char at_s[MMR_TIME_BUF], date[MMR_TIME_BUF], did[MMR_UUID_STR];
            mmr_time_format(at, at_s);
            mmr_date_format(at, date);
            const char *rn = dining ? "dining_overspend" : "budget_drift";
            mmr_delivery_id(u->user_id, rn, date, did);
            sqlite3_reset(deliv);
            sqlite3_bind_text(deliv, 1, did, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(deliv, 2, u->user_id, -1, SQLITE_STATIC);
            sqlite3_bind_text(deliv, 3, date, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(deliv, 4, dining ? "Takeout again?" : "Your budget drifted a bit", -1, SQLITE_STATIC);
            sqlite3_bind_text(deliv, 5, "(sample history)", -1, SQLITE_STATIC);
            sqlite3_bind_text(deliv, 6, at_s, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(deliv, 7, rn, -1, SQLITE_STATIC);
            if (sqlite3_step(deliv) != SQLITE_DONE) { mmr_db_error(db, d, "writing mm_nudge_delivery_log"); rc = -1; break; }
        }
    }
    sqlite3_finalize(sig); sqlite3_finalize(tr); sqlite3_finalize(mute);
    sqlite3_finalize(rule); sqlite3_finalize(deliv);
    if (!rc) rc = mmr_db_commit(db, d);
    else mmr_db_rollback(db);
    mmr_db_close(db);
    mmr_buf_free(&scratch);
    free(u);
    return rc;
}
