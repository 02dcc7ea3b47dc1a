/* What `mmr run` does the same way whatever store holds the state:
 * engine/run.c (the pipeline) and the run stores store/run_sqlite.c and
 * store/run_pg.c share these. */
#ifndef MMR_ENGINE_RUN_SHARED_H
#define MMR_ENGINE_RUN_SHARED_H
#include <stddef.h>
#include <stdint.h>
#include "util/arena.h"
#include "util/buf.h"
#include "util/diag.h"
#include "vm/program.h"
#include "vm/value.h"

/* SHA-1 (hex) over everything in p that decides an outcome. */
void mmr_ruleset_hash(const mmr_program *p, char out[41]);
/* The source text of a rule's condition part (MMR_COND_*), or NULL. */
const char *mmr_rule_cond_text(const mmr_program *p, uint32_t rule, int part);
/* {"key":"val"} */
void mmr_json_obj1(mmr_buf *b, const char *key, const char *val);
/* The JSON list of a template's placeholder names (variables_json). */
void mmr_template_vars_json(const mmr_prog_template *t, mmr_buf *b);
/* A delivery's meta_json for rule on as_of. */
void mmr_rule_meta_json(const mmr_program *p, uint32_t rule, const char *as_of, mmr_buf *m);
/* A keyed delivery's meta_json: rule_meta (mmr_rule_meta_json's object)
 * with "key" added last; key NULL: rule_meta as it is. */
void mmr_meta_with_key(mmr_buf *m, const char *rule_meta, const char *key, size_t key_len);
/* A candidate's name in messages: rule, or rule["key"] (JSON string). */
void mmr_rule_key_label(mmr_buf *b, const char *rule, const char *key, size_t key_len);
/* "a number", "text", …: what a slot of type must hold, for messages. */
const char *mmr_want_phrase(int type);
/* A list or map stored as JSON text into *out (in arena a). 0, or -1 with
 * *why. */
int  mmr_json_cell(mmr_arena *a, int type, const char *s, size_t len, mmr_value *out, const char **why);
/* Per slot of p, 1 when the code reads it (tz_slot too, if >= 0):
 * calloc'd (free it), NULL out of memory. */
unsigned char *mmr_used_slots(const mmr_program *p, int tz_slot);
/* *v to hold need elements (doubling). 0, or -1 out of memory (*v kept). */
int  mmr_grow(void **v, size_t *cap, size_t need, size_t elem);
/* An input column (of mm_signal_daily or mm_user_traits) that feeds a
 * program slot: its place in the store's SELECT (user_id is column 0). */
typedef struct mmr_colbind { int col; int slot; const char *name; } mmr_colbind;
/* Matching a table's columns, given in order, to the slots the code
 * reads (used), signals or traits; for traits the column tz too. */
typedef struct mmr_colbinder {
    const mmr_program *p;
    const unsigned char *used;
    int traits;
    char *seen;                  /* per slot: a column names it */
    mmr_colbind *v; size_t n;
    int ncol;                    /* the next SELECT column */
    int tz_col;                  /* the column of tz, or -1 */
} mmr_colbinder;
/* 0, or -1 out of memory. */
int  mmr_colbinder_init(mmr_colbinder *b, const mmr_program *p, const unsigned char *used, int traits);
/* One column: `, "name"` and cast appended to select when it is bound. */
void mmr_colbinder_add(mmr_colbinder *b, const char *name, const char *cast, mmr_buf *select);
/* A warning at where for each slot read that no column named; the
 * bindings (calloc'd) to *out. */
void mmr_colbinder_end(mmr_colbinder *b, const char *table, const char *where, mmr_diags *d,
                       mmr_colbind **out, size_t *nout);
void mmr_colbinder_free(mmr_colbinder *b);
/* Seconds on the monotonic clock. */
double mmr_mono_now(void);

#endif
