/* STUB: `apierr call`. */
#include "cli.h"

#include <stdio.h>

int cli_call(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "apierr call: not built yet\n");
    return CLI_EXIT_FAILURE;
}
