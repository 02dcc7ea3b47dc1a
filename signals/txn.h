/* Transactions: the raw events that derived signals aggregate (stage 1 of
 * the pipeline, docs/signals.md).
 *
 * Record formats (fixed by the interface; docs/signals.md):
 *   NDJSON  {"txn_id":"t1","user_id":"u1","ts":"2025-10-20T14:03:00+05:30",
 *            "amount":260.0,"type":"expense","category":"Food & Dining",
 *            "merchant":"Swiggy","recurring":false}
 *   CSV     a header row of the same names (any order), then one row each.
 * `ts` is ISO 8601 with Z or an offset; `amount` a positive number; `type`
 * "expense" or "income"; `merchant` (text or null) and `recurring` (bool)
 * are optional. Unknown extra fields are ignored.
 *
 * Errors are diagnostics naming FILE:LINE (FILE:LINE:COL for JSON syntax)
 * and the field, e.g. `tx.ndjson:3: "amount" must be a positive number, got "abc"`.
 */
#ifndef MMR_SIGNALS_TXN_H
#define MMR_SIGNALS_TXN_H
#include <stddef.h>
#include <stdint.h>
#include "util/arena.h"
#include "util/diag.h"

typedef enum mmr_txn_type { MMR_TXN_EXPENSE = 0, MMR_TXN_INCOME = 1 } mmr_txn_type;

/* Longest txn_id accepted (bytes). Longer is an input error. A user_id
 * follows the rule of util/userid.h (at most MMR_USER_ID_MAX = 255 bytes). */
#define MMR_TXN_MAX_ID 256

/* One transaction. Strings are NUL-terminated UTF-8 (validated), owned by
 * whoever parsed the record (an arena or a reader's buffer). */
typedef struct mmr_txn {
    const char *txn_id;   size_t txn_id_len;
    const char *user_id;  size_t user_id_len;
    int64_t ts;           /* Unix seconds, UTC */
    double amount;        /* > 0, finite */
    int type;             /* mmr_txn_type */
    const char *category; size_t category_len;
    const char *merchant; size_t merchant_len;  /* NULL when absent or null */
    int recurring;        /* 0 or 1; absent = 0 */
    long line;            /* line of the record in its file (0: not from a file) */
} mmr_txn;

typedef enum mmr_txn_format { MMR_TXN_NDJSON = 0, MMR_TXN_CSV = 1 } mmr_txn_format;

/* Format from a file name: .csv -> CSV, anything else NDJSON. */
mmr_txn_format mmr_txn_format_from_path(const char *path);

/* A streaming reader over one file ("-" = stdin). Records come out in file
 * order. The strings of a returned record stay valid until the next call. */
typedef struct mmr_txn_reader mmr_txn_reader;

/* NULL with a diagnostic ("FILE: cannot open: why", "FILE: not a regular
 * file", a bad CSV header) on failure. */
mmr_txn_reader *mmr_txn_reader_open(const char *path, mmr_diags *d);
/* 1 a record, 0 end of input, -1 an error (diagnostic added; the reader
 * may be called again to go on past the bad record). Blank lines are
 * skipped. After a read error or a record longer than MMR_SNAP_MAX_RECORD
 * (16 MiB) there is no sure place to go on from: the next call returns 0. */
int  mmr_txn_reader_next(mmr_txn_reader *r, mmr_txn *out, mmr_diags *d);
const char *mmr_txn_reader_path(const mmr_txn_reader *r);
void mmr_txn_reader_close(mmr_txn_reader *r);
/* The last record's "ts" as written (decoded, NUL-terminated; the offset
 * survives), valid as long as that record's strings. *len may be NULL. */
const char *mmr_txn_reader_ts_text(const mmr_txn_reader *r, size_t *len);

/* Parse one record (an NDJSON line or, with a header already bound, a CSV
 * row) without its line break (a final CR is ignored). For the fuzz target
 * and tests. Strings are copied into a (not NULL). 1 ok, 0 blank, -1 error
 * (one diagnostic added; *out is then zeroed). The header: 0 or -1. */
typedef struct mmr_txn_parser mmr_txn_parser;
mmr_txn_parser *mmr_txn_parser_new(mmr_txn_format fmt, const char *file);
void mmr_txn_parser_free(mmr_txn_parser *p);
int  mmr_txn_parser_header(mmr_txn_parser *p, const char *rec, size_t len, long line, mmr_diags *d);
int  mmr_txn_parse(mmr_txn_parser *p, const char *rec, size_t len, long line,
                   mmr_txn *out, mmr_arena *a, mmr_diags *d);
/* As mmr_txn_reader_ts_text, for the last record mmr_txn_parse accepted
 * (the text is in that call's arena). */
const char *mmr_txn_parser_ts_text(const mmr_txn_parser *p, size_t *len);

#endif
