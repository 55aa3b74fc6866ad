/*
 * refapi.h - the reference API behind `apierr serve`: an invoice service
 * (OAuth 2.0 client credentials, tenants, invoices, Gestix sessions) that
 * keeps the error contract of the seeds through libapierr-server, on
 * libmicrohttpd (thread pool + epoll) and SQLite (WAL).
 *
 * The command fills a refapi_config and calls refapi_run() (http.c); every
 * parser of an option value lives here (config.c) so that the command stays
 * thin.
 */
#ifndef APIERR_REFAPI_H
#define APIERR_REFAPI_H

#include "apierr.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define REFAPI_ID_MAX     64
#define REFAPI_SECRET_MAX 128
#define REFAPI_SCOPES_MAX 256
#define REFAPI_CLIENTS    32

/* One OAuth client: it belongs to one tenant and may ask for its scopes. */
typedef struct refapi_client {
    char id[REFAPI_ID_MAX];
    char secret[REFAPI_SECRET_MAX];
    char tenant[REFAPI_ID_MAX];
    char scopes[REFAPI_SCOPES_MAX]; /* space-separated, as OAuth writes them */
} refapi_client;

typedef struct refapi_config {
    char host[64]; /* numeric IPv4 address to bind */
    unsigned port; /* 0: any free port */
    /* SQLite file, or a postgresql:// URL for the invoices (data.h; the
     * rest then in a temporary SQLite database); NULL: a temporary
     * database, deleted at exit. */
    const char *db_path;
    apierr_profile profile; /* dialect, validation status, idempotency key */
    refapi_client clients[REFAPI_CLIENTS];
    size_t nclients;
    long long token_ttl_s;    /* access tokens and Gestix sessions */
    long long rate_limit;     /* requests per rate_window_s; 0: no limit */
    long long rate_window_s;  /* window of the limit */
    long long rate_burst;     /* 0: rate_limit */
    const char *faults;       /* --faults SPEC, or NULL */
    uint64_t seed;            /* of the fault generator */
    size_t max_body;          /* bytes; larger bodies get 413 */
    size_t max_header;        /* bytes of request line + headers per connection */
    unsigned max_connections; /* open at once */
    unsigned timeout_s;       /* a connection idle this long is closed */
    unsigned threads;         /* of the MHD thread pool */
    const char *redis_url;    /* --redis: limits, idempotency keys, tokens, /status errors
                                 shared there; NULL: here */
    int redis_fail_closed;    /* --redis-fail-closed: refuse (503) while Redis is away */
    unsigned head_timeout_s;  /* to receive a connection's first request head: 408 after */
    unsigned max_per_ip;      /* connections open at once from one address; 0: no cap */
    long long db_busy_ms;     /* a locked database is waited for this long, then 503 */
    long long idem_lease_s;   /* a keyed write in progress this long is taken over */
    long long auth_limit;     /* failed logins per client id and address per window; 0: none */
    long long auth_window_s;  /* of auth_limit */
    int require_if_match;     /* PUT and DELETE without If-Match get 428 */
    unsigned drain_timeout_s; /* on SIGTERM, requests in flight get this long to finish */
    const char *access_log;   /* --access-log FILE, "-" for stdout, NULL for none */
    char metrics_host[64];    /* --metrics-listen: GET /metrics on its own socket */
    unsigned metrics_port;
    int metrics; /* 1 when --metrics-listen was given */
} refapi_config;

/* Defaults of every member: 127.0.0.1:8080, the default profile, no client,
 * 3600 s tokens, no limit, no faults, 1 MiB bodies, 16 KiB of headers, 1024
 * connections, 30 s timeout, 4 threads, 10 s to send a request head, 256
 * connections per address, 250 ms of waiting for a locked database, a
 * 60 s lease on a keyed write, 10
 * failed logins a minute per client id and address, 5 s of drain. */
void refapi_config_init(refapi_config *cfg);

/* Parses ID:SECRET:TENANT:SCOPES (SCOPES the rest, comma-separated) into
 * out. 0, or -1 with a one-line reason in err. */
int refapi_parse_client(refapi_client *out, const char *spec, char *err, size_t cap);

/* Parses HOST:PORT into cfg. 0 or -1 with a reason in err. */
int refapi_parse_listen(refapi_config *cfg, const char *spec, char *err, size_t cap);

/* Parses N/S (failed logins per window) into cfg. 0 or -1 with a reason. */
int refapi_parse_auth_limit(refapi_config *cfg, const char *spec, char *err, size_t cap);

/* Parses the lines of a clients file (ID:SECRET:TENANT:SCOPES a line, '#'
 * comments, blank lines) or of the APIERR_SERVE_CLIENTS variable (also
 * separated by spaces) into cfg. 0 or -1 with a reason. */
int refapi_parse_clients(refapi_config *cfg, const char *text, int by_space, char *err, size_t cap);

/* Reads a clients file: refused when others than its owner may read or
 * write it (the secrets would be theirs too). 0 or -1 with a reason. */
int refapi_load_clients_file(refapi_config *cfg, const char *path, char *err, size_t cap);

/* Parses the IP:PORT of --metrics-listen into cfg. 0 or -1 with a reason. */
int refapi_parse_metrics_listen(refapi_config *cfg, const char *spec, char *err, size_t cap);

/* Parses N/S[:BURST] into cfg. 0 or -1 with a reason in err. */
int refapi_parse_rate(refapi_config *cfg, const char *spec, char *err, size_t cap);

/* Checks a --faults SPEC (grammar in faults.h). 0 or -1 with a reason. */
int refapi_check_faults(const char *spec, char *err, size_t cap);

/*
 * Runs the server until SIGINT or SIGTERM: prints the base URL as the first
 * line of out (flushed; with --metrics-listen, "metrics URL" as the second), serves, then refuses
 * new connections, lets in-flight requests finish (cfg->drain_timeout_s at most) and closes the
 * database. Returns 0 on a clean stop, -1 when it could not start
 * (the reason is on stderr).
 */
int refapi_run(const refapi_config *cfg, FILE *out);

#endif
