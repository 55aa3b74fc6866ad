/* Keyed fault draws (faults.h): a request's fault depends on the seed, its
 * key and how many times that key drew before, never on the order of the
 * other requests; and the statuses still come with their probabilities. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "faults.h"

#include <stdio.h>
#include <string.h>

enum { KEYS = 40, ARRIVALS = 6 };

static refapi_fault_key key_of(int i)
{
    char target[64];
    snprintf(target, sizeof target, "/v1/tenants/acme/invoices?call=%d", i);
    refapi_fault_key k = refapi_fault_key_init();
    refapi_fault_key_add(&k, "GET");
    refapi_fault_key_add(&k, target);
    refapi_fault_key_add(&k, NULL);
    return k;
}

/* A fault as one number, to compare draws. */
static int code_of(const refapi_fault *f)
{
    return f->status * 16 + f->reset * 8 + f->drop * 4 + f->die * 2 + (f->latency_ms > 0);
}

static void parse(refapi_faults *f, const char *spec, uint64_t seed)
{
    char err[128];
    assert_int_equal(refapi_faults_parse(f, spec, seed, err, sizeof err), 0);
}

#define SPEC "503:0.2:1,429:0.2:2,latency:5:0.3,reset:0.1,drop:0.1,die:0.05"

/* Every key's ARRIVALS draws, the keys interleaved in the order given by
 * step (a stride through the keys, coprime with KEYS): out[i][n] is the
 * fault of key i's n-th arrival. */
static void draw_all(int out[KEYS][ARRIVALS], uint64_t seed, int step)
{
    refapi_faults f;
    parse(&f, SPEC, seed);
    int n[KEYS] = {0};
    for (int t = 0; t < KEYS * ARRIVALS; t++) {
        int i = (t * step + t / KEYS) % KEYS;
        refapi_fault got;
        refapi_faults_draw(&f, &got, 10000, key_of(i));
        out[i][n[i]++] = code_of(&got);
    }
    for (int i = 0; i < KEYS; i++) assert_int_equal(n[i], ARRIVALS);
    refapi_faults_destroy(&f);
}

/* How many draws differ between two runs (seed, step); faults: how many
 * of the first run's draws are faults. */
static int differences(uint64_t seed_a, int step_a, uint64_t seed_b, int step_b, int *faults)
{
    static int a[KEYS][ARRIVALS], b[KEYS][ARRIVALS];
    draw_all(a, seed_a, step_a);
    draw_all(b, seed_b, step_b);
    int differ = 0;
    *faults = 0;
    for (int i = 0; i < KEYS; i++)
        for (int n = 0; n < ARRIVALS; n++) {
            differ += a[i][n] != b[i][n];
            *faults += a[i][n] != 0;
        }
    return differ;
}

static void test_order_does_not_matter(void **state)
{
    (void)state;
    int faults;
    assert_int_equal(differences(1, 1, 1, 7, &faults), 0);
    /* Not all alike: the draws of one key differ with its arrival. */
    assert_true(faults > 0 && faults < KEYS * ARRIVALS);
}

static void test_seeds_differ(void **state)
{
    (void)state;
    int faults;
    assert_true(differences(1, 1, 2, 1, &faults) > KEYS * ARRIVALS / 4);
}

/* The key's parts: the Idempotency-Key and the method count, and a part
 * absent is not an empty one. */
static void test_key_parts(void **state)
{
    (void)state;
    const char *keys[][3] = {{"POST", "/v1/x", NULL}, {"POST", "/v1/x", "k1"},
                             {"POST", "/v1/x", "k2"}, {"POST", "/v1/x", ""},
                             {"PUT", "/v1/x", NULL},  {"POST", "/v1/", "x"}};
    size_t n = sizeof keys / sizeof keys[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++) {
            refapi_fault_key a = refapi_fault_key_init(), b = refapi_fault_key_init();
            for (int p = 0; p < 3; p++) {
                refapi_fault_key_add(&a, keys[i][p]);
                refapi_fault_key_add(&b, keys[j][p]);
            }
            assert_true(a != b);
        }
}

/* Over many keys each status comes with its probability, the outage draws
 * nothing (the first draw after it is a key's draw 0), and beyond the table
 * draws go on in arrival order. */
static void test_probabilities(void **state)
{
    (void)state;
    refapi_faults f;
    parse(&f, "outage:3,503:0.1:1,429:0.2:2", 5);
    enum { N = 3 * REFAPI_FAULT_KEYS / 2 };
    int s503 = 0, s429 = 0, first[64];
    for (int i = 0; i < N; i++) {
        refapi_fault got;
        if (i < 64) {
            refapi_faults_draw(&f, &got, 1000, key_of(i));
            assert_int_equal(got.status, 503);
            assert_int_equal(got.retry_after_s, 2);
        }
        refapi_faults_draw(&f, &got, 5000, key_of(i));
        if (i < 64) first[i] = code_of(&got);
        s503 += got.status == 503;
        s429 += got.status == 429;
        if (got.status == 503) assert_int_equal(got.retry_after_s, 1);
    }
    /* Binomial, n = 49152: 5 standard deviations are ~0.7% and ~0.9%. */
    assert_true(s503 > N * 0.09 && s503 < N * 0.11);
    assert_true(s429 > N * 0.19 && s429 < N * 0.21);
    refapi_faults_destroy(&f);

    /* Without the outage answers, the first draws are the same. */
    parse(&f, "outage:3,503:0.1:1,429:0.2:2", 5);
    for (int i = 0; i < 64; i++) {
        refapi_fault got;
        refapi_faults_draw(&f, &got, 5000, key_of(i));
        assert_int_equal(code_of(&got), first[i]);
    }
    refapi_faults_destroy(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_does_not_matter),
        cmocka_unit_test(test_seeds_differ),
        cmocka_unit_test(test_key_parts),
        cmocka_unit_test(test_probabilities),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
