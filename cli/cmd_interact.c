/* mmr interact — log a viewed/clicked/dismissed interaction (FR-MM-6). */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include "cli/cli.h"
#include "engine/db.h"
#include "util/buf.h"
#include "util/userid.h"
#include "util/timeutil.h"

static const char help[] =
"usage: mmr interact --db FILE --delivery ID --action viewed|clicked|dismissed [--now ISO8601]\n"
"\n"
"Records one interaction with a delivered nudge in mm_nudge_interaction_log\n"
"(the user is the delivery's) and prints it as JSON. --now stamps it (default:\n"
"the wall clock). An unknown delivery id is an error; nothing is written.\n";

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
        if (!dst) return cli_usage_error("interact", "unknown option --%s", name);
        if (!(*dst = cli_opts_value(&o))) return cli_usage_error("interact", "--%s needs a value", name);
    }
    if (!dbp || !did || !action) return cli_usage_error("interact", "--db, --delivery and --action are required");
    if (cli_check_data_path("interact", "--db", dbp)) return EXIT_INPUT;
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
    mmr_db *db = NULL;
    sqlite3_stmt *sel = NULL, *ins = NULL;
    int rc = EXIT_INPUT, began = 0;
    char *user = NULL;
    if (mmr_db_open_state(&db, dbp, MMR_DB_OPEN_RW, 0, &d)) goto out;
    if (mmr_db_begin(db, &d)) goto out;
    began = 1;
    if (mmr_db_prepare(db, &sel, "SELECT user_id FROM mm_nudge_delivery_log WHERE delivery_id = ?1", &d) ||
        mmr_db_prepare(db, &ins, "INSERT INTO mm_nudge_interaction_log(delivery_id, user_id, action, timestamp) "
                                 "VALUES (?1, ?2, ?3, ?4)", &d)) goto out;
    sqlite3_bind_text(sel, 1, did, -1, SQLITE_STATIC);
    int r = sqlite3_step(sel);
    if (r == SQLITE_DONE) {
        mmr_diag_add(&d, MMR_SEV_ERROR, dbp, 0, 0, "no delivery with id \"%s\"", did);
        goto out;
    }
    if (r != SQLITE_ROW) { mmr_db_error(db, &d, "reading mm_nudge_delivery_log"); goto out; }
    {
        /* a stored id must pass the user id rule too: a NUL inside would
         * cut it short here (util/userid.h) */
        const char *us = (const char *)sqlite3_column_text(sel, 0);
        size_t ul = us ? (size_t)sqlite3_column_bytes(sel, 0) : 0;
        mmr_buf ub;
        mmr_buf_init(&ub);
        if (mmr_user_id_check(&ub, us ? us : "", ul) < 0) {
            mmr_diag_add(&d, MMR_SEV_ERROR, dbp, 0, 0, "mm_nudge_delivery_log.user_id (delivery_id \"%s\"): %s", did,
                         ub.data ? ub.data : "bad user id");
            mmr_buf_free(&ub);
            goto out;
        }
        mmr_buf_free(&ub);
        user = strndup(us, ul);
    }
    if (!user) { mmr_diag_add(&d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); goto out; }
    sqlite3_bind_text(ins, 1, did, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, user, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, ts, -1, SQLITE_STATIC);
    if (sqlite3_step(ins) != SQLITE_DONE) { mmr_db_error(db, &d, "writing mm_nudge_interaction_log"); goto out; }
    long long iid = (long long)sqlite3_last_insert_rowid(db->h);
    sqlite3_finalize(sel); sel = NULL;
    sqlite3_finalize(ins); ins = NULL;
    if (mmr_db_commit(db, &d)) { began = 0; goto out; }
    began = 0;
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
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    if (began) mmr_db_rollback(db);
    mmr_db_close(db);
    free(user);
    cli_print_diags(&d, CLI_FMT_TEXT);
    mmr_diags_free(&d);
    return rc;
}
