/* mmr settings — show or change a user's muted categories (FR-MM-4.3,
 * sections 8.2 and 8.3). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cli/cli.h"
#include "engine/db.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/userid.h"
#include "util/timeutil.h"

static const char help[] =
"usage: mmr settings --db FILE --user ID [--mute CAT]... [--unmute CAT]... [--now ISO8601]\n"
"\n"
"Without --mute/--unmute prints the user's settings:\n"
"  {\"user_id\":…,\"muted\":[…],\"categories\":[…]}\n"
"With them, changes mm_user_suppression in one transaction, then prints the\n"
"new settings. Categories are those of the rules recorded by `mmr run`\n"
"(mm_nudge_rule_master), or the MoneyMoments defaults (dining, shopping,\n"
"travel, goal, budget) before any run; an unknown category is an error that\n"
"lists the valid ones, and nothing changes. Muting a muted category keeps its\n"
"original muted_at; --now stamps new mutes (default: the wall clock). --db is\n"
"a SQLite file or a PostgreSQL URL, postgresql://[user@]host[:port]/dbname.\n";

int cmd_settings(int argc, char **argv)
{
    if (cli_help_requested(argc, argv, help)) return EXIT_OK;
    const char *dbp = NULL, *user = NULL, *now_s = NULL, *name, *arg;
    mmr_strlist mute = {0}, unmute = {0}, cats = {0}, muted = {0};
    cli_opts o;
    cli_opts_init(&o, argc, argv);
    int k, rc = EXIT_INPUT;
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_store *db = NULL;
    while ((k = cli_opts_next(&o, &name, &arg)) >= 0) {
        if (k == 0) { rc = cli_usage_error("settings", "unexpected argument \"%s\"", arg); goto out; }
        const char *v = NULL;
        if (strcmp(name, "db") && strcmp(name, "user") && strcmp(name, "mute") && strcmp(name, "unmute") &&
            strcmp(name, "now")) { rc = cli_usage_error("settings", "unknown option \"%s\"", o.typed); goto out; }
        if (!(v = cli_opts_value(&o))) { rc = cli_usage_error("settings", "%s needs a value", o.typed); goto out; }
        if (!strcmp(name, "db")) dbp = v;
        else if (!strcmp(name, "user")) user = v;
        else if (!strcmp(name, "now")) now_s = v;
        else if (mmr_strlist_add(!strcmp(name, "mute") ? &mute : &unmute, v)) {
            mmr_diag_add(&d, MMR_SEV_ERROR, "", 0, 0, "out of memory");
            goto out;
        }
    }
    if (!dbp || !user) { rc = cli_usage_error("settings", "--db FILE and --user ID are required"); goto out; }
    if (!mmr_pg_is_url(dbp) && cli_check_data_path("settings", "--db", dbp)) { rc = EXIT_INPUT; goto out; }
    mmr_buf ub;
    mmr_buf_init(&ub);
    if (mmr_user_id_check(&ub, user, strlen(user)) < 0) {
        rc = cli_usage_error("settings", "--user: %s", ub.data ? ub.data : "bad user id");
        mmr_buf_free(&ub);
        goto out;
    }
    mmr_buf_free(&ub);
    for (size_t i = 0; i < mute.n; i++)
        if (mmr_strlist_has(&unmute, mute.v[i])) { rc = cli_usage_error("settings", "category %s is both muted and unmuted", mute.v[i]); goto out; }
    int64_t now = (int64_t)time(NULL);
    if (now_s) {
        const char *why = NULL;
        if (mmr_time_parse(now_s, strlen(now_s), &now, &why)) {
            rc = cli_usage_error("settings", "--now %s: %s", now_s, why ? why : "not an ISO 8601 time");
            goto out;
        }
    }
    char ts[MMR_TIME_BUF];
    mmr_time_format(now, ts);
    int change = mute.n || unmute.n;
    if (mmr_store_open(&db, dbp, change ? MMR_STORE_OPEN_RW : MMR_STORE_OPEN_RO, 0, &d)) goto out;
    if (mmr_store_settings(db, user, &mute, &unmute, 0, ts, &muted, &cats, &d)) goto out;
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_buf_puts(&b, "{\"user_id\":");
    mmr_buf_json_string(&b, user, strlen(user));
    mmr_buf_puts(&b, ",\"muted\":");
    mmr_strlist_json(&b, &muted);
    mmr_buf_puts(&b, ",\"categories\":");
    mmr_strlist_json(&b, &cats);
    mmr_buf_puts(&b, "}\n");
    if (b.data) fputs(b.data, stdout);
    mmr_buf_free(&b);
    rc = EXIT_OK;
out:
    mmr_store_close(db);
    cli_print_diags(&d, CLI_FMT_TEXT);
    mmr_diags_free(&d);
    mmr_strlist_free(&mute); mmr_strlist_free(&unmute); mmr_strlist_free(&cats); mmr_strlist_free(&muted);
    return rc;
}
