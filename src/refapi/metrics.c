/* metrics.c - the counters of metrics.h and their Prometheus text. */
#include "metrics.h"

#include "shard.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define STATUS_MIN 100
#define STATUS_N   500 /* 100..599 */

/* Upper bounds of the latency buckets, in microseconds. */
static const long long bucket_us[] = {500,   1000,   2500,   5000,   10000,   25000,
                                      50000, 100000, 250000, 500000, 1000000, 2500000};
#define NBUCKETS (sizeof bucket_us / sizeof bucket_us[0])

/* The counters of the threads of one shard (shard.h): a request's five
 * counts were each a cache line taken from the other core. /metrics sums
 * the shards. */
typedef struct counters {
    _Alignas(64) atomic_ullong requests[REFAPI_ROUTE__COUNT][STATUS_N];
    atomic_ullong limited[REFAPI_LIMIT__COUNT];
    atomic_ullong events[REFAPI_EV__COUNT];
    atomic_ullong buckets[NBUCKETS + 1]; /* the last: +Inf */
    atomic_ullong latency_sum_us, latency_count;
} counters;

struct refapi_metrics {
    counters shard[REFAPI_SHARDS];
};

static counters *mine(refapi_metrics *m)
{
    return &m->shard[refapi_shard()];
}

/* A counter summed over the shards, named by its place in the first. */
static unsigned long long total(atomic_ullong *in_first)
{
    unsigned long long n = 0;
    for (size_t i = 0; i < REFAPI_SHARDS; i++)
        n += atomic_load((atomic_ullong *)(void *)((char *)in_first + i * sizeof(counters)));
    return n;
}

static const char *const route_label[] = {
#define ROUTE_LABEL(name, label) label,
    REFAPI_METRIC_ROUTES(ROUTE_LABEL)
#undef ROUTE_LABEL
};

static const char *const limit_label[] = {
#define LIMIT_LABEL(name, label) label,
    REFAPI_METRIC_LIMITS(LIMIT_LABEL)
#undef LIMIT_LABEL
};

/* The counters of the events: name and help, in enum order. */
static const struct {
    const char *name, *help;
} event_info[] = {
    {"apierr_idempotency_replays_total",
     "Creates answered with the response stored under their key."},
    {"apierr_idempotency_conflicts_total", "Keys in progress or reused with another body."},
    {"apierr_backend_errors_total", "Database failures answered with a 5xx."},
};

refapi_metrics *refapi_metrics_new(void)
{
    return calloc(1, sizeof(refapi_metrics));
}

void refapi_metrics_free(refapi_metrics *m)
{
    free(m);
}

void refapi_metrics_request(refapi_metrics *m, refapi_metric_route route, int status,
                            long long latency_us)
{
    if (!m || route < 0 || route >= REFAPI_ROUTE__COUNT) return;
    counters *c = mine(m);
    if (status >= STATUS_MIN && status < STATUS_MIN + STATUS_N)
        refapi_shard_add(&c->requests[route][status - STATUS_MIN], 1);
    size_t b = 0;
    while (b < NBUCKETS && latency_us > bucket_us[b]) b++;
    refapi_shard_add(&c->buckets[b], 1);
    refapi_shard_add(&c->latency_sum_us, (unsigned long long)(latency_us > 0 ? latency_us : 0));
    refapi_shard_add(&c->latency_count, 1);
}

void refapi_metrics_limited(refapi_metrics *m, refapi_metric_limit limit)
{
    if (m && limit >= 0 && limit < REFAPI_LIMIT__COUNT)
        refapi_shard_add(&mine(m)->limited[limit], 1);
}

void refapi_metrics_event(refapi_metrics *m, refapi_metric_event ev)
{
    if (m && ev >= 0 && ev < REFAPI_EV__COUNT) refapi_shard_add(&mine(m)->events[ev], 1);
}

size_t refapi_metrics_render(refapi_metrics *m, char **out)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return 0;
    fputs("# HELP apierr_requests_total Requests answered, by route and status.\n"
          "# TYPE apierr_requests_total counter\n",
          f);
    for (int r = 0; r < REFAPI_ROUTE__COUNT; r++) {
        for (int s = 0; s < STATUS_N; s++) {
            unsigned long long n = total(&m->shard[0].requests[r][s]);
            if (n)
                fprintf(f, "apierr_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                        route_label[r], s + STATUS_MIN, n);
        }
    }
    fputs("# HELP apierr_rate_limited_total 429 answers, by the limit that gave them.\n"
          "# TYPE apierr_rate_limited_total counter\n",
          f);
    for (int l = 0; l < REFAPI_LIMIT__COUNT; l++)
        fprintf(f, "apierr_rate_limited_total{limit=\"%s\"} %llu\n", limit_label[l],
                total(&m->shard[0].limited[l]));
    for (int e = 0; e < REFAPI_EV__COUNT; e++)
        fprintf(f, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", event_info[e].name,
                event_info[e].help, event_info[e].name, event_info[e].name,
                total(&m->shard[0].events[e]));
    fputs("# HELP apierr_request_duration_seconds Time from the request head to the answer.\n"
          "# TYPE apierr_request_duration_seconds histogram\n",
          f);
    unsigned long long cum = 0;
    for (size_t b = 0; b <= NBUCKETS; b++) {
        cum += total(&m->shard[0].buckets[b]);
        if (b < NBUCKETS)
            fprintf(f, "apierr_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                    (double)bucket_us[b] / 1e6, cum);
        else
            fprintf(f, "apierr_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
    }
    fprintf(
        f, "apierr_request_duration_seconds_sum %.6f\napierr_request_duration_seconds_count %llu\n",
        (double)total(&m->shard[0].latency_sum_us) / 1e6, total(&m->shard[0].latency_count));
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        free(buf);
        return 0;
    }
    *out = buf;
    return len;
}
