/* mmr gen — a deterministic sample snapshot for std/moneymoments. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "engine/sample.h"
#include "engine/snapshot.h"
#include "engine/db.h"

static const char help[] =
    "usage: mmr gen --users N [--seed S] [--as-of DATE] (--ndjson FILE | --csv FILE | --db FILE)\n"
    "\n"
    "Writes N deterministic sample users of the std/moneymoments schema: varied\n"
    "signals and traits, some absent, some zero bases, category maps, a few\n"
    "users outside India. The same N, seed and date give the same bytes.\n"
    "\n"
    "  --users N       how many users (u1 .. uN)\n"
    "  --seed S        sample seed (default 1)\n"
    "  --as-of DATE    snapshot date YYYY-MM-DD (default 2025-10-26)\n"
    "  --ndjson FILE   write NDJSON, one user per line (- = stdout)\n"
    "  --csv FILE      write CSV with a header row (- = stdout)\n"
    "  --db FILE       fill a SQLite state database: mm_signal_daily and\n"
    "                  mm_user_traits, some mutes and some delivery history\n";

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

int cmd_gen(int argc, char **argv)
{
    if (cli_help_requested(argc, argv, help)) return EXIT_OK;
    cli_opts o;
    cli_opts_init(&o, argc, argv);
    const char *name, *arg, *ndjson = NULL, *csv = NULL, *db = NULL, *as_of = "2025-10-26";
    unsigned long long users = 0, seed = 1;
    int have_users = 0, r;
    while ((r = cli_opts_next(&o, &name, &arg)) >= 0) {
        if (r == 0) return cli_usage_error("gen", "unexpected argument \"%s\"", arg);
        const char *v = cli_opts_value(&o);
        if (!v) return cli_usage_error("gen", "--%s needs a value", name);
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
        else return cli_usage_error("gen", "unknown option --%s", name);
    }
    if (!have_users) return cli_usage_error("gen", "--users N is required");
    if ((ndjson != NULL) + (csv != NULL) + (db != NULL) != 1)
        return cli_usage_error("gen", "give exactly one of --ndjson FILE, --csv FILE, --db FILE");
    if (db) return gen_db(db, users, seed, as_of);

    const char *path = ndjson ? ndjson : csv;
    FILE *out = !strcmp(path, "-") ? stdout : fopen(path, "wb");
    if (!out) { fprintf(stderr, "%s: error: cannot write: %s\n", path, strerror(errno)); return EXIT_INPUT; }
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
            if (b.oom || fwrite(b.data, 1, b.len, out) != b.len) { rc = EXIT_INPUT; break; }
            mmr_buf_clear(&b);
        }
        if (progress && (i + 1) % 100000 == 0)
            fprintf(stderr, "\r%llu / %llu users", i + 1, users);
    }
    if (csv && users == 0 && fwrite(b.data, 1, b.len, out) != b.len) rc = EXIT_INPUT;
    if (progress) fputc('\n', stderr);
    mmr_buf_free(&b);
    if ((out != stdout ? fclose(out) : fflush(out)) != 0) rc = EXIT_INPUT;
    if (rc != EXIT_OK) fprintf(stderr, "%s: error: cannot write: %s\n", path, strerror(errno));
    return rc;
}
