/* store/userstate.c: feed pages and cursors, settings validation (nothing
 * changes on an unknown category), replace semantics, interactions only on
 * the caller's own deliveries. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "t.h"
#include "store/userstate.h"

static int count_rows(mmr_db *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int n = -1;
    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

int main(void)
{
    char path[] = "/tmp/mmr_userstate_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    mmr_diags d;
    mmr_diags_init(&d);
    T_EQ_INT(mmr_sample_db_fill(path, 20, 1, "2025-10-26", &d), 0);
    mmr_db *db = NULL;
    T_EQ_INT(mmr_db_open_state(&db, path, MMR_DB_OPEN_RW, 0, &d), 0);
    if (!db) { for (size_t i = 0; i < d.n; i++) fprintf(stderr, "%s\n", d.v[i].message); return T_DONE("userstate"); }
    /* three deliveries for p: two at the same time (ties by id) */
    T_EQ_INT(mmr_db_exec(db,
        "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json, delivered_at) "
        "SELECT 'b', 'p', rule_id, '2025-10-26', 'T', 'B', 'dining', '{}', '2025-10-26T10:00:00Z' FROM mm_nudge_rule_master LIMIT 1;"
        "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json, delivered_at) "
        "SELECT 'a', 'p', rule_id, '2025-10-25', 'T', 'B', 'dining', '{}', '2025-10-26T10:00:00Z' FROM mm_nudge_rule_master LIMIT 1;"
        "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json, delivered_at) "
        "SELECT 'c', 'p', rule_id, '2025-10-24', 'T', 'B', 'dining', '{}', '2025-10-24T10:00:00Z' FROM mm_nudge_rule_master LIMIT 1;",
        &d), 0);

    /* feed: pages of two, then the rest */
    mmr_buf items, at, id;
    mmr_buf_init(&items); mmr_buf_init(&at); mmr_buf_init(&id);
    int more = -1;
    T_EQ_INT(mmr_store_sqlite_feed(db, "p", 2, NULL, NULL, &items, &more, &at, &id, &d), MMR_STORE_OK);
    T_EQ_INT(more, 1);
    T_EQ_STR(id.data, "b");
    T_CHECK(strstr(items.data, "\"id\":\"a\"") < strstr(items.data, "\"id\":\"b\""));
    char *cat_ = strdup(at.data), *cid = strdup(id.data);
    mmr_buf_clear(&items);
    T_EQ_INT(mmr_store_sqlite_feed(db, "p", 2, cat_, cid, &items, &more, &at, &id, &d), MMR_STORE_OK);
    T_EQ_INT(more, 0);
    T_EQ_STR(items.data, "{\"id\":\"c\",\"title\":\"T\",\"body\":\"B\",\"category\":\"dining\",\"delivered_at\":\"2025-10-24T10:00:00Z\"}");
    free(cat_); free(cid);
    mmr_buf_clear(&items);
    T_EQ_INT(mmr_store_sqlite_feed(db, "nobody", 0, NULL, NULL, &items, &more, &at, &id, &d), MMR_STORE_OK);
    T_EQ_INT(items.len, 0);

    /* settings: an unknown category changes nothing, not even the valid one */
    mmr_strlist mute = {0}, none = {0}, muted = {0}, cats = {0};
    mmr_strlist_add(&mute, "dining");
    mmr_strlist_add(&mute, "nope");
    size_t before = d.n;
    T_EQ_INT(mmr_store_sqlite_settings(db, "p", &mute, &none, 1, "2025-10-26T00:00:00Z", &muted, &cats, &d), MMR_STORE_INVALID);
    T_EQ_INT(d.n, before + 1);
    T_CHECK(d.n > before && strstr(d.v[before].message, "unknown category \"nope\" (valid: ") == d.v[before].message);
    T_EQ_INT(count_rows(db, "SELECT count(*) FROM mm_user_suppression WHERE user_id = 'p'"), 0);
    mmr_strlist_free(&mute); mmr_strlist_free(&muted); mmr_strlist_free(&cats);
    /* replace: the new set is exactly the list */
    mmr_strlist_add(&mute, "dining");
    T_EQ_INT(mmr_store_sqlite_settings(db, "p", &mute, &none, 0, "2025-10-26T00:00:00Z", &muted, &cats, &d), MMR_STORE_OK);
    mmr_strlist_free(&mute); mmr_strlist_free(&muted); mmr_strlist_free(&cats);
    mmr_strlist_add(&mute, "budget");
    T_EQ_INT(mmr_store_sqlite_settings(db, "p", &mute, &none, 1, "2025-10-26T00:00:00Z", &muted, &cats, &d), MMR_STORE_OK);
    T_EQ_INT(muted.n, 1);
    T_EQ_STR(muted.n ? muted.v[0] : NULL, "budget");
    T_EQ_INT(count_rows(db, "SELECT count(*) FROM mm_user_suppression WHERE user_id = 'p'"), 1);
    mmr_strlist_free(&mute); mmr_strlist_free(&muted); mmr_strlist_free(&cats);

    /* interactions: someone else's delivery is "not found", like an unknown id */
    long long iid = 0;
    char *owner = NULL;
    T_EQ_INT(mmr_store_sqlite_interaction(db, "a", "q", "viewed", "2025-10-26T00:00:00Z", &iid, &owner, &d), MMR_STORE_NOT_FOUND);
    T_CHECK(owner == NULL);
    T_EQ_INT(mmr_store_sqlite_interaction(db, "zz", "p", "viewed", "2025-10-26T00:00:00Z", &iid, &owner, &d), MMR_STORE_NOT_FOUND);
    T_EQ_INT(count_rows(db, "SELECT count(*) FROM mm_nudge_interaction_log"), 0);
    T_EQ_INT(mmr_store_sqlite_interaction(db, "a", "p", "dismissed", "2025-10-26T00:00:00Z", &iid, &owner, &d), MMR_STORE_OK);
    T_EQ_STR(owner, "p");
    T_EQ_INT(iid, 1);
    T_EQ_INT(count_rows(db, "SELECT count(*) FROM mm_nudge_interaction_log WHERE delivery_id = 'a' AND user_id = 'p' "
                            "AND action = 'dismissed'"), 1);
    free(owner);

    mmr_buf_free(&items); mmr_buf_free(&at); mmr_buf_free(&id);
    mmr_db_close(db);
    mmr_diags_free(&d);
    char side[64];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path); unlink(side);
    snprintf(side, sizeof side, "%s-shm", path); unlink(side);
    return T_DONE("userstate");
}
