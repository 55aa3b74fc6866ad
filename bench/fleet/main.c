/*
 * bench/fleet: the limiter's cost on Redis against the memory backend, at
 * 1, 16 and 64 concurrent callers, and the over-grant count of a hot key.
 * The callers are threads of one process sharing one limiter, as the worker
 * threads of `apierr serve` share theirs (one pool of
 * APIERR__REDIS_CONNECTIONS connections, the callers' decisions pipelined
 * on them). bench/fleet/run.sh starts the redis-server and gives its URL
 * (FLEET_REDIS_URL), redis-benchmark's command line for it (FLEET_PEER)
 * and the SHA1 of the limiter's script loaded there (FLEET_SHA).
 *
 * The peers run on the same server at the same concurrency C, in turn with
 * the library (FLEET_ROUNDS rounds, default 5: peers, memory, Redis; each
 * figure the best of its rounds, as bench_ns_per_call() takes the fastest
 * round): redis-benchmark's INCR with one command per connection in flight
 * (-c C -P 1), the limiter's own script by EVALSHA the same way, on the
 * same 10,000 keys with the same arguments, and that script with the
 * pipelining the library gives C callers (C commands in flight on
 * K = min(C, connections) connections: -c K -P C/K). Prints decisions per
 * second, mean latency per decision and the three ratios; asserts no time.
 * FLEET_SECONDS (default 0.5) is one measurement of the library.
 *
 * FLEET_CALLERS=C runs the row of C callers only (to profile it);
 * bench_fleet --script prints the limiter's script (run.sh loads it).
 */
#include "apierr-server.h"

#include "../../src/server/limiter_redis.h"
#include "../../src/server/redis_conn.h"
#include "../common/bench_time.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CALLERS 64

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

static apierr_limiter *limiter(const char *backend, const char *policy, long long limit,
                               long long window_s)
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

typedef struct figures {
    double rate;   /* decisions per second */
    double lat_us; /* mean latency of one decision */
    long allowed;
    int failures;
} figures;

/* threads callers for secs on instances limiters of policy (threads /
 * instances callers each), every key uniform or one hot key of 100 per
 * hour. */
static figures measure(const char *backend, const char *policy, int threads, int instances, int hot,
                       double secs)
{
    worker w[MAX_CALLERS];
    pthread_t t[MAX_CALLERS];
    apierr_limiter *l[MAX_CALLERS];
    for (int i = 0; i < instances; i++)
        l[i] = limiter(backend, policy, hot ? 100 : 1000000, hot ? 3600 : 1);
    for (int i = 0; i < threads; i++) {
        w[i] = (worker){l[i % instances], i, 0, 0, secs, hot, 0};
        pthread_create(&t[i], NULL, run, &w[i]);
    }
    figures f = {0, 0, 0, 0};
    long n = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        n += w[i].n;
        f.allowed += w[i].allowed;
        f.failures += w[i].failures;
    }
    for (int i = 0; i < instances; i++) apierr_limiter_free(l[i]);
    f.rate = (double)n / secs;
    f.lat_us = f.rate > 0 ? (double)threads / f.rate * 1e6 : 0;
    return f;
}

/* The requests per second redis-benchmark reports for its command line
 * (FLEET_PEER, then args); 0 when it did not run. */
static double peer(const char *args)
{
    const char *bench = getenv("FLEET_PEER");
    char cmd[1024], line[1024];
    double rps = 0;
    if (!bench) return 0;
    snprintf(cmd, sizeof cmd, "%s --csv %s 2>/dev/null", bench, args);
    FILE *p = popen(cmd, "r");
    if (!p) return 0;
    while (fgets(line, sizeof line, p)) { /* "NAME","RPS",...: the last line's */
        const char *q = strstr(line, "\",\"");
        if (q) rps = atof(q + 3);
    }
    pclose(p);
    return rps;
}

/* The peers of C callers: INCR and the limiter's script by EVALSHA, one
 * command in flight per connection, and the script pipelined as the
 * library pipelines C callers (C in flight on min(C, connections)). */
typedef struct peers {
    double incr, eval, pipe;
} peers;

static peers run_peers(int c)
{
    /* The limiter's own call for bench_fleet's uniform keys (1,000,000 a
     * second, burst 1,000,000): its key, then T and the burst tolerance in
     * microseconds, printed as limiter_redis.c prints them. */
    const char *sha = getenv("FLEET_SHA");
    char call[256], args[512];
    int k = c < APIERR__REDIS_CONNECTIONS ? c : APIERR__REDIS_CONNECTIONS;
    long n = c > 1 ? 50000 : 15000; /* about half a second each, idle */
    snprintf(call, sizeof call,
             "-r 10000 evalsha %s 1 apierr:rl:bench:1000000:1:client-__rand_int__ "
             "%.6f %.6f",
             sha ? sha : "none", 1.0, 1e6);
    peers p;
    snprintf(args, sizeof args, "-c %d -P 1 -n %ld -t incr", c, n);
    p.incr = peer(args);
    snprintf(args, sizeof args, "-c %d -P 1 -n %ld %s", c, n, call);
    p.eval = peer(args);
    snprintf(args, sizeof args, "-c %d -P %d -n %ld %s", k, c / k, n, call);
    p.pipe = peer(args);
    return p;
}

static double max(double a, double b)
{
    return a > b ? a : b;
}

/* The load averages, as /proc/loadavg gives them (with its newline). */
static const char *loadavg(void)
{
    static char line[128] = "unknown\n";
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (!fgets(line, sizeof line, f)) snprintf(line, sizeof line, "unknown\n");
        fclose(f);
    }
    return line;
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--script") == 0) {
        fputs(apierr__gcra_redis_script_text(), stdout);
        return 0;
    }
    const char *url = getenv("FLEET_REDIS_URL");
    if (!url) {
        printf("bench_fleet: run by bench/fleet/run.sh, which starts a redis-server\n");
        return 0;
    }
    double secs = getenv("FLEET_SECONDS") ? atof(getenv("FLEET_SECONDS")) : 0.5;
    int rounds = getenv("FLEET_ROUNDS") ? atoi(getenv("FLEET_ROUNDS")) : 5;
    static const int conc[] = {1, 16, 64};
    printf("%d rounds, each figure the best of its rounds; load %s", rounds, loadavg());
    printf("%-7s %13s %11s %8s %9s | %10s %10s %10s | %6s %6s %6s\n", "callers", "memory dec/s",
           "redis dec/s", "mem us", "redis us", "INCR -P1", "EVALSHA", "EVAL pipe", "/INCR",
           "/EVAL", "/pipe");
    const char *only = getenv("FLEET_CALLERS"); /* one row, to profile it */
    for (size_t i = 0; i < 3; i++) {
        if (only && atoi(only) != conc[i]) continue;
        /* Rounds of the peers then the library, in turn, so that a burst
         * of load on the shared machine falls on both alike. */
        figures m = {0, 0, 0, 0}, r = {0, 0, 0, 0};
        peers best = {0, 0, 0};
        for (int round = 0; round < rounds; round++) {
            peers p = run_peers(conc[i]);
            best.incr = max(best.incr, p.incr);
            best.eval = max(best.eval, p.eval);
            best.pipe = max(best.pipe, p.pipe);
            figures fm = measure(NULL, "bench", conc[i], 1, 0, secs);
            figures fr = measure(url, "bench", conc[i], 1, 0, secs);
            if (fm.rate > m.rate) m = fm;
            if (fr.rate > r.rate) r = fr;
            m.failures += fm.failures;
            r.failures += fr.failures;
        }
        printf("%-7d %13.0f %11.0f %8.2f %9.2f | %10.0f %10.0f %10.0f | %5.2fx %5.2fx %5.2fx%s\n",
               conc[i], m.rate, r.rate, m.lat_us, r.lat_us, best.incr, best.eval, best.pipe,
               ratio(r.rate, best.incr), ratio(r.rate, best.eval), ratio(r.rate, best.pipe),
               m.failures || r.failures ? "  (failures!)" : "");
    }
    /* The 429 path: one key, its burst of 100 spent at once, then refused. */
    figures m429 = measure(NULL, "bench", 16, 1, 1, secs);
    figures r429 = measure(url, "bench", 16, 1, 1, secs);
    printf("\n429 path, 16 callers, one key: memory %.0f dec/s, redis %.0f dec/s (%.4fx)\n",
           m429.rate, r429.rate, ratio(r429.rate, m429.rate));
    /* 4 instances of 16 callers each, one hot key of 100 per hour: exactly
     * 100 admitted, however the decisions were batched. */
    figures hot = measure(url, "overgrant", 64, 4, 1, secs);
    printf("over-grants on Redis (4 instances x 16 callers, limit 100/h, %.0f decisions): %ld"
           "%s\n",
           hot.rate * secs, hot.allowed > 100 ? hot.allowed - 100 : 0,
           hot.allowed < 100 ? "  (under-granted!)" : "");
    return 0;
}
