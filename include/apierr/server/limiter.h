/*
 * apierr/server/limiter.h - an in-process rate limiter (GCRA) per key.
 *
 * The generic cell rate algorithm keeps one number per key, its theoretical
 * arrival time (TAT): a policy of `limit` requests per `window` seconds emits
 * one request every T = window / limit; a request at `now` is allowed when
 * max(TAT, now) + T - now <= burst * T, and then moves TAT there. So a fresh
 * key may send `burst` requests at once, then one every T. Time is passed in
 * (Unix ms), so behaviour is reproducible.
 *
 * Thread-safe: keys live in a hash table split in shards, each under its own
 * mutex; a thread denied on a key answers its next takes of that key without
 * the lock while nothing was allowed in that shard since (a denial changes
 * nothing), so a flood on one key costs the threads no shared write. Memory
 * is bounded by max_keys: when a shard is full, keys whose TAT is in the
 * past (they are as good as new) are dropped, and if none is, the key
 * closest to that point is.
 */
#ifndef APIERR_SERVER_LIMITER_H
#define APIERR_SERVER_LIMITER_H

#include "../problem.h"
#include "reply.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct apierr_limiter apierr_limiter;

/* Options for apierr_limiter_new(). Versioned: start from
 * APIERR_LIMITER_OPTS_INIT or apierr_limiter_opts_init(); a NULL pointer
 * means these defaults.
 * The layout is ABI: new members go at the end, always, and
 * APIERR_LIMITER_OPTS_VERSION is bumped whenever the struct grows; a struct
 * of an older version is read only up to the members it had. */
typedef struct apierr_limiter_opts {
    unsigned version;
    long long limit;    /* requests per window, 1..1000000 */
    long long window_s; /* window in seconds, 1..86400 */
    long long burst;    /* requests allowed at once; 0: limit */
    size_t max_keys;    /* keys kept at most; 0: 100000 */
    const char *policy; /* policy name in the RateLimit fields; NULL: "default" */
    /* Version 2: where the keys live. NULL: in this process (memory).
     * A Redis URL as apierr_redis_open() reads it
     * ("redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]",
     * "unix://[[USER]:PASSWORD@]/PATH", ?db=N, ?password=PW; the password
     * from the URL, else $REDIS_PASSWORD): in Redis, decided there by one
     * script on Redis's clock, so every limiter of every process that
     * names the same server and the same policy (name, limit, window)
     * shares the keys: N instances admit exactly what one would, whatever
     * their clocks say (now_ms is then not used). The threads that share
     * a limiter share a few connections, their decisions pipelined on
     * them. */
    const char *backend;
    /* What a request gets while the backend cannot be reached: 0 (the
     * default) lets it through (fail open), 1 refuses it (fail closed);
     * either way apierr_limiter_take() returns APIERR_EBACKEND. */
    int fail_closed;
} apierr_limiter_opts;

/* 1: the first; 2: backend and fail_closed. */
#define APIERR_LIMITER_OPTS_VERSION 2
#define APIERR_LIMITER_OPTS_INIT                                 \
    {                                                            \
        APIERR_LIMITER_OPTS_VERSION, 60, 60, 0, 0, NULL, NULL, 0 \
    }

/* Fills *opts with the defaults of the given version of the struct (for
 * bindings that cannot use the macro). APIERR_OK, or APIERR_EVERSION for 0
 * or a version newer than the library's (*opts untouched). */
APIERR_EXTERN int apierr_limiter_opts_init(apierr_limiter_opts *opts, unsigned version);

/* What the limiter says about one request. All delays are from now_ms. */
typedef struct apierr_limit_verdict {
    int allowed;
    long long limit;          /* the policy's quota (requests per window) */
    long long window_s;       /* the policy's window */
    long long remaining;      /* requests that could still be sent at once */
    long long reset_ms;       /* until the whole burst is available again (the t of RateLimit
                               * when allowed; denied, t is retry_after_ms) */
    long long retry_after_ms; /* 0 when allowed; else until one request is */
} apierr_limit_verdict;

/* A new limiter, freed by apierr_limiter_free(). APIERR_OK, APIERR_ENOMEM,
 * APIERR_EINVAL for out-of-range options or a policy name that is not 1..64
 * of [A-Za-z0-9_.-] or a malformed backend URL, or APIERR_EVERSION when opts
 * has version 0 or one newer than the library's (*out is NULL on every
 * failure). A Redis backend is not connected yet: the first take does. */
APIERR_EXTERN int apierr_limiter_new(apierr_limiter **out, const apierr_limiter_opts *opts);

/* Frees the limiter. Accepts NULL. No other thread may use it then. */
APIERR_EXTERN void apierr_limiter_free(apierr_limiter *l);

/*
 * Counts one request of key (any bytes, len of them) at now_ms and fills
 * *out. A denied request does not move the key's TAT, so a client that
 * keeps knocking is not punished beyond the policy. APIERR_OK, or
 * APIERR_ENOMEM (the request is then allowed: the limiter fails open, and
 * says so by its return code), or APIERR_EBACKEND when the backend could not
 * be reached: allowed (fail open, remaining 0) or, with fail_closed, refused
 * with retry_after_ms 1000 (answer 503 with Retry-After, not 429: the client
 * did nothing wrong). The limiter connects again by itself once the backend
 * is back.
 */
APIERR_EXTERN int apierr_limiter_take(apierr_limiter *l, apierr_limit_verdict *out, const char *key,
                                      size_t len, long long now_ms);

/* Number of keys held now in this process (for tests and metrics; 0 for a
 * Redis backend, whose keys live in Redis). */
APIERR_EXTERN size_t apierr_limiter_size(apierr_limiter *l);

/* The IETF RateLimit header fields for a verdict, without allocation. */
typedef struct apierr_limit_headers {
    apierr_header h[2]; /* RateLimit, RateLimit-Policy */
    size_t n;
    char ratelimit[96];
    char policy[128];
} apierr_limit_headers;

/*
 * Fills *out with the fields of draft-ietf-httpapi-ratelimit-headers for v,
 * on allowed and denied replies alike:
 *   RateLimit: "default";r=<remaining>;t=<seconds until reset, rounded up>
 *   RateLimit-Policy: "default";q=<limit>;w=<window_s>
 * out->h holds out->n headers that point into *out; pass them as extra
 * headers to apierr_reply_build() or copy them to the response.
 */
APIERR_EXTERN void apierr_limiter_headers(apierr_limit_headers *out, const apierr_limiter *l,
                                          const apierr_limit_verdict *v);

/* The code of a 429 when the caller names none. */
#define APIERR_LIMITER_CODE "RATE_LIMITED"

/* A new 429 problem (code APIERR_LIMITER_CODE, message "Too many requests.
 * Retry after N seconds.") with retry_after_ms from v; free it with
 * apierr_problem_free(). APIERR_OK or APIERR_ENOMEM. */
APIERR_EXTERN int apierr_limiter_problem(apierr_problem **out, const apierr_limit_verdict *v);

/* As apierr_limiter_problem(), in the API's own words: code and message
 * replace the defaults (GoTab says `rate_limit_exceeded`, "Too many
 * requests."); either may be NULL for its default. */
APIERR_EXTERN int apierr_limiter_problem_with(apierr_problem **out, const apierr_limit_verdict *v,
                                              const char *code, const char *message);

/*
 * The whole 429 reply of a denied verdict in one call, into *out (cleared
 * with apierr_reply_clear(); left empty on failure): the reply that
 * apierr_reply_build() makes of apierr_limiter_problem_with(v, code, message)
 * with the RateLimit fields of apierr_limiter_headers() before
 * opts->headers, byte for byte, but without a problem object or header
 * copies of its own: it is the hot path of a server under a flood, where
 * every rejected request must cost less than a served one. opts as for
 * apierr_reply_build() (dialect, Accept, request id, now). The limiter is
 * only read, so any thread may call it. Each thread memoises its last 429
 * and, for a request id of APIERR_REQUEST_ID_LEN bytes (or a fresh one) and
 * no opts->headers, reuses it with only the id written in. APIERR_OK;
 * APIERR_EINVAL when v allowed the request, or for what apierr_reply_build()
 * refuses; APIERR_ENOMEM; APIERR_EIO (no randomness for a fresh request
 * id); APIERR_EVERSION when opts has version 0 or one newer than the
 * library's.
 */
APIERR_EXTERN int apierr_limiter_reply(apierr_reply *out, const apierr_limiter *l,
                                       const apierr_limit_verdict *v, const char *code,
                                       const char *message, const apierr_reply_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
