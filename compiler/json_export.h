/* JSON export: a checked ruleset as the app's rule master and template
 * master rows (docs/json.md describes the document).
 *
 *   {
 *     "rules":     [ {rule_id, name, description, priority, cooldown_days,
 *                     [cooldown_seconds,] traits_filter_json,
 *                     expression_json: {if | mmr, message_template_id,
 *                                       [category,] [with]}} ... ],
 *     "templates": [ {template_id, title, body, tone, variables_json,
 *                     category} ... ],
 *     "signals":   [ {name, type, description} ... ],   (only when any)
 *     "traits":    [ {name, type, description} ... ]    (only when any)
 *     "imports":   [ std paths ]   (only when not just std/moneymoments)
 *     "policy":    {max_nudges, per, quiet_hours, timezone, currency, categories,
 *                   retention}      (only when the ruleset has one)
 *     "mmr":       .mmr text of derived signals and tests (when any)
 *   }
 *
 * Conditions use the JSON rule form when they can be written in it (and,
 * or, not, comparisons, in, between, is missing/present on names and
 * literals; `let`s are inlined); otherwise the field carries {"mmr": TEXT},
 * the canonical .mmr text of the expression. Output is deterministic: a
 * fixed key order, 2-space indentation, shortest round-trip numbers, and a
 * final newline. Re-importing the output reproduces the ruleset's rules
 * and templates; export -> import -> export is byte-identical. std/
 * declarations, lets (inlined) and comments are not exported.
 */
#ifndef MMR_JSON_EXPORT_H
#define MMR_JSON_EXPORT_H
#include "compiler/ast.h"
#include "util/buf.h"
#include "util/diag.h"

/* Append the export document of u (a unit that passed mmr_check) to out.
 * Returns the number of errors added to d (0 on success). */
int mmr_export_json(const mmr_unit *u, mmr_buf *out, mmr_diags *d);

#endif
