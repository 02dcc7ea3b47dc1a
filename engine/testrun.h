/* The `mmr test` runner: runs a ruleset's `test` blocks through the same
 * VM and the same decision (engine/decide.h) the engine uses, and
 * collects the explain trace and condition coverage.
 *
 * Library code: nothing is printed. Results are data (jansson objects,
 * one per test) plus renderers into an mmr_buf; cli/cmd_test.c prints.
 */
#ifndef MMR_TESTRUN_H
#define MMR_TESTRUN_H
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "compiler/ast.h"
#include "util/buf.h"
#include "util/diag.h"
#include "vm/program.h"

/* A test without `at` runs at this instant: 2025-10-26T06:30:00Z, which
 * is 12:00 in Asia/Kolkata (outside any usual quiet hours). Never the
 * wall clock, so tests are reproducible. */
#define MMR_TEST_DEFAULT_AT_TEXT "2025-10-26T06:30:00Z"
#define MMR_TEST_DEFAULT_AT ((int64_t)1761460200)

typedef struct mmr_testrun_opts {
    const char *filter;          /* run only tests whose name contains this; NULL = all */
    const char *zoneinfo_dir;    /* NULL = /usr/share/zoneinfo */
    int load_flags;              /* mmr_unit_load_opts flags (MMR_LOAD_ANY_IMPORT) */
} mmr_testrun_opts;

/* Coverage marks of one condition (program->conds[i]). */
enum { MMR_COV_TRUE = 1, MMR_COV_FALSE = 2, MMR_COV_UNKNOWN = 4 };

/* What coverage counts of program->conds[i]: 0 not at all (an explain
 * detail: a call, a quantifier step), 1 a condition (covered when seen
 * true and false), 2 a let holding a value, not a truth (covered when it
 * ran). */
int mmr_cov_kind(const mmr_program *p, uint32_t i);

typedef struct mmr_testrun {
    mmr_unit *unit;              /* owned */
    mmr_program *prog;           /* owned */
    json_t *tests;               /* array, one object per test run (see testing.md) */
    size_t passed, failed, skipped;
    json_t *filtered;            /* array of {name, file, line}: tests --filter left out */
    double *seconds;             /* per entry of tests: wall time of the test */
    uint8_t *cond_seen;          /* prog->nconds marks (MMR_COV_*) */
    uint32_t *cond_hits;         /* 3 per condition: times seen true, false, unknown */
    uint32_t *rule_fired;        /* per rule: tests where it was a candidate */
    uint32_t *rule_delivered;    /* per rule: tests where it was delivered */
} mmr_testrun;

void mmr_testrun_init(mmr_testrun *r);
void mmr_testrun_free(mmr_testrun *r);

/* Load, check and compile paths, then run every (matching) test.
 * Returns 0 when the suite ran (tests may have failed: see r->failed),
 * -1 when the ruleset has errors (in d) or on out-of-memory. */
int mmr_testrun_run(const char *const *paths, size_t npaths, const mmr_testrun_opts *o,
                    mmr_testrun *r, mmr_diags *d);

/* Failing expectations with their context, no closing line. */
void mmr_testrun_render_text(const mmr_testrun *r, mmr_buf *out);
/* The same for one entry of r->tests (nothing when it passed). */
void mmr_testrun_render_test_text(const json_t *t, mmr_buf *out);
/* "N passed, N failed\n" */
void mmr_testrun_render_summary(const mmr_testrun *r, mmr_buf *out);
/* The coverage table and summary lines. */
void mmr_testrun_render_coverage_text(const mmr_testrun *r, mmr_buf *out);
/* New references (caller json_decref's). */
json_t *mmr_testrun_json(const mmr_testrun *r);
json_t *mmr_testrun_coverage_json(const mmr_testrun *r);
/* Reports (engine/test_report.c; see docs/testing.md):
 * JUnit XML, one <testsuite> per test file, valid UTF-8 XML 1.0 whatever
 * the names hold; times with 3 decimals. */
void mmr_testrun_render_junit(const mmr_testrun *r, mmr_buf *out);
/* JUnit XML for a ruleset that did not compile: one <testcase> in error
 * whose text is diag_text (the diagnostics as printed). */
void mmr_testrun_render_junit_error(const char *name, size_t nerrors, const char *diag_text,
                                    mmr_buf *out);
/* An lcov tracefile of the condition coverage: per source file, FN/FNDA
 * per rule (hits = tests where it was a candidate), BRDA per condition
 * (branch 0 = seen true, 1 = seen false), DA per line holding conditions. */
void mmr_testrun_render_lcov(const mmr_testrun *r, mmr_buf *out);
/* Pretty JSON (two-space indent, keys in insertion order) with numbers in
 * their shortest round-trip form (0.35, not 0.34999999999999998). */
void mmr_json_dump(mmr_buf *out, const json_t *j);

#endif
