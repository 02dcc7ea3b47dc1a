#include "cli/cli.h"
#include <errno.h>
#include <stdarg.h>
#include <string.h>

void cli_print_diags(const mmr_diags *d, cli_format f)
{
    if (f == CLI_FMT_JSON) mmr_diags_print_json(stderr, d);
    else mmr_diags_print_text(stderr, d);
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
    FILE *f = fopen(path, "wb");
    int bad = !f;
    if (f) {
        bad = fwrite(text, 1, len, f) != len;
        bad |= fclose(f) != 0;
    }
    if (!bad) return EXIT_OK;
    fprintf(stderr, "mmr %s: cannot write %s: %s\n", cmd, path, strerror(errno));
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
