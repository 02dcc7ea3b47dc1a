/* Snapshots: per-user signal and trait values from NDJSON or CSV files,
 * bound by name to a program's input slots.
 *
 * Layers, lowest first:
 *   - mmr_snap_binder: the program's slot names in a hash table. Built once
 *     per program; read-only afterwards, so threads may share it.
 *   - mmr_snap_parser: turns one record (an NDJSON line, a CSV row) into
 *     regs[0..nslots) of a VM plus the user's id. One per thread. It keeps
 *     the key -> slot binding of the last NDJSON line (reused while lines
 *     have the same keys) and, for CSV, the header's column -> slot binding.
 *   - mmr_snap_reader: reads a file (or stdin) in chunks of whole records,
 *     with the line number of each chunk's first record, so records can be
 *     parsed and evaluated by several threads and written back in order.
 *   - mmr_snapshot: a simple one-user-at-a-time iterator on top of these.
 *
 * Record formats (docs/eval.md):
 *   NDJSON  {"user_id":"u1","as_of":"2025-10-26","signals":{..},"traits":{..}}
 *           absent or null = missing; other top-level keys are ignored.
 *   CSV     header row: user_id, optional as_of, then signal/trait columns
 *           by name. Empty unquoted cell = missing; "" (quoted) = empty text.
 *           list and map cells hold JSON text: "[""a"",""b""]", "{""x"":1}".
 *
 * Errors are diagnostics with FILE:LINE (and :COL for JSON syntax).
 */
#ifndef MMR_SNAPSHOT_H
#define MMR_SNAPSHOT_H
#include <stddef.h>
#include <stdint.h>
#include "util/arena.h"
#include "util/buf.h"
#include "util/diag.h"
#include "vm/program.h"

typedef enum mmr_snap_format { MMR_SNAP_NDJSON = 0, MMR_SNAP_CSV = 1 } mmr_snap_format;

/* Longest record (line) accepted. */
#define MMR_SNAP_MAX_RECORD ((size_t)16 << 20)

/* Format from a file name: .csv / .tsv-less CSV -> CSV; .ndjson, .jsonl,
 * .json -> NDJSON. -1 when the extension says nothing. */
int mmr_snap_format_from_path(const char *path);

/* ------------------------------------------------------------ binder */

typedef struct mmr_snap_binder mmr_snap_binder;

mmr_snap_binder *mmr_snap_binder_new(const mmr_program *p);
void mmr_snap_binder_free(mmr_snap_binder *b);
/* Slot of a signal or trait name, or -1. */
int mmr_snap_binder_find(const mmr_snap_binder *b, const char *name, size_t len);
uint32_t mmr_snap_binder_nslots(const mmr_snap_binder *b);

/* ------------------------------------------------------------ parser */

/* The identity of the user a record describes. The strings live in the
 * arena given to mmr_snap_parse (NUL-terminated). */
typedef struct mmr_snap_user {
    const char *user_id;  size_t user_id_len;
    const char *as_of;    /* "YYYY-MM-DD", or NULL when absent */
    long line;            /* line of the record's first byte */
} mmr_snap_user;

typedef struct mmr_snap_parser mmr_snap_parser;

/* file is used in messages (copied). */
mmr_snap_parser *mmr_snap_parser_new(const mmr_snap_binder *b, mmr_snap_format fmt,
                                     const char *file);
void mmr_snap_parser_free(mmr_snap_parser *ps);

/* Warn (once per parser and name) about keys or columns that are neither a
 * signal nor a trait of the program. On by default. */
void mmr_snap_parser_warn_unknown(mmr_snap_parser *ps, int on);

/* CSV only: bind the header record (once). Returns 0, or -1 with a
 * diagnostic (no user_id column, duplicate column, bad syntax). */
int mmr_snap_parser_header(mmr_snap_parser *ps, const char *rec, size_t len,
                           long line, mmr_diags *d);

/* Parse one record: an NDJSON line or a CSV row, without the final line
 * break (a trailing CR is ignored). Sets every slot regs[0..nslots): the
 * record's value or missing. Texts, lists and maps are allocated in a.
 * Returns 1 (a user), 0 (a blank record: nothing to do) or -1 (an error,
 * reported to d with the place and, when known, the user id). */
int mmr_snap_parse(mmr_snap_parser *ps, const char *rec, size_t len, long line,
                   mmr_value *regs, mmr_arena *a, mmr_snap_user *u, mmr_diags *d);

/* Split the next record off data[*pos..len): sets *rec and *rec_len (without
 * the line break) and *nlines (physical lines it spans, >= 1); advances
 * *pos past the line break: LF, CRLF or a CR alone (a CR as the last byte
 * of data ends a line). CSV records may span lines inside quotes.
 * Returns 0 at the end of data. */
int mmr_snap_next_record(mmr_snap_format fmt, const char *data, size_t len, size_t *pos,
                         const char **rec, size_t *rec_len, long *nlines);

/* ------------------------------------------------------------ reader */

typedef struct mmr_snap_reader mmr_snap_reader;

/* path "-" reads stdin. NULL (with a diagnostic) when it cannot be opened.
 * For CSV the header record is read here: see mmr_snap_reader_header. */
mmr_snap_reader *mmr_snap_reader_open(const char *path, mmr_snap_format fmt, mmr_diags *d);
void mmr_snap_reader_close(mmr_snap_reader *r);
/* CSV: the header record and its line (1, or 2 after blank lines). */
int mmr_snap_reader_header(const mmr_snap_reader *r, const char **rec, size_t *len, long *line);
const char *mmr_snap_reader_path(const mmr_snap_reader *r);

/* Replace out's contents with whole records, about `target` bytes (more
 * when one record is longer). *first_line is the line of out's first
 * byte. Returns 1 (a chunk), 0 (end of input) or -1 (I/O error, a record
 * longer than MMR_SNAP_MAX_RECORD: diagnostic added). */
int mmr_snap_reader_next(mmr_snap_reader *r, mmr_buf *out, size_t target,
                         long *first_line, mmr_diags *d);

/* ------------------------------------------------------------ iterator */

typedef struct mmr_snapshot mmr_snapshot;

/* fmt -1 = by the path's extension (NDJSON when it says nothing). */
mmr_snapshot *mmr_snapshot_open(const char *path, int fmt, const mmr_program *p, mmr_diags *d);
/* Next user into regs[0..nslots) (values in a; reset a between users if
 * you like). Returns 1, 0 at the end, -1 on an error (diagnostic added;
 * the iterator may be continued to skip the bad record). */
int mmr_snapshot_next(mmr_snapshot *s, mmr_value *regs, mmr_arena *a,
                      mmr_snap_user *u, mmr_diags *d);
void mmr_snapshot_close(mmr_snapshot *s);

/* ------------------------------------------------------------ shared helpers */

/* Validate UTF-8; returns the offset of the first bad byte, or len. */
size_t mmr_utf8_check(const char *s, size_t len);
/* A calendar date "YYYY-MM-DD" (1970..9999, real day of month). */
int mmr_snap_date_ok(const char *s, size_t len);

#endif
