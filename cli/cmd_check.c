/* mmr check PATH... [--format text|json]: parse and type-check. Quiet on
 * success (warnings are still printed); exit 1 when there are errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "compiler/compile.h"

static const char help[] =
    "usage: mmr check PATH... [--format text|json]\n"
    "\n"
    "Parse and type-check rulesets: .mmr files, directories of them (every\n"
    "*.mmr file, in name order), .json rule/template masters, or one compiled\n"
    ".mmrc (which is verified); - reads one ruleset from stdin, shown as\n"
    "<stdin>. Prints nothing when the ruleset is clean;\n"
    "errors and warnings go to stderr as FILE:LINE:COL: error|warning: message.\n"
    "\n"
    "options:\n"
    "  --format text|json   diagnostics as gcc-style text on stderr (default)\n"
    "                       or one JSON object per line on stdout\n"
    "  --allow-outside-root let imports reach files outside the directory of\n"
    "                       the paths given (see docs/language.md)\n"
    "  -h, --help           this help (--version: the version line)\n"
    "\n"
    "exit status: 0 no errors (warnings allowed), 1 errors, 2 usage error\n";

static int is_mmrc(const char *p)
{
    size_t n = strlen(p);
    return n >= 5 && !strcmp(p + n - 5, ".mmrc");
}

int cmd_check(int argc, char **argv)
{
    if (cli_help_requested(argc, argv, help)) return EXIT_OK;
    cli_opts o;
    cli_opts_init(&o, argc, argv);
    cli_format fmt = CLI_FMT_TEXT;
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    size_t npaths = 0;
    if (!paths) { fprintf(stderr, "mmr check: out of memory\n"); return EXIT_INPUT; }
    const char *name, *arg;
    int k, lflags = 0;
    while ((k = cli_opts_next(&o, &name, &arg)) >= 0) {
        if (k == 0) { paths[npaths++] = arg; continue; }
        if (!strcmp(name, "allow-outside-root")) {
            if (cli_opts_flag_bit(&o, &lflags, MMR_LOAD_ANY_IMPORT)) { free(paths); return EXIT_USAGE; }
        } else if (!strcmp(name, "format")) {
            int r = cli_parse_diag_format("check", cli_opts_value(&o), &fmt);
            if (r != EXIT_OK) { free(paths); return r; }
        } else {
            free(paths);
            return cli_opts_unknown(&o);
        }
    }
    if (npaths == 0) { free(paths); return cli_usage_error("check", "name at least one ruleset PATH"); }
    mmr_diags d;
    mmr_diags_init(&d);
    int has_mmrc = 0;
    for (size_t i = 0; i < npaths; i++) has_mmrc |= is_mmrc(paths[i]);
    if (has_mmrc) {
        mmr_program *p = mmr_build_opts(paths, npaths, lflags, &d);
        mmr_program_free(p);
    } else {
        mmr_unit *u = mmr_unit_load_opts(paths, npaths, lflags, &d);
        if (!u) mmr_diag_add(&d, MMR_SEV_ERROR, "", 0, 0, "out of memory");
        else mmr_check(u, &d);
        mmr_unit_free(u);
    }
    mmr_diags_sort(&d);
    cli_print_diags(&d, fmt);
    int rc = d.errors ? EXIT_INPUT : EXIT_OK;
    mmr_diags_free(&d);
    free(paths);
    return rc;
}
