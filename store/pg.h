/* PostgreSQL state through libpq (docs/scale.md): the connection, errors
 * that name the database without its password, COPY, and the schema.
 *
 * `--db postgresql://…` (or postgres://…) selects it; everything else is
 * a SQLite file. libpq reads the PG* environment variables and the
 * service file (PGSERVICE, ~/.pg_service.conf) for whatever the URL
 * leaves out, so `--db postgresql://` alone works as psql users expect.
 *
 * The schema is that of the SQLite store (engine/db.c) at the same
 * version, in PostgreSQL's types, plus mm_run.shard_k/shard_n and the
 * function mm_shard(user_id, n) that `mmr run --shard K/N` selects users
 * with. Nothing here commits on its own.
 */
#ifndef MMR_STORE_PG_H
#define MMR_STORE_PG_H
#include <stddef.h>
#include <libpq-fe.h>
#include "util/buf.h"
#include "util/diag.h"
#include "engine/db.h"

typedef struct mmr_pg {
    PGconn *h;
    char *label;      /* the URL without its password: for messages */
} mmr_pg;

/* 1 when s names a PostgreSQL database (postgresql:// or postgres://). */
int  mmr_pg_is_url(const char *s);

/* url with any password in its user part or its query (password=…)
 * replaced by "***". */
void mmr_pg_redact(const char *url, mmr_buf *out);

/* Connect. -1 with an error naming the database (never its password). */
int  mmr_pg_open(mmr_pg **out, const char *url, mmr_diags *d);
void mmr_pg_close(mmr_pg *pg);

/* Add an error "DB: what: server message (detail)" for res (or for the
 * connection when res is NULL). */
void mmr_pg_error(mmr_pg *pg, const PGresult *res, mmr_diags *d, const char *what);

/* A statement without results. 0, or -1 with an error. */
int  mmr_pg_exec(mmr_pg *pg, const char *sql, mmr_diags *d, const char *what);
/* A query: its result (PQclear it), or NULL with an error. */
PGresult *mmr_pg_query(mmr_pg *pg, const char *sql, mmr_diags *d, const char *what);
/* A statement with parameters ($1 … as text): its result (PQclear it),
 * rows or none, or NULL with an error. */
PGresult *mmr_pg_params(mmr_pg *pg, const char *sql, int n, const char *const *params, mmr_diags *d,
                        const char *what);
void mmr_pg_rollback(mmr_pg *pg);

/* COPY … FROM STDIN in text format: begin, put rows (each ends in \n;
 * fields escaped with mmr_pg_copy_field), end. -1 with an error. */
int  mmr_pg_copy_begin(mmr_pg *pg, const char *sql, mmr_diags *d, const char *what);
int  mmr_pg_copy_put(mmr_pg *pg, const mmr_buf *rows, mmr_diags *d, const char *what);
int  mmr_pg_copy_end(mmr_pg *pg, mmr_diags *d, const char *what);
/* One field of a COPY text row (NULL for SQL null), then sep. */
void mmr_pg_copy_field(mmr_buf *b, const char *s, size_t len, char sep);

/* Inside the caller's transaction: take the schema's advisory lock (held
 * to its end, so concurrent workers do this one at a time), create or
 * check the schema and add the input columns the ruleset reads
 * (mm_signal_daily, mm_user_traits) that are missing. A database of a
 * newer schema is an error. 0, or -1 (the caller rolls back). */
int  mmr_pg_migrate(mmr_pg *pg, const mmr_db_column *sig, size_t nsig,
                    const mmr_db_column *traits, size_t ntraits, mmr_diags *d);

/* PostgreSQL type of an input column of an mmr_type. */
const char *mmr_pg_sql_type(int type);

#endif
