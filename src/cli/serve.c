/* STUB: `apierr serve`. */
#include "cli.h"

#include <stdio.h>

int cli_serve(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "apierr serve: not built yet\n");
    return CLI_EXIT_FAILURE;
}
