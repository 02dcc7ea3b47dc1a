/* mmr eval — not built yet. */
#include <stdio.h>
#include "cli/cli.h"

int cmd_eval(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "mmr eval: not implemented yet\n");
    return EXIT_USAGE;
}
