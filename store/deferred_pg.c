/* Releasing deferred deliveries on PostgreSQL: engine/deferred.c's
 * mmr_deferred_release without a ruleset (the cap stored with each
 * deferral), for the relay of `mmr serve --db postgresql://…`. The same
 * order, checks, delivery ids and rows; one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/deferred_pg.h"
#include "engine/uuid.h"
#include "util/timeutil.h"

/* Any fixed number, apart from the schema's: one releaser at a time. */
#define RELEASE_LOCK "7171443"

/* 1 if the query gives a row, 0 if not, -1. */
static int probe(mmr_pg *pg, const char *sql, int n, const char *const *p, mmr_diags *d, const char *what)
{
    PGresult *r = mmr_pg_params(pg, sql, n, p, d, what);
    if (!r) return -1;
    int has = PQntuples(r) > 0;
    PQclear(r);
    return has;
}

static int exec0(mmr_pg *pg, const char *sql, int n, const char *const *p, mmr_diags *d, const char *what)
{
    PGresult *r = mmr_pg_params(pg, sql, n, p, d, what);
    PQclear(r);
    return r ? 0 : -1;
}

/* Row i of the due deferrals. */
static int release_one(mmr_pg *pg, const PGresult *due, int i, int64_t now, const char *now_text, int want_redis,
                       mmr_release_stats *rs, mmr_diags *d)
{
#define COL(c) PQgetvalue(due, i, (c))
    const char *as_of = COL(0), *user = COL(1), *rule_id = COL(2), *rule = COL(3), *cat = COL(7), *key = COL(11);
    int64_t cooldown = atoll(COL(4));
    char t[MMR_TIME_BUF];
    mmr_reason why = MMR_REASON_NONE;
    int r;
    const char *pm[2] = { user, cat };
    if ((r = probe(pg, "SELECT 1 FROM mm_user_suppression WHERE user_id = $1 AND category = $2", 2, pm, d,
                   "reading mm_user_suppression")) < 0) return -1;
    if (r) why = MMR_REASON_MUTED;
    if (!why && cooldown > 0) {
        const char *pc[4] = { user, rule_id, mmr_time_format(now - cooldown, t), key };
        if ((r = probe(pg, "SELECT 1 FROM mm_nudge_delivery_log WHERE user_id = $1 AND rule_id = $2::bigint "
                           "AND delivered_at > $3::text COLLATE \"C\" "
                           "AND (rule_key = $4 OR rule_key = '' OR $4 = '') LIMIT 1", 4, pc, d,
                       "reading mm_nudge_delivery_log")) < 0) return -1;
        if (r) why = MMR_REASON_COOLDOWN;
    }
    /* the cap the deferral was made under; none stored: not checked */
    if (!why && !PQgetisnull(due, i, 9)) {
        const char *pk[2] = { user, mmr_time_format(now - atoll(COL(10)), t) };
        PGresult *c = mmr_pg_params(pg, "SELECT count(*) FROM mm_nudge_delivery_log WHERE user_id = $1 "
                            "AND delivered_at > $2::text COLLATE \"C\"", 2, pk, d, "reading mm_nudge_delivery_log");
        if (!c) return -1;
        long long n = atoll(PQgetvalue(c, 0, 0));
        PQclear(c);
        if (n >= atoll(COL(9))) why = MMR_REASON_DAILY_CAP;
    }
    if (!why) {
        char did[MMR_UUID_STR];
        mmr_delivery_id_key(user, rule, as_of, key, strlen(key), did);
        const char *pv[11] = { did, user, rule_id, as_of, COL(5), COL(6), cat, COL(8), now_text, key,
                               want_redis ? "1" : "0" };
        if (exec0(pg, "WITH ins AS (INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, "
                      "body, category, meta_json, delivered_at, rule_key) VALUES ($1, $2, $3::bigint, $4, $5, $6, $7, "
                      "$8, $9, $10) RETURNING seq) "
                      "INSERT INTO mm_event_outbox(delivery_seq, want_redis) SELECT seq, $11::integer FROM ins",
                  11, pv, d, "writing mm_nudge_delivery_log and mm_event_outbox")) return -1;
        rs->delivered++;
    } else {
        rs->suppressed++;
        rs->by_reason[why]++;
    }
    const char *pu[6] = { as_of, user, rule_id, why ? "suppressed" : "delivered", why ? mmr_reason_name(why) : NULL,
                          key };
    if (exec0(pg, "UPDATE mm_nudge_candidate SET status = $4, suppression_reason = $5 WHERE as_of = $1 "
                  "AND user_id = $2 AND rule_id = $3::bigint AND rule_key = $6 AND status = 'deferred'",
              6, pu, d, "writing mm_nudge_candidate")) return -1;
    const char *pd[4] = { as_of, user, rule_id, key };
    return exec0(pg, "DELETE FROM mm_nudge_deferred WHERE as_of = $1 AND user_id = $2 AND rule_id = $3::bigint "
                     "AND rule_key = $4", 4, pd, d, "writing mm_nudge_deferred");
#undef COL
}

int mmr_pg_deferred_release(mmr_pg *pg, int64_t now, int want_redis, mmr_release_stats *rs, mmr_diags *d)
{
    memset(rs, 0, sizeof *rs);
    char now_text[MMR_TIME_BUF];
    mmr_time_format(now, now_text);
    if (mmr_pg_exec(pg, "BEGIN", d, "beginning")) return -1;
    PGresult *r = mmr_pg_query(pg, "SELECT pg_try_advisory_xact_lock(" RELEASE_LOCK ")", d, "locking the deferrals");
    int mine = r && PQntuples(r) && !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    if (!r || !mine) { mmr_pg_rollback(pg); return r ? 1 : -1; }
    /* event ids must become visible in commit order (a relay moves past
     * them): the outbox's lock, as `mmr run` takes it, for the rest of
     * the transaction */
    int rc = mmr_pg_exec(pg, "LOCK TABLE mm_event_outbox IN EXCLUSIVE MODE", d, "locking mm_event_outbox");
    const char *p1[1] = { now_text };
    /* per user in priority order, as mmr_decide takes candidates */
    PGresult *due = rc ? NULL
        : mmr_pg_params(pg, "SELECT f.as_of, f.user_id, f.rule_id, m.name, m.cooldown_s, f.title, f.body, f.category, "
                "f.meta_json, f.cap_max, f.cap_window_s, f.rule_key "
                "FROM mm_nudge_deferred f JOIN mm_nudge_rule_master m USING (rule_id) "
                "WHERE f.deliver_at <= $1::text COLLATE \"C\" ORDER BY f.user_id COLLATE \"C\", m.priority DESC, "
                "m.name COLLATE \"C\", f.as_of COLLATE \"C\", f.rule_key COLLATE \"C\"", 1, p1, d,
            "reading mm_nudge_deferred");
    if (!due) rc = -1;
    for (int i = 0; !rc && i < PQntuples(due); i++) rc = release_one(pg, due, i, now, now_text, want_redis, rs, d);
    PQclear(due);
    if (!rc && (rs->delivered || rs->suppressed)) rc = mmr_pg_exec(pg, "COMMIT", d, "committing the release");
    if (rc || !(rs->delivered || rs->suppressed)) mmr_pg_rollback(pg);
    if (rc) memset(rs, 0, sizeof *rs);
    return rc;
}
