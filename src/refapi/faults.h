/*
 * faults.h - fault injection for `apierr serve --faults SPEC`.
 *
 * SPEC is a comma-separated list of items:
 *   STATUS:P[:RA]    reply STATUS (400..599) with probability P (0..1), with
 *                    Retry-After RA seconds when given
 *   latency:MS[:P]   add MS milliseconds before the handler (probability P,
 *                    default 1)
 *   outage:S[:STATUS] every request fails with STATUS (default 503) during
 *                    the first S seconds after start
 *   reset:P          reset the connection before the handler runs
 *   drop:P           run a write (POST, PUT, DELETE), commit it, then reset
 *                    the connection instead of answering
 *   die:P            run a write, commit it, then end the process at once,
 *                    before anything else (_exit, as a crash or kill -9
 *                    would; refapi_req_committed()): what a restart on the
 *                    same database, or another instance of a fleet, must
 *                    recover from
 * Faults apply to the API paths (/v1/...), never to /oauth/token, /helo or
 * /status, so that a client can always authenticate and look. Decisions come
 * from one generator seeded by --seed: the same requests in the same order
 * meet the same faults.
 */
#ifndef APIERR_REFAPI_FAULTS_H
#define APIERR_REFAPI_FAULTS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define REFAPI_FAULT_STATUSES 16

typedef struct refapi_faults {
    struct {
        int status;
        double p;
        long long retry_after_s; /* -1: none */
    } statuses[REFAPI_FAULT_STATUSES];
    size_t nstatuses;
    long long latency_ms;
    double latency_p;
    long long outage_s;
    int outage_status;
    double reset_p;
    double drop_p;
    double die_p;
    uint64_t rng;
    pthread_mutex_t lock;
} refapi_faults;

/* What happens to one request. */
typedef struct refapi_fault {
    int status;              /* 0: none */
    long long retry_after_s; /* with status; -1: none */
    long long latency_ms;
    int reset;
    int drop;
    int die;
} refapi_fault;

/* Parses spec (NULL or "" means no fault) into f, seeded with seed.
 * 0, or -1 with a reason in err. */
int refapi_faults_parse(refapi_faults *f, const char *spec, uint64_t seed, char *err, size_t cap);

/* Frees what refapi_faults_parse() set up. */
void refapi_faults_destroy(refapi_faults *f);

/* Draws the fault of one request arriving uptime_ms after start.
 * Thread-safe. */
void refapi_faults_draw(refapi_faults *f, refapi_fault *out, long long uptime_ms);

/* 1 when f has a fault to draw: without --faults, no request takes the
 * lock of the draws (one mutex of every worker on every request). */
int refapi_faults_any(const refapi_faults *f);

#endif
