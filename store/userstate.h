/* The per-user state a client reads and changes: the feed, the mute
 * settings and interactions (spec sections 8.1-8.3, FR-MM-6). The first
 * piece of the store interface (issue 12): `mmr feed/settings/interact`
 * and `mmr serve` call mmr_store_feed & co. (store/store.h), which come
 * here for a SQLite database (mmr_store_sqlite_*) and to
 * store/userstate_pg.c for PostgreSQL (mmr_store_pg_*: the same contracts).
 *
 * Every function runs in its own transaction on an open state database
 * (engine/db.h): on any failure nothing is written. Results are values:
 * MMR_STORE_OK, or a negative code with a diagnostic in d that names the
 * database file. */
#ifndef MMR_STORE_USERSTATE_H
#define MMR_STORE_USERSTATE_H
#include <stddef.h>
#include "engine/db.h"
#include "util/buf.h"
#include "util/diag.h"
#include "store/pg.h"

enum {
    MMR_STORE_OK = 0,
    MMR_STORE_ERROR = -1,     /* database or memory failure */
    MMR_STORE_INVALID = -2,   /* the request names something invalid (a category) */
    MMR_STORE_NOT_FOUND = -3, /* no such delivery, or not this user's */
    MMR_STORE_BUSY = -4       /* the database stayed locked past the busy timeout */
};

/* A list of owned strings, kept without duplicates. */
typedef struct mmr_strlist { char **v; size_t n, cap; } mmr_strlist;
int  mmr_strlist_add(mmr_strlist *s, const char *x);   /* 0, -1 out of memory */
int  mmr_strlist_has(const mmr_strlist *s, const char *x);
void mmr_strlist_free(mmr_strlist *s);
void mmr_strlist_json(mmr_buf *b, const mmr_strlist *s);  /* ["a","b"] */
/* cats: the recorded categories (the defaults are added when empty). One
 * error per category of mute/unmute not in cats, placed at label. 1 when
 * any was invalid, 0 when none, -1 out of memory. */
int mmr_store_check_categories(mmr_strlist *cats, const mmr_strlist *mute, const mmr_strlist *unmute,
                               const char *label, mmr_diags *d);

/* The MoneyMoments categories before any run recorded rules. */
extern const char *const mmr_store_default_categories[5];

/* One page of a user's feed, newest first (delivered_at descending, ties
 * by delivery_id ascending): appends the items as JSON objects separated
 * by commas ({"id","title","body","category","delivered_at"}) to items.
 * limit <= 0: every row. before_at/before_id (both or neither): start
 * after that item. *more is 1 when rows remain after the page, and then
 * last_at/last_id hold the page's last item (the next cursor). */
int mmr_store_sqlite_feed(mmr_db *db, const char *user, long limit, const char *before_at, const char *before_id,
                   mmr_buf *items, int *more, mmr_buf *last_at, mmr_buf *last_id, mmr_diags *d);

/* Read and optionally change a user's mutes. With replace, mute is the
 * whole new set (every other mute is removed); otherwise the categories of
 * mute are added and those of unmute removed. A category that is not valid
 * (mm_nudge_rule_master's, or the defaults before any run) gives
 * MMR_STORE_INVALID with one error per category, listing the valid ones,
 * and nothing changes. New mutes are stamped now_ts; a kept mute keeps its
 * muted_at. On success muted and cats (sorted) hold the new settings. */
int mmr_store_sqlite_settings(mmr_db *db, const char *user, const mmr_strlist *mute, const mmr_strlist *unmute,
                       int replace, const char *now_ts, mmr_strlist *muted, mmr_strlist *cats, mmr_diags *d);

/* Log an interaction (viewed, clicked or dismissed) with delivery_id at
 * ts. user NULL: the delivery's user, whoever it is; else the delivery
 * must be that user's (MMR_STORE_NOT_FOUND, the same error as an unknown
 * id, so no one learns another user's ids). *user_out (owned by the
 * caller) gets the delivery's user and *iid the new interaction_id. */
int mmr_store_sqlite_interaction(mmr_db *db, const char *delivery_id, const char *user, const char *action,
                          const char *ts, long long *iid, char **user_out, mmr_diags *d);

/* The same three on PostgreSQL (store/userstate_pg.c); messages name
 * pg->label. A lock wait past the connection's lock_timeout, a
 * serialization failure or a deadlock is MMR_STORE_BUSY. */
int mmr_store_pg_feed(mmr_pg *pg, const char *user, long limit, const char *before_at, const char *before_id,
                      mmr_buf *items, int *more, mmr_buf *last_at, mmr_buf *last_id, mmr_diags *d);
int mmr_store_pg_settings(mmr_pg *pg, const char *user, const mmr_strlist *mute, const mmr_strlist *unmute,
                          int replace, const char *now_ts, mmr_strlist *muted, mmr_strlist *cats, mmr_diags *d);
int mmr_store_pg_interaction(mmr_pg *pg, const char *delivery_id, const char *user, const char *action,
                             const char *ts, long long *iid, char **user_out, mmr_diags *d);

#endif
