/*
 * Internal: a pool of connections to one Redis server, one per backend of
 * libapierr-server that keeps its state in Redis (the rate limiter, the
 * idempotency store, the apierr_redis handle). Connections are made on first use and made again
 * after the server went away, so a Redis restart needs no restart of the process; while it cannot
 * be reached, calls fail at once for a short while instead of each waiting on a connect.
 */
#ifndef APIERR_SERVER_REDIS_CONN_H
#define APIERR_SERVER_REDIS_CONN_H

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stddef.h>

typedef struct apierr__redis apierr__redis;

/*
 * A pool for url (redis_url.h: redis://, unix://; the password from the
 * URL or $REDIS_PASSWORD). Nothing is connected yet. APIERR_OK,
 * APIERR_EINVAL (a malformed URL) or APIERR_ENOMEM.
 */
int apierr__redis_open(apierr__redis **out, const char *url);
void apierr__redis_close(apierr__redis *r);

/*
 * Runs one command (argv form, binary-safe) on a connection of the pool,
 * pipelined with the commands other threads send meanwhile (redis_conn.c).
 * Returns the reply (free it with freeReplyObject()), or NULL when the
 * server cannot be reached: a broken connection is dropped and made once
 * more at once (one the server closed while idle), and after a failed
 * connect no call of the pool connects for APIERR__REDIS_DOWN_MS (they
 * fail at once). Thread-safe.
 */
redisReply *apierr__redis_command(apierr__redis *r, int argc, const char **argv,
                                  const size_t *lens);

/* Connects now, on a connection of its own, and asks PING: APIERR_OK;
 * APIERR_EBACKEND when Redis cannot be reached (the pool will keep trying
 * by itself); APIERR_EINVAL when it refused the URL's password, user or
 * database (a setting to fix). err (errlen bytes) gets the reason. */
int apierr__redis_check(apierr__redis *r, char *err, size_t errlen);

/* A Lua script run by its SHA1 (EVALSHA), loaded on first use; when Redis
 * has forgotten it (SCRIPT FLUSH, a restart) it is run by its text, which
 * loads it again. Define with APIERR__REDIS_SCRIPT_INIT(text). */
typedef struct apierr__redis_script {
    const char *text;
    size_t len;
    pthread_mutex_t mu; /* guards sha */
    char sha[41];       /* "" until loaded */
} apierr__redis_script;

#define APIERR__REDIS_SCRIPT_INIT(text)                      \
    {                                                        \
        text, sizeof text - 1, PTHREAD_MUTEX_INITIALIZER, "" \
    }

/* Runs script with args[0..nargs) (its KEYS first, nkeys of them, then its
 * ARGV; APIERR__REDIS_MAX_ARGS at most). The reply, or NULL when Redis
 * cannot be reached (or nargs is too many). */
#define APIERR__REDIS_MAX_ARGS 16
redisReply *apierr__redis_eval(apierr__redis *r, apierr__redis_script *script, int nkeys, int nargs,
                               const char **args, const size_t *lens);

/* Connections of a pool, each pipelining the commands of the threads that
 * share it (redis_conn.c); bench/fleet gives redis-benchmark the same. */
#define APIERR__REDIS_CONNECTIONS 4

/* How long calls fail fast after a failed connect. */
#define APIERR__REDIS_DOWN_MS 200

#endif
