/* The lint configuration: tone word list, ALL-CAPS allow list, length
 * limits, disabled lints and severities, read from a small text file:
 *
 *     # comment
 *     title_max = 60
 *     caps_allow = UPI, EMI
 *     disable = duplicate-priority
 *     [words]
 *     stupid
 *     out of control
 *
 * See docs/lints.md ("Configuration") for every key.
 */
#include "compiler/lint.h"
#include "util/buf.h"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

const mmr_lint_info mmr_lint_table[MMR_LINT_COUNT] = {
#define LINT(e, id, name, sev, summary, hint) { id, name, MMR_SEV_##sev, summary, hint },
#include "compiler/lints.def"
#undef LINT
};

/* Built-in defaults: keep equal to rules/mmr-lint.conf (a unit test checks). */
static const char *const default_words[] = {
    /* shaming */
    "stupid", "dumb", "idiot", "idiotic", "foolish", "lazy", "pathetic",
    "irresponsible", "reckless", "careless", "shame", "shameful", "ashamed",
    "embarrassing", "disgrace", "disgraceful", "loser", "failure", "wasteful",
    "guilty", "bad with money",
    /* alarming */
    "alarming", "danger", "dangerous", "disaster", "disastrous", "catastrophe",
    "catastrophic", "crisis", "panic", "urgent", "urgently", "warning", "broke",
    "bankrupt", "bankruptcy", "ruin", "ruined", "doom", "doomed", "terrible",
    "horrible", "awful", "out of control", "act now", "last chance",
};

static const char *const default_caps_allow[] = {
    "UPI", "EMI", "SIP", "ATM", "PIN", "PAN", "GST", "KYC", "OK", "FD", "RD",
    "PPF", "NPS", "EPF", "ELSS", "ITR", "TDS", "NEFT", "IMPS", "RTGS", "IFSC",
    "OTP", "ID", "TV", "INR", "USD", "MF", "AI", "EV",
};

int mmr_lint_lookup(const char *s, size_t n)
{
    for (int i = 0; i < MMR_LINT_COUNT; i++) {
        const mmr_lint_info *L = &mmr_lint_table[i];
        if (strlen(L->name) == n && memcmp(L->name, s, n) == 0) return i;
        if (strlen(L->id) == n && strncasecmp(L->id, s, n) == 0) return i;
    }
    return -1;
}

mmr_severity mmr_lint_severity(const mmr_lint_config *c, int i)
{
    if (c && c->severity[i] >= 0) return (mmr_severity)c->severity[i];
    return mmr_lint_table[i].severity;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

static int push(char ***v, size_t *n, const char *s, size_t len)
{
    char **nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv) return -1;
    *v = nv;
    char *copy = malloc(len + 1);
    if (!copy) return -1;
    memcpy(copy, s, len);
    copy[len] = 0;
    nv[(*n)++] = copy;
    return 0;
}

void mmr_lint_config_init(mmr_lint_config *c)
{
    memset(c, 0, sizeof *c);
    c->title_max = 60;
    c->body_max = 160;
    c->max_exclamations = 1;
    c->caps_min_letters = 2;
    for (size_t i = 0; i < sizeof default_words / sizeof *default_words; i++)
        push(&c->words, &c->nwords, default_words[i], strlen(default_words[i]));
    for (size_t i = 0; i < sizeof default_caps_allow / sizeof *default_caps_allow; i++)
        push(&c->caps_allow, &c->ncaps_allow, default_caps_allow[i], strlen(default_caps_allow[i]));
    c->docs_url = NULL;
    memset(c->severity, -1, sizeof c->severity);
}

void mmr_lint_config_free(mmr_lint_config *c)
{
    free(c->path);
    free_list(c->words, c->nwords);
    free_list(c->caps_allow, c->ncaps_allow);
    free(c->docs_url);
    memset(c, 0, sizeof *c);
}

/* ------------------------------------------------------------ parsing */

typedef struct cparse {
    mmr_lint_config *c;
    const char *path;
    mmr_diags *d;
    int errors;
    int line;
    int words_replaced, caps_replaced;
} cparse;

static void perr(cparse *p, int col, const char *msg, const char *arg, size_t alen)
{
    mmr_diag *g = arg
        ? mmr_diag_add(p->d, MMR_SEV_ERROR, p->path, p->line, col, msg, (int)alen, arg)
        : mmr_diag_add(p->d, MMR_SEV_ERROR, p->path, p->line, col, "%s", msg);
    (void)g;
    p->errors++;
}

static int is_blank(char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }

static void trim(const char **s, const char **e)
{
    while (*s < *e && is_blank(**s)) (*s)++;
    while (*e > *s && is_blank((*e)[-1])) (*e)--;
}

static void add_word(cparse *p, const char *s, size_t n)
{
    if (!p->words_replaced) {
        free_list(p->c->words, p->c->nwords);
        p->c->words = NULL; p->c->nwords = 0;
        p->words_replaced = 1;
    }
    /* stored lower case, inner blanks collapsed to one space */
    mmr_buf b;
    mmr_buf_init(&b);
    int sp = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (is_blank(ch)) { sp = 1; continue; }
        if (sp && b.len) mmr_buf_putc(&b, ' ');
        sp = 0;
        mmr_buf_putc(&b, (char)tolower((unsigned char)ch));
    }
    if (b.len) push(&p->c->words, &p->c->nwords, b.data, b.len);
    mmr_buf_free(&b);
}

static void add_caps(cparse *p, const char *s, size_t n)
{
    if (!p->caps_replaced) {
        free_list(p->c->caps_allow, p->c->ncaps_allow);
        p->c->caps_allow = NULL; p->c->ncaps_allow = 0;
        p->caps_replaced = 1;
    }
    push(&p->c->caps_allow, &p->c->ncaps_allow, s, n);
}

/* Calls fn on each comma-separated item of [s, e). */
static void each_item(cparse *p, const char *line0, const char *s, const char *e,
                      void (*fn)(cparse *, const char *, size_t, int col))
{
    while (s < e) {
        const char *comma = memchr(s, ',', (size_t)(e - s));
        const char *ie = comma ? comma : e;
        const char *a = s, *b = ie;
        trim(&a, &b);
        if (b > a) fn(p, a, (size_t)(b - a), (int)(a - line0) + 1);
        s = comma ? comma + 1 : e;
    }
}

static void item_word(cparse *p, const char *s, size_t n, int col) { (void)col; add_word(p, s, n); }
static void item_caps(cparse *p, const char *s, size_t n, int col) { (void)col; add_caps(p, s, n); }

static void set_lints(cparse *p, const char *s, size_t n, int col, int what)
{
    int i = mmr_lint_lookup(s, n);
    if (i < 0) {
        perr(p, col, "unknown lint \"%.*s\" (see `mmr lint --list`)", s, n);
        return;
    }
    if (what == 0) p->c->disabled[i] = 1;
    else p->c->severity[i] = (signed char)(what == 1 ? MMR_SEV_ERROR : MMR_SEV_WARNING);
}
static void item_disable(cparse *p, const char *s, size_t n, int col) { set_lints(p, s, n, col, 0); }
static void item_error(cparse *p, const char *s, size_t n, int col) { set_lints(p, s, n, col, 1); }
static void item_warning(cparse *p, const char *s, size_t n, int col) { set_lints(p, s, n, col, 2); }

/* Offset of the first byte of [s, e) that is not valid UTF-8 (or is NUL),
 * or -1 when the whole line is fine. */
static long bad_utf8(const char *s, const char *e)
{
    const unsigned char *p = (const unsigned char *)s, *end = (const unsigned char *)e;
    while (p < end) {
        unsigned c = *p;
        size_t n = c == 0 ? 0 : c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2
                 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
        if (!n || (size_t)(end - p) < n) return (long)(p - (const unsigned char *)s);
        unsigned cp = n == 1 ? c : n == 2 ? c & 0x1Fu : n == 3 ? c & 0x0Fu : c & 0x07u;
        for (size_t i = 1; i < n; i++) {
            if ((p[i] & 0xC0) != 0x80) return (long)(p - (const unsigned char *)s);
            cp = (cp << 6) | (p[i] & 0x3Fu);
        }
        if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return (long)(p - (const unsigned char *)s);
        p += n;
    }
    return -1;
}

static int key_is(const char *k, size_t n, const char *want)
{
    return strlen(want) == n && memcmp(k, want, n) == 0;
}

int mmr_lint_config_parse(mmr_lint_config *c, const char *path,
                          const char *text, size_t len, mmr_diags *d)
{
    cparse p;
    memset(&p, 0, sizeof p);
    p.c = c; p.path = path; p.d = d;
    int section = 0;   /* 0 settings, 1 words, 2 caps_allow */
    size_t pos = 0;
    while (pos < len) {
        p.line++;
        const char *ls = text + pos;
        const char *nl = memchr(ls, '\n', len - pos);
        const char *le = nl ? nl : text + len;
        pos = (size_t)(le - text) + (nl ? 1 : 0);
        const char *s = ls, *e = le;
        long bad = bad_utf8(ls, le);
        if (bad >= 0) {
            /* a word with a broken byte would never match: say so */
            unsigned char b = (unsigned char)ls[bad];
            int bcol = 1;   /* columns count characters */
            for (long i = 0; i < bad; i++) if ((ls[i] & 0xC0) != 0x80) bcol++;
            if (b) mmr_diag_add(d, MMR_SEV_ERROR, path, p.line, bcol, "invalid UTF-8 byte 0x%02x", b);
            else mmr_diag_add(d, MMR_SEV_ERROR, path, p.line, bcol, "NUL byte in the lint config");
            p.errors++;
            continue;
        }
        const char *hash = memchr(s, '#', (size_t)(e - s));
        if (hash) e = hash;
        trim(&s, &e);
        if (s == e) continue;
        int col = (int)(s - ls) + 1;
        if (*s == '[') {
            if (e[-1] != ']') { perr(&p, col, "expected \"]\" to close the section name", NULL, 0); continue; }
            const char *a = s + 1, *b = e - 1;
            trim(&a, &b);
            if (key_is(a, (size_t)(b - a), "words")) section = 1;
            else if (key_is(a, (size_t)(b - a), "caps_allow")) section = 2;
            else if (key_is(a, (size_t)(b - a), "settings")) section = 0;
            else perr(&p, col, "unknown section \"[%.*s]\" (known: [settings], [words], [caps_allow])",
                      a, (size_t)(b - a));
            continue;
        }
        const char *eq = memchr(s, '=', (size_t)(e - s));
        if (section && !eq) {
            if (section == 1) add_word(&p, s, (size_t)(e - s));
            else add_caps(&p, s, (size_t)(e - s));
            continue;
        }
        if (!eq) { perr(&p, col, "expected `key = value`", NULL, 0); continue; }
        const char *ks = s, *ke = eq, *vs = eq + 1, *ve = e;
        trim(&ks, &ke);
        trim(&vs, &ve);
        size_t kn = (size_t)(ke - ks);
        int vcol = (int)(vs - ls) + 1;
        if (key_is(ks, kn, "title_max") || key_is(ks, kn, "body_max") ||
            key_is(ks, kn, "max_exclamations") || key_is(ks, kn, "caps_min_letters")) {
            char buf[32];
            size_t vn = (size_t)(ve - vs);
            char *end = NULL;
            long v = -1;
            if (vn > 0 && vn < sizeof buf) {
                memcpy(buf, vs, vn);
                buf[vn] = 0;
                errno = 0;
                v = strtol(buf, &end, 10);
                if (errno || *end || end == buf) v = -1;
            }
            if (v < 0 || v > 100000) {
                perr(&p, vcol, "\"%.*s\" must be a whole number from 0 to 100000", ks, kn);
                continue;
            }
            if (key_is(ks, kn, "title_max")) c->title_max = (int)v;
            else if (key_is(ks, kn, "body_max")) c->body_max = (int)v;
            else if (key_is(ks, kn, "max_exclamations")) c->max_exclamations = (int)v;
            else c->caps_min_letters = (int)v;
        } else if (key_is(ks, kn, "words")) {
            each_item(&p, ls, vs, ve, item_word);
            if (!p.words_replaced) add_word(&p, "", 0);   /* `words =` empties the list */
        } else if (key_is(ks, kn, "caps_allow")) {
            if (vs == ve && !p.caps_replaced) {
                free_list(c->caps_allow, c->ncaps_allow);
                c->caps_allow = NULL; c->ncaps_allow = 0;
                p.caps_replaced = 1;
            }
            each_item(&p, ls, vs, ve, item_caps);
        } else if (key_is(ks, kn, "disable")) {
            each_item(&p, ls, vs, ve, item_disable);
        } else if (key_is(ks, kn, "error")) {
            each_item(&p, ls, vs, ve, item_error);
        } else if (key_is(ks, kn, "warning")) {
            each_item(&p, ls, vs, ve, item_warning);
        } else if (key_is(ks, kn, "docs_url")) {
            /* it becomes SARIF helpUris: an absolute http(s) URL, nothing
             * a URI cannot hold (spaces, quotes, non-ASCII); empty = none */
            int url_ok = ve == vs || ((size_t)(ve - vs) > 8 &&
                         (!strncmp(vs, "https://", 8) || !strncmp(vs, "http://", 7)));
            for (const char *q = vs; url_ok && q < ve; q++)
                if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f || strchr("\"<>\\^`{|}", *q)) url_ok = 0;
            if (!url_ok) {
                perr(&p, vcol, "\"docs_url\" must be an http:// or https:// URL without spaces or quotes", NULL, 0);
                continue;
            }
            char *u = malloc((size_t)(ve - vs) + 1);
            if (u) {
                memcpy(u, vs, (size_t)(ve - vs));
                u[ve - vs] = 0;
                free(c->docs_url);
                c->docs_url = u;
            }
        } else {
            perr(&p, col, "unknown setting \"%.*s\" (see docs/lints.md, \"Configuration\")", ks, kn);
        }
    }
    return p.errors;
}

int mmr_lint_config_load(mmr_lint_config *c, const char *path, mmr_diags *d)
{
    size_t len = 0;
    char *text = mmr_read_file(path, &len);
    if (!text) {
        mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "cannot read the lint config: %s", mmr_read_error(errno));
        return 1;
    }
    int n = mmr_lint_config_parse(c, path, text, len, d);
    free(text);
    free(c->path);
    c->path = strdup(path);
    return n;
}

/* ------------------------------------------------------------ discovery */

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

char *mmr_lint_config_find(const char *ruleset_path)
{
    char *abs = realpath(ruleset_path, NULL);
    if (!abs) return NULL;
    if (!is_dir(abs)) {
        char *slash = strrchr(abs, '/');
        if (slash && slash != abs) *slash = 0;
        else if (slash) slash[1] = 0;
    }
    char cwd[PATH_MAX];
    int have_cwd = getcwd(cwd, sizeof cwd) != NULL;
    static const char *const names[] = { ".mmr-lint.conf", "mmr-lint.conf" };
    mmr_buf b;
    mmr_buf_init(&b);
    char *found = NULL;
    for (;;) {
        for (size_t i = 0; i < 2 && !found; i++) {
            mmr_buf_clear(&b);
            mmr_buf_printf(&b, "%s%s%s", abs, strcmp(abs, "/") ? "/" : "", names[i]);
            if (!b.oom && is_file(b.data)) found = strdup(b.data);
        }
        if (found) break;
        mmr_buf_clear(&b);
        mmr_buf_printf(&b, "%s/.git", abs);
        if (b.oom || access(b.data, F_OK) == 0) break;   /* the repository root */
        char *slash = strrchr(abs, '/');
        if (!slash || !strcmp(abs, "/")) break;
        if (slash == abs) slash[1] = 0; else *slash = 0;
    }
    mmr_buf_free(&b);
    free(abs);
    if (found && have_cwd) {
        size_t n = strlen(cwd);
        if (strncmp(found, cwd, n) == 0 && found[n] == '/') {
            memmove(found, found + n + 1, strlen(found + n + 1) + 1);
        }
    }
    return found;
}
