/*
 * Internal: the pacing queues of a client, one per host. The arithmetic of
 * when an attempt may leave is the pacer's (pacer.h); this is where the
 * calls it holds back wait, first come first sent: at most one of a host's
 * calls in the timer heap (the head, waiting for its release time), the
 * others in a queue woken one at a time, so a release costs no walk over
 * every held call.
 */
#ifndef APIERR_CLIENT_PACE_QUEUE_H
#define APIERR_CLIENT_PACE_QUEUE_H

#include "apierr/headers.h"
#include "apierr/hedge.h"
#include "apierr/policy.h"
#include "apierr/throttle.h"
#include "herd.h"
#include "pacer.h"

#include <stddef.h>

typedef struct apierr__call apierr__call;

/* A call's host when it has none (out of memory): it is not paced. */
#define APIERR__NO_HOST ((size_t)-1)

/* A host of the client's calls (scheme, host and port): its pacing, and
 * what else is kept per host because a host's failures say nothing of
 * another's: its circuit breaker, its pushback to hedges, its adaptive
 * throttling window. */
typedef struct apierr__pace_host {
    char *key; /* scheme://authority */
    apierr_breaker breaker;
    apierr_hedge_host hedge;
    apierr_throttle throttle;
    apierr__pacer pacer;
    apierr__herd herd;         /* its herds, released at a pace (herd.h) */
    apierr__call *head, *tail; /* held, in order */
    apierr__call *timed;       /* held in the timer heap */
} apierr__pace_host;

typedef struct apierr__pace {
    int on;                        /* pacing by rate-limit headers; herds are released either way */
    apierr__herd_rules herd_rules; /* from the client's policy and time scale */
    apierr__pace_host *hosts;
    size_t nhosts;
} apierr__pace;

/* The index of url's host (added when new), or APIERR__NO_HOST when out of
 * memory. */
size_t apierr__pace_host_of(apierr__pace *p, const char *url);

/* Holds a ready call back until its host's pacer, and the release of a
 * herd of the host's calls (herd.h), let it go. 1 when it holds the call,
 * 0 to send it now (it then counts in the pacer). */
int apierr__pace_hold(apierr__call *k);

/* The end of k's attempt: status 0 when it got no answer, else the
 * answer's status and headers; retry_after_ms -1 when none (else the host
 * told k when to come back: a herd counts it). */
void apierr__pace_answer(apierr__call *k, int status, const apierr_header *h, size_t nh,
                         long long retry_after_ms);

/* Takes a call that ends out of its host's pacing. */
void apierr__pace_forget(apierr__call *k);

void apierr__pace_free(apierr__pace *p);

#endif
