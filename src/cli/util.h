/* Argument parsing and I/O shared by the apierr commands. */
#ifndef APIERR_CLI_UTIL_H
#define APIERR_CLI_UTIL_H

#include "cli.h"

#include <stddef.h>
#include <stdio.h>

/* Largest body a command reads: far beyond any real error body, small
 * enough that a mistaken `apierr explain /dev/zero` ends cleanly. */
#define CLI_BODY_MAX ((size_t)16 << 20)

/* One option of a command. `set` stores the value (NULL for an option that
 * takes none) into the command's context; it returns 0, or -1 after printing
 * why the value is wrong. */
typedef struct cli_option {
    const char *name;    /* "--status" */
    const char *metavar; /* "N"; NULL when the option takes no value */
    int (*set)(void *ctx, const char *value);
    const char *help;
    int required; /* the command cannot run without it */
} cli_option;

/* A command as its usage shows it: the options table drives both parsing
 * and the --help text. */
typedef struct cli_command {
    const char *name;     /* "explain" */
    const char *operands; /* "[FILE|-]" */
    const char *summary;
    const cli_option *options;
    size_t noptions;
    /* Takes each operand, for a command that has any number of them (call:
     * curl's URLs); 0, or -1 after saying why. NULL: one operand at most,
     * given back by cli_parse_args(). */
    int (*operand)(void *ctx, const char *value);
} cli_command;

#define CLI_MAX_OPTIONS 224
/* A command's table within CLI_MAX_OPTIONS, checked when it is compiled:
 * the parser's assert() is gone from a release build. */
#define CLI_OPTIONS_FIT(table)                                            \
    _Static_assert(sizeof(table) / sizeof((table)[0]) <= CLI_MAX_OPTIONS, \
                   "more options than cli_parse_args() tracks (util.h)")

enum cli_args_result { CLI_ARGS_OK, CLI_ARGS_HELP, CLI_ARGS_USAGE };

/*
 * Parses argv[1..argc-1] (argv[0] is the command name) against cmd's table:
 * `--name value`, `--name=value`, `--` ends the options, `-` and anything
 * not starting with `-` is the one FILE operand, stored in *file (NULL when
 * absent). Short options combine as curl's do: "-sv" is -s -v, and the
 * first that takes a value takes the rest ("-XPUT", "-sXPUT") or the next
 * argument. --help and -h print the usage to stdout and return
 * CLI_ARGS_HELP; any error, a required option missing included, prints one
 * line saying why and cli_usage_hint() to stderr and returns
 * CLI_ARGS_USAGE. At most CLI_MAX_OPTIONS options per command.
 */
int cli_parse_args(const cli_command *cmd, int argc, char **argv, void *ctx, const char **file);

/* Prints "try 'apierr CMD --help'" to stderr: the second line of every
 * usage error. */
void cli_usage_hint(const char *cmd);

/* Prints cmd's usage, generated from its options table. */
void cli_usage(FILE *f, const cli_command *cmd);

/* Prints "apierr CMD: " and the formatted message to stderr. */
void cli_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/*
 * Reads the whole of path (NULL or "-" for stdin) into a new NUL-terminated
 * buffer the caller frees with free(); *out_len excludes the NUL. Any bytes
 * are accepted. Refuses more than max bytes. Returns CLI_EXIT_OK, or
 * CLI_EXIT_FAILURE after printing why (unreadable, too large, no memory).
 */
int cli_read_input(char **out, size_t *out_len, const char *cmd, const char *path, size_t max);

/* argv with curl's config files read in (config.c): every -K FILE,
 * --config FILE and --config=FILE before "--" replaced by the options of
 * FILE's lines, for cmd's table. The strings are copies (writable, as the
 * parsers want them), owned by c. */
typedef struct cli_config {
    char **argv; /* NULL-terminated */
    size_t argc, cap;
} cli_config;
/* CLI_EXIT_OK, or an exit code after saying why (c then empty). */
int cli_config_expand(cli_config *c, const cli_command *cmd, int argc, char **argv);
void cli_config_free(cli_config *c);

/* Creates the directories above path that are missing (curl's
 * --create-dirs), as mkdir -p does. 0, or -1 with errno set. */
int cli_make_parents(const char *path);

/*
 * Reads a profile document (apierr_profile_from_json()) and the custom
 * dialect it may declare (apierr_custom_dialect_from_json()) into *p and
 * *custom; *has_custom says whether it declares one. Returns APIERR_OK, or
 * the error of either reader with its one-line message in err (cap bytes).
 */
int cli_profile_parse(apierr_profile *p, apierr_custom_dialect *custom, int *has_custom,
                      const char *text, size_t len, char *err, size_t cap);

/*
 * Splits a 'Name: value' argument in place into *out: the name is what comes
 * before the first colon (a non-empty token: no space, no control byte), the
 * value is the rest with surrounding spaces and tabs removed. Returns 0, or
 * -1 when arg has no colon or a bad name.
 */
int cli_parse_header(apierr_header *out, char *arg);

/* Parses a whole decimal integer in min..max. Returns 0, or -1 for junk,
 * an empty string or a value out of bounds (*out unchanged). */
int cli_parse_int(int *out, const char *s, int min, int max);

/* Parses an HTTP status (100..599) given to option --status of cmd.
 * Returns 0, or -1 after printing why. */
int cli_parse_status(int *out, const char *cmd, const char *value);

/* Parses a dialect name; with encodable set, only a dialect apierr can
 * write is accepted. Returns 0, or -1 after printing the names allowed. */
int cli_parse_dialect(apierr_dialect *out, const char *cmd, const char *name, int encodable);

/* Prints the names of the dialects (only the encodable ones when encodable
 * is set), separated by ", ". */
void cli_print_dialects(FILE *f, int encodable);

#endif
