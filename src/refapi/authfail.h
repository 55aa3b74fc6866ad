/*
 * authfail.h - failed authentications counted per key (a client id, an
 * address) in a fixed window: after limit failures a key is refused with
 * 429 until its window ends, whether its next secret is right or not, so
 * that guessing a secret costs a window per handful of tries.
 *
 * Apart from the request limiter (apierr_limiter) because it counts only
 * failures, and refuses before the secret is even compared.
 */
#ifndef APIERR_REFAPI_AUTHFAIL_H
#define APIERR_REFAPI_AUTHFAIL_H

typedef struct refapi_authfail refapi_authfail;

/* A table allowing limit failures per window_ms. NULL on out-of-memory. */
refapi_authfail *refapi_authfail_new(long long limit, long long window_ms);
void refapi_authfail_free(refapi_authfail *a);

/* The ms until key may try again at now_ms; 0 when it may now. */
long long refapi_authfail_blocked(refapi_authfail *a, const char *key, long long now_ms);

/* Counts a failure of key at now_ms. */
void refapi_authfail_record(refapi_authfail *a, const char *key, long long now_ms);

#endif
