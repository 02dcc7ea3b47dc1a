/* engine/progress: the progress line of `mmr run` (counts, share, ETA). */
#include <string.h>
#include <stdlib.h>
#include "t.h"
#include "engine/progress.h"

int main(void)
{
    char b[160], c[32];
    T_EQ_STR(mmr_progress_count(0, c), "0");
    T_EQ_STR(mmr_progress_count(999, c), "999");
    T_EQ_STR(mmr_progress_count(1000, c), "1,000");
    T_EQ_STR(mmr_progress_count(412000, c), "412,000");
    T_EQ_STR(mmr_progress_count(1000000, c), "1,000,000");
    T_EQ_STR(mmr_progress_count(UINT64_MAX, c), "18,446,744,073,709,551,615");

    T_EQ_STR(mmr_progress_duration(0, c), "0.0 s");
    T_EQ_STR(mmr_progress_duration(2.14, c), "2.1 s");
    T_EQ_STR(mmr_progress_duration(59.94, c), "59.9 s");
    T_EQ_STR(mmr_progress_duration(59.96, c), "1 min 00 s");
    T_EQ_STR(mmr_progress_duration(125, c), "2 min 05 s");
    T_EQ_STR(mmr_progress_duration(3600 * 3 + 7 * 60 + 20, c), "3 h 07 min");
    T_EQ_STR(mmr_progress_duration(-1, c), "?");
    T_EQ_STR(mmr_progress_duration(1.0 / 0.0, c), "?");

    /* the example of the issue: 41% after 2.1 s, the rest at that rate */
    T_EQ_STR(mmr_progress_format(b, sizeof b, 412000, 1000000, 2.1, "users"),
             "412,000 / 1,000,000 users (41%), 2.1 s elapsed, ETA 3.0 s");
    /* unknown total (a --signals file): no share, no ETA */
    T_EQ_STR(mmr_progress_format(b, sizeof b, 412000, 0, 2.1, "users"), "412,000 users, 2.1 s elapsed");
    /* nothing done yet: no rate, no ETA */
    T_EQ_STR(mmr_progress_format(b, sizeof b, 0, 1000, 0.5, "users"), "0 / 1,000 users (0%), 0.5 s elapsed");
    /* 99.96% is not 100% until it is all done */
    T_EQ_STR(mmr_progress_format(b, sizeof b, 9996, 10000, 10, "users"),
             "9,996 / 10,000 users (99%), 10.0 s elapsed, ETA 0.0 s");
    T_EQ_STR(mmr_progress_format(b, sizeof b, 10000, 10000, 10, "users"), "10,000 / 10,000 users (100%), 10.0 s elapsed");
    /* more than the count (users added meanwhile): 100%, no ETA */
    T_EQ_STR(mmr_progress_format(b, sizeof b, 10001, 10000, 10, "users"), "10,001 / 10,000 users (100%), 10.0 s elapsed");
    T_EQ_STR(mmr_progress_format(b, sizeof b, 1000, 100000, 30, "users"),
             "1,000 / 100,000 users (1%), 30.0 s elapsed, ETA 49 min 30 s");
    /* truncated, still terminated */
    mmr_progress_format(b, 8, 412000, 1000000, 2.1, "users");
    T_EQ_STR(b, "412,000");

    /* the total from mm_signal_daily: the users of that date only */
    mmr_db db;
    memset(&db, 0, sizeof db);
    T_CHECK(sqlite3_open(":memory:", &db.h) == SQLITE_OK);
    uint64_t total = 7;
    T_EQ_INT(mmr_progress_users_total(&db, "2025-10-26", &total), -1);   /* no table */
    T_EQ_INT(total, 0);
    sqlite3_exec(db.h, "CREATE TABLE mm_signal_daily (user_id TEXT, as_of TEXT, PRIMARY KEY (as_of, user_id));"
                       "INSERT INTO mm_signal_daily VALUES ('u1','2025-10-26'),('u2','2025-10-26'),('u1','2025-10-27')",
                 NULL, NULL, NULL);
    T_EQ_INT(mmr_progress_users_total(&db, "2025-10-26", &total), 0);
    T_EQ_INT(total, 2);
    T_EQ_INT(mmr_progress_users_total(&db, "2025-10-28", &total), 0);
    T_EQ_INT(total, 0);

    /* the run's line: counted once, then cached */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    uint64_t cache = 0;
    mmr_progress_run_line(f, &db, "2025-10-26", &cache, 1, 0, 1.0);
    T_EQ_INT(cache, 2);
    sqlite3_exec(db.h, "DELETE FROM mm_signal_daily", NULL, NULL, NULL);
    mmr_progress_run_line(f, &db, "2025-10-26", &cache, 2, 1, 2.0);
    /* from a file: the total is not known */
    uint64_t nocache = 0;
    mmr_progress_run_line(f, NULL, NULL, &nocache, 1500, 3, 2.0);
    T_CHECK(nocache == UINT64_MAX);
    fclose(f);
    T_EQ_STR(text, "\rmmr run: 1 / 2 users (50%), 1.0 s elapsed, ETA 1.0 s, 0 delivered"
                   "\rmmr run: 2 / 2 users (100%), 2.0 s elapsed, 1 delivered"
                   "\rmmr run: 1,500 users, 2.0 s elapsed, 3 delivered");
    free(text);
    sqlite3_close(db.h);
    return T_DONE("progress");
}
