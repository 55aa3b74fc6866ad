/*
 * The limiter's Redis backend against a real redis-server that this test
 * starts on a free 127.0.0.1 port (and stops, and starts again): limiters
 * standing for instances of a fleet share one limit exactly, whatever their
 * clocks say and however many threads call them; the verdicts carry what
 * the RateLimit and Retry-After fields need; a flushed script cache is
 * survived; an unreachable Redis fails open or closed as configured, and
 * the limiter comes back by itself. Run by tests/integration/limiter_redis.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apierr-server.h"
#include "redis_fixture.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static apierr_limiter *limiter(long long limit, long long window_s, const char *policy,
                               int fail_closed)
{
    apierr_limiter_opts o = APIERR_LIMITER_OPTS_INIT;
    o.limit = limit;
    o.window_s = window_s;
    o.policy = policy;
    o.backend = url;
    o.fail_closed = fail_closed;
    apierr_limiter *l = NULL;
    assert_int_equal(apierr_limiter_new(&l, &o), APIERR_OK);
    return l;
}

static long long wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Three instances whose clocks are an hour apart, taking turns: a limit of
 * 5 per minute admits 5 of 20, as one instance would. */
static void test_fleet_admits_exactly(void **state)
{
    (void)state;
    apierr_limiter *fleet[3] = {limiter(5, 60, "fleet", 0), limiter(5, 60, "fleet", 0),
                                limiter(5, 60, "fleet", 0)};
    const long long skew[3] = {0, 3600 * 1000, -3600 * 1000};
    int allowed = 0;
    for (int i = 0; i < 20; i++) {
        apierr_limit_verdict v;
        assert_int_equal(
            apierr_limiter_take(fleet[i % 3], &v, "client-a", 8, wall_ms() + skew[i % 3]),
            APIERR_OK);
        allowed += v.allowed;
        assert_int_equal(v.limit, 5);
        assert_int_equal(v.window_s, 60);
        if (v.allowed) {
            assert_int_equal(v.remaining, 5 - allowed); /* the burst, one spent each */
            assert_int_equal(v.retry_after_ms, 0);
        } else {
            assert_int_equal(v.remaining, 0);
            /* The next request is one emission interval (12 s) after the
             * first, less the time these calls took. */
            assert_true(v.retry_after_ms > 10000 && v.retry_after_ms <= 12000);
            assert_true(v.reset_ms > 50000 && v.reset_ms <= 60000);
        }
    }
    assert_int_equal(allowed, 5);
    /* Another key, and the same name with another limit, are their own. */
    apierr_limit_verdict v;
    assert_int_equal(apierr_limiter_take(fleet[0], &v, "client-b", 8, 0), APIERR_OK);
    assert_true(v.allowed);
    apierr_limiter *other = limiter(6, 60, "fleet", 0);
    assert_int_equal(apierr_limiter_take(other, &v, "client-a", 8, 0), APIERR_OK);
    assert_true(v.allowed);
    assert_int_equal(apierr_limiter_size(fleet[0]), 0); /* nothing kept in process */
    for (int i = 0; i < 3; i++) apierr_limiter_free(fleet[i]);
    apierr_limiter_free(other);
}

typedef struct hammer {
    apierr_limiter *l;
    int allowed;
} hammer;

static void *hammer_run(void *arg)
{
    hammer *h = arg;
    for (int i = 0; i < 50; i++) {
        apierr_limit_verdict v;
        if (apierr_limiter_take(h->l, &v, "hot", 3, 0) == APIERR_OK) h->allowed += v.allowed;
    }
    return NULL;
}

/* 3 instances x 4 threads x 50 requests at once: still exactly the burst. */
static void test_concurrent_no_overgrant(void **state)
{
    (void)state;
    apierr_limiter *fleet[3] = {limiter(40, 3600, "hot", 0), limiter(40, 3600, "hot", 0),
                                limiter(40, 3600, "hot", 0)};
    hammer h[12];
    pthread_t t[12];
    for (int i = 0; i < 12; i++) {
        h[i] = (hammer){fleet[i % 3], 0};
        assert_int_equal(pthread_create(&t[i], NULL, hammer_run, &h[i]), 0);
    }
    int allowed = 0;
    for (int i = 0; i < 12; i++) {
        pthread_join(t[i], NULL);
        allowed += h[i].allowed;
    }
    assert_int_equal(allowed, 40);
    for (int i = 0; i < 3; i++) apierr_limiter_free(fleet[i]);
}

/* A counter of Redis's INFO section: "name:N" or, in commandstats,
 * "name:calls=N,...". */
static long long info_stat(const char *section, const char *name)
{
    char cmd[96], line[256];
    long long v = -1;
    size_t n = strlen(name);
    snprintf(cmd, sizeof cmd, "redis-cli -p %d info %s", port, section);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    while (fgets(line, sizeof line, p)) {
        if (strncmp(line, name, n) != 0 || line[n] != ':') continue;
        const char *calls = strstr(line, "calls=");
        v = atoll(calls ? calls + 6 : line + n + 1);
    }
    pclose(p);
    assert_true(v >= 0);
    return v;
}

typedef struct caller {
    apierr_limiter *l;
    int id, allowed, failures;
} caller;

static void *caller_run(void *arg)
{
    caller *c = arg;
    for (int i = 0; i < 100; i++) {
        char key[16];
        int len = snprintf(key, sizeof key, "k%d-%d", c->id, i % 7);
        apierr_limit_verdict v;
        if (apierr_limiter_take(c->l, &v, key, (size_t)len, 0) != APIERR_OK) c->failures++;
        c->allowed += v.allowed;
    }
    return NULL;
}

/* 32 threads of one process on one limiter: their decisions ride together
 * on the pool's few connections (Redis reads fewer times than it runs
 * scripts: one script per round trip would need a read each), and every
 * one gets its own answer (7 keys a thread, 14 or 15 requests each, a
 * burst of 10: exactly 70 of a thread's 100 allowed). */
static void test_callers_pipelined(void **state)
{
    (void)state;
    apierr_limiter *l = limiter(10, 3600, "pipe", 0);
    caller c[32];
    pthread_t t[32];
    apierr_limit_verdict v;
    assert_int_equal(apierr_limiter_take(l, &v, "warm", 4, 0), APIERR_OK); /* the script loaded */
    /* Scripts, not commands: the commands a script runs are counted too. */
    long long reads = info_stat("stats", "total_reads_processed");
    long long scripts = info_stat("commandstats", "cmdstat_evalsha");
    for (int i = 0; i < 32; i++) {
        c[i] = (caller){l, i, 0, 0};
        assert_int_equal(pthread_create(&t[i], NULL, caller_run, &c[i]), 0);
    }
    for (int i = 0; i < 32; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(c[i].failures, 0);
        assert_int_equal(c[i].allowed, 70);
    }
    reads = info_stat("stats", "total_reads_processed") - reads;
    scripts = info_stat("commandstats", "cmdstat_evalsha") - scripts;
    assert_true(scripts >= 3200);
    if (reads >= scripts) fail_msg("%lld reads for %lld scripts: none pipelined", reads, scripts);
    /* The pool's connections, and redis-cli's: never one per thread. */
    char cmd[160];
    snprintf(cmd, sizeof cmd, "[ $(redis-cli -p %d client list | wc -l) -le %d ]", port, 4 + 1);
    assert_int_equal(system(cmd), 0);
    apierr_limiter_free(l);
}

/* The key expires with its TAT; a flushed script cache is loaded again. */
static void test_ttl_and_script_flush(void **state)
{
    (void)state;
    apierr_limiter *l = limiter(2, 10, "ttl", 0);
    apierr_limit_verdict v;
    assert_int_equal(apierr_limiter_take(l, &v, "k", 1, 0), APIERR_OK);
    char cmd[160];
    snprintf(cmd, sizeof cmd,
             "t=$(redis-cli -p %d -n 3 pttl apierr:rl:ttl:2:10:k); [ \"$t\" -gt 0 ] && [ \"$t\" "
             "-le 5001 ]",
             port);
    assert_int_equal(system(cmd), 0);
    redis_cli("script flush");
    assert_int_equal(apierr_limiter_take(l, &v, "k", 1, 0), APIERR_OK);
    assert_true(v.allowed);
    assert_int_equal(apierr_limiter_take(l, &v, "k", 1, 0), APIERR_OK);
    assert_false(v.allowed); /* the third of a burst of 2 */
    apierr_limiter_free(l);
}

/* Redis goes away: fail open, or closed; it comes back: so does the limiter. */
static void test_backend_down_and_back(void **state)
{
    (void)state;
    apierr_limiter *open = limiter(1, 60, "down", 0), *closed = limiter(1, 60, "down2", 1);
    apierr_limit_verdict v;
    assert_int_equal(apierr_limiter_take(open, &v, "k", 1, 0), APIERR_OK);
    redis_stop();
    for (int i = 0; i < 3; i++) {
        assert_int_equal(apierr_limiter_take(open, &v, "k", 1, 0), APIERR_EBACKEND);
        assert_true(v.allowed);
        assert_int_equal(apierr_limiter_take(closed, &v, "k", 1, 0), APIERR_EBACKEND);
        assert_false(v.allowed);
        assert_int_equal(v.retry_after_ms, 1000);
    }
    redis_start(); /* empty: the keys and the script are gone */
    int rc = APIERR_EBACKEND;
    for (int i = 0; i < 100 && rc == APIERR_EBACKEND; i++) { /* fails fast for 200 ms */
        rc = apierr_limiter_take(closed, &v, "k", 1, 0);
        if (rc == APIERR_EBACKEND) usleep(20000);
    }
    assert_int_equal(rc, APIERR_OK);
    assert_true(v.allowed);
    assert_int_equal(apierr_limiter_take(closed, &v, "k", 1, 0), APIERR_OK);
    assert_false(v.allowed);
    apierr_limiter_free(open);
    apierr_limiter_free(closed);
}

int main(void)
{
    int skip = redis_fixture_start("tests/integration/limiter_redis.sh");
    if (skip) return skip;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fleet_admits_exactly),
        cmocka_unit_test(test_concurrent_no_overgrant),
        cmocka_unit_test(test_callers_pipelined),
        cmocka_unit_test(test_ttl_and_script_flush),
        cmocka_unit_test(test_backend_down_and_back),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    redis_stop();
    return rc;
}
