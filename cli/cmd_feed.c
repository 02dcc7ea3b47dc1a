/* mmr feed — a user's delivered nudges, newest first (section 8.1, AC-MM-5). */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "engine/db.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/userid.h"

static const char help[] =
"usage: mmr feed --db FILE --user ID\n"
"\n"
"Prints the user's delivered nudges as one JSON object\n"
"  {\"feed\":[{\"id\",\"title\",\"body\",\"category\",\"delivered_at\"}, ...]}\n"
"ordered by delivered_at, newest first (ties by id). The database is opened\n"
"read-only. A user with no deliveries gets an empty feed. --db is a SQLite\n"
"file or a PostgreSQL URL, postgresql://[user@]host[:port]/dbname (docs/scale.md).\n";

int cmd_feed(int argc, char **argv)
{
    if (cli_help_requested(argc, argv, help)) return EXIT_OK;
    const char *dbp = NULL, *user = NULL, *name, *arg;
    cli_opts o;
    cli_opts_init(&o, argc, argv);
    int k;
    while ((k = cli_opts_next(&o, &name, &arg)) >= 0) {
        if (k == 0) return cli_usage_error("feed", "unexpected argument \"%s\"", arg);
        const char **dst = !strcmp(name, "db") ? &dbp : !strcmp(name, "user") ? &user : NULL;
        if (!dst) return cli_usage_error("feed", "unknown option \"%s\"", o.typed);
        if (!(*dst = cli_opts_value(&o))) return cli_usage_error("feed", "%s needs a value", o.typed);
    }
    if (!dbp || !user) return cli_usage_error("feed", "--db FILE and --user ID are required");
    if (!mmr_pg_is_url(dbp) && cli_check_data_path("feed", "--db", dbp)) return EXIT_INPUT;
    mmr_buf ub;
    mmr_buf_init(&ub);
    if (mmr_user_id_check(&ub, user, strlen(user)) < 0) {
        int e = cli_usage_error("feed", "--user: %s", ub.data ? ub.data : "bad user id");
        mmr_buf_free(&ub);
        return e;
    }
    mmr_buf_free(&ub);
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_store *db = NULL;
    mmr_buf b, at, id;
    mmr_buf_init(&b); mmr_buf_init(&at); mmr_buf_init(&id);
    int rc = EXIT_INPUT, more = 0;
    if (mmr_store_open(&db, dbp, MMR_STORE_OPEN_RO, 0, &d)) goto out;
    mmr_buf_puts(&b, "{\"feed\":[");
    if (mmr_store_feed(db, user, 0, NULL, NULL, &b, &more, &at, &id, &d)) goto out;
    mmr_buf_puts(&b, "]}\n");
    if (b.oom) { mmr_diag_add(&d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); goto out; }
    fwrite(b.data, 1, b.len, stdout);
    rc = EXIT_OK;
out:
    mmr_store_close(db);
    cli_print_diags(&d, CLI_FMT_TEXT);
    mmr_diags_free(&d);
    mmr_buf_free(&b); mmr_buf_free(&at); mmr_buf_free(&id);
    return rc;
}
