/* mmr test PATH... [--filter SUBSTR] [--format text|json]
 *                  [--coverage [--coverage-format text|json]]
 * Runs the ruleset's test blocks (engine/testrun.h). Exit 0 when every
 * test passed, 1 when a test failed or the ruleset has errors, 2 on a
 * usage error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "engine/testrun.h"
#include "compiler/compile.h"

static const char help[] =
    "usage: mmr test PATH... [--filter SUBSTR] [--format text|json]\n"
    "                [--coverage [--coverage-format text|json]]\n"
    "\n"
    "Run the `test` blocks of a ruleset (.mmr files or directories).\n"
    "Each failing expectation prints FILE:LINE: test \"NAME\": ..., then the\n"
    "candidates, the decisions and the explain trace. The last line is\n"
    "`N passed, N failed`. A test without `at` runs at 2025-10-26T06:30:00Z.\n"
    "\n"
    "  --filter SUBSTR          run only tests whose name contains SUBSTR\n"
    "  --format text|json       output format (json: one document on stdout)\n"
    "  --coverage               report rule and condition coverage\n"
    "  --allow-outside-root     let imports reach files outside the directory\n"
    "                           of the paths given (see docs/language.md)\n"
    "  --coverage-format F      text or json (default: the --format);\n"
    "                           implies --coverage\n"
    "\n"
    "Exit status: 0 all passed, 1 a test failed or the ruleset has errors,\n"
    "2 usage error.\n";

static int parse_fmt(const char *v, int *json)
{
    if (!v) return -1;
    if (strcmp(v, "text") == 0) { *json = 0; return 0; }
    if (strcmp(v, "json") == 0) { *json = 1; return 0; }
    return -1;
}

static void put_json(json_t *j)
{
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_json_dump(&b, j);
    if (b.len) fwrite(b.data, 1, b.len, stdout);
    mmr_buf_free(&b);
}

int cmd_test(int argc, char **argv)
{
    if (cli_help_requested(argc, argv, help)) return EXIT_OK;
    cli_opts o;
    cli_opts_init(&o, argc, argv);
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    if (!paths) { fprintf(stderr, "mmr test: out of memory\n"); return EXIT_INPUT; }
    size_t npaths = 0;
    mmr_testrun_opts topts = { 0 };
    int json = 0, cov = 0, cov_json = -1;
    const char *name, *arg;
    int k;
    while ((k = cli_opts_next(&o, &name, &arg)) >= 0) {
        if (k == 0) { paths[npaths++] = arg; continue; }
        if (strcmp(name, "filter") == 0) {
            topts.filter = cli_opts_value(&o);
            if (!topts.filter) { free(paths); return cli_usage_error("test", "--filter needs a value"); }
        } else if (strcmp(name, "format") == 0) {
            const char *v = cli_opts_value(&o);
            if (parse_fmt(v, &json) < 0) { free(paths); return cli_usage_error("test", "--format must be text or json"); }
        } else if (strcmp(name, "allow-outside-root") == 0) {
            if (o.pending_value) { free(paths); return cli_usage_error("test", "--allow-outside-root takes no value"); }
            topts.load_flags |= MMR_LOAD_ANY_IMPORT;
        } else if (strcmp(name, "coverage") == 0) {
            if (o.pending_value) { free(paths); return cli_usage_error("test", "--coverage takes no value"); }
            cov = 1;
        } else if (strcmp(name, "coverage-format") == 0) {
            const char *v = cli_opts_value(&o);
            if (parse_fmt(v, &cov_json) < 0) { free(paths); return cli_usage_error("test", "--coverage-format must be text or json"); }
            cov = 1;    /* asking for a coverage format asks for coverage */
        } else {
            const char *dash = argv[o.i - 1][1] == '-' ? "--" : "-";
            free(paths);
            return cli_usage_error("test", "unknown option %s%s", dash, name);
        }
    }
    if (npaths == 0) { free(paths); return cli_usage_error("test", "no ruleset given"); }
    if (cov_json < 0) cov_json = json;

    mmr_diags d;
    mmr_diags_init(&d);
    mmr_testrun r;
    mmr_testrun_init(&r);
    int rc = mmr_testrun_run(paths, npaths, &topts, &r, &d);
    free(paths);
    mmr_diags_sort(&d);
    cli_print_diags(&d, json ? CLI_FMT_JSON : CLI_FMT_TEXT);
    if (rc < 0) {
        if (d.errors == 0) fprintf(stderr, "mmr test: out of memory\n");
        mmr_testrun_free(&r);
        mmr_diags_free(&d);
        return EXIT_INPUT;
    }
    if (json) {
        json_t *doc = mmr_testrun_json(&r);
        if (cov) json_object_set_new(doc, "coverage", mmr_testrun_coverage_json(&r));
        put_json(doc);
        json_decref(doc);
    } else {
        mmr_buf b;
        mmr_buf_init(&b);
        mmr_testrun_render_text(&r, &b);
        if (cov && !cov_json) mmr_testrun_render_coverage_text(&r, &b);
        if (b.len) fwrite(b.data, 1, b.len, stdout);
        if (cov && cov_json) {
            fflush(stdout);
            json_t *c = mmr_testrun_coverage_json(&r);
            put_json(c);
            json_decref(c);
        }
        mmr_buf_clear(&b);
        mmr_testrun_render_summary(&r, &b);
        fwrite(b.data, 1, b.len, stdout);
        mmr_buf_free(&b);
    }
    int failed = r.failed > 0;
    mmr_testrun_free(&r);
    mmr_diags_free(&d);
    return failed ? EXIT_INPUT : EXIT_OK;
}
