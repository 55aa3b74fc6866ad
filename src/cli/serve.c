/*
 * apierr serve: runs the reference API (src/refapi). Thin: options become a
 * refapi_config, and the library runs it.
 */
#include "cli.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef APIERR_HAVE_REFAPI
#include "apierr/server/redis.h"
#include "refapi.h"

/* Reports a parser's reason in the command's words. */
static int check(int rc, const char *err)
{
    if (rc != 0) cli_error("serve", "%s", err);
    return rc;
}

static int set_listen(void *ctx, const char *v)
{
    char err[256];
    return check(refapi_parse_listen(ctx, v, err, sizeof err), err);
}

static int set_db(void *ctx, const char *v)
{
    ((refapi_config *)ctx)->db_path = v;
    return 0;
}

static int set_profile(void *ctx, const char *v)
{
    if (apierr_profile_builtin(&((refapi_config *)ctx)->profile, v) == APIERR_OK) return 0;
    fprintf(stderr, "apierr serve: unknown profile '%s'; the profiles are:", v);
    for (size_t i = 0; apierr_profile_builtin_name(i); i++)
        fprintf(stderr, " %s", apierr_profile_builtin_name(i));
    fprintf(stderr, "\n");
    return -1;
}

static int set_client(void *ctx, const char *v)
{
    refapi_config *cfg = ctx;
    char err[256];
    if (cfg->nclients == REFAPI_CLIENTS) {
        cli_error("serve", "at most %d clients", REFAPI_CLIENTS);
        return -1;
    }
    if (check(refapi_parse_client(&cfg->clients[cfg->nclients], v, err, sizeof err), err))
        return -1;
    cfg->nclients++;
    return 0;
}

/* A whole number in min..max for a numeric option. */
static int number(long long *out, const char *opt, const char *v, long long min, long long max)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || *end || n < min || n > max) {
        cli_error("serve", "%s wants a number from %lld to %lld, not '%s'", opt, min, max, v);
        return -1;
    }
    *out = n;
    return 0;
}

static int set_ttl(void *ctx, const char *v)
{
    return number(&((refapi_config *)ctx)->token_ttl_s, "--token-ttl", v, 1, 86400 * 365);
}

static int set_rate(void *ctx, const char *v)
{
    char err[256];
    return check(refapi_parse_rate(ctx, v, err, sizeof err), err);
}

static int set_faults(void *ctx, const char *v)
{
    char err[256];
    ((refapi_config *)ctx)->faults = v;
    return check(refapi_check_faults(v, err, sizeof err), err);
}

static int set_seed(void *ctx, const char *v)
{
    long long n;
    if (number(&n, "--seed", v, 0, (long long)(~0ULL >> 1))) return -1;
    ((refapi_config *)ctx)->seed = (uint64_t)n;
    return 0;
}

static int set_max_body(void *ctx, const char *v)
{
    long long n;
    if (number(&n, "--max-body", v, 1024, 1LL << 30)) return -1;
    ((refapi_config *)ctx)->max_body = (size_t)n;
    return 0;
}

static int set_max_conns(void *ctx, const char *v)
{
    long long n;
    if (number(&n, "--max-connections", v, 1, 100000)) return -1;
    ((refapi_config *)ctx)->max_connections = (unsigned)n;
    return 0;
}

static int set_timeout(void *ctx, const char *v)
{
    long long n;
    if (number(&n, "--timeout", v, 1, 3600)) return -1;
    ((refapi_config *)ctx)->timeout_s = (unsigned)n;
    return 0;
}

static int set_redis(void *ctx, const char *v)
{
    /* The library reads the URL; check it now, not at the first request. */
    apierr_redis *r = NULL;
    int rc = apierr_redis_open(&r, v);
    apierr_redis_close(r);
    if (rc == APIERR_EINVAL)
        return check(-1, "--redis wants redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or "
                         "unix://[[USER]:PASSWORD@]/PATH, each with ?db=N and ?password=PW");
    ((refapi_config *)ctx)->redis_url = v;
    return rc == APIERR_OK ? 0 : check(-1, apierr_strerror(rc));
}

/*
 * Asks Redis once before serving: a password, user or database it refuses
 * is a setting to fix, told now (exit 1) rather than as an outage at every
 * request. Redis away is not: the server starts, and connects by itself
 * once Redis is back (the fail-open or fail-closed rules meanwhile).
 */
static int redis_usable(const char *url)
{
    apierr_redis *r = NULL;
    char err[256] = "";
    int rc = apierr_redis_open(&r, url);
    if (rc == APIERR_OK) rc = apierr_redis_check(r, err, sizeof err);
    apierr_redis_close(r);
    if (rc == APIERR_EINVAL) {
        cli_error("serve", "--redis: Redis refused the connection's settings: %s", err);
        return 0;
    }
    if (rc == APIERR_EBACKEND)
        fprintf(stderr,
                "apierr serve: --redis: Redis cannot be reached yet (%s); serving, and "
                "connecting once it can be\n",
                err);
    return rc != APIERR_ENOMEM;
}

static int set_redis_fail_closed(void *ctx, const char *v)
{
    (void)v;
    ((refapi_config *)ctx)->redis_fail_closed = 1;
    return 0;
}

static int set_threads(void *ctx, const char *v)
{
    long long n;
    if (number(&n, "--threads", v, 1, 256)) return -1;
    ((refapi_config *)ctx)->threads = (unsigned)n;
    return 0;
}

static int set_head_timeout(void *ctx, const char *v)
{
    long long n;
    if (number(&n, "--head-timeout", v, 1, 3600)) return -1;
    ((refapi_config *)ctx)->head_timeout_s = (unsigned)n;
    return 0;
}

static int set_max_per_ip(void *ctx, const char *v)
{
    long long n;
    if (number(&n, "--max-per-ip", v, 0, 100000)) return -1;
    ((refapi_config *)ctx)->max_per_ip = (unsigned)n;
    return 0;
}

static int set_db_busy(void *ctx, const char *v)
{
    return number(&((refapi_config *)ctx)->db_busy_ms, "--db-busy-timeout", v, 0, 60000);
}

static int set_idem_lease(void *ctx, const char *v)
{
    return number(&((refapi_config *)ctx)->idem_lease_s, "--idempotency-lease", v, 1, 86400);
}

static int set_auth_limit(void *ctx, const char *v)
{
    char err[256];
    return check(refapi_parse_auth_limit(ctx, v, err, sizeof err), err);
}

static int set_clients_file(void *ctx, const char *v)
{
    char err[512];
    return check(refapi_load_clients_file(ctx, v, err, sizeof err), err);
}

static int set_require_if_match(void *ctx, const char *v)
{
    (void)v;
    ((refapi_config *)ctx)->require_if_match = 1;
    return 0;
}

static int set_drain(void *ctx, const char *v)
{
    long long n;
    if (number(&n, "--drain-timeout", v, 0, 3600)) return -1;
    ((refapi_config *)ctx)->drain_timeout_s = (unsigned)n;
    return 0;
}

static int set_access_log(void *ctx, const char *v)
{
    ((refapi_config *)ctx)->access_log = v;
    return 0;
}

static int set_metrics_listen(void *ctx, const char *v)
{
    char err[256];
    return check(refapi_parse_metrics_listen(ctx, v, err, sizeof err), err);
}

static const cli_option options[] = {
    {"--listen", "IP:PORT", set_listen, "address to bind (default 127.0.0.1:8080; port 0: any)", 0},
    {"--db", "PATH|URL", set_db,
     "SQLite database (default: a temporary one, removed at exit), or a postgresql:// URL for the "
     "invoices",
     0},
    {"--profile", "NAME", set_profile, "the API to play: default, giponext, gotab, ..., gestix", 0},
    {"--client", "ID:SECRET:TENANT:SCOPES", set_client,
     "an OAuth client (repeatable); SCOPES comma-separated", 0},
    {"--clients-file", "FILE", set_clients_file,
     "OAuth clients, one ID:SECRET:TENANT:SCOPES a line (mode 600: refused if others can read)", 0},
    {"--require-if-match", NULL, set_require_if_match, "428 for a PUT or DELETE without If-Match",
     0},
    {"--auth-limit", "N/S", set_auth_limit,
     "429 after N failed logins in S seconds per client id and address (default 10/60)", 0},
    {"--token-ttl", "S", set_ttl, "lifetime of access tokens and sessions (default 3600)", 0},
    {"--rate", "N/S[:BURST]", set_rate, "limit each credential to N requests per S seconds", 0},
    {"--faults", "SPEC", set_faults, "inject faults (see apierr(1), FAULTS)", 0},
    {"--seed", "N", set_seed, "seed of the fault draws, keyed by request (default 0)", 0},
    {"--max-body", "BYTES", set_max_body, "largest request body (default 1048576)", 0},
    {"--max-connections", "N", set_max_conns, "connections open at once (default 1024)", 0},
    {"--timeout", "S", set_timeout, "close a connection idle this long (default 30)", 0},
    {"--threads", "N", set_threads, "worker threads (default 4)", 0},
    {"--redis", "URL", set_redis,
     "keep rate limits, idempotency keys, tokens and /status errors in Redis, shared", 0},
    {"--redis-fail-closed", NULL, set_redis_fail_closed,
     "refuse requests (503) while Redis cannot be reached (default: let them through)", 0},
    {"--db-busy-timeout", "MS", set_db_busy,
     "wait this long for a locked database, then 503 DB_TIMEOUT (default 250)", 0},
    {"--idempotency-lease", "S", set_idem_lease,
     "a keyed write still running after S is taken over by its retry (default 60)", 0},
    {"--access-log", "FILE", set_access_log,
     "one JSON line per request to FILE (- for stdout); never a token or secret", 0},
    {"--metrics-listen", "IP:PORT", set_metrics_listen,
     "serve GET /metrics (Prometheus text) on this address only", 0},
    {"--drain-timeout", "S", set_drain,
     "on SIGTERM, let requests in flight finish this long (default 5)", 0},
    {"--head-timeout", "S", set_head_timeout,
     "answer 408 to a request head not in S after a connection opens, or after its first byte on a "
     "kept-alive one (default 10)",
     0},
    {"--max-per-ip", "N", set_max_per_ip,
     "connections open at once from one address, 0 for no cap (default 256)", 0},
};
CLI_OPTIONS_FIT(options);

static const cli_command command = {
    "serve",
    NULL,
    "Runs the reference API: OAuth tokens, invoices per tenant, GET /status, and for\n"
    "the gestix profile GET /helo, with every error of the seeds in the profile's\n"
    "dialect. The first line on stdout is the base URL. SIGINT or SIGTERM stop it\n"
    "cleanly.",
    options,
    sizeof options / sizeof options[0],
    NULL};

const cli_command *cli_serve_table(void)
{
    return &command;
}

int cli_serve(int argc, char **argv)
{
    static refapi_config cfg; /* large: keep it off the stack */
    const char *file = NULL;
    refapi_config_init(&cfg);
    switch (cli_parse_args(&command, argc, argv, &cfg, &file)) {
    case CLI_ARGS_HELP:
        return CLI_EXIT_OK;
    case CLI_ARGS_USAGE:
        return CLI_EXIT_USAGE;
    }
    if (file) {
        cli_error("serve", "unexpected operand '%s'", file);
        return CLI_EXIT_USAGE;
    }
    /* Secrets kept out of argv (ps shows it to every local user). */
    const char *env = getenv("APIERR_SERVE_CLIENTS");
    if (env && *env) {
        char err[512];
        if (check(refapi_parse_clients(&cfg, env, 1, err, sizeof err), err)) return CLI_EXIT_USAGE;
    }
    if (cfg.redis_url && !redis_usable(cfg.redis_url)) return CLI_EXIT_FAILURE;
    return refapi_run(&cfg, stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

#else

const struct cli_command *cli_serve_table(void)
{
    return NULL;
}

int cli_serve(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "apierr serve: this build has no reference API (libmicrohttpd missing)\n");
    return CLI_EXIT_FAILURE;
}

#endif
