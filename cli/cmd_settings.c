/* mmr settings — show or change a user's muted categories (FR-MM-4.3,
 * sections 8.2 and 8.3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli/cli.h"
#include "engine/db.h"
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
"original muted_at; --now stamps new mutes (default: the wall clock).\n";

static const char *const default_categories[] = { "budget", "dining", "goal", "shopping", "travel" };

typedef struct strv { char **v; size_t n, cap; } strv;

static int strv_add(strv *s, const char *x)
{
    for (size_t i = 0; i < s->n; i++) if (!strcmp(s->v[i], x)) return 0;
    if (s->n == s->cap) {
        size_t c = s->cap ? s->cap * 2 : 8;
        char **v = realloc(s->v, c * sizeof *v);
        if (!v) return -1;
        s->v = v; s->cap = c;
    }
    if (!(s->v[s->n] = strdup(x))) return -1;
    s->n++;
    return 0;
}

static void strv_free(strv *s) { for (size_t i = 0; i < s->n; i++) free(s->v[i]); free(s->v); }

static int has(const strv *s, const char *x) { for (size_t i = 0; i < s->n; i++) if (!strcmp(s->v[i], x)) return 1; return 0; }

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void json_list(mmr_buf *b, const strv *s)
{
    mmr_buf_putc(b, '[');
    for (size_t i = 0; i < s->n; i++) {
        if (i) mmr_buf_putc(b, ',');
        mmr_buf_json_string(b, s->v[i], strlen(s->v[i]));
    }
    mmr_buf_putc(b, ']');
}

int cmd_settings(int argc, char **argv)
{
    if (cli_help_requested(argc, argv, help)) return EXIT_OK;
    const char *dbp = NULL, *user = NULL, *now_s = NULL, *name, *arg;
    strv mute = {0}, unmute = {0}, cats = {0}, muted = {0};
    cli_opts o;
    cli_opts_init(&o, argc, argv);
    int k, rc = EXIT_INPUT;
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_db *db = NULL;
    sqlite3_stmt *st = NULL;
    int began = 0;
    while ((k = cli_opts_next(&o, &name, &arg)) >= 0) {
        if (k == 0) { rc = cli_usage_error("settings", "unexpected argument \"%s\"", arg); goto out; }
        const char *v = NULL;
        if (strcmp(name, "db") && strcmp(name, "user") && strcmp(name, "mute") && strcmp(name, "unmute") &&
            strcmp(name, "now")) { rc = cli_usage_error("settings", "unknown option --%s", name); goto out; }
        if (!(v = cli_opts_value(&o))) { rc = cli_usage_error("settings", "--%s needs a value", name); goto out; }
        if (!strcmp(name, "db")) dbp = v;
        else if (!strcmp(name, "user")) user = v;
        else if (!strcmp(name, "now")) now_s = v;
        else if (strv_add(!strcmp(name, "mute") ? &mute : &unmute, v)) goto oom;
    }
    if (!dbp || !user) { rc = cli_usage_error("settings", "--db FILE and --user ID are required"); goto out; }
    if (cli_check_data_path("settings", "--db", dbp)) { rc = EXIT_INPUT; goto out; }
    mmr_buf ub;
    mmr_buf_init(&ub);
    if (mmr_user_id_check(&ub, user, strlen(user)) < 0) {
        rc = cli_usage_error("settings", "--user: %s", ub.data ? ub.data : "bad user id");
        mmr_buf_free(&ub);
        goto out;
    }
    mmr_buf_free(&ub);
    for (size_t i = 0; i < mute.n; i++)
        if (has(&unmute, mute.v[i])) { rc = cli_usage_error("settings", "category %s is both muted and unmuted", mute.v[i]); goto out; }
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
    if (mmr_db_open_state(&db, dbp, change ? MMR_DB_OPEN_RW : MMR_DB_OPEN_RO, 0, &d)) goto out;
    if (mmr_db_begin(db, &d)) goto out;
    began = 1;
    /* valid categories */
    if (mmr_db_prepare(db, &st, "SELECT DISTINCT category FROM mm_nudge_rule_master WHERE category <> '' "
                                "ORDER BY category", &d)) goto out;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if (strv_add(&cats, (const char *)sqlite3_column_text(st, 0))) goto oom;
    if (r != SQLITE_DONE) { mmr_db_error(db, &d, "reading mm_nudge_rule_master"); goto out; }
    sqlite3_finalize(st); st = NULL;
    if (!cats.n)
        for (size_t i = 0; i < sizeof default_categories / sizeof *default_categories; i++)
            if (strv_add(&cats, default_categories[i])) goto oom;
    int bad = 0;
    for (int pass = 0; pass < 2; pass++) {
        strv *s = pass ? &unmute : &mute;
        for (size_t i = 0; i < s->n; i++) {
            if (has(&cats, s->v[i])) continue;
            mmr_buf b;
            mmr_buf_init(&b);
            for (size_t j = 0; j < cats.n; j++) mmr_buf_printf(&b, "%s%s", j ? ", " : "", cats.v[j]);
            mmr_diag_add(&d, MMR_SEV_ERROR, dbp, 0, 0, "unknown category \"%s\" (valid: %s)", s->v[i],
                         b.data ? b.data : "");
            mmr_buf_free(&b);
            bad = 1;
        }
    }
    if (bad) goto out;
    if (change) {
        if (mmr_db_prepare(db, &st, "INSERT INTO mm_user_suppression(user_id, category, muted_at) "
                                    "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING", &d)) goto out;
        for (size_t i = 0; i < mute.n; i++) {
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, mute.v[i], -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, ts, -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE) { mmr_db_error(db, &d, "writing mm_user_suppression"); goto out; }
        }
        sqlite3_finalize(st); st = NULL;
        if (mmr_db_prepare(db, &st, "DELETE FROM mm_user_suppression WHERE user_id = ?1 AND category = ?2", &d)) goto out;
        for (size_t i = 0; i < unmute.n; i++) {
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, unmute.v[i], -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE) { mmr_db_error(db, &d, "writing mm_user_suppression"); goto out; }
        }
        sqlite3_finalize(st); st = NULL;
    }
    if (mmr_db_prepare(db, &st, "SELECT category FROM mm_user_suppression WHERE user_id = ?1 ORDER BY category", &d)) goto out;
    sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if (strv_add(&muted, (const char *)sqlite3_column_text(st, 0))) goto oom;
    if (r != SQLITE_DONE) { mmr_db_error(db, &d, "reading mm_user_suppression"); goto out; }
    sqlite3_finalize(st); st = NULL;
    if (change) { began = 0; if (mmr_db_commit(db, &d)) goto out; }
    qsort(cats.v, cats.n, sizeof *cats.v, cmpstr);
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_buf_puts(&b, "{\"user_id\":");
    mmr_buf_json_string(&b, user, strlen(user));
    mmr_buf_puts(&b, ",\"muted\":");
    json_list(&b, &muted);
    mmr_buf_puts(&b, ",\"categories\":");
    json_list(&b, &cats);
    mmr_buf_puts(&b, "}\n");
    if (b.data) fputs(b.data, stdout);
    mmr_buf_free(&b);
    rc = EXIT_OK;
    goto out;
oom:
    mmr_diag_add(&d, MMR_SEV_ERROR, "", 0, 0, "out of memory");
out:
    sqlite3_finalize(st);
    if (began && db) mmr_db_rollback(db);
    mmr_db_close(db);
    cli_print_diags(&d, CLI_FMT_TEXT);
    mmr_diags_free(&d);
    strv_free(&mute); strv_free(&unmute); strv_free(&cats); strv_free(&muted);
    return rc;
}
