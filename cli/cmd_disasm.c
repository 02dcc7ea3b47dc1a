/* mmr disasm FILE.mmrc|PATH...: a readable bytecode listing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "compiler/compile.h"

static const char help[] =
    "usage: mmr disasm FILE.mmrc|PATH... [--code 0|1|all] [--format text|json]\n"
    "                  [--allow-outside-root]\n"
    "\n"
    "Print a readable listing of a ruleset's bytecode: the header (input\n"
    "slots, lets, constants, templates, rules by priority, traced conditions,\n"
    "policy), then each code array, one instruction per line. A single .mmrc\n"
    "file is loaded and verified; other PATHs (.mmr files, directories, .json\n"
    "rule masters) are compiled first.\n"
    "\n"
    "Operands: r5 a temporary register, s:NAME an input (signal or trait),\n"
    "let:NAME a let, k2=0.35 a constant, ->17 a jump target, fn:NAME a builtin,\n"
    "rule:NAME a rule, cond:\"...\" a traced condition; jumps show their\n"
    "comparison and polarity (if-true, if-false, unless-true, unless-false).\n"
    "\n"
    "options:\n"
    "  --code 0|1|all       code[0] (fast), code[1] (traced) or both (default)\n"
    "  --format text|json   diagnostics as text on stderr (default) or JSON\n"
    "                       lines on stdout\n"
    "  -h, --help           this help (--version: the version line)\n"
    "\n"
    "exit status: 0 listed, 1 errors in the input, 2 usage error\n";

int cmd_disasm(int argc, char **argv)
{
    if (cli_help_requested(argc, argv, help)) return EXIT_OK;
    cli_opts o;
    cli_opts_init(&o, argc, argv);
    cli_format fmt = CLI_FMT_TEXT;
    int which = -1;
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    size_t npaths = 0;
    if (!paths) { fprintf(stderr, "mmr disasm: out of memory\n"); return EXIT_INPUT; }
    const char *name, *arg;
    int k, lflags = 0;
    while ((k = cli_opts_next(&o, &name, &arg)) >= 0) {
        if (k == 0) { paths[npaths++] = arg; continue; }
        if (!strcmp(name, "code")) {
            const char *v = cli_opts_value(&o);
            if (v && !strcmp(v, "0")) which = 0;
            else if (v && !strcmp(v, "1")) which = 1;
            else if (v && !strcmp(v, "all")) which = -1;
            else { free(paths); return cli_usage_error("disasm", "--code takes 0, 1 or all"); }
        } else if (!strcmp(name, "allow-outside-root")) {
            if (cli_opts_flag_bit(&o, &lflags, MMR_LOAD_ANY_IMPORT)) { free(paths); return EXIT_USAGE; }
        } else if (!strcmp(name, "format")) {
            int r = cli_parse_diag_format("disasm", cli_opts_value(&o), &fmt);
            if (r != EXIT_OK) { free(paths); return r; }
        } else {
            free(paths);
            return cli_opts_unknown(&o);
        }
    }
    if (npaths == 0) { free(paths); return cli_usage_error("disasm", "name a FILE.mmrc or a ruleset PATH"); }
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_program *p;
    size_t pl = strlen(paths[0]);
    if (npaths == 1 && pl > 5 && !strcmp(paths[0] + pl - 5, ".mmrc"))
        p = mmr_program_load(paths[0], &d);
    else
        p = mmr_build_opts(paths, npaths, lflags, &d);
    mmr_diags_sort(&d);
    cli_print_diags(&d, fmt);
    int rc = (!p || d.errors) ? EXIT_INPUT : EXIT_OK;
    if (p && rc == EXIT_OK) mmr_disasm(p, which, stdout);
    mmr_program_free(p);
    mmr_diags_free(&d);
    free(paths);
    return rc;
}
