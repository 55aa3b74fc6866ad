/*
 * The retry policy engine: one table row per rule of each seed document
 * (the file is named in the row), the engine's own rules (deadline,
 * Retry-After, idempotency, budget, breaker, jitter), and properties over
 * many random outcomes with a fixed-seed PRNG.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apierr.h"

#include <stdio.h>
#include <string.h>

#define S000 "000_97b8d6764f864ee3.txt"
#define S001 "001_41488b4c593e5b7e.txt"
#define S002 "002_18aa442ee49486cf.txt"
#define S003 "003_3973bba1e03ec5f8.txt"
#define S004 "004_069091b45bdb7744.txt"

enum { GET = APIERR_METHOD_GET, POST = APIERR_METHOD_POST };
#define NOW 1000000LL

/* One seed rule: an outcome after `prior` attempts, and the decision. */
typedef struct seed_row {
    const char *seed, *profile, *what;
    int prior;
    apierr_transport transport;
    int status;
    const char *code;       /* problem code, or NULL for no problem */
    apierr_dialect dialect; /* of the problem */
    long long retry_after;  /* -1 none */
    int method, key, refreshed;
    apierr_decision_kind kind;
    apierr_category cat;
    long long dmin, dmax; /* expected delay range for retry */
} seed_row;

#define T(x)     APIERR_TRANSPORT_##x
#define K(x)     APIERR_DECISION_##x
#define C(x)     APIERR_CAT_##x
#define D(x)     APIERR_DIALECT_##x
#define HTTP(st) T(NONE), st
#define NP       NULL, D(AUTO)

static const seed_row seed_rows[] = {
    /* 000 GipoNext */
    {S000, "giponext", "401: renew the token and retry", 0, HTTP(401), NP, -1, GET, 0, 0,
     K(REFRESH), C(UNAUTHENTICATED), 0, 0},
    {S000, "giponext", "401 again after the refresh: start a new login", 1, HTTP(401), NP, -1, GET,
     0, 1, K(FAIL), C(UNAUTHENTICATED), 0, 0},
    {S000, "giponext", "429: wait Retry-After seconds and retry", 0, HTTP(429), NP, 7000, GET, 0, 0,
     K(RETRY), C(RATE_LIMITED), 7000, 7000},
    {S000, "giponext", "5xx: backoff 1s", 0, HTTP(500), NP, -1, GET, 0, 0, K(RETRY), C(SERVER),
     1000, 1000},
    {S000, "giponext", "5xx: backoff 2s", 1, HTTP(502), NP, -1, GET, 0, 0, K(RETRY), C(SERVER),
     2000, 2000},
    {S000, "giponext", "5xx: backoff 4s", 2, HTTP(503), NP, -1, GET, 0, 0, K(RETRY), C(SERVER),
     4000, 4000},
    {S000, "giponext", "5xx: up to 3 attempts", 3, HTTP(500), NP, -1, GET, 0, 0, K(FAIL), C(SERVER),
     0, 0},
    {S000, "giponext", "5xx: any 5xx", 0, HTTP(507), NP, -1, GET, 0, 0, K(RETRY), C(SERVER), 1000,
     1000},
    {S000, "giponext", "400: parameters are wrong", 0, HTTP(400), NP, -1, GET, 0, 0, K(FAIL),
     C(INVALID_REQUEST), 0, 0},
    {S000, "giponext", "403: verify OAuth scope and role", 0, HTTP(403), NP, -1, GET, 0, 0, K(FAIL),
     C(FORBIDDEN), 0, 0},
    {S000, "giponext", "404: verify tenantId and resource ID", 0, HTTP(404), NP, -1, GET, 0, 0,
     K(FAIL), C(NOT_FOUND), 0, 0},
    {S000, "giponext", "409: re-read the resource first", 0, HTTP(409), NP, -1, GET, 0, 0, K(FAIL),
     C(CONFLICT), 0, 0},
    {S000, "giponext", "422: correct the values", 0, HTTP(422), NP, -1, GET, 0, 0, K(FAIL),
     C(UNPROCESSABLE), 0, 0},
    /* 001 GoTab */
    {S001, "gotab", "429 without Retry-After: 15 s", 0, HTTP(429), NP, -1, GET, 0, 0, K(RETRY),
     C(RATE_LIMITED), 15000, 15000},
    {S001, "gotab", "429: wait the indicated time", 2, HTTP(429), NP, 3000, GET, 0, 0, K(RETRY),
     C(RATE_LIMITED), 3000, 3000},
    {S001, "gotab", "500: min(1s * 2^0, 30s)", 0, HTTP(500), NP, -1, GET, 0, 0, K(RETRY), C(SERVER),
     1000, 1000},
    {S001, "gotab", "502: min(1s * 2^1, 30s)", 1, HTTP(502), NP, -1, GET, 0, 0, K(RETRY), C(SERVER),
     2000, 2000},
    {S001, "gotab", "503: min(1s * 2^2, 30s)", 2, HTTP(503), NP, -1, GET, 0, 0, K(RETRY), C(SERVER),
     4000, 4000},
    {S001, "gotab", "504: min(1s * 2^3, 30s)", 3, HTTP(504), NP, -1, GET, 0, 0, K(RETRY), C(SERVER),
     8000, 8000},
    {S001, "gotab", "maxRetries = 4", 4, HTTP(500), NP, -1, GET, 0, 0, K(FAIL), C(SERVER), 0, 0},
    {S001, "gotab", "network timeouts are retryable", 0, T(TIMEOUT), 0, NP, -1, GET, 0, 0, K(RETRY),
     C(TIMEOUT), 1000, 1000},
    {S001, "gotab", "only timeouts among network failures", 0, T(RESET), 0, NP, -1, GET, 0, 0,
     K(FAIL), C(NETWORK), 0, 0},
    {S001, "gotab", "400 non-retryable", 0, HTTP(400), NP, -1, GET, 0, 0, K(FAIL),
     C(INVALID_REQUEST), 0, 0},
    {S001, "gotab", "403 non-retryable", 0, HTTP(403), NP, -1, GET, 0, 0, K(FAIL), C(FORBIDDEN), 0,
     0},
    {S001, "gotab", "404 non-retryable", 0, HTTP(404), NP, -1, GET, 0, 0, K(FAIL), C(NOT_FOUND), 0,
     0},
    {S001, "gotab", "409 non-retryable", 0, HTTP(409), NP, -1, GET, 0, 0, K(FAIL), C(CONFLICT), 0,
     0},
    {S001, "gotab", "422 non-retryable", 0, HTTP(422), NP, -1, GET, 0, 0, K(FAIL), C(UNPROCESSABLE),
     0, 0},
    {S001, "gotab", "501 is not in the list", 0, HTTP(501), NP, -1, GET, 0, 0, K(FAIL), C(SERVER),
     0, 0},
    {S001, "gotab", "401 invalid_token: refresh and retry", 0, HTTP(401), "invalid_token", D(FLAT),
     -1, GET, 0, 0, K(REFRESH), C(UNAUTHENTICATED), 0, 0},
    {S001, "gotab", "401 unauthorized: send the header", 0, HTTP(401), "unauthorized", D(FLAT), -1,
     GET, 0, 0, K(FAIL), C(UNAUTHENTICATED), 0, 0},
    {S001, "gotab", "GraphQL UNAUTHENTICATED: refresh", 0, HTTP(200), "UNAUTHENTICATED", D(GRAPHQL),
     -1, POST, 0, 0, K(REFRESH), C(UNAUTHENTICATED), 0, 0},
    /* 002 nested */
    {S002, "nested", "tokens expire after 1 h: refresh", 0, HTTP(401), NP, -1, GET, 0, 0,
     K(REFRESH), C(UNAUTHENTICATED), 0, 0},
    {S002, "nested", "429: exponential backoff", 0, HTTP(429), NP, -1, GET, 0, 0, K(RETRY),
     C(RATE_LIMITED), 0, 1000},
    {S002, "nested", "429: exponential backoff grows", 2, HTTP(429), NP, -1, GET, 0, 0, K(RETRY),
     C(RATE_LIMITED), 0, 4000},
    {S002, "nested", "429 with Retry-After: no earlier, up to 1 s of spread on top", 0, HTTP(429),
     NP, 4000, GET, 0, 0, K(RETRY), C(RATE_LIMITED), 4000, 5000},
    {S002, "nested", "500: contact support", 0, HTTP(500), NP, -1, GET, 0, 0, K(FAIL), C(SERVER), 0,
     0},
    {S002, "nested", "502: contact support", 0, HTTP(502), NP, -1, GET, 0, 0, K(FAIL), C(SERVER), 0,
     0},
    {S002, "nested", "422: check the details array", 0, HTTP(422), NP, -1, GET, 0, 0, K(FAIL),
     C(UNPROCESSABLE), 0, 0},
    {S002, "nested", "404: verify the resource ID", 0, HTTP(404), NP, -1, GET, 0, 0, K(FAIL),
     C(NOT_FOUND), 0, 0},
    /* 003 Laravel-style */
    {S003, "laravel", "401: API key missing, invalid or revoked", 0, HTTP(401), NP, -1, GET, 0, 0,
     K(FAIL), C(UNAUTHENTICATED), 0, 0},
    {S003, "laravel", "405: wrong method", 0, HTTP(405), NP, -1, GET, 0, 0, K(FAIL),
     C(INVALID_REQUEST), 0, 0},
    {S003, "laravel", "409: duplicate or locked", 0, HTTP(409), NP, -1, GET, 0, 0, K(FAIL),
     C(CONFLICT), 0, 0},
    {S003, "laravel", "422: validation failures", 0, HTTP(422), NP, -1, GET, 0, 0, K(FAIL),
     C(UNPROCESSABLE), 0, 0},
    {S003, "laravel", "429: wait before more requests", 0, HTTP(429), NP, -1, GET, 0, 0, K(RETRY),
     C(RATE_LIMITED), 0, 1000},
    {S003, "laravel", "500: exponential backoff", 0, HTTP(500), NP, -1, GET, 0, 0, K(RETRY),
     C(SERVER), 0, 1000},
    {S003, "laravel", "502: retry after brief delay", 0, HTTP(502), NP, -1, GET, 0, 0, K(RETRY),
     C(SERVER), 0, 1000},
    {S003, "laravel", "503: retry after delay", 1, HTTP(503), NP, -1, GET, 0, 0, K(RETRY),
     C(SERVER), 0, 2000},
    {S003, "laravel", "503 with Retry-After 2 s: spread at most a quarter", 0, HTTP(503), NP, 2000,
     GET, 0, 0, K(RETRY), C(SERVER), 2000, 2500},
    {S003, "laravel", "504: exponential backoff", 0, HTTP(504), NP, -1, GET, 0, 0, K(RETRY),
     C(SERVER), 0, 1000},
    /* 004 Gestix */
    {S004, "gestix", "403: session expired, re-authenticate", 0, HTTP(403), NP, -1, GET, 0, 0,
     K(REFRESH), C(UNAUTHENTICATED), 0, 0},
    {S004, "gestix", "403 right after re-authenticating is final", 1, HTTP(403), NP, -1, GET, 0, 1,
     K(FAIL), C(UNAUTHENTICATED), 0, 0},
    {S004, "gestix", "403 on a POST: re-authenticate too", 0, HTTP(403), "AUTH_FAILED", D(GESTIX),
     -1, POST, 0, 0, K(REFRESH), C(UNAUTHENTICATED), 0, 0},
    {S004, "gestix", "DB_TIMEOUT: retry after a short delay", 0, HTTP(500), "DB_TIMEOUT", D(GESTIX),
     -1, GET, 0, 0, K(RETRY), C(SERVER), 1000, 1000},
    {S004, "gestix", "DB_TIMEOUT on a POST with nonce", 0, HTTP(503), "DB_TIMEOUT", D(GESTIX), -1,
     POST, 1, 0, K(RETRY), C(SERVER), 1000, 1000},
    {S004, "gestix", "DB_TIMEOUT on a POST without nonce", 0, HTTP(500), "DB_TIMEOUT", D(GESTIX),
     -1, POST, 0, 0, K(FAIL), C(SERVER), 0, 0},
    {S004, "gestix", "429 with Retry-After: no earlier, up to 1 s of spread on top", 0, HTTP(429),
     NP, 8000, GET, 0, 0, K(RETRY), C(RATE_LIMITED), 8000, 9000},
    {S004, "gestix", "400 INVALID_ARGUMENT", 0, HTTP(400), "INVALID_ARGUMENT", D(GESTIX), -1, POST,
     0, 0, K(FAIL), C(INVALID_REQUEST), 0, 0},
    {S004, "gestix", "409 DUPLICATE_ENTRY: already exists", 0, HTTP(409), "DUPLICATE_ENTRY",
     D(GESTIX), -1, POST, 1, 0, K(FAIL), C(CONFLICT), 0, 0},
    {S004, "gestix", "AUTH_FAILED: wrong API token", 0, HTTP(401), "AUTH_FAILED", D(GESTIX), -1,
     GET, 0, 0, K(FAIL), C(UNAUTHENTICATED), 0, 0},
};

static uint64_t never_random(void *payload)
{
    (void)payload;
    fail_msg("the random source was used where no jitter applies");
    return 0;
}

/* Builds the outcome of a row; *pb gets the problem (freed by the caller). */
static apierr_outcome outcome_of(const seed_row *r, apierr_problem **pb)
{
    apierr_outcome o = APIERR_OUTCOME_INIT;
    *pb = NULL;
    if (r->code) {
        assert_int_equal(apierr_problem_new(pb), APIERR_OK);
        assert_int_equal(apierr_problem_set(*pb, APIERR_PF_CODE, r->code), APIERR_OK);
        (*pb)->dialect = r->dialect;
        /* A GraphQL error over 200 carries the status its code implies. */
        (*pb)->status = r->dialect == D(GRAPHQL) ? 401 : r->status;
    }
    o.transport = r->transport;
    o.status = r->status;
    o.problem = *pb;
    o.retry_after_ms = r->retry_after;
    o.method = (apierr_method)r->method;
    o.has_idempotency_key = r->key;
    o.refreshed = r->refreshed;
    return o;
}

static void test_seed_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof seed_rows / sizeof seed_rows[0]; i++) {
        const seed_row *r = &seed_rows[i];
        apierr_profile prof;
        assert_int_equal(apierr_profile_builtin(&prof, r->profile), APIERR_OK);
        apierr_problem *pb;
        apierr_outcome o = outcome_of(r, &pb);
        apierr_call_state call;
        apierr_call_state_init(&call, NOW, NULL, NULL);
        call.attempts = r->prior;
        apierr_rng rng;
        apierr_rng_seed(&rng, 42 + i);
        apierr_decision d;
        int jittered = prof.policy.jitter != APIERR_JITTER_NONE;
        apierr_policy_decide(&d, &prof.policy, &call, &o, NOW,
                             jittered ? apierr_rng_next : never_random, &rng);
        int ok =
            d.kind == r->kind && d.category == r->cat &&
            (d.kind != APIERR_DECISION_RETRY || (d.delay_ms >= r->dmin && d.delay_ms <= r->dmax));
        if (!ok)
            fail_msg("seed %s, profile %s, rule \"%s\": got %s/%s after %lld ms (%s)", r->seed,
                     r->profile, r->what, apierr_decision_name(d.kind),
                     apierr_category_name(d.category), d.delay_ms, d.reason);
        assert_true(strlen(d.reason) > 0);
        apierr_problem_free(pb);
    }
}

/* A retry sequence of GipoNext from the first try to the end (seed 000):
 * 1 s, 2 s, 4 s, then give up, all in one call's state. */
static void test_giponext_sequence(void **state)
{
    (void)state;
    apierr_profile p;
    assert_int_equal(apierr_profile_builtin(&p, "giponext"), APIERR_OK);
    apierr_outcome o = APIERR_OUTCOME_INIT;
    o.status = 503;
    apierr_call_state call;
    apierr_call_state_init(&call, 0, NULL, NULL);
    apierr_decision d;
    const long long want[] = {1000, 2000, 4000};
    long long now = 0;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(apierr_policy_decide(&d, &p.policy, &call, &o, now, never_random, NULL),
                         APIERR_DECISION_RETRY);
        assert_int_equal(d.delay_ms, want[i]);
        now += d.delay_ms;
    }
    assert_int_equal(apierr_policy_decide(&d, &p.policy, &call, &o, now, never_random, NULL),
                     APIERR_DECISION_FAIL);
    assert_int_equal(call.attempts, 4);
}

/* The refresh is single: refresh, then a 503, then a 401 may refresh again,
 * but 401 right after a refresh is final. */
static void test_refresh_once(void **state)
{
    (void)state;
    apierr_policy p = APIERR_POLICY_INIT;
    p.jitter = APIERR_JITTER_NONE;
    p.max_attempts = 0;
    apierr_call_state call;
    apierr_call_state_init(&call, 0, NULL, NULL);
    apierr_outcome o401 = APIERR_OUTCOME_INIT, o503 = APIERR_OUTCOME_INIT;
    o401.status = 401;
    o503.status = 503;
    apierr_decision d;
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &o401, 0, never_random, NULL),
                     APIERR_DECISION_REFRESH);
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &o503, 0, never_random, NULL),
                     APIERR_DECISION_RETRY);
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &o401, 0, never_random, NULL),
                     APIERR_DECISION_REFRESH);
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &o401, 0, never_random, NULL),
                     APIERR_DECISION_FAIL);
    assert_int_equal(d.category, APIERR_CAT_UNAUTHENTICATED);
}

static apierr_decision_kind decide1(apierr_decision *d, const apierr_policy *p,
                                    const apierr_outcome *o, long long now, long long start)
{
    apierr_call_state call;
    apierr_call_state_init(&call, start, NULL, NULL);
    return apierr_policy_decide(d, p, &call, o, now, never_random, NULL);
}

static void test_retry_after_and_deadline(void **state)
{
    (void)state;
    apierr_policy p = APIERR_POLICY_INIT;
    p.jitter = APIERR_JITTER_NONE;
    p.retry_after_spread_ms = 0; /* the server's delay exactly; the spread is tested below */
    p.deadline_ms = 10000;
    apierr_outcome o = APIERR_OUTCOME_INIT;
    apierr_decision d;

    o.status = 429;
    o.retry_after_ms = 5000; /* larger of backoff (1000) and the server's */
    assert_int_equal(decide1(&d, &p, &o, 0, 0), APIERR_DECISION_RETRY);
    assert_int_equal(d.delay_ms, 5000);
    o.retry_after_ms = 200;
    assert_int_equal(decide1(&d, &p, &o, 0, 0), APIERR_DECISION_RETRY);
    assert_int_equal(d.delay_ms, 1000);
    p.retry_after_with_backoff = 0;
    assert_int_equal(decide1(&d, &p, &o, 0, 0), APIERR_DECISION_RETRY);
    assert_int_equal(d.delay_ms, 200);

    /* More than the time left: fail at once, rate_limited, no sleep. */
    o.retry_after_ms = 9000;
    assert_int_equal(decide1(&d, &p, &o, 2000, 0), APIERR_DECISION_FAIL);
    assert_int_equal(d.category, APIERR_CAT_RATE_LIMITED);
    assert_int_equal(d.delay_ms, 0);

    /* More than the cap on server delays. */
    p.deadline_ms = 0;
    p.retry_after_max_ms = 60000;
    o.retry_after_ms = 60001;
    assert_int_equal(decide1(&d, &p, &o, 0, 0), APIERR_DECISION_FAIL);
    assert_int_equal(d.category, APIERR_CAT_RATE_LIMITED);

    /* A problem's retry_after_ms counts when the header is absent. */
    apierr_problem *pb;
    assert_int_equal(apierr_problem_new(&pb), APIERR_OK);
    pb->retry_after_ms = 3000;
    o.retry_after_ms = -1;
    o.problem = pb;
    assert_int_equal(decide1(&d, &p, &o, 0, 0), APIERR_DECISION_RETRY);
    assert_int_equal(d.delay_ms, 3000);
    apierr_problem_free(pb);
    o.problem = NULL;

    /* Backoff past the deadline: category deadline. */
    p.deadline_ms = 10000;
    o.status = 500;
    assert_int_equal(decide1(&d, &p, &o, 9500, 0), APIERR_DECISION_FAIL);
    assert_int_equal(d.category, APIERR_CAT_DEADLINE);
    assert_int_equal(decide1(&d, &p, &o, 8000, 0), APIERR_DECISION_RETRY);
}

/* The spread on top of a server's Retry-After: one decision of a fresh call
 * at `now` (call started at 0) with a seeded random source. */
static apierr_decision_kind decide_spread(apierr_decision *d, const apierr_policy *p, long long ra,
                                          long long now, uint64_t seed)
{
    apierr_outcome o = APIERR_OUTCOME_INIT;
    o.status = 503;
    o.retry_after_ms = ra;
    apierr_rng rng;
    apierr_rng_seed(&rng, seed);
    apierr_call_state call;
    apierr_call_state_init(&call, 0, NULL, NULL);
    return apierr_policy_decide(d, p, &call, &o, now, apierr_rng_next, &rng);
}

static const struct spread_row {
    const char *what;
    long long spread, ra, deadline, now;
    apierr_decision_kind kind;
    apierr_category cat;
    long long dmin, dmax; /* over many seeds, the delays span exactly this */
} spread_rows[] = {
    {"the spread caps the extra wait", 1000, 8000, 0, 0, K(RETRY), C(SERVER), 8000, 9000},
    {"a quarter of a short Retry-After caps it", 1000, 2000, 0, 0, K(RETRY), C(SERVER), 2000, 2500},
    {"spread 0: the server's delay exactly", 0, 3000, 0, 0, K(RETRY), C(SERVER), 3000, 3000},
    {"Retry-After 0: at once", 1000, 0, 0, 0, K(RETRY), C(SERVER), 0, 0},
    {"cut to end before the deadline", 1000, 3500, 10000, 6000, K(RETRY), C(SERVER), 3500, 3999},
    {"no room left: the server's delay only", 1000, 3999, 10000, 6000, K(RETRY), C(SERVER), 3999,
     3999},
    {"the server's delay alone reaches the deadline", 1000, 4000, 10000, 6000, K(FAIL),
     C(RATE_LIMITED), 0, 0},
};

static void test_retry_after_spread(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof spread_rows / sizeof spread_rows[0]; i++) {
        const struct spread_row *r = &spread_rows[i];
        apierr_policy p = APIERR_POLICY_INIT;
        p.jitter = APIERR_JITTER_NONE;
        p.retry_after_with_backoff = 0;
        p.retry_after_spread_ms = r->spread;
        p.deadline_ms = r->deadline;
        long long lo = -1, hi = -1;
        for (uint64_t seed = 1; seed <= 400; seed++) {
            apierr_decision d;
            apierr_decision_kind k = decide_spread(&d, &p, r->ra, r->now, seed);
            if (k != r->kind || d.category != r->cat)
                fail_msg("%s: got %s/%s (%s)", r->what, apierr_decision_name(k),
                         apierr_category_name(d.category), d.reason);
            if (lo < 0 || d.delay_ms < lo) lo = d.delay_ms;
            if (d.delay_ms > hi) hi = d.delay_ms;
        }
        /* Within 1 % of each end: the spread is used, not only allowed. */
        long long slack = (r->dmax - r->dmin) / 100;
        if (lo < r->dmin || lo > r->dmin + slack || hi > r->dmax || hi < r->dmax - slack)
            fail_msg("%s: delays in [%lld, %lld], want [%lld, %lld]", r->what, lo, hi, r->dmin,
                     r->dmax);
    }

    /* No draw at all when there is nothing to spread: the 429 default delay
     * is the client's own choice, not a time the server gave everyone. */
    apierr_policy p = APIERR_POLICY_INIT;
    p.jitter = APIERR_JITTER_NONE;
    p.retry_after_with_backoff = 0;
    p.rate_limited_delay_ms = 15000;
    apierr_outcome o = APIERR_OUTCOME_INIT;
    o.status = 429;
    apierr_decision d;
    assert_int_equal(decide1(&d, &p, &o, 0, 0), APIERR_DECISION_RETRY);
    assert_int_equal(d.delay_ms, 15000);

    /* With the backoff: the larger of the backoff and RA + spread. */
    p.retry_after_with_backoff = 1;
    p.base_delay_ms = 20000;
    assert_int_equal(decide_spread(&d, &p, 4000, 0, 9), APIERR_DECISION_RETRY);
    assert_int_equal(d.delay_ms, 20000);
    p.base_delay_ms = 1000;
    assert_int_equal(decide_spread(&d, &p, 4000, 0, 9), APIERR_DECISION_RETRY);
    assert_true(d.delay_ms >= 4000 && d.delay_ms <= 5000);
    assert_non_null(strstr(d.reason, "spread"));

    /* The herd: 200 calls told "Retry-After: 3" at the same instant. With
     * the spread, no 100 ms holds a quarter of their retries. */
    int buckets[8] = {0};
    apierr_rng rng;
    apierr_rng_seed(&rng, 3);
    for (int i = 0; i < 200; i++) {
        o.status = 503;
        o.retry_after_ms = 3000;
        apierr_call_state call;
        apierr_call_state_init(&call, 0, NULL, NULL);
        assert_int_equal(apierr_policy_decide(&d, &p, &call, &o, 0, apierr_rng_next, &rng),
                         APIERR_DECISION_RETRY);
        assert_true(d.delay_ms >= 3000 && d.delay_ms <= 3750);
        buckets[(d.delay_ms - 3000) / 100]++;
    }
    for (int i = 0; i < 8; i++) assert_true(buckets[i] < 50);
}

static void test_idempotency(void **state)
{
    (void)state;
    apierr_policy p = APIERR_POLICY_INIT;
    p.jitter = APIERR_JITTER_NONE;
    p.retry_after_spread_ms = 0; /* decide1 has no random source */
    apierr_outcome o = APIERR_OUTCOME_INIT;
    apierr_decision d;
    o.method = APIERR_METHOD_POST;
    static const struct {
        apierr_transport t;
        int status;
        long long ra;
        int key;
        apierr_decision_kind want;
    } rows[] = {
        {APIERR_TRANSPORT_CONNECT_REFUSED, 0, -1, 0, APIERR_DECISION_RETRY},
        {APIERR_TRANSPORT_DNS_TEMPORARY, 0, -1, 0, APIERR_DECISION_RETRY},
        {APIERR_TRANSPORT_RESET, 0, -1, 0, APIERR_DECISION_FAIL},
        {APIERR_TRANSPORT_TIMEOUT, 0, -1, 0, APIERR_DECISION_FAIL},
        {APIERR_TRANSPORT_TIMEOUT, 0, -1, 1, APIERR_DECISION_RETRY},
        {APIERR_TRANSPORT_NONE, 429, -1, 0, APIERR_DECISION_RETRY},
        {APIERR_TRANSPORT_NONE, 503, 2000, 0, APIERR_DECISION_RETRY},
        {APIERR_TRANSPORT_NONE, 503, -1, 0, APIERR_DECISION_FAIL},
        {APIERR_TRANSPORT_NONE, 500, -1, 0, APIERR_DECISION_FAIL},
        {APIERR_TRANSPORT_NONE, 500, -1, 1, APIERR_DECISION_RETRY},
        {APIERR_TRANSPORT_DNS_PERMANENT, 0, -1, 1, APIERR_DECISION_FAIL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        o.transport = rows[i].t;
        o.status = rows[i].status;
        o.retry_after_ms = rows[i].ra;
        o.has_idempotency_key = rows[i].key;
        if (decide1(&d, &p, &o, 0, 0) != rows[i].want)
            fail_msg("row %zu: POST %s/%d: %s", i, apierr_transport_name(rows[i].t), rows[i].status,
                     d.reason);
    }
    o.method = APIERR_METHOD_PATCH;
    o.transport = APIERR_TRANSPORT_NONE;
    o.status = 502;
    o.has_idempotency_key = 0;
    assert_int_equal(decide1(&d, &p, &o, 0, 0), APIERR_DECISION_FAIL);
    o.method = apierr_method_from_name("PUT");
    assert_int_equal(decide1(&d, &p, &o, 0, 0), APIERR_DECISION_RETRY);
}

static void test_budget(void **state)
{
    (void)state;
    apierr_policy p = APIERR_POLICY_INIT;
    p.jitter = APIERR_JITTER_NONE;
    p.max_attempts = 0;
    p.budget = APIERR_BUDGET_AWS;
    p.budget_max_tokens = 12;
    apierr_budget b;
    apierr_budget_init(&b, &p);
    apierr_outcome fail500 = APIERR_OUTCOME_INIT, ok = APIERR_OUTCOME_INIT;
    fail500.status = 500;
    ok.status = 200;
    apierr_call_state call;
    apierr_call_state_init(&call, 0, &b, NULL);
    apierr_decision d;
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &fail500, 0, never_random, NULL),
                     APIERR_DECISION_RETRY);
    assert_true(b.tokens == 7);
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &fail500, 0, never_random, NULL),
                     APIERR_DECISION_RETRY);
    assert_true(b.tokens == 2);
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &fail500, 0, never_random, NULL),
                     APIERR_DECISION_FAIL);
    assert_int_equal(d.category, APIERR_CAT_BUDGET_EXHAUSTED);
    assert_true(b.tokens == 2);
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &ok, 0, never_random, NULL),
                     APIERR_DECISION_DONE);
    assert_true(b.tokens == 3);

    /* gRPC: max 4, retries stop once tokens <= 2. */
    p.budget = APIERR_BUDGET_GRPC;
    p.budget_max_tokens = 4;
    p.budget_token_ratio = 0.5;
    apierr_budget_init(&b, &p);
    apierr_call_state_init(&call, 0, &b, NULL);
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &fail500, 0, never_random, NULL),
                     APIERR_DECISION_RETRY); /* 3 left */
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &fail500, 0, never_random, NULL),
                     APIERR_DECISION_FAIL); /* 2 left: not above half */
    assert_int_equal(d.category, APIERR_CAT_BUDGET_EXHAUSTED);
    apierr_call_state_init(&call, 0, &b, NULL);
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &ok, 0, never_random, NULL),
                     APIERR_DECISION_DONE);
    assert_true(b.tokens == 2.5);
}

static void test_breaker(void **state)
{
    (void)state;
    apierr_policy p = APIERR_POLICY_INIT;
    p.jitter = APIERR_JITTER_NONE;
    p.max_attempts = 0;
    p.breaker_threshold = 2;
    p.breaker_open_ms = 5000;
    apierr_breaker br = APIERR_BREAKER_INIT;
    apierr_outcome o = APIERR_OUTCOME_INIT;
    o.status = 503;
    apierr_call_state call;
    apierr_call_state_init(&call, 0, NULL, &br);
    apierr_decision d;
    assert_true(apierr_breaker_allow(&br, &p, 0));
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &o, 0, never_random, NULL),
                     APIERR_DECISION_RETRY);
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &o, 1000, never_random, NULL),
                     APIERR_DECISION_FAIL);
    assert_int_equal(d.category, APIERR_CAT_CIRCUIT_OPEN);
    assert_int_equal(br.state, APIERR_BREAKER_OPEN);
    assert_false(apierr_breaker_allow(&br, &p, 5999));
    assert_true(apierr_breaker_allow(&br, &p, 6000)); /* half-open: one probe */
    assert_int_equal(br.state, APIERR_BREAKER_HALF_OPEN);
    assert_false(apierr_breaker_allow(&br, &p, 6001));
    apierr_breaker_record(&br, &p, 1, 6100);
    assert_int_equal(br.state, APIERR_BREAKER_CLOSED);
    /* Off by default: never opens. */
    apierr_policy off = APIERR_POLICY_INIT;
    apierr_breaker br2 = APIERR_BREAKER_INIT;
    for (int i = 0; i < 100; i++) apierr_breaker_record(&br2, &off, 0, i);
    assert_true(apierr_breaker_allow(&br2, &off, 100));
}

static void test_jitter_modes(void **state)
{
    (void)state;
    apierr_policy p = APIERR_POLICY_INIT;
    p.max_attempts = 0;
    p.base_delay_ms = 100;
    p.max_delay_ms = 10000;
    apierr_outcome o = APIERR_OUTCOME_INIT;
    o.status = 500;
    apierr_rng rng;
    apierr_rng_seed(&rng, 7);
    for (int mode = 0; mode < APIERR_JITTER__COUNT; mode++) {
        p.jitter = (apierr_jitter)mode;
        apierr_call_state call;
        apierr_call_state_init(&call, 0, NULL, NULL);
        long long prev = 100, distinct = 0, first = -1;
        for (int n = 0; n < 12; n++) {
            apierr_decision d;
            assert_int_equal(apierr_policy_decide(&d, &p, &call, &o, 0, apierr_rng_next, &rng),
                             APIERR_DECISION_RETRY);
            long long expo = 100LL << n < 10000 ? 100LL << n : 10000;
            long long lo = 0, hi = expo;
            if (mode == APIERR_JITTER_NONE) lo = expo;
            if (mode == APIERR_JITTER_EQUAL) lo = expo / 2;
            if (mode == APIERR_JITTER_DECORRELATED) {
                lo = 100;
                hi = prev * 3 < 10000 ? prev * 3 : 10000;
            }
            if (d.delay_ms < lo || d.delay_ms > hi)
                fail_msg("%s retry %d: %lld not in [%lld, %lld]", apierr_jitter_name(p.jitter), n,
                         d.delay_ms, lo, hi);
            if (first < 0)
                first = d.delay_ms;
            else if (d.delay_ms != first)
                distinct++;
            prev = d.delay_ms;
        }
        assert_true(distinct > 0);
    }
}

static void test_classify(void **state)
{
    (void)state;
    apierr_profile gestix, def;
    assert_int_equal(apierr_profile_builtin(&gestix, "gestix"), APIERR_OK);
    assert_int_equal(apierr_profile_builtin(&def, "default"), APIERR_OK);
    apierr_outcome o = APIERR_OUTCOME_INIT;
    apierr_classification c;
    o.status = 403;
    apierr_profile_classify(&c, &o, &gestix);
    assert_int_equal(c.category, APIERR_CAT_UNAUTHENTICATED);
    assert_int_equal(c.action, APIERR_ACTION_REFRESH_CREDENTIALS);
    assert_non_null(strstr(c.reason, "seed 004"));
    apierr_profile_classify(&c, &o, &def);
    assert_int_equal(c.category, APIERR_CAT_FORBIDDEN);
    assert_int_equal(c.action, APIERR_ACTION_GIVE_UP);
    apierr_policy_classify(&c, &o, NULL);
    assert_int_equal(c.category, APIERR_CAT_FORBIDDEN);
    o.status = 423; /* the registry retries it; the default set does not */
    apierr_policy_classify(&c, &o, NULL);
    assert_int_equal(c.action, APIERR_ACTION_GIVE_UP);
    o.status = 0; /* no response and no failure named */
    apierr_policy_classify(&c, &o, NULL);
    assert_int_equal(c.category, APIERR_CAT_NETWORK);
    o.status = 204;
    apierr_policy_classify(&c, &o, NULL);
    assert_int_equal(c.category, APIERR_CAT_OK);
}

static void test_names(void **state)
{
    (void)state;
    for (int j = 0; j < APIERR_JITTER__COUNT; j++) {
        apierr_jitter back;
        assert_int_equal(apierr_jitter_from_name(&back, apierr_jitter_name((apierr_jitter)j)), 0);
        assert_int_equal(back, j);
    }
    for (int t = 0; t < APIERR_TRANSPORT__COUNT; t++) {
        apierr_transport back;
        assert_int_equal(
            apierr_transport_from_name(&back, apierr_transport_name((apierr_transport)t)), 0);
        assert_int_equal(back, t);
    }
    assert_int_equal(apierr_method_from_name("BREW"), APIERR_METHOD_OTHER);
    assert_int_equal(apierr_method_from_name("OTHER"), APIERR_METHOD_OTHER);
    assert_false(apierr_method_idempotent(APIERR_METHOD_OTHER));
    assert_true(apierr_method_idempotent(apierr_method_from_name("DELETE")));
    assert_null(apierr_jitter_name(APIERR_JITTER__COUNT));
    assert_string_equal(apierr_decision_name(APIERR_DECISION_REFRESH), "refresh");
    apierr_policy p = APIERR_POLICY_INIT;
    assert_int_equal(
        apierr_policy_add_rule(&p, 0, "", APIERR_CAT_SERVER, APIERR_ACTION_RETRY, -1, NULL),
        APIERR_EINVAL);
    for (int i = 0; i < APIERR_POLICY_MAX_RULES; i++)
        assert_int_equal(apierr_policy_add_rule(&p, 500 + i, NULL, APIERR_CAT_SERVER,
                                                APIERR_ACTION_RETRY, -1, NULL),
                         APIERR_OK);
    assert_int_equal(
        apierr_policy_add_rule(&p, 599, NULL, APIERR_CAT_SERVER, APIERR_ACTION_RETRY, -1, NULL),
        APIERR_ERANGE);
}

/* --- properties -------------------------------------------------------------- */

static const int statuses[] = {200, 400, 401, 403, 404, 408, 409, 422, 423,
                               429, 500, 501, 502, 503, 504, 507, 599};

/* A random outcome; the problem (code) comes from a small pool. */
static apierr_outcome random_outcome(apierr_rng *r, const apierr_problem *pool[], size_t npool)
{
    apierr_outcome o = APIERR_OUTCOME_INIT;
    uint64_t x = apierr_rng_next(r);
    if (x % 4 == 0) {
        o.transport = (apierr_transport)(1 + (x >> 8) % (APIERR_TRANSPORT__COUNT - 1));
    } else {
        o.status = statuses[(x >> 8) % (sizeof statuses / sizeof statuses[0])];
        o.problem = (x >> 16) % 3 == 0 ? pool[(x >> 20) % npool] : NULL;
        o.retry_after_ms = (x >> 24) % 3 == 0 ? (long long)((x >> 28) % 20000) : -1;
    }
    o.method = (apierr_method)((x >> 40) % APIERR_METHOD__COUNT);
    o.has_idempotency_key = (x >> 48) % 2;
    o.refreshed = (x >> 50) % 8 == 0;
    return o;
}

static apierr_policy random_policy(apierr_rng *r, const char *const *names, size_t nnames)
{
    apierr_profile prof;
    uint64_t x = apierr_rng_next(r);
    assert_int_equal(apierr_profile_builtin(&prof, names[x % nnames]), APIERR_OK);
    apierr_policy p = prof.policy;
    p.jitter = (apierr_jitter)((x >> 8) % APIERR_JITTER__COUNT);
    p.deadline_ms = (x >> 12) % 2 ? 5000 + (long long)((x >> 16) % 60000) : 0;
    p.max_attempts = (int)((x >> 32) % 12);
    p.budget = (apierr_budget_mode)((x >> 36) % APIERR_BUDGET__COUNT);
    p.budget_max_tokens = (double)((x >> 40) % 30);
    p.breaker_threshold = (int)((x >> 48) % 4);
    if ((x >> 52) % 3 == 0) p.retry_after_spread_ms = (long long)((x >> 54) % 5000);
    return p;
}

/* Runs many calls of random outcomes and checks the invariants on every
 * decision; writes a digest of all decisions to *digest. */
static void run_properties(uint64_t seed, uint64_t *digest, long *retries)
{
    static const char *const names[] = {"default", "giponext", "gotab",
                                        "nested",  "laravel",  "gestix"};
    apierr_problem *pool[4];
    const char *codes[] = {"DB_TIMEOUT", "AUTH_FAILED", "UNAUTHENTICATED", "unauthorized"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(apierr_problem_new(&pool[i]), APIERR_OK);
        assert_int_equal(apierr_problem_set(pool[i], APIERR_PF_CODE, codes[i]), APIERR_OK);
        pool[i]->dialect = i == 2 ? APIERR_DIALECT_GRAPHQL : APIERR_DIALECT_GESTIX;
        pool[i]->retry_after_ms = i == 0 ? 700 : -1;
    }
    apierr_rng r, jitter;
    apierr_rng_seed(&r, seed);
    apierr_rng_seed(&jitter, seed ^ 0x5eed);
    uint64_t h = 1469598103934665603ull;
    *retries = 0;
    for (int callno = 0; callno < 20000; callno++) {
        apierr_policy p = random_policy(&r, names, 6);
        apierr_budget budget;
        apierr_budget_init(&budget, &p);
        apierr_breaker br = APIERR_BREAKER_INIT;
        long long now = (long long)(apierr_rng_next(&r) % 1000000), start = now;
        apierr_call_state call;
        apierr_call_state_init(&call, now, &budget, &br);
        for (int step = 0; step < 40; step++) {
            apierr_outcome o = random_outcome(&r, (const apierr_problem **)pool, 4);
            now += (long long)(apierr_rng_next(&r) % 3000); /* the attempt's own time */
            apierr_decision d;
            apierr_policy_decide(&d, &p, &call, &o, now, apierr_rng_next, &jitter);
            h = (h ^ (uint64_t)d.kind ^ ((uint64_t)d.delay_ms << 8) ^
                 ((uint64_t)d.category << 40)) *
                1099511628211ull;

            assert_true(budget.tokens >= 0);
            assert_true(d.delay_ms >= 0);
            if (d.kind != APIERR_DECISION_RETRY) {
                assert_int_equal(d.delay_ms, 0);
            } else {
                /* A delay never exceeds its cap: the backoff's, a rule's
                 * fixed delay, or the server's (itself capped). */
                const apierr_problem *pb = o.problem;
                long long server = o.retry_after_ms >= 0           ? o.retry_after_ms
                                   : pb && pb->retry_after_ms >= 0 ? pb->retry_after_ms
                                                                   : -1;
                long long cap = p.max_delay_ms;
                if (o.status == 429 && p.rate_limited_delay_ms > cap) cap = p.rate_limited_delay_ms;
                /* The server's delay, plus at most the spread (and a quarter
                 * of the delay) on top; never less: no early retry. */
                long long quarter = server / 4, spread = p.retry_after_spread_ms;
                long long most = server + (spread < quarter ? spread : quarter);
                if (server >= 0 && p.retry_after) {
                    assert_true(d.delay_ms >= server);
                    if (!p.retry_after_with_backoff) assert_true(d.delay_ms <= most);
                }
                if (most > cap) cap = most;
                if (1000 > cap && pb && !strcmp(pb->code, "DB_TIMEOUT")) cap = 1000;
                assert_true(d.delay_ms <= cap);
                assert_true(server <= p.retry_after_max_ms);
                /* Never sleeps past the deadline. */
                if (p.deadline_ms) assert_true(now + d.delay_ms < start + p.deadline_ms);
                /* A POST without key is never retried once the request may
                 * have been processed. */
                if (!apierr_method_idempotent(o.method) && !o.has_idempotency_key) {
                    int unsent = o.transport == APIERR_TRANSPORT_CONNECT_REFUSED ||
                                 o.transport == APIERR_TRANSPORT_DNS_TEMPORARY ||
                                 o.transport == APIERR_TRANSPORT_DNS_PERMANENT ||
                                 (o.transport == APIERR_TRANSPORT_NONE &&
                                  (o.status == 429 || (o.status == 503 && server >= 0)));
                    if (!unsent) fail_msg("POST retried after: %s", d.reason);
                }
                if (p.max_attempts) assert_true(call.attempts < p.max_attempts);
                now += d.delay_ms;
                ++*retries;
            }
            if (d.kind == APIERR_DECISION_DONE || d.kind == APIERR_DECISION_FAIL) break;
        }
    }
    for (int i = 0; i < 4; i++) apierr_problem_free(pool[i]);
    *digest = h;
}

static void test_properties(void **state)
{
    (void)state;
    uint64_t a, b, c;
    long ra, rb, rc;
    run_properties(1, &a, &ra);
    run_properties(1, &b, &rb);
    run_properties(2, &c, &rc);
    assert_true(ra > 5000 && rc > 5000); /* the invariants of retries were exercised */
    assert_true(a == b);                 /* same seed, same decisions */
    assert_true(a != c);                 /* and the digest does see the decisions */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_rows),
        cmocka_unit_test(test_giponext_sequence),
        cmocka_unit_test(test_refresh_once),
        cmocka_unit_test(test_retry_after_and_deadline),
        cmocka_unit_test(test_retry_after_spread),
        cmocka_unit_test(test_idempotency),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_breaker),
        cmocka_unit_test(test_jitter_modes),
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_properties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
