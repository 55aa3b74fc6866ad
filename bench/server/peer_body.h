/*
 * peer_body.h - what bench/server's HTTP-layer peers answer: the bytes of
 * apierr serve's answers on the two benchmarked paths (a 429 over the rate
 * limit, a GET 200 of one invoice), as constants, so that the peers measure
 * the HTTP library and nothing else. GET /429 gets the 429, anything else
 * the 200.
 */
#ifndef BENCH_SERVER_PEER_BODY_H
#define BENCH_SERVER_PEER_BODY_H

#define PEER_429_BODY                                                                            \
    "{\"type\":\"about:blank\",\"title\":\"Too Many Requests\",\"status\":429,\"detail\":\"Too " \
    "many requests. Retry after 86400 seconds.\",\"code\":\"RATE_LIMITED\",\"request_id\":"      \
    "\"17cebe20cc7cc42d8e097888b645bfb1\",\"timestamp\":\"2026-12-01T23:47:37Z\"}"
#define PEER_200_BODY                                                                            \
    "{\"id\":\"1\",\"version\":1,\"createdAt\":\"2026-12-01T23:47:41Z\",\"currency\":\"EUR\","   \
    "\"customer\":{\"email\":\"a@b.co\",\"name\":\"n\"},\"documentNumber\":\"B-1\",\"lines\":[{" \
    "\"quantity\":1,\"unitPrice\":1}],\"tenant\":\"acme\",\"total\":1.0,\"updatedAt\":"          \
    "\"2026-12-01T23:47:41Z\"}"

/* The 429's headers besides Date and Content-Length, as apierr serve writes
 * them: name, value. */
#define PEER_429_HEADERS                                                          \
    {"Content-Type", "application/problem+json"}, {"Cache-Control", "no-store"},  \
        {"X-Request-Id", "17cebe20cc7cc42d8e097888b645bfb1"}, {"Vary", "Accept"}, \
        {"Retry-After", "86400"}, {"RateLimit", "\"default\";r=0;t=86400"},       \
    {                                                                             \
        "RateLimit-Policy", "\"default\";q=1;w=86400"                             \
    }
#define PEER_200_HEADERS                                                                    \
    {"ETag", "\"1\""}, {"Content-Type", "application/json"}, {"Cache-Control", "no-store"}, \
    {                                                                                       \
        "X-Request-Id", "8d5c4c7d10b33b821ddfee856af9dd8a"                                  \
    }

typedef struct peer_header {
    const char *name, *value;
} peer_header;

#endif
