/* mmr import — not built yet. */
#include <stdio.h>
#include "cli/cli.h"

int cmd_import(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "mmr import: not implemented yet\n");
    return EXIT_USAGE;
}
