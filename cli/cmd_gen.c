/* mmr gen — not built yet. */
#include <stdio.h>
#include "cli/cli.h"

int cmd_gen(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "mmr gen: not implemented yet\n");
    return EXIT_USAGE;
}
