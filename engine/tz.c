#include "engine/tz.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/timeutil.h"

/* A POSIX TZ rule date: Jn (julian, no leap day), n (zero-based day of
 * year, leap day counted) or Mm.w.d; time is seconds after local midnight. */
typedef struct tz_rule_date {
    char kind;        /* 'J', 'D' or 'M' */
    int n, m, w, d;
    int32_t time;
} tz_rule_date;

typedef struct tz_posix {
    int valid;
    int32_t std_off, dst_off;   /* seconds east of UTC */
    int has_dst;
    int has_rule;               /* DST rule given; otherwise DST all year?  no: std only */
    tz_rule_date start, end;
    char std_abbr[16], dst_abbr[16];
} tz_posix;

typedef struct tz_type {
    int32_t off;
    uint8_t isdst;
    uint32_t abbr;              /* index into chars, validated */
} tz_type;

struct mmr_tz {
    int64_t *trans;   /* ntrans transition instants, ascending */
    uint8_t *tidx;    /* type in force from trans[i] */
    size_t ntrans;
    tz_type *types;   size_t ntypes;
    char *chars;      size_t nchars;   /* NUL-terminated designations */
    tz_posix footer;
};

typedef struct tz_entry {
    char *name;
    mmr_tz *zone;     /* NULL: failed, see why */
    const char *why;
} tz_entry;

struct mmr_tz_cache {
    char *dir;
    tz_entry *v; size_t n, cap;
    mmr_tz *utc;
};

/* ------------------------------------------------------------- names */

int mmr_tz_valid_name(const char *name)
{
    if (!name) return 0;
    size_t len = strlen(name);
    if (len == 0 || len > 255) return 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || name[i] == '/') {
            size_t clen = i - start;
            if (clen == 0) return 0;                          /* leading, trailing or double "/" */
            if (name[start] == '.') return 0;                 /* ".", "..", hidden files */
            if (name[start] == '-') return 0;                 /* option-looking component */
            start = i + 1;
            continue;
        }
        char c = name[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '+' || c == '-';
        if (!ok) return 0;
    }
    if (strstr(name, "..")) return 0;
    return 1;
}

/* ------------------------------------------------------- POSIX TZ rules */

static int p_abbr(const char **sp, char *out, size_t cap)
{
    const char *s = *sp;
    size_t n = 0;
    if (*s == '<') {
        s++;
        while (*s && *s != '>') {
            if (n + 1 < cap) out[n++] = *s;
            s++;
        }
        if (*s != '>') return -1;
        s++;
    } else {
        while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) {
            if (n + 1 < cap) out[n++] = *s;
            s++;
        }
    }
    out[n] = 0;
    if (n < 3 && !(n > 0 && (*sp)[0] == '<')) return -1;
    *sp = s;
    return 0;
}

static int p_num(const char **sp, int maxv, int *out)
{
    const char *s = *sp;
    int v = 0, k = 0;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (*s - '0');
        if (v > maxv) return -1;
        s++; k++;
    }
    if (k == 0) return -1;
    *out = v;
    *sp = s;
    return 0;
}

/* [+-]hh[:mm[:ss]] -> seconds (sign applied as written). */
static int p_hms(const char **sp, int maxh, int32_t *out)
{
    const char *s = *sp;
    int sign = 1, h, m = 0, sec = 0;
    if (*s == '+' || *s == '-') { if (*s == '-') sign = -1; s++; }
    if (p_num(&s, maxh, &h) < 0) return -1;
    if (*s == ':') { s++; if (p_num(&s, 59, &m) < 0) return -1;
        if (*s == ':') { s++; if (p_num(&s, 59, &sec) < 0) return -1; } }
    *out = sign * (h * 3600 + m * 60 + sec);
    *sp = s;
    return 0;
}

static int p_date(const char **sp, tz_rule_date *r)
{
    const char *s = *sp;
    memset(r, 0, sizeof *r);
    if (*s == 'J') {
        s++; r->kind = 'J';
        if (p_num(&s, 365, &r->n) < 0 || r->n < 1) return -1;
    } else if (*s == 'M') {
        s++; r->kind = 'M';
        if (p_num(&s, 12, &r->m) < 0 || r->m < 1) return -1;
        if (*s++ != '.') return -1;
        if (p_num(&s, 5, &r->w) < 0 || r->w < 1) return -1;
        if (*s++ != '.') return -1;
        if (p_num(&s, 6, &r->d) < 0) return -1;
    } else {
        r->kind = 'D';
        if (p_num(&s, 365, &r->n) < 0) return -1;
    }
    r->time = 7200;
    if (*s == '/') {
        s++;
        if (p_hms(&s, 167, &r->time) < 0) return -1;
    }
    *sp = s;
    return 0;
}

static int parse_posix(const char *s, tz_posix *p)
{
    memset(p, 0, sizeof *p);
    int32_t off;
    if (p_abbr(&s, p->std_abbr, sizeof p->std_abbr) < 0) return -1;
    if (p_hms(&s, 24, &off) < 0) return -1;
    p->std_off = -off;                         /* POSIX counts west as positive */
    if (*s == 0) { p->valid = 1; return 0; }
    if (p_abbr(&s, p->dst_abbr, sizeof p->dst_abbr) < 0) return -1;
    p->has_dst = 1;
    p->dst_off = p->std_off + 3600;
    if (*s && *s != ',') {
        if (p_hms(&s, 24, &off) < 0) return -1;
        p->dst_off = -off;
    }
    if (*s == ',') {
        s++;
        if (p_date(&s, &p->start) < 0) return -1;
        if (*s++ != ',') return -1;
        if (p_date(&s, &p->end) < 0) return -1;
    } else {
        /* No rule: the POSIX default is implementation-defined; use the US
         * rule (M3.2.0,M11.1.0), as glibc does for a missing rule. */
        p->start.kind = 'M'; p->start.m = 3; p->start.w = 2; p->start.d = 0; p->start.time = 7200;
        p->end.kind = 'M'; p->end.m = 11; p->end.w = 1; p->end.d = 0; p->end.time = 7200;
    }
    if (*s != 0) return -1;
    p->has_rule = 1;
    p->valid = 1;
    return 0;
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* Day number (since 1970) of a rule date in year y. */
static int64_t rule_day(const tz_rule_date *r, int64_t y)
{
    int64_t jan1 = mmr_days_from_civil(y, 1, 1);
    if (r->kind == 'J') {
        int64_t n = r->n - 1;                  /* Feb 29 never counted */
        if (is_leap(y) && r->n >= 60) n++;
        return jan1 + n;
    }
    if (r->kind == 'D') return jan1 + r->n;
    /* Mm.w.d: day d (0 = Sunday) of week w (5 = last) of month m */
    static const int md[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int64_t first = mmr_days_from_civil(y, r->m, 1);
    int wd_first = (int)(((first % 7) + 7 + 4) % 7);   /* 1970-01-01 was a Thursday */
    int delta = (r->d - wd_first + 7) % 7;
    int64_t day = first + delta + (int64_t)(r->w - 1) * 7;
    int mdays = md[r->m - 1] + (r->m == 2 && is_leap(y));
    while (day >= first + mdays) day -= 7;
    return day;
}

static int posix_isdst(const tz_posix *p, int64_t t)
{
    if (!p->has_dst || !p->has_rule) return 0;
    int64_t y;
    int m, d;
    mmr_civil_from_days(mmr_time_day(t + p->std_off), &y, &m, &d);
    int64_t start = rule_day(&p->start, y) * MMR_DAY + p->start.time - p->std_off;
    int64_t end = rule_day(&p->end, y) * MMR_DAY + p->end.time - p->dst_off;
    if (start < end) return t >= start && t < end;
    return !(t >= end && t < start);           /* southern hemisphere */
}

/* ------------------------------------------------------------- TZif */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

typedef struct tzif_hdr {
    int version;
    uint64_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} tzif_hdr;

static int read_hdr(const unsigned char *d, size_t len, size_t at, tzif_hdr *h)
{
    if (len < at || len - at < 44) return -1;
    d += at;
    if (memcmp(d, "TZif", 4) != 0) return -1;
    h->version = d[4] == 0 ? 1 : d[4] - '0';
    if (h->version < 1 || h->version > 9) return -1;
    h->isutcnt = be32(d + 20); h->isstdcnt = be32(d + 24); h->leapcnt = be32(d + 28);
    h->timecnt = be32(d + 32); h->typecnt = be32(d + 36); h->charcnt = be32(d + 40);
    if (h->typecnt == 0 || h->typecnt > 256 || h->charcnt == 0) return -1;
    if (h->isutcnt != 0 && h->isutcnt != h->typecnt) return -1;
    if (h->isstdcnt != 0 && h->isstdcnt != h->typecnt) return -1;
    return 0;
}

static uint64_t block_size(const tzif_hdr *h, int tsize)
{
    return h->timecnt * (uint64_t)tsize + h->timecnt + h->typecnt * 6 + h->charcnt +
           h->leapcnt * (uint64_t)(tsize + 4) + h->isstdcnt + h->isutcnt;
}

void mmr_tz_free(mmr_tz *z)
{
    if (!z) return;
    free(z->trans); free(z->tidx); free(z->types); free(z->chars);
    free(z);
}

mmr_tz *mmr_tz_parse(const unsigned char *data, size_t len, const char **why)
{
    const char *bad = "malformed time zone file";
    tzif_hdr h;
    if (read_hdr(data, len, 0, &h) < 0) { if (why) *why = bad; return NULL; }
    uint64_t b1 = block_size(&h, 4);
    if (b1 > len - 44) { if (why) *why = bad; return NULL; }
    size_t at = 44;
    int tsize = 4;
    if (h.version >= 2) {
        at = 44 + (size_t)b1;
        if (read_hdr(data, len, at, &h) < 0) { if (why) *why = bad; return NULL; }
        at += 44;
        tsize = 8;
        if (block_size(&h, 8) > len - at) { if (why) *why = bad; return NULL; }
    }
    mmr_tz *z = calloc(1, sizeof *z);
    if (!z) { if (why) *why = "out of memory"; return NULL; }
    z->ntrans = (size_t)h.timecnt;
    z->ntypes = (size_t)h.typecnt;
    z->nchars = (size_t)h.charcnt;
    z->trans = malloc((z->ntrans ? z->ntrans : 1) * sizeof *z->trans);
    z->tidx = malloc(z->ntrans ? z->ntrans : 1);
    z->types = malloc(z->ntypes * sizeof *z->types);
    z->chars = malloc(z->nchars + 1);
    if (!z->trans || !z->tidx || !z->types || !z->chars) {
        mmr_tz_free(z);
        if (why) *why = "out of memory";
        return NULL;
    }
    const unsigned char *p = data + at;
    for (size_t i = 0; i < z->ntrans; i++, p += tsize) {
        z->trans[i] = tsize == 8 ? be64(p) : (int64_t)(int32_t)be32(p);
        if (i > 0 && z->trans[i] <= z->trans[i - 1]) goto malformed;
    }
    for (size_t i = 0; i < z->ntrans; i++, p++) {
        z->tidx[i] = *p;
        if (*p >= z->ntypes) goto malformed;
    }
    for (size_t i = 0; i < z->ntypes; i++, p += 6) {
        z->types[i].off = (int32_t)be32(p);
        z->types[i].isdst = p[4];
        z->types[i].abbr = p[5];
        if (p[5] >= z->nchars) goto malformed;
        if (z->types[i].off <= -25 * 3600 || z->types[i].off >= 26 * 3600) goto malformed;
    }
    memcpy(z->chars, p, z->nchars);
    z->chars[z->nchars] = 0;
    p += z->nchars;
    p += h.leapcnt * (uint64_t)(tsize + 4) + h.isstdcnt + h.isutcnt;
    if (h.version >= 2) {
        size_t rest = len - (size_t)(p - data);
        if (rest >= 2 && p[0] == '\n') {
            const unsigned char *nl = memchr(p + 1, '\n', rest - 1);
            if (nl && nl - (p + 1) < 128) {
                char spec[128];
                size_t n = (size_t)(nl - (p + 1));
                memcpy(spec, p + 1, n);
                spec[n] = 0;
                if (n > 0 && parse_posix(spec, &z->footer) < 0) memset(&z->footer, 0, sizeof z->footer);
            }
        }
    }
    return z;
malformed:
    mmr_tz_free(z);
    if (why) *why = bad;
    return NULL;
}

mmr_tz *mmr_tz_from_posix(const char *spec, const char **why)
{
    tz_posix p;
    if (!spec || parse_posix(spec, &p) < 0) { if (why) *why = "malformed POSIX TZ string"; return NULL; }
    mmr_tz *z = calloc(1, sizeof *z);
    if (!z) { if (why) *why = "out of memory"; return NULL; }
    z->footer = p;
    z->types = malloc(sizeof *z->types);
    z->chars = malloc(strlen(p.std_abbr) + 1);
    z->trans = malloc(sizeof *z->trans);
    z->tidx = malloc(1);
    if (!z->types || !z->chars || !z->trans || !z->tidx) { mmr_tz_free(z); if (why) *why = "out of memory"; return NULL; }
    z->ntypes = 1;
    z->types[0].off = p.std_off; z->types[0].isdst = 0; z->types[0].abbr = 0;
    strcpy(z->chars, p.std_abbr);
    z->nchars = strlen(p.std_abbr) + 1;
    return z;
}

/* The type in force at t, or -1 when the footer rule applies. */
static int type_at(const mmr_tz *z, int64_t t)
{
    if (z->ntrans == 0) return z->footer.valid ? -1 : 0;
    if (t < z->trans[0]) return 0;
    if (t >= z->trans[z->ntrans - 1] && z->footer.valid) return -1;
    size_t lo = 0, hi = z->ntrans;            /* last i with trans[i] <= t */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->trans[mid] <= t) lo = mid; else hi = mid;
    }
    return z->tidx[lo];
}

int32_t mmr_tz_offset_at(const mmr_tz *z, int64_t t)
{
    int ty = type_at(z, t);
    if (ty >= 0) return z->types[ty].off;
    return posix_isdst(&z->footer, t) ? z->footer.dst_off : z->footer.std_off;
}

const char *mmr_tz_abbr_at(const mmr_tz *z, int64_t t)
{
    int ty = type_at(z, t);
    if (ty >= 0) return z->chars + z->types[ty].abbr;
    return posix_isdst(&z->footer, t) ? z->footer.dst_abbr : z->footer.std_abbr;
}

/* ------------------------------------------------------------- cache */

mmr_tz_cache *mmr_tz_cache_new(const char *dir)
{
    mmr_tz_cache *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->dir = strdup(dir ? dir : "/usr/share/zoneinfo");
    c->utc = mmr_tz_from_posix("UTC0", NULL);
    if (!c->dir || !c->utc) { mmr_tz_cache_free(c); return NULL; }
    return c;
}

void mmr_tz_cache_free(mmr_tz_cache *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) { free(c->v[i].name); mmr_tz_free(c->v[i].zone); }
    free(c->v);
    free(c->dir);
    mmr_tz_free(c->utc);
    free(c);
}

#define TZ_MAX_FILE (1u << 20)

static unsigned char *read_small(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    unsigned char *buf = malloc(TZ_MAX_FILE);
    if (!buf) { fclose(f); return NULL; }
    size_t n = fread(buf, 1, TZ_MAX_FILE, f);
    int err = ferror(f);
    fclose(f);
    if (err || n == 0 || n >= TZ_MAX_FILE) { free(buf); return NULL; }
    *len = n;
    return buf;
}

static mmr_tz *load_zone(const mmr_tz_cache *c, const char *name, const char **why)
{
    size_t need = strlen(c->dir) + strlen(name) + 2;
    char *path = malloc(need);
    if (!path) { *why = "out of memory"; return NULL; }
    snprintf(path, need, "%s/%s", c->dir, name);
    size_t len = 0;
    unsigned char *data = read_small(path, &len);
    free(path);
    if (!data) { *why = "unknown time zone"; return NULL; }
    mmr_tz *z = mmr_tz_parse(data, len, why);
    free(data);
    return z;
}

const mmr_tz *mmr_tz_get(mmr_tz_cache *c, const char *name, const char **why)
{
    const char *w = NULL;
    if (!mmr_tz_valid_name(name)) { if (why) *why = "invalid time zone name"; return NULL; }
    if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0 || strcmp(name, "GMT") == 0 ||
        strcmp(name, "Etc/GMT") == 0 || strcmp(name, "Zulu") == 0 || strcmp(name, "Etc/Zulu") == 0)
        return c->utc;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i].name, name) == 0) {
            if (!c->v[i].zone && why) *why = c->v[i].why;
            return c->v[i].zone;
        }
    mmr_tz *z = load_zone(c, name, &w);
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 8;
        tz_entry *nv = realloc(c->v, ncap * sizeof *nv);
        if (!nv) { mmr_tz_free(z); if (why) *why = "out of memory"; return NULL; }
        c->v = nv; c->cap = ncap;
    }
    char *nm = strdup(name);
    if (!nm) { mmr_tz_free(z); if (why) *why = "out of memory"; return NULL; }
    c->v[c->n].name = nm;
    c->v[c->n].zone = z;
    c->v[c->n].why = z ? NULL : w;
    c->n++;
    if (!z && why) *why = w;
    return z;
}

int mmr_tz_offset(mmr_tz_cache *c, const char *name, int64_t t, int32_t *offset, const char **why)
{
    const mmr_tz *z = mmr_tz_get(c, name, why);
    if (!z) return -1;
    *offset = mmr_tz_offset_at(z, t);
    return 0;
}
