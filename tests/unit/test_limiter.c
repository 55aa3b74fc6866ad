/*
 * The GCRA limiter with a fake clock: burst, steady rate, exact retry-after
 * values, bounded memory, the IETF headers read back by the core's parser,
 * four threads hammering one key, and the memo of a denied key (taken
 * without the lock) dropped whenever its shard allowed anything since.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "server_check.h"

#include <pthread.h>
#include <stdio.h>

static apierr_limiter *limiter(long long limit, long long window_s, long long burst,
                               size_t max_keys)
{
    apierr_limiter_opts o = APIERR_LIMITER_OPTS_INIT;
    o.limit = limit;
    o.window_s = window_s;
    o.burst = burst;
    o.max_keys = max_keys;
    apierr_limiter *l;
    assert_int_equal(apierr_limiter_new(&l, &o), APIERR_OK);
    return l;
}

static apierr_limit_verdict take(apierr_limiter *l, const char *key, long long now_ms)
{
    apierr_limit_verdict v;
    assert_int_equal(apierr_limiter_take(l, &v, key, strlen(key), now_ms), APIERR_OK);
    return v;
}

/* 10 per second (T = 100 ms) with a burst of 3. */
static void test_burst_then_rate(void **state)
{
    (void)state;
    apierr_limiter *l = limiter(10, 1, 3, 0);
    static const struct {
        long long now;
        int allowed;
        long long remaining, reset_ms, retry_ms;
    } steps[] = {
        {0, 1, 2, 100, 0},    {0, 1, 1, 200, 0},   {0, 1, 0, 300, 0}, /* the burst */
        {0, 0, 0, 300, 100},  {0, 0, 0, 300, 100},                    /* denials move nothing */
        {99, 0, 0, 201, 1},   {100, 1, 0, 300, 0},                    /* one per T */
        {150, 0, 0, 250, 50}, {200, 1, 0, 300, 0}, {250, 0, 0, 250, 50},
        {1000, 1, 2, 100, 0}, /* idle long enough: the burst is back */
        {1050, 1, 1, 150, 0},
    };
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        apierr_limit_verdict v = take(l, "client-a", steps[i].now);
        assert_int_equal(v.allowed, steps[i].allowed);
        assert_int_equal(v.remaining, steps[i].remaining);
        assert_int_equal(v.reset_ms, steps[i].reset_ms);
        assert_int_equal(v.retry_after_ms, steps[i].retry_ms);
        assert_int_equal(v.limit, 10);
        assert_int_equal(v.window_s, 1);
    }
    /* Keys are independent. */
    apierr_limit_verdict v = take(l, "client-b", 250);
    assert_true(v.allowed);
    assert_int_equal(v.remaining, 2);
    assert_int_equal(apierr_limiter_size(l), 2);
    apierr_limiter_free(l);
}

/* 3 per second: T = 333.33.. ms is not an integer, and must not drift. */
static long long count_allowed(long long burst, long long until_ms, long long *retry_at_333)
{
    apierr_limiter *l = limiter(3, 1, burst, 0);
    long long allowed = 0;
    for (long long t = 0; t < until_ms; t++) {
        apierr_limit_verdict v = take(l, "k", t);
        allowed += v.allowed;
        if (t == 333) *retry_at_333 = v.retry_after_ms;
    }
    apierr_limiter_free(l);
    return allowed;
}

static void test_steady_rate_without_drift(void **state)
{
    (void)state;
    long long retry = -1;
    /* With a burst of 3, a request one poll late is still within tolerance,
     * so request n (from 0) is allowed at ceil((n - 2) * 1000 / 3): 902 in
     * 300 s, exactly, however the thirds of a millisecond add up. */
    assert_int_equal(count_allowed(3, 300000, &retry), 902);
    /* With no burst, lateness is not forgiven: a client polling every 1 ms
     * arrives 0.67 ms late each time, so the period is 334 ms: 899. */
    assert_int_equal(count_allowed(1, 300000, &retry), 899);
    assert_int_equal(retry, 1); /* 333.33 -> 1 ms, rounded up */

    /* Default burst is the limit: 60 per 60 s lets 60 through at once. */
    apierr_limiter *d;
    assert_int_equal(apierr_limiter_new(&d, NULL), APIERR_OK);
    for (int i = 0; i < 60; i++) assert_true(take(d, "x", 5000).allowed);
    apierr_limit_verdict v = take(d, "x", 5000);
    assert_false(v.allowed);
    assert_int_equal(v.retry_after_ms, 1000);
    assert_int_equal(v.reset_ms, 60000);
    apierr_limiter_free(d);
}

static void test_bad_options(void **state)
{
    (void)state;
    static const apierr_limiter_opts bad[] = {
        {APIERR_LIMITER_OPTS_VERSION, 0, 60, 0, 0, NULL, NULL, 0},
        {APIERR_LIMITER_OPTS_VERSION, 10, 0, 0, 0, NULL, NULL, 0},
        {APIERR_LIMITER_OPTS_VERSION, 10, 86401, 0, 0, NULL, NULL, 0},
        {APIERR_LIMITER_OPTS_VERSION, 10000001, 60, 0, 0, NULL, NULL, 0},
        {APIERR_LIMITER_OPTS_VERSION, 10, 60, -1, 0, NULL, NULL, 0},
        {APIERR_LIMITER_OPTS_VERSION, 10, 60, 0, 0, "has space", NULL, 0},
        {APIERR_LIMITER_OPTS_VERSION, 10, 60, 0, 0, "quo\"te", NULL, 0},
        {APIERR_LIMITER_OPTS_VERSION, 10, 60, 0, 0, "", NULL, 0},
        {APIERR_LIMITER_OPTS_VERSION, 10, 60, 0, 0, NULL, "http://x", 0},
        {APIERR_LIMITER_OPTS_VERSION, 10, 60, 0, 0, NULL, "redis://:pw@", 0},
        {APIERR_LIMITER_OPTS_VERSION, 10, 60, 0, 0, NULL, "redis://h:70000", 0},
        {APIERR_LIMITER_OPTS_VERSION, 10, 60, 0, 0, NULL, "redis://h/x", 0},
        {APIERR_LIMITER_OPTS_VERSION, 10, 60, 0, 0, NULL, "unix://rel/path", 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        apierr_limiter *l = (apierr_limiter *)&bad; /* must be reset to NULL */
        assert_int_equal(apierr_limiter_new(&l, &bad[i]), APIERR_EINVAL);
        assert_null(l);
    }
    apierr_limiter_free(NULL);
}

/* Memory is bounded: many keys never hold more than max_keys; keys whose
 * TAT passed go first, and the ones still limited survive a sweep. */
static void test_bounded_memory(void **state)
{
    (void)state;
    apierr_limiter *l = limiter(1, 10, 1, 64);
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "key-%d", i);
        assert_true(take(l, key, i).allowed);
        assert_true(apierr_limiter_size(l) <= 64);
    }
    /* A limited key, then a flood of new keys once every old TAT passed:
     * expired keys are evicted before the limited one. */
    apierr_limiter_free(l);
    l = limiter(1, 10, 1, 16); /* one key per shard */
    assert_true(take(l, "limited", 0).allowed);
    assert_false(take(l, "limited", 1).allowed);
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "other-%d", i);
        take(l, key, 9000);
        assert_true(apierr_limiter_size(l) <= 16);
    }
    apierr_limiter_free(l);
}

static void test_headers_parse_back(void **state)
{
    (void)state;
    apierr_limiter_opts o = APIERR_LIMITER_OPTS_INIT;
    o.limit = 100;
    o.window_s = 60;
    o.burst = 5;
    o.policy = "per-client";
    apierr_limiter *l;
    assert_int_equal(apierr_limiter_new(&l, &o), APIERR_OK);
    for (int i = 0; i < 6; i++) {
        apierr_limit_verdict v = take(l, "c", 1000);
        apierr_limit_headers h;
        apierr_limiter_headers(&h, l, &v);
        assert_int_equal(h.n, 2);
        assert_string_equal(h.h[1].name, "RateLimit-Policy");
        assert_string_equal(h.h[1].value, "\"per-client\";q=100;w=60");
        char want[64];
        /* Denied, t is the Retry-After: the two fields agree. */
        long long t = ((v.allowed ? v.reset_ms : v.retry_after_ms) + 999) / 1000;
        if (!v.allowed) assert_int_equal(t, (v.retry_after_ms + 999) / 1000);
        snprintf(want, sizeof want, "\"per-client\";r=%lld;t=%lld", v.remaining, t);
        assert_string_equal(h.h[0].value, want);

        apierr_ratelimit rl = APIERR_RATELIMIT_INIT;
        assert_int_equal(apierr_ratelimit_parse(&rl, h.h, h.n, 1000), APIERR_OK);
        assert_int_equal(rl.limit, 100);
        assert_int_equal(rl.window_ms, 60000);
        assert_int_equal(rl.remaining, v.remaining);
        assert_int_equal(rl.reset_ms, t * 1000);
        assert_int_equal(v.allowed, i < 5);
    }
    apierr_limiter_free(l);
}

/* The 429: problem, reply with Retry-After and the RateLimit fields, and
 * all of it read back by the core. */
static void test_429_reply(void **state)
{
    (void)state;
    apierr_limiter *l = limiter(2, 10, 1, 0); /* T = 5 s */
    assert_true(take(l, "c", 0).allowed);
    apierr_limit_verdict v = take(l, "c", 1200);
    assert_false(v.allowed);
    assert_int_equal(v.retry_after_ms, 3800);
    apierr_problem *p;
    assert_int_equal(apierr_limiter_problem(&p, &v), APIERR_OK);
    assert_int_equal(p->status, 429);
    assert_string_equal(p->code, "RATE_LIMITED");
    assert_string_equal(p->message, "Too many requests. Retry after 4 seconds.");
    apierr_limit_headers h;
    apierr_limiter_headers(&h, l, &v);
    for (apierr_dialect d = APIERR_DIALECT_PROBLEM; d <= APIERR_DIALECT_GESTIX; d++) {
        apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
        o.dialect = d;
        o.headers = h.h;
        o.nheaders = h.n;
        apierr_reply r;
        build_reply(&r, p, &o);
        assert_int_equal(r.status, 429);
        assert_string_equal(reply_header(&r, "Retry-After"), "4");
        apierr_problem *back = decode_reply(&r, d, 1);
        assert_int_equal(back->retry_after_ms, 4000);
        assert_int_equal(back->status, 429);
        apierr_problem_free(back);
        apierr_ratelimit rl = APIERR_RATELIMIT_INIT;
        assert_int_equal(apierr_ratelimit_parse(&rl, r.headers, r.nheaders, 0), APIERR_OK);
        assert_int_equal(rl.remaining, 0);
        assert_int_equal(rl.reset_ms, 4000);
        assert_int_equal(rl.limit, 2);
        assert_int_equal(rl.window_ms, 10000);
        apierr_reply_clear(&r);
    }
    apierr_problem_free(p);
    apierr_limiter_free(l);
}

/* The API's own words for its 429 (GoTab, seed 001), and the defaults. */
static void test_problem_with(void **state)
{
    (void)state;
    apierr_limit_verdict v = {.limit = 2, .window_s = 10, .reset_ms = 4000, .retry_after_ms = 1001};
    apierr_problem *p;
    assert_int_equal(
        apierr_limiter_problem_with(&p, &v, "rate_limit_exceeded", "Too many requests."),
        APIERR_OK);
    assert_int_equal(p->status, 429);
    assert_string_equal(p->code, "rate_limit_exceeded");
    assert_string_equal(p->message, "Too many requests.");
    assert_int_equal(p->retry_after_ms, 1001);
    apierr_problem_free(p);
    assert_int_equal(apierr_limiter_problem_with(&p, &v, NULL, NULL), APIERR_OK);
    assert_string_equal(p->code, APIERR_LIMITER_CODE);
    assert_string_equal(p->message, "Too many requests. Retry after 2 seconds.");
    apierr_problem_free(p);
    v.retry_after_ms = 1000;
    assert_int_equal(apierr_limiter_problem_with(&p, &v, "x", NULL), APIERR_OK);
    assert_string_equal(p->code, "x");
    assert_string_equal(p->message, "Too many requests. Retry after 1 second.");
    apierr_problem_free(p);
}

/* The fast path gives, byte for byte, the reply of the slow one (problem,
 * then apierr_reply_build() with the RateLimit fields), in every dialect and
 * wording, and all of it reads back. */
static void test_fast_reply(void **state)
{
    (void)state;
    apierr_limiter *l = limiter(2, 10, 1, 0);
    assert_true(take(l, "c", 0).allowed);
    apierr_limit_verdict v = take(l, "c", 1200);
    assert_false(v.allowed);
    static const struct {
        const char *code, *message;
    } words[] = {{NULL, NULL}, {"rate_limit_exceeded", "Too many requests."}};
    apierr_header extra = {"X-Extra", "1"};
    for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
        for (apierr_dialect d = APIERR_DIALECT_PROBLEM; d <= APIERR_DIALECT_GESTIX; d++) {
            apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
            o.dialect = d;
            o.request_id = "0af7651916cd43dd8448eb211c80319c";
            o.now_ms = 1700000000123LL;
            o.headers = &extra;
            o.nheaders = 1;
            apierr_reply fast;
            assert_int_equal(
                apierr_limiter_reply(&fast, l, &v, words[w].code, words[w].message, &o), APIERR_OK);

            apierr_problem *p;
            assert_int_equal(apierr_limiter_problem_with(&p, &v, words[w].code, words[w].message),
                             APIERR_OK);
            apierr_limit_headers h;
            apierr_limiter_headers(&h, l, &v);
            apierr_header hs[3] = {h.h[0], h.h[1], extra};
            o.headers = hs;
            o.nheaders = 3;
            apierr_reply slow;
            build_reply(&slow, p, &o);
            apierr_problem_free(p);

            assert_int_equal(fast.status, slow.status);
            assert_int_equal(fast.nheaders, slow.nheaders);
            for (size_t i = 0; i < fast.nheaders; i++) {
                assert_string_equal(fast.headers[i].name, slow.headers[i].name);
                assert_string_equal(fast.headers[i].value, slow.headers[i].value);
            }
            assert_int_equal(fast.body_len, slow.body_len);
            assert_memory_equal(fast.body, slow.body, fast.body_len);

            apierr_problem *back = decode_reply(&fast, d, 1);
            assert_int_equal(back->status, 429);
            assert_int_equal(back->retry_after_ms, 4000);
            if (words[w].code && back->code) assert_string_equal(back->code, words[w].code);
            apierr_problem_free(back);
            apierr_ratelimit rl = APIERR_RATELIMIT_INIT;
            assert_int_equal(apierr_ratelimit_parse(&rl, fast.headers, fast.nheaders, 0),
                             APIERR_OK);
            assert_int_equal(rl.remaining, 0);
            assert_int_equal(rl.reset_ms, 4000);
            assert_int_equal(rl.limit, 2);
            assert_int_equal(rl.window_ms, 10000);
            assert_string_equal(reply_header(&fast, "X-Request-Id"), o.request_id);
            apierr_reply_clear(&fast);
            apierr_reply_clear(&slow);
        }
    }
    /* An allowed verdict has no 429; a bad request id is refused. */
    apierr_reply r;
    apierr_limit_verdict ok = take(l, "other", 0);
    assert_true(ok.allowed);
    assert_int_equal(apierr_limiter_reply(&r, l, &ok, NULL, NULL, NULL), APIERR_EINVAL);
    assert_null(r.headers);
    apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
    o.request_id = "bad id\r\n";
    assert_int_equal(apierr_limiter_reply(&r, l, &v, NULL, NULL, &o), APIERR_EINVAL);
    /* NULL options: a fresh request id, problem+json. */
    assert_int_equal(apierr_limiter_reply(&r, l, &v, NULL, NULL, NULL), APIERR_OK);
    assert_int_equal(strlen(reply_header(&r, "X-Request-Id")), APIERR_REQUEST_ID_LEN);
    assert_string_equal(reply_header(&r, "Content-Type"), "application/problem+json");
    apierr_reply_clear(&r);
    apierr_limiter_free(l);
}

/* The reply of the fast path with request id rid and without extra headers
 * must equal the slow path's, byte for byte. */
static void assert_same_as_slow(const apierr_reply *fast, apierr_limiter *l,
                                const apierr_limit_verdict *v, const char *code,
                                const char *message, apierr_reply_opts o, const char *rid)
{
    apierr_problem *p;
    assert_int_equal(apierr_limiter_problem_with(&p, v, code, message), APIERR_OK);
    apierr_limit_headers h;
    apierr_limiter_headers(&h, l, v);
    o.request_id = rid;
    o.headers = h.h;
    o.nheaders = h.n;
    apierr_reply slow;
    build_reply(&slow, p, &o);
    apierr_problem_free(p);
    assert_int_equal(fast->status, slow.status);
    assert_int_equal(fast->nheaders, slow.nheaders);
    for (size_t i = 0; i < fast->nheaders; i++) {
        assert_string_equal(fast->headers[i].name, slow.headers[i].name);
        assert_string_equal(fast->headers[i].value, slow.headers[i].value);
    }
    assert_int_equal(fast->body_len, slow.body_len);
    assert_memory_equal(fast->body, slow.body, fast->body_len);
    apierr_reply_clear(&slow);
}

/* The memo is keyed by the limiter, not by its address: two limiters of
 * other policies take turns in one thread, and one made where a freed one
 * was gets its own RateLimit fields, not the memo's. */
static apierr_limiter *named(const char *policy, long long limit)
{
    apierr_limiter_opts o = APIERR_LIMITER_OPTS_INIT;
    o.limit = limit;
    o.window_s = 10;
    o.burst = 1;
    o.policy = policy;
    apierr_limiter *l;
    assert_int_equal(apierr_limiter_new(&l, &o), APIERR_OK);
    return l;
}

static void assert_reply_is_own(apierr_limiter *l, const apierr_limit_verdict *v)
{
    apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
    o.now_ms = 1700000000000LL;
    o.request_id = "0af7651916cd43dd8448eb211c80319c";
    apierr_reply r;
    assert_int_equal(apierr_limiter_reply(&r, l, v, NULL, NULL, &o), APIERR_OK);
    assert_same_as_slow(&r, l, v, NULL, NULL, o, o.request_id);
    apierr_reply_clear(&r);
}

static void test_memo_keyed_by_limiter(void **state)
{
    (void)state;
    apierr_limiter *a = named("alpha", 2), *b = named("beta", 3);
    apierr_limit_verdict v = {0, 2, 10, 0, 4000, 4000};
    for (int i = 0; i < 2; i++) {
        assert_reply_is_own(a, &v);
        assert_reply_is_own(b, &v);
    }
    for (int i = 0; i < 8; i++) {
        apierr_limiter_free(a);
        a = named(i % 2 ? "alpha" : "gamma", 2 + i);
        assert_reply_is_own(a, &v);
    }
    apierr_limiter_free(a);
    apierr_limiter_free(b);
}

/* Successive 429s of one verdict second come from the per-thread memo: each
 * has its own request id (header and body), and each equals the slow path's
 * reply for that id; a new second, dialect or wording is not served stale. */
static void test_memoised_reply(void **state)
{
    (void)state;
    apierr_limiter *l = limiter(2, 10, 1, 0);
    assert_true(take(l, "c", 0).allowed);
    static const struct {
        const char *code, *message;
    } words[] = {{NULL, NULL}, {"rate_limit_exceeded", "Too many requests."}, {"a:b", "c:d"}};
    static const long long at[] = {1200, 1300, 2500};
    for (size_t t = 0; t < sizeof at / sizeof *at; t++) {
        apierr_limit_verdict v = take(l, "c", at[t]);
        assert_false(v.allowed);
        for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
            for (apierr_dialect d = APIERR_DIALECT_PROBLEM; d <= APIERR_DIALECT_GESTIX; d++) {
                apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
                o.dialect = d;
                o.now_ms = 1700000000123LL + at[t];
                apierr_reply r[2];
                char rid[2][APIERR_REQUEST_ID_BUFSIZE];
                for (int k = 0; k < 2; k++) {
                    assert_int_equal(
                        apierr_limiter_reply(&r[k], l, &v, words[w].code, words[w].message, &o),
                        APIERR_OK);
                    snprintf(rid[k], sizeof rid[k], "%s", reply_header(&r[k], "X-Request-Id"));
                    assert_int_equal(strlen(rid[k]), APIERR_REQUEST_ID_LEN);
                    assert_same_as_slow(&r[k], l, &v, words[w].code, words[w].message, o, rid[k]);
                    apierr_problem *back = decode_reply(&r[k], d, 0);
                    assert_int_equal(back->status, 429);
                    if (back->request_id) assert_string_equal(back->request_id, rid[k]);
                    apierr_problem_free(back);
                    apierr_ratelimit rl = APIERR_RATELIMIT_INIT;
                    assert_int_equal(apierr_ratelimit_parse(&rl, r[k].headers, r[k].nheaders, 0),
                                     APIERR_OK);
                    assert_int_equal(rl.remaining, 0);
                    assert_int_equal(rl.reset_ms, (5000 - at[t] + 999) / 1000 * 1000);
                }
                assert_string_not_equal(rid[0], rid[1]);
                assert_null(strstr(r[0].body, rid[1]));
                assert_null(strstr(r[1].body, rid[0]));
                apierr_reply_clear(&r[0]);
                apierr_reply_clear(&r[1]);
                /* An incoming id of the fixed width is patched in too. */
                o.request_id = "0af7651916cd43dd8448eb211c80319c";
                assert_int_equal(
                    apierr_limiter_reply(&r[0], l, &v, words[w].code, words[w].message, &o),
                    APIERR_OK);
                assert_same_as_slow(&r[0], l, &v, words[w].code, words[w].message, o, o.request_id);
                apierr_reply_clear(&r[0]);
            }
        }
    }
    apierr_limiter_free(l);
}

enum { THREADS = 4, TRIES = 2000, BURST = 50 };

typedef struct {
    apierr_limiter *l;
    int id;
    long long allowed;
} worker;

static void *hammer(void *arg)
{
    worker *w = arg;
    char key[32];
    for (int i = 0; i < TRIES; i++) {
        apierr_limit_verdict v;
        if (apierr_limiter_take(w->l, &v, "shared", 6, 42) != APIERR_OK) return NULL;
        w->allowed += v.allowed;
        /* Other keys at the same time, through eviction (small table). */
        snprintf(key, sizeof key, "t%d-%d", w->id, i);
        if (apierr_limiter_take(w->l, &v, key, strlen(key), 42 + i) != APIERR_OK) return NULL;
    }
    return w;
}

/* THREADS workers of fn on l at once; the requests they were allowed. */
static long long run_workers(apierr_limiter *l, void *(*fn)(void *))
{
    pthread_t t[THREADS];
    worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){l, i, 0};
        assert_int_equal(pthread_create(&t[i], NULL, fn, &w[i]), 0);
    }
    long long total = 0;
    for (int i = 0; i < THREADS; i++) {
        void *ret;
        assert_int_equal(pthread_join(t[i], &ret), 0);
        assert_ptr_equal(ret, &w[i]);
        total += w[i].allowed;
    }
    return total;
}

static void test_threads(void **state)
{
    (void)state;
    apierr_limiter *l = limiter(BURST, 60, BURST, 256);
    long long total = run_workers(l, hammer);
    /* The clock stands still: exactly the burst gets through, whatever the
     * interleaving. */
    assert_int_equal(total, BURST);
    assert_true(apierr_limiter_size(l) <= 256);
    apierr_limiter_free(l);
}

/* A denied key is answered from the thread's memo, but only while its
 * shard allowed nothing since: here the flood of other keys evicts the
 * limited key (one key per shard, none expired), which the table then
 * treats as new, and the memo must not keep refusing it. */
static void test_memo_follows_eviction(void **state)
{
    (void)state;
    apierr_limiter *l = limiter(1, 10, 1, 16);
    assert_true(take(l, "limited", 0).allowed);
    apierr_limit_verdict v = take(l, "limited", 1);
    assert_false(v.allowed);
    assert_int_equal(v.retry_after_ms, 9999);
    /* From the memo: the same numbers as the table gives. */
    v = take(l, "limited", 2);
    assert_false(v.allowed);
    assert_int_equal(v.retry_after_ms, 9998);
    assert_int_equal(v.reset_ms, 9998);
    char key[32];
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "other-%d", i);
        take(l, key, 3);
    }
    assert_true(take(l, "limited", 4).allowed);
    apierr_limiter_free(l);
}

/* Another thread's allowed take moves the TAT the memo holds: the next
 * denial says the new retry-after, not the memo's. */
typedef struct {
    apierr_limiter *l;
    long long at;
} one_take;

static void *take_once(void *arg)
{
    one_take *o = arg;
    apierr_limit_verdict v;
    apierr_limiter_take(o->l, &v, "k", 1, o->at);
    return v.allowed ? o : NULL;
}

static void test_memo_follows_other_threads(void **state)
{
    (void)state;
    apierr_limiter *l = limiter(1, 10, 2, 1000); /* T = 10 s, burst 2 */
    assert_true(take(l, "k", 0).allowed);
    assert_true(take(l, "k", 0).allowed);
    assert_false(take(l, "k", 0).allowed); /* memoised: TAT 20 s */
    pthread_t t;
    one_take o = {l, 10000}; /* one emission later: allowed, TAT 30 s */
    void *ret;
    assert_int_equal(pthread_create(&t, NULL, take_once, &o), 0);
    assert_int_equal(pthread_join(t, &ret), 0);
    assert_ptr_equal(ret, &o);
    /* At 5 s (a clock read before the other thread's): the table's TAT is
     * 30 s, so 15 s to wait; the memo's 20 s would say 5. */
    apierr_limit_verdict v = take(l, "k", 5000);
    assert_false(v.allowed);
    assert_int_equal(v.retry_after_ms, 15000);
    apierr_limiter_free(l);
}

/* Threads on one key with clocks that move on: never more than the burst
 * and one per emission interval over the span of their clocks. */
enum { CLOCK_TRIES = 20000 };

static void *hammer_clock(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < CLOCK_TRIES; i++) {
        apierr_limit_verdict v;
        if (apierr_limiter_take(w->l, &v, "shared", 6, i) != APIERR_OK) return NULL;
        w->allowed += v.allowed;
    }
    return w;
}

static void test_threads_moving_clock(void **state)
{
    (void)state;
    apierr_limiter *l = limiter(100, 1, 5, 1000); /* T = 10 ms, burst 5 */
    long long total = run_workers(l, hammer_clock);
    /* Clocks from 0 to CLOCK_TRIES - 1 ms: the burst, then one every 10 ms
     * of that span, however the threads interleave; and at least what one
     * thread alone would get. */
    long long most = 5 + (CLOCK_TRIES - 1) / 10;
    assert_true(total <= most);
    assert_true(total >= most - 1);
    apierr_limiter_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_then_rate),
        cmocka_unit_test(test_steady_rate_without_drift),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_bounded_memory),
        cmocka_unit_test(test_headers_parse_back),
        cmocka_unit_test(test_429_reply),
        cmocka_unit_test(test_problem_with),
        cmocka_unit_test(test_fast_reply),
        cmocka_unit_test(test_memoised_reply),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_memo_keyed_by_limiter),
        cmocka_unit_test(test_memo_follows_eviction),
        cmocka_unit_test(test_memo_follows_other_threads),
        cmocka_unit_test(test_threads_moving_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
