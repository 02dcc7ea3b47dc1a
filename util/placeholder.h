/* Template text: literal runs, {name} and {name:format} placeholders,
 * and {{ / }} for literal braces. One scanner for the checker, the linter
 * and the template filler, so they agree on what a placeholder is. */
#ifndef MMR_PLACEHOLDER_H
#define MMR_PLACEHOLDER_H
#include <stddef.h>

typedef enum { MMR_SEG_TEXT, MMR_SEG_PLACEHOLDER, MMR_SEG_END, MMR_SEG_ERROR } mmr_seg_kind;

typedef struct mmr_seg {
    mmr_seg_kind kind;
    const char *text; size_t len;      /* TEXT: literal bytes ("{{" yields "{") */
    const char *name; size_t name_len; /* PLACEHOLDER */
    const char *fmt;  size_t fmt_len;  /* PLACEHOLDER: "" when no :format */
    size_t offset;                     /* byte offset of the segment in the template */
    const char *error;                 /* ERROR: what is wrong (static string) */
} mmr_seg;

/* Formats a placeholder may name. */
int mmr_placeholder_format_ok(const char *fmt, size_t len); /* money pct int number, or "" */

/* Iterate: set *pos = 0, then call until MMR_SEG_END or MMR_SEG_ERROR. */
mmr_seg mmr_template_next(const char *s, size_t len, size_t *pos);

#endif
