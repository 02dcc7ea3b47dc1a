/* mmr gen — a deterministic sample snapshot for std/moneymoments, or
 * sample transactions, traits, budgets and goals for the derived signals. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "engine/sample.h"
#include "engine/snapshot.h"
#include "engine/db.h"
#include "signals/sample_txn.h"
#include "util/outfile.h"

static const char help[] =
    "usage: mmr gen --users N [--seed S] [--as-of DATE] (--ndjson FILE | --csv FILE | --db FILE)\n"
    "       mmr gen --users N [--seed S] [--as-of DATE] [--days D] [--transactions FILE] [--traits FILE]\n"
    "                         [--budgets FILE] [--goals FILE]\n"
    "\n"
    "Writes N deterministic sample users of the std/moneymoments schema: varied\n"
    "signals and traits, some absent, some zero bases, category maps, a few\n"
    "users outside India. The same N, seed and date give the same bytes.\n"
    "\n"
    "With --transactions, --traits, --budgets and/or --goals, writes raw data\n"
    "for the derived signals instead (docs/signals.md, \"Sample data\"): users\n"
    "u1..uN over the D days ending with the as-of date, about 4 transactions a\n"
    "day each (food, chai under 10, groceries, shopping, travel, entertainment,\n"
    "bills, rent, fuel, UPI transfers, a monthly salary), sorted by user id\n"
    "(byte order) then by ts; some new users, weekly spikers, ~1% with traits\n"
    "only. Budgets and goals come in the same user order, as `mmr ingest`\n"
    "takes them.\n"
    "\n"
    "  --users N       how many users (u1 .. uN)\n"
    "  --seed S        sample seed (default 1)\n"
    "  --as-of DATE    snapshot date YYYY-MM-DD (default 2025-10-26)\n"
    "  --ndjson FILE   write NDJSON, one user per line (- = stdout)\n"
    "  --csv FILE      write CSV with a header row (- = stdout)\n"
    "  --db FILE       fill a SQLite state database: mm_signal_daily and\n"
    "                  mm_user_traits, some mutes and some delivery history\n"
    "  --transactions FILE  write transactions, NDJSON (CSV when FILE ends in\n"
    "                  .csv; - = stdout as NDJSON), ts in the user's local offset\n"
    "  --traits FILE   write the users' traits, NDJSON: {\"user_id\":…,\"traits\":{…}}\n"
    "                  (tz: mostly Asia/Kolkata, some New York, London, Tokyo,\n"
    "                  ~10% none, who follow the policy's zone)\n"
    "  --budgets FILE  write budgets, NDJSON: ~70% of users have 2-5 monthly\n"
    "                  budgets for their bigger spending categories, limits about\n"
    "                  their typical month's spend there (some tight)\n"
    "  --goals FILE    write goals, NDJSON: ~80% of users have 1-3 (Emergency\n"
    "                  Fund, Goa Trip, ...), targets 10k-500k, saved 0 to above\n"
    "                  the target, priorities 1..n, most with a deadline (a few past)\n"
    "  --days D        days of transaction history (default 90)\n";

static int parse_u64(const char *s, unsigned long long *out)
{
    if (!s || !*s || *s == '-') return -1;
    char *e;
    errno = 0;
    unsigned long long v = strtoull(s, &e, 10);
    if (*e || errno) return -1;
    *out = v;
    return 0;
}

/* --db FILE: the sample users in a state database (engine/sample_db.c). */
static int gen_db(const char *path, unsigned long long n, unsigned long long seed, const char *as_of)
{
    mmr_diags d;
    mmr_diags_init(&d);
    int rc = mmr_sample_db_fill(path, n, seed, as_of, &d);
    cli_print_diags(&d, CLI_FMT_TEXT);
    mmr_diags_free(&d);
    return rc ? EXIT_INPUT : EXIT_OK;
}

/* Outputs go through util/outfile.h: a temporary renamed over the file
 * once everything is written ("-" is stdout; a device is written in place). */
static int open_out(mmr_outfile *o, const char *path)
{
    if (mmr_outfile_open(o, path, MMR_OUT_DASH) == 0) return 0;
    cli_line(stderr, "%s: error: cannot write: %s", path, cli_out_error(errno));
    return -1;
}

/* Commits a good output (abandons a failed one); ok, or 0 with *err set
 * (kept when the failed write already set it). */
static int close_out(mmr_outfile *o, int ok, int *err)
{
    if (!o->f) return ok;
    if (!ok) { if (!*err) *err = errno ? errno : EIO; mmr_outfile_abort(o); return 0; }
    if (mmr_outfile_commit(o) != 0) { *err = errno; return 0; }
    return 1;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* --transactions, --traits, --budgets and/or --goals FILE
 * (signals/sample_txn.c): one pass over the users, a buffer per output */
enum { OUT_TX, OUT_TRAITS, OUT_BUDGETS, OUT_GOALS, NOUT };

static int gen_txn(const char *const path[NOUT], unsigned long long n, unsigned long long seed,
                   const char *as_of, int days)
{
    int to_stdout = 0;
    for (int k = 0; k < NOUT; k++) to_stdout += path[k] && !strcmp(path[k], "-");
    if (to_stdout > 1)
        return cli_usage_error("gen", "only one of --transactions, --traits, --budgets, --goals can go to stdout");
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_txgen *g = mmr_txgen_new(seed, as_of, days, &d);
    cli_print_diags(&d, CLI_FMT_TEXT);
    mmr_diags_free(&d);
    if (!g) return EXIT_INPUT;
    FILE *f[NOUT] = { NULL };
    mmr_outfile of[NOUT];
    int err[NOUT] = { 0 };
    mmr_buf b[NOUT];
    int ok[NOUT], oom = 0;
    for (int k = 0; k < NOUT; k++) {
        mmr_buf_init(&b[k]);
        ok[k] = 1;
        memset(&of[k], 0, sizeof of[k]);
        if (path[k] && open_out(&of[k], path[k]) != 0) {
            for (int j = 0; j < k; j++) mmr_outfile_abort(&of[j]);
            mmr_txgen_free(g);
            return EXIT_INPUT;
        }
        f[k] = of[k].f;
    }
    mmr_txgen_format fmt = path[OUT_TX] && ends_with(path[OUT_TX], ".csv") ? MMR_TXGEN_CSV : MMR_TXGEN_NDJSON;
    int progress = n >= 100000 && isatty(2);
    if (f[OUT_TX] && fmt == MMR_TXGEN_CSV) mmr_txgen_csv_header(&b[OUT_TX]);
    unsigned long long done = 0;
    for (uint64_t uid = mmr_txgen_order_next(0, n); uid; uid = mmr_txgen_order_next(uid, n)) {
        if (f[OUT_TX] && mmr_txgen_write_user(g, uid, fmt, &b[OUT_TX], NULL) < 0) { oom = 1; break; }
        if (f[OUT_TRAITS]) mmr_txgen_write_traits(g, uid, &b[OUT_TRAITS]);
        if (f[OUT_BUDGETS]) mmr_txgen_write_budgets(g, uid, &b[OUT_BUDGETS]);
        if (f[OUT_GOALS]) mmr_txgen_write_goals(g, uid, &b[OUT_GOALS]);
        int stop = 0;
        for (int k = 0; k < NOUT; k++) {
            if (b[k].oom) { oom = 1; break; }
            if (b[k].len >= (1u << 20)) {
                if (ok[k] && fwrite(b[k].data, 1, b[k].len, f[k]) != b[k].len) { ok[k] = 0; err[k] = errno; }
                mmr_buf_clear(&b[k]);
            }
            stop |= !ok[k];
        }
        if (oom || stop) break;
        if (progress && ++done % 100000 == 0) fprintf(stderr, "\r%llu / %llu users", done, n);
    }
    if (progress) fputc('\n', stderr);
    for (int k = 0; k < NOUT; k++)
        if (f[k] && ok[k] && !oom && b[k].len && fwrite(b[k].data, 1, b[k].len, f[k]) != b[k].len) { ok[k] = 0; err[k] = errno; }
    int all = 1;
    for (int k = 0; k < NOUT; k++) {
        ok[k] = close_out(&of[k], ok[k] && !oom, &err[k]) || oom;
        mmr_buf_free(&b[k]);
    }
    mmr_txgen_free(g);
    if (oom) { fprintf(stderr, "mmr gen: error: out of memory\n"); return EXIT_INPUT; }
    for (int k = 0; k < NOUT; k++)
        if (!ok[k]) { cli_line(stderr, "%s: error: cannot write: %s", path[k], cli_out_error(err[k] ? err[k] : EIO)); all = 0; }
    return all ? EXIT_OK : EXIT_INPUT;
}

int cmd_gen(int argc, char **argv)
{
    if (cli_help_requested(argc, argv, help)) return EXIT_OK;
    cli_opts o;
    cli_opts_init(&o, argc, argv);
    const char *name, *arg, *ndjson = NULL, *csv = NULL, *db = NULL, *as_of = "2025-10-26";
    const char *outs[NOUT] = { NULL };
    unsigned long long users = 0, seed = 1, days = 90;
    int have_users = 0, r;
    while ((r = cli_opts_next(&o, &name, &arg)) >= 0) {
        if (r == 0) return cli_usage_error("gen", "unexpected argument \"%s\"", arg);
        static const char *const known[] = { "users", "seed", "as-of", "ndjson", "csv", "db", "transactions",
                                             "traits", "budgets", "goals", "days" };
        size_t j = 0;
        while (j < sizeof known / sizeof *known && strcmp(name, known[j])) j++;
        if (j == sizeof known / sizeof *known) return cli_opts_unknown(&o);
        const char *v = cli_opts_value(&o);
        if (!v) return cli_usage_error("gen", "%s needs a value", o.typed);
        if (!strcmp(name, "users")) {
            if (parse_u64(v, &users) < 0 || users > 1000000000ull)
                return cli_usage_error("gen", "--users wants a count, got \"%s\"", v);
            have_users = 1;
        } else if (!strcmp(name, "seed")) {
            if (parse_u64(v, &seed) < 0) return cli_usage_error("gen", "--seed wants a number, got \"%s\"", v);
        } else if (!strcmp(name, "as-of")) {
            if (!mmr_snap_date_ok(v, strlen(v))) return cli_usage_error("gen", "--as-of wants YYYY-MM-DD, got \"%s\"", v);
            as_of = v;
        } else if (!strcmp(name, "ndjson")) ndjson = v;
        else if (!strcmp(name, "csv")) csv = v;
        else if (!strcmp(name, "db")) db = v;
        else if (!strcmp(name, "transactions")) outs[OUT_TX] = v;
        else if (!strcmp(name, "traits")) outs[OUT_TRAITS] = v;
        else if (!strcmp(name, "budgets")) outs[OUT_BUDGETS] = v;
        else if (!strcmp(name, "goals")) outs[OUT_GOALS] = v;
        else if (!strcmp(name, "days")) {
            if (parse_u64(v, &days) < 0 || days < 1 || days > 3650)
                return cli_usage_error("gen", "--days wants a count 1..3650, got \"%s\"", v);
        } else return cli_usage_error("gen", "unknown option \"%s\"", o.typed);
    }
    if (!have_users) return cli_usage_error("gen", "--users N is required");
    if (outs[OUT_TX] || outs[OUT_TRAITS] || outs[OUT_BUDGETS] || outs[OUT_GOALS]) {
        if (ndjson || csv || db)
            return cli_usage_error("gen", "--transactions/--traits/--budgets/--goals go without --ndjson, --csv or --db");
        return gen_txn(outs, users, seed, as_of, (int)days);
    }
    if ((ndjson != NULL) + (csv != NULL) + (db != NULL) != 1)
        return cli_usage_error("gen", "give exactly one of --ndjson FILE, --csv FILE, --db FILE");
    if (db) return cli_check_data_path("gen", "--db", db) ? EXIT_INPUT : gen_db(db, users, seed, as_of);

    const char *path = ndjson ? ndjson : csv;
    mmr_outfile of;
    if (open_out(&of, path) != 0) return EXIT_INPUT;
    FILE *out = of.f;
    int err = 0;
    int progress = users >= 200000 && isatty(2);
    mmr_buf b;
    mmr_buf_init(&b);
    if (csv) mmr_sample_write_csv_header(&b);
    mmr_sample_user u;
    int rc = EXIT_OK;
    for (unsigned long long i = 0; i < users; i++) {
        mmr_sample_user_make(&u, seed, i, as_of);
        if (csv) mmr_sample_write_csv_row(&b, &u);
        else mmr_sample_write_ndjson(&b, &u);
        if (b.len >= (1u << 20) || i + 1 == users) {
            if (b.oom || fwrite(b.data, 1, b.len, out) != b.len) { rc = EXIT_INPUT; err = b.oom ? ENOMEM : errno; break; }
            mmr_buf_clear(&b);
        }
        if (progress && (i + 1) % 100000 == 0)
            fprintf(stderr, "\r%llu / %llu users", i + 1, users);
    }
    if (csv && users == 0 && fwrite(b.data, 1, b.len, out) != b.len) { rc = EXIT_INPUT; err = errno; }
    if (progress) fputc('\n', stderr);
    mmr_buf_free(&b);
    if (!close_out(&of, rc == EXIT_OK, &err)) rc = EXIT_INPUT;
    if (rc != EXIT_OK) cli_line(stderr, "%s: error: cannot write: %s", path, cli_out_error(err ? err : EIO));
    return rc;
}
