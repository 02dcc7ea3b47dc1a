/* mmr test — not built yet. */
#include <stdio.h>
#include "cli/cli.h"

int cmd_test(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "mmr test: not implemented yet\n");
    return EXIT_USAGE;
}
