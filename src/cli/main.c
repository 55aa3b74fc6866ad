/* apierr: the command-line tool. Thin: parse arguments, call the library,
 * print. One table of commands. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"call", cli_call, "make an HTTP call that survives failures (retry, refresh, backoff)"},
    {"serve", cli_serve, "run the reference API server, with fault injection"},
    {"explain", cli_explain, "explain an error response: what happened and what to do"},
    {"convert", cli_convert, "re-encode an error body in another dialect"},
    {"profiles", cli_profiles, "list the API profiles, or show one as JSON"},
    {"check", cli_check, "grade a live API's error contract with requests that must fail"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: apierr [--help] [--version] COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nSee apierr(1), or `apierr COMMAND --help`.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("apierr %s\n", apierr_version());
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "apierr: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
