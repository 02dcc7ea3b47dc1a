/* store/run_pg_checks.h: what a PostgreSQL run checks and releases
 * before its snapshot, apart from the run's context. */
#include "store/run_pg_checks.h"
#include "store/deferred_pg.h"
#include "store/outbox_pg.h"
#include "engine/outbox_sink.h"
#include "signals/responsiveness.h"
#include "util/timeutil.h"
#include <string.h>
#include <time.h>

/* A missing cursor would fail every publish after the run's commit: refused
 * before it, as on SQLite. */
int mmr_pg_run_cursors_there(mmr_pg *pg, mmr_diags *d)
{
    PGresult *r = mmr_pg_query(pg, "SELECT v.sink FROM (VALUES ('ndjson'), ('redis')) v(sink) WHERE NOT EXISTS "
                                   "(SELECT 1 FROM mm_event_cursor e WHERE e.sink = v.sink) ORDER BY 1 LIMIT 1",
                               d, "reading mm_event_cursor");
    if (!r) return -1;
    if (PQntuples(r)) mmr_obx_cursor_missing(pg->label, PQgetvalue(r, 0, 0), d);
    int missing = PQntuples(r) > 0;
    PQclear(r);
    return missing ? -1 : 0;
}

/* Due deferrals first, committed on their own (store/deferred_pg.c), as
 * on SQLite: the run's snapshot then has them in the history (cooldown,
 * cap) and their events go out with the run's. While another process (a
 * serve relay, another shard) releases, wait for its commit rather than
 * take a snapshot without its deliveries. */
int mmr_pg_run_release_due(mmr_pg *pg, const mmr_run_opts *o, mmr_run_stats *st, mmr_diags *d)
{
    /* nothing due (most nights): no locks taken */
    char now_text[MMR_TIME_BUF];
    mmr_time_format(o->now, now_text);
    const char *pn[1] = { now_text };
    PGresult *due = mmr_pg_params(pg, "SELECT 1 FROM mm_nudge_deferred WHERE deliver_at <= $1::text COLLATE \"C\" "
                                      "LIMIT 1", 1, pn, d, "reading mm_nudge_deferred");
    if (!due) return -1;
    int any = PQntuples(due) > 0;
    PQclear(due);
    if (!any) return 0;
    int want_redis = mmr_pg_outbox_want_redis(pg, o, d);
    if (want_redis < 0) return -1;
    int wait_ms = o->busy_ms > 0 ? o->busy_ms : MMR_DB_BUSY_MS_DEFAULT;
    for (int waited = 0;; waited += 20) {
        mmr_release_stats rs;
        int r = mmr_pg_deferred_release(pg, o->now, want_redis, &rs, d);
        if (r < 0) return -1;
        if (r == 0) {
            st->released = rs.delivered;
            st->release_suppressed = rs.suppressed;
            return 0;
        }
        if (waited >= wait_ms) {
            mmr_diag *g = mmr_diag_add(d, MMR_SEV_ERROR, pg->label, 0, 0,
                                       "another process kept releasing the due deferrals for %d ms", wait_ms);
            if (g) mmr_diag_set_hint(g, "wait for it to finish, or raise --busy-timeout");
            return -1;
        }
        struct timespec ts = { 0, 20 * 1000000L };
        nanosleep(&ts, NULL);
    }
}

/* A column of mm_signal_daily named like a responsiveness signal the
 * rules read: warned, never read (they are computed from the interaction
 * log), as engine/responsiveness_load.c does on SQLite. */
int mmr_pg_run_warn_resp_columns(mmr_pg *pg, const mmr_program *p, const unsigned char *used, mmr_diags *d)
{
    PGresult *r = mmr_pg_query(pg, "SELECT column_name FROM information_schema.columns WHERE table_name = "
                                   "'mm_signal_daily' AND table_schema = current_schema() ORDER BY ordinal_position",
                               d, "reading the columns of mm_signal_daily");
    if (!r) return -1;
    for (int i = 0; i < PQntuples(r); i++) {
        const char *name = PQgetvalue(r, i, 0);
        int sl = mmr_program_find_slot(p, name);
        if (sl < 0 || !used[sl] || p->slots[sl].is_trait || !mmr_resp_is_signal(name, p->slots[sl].type))
            continue;
        mmr_diag *g = mmr_diag_add(d, MMR_SEV_WARNING, pg->label, 0, 0,
                                   "mm_signal_daily.%s is ignored: mmr run computes %s from mm_nudge_interaction_log",
                                   name, name);
        if (g) mmr_diag_set_hint(g, "drop the column, or store the value under another name");
    }
    PQclear(r);
    return 0;
}
