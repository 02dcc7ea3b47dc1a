/* mmr test PATH... [--filter SUBSTR] [--format text|json] [--junit FILE]
 *                  [--coverage [--coverage-format text|json|lcov]]
 * Runs the ruleset's test blocks (engine/testrun.h). Exit 0 when every
 * test passed, 1 when a test failed or the ruleset has errors, 2 on a
 * usage error.
 *
 * stdout carries one thing: the text report, the --format json document,
 * the JUnit XML of `--junit -` or the JSON/lcov coverage of
 * --coverage-format json|lcov. When it is one of the last three (with
 * --format text), the text report (failures, closing line) goes to stderr. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "engine/testrun.h"
#include "compiler/compile.h"

static const char help[] =
    "usage: mmr test PATH... [--filter SUBSTR] [--format text|json] [--junit FILE]\n"
    "                [--coverage [--coverage-format text|json|lcov]]\n"
    "\n"
    "Run the `test` blocks of a ruleset (.mmr files or directories).\n"
    "Each failing expectation prints FILE:LINE: test \"NAME\": ..., then the\n"
    "candidates, the decisions and the explain trace. The last line is\n"
    "`N passed, N failed`. A test without `at` runs at 2025-10-26T06:30:00Z.\n"
    "\n"
    "  --filter SUBSTR          run only tests whose name contains SUBSTR\n"
    "  --format text|json       output format (json: one document on stdout)\n"
    "  --junit FILE             also write a JUnit XML report to FILE (written\n"
    "                           whole, also when tests fail); `-` = stdout,\n"
    "                           and the text report then goes to stderr\n"
    "  --coverage               report rule and condition coverage\n"
    "  --allow-outside-root     let imports reach files outside the directory\n"
    "                           of the paths given (see docs/language.md)\n"
    "  --coverage-format F      text, json or lcov (default: the --format);\n"
    "                           implies --coverage. json and lcov print only\n"
    "                           that on stdout; the text report goes to stderr\n"
    "\n"
    "Exit status: 0 all passed, 1 a test failed or the ruleset has errors\n"
    "(or the --junit file could not be written), 2 usage error.\n";

enum { FMT_TEXT, FMT_JSON, FMT_LCOV };

static int parse_fmt(const char *v, int *fmt, int lcov_ok)
{
    if (!v) return -1;
    if (strcmp(v, "text") == 0) { *fmt = FMT_TEXT; return 0; }
    if (strcmp(v, "json") == 0) { *fmt = FMT_JSON; return 0; }
    if (lcov_ok && strcmp(v, "lcov") == 0) { *fmt = FMT_LCOV; return 0; }
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

/* The JUnit report of a ruleset that did not compile: the diagnostics as
 * one test in error, so CI shows why no test ran. */
static void junit_for_errors(const char *const *paths, size_t npaths, const mmr_diags *d, mmr_buf *out)
{
    mmr_buf name;
    mmr_buf_init(&name);
    for (size_t i = 0; i < npaths; i++) mmr_buf_printf(&name, "%s%s", i ? " " : "", paths[i]);
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (m) { mmr_diags_print_text(m, d); fclose(m); }
    mmr_testrun_render_junit_error(name.data ? name.data : "", d->errors, text ? text : "", out);
    free(text);
    mmr_buf_free(&name);
}

/* Write the JUnit report: to stdout for "-", else whole to the file (a
 * temporary renamed over it). EXIT_OK or EXIT_INPUT (message printed). */
static int write_junit(const char *path, mmr_buf *x)
{
    if (x->oom) { fprintf(stderr, "mmr test: out of memory\n"); return EXIT_INPUT; }
    int st = cli_write_output("test", strcmp(path, "-") ? path : NULL, x->data ? x->data : "", x->len);
    fflush(stdout);
    return st;
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
    int fmt = FMT_TEXT, cov = 0, cov_fmt = -1;
    const char *junit = NULL;
    const char *name, *arg;
    int k;
    while ((k = cli_opts_next(&o, &name, &arg)) >= 0) {
        if (k == 0) { paths[npaths++] = arg; continue; }
        int bad = EXIT_OK;
        int is_valued = !strcmp(name, "filter") || !strcmp(name, "format") || !strcmp(name, "junit") ||
                        !strcmp(name, "coverage-format");
        const char *v = NULL;
        if (is_valued && !(v = cli_opts_need(&o))) bad = EXIT_USAGE;
        else if (strcmp(name, "filter") == 0) {
            topts.filter = v;
        } else if (strcmp(name, "format") == 0) {
            if (parse_fmt(v, &fmt, 0) < 0) bad = cli_usage_error("test", "--format must be text or json");
        } else if (strcmp(name, "junit") == 0) {
            junit = v;
            if (!*junit) bad = cli_usage_error("test", "--junit needs a file (- for stdout)");
        } else if (strcmp(name, "allow-outside-root") == 0) {
            bad = cli_opts_flag_bit(&o, &topts.load_flags, MMR_LOAD_ANY_IMPORT);
        } else if (strcmp(name, "coverage") == 0) {
            bad = cli_opts_flag(&o, &cov);
        } else if (strcmp(name, "coverage-format") == 0) {
            if (parse_fmt(v, &cov_fmt, 1) < 0)
                bad = cli_usage_error("test", "--coverage-format must be text, json or lcov");
            cov = 1;    /* asking for a coverage format asks for coverage */
        } else {
            bad = cli_opts_unknown(&o);
        }
        if (bad != EXIT_OK) { free(paths); return bad; }
    }
    if (npaths == 0) { free(paths); return cli_usage_error("test", "no ruleset given"); }
    if (cov_fmt < 0) cov_fmt = fmt;
    /* with --format json the coverage is part of the document */
    int cov_out = cov && fmt == FMT_TEXT && cov_fmt != FMT_TEXT;   /* JSON or lcov alone on stdout */
    int junit_out = junit && strcmp(junit, "-") == 0;
    const char *clash = fmt == FMT_JSON && cov && cov_fmt == FMT_LCOV ? "--coverage-format lcov and --format json"
                      : junit_out && fmt == FMT_JSON ? "--junit - and --format json"
                      : junit_out && cov_out ? "--junit - and --coverage-format json|lcov" : NULL;
    if (clash) { free(paths); return cli_usage_error("test", "%s would both write to stdout", clash); }

    mmr_diags d;
    mmr_diags_init(&d);
    mmr_testrun r;
    mmr_testrun_init(&r);
    int rc = mmr_testrun_run(paths, npaths, &topts, &r, &d);
    mmr_diags_sort(&d);
    /* stdout carries the one report document: diagnostics stay on stderr */
    cli_print_diags_to(stderr, &d, fmt == FMT_JSON ? CLI_FMT_JSON : CLI_FMT_TEXT);
    mmr_buf b;
    mmr_buf_init(&b);
    if (rc < 0) {
        if (d.errors == 0) fprintf(stderr, "mmr test: out of memory\n");
        else if (junit) {
            junit_for_errors(paths, npaths, &d, &b);
            write_junit(junit, &b);
        }
        mmr_buf_free(&b);
        free(paths);
        mmr_testrun_free(&r);
        mmr_diags_free(&d);
        return EXIT_INPUT;
    }
    free(paths);
    int status = r.failed > 0 ? EXIT_INPUT : EXIT_OK;
    if (junit && !junit_out) {
        mmr_testrun_render_junit(&r, &b);
        if (write_junit(junit, &b) != EXIT_OK) status = EXIT_INPUT;
        mmr_buf_clear(&b);
    }
    if (fmt == FMT_JSON) {
        json_t *doc = mmr_testrun_json(&r);
        if (cov) json_object_set_new(doc, "coverage", mmr_testrun_coverage_json(&r));
        put_json(doc);
        json_decref(doc);
    } else {
        /* the text report; on stderr when stdout carries a machine format */
        FILE *rep = junit_out || cov_out ? stderr : stdout;
        mmr_testrun_render_text(&r, &b);
        if (cov && cov_fmt == FMT_TEXT) mmr_testrun_render_coverage_text(&r, &b);
        if (b.len) fwrite(b.data, 1, b.len, rep);
        fflush(rep);
        mmr_buf_clear(&b);
        if (junit_out) {
            mmr_testrun_render_junit(&r, &b);
            if (write_junit(junit, &b) != EXIT_OK) status = EXIT_INPUT;
        } else if (cov_out && cov_fmt == FMT_JSON) {
            json_t *c = mmr_testrun_coverage_json(&r);
            put_json(c);
            json_decref(c);
        } else if (cov_out) {
            mmr_testrun_render_lcov(&r, &b);
            fwrite(b.data ? b.data : "", 1, b.len, stdout);
        }
        fflush(stdout);
        mmr_buf_clear(&b);
        mmr_testrun_render_summary(&r, &b);
        fwrite(b.data, 1, b.len, rep);
    }
    mmr_buf_free(&b);
    mmr_testrun_free(&r);
    mmr_diags_free(&d);
    return status;
}
