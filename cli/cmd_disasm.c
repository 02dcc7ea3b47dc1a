/* mmr disasm — not built yet. */
#include <stdio.h>
#include "cli/cli.h"

int cmd_disasm(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "mmr disasm: not implemented yet\n");
    return EXIT_USAGE;
}
