/* mmr — the MoneyMoments rules engine command line. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "include/mmr.h"
#include "cli/cli.h"

typedef struct { const char *name; int (*fn)(int, char **); const char *summary; } command;

static const command commands[] = {
#define CMD(name, fn, summary) { #name, fn, summary },
#include "cli/commands.def"
#undef CMD
};

static void usage(FILE *out)
{
    fprintf(out, "usage: mmr COMMAND [ARGS...]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`mmr COMMAND --help` describes one command. Exit status: 0 success,\n"
                 "1 the input has errors (diagnostics on stderr), 2 usage error.\n");
}

int main(int argc, char **argv)
{
    /* stdout into a closed pipe (`mmr eval ... | head -1`) must fail with
     * EPIPE, reported and exited on, not kill us mid-commit (the library
     * itself never raises SIGPIPE: its sockets use MSG_NOSIGNAL) */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) { usage(stderr); return EXIT_USAGE; }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) { usage(stdout); return EXIT_OK; }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) { cli_print_version(); return EXIT_OK; }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(cmd, commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "mmr: unknown command \"%s\"\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
