/*
 * Hedged requests: when another attempt of a call may go out, when the next
 * one is due, which answer wins, and the host's pushback. Pure: time comes
 * from the caller. The engine (libapierr-client) sends and cancels.
 */
#include "apierr/hedge.h"

#include "abi.h"
#include "budget.h"
#include "headers_impl.h"

#include <assert.h>
#include <limits.h>
#include <string.h>

static const apierr_hedge_opts hedge_defaults = APIERR_HEDGE_OPTS_INIT;
/* The size of each version of apierr_hedge_opts: grows at its end only. */
static const size_t hedge_opts_sizes[] = {sizeof(apierr_hedge_opts)};

APIERR__OPTS_INIT_FUNC(apierr_hedge_opts, hedge_defaults, hedge_opts_sizes)

/* The caller's options in the current layout; an unknown version reads as
 * hedging off (delay 0), the safe side: no extra load. */
static apierr_hedge_opts read_opts(const apierr_hedge_opts *given)
{
    apierr_hedge_opts o = hedge_defaults;
    if (given && APIERR__STRUCT_READ(&o, given, hedge_opts_sizes) != APIERR_OK) o.delay_ms = 0;
    return o;
}

int apierr_hedge_spec_parse(apierr_hedge_opts *out, const char *s, size_t len)
{
    assert(out);
    if (!s) return APIERR_EPARSE;
    const char *colon = memchr(s, ':', len);
    size_t dlen = colon ? (size_t)(colon - s) : len;
    long long delay, max = 1;
    int rc = apierr_duration_parse(&delay, s, dlen);
    if (rc != APIERR_OK) return rc;
    if (colon) {
        const char *m = colon + 1;
        size_t mlen = len - dlen - 1;
        apierr__trim_ows(&m, &mlen);
        /* Whole hedges only: unit 1, no fraction. */
        if ((rc = apierr__decimal_ms(&max, m, mlen, 1, 0)) != APIERR_OK) return rc;
        if (max < 1 || max > APIERR_HEDGE_MAX_HEDGES) return APIERR_ERANGE;
    }
    if (delay > APIERR_HEDGE_DELAY_MAX_MS) return APIERR_ERANGE;
    out->delay_ms = delay;
    out->max_hedges = (int)max;
    return APIERR_OK;
}

int apierr_hedge_host_pushback(apierr_hedge_host *host, int status, long long retry_after_ms,
                               long long now_ms)
{
    assert(host);
    if ((status != 429 && status != 503) || retry_after_ms < 0) return 0;
    /* A Retry-After beyond any sane wait saturates instead of overflowing. */
    long long until = retry_after_ms > LLONG_MAX - now_ms ? LLONG_MAX : now_ms + retry_after_ms;
    if (until > host->pushback_until_ms) host->pushback_until_ms = until;
    return 1;
}

void apierr_hedge_start(apierr_hedge_state *s, long long now_ms)
{
    assert(s);
    memset(s, 0, sizeof *s);
    s->last_sent_ms = now_ms;
    s->inflight = 1;
}

/* The checks that depend on neither time nor budget, shared by
 * should_send() and next_at(). SEND means "none of them forbids it". */
static apierr_hedge_verdict static_verdict(const apierr_hedge_state *s, const apierr_hedge_opts *o,
                                           apierr_method method, int has_key)
{
    if (o->delay_ms <= 0) return APIERR_HEDGE_OFF;
    if (s->finished || s->inflight <= 0) return APIERR_HEDGE_FINISHED;
    if (s->hedges >= o->max_hedges) return APIERR_HEDGE_LIMIT;
    if (!apierr_method_idempotent(method) && !has_key) return APIERR_HEDGE_NOT_REPEATABLE;
    return APIERR_HEDGE_SEND;
}

/* last_sent_ms + delay_ms, saturated. */
static long long due_at(const apierr_hedge_state *s, const apierr_hedge_opts *o)
{
    return s->last_sent_ms > LLONG_MAX - o->delay_ms ? LLONG_MAX : s->last_sent_ms + o->delay_ms;
}

apierr_hedge_verdict apierr_hedge_should_send(apierr_hedge_state *s, const apierr_hedge_opts *opts,
                                              const apierr_policy *policy, apierr_method method,
                                              int has_idempotency_key, long long now_ms,
                                              const apierr_hedge_host *host, apierr_budget *budget)
{
    assert(s);
    apierr_hedge_opts o = read_opts(opts);
    apierr_hedge_verdict v = static_verdict(s, &o, method, has_idempotency_key);
    if (v != APIERR_HEDGE_SEND) return v;
    if (now_ms < due_at(s, &o)) return APIERR_HEDGE_WAIT;
    if (host && now_ms < host->pushback_until_ms) return APIERR_HEDGE_PUSHBACK;
    if (budget) {
        apierr_policy scratch;
        const apierr_policy *p = apierr__policy_view(policy, &scratch);
        /* A hedge is a retry paid in advance: the cost of a retry after a
         * server failure (not a timeout: the attempt has not timed out). */
        if (p->budget != APIERR_BUDGET_OFF && !apierr__budget_take(budget, p, APIERR_CAT_SERVER))
            return APIERR_HEDGE_BUDGET;
    }
    s->hedges++;
    s->inflight++;
    s->last_sent_ms = now_ms;
    return APIERR_HEDGE_SEND;
}

long long apierr_hedge_next_at(const apierr_hedge_state *s, const apierr_hedge_opts *opts,
                               apierr_method method, int has_idempotency_key,
                               const apierr_hedge_host *host)
{
    assert(s);
    apierr_hedge_opts o = read_opts(opts);
    if (static_verdict(s, &o, method, has_idempotency_key) != APIERR_HEDGE_SEND) return -1;
    long long at = due_at(s, &o);
    if (host && host->pushback_until_ms > at) at = host->pushback_until_ms;
    return at;
}

/* The outcome was one the policy would try again (a retryable status or
 * transport failure, a credential refresh), whatever it decided. */
static int retryable(const apierr_decision *d)
{
    return d->action == APIERR_ACTION_RETRY || d->action == APIERR_ACTION_REFRESH_CREDENTIALS;
}

int apierr_hedge_winner(apierr_hedge_state *s, const apierr_decision *d)
{
    assert(s && d);
    if (s->finished) return 0;
    if (s->inflight > 0) s->inflight--;
    int final =
        d->kind == APIERR_DECISION_DONE || (d->kind == APIERR_DECISION_FAIL && !retryable(d));
    /* A retryable failure (even one the policy fails for want of budget or
     * attempts) says nothing of the attempts still out: they may succeed. */
    if (!final && (s->inflight > 0 || d->kind != APIERR_DECISION_FAIL)) return 0;
    s->finished = 1;
    s->cancelled = s->inflight;
    s->inflight = 0;
    return 1;
}
