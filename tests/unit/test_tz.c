/* engine/tz: TZif v1/v2 data, POSIX footers, names, the cache. Expected
 * offsets were checked against Python's zoneinfo on the same files. */
#include <stdlib.h>
#include "t.h"
#include "engine/tz.h"
#include "util/buf.h"

static int32_t OFF(mmr_tz_cache *c, const char *zone, int64_t t)
{
    int32_t off = 99999;
    const char *why = NULL;
    if (mmr_tz_offset(c, zone, t, &off, &why) < 0) return 99999;
    return off;
}

static const char *WHY(mmr_tz_cache *c, const char *zone)
{
    const char *why = NULL;
    if (mmr_tz_get(c, zone, &why)) return "(loaded)";
    return why ? why : "(null)";
}

int main(void)
{
    mmr_tz_cache *c = mmr_tz_cache_new(NULL);
    T_CHECK(c != NULL);

    /* Asia/Kolkata: +05:30 now, LMT-ish +05:21:10 in 1900 */
    T_EQ_INT(OFF(c, "Asia/Kolkata", 1761469200), 19800);
    T_EQ_INT(OFF(c, "Asia/Kolkata", 2224756800), 19800);
    T_EQ_STR(mmr_tz_abbr_at(mmr_tz_get(c, "Asia/Kolkata", NULL), 1761469200), "IST");

    /* America/New_York, 2025: DST from 2025-03-09T07:00Z to 2025-11-02T06:00Z */
    T_EQ_INT(OFF(c, "America/New_York", 1741503599), -18000);
    T_EQ_INT(OFF(c, "America/New_York", 1741503600), -14400);
    T_EQ_INT(OFF(c, "America/New_York", 1762063199), -14400);
    T_EQ_INT(OFF(c, "America/New_York", 1762063200), -18000);
    T_EQ_STR(mmr_tz_abbr_at(mmr_tz_get(c, "America/New_York", NULL), 1741503600), "EDT");
    /* 2040: beyond any table, from the footer EST5EDT,M3.2.0,M11.1.0 */
    T_EQ_INT(OFF(c, "America/New_York", 2215061999), -18000);
    T_EQ_INT(OFF(c, "America/New_York", 2215062000), -14400);
    T_EQ_INT(OFF(c, "America/New_York", 2210241600), -18000);
    T_EQ_INT(OFF(c, "America/New_York", 2224756800), -14400);

    /* Europe/London: BST ends 2025-10-26T01:00Z, starts 2025-03-30T01:00Z */
    T_EQ_INT(OFF(c, "Europe/London", 1761440399), 3600);
    T_EQ_INT(OFF(c, "Europe/London", 1761440400), 0);
    T_EQ_INT(OFF(c, "Europe/London", 1743296399), 0);
    T_EQ_INT(OFF(c, "Europe/London", 1743296400), 3600);

    /* Southern hemisphere footer: AEST-10AEDT,M10.1.0,M4.1.0/3 */
    T_EQ_INT(OFF(c, "Australia/Sydney", 2216822399), 39600);
    T_EQ_INT(OFF(c, "Australia/Sydney", 2216822400), 36000);
    T_EQ_INT(OFF(c, "Australia/Sydney", 2233151999), 36000);
    T_EQ_INT(OFF(c, "Australia/Sydney", 2233152000), 39600);

    /* UTC needs no file */
    T_EQ_INT(OFF(c, "UTC", 1761469200), 0);
    T_EQ_INT(OFF(c, "Etc/UTC", 1761469200), 0);

    /* errors */
    T_EQ_STR(WHY(c, "Mars/Olympus_Mons"), "unknown time zone");
    T_EQ_STR(WHY(c, "Mars/Olympus_Mons"), "unknown time zone");   /* remembered */
    T_EQ_STR(WHY(c, "America"), "unknown time zone");             /* a directory */
    T_EQ_STR(WHY(c, "../etc/passwd"), "invalid time zone name");
    T_EQ_STR(WHY(c, "Asia/../../etc/passwd"), "invalid time zone name");
    T_EQ_STR(WHY(c, "/etc/passwd"), "invalid time zone name");
    T_EQ_STR(WHY(c, "Asia//Kolkata"), "invalid time zone name");
    T_EQ_STR(WHY(c, "Asia/Kolkata/"), "invalid time zone name");
    T_EQ_STR(WHY(c, ".hidden"), "invalid time zone name");
    T_EQ_STR(WHY(c, "Asia/Kol kata"), "invalid time zone name");
    T_EQ_STR(WHY(c, ""), "invalid time zone name");
    T_CHECK(mmr_tz_valid_name("America/Argentina/Buenos_Aires"));
    T_CHECK(mmr_tz_valid_name("Etc/GMT+5"));
    T_CHECK(!mmr_tz_valid_name(NULL));
    T_CHECK(!mmr_tz_valid_name(".."));
    T_CHECK(!mmr_tz_valid_name("a\\b"));
    char longname[300];
    memset(longname, 'A', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    T_CHECK(!mmr_tz_valid_name(longname));

    /* the cache hands out one zone per name */
    T_CHECK(mmr_tz_get(c, "Asia/Kolkata", NULL) == mmr_tz_get(c, "Asia/Kolkata", NULL));

    /* a private zoneinfo directory that does not exist */
    mmr_tz_cache *c2 = mmr_tz_cache_new("/nonexistent/zoneinfo");
    T_EQ_STR(WHY(c2, "Asia/Kolkata"), "unknown time zone");
    T_EQ_INT(OFF(c2, "UTC", 5), 0);
    mmr_tz_cache_free(c2);

    /* raw TZif: v1 reading of a v2 file, truncations, garbage */
    size_t len = 0;
    unsigned char *data = (unsigned char *)mmr_read_file("/usr/share/zoneinfo/America/New_York", &len);
    T_CHECK(data != NULL && len > 44);
    if (data) {
        const char *why = NULL;
        mmr_tz *z = mmr_tz_parse(data, len, &why);
        T_CHECK(z != NULL);
        if (z) T_EQ_INT(mmr_tz_offset_at(z, 1741503600), -14400);
        mmr_tz_free(z);
        unsigned char *v1 = malloc(len);
        memcpy(v1, data, len);
        v1[4] = 0;                                   /* pretend version 1 */
        z = mmr_tz_parse(v1, len, &why);
        T_CHECK(z != NULL);
        /* 32-bit data: the 2025 switch is either in the table or, in a
         * slim file, the last transition stays in force (EST or EDT) */
        if (z) { int32_t o = mmr_tz_offset_at(z, 1741503600); T_CHECK(o == -14400 || o == -18000); }
        mmr_tz_free(z);
        free(v1);
        int ok = 1;
        for (size_t n = 0; n < len; n++) {           /* every truncation fails cleanly or parses */
            mmr_tz *zz = mmr_tz_parse(data, n, &why);
            if (zz) { (void)mmr_tz_offset_at(zz, 0); mmr_tz_free(zz); }
        }
        T_CHECK(ok);
        unsigned char junk[64] = "TZif2";
        T_CHECK(mmr_tz_parse(junk, sizeof junk, &why) == NULL);
        T_EQ_STR(why, "malformed time zone file");
        T_CHECK(mmr_tz_parse((const unsigned char *)"hello", 5, &why) == NULL);
        free(data);
    }

    /* POSIX strings alone */
    mmr_tz *p = mmr_tz_from_posix("IST-5:30", NULL);
    T_CHECK(p != NULL);
    if (p) T_EQ_INT(mmr_tz_offset_at(p, 1761469200), 19800);
    mmr_tz_free(p);
    p = mmr_tz_from_posix("<+0330>-3:30", NULL);
    T_CHECK(p != NULL);
    if (p) T_EQ_INT(mmr_tz_offset_at(p, 0), 12600);
    mmr_tz_free(p);
    p = mmr_tz_from_posix("EST5EDT,M3.2.0,M11.1.0", NULL);
    T_CHECK(p != NULL);
    if (p) {
        T_EQ_INT(mmr_tz_offset_at(p, 1741503599), -18000);
        T_EQ_INT(mmr_tz_offset_at(p, 1741503600), -14400);
        T_EQ_INT(mmr_tz_offset_at(p, 1762063199), -14400);
        T_EQ_INT(mmr_tz_offset_at(p, 1762063200), -18000);
        T_EQ_STR(mmr_tz_abbr_at(p, 1741503600), "EDT");
    }
    mmr_tz_free(p);
    p = mmr_tz_from_posix("CET-1CEST,M3.5.0,M10.5.0/3", NULL);   /* last Sundays */
    T_CHECK(p != NULL);
    if (p) {
        T_EQ_INT(mmr_tz_offset_at(p, 1743296399), 3600);    /* 2025-03-30T00:59:59Z */
        T_EQ_INT(mmr_tz_offset_at(p, 1743296400), 7200);
        T_EQ_INT(mmr_tz_offset_at(p, 1761440399), 7200);    /* 2025-10-26T00:59:59Z */
        T_EQ_INT(mmr_tz_offset_at(p, 1761440400), 3600);
    }
    mmr_tz_free(p);
    const char *why = NULL;
    T_CHECK(mmr_tz_from_posix("", &why) == NULL);
    T_CHECK(mmr_tz_from_posix("EST", &why) == NULL);
    T_CHECK(mmr_tz_from_posix("EST5EDT,M13.1.0,M11.1.0", &why) == NULL);
    T_CHECK(mmr_tz_from_posix("EST5EDT,M3.2.0", &why) == NULL);
    T_CHECK(mmr_tz_from_posix("EST5x", &why) == NULL);

    mmr_tz_cache_free(c);
    return T_DONE("tz");
}
