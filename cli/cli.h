/* Shared pieces of the mmr commands. */
#ifndef MMR_CLI_H
#define MMR_CLI_H
#include <stdio.h>
#include "util/diag.h"

/* Exit statuses of the engine brief. */
/* EXIT_PUBLISH: mmr run committed, but some events wait in the outbox */
enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_USAGE = 2, EXIT_PUBLISH = 3 };

#define CMD(name, fn, summary) int fn(int argc, char **argv);
#include "cli/commands.def"
#undef CMD

/* Diagnostics output format chosen by --format. */
typedef enum { CLI_FMT_TEXT, CLI_FMT_JSON, CLI_FMT_SARIF } cli_format;

/* --format text|json of the diagnostics: sets *f, or prints the usage
 * error and returns EXIT_USAGE. */
int cli_parse_diag_format(const char *cmd, const char *value, cli_format *f);

/* Print diags in the chosen format: JSON (asked-for machine output) to
 * stdout, text to stderr. Text quotes the
 * .mmr source line under each diagnostic, with a caret at the column, and
 * is coloured when cli_color(stderr) says so. */
void cli_print_diags(const mmr_diags *d, cli_format f);
/* The same to out (stderr when stdout already carries the command's output). */
void cli_print_diags_to(FILE *out, const mmr_diags *d, cli_format f);

/* Colour on out? Never when NO_COLOR is set and not empty
 * (https://no-color.org); always when CLICOLOR_FORCE is set and not "0";
 * else when out is a terminal (and TERM is not "dumb"). */
int cli_color(FILE *out);

/* "mmr CMD: message" on stderr plus a pointer to --help; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The one option parser of every command (getopt_long's conventions,
 * driven by each command's if-chain): "--name=value" and "--name value";
 * "--" ends the options; "-" alone is a positional (stdin/stdout); short
 * flags bundle ("-wq" is -w -q) and take a value attached or next
 * ("-oFILE", "-o FILE"). Usage errors all have one shape, made by
 * cli_opts_unknown / cli_opts_need / cli_opts_flag below:
 *   mmr CMD: unknown option "--frob"
 *   (see `mmr CMD --help`)
 * Returns the next option name (without dashes) or NULL for a positional
 * (in *arg) or at the end (*arg == NULL). */
typedef struct cli_opts {
    int argc, i;
    char **argv;
    int only_positional;         /* after "--" */
    const char *pending_value;   /* from --name=value */
    const char *bundle;          /* the rest of "-abc" after the flag returned */
    const char *cmd;             /* for the messages: argv[0], the command name */
    char typed[64];              /* the option as typed: "--frob", "-x" */
} cli_opts;

void cli_opts_init(cli_opts *o, int argc, char **argv);  /* argv[0] is the command */
/* 1 = option (name in *name), 0 = positional (in *arg), -1 = end. */
int  cli_opts_next(cli_opts *o, const char **name, const char **arg);
/* The value of the option just returned: from "=value", the rest of a
 * short bundle, or the next argv. NULL if none. */
const char *cli_opts_value(cli_opts *o);
/* The value, or NULL after printing "--NAME needs a value" (EXIT_USAGE). */
const char *cli_opts_need(cli_opts *o);
/* "unknown option "--frob"" for the option just returned; EXIT_USAGE. */
int cli_opts_unknown(cli_opts *o);
/* A boolean flag: bare sets *flag = 1; "=yes|true|1|on" 1, "=no|false|0|off"
 * 0; anything else is a usage error. EXIT_OK or EXIT_USAGE. */
int cli_opts_flag(cli_opts *o, int *flag);
/* cli_opts_flag setting or clearing bit in *flags. */
int cli_opts_flag_bit(cli_opts *o, int *flags, int bit);

/* The version line every command prints for --version. */
void cli_print_version(void);

/* Write text to path through util/outfile.h (a temporary renamed over it;
 * a device or FIFO written in place) with "mmr CMD: cannot write PATH: why"
 * on failure, or to stdout when path is NULL. Returns EXIT_OK or EXIT_INPUT. */
int cli_write_output(const char *cmd, const char *path, const char *text, size_t len);

/* One line of text (fmt without the newline) to out, control characters
 * escaped (util/diag.h mmr_fput_escaped): a file name with a newline in it
 * cannot forge another "file:line: error:" line. */
void cli_line(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Words for a failed output file (util/outfile.h): strerror, but a clear
 * phrase for ENXIO (a FIFO with no reader). */
const char *cli_out_error(int e);

/* --db/--signals/data file checks: a path that exists must be a regular
 * file (a FIFO would block forever, a device never end). Prints
 * "mmr CMD: FLAG PATH: not a regular file" and returns EXIT_INPUT, else
 * EXIT_OK; "-" and a path that does not exist yet pass. */
int cli_check_data_path(const char *cmd, const char *flag, const char *path);

/* Print the help text when argv contains -h or --help (or the version line
 * for --version) before any "--"; returns 1 if printed. */
int cli_help_requested(int argc, char **argv, const char *help);

#endif
