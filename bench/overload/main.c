/*
 * bench_overload: clients that offer three times what a server can take,
 * in simulated time (no network, no clock): how many attempts the server
 * had to reject, the goodput, and the time until the last call ended, for
 * the ways apierr can retry:
 *   plain     the policy's defaults (4 attempts, full jitter), no budget:
 *             the peer every ratio is against;
 *   aws       the same with the AWS SDKs' retry quota (budget aws, one quota
 *             per client, the policy's default costs);
 *   adaptive  the defaults with adaptive client-side throttling
 *             (apierr/throttle.h, K 2), one window per client;
 *   aws+adapt both.
 *
 * The model. A server with capacity N requests a second: a token bucket
 * refilled at N/s, holding at most N/10 (100 ms of burst). An attempt that
 * finds a token is served (200); one that does not is rejected with a 503
 * without Retry-After. A rejection may cost the server part of a request's
 * work (parsing, the connection, the log line), taken from the bucket,
 * which may then go down to -N/10: the bench prints one table with free
 * rejections (the kindest case for plain retries) and one where a rejection
 * costs 0.2 of a request. Four clients start calls at Poisson times, 3N/4
 * calls a second each, for LOAD_S seconds; every message takes NET_MS one
 * way. Each call is driven by apierr_policy_decide() (and, when throttled,
 * apierr_throttle_allow() and apierr_throttle_decide()) with a seeded PRNG.
 * Figures are means over SEEDS seeds.
 */
#include "apierr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAPACITY 100.0 /* N: requests a second the server can take */
#define BURST    (CAPACITY / 10)
#define CLIENTS  4
#define OFFER    (3 * CAPACITY / CLIENTS) /* calls a second per client */
#define LOAD_S   30
#define NET_MS   10
#define SEEDS    5

enum kind { START, ARRIVE, REPLY, RETRY };

typedef struct event {
    long long t;
    enum kind kind;
    int call;
    int status; /* REPLY */
} event;

typedef struct heap {
    event *ev;
    size_t n, cap;
} heap;

static void push(heap *h, event e)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 1024;
        h->ev = realloc(h->ev, h->cap * sizeof *h->ev);
        if (!h->ev) abort();
    }
    size_t i = h->n++;
    while (i > 0 && h->ev[(i - 1) / 2].t > e.t) {
        h->ev[i] = h->ev[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->ev[i] = e;
}

static event pop(heap *h)
{
    event top = h->ev[0], last = h->ev[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && h->ev[c + 1].t < h->ev[c].t) c++;
        if (h->ev[c].t >= last.t) break;
        h->ev[i] = h->ev[c];
        i = c;
    }
    if (h->n) h->ev[i] = last;
    return top;
}

typedef struct mode {
    const char *name;
    int aws, adaptive;
} mode;

typedef struct result {
    double ok, failed, sent, rejected, throttled, finish_s;
} result;

typedef struct call {
    int client;
    apierr_call_state st;
} call;

typedef struct sim {
    apierr_policy policy;
    apierr_throttle_opts topts;
    apierr_budget budget[CLIENTS];
    apierr_throttle window[CLIENTS];
    apierr_rng rng;
    double tokens;
    long long refilled_ms;
    double reject_cost;
    heap h;
    call *calls;
    result r;
} sim;

static double uniform01(apierr_rng *rng)
{
    return (double)(apierr_rng_next(rng) >> 11) * (1.0 / 9007199254740992.0);
}

/* The server's bucket at t: refilled at CAPACITY a second, capped. */
static int admit(sim *s, long long t)
{
    s->tokens += (double)(t - s->refilled_ms) * CAPACITY / 1000.0;
    if (s->tokens > BURST) s->tokens = BURST;
    s->refilled_ms = t;
    if (s->tokens >= 1) {
        s->tokens -= 1;
        return 1;
    }
    s->tokens -= s->reject_cost;
    if (s->tokens < -BURST) s->tokens = -BURST;
    return 0;
}

static void end_call(sim *s, long long t, int ok)
{
    if (ok)
        s->r.ok++;
    else
        s->r.failed++;
    double at = (double)t / 1000.0;
    if (at > s->r.finish_s) s->r.finish_s = at;
}

/* A decision after an attempt (or a local rejection) of call i at t. */
static void follow(sim *s, int i, const apierr_decision *d, long long t)
{
    if (d->kind == APIERR_DECISION_RETRY)
        push(&s->h, (event){t + d->delay_ms, RETRY, i, 0});
    else
        end_call(s, t, d->kind == APIERR_DECISION_DONE);
}

/* Call i tries an attempt at t: throttled locally, or sent. */
static void attempt(sim *s, const mode *m, int i, long long t)
{
    call *c = &s->calls[i];
    if (m->adaptive &&
        !apierr_throttle_allow(&s->window[c->client], &s->topts, t, apierr_rng_next, &s->rng)) {
        s->r.throttled++;
        apierr_decision d;
        apierr_throttle_decide(&d, &s->policy, &c->st, t, apierr_rng_next, &s->rng);
        follow(s, i, &d, t);
        return;
    }
    s->r.sent++;
    push(&s->h, (event){t + NET_MS, ARRIVE, i, 0});
}

static result run(const mode *m, uint64_t seed, double reject_cost)
{
    sim s;
    memset(&s, 0, sizeof s);
    s.reject_cost = reject_cost;
    apierr_policy p = APIERR_POLICY_INIT;
    p.budget = m->aws ? APIERR_BUDGET_AWS : APIERR_BUDGET_OFF;
    s.policy = p;
    apierr_throttle_opts topts = APIERR_THROTTLE_OPTS_INIT;
    topts.enabled = 1;
    s.topts = topts;
    apierr_rng_seed(&s.rng, seed);
    s.tokens = BURST;
    size_t ncalls = 0, cap = (size_t)(CLIENTS * OFFER * LOAD_S * 2);
    s.calls = calloc(cap, sizeof *s.calls);
    if (!s.calls) abort();
    for (int c = 0; c < CLIENTS; c++) {
        apierr_budget_init(&s.budget[c], &s.policy);
        apierr_throttle_init(&s.window[c]);
        /* Poisson arrivals: exponential gaps of mean 1000 / OFFER ms. */
        for (double t = 0;;) {
            t += -log(1.0 - uniform01(&s.rng)) * 1000.0 / OFFER;
            if (t >= LOAD_S * 1000.0 || ncalls == cap) break;
            s.calls[ncalls].client = c;
            push(&s.h, (event){(long long)t, START, (int)ncalls, 0});
            ncalls++;
        }
    }
    while (s.h.n) {
        event e = pop(&s.h);
        call *c = &s.calls[e.call];
        switch (e.kind) {
        case START:
            apierr_call_state_init(&c->st, e.t, m->aws ? &s.budget[c->client] : NULL, NULL);
            attempt(&s, m, e.call, e.t);
            break;
        case RETRY:
            attempt(&s, m, e.call, e.t);
            break;
        case ARRIVE: {
            int ok = admit(&s, e.t);
            if (!ok) s.r.rejected++;
            push(&s.h, (event){e.t + NET_MS, REPLY, e.call, ok ? 200 : 503});
            break;
        }
        case REPLY: {
            if (m->adaptive)
                apierr_throttle_record(&s.window[c->client], &s.topts, e.t,
                                       apierr_throttle_accepted(APIERR_TRANSPORT_NONE, e.status));
            apierr_outcome o = APIERR_OUTCOME_INIT;
            o.status = e.status;
            apierr_decision d;
            apierr_policy_decide(&d, &s.policy, &c->st, &o, e.t, apierr_rng_next, &s.rng);
            follow(&s, e.call, &d, e.t);
            break;
        }
        }
    }
    free(s.h.ev);
    free(s.calls);
    return s.r;
}

/* One table: every mode at one cost of a rejection, as ratios to plain. */
static void table(double reject_cost)
{
    static const mode modes[] = {
        {"plain", 0, 0},
        {"aws", 1, 0},
        {"adaptive", 0, 1},
        {"aws+adapt", 1, 1},
    };
    enum { NMODES = sizeof modes / sizeof modes[0] };
    result avg[NMODES];
    memset(avg, 0, sizeof avg);
    for (int k = 0; k < NMODES; k++) {
        for (uint64_t seed = 1; seed <= SEEDS; seed++) {
            result r = run(&modes[k], seed, reject_cost);
            avg[k].ok += r.ok / SEEDS;
            avg[k].failed += r.failed / SEEDS;
            avg[k].sent += r.sent / SEEDS;
            avg[k].rejected += r.rejected / SEEDS;
            avg[k].throttled += r.throttled / SEEDS;
            avg[k].finish_s += r.finish_s / SEEDS;
        }
    }
    printf("\na rejection costs the server %.1f of a request\n", reject_cost);
    printf("%-10s %8s %8s %9s %9s %9s %9s %8s | %9s %10s %8s\n", "mode", "ok", "failed",
           "goodput/s", "sent", "rejected", "throttled", "finish s", "goodput x", "rejected x",
           "finish x");
    const result *peer = &avg[0];
    double peer_goodput = peer->finish_s > 0 ? peer->ok / peer->finish_s : 0;
    for (int k = 0; k < NMODES; k++) {
        const result *r = &avg[k];
        double goodput = r->finish_s > 0 ? r->ok / r->finish_s : 0;
        printf("%-10s %8.0f %8.0f %9.1f %9.0f %9.0f %9.0f %8.2f | %9.3f %10.3f %8.3f\n",
               modes[k].name, r->ok, r->failed, goodput, r->sent, r->rejected, r->throttled,
               r->finish_s, peer_goodput > 0 ? goodput / peer_goodput : 0,
               peer->rejected > 0 ? r->rejected / peer->rejected : 0,
               peer->finish_s > 0 ? r->finish_s / peer->finish_s : 0);
    }
}

int main(void)
{
    printf("bench_overload: server capacity %.0f req/s, %d clients offering %.0f calls/s in all "
           "(3x) for %d s, %d ms each way; mean of %d seeds\n",
           CAPACITY, CLIENTS, CLIENTS * OFFER, LOAD_S, NET_MS, SEEDS);
    printf("peer: plain (apierr policy defaults, no budget, no throttling)\n");
    /* Free rejections are the kindest case for plain retries; a server
     * that spends work on each (0.2) is the one overload collapses. */
    table(0.0);
    table(0.2);
    printf("\ngoodput: successful calls / time until the last call ended; rejected: attempts "
           "the server answered 503; throttled: attempts held back by the client\n");
    return 0;
}
