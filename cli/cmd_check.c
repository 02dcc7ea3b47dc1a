/* mmr check — not built yet. */
#include <stdio.h>
#include "cli/cli.h"

int cmd_check(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "mmr check: not implemented yet\n");
    return EXIT_USAGE;
}
