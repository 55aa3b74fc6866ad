/*
 * tokcache.h - which client a bearer token belongs to, remembered from its
 * last successful check, so that a 429 (answered before authentication,
 * in the limiter's fast path) can be filed under its client for GET
 * /status without a database read per rejected request. Direct-mapped:
 * a newer token takes its slot; a miss falls back to the database.
 */
#ifndef APIERR_REFAPI_TOKCACHE_H
#define APIERR_REFAPI_TOKCACHE_H

typedef struct refapi_tokcache refapi_tokcache;

refapi_tokcache *refapi_tokcache_new(void);
void refapi_tokcache_free(refapi_tokcache *c);

/* Remembers token (64 hex digits at most) as client's until expires_ms. */
void refapi_tokcache_put(refapi_tokcache *c, const char *token, int client, long long expires_ms);

/* The client of token at now_ms: its index, -1 when known to be none, -2
 * when not remembered. Accepts NULL c (-2). */
int refapi_tokcache_get(refapi_tokcache *c, const char *token, long long now_ms);

#endif
