/* Shared declarations of the apierr command's modules. */
#ifndef APIERR_CLI_H
#define APIERR_CLI_H

#include "apierr.h"

/*
 * Exit codes of the apierr command: one table, documented in apierr(1);
 * tests/integration/exit_codes.sh checks that the page and this table agree.
 * Columns: enum suffix, value, meaning.
 */
#define CLI_EXIT_MAP(X)                                                      \
    X(OK, 0, "success")                                                      \
    X(FAILURE, 1, "the command failed (unreadable input, out of memory)")    \
    X(USAGE, 2, "usage error")                                               \
    X(NETWORK, 3, "network failure")                                         \
    X(FIX_REQUEST, 4, "fix the request (400, 404, 405, 409, 413, 415, 422)") \
    X(AUTH, 5, "unauthenticated or forbidden")                               \
    X(RATE_LIMITED, 6, "rate limited and gave up")                           \
    X(SERVER, 7, "server error and gave up")                                 \
    X(DEADLINE, 8, "deadline exceeded")                                      \
    X(CHECK_FAILED, 9, "a check of severity error failed")

enum cli_exit {
#define CLI__EXIT_ENUM(id, value, doc) CLI_EXIT_##id = value,
    CLI_EXIT_MAP(CLI__EXIT_ENUM)
#undef CLI__EXIT_ENUM
};

struct cli_command;

/* A command of `apierr` (main.c's table, cli_commands). */
typedef struct cli_entry {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} cli_entry;

extern const cli_entry cli_commands[];
extern const size_t cli_ncommands;

/* Each command's option table (util.h), defined next to it, for
 * completion.c. */
const struct cli_command *cli_call_table(void);
const struct cli_command *cli_explain_table(void);
const struct cli_command *cli_convert_table(void);
const struct cli_command *cli_serve_table(void); /* NULL without the reference API */
const struct cli_command *cli_check_table(void);

int cli_completion(int argc, char **argv);
int cli_explain(int argc, char **argv);
int cli_convert(int argc, char **argv);
int cli_profiles(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_call(int argc, char **argv);
int cli_check(int argc, char **argv);

#endif
