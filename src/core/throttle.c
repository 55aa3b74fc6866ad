/*
 * Adaptive client-side throttling (Google SRE book, "Handling Overload"):
 * a window of requests and accepts per host, as a ring of time buckets, and
 * the local reject it implies. Pure: time and the random draw come from the
 * caller.
 */
#include "apierr/throttle.h"

#include "abi.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

static const apierr_throttle_opts throttle_defaults = APIERR_THROTTLE_OPTS_INIT;
/* The size of each version of apierr_throttle_opts: grows at its end only. */
static const size_t throttle_opts_sizes[] = {sizeof(apierr_throttle_opts)};

APIERR__OPTS_INIT_FUNC(apierr_throttle_opts, throttle_defaults, throttle_opts_sizes)

/* The caller's options in the current layout, bounds applied; an unknown
 * version reads as throttling off (never rejecting is the safe side). */
static apierr_throttle_opts read_opts(const apierr_throttle_opts *given)
{
    apierr_throttle_opts o = throttle_defaults;
    if (APIERR__STRUCT_READ(&o, given, throttle_opts_sizes) != APIERR_OK) o.enabled = 0;
    if (!(o.k >= 1.0)) o.k = 1.0; /* also NaN: K below 1 would reject what the host accepts */
    if (o.window_ms < APIERR_THROTTLE_BUCKETS) o.window_ms = APIERR_THROTTLE_BUCKETS;
    return o;
}

static long long epoch_of(const apierr_throttle_opts *o, long long now_ms)
{
    long long width = o->window_ms / APIERR_THROTTLE_BUCKETS;
    /* Floor division, so that a clock before 0 still steps forward. */
    return now_ms >= 0 ? now_ms / width : -((-now_ms + width - 1) / width);
}

void apierr_throttle_init(apierr_throttle *t)
{
    assert(t);
    for (size_t i = 0; i < APIERR_THROTTLE_BUCKETS; i++)
        t->ring[i] = (apierr_throttle_bucket){.epoch = -1, .requests = 0, .accepts = 0};
}

/* The bucket that counts now, emptied first when it last counted an older
 * time (the ring slid past it). */
static apierr_throttle_bucket *current(apierr_throttle *t, const apierr_throttle_opts *o,
                                       long long now_ms)
{
    long long e = epoch_of(o, now_ms);
    long long slot = e % APIERR_THROTTLE_BUCKETS;
    apierr_throttle_bucket *b = &t->ring[slot < 0 ? slot + APIERR_THROTTLE_BUCKETS : slot];
    if (b->epoch != e) *b = (apierr_throttle_bucket){.epoch = e, .requests = 0, .accepts = 0};
    return b;
}

static void counts(const apierr_throttle *t, const apierr_throttle_opts *o, long long now_ms,
                   double *requests, double *accepts)
{
    long long e = epoch_of(o, now_ms);
    double r = 0, a = 0;
    for (size_t i = 0; i < APIERR_THROTTLE_BUCKETS; i++) {
        const apierr_throttle_bucket *b = &t->ring[i];
        /* Within the window: the current bucket and the BUCKETS - 1 before. */
        if (b->epoch >= 0 && b->epoch <= e && e - b->epoch < APIERR_THROTTLE_BUCKETS) {
            r += b->requests;
            a += b->accepts;
        }
    }
    *requests = r;
    *accepts = a;
}

void apierr_throttle_counts(const apierr_throttle *t, const apierr_throttle_opts *opts,
                            long long now_ms, double *requests, double *accepts)
{
    assert(t);
    apierr_throttle_opts o = read_opts(opts);
    double r, a;
    counts(t, &o, now_ms, &r, &a);
    if (requests) *requests = r;
    if (accepts) *accepts = a;
}

static double probability(const apierr_throttle *t, const apierr_throttle_opts *o, long long now_ms)
{
    if (!o->enabled) return 0;
    double r, a;
    counts(t, o, now_ms, &r, &a);
    double p = (r - o->k * a) / (r + 1);
    return p > 0 ? p : 0;
}

double apierr_throttle_probability(const apierr_throttle *t, const apierr_throttle_opts *opts,
                                   long long now_ms)
{
    assert(t);
    apierr_throttle_opts o = read_opts(opts);
    return probability(t, &o, now_ms);
}

int apierr_throttle_allow(apierr_throttle *t, const apierr_throttle_opts *opts, long long now_ms,
                          apierr_random_fn random, void *payload)
{
    assert(t && random);
    apierr_throttle_opts o = read_opts(opts);
    if (!o.enabled) return 1;
    double p = probability(t, &o, now_ms);
    current(t, &o, now_ms)->requests += 1;
    if (p <= 0) return 1;
    /* The top 53 bits as a double in [0, 1): every value exactly, no bias. */
    double u = (double)(random(payload) >> 11) * (1.0 / 9007199254740992.0);
    return u >= p;
}

void apierr_throttle_record(apierr_throttle *t, const apierr_throttle_opts *opts, long long now_ms,
                            int accepted)
{
    assert(t);
    apierr_throttle_opts o = read_opts(opts);
    if (!o.enabled || !accepted) return;
    current(t, &o, now_ms)->accepts += 1;
}

int apierr_throttle_accepted(apierr_transport transport, int status)
{
    return transport == APIERR_TRANSPORT_NONE && status != 429 && status != 503;
}

apierr_decision_kind apierr_throttle_decide(apierr_decision *out, const apierr_policy *policy,
                                            apierr_call_state *call, long long now_ms,
                                            apierr_random_fn random, void *payload)
{
    assert(out && call);
    /* A 503 without Retry-After, of a method the policy retries: the
     * request never left, so whether it may be repeated is moot. */
    apierr_outcome o = APIERR_OUTCOME_INIT;
    o.status = 503;
    o.method = APIERR_METHOD_GET;
    apierr_breaker *breaker = call->breaker;
    call->breaker = NULL;
    apierr_policy_decide(out, policy, call, &o, now_ms, random, payload);
    call->breaker = breaker;
    if (out->category == APIERR_CAT_SERVER) out->category = APIERR_CAT_THROTTLED_LOCALLY;
    /* The policy's reason starts with the 503 it was shown: say what it was. */
    const char *rest = strstr(out->reason, ": ");
    char reason[APIERR_REASON_MAX];
    snprintf(reason, sizeof reason, "held back by adaptive throttling%s", rest ? rest : "");
    memcpy(out->reason, reason, sizeof reason);
    return out->kind;
}
