/* mmr feed — not built yet. */
#include <stdio.h>
#include "cli/cli.h"

int cmd_feed(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "mmr feed: not implemented yet\n");
    return EXIT_USAGE;
}
