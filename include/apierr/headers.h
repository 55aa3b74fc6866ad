/*
 * apierr/headers.h - parsers for the response headers of the error contract.
 *
 * All parsers take untrusted bytes: any input yields a result or a clean
 * APIERR_EPARSE, never a crash. Time is passed in (now_ms, Unix ms), never
 * read from a clock, so results are reproducible.
 */
#ifndef APIERR_HEADERS_H
#define APIERR_HEADERS_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Retry-After (RFC 9110 10.2.3): delay-seconds or an IMF-fixdate (the
 * obsolete RFC 850 and asctime forms are read too). Non-negative decimal
 * seconds ("2.128", sent by Microsoft Graph) are accepted too, rounded up
 * to the millisecond. A date in the past
 * gives 0. A date needs now_ms > 0 (else APIERR_EINVAL). Surrounding
 * whitespace is allowed. *out_ms is set on APIERR_OK only; junk returns
 * APIERR_EPARSE; a delay beyond what fits in the result returns
 * APIERR_ERANGE.
 */
APIERR_EXTERN int apierr_retry_after_parse(long long *out_ms, const char *value, size_t len,
                                           long long now_ms);

/* Parses an IMF-fixdate (or RFC 850 / asctime date) into Unix ms. */
APIERR_EXTERN int apierr_http_date_parse(long long *out_ms, const char *value, size_t len);

/* Writes unix_ms as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") into buf,
 * which holds at least 30 bytes. Returns the length, 29. Times outside
 * 1970..9999 are clamped to those years. */
APIERR_EXTERN size_t apierr_http_date_format(char *buf, long long unix_ms);

/* What rate-limit headers say; -1 in any member means "not stated". */
typedef struct apierr_ratelimit {
    long long limit;     /* requests allowed per window (quota) */
    long long remaining; /* requests left in this window */
    long long reset_ms;  /* delay until the quota resets, from now */
    long long window_ms; /* length of the window */
} apierr_ratelimit;

#define APIERR_RATELIMIT_INIT \
    {                         \
        -1, -1, -1, -1        \
    }

/*
 * Reads the rate-limit state from a response's headers, in this order of
 * preference: the IETF httpapi draft's structured fields
 * (`RateLimit: "default";r=50;t=30` with `RateLimit-Policy: "default";q=100;w=60`,
 * and the earlier `RateLimit: limit=100, remaining=50, reset=30` form), the
 * draft's older separate `RateLimit-Limit/-Remaining/-Reset`, then
 * `X-RateLimit-Limit/-Remaining/-Reset` where Reset is seconds-until or a Unix
 * epoch in seconds or ms (told apart by size, made relative with now_ms).
 * Header names match case-insensitively. Returns APIERR_OK when at least one
 * member was found, APIERR_ENOTFOUND when none was, never a crash on junk.
 */
APIERR_EXTERN int apierr_ratelimit_parse(apierr_ratelimit *out, const apierr_header *headers,
                                         size_t n, long long now_ms);

/* Parses one `RateLimit` field value (structured or limit=/remaining=/reset=
 * form) into *out, leaving members it does not find unchanged. Returns
 * APIERR_OK, APIERR_ENOTFOUND (well-formed but says nothing) or APIERR_EPARSE
 * (*out unchanged). A reset given as a Unix epoch needs a clock: use
 * apierr_ratelimit_parse(). */
APIERR_EXTERN int apierr_ratelimit_field_parse(apierr_ratelimit *out, const char *value,
                                               size_t len);

/* Parses one `RateLimit-Policy` value into *out (limit and window_ms), from
 * its first member that states either. Same returns as above. */
APIERR_EXTERN int apierr_ratelimit_policy_parse(apierr_ratelimit *out, const char *value,
                                                size_t len);

/*
 * Returns the value of the first request-id header present (X-Request-Id,
 * Request-Id, X-Amzn-RequestId, X-Amz-Request-Id, X-Correlation-Id,
 * X-GitHub-Request-Id, X-Ms-Request-Id, ...), else of the first header
 * whose name ends in -Request-Id, -Req-Id or -Correlation-Id (a vendor's
 * own: X-Shopify-Request-Id, Box-Request-Id), else Cf-Ray, or NULL. The
 * pointer is into headers; nothing is copied.
 */
APIERR_EXTERN const char *apierr_request_id_find(const apierr_header *headers, size_t n);

/* Returns the value of the first header named name (case-insensitive), or
 * NULL. */
APIERR_EXTERN const char *apierr_header_find(const apierr_header *headers, size_t n,
                                             const char *name);

/*
 * Parses a duration as bodies write it: Google's "30s" / "1.5s" (RetryInfo
 * retryDelay), "250ms", or a number of seconds. A fraction finer than a
 * millisecond rounds up. Returns APIERR_OK with *out_ms, APIERR_EPARSE, or
 * APIERR_ERANGE when it does not fit.
 */
APIERR_EXTERN int apierr_duration_parse(long long *out_ms, const char *value, size_t len);

#ifdef __cplusplus
}
#endif
#endif
