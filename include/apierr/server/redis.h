/*
 * apierr/server/redis.h - scripts run on a Redis server, for the state a
 * fleet of servers shares beyond the limiter and the idempotency store
 * (which open their own): credentials, sessions, per-client logs.
 *
 * One handle is a pool of a few connections to one server, the calls of
 * the threads that share a connection pipelined on it (sent together,
 * answered in order; each script still runs alone in Redis), made on first
 * use and made again by itself after the server went away, so a Redis restart needs
 * no restart of the process; while Redis cannot be reached, calls fail at
 * once (APIERR_EBACKEND) for a short while instead of each waiting on a
 * connect. Every call is one Lua script, run atomically by Redis: loaded
 * once and called by its SHA1 (EVALSHA), and run by its text again when
 * Redis has forgotten it (SCRIPT FLUSH, a restart).
 *
 * Thread-safe: a handle may be used by any number of threads at once.
 */
#ifndef APIERR_SERVER_REDIS_H
#define APIERR_SERVER_REDIS_H

#include "../common.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct apierr_redis apierr_redis;

/* What a script returned, as Redis converts Lua values (nil and false are
 * NIL, true is INTEGER 1, a table is an ARRAY, a status such as "OK" is a
 * STRING). Read-only; freed as a whole with apierr_redis_reply_free(). */
typedef enum apierr_redis_type {
    APIERR_REDIS_NIL = 0,
    APIERR_REDIS_INTEGER,
    APIERR_REDIS_STRING,
    APIERR_REDIS_ARRAY
} apierr_redis_type;

typedef struct apierr_redis_reply {
    apierr_redis_type type;
    long long integer; /* INTEGER */
    char *str;         /* STRING: len bytes, NUL-terminated */
    size_t len;
    struct apierr_redis_reply *element; /* ARRAY: nelements replies */
    size_t nelements;
} apierr_redis_reply;

/*
 * A handle for url, in redis-py's convention (Redis.from_url):
 *   "redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?QUERY]" (port 6379, db 0)
 *   "unix://[[USER]:PASSWORD@]/PATH[?QUERY]"             (a Unix socket)
 * QUERY is "db=N" and/or "password=PW" joined by '&'; USER and PASSWORD may
 * be percent-encoded. The password, when the URL has none, comes from
 * $REDIS_PASSWORD; USER is an ACL user (AUTH USER PASSWORD). Nothing is
 * connected yet (see apierr_redis_check()). APIERR_OK, APIERR_EINVAL (a
 * malformed URL: an empty host, a relative socket path, a database or a
 * password named twice, another query key) or APIERR_ENOMEM; *out is NULL
 * on failure.
 */
APIERR_EXTERN int apierr_redis_open(apierr_redis **out, const char *url);

/*
 * Connects now, on a connection of its own (closed again), authenticates,
 * selects the URL's database and asks PING: a setting to fix is told at
 * startup rather than as an outage at the first call (calls connect
 * lazily, and a refused password looks to them like Redis being away).
 * APIERR_OK; APIERR_EBACKEND when Redis cannot be reached (calls on r will
 * connect by themselves once it can); APIERR_EINVAL when Redis refused the
 * password, the user or the database. err gets the reason, in Redis's
 * words when it gave some (errlen bytes with its NUL; NULL when errlen is
 * 0).
 */
APIERR_EXTERN int apierr_redis_check(apierr_redis *r, char *err, size_t errlen);

/* Closes every connection and frees r. Accepts NULL. */
APIERR_EXTERN void apierr_redis_close(apierr_redis *r);

/*
 * Runs script with args[0..nargs) (lens[i] bytes each; binary-safe): its
 * KEYS are the first nkeys, its ARGV the rest. script must stay valid and
 * unchanged as long as r (a string literal): its SHA1 is remembered by its
 * address. *out gets the reply (the caller frees it), or NULL on failure.
 * APIERR_OK; APIERR_EBACKEND when Redis cannot be reached; APIERR_EIO when
 * the script failed (a Redis error reply); APIERR_EINVAL for more than 16
 * args; APIERR_ENOMEM.
 */
APIERR_EXTERN int apierr_redis_eval(apierr_redis *r, apierr_redis_reply **out, const char *script,
                                    int nkeys, int nargs, const char **args, const size_t *lens);

/* Frees a reply and everything in it. Accepts NULL. */
APIERR_EXTERN void apierr_redis_reply_free(apierr_redis_reply *reply);

#ifdef __cplusplus
}
#endif

#endif
