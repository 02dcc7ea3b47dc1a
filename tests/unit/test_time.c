/* util/timeutil: ISO 8601 instants, dates, durations. */
#include "t.h"
#include "util/timeutil.h"

static int64_t P(const char *s)
{
    int64_t t = -777;
    const char *why = NULL;
    if (mmr_time_parse(s, strlen(s), &t, &why) < 0) return -777;
    return t;
}

static int bad(const char *s)
{
    int64_t t;
    const char *why = NULL;
    int rc = mmr_time_parse(s, strlen(s), &t, &why);
    return rc < 0 && why != NULL;
}

static int64_t D(const char *s)
{
    int64_t d = -777;
    const char *why = NULL;
    if (mmr_duration_parse(s, strlen(s), &d, &why) < 0) return -777;
    return d;
}

int main(void)
{
    char buf[MMR_TIME_BUF];

    /* calendar */
    T_EQ_INT(mmr_days_from_civil(1970, 1, 1), 0);
    T_EQ_INT(mmr_days_from_civil(2000, 3, 1), 11017);
    T_EQ_INT(mmr_days_from_civil(1969, 12, 31), -1);
    int64_t y; int m, d;
    mmr_civil_from_days(11017, &y, &m, &d);
    T_EQ_INT(y, 2000); T_EQ_INT(m, 3); T_EQ_INT(d, 1);
    mmr_civil_from_days(-1, &y, &m, &d);
    T_EQ_INT(y, 1969); T_EQ_INT(m, 12); T_EQ_INT(d, 31);
    T_EQ_INT(mmr_time_day(-1), -1);
    T_EQ_INT(mmr_time_day(86399), 0);
    T_EQ_INT(mmr_time_day(86400), 1);

    /* instants: Z, offsets, short forms */
    T_EQ_INT(P("2025-10-26T09:00:00Z"), 1761469200);
    T_EQ_INT(P("2025-10-26t09:00:00z"), 1761469200);
    T_EQ_INT(P("2025-10-26T14:30:00+05:30"), 1761469200);
    T_EQ_INT(P("2025-10-26T14:30:00+0530"), 1761469200);
    T_EQ_INT(P("2025-10-26T04:00:00-05:00"), 1761469200);
    T_EQ_INT(P("2025-10-26T04:00:00-05"), 1761469200);
    T_EQ_INT(P("2025-10-26T09:00Z"), 1761469200);
    T_EQ_INT(P("2025-10-26 09:00:00Z"), 1761469200);
    T_EQ_INT(P("2025-10-26T09:00:00.999Z"), 1761469200);
    T_EQ_INT(P("2025-10-26"), 1761436800);
    T_EQ_INT(P("2025-10-26T06:30:00Z"), 1761460200);
    T_EQ_INT(P("1970-01-01T00:00:00Z"), 0);
    T_EQ_INT(P("1969-12-31T23:59:59Z"), -1);
    T_EQ_INT(P("2024-02-29T00:00:00Z"), 1709164800);
    T_EQ_INT(P("2025-10-26T23:59:60Z"), P("2025-10-26T23:59:59Z"));
    T_EQ_INT(P("2025-01-01T00:30:00+01:00"), P("2024-12-31T23:30:00Z"));

    /* bad strings */
    T_CHECK(bad(""));
    T_CHECK(bad("yesterday"));
    T_CHECK(bad("2025/10/26"));
    T_CHECK(bad("2025-10-26T09:00:00"));          /* no zone: never guessed */
    T_CHECK(bad("2025-13-01T00:00:00Z"));
    T_CHECK(bad("2025-00-10T00:00:00Z"));
    T_CHECK(bad("2025-02-29T00:00:00Z"));          /* not a leap year */
    T_CHECK(bad("2025-04-31T00:00:00Z"));
    T_CHECK(bad("2025-10-26T24:00:00Z"));
    T_CHECK(bad("2025-10-26T09:60:00Z"));
    T_CHECK(bad("2025-10-26T9:00:00Z"));
    T_CHECK(bad("2025-10-26T09:00:00Zjunk"));
    T_CHECK(bad("2025-10-26T09:00:00+24:00"));
    T_CHECK(bad("2025-10-26T09:00:00+05:3"));
    T_CHECK(bad("2025-10-26T09:00:00."));
    T_CHECK(bad("2025-10-26X09:00:00Z"));
    T_CHECK(bad("2025-10-2"));
    T_CHECK(bad("2025-10-26T"));
    /* not NUL-terminated: only len bytes are read */
    int64_t t = 0;
    T_EQ_INT(mmr_time_parse("2025-10-26T09:00:00Zxyz", 20, &t, NULL), 0);
    T_EQ_INT(t, 1761469200);

    /* dates */
    T_EQ_INT(mmr_date_parse("2025-10-26", 10, &t, NULL), 0);
    T_EQ_INT(t, 1761436800);
    T_EQ_INT(mmr_date_parse("2025-10-26T00:00:00Z", 20, &t, NULL), -1);
    T_EQ_INT(mmr_date_parse("2025-02-30", 10, &t, NULL), -1);

    /* formatting */
    T_EQ_STR(mmr_time_format(1761469200, buf), "2025-10-26T09:00:00Z");
    T_EQ_STR(mmr_time_format(0, buf), "1970-01-01T00:00:00Z");
    T_EQ_STR(mmr_time_format(-1, buf), "1969-12-31T23:59:59Z");
    T_EQ_STR(mmr_date_format(1761469200, buf), "2025-10-26");
    T_EQ_STR(mmr_date_format(-1, buf), "1969-12-31");
    for (int64_t x = -100000000; x < 4000000000LL; x += 98765431) {
        mmr_time_format(x, buf);
        T_EQ_INT(P(buf), x);
    }

    /* durations */
    T_EQ_INT(D("90m"), 5400);
    T_EQ_INT(D("24h"), 86400);
    T_EQ_INT(D("3d"), 259200);
    T_EQ_INT(D("2w"), 1209600);
    T_EQ_INT(D("45s"), 45);
    T_EQ_INT(D("0s"), 0);
    T_EQ_INT(D("3"), -777);
    T_EQ_INT(D("d"), -777);
    T_EQ_INT(D("3x"), -777);
    T_EQ_INT(D("-3d"), -777);
    T_EQ_INT(D("3dd"), -777);
    T_EQ_INT(D(""), -777);
    T_EQ_INT(D("99999999999999999999d"), -777);
    T_EQ_INT(D("9223372036854775807w"), -777);
    T_EQ_STR(mmr_duration_format(259200, buf), "3d");
    T_EQ_STR(mmr_duration_format(604800, buf), "7d");
    T_EQ_STR(mmr_duration_format(5400, buf), "90m");
    T_EQ_STR(mmr_duration_format(7200, buf), "2h");
    T_EQ_STR(mmr_duration_format(61, buf), "61s");
    T_EQ_STR(mmr_duration_format(0, buf), "0s");
    return T_DONE("time");
}
