/* Deferred deliveries released on PostgreSQL (store/deferred_pg.c): what
 * engine/deferred.c's mmr_deferred_release does on SQLite, for the relay of
 * `mmr serve`, which has no ruleset: the cap is the one stored with each
 * deferral (cap_max, cap_window_s). */
#ifndef MMR_STORE_DEFERRED_PG_H
#define MMR_STORE_DEFERRED_PG_H
#include <stdint.h>
#include "store/pg.h"
#include "engine/run.h"

/* Every deferral due at now (Unix seconds) becomes a delivery and an
 * outbox event (want_redis as given) or a suppression, in one transaction,
 * exactly once however many processes try: 0 (rs says what happened), 1
 * when another process is releasing now (nothing done), -1 with an error
 * (nothing written). */
int mmr_pg_deferred_release(mmr_pg *pg, int64_t now, int want_redis, mmr_release_stats *rs, mmr_diags *d);

#endif
