/* mmr compile PATH... -o FILE.mmrc: check and compile to bytecode. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "compiler/compile.h"
#include "vm/program.h"

static const char help[] =
    "usage: mmr compile PATH... -o FILE.mmrc [--format text|json]\n"
    "\n"
    "Check a ruleset (.mmr files, directories of them, .json rule/template\n"
    "masters) and write its bytecode to FILE.mmrc (magic, format version and\n"
    "checksum; `mmr disasm` lists it, every command accepts it as PATH).\n"
    "Nothing is written when the ruleset has errors. PATH - reads stdin.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE    the .mmrc file to write (required; - = stdout)\n"
    "  --format text|json   diagnostics as text on stderr (default) or JSON\n"
    "                       lines on stdout (stderr with -o -)\n"
    "  --allow-outside-root let imports reach files outside the directory of\n"
    "                       the paths given (see docs/language.md)\n"
    "  -h, --help           this help (--version: the version line)\n"
    "\n"
    "exit status: 0 written, 1 errors in the input (or the file could not be\n"
    "written), 2 usage error\n";

int cmd_compile(int argc, char **argv)
{
    if (cli_help_requested(argc, argv, help)) return EXIT_OK;
    cli_opts o;
    cli_opts_init(&o, argc, argv);
    cli_format fmt = CLI_FMT_TEXT;
    const char *out = NULL;
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    size_t npaths = 0;
    if (!paths) { fprintf(stderr, "mmr compile: out of memory\n"); return EXIT_INPUT; }
    const char *name, *arg;
    int k, rc, lflags = 0;
    while ((k = cli_opts_next(&o, &name, &arg)) >= 0) {
        if (k == 0) { paths[npaths++] = arg; continue; }
        if (!strcmp(name, "o") || !strcmp(name, "output")) {
            out = cli_opts_need(&o);
            if (!out) { free(paths); return EXIT_USAGE; }
            if (!*out) { free(paths); return cli_usage_error("compile", "%s needs a file name", o.typed); }
        } else if (!strcmp(name, "allow-outside-root")) {
            if (cli_opts_flag_bit(&o, &lflags, MMR_LOAD_ANY_IMPORT)) { free(paths); return EXIT_USAGE; }
        } else if (!strcmp(name, "format")) {
            int r = cli_parse_diag_format("compile", cli_opts_value(&o), &fmt);
            if (r != EXIT_OK) { free(paths); return r; }
        } else {
            free(paths);
            return cli_opts_unknown(&o);
        }
    }
    if (npaths == 0) { free(paths); return cli_usage_error("compile", "name at least one ruleset PATH"); }
    if (!out) { free(paths); return cli_usage_error("compile", "name the output file with -o FILE.mmrc"); }
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_program *p = mmr_build_opts(paths, npaths, lflags, &d);
    int to_stdout = !strcmp(out, "-");
    if (p && to_stdout) {
        /* "-o -": the bytecode on stdout (for a pipe), diagnostics on stderr */
        unsigned char *buf = NULL;
        size_t len = 0;
        if (mmr_program_write(p, &buf, &len) != 0)
            mmr_diag_add(&d, MMR_SEV_ERROR, "<stdout>", 0, 0, "cannot encode the program");
        else if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0)
            mmr_diag_add(&d, MMR_SEV_ERROR, "<stdout>", 0, 0, "cannot write: %s", strerror(errno));
        free(buf);
    } else if (p && mmr_program_save(p, out, &d) != 0 && d.errors == 0)
        mmr_diag_add(&d, MMR_SEV_ERROR, out, 0, 0, "cannot write %s", out);
    mmr_diags_sort(&d);
    cli_print_diags_to(to_stdout || fmt != CLI_FMT_JSON ? stderr : stdout, &d, fmt);
    rc = (!p || d.errors) ? EXIT_INPUT : EXIT_OK;
    mmr_program_free(p);
    mmr_diags_free(&d);
    free(paths);
    return rc;
}
