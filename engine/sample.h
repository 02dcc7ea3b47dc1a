/* Deterministic sample users for the std/moneymoments schema: `mmr gen`,
 * the benchmarks and the demo. User i of seed s is always the same, and is
 * made independently of every other user, so any slice of a sample can be
 * generated (or generated in parallel) on its own.
 *
 * The values are varied on purpose: some signals are absent, some bases
 * are zero (no previous shopping spend, no income), category maps have
 * different key sets, a few users live outside India (tz trait). Each of
 * the five shipped rules fires for a good share of users.
 *
 * Writers for NDJSON and CSV are here; a SQLite writer (mmr gen --db) can
 * walk the same fields: see mmr_sample_user.fields.
 */
#ifndef MMR_SAMPLE_H
#define MMR_SAMPLE_H
#include <stddef.h>
#include <stdint.h>
#include "util/buf.h"

typedef enum mmr_sample_kind {
    MMR_SF_MISSING = 0,    /* absent from the snapshot (NULL in SQLite) */
    MMR_SF_NUMBER,         /* num */
    MMR_SF_TEXT,           /* text (UTF-8, static storage) */
    MMR_SF_TEXT_LIST,      /* items[0..n) */
    MMR_SF_NUMBER_MAP      /* keys[0..n) sorted, vals[0..n) */
} mmr_sample_kind;

typedef struct mmr_sample_field {
    const char *name;      /* the signal or trait name in std/moneymoments */
    int is_trait;          /* 0 signal (mm_signal_daily), 1 trait (mm_user_traits) */
    mmr_sample_kind kind;  /* what this user has; MISSING = absent */
    mmr_sample_kind type;  /* the declared type, whatever this user has */
    double num;
    const char *text;
    size_t n;
    const char *const *items;
    const char *const *keys;
    const double *vals;
} mmr_sample_field;

#define MMR_SAMPLE_MAX_FIELDS 48
#define MMR_SAMPLE_MAX_KEYS 8

typedef struct mmr_sample_user {
    char user_id[24];      /* "u1", "u2", ... (index + 1) */
    char as_of[11];        /* YYYY-MM-DD */
    size_t nfields;        /* the schema's fields, signals first, all of them */
    mmr_sample_field fields[MMR_SAMPLE_MAX_FIELDS];
    /* storage the fields point into */
    const char *tags[MMR_SAMPLE_MAX_KEYS];
    const char *cat_keys[2][MMR_SAMPLE_MAX_KEYS];
    double cat_vals[2][MMR_SAMPLE_MAX_KEYS];
} mmr_sample_user;

/* Fill u with user `index` (0-based) of the sample `seed`. as_of NULL
 * means "2025-10-26". */
void mmr_sample_user_make(mmr_sample_user *u, uint64_t seed, uint64_t index, const char *as_of);

/* One NDJSON line, newline included:
 * {"user_id":"u1","as_of":"…","signals":{…},"traits":{…}} (absent = missing). */
void mmr_sample_write_ndjson(mmr_buf *b, const mmr_sample_user *u);
/* CSV: the header (user_id,as_of, then every field) and one row per user;
 * lists and maps as JSON text in quoted cells; missing = empty cell. */
void mmr_sample_write_csv_header(mmr_buf *b);
void mmr_sample_write_csv_row(mmr_buf *b, const mmr_sample_user *u);

#endif
