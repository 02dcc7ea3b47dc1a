/* libmmr — compile .mmr rulesets and evaluate them per user.
 *
 * A minimal embedding:
 *
 *     char *errs = NULL;
 *     const char *paths[] = { "rules/moneymoments" };
 *     mmr_ruleset *rs = mmr_ruleset_load(paths, 1, &errs);
 *     if (!rs) { fputs(errs, stderr); free(errs); return 1; }
 *     const char *cols[] = { "dining_txn_7d", "wants_share_30d" };
 *     mmr_evaluator *ev = mmr_evaluator_new(rs, cols, 2);
 *     mmr_set_number(ev, 0, 4);
 *     mmr_set_number(ev, 1, 0.40);
 *     if (mmr_evaluate(ev) > 0) printf("%s\n", mmr_selected_rule(ev));
 *     mmr_evaluator_free(ev);
 *     mmr_ruleset_free(rs);
 *
 * Nothing here is global: any number of rulesets and evaluators may live in
 * one process. An evaluator is used by one thread at a time; a ruleset may
 * be shared by evaluators on many threads.
 */
#ifndef MMR_H
#define MMR_H
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MMR_VERSION "0.1.0"

/* The shared library is built with -fvisibility=hidden: only what is
 * marked MMR_API here is exported (engine/libmmr.map lists the same
 * names for the linker). */
#if defined(__GNUC__) && __GNUC__ >= 4
#define MMR_API __attribute__((visibility("default")))
#else
#define MMR_API
#endif

typedef struct mmr_ruleset mmr_ruleset;
typedef struct mmr_evaluator mmr_evaluator;

/* Compile a ruleset from .mmr files, directories, rule-master .json files
 * or one compiled .mmrc. On failure returns NULL and, if errors is not
 * NULL, sets *errors to the diagnostics as text (free() it). */
MMR_API mmr_ruleset *mmr_ruleset_load(const char *const *paths, size_t npaths, char **errors);
/* Compile one .mmr source held in memory; name is used in messages. */
MMR_API mmr_ruleset *mmr_ruleset_load_source(const char *name, const char *src, size_t len, char **errors);
MMR_API void mmr_ruleset_free(mmr_ruleset *rs);

MMR_API size_t      mmr_rule_count(const mmr_ruleset *rs);
MMR_API const char *mmr_rule_name(const mmr_ruleset *rs, size_t i);

/* Bind a snapshot schema: the evaluator's input column i is the signal or
 * trait named columns[i]. Unknown names are accepted and ignored (their
 * values never reach a rule). Binding happens once here, not per user. */
MMR_API mmr_evaluator *mmr_evaluator_new(const mmr_ruleset *rs, const char *const *columns, size_t ncolumns);
MMR_API void mmr_evaluator_free(mmr_evaluator *ev);

/* Per user: set the columns you have; every column starts missing and is
 * missing again after mmr_evaluate. Setting a column to a value of the
 * wrong type returns -1 and leaves it missing. */
MMR_API int mmr_set_missing(mmr_evaluator *ev, size_t col);
MMR_API int mmr_set_number(mmr_evaluator *ev, size_t col, double v);
MMR_API int mmr_set_bool(mmr_evaluator *ev, size_t col, int v);
MMR_API int mmr_set_text(mmr_evaluator *ev, size_t col, const char *utf8, size_t len);
MMR_API int mmr_set_text_list(mmr_evaluator *ev, size_t col, const char *const *items, size_t n);
MMR_API int mmr_set_number_map(mmr_evaluator *ev, size_t col, const char *const *keys, const double *vals, size_t n);

/* Run every rule for the user set so far. Returns the number of candidate
 * rules (those whose `when` and `audience` are true), or -1 on error. */
MMR_API int mmr_evaluate(mmr_evaluator *ev);
/* The candidates of the last evaluation, in priority order (highest
 * first, ties by name); i < the count mmr_evaluate returned. */
MMR_API const char *mmr_candidate_rule(const mmr_evaluator *ev, size_t i);
/* The highest-priority candidate, or NULL when none fired. This is the
 * pure choice; suppression (mutes, cooldowns, caps) is the engine's. */
MMR_API const char *mmr_selected_rule(const mmr_evaluator *ev);

#ifdef __cplusplus
}
#endif
#endif
