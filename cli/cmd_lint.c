/* mmr lint — not built yet. */
#include <stdio.h>
#include "cli/cli.h"

int cmd_lint(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "mmr lint: not implemented yet\n");
    return EXIT_USAGE;
}
