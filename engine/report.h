/* `mmr run --report FILE`: what a run did, for people (docs/report.md).
 *
 * The report is built after the run's commit from the run's statistics
 * (engine/run.h) and the database: this run's candidates per rule and per
 * category (mm_nudge_candidate of its run_id), and the same for the
 * previous committed run of the same ruleset (mm_run.ruleset_hash), for
 * comparison. It is one JSON object (schema docs/report.schema.json),
 * written as JSON or as a self-contained HTML page (inline CSS and SVG, no
 * script, nothing fetched) by the file's extension.
 *
 * A dry run stores nothing: its report has the funnel from the statistics,
 * the rules without counts (null) and the previous committed run. */
#ifndef MMR_REPORT_H
#define MMR_REPORT_H
#include <jansson.h>
#include "util/diag.h"
#include "util/buf.h"
#include "vm/program.h"
#include "engine/run.h"

#define MMR_REPORT_VERSION 1

typedef struct mmr_report_in {
    const mmr_program *prog;     /* the ruleset that ran */
    const char *ruleset_label;   /* as given on the command line */
    const char *db_path;         /* a SQLite file or a PostgreSQL URL */
    int shard_k, shard_n;        /* PostgreSQL: the run's --shard (shard_n <= 1: none);
                                    the previous run is the same shard's */
    int busy_ms;
    int64_t now;                 /* the run's --now */
    int dry_run;
    int publish_complete;        /* every event published (exit status 0) */
    const mmr_run_stats *st;
} mmr_report_in;

typedef enum { MMR_REPORT_JSON, MMR_REPORT_HTML } mmr_report_format;

/* The format for path by its extension: ".json" (or "-", stdout) JSON,
 * ".html"/".htm" HTML; -1 for anything else. */
int mmr_report_format_of(const char *path);

/* The report into *out (owned by the caller). 0, or -1 with diagnostics
 * naming the database. */
int mmr_report_build(const mmr_report_in *in, json_t **out, mmr_diags *d);

/* The page for a report (engine/report_html.c), appended to b. Every text
 * from the report is escaped: rule and category names are user input. */
void mmr_report_html(const json_t *r, mmr_buf *b);

/* Write r to path in its format ("-": JSON on stdout). The file is written
 * whole or not at all (a temporary file renamed over it). 0, or -1 with an
 * error naming path. */
int mmr_report_write(const json_t *r, const char *path, mmr_diags *d);

#endif
