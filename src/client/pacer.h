/*
 * Pacing by rate-limit headers: the arithmetic of one host, without clock,
 * I/O or queues, so that every release time can be checked with a fake
 * clock. The engine asks when the next attempt may leave, says when one
 * left, and feeds it every answer.
 *
 * Three ways to know a host:
 * - smooth: the policy is known (`RateLimit-Policy: q=Q;w=W`): the server
 *   frees one request every W/Q seconds (GCRA, a token bucket). The pacer
 *   keeps a mirror of the server's bucket: every attempt sent takes a token
 *   at once (before the server has counted it), every answer is checked
 *   against the mirror, which is moved to the answer's safe bound when they
 *   disagree. Attempts leave one per W/Q once the bucket is empty, never
 *   waiting for the reset the `t` member rounds up to whole seconds.
 * - window: only a remaining count and a reset (`X-RateLimit-*`, or
 *   `RateLimit` without a policy): the quota is counted down, less what is
 *   in flight; at zero the attempts wait for the answers in flight, then for
 *   the reset, and then one probe learns the new quota.
 * - unknown: nothing heard from the host yet: one probe goes alone, so that
 *   a parallel batch does not spend more than the burst before the first
 *   answer tells how much there is. A host whose answers carry no rate-limit
 *   header is not paced.
 */
#ifndef APIERR_CLIENT_PACER_H
#define APIERR_CLIENT_PACER_H

#include "apierr/headers.h"

/* apierr__pacer_next(): hold the attempt until an answer in flight arrives. */
#define APIERR__PACE_WAIT_ANSWER (-1LL)

typedef enum apierr__pace_mode {
    APIERR__PACE_UNKNOWN, /* nothing heard: one probe at a time */
    APIERR__PACE_FREE,    /* the answers carry no rate-limit header */
    APIERR__PACE_WINDOW,  /* remaining count and reset */
    APIERR__PACE_SMOOTH   /* GCRA mirror from the policy */
} apierr__pace_mode;

typedef struct apierr__pacer {
    apierr__pace_mode mode;
    long long inflight; /* attempts sent and not answered */
    /* smooth */
    long long interval_us; /* W/Q: one request freed per interval */
    long long burst;       /* depth of the bucket: the largest remaining seen, + 1 */
    long long empty_us;    /* when the bucket is empty once every attempt sent is counted */
    /* window */
    long long remaining; /* may still be sent before reset_ms */
    long long min_r;     /* the smallest remaining the server stated in this window */
    long long reset_ms;  /* when the window resets */
} apierr__pacer;

#define APIERR__PACER_INIT                         \
    {                                              \
        APIERR__PACE_UNKNOWN, 0, 0, 0, 0, 0, -1, 0 \
    }

/*
 * When the next attempt to the host may be sent: a time in ms (now_ms or
 * earlier: at once, then call apierr__pacer_sent()), or
 * APIERR__PACE_WAIT_ANSWER, which it returns only while an attempt is in
 * flight. Times are the caller's monotonic milliseconds.
 */
long long apierr__pacer_next(const apierr__pacer *p, long long now_ms);

/* Counts an attempt sent at now_ms; remember now_ms for its answer. */
void apierr__pacer_sent(apierr__pacer *p, long long now_ms);

/*
 * Counts the end of an attempt sent at sent_ms: status 0 when it got no
 * answer (transport failure, abandoned), else the answer's status, rl what
 * apierr_ratelimit_parse() read from it (NULL or remaining < 0: none), and
 * retry_after_ms its Retry-After (-1: none; read only on a 429, which shows
 * the pacer's picture was wrong).
 */
void apierr__pacer_answer(apierr__pacer *p, long long sent_ms, int status,
                          const apierr_ratelimit *rl, long long retry_after_ms, long long now_ms);

#endif
