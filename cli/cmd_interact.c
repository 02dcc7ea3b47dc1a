/* mmr interact — log a viewed/clicked/dismissed interaction (FR-MM-6). */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include "cli/cli.h"
#include "engine/db.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/userid.h"
#include "util/timeutil.h"

static const char help[] =
"usage: mmr interact --db FILE --delivery ID --action viewed|clicked|dismissed [--now ISO8601]\n"
"\n"
"Records one interaction with a delivered nudge in mm_nudge_interaction_log\n"
"(the user is the delivery's) and prints it as JSON. --now stamps it (default:\n"
"the wall clock). An unknown delivery id is an error; nothing is written.\n"
"--db is a SQLite file or a PostgreSQL URL, postgresql://[user@]host[:port]/dbname.\n";

int cmd_interact(int argc, char **argv)
{
    if (cli_help_requested(argc, argv, help)) return EXIT_OK;
    const char *dbp = NULL, *did = NULL, *action = NULL, *now_s = NULL, *name, *arg;
    cli_opts o;
    cli_opts_init(&o, argc, argv);
    int k;
    while ((k = cli_opts_next(&o, &name, &arg)) >= 0) {
        if (k == 0) return cli_usage_error("interact", "unexpected argument \"%s\"", arg);
        const char **dst = !strcmp(name, "db") ? &dbp : !strcmp(name, "delivery") ? &did :
                           !strcmp(name, "action") ? &action : !strcmp(name, "now") ? &now_s : NULL;
        if (!dst) return cli_usage_error("interact", "unknown option \"%s\"", o.typed);
        if (!(*dst = cli_opts_value(&o))) return cli_usage_error("interact", "%s needs a value", o.typed);
    }
    if (!dbp || !did || !action) return cli_usage_error("interact", "--db, --delivery and --action are required");
    if (!mmr_pg_is_url(dbp) && cli_check_data_path("interact", "--db", dbp)) return EXIT_INPUT;
    if (strcmp(action, "viewed") && strcmp(action, "clicked") && strcmp(action, "dismissed"))
        return cli_usage_error("interact", "--action %s: must be viewed, clicked or dismissed", action);
    int64_t now = (int64_t)time(NULL);
    if (now_s) {
        const char *why = NULL;
        if (mmr_time_parse(now_s, strlen(now_s), &now, &why))
            return cli_usage_error("interact", "--now %s: %s", now_s, why ? why : "not an ISO 8601 time");
    }
    char ts[MMR_TIME_BUF];
    mmr_time_format(now, ts);
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_store *db = NULL;
    int rc = EXIT_INPUT;
    char *user = NULL;
    long long iid = 0;
    if (mmr_store_open(&db, dbp, MMR_STORE_OPEN_RW, 0, &d)) goto out;
    if (mmr_store_interaction(db, did, NULL, action, ts, &iid, &user, &d)) goto out;
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_buf_printf(&b, "{\"interaction_id\":%lld,\"delivery_id\":", iid);
    mmr_buf_json_string(&b, did, strlen(did));
    mmr_buf_puts(&b, ",\"user_id\":");
    mmr_buf_json_string(&b, user, strlen(user));
    mmr_buf_printf(&b, ",\"action\":\"%s\",\"timestamp\":\"%s\"}\n", action, ts);
    if (b.data) fputs(b.data, stdout);
    mmr_buf_free(&b);
    rc = EXIT_OK;
out:
    mmr_store_close(db);
    free(user);
    cli_print_diags(&d, CLI_FMT_TEXT);
    mmr_diags_free(&d);
    return rc;
}
