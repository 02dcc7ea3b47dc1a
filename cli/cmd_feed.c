/* mmr feed — a user's delivered nudges, newest first (section 8.1, AC-MM-5). */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "engine/db.h"
#include "util/buf.h"
#include "util/userid.h"

static const char help[] =
"usage: mmr feed --db FILE --user ID\n"
"\n"
"Prints the user's delivered nudges as one JSON object\n"
"  {\"feed\":[{\"id\",\"title\",\"body\",\"category\",\"delivered_at\"}, ...]}\n"
"ordered by delivered_at, newest first (ties by id). The database is opened\n"
"read-only. A user with no deliveries gets an empty feed.\n";

static void put_field(mmr_buf *b, const char *key, sqlite3_stmt *st, int col)
{
    mmr_buf_printf(b, "\"%s\":", key);
    const char *s = (const char *)sqlite3_column_text(st, col);
    if (s) mmr_buf_json_string(b, s, (size_t)sqlite3_column_bytes(st, col));
    else mmr_buf_puts(b, "null");
}

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
        if (!dst) return cli_usage_error("feed", "unknown option --%s", name);
        if (!(*dst = cli_opts_value(&o))) return cli_usage_error("feed", "--%s needs a value", name);
    }
    if (!dbp || !user) return cli_usage_error("feed", "--db FILE and --user ID are required");
    if (cli_check_data_path("feed", "--db", dbp)) return EXIT_INPUT;
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
    mmr_db *db = NULL;
    sqlite3_stmt *st = NULL;
    mmr_buf b;
    mmr_buf_init(&b);
    int rc = EXIT_INPUT;
    if (mmr_db_open_state(&db, dbp, MMR_DB_OPEN_RO, 0, &d)) goto out;
    if (mmr_db_prepare(db, &st, "SELECT delivery_id, title, body, category, delivered_at "
                                "FROM mm_nudge_delivery_log WHERE user_id = ?1 "
                                "ORDER BY delivered_at DESC, delivery_id", &d)) goto out;
    sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
    mmr_buf_puts(&b, "{\"feed\":[");
    int r, n = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        mmr_buf_puts(&b, n++ ? ",{" : "{");
        put_field(&b, "id", st, 0); mmr_buf_putc(&b, ',');
        put_field(&b, "title", st, 1); mmr_buf_putc(&b, ',');
        put_field(&b, "body", st, 2); mmr_buf_putc(&b, ',');
        put_field(&b, "category", st, 3); mmr_buf_putc(&b, ',');
        put_field(&b, "delivered_at", st, 4);
        mmr_buf_putc(&b, '}');
    }
    if (r != SQLITE_DONE) { mmr_db_error(db, &d, "reading mm_nudge_delivery_log"); goto out; }
    mmr_buf_puts(&b, "]}\n");
    if (b.oom) { mmr_diag_add(&d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); goto out; }
    fwrite(b.data, 1, b.len, stdout);
    rc = EXIT_OK;
out:
    sqlite3_finalize(st);
    mmr_db_close(db);
    cli_print_diags(&d, CLI_FMT_TEXT);
    mmr_diags_free(&d);
    mmr_buf_free(&b);
    return rc;
}
