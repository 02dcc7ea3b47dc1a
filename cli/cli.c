#include "cli/cli.h"
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "stdlib/builtins.h"
#include "util/outfile.h"

void cli_line(FILE *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!s) { fputs("mmr: out of memory\n", out); return; }
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    mmr_fput_escaped(out, s, 0);
    fputc('\n', out);
    free(s);
}

/* The embedded std schemas, shown as "std/NAME.mmr", for quoting. */
static const char *std_text(const char *file, size_t *len)
{
    size_t n = strlen(file);
    if (strncmp(file, "std/", 4) || n < 9 || strcmp(file + n - 4, ".mmr")) return NULL;
    char name[128];
    if (n - 4 >= sizeof name) return NULL;
    memcpy(name, file, n - 4);
    name[n - 4] = 0;
    return mmr_std_source(name, len);
}

int cli_color(FILE *out)
{
    const char *no = getenv("NO_COLOR");
    if (no && *no) return 0;
    const char *force = getenv("CLICOLOR_FORCE");
    if (force && *force && strcmp(force, "0")) return 1;
    const char *term = getenv("TERM");
    if (term && !strcmp(term, "dumb")) return 0;
    return isatty(fileno(out));
}

void cli_print_diags(const mmr_diags *d, cli_format f)
{
    if (f == CLI_FMT_JSON) { mmr_diags_print_json(stderr, d); return; }
    mmr_diag_style st = { cli_color(stderr), 1, std_text };
    mmr_diags_print_styled(stderr, d, &st);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "mmr %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see `mmr %s --help`)\n", cmd);
    return EXIT_USAGE;
}

void cli_opts_init(cli_opts *o, int argc, char **argv)
{
    o->argc = argc; o->argv = argv; o->i = 1;
    o->only_positional = 0; o->pending_value = NULL;
}

int cli_opts_next(cli_opts *o, const char **name, const char **arg)
{
    o->pending_value = NULL;
    if (o->i >= o->argc) { *arg = NULL; return -1; }
    const char *s = o->argv[o->i++];
    if (!o->only_positional && !strcmp(s, "--")) {
        o->only_positional = 1;
        return cli_opts_next(o, name, arg);
    }
    if (o->only_positional || s[0] != '-' || s[1] == 0) { *arg = s; return 0; }
    const char *n = s + 1;
    if (*n == '-') n++;
    const char *eq = strchr(n, '=');
    if (eq) {
        /* name is "--foo=bar": point at a copy-free view by splitting in argv */
        char *w = (char *)eq;
        *w = 0;
        o->pending_value = eq + 1;
    }
    *name = n;
    return 1;
}

const char *cli_opts_value(cli_opts *o)
{
    if (o->pending_value) { const char *v = o->pending_value; o->pending_value = NULL; return v; }
    if (o->i >= o->argc) return NULL;
    return o->argv[o->i++];
}

int cli_help_requested(int argc, char **argv, const char *help)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) break;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) { fputs(help, stdout); return 1; }
    }
    return 0;
}

int cli_write_output(const char *cmd, const char *path, const char *text, size_t len)
{
    if (!path) {
        fwrite(text, 1, len, stdout);
        return EXIT_OK;
    }
    if (mmr_outfile_write(path, text, len, 0) == 0) return EXIT_OK;
    cli_line(stderr, "mmr %s: cannot write %s: %s", cmd, path, cli_out_error(errno));
    return EXIT_INPUT;
}

const char *cli_out_error(int e)
{
    return e == ENXIO ? "no process is reading it (a FIFO or socket)" : strerror(e);
}

int cli_check_data_path(const char *cmd, const char *flag, const char *path)
{
    struct stat st;
    if (!path || !strcmp(path, "-") || stat(path, &st) != 0 || S_ISREG(st.st_mode)) return EXIT_OK;
    /* reading a FIFO or a device would block or never end; a missing file
     * is left to the command (a new --db is created) */
    cli_line(stderr, "mmr %s: %s %s: %s", cmd, flag, path,
            S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
    return EXIT_INPUT;
}

int cli_parse_diag_format(const char *cmd, const char *value, cli_format *f)
{
    if (!value) return cli_usage_error(cmd, "--format needs a value: text or json");
    if (!strcmp(value, "text")) *f = CLI_FMT_TEXT;
    else if (!strcmp(value, "json")) *f = CLI_FMT_JSON;
    else return cli_usage_error(cmd, "unknown format \"%s\": use text or json", value);
    return EXIT_OK;
}
