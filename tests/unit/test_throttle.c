/*
 * Adaptive client-side throttling (src/core/throttle.c) on a fake clock
 * with a seeded PRNG: no rejection while the host accepts, the observed
 * rejection rate against the formula, the window sliding, what counts as
 * accepted, and the decision for a locally rejected attempt.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apierr.h"

#include <math.h>
#include <string.h>

#define T0 5000000LL

static apierr_throttle_opts on(void)
{
    apierr_throttle_opts o = APIERR_THROTTLE_OPTS_INIT;
    o.enabled = 1;
    return o;
}

/* A random source that must not be called. */
static uint64_t no_draw(void *payload)
{
    (void)payload;
    fail_msg("random drawn where the probability is 0");
    return 0;
}

static void test_all_accepted_no_rejection(void **state)
{
    (void)state;
    apierr_throttle_opts o = on();
    apierr_throttle t;
    apierr_throttle_init(&t);
    for (int i = 0; i < 10000; i++) {
        long long now = T0 + i * 10; /* 100 s: within the 2 minute window */
        assert_int_equal(apierr_throttle_allow(&t, &o, now, no_draw, NULL), 1);
        apierr_throttle_record(&t, &o, now, 1);
    }
    double r, a;
    apierr_throttle_counts(&t, &o, T0 + 99990, &r, &a);
    assert_true(r == 10000 && a == 10000);
    assert_true(apierr_throttle_probability(&t, &o, T0 + 99990) == 0);
}

static void test_off_never_rejects(void **state)
{
    (void)state;
    apierr_throttle_opts o = APIERR_THROTTLE_OPTS_INIT; /* off by default */
    apierr_throttle t;
    apierr_throttle_init(&t);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(apierr_throttle_allow(&t, &o, T0, no_draw, NULL), 1);
    assert_true(apierr_throttle_probability(&t, &o, T0) == 0);
    double r;
    apierr_throttle_counts(&t, &o, T0, &r, NULL);
    assert_true(r == 0);
    /* An unknown version: off too. */
    o = on();
    o.version = APIERR_THROTTLE_OPTS_VERSION + 1;
    assert_int_equal(apierr_throttle_allow(&t, &o, T0, no_draw, NULL), 1);
}

/* Fills the window at now with `requests` attempts (allowed or not) and
 * `accepts` accepts, through the public functions. */
static void fill(apierr_throttle *t, const apierr_throttle_opts *o, long long now, int requests,
                 int accepts)
{
    for (int i = 0; i < accepts; i++) apierr_throttle_record(t, o, now, 1);
    for (int i = 0; i < requests; i++) {
        apierr_rng rng;
        apierr_rng_seed(&rng, (uint64_t)i);
        apierr_throttle_allow(t, o, now, apierr_rng_next, &rng);
    }
}

static void test_rate_matches_formula(void **state)
{
    (void)state;
    static const struct {
        int requests, accepts;
        double k;
    } rows[] = {
        {1000, 100, 2.0}, {1000, 400, 2.0}, {1000, 0, 2.0}, {600, 200, 1.5}, {1000, 499, 2.0}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        apierr_throttle_opts o = on();
        o.k = rows[i].k;
        apierr_throttle t;
        apierr_throttle_init(&t);
        fill(&t, &o, T0, rows[i].requests, rows[i].accepts);
        double want = (rows[i].requests - rows[i].k * rows[i].accepts) / (rows[i].requests + 1);
        if (want < 0) want = 0;
        double p = apierr_throttle_probability(&t, &o, T0);
        if (fabs(p - want) > 1e-12) fail_msg("row %zu: p %f, formula %f", i, p, want);
        /* Draw many times against a frozen window (a copy each time, so
         * that the requests the draws add do not move p). */
        apierr_rng rng;
        apierr_rng_seed(&rng, 42 + i);
        int n = 200000, rejected = 0;
        for (int d = 0; d < n; d++) {
            apierr_throttle copy = t;
            rejected += !apierr_throttle_allow(&copy, &o, T0, apierr_rng_next, &rng);
        }
        double rate = (double)rejected / n;
        /* 200000 draws: the standard error is at most 0.0012; 0.006 is 5 of them. */
        if (fabs(rate - want) > 0.006)
            fail_msg("row %zu: rejected %f of the draws, formula %f", i, rate, want);
    }
}

static void test_k_below_one_reads_as_one(void **state)
{
    (void)state;
    apierr_throttle_opts o = on();
    o.k = 0.5;
    apierr_throttle t;
    apierr_throttle_init(&t);
    fill(&t, &o, T0, 100, 100);
    assert_true(apierr_throttle_probability(&t, &o, T0) == 0);
}

static void test_window_slides(void **state)
{
    (void)state;
    apierr_throttle_opts o = on();
    o.window_ms = 16000; /* 16 buckets of 1 s */
    apierr_throttle t;
    apierr_throttle_init(&t);
    /* A burst of rejections at T0: p high. */
    fill(&t, &o, T0, 1000, 0);
    assert_true(apierr_throttle_probability(&t, &o, T0) > 0.99);
    /* Accepted traffic afterwards, one bucket a second. */
    for (int s = 1; s < 16; s++) {
        long long now = T0 + s * 1000LL;
        for (int i = 0; i < 10; i++) apierr_throttle_record(&t, &o, now, 1);
    }
    /* Still within the window at T0 + 15 s: the burst counts. */
    double r, a;
    apierr_throttle_counts(&t, &o, T0 + 15000, &r, &a);
    assert_true(r == 1000 && a == 150);
    assert_true(apierr_throttle_probability(&t, &o, T0 + 15000) > 0.6);
    /* One bucket later the burst's bucket has expired. */
    apierr_throttle_counts(&t, &o, T0 + 16000, &r, &a);
    assert_true(r == 0 && a == 150);
    assert_true(apierr_throttle_probability(&t, &o, T0 + 16000) == 0);
    /* Long after, nothing is left, and a reused bucket starts empty. */
    apierr_throttle_counts(&t, &o, T0 + 1000000, &r, &a);
    assert_true(r == 0 && a == 0);
    apierr_throttle_record(&t, &o, T0 + 16000 * 5, 1);
    apierr_throttle_counts(&t, &o, T0 + 16000 * 5, &r, &a);
    assert_true(r == 0 && a == 1);
}

static void test_rejections_keep_counting(void **state)
{
    (void)state;
    /* A host that accepts nothing: the client ends up rejecting nearly all,
     * and the rejected attempts count as requests (the book's rule). */
    apierr_throttle_opts o = on();
    apierr_throttle t;
    apierr_throttle_init(&t);
    apierr_rng rng;
    apierr_rng_seed(&rng, 7);
    int sent = 0;
    for (int i = 0; i < 1000; i++) {
        if (apierr_throttle_allow(&t, &o, T0 + i, apierr_rng_next, &rng)) {
            sent++;
            apierr_throttle_record(&t, &o, T0 + i, 0);
        }
    }
    double r;
    apierr_throttle_counts(&t, &o, T0 + 999, &r, NULL);
    assert_true(r == 1000);
    assert_true(sent < 20); /* about sum 1/(n+1) = ln(1000) */
}

static void test_accepted(void **state)
{
    (void)state;
    assert_true(apierr_throttle_accepted(APIERR_TRANSPORT_NONE, 200));
    assert_true(apierr_throttle_accepted(APIERR_TRANSPORT_NONE, 404));
    assert_true(apierr_throttle_accepted(APIERR_TRANSPORT_NONE, 500));
    assert_false(apierr_throttle_accepted(APIERR_TRANSPORT_NONE, 429));
    assert_false(apierr_throttle_accepted(APIERR_TRANSPORT_NONE, 503));
    assert_false(apierr_throttle_accepted(APIERR_TRANSPORT_TIMEOUT, 0));
    assert_false(apierr_throttle_accepted(APIERR_TRANSPORT_CONNECT_REFUSED, 0));
}

static void test_decide_like_a_503(void **state)
{
    (void)state;
    apierr_policy p = APIERR_POLICY_INIT;
    p.jitter = APIERR_JITTER_NONE;
    p.breaker_threshold = 1;
    apierr_breaker br = APIERR_BREAKER_INIT;
    apierr_call_state call;
    apierr_call_state_init(&call, T0, NULL, &br);
    apierr_rng rng;
    apierr_rng_seed(&rng, 1);
    apierr_decision d;
    assert_int_equal(apierr_throttle_decide(&d, &p, &call, T0, apierr_rng_next, &rng),
                     APIERR_DECISION_RETRY);
    assert_int_equal(d.category, APIERR_CAT_THROTTLED_LOCALLY);
    assert_int_equal(d.delay_ms, 1000); /* the backoff's first step */
    assert_non_null(strstr(d.reason, "adaptive throttling"));
    assert_int_equal(br.state, APIERR_BREAKER_CLOSED); /* the host said nothing */
    assert_ptr_equal(call.breaker, &br);
    assert_int_equal(call.attempts, 1);
    /* The policy's limits still end it: out of attempts. */
    for (int i = 1; i < 3; i++) apierr_throttle_decide(&d, &p, &call, T0, apierr_rng_next, &rng);
    assert_int_equal(apierr_throttle_decide(&d, &p, &call, T0, apierr_rng_next, &rng),
                     APIERR_DECISION_FAIL);
    assert_int_equal(d.category, APIERR_CAT_THROTTLED_LOCALLY);
    assert_string_equal(apierr_category_name(APIERR_CAT_THROTTLED_LOCALLY), "throttled_locally");
}

static void test_opts_init(void **state)
{
    (void)state;
    apierr_throttle_opts o;
    memset(&o, 0xff, sizeof o);
    assert_int_equal(apierr_throttle_opts_init(&o, APIERR_THROTTLE_OPTS_VERSION), APIERR_OK);
    assert_int_equal(o.enabled, 0);
    assert_true(o.k == 2.0);
    assert_int_equal(o.window_ms, 120000);
    assert_int_equal(apierr_throttle_opts_init(&o, 0), APIERR_EVERSION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_accepted_no_rejection),
        cmocka_unit_test(test_off_never_rejects),
        cmocka_unit_test(test_rate_matches_formula),
        cmocka_unit_test(test_k_below_one_reads_as_one),
        cmocka_unit_test(test_window_slides),
        cmocka_unit_test(test_rejections_keep_counting),
        cmocka_unit_test(test_accepted),
        cmocka_unit_test(test_decide_like_a_503),
        cmocka_unit_test(test_opts_init),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
