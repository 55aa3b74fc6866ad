/* `apierr check`: what its modules share. check.c reads the options and
 * runs the command; check_probes.c sends the requests that must fail;
 * check_checks.c grades the answers (the table of checks); check_report.c
 * writes the report (text, JSON, JUnit); check_scan.c holds the scanners of
 * untrusted bytes (fuzzed: fuzz/fuzz_check_scan.c). */
#ifndef APIERR_CLI_CHECK_H
#define APIERR_CLI_CHECK_H

#include "apierr-client.h"
#include "cli.h"

#include <stdio.h>

#define CHECK_CMD "check"

/* The options of `apierr check`, as given (argv strings) or parsed. */
struct check_args {
    const char *base_url, *profile, *path, *write_path, *token, *oauth, *client_id, *client_secret,
        *junit;
    int burst;        /* requests of the burst; 0: no burst */
    int max_requests; /* budget of the whole run */
    long oversize;    /* bytes of the oversized body; 0: not sent */
    long long pause_ms;
    int json, color; /* color: -1 never, 1 always, 0 when stdout is a TTY */
};

/*
 * The probes: the requests `apierr check` sends. Columns: enum suffix,
 * stable id (the JSON report's probes[].id), what it sends. Each row's
 * request is built by check_probes.c's table of the same order.
 */
#define CHECK_PROBE_MAP(X)                                                                \
    X(UNKNOWN, "unknown-path", "GET a path that cannot exist, with an X-Request-Id")      \
    X(UNKNOWN_PROBLEM, "unknown-path-problem", "the same, with Accept: problem+json")     \
    X(METHOD, "wrong-method", "TRACE (safe, rarely routed) on --path")                    \
    X(NO_AUTH, "no-credentials", "GET --path without credentials")                        \
    X(BAD_TOKEN, "bogus-token", "GET --path with a bearer token that cannot be valid")    \
    X(BASELINE, "baseline", "GET --path with the credentials given")                      \
    X(MALFORMED, "malformed-json", "POST --write-path with a truncated JSON body")        \
    X(WRONG_TYPE, "wrong-content-type", "POST --write-path with a text/plain body")       \
    X(INVALID, "invalid-body", "POST --write-path with {} (valid JSON, no field at all)") \
    X(OVERSIZE, "oversized-body", "POST --write-path with --oversize bytes of JSON")

enum check_probe_id {
#define CHECK__PROBE_ENUM(id, name, doc) CHECK_PROBE_##id,
    CHECK_PROBE_MAP(CHECK__PROBE_ENUM)
#undef CHECK__PROBE_ENUM
        CHECK_PROBE__COUNT
};

/* One answer, read for the checks. */
struct check_answer {
    const char *method, *path; /* path relative to the base URL, as shown: secrets redacted */
    const char *skipped;       /* why it was not sent (static), or NULL */
    apierr_result result;      /* owns status, headers and body */
    apierr_problem *problem;   /* the body decoded with dialect auto; NULL for a 2xx */
    apierr_classification cls; /* under the profile's policy */
    const char *content_type;  /* into result.headers, or NULL */
    char shown_path[256];      /* what path points at once the request is sent */
};

/* Every answer of a run. */
struct check_run {
    const struct check_args *a;
    apierr_profile profile;
    struct check_answer probe[CHECK_PROBE__COUNT];
    /* The burst: how many were sent, how many got 429, and the first 429
     * (answers[BURST_429]); 503s seen anywhere are in unavailable. */
    int burst_sent, burst_429;
    struct check_answer burst_first_429;
    struct check_answer unavailable; /* the first 503 of the burst, if any */
    int requests;                    /* sent so far, the token request included */
    char sent_request_id[64];        /* the X-Request-Id of the unknown-path probe */
    char unknown_path[80];           /* a path that cannot exist */
    char shown_url[512];             /* BASE_URL as reports show it: secrets redacted */
};

/* Severities of checks. Columns: enum suffix, stable name. */
#define CHECK_SEVERITY_MAP(X) \
    X(ERROR, "error")         \
    X(WARNING, "warning")     \
    X(INFO, "info")

enum check_severity {
#define CHECK__SEV_ENUM(id, name) CHECK_SEV_##id,
    CHECK_SEVERITY_MAP(CHECK__SEV_ENUM)
#undef CHECK__SEV_ENUM
};

enum check_verdict { CHECK_PASS, CHECK_FAIL, CHECK_SKIP };

#define CHECK_EVIDENCE_MAX 640

/* The outcome of one check of the table. */
struct check_outcome {
    const char *id, *description;
    enum check_severity severity;
    enum check_verdict verdict;
    char evidence[CHECK_EVIDENCE_MAX];
};

/* The graded run. */
struct check_report {
    const struct check_run *run;
    struct check_outcome *outcomes;
    size_t n;
    int passed, failed, skipped, errors_failed;
    int score; /* 0..100: passed / (passed + failed), rounded; 100 when nothing was graded */
};

/* check_probes.c: sends every probe the options allow (and the burst),
 * within the request budget, pausing between requests. CLI_EXIT_OK, or
 * an exit code after printing why (a client that cannot be made). */
int check_probe_all(struct check_run *run);
/* Frees what the answers own. */
void check_run_free(struct check_run *run);
/* The stable id of a probe. */
const char *check_probe_name(enum check_probe_id id);

/* check_checks.c: grades the run with the table of checks. The outcomes
 * are allocated (free them with free()); CLI_EXIT_OK or CLI_EXIT_FAILURE. */
int check_grade(struct check_report *rep, const struct check_run *run);
const char *check_severity_name(enum check_severity s);
const char *check_verdict_name(enum check_verdict v);

/* check_report.c: the three forms of the report. Each returns 0, or -1
 * when it could not be written (out of memory, a file that cannot be
 * opened). */
int check_write_text(FILE *f, const struct check_report *rep, int color);
int check_write_json(FILE *f, const struct check_report *rep);
int check_write_junit(const char *path, const struct check_report *rep);

#endif
