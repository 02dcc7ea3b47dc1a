/* mmr interact — not built yet. */
#include <stdio.h>
#include "cli/cli.h"

int cmd_interact(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "mmr interact: not implemented yet\n");
    return EXIT_USAGE;
}
