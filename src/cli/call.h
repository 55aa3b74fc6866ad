/* `apierr call`: what its modules share: the parsed options, the exit code
 * of a call's category, the JSON outcome; and the batch runner (batch.c). */
#ifndef APIERR_CLI_CALL_H
#define APIERR_CLI_CALL_H

#include "apierr-client.h"
#include "cli.h"

#include <stdio.h>

#define CALL_CMD         "call"
#define CALL_MAX_HEADERS 64

/* The options of `apierr call`, as given (argv strings). */
struct call_args {
    const char *method, *data, *json, *output, *profile, *token, *token_file, *oauth;
    const char *client_id, *client_secret, *jitter, *key, *report, *input;
    const char *update, *session_login, *api_token, *api_token_in, *session_token;
    const char *session_header, *session_expires_in;
    apierr_header headers[CALL_MAX_HEADERS];
    size_t nheaders;
    int silent, verbose, output_json, retries, parallel, pace, no_pace;
    double max_time;
};

/* The exit code of a call that ended in category c (apierr(1)). */
int call_exit_code(apierr_category c);

/* Prints the outcome as one JSON line on f. CLI_EXIT_OK or
 * CLI_EXIT_FAILURE (out of memory). */
int call_print_json(FILE *f, const apierr_result *r);

/* Removes leading and trailing blanks and line ends in place. */
char *call_trim(char *s);

/*
 * Runs the batch of a->input (`--input FILE`, one request a line: see
 * apierr_batch_line_parse()) on client, a->parallel calls at a time, with
 * a->headers, a->key and a->max_time on each. Prints each outcome with
 * --output-json, progress and a summary on stderr unless -s. Returns the
 * exit code: CLI_EXIT_OK when every call succeeded, else that of the most
 * frequent failure.
 */
int call_batch(apierr_client *client, const struct call_args *a);

#endif
