/* Timing helpers shared by the benchmarks (header-only, static inline). */
#ifndef APIERR_BENCH_TIME_H
#define APIERR_BENCH_TIME_H

#include <time.h>

static inline double bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Runs fn(arg) `iters` times per round and returns the fastest round's ns
 * per call: the minimum is the figure least disturbed by the other core. */
static inline double bench_ns_per_call(void (*fn)(void *), void *arg, long iters, int rounds)
{
    double best = 0;
    for (int r = 0; r < rounds; r++) {
        double t0 = bench_now_ns();
        for (long i = 0; i < iters; i++) fn(arg);
        double ns = (bench_now_ns() - t0) / (double)iters;
        if (r == 0 || ns < best) best = ns;
    }
    return best;
}

#endif
