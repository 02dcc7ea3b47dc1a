#include "util/timeutil.h"
#include <stdio.h>
#include <string.h>

/* Howard Hinnant's well-known civil calendar algorithms, written out. */
int64_t mmr_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                   /* [0, 399] */
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;  /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

void mmr_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
    int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (mm <= 2);
    *m = mm;
    *d = dd;
}

int64_t mmr_time_day(int64_t t)
{
    int64_t q = t / MMR_DAY;
    if (t % MMR_DAY < 0) q--;
    return q;
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int64_t y, int m)
{
    static const int md[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : md[m - 1];
}

/* n decimal digits at s[*i]; -1 if not all digits. */
static int digits(const char *s, size_t len, size_t *i, int n)
{
    if (*i + (size_t)n > len) return -1;
    int v = 0;
    for (int k = 0; k < n; k++) {
        char c = s[*i + (size_t)k];
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (c - '0');
    }
    *i += (size_t)n;
    return v;
}

#define FAIL(msg) do { if (why) *why = (msg); return -1; } while (0)

static int parse_date_part(const char *s, size_t len, size_t *i, int64_t *days, const char **why)
{
    int y = digits(s, len, i, 4);
    if (y < 0) FAIL("expected a date YYYY-MM-DD");
    if (*i >= len || s[*i] != '-') FAIL("expected a date YYYY-MM-DD");
    (*i)++;
    int m = digits(s, len, i, 2);
    if (m < 0 || *i >= len || s[*i] != '-') FAIL("expected a date YYYY-MM-DD");
    (*i)++;
    int d = digits(s, len, i, 2);
    if (d < 0) FAIL("expected a date YYYY-MM-DD");
    if (m < 1 || m > 12) FAIL("month out of range");
    if (d < 1 || d > month_days(y, m)) FAIL("day out of range");
    *days = mmr_days_from_civil(y, m, d);
    return 0;
}

int mmr_date_parse(const char *s, size_t len, int64_t *out, const char **why)
{
    size_t i = 0;
    int64_t days;
    if (!s) FAIL("expected a date YYYY-MM-DD");
    if (parse_date_part(s, len, &i, &days, why) < 0) return -1;
    if (i != len) FAIL("unexpected text after the date");
    *out = days * MMR_DAY;
    return 0;
}

int mmr_time_parse(const char *s, size_t len, int64_t *out, const char **why)
{
    size_t i = 0;
    int64_t days;
    if (!s) FAIL("expected an ISO 8601 time like 2025-10-26T09:00:00Z");
    if (parse_date_part(s, len, &i, &days, why) < 0) return -1;
    if (i == len) { *out = days * MMR_DAY; return 0; }
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') FAIL("expected T between date and time");
    i++;
    int hh = digits(s, len, &i, 2);
    if (hh < 0 || i >= len || s[i] != ':') FAIL("expected a time HH:MM[:SS]");
    i++;
    int mi = digits(s, len, &i, 2);
    if (mi < 0) FAIL("expected a time HH:MM[:SS]");
    int ss = 0;
    if (i < len && s[i] == ':') {
        i++;
        ss = digits(s, len, &i, 2);
        if (ss < 0) FAIL("expected seconds after the second colon");
        if (i < len && (s[i] == '.' || s[i] == ',')) {
            i++;
            size_t f0 = i;
            while (i < len && s[i] >= '0' && s[i] <= '9') i++;
            if (i == f0) FAIL("expected digits after the decimal point");
        }
    }
    if (hh > 23) FAIL("hour out of range");
    if (mi > 59) FAIL("minute out of range");
    if (ss > 60) FAIL("second out of range");
    if (ss == 60) ss = 59;
    if (i >= len) FAIL("missing time zone: add Z or an offset like +05:30");
    int64_t off = 0;
    if (s[i] == 'Z' || s[i] == 'z') {
        i++;
    } else if (s[i] == '+' || s[i] == '-') {
        int sign = s[i] == '-' ? -1 : 1;
        i++;
        int oh = digits(s, len, &i, 2);
        if (oh < 0) FAIL("expected an offset like +05:30");
        int om = 0;
        if (i < len && s[i] == ':') {
            i++;
            om = digits(s, len, &i, 2);
            if (om < 0) FAIL("expected an offset like +05:30");
        } else if (i < len) {
            om = digits(s, len, &i, 2);
            if (om < 0) FAIL("expected an offset like +05:30");
        }
        if (oh > 23 || om > 59) FAIL("offset out of range");
        off = sign * (int64_t)(oh * 3600 + om * 60);
    } else {
        FAIL("expected Z or an offset like +05:30");
    }
    if (i != len) FAIL("unexpected text after the time");
    *out = days * MMR_DAY + hh * 3600 + mi * 60 + ss - off;
    return 0;
}

int mmr_duration_parse(const char *s, size_t len, int64_t *out, const char **why)
{
    size_t i = 0;
    int64_t v = 0;
    if (!s || len == 0) FAIL("expected a duration like 24h or 3d");
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        if (v > (INT64_MAX - 9) / 10) FAIL("duration too large");
        v = v * 10 + (s[i] - '0');
        i++;
    }
    if (i == 0) FAIL("expected a duration like 24h or 3d");
    if (i + 1 != len) FAIL("expected a unit: s, m, h, d or w");
    int64_t unit;
    switch (s[i]) {
    case 's': unit = 1; break;
    case 'm': unit = MMR_MINUTE; break;
    case 'h': unit = MMR_HOUR; break;
    case 'd': unit = MMR_DAY; break;
    case 'w': unit = MMR_WEEK; break;
    default: FAIL("expected a unit: s, m, h, d or w");
    }
    if (v > INT64_MAX / unit) FAIL("duration too large");
    *out = v * unit;
    return 0;
}

char *mmr_time_format(int64_t t, char *out)
{
    int64_t days = mmr_time_day(t), y;
    int64_t sec = t - days * MMR_DAY;
    int m, d;
    mmr_civil_from_days(days, &y, &m, &d);
    snprintf(out, MMR_TIME_BUF, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m, d,
             (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
    return out;
}

char *mmr_date_format(int64_t t, char *out)
{
    int64_t y;
    int m, d;
    mmr_civil_from_days(mmr_time_day(t), &y, &m, &d);
    snprintf(out, MMR_TIME_BUF, "%04lld-%02d-%02d", (long long)y, m, d);
    return out;
}

char *mmr_duration_format(int64_t s, char *out)
{
    static const struct { int64_t n; char u; } units[] = {
        { MMR_DAY, 'd' }, { MMR_HOUR, 'h' }, { MMR_MINUTE, 'm' }
    };
    for (size_t k = 0; k < sizeof units / sizeof units[0]; k++)
        if (s != 0 && s % units[k].n == 0) {
            snprintf(out, MMR_TIME_BUF, "%lld%c", (long long)(s / units[k].n), units[k].u);
            return out;
        }
    snprintf(out, MMR_TIME_BUF, "%llds", (long long)s);
    return out;
}
