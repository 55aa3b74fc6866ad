/* `apierr call`: what its modules share: the parsed options, the exit code
 * of a call's category, the JSON outcome; and the batch runner (batch.c). */
#ifndef APIERR_CLI_CALL_H
#define APIERR_CLI_CALL_H

#include "apierr-client.h"
#include "cli.h"

#include <stdio.h>

#define CALL_CMD         "call"
#define CALL_MAX_HEADERS 64

#define CALL_MAX_DATA    64
#define CALL_MAX_FORM    64
#define CALL_MAX_REDACT  64
#define CALL_MAX_RESOLVE 16

/* How a data option reads its argument (curl's): -d and --data-ascii
 * read @FILE without its CR and LF bytes, --data-binary reads it as it is,
 * --data-raw takes a leading @ as a byte, --data-urlencode encodes. */
enum call_data_kind { CALL_DATA, CALL_DATA_BINARY, CALL_DATA_RAW, CALL_DATA_URLENCODE };

/* One -d, --data-* or --data-urlencode argument, in the order given. */
struct call_data {
    const char *arg;
    enum call_data_kind kind;
};

#define CALL_MAX_CURL 64
#define CALL_MAX_URLS 64

/* One flag of call_curlopts.h's table, as given: its row and its value. */
struct call_curl_set {
    int id;        /* enum call_curl_id */
    long n;        /* FIXED, BIT, COUNT, MS; PORTS: the first port */
    long long off; /* SIZE; PORTS: how many ports from the first */
    const char *s; /* STRING, LIST */
    void *list;    /* LIST: the option's curl_slist, on its first entry (call_curl_check()) */
};

/* The options of `apierr call`, as given (argv strings). */
struct call_args {
    const char *method, *json, *output /* the URL's being shown */, *profile, *token, *token_file,
        *oauth;
    const char *client_id, *client_secret, *jitter, *key, *report, *input;
    const char *update, *session_login, *api_token, *api_token_in, *session_token;
    const char *session_header, *session_expires_in;
    const char *dump_header, *write_out, *user, *user_agent, *proxy, *breaker, *retry_budget;
    const char *hedge, *upload_file, *referer;
    const char *urls[CALL_MAX_URLS]; /* the operands and --url, in their order */
    size_t nurls;
    /* -o FILE and -O, in their order: the i-th goes with the i-th URL, as
     * in curl (NULL: -O); the URLs after them go to stdout, or with
     * --remote-name-all each to its own file. */
    const char *outputs[CALL_MAX_URLS];
    size_t noutputs;
    int remote_name_all;
    char remote_names[CALL_MAX_URLS][256]; /* the files -O names */
    const char *cookie, *cookie_file;      /* -b N=V; -b FILE */
    const char *cacert, *capath, *cert, *key_file, *cookie_jar, *noproxy, *unix_socket;
    const char *proxy_user;
    const char *netrc_file, *trace; /* --netrc-file; --trace or --trace-ascii FILE */
    int path_as_is, netrc, netrc_optional, junk_session_cookies, trace_ascii, trace_time;
    long long limit_rate;                         /* --limit-rate, bytes a second; 0: none */
    struct call_curl_set curl_set[CALL_MAX_CURL]; /* call_curlopts.h's flags, in their order */
    size_t ncurl_set;
    int version;                 /* -V */
    const char *header_paths[4]; /* -H @FILE, read by call_run() */
    char *header_files[4];       /* their texts, the headers point into (free()) */
    size_t nheader_files;
    int http_version; /* --http1.0 10, --http1.1 11, --http2 20, --http2-prior-knowledge 21 */
    const char *resolve[CALL_MAX_RESOLVE]; /* --resolve HOST:PORT:ADDRESS */
    size_t nresolve;
    int ip_version; /* -4, -6; 0: either */
    apierr_header headers[CALL_MAX_HEADERS];
    size_t nheaders;
    char *basic; /* the Authorization value -u makes; owned (free()) */
    struct call_data data[CALL_MAX_DATA];
    size_t ndata;
    const char *jsons[CALL_MAX_DATA]; /* --json's pieces (json: the first) */
    size_t njson;
    const char *url_query[CALL_MAX_DATA]; /* --url-query, in curl's --data-urlencode forms */
    size_t nurl_query;
    apierr_form_part form[CALL_MAX_FORM]; /* -F, split in place */
    size_t nform;
    const char *redact[CALL_MAX_REDACT]; /* --redact: more secret names */
    size_t nredact;
    int silent, verbose, output_json, retries, parallel, pace, no_pace;
    int include, head, fail, location, get, insecure, adaptive;
    int fail_with_body, remote_name, retry_connrefused, retry_all_errors;
    int create_dirs, fail_early, no_clobber, remove_on_error;
    const char *output_dir; /* --output-dir */
    int remote_header_name; /* -J */
    int output_remote;      /* the URL being shown writes to a -O file */
    const char *etag_save, *etag_compare;
    char etag[1024];              /* what --etag-compare's file holds: sent as If-None-Match */
    int parallel_z, parallel_max; /* curl's -Z and --parallel-max N: --parallel's N */
    size_t urlnum;                /* the URL shown: its index (curl's %{urlnum}) */
    const char *stderr_file;      /* --stderr */
    char range[256];              /* -r's Range value, "bytes=" and the range; "": none */
    long max_redirs;              /* 0 when not given */
    double max_time, connect_timeout, attempt_timeout, retry_delay, retry_max_time;
};

/*
 * The body and query that -d and the other data options, --json, -T, -G and
 * --url-query make (call_body.c): *body (free()) is NULL without a body,
 * *query (free()) NULL without one. CLI_EXIT_OK, or CLI_EXIT_FAILURE after
 * saying why.
 */
int call_body(const struct call_args *a, char **body, size_t *len, const char **type, char **query);

/* -u: adds "Authorization: Basic ..." to a's headers unless -H gives one
 * (the value in a->basic). CLI_EXIT_OK, CLI_EXIT_USAGE or
 * CLI_EXIT_FAILURE after saying why. */
int call_basic_auth(struct call_args *a);

/* -e, -b NAME=VALUE and -r: their Referer, Cookie and Range headers
 * unless -H gives one; -T: an empty Content-Type (none is sent). CLI_EXIT_OK, or
 * CLI_EXIT_USAGE after saying why. */
int call_curl_headers(struct call_args *a);

/*
 * The tuning flags (--breaker, --retry-budget, --connect-timeout,
 * --attempt-timeout, --hedge, --adaptive, curl's --retry-delay,
 * --retry-connrefused and --retry-all-errors) into
 * where the library keeps them today (call_tuning.c: the one place to adapt
 * when they move). CLI_EXIT_OK or CLI_EXIT_USAGE after saying why.
 */
int call_tuning(const struct call_args *a, apierr_profile *profile, apierr_client_opts *o);
/* Parsers of their values, for the option table's setters: 0 or -1. */
int call_parse_seconds(double *out, const char *v);
/* Bytes with curl's suffixes (K, M, G: 1024, 1024^2, 1024^3; B: bytes),
 * at most 2^62. */
int call_parse_size(long long *out, const char *v);
int call_parse_breaker(const char *v, int *threshold, long long *open_ms);
int call_parse_budget(const char *v, double *tokens, double *ratio);

/*
 * What -i, -I, -D and -w show of a call's outcome (call_output.c): the
 * response's status line and headers (curl's form: CRLF line ends, a blank
 * line after) to out for -i/-I and to the -D file, the body unless -I, and
 * the -w text last. Returns CLI_EXIT_OK or CLI_EXIT_FAILURE.
 */
int call_print_headers(FILE *f, const apierr_result *r);
/* r's URL as apierr prints it: secrets redacted, --redact's names too. */
void call_shown_url(char *buf, size_t cap, const apierr_result *r, const char *url);
/* Writes a's -w format (or "@FILE": the format FILE holds) for r to
 * stdout, or to where %{stderr} and %{stdout} switch it (writeout.c),
 * with the file the body went to (curl's %{filename_effective}; "":
 * none) and a's URL number. CLI_EXIT_OK, or CLI_EXIT_FAILURE when FILE
 * cannot be read. */
int call_write_out(const struct call_args *a, const apierr_result *r, const char *file);

/* Where --trace and --trace-ascii write (call_trace.c), in curl's dump
 * format. */
struct call_trace {
    FILE *f; /* NULL: no trace */
    int ascii, with_time, own;
};
/* Opens path ("-": stdout, "%": stderr; NULL: no trace). CLI_EXIT_OK, or
 * CLI_EXIT_FAILURE after saying why. */
int call_trace_open(struct call_trace *t, const char *path, int ascii, int with_time);
/* One apierr_trace_fn call, written as curl writes it. */
void call_trace_write(struct call_trace *t, apierr_trace_kind kind, const char *data, size_t len);
void call_trace_close(struct call_trace *t);

/* The exit code of a call that ended in category c (apierr(1)). */
int call_exit_code(apierr_category c);

/* Prints the outcome as one JSON line on f. CLI_EXIT_OK or
 * CLI_EXIT_FAILURE (out of memory). */
int call_print_json(FILE *f, const apierr_result *r);

/* The outcome as -o, -i, -I, -D, -w and --output-json ask (call_output.c);
 * returns rc, or CLI_EXIT_FAILURE when an output could not be written. */
int call_show(const struct call_args *a, const apierr_result *r, int rc);

/* The apierr_update_fn of --update (call_update.c): runs `sh -c FILTER`
 * (payload) on the current body, its output the new one. */
int call_run_filter(void *payload, const char *cur, size_t len, char **out, size_t *out_len);

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
