/* mmr export PATH... — a checked ruleset as rule/template master JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "compiler/compile.h"
#include "compiler/json_export.h"
#include "util/buf.h"

static const char help[] =
    "usage: mmr export PATH... [-o FILE] [--format text|json]\n"
    "\n"
    "Check a ruleset (.mmr files, directories, .json rule masters; - reads\n"
    "stdin) and print its rules and templates as the app's rule master and\n"
    "template master\n"
    "rows: {\"rules\": [...], \"templates\": [...]}. Conditions use the JSON\n"
    "rule form where they can (lets are inlined), else {\"mmr\": TEXT}.\n"
    "`mmr import` reads the result back.\n"
    "\n"
    "  -o FILE       write the JSON to FILE instead of stdout (- = stdout)\n"
    "  --format F    diagnostics as text (default) or json, on stderr (json\n"
    "                on stdout when -o FILE takes the output)\n"
    "  --allow-outside-root\n"
    "                let imports reach files outside the directory of the\n"
    "                paths given (see docs/language.md)\n"
    "\n"
    "The document is described in docs/json.md.\n";

int cmd_export(int argc, char **argv)
{
    if (cli_help_requested(argc, argv, help)) return EXIT_OK;
    cli_opts o;
    cli_opts_init(&o, argc, argv);
    const char *name, *arg, *outpath = NULL;
    cli_format fmt = CLI_FMT_TEXT;
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    size_t npaths = 0;
    if (!paths) return EXIT_INPUT;
    int r, lflags = 0;
    while ((r = cli_opts_next(&o, &name, &arg)) >= 0) {
        if (r == 0) { paths[npaths++] = arg; continue; }
        if (!strcmp(name, "o") || !strcmp(name, "output")) {
            if (!(outpath = cli_opts_need(&o))) { free(paths); return EXIT_USAGE; }
        } else if (!strcmp(name, "allow-outside-root")) {
            if (cli_opts_flag_bit(&o, &lflags, MMR_LOAD_ANY_IMPORT)) { free(paths); return EXIT_USAGE; }
        } else if (!strcmp(name, "format")) {
            int bad = cli_parse_diag_format("export", cli_opts_value(&o), &fmt);
            if (bad != EXIT_OK) { free(paths); return bad; }
        } else {
            free(paths);
            return cli_opts_unknown(&o);
        }
    }
    if (!npaths) { free(paths); return cli_usage_error("export", "give a ruleset: .mmr files, directories or .json files"); }

    mmr_diags d;
    mmr_diags_init(&d);
    mmr_unit *u = mmr_unit_load_opts(paths, npaths, lflags, &d);
    if (u && !d.errors) mmr_check(u, &d);
    mmr_buf b;
    mmr_buf_init(&b);
    if (u && !d.errors) mmr_export_json(u, &b, &d);
    /* JSON diagnostics go to stdout only when the output goes to a file */
    cli_print_diags_to(fmt == CLI_FMT_JSON && outpath && strcmp(outpath, "-") ? stdout : stderr, &d, fmt);
    int rc = EXIT_OK;
    if (!u || d.errors) rc = EXIT_INPUT;
    else rc = cli_write_output("export", outpath, b.data ? b.data : "", b.len);
    mmr_buf_free(&b);
    if (u) mmr_unit_free(u);
    mmr_diags_free(&d);
    free(paths);
    return rc;
}
