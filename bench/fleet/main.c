/*
 * bench/fleet: the limiter's cost on Redis against the memory backend, at
 * 1, 16 and 64 concurrent callers (threads of one process, each its own
 * limiter instance on the same Redis, as instances of a fleet), and the
 * over-grant count of a hot key. bench/fleet/run.sh starts the redis-server,
 * gives its URL in FLEET_REDIS_URL, and sets the peer beside it: the
 * machine's own ceiling, redis-benchmark's INCR at the same concurrency.
 * Prints decisions per second, mean latency per decision and ratios; asserts
 * no time.
 */
#include "apierr-server.h"

#include "../common/bench_time.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct worker {
    apierr_limiter *l;
    int id;
    long n;       /* decisions made */
    long allowed; /* of them */
    double secs;  /* how long to run */
    int hot;      /* every call on one key (the 429 path once it is spent) */
    int failures; /* returns other than APIERR_OK */
} worker;

static void *run(void *arg)
{
    worker *w = arg;
    unsigned seed = (unsigned)w->id * 2654435761u + 1;
    double end = bench_now_ns() + w->secs * 1e9;
    while (bench_now_ns() < end) {
        for (int i = 0; i < 64; i++) {
            char key[32];
            int len = w->hot ? snprintf(key, sizeof key, "hot")
                             : snprintf(key, sizeof key, "client-%u",
                                        (seed = seed * 1103515245u + 12345u) % 10000);
            apierr_limit_verdict v;
            if (apierr_limiter_take(w->l, &v, key, (size_t)len, 0) != APIERR_OK) w->failures++;
            w->allowed += v.allowed;
            w->n++;
        }
    }
    return NULL;
}

static apierr_limiter *limiter(const char *backend, long long limit, long long window_s,
                               const char *policy)
{
    apierr_limiter_opts o = APIERR_LIMITER_OPTS_INIT;
    o.limit = limit;
    o.window_s = window_s;
    o.policy = policy;
    o.backend = backend;
    apierr_limiter *l;
    if (apierr_limiter_new(&l, &o) != APIERR_OK) {
        fprintf(stderr, "bench_fleet: cannot make a limiter on %s\n", backend ? backend : "memory");
        exit(1);
    }
    return l;
}

/* threads callers for secs: decisions per second; *lat_us the mean latency. */
static double measure(const char *backend, int threads, int hot, double secs, double *lat_us,
                      long *allowed, int *failures)
{
    worker w[64];
    pthread_t t[64];
    /* Memory: one limiter shared (one process); Redis: one per caller. */
    apierr_limiter *shared = backend ? NULL : limiter(NULL, 1000000, 1, "bench");
    for (int i = 0; i < threads; i++) {
        w[i] = (worker){backend ? limiter(backend, hot ? 100 : 1000000, hot ? 3600 : 1, "bench")
                                : shared,
                        i,
                        0,
                        0,
                        secs,
                        hot,
                        0};
        pthread_create(&t[i], NULL, run, &w[i]);
    }
    long n = 0;
    *allowed = 0;
    *failures = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        n += w[i].n;
        *allowed += w[i].allowed;
        *failures += w[i].failures;
        if (backend) apierr_limiter_free(w[i].l);
    }
    apierr_limiter_free(shared);
    double rate = (double)n / secs;
    *lat_us = rate > 0 ? (double)threads / rate * 1e6 : 0;
    return rate;
}

int main(void)
{
    const char *url = getenv("FLEET_REDIS_URL");
    if (!url) {
        printf("bench_fleet: run by bench/fleet/run.sh, which starts a redis-server\n");
        return 0;
    }
    double secs = getenv("FLEET_SECONDS") ? atof(getenv("FLEET_SECONDS")) : 2.0;
    const char *ceiling = getenv("FLEET_CEILING"); /* "C:RPS,C:RPS,..." from run.sh */
    static const int conc[] = {1, 16, 64};
    printf("%-8s %14s %14s %10s %10s %14s %9s\n", "callers", "memory dec/s", "redis dec/s",
           "mem us", "redis us", "INCR ceiling/s", "vs ceil");
    for (size_t i = 0; i < 3; i++) {
        double lm, lr;
        long a;
        int fm, fr;
        double m = measure(NULL, conc[i], 0, secs, &lm, &a, &fm);
        double r = measure(url, conc[i], 0, secs, &lr, &a, &fr);
        double ceil = 0;
        char want[16];
        snprintf(want, sizeof want, "%d:", conc[i]);
        const char *c = ceiling ? strstr(ceiling, want) : NULL;
        if (c && (c == ceiling || c[-1] == ',')) ceil = atof(c + strlen(want));
        printf("%-8d %14.0f %14.0f %10.2f %10.2f %14.0f %8.2fx%s\n", conc[i], m, r, lm, lr, ceil,
               ceil > 0 ? r / ceil : 0, fm || fr ? "  (failures!)" : "");
    }
    /* The 429 path: one key, its burst of 100 spent at once, then refused. */
    double l429m, l429r;
    long am, ar;
    int f1, f2;
    double m429 = measure(NULL, 16, 1, secs, &l429m, &am, &f1);
    double r429 = measure(url, 16, 1, secs, &l429r, &ar, &f2);
    printf("\n429 path, 16 callers, one key: memory %.0f dec/s, redis %.0f dec/s (%.2fx)\n", m429,
           r429, m429 > 0 ? r429 / m429 : 0);
    /* 16 instances, one hot key of 100 per hour: exactly 100 admitted. */
    printf("over-grants on Redis (16 instances, limit 100/h, %ld decisions): %ld\n",
           (long)(r429 * secs), ar > 100 ? ar - 100 : 0);
    return 0;
}
