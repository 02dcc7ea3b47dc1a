/* Diagnostics: errors and warnings as values, each with a place.
 * A place is FILE:LINE:COL for source, FILE: $.json.path for JSON,
 * FILE:LINE for snapshot lines (col 0 = no column). */
#ifndef MMR_DIAG_H
#define MMR_DIAG_H
#include <stddef.h>
#include <stdio.h>

typedef enum { MMR_SEV_ERROR = 0, MMR_SEV_WARNING = 1, MMR_SEV_NOTE = 2 } mmr_severity;

typedef struct mmr_diag {
    mmr_severity sev;
    char *file;      /* owned; may be "" */
    int   line, col; /* 1-based; 0 = unknown/not applicable */
    char *jpath;     /* owned or NULL: JSON path like $[3].expression_json.if */
    char *code;      /* owned or NULL: stable id, e.g. "MMR-W012" */
    char *name;      /* owned or NULL: short name, e.g. "never-fires" */
    char *message;   /* owned */
    char *hint;      /* owned or NULL: one-line how-to-fix */
    int   end_line, end_col; /* optional range end, 0 = none */
} mmr_diag;

typedef struct mmr_diags {
    mmr_diag *v;
    size_t n, cap;
    size_t errors, warnings;
    size_t max_errors;   /* stop recording errors past this (0 = 100) */
    int    truncated;    /* set when max_errors was hit */
} mmr_diags;

void mmr_diags_init(mmr_diags *d);
void mmr_diags_free(mmr_diags *d);

/* Add a diagnostic; returns it so a caller can set code/hint/range.
 * Never fails visibly: on OOM the diagnostic is dropped but counted. */
mmr_diag *mmr_diag_add(mmr_diags *d, mmr_severity sev, const char *file,
                       int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
mmr_diag *mmr_diag_add_json(mmr_diags *d, mmr_severity sev, const char *file,
                            const char *jpath, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void mmr_diag_set_code(mmr_diag *g, const char *code, const char *name);
void mmr_diag_set_hint(mmr_diag *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Move all of src's diagnostics to the end of dst. */
void mmr_diags_append(mmr_diags *dst, mmr_diags *src);
/* Stable sort by file, line, col (keeps insertion order on ties). */
void mmr_diags_sort(mmr_diags *d);

/* gcc style: "FILE:LINE:COL: error: message [MMR-W012]\n  hint: ...\n" */
void mmr_diags_print_text(FILE *out, const mmr_diags *d);

/* How mmr_diags_print_styled prints (util/diag_source.c). */
typedef struct mmr_diag_style {
    int color;   /* ANSI colours: bold place, red error, magenta warning, green caret */
    int quote;   /* after the first line, the .mmr source line and a caret
                  * (^~~~ under a range), as clang and rustc print them */
    /* The text of a file that is not on disk (the embedded std schemas),
     * or NULL to read FILE from disk; the text must outlive the print. */
    const char *(*embedded)(const char *file, size_t *len);
} mmr_diag_style;

/* mmr_diags_print_text, plus colour and quoted source lines as st says
 * (NULL: neither). The first and hint lines stay as they are. */
void mmr_diags_print_styled(FILE *out, const mmr_diags *d, const mmr_diag_style *st);
/* s to out with control characters as \n, \t, \r, \xHH (and, when
 * backslash is set, a backslash as \\): a name printed in text output
 * cannot forge an extra line. */
void mmr_fput_escaped(FILE *out, const char *s, int backslash);
/* "error", "warning" or "note". */
const char *mmr_sev_name(mmr_severity s);
/* One JSON object per line: {"file","line","col","end_line","end_col",
 * "severity","code","name","message","hint"}; end_line and end_col (the
 * inclusive end of the range) only when the place has a range. */
void mmr_diags_print_json(FILE *out, const mmr_diags *d);

#endif
