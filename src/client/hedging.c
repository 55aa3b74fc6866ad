/*
 * Hedged requests in the engine: when a call's next hedge is due (a timer
 * heap of their own), sending one on a leg of its own, which answer ends
 * the call, and cancelling the others. Every decision is the core's
 * (apierr/hedge.h): this file only times, sends and cancels.
 *
 * A hedge does not wait for a transfer slot (max_in_flight) nor for its
 * host's pacer: it answers an attempt that is slow now, and max_hedges
 * bounds what it adds. Nor does it ask adaptive throttling: the window
 * counts the attempt it hedges as a request not yet accepted, so the
 * first hedge of a fresh client would be drawn against a 50% reject
 * ((1 - K * 0) / 2) however well the host does. What bounds a hedge on an
 * overloaded host is the retry budget it spends and the host's pushback
 * (apierr_hedge_should_send()).
 */
#include "alloc.h"
#include "engine.h"

/* The hedging options of k's policy; max_hedges bounded to what the core
 * allows, below 1 meaning no hedges. */
static apierr_hedge_opts opts_of(const apierr__call *k)
{
    apierr_hedge_opts o = APIERR_HEDGE_OPTS_INIT;
    o.delay_ms = k->policy->hedge_delay_ms;
    o.max_hedges = k->policy->max_hedges;
    if (o.max_hedges > APIERR_HEDGE_MAX_HEDGES) o.max_hedges = APIERR_HEDGE_MAX_HEDGES;
    if (o.max_hedges < 1 || o.delay_ms > APIERR_HEDGE_DELAY_MAX_MS) o.delay_ms = 0;
    return o;
}

size_t apierr__call_legs_out(const apierr__call *k)
{
    size_t n = k->run->at.easy != NULL;
    for (int i = 0; i < k->run->nhedges; i++) n += k->run->hedges[i].easy != NULL;
    return n;
}

void apierr__hedge_arm(apierr__call *k, int start)
{
    if (start) apierr_hedge_start(&k->run->hstate, k->run->at.attempt_start);
    apierr_hedge_opts o = opts_of(k);
    apierr__pace_host *h = apierr__call_host(k);
    long long at =
        apierr_hedge_next_at(&k->run->hstate, &o, k->method, k->has_key, h ? &h->hedge : NULL);
    /* Out of memory: no hedge, the attempts out go on. */
    if (at >= 0 && !k->run->hedge_timer && apierr__heap_push(&k->c->hedge_timers, at, k) == 0)
        k->run->hedge_timer = 1;
}

void apierr__hedge_disarm(apierr__call *k)
{
    if (k->run->hedge_timer) apierr__heap_remove(&k->c->hedge_timers, k);
    k->run->hedge_timer = 0;
}

/* A leg for a hedge of k: an empty one of its slots (allocated with its
 * first hedge, max_hedges of them), or NULL when out of memory. */
static apierr__leg *free_leg(apierr__call *k, int max_hedges)
{
    if (!k->run->hedges) {
        k->run->hedges = apierr__calloc((size_t)max_hedges, sizeof *k->run->hedges);
        if (!k->run->hedges) return NULL;
        k->run->nhedges = max_hedges;
    }
    for (int i = 0; i < k->run->nhedges; i++)
        if (!k->run->hedges[i].easy) return &k->run->hedges[i];
    return NULL;
}

/* The hedge timer of k fired at now: a hedge goes out when the core says
 * so, and the timer is set for the next one. */
static void hedge_due(apierr__call *k, long long now)
{
    apierr_client *c = k->c;
    apierr_hedge_opts o = opts_of(k);
    apierr__pace_host *h = apierr__call_host(k);
    apierr_hedge_verdict v =
        apierr_hedge_should_send(&k->run->hstate, &o, k->policy, k->method, k->has_key, now,
                                 h ? &h->hedge : NULL, k->run->pstate.budget);
    if (v == APIERR_HEDGE_SEND) {
        apierr__leg *l = free_leg(k, o.max_hedges);
        if (l) {
            apierr__client_logf(c, "* no answer after %lld ms: a hedge goes out", o.delay_ms);
            if (apierr__transfer_hedge(k, l)) l = NULL;
        }
        /* Counted as sent (max_hedges), but not in flight. */
        if (!l) k->run->hstate.inflight--;
    } else if (v == APIERR_HEDGE_PUSHBACK || v == APIERR_HEDGE_BUDGET) {
        apierr__client_logf(c, "* no hedge: %s", apierr_hedge_verdict_doc(v));
    }
    apierr__hedge_arm(k, 0);
}

long long apierr__hedge_fire(apierr_client *c, long long now)
{
    const apierr__timer *t;
    while ((t = apierr__heap_peek(&c->hedge_timers)) && t->due_ms <= now) {
        apierr__timer fired;
        apierr__heap_pop(&c->hedge_timers, &fired);
        apierr__call *k = fired.item;
        k->run->hedge_timer = 0;
        hedge_due(k, now);
    }
    return t ? t->due_ms - now : -1;
}

void apierr__hedge_take(apierr__call *k, CURL *e)
{
    if (k->run->at.easy == e) return;
    for (int i = 0; i < k->run->nhedges; i++)
        if (k->run->hedges[i].easy == e) {
            apierr__leg t = k->run->at;
            k->run->at = k->run->hedges[i];
            k->run->hedges[i] = t;
            return;
        }
}

int apierr__hedge_settle(apierr__call *k, const apierr_decision *d)
{
    int wins = apierr_hedge_winner(&k->run->hstate, d);
    /* The core counts what it was told was sent; the legs are what is out. */
    return wins || apierr__call_legs_out(k) <= 1;
}

void apierr__hedge_pushback(apierr__call *k, const apierr__answer *ans)
{
    apierr__pace_host *h = apierr__call_host(k);
    if (h &&
        apierr_hedge_host_pushback(&h->hedge, ans->o.status, ans->o.retry_after_ms, ans->now_ms))
        apierr__client_logf(k->c, "* no hedges to %s for %lld ms: the server pushed back", h->key,
                            h->hedge.pushback_until_ms - ans->now_ms);
}

void apierr__hedge_cancel(apierr__call *k, const apierr_decision *won)
{
    for (int i = 0; i < k->run->nhedges; i++) {
        apierr__leg *l = &k->run->hedges[i];
        if (!l->easy) continue;
        apierr__attempt_cancelled(k, l, won);
        apierr__client_logf(k->c, "* attempt %zu cancelled: attempt %zu answered first", l->number,
                            k->run->at.number);
        apierr__leg_release(k->c, l);
    }
}
