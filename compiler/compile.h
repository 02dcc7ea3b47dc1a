/* From paths to a checked unit and a program. */
#ifndef MMR_COMPILE_H
#define MMR_COMPILE_H
#include "compiler/ast.h"
#include "vm/program.h"
#include "util/buf.h"

/* Load a ruleset: each path is a .mmr file, a directory (its *.mmr files in
 * name order, not recursive), or a .json rule/template master file. Imports
 * are followed (std/NAME from the embedded stdlib, other paths relative to
 * the importing file; each file once; cycles are errors). Returns a unit
 * even when there are errors (NULL only on out-of-memory). */
mmr_unit *mmr_unit_load(const char *const *paths, size_t npaths, mmr_diags *d);
/* Imports must stay inside the ruleset's root: the directories holding the
 * paths given (symlinks resolved; std/ is embedded and always fine). An
 * import outside is an error at the import, unless flags has
 * MMR_LOAD_ANY_IMPORT (the commands' --allow-outside-root). mmr_unit_load
 * is mmr_unit_load_opts with flags 0. */
enum { MMR_LOAD_ANY_IMPORT = 1 };
mmr_unit *mmr_unit_load_opts(const char *const *paths, size_t npaths, int flags, mmr_diags *d);
/* Same, from one in-memory buffer (tests, fuzzers, the embedding API). A
 * name ending in .json is a JSON master; so is "<stdin>" (a command's "-")
 * when the text starts with { or [. Paths in the list above may be "-":
 * stdin, shown as "<stdin>", read once. */
mmr_unit *mmr_unit_load_source(const char *name, const char *src, size_t len, mmr_diags *d);
void mmr_unit_free(mmr_unit *u);

/* Resolve names, check types and every static rule of the language, fold
 * constants. Returns the number of errors added. */
int mmr_check(mmr_unit *u, mmr_diags *d);

/* Generate code for a checked unit without errors. NULL on failure. */
mmr_program *mmr_codegen(const mmr_unit *u, mmr_diags *d);

/* Everything a command needs: load + check + codegen; a single .mmrc path
 * is loaded and verified instead. NULL if there were errors. */
mmr_program *mmr_build(const char *const *paths, size_t npaths, mmr_diags *d);
/* mmr_build with mmr_unit_load_opts flags. */
mmr_program *mmr_build_opts(const char *const *paths, size_t npaths, int flags, mmr_diags *d);

/* Canonical text (the formatter's printer). */
void mmr_print_expr(mmr_buf *b, const mmr_expr *e);
void mmr_print_file(mmr_buf *b, const mmr_file *f);   /* comments kept */
/* The same with lines longer than width split where the layout allows. */
void mmr_print_file_width(mmr_buf *b, const mmr_file *f, int width);
/* A derived signal's definition on one line (fmt, explain, tile specs). */
void mmr_print_derived(mmr_buf *b, const mmr_derived *x);

/* JSON import: a rule master and/or template master JSON document into a
 * file AST; errors carry JSON paths. Names resolve against
 * std/moneymoments; unknown ones are declared from use, with a warning. */
mmr_file *mmr_import_json(mmr_arena *a, const char *path, const char *text,
                          size_t len, mmr_diags *d);
/* Puts the diagnostics about JSON file `file` (whose text is given) in the
 * order of the places they name in the document; others keep their slots. */
void mmr_json_diags_order(mmr_diags *d, const char *file, const char *text, size_t len);

#endif
