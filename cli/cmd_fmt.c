/* mmr fmt — not built yet. */
#include <stdio.h>
#include "cli/cli.h"

int cmd_fmt(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "mmr fmt: not implemented yet\n");
    return EXIT_USAGE;
}
