/* The linter: checks that run on a checked unit (after mmr_check found no
 * errors) and report style, dead-code and tone problems. Every lint has a
 * stable id and name (compiler/lints.def); findings are ordinary
 * diagnostics with code, name and hint set.
 *
 *     mmr_lint_config c;
 *     mmr_lint_config_init(&c);                       // built-in defaults
 *     char *p = mmr_lint_config_find("rules/moneymoments");
 *     if (p) mmr_lint_config_load(&c, p, &diags);     // errors are diagnostics
 *     mmr_lint(unit, &c, &diags);
 *     mmr_lint_config_free(&c);
 */
#ifndef MMR_LINT_H
#define MMR_LINT_H
#include <stddef.h>
#include "compiler/ast.h"
#include "util/diag.h"

typedef enum mmr_lint_id {
#define LINT(e, id, name, sev, summary, hint) MMR_LINT_##e,
#include "compiler/lints.def"
#undef LINT
    MMR_LINT_COUNT
} mmr_lint_id;

typedef struct mmr_lint_info {
    const char *id;          /* "MMR-W012" */
    const char *name;        /* "never-fires" */
    mmr_severity severity;   /* default severity */
    const char *summary;     /* one sentence */
    const char *hint;        /* one line */
} mmr_lint_info;

/* The table, in lints.def order (index = mmr_lint_id). */
extern const mmr_lint_info mmr_lint_table[MMR_LINT_COUNT];

/* Find a lint by id ("MMR-W012", any case) or name ("never-fires").
 * Returns its index or -1. n is the length of s. */
int mmr_lint_lookup(const char *s, size_t n);

/* SARIF helpUri is the `docs_url` config key plus an anchor. There is no
 * default: the project does not know where a team publishes its docs, and
 * a wrong link is worse than none, so without it SARIF carries no URIs. */

/* ------------------------------------------------------------ config */

typedef struct mmr_lint_config {
    char  *path;                 /* the file it was read from; NULL = built in */
    char **words;  size_t nwords;        /* tone words/phrases, lower case */
    char **caps_allow; size_t ncaps_allow; /* ALL-CAPS words that are fine (UPI) */
    int    title_max, body_max;  /* in Unicode characters */
    int    max_exclamations;     /* per title or body */
    int    caps_min_letters;     /* shortest word that counts as ALL-CAPS */
    char  *docs_url;             /* helpUri base for SARIF, or NULL */
    unsigned char disabled[MMR_LINT_COUNT];  /* 1 = do not run */
    signed char   severity[MMR_LINT_COUNT];  /* -1 = the table's, else mmr_severity */
} mmr_lint_config;

/* The built-in defaults (the same as the shipped rules/mmr-lint.conf). */
void mmr_lint_config_init(mmr_lint_config *c);
void mmr_lint_config_free(mmr_lint_config *c);
/* Read settings from text (replacing the word list and caps_allow when the
 * text gives them). Errors go to d with FILE:LINE:COL; returns their count. */
int  mmr_lint_config_parse(mmr_lint_config *c, const char *path,
                           const char *text, size_t len, mmr_diags *d);
int  mmr_lint_config_load(mmr_lint_config *c, const char *path, mmr_diags *d);
/* The config file for a ruleset: `.mmr-lint.conf` or `mmr-lint.conf` in
 * the ruleset's directory (a file's directory, or the directory itself),
 * then in each parent up to the repository root (a directory holding
 * `.git`) or `/`. Returns a malloc'd path (relative to the current
 * directory when below it) or NULL when there is none. */
char *mmr_lint_config_find(const char *ruleset_path);

/* The effective severity of lint i under c. */
mmr_severity mmr_lint_severity(const mmr_lint_config *c, int i);

/* ------------------------------------------------------------ linting */

/* Run every enabled lint over a checked unit (std/ files are never
 * linted). Findings are added to d; `# mmr: allow ID` comments are
 * honoured. Returns the number of findings added. */
int mmr_lint(const mmr_unit *u, const mmr_lint_config *c, mmr_diags *d);

/* -------------------------------------------- condition reasoning (interval.c) */

/* What can be known about a rule's `when and audience` being TRUE. */
typedef struct mmr_cond_facts {
    int   can_fire;     /* 0: never TRUE for any input; 1: maybe */
    char *why;          /* malloc'd, when can_fire == 0: "`x > 5` contradicts `x < 3`" */
    const mmr_expr **present;  /* malloc'd: terms present whenever it is TRUE */
    size_t npresent;
} mmr_cond_facts;

/* Analyse `when` (and `audience`, may be NULL) of one rule by interval
 * reasoning over and/or/not, comparisons with constants, between, in,
 * is missing, and let references. Sound: can_fire == 0 only when no input
 * makes both TRUE; present lists only terms that are surely present.
 * Returns 0, or -1 on out-of-memory (facts then say "maybe, nothing known"). */
int  mmr_cond_analyze(const mmr_unit *u, const mmr_expr *when,
                      const mmr_expr *audience, mmr_cond_facts *out);
void mmr_cond_facts_free(mmr_cond_facts *f);
/* Is e (compared structurally) surely present when the condition is TRUE? */
int  mmr_cond_facts_present(const mmr_cond_facts *f, const mmr_expr *e);
/* Same for a signal or trait by declaration index. */
int  mmr_cond_facts_input_present(const mmr_cond_facts *f, mmr_ref_kind ref, int index);
/* Structural equality of two expressions (resolved names by reference). */
int  mmr_expr_same(const mmr_expr *a, const mmr_expr *b);
/* Compact source-like text of an expression, into a malloc'd string. */
char *mmr_lint_expr_text(const mmr_expr *e);

/* ------------------------------------------------------------ SARIF (sarif.c) */

/* A SARIF 2.1.0 log of the diagnostics: every lint of the table is a
 * rule; diagnostics without a code are reported as MMR-E000. File paths
 * are made relative (uriBaseId %SRCROOT%) when they are relative or below
 * the current directory. Returns a malloc'd, NUL-terminated JSON text
 * ending in a newline, or NULL on out-of-memory. */
char *mmr_lint_sarif(const mmr_diags *d, const char *tool_version, const char *docs_url);

#endif
