/* Pacing by rate-limit headers (src/client/pacer.c) on a fake clock: tables
 * of answers' headers and the release times they lead to, then whole
 * batches against the server's own GCRA limiter. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../src/client/pacer.h"
#include "apierr-server.h"

#include <string.h>

/* --- tables: header sequences -> release times ------------------------------------ */

enum { SEND = 1, ANSWER, EXPECT, END };

/*
 * One step of a case, at time t (ms): SEND an attempt (the pacer must
 * release it: next <= t), ANSWER attempt number i (0-based, in order of
 * SEND) with status and headers ("Name: value" lines), or EXPECT that
 * apierr__pacer_next() says want (APIERR__PACE_WAIT_ANSWER, or a time).
 */
typedef struct step {
    int op;
    long long t;
    int i;
    int status;
    const char *headers;
    long long want;
} step;

#define S(t)                   \
    {                          \
        SEND, t, 0, 0, NULL, 0 \
    }
#define A(t, i, st, hd)         \
    {                           \
        ANSWER, t, i, st, hd, 0 \
    }
#define E(t, want)                  \
    {                               \
        EXPECT, t, 0, 0, NULL, want \
    }
#define WAIT APIERR__PACE_WAIT_ANSWER
#define END_STEP              \
    {                         \
        END, 0, 0, 0, NULL, 0 \
    }

#define POL50 "RateLimit-Policy: \"default\";q=50;w=1\n"
#define RL(r) "RateLimit: \"default\";r=" #r ";t=1\n"

typedef struct pace_case {
    const char *name;
    step steps[40];
} pace_case;

static const pace_case cases[] = {
    {"nothing heard: one probe, then free when the answer has no header",
     {S(1000), E(1000, WAIT), E(5000, WAIT), A(1003, 0, 200, "Content-Type: text/plain\n"),
      E(1003, 1003), S(1003), S(1003), E(1003, 1003), END_STEP}},
    {"a probe lost to the network learns nothing: the next one goes alone",
     {S(1000), A(1010, 0, 0, NULL), E(1010, 1010), S(1010), E(1010, WAIT), END_STEP}},
    /* 50/s with a burst of 10: one request every 20 ms. The probe's answer
     * (r=9 at 1001) leaves 9 to send at once (the last one just, so it
     * waits for the 2 ms margin), and then one each 20 ms; t=1 (a whole
     * second) plays no part. */
    {"fast refill: burst, then one per interval, not one per t",
     {S(1000), E(1000, WAIT), A(1001, 0, 200, RL(9) POL50), E(1001, 843), S(1001), S(1001), S(1001),
      S(1001), S(1001), S(1001), S(1001), S(1001), E(1001, 1003), S(1003), E(1003, 1023),
      /* answers overtake each other; all agree with the mirror */
      A(1002, 5, 200, RL(0) POL50), A(1002, 1, 200, RL(4) POL50), A(1003, 9, 200, RL(1) POL50),
      A(1003, 2, 200, RL(8) POL50), E(1003, 1023), S(1023), E(1023, 1043), S(1043),
      A(1044, 10, 200, RL(0) POL50), E(1044, 1063), S(1063), E(1063, 1083), END_STEP}},
    {"a quota spent by someone else: the answer moves the mirror",
     {S(1000), A(1001, 0, 200, RL(9) POL50), S(1001), E(1001, 863), A(1002, 1, 200, RL(0) POL50),
      E(1002, 1024), END_STEP}},
    {"the safe bound counts the attempts in flight",
     {S(1000), A(1001, 0, 200, RL(9) POL50), S(1001), S(1001), S(1001),
      A(1002, 1, 200, RL(0) POL50), E(1002, 1024 + 2 * 20), END_STEP}},
    {"a 429 follows the server's Retry-After",
     {S(1000), A(1001, 0, 200, RL(9) POL50), S(1001),
      A(1002, 1, 429, RL(0) POL50 "Retry-After: 1\n"), E(1002, 2002 + 2), END_STEP}},
    /* 7 per second: one each 142.857 ms, kept in us so that it does not drift */
    {"an interval that is not a whole number of ms",
     {S(1000), A(1000, 0, 200, "RateLimit: \"p\";r=2;t=1\nRateLimit-Policy: \"p\";q=7;w=1\n"),
      S(1000), E(1000, 1000 + 2), S(1002), E(1002, 1143 + 2), S(1145), E(1145, 1286 + 2), S(1288),
      E(1288, 1429 + 2), END_STEP}},
    {"X-RateLimit without a window: count down, wait for the reset, then probe",
     {S(1000),
      A(1005, 0, 200, "X-RateLimit-Limit: 1\nX-RateLimit-Remaining: 0\nX-RateLimit-Reset: 1\n"),
      E(1006, 2005), E(2005, 2005), S(2005), E(2005, WAIT),
      A(2006, 1, 200, "X-RateLimit-Limit: 5\nX-RateLimit-Remaining: 4\nX-RateLimit-Reset: 1\n"),
      E(2006, 2006), END_STEP}},
    {"window count: less the attempts in flight, the smallest answer wins",
     {S(1000), A(1001, 0, 200, "X-RateLimit-Remaining: 3\nX-RateLimit-Reset: 60\n"), S(1001),
      S(1001), S(1001), E(1001, WAIT),
      A(1002, 3, 200, "X-RateLimit-Remaining: 0\nX-RateLimit-Reset: 60\n"),
      A(1003, 1, 200, "X-RateLimit-Remaining: 2\nX-RateLimit-Reset: 60\n"), E(1003, WAIT),
      A(1004, 2, 200, "X-RateLimit-Remaining: 1\nX-RateLimit-Reset: 60\n"), E(1004, 61004),
      END_STEP}},
    {"a 429 in a window empties it until its Retry-After",
     {S(1000), A(1001, 0, 429, "X-RateLimit-Remaining: 9\nX-RateLimit-Reset: 1\nRetry-After: 5\n"),
      E(1001, 6001), END_STEP}},
    {"junk numbers saturate",
     {S(1000),
      A(1001, 0, 200,
        "RateLimit: \"p\";r=999999999999999999;t=1\nRateLimit-Policy: \"p\";q=1;w=86400\n"),
      E(1001, WAIT - 1), S(1001), END_STEP}},
};

/* Splits "Name: value\n" lines into h (pointers into buf). */
static size_t split_headers(apierr_header *h, size_t cap, char *buf)
{
    size_t n = 0;
    for (char *line = buf; *line && n < cap;) {
        char *end = strchr(line, '\n');
        if (end) *end = '\0';
        char *colon = strchr(line, ':');
        assert_non_null(colon);
        *colon = '\0';
        h[n++] = (apierr_header){line, colon + 2};
        line = end ? end + 1 : line + strlen(line);
    }
    return n;
}

/* Reads an answer's headers as the engine does: the rate-limit state and
 * the Retry-After. */
static void answer(apierr__pacer *p, long long sent_ms, int status, const char *headers,
                   long long now_ms)
{
    char buf[512] = "";
    apierr_header h[8];
    size_t n = 0;
    if (headers) {
        assert_true(strlen(headers) < sizeof buf);
        strcpy(buf, headers);
        n = split_headers(h, 8, buf);
    }
    apierr_ratelimit rl = APIERR_RATELIMIT_INIT;
    int found = n && apierr_ratelimit_parse(&rl, h, n, 1700000000000LL) == APIERR_OK;
    const char *ra = apierr_header_find(h, n, "Retry-After");
    long long ra_ms = -1;
    if (ra) assert_int_equal(apierr_retry_after_parse(&ra_ms, ra, strlen(ra), 0), APIERR_OK);
    apierr__pacer_answer(p, sent_ms, status, found ? &rl : NULL, ra_ms, now_ms);
}

static void test_tables(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        apierr__pacer p = APIERR__PACER_INIT;
        long long sent[40];
        int nsent = 0;
        for (const step *s = cases[c].steps; s->op != END; s++) {
            long long next = apierr__pacer_next(&p, s->t);
            if (s->op == SEND) {
                if (next == WAIT || next > s->t)
                    fail_msg("%s: step %d: send at %lld held until %lld", cases[c].name,
                             (int)(s - cases[c].steps), s->t, next);
                apierr__pacer_sent(&p, s->t);
                sent[nsent++] = s->t;
            } else if (s->op == ANSWER) {
                assert_true(s->i < nsent);
                answer(&p, sent[s->i], s->status, s->headers, s->t);
            } else if (s->want == WAIT - 1) { /* any time, as long as it is not a wait */
                if (next == WAIT || next > s->t)
                    fail_msg("%s: step %d: held until %lld", cases[c].name,
                             (int)(s - cases[c].steps), next);
            } else if (next != s->want) {
                fail_msg("%s: step %d: next at %lld, want %lld", cases[c].name,
                         (int)(s - cases[c].steps), next, s->want);
            }
        }
    }
}

/* --- whole batches against the server's limiter, on a fake clock ------------------ */

typedef struct sim_config {
    long long rate, burst, n, parallel;
    int pace;
} sim_config;

typedef struct sim_result {
    long long n429, finish_us;
} sim_result;

typedef struct slot {
    int busy, counted;
    long long sent_ms, arrive_us, answer_us;
    apierr_limit_verdict v;
} slot;

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

/*
 * Runs n requests through `parallel` slots against apierr_limiter (rate per
 * second, burst) in steps of 100 us: each request takes 0.1..3 ms to reach
 * the server and 0.1..1 ms to come back, so answers overtake each other; the
 * server reads its own clock, 0.7 ms ahead of the client's, in whole ms. A
 * 429 is sent again (like the engine after its Retry-After, only sooner).
 */
static sim_result simulate(const sim_config *cfg)
{
    apierr_limiter_opts lo = APIERR_LIMITER_OPTS_INIT;
    lo.limit = cfg->rate;
    lo.window_s = 1;
    lo.burst = cfg->burst;
    apierr_limiter *l = NULL;
    assert_int_equal(apierr_limiter_new(&l, &lo), APIERR_OK);
    apierr__pacer p = APIERR__PACER_INIT;
    slot slots[64] = {{0}};
    assert_true(cfg->parallel <= 64);
    uint64_t rng = 7;
    long long pending = cfg->n, done = 0;
    sim_result res = {0, 0};
    long long t = 1000000; /* us */
    for (; done < cfg->n && t < 600000000; t += 100) {
        long long now = t / 1000;
        for (long long i = 0; i < cfg->parallel; i++) {
            slot *s = &slots[i];
            if (s->busy && !s->counted && s->arrive_us <= t) {
                apierr_limiter_take(l, &s->v, "k", 1, (t + 700) / 1000);
                s->counted = 1;
                s->answer_us = t + 100 + (long long)(lcg(&rng) % 10) * 100;
            }
        }
        for (long long i = 0; i < cfg->parallel; i++) {
            slot *s = &slots[i];
            if (!s->busy || !s->counted || s->answer_us > t) continue;
            apierr_limit_headers lh;
            apierr_limiter_headers(&lh, l, &s->v);
            apierr_ratelimit rl = APIERR_RATELIMIT_INIT;
            assert_int_equal(apierr_ratelimit_parse(&rl, lh.h, lh.n, 0), APIERR_OK);
            /* Retry-After goes out in whole seconds */
            long long ra = s->v.allowed ? -1 : (s->v.retry_after_ms + 999) / 1000 * 1000;
            apierr__pacer_answer(&p, s->sent_ms, s->v.allowed ? 200 : 429, &rl, ra, now);
            if (s->v.allowed) {
                done++;
            } else {
                res.n429++;
                pending++;
            }
            s->busy = 0;
        }
        for (long long i = 0; i < cfg->parallel && pending > 0; i++) {
            slot *s = &slots[i];
            if (s->busy) continue;
            long long next = apierr__pacer_next(&p, now);
            if (cfg->pace && (next == APIERR__PACE_WAIT_ANSWER || next > now)) break;
            apierr__pacer_sent(&p, now);
            *s = (slot){.busy = 1, .sent_ms = now};
            s->arrive_us = t + 100 + (long long)(lcg(&rng) % 30) * 100;
            pending--;
        }
    }
    assert_int_equal(done, cfg->n);
    res.finish_us = t - 1000000;
    apierr_limiter_free(l);
    return res;
}

static void test_batches_against_gcra(void **state)
{
    (void)state;
    static const sim_config configs[] = {
        {50, 10, 200, 16, 1},                    /* the fast refill of issue 6 */
        {20, 20, 200, 8, 1},                     /* burst equal to the rate */
        {7, 3, 60, 4, 1},                        /* an interval of 142.857 ms */
        {200, 50, 400, 32, 1}, {5, 1, 20, 4, 1}, /* no burst: every request waits for its token */
    };
    for (size_t i = 0; i < sizeof configs / sizeof configs[0]; i++) {
        const sim_config *c = &configs[i];
        sim_result r = simulate(c);
        long long min_us = (c->n - c->burst) * 1000000 / c->rate;
        print_message("rate %lld burst %lld: %lld requests, %lld 429s, %lld ms (minimum %lld)\n",
                      c->rate, c->burst, c->n, r.n429, r.finish_us / 1000, min_us / 1000);
        assert_int_equal(r.n429, 0);
        assert_true(r.finish_us >= min_us);
        /* On this clock the pacer's own cost is known: the probe, the 2 ms
         * margin of each release where a bucket of 1 cannot absorb it. */
        if (c->burst > 1) assert_true(r.finish_us <= min_us + min_us / 20 + 20000);
        /* The same batch unpaced runs into the limit: the check can fail. */
        sim_config off = *c;
        off.pace = 0;
        assert_true(simulate(&off).n429 > 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_batches_against_gcra),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
