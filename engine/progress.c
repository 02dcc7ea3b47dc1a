/* The progress line (engine/progress.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "engine/progress.h"

char *mmr_progress_count(uint64_t n, char *out)
{
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n), o = 0;
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0) out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = 0;
    return out;
}

char *mmr_progress_duration(double s, char *out)
{
    if (!isfinite(s) || s < 0) snprintf(out, 32, "?");
    else if (s < 59.95) snprintf(out, 32, "%.1f s", s);
    else if (s < 3599.5) {
        long r = (long)(s + 0.5);            /* whole seconds */
        snprintf(out, 32, "%ld min %02ld s", r / 60, r % 60);
    } else if (s < 1e9) {
        long m = (long)(s / 60 + 0.5);       /* whole minutes */
        snprintf(out, 32, "%ld h %02ld min", m / 60, m % 60);
    }
    else snprintf(out, 32, "?");
    return out;
}

char *mmr_progress_format(char *out, size_t n, uint64_t done, uint64_t total,
                          double elapsed_s, const char *unit)
{
    char a[32], b[32], e[32], left[32];
    mmr_progress_count(done, a);
    mmr_progress_duration(elapsed_s, e);
    if (!total) {
        snprintf(out, n, "%s %s, %s elapsed", a, unit, e);
        return out;
    }
    mmr_progress_count(total, b);
    /* floor: 100% only once everything is done */
    unsigned pct = done >= total ? 100 : (unsigned)((double)done * 100.0 / (double)total);
    if (done == 0 || done >= total) {
        snprintf(out, n, "%s / %s %s (%u%%), %s elapsed", a, b, unit, pct, e);
        return out;
    }
    /* the rate so far holds for the rest */
    double eta = elapsed_s * (double)(total - done) / (double)done;
    snprintf(out, n, "%s / %s %s (%u%%), %s elapsed, ETA %s", a, b, unit, pct, e,
             mmr_progress_duration(eta, left));
    return out;
}

int mmr_progress_users_total(mmr_db *db, const char *as_of, uint64_t *total)
{
    *total = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->h, "SELECT count(*) FROM mm_signal_daily WHERE as_of = ?1", -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_bind_text(st, 1, as_of, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -1;
    if (!rc) {
        sqlite3_int64 v = sqlite3_column_int64(st, 0);
        *total = v > 0 ? (uint64_t)v : 0;
    }
    sqlite3_finalize(st);
    return rc;
}

void mmr_progress_run_line(FILE *f, mmr_db *db, const char *as_of, uint64_t *total,
                           uint64_t users, uint64_t delivered, double elapsed_s)
{
    if (*total == 0) {
        if (!db || !as_of || !*as_of || mmr_progress_users_total(db, as_of, total) || *total == 0)
            *total = UINT64_MAX;
    }
    char line[160], del[32];
    mmr_progress_format(line, sizeof line, users, *total == UINT64_MAX ? 0 : *total, elapsed_s, "users");
    fprintf(f, "\rmmr run: %s, %s delivered", line, mmr_progress_count(delivered, del));
    fflush(f);
}

void mmr_progress_clear(FILE *f)
{
    fprintf(f, "\r%120s\r", "");
    fflush(f);
}
