/* mmr signals — derived signals from transactions (docs/signals.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "compiler/compile.h"
#include "engine/snapshot.h"
#include "signals/emit_sql.h"
#include "signals/snapdb.h"
#include "signals/snapfile.h"
#include "store/pg.h"
#include "store/pg_signals.h"

static const char help[] =
"usage: mmr signals PATH... --transactions FILE... [--traits FILE] [--budgets FILE] [--goals FILE]\n"
"                   --as-of DATE --ndjson OUT\n"
"       mmr signals PATH... --db FILE|postgresql://... --as-of DATE [--compute auto|sql|engine]\n"
"       mmr signals PATH... --emit-sql postgresql [--as-of DATE]\n"
"\n"
"Computes the derived signals that the ruleset declares (signal NAME = ... of\n"
"transaction ...) for every user, as of the end of local day DATE in each\n"
"user's time zone (trait tz, else the policy's timezone).\n"
"\n"
"From files: transactions as NDJSON or CSV (.csv), traits as NDJSON lines\n"
"{\"user_id\":..,\"traits\":{..}}; writes one snapshot line per user that has\n"
"transactions or traits, in user_id order, as `mmr eval --signals` and\n"
"`mmr run --signals` read them. OUT may be - for stdout.\n"
"\n"
"From the database: reads mm_transaction and mm_user_traits, keeps per-user\n"
"per-day rollups in mm_signal_tile (only days without one are computed from\n"
"transactions), and writes mm_signal_daily for DATE, replacing that date's\n"
"rows. Rollups and signal rows older than the retention are deleted. One\n"
"transaction: on any error the database is unchanged.\n"
"\n"
"From PostgreSQL (--db postgresql://...): the same rows, computed inside the\n"
"database by the SQL of --emit-sql when every derived signal can be said in\n"
"it, else by mmr from the transactions read through a cursor (no rollups).\n"
"\n"
"  PATH                 .mmr files or directories (a .mmrc has no definitions)\n"
"  --transactions FILE  transactions file (repeatable; - = stdin)\n"
"  --traits FILE        traits file (optional)\n"
"  --budgets FILE       budgets, NDJSON as `mmr ingest --budgets` takes (optional)\n"
"  --goals FILE         goals, NDJSON as `mmr ingest --goals` takes (optional)\n"
"  --as-of DATE         YYYY-MM-DD (required)\n"
"  --ndjson OUT         where the snapshot goes (with --transactions)\n"
"  --db FILE            the state database (instead of files): a SQLite file\n"
"                       or postgresql://[user@]host[:port]/dbname\n"
"  --compute WHERE      PostgreSQL: auto (default: in the database when the\n"
"                       SQL can say it), sql (in the database, or an error),\n"
"                       engine (in mmr)\n"
"  --emit-sql postgresql  print the derived signals as one PostgreSQL script\n"
"                       (run it with psql; without --as-of it reads the psql\n"
"                       variable as_of: psql -v as_of=YYYY-MM-DD -f FILE)\n"
"  --busy-timeout MS    how long to wait for a locked database (default 5000)\n"
"  --allow-outside-root let imports reach files outside the directory of\n"
"                       the paths given (see docs/language.md)\n"
"\n"
"Exit status: 0 success, 1 bad input (nothing written), 2 usage.\n";

/* --emit-sql: the ruleset's definitions as SQL on stdout, nothing read */
static int emit_sql(const char **paths, size_t npaths, int lflags, const char *dialect, const char *as_of, int other)
{
    if (strcmp(dialect, "postgresql"))
        return cli_usage_error("signals", "--emit-sql %s: unknown dialect; the supported one is %s", dialect,
                               MMR_EMIT_SQL_DIALECTS);
    if (other)
        return cli_usage_error("signals", "--emit-sql prints SQL and reads no data: it takes only PATH... and --as-of");
    if (as_of && !mmr_snap_date_ok(as_of, strlen(as_of)))
        return cli_usage_error("signals", "--as-of %s: not a date (YYYY-MM-DD)", as_of);
    mmr_diags d;
    mmr_diags_init(&d);
    int rc = EXIT_OK;
    mmr_unit *u = mmr_unit_load_opts(paths, npaths, lflags, &d);
    if (u && !d.errors) mmr_check(u, &d);
    if (!u || d.errors) rc = EXIT_INPUT;
    else if (u->nderived == 0) {
        cli_print_diags(&d, CLI_FMT_TEXT);
        fprintf(stderr, "mmr signals: the ruleset declares no derived signal (signal NAME = ... of transaction ...)\n");
        mmr_diags_free(&d);
        mmr_unit_free(u);
        return EXIT_INPUT;
    } else {
        mmr_buf b;
        mmr_buf_init(&b);
        if (mmr_emit_sql_pg(u, as_of, &b, &d)) rc = EXIT_INPUT;
        else if (b.oom) { fprintf(stderr, "mmr signals: out of memory\n"); rc = EXIT_INPUT; }
        else if (fwrite(b.data, 1, b.len, stdout) != b.len || fflush(stdout)) {
            fprintf(stderr, "mmr signals: cannot write the SQL to stdout\n");
            rc = EXIT_INPUT;
        }
        mmr_buf_free(&b);
    }
    cli_print_diags(&d, CLI_FMT_TEXT);
    mmr_diags_free(&d);
    if (u) mmr_unit_free(u);
    return rc;
}

int cmd_signals(int argc, char **argv)
{
    if (cli_help_requested(argc, argv, help)) return EXIT_OK;
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    const char **txns = calloc((size_t)argc + 1, sizeof *txns);
    if (!paths || !txns) { free(paths); free(txns); fprintf(stderr, "mmr signals: out of memory\n"); return EXIT_INPUT; }
    size_t npaths = 0, ntxns = 0;
    const char *traits = NULL, *as_of = NULL, *out = NULL, *db = NULL, *busy_s = NULL;
    const char *budgets = NULL, *goals = NULL, *emit = NULL, *compute = NULL;
    cli_opts op;
    cli_opts_init(&op, argc, argv);
    const char *name, *arg;
    int k, rc = EXIT_OK, lflags = 0;
    while ((k = cli_opts_next(&op, &name, &arg)) >= 0) {
        if (k == 0) { paths[npaths++] = arg; continue; }
        if (!strcmp(name, "allow-outside-root")) {
            if (cli_opts_flag_bit(&op, &lflags, MMR_LOAD_ANY_IMPORT)) { rc = EXIT_USAGE; goto done; }
            continue;
        }
        static const char *const valued[] = { "transactions", "traits", "budgets", "goals", "as-of", "ndjson",
                                              "db", "busy-timeout", "emit-sql", "compute" };
        int known = 0;
        for (size_t j = 0; j < sizeof valued / sizeof *valued; j++) known |= !strcmp(name, valued[j]);
        if (!known) { rc = cli_opts_unknown(&op); goto done; }
        const char *v = cli_opts_value(&op);
        if (!v) { rc = cli_usage_error("signals", "%s needs a value", op.typed); goto done; }
        if (!strcmp(name, "transactions")) txns[ntxns++] = v;
        else if (!strcmp(name, "traits")) traits = v;
        else if (!strcmp(name, "budgets")) budgets = v;
        else if (!strcmp(name, "goals")) goals = v;
        else if (!strcmp(name, "as-of")) as_of = v;
        else if (!strcmp(name, "ndjson")) out = v;
        else if (!strcmp(name, "db")) db = v;
        else if (!strcmp(name, "busy-timeout")) busy_s = v;
        else if (!strcmp(name, "emit-sql")) emit = v;
        else if (!strcmp(name, "compute")) compute = v;
        else { rc = cli_usage_error("signals", "unknown option \"%s\"", op.typed); goto done; }
    }
    if (!npaths) { rc = cli_usage_error("signals", "no ruleset given"); goto done; }
    if (emit) { rc = emit_sql(paths, npaths, lflags, emit, as_of, db || ntxns || out || traits || budgets || goals || busy_s || compute); goto done; }
    if (!as_of) { rc = cli_usage_error("signals", "--as-of DATE is required"); goto done; }
    if (!mmr_snap_date_ok(as_of, strlen(as_of))) { rc = cli_usage_error("signals", "--as-of %s: not a date (YYYY-MM-DD)", as_of); goto done; }
    if (db && (ntxns || out || traits || budgets || goals)) {
        rc = cli_usage_error("signals", "--db reads the database: --transactions, --traits, --budgets, --goals and --ndjson are for files");
        goto done;
    }
    if (!db && !ntxns) { rc = cli_usage_error("signals", "give --transactions FILE (and --ndjson OUT), or --db FILE"); goto done; }
    if (!db && !out) { rc = cli_usage_error("signals", "--ndjson OUT is required with --transactions (- for stdout)"); goto done; }
    int pg = mmr_pg_is_url(db);
    mmr_pg_sig_mode mode = MMR_PG_SIG_AUTO;
    if (compute) {
        if (!pg) { rc = cli_usage_error("signals", "--compute is for a PostgreSQL --db"); goto done; }
        if (!strcmp(compute, "sql")) mode = MMR_PG_SIG_SQL;
        else if (!strcmp(compute, "engine")) mode = MMR_PG_SIG_ENGINE;
        else if (strcmp(compute, "auto")) {
            rc = cli_usage_error("signals", "--compute %s: auto, sql or engine", compute);
            goto done;
        }
    }
    if (!pg && cli_check_data_path("signals", "--db", db)) { rc = EXIT_INPUT; goto done; }
    int busy_ms = 0;
    if (busy_s) {
        char *end;
        long v = strtol(busy_s, &end, 10);
        if (*end || v < 0 || v > 3600000) { rc = cli_usage_error("signals", "--busy-timeout %s: milliseconds 0-3600000", busy_s); goto done; }
        busy_ms = v ? (int)v : 1;
    }

    mmr_diags d;
    mmr_diags_init(&d);
    mmr_unit *u = mmr_unit_load_opts(paths, npaths, lflags, &d);
    if (u && !d.errors) mmr_check(u, &d);
    if (!u || d.errors) {
        cli_print_diags(&d, CLI_FMT_TEXT);
        rc = EXIT_INPUT;
    } else if (u->nderived == 0) {
        cli_print_diags(&d, CLI_FMT_TEXT);
        fprintf(stderr, "mmr signals: the ruleset declares no derived signal (signal NAME = ... of transaction ...)\n");
        rc = EXIT_INPUT;
    } else if (!db) {
        mmr_snapfile_opts o;
        memset(&o, 0, sizeof o);
        o.unit = u; o.txn_paths = txns; o.ntxn_paths = ntxns; o.traits_path = traits;
        o.budgets_path = budgets; o.goals_path = goals;
        o.as_of = as_of; o.out_path = out;
        o.progress = isatty(2) ? stderr : NULL;
        mmr_snapfile_stats st;
        int r = mmr_snapfile_run(&o, &st, &d);
        cli_print_diags(&d, CLI_FMT_TEXT);
        if (r) rc = EXIT_INPUT;
        else fprintf(stderr, "mmr signals: as_of %s: %llu users, %llu transactions%s\n", as_of,
                     (unsigned long long)st.users, (unsigned long long)st.transactions,
                     st.sorted_in_memory ? " (not grouped by user: sorted in memory)" : "");
    } else if (pg) {
        mmr_pg_sig_stats st;
        int r = mmr_pg_signals_run(u, db, as_of, NULL, mode, &st, &d);
        cli_print_diags(&d, CLI_FMT_TEXT);
        if (r) rc = EXIT_INPUT;
        else if (st.in_database)
            fprintf(stderr, "mmr signals: as_of %s: %llu users into mm_signal_daily, computed in the database\n",
                    as_of, (unsigned long long)st.users);
        else
            fprintf(stderr, "mmr signals: as_of %s: %llu users into mm_signal_daily, computed by mmr from %llu transactions\n",
                    as_of, (unsigned long long)st.users, (unsigned long long)st.transactions);
    } else {
        mmr_snapdb_stats st;
        int r = mmr_snapdb_run(u, db, as_of, busy_ms, NULL, &st, &d);
        cli_print_diags(&d, CLI_FMT_TEXT);
        if (r) rc = EXIT_INPUT;
        else fprintf(stderr, "mmr signals: as_of %s: %llu users into mm_signal_daily; %llu days of rollups computed from %llu transactions, %llu reused\n",
                     as_of, (unsigned long long)st.users, (unsigned long long)st.tiles_built,
                     (unsigned long long)st.transactions, (unsigned long long)st.tiles_reused);
    }
    mmr_diags_free(&d);
    if (u) mmr_unit_free(u);
done:
    free(paths);
    free(txns);
    return rc;
}
