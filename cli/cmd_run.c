/* mmr run — not built yet. */
#include <stdio.h>
#include "cli/cli.h"

int cmd_run(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "mmr run: not implemented yet\n");
    return EXIT_USAGE;
}
