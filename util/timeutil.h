/* Time as the engine sees it: every instant is an int64_t count of Unix
 * seconds, UTC. Text forms are ISO 8601. Pure functions, no clock, no
 * locale, no TZ environment: the same inputs always give the same text.
 *
 * Accepted instants (mmr_time_parse):
 *   2025-10-26T09:00:00Z          Z or z for UTC
 *   2025-10-26T09:00:00+05:30     numeric offset +HH:MM, -HH:MM, +HHMM or +HH
 *   2025-10-26T09:00Z             seconds may be omitted
 *   2025-10-26T09:00:00.250Z      a fraction of a second is accepted and dropped
 *   2025-10-26 09:00:00Z          a space instead of T
 *   2025-10-26                    a date alone is its midnight UTC
 * A time without Z or an offset is rejected: the engine never guesses a
 * zone. Fields are range-checked (month 1-12, day within the month, hour
 * 0-23, minute 0-59, second 0-60 where 60 is read as 59; offsets up to
 * +-23:59). Years 0000-9999.
 */
#ifndef MMR_TIMEUTIL_H
#define MMR_TIMEUTIL_H
#include <stddef.h>
#include <stdint.h>

#define MMR_MINUTE 60
#define MMR_HOUR   3600
#define MMR_DAY    86400
#define MMR_WEEK   604800

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t mmr_days_from_civil(int64_t y, int m, int d);
void    mmr_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
/* Floor division of t by a day (works for instants before 1970). */
int64_t mmr_time_day(int64_t t);

/* Parse an instant (see above). s need not be NUL-terminated. Returns 0,
 * or -1 with *why (may be NULL) set to a static message. */
int mmr_time_parse(const char *s, size_t len, int64_t *out, const char **why);
/* Parse a date "YYYY-MM-DD" into its midnight UTC. 0 or -1 (*why). */
int mmr_date_parse(const char *s, size_t len, int64_t *out, const char **why);
/* Parse a duration: an integer followed by s, m, h, d or w ("90m", "3d");
 * 0 or -1 (*why). Overflow is an error. */
int mmr_duration_parse(const char *s, size_t len, int64_t *out, const char **why);

#define MMR_TIME_BUF 32
/* "2025-10-26T09:00:00Z". out holds MMR_TIME_BUF bytes. Returns out. */
char *mmr_time_format(int64_t t, char *out);
/* "2025-10-26". out holds MMR_TIME_BUF bytes. */
char *mmr_date_format(int64_t t, char *out);
/* Exact form in the largest of d, h, m, s that divides it: 259200 -> "3d",
 * 5400 -> "90m", 604800 -> "7d", 0 -> "0s", 61 -> "61s". */
char *mmr_duration_format(int64_t s, char *out);

#endif
