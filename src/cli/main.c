/* apierr: the command-line tool. Thin: parse arguments, call the library,
 * print. One table of commands. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

const cli_entry cli_commands[] = {
    {"call", cli_call, "make an HTTP call that survives failures (retry, refresh, backoff)"},
    {"serve", cli_serve, "run the reference API server, with fault injection"},
    {"explain", cli_explain, "explain an error response: what happened and what to do"},
    {"convert", cli_convert, "re-encode an error body in another dialect"},
    {"profiles", cli_profiles, "list the API profiles, or show one as JSON"},
    {"check", cli_check, "grade a live API's error contract with requests that must fail"},
    {"completion", cli_completion, "print the bash or zsh completion script"},
};
const size_t cli_ncommands = sizeof cli_commands / sizeof cli_commands[0];

static void usage(FILE *f)
{
    fprintf(f, "usage: apierr [--help] [-V|--version] COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < cli_ncommands; i++)
        fprintf(f, "  %-10s %s\n", cli_commands[i].name, cli_commands[i].summary);
    fprintf(f, "\nSee apierr(1), or `apierr COMMAND --help`.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    /* `apierr help COMMAND` is `apierr COMMAND --help`, as git's help is. */
    char *help_argv[] = {argv[0], argc > 2 ? argv[2] : NULL, "--help", NULL};
    if (!strcmp(argv[1], "help") && argc > 2 && strcmp(argv[2], "help") != 0) {
        argv = help_argv;
        argc = 3;
    } else if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) { /* -V: curl's spelling */
        printf("apierr %s\n", apierr_version());
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < cli_ncommands; i++)
        if (!strcmp(argv[1], cli_commands[i].name)) return cli_commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "apierr: unknown command '%s'\ntry 'apierr --help'\n", argv[1]);
    return CLI_EXIT_USAGE;
}
