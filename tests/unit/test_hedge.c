/*
 * Hedged requests (src/core/hedge.c) on a fake clock: when a hedge goes out
 * and when not (delay, max_hedges, method and key, pushback, budget), when
 * the next is due, which answer wins, and the DELAY[:MAX] spec.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apierr.h"

#include <string.h>

#define T0 1000000LL

static apierr_hedge_opts opts(long long delay_ms, int max_hedges)
{
    apierr_hedge_opts o = APIERR_HEDGE_OPTS_INIT;
    o.delay_ms = delay_ms;
    o.max_hedges = max_hedges;
    return o;
}

/* should_send for a GET, without key, host or budget. */
static apierr_hedge_verdict send_get(apierr_hedge_state *s, const apierr_hedge_opts *o,
                                     long long now)
{
    return apierr_hedge_should_send(s, o, NULL, APIERR_METHOD_GET, 0, now, NULL, NULL);
}

static void test_after_the_delay_not_before(void **state)
{
    (void)state;
    apierr_hedge_opts o = opts(150, 1);
    apierr_hedge_state s;
    apierr_hedge_start(&s, T0);
    assert_int_equal(apierr_hedge_next_at(&s, &o, APIERR_METHOD_GET, 0, NULL), T0 + 150);
    assert_int_equal(send_get(&s, &o, T0), APIERR_HEDGE_WAIT);
    assert_int_equal(send_get(&s, &o, T0 + 149), APIERR_HEDGE_WAIT);
    assert_int_equal(s.hedges, 0);
    assert_int_equal(s.inflight, 1);
    assert_int_equal(send_get(&s, &o, T0 + 150), APIERR_HEDGE_SEND);
    assert_int_equal(s.hedges, 1);
    assert_int_equal(s.inflight, 2);
    assert_int_equal(s.last_sent_ms, T0 + 150);
}

static void test_off_by_default(void **state)
{
    (void)state;
    apierr_hedge_opts o = APIERR_HEDGE_OPTS_INIT;
    apierr_hedge_state s;
    apierr_hedge_start(&s, T0);
    assert_int_equal(send_get(&s, &o, T0 + 1000000), APIERR_HEDGE_OFF);
    assert_int_equal(apierr_hedge_next_at(&s, &o, APIERR_METHOD_GET, 0, NULL), -1);
    /* Options of an unknown version: off, never a guess. */
    o = opts(10, 1);
    o.version = APIERR_HEDGE_OPTS_VERSION + 1;
    assert_int_equal(send_get(&s, &o, T0 + 1000000), APIERR_HEDGE_OFF);
    o.version = 0;
    assert_int_equal(send_get(&s, &o, T0 + 1000000), APIERR_HEDGE_OFF);
}

static void test_max_hedges(void **state)
{
    (void)state;
    apierr_hedge_opts o = opts(100, 3);
    apierr_hedge_state s;
    apierr_hedge_start(&s, T0);
    /* Each hedge waits the delay after the one before. */
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(apierr_hedge_next_at(&s, &o, APIERR_METHOD_GET, 0, NULL), T0 + 100 * i);
        assert_int_equal(send_get(&s, &o, T0 + 100 * i - 1), APIERR_HEDGE_WAIT);
        assert_int_equal(send_get(&s, &o, T0 + 100 * i), APIERR_HEDGE_SEND);
    }
    assert_int_equal(s.hedges, 3);
    assert_int_equal(send_get(&s, &o, T0 + 100000), APIERR_HEDGE_LIMIT);
    assert_int_equal(apierr_hedge_next_at(&s, &o, APIERR_METHOD_GET, 0, NULL), -1);
    assert_int_equal(s.inflight, 4);
}

static void test_never_a_keyless_post(void **state)
{
    (void)state;
    apierr_hedge_opts o = opts(50, 2);
    apierr_method unsafe[] = {APIERR_METHOD_POST, APIERR_METHOD_PATCH, APIERR_METHOD_OTHER};
    for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++) {
        apierr_hedge_state s;
        apierr_hedge_start(&s, T0);
        assert_int_equal(
            apierr_hedge_should_send(&s, &o, NULL, unsafe[i], 0, T0 + 100000, NULL, NULL),
            APIERR_HEDGE_NOT_REPEATABLE);
        assert_int_equal(apierr_hedge_next_at(&s, &o, unsafe[i], 0, NULL), -1);
        assert_int_equal(s.hedges, 0);
    }
    /* Every idempotent method may be hedged without a key. */
    for (int m = 0; m < APIERR_METHOD__COUNT; m++) {
        if (!apierr_method_idempotent((apierr_method)m)) continue;
        apierr_hedge_state s;
        apierr_hedge_start(&s, T0);
        assert_int_equal(
            apierr_hedge_should_send(&s, &o, NULL, (apierr_method)m, 0, T0 + 50, NULL, NULL),
            APIERR_HEDGE_SEND);
    }
}

static void test_post_with_a_key(void **state)
{
    (void)state;
    apierr_hedge_opts o = opts(50, 1);
    apierr_hedge_state s;
    apierr_hedge_start(&s, T0);
    assert_int_equal(apierr_hedge_next_at(&s, &o, APIERR_METHOD_POST, 1, NULL), T0 + 50);
    assert_int_equal(
        apierr_hedge_should_send(&s, &o, NULL, APIERR_METHOD_POST, 1, T0 + 49, NULL, NULL),
        APIERR_HEDGE_WAIT);
    assert_int_equal(
        apierr_hedge_should_send(&s, &o, NULL, APIERR_METHOD_POST, 1, T0 + 50, NULL, NULL),
        APIERR_HEDGE_SEND);
}

static void test_pushback_until_its_end(void **state)
{
    (void)state;
    apierr_hedge_opts o = opts(100, 2);
    apierr_hedge_host host = APIERR_HEDGE_HOST_INIT;
    /* What is not pushback records nothing. */
    assert_int_equal(apierr_hedge_host_pushback(&host, 503, -1, T0), 0);
    assert_int_equal(apierr_hedge_host_pushback(&host, 500, 5000, T0), 0);
    assert_int_equal(apierr_hedge_host_pushback(&host, 200, 5000, T0), 0);
    assert_int_equal(host.pushback_until_ms, 0);
    /* A 503 asking 2 s at T0 + 10: no hedge to the host before T0 + 2010. */
    assert_int_equal(apierr_hedge_host_pushback(&host, 503, 2000, T0 + 10), 1);
    assert_int_equal(host.pushback_until_ms, T0 + 2010);
    /* A shorter one later does not cut it. */
    assert_int_equal(apierr_hedge_host_pushback(&host, 429, 0, T0 + 20), 1);
    assert_int_equal(host.pushback_until_ms, T0 + 2010);

    apierr_hedge_state s;
    apierr_hedge_start(&s, T0 + 50);
    assert_int_equal(apierr_hedge_next_at(&s, &o, APIERR_METHOD_GET, 0, &host), T0 + 2010);
    assert_int_equal(
        apierr_hedge_should_send(&s, &o, NULL, APIERR_METHOD_GET, 0, T0 + 150, &host, NULL),
        APIERR_HEDGE_PUSHBACK);
    assert_int_equal(
        apierr_hedge_should_send(&s, &o, NULL, APIERR_METHOD_GET, 0, T0 + 2009, &host, NULL),
        APIERR_HEDGE_PUSHBACK);
    assert_int_equal(s.hedges, 0);
    assert_int_equal(
        apierr_hedge_should_send(&s, &o, NULL, APIERR_METHOD_GET, 0, T0 + 2010, &host, NULL),
        APIERR_HEDGE_SEND);
    /* A Retry-After that would overflow saturates. */
    assert_int_equal(apierr_hedge_host_pushback(&host, 429, 0x7fffffffffffffffLL, T0), 1);
    assert_true(host.pushback_until_ms > T0);
}

static void test_budget_stops_hedges(void **state)
{
    (void)state;
    apierr_policy p = APIERR_POLICY_INIT;
    p.budget = APIERR_BUDGET_AWS;
    p.budget_max_tokens = 12;
    p.budget_retry_cost = 5;
    apierr_budget b;
    apierr_budget_init(&b, &p);
    apierr_hedge_opts o = opts(10, 16);
    apierr_hedge_state s;
    apierr_hedge_start(&s, T0);
    long long now = T0;
    /* 12 tokens pay two hedges of 5, not a third. */
    for (int i = 0; i < 2; i++) {
        now += 10;
        assert_int_equal(apierr_hedge_should_send(&s, &o, &p, APIERR_METHOD_GET, 0, now, NULL, &b),
                         APIERR_HEDGE_SEND);
    }
    assert_true(b.tokens == 2.0);
    now += 10;
    assert_int_equal(apierr_hedge_should_send(&s, &o, &p, APIERR_METHOD_GET, 0, now, NULL, &b),
                     APIERR_HEDGE_BUDGET);
    assert_true(b.tokens == 2.0);
    assert_int_equal(s.hedges, 2);
    /* The timer still says when: the budget may refill before then. */
    assert_int_equal(apierr_hedge_next_at(&s, &o, APIERR_METHOD_GET, 0, NULL), now - 10 + 10);

    /* grpc: hedges go out while tokens > max / 2. */
    p.budget = APIERR_BUDGET_GRPC;
    p.budget_max_tokens = 10;
    apierr_budget_init(&b, &p);
    apierr_hedge_start(&s, T0);
    assert_int_equal(apierr_hedge_should_send(&s, &o, &p, APIERR_METHOD_GET, 0, T0 + 10, NULL, &b),
                     APIERR_HEDGE_SEND);
    b.tokens = 5;
    assert_int_equal(apierr_hedge_should_send(&s, &o, &p, APIERR_METHOD_GET, 0, T0 + 20, NULL, &b),
                     APIERR_HEDGE_BUDGET);

    /* Budget off: a budget given costs nothing. */
    p.budget = APIERR_BUDGET_OFF;
    b.tokens = 0;
    assert_int_equal(apierr_hedge_should_send(&s, &o, &p, APIERR_METHOD_GET, 0, T0 + 20, NULL, &b),
                     APIERR_HEDGE_SEND);
}

static apierr_decision decision(apierr_decision_kind kind, apierr_action action)
{
    apierr_decision d;
    memset(&d, 0, sizeof d);
    d.kind = kind;
    d.action = action;
    return d;
}

static void test_winner(void **state)
{
    (void)state;
    apierr_hedge_opts o = opts(100, 2);
    apierr_hedge_state s;
    apierr_hedge_start(&s, T0);
    assert_int_equal(send_get(&s, &o, T0 + 100), APIERR_HEDGE_SEND);
    assert_int_equal(send_get(&s, &o, T0 + 200), APIERR_HEDGE_SEND);
    assert_int_equal(s.inflight, 3);
    /* A retryable 503 of one attempt does not end the call while two are out. */
    apierr_decision retry = decision(APIERR_DECISION_RETRY, APIERR_ACTION_RETRY);
    assert_int_equal(apierr_hedge_winner(&s, &retry), 0);
    assert_int_equal(s.inflight, 2);
    /* Nor a retryable one the policy fails (budget, attempts). */
    apierr_decision spent = decision(APIERR_DECISION_FAIL, APIERR_ACTION_RETRY);
    assert_int_equal(apierr_hedge_winner(&s, &spent), 0);
    assert_int_equal(s.inflight, 1);
    assert_false(s.finished);
    /* The first done wins; the one still out is cancelled. */
    apierr_hedge_start(&s, T0);
    send_get(&s, &o, T0 + 100);
    apierr_decision done = decision(APIERR_DECISION_DONE, APIERR_ACTION_NONE);
    assert_int_equal(apierr_hedge_winner(&s, &done), 1);
    assert_true(s.finished);
    assert_int_equal(s.cancelled, 1);
    assert_int_equal(s.inflight, 0);
    /* What ends after the winner changes nothing; no more hedges. */
    assert_int_equal(apierr_hedge_winner(&s, &done), 0);
    assert_int_equal(send_get(&s, &o, T0 + 1000), APIERR_HEDGE_FINISHED);
    assert_int_equal(apierr_hedge_next_at(&s, &o, APIERR_METHOD_GET, 0, NULL), -1);
    /* A final answer (404) wins too. */
    apierr_hedge_start(&s, T0);
    send_get(&s, &o, T0 + 100);
    apierr_decision final = decision(APIERR_DECISION_FAIL, APIERR_ACTION_FIX_REQUEST);
    assert_int_equal(apierr_hedge_winner(&s, &final), 1);
    assert_int_equal(s.cancelled, 1);
    /* The last retryable failure: a retry is the caller's to follow, a fail ends it. */
    apierr_hedge_start(&s, T0);
    assert_int_equal(apierr_hedge_winner(&s, &retry), 0);
    assert_int_equal(s.inflight, 0);
    assert_int_equal(send_get(&s, &o, T0 + 1000), APIERR_HEDGE_FINISHED);
    apierr_hedge_start(&s, T0);
    assert_int_equal(apierr_hedge_winner(&s, &spent), 1);
    assert_int_equal(s.cancelled, 0);
}

/* The policy's own decisions through winner(): a 503 of the first attempt
 * while a hedge is out is dropped, the hedge's 200 wins. */
static void test_winner_with_the_policy(void **state)
{
    (void)state;
    apierr_hedge_opts o = opts(100, 1);
    apierr_call_state call;
    apierr_call_state_init(&call, T0, NULL, NULL);
    apierr_rng rng;
    apierr_rng_seed(&rng, 3);
    apierr_hedge_state s;
    apierr_hedge_start(&s, T0);
    assert_int_equal(send_get(&s, &o, T0 + 100), APIERR_HEDGE_SEND);
    apierr_outcome busy = APIERR_OUTCOME_INIT;
    busy.status = 503;
    apierr_decision d;
    assert_int_equal(apierr_policy_decide(&d, NULL, &call, &busy, T0 + 120, apierr_rng_next, &rng),
                     APIERR_DECISION_RETRY);
    assert_int_equal(apierr_hedge_winner(&s, &d), 0);
    apierr_outcome ok = APIERR_OUTCOME_INIT;
    ok.status = 200;
    assert_int_equal(apierr_policy_decide(&d, NULL, &call, &ok, T0 + 130, apierr_rng_next, &rng),
                     APIERR_DECISION_DONE);
    assert_int_equal(apierr_hedge_winner(&s, &d), 1);
    assert_int_equal(s.cancelled, 0);
}

static void test_spec(void **state)
{
    (void)state;
    static const struct {
        const char *spec;
        int rc;
        long long delay;
        int max;
    } rows[] = {
        {"150ms", APIERR_OK, 150, 1},       {"2s", APIERR_OK, 2000, 1},
        {"0.25s:3", APIERR_OK, 250, 3},     {" 150ms : 2 ", APIERR_OK, 150, 2},
        {"1", APIERR_OK, 1000, 1},          {"0", APIERR_OK, 0, 1},
        {"150ms:16", APIERR_OK, 150, 16},   {"150ms:17", APIERR_ERANGE, 0, 0},
        {"150ms:0", APIERR_ERANGE, 0, 0},   {"3600s", APIERR_OK, 3600000, 1},
        {"3601s", APIERR_ERANGE, 0, 0},     {"99999999999999999999s", APIERR_ERANGE, 0, 0},
        {"150ms:1.5", APIERR_EPARSE, 0, 0}, {"150ms:", APIERR_EPARSE, 0, 0},
        {":2", APIERR_EPARSE, 0, 0},        {"150ms:2:3", APIERR_EPARSE, 0, 0},
        {"-1s", APIERR_EPARSE, 0, 0},       {"fast", APIERR_EPARSE, 0, 0},
        {"", APIERR_EPARSE, 0, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        apierr_hedge_opts o = opts(7, 9);
        int rc = apierr_hedge_spec_parse(&o, rows[i].spec, strlen(rows[i].spec));
        if (rc != rows[i].rc) fail_msg("\"%s\": rc %d, expected %d", rows[i].spec, rc, rows[i].rc);
        if (rc == APIERR_OK) {
            assert_int_equal(o.delay_ms, rows[i].delay);
            assert_int_equal(o.max_hedges, rows[i].max);
        } else {
            assert_int_equal(o.delay_ms, 7); /* untouched */
            assert_int_equal(o.max_hedges, 9);
        }
    }
    /* Not NUL-terminated: only len bytes are read. */
    apierr_hedge_opts o = opts(0, 1);
    assert_int_equal(apierr_hedge_spec_parse(&o, "20ms:29", 6), APIERR_OK);
    assert_int_equal(o.max_hedges, 2);
    assert_int_equal(apierr_hedge_spec_parse(&o, NULL, 0), APIERR_EPARSE);
}

static void test_opts_init(void **state)
{
    (void)state;
    apierr_hedge_opts o;
    memset(&o, 0xff, sizeof o);
    assert_int_equal(apierr_hedge_opts_init(&o, APIERR_HEDGE_OPTS_VERSION), APIERR_OK);
    apierr_hedge_opts want = APIERR_HEDGE_OPTS_INIT;
    assert_int_equal(o.version, want.version);
    assert_int_equal(o.delay_ms, 0);
    assert_int_equal(o.max_hedges, 1);
    assert_int_equal(apierr_hedge_opts_init(&o, 0), APIERR_EVERSION);
    assert_int_equal(apierr_hedge_opts_init(&o, APIERR_HEDGE_OPTS_VERSION + 1), APIERR_EVERSION);
    assert_string_equal(apierr_hedge_verdict_name(APIERR_HEDGE_PUSHBACK), "pushback");
    assert_null(apierr_hedge_verdict_name(APIERR_HEDGE__COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_after_the_delay_not_before),
        cmocka_unit_test(test_off_by_default),
        cmocka_unit_test(test_max_hedges),
        cmocka_unit_test(test_never_a_keyless_post),
        cmocka_unit_test(test_post_with_a_key),
        cmocka_unit_test(test_pushback_until_its_end),
        cmocka_unit_test(test_budget_stops_hedges),
        cmocka_unit_test(test_winner),
        cmocka_unit_test(test_winner_with_the_policy),
        cmocka_unit_test(test_spec),
        cmocka_unit_test(test_opts_init),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
