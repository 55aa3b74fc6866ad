/*
 * apierr/throttle.h - adaptive client-side throttling, per host.
 *
 * The client keeps, per host, the requests it attempted and the ones the
 * host accepted over a sliding window, and rejects a new attempt locally,
 * before sending, with probability
 *
 *     max(0, (requests - K * accepts) / (requests + 1))
 *
 * (Google's SRE book, "Handling Overload", client-side throttling). While the
 * host accepts everything, requests <= K * accepts and nothing is rejected;
 * once it rejects, the client sends about K times what it accepts and drops
 * the rest without a round trip. K = 2 (the book's default) lets through
 * twice the accepted load: room to notice that the host has recovered,
 * at the price of some wasted requests; K nearer 1 wastes less and recovers
 * slower. A locally rejected attempt ends with category throttled_locally
 * and is retried by the policy like a 503 (apierr_throttle_decide()).
 *
 * Pure: the time (now_ms, any monotonic millisecond clock) and the random
 * draw are passed in. Objects (plain structs owned by the caller, none
 * allocates): apierr_throttle_opts (versioned, APIERR_THROTTLE_OPTS_INIT),
 * apierr_throttle (the window of one host, shared by its calls). An object
 * is used by one thread at a time (common.h).
 */
#ifndef APIERR_THROTTLE_H
#define APIERR_THROTTLE_H

#include "policy.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct apierr_throttle_opts {
    unsigned version;
    int enabled;         /* 0 (the default): never rejects */
    double k;            /* the multiplier K of accepts; below 1 reads as 1 */
    long long window_ms; /* the sliding window; below APIERR_THROTTLE_BUCKETS ms reads as that */
} apierr_throttle_opts;

/* 1: enabled, k, window_ms. */
#define APIERR_THROTTLE_OPTS_VERSION 1
/* Off; once on, K = 2 and a window of 2 minutes (the SRE book's). */
#define APIERR_THROTTLE_OPTS_INIT                    \
    {                                                \
        APIERR_THROTTLE_OPTS_VERSION, 0, 2.0, 120000 \
    }

/*
 * Fills *opts with the defaults of the given version (for bindings that
 * cannot use APIERR_THROTTLE_OPTS_INIT). APIERR_OK, or APIERR_EVERSION for 0
 * or a version newer than the library's (*opts untouched). The functions
 * below read older versions by their own layout and treat an unknown
 * version as throttling off.
 */
APIERR_EXTERN int apierr_throttle_opts_init(apierr_throttle_opts *opts, unsigned version);

/* The window is a ring of this many time buckets of window_ms / BUCKETS ms
 * each: a bucket older than the window is forgotten whole, so the window
 * slides in steps of one bucket. */
#define APIERR_THROTTLE_BUCKETS 16

typedef struct apierr_throttle_bucket {
    long long epoch; /* now_ms / bucket width of the time it counts; -1: empty */
    double requests;
    double accepts;
} apierr_throttle_bucket;

/* The window of one host. */
typedef struct apierr_throttle {
    apierr_throttle_bucket ring[APIERR_THROTTLE_BUCKETS];
} apierr_throttle;

/* Empties the window. */
APIERR_EXTERN void apierr_throttle_init(apierr_throttle *t);

/* The requests and accepts the window holds at now_ms (either out pointer
 * may be NULL). */
APIERR_EXTERN void apierr_throttle_counts(const apierr_throttle *t,
                                          const apierr_throttle_opts *opts, long long now_ms,
                                          double *requests, double *accepts);

/* The reject probability at now_ms, in [0, 1): the formula above over the
 * window; 0 when throttling is off. */
APIERR_EXTERN double apierr_throttle_probability(const apierr_throttle *t,
                                                 const apierr_throttle_opts *opts,
                                                 long long now_ms);

/*
 * Whether an attempt to the host may be sent at now_ms: 1 send it, 0 reject
 * it locally (category throttled_locally). Either way the attempt counts as
 * a request of the window (the book counts what the application asked for,
 * so that a client that keeps asking keeps rejecting while the host does not
 * accept). random is called once, and only when the probability is above 0
 * (the draw is its top 53 bits, uniform in [0, 1)). Throttling off: always 1,
 * nothing counted.
 */
APIERR_EXTERN int apierr_throttle_allow(apierr_throttle *t, const apierr_throttle_opts *opts,
                                        long long now_ms, apierr_random_fn random, void *payload);

/* Records that an attempt allowed earlier got its answer at now_ms;
 * accepted as apierr_throttle_accepted() says. */
APIERR_EXTERN void apierr_throttle_record(apierr_throttle *t, const apierr_throttle_opts *opts,
                                          long long now_ms, int accepted);

/*
 * Whether the host accepted an attempt: a response arrived (transport NONE)
 * whose status is neither 429 nor 503, the two a server sends when it sheds
 * load. A transport failure is not an accept (an overloaded host times out
 * or refuses connections); every other status is one, 4xx and 500 included:
 * the host spent its work on the request, and throttling it would not help.
 */
APIERR_EXTERN int apierr_throttle_accepted(apierr_transport transport, int status);

/*
 * The decision for an attempt apierr_throttle_allow() rejected: what
 * apierr_policy_decide() decides for a 503 without Retry-After (the
 * backoff, attempts, deadline and budget of the policy), with three
 * differences: the category is throttled_locally; the request was never
 * sent, so even a keyless POST is retried (as after a refused connection);
 * and the call's breaker is left alone, the host having said nothing new.
 * Same arguments as apierr_policy_decide() but the outcome. Returns
 * out->kind.
 */
APIERR_EXTERN apierr_decision_kind apierr_throttle_decide(apierr_decision *out,
                                                          const apierr_policy *policy,
                                                          apierr_call_state *call, long long now_ms,
                                                          apierr_random_fn random, void *payload);

#ifdef __cplusplus
}
#endif
#endif
