/* The state a client reads and changes, behind one handle (issue 12):
 * `mmr feed/settings/interact` and `mmr serve` open an mmr_store and call
 * these, whichever database --db names. A file path is a SQLite state
 * database (engine/db.h, store/userstate.c); a postgresql:// or
 * postgres:// URL is PostgreSQL (store/pg.h, store/userstate_pg.c).
 *
 * The two behave alike: the same rows, the same order, the same error
 * codes (store/userstate.h), one transaction per call and nothing written
 * on any failure. Messages name the database by its file path or by its
 * URL with the password blanked (mmr_pg_redact), never the password.
 *
 * A handle is one connection: one thread at a time. */
#ifndef MMR_STORE_STORE_H
#define MMR_STORE_STORE_H
#include "store/userstate.h"
#include "store/pg.h"

typedef struct mmr_store mmr_store;

enum {
    MMR_STORE_OPEN_RW = 0,   /* create or migrate the schema (in its own transaction) */
    MMR_STORE_OPEN_RO = 1,   /* the schema must be there and current; nothing can be written */
    MMR_STORE_OPEN_CHECKED = 2 /* read-write, the schema already made by an earlier open
                                  (a server's further connections): not looked at again */
};

/* Open db (a file path or a PostgreSQL URL). busy_ms bounds a wait for a
 * lock (SQLite's busy timeout, PostgreSQL's lock_timeout); <= 0: the
 * default, MMR_DB_BUSY_MS_DEFAULT. -1 with a diagnostic naming the
 * database. */
int  mmr_store_open(mmr_store **out, const char *db, int flags, int busy_ms, mmr_diags *d);
void mmr_store_close(mmr_store *s);

/* 0 when the connection is lost (PostgreSQL): close it rather than
 * keep it in a pool. */
int mmr_store_usable(const mmr_store *s);
/* The database as messages name it (the path, or the redacted URL). */
const char *mmr_store_label(const mmr_store *s);
/* The connection underneath: exactly one is non-NULL. */
mmr_db *mmr_store_sqlite(mmr_store *s);
mmr_pg *mmr_store_pg(mmr_store *s);

/* The userstate calls of store/userstate.h, on either database; the
 * contracts are those documented there. */
int mmr_store_feed(mmr_store *s, const char *user, long limit, const char *before_at, const char *before_id,
                   mmr_buf *items, int *more, mmr_buf *last_at, mmr_buf *last_id, mmr_diags *d);
int mmr_store_settings(mmr_store *s, const char *user, const mmr_strlist *mute, const mmr_strlist *unmute,
                       int replace, const char *now_ts, mmr_strlist *muted, mmr_strlist *cats, mmr_diags *d);
int mmr_store_interaction(mmr_store *s, const char *delivery_id, const char *user, const char *action,
                          const char *ts, long long *iid, char **user_out, mmr_diags *d);

#endif
