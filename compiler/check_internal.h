/* Helpers shared by the checker and the code generator (compiler/ only). */
#ifndef MMR_CHECK_INTERNAL_H
#define MMR_CHECK_INTERNAL_H
#include <stddef.h>
#include "compiler/ast.h"

/* One distinct placeholder of a template, title first then body, in
 * order of first appearance. name/fmt point into the template text. */
typedef struct mmr_tpl_arg {
    const char *name; size_t name_len;
    const char *fmt;  size_t fmt_len;
} mmr_tpl_arg;

/* Fill up to max args; returns how many distinct placeholders there are
 * (may exceed max), or -1 when the text has a scanning error. */
long mmr_template_args(const mmr_template *t, mmr_tpl_arg *out, size_t max);

/* The default categories when the policy names none. */
extern const char *const mmr_default_categories[];
extern const size_t mmr_ndefault_categories;

/* Static type name ("number", "list<text>", ...). */

#endif
