/*
 * The async engine: the state machine of calls on curl's multi interface,
 * one thread.
 *
 * A call is in exactly one place at a time, named by its state (engine.h):
 * the ready queue (waiting for a transfer slot), the timer heap (backing
 * off), the credential waiters (parked until the single-flight refresh
 * ends), its host's pacing queue, or in flight (one curl easy handle,
 * created per attempt and freed after it, so a waiting call costs only its
 * own state). Every decision comes from apierr_policy_decide().
 */
#include "alloc.h"
#include "engine.h"

#include <assert.h>
#include <string.h>

/* 1: every transition is a -v line ("* call 3: ready -> in-flight"). Off,
 * because -v output is what people (and the integration tests) read; a
 * constant rather than #ifdef so that the tracing code keeps compiling. */
#ifndef APIERR_TRACE_MSTATE
#define APIERR_TRACE_MSTATE 0
#endif

static const struct {
    const char *name;
    unsigned from;
} mstates[] = {
#define APIERR__ROW(id, name, from) {name, from},
    APIERR__MSTATE_MAP(APIERR__ROW)
#undef APIERR__ROW
};

const char *apierr__mstate_name(apierr__mstate s)
{
    return (unsigned)s < APIERR__MSTATE__COUNT ? mstates[s].name : "?";
}

void apierr__call_move(apierr__call *k, apierr__mstate to)
{
    assert((unsigned)to < APIERR__MSTATE__COUNT);
    assert(mstates[to].from & (1u << k->mstate));
    if (APIERR_TRACE_MSTATE)
        apierr__client_logf(k->c, "* call %lu: %s -> %s", k->id, apierr__mstate_name(k->mstate),
                            apierr__mstate_name(to));
    k->mstate = to;
}

/* --- the ready queue ------------------------------------------------------------ */

void apierr__call_ready(apierr__call *k)
{
    apierr_client *c = k->c;
    apierr__call_move(k, APIERR__MSTATE_READY);
    k->next = NULL;
    if (c->ready_tail)
        c->ready_tail->next = k;
    else
        c->ready_head = k;
    c->ready_tail = k;
}

static apierr__call *ready_pop(apierr_client *c)
{
    apierr__call *k = c->ready_head;
    if (k) {
        c->ready_head = k->next;
        if (!c->ready_head) c->ready_tail = NULL;
        k->next = NULL;
    }
    return k;
}

long long apierr__call_now(const apierr__call *k)
{
    return apierr__mono_ms() + k->skew_ms;
}

apierr__pace_host *apierr__call_host(const apierr__call *k)
{
    return k->host < k->c->pace.nhosts ? &k->c->pace.hosts[k->host] : NULL;
}

apierr_breaker *apierr__call_breaker(apierr__call *k)
{
    apierr_client *c = k->c;
    apierr_breaker *b = k->host < c->pace.nhosts ? &c->pace.hosts[k->host].breaker : &c->breaker;
    k->run->pstate.breaker = b;
    return b;
}

/* --- ending a call --------------------------------------------------------------- */

static void finish(apierr__call *k)
{
    apierr__call_move(k, APIERR__MSTATE_DONE);
    k->run->res.elapsed_ms = apierr__mono_ms() - k->start_ms;
    if (k->done) k->done(k->payload, &k->run->res);
    apierr__call_free(k);
}

static void end_failed(apierr__call *k, apierr_category cat, const char *why,
                       apierr_problem *problem)
{
    apierr_result *res = &k->run->res;
    res->ok = 0;
    res->category = cat;
    apierr__copy_text(res->reason, sizeof res->reason, why);
    if (problem) {
        apierr_problem_free(res->problem);
        res->problem = problem;
    }
    if (!res->problem && apierr_problem_new(&res->problem) == APIERR_OK)
        apierr_problem_set(res->problem, APIERR_PF_MESSAGE, why);
    finish(k);
}

void apierr__call_fail(apierr__call *k, apierr_category cat, const char *why,
                       apierr_problem *problem)
{
    if (!k->run && apierr__call_run_open(k, NULL) && !k->run) {
        /* A call that never started, and no memory for its run: its
         * result lives here while it ends. */
        apierr__run fallback = {0};
        apierr__call_run_open(k, &fallback);
        end_failed(k, cat, why, problem);
        return;
    }
    end_failed(k, cat, why, problem);
}

/* Gives k its run before its first attempt goes out or is recorded (a
 * call waits for its slot, its credentials or its pacer without one). 0,
 * or -1 when out of memory: k failed. */
static int run_given(apierr__call *k)
{
    if (k->run || !apierr__call_run_open(k, NULL)) return 0;
    apierr__call_fail(k, APIERR_CAT_NETWORK, "out of memory starting the call", NULL);
    return -1;
}

/* --- an attempt ------------------------------------------------------------------ */

static void back_off(apierr__call *k, const apierr_decision *d, const apierr_attempt *a);

/* An attempt adaptive throttling held back: recorded, and retried like a
 * 503 (or the call fails, as apierr_throttle_decide() says). */
static void throttled(apierr__call *k)
{
    apierr_decision d;
    if (run_given(k)) return;
    apierr__call_breaker(k);
    apierr_throttle_decide(&d, k->policy, &k->run->pstate, apierr__call_now(k), apierr_rng_next,
                           &k->c->rng);
    apierr_attempt *a = apierr__attempt_throttled(k, &d);
    if (d.kind == APIERR_DECISION_RETRY)
        back_off(k, &d, a);
    else
        apierr__call_fail(k, d.category, d.reason, NULL);
}

/* Starts the next attempt of a ready call (the first gives it its run),
 * unless it must wait for credentials first (then it parks), adaptive
 * throttling holds it back, its host's pacer holds it (asked once per
 * attempt: a call the pacer releases comes back here), or its host's
 * circuit is open. */
static void start_attempt(apierr__call *k)
{
    if (apierr__creds_park(k)) return;
    if (!k->throttle_passed) {
        if (!apierr__throttle_pass(k)) {
            throttled(k);
            return;
        }
        k->throttle_passed = 1;
    }
    if (apierr__pace_hold(k) || run_given(k)) return;
    if (!apierr_breaker_allow(apierr__call_breaker(k), k->policy, apierr__call_now(k))) {
        apierr__call_fail(k, APIERR_CAT_CIRCUIT_OPEN, "the circuit breaker for the host is open",
                          NULL);
        return;
    }
    apierr__transfer_start(k);
}

/* The policy's decision on an answer; a GraphQL response that carries
 * errors without data is a failure whatever its status, with data a
 * partial success (apierr_graphql_kind_of(), shared with explain). */
static void decide(apierr_decision *d, apierr__call *k, const apierr__answer *ans)
{
    apierr__call_breaker(k);
    apierr_policy_decide(d, k->policy, &k->run->pstate, &ans->o, ans->now_ms + k->skew_ms,
                         apierr_rng_next, &k->c->rng);
    if (d->kind == APIERR_DECISION_REFRESH && !apierr__creds_can_refresh(k->c)) {
        /* Final, and the server's answer is kept (status, body, problem,
         * request id): only the reason says why nothing was refreshed. */
        d->kind = APIERR_DECISION_FAIL;
        d->category = APIERR_CAT_UNAUTHENTICATED;
        size_t n = strlen(d->reason);
        snprintf(d->reason + n, sizeof d->reason - n, "; not refreshed: %s",
                 apierr__creds_static(k->c) ? "a static token cannot be refreshed"
                                            : "no credentials were given to refresh");
    }
    if (ans->graphql == APIERR_GRAPHQL_FAILED && d->kind == APIERR_DECISION_DONE) {
        apierr_classification cl;
        apierr_graphql_classify(&cl, &ans->o, k->policy);
        d->kind = APIERR_DECISION_FAIL;
        d->category = cl.category;
        snprintf(d->reason, sizeof d->reason, "GraphQL response with errors: %s", cl.reason);
    } else if (ans->graphql == APIERR_GRAPHQL_PARTIAL && d->kind == APIERR_DECISION_DONE) {
        snprintf(d->reason, sizeof d->reason,
                 "GraphQL partial success: data with errors (the result's problem)");
    }
}

/* Backs off before a retry: the policy's delay, scaled (tests), in the
 * timer heap. */
static void back_off(apierr__call *k, const apierr_decision *d, const apierr_attempt *a)
{
    apierr_client *c = k->c;
    if (c->on_retry && a) c->on_retry(c->payload, &k->run->res, a);
    long long real = (long long)((double)d->delay_ms * c->scale);
    k->skew_ms += d->delay_ms - real;
    if (apierr__heap_push(&c->timers, apierr__mono_ms() + real, k))
        apierr__call_fail(k, d->category, "out of memory scheduling a retry", NULL);
    else
        apierr__call_move(k, APIERR__MSTATE_BACKOFF);
}

/* A retryable answer while other attempts of the call are out: recorded
 * as the policy judged it, not followed (they may still succeed). */
static void drop(apierr__call *k, const apierr__answer *ans, apierr_decision *d)
{
    size_t n = strlen(d->reason);
    snprintf(d->reason + n, sizeof d->reason - n, "; not followed: another attempt is out");
    d->delay_ms = 0;
    apierr__answer_record(k, ans, d);
    apierr_problem_free(ans->p);
    apierr__leg_release(k->c, &k->run->at);
}

static void attempt_done(apierr__call *k, CURLcode rc)
{
    apierr__answer ans;
    apierr__answer_read(&ans, k, rc);
    apierr__pace_answer(k, ans.o.status, ans.h, ans.nh, ans.o.retry_after_ms);
    apierr__throttle_answer(k, &ans);
    apierr__hedge_pushback(k, &ans);
    apierr_decision d;
    decide(&d, k, &ans);
    if (!apierr__hedge_settle(k, &d)) {
        drop(k, &ans, &d);
        return;
    }
    apierr_attempt *a = apierr__answer_record(k, &ans, &d);
    apierr__hedge_cancel(k, &d);
    apierr__hedge_disarm(k);
    if (a) a = &k->run->res.attempts[a->number - 1]; /* the records may have moved */
    if (d.kind == APIERR_DECISION_DONE || d.kind == APIERR_DECISION_FAIL)
        apierr__answer_keep(k, &ans);
    apierr__transfer_release(k);
    switch (d.kind) {
    case APIERR_DECISION_DONE:
        /* A partial success keeps its errors as the result's problem. */
        if (ans.graphql == APIERR_GRAPHQL_PARTIAL && ans.p) {
            apierr_problem_free(k->run->res.problem);
            k->run->res.problem = ans.p;
        } else {
            apierr_problem_free(ans.p);
        }
        k->run->res.ok = 1;
        k->run->res.category = APIERR_CAT_OK;
        apierr__copy_text(k->run->res.reason, sizeof k->run->res.reason, d.reason);
        finish(k);
        return;
    case APIERR_DECISION_FAIL:
        apierr__call_fail(k, d.category, d.reason, ans.p);
        return;
    case APIERR_DECISION_RETRY:
        apierr_problem_free(ans.p);
        back_off(k, &d, a);
        return;
    case APIERR_DECISION_REFRESH:
    default:
        apierr_problem_free(ans.p);
        apierr__creds_refused(k);
        return;
    }
}

/* --- submitting and running ------------------------------------------------------ */

int apierr_client_submit(apierr_client *c, const apierr_request *given, apierr_done_fn done,
                         void *payload)
{
    if (!given) return APIERR_EINVAL;
    apierr_request req;
    int rc = apierr__request_read(&req, given);
    if (rc) return rc;
    if (!req.url || (req.body && req.body_file) || (req.method && !apierr_method_valid(req.method)))
        return APIERR_EINVAL;
    apierr__call *k = apierr__calloc(1, sizeof *k);
    if (!k) return APIERR_ENOMEM;
    k->c = c;
    k->id = ++c->last_id;
    k->mstate = APIERR__MSTATE_NEW; /* born, not moved: the first transition is to READY */
    k->done = done;
    k->payload = payload;
    k->all_next = c->all;
    if (c->all) c->all->all_prev = k;
    c->all = k;
    c->ncalls++;
    if ((rc = apierr__call_init(k, &req))) {
        apierr__call_free(k);
        return rc;
    }
    apierr__call_ready(k);
    return APIERR_OK;
}

/* Moves the calls whose wait is over to the ready queue. Returns the
 * milliseconds until the next timer, or -1 when none. */
static long long fire_timers(apierr_client *c)
{
    long long now = apierr__mono_ms();
    const apierr__timer *t;
    while ((t = apierr__heap_peek(&c->timers)) && t->due_ms <= now) {
        apierr__timer fired;
        apierr__heap_pop(&c->timers, &fired);
        apierr__call_ready(fired.item);
    }
    long long next = t ? t->due_ms - now : -1;
    long long creds = apierr__creds_fire(c, now); /* a token request's retry */
    if (creds >= 0 && (next < 0 || creds < next)) next = creds;
    long long hedge = apierr__hedge_fire(c, now);
    if (hedge >= 0 && (next < 0 || hedge < next)) next = hedge;
    return next;
}

static void pump(apierr_client *c)
{
    while (c->in_flight < c->max_in_flight && c->ready_head) start_attempt(ready_pop(c));
}

static void drain(apierr_client *c)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(c->multi, &left))) {
        if (msg->msg != CURLMSG_DONE) continue;
        CURL *e = msg->easy_handle;
        CURLcode rc = msg->data.result;
        if (e == c->creds.easy) {
            apierr__creds_answer(c, rc);
            continue;
        }
        apierr__call *k = NULL;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&k);
        if (!k) continue;
        apierr__hedge_take(k, e);
        attempt_done(k, rc);
    }
}

int apierr_client_run(apierr_client *c)
{
    while (c->ncalls > 0) {
        fire_timers(c);
        pump(c);
        /* Again: starting attempts may set timers (a pacing hold). */
        long long next = fire_timers(c);
        if (!c->ncalls) break;
        if (!c->in_flight && !c->ready_head && !c->timers.n && apierr__creds_restart(c)) continue;
        int wait = 1000;
        if (c->ready_head && c->in_flight < c->max_in_flight) wait = 0;
        if (next >= 0 && next < wait) wait = (int)next;
        if (curl_multi_poll(c->multi, NULL, 0, wait, NULL) != CURLM_OK) return APIERR_EIO;
        int running;
        if (curl_multi_perform(c->multi, &running) != CURLM_OK) return APIERR_EIO;
        drain(c);
    }
    return APIERR_OK;
}

size_t apierr_client_pending(const apierr_client *c)
{
    return c->ncalls;
}

static void take_result(void *payload, apierr_result *r)
{
    apierr_result_move(payload, r);
}

int apierr_call(apierr_client *c, const apierr_request *req, apierr_result *out)
{
    memset(out, 0, sizeof *out);
    int rc = apierr_client_submit(c, req, take_result, out);
    if (rc) return rc;
    return apierr_client_run(c);
}
