/* mmr_deferred_release (engine/deferred.c): due deferrals become a
 * delivery + event exactly once, or a suppression when mutes or cooldown
 * say no; early ones wait. */
#include "t.h"
#include "engine/db.h"
#include "engine/run.h"
#include "engine/uuid.h"
#include "util/timeutil.h"
#include <stdlib.h>

static int count(mmr_db *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK) return -1;
    int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    return n;
}

static int exec_ok(mmr_db *db, const char *sql)
{
    return sqlite3_exec(db->h, sql, NULL, NULL, NULL) == SQLITE_OK;
}

/* The first column of the first row, or "" (static buffer). */
static const char *text(mmr_db *db, const char *sql)
{
    static char out[512];
    out[0] = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK) return "(bad sql)";
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

static int64_t at(const char *iso)
{
    int64_t t = 0;
    mmr_time_parse(iso, strlen(iso), &t, NULL);
    return t;
}

static void test_release(void)
{
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_db *db;
    T_EQ_INT(mmr_db_open(&db, "x", MMR_DB_OPEN_MEMORY, 0, &d), 0);
    T_EQ_INT(mmr_db_begin(db, &d), 0);
    T_EQ_INT(mmr_db_migrate(db, NULL, 0, NULL, 0, &d), 0);
    T_EQ_INT(mmr_db_commit(db, &d), 0);
    /* u1 plain, u2 muted budget meanwhile, u3 got the rule (3-day
     * cooldown) an hour before the release */
    T_CHECK(exec_ok(db,
        "INSERT INTO mm_nudge_rule_master(rule_id, name, category, priority, cooldown_days, cooldown_s, ruleset_hash, updated_at)"
        "  VALUES (1, 'budget_drift', 'budget', 50, 3, 259200, 'h', 't');"
        "INSERT INTO mm_run(run_id, as_of, now, ruleset_hash, source, status) VALUES (1, '2025-10-26', 't', 'h', 's', 'done');"
        "INSERT INTO mm_nudge_candidate(as_of, user_id, rule_id, status, suppression_reason, priority, run_id) VALUES ('2025-10-26', 'u1', 1, 'deferred', NULL, 50, 1),"
        "  ('2025-10-26', 'u2', 1, 'deferred', NULL, 50, 1), ('2025-10-26', 'u3', 1, 'deferred', NULL, 50, 1);"
        "INSERT INTO mm_nudge_deferred(as_of, user_id, rule_id, deliver_at, title, body, category, meta_json, cap_max, cap_window_s) VALUES"
        "  ('2025-10-26', 'u1', 1, '2025-10-26T12:00:00Z', 'T', 'B', 'budget', '{}', NULL, NULL),"
        "  ('2025-10-26', 'u2', 1, '2025-10-26T12:00:00Z', 'T', 'B', 'budget', '{}', NULL, NULL),"
        "  ('2025-10-26', 'u3', 1, '2025-10-26T12:00:00Z', 'T', 'B', 'budget', '{}', NULL, NULL),"
        "  ('2025-10-26', 'u4', 1, '2025-10-26T20:00:00Z', 'T', 'B', 'budget', '{}', NULL, NULL),"
        /* released without the ruleset: the stored cap (1 a day) counts;
         * u5 had another nudge two hours before, u6 one 25 hours before */
        "  ('2025-10-26', 'u5', 1, '2025-10-26T12:00:00Z', 'T', 'B', 'budget', '{}', 1, 86400),"
        "  ('2025-10-26', 'u6', 1, '2025-10-26T12:00:00Z', 'T', 'B', 'budget', '{}', 1, 86400);"
        "INSERT INTO mm_nudge_candidate(as_of, user_id, rule_id, status, suppression_reason, priority, run_id) VALUES ('2025-10-26', 'u5', 1, 'deferred', NULL, 50, 1),"
        "  ('2025-10-26', 'u6', 1, 'deferred', NULL, 50, 1);"
        "INSERT INTO mm_nudge_rule_master(rule_id, name, category, priority, cooldown_days, cooldown_s, ruleset_hash, updated_at)"
        "  VALUES (2, 'other', 'savings', 40, 0, 0, 'h', 't');"
        "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json, delivered_at)"
        "  VALUES ('o5', 'u5', 2, '2025-10-26', 'T', 'B', 'savings', '{}', '2025-10-26T10:00:00Z'),"
        "         ('o6', 'u6', 2, '2025-10-25', 'T', 'B', 'savings', '{}', '2025-10-25T11:00:00Z');"
        "INSERT INTO mm_user_suppression VALUES ('u2', 'budget', '2025-10-26T10:00:00Z');"
        "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json, delivered_at)"
        "  VALUES ('old', 'u3', 1, '2025-10-25', 'T', 'B', 'budget', '{}', '2025-10-26T11:00:00Z');"));
    /* a deferral with no candidate row of its own is fine to hold (u4) */
    mmr_release_stats rs;
    /* one second early: nothing moves */
    T_EQ_INT(mmr_deferred_release(db, NULL, at("2025-10-26T11:59:59Z"), 0, &rs, &d), 0);
    T_EQ_INT((int)rs.delivered, 0);
    T_EQ_INT((int)rs.suppressed, 0);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_nudge_deferred"), 6);

    T_EQ_INT(mmr_deferred_release(db, NULL, at("2025-10-26T12:00:00Z"), 1, &rs, &d), 0);
    T_EQ_INT((int)rs.delivered, 2);
    T_EQ_INT((int)rs.suppressed, 3);
    T_EQ_INT((int)rs.by_reason[MMR_REASON_MUTED], 1);
    T_EQ_INT((int)rs.by_reason[MMR_REASON_COOLDOWN], 1);
    T_EQ_INT((int)rs.by_reason[MMR_REASON_DAILY_CAP], 1);
    char did[MMR_UUID_STR];
    mmr_delivery_id("u1", "budget_drift", "2025-10-26", did);
    T_EQ_STR(text(db, "SELECT delivery_id FROM mm_nudge_delivery_log WHERE user_id = 'u1'"), did);
    T_EQ_STR(text(db, "SELECT delivered_at FROM mm_nudge_delivery_log WHERE user_id = 'u1'"), "2025-10-26T12:00:00Z");
    T_EQ_STR(text(db, "SELECT group_concat(o.want_redis || ':' || d.user_id) FROM mm_event_outbox o"
                      " JOIN mm_nudge_delivery_log d ON d.seq = o.delivery_seq"), "1:u1,1:u6");
    T_EQ_STR(text(db, "SELECT group_concat(user_id || '=' || status || '/' || coalesce(suppression_reason, '-'), ' ')"
                      " FROM (SELECT * FROM mm_nudge_candidate ORDER BY user_id)"),
             "u1=delivered/- u2=suppressed/muted u3=suppressed/cooldown u5=suppressed/daily_cap u6=delivered/-");
    T_EQ_STR(text(db, "SELECT group_concat(user_id) FROM mm_nudge_deferred"), "u4");

    /* exactly once: again at the same time, nothing more */
    T_EQ_INT(mmr_deferred_release(db, NULL, at("2025-10-26T12:00:00Z"), 1, &rs, &d), 0);
    T_EQ_INT((int)(rs.delivered + rs.suppressed), 0);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_event_outbox"), 2);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_nudge_delivery_log WHERE user_id = 'u1'"), 1);
    T_EQ_INT((int)d.errors, 0);
    mmr_db_close(db);
    mmr_diags_free(&d);
}

/* Per-key deferrals (rule_key): each key is released on its own, its
 * cooldown judged per (rule, key), a keyless delivery of the rule cooling
 * every key; the delivery id and row carry the key. */
static void test_release_keyed(void)
{
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_db *db;
    T_EQ_INT(mmr_db_open(&db, "x", MMR_DB_OPEN_MEMORY, 0, &d), 0);
    T_EQ_INT(mmr_db_begin(db, &d), 0);
    T_EQ_INT(mmr_db_migrate(db, NULL, 0, NULL, 0, &d), 0);
    T_EQ_INT(mmr_db_commit(db, &d), 0);
    T_CHECK(exec_ok(db,
        "INSERT INTO mm_nudge_rule_master(rule_id, name, category, priority, cooldown_days, cooldown_s, ruleset_hash, updated_at)"
        "  VALUES (1, 'category_overspend', 'budget', 50, 3, 259200, 'h', 't');"
        "INSERT INTO mm_run(run_id, as_of, now, ruleset_hash, source, status) VALUES (1, '2025-10-26', 't', 'h', 's', 'done');"
        "INSERT INTO mm_nudge_candidate(as_of, user_id, rule_id, rule_key, status, priority, run_id) VALUES"
        "  ('2025-10-26', 'k1', 1, 'Food', 'deferred', 50, 1), ('2025-10-26', 'k1', 1, 'Travel', 'deferred', 50, 1),"
        "  ('2025-10-26', 'k2', 1, 'Food', 'deferred', 50, 1);"
        "INSERT INTO mm_nudge_deferred(as_of, user_id, rule_id, rule_key, deliver_at, title, body, category, meta_json) VALUES"
        "  ('2025-10-26', 'k1', 1, 'Food', '2025-10-26T12:00:00Z', 'F', 'B', 'budget', '{\"key\":\"Food\"}'),"
        "  ('2025-10-26', 'k1', 1, 'Travel', '2025-10-26T12:00:00Z', 'T', 'B', 'budget', '{\"key\":\"Travel\"}'),"
        "  ('2025-10-26', 'k2', 1, 'Food', '2025-10-26T12:00:00Z', 'F', 'B', 'budget', '{\"key\":\"Food\"}');"
        /* k1 got Food yesterday (cools Food only); k2 the keyless rule */
        "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, rule_key, as_of, title, body, category, meta_json, delivered_at)"
        "  VALUES ('f1', 'k1', 1, 'Food', '2025-10-25', 'T', 'B', 'budget', '{}', '2025-10-25T12:00:00Z'),"
        "         ('f2', 'k2', 1, '', '2025-10-25', 'T', 'B', 'budget', '{}', '2025-10-25T12:00:00Z');"));
    mmr_release_stats rs;
    T_EQ_INT(mmr_deferred_release(db, NULL, at("2025-10-26T12:00:00Z"), 0, &rs, &d), 0);
    T_EQ_INT((int)rs.delivered, 1);
    T_EQ_INT((int)rs.by_reason[MMR_REASON_COOLDOWN], 2);
    T_EQ_STR(text(db, "SELECT group_concat(user_id || '[' || rule_key || ']=' || status || '/' || coalesce(suppression_reason, '-'), ' ')"
                      " FROM (SELECT * FROM mm_nudge_candidate ORDER BY user_id, rule_key)"),
             "k1[Food]=suppressed/cooldown k1[Travel]=delivered/- k2[Food]=suppressed/cooldown");
    char did[MMR_UUID_STR];
    mmr_delivery_id_key("k1", "category_overspend", "2025-10-26", "Travel", 6, did);
    T_EQ_STR(text(db, "SELECT delivery_id || ' ' || rule_key || ' ' || meta_json FROM mm_nudge_delivery_log"
                      " WHERE delivered_at = '2025-10-26T12:00:00Z'"),
             "399a5672-e76a-587a-9dae-1b3a28691bb9 Travel {\"key\":\"Travel\"}");
    T_EQ_STR(did, "399a5672-e76a-587a-9dae-1b3a28691bb9");
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_nudge_deferred"), 0);
    T_EQ_INT(count(db, "SELECT count(*) FROM mm_event_outbox"), 1);
    T_EQ_INT((int)d.errors, 0);
    mmr_db_close(db);
    mmr_diags_free(&d);
}

/* A database from before schema 6 has nothing to release and is left as
 * it is (the run migrates it afterwards). */
static void test_old_schema(void)
{
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_db *db;
    T_EQ_INT(mmr_db_open(&db, "x", MMR_DB_OPEN_MEMORY, 0, &d), 0);
    mmr_release_stats rs;
    T_EQ_INT(mmr_deferred_release(db, NULL, 0, 0, &rs, &d), 0);
    T_EQ_INT((int)rs.delivered, 0);
    T_EQ_INT((int)d.errors, 0);
    mmr_db_close(db);
    mmr_diags_free(&d);
}

int main(void)
{
    test_release();
    test_release_keyed();
    test_old_schema();
    return T_DONE("deferred");
}
