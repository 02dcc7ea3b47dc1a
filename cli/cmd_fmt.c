/* mmr fmt — canonical formatting of .mmr files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli/cli.h"
#include "compiler/compile.h"
#include "util/buf.h"
#include "util/outfile.h"

static const char fmt_help[] =
    "usage: mmr fmt PATH... [--check | -w] [--width N]\n"
    "\n"
    "Formats .mmr files in the canonical layout: two-space indents, one field\n"
    "per line, a blank line between declarations, comments kept in place.\n"
    "PATH is a .mmr file or a directory (its *.mmr files, in name order);\n"
    "- reads stdin (shown as <stdin>; not with -w).\n"
    "\n"
    "  (default)    print the formatted text on stdout\n"
    "  --check      print `FILE: would reformat` and a diff for each file that\n"
    "               is not formatted; exit 1 if there is any\n"
    "  -w, --write  rewrite files that change, in place and atomically\n"
    "  --width N    split lines longer than N columns (20-1000, default 100)\n"
    "               where the layout allows: at and/or, before where\n"
    "  -h, --help   show this help (--version: the version line)\n"
    "\n"
    "A file with syntax errors is reported and never rewritten.\n"
    "Exit status: 0 ok, 1 syntax errors, an unreadable path or (with --check)\n"
    "unformatted files, 2 usage error.\n";

typedef enum { MODE_PRINT, MODE_CHECK, MODE_WRITE } fmt_mode;

/* ----------------------------------------------------------------- diff */

typedef struct lines { const char **p; size_t *n; size_t count; } lines;

static int split_lines(const char *s, size_t len, lines *out)
{
    size_t cap = 16;
    out->count = 0;
    out->p = malloc(cap * sizeof *out->p);
    out->n = malloc(cap * sizeof *out->n);
    if (!out->p || !out->n) return -1;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len && start == len) break;
        if (i == len || s[i] == '\n') {
            if (out->count == cap) {
                cap *= 2;
                const char **np = realloc(out->p, cap * sizeof *np);
                if (!np) return -1;
                out->p = np;
                size_t *nn = realloc(out->n, cap * sizeof *nn);
                if (!nn) return -1;
                out->n = nn;
            }
            out->p[out->count] = s + start;
            out->n[out->count] = i - start;
            out->count++;
            start = i + 1;
        }
    }
    return 0;
}

static int line_eq(const lines *a, size_t i, const lines *b, size_t j)
{
    return a->n[i] == b->n[j] && !memcmp(a->p[i], b->p[j], a->n[i]);
}

/* Edit script: 'x' same, '-' only in a, '+' only in b. */
static char *edit_script(const lines *a, const lines *b, size_t *len)
{
    size_t n = a->count, m = b->count;
    size_t pre = 0, suf = 0;
    while (pre < n && pre < m && line_eq(a, pre, b, pre)) pre++;
    while (suf < n - pre && suf < m - pre && line_eq(a, n - 1 - suf, b, m - 1 - suf)) suf++;
    size_t an = n - pre - suf, bn = m - pre - suf;
    char *ops = malloc(n + m + 1);
    if (!ops) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < pre; i++) ops[k++] = 'x';
    unsigned *dp = NULL;
    if (an && bn && an <= 4000 && bn <= 4000) dp = calloc((an + 1) * (bn + 1), sizeof *dp);
    if (dp) {
        /* LCS table over the middle, from the end */
        for (size_t i = an; i-- > 0; )
            for (size_t j = bn; j-- > 0; )
                dp[i * (bn + 1) + j] = line_eq(a, pre + i, b, pre + j)
                    ? dp[(i + 1) * (bn + 1) + j + 1] + 1
                    : (dp[(i + 1) * (bn + 1) + j] > dp[i * (bn + 1) + j + 1]
                       ? dp[(i + 1) * (bn + 1) + j] : dp[i * (bn + 1) + j + 1]);
        size_t i = 0, j = 0;
        while (i < an || j < bn) {
            if (i < an && j < bn && line_eq(a, pre + i, b, pre + j)) { ops[k++] = 'x'; i++; j++; }
            else if (i < an && (j == bn || dp[(i + 1) * (bn + 1) + j] >= dp[i * (bn + 1) + j + 1])) { ops[k++] = '-'; i++; }
            else { ops[k++] = '+'; j++; }
        }
        free(dp);
    } else {
        for (size_t i = 0; i < an; i++) ops[k++] = '-';
        for (size_t j = 0; j < bn; j++) ops[k++] = '+';
    }
    for (size_t i = 0; i < suf; i++) ops[k++] = 'x';
    *len = k;
    return ops;
}

static void print_diff(FILE *out, const char *path, const char *a, size_t alen, const char *b, size_t blen)
{
    lines la = { 0 }, lb = { 0 };
    size_t nops = 0;
    char *ops = NULL;
    if (split_lines(a, alen, &la) < 0 || split_lines(b, blen, &lb) < 0 ||
        !(ops = edit_script(&la, &lb, &nops))) {
        fprintf(out, "(diff not available: out of memory)\n");
        goto done;
    }
    cli_line(out, "--- %s", path);
    cli_line(out, "+++ %s (formatted)", path);
    enum { CTX = 2 };
    size_t k = 0;
    while (k < nops) {
        if (ops[k] == 'x') { k++; continue; }
        /* a hunk: from CTX before this change to CTX after the last change
         * that is within 2*CTX of the previous one */
        size_t start = k >= CTX ? k - CTX : 0;
        while (start < k && ops[start] != 'x') start++;
        size_t end = k;
        for (;;) {
            while (end < nops && ops[end] != 'x') end++;
            size_t same = 0;
            while (end + same < nops && ops[end + same] == 'x') same++;
            if (end + same < nops && same <= 2 * CTX) { end += same; continue; }
            end = end + (same < CTX ? same : CTX);
            break;
        }
        size_t ai = 0, bi = 0;
        for (size_t t = 0; t < start; t++) { if (ops[t] != '+') ai++; if (ops[t] != '-') bi++; }
        size_t ac = 0, bc = 0;
        for (size_t t = start; t < end; t++) { if (ops[t] != '+') ac++; if (ops[t] != '-') bc++; }
        fprintf(out, "@@ -%zu,%zu +%zu,%zu @@\n", ac ? ai + 1 : ai, ac, bc ? bi + 1 : bi, bc);
        for (size_t t = start; t < end; t++) {
            if (ops[t] == 'x') { fprintf(out, " %.*s\n", (int)la.n[ai], la.p[ai]); ai++; bi++; }
            else if (ops[t] == '-') { fprintf(out, "-%.*s\n", (int)la.n[ai], la.p[ai]); ai++; }
            else { fprintf(out, "+%.*s\n", (int)lb.n[bi], lb.p[bi]); bi++; }
        }
        k = end;
    }
done:
    free(ops);
    free(la.p); free(la.n); free(lb.p); free(lb.n);
}

/* ---------------------------------------------------------------- files */

typedef struct strv { char **v; size_t n, cap; } strv;

static int strv_push(strv *s, const char *x)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        char **nv = realloc(s->v, cap * sizeof *nv);
        if (!nv) return -1;
        s->v = nv;
        s->cap = cap;
    }
    s->v[s->n] = strdup(x);
    if (!s->v[s->n]) return -1;
    s->n++;
    return 0;
}

static void strv_free(strv *s)
{
    for (size_t i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

/* Adds PATH's files; returns 0, or -1 after printing why it cannot. */
static int collect(const char *path, strv *files)
{
    if (!strcmp(path, "-")) return strv_push(files, path);   /* stdin */
    struct stat st;
    if (stat(path, &st) != 0) {
        cli_line(stderr, "%s: error: cannot read %s: %s", path, path, mmr_read_error(errno));
        return -1;
    }
    if (S_ISREG(st.st_mode)) return strv_push(files, path);
    if (!S_ISDIR(st.st_mode)) {
        /* a FIFO would block, a device never ends: only regular files */
        cli_line(stderr, "%s: error: cannot read %s: not a regular file or directory", path, path);
        return -1;
    }
    DIR *d = opendir(path);
    if (!d) {
        cli_line(stderr, "%s: error: cannot read %s: %s", path, path, mmr_read_error(errno));
        return -1;
    }
    strv names = { 0 };
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || !ends_with(de->d_name, ".mmr")) continue;
        if (strv_push(&names, de->d_name) < 0) break;
    }
    closedir(d);
    if (!names.n) {
        /* as `mmr check` does: a directory without rules is a wrong path,
         * not a formatted ruleset (fmt --check must not pass on it) */
        cli_line(stderr, "%s: error: directory %s has no .mmr files (subdirectories are not searched)", path, path);
        strv_free(&names);
        return -1;
    }
    qsort(names.v, names.n, sizeof *names.v, cmp_str);
    int rc = 0;
    for (size_t i = 0; i < names.n && rc == 0; i++) {
        size_t n = strlen(path) + strlen(names.v[i]) + 2;
        char *full = malloc(n);
        if (!full) { rc = -1; break; }
        snprintf(full, n, "%s%s%s", path, ends_with(path, "/") ? "" : "/", names.v[i]);
        rc = strv_push(files, full);
        free(full);
    }
    strv_free(&names);
    return rc;
}

/* Writes data to path atomically (util/outfile.h): a mkstemp temporary in
 * the same directory, flushed to disk, then renamed over the original
 * (keeping its mode). */
static int write_atomic(const char *path, const char *data, size_t len)
{
    return mmr_outfile_write(path, data, len, 0);
}

/* Formats one file. Returns the exit status for it. */
/* All of stdin; NULL with errno set on a read error or out of memory. */
static char *read_stdin(size_t *len)
{
    mmr_buf b;
    mmr_buf_init(&b);
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, stdin)) > 0) mmr_buf_append(&b, tmp, n);
    if (ferror(stdin) || b.oom) { errno = b.oom ? ENOMEM : EIO; mmr_buf_free(&b); return NULL; }
    if (!b.data) mmr_buf_putc(&b, 0), b.len = 0;   /* an empty stdin is an empty file */
    *len = b.len;
    return mmr_buf_take(&b);
}

static int fmt_one(const char *path, fmt_mode mode, int width)
{
    size_t len = 0;
    int from_stdin = !strcmp(path, "-");
    if (from_stdin && mode == MODE_WRITE) {
        cli_usage_error("fmt", "-w cannot write back to - (stdin); drop -w to print the result");
        return EXIT_USAGE;
    }
    if (from_stdin) path = "<stdin>";
    char *src = from_stdin ? read_stdin(&len) : mmr_read_file(path, &len);
    if (!src) {
        cli_line(stderr, "%s: error: cannot read %s: %s", path, path, mmr_read_error(errno));
        return EXIT_INPUT;
    }
    mmr_arena arena;
    mmr_arena_init(&arena, 0);
    mmr_diags d;
    mmr_diags_init(&d);
    int rc = EXIT_OK;
    mmr_file *f = mmr_parse(&arena, path, src, len, &d);
    if (!f) {
        fprintf(stderr, "mmr fmt: %s: out of memory\n", path);
        rc = EXIT_INPUT;
    } else if (d.errors) {
        mmr_diags_sort(&d);
        cli_print_diags(&d, CLI_FMT_TEXT);
        rc = EXIT_INPUT;
    } else {
        mmr_buf out;
        mmr_buf_init(&out);
        mmr_print_file_width(&out, f, width);
        /* never write text that does not read back */
        mmr_diags d2;
        mmr_diags_init(&d2);
        mmr_arena a2;
        mmr_arena_init(&a2, 0);
        mmr_file *g = out.oom ? NULL : mmr_parse(&a2, path, out.data ? out.data : "", out.len, &d2);
        if (!g || d2.errors) {
            cli_line(stderr, "mmr fmt: %s: internal error: the formatted text does not parse; file left unchanged", path);
            rc = EXIT_INPUT;
        } else {
            int same = out.len == len && (len == 0 || !memcmp(out.data, src, len));
            if (mode == MODE_PRINT) {
                if (out.len) fwrite(out.data, 1, out.len, stdout);
            } else if (mode == MODE_CHECK) {
                if (!same) {
                    fflush(stderr);
                    cli_line(stdout, "%s: would reformat", path);
                    print_diff(stdout, path, src, len, out.data ? out.data : "", out.len);
                    rc = EXIT_INPUT;
                }
            } else if (!same) {
                /* through a symlink to its target: renaming over the link
                 * would replace it and leave the real file unformatted */
                char *real = realpath(path, NULL);
                if (!real || write_atomic(real, out.data ? out.data : "", out.len) != 0) {
                    cli_line(stderr, "mmr fmt: cannot write %s: %s", path, strerror(errno));
                    rc = EXIT_INPUT;
                }
                free(real);
            }
        }
        mmr_diags_free(&d2);
        mmr_arena_free(&a2);
        mmr_buf_free(&out);
    }
    mmr_diags_free(&d);
    mmr_arena_free(&arena);
    free(src);
    return rc;
}

int cmd_fmt(int argc, char **argv)
{
    if (cli_help_requested(argc, argv, fmt_help)) return EXIT_OK;
    fmt_mode mode = MODE_PRINT;
    int width = 100;
    strv paths = { 0 };
    cli_opts o;
    cli_opts_init(&o, argc, argv);
    const char *name = NULL, *arg = NULL;
    int k;
    while ((k = cli_opts_next(&o, &name, &arg)) >= 0) {
        if (k == 0) {
            if (strv_push(&paths, arg) < 0) { strv_free(&paths); fprintf(stderr, "mmr fmt: out of memory\n"); return EXIT_INPUT; }
            continue;
        }
        int bad = EXIT_OK, on = 0;
        if (!strcmp(name, "width")) {
            const char *v = cli_opts_need(&o);
            char *end = NULL;
            long w = v ? strtol(v, &end, 10) : 0;
            if (!v) bad = EXIT_USAGE;
            else if (!*v || *end || w < 20 || w > 1000)
                bad = cli_usage_error("fmt", "--width needs a whole number from 20 to 1000");
            else width = (int)w;
        } else if (!strcmp(name, "check") || !strcmp(name, "w") || !strcmp(name, "write")) {
            int is_check = !strcmp(name, "check");
            bad = cli_opts_flag(&o, &on);
            if (bad == EXIT_OK && on) {
                if (mode == (is_check ? MODE_WRITE : MODE_CHECK))
                    bad = cli_usage_error("fmt", "--check and -w cannot be used together");
                else mode = is_check ? MODE_CHECK : MODE_WRITE;
            } else if (bad == EXIT_OK && mode == (is_check ? MODE_CHECK : MODE_WRITE)) {
                mode = MODE_PRINT;   /* --check=no after --check */
            }
        } else {
            bad = cli_opts_unknown(&o);
        }
        if (bad != EXIT_OK) { strv_free(&paths); return bad; }
    }
    if (!paths.n) return cli_usage_error("fmt", "no files given");
    strv files = { 0 };
    /* a path that cannot be read is bad input, as for every command: 1 */
    int rc = EXIT_OK, usage = 0;
    for (size_t i = 0; i < paths.n; i++)
        if (collect(paths.v[i], &files) < 0) rc = EXIT_INPUT;
    for (size_t i = 0; i < files.n; i++) {
        int r = fmt_one(files.v[i], mode, width);
        if (r == EXIT_USAGE) usage = 1;
        else if (r > rc) rc = r;
    }
    fflush(stdout);
    strv_free(&files);
    strv_free(&paths);
    return usage ? EXIT_USAGE : rc;
}
