/* The progress line of long commands (`mmr run` on a terminal): how many
 * of how many, the share done, the time so far and an estimate of the time
 * left, e.g.
 *
 *   412,000 / 1,000,000 users (41%), 2.1 s elapsed, ETA 3.0 s
 *
 * The total is known when the users come from mm_signal_daily (counted
 * once); from a --signals file it is not, and the line is the count and
 * the time only ("412,000 users, 2.1 s elapsed"). */
#ifndef MMR_PROGRESS_H
#define MMR_PROGRESS_H
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include "engine/db.h"

/* n with a comma between groups of three digits ("1,000,000"); out holds
 * 32 bytes. Returns out. */
char *mmr_progress_count(uint64_t n, char *out);

/* Seconds as "0.4 s", "59.9 s", "2 min 05 s", "3 h 07 min"; out holds 32
 * bytes. Negative or not finite: "?". Returns out. */
char *mmr_progress_duration(double s, char *out);

/* The line above into out (n bytes, truncated, always terminated), unit
 * "users" or the like. total 0: unknown. No ETA before anything is done,
 * nor once done reaches total (the share is then 100%). Returns out. */
char *mmr_progress_format(char *out, size_t n, uint64_t done, uint64_t total,
                          double elapsed_s, const char *unit);

/* The users of the snapshot as_of in mm_signal_daily: *total. 0, or -1
 * (the table missing or unreadable: *total 0, nothing reported; a
 * progress line is not worth failing a run for). */
int mmr_progress_users_total(mmr_db *db, const char *as_of, uint64_t *total);

/* One progress line for a run, counting the total on its first call:
 * *total is the caller's cache (0 on the first call; then the count, or
 * UINT64_MAX when it cannot be known, e.g. users from a file: db or as_of
 * NULL). Writes "\rmmr run: LINE, N delivered" to f and flushes it. */
void mmr_progress_run_line(FILE *f, mmr_db *db, const char *as_of, uint64_t *total,
                           uint64_t users, uint64_t delivered, double elapsed_s);

/* Wipe the line (at the end of the run). */
void mmr_progress_clear(FILE *f);

#endif
