/* mmr export — not built yet. */
#include <stdio.h>
#include "cli/cli.h"

int cmd_export(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "mmr export: not implemented yet\n");
    return EXIT_USAGE;
}
