#include "cli/cli.h"
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "include/mmr.h"
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

void cli_print_diags_to(FILE *out, const mmr_diags *d, cli_format f)
{
    if (f == CLI_FMT_JSON) { mmr_diags_print_json(out, d); return; }
    mmr_diag_style st = { cli_color(out), 1, std_text };
    mmr_diags_print_styled(out, d, &st);
}

void cli_print_diags(const mmr_diags *d, cli_format f)
{
    /* asked-for JSON is the command's output: stdout, so `| jq` works */
    cli_print_diags_to(f == CLI_FMT_JSON ? stdout : stderr, d, f);
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
    o->only_positional = 0; o->pending_value = NULL; o->bundle = NULL;
    o->cmd = argc > 0 && argv[0] ? argv[0] : "";
    o->typed[0] = 0;
}

int cli_opts_next(cli_opts *o, const char **name, const char **arg)
{
    o->pending_value = NULL;
    if (o->bundle && *o->bundle) {
        /* the next flag of a bundle "-abc" */
        const char *b = o->bundle;
        snprintf(o->typed, sizeof o->typed, "-%c", *b);
        o->bundle = b[1] ? b + 1 : NULL;
        *name = o->typed + 1;
        return 1;
    }
    o->bundle = NULL;
    if (o->i >= o->argc) { *arg = NULL; return -1; }
    char *s = o->argv[o->i++];
    if (!o->only_positional && !strcmp(s, "--")) {
        o->only_positional = 1;
        return cli_opts_next(o, name, arg);
    }
    if (o->only_positional || s[0] != '-' || s[1] == 0) { *arg = s; return 0; }
    if (s[1] != '-') {
        /* short flags: "-w", "-wq" (bundled), "-oFILE" (value attached) */
        snprintf(o->typed, sizeof o->typed, "-%c", s[1]);
        if (s[2]) o->bundle = s + 2;
        *name = o->typed + 1;
        return 1;
    }
    char *eq = strchr(s + 2, '=');
    if (eq) {
        *eq = 0;   /* "--foo=bar": split in argv, no copy */
        o->pending_value = eq + 1;
    }
    snprintf(o->typed, sizeof o->typed, "%s", s);
    *name = s + 2;
    return 1;
}

const char *cli_opts_value(cli_opts *o)
{
    if (o->pending_value) { const char *v = o->pending_value; o->pending_value = NULL; return v; }
    if (o->bundle) { const char *v = o->bundle; o->bundle = NULL; return v; }
    if (o->i >= o->argc) return NULL;
    return o->argv[o->i++];
}

const char *cli_opts_need(cli_opts *o)
{
    const char *v = cli_opts_value(o);
    if (!v) cli_usage_error(o->cmd, "%s needs a value", o->typed);
    return v;
}

int cli_opts_unknown(cli_opts *o)
{
    return cli_usage_error(o->cmd, "unknown option \"%s\"", o->typed);
}

int cli_opts_flag(cli_opts *o, int *flag)
{
    const char *v = o->pending_value;
    o->pending_value = NULL;
    if (!v) { *flag = 1; return EXIT_OK; }
    static const char *const yes[] = { "yes", "true", "1", "on" }, *const no[] = { "no", "false", "0", "off" };
    for (size_t k = 0; k < 4; k++) {
        if (!strcmp(v, yes[k])) { *flag = 1; return EXIT_OK; }
        if (!strcmp(v, no[k])) { *flag = 0; return EXIT_OK; }
    }
    return cli_usage_error(o->cmd, "%s takes yes or no, not \"%s\"", o->typed, v);
}

int cli_opts_flag_bit(cli_opts *o, int *flags, int bit)
{
    int on;
    if (cli_opts_flag(o, &on) != EXIT_OK) return EXIT_USAGE;
    *flags = on ? (*flags | bit) : (*flags & ~bit);
    return EXIT_OK;
}

void cli_print_version(void)
{
    printf("mmr %s\n", MMR_VERSION);
}

int cli_help_requested(int argc, char **argv, const char *help)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) break;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) { fputs(help, stdout); return 1; }
        if (!strcmp(argv[i], "--version")) { cli_print_version(); return 1; }
    }
    return 0;
}

int cli_write_output(const char *cmd, const char *path, const char *text, size_t len)
{
    if (!path || !strcmp(path, "-")) {
        fwrite(text, 1, len, stdout);
        if (fflush(stdout) == 0) return EXIT_OK;
        cli_line(stderr, "mmr %s: cannot write <stdout>: %s", cmd, strerror(errno));
        return EXIT_INPUT;
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
    if (!value) return cli_usage_error(cmd, "--format needs a value");
    if (!strcmp(value, "text")) *f = CLI_FMT_TEXT;
    else if (!strcmp(value, "json")) *f = CLI_FMT_JSON;
    else return cli_usage_error(cmd, "unknown format \"%s\": use text or json", value);
    return EXIT_OK;
}
