/* The ruleset's derived signals as one PostgreSQL script (docs/signals.md,
 * "Signals in PostgreSQL"): `mmr signals PATH --emit-sql postgresql`. The
 * script computes in the database what signals/compute.c computes in the
 * engine, from mm_transaction, mm_user_traits, mm_budget and mm_goal, and
 * upserts the date's rows of mm_signal_daily, in one transaction. */
#ifndef MMR_SIGNALS_EMIT_SQL_H
#define MMR_SIGNALS_EMIT_SQL_H
#include "compiler/ast.h"
#include "util/buf.h"
#include "util/diag.h"

/* The dialects --emit-sql knows, for the usage message. */
#define MMR_EMIT_SQL_DIALECTS "postgresql"

/* Writes the script for the checked unit u (nderived > 0) to out. as_of is
 * YYYY-MM-DD, baked into the script, or NULL: the script reads the psql
 * variable as_of (psql -v as_of=YYYY-MM-DD). Returns 0, or -1 with an
 * error in d naming the signal and its line for a definition SQL cannot
 * express (then out holds nothing useful). */
int mmr_emit_sql_pg(const mmr_unit *u, const char *as_of, mmr_buf *out, mmr_diags *d);

/* The same statements without BEGIN and COMMIT (as_of required), for a
 * caller that runs them inside its own transaction (store/pg_signals.c). */
int mmr_emit_sql_pg_body(const mmr_unit *u, const char *as_of, mmr_buf *out, mmr_diags *d);

#endif
