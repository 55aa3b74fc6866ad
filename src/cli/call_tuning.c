/* `apierr call`: the tuning flags, put where the library keeps them today.
 * The one place that knows it: --breaker, --retry-budget, --hedge,
 * --adaptive and curl's retry flags go into the profile's policy
 * (breaker_threshold, breaker_open_ms; budget, budget_max_tokens,
 * budget_token_ratio; hedge_delay_ms, max_hedges; adaptive; --retry-delay:
 * base_delay_ms = max_delay_ms, no jitter; --retry-max-time:
 * retry_window_ms; --retry-connrefused and
 * --retry-all-errors: retry_transport, retry_statuses), --connect-timeout into the client
 * options, --attempt-timeout into the policy's attempt_timeout_ms. Their state (the breaker's
 * failures, the budget's tokens) lives in the client, so in one process: each `apierr call` starts
 * closed and full; a batch (--input) shares them. -m / --max-time is the request's max_time_ms
 * (run_one, batch.c). */
#include "call.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int call_parse_seconds(double *out, const char *v)
{
    char *end;
    double s = strtod(v, &end);
    if (!*v || *end || !(s > 0 && s < 1e9)) return -1;
    *out = s;
    return 0;
}

int call_parse_size(long long *out, const char *v)
{
    static const char units[] = "bkmg"; /* the unit at i scales by 1024^i */
    char *end = NULL;
    long long n = *v >= '0' && *v <= '9' ? strtoll(v, &end, 10) : -1;
    const char *u = n >= 0 && end[0] && !end[1] ? strchr(units, end[0] | 0x20) : NULL;
    int shift = u ? (int)(u - units) * 10 : 0;
    if (n < 0 || (end[0] && !u) || n > (1LL << 62) >> shift) return -1;
    *out = n << shift;
    return 0;
}

/* "A" or "A:B": a and, when given, b (b untouched otherwise). 0 or -1. */
static int split2(const char *v, double *a, double *b)
{
    char *end;
    *a = strtod(v, &end);
    if (end == v) return -1;
    if (*end == ':') {
        const char *r = end + 1;
        *b = strtod(r, &end);
        if (end == r) return -1;
    }
    return *end ? -1 : 0;
}

/* Without its second part, *open_ms and *ratio keep what they hold (the
 * profile's). */
int call_parse_breaker(const char *v, int *threshold, long long *open_ms)
{
    double t, ms = (double)*open_ms;
    if (split2(v, &t, &ms) || t < 1 || t > 1000000 || t != (int)t || ms < 1 || ms > 1e12) return -1;
    *threshold = (int)t;
    *open_ms = (long long)ms;
    return 0;
}

int call_parse_budget(const char *v, double *tokens, double *ratio)
{
    double t, r = *ratio;
    if (split2(v, &t, &r) || t < 1 || t > 1e9 || r < 0 || r > t) return -1;
    *tokens = t;
    *ratio = r;
    return 0;
}

int call_tuning(const struct call_args *a, apierr_profile *profile, apierr_client_opts *o)
{
    apierr_policy *p = &profile->policy;
    if (a->breaker) call_parse_breaker(a->breaker, &p->breaker_threshold, &p->breaker_open_ms);
    if (a->retry_budget) {
        p->budget = APIERR_BUDGET_GRPC;
        call_parse_budget(a->retry_budget, &p->budget_max_tokens, &p->budget_token_ratio);
    }
    if (a->hedge) {
        apierr_hedge_opts h = APIERR_HEDGE_OPTS_INIT;
        apierr_hedge_spec_parse(&h, a->hedge, strlen(a->hedge)); /* checked by set_hedge */
        p->hedge_delay_ms = h.delay_ms;
        p->max_hedges = h.max_hedges;
    }
    if (a->adaptive) p->adaptive = 1;
    if (a->retry_delay > 0) { /* curl: a fixed wait, its backoff off */
        p->base_delay_ms = p->max_delay_ms = (long long)(a->retry_delay * 1000 + 0.5);
        p->jitter = APIERR_JITTER_NONE;
    }
    if (a->retry_max_time > 0) p->retry_window_ms = (long long)(a->retry_max_time * 1000 + 0.5);
    if (a->retry_connrefused)
        p->retry_transport |= APIERR_TRANSPORT_BIT(APIERR_TRANSPORT_CONNECT_REFUSED);
    if (a->retry_all_errors) {
        for (int code = 400; code <= 599; code++)
            apierr_status_set_put(&p->retry_statuses, code, 1);
        for (int t = APIERR_TRANSPORT_CONNECT_REFUSED; t < APIERR_TRANSPORT__COUNT; t++)
            p->retry_transport |= APIERR_TRANSPORT_BIT(t);
    }
    if (a->attempt_timeout > 0)
        p->attempt_timeout_ms = (long long)(a->attempt_timeout * 1000 + 0.5);
    if (a->connect_timeout > 0)
        o->connect_timeout_ms = (long long)(a->connect_timeout * 1000 + 0.5);
    return CLI_EXIT_OK;
}
