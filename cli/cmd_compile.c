/* mmr compile — not built yet. */
#include <stdio.h>
#include "cli/cli.h"

int cmd_compile(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "mmr compile: not implemented yet\n");
    return EXIT_USAGE;
}
