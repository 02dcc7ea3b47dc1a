/* mmr settings — not built yet. */
#include <stdio.h>
#include "cli/cli.h"

int cmd_settings(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "mmr settings: not implemented yet\n");
    return EXIT_USAGE;
}
