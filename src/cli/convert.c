/* apierr convert: reads an error body in any dialect and writes it in
 * another one that apierr can encode. */
#include "util.h"

#include <stdlib.h>

struct convert_args {
    apierr_decode_opts opts;
    apierr_dialect to;
};

static int set_to(void *ctx, const char *v)
{
    return cli_parse_dialect(&((struct convert_args *)ctx)->to, "convert", v, 1);
}

static int set_from(void *ctx, const char *v)
{
    return cli_parse_dialect(&((struct convert_args *)ctx)->opts.dialect, "convert", v, 0);
}

static int set_status(void *ctx, const char *v)
{
    return cli_parse_status(&((struct convert_args *)ctx)->opts.status, "convert", v);
}

static const cli_option options[] = {
    {"--to", "DIALECT", set_to, "the dialect to write (one that can be encoded)", 1},
    {"--from", "DIALECT", set_from, "read the body in this dialect instead of detecting it", 0},
    {"--status", "N", set_status, "HTTP status of the response", 0},
};
CLI_OPTIONS_FIT(options);

static const cli_command command = {
    "convert",
    "[FILE|-]",
    "Re-encodes an error body in another dialect. Reads FILE, or standard input\n"
    "when FILE is - or absent, and writes the new body to standard output.",
    options,
    sizeof options / sizeof options[0],
    NULL};

const cli_command *cli_convert_table(void)
{
    return &command;
}

/* `apierr convert`: see apierr(1). Returns a CLI_EXIT_ code. */
int cli_convert(int argc, char **argv)
{
    struct convert_args a = {.opts = APIERR_DECODE_OPTS_INIT};
    const char *file;
    char *body = NULL, *out = NULL;
    size_t len, out_len;
    apierr_problem *p = NULL;
    int rc;

    switch (cli_parse_args(&command, argc, argv, &a, &file)) {
    case CLI_ARGS_HELP:
        return CLI_EXIT_OK;
    case CLI_ARGS_USAGE:
        return CLI_EXIT_USAGE;
    }
    if ((rc = cli_read_input(&body, &len, "convert", file, CLI_BODY_MAX))) return rc;
    rc = apierr_problem_decode(&p, body, len, &a.opts);
    if (rc == APIERR_OK) rc = apierr_problem_encode(&out, &out_len, p, a.to);
    if (rc != APIERR_OK) {
        cli_error("convert", "%s", apierr_strerror(rc));
        rc = CLI_EXIT_FAILURE;
    } else {
        fwrite(out, 1, out_len, stdout);
        if (!out_len || out[out_len - 1] != '\n') putchar('\n');
        rc = fflush(stdout) || ferror(stdout) ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
    }
    apierr_free(out);
    apierr_problem_free(p);
    free(body);
    return rc;
}
