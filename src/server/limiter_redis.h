/*
 * Internal: GCRA decided inside Redis, the limiter's shared backend. One Lua
 * script reads and moves the key's theoretical arrival time atomically, on
 * Redis's clock (TIME), so instances whose clocks disagree still agree on
 * every decision, and N instances together admit exactly what one would.
 * The key expires when its TAT passes (it is then as good as absent).
 */
#ifndef APIERR_SERVER_LIMITER_REDIS_H
#define APIERR_SERVER_LIMITER_REDIS_H

#include "apierr/server/limiter.h"

typedef struct apierr__gcra_redis apierr__gcra_redis;

/* A backend for the policy (name, limit per window_s, burst) on the Redis
 * server of url (redis_conn.h). APIERR_OK, EINVAL or ENOMEM. */
int apierr__gcra_redis_open(apierr__gcra_redis **out, const char *url, const char *name,
                            long long limit, long long window_s, long long burst);
void apierr__gcra_redis_close(apierr__gcra_redis *g);

/* Decides one request of key, filling the whole verdict. APIERR_OK, or
 * APIERR_EBACKEND when Redis cannot be reached or answers amiss (*out is
 * then untouched). Thread-safe. */
int apierr__gcra_redis_take(apierr__gcra_redis *g, apierr_limit_verdict *out, const char *key,
                            size_t len);

/* The script's text, for bench/fleet's peer (redis-benchmark running the
 * very same script by EVALSHA). */
const char *apierr__gcra_redis_script_text(void);

#endif
