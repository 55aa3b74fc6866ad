/* STUB: `apierr profiles` (issue 3). */
#include "cli.h"
int cli_profiles(int argc, char **argv)
{
    (void)argc, (void)argv;
    return CLI_EXIT_FAILURE;
}
