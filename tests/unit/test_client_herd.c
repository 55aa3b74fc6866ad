/* The release of a herd (src/client/herd.c) on a fake clock: calls told
 * to come back at one instant leave one per gap in their order, within the
 * spread the policy allows; a few calls, or a lone one, are never held. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../src/client/herd.h"

/* k calls told at t = 0..k-1 ms (a batch's refusals, a ms apart) to come
 * back wait_ms later. */
static void tell(apierr__herd *h, const apierr__herd_rules *r, int k, long long wait_ms)
{
    for (int i = 0; i < k; i++) apierr__herd_told(h, r, i, wait_ms);
}

/* Sends n attempts, each as soon as the herd lets it go from t on, then
 * (behind: 1 when more wait after the n-th); returns the last send time,
 * and checks each release against want(i) when want_gap_us > 0: first +
 * i * gap, to the ms. */
static long long send_all(apierr__herd *h, const apierr__herd_rules *r, long long t, int n,
                          int behind, long long first, long long want_gap_us)
{
    for (int i = 0; i < n; i++) {
        long long at = apierr__herd_next(h, r, t);
        if (at > t) t = at;
        if (want_gap_us > 0) assert_int_equal(t, first + (i * want_gap_us + 999) / 1000);
        apierr__herd_sent(h, t, i < n - 1 || behind);
    }
    return t;
}

static void test_lone_and_few_calls_are_not_held(void **state)
{
    (void)state;
    apierr__herd_rules r = apierr__herd_rules_of(1000, 1.0);
    apierr__herd h = APIERR__HERD_INIT;
    tell(&h, &r, APIERR__HERD_MIN - 1, 3000);
    /* Every one leaves the instant it is due. */
    for (int i = 0; i < APIERR__HERD_MIN - 1; i++) {
        assert_int_equal(apierr__herd_next(&h, &r, 3000), 3000);
        apierr__herd_sent(&h, 3000, 1);
    }
    /* A lone 429 later: back as told. */
    apierr__herd_told(&h, &r, 4000, 2000);
    assert_int_equal(apierr__herd_next(&h, &r, 6000), 6000);
}

static void test_herd_leaves_at_a_pace_in_order(void **state)
{
    (void)state;
    apierr__herd_rules r = apierr__herd_rules_of(1000, 1.0);
    apierr__herd h = APIERR__HERD_INIT;
    tell(&h, &r, 50, 3000);
    /* Before the instant nothing is held (the timers hold the calls). */
    assert_int_equal(apierr__herd_next(&h, &r, 2999), 2999);
    /* From 3000, one every 2 ms: the 50th at 3098. */
    long long last = send_all(&h, &r, 3000, 50, 0, 3000, APIERR__HERD_GAP_MS * 1000);
    assert_int_equal(last, 3000 + 49 * APIERR__HERD_GAP_MS);
    /* Left, and nothing behind: the host is free again. */
    assert_int_equal(apierr__herd_next(&h, &r, last), last);
}

/* What the herd's answers set off queues behind it and is paced too, until
 * an attempt finds nothing waiting. */
static void test_what_follows_is_paced_until_none_waits(void **state)
{
    (void)state;
    apierr__herd_rules r = apierr__herd_rules_of(1000, 1.0);
    apierr__herd h = APIERR__HERD_INIT;
    tell(&h, &r, 20, 1000);
    long long t = send_all(&h, &r, 1000, 20, 1, 1000, APIERR__HERD_GAP_MS * 1000);
    t = send_all(&h, &r, t, 10, 0, 1000 + 20 * APIERR__HERD_GAP_MS, 0);
    assert_int_equal(t, 1000 + 29 * APIERR__HERD_GAP_MS);
    assert_int_equal(apierr__herd_next(&h, &r, t), t);
}

/* A herd larger than the spread allows at the gap: the gap shrinks, the
 * last leaves within min(spread, RA / 4). */
static void test_large_herd_fits_the_spread(void **state)
{
    (void)state;
    apierr__herd_rules r = apierr__herd_rules_of(1000, 1.0);
    apierr__herd h = APIERR__HERD_INIT;
    for (int i = 0; i < 1000; i++) apierr__herd_told(&h, &r, 0, 3000);
    long long last = send_all(&h, &r, 3000, 1000, 0, 3000, 750);
    assert_true(last <= 3000 + 750);
}

/* Due times further apart than APIERR__HERD_NEAR_MS are two instants: the
 * later group of few is not held. */
static void test_instants_apart(void **state)
{
    (void)state;
    apierr__herd_rules r = apierr__herd_rules_of(1000, 1.0);
    apierr__herd h = APIERR__HERD_INIT;
    tell(&h, &r, APIERR__HERD_MIN, 3000);
    for (int i = 0; i < 3; i++) apierr__herd_told(&h, &r, 500, 3000);
    long long t = send_all(&h, &r, 3000, APIERR__HERD_MIN, 0, 3000, APIERR__HERD_GAP_MS * 1000);
    assert_true(t < 3500);
    assert_int_equal(apierr__herd_next(&h, &r, 3500), 3500);
}

/* A policy without spread, and the time scale of the tests. */
static void test_off_and_scaled(void **state)
{
    (void)state;
    apierr__herd_rules off = apierr__herd_rules_of(0, 1.0);
    apierr__herd h = APIERR__HERD_INIT;
    tell(&h, &off, 50, 3000);
    assert_int_equal(apierr__herd_next(&h, &off, 3000), 3000);

    apierr__herd_rules r = apierr__herd_rules_of(1000, 0.01);
    apierr__herd s = APIERR__HERD_INIT;
    tell(&s, &r, 50, 3000); /* due at 30..79 ms real */
    long long last = send_all(&s, &r, 30, 50, 0, 30, 0);
    /* 50 gaps of 20 us: within the ms. */
    assert_true(last <= 31);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lone_and_few_calls_are_not_held),
        cmocka_unit_test(test_herd_leaves_at_a_pace_in_order),
        cmocka_unit_test(test_what_follows_is_paced_until_none_waits),
        cmocka_unit_test(test_large_herd_fits_the_spread),
        cmocka_unit_test(test_instants_apart),
        cmocka_unit_test(test_off_and_scaled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
