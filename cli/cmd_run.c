/* mmr run — the nightly pipeline with SQLite state (engine/run.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include "cli/cli.h"
#include "compiler/compile.h"
#include "engine/run.h"
#include "engine/lease.h"
#include "engine/report.h"
#include "engine/snapshot.h"
#include "engine/tz.h"
#include "store/pg.h"
#include "signals/snapdb.h"
#include "store/pg_signals.h"
#include "util/timeutil.h"

static const char help[] =
"usage: mmr run PATH... --db FILE [--signals FILE] [--as-of DATE] [--now ISO8601]\n"
"               [--dry-run] [--events FILE] [--redis URL] [--redis-timeout MS]\n"
"               [--busy-timeout MS] [--report FILE] [--shard K/N]\n"
"\n"
"Runs the whole pipeline over one snapshot date: signals (the table\n"
"mm_signal_daily, or --signals FILE as NDJSON or CSV) -> rules -> candidates\n"
"-> suppression -> deliveries, all stored in the SQLite database FILE in one\n"
"transaction (created and migrated as needed). Delivered events are printed\n"
"as NDJSON and published to Redis channel mm:nudges:<user_id>; a summary goes\n"
"to stderr. Rerunning the same snapshot creates nothing new.\n"
"\n"
"  PATH              .mmr files, directories of them, .json rule masters or a .mmrc\n"
"  --db FILE         the state database (required): a SQLite file, or\n"
"                    postgresql://[user@]host[:port]/dbname (libpq's URL; PG*\n"
"                    variables and ~/.pgpass fill what it leaves out)\n"
"  --signals FILE    read signals (and traits) from NDJSON or CSV instead of the table\n"
"  --as-of DATE      the snapshot date YYYY-MM-DD (default: the latest in\n"
"                    mm_signal_daily, or the records' as_of; for a ruleset with\n"
"                    derived signals, the date of --now in the policy's zone)\n"
"  --now ISO8601     the run's instant (default: the wall clock); it stamps\n"
"                    candidates, deliveries and events, so pass it for\n"
"                    reproducible output\n"
"  --dry-run         compute and print what would be delivered; open the\n"
"                    database read-only and write nothing\n"
"  --events FILE     append events to FILE instead of stdout (each event once,\n"
"                    even across a crash)\n"
"  --redis URL       also PUBLISH each event: redis://[[user][:password]@]host[:port][/db]\n"
"                    (host a name, IPv4 or [IPv6]) or unix://[[user][:password]@]/PATH[?db=N];\n"
"                    no password in the URL: MMR_REDIS_PASSWORD, else REDISCLI_AUTH\n"
"  --redis-timeout MS\n"
"                    the Redis deadline in milliseconds, for connecting\n"
"                    (default 2000) and for each batch of PUBLISHes (default\n"
"                    10000); past it the events stay in the outbox for the\n"
"                    next run\n"
"  --busy-timeout MS how long to wait for a locked database, or for another\n"
"                    run's lease (default 5000)\n"
"  --shard K/N       PostgreSQL: take only the users with mm_shard(user_id, N)\n"
"                    = K, so N workers share one night (docs/scale.md)\n"
"  --report FILE     after the commit, write a report of the run: the funnel,\n"
"                    each rule and category against the previous run of the\n"
"                    same ruleset, timings; FILE.json (- for stdout, with\n"
"                    --events FILE) or FILE.html (one page, no network; see\n"
"                    docs/report.md)\n"
"  --allow-outside-root\n"
"                    let imports reach files outside the directory of the\n"
"                    paths given (see docs/language.md)\n"
"\n"
"When the ruleset derives signals (signal NAME = ... of transaction ...),\n"
"mm_signal_daily has no rows for the date (or lacks a derived column) and\n"
"the database has transactions, budgets or goals, the signals are computed\n"
"first, as `mmr signals --db` does.\n"
"\n"
"One process at a time evaluates a database and one publishes its outbox:\n"
"another run waits for them up to --busy-timeout, then gives up naming the\n"
"holder (docs/engine.md, \"Concurrency\").\n"
"\n"
"Exit status: 0 committed and every event published; 1 bad input or state,\n"
"or another run holds the database (nothing written), or the --report file\n"
"could not be written (the run stays committed); 2 usage; 3 committed, but\n"
"publishing is incomplete (the events wait in the outbox for the next run).\n";

/* Derived signals first: when the ruleset declares them and the database
 * has no mm_signal_daily rows for the date, compute them (their own
 * transaction, committed before the run's). Sets *as_of when it was not
 * given. EXIT_OK or EXIT_INPUT (diagnostics printed). */
static int derive_first(const char **paths, size_t npaths, int lflags, mmr_run_opts *o, char *as_of_buf)
{
    size_t n = strlen(paths[0]);
    if (npaths == 1 && n > 5 && !strcmp(paths[0] + n - 5, ".mmrc")) return EXIT_OK;
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_unit *u = mmr_unit_load_opts(paths, npaths, lflags, &d);
    if (u && !d.errors) mmr_check(u, &d);
    int rc = EXIT_OK, quiet = 1;
    mmr_db *db = NULL;
    /* a ruleset with errors, a database that cannot be read, one of an
     * older schema: the run itself says what is wrong */
    if (!u || d.errors || !u->nderived) goto out;
    const char *as_of = o->as_of;
    if (!as_of) {
        const char *zone = u->policy && u->policy->timezone ? u->policy->timezone : "UTC";
        int32_t off = 0;
        mmr_tz_cache *tzc = mmr_tz_cache_new(o->zoneinfo);
        if (tzc) mmr_tz_offset(tzc, zone, o->now, &off, NULL);
        mmr_tz_cache_free(tzc);
        as_of = mmr_date_format(o->now + off, as_of_buf);
    }
    if (mmr_pg_is_url(o->db_path)) {
        /* PostgreSQL: store/pg_signals.c, in the database when it can */
        int need = mmr_pg_signals_needed(u, o->db_path, as_of, &d);
        if (need != 1) goto out;     /* an error: the run says what is wrong */
        quiet = 0;
        if (o->dry_run) {
            mmr_diag_add(&d, MMR_SEV_ERROR, "", 0, 0,
                         "mm_signal_daily has no rows for %s; a dry run writes nothing, so run `mmr signals --db` first", as_of);
            rc = EXIT_INPUT;
            goto out;
        }
        mmr_pg_sig_stats ps;
        if (mmr_pg_signals_run(u, o->db_path, as_of, o->zoneinfo, MMR_PG_SIG_AUTO, &ps, &d)) { rc = EXIT_INPUT; goto out; }
        o->as_of = as_of;
        fprintf(stderr, "mmr run: signals for %s: %llu users, computed %s\n", as_of, (unsigned long long)ps.users,
                ps.in_database ? "in the database" : "by mmr");
        goto out;
    }
    if (mmr_db_open(&db, o->db_path, MMR_DB_OPEN_RO, o->busy_ms, &d)) goto out;
    if (mmr_db_table_exists(db, "mm_transaction", &d) != 1 || mmr_db_table_exists(db, "mm_signal_daily", &d) != 1)
        goto out;
    /* nothing to derive from (signals loaded upstream into
     * mm_signal_daily): the table is used as it is */
    int has = mmr_snapdb_has_date(db, u, as_of, &d), src = has == 0 ? mmr_snapdb_has_sources(db, &d) : 1;
    mmr_db_close(db);
    db = NULL;
    if (has != 0 || src != 1) goto out;
    quiet = 0;
    if (o->dry_run) {
        mmr_diag_add(&d, MMR_SEV_ERROR, o->db_path, 0, 0,
                     "mm_signal_daily has no rows for %s; a dry run writes nothing, so run `mmr signals --db` first", as_of);
        rc = EXIT_INPUT;
        goto out;
    }
    /* the signals are written before the run's own check could refuse a
     * damaged file: check it first */
    if (mmr_db_open(&db, o->db_path, MMR_DB_OPEN_RO, o->busy_ms, &d) || mmr_db_quick_check(db, &d)) {
        rc = EXIT_INPUT;
        goto out;
    }
    mmr_db_close(db);
    db = NULL;
    mmr_snapdb_stats st;
    if (mmr_snapdb_run(u, o->db_path, as_of, o->busy_ms, o->zoneinfo, &st, &d)) { rc = EXIT_INPUT; goto out; }
    o->as_of = as_of;
    fprintf(stderr, "mmr run: signals for %s: %llu users from %llu transactions (%llu days rolled up, %llu reused)\n",
            as_of, (unsigned long long)st.users, (unsigned long long)st.transactions,
            (unsigned long long)st.tiles_built, (unsigned long long)st.tiles_reused);
out:
    if (db) mmr_db_close(db);
    if (!quiet) cli_print_diags(&d, CLI_FMT_TEXT);
    mmr_diags_free(&d);
    if (u) mmr_unit_free(u);
    return rc;
}

/* --events must be writable before anything is committed. */
static int probe_events(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) return 0;   /* a pipe or device: written as is */
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "%s: error: cannot open the events file: %s (nothing was written)\n", path, strerror(errno));
        return -1;
    }
    close(fd);
    return 0;
}

static void print_summary(const mmr_run_stats *st, int dry, int published_ok)
{
    fprintf(stderr, "mmr run%s: as_of %s: %llu users, %llu candidates, %llu delivered, %llu suppressed",
            dry ? " (dry run, nothing written)" : "", st->as_of[0] ? st->as_of : "-",
            (unsigned long long)st->users, (unsigned long long)st->candidates,
            (unsigned long long)st->delivered, (unsigned long long)st->suppressed);
    int any = 0;
    for (int r = 1; r < MMR_NREASONS; r++) {
        if (!st->by_reason[r]) continue;
        fprintf(stderr, "%s%s %llu", any ? ", " : " (", mmr_reason_name((mmr_reason)r),
                (unsigned long long)st->by_reason[r]);
        any = 1;
    }
    if (any) fputc(')', stderr);
    if (st->existing) fprintf(stderr, ", %llu already stored", (unsigned long long)st->existing);
    if (st->deferred) fprintf(stderr, ", %llu deferred past quiet hours", (unsigned long long)st->deferred);
    if (st->released || st->release_suppressed)
        fprintf(stderr, ", earlier deferrals: %llu delivered, %llu suppressed",
                (unsigned long long)st->released, (unsigned long long)st->release_suppressed);
    fputc('\n', stderr);
    if (!dry) {
        char pend[32];
        if (st->pending_unknown) snprintf(pend, sizeof pend, "an unknown number");
        else snprintf(pend, sizeof pend, "%llu", (unsigned long long)st->events_pending);
        fprintf(stderr, "mmr run: events: %llu written, %llu published to redis, %s pending in the outbox%s\n",
                (unsigned long long)st->events_emitted, (unsigned long long)st->events_redis, pend,
                published_ok ? "" : st->publish_busy ? " (another process is publishing)" : " (publishing failed)");
    }
    /* elapsed time varies: tests filter this line */
    fprintf(stderr, "mmr run: elapsed %.2f s\n", st->elapsed_s);
}

/* --report, after the commit (engine/report.h). A failure is an error
 * naming the file; the run stays committed. 0 or -1. */
static int write_report(const char *path, const mmr_run_opts *o, const mmr_program *prog,
                        const char *label, const mmr_run_stats *st, int complete)
{
    mmr_report_in in = { .prog = prog, .ruleset_label = label, .db_path = o->db_path,
                         .shard_k = o->shard_k, .shard_n = o->shard_n, .busy_ms = o->busy_ms, .now = o->now, .dry_run = o->dry_run,
                         .publish_complete = complete, .st = st };
    mmr_diags d;
    mmr_diags_init(&d);
    json_t *r = NULL;
    int rc = mmr_report_build(&in, &r, &d) || mmr_report_write(r, path, &d) ? -1 : 0;
    json_decref(r);
    cli_print_diags(&d, CLI_FMT_TEXT);
    mmr_diags_free(&d);
    if (rc && !o->dry_run) {
        mmr_buf db;              /* a URL without its password */
        mmr_buf_init(&db);
        if (mmr_pg_is_url(o->db_path)) mmr_pg_redact(o->db_path, &db);
        fprintf(stderr, "mmr run: the report was not written; the run is committed in %s all the same\n",
                db.data ? db.data : o->db_path);
        mmr_buf_free(&db);
    }
    return rc;
}

int cmd_run(int argc, char **argv)
{
    if (cli_help_requested(argc, argv, help)) return EXIT_OK;
    mmr_run_opts o;
    memset(&o, 0, sizeof o);
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    if (!paths) { fprintf(stderr, "mmr run: out of memory\n"); return EXIT_INPUT; }
    size_t npaths = 0;
    const char *now_s = NULL, *busy_s = NULL, *report_path = NULL, *shard_s = NULL;
    cli_opts op;
    cli_opts_init(&op, argc, argv);
    const char *name, *arg;
    int k, rc = EXIT_OK;
    mmr_db *lease_db = NULL;
    char *redis_url = NULL;     /* the URL to connect with (a password added) */
    int lflags = 0;
    while ((k = cli_opts_next(&op, &name, &arg)) >= 0) {
        if (k == 0) { paths[npaths++] = arg; continue; }
        const char **dst = NULL;
        if (!strcmp(name, "db")) dst = &o.db_path;
        else if (!strcmp(name, "signals")) dst = &o.signals_path;
        else if (!strcmp(name, "as-of")) dst = &o.as_of;
        else if (!strcmp(name, "now")) dst = &now_s;
        else if (!strcmp(name, "events")) dst = &o.events_path;
        else if (!strcmp(name, "redis")) dst = &o.redis_url;
        else if (!strcmp(name, "busy-timeout")) dst = &busy_s;
        else if (!strcmp(name, "report")) dst = &report_path;
        else if (!strcmp(name, "shard")) dst = &shard_s;
        else if (!strcmp(name, "dry-run")) {
            /* --dry-run=no is not a dry run; --dry-run=maybe is an error */
            if ((rc = cli_opts_flag(&op, &o.dry_run)) != EXIT_OK) goto out;
            continue;
        }
        else if (!strcmp(name, "allow-outside-root")) {
            if ((rc = cli_opts_flag_bit(&op, &lflags, MMR_LOAD_ANY_IMPORT)) != EXIT_OK) goto out;
            continue;
        }
        else if (!strcmp(name, "redis-timeout")) {
            /* one value for both Redis deadlines (engine/run.c passes it to connect too) */
            const char *v = cli_opts_need(&op);
            char *end = NULL;
            long ms = v ? strtol(v, &end, 10) : 0;
            if (!v) { rc = EXIT_USAGE; goto out; }
            if (end == v || *end || ms < 1 || ms > 3600000) {
                rc = cli_usage_error("run", "--redis-timeout %s: milliseconds 1-3600000", v);
                goto out;
            }
            o.redis_batch_ms = (int)ms;
            continue;
        }
        else { rc = cli_opts_unknown(&op); goto out; }
        const char *v = cli_opts_need(&op);
        if (!v) { rc = EXIT_USAGE; goto out; }
        *dst = v;
    }
    if (!npaths) { rc = cli_usage_error("run", "no ruleset given"); goto out; }
    if (!o.db_path) { rc = cli_usage_error("run", "--db FILE is required"); goto out; }
    int pg = mmr_pg_is_url(o.db_path);
    if (!pg && cli_check_data_path("run", "--db", o.db_path)) { rc = EXIT_INPUT; goto out; }
    if (shard_s) {
        /* K/N: this worker takes the users with mm_shard(user_id, N) = K */
        int sk, sn, used = 0;
        if (sscanf(shard_s, "%d/%d%n", &sk, &sn, &used) != 2 || shard_s[used] || sn < 1 || sn > 65536 || sk < 0 || sk >= sn) {
            rc = cli_usage_error("run", "--shard %s: K/N with 0 <= K < N <= 65536 (e.g. 0/4)", shard_s);
            goto out;
        }
        if (!pg) { rc = cli_usage_error("run", "--shard needs a PostgreSQL database (--db postgresql://...)"); goto out; }
        o.shard_k = sk; o.shard_n = sn;
    }
    if (report_path) {
        if (mmr_report_format_of(report_path) < 0) {
            rc = cli_usage_error("run", "--report %s: give a .json or .html file (or - for JSON on stdout)", report_path);
            goto out;
        }
        if (!strcmp(report_path, "-") && o.dry_run) {
            rc = cli_usage_error("run", "--report -: a dry run prints its events on stdout; give a .json file");
            goto out;
        }
        if (!strcmp(report_path, "-") && !o.events_path) {
            rc = cli_usage_error("run", "--report -: stdout carries the events; add --events FILE");
            goto out;
        }
        if (cli_check_data_path("run", "--report", report_path)) { rc = EXIT_INPUT; goto out; }
    }
    if (o.as_of && !mmr_snap_date_ok(o.as_of, strlen(o.as_of))) {
        rc = cli_usage_error("run", "--as-of %s: not a date (YYYY-MM-DD)", o.as_of);
        goto out;
    }
    if (o.redis_url) {
        /* a password from the environment when the URL has none (engine/run.h) */
        const char *pw = getenv("MMR_REDIS_PASSWORD");
        char why[512];
        if (mmr_redis_url_resolve(o.redis_url, pw && *pw ? pw : getenv("REDISCLI_AUTH"), &redis_url, why, sizeof why)) {
            rc = cli_usage_error("run", "%s", why);
            goto out;
        }
        o.redis_url = redis_url;
    }
    if (now_s) {
        const char *why = NULL;
        int64_t t;
        if (mmr_time_parse(now_s, strlen(now_s), &t, &why)) {
            rc = cli_usage_error("run", "--now %s: %s", now_s, why ? why : "not an ISO 8601 time");
            goto out;
        }
        o.now = t;
    } else {
        o.now = (int64_t)time(NULL);
    }
    if (busy_s) {
        char *end;
        long v = strtol(busy_s, &end, 10);
        if (*end || v < 0 || v > 3600000) { rc = cli_usage_error("run", "--busy-timeout %s: milliseconds 0-3600000", busy_s); goto out; }
        o.busy_ms = v ? (int)v : 1;
    }
    o.events_out = stdout;
    o.progress = isatty(2) ? stderr : NULL;
    o.ruleset_label = paths[0];

    if (o.events_path && !o.dry_run && probe_events(o.events_path)) { rc = EXIT_INPUT; goto out; }
    /* one run evaluates a database at a time (engine/lease.h); a dry run
     * writes nothing and takes no lease */
    static const char *const eval_lease[1] = { "evaluate" };
    mmr_lease_self me;
    mmr_lease_self_init(&me, "mmr run");
    if (!o.dry_run && !pg) {
        mmr_diags ld;
        mmr_diags_init(&ld);
        int lr = mmr_db_open(&lease_db, o.db_path, MMR_DB_OPEN_RW, o.busy_ms, &ld);
        if (!lr) lr = mmr_lease_acquire(lease_db, eval_lease, 1, &me, o.busy_ms > 0 ? o.busy_ms : MMR_DB_BUSY_MS_DEFAULT, &ld);
        cli_print_diags(&ld, CLI_FMT_TEXT);
        mmr_diags_free(&ld);
        if (lr == 1 || lr < 0) { rc = EXIT_INPUT; goto out; }
        o.lease = &me;
        o.lease_evaluate = lr == 0;
    }

    char as_of_buf[MMR_TIME_BUF];
    if (!o.signals_path && derive_first(paths, npaths, lflags, &o, as_of_buf) != EXIT_OK) { rc = EXIT_INPUT; goto out; }

    mmr_diags d;
    mmr_diags_init(&d);
    mmr_program *prog = mmr_build_opts(paths, npaths, lflags, &d);
    if (!prog) {
        cli_print_diags(&d, CLI_FMT_TEXT);
        mmr_diags_free(&d);
        rc = EXIT_INPUT;
        goto out;
    }
    o.prog = prog;
    mmr_run_stats st;
    int r = mmr_run(&o, &st, &d);
    fflush(stdout);
    cli_print_diags(&d, CLI_FMT_TEXT);
    /* this run's publishing failed (events pending for another reason,
     * say a concurrent run's that it publishes itself, are not a failure) */
    int incomplete = st.committed && (r || st.redis_failed || st.publish_busy || st.pending_unknown);
    if (r == 0 || st.committed) print_summary(&st, o.dry_run, !incomplete);
    if (incomplete) rc = EXIT_PUBLISH;
    else if (r) rc = EXIT_INPUT;
    if (report_path && (r == 0 || st.committed) && write_report(report_path, &o, prog, paths[0], &st, !incomplete))
        rc = rc == EXIT_OK ? EXIT_INPUT : rc;
    mmr_diags_free(&d);
    mmr_program_free(prog);
out:
    if (lease_db) {
        mmr_lease_release(lease_db, eval_lease, 1, &me);
        mmr_db_close(lease_db);
    }
    free(paths);
    free(redis_url);
    return rc;
}
