/* `apierr check BASE_URL`: grades a live API's error contract. Thin: the
 * options in, the probes sent (check_probes.c), the table of checks run
 * (check_checks.c), the report written (check_report.c). */
#include "check.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CMD CHECK_CMD

#define SETTER(field)                                \
    static int set_##field(void *ctx, const char *v) \
    {                                                \
        ((struct check_args *)ctx)->field = v;       \
        return 0;                                    \
    }
SETTER(profile)
SETTER(token)
SETTER(oauth)
SETTER(client_id)
SETTER(client_secret)
SETTER(junit)
#undef SETTER

/* 1 when s holds nothing a request line cannot carry (no blank, no
 * control byte). */
static int sendable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || *s == 0x7f) return 0;
    return 1;
}

/* A path of the API: absolute, on the base URL's host (no scheme of its
 * own), sendable. */
static int set_path_of(const char **out, const char *opt, const char *v)
{
    if (v[0] == '/' && !strstr(v, "://") && sendable(v)) {
        *out = v;
        return 0;
    }
    cli_error(CMD, "%s wants a path of the API such as /v1/items, not '%s'", opt, v);
    return -1;
}

static int set_path(void *ctx, const char *v)
{
    return set_path_of(&((struct check_args *)ctx)->path, "--path", v);
}

static int set_write_path(void *ctx, const char *v)
{
    return set_path_of(&((struct check_args *)ctx)->write_path, "--write-path", v);
}

static int set_count(int *out, const char *opt, const char *v, int min, int max)
{
    if (cli_parse_int(out, v, min, max) == 0) return 0;
    cli_error(CMD, "%s wants %d..%d, not '%s'", opt, min, max, v);
    return -1;
}

static int set_burst(void *ctx, const char *v)
{
    return set_count(&((struct check_args *)ctx)->burst, "--burst", v, 1, 1000);
}

static int set_max_requests(void *ctx, const char *v)
{
    return set_count(&((struct check_args *)ctx)->max_requests, "--max-requests", v, 1, 1000);
}

static int set_oversize(void *ctx, const char *v)
{
    int n;
    /* Bounded: the body is built in memory, and a check is no load test. */
    if (set_count(&n, "--oversize", v, 64, 16 << 20)) return -1;
    ((struct check_args *)ctx)->oversize = n;
    return 0;
}

static int set_pause(void *ctx, const char *v)
{
    int ms;
    if (set_count(&ms, "--pause", v, 0, 60000)) return -1;
    ((struct check_args *)ctx)->pause_ms = ms;
    return 0;
}

static int set_json(void *ctx, const char *v)
{
    (void)v;
    ((struct check_args *)ctx)->json = 1;
    return 0;
}

static int set_no_color(void *ctx, const char *v)
{
    (void)v;
    ((struct check_args *)ctx)->color = -1;
    return 0;
}

static const cli_option options[] = {
    {"--profile", "NAME|FILE", set_profile,
     "API profile: its dialect, validation status and policy judge the answers", 0},
    {"--path", "PATH", set_path,
     "a resource that needs credentials (GET only): method and auth checks", 0},
    {"--write-path", "PATH", set_write_path,
     "a collection to POST invalid bodies to (opt-in: a write if the API accepts one)", 0},
    {"--token", "TOKEN", set_token, "bearer token for the probes that need one", 0},
    {"--oauth", "TOKEN_URL", set_oauth, "OAuth 2.0 client credentials, on BASE_URL's host", 0},
    {"--client-id", "ID", set_client_id, "OAuth client id", 0},
    {"--client-secret", "SECRET", set_client_secret, "OAuth client secret", 0},
    {"--burst", "N", set_burst, "opt-in: up to N GETs of --path without pause, for a 429", 0},
    {"--oversize", "BYTES", set_oversize, "opt-in: POST a body this large to --write-path (413)",
     0},
    {"--max-requests", "N", set_max_requests, "requests in all, at most (default 60)", 0},
    {"--pause", "MS", set_pause, "pause between requests, in milliseconds (default 250)", 0},
    {"--json", NULL, set_json, "print the report as JSON (stable keys, see apierr(1))", 0},
    {"--junit", "FILE", set_junit, "also write the report as JUnit XML to FILE", 0},
    {"--no-color", NULL, set_no_color, "no colours, even on a terminal", 0},
};
CLI_OPTIONS_FIT(options);

static const cli_command command = {
    CMD,
    "BASE_URL",
    "Grade a live API's error contract: send a bounded set of requests that must fail (only to\n"
    "BASE_URL's host, no write and no burst unless asked) and check each answer: status,\n"
    "machine-readable body, headers, request id, no leaked internals. Exit 9 when a check of\n"
    "severity error fails.",
    options,
    sizeof options / sizeof options[0],
    NULL};

const cli_command *cli_check_table(void)
{
    return &command;
}

/* A built-in profile, or a profile file. */
static int read_profile(apierr_profile *p, const char *name)
{
    if (apierr_profile_builtin(p, name ? name : "default") == APIERR_OK) return CLI_EXIT_OK;
    char *text, err[200];
    size_t len;
    if (cli_read_input(&text, &len, CMD, name, CLI_BODY_MAX)) {
        cli_error(CMD, "--profile: neither a built-in profile (apierr profiles) nor a file");
        return CLI_EXIT_USAGE;
    }
    int rc = apierr_profile_from_json(p, text, len, err, sizeof err);
    free(text);
    if (rc == APIERR_OK) return CLI_EXIT_OK;
    cli_error(CMD, "profile '%s': %s", name, err);
    return CLI_EXIT_USAGE;
}

static int usage(const char *why)
{
    cli_error(CMD, "%s", why);
    cli_usage(stderr, &command);
    return CLI_EXIT_USAGE;
}

int cli_check(int argc, char **argv)
{
    struct check_args a = {.max_requests = 60, .pause_ms = 250};
    int rc = cli_parse_args(&command, argc, argv, &a, &a.base_url);
    if (rc == CLI_ARGS_HELP) return CLI_EXIT_OK;
    if (rc != CLI_ARGS_OK) return CLI_EXIT_USAGE;
    if (!a.base_url || (strncmp(a.base_url, "http://", 7) && strncmp(a.base_url, "https://", 8)) ||
        !sendable(a.base_url))
        return usage("give the API's BASE_URL (http:// or https://)");
    if (a.token && a.oauth) return usage("--token or --oauth, not both");
    if (!a.oauth != !a.client_id || (a.client_secret && !a.oauth))
        return usage("--oauth needs --client-id (and --client-secret)");
    if (a.oversize && !a.write_path) return usage("--oversize needs --write-path");
    if (a.burst && !a.path) return usage("--burst needs --path");
    struct check_run run = {.a = &a};
    /* A user:password in the URL, or a key in its query, stays out of the
     * reports (they go to CI logs). */
    apierr_redact_url(run.shown_url, sizeof run.shown_url, a.base_url);
    if ((rc = read_profile(&run.profile, a.profile))) return rc;
    if ((rc = check_probe_all(&run))) {
        check_run_free(&run);
        return rc;
    }
    /* Nothing answered: there is no contract to grade, only a network
     * failure to report (a wrong port should not read as a bad API). */
    const apierr_result *first = &run.probe[CHECK_PROBE_UNKNOWN].result;
    if (!run.probe[CHECK_PROBE_UNKNOWN].skipped && !first->status) {
        /* No attempt at all: the credentials given could not be had (for
         * another reason than the network). */
        int creds = first->nattempts == 0 && first->category != APIERR_CAT_NETWORK &&
                    first->category != APIERR_CAT_TIMEOUT;
        cli_error(CMD, "%s %s: %s", creds ? "no credentials for" : "no answer from", run.shown_url,
                  first->reason);
        check_run_free(&run);
        return creds ? CLI_EXIT_AUTH : CLI_EXIT_NETWORK;
    }
    struct check_report rep;
    if (check_grade(&rep, &run)) {
        check_run_free(&run);
        return CLI_EXIT_FAILURE;
    }
    int color = a.color == 0 && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    int bad = a.json ? check_write_json(stdout, &rep) : check_write_text(stdout, &rep, color);
    if (a.junit && check_write_junit(a.junit, &rep)) {
        cli_error(CMD, "cannot write '%s'", a.junit);
        bad = 1;
    }
    rc = bad ? CLI_EXIT_FAILURE : rep.errors_failed ? CLI_EXIT_CHECK_FAILED : CLI_EXIT_OK;
    free(rep.outcomes);
    check_run_free(&run);
    return rc;
}
