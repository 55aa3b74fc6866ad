/*
 * metrics.h - what the reference API counts for GET /metrics (Prometheus
 * text format 0.0.4): requests by route and status, 429s by the limit that
 * gave them, idempotency replays and conflicts, backend (database) errors,
 * and a latency histogram. Lock-free counters, bumped on every request;
 * read by the metrics listener (http.c), which is its own socket so that
 * the numbers are never public by accident.
 */
#ifndef APIERR_REFAPI_METRICS_H
#define APIERR_REFAPI_METRICS_H

#include <stddef.h>

/* The routes counted, in the order of the route label's values. */
#define REFAPI_METRIC_ROUTES(X)                      \
    X(TOKEN, "/oauth/token")                         \
    X(HELO, "/helo")                                 \
    X(STATUS, "/status")                             \
    X(INVOICES, "/v1/tenants/{tenant}/invoices")     \
    X(INVOICE, "/v1/tenants/{tenant}/invoices/{id}") \
    X(OTHER, "other")

typedef enum refapi_metric_route {
#define ROUTE_ENUM(name, label) REFAPI_ROUTE_##name,
    REFAPI_METRIC_ROUTES(ROUTE_ENUM)
#undef ROUTE_ENUM
        REFAPI_ROUTE__COUNT
} refapi_metric_route;

/* The limits a 429 can come from. */
#define REFAPI_METRIC_LIMITS(X)          \
    X(RATE, "rate")                      \
    X(AUTH, "failed_logins")             \
    X(CONNECTIONS, "connections_per_ip") \
    X(FAULT, "fault")

typedef enum refapi_metric_limit {
#define LIMIT_ENUM(name, label) REFAPI_LIMIT_##name,
    REFAPI_METRIC_LIMITS(LIMIT_ENUM)
#undef LIMIT_ENUM
        REFAPI_LIMIT__COUNT
} refapi_metric_limit;

typedef enum refapi_metric_event {
    REFAPI_EV_IDEM_REPLAY,
    REFAPI_EV_IDEM_CONFLICT,
    REFAPI_EV_BACKEND_ERROR,
    REFAPI_EV__COUNT
} refapi_metric_event;

typedef struct refapi_metrics refapi_metrics;

refapi_metrics *refapi_metrics_new(void);
void refapi_metrics_free(refapi_metrics *m);

/* One request answered: its route, status and latency. Accepts NULL m. */
void refapi_metrics_request(refapi_metrics *m, refapi_metric_route route, int status,
                            long long latency_us);
void refapi_metrics_limited(refapi_metrics *m, refapi_metric_limit limit);
void refapi_metrics_event(refapi_metrics *m, refapi_metric_event ev);

/* The exposition text, malloc'ed, into *out; its length, 0 on OOM. */
size_t refapi_metrics_render(refapi_metrics *m, char **out);

#endif
