/*
 * Adaptive client-side throttling in the engine: an attempt asks its
 * host's window before it leaves, and every answer tells the window whether
 * the host accepted it. The window and the reject are the core's
 * (apierr/throttle.h); a rejected attempt is recorded and decided by the
 * engine (engine.c), as apierr_throttle_decide() says.
 */
#include "engine.h"

/* The throttling options of k's policy (the window: the core's default). */
static apierr_throttle_opts opts_of(const apierr__call *k)
{
    apierr_throttle_opts o = APIERR_THROTTLE_OPTS_INIT;
    o.enabled = k->policy->adaptive == 1;
    o.k = k->policy->adaptive_k;
    return o;
}

int apierr__throttle_pass(apierr__call *k)
{
    apierr__pace_host *h = apierr__call_host(k);
    if (!h || k->policy->adaptive != 1) return 1;
    apierr_throttle_opts o = opts_of(k);
    long long now = apierr__mono_ms();
    if (apierr_throttle_allow(&h->throttle, &o, now, apierr_rng_next, &k->c->rng)) return 1;
    if (k->c->verbose) {
        double r, a;
        apierr_throttle_counts(&h->throttle, &o, now, &r, &a);
        apierr__client_logf(k->c,
                            "* held back by adaptive throttling: %s accepted %.0f of %.0f requests "
                            "(K %.2g)",
                            h->key, a, r, o.k);
    }
    return 0;
}

void apierr__throttle_answer(apierr__call *k, const apierr__answer *ans)
{
    apierr__pace_host *h = apierr__call_host(k);
    if (!h || k->policy->adaptive != 1) return;
    apierr_throttle_opts o = opts_of(k);
    apierr_throttle_record(&h->throttle, &o, ans->now_ms,
                           apierr_throttle_accepted(ans->o.transport, ans->o.status));
}
