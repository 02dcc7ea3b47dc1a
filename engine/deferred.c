/* Releasing deferred deliveries (docs/engine.md, "Deferred delivery").
 *
 * A run stores a candidate held only by quiet hours as status 'deferred'
 * plus a row of mm_nudge_deferred (its texts and deliver_at). Releasing
 * turns every due row into a delivery and an outbox event, or into a
 * suppression when mutes, cooldown or the cap no longer allow it, and
 * deletes the row: all in one transaction, so each deferral is released
 * exactly once however many processes (run, server relay) try.
 */
#include "engine/run.h"
#include "engine/uuid.h"
#include "util/timeutil.h"
#include <stdio.h>
#include <string.h>

typedef struct rel_stmts {
    sqlite3_stmt *due, *mute, *cool, *cap, *deliver, *event, *cand, *drop;
} rel_stmts;

static void rel_free(rel_stmts *s)
{
    sqlite3_stmt *v[] = { s->due, s->mute, s->cool, s->cap, s->deliver, s->event, s->cand, s->drop };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) sqlite3_finalize(v[i]);
}

static int rel_prepare(mmr_db *db, rel_stmts *s, mmr_diags *d)
{
    /* per user in priority order, as mmr_decide takes candidates */
    return mmr_db_prepare(db, &s->due,
               "SELECT f.as_of, f.user_id, f.rule_id, m.name, m.cooldown_s, f.title, f.body, f.category, f.meta_json,"
               " f.cap_max, f.cap_window_s, f.rule_key"
               " FROM mm_nudge_deferred f JOIN mm_nudge_rule_master m USING (rule_id)"
               " WHERE f.deliver_at <= ?1 ORDER BY f.user_id, m.priority DESC, m.name, f.as_of, f.rule_key", d) ||
           mmr_db_prepare(db, &s->mute,
               "SELECT 1 FROM mm_user_suppression WHERE user_id = ?1 AND category = ?2", d) ||
           mmr_db_prepare(db, &s->cool,
               "SELECT 1 FROM mm_nudge_delivery_log WHERE user_id = ?1 AND rule_id = ?2 AND delivered_at > ?3"
               " AND (rule_key = ?4 OR rule_key = '' OR ?4 = '') LIMIT 1", d) ||
           mmr_db_prepare(db, &s->cap,
               "SELECT count(*) FROM mm_nudge_delivery_log WHERE user_id = ?1 AND delivered_at > ?2", d) ||
           mmr_db_prepare(db, &s->deliver,
               "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category,"
               " meta_json, delivered_at, rule_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", d) ||
           mmr_db_prepare(db, &s->event,
               "INSERT INTO mm_event_outbox(delivery_seq, want_redis) VALUES (?1, ?2)", d) ||
           mmr_db_prepare(db, &s->cand,
               "UPDATE mm_nudge_candidate SET status = ?4, suppression_reason = ?5"
               " WHERE as_of = ?1 AND user_id = ?2 AND rule_id = ?3 AND rule_key = ?6 AND status = 'deferred'", d) ||
           mmr_db_prepare(db, &s->drop,
               "DELETE FROM mm_nudge_deferred WHERE as_of = ?1 AND user_id = ?2 AND rule_id = ?3 AND rule_key = ?4", d)
           ? -1 : 0;
}

/* 1 if the statement (bound by the caller) gives a row, 0 if not, -1. */
static int probe(mmr_db *db, sqlite3_stmt *s, mmr_diags *d, const char *what)
{
    int r = sqlite3_step(s);
    sqlite3_reset(s);
    if (r == SQLITE_ROW) return 1;
    if (r == SQLITE_DONE) return 0;
    mmr_db_error(db, d, what);
    return -1;
}

static int step_done(mmr_db *db, sqlite3_stmt *s, mmr_diags *d, const char *what)
{
    int r = sqlite3_step(s);
    sqlite3_reset(s);
    if (r == SQLITE_DONE) return 0;
    mmr_db_error(db, d, what);
    return -1;
}

#define COL(i) ((const char *)sqlite3_column_text(s->due, (i)))

/* One due deferral (the current row of s->due). */
static int release_one(mmr_db *db, rel_stmts *s, const mmr_program *p, int64_t now, const char *now_text,
                       int want_redis, mmr_release_stats *rs, mmr_diags *d)
{
    const char *as_of = COL(0), *user = COL(1), *rule = COL(3), *cat = COL(7);
    const char *key = COL(11);                   /* '' for a keyless rule */
    size_t key_len = (size_t)sqlite3_column_bytes(s->due, 11);
    int64_t rule_id = sqlite3_column_int64(s->due, 2), cooldown = sqlite3_column_int64(s->due, 4);
    char t[MMR_TIME_BUF];
    mmr_reason why = MMR_REASON_NONE;
    int r;

    sqlite3_bind_text(s->mute, 1, user, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s->mute, 2, cat, -1, SQLITE_TRANSIENT);
    if ((r = probe(db, s->mute, d, "reading mm_user_suppression")) < 0) return -1;
    if (r) why = MMR_REASON_MUTED;
    if (!why && cooldown > 0) {
        sqlite3_bind_text(s->cool, 1, user, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s->cool, 2, rule_id);
        sqlite3_bind_text(s->cool, 3, mmr_time_format(now - cooldown, t), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s->cool, 4, key ? key : "", (int)key_len, SQLITE_TRANSIENT);
        if ((r = probe(db, s->cool, d, "reading mm_nudge_delivery_log")) < 0) return -1;
        if (r) why = MMR_REASON_COOLDOWN;
    }
    if (!why) {
        /* the program's cap, else the one the deferral was made under;
         * neither (a deferral from schema 6 released without the
         * ruleset): not known, so not checked */
        int known = p || sqlite3_column_type(s->due, 9) != SQLITE_NULL;
        int64_t cap = p ? p->policy.max_nudges : sqlite3_column_int64(s->due, 9);
        int64_t window = p ? p->policy.window_s : sqlite3_column_int64(s->due, 10);
        if (known) {
            sqlite3_bind_text(s->cap, 1, user, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s->cap, 2, mmr_time_format(now - window, t), -1, SQLITE_TRANSIENT);
            r = sqlite3_step(s->cap);
            int64_t n = r == SQLITE_ROW ? sqlite3_column_int64(s->cap, 0) : 0;
            sqlite3_reset(s->cap);
            if (r != SQLITE_ROW) { mmr_db_error(db, d, "reading mm_nudge_delivery_log"); return -1; }
            if (n >= cap) why = MMR_REASON_DAILY_CAP;
        }
    }
    if (!why) {
        char did[MMR_UUID_STR];
        mmr_delivery_id_key(user, rule, as_of, key, key_len, did);
        sqlite3_stmt *v = s->deliver;
        sqlite3_bind_text(v, 1, did, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(v, 2, user, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(v, 3, rule_id);
        sqlite3_bind_text(v, 4, as_of, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(v, 5, COL(5), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(v, 6, COL(6), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(v, 7, cat, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(v, 8, COL(8), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(v, 9, now_text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(v, 10, key ? key : "", (int)key_len, SQLITE_TRANSIENT);
        if (step_done(db, v, d, "writing mm_nudge_delivery_log")) return -1;
        sqlite3_bind_int64(s->event, 1, sqlite3_last_insert_rowid(db->h));
        sqlite3_bind_int(s->event, 2, want_redis ? 1 : 0);
        if (step_done(db, s->event, d, "writing mm_event_outbox")) return -1;
        rs->delivered++;
    } else {
        rs->suppressed++;
        rs->by_reason[why]++;
    }
    sqlite3_stmt *c = s->cand;
    sqlite3_bind_text(c, 1, as_of, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(c, 2, user, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(c, 3, rule_id);
    sqlite3_bind_text(c, 4, why ? "suppressed" : "delivered", -1, SQLITE_STATIC);
    if (why) sqlite3_bind_text(c, 5, mmr_reason_name(why), -1, SQLITE_STATIC);
    else sqlite3_bind_null(c, 5);
    sqlite3_bind_text(c, 6, key ? key : "", (int)key_len, SQLITE_TRANSIENT);
    if (step_done(db, c, d, "writing mm_nudge_candidate")) return -1;
    sqlite3_bind_text(s->drop, 1, as_of, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s->drop, 2, user, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s->drop, 3, rule_id);
    sqlite3_bind_text(s->drop, 4, key ? key : "", (int)key_len, SQLITE_TRANSIENT);
    return step_done(db, s->drop, d, "writing mm_nudge_deferred");
}

int mmr_deferred_release(mmr_db *db, const mmr_program *p, int64_t now, int want_redis,
                         mmr_release_stats *rs, mmr_diags *d)
{
    memset(rs, 0, sizeof *rs);
    if (db->readonly) return 0;
    if (mmr_db_begin(db, d)) return -1;
    /* a database from before schema 6 has nothing deferred */
    int ex = mmr_db_table_exists(db, "mm_nudge_deferred", d);
    if (ex <= 0) { mmr_db_rollback(db); return ex; }
    /* a deferral of an older schema (before rule_key, 8) is read in the
     * current one: the migration the run would make, in this transaction */
    int v;
    if (mmr_db_version(db, &v, d) ||
        (v >= 1 && v < MMR_DB_SCHEMA_VERSION && mmr_db_migrate(db, NULL, 0, NULL, 0, d))) {
        mmr_db_rollback(db);
        return -1;
    }
    /* a table removed by hand: the same message as the run's own check */
    if (mmr_db_check_tables(db, d)) { mmr_db_rollback(db); return -1; }
    rel_stmts s;
    memset(&s, 0, sizeof s);
    char now_text[MMR_TIME_BUF];
    mmr_time_format(now, now_text);
    int rc = rel_prepare(db, &s, d);
    if (!rc) {
        sqlite3_bind_text(s.due, 1, now_text, -1, SQLITE_STATIC);
        int r;
        /* the rows are changed while the scan is open: SQLite reads the
         * ordered result (a sort) before the first row is returned */
        while (!rc && (r = sqlite3_step(s.due)) == SQLITE_ROW)
            rc = release_one(db, &s, p, now, now_text, want_redis, rs, d);
        if (!rc && r != SQLITE_DONE) { mmr_db_error(db, d, "reading mm_nudge_deferred"); rc = -1; }
    }
    rel_free(&s);
    if (!rc && (rs->delivered || rs->suppressed)) rc = mmr_db_commit(db, d);
    else mmr_db_rollback(db);
    if (rc) memset(rs, 0, sizeof *rs);
    return rc;
}
