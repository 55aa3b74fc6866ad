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
 * /status, so that a client can always authenticate and look.
 *
 * Keyed draws: a request's draws depend on (--seed, its key, n) only, where
 * the key is its method, its target (path and query) and its
 * Idempotency-Key header if any, and n is how many times that key has drawn
 * before. The n-th arrival of a request meets the same fault whatever the
 * order of the others, so two clients sending the same requests, at any
 * concurrency and pace, meet the same faults (bench/client/goodput.sh's
 * peers). The outage is time-based and draws nothing. The counts are kept
 * for REFAPI_FAULT_KEYS keys (a fixed table, ~1 MiB, allocated when SPEC
 * names a fault); a request of a key beyond them draws from the arrival
 * order of such requests, as every request did before keys: deterministic
 * for the same order, and no memory more.
 */
#ifndef APIERR_REFAPI_FAULTS_H
#define APIERR_REFAPI_FAULTS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define REFAPI_FAULT_STATUSES 16

/* The distinct keys whose draws are counted (at most half the table's
 * slots, so that a probe stays short). */
#define REFAPI_FAULT_KEYS 32768

/* A request's key (refapi_fault_key_add() over its parts). */
typedef uint64_t refapi_fault_key;

/* One counted key: its hash (0: a free slot) and its draws so far. */
typedef struct refapi_fault_seen {
    uint64_t key;
    uint64_t n;
} refapi_fault_seen;

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
    uint64_t seed;
    refapi_fault_seen *seen; /* 2 * REFAPI_FAULT_KEYS slots; NULL without faults */
    size_t nseen;
    uint64_t unkeyed; /* draws of keys beyond the table, in arrival order */
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

/* The key of no part yet; then refapi_fault_key_add() each part (method,
 * target, each query argument, the Idempotency-Key), NULL as an absent
 * part: parts are length-prefixed, so "a" "bc" and "ab" "c" differ. */
refapi_fault_key refapi_fault_key_init(void);
void refapi_fault_key_add(refapi_fault_key *k, const char *part);

/* Draws the fault of one request of key k arriving uptime_ms after start
 * (see "Keyed draws" above). Thread-safe. */
void refapi_faults_draw(refapi_faults *f, refapi_fault *out, long long uptime_ms,
                        refapi_fault_key k);

/* 1 when f has a fault to draw: without --faults, no request takes the
 * lock of the draws (one mutex of every worker on every request). */
int refapi_faults_any(const refapi_faults *f);

#endif
