/* `mmr signals --transactions`: derived signals from files, no database.
 *
 * Transactions (NDJSON or CSV) are read in one streaming pass. A file
 * grouped by user in user_id order (as `mmr gen` writes it) is computed
 * user by user, in memory flat in the number of users; any other order is
 * noticed and the file is read again and sorted by user in memory (about
 * 100 bytes a transaction). Output: one snapshot line per user, in
 * user_id byte order, as `mmr eval --signals` and `mmr run --signals`
 * read it:
 *   {"user_id":"u1","as_of":"2025-10-26","signals":{..},"rows":{..},"traits":{..}}
 * signals sorted by name, null when missing; "rows": how many transactions
 * went into each aggregate (other readers ignore it); traits as the traits
 * file gave them. The output is written to a temporary file first and moved
 * into place (or copied to stdout) only when everything succeeded.
 */
#ifndef MMR_SIGNALS_SNAPFILE_H
#define MMR_SIGNALS_SNAPFILE_H
#include <stdio.h>
#include <stdint.h>
#include "compiler/ast.h"
#include "util/buf.h"
#include "util/diag.h"
#include "signals/compute.h"

/* One user's snapshot line (no newline) into b. With calc (after the
 * user's mmr_sigcalc_user), a "rows" object gives how many transactions
 * went into each aggregate, for `mmr eval --explain`. */
void mmr_signals_line(mmr_buf *b, const mmr_unit *u, const mmr_sigplan *plan,
                      const mmr_sigcalc *calc, const char *user_id, size_t user_len,
                      const char *as_of, const mmr_value *vals, const char *traits_json);

/* Traits from an NDJSON file: user -> (tz, the "traits" object as text),
 * sorted by user id. */
typedef struct mmr_traits_row {
    char *user_id;
    char *tz;            /* NULL when the user has no tz trait */
    char *json;          /* the traits object, compact JSON */
    mmr_value *vals;     /* by unit trait index (computed signals read them) */
} mmr_traits_row;

typedef struct mmr_traits_file {
    mmr_traits_row *rows; size_t n;
    mmr_arena arena;
} mmr_traits_file;

/* Reads and validates path (each tz must be a known zone). u may be NULL
 * (no vals). 0, or -1 with diagnostics naming FILE:LINE. */
int  mmr_traits_file_load(mmr_traits_file *t, const char *path, const mmr_unit *u,
                          const char *zoneinfo, mmr_diags *d);
void mmr_traits_file_free(mmr_traits_file *t);
const mmr_traits_row *mmr_traits_file_find(const mmr_traits_file *t, const char *user, size_t len);

typedef struct mmr_snapfile_opts {
    const mmr_unit *unit;
    const char *const *txn_paths; size_t ntxn_paths;
    const char *traits_path;      /* NULL: none */
    const char *budgets_path;     /* NULL: none (budget aggregates missing) */
    const char *goals_path;       /* NULL: none (goal aggregates missing) */
    const char *as_of;            /* YYYY-MM-DD */
    const char *out_path;         /* "-" = stdout */
    const char *zoneinfo;         /* NULL: /usr/share/zoneinfo */
    FILE *progress;               /* NULL: quiet */
} mmr_snapfile_opts;

typedef struct mmr_snapfile_stats {
    uint64_t users, transactions;
    int sorted_in_memory;         /* the input was not grouped by user */
} mmr_snapfile_stats;

/* 0, or -1 with diagnostics (the output left untouched). */
int mmr_snapfile_run(const mmr_snapfile_opts *o, mmr_snapfile_stats *st, mmr_diags *d);

#endif
