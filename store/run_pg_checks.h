/* The steps of a PostgreSQL run before its snapshot and beside it that
 * need only the connection (store/run_pg.c calls them): checks that refuse
 * a run before it writes anything, with SQLite's messages, and the release
 * of due deferrals. */
#ifndef MMR_STORE_RUN_PG_CHECKS_H
#define MMR_STORE_RUN_PG_CHECKS_H
#include "store/pg.h"
#include "engine/run.h"

/* 0 when mm_event_cursor has both sinks' rows; -1 with the message of
 * SQLite's mmr_outbox_cursor_missing (or an error). */
int mmr_pg_run_cursors_there(mmr_pg *pg, mmr_diags *d);

/* Due deferrals (at o->now) released and committed on their own; st's
 * released and release_suppressed set. Waits up to o->busy_ms while
 * another process releases. 0, or -1 with an error. */
int mmr_pg_run_release_due(mmr_pg *pg, const mmr_run_opts *o, mmr_run_stats *st, mmr_diags *d);

/* A warning per column of mm_signal_daily named like a responsiveness
 * signal the rules read (used: per slot, read by the code). 0, or -1. */
int mmr_pg_run_warn_resp_columns(mmr_pg *pg, const mmr_program *p, const unsigned char *used, mmr_diags *d);

#endif
