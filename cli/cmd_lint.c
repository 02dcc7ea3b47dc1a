/* mmr lint — check plus the lints of compiler/lints.def. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "include/mmr.h"
#include "cli/cli.h"
#include "compiler/compile.h"
#include "compiler/lint.h"
#include "util/outfile.h"

static const char help[] =
    "usage: mmr lint PATH... [--format text|json|sarif] [--strict] [--config FILE]\n"
    "                        [--output FILE]\n"
    "       mmr lint --list\n"
    "\n"
    "Checks the ruleset like `mmr check`, then runs the lints: unused signals,\n"
    "lets and templates, rules that can never fire, equal priorities in one\n"
    "category, placeholders that may be missing, tone (NFR-MM-4) and\n"
    "categories outside the policy. Each finding has a stable id and name,\n"
    "e.g. [MMR-W012 never-fires], and a hint; docs/lints.md explains each.\n"
    "\n"
    "  --format F     text (default, gcc style, on stderr), json (one object\n"
    "                 per line) or sarif (SARIF 2.1.0, for GitHub code\n"
    "                 scanning); json and sarif go to stdout\n"
    "  --strict       warnings count as errors (exit 1)\n"
    "  --config FILE  lint settings (tone words, limits, disabled lints);\n"
    "                 default: .mmr-lint.conf or mmr-lint.conf next to the\n"
    "                 first PATH, then in each parent up to the repo root\n"
    "  --no-config    use the built-in settings only\n"
    "  --allow-outside-root\n"
    "                 let imports reach files outside the directory of the\n"
    "                 paths given (see docs/language.md)\n"
    "  -o, --output FILE\n"
    "                 write the report to FILE instead (- = stdout)\n"
    "  --list         list every lint: id, name, severity, summary\n"
    "  --version      print the version line\n"
    "\n"
    "PATH - reads the ruleset from stdin; a flag also takes --flag=yes|no.\n"
    "A comment `# mmr: allow ID-or-name` on a finding's line or the line\n"
    "before silences it. Exit status: 0 clean (warnings allowed unless\n"
    "--strict), 1 errors, 2 usage error.\n";

static int list_lints(void)
{
    for (int i = 0; i < MMR_LINT_COUNT; i++) {
        const mmr_lint_info *L = &mmr_lint_table[i];
        printf("%-9s %-27s %-8s %s\n", L->id, L->name,
               L->severity == MMR_SEV_ERROR ? "error" : "warning", L->summary);
    }
    return EXIT_OK;
}

int cmd_lint(int argc, char **argv)
{
    if (cli_help_requested(argc, argv, help)) return EXIT_OK;
    cli_opts o;
    cli_opts_init(&o, argc, argv);
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    if (!paths) { fprintf(stderr, "mmr lint: out of memory\n"); return EXIT_INPUT; }
    size_t npaths = 0;
    cli_format fmt = CLI_FMT_TEXT;
    int strict = 0, no_config = 0, list = 0, lflags = 0;
    const char *config = NULL, *output = NULL;
    const char *name, *arg;
    int k;
    while ((k = cli_opts_next(&o, &name, &arg)) != -1) {
        if (k == 0) { paths[npaths++] = arg; continue; }
        int bad = EXIT_OK;
        if (!strcmp(name, "strict")) bad = cli_opts_flag(&o, &strict);
        else if (!strcmp(name, "no-config")) bad = cli_opts_flag(&o, &no_config);
        else if (!strcmp(name, "list")) bad = cli_opts_flag(&o, &list);
        else if (!strcmp(name, "allow-outside-root")) bad = cli_opts_flag_bit(&o, &lflags, MMR_LOAD_ANY_IMPORT);
        else if (!strcmp(name, "format") || !strcmp(name, "config") || !strcmp(name, "output") ||
                 !strcmp(name, "o")) {
            const char *v = cli_opts_need(&o);
            if (!v) bad = EXIT_USAGE;
            else if (!strcmp(name, "format")) {
                if (!strcmp(v, "text")) fmt = CLI_FMT_TEXT;
                else if (!strcmp(v, "json")) fmt = CLI_FMT_JSON;
                else if (!strcmp(v, "sarif")) fmt = CLI_FMT_SARIF;
                else bad = cli_usage_error("lint", "unknown format \"%s\" (text, json or sarif)", v);
            } else if (!strcmp(name, "config")) config = v;
            else output = v;
        } else bad = cli_opts_unknown(&o);
        if (bad != EXIT_OK) { free(paths); return bad; }
    }
    if (list) { free(paths); return list_lints(); }
    if (npaths == 0) { free(paths); return cli_usage_error("lint", "no PATH given"); }

    mmr_diags d;
    mmr_diags_init(&d);
    mmr_lint_config cfg;
    mmr_lint_config_init(&cfg);
    int config_errors = 0;
    if (config) config_errors = mmr_lint_config_load(&cfg, config, &d);
    else if (!no_config) {
        char *found = mmr_lint_config_find(paths[0]);
        if (found) { config_errors = mmr_lint_config_load(&cfg, found, &d); free(found); }
    }

    mmr_unit *u = NULL;
    if (!config_errors) {
        u = mmr_unit_load_opts(paths, npaths, lflags, &d);
        if (u && d.errors == 0 && mmr_check(u, &d) == 0 && d.errors == 0)
            mmr_lint(u, &cfg, &d);
    }
    if (strict) {
        for (size_t i = 0; i < d.n; i++)
            if (d.v[i].sev == MMR_SEV_WARNING) { d.v[i].sev = MMR_SEV_ERROR; d.errors++; }
    }
    mmr_diags_sort(&d);

    int rc = d.errors ? EXIT_INPUT : EXIT_OK;
    FILE *out = NULL;
    mmr_outfile of;   /* the report: a temporary renamed over it at the end */
    int to_stdout = output && !strcmp(output, "-");   /* "-o -": the report on stdout */
    if (to_stdout) out = stdout;
    else if (output) {
        if (mmr_outfile_open(&of, output, 0) == 0) out = of.f;
        else {
            cli_line(stderr, "mmr lint: cannot write %s: %s", output, cli_out_error(errno));
            rc = EXIT_INPUT;
        }
    }
    if (fmt == CLI_FMT_SARIF) {
        char *s = mmr_lint_sarif(&d, MMR_VERSION, cfg.docs_url);
        if (!s) { fprintf(stderr, "mmr lint: out of memory\n"); rc = EXIT_INPUT; }
        else fputs(s, out ? out : stdout);
        free(s);
    } else if (out) {
        if (fmt == CLI_FMT_JSON) mmr_diags_print_json(out, &d);
        else mmr_diags_print_text(out, &d);
    } else if (d.n || d.truncated) {
        cli_print_diags(&d, fmt);
    }
    if (to_stdout && fflush(stdout) != 0) {
        cli_line(stderr, "mmr lint: cannot write <stdout>: %s", cli_out_error(errno));
        rc = EXIT_INPUT;
    } else if (out && !to_stdout && mmr_outfile_commit(&of) != 0) {
        cli_line(stderr, "mmr lint: cannot write %s: %s", output, cli_out_error(errno));
        rc = EXIT_INPUT;
    }
    if (u) mmr_unit_free(u);
    mmr_lint_config_free(&cfg);
    mmr_diags_free(&d);
    free(paths);
    return rc;
}
