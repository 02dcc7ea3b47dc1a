/* Private to engine/snapshot*.c: the parser's state and the JSON value
 * reader shared by the NDJSON and CSV formats. */
#ifndef MMR_SNAPSHOT_IMPL_H
#define MMR_SNAPSHOT_IMPL_H
#include "engine/snapshot.h"
#include "compiler/ast.h"

typedef struct snap_slotinfo {
    const char *name;     /* the program's string */
    size_t len;
    uint8_t type;         /* mmr_type */
    uint8_t is_trait;
} snap_slotinfo;

struct mmr_snap_binder {
    uint32_t nslots;
    snap_slotinfo *slots;
    int32_t *table;       /* open addressing: slot index or -1 */
    uint32_t mask;
};

typedef struct snap_keycache_ent {
    char *key; size_t len;  /* owned copy of the key as written (no escapes) */
    int slot;
} snap_keycache_ent;

typedef struct snap_keycache {
    snap_keycache_ent *v;
    size_t n, cap;
} snap_keycache;

typedef struct snap_field {      /* one CSV cell */
    const char *p; size_t len;
    int quoted;                  /* was in quotes: "" is empty text, not missing */
    const char *raw;             /* the cell as written, for messages */
    size_t raw_len;
} snap_field;

struct mmr_snap_parser {
    const mmr_snap_binder *b;
    mmr_snap_format fmt;
    char *file;
    int warn_unknown;
    uint32_t *seen;              /* seen[slot] == epoch: set in this record */
    uint32_t epoch;
    mmr_value *last_regs;        /* regs of the last record, and the slots */
    uint32_t *set; uint32_t nset;/* it set: only those need clearing */
    mmr_buf scratch;             /* decoded strings with escapes */
    mmr_buf csvcell;             /* CSV cells with "" escapes */
    mmr_buf terr;                /* the record's first type error */
    snap_keycache cache[2];      /* NDJSON: key order of "signals", "traits" */
    char **warned; size_t nwarned, capwarned;
    /* temporaries for lists and maps */
    mmr_value *items; size_t items_cap;
    const mmr_text **mkeys; double *mvals; size_t map_cap;
    /* CSV binding */
    int header_done;
    size_t ncols;
    int *colslot;                /* slot, or -1 unknown, -2 user_id, -3 as_of */
    char **colnames;
    snap_field *fields; size_t fields_cap;
};

enum { SNAP_COL_UNKNOWN = -1, SNAP_COL_USER = -2, SNAP_COL_ASOF = -3 };

/* Per-record context. */
typedef struct snap_rec {
    mmr_snap_parser *ps;
    const char *base, *end;
    long line;
    mmr_value *regs;
    mmr_arena *a;
    const char *errpos;          /* syntax error place (NDJSON) */
    char errmsg[160];
    int has_terr;                /* a type error is in ps->terr */
    const char *user_id; size_t user_len;
    const char *as_of;
    const char *csv_where;       /* CSV: " (column N)" text, else "" */
    mmr_diags *d;                /* for warnings */
} snap_rec;

/* Shared helpers (snapshot.c). */
void snap_type_error(snap_rec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void snap_warn_unknown(snap_rec *r, const char *kind, const char *name, size_t len, mmr_diags *d);
void snap_describe_raw(mmr_buf *b, const char *raw, size_t len);
const char *snap_type_phrase(int type);   /* "a number", "text", ... */
const char *snap_kind(const snap_slotinfo *si); /* "signal" | "trait" */
/* A bad user id: 1 and a type error "user id \"..\" why" + where
 * (util/userid.h); 0 when the id is good. */
int snap_bad_user(snap_rec *r, const char *s, size_t len, const char *where);
int snap_finish(snap_rec *r, int syntax_failed, mmr_snap_user *u, mmr_diags *d);
int snap_items_reserve(mmr_snap_parser *ps, size_t n);
int snap_map_reserve(mmr_snap_parser *ps, size_t n);
/* Sort keys/vals (n entries); returns index of a duplicate key or -1. */
long snap_sort_map(const mmr_text **keys, double *vals, size_t n);

/* JSON (snapshot_ndjson.c). Parse the JSON value at p for slot `slot`
 * and store it in r->regs[slot]; a value of the wrong type records a type
 * error and leaves the slot missing. Returns the position after the
 * value, or NULL on a syntax error (r->errpos, r->errmsg set). */
const char *snap_json_slot(snap_rec *r, const char *p, int slot);
const char *snap_json_ws(const char *p, const char *end);

/* The number grammar of JSON; returns the end or NULL. */
const char *snap_parse_number(const char *p, const char *end, double *out);

#endif
