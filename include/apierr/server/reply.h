/*
 * apierr/server/reply.h - problem in, status + headers + body out.
 *
 * A reply is plain data that the caller copies onto any HTTP server's
 * response. The body is written in one pass by the core encoder, without a
 * JSON tree, in the API's dialect, or as RFC 9457 problem+json when the
 * request's Accept header asks for it.
 *
 * Headers every error reply carries:
 *   Content-Type   the dialect's media type (apierr_dialect_content_type)
 *   Cache-Control  no-store (an error must not be served from a cache)
 *   X-Request-Id   always; the id is also in the body when the dialect has a
 *                  place for it (problem: `request_id` member; gestix)
 *   Retry-After    on 429 and 503: p->retry_after_ms in seconds, rounded up;
 *                  when the problem has none, the options' default (1 s).
 *                  On other statuses only when p->retry_after_ms is set.
 *   Allow          on 405, the caller's list (required then)
 *   WWW-Authenticate on 401: `Bearer error="invalid_token"` (RFC 6750 3.1),
 *                  or a bare `Bearer` when the request had no credentials
 * A 500 never leaks internals: its message, code, details, type, title and
 * extensions are replaced by generic ones; the request id stays so that
 * support can find the real cause in the server's log.
 */
#ifndef APIERR_SERVER_REPLY_H
#define APIERR_SERVER_REPLY_H

#include "../problem.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A response ready for the wire. Everything is owned by the reply and freed
 * by apierr_reply_clear() (it is one block from the library's allocator, see
 * apierr_set_alloc_funcs(): never free() a part of it). body is
 * NUL-terminated (not counted in body_len). */
typedef struct apierr_reply {
    int status;
    apierr_header *headers;
    size_t nheaders;
    char *body;
    size_t body_len;
} apierr_reply;

#define APIERR_REPLY_INIT   \
    {                       \
        0, NULL, 0, NULL, 0 \
    }

/* The challenge written on 401 (RFC 6750 3 and 3.1). */
typedef enum apierr_bearer_error {
    APIERR_BEARER_INVALID_TOKEN = 0, /* error="invalid_token": expired, revoked, malformed */
    APIERR_BEARER_MISSING,           /* no credentials: no error attribute, as 3.1 says */
    APIERR_BEARER_INVALID_REQUEST,   /* error="invalid_request" */
    APIERR_BEARER_INSUFFICIENT_SCOPE /* error="insufficient_scope" (written on 403 too) */
} apierr_bearer_error;

/* Options for apierr_reply_build() and apierr_limiter_reply(). Versioned:
 * start from APIERR_REPLY_OPTS_INIT or apierr_reply_opts_init(); a NULL
 * pointer means these defaults.
 * The layout is ABI: new members go at the end, always, and
 * APIERR_REPLY_OPTS_VERSION is bumped whenever the struct grows; a struct
 * of an older version is read only up to the members it had. */
typedef struct apierr_reply_opts {
    unsigned version;
    apierr_dialect dialect;           /* the API's dialect; AUTO: p->dialect, else problem */
    const char *accept;               /* the request's Accept header, or NULL */
    const char *request_id;           /* the request's id; NULL: p->request_id, else a fresh one */
    const char *allow;                /* Allow value on 405 ("GET, PUT"); required then */
    apierr_bearer_error bearer_error; /* challenge on 401 */
    const char *realm;                /* realm of the challenge, or NULL */
    const char *www_authenticate;     /* replaces the Bearer challenge (e.g. `Basic realm="x"`) */
    long long default_retry_after_ms; /* 429/503 without p->retry_after_ms; < 0: none */
    long long now_ms;                 /* Unix ms; fills a missing timestamp; 0: leave it out */
    const apierr_header *headers;     /* more headers, copied as given (RateLimit, Location) */
    size_t nheaders;
} apierr_reply_opts;

#define APIERR_REPLY_OPTS_VERSION 1
#define APIERR_REPLY_OPTS_INIT                                            \
    {                                                                     \
        APIERR_REPLY_OPTS_VERSION, APIERR_DIALECT_AUTO, NULL, NULL, NULL, \
            APIERR_BEARER_INVALID_TOKEN, NULL, NULL, 1000, 0, NULL, 0     \
    }

/* Fills *opts with the defaults of the given version of the struct (for
 * bindings that cannot use the macro). APIERR_OK, or APIERR_EVERSION for 0
 * or a version newer than the library's (*opts untouched). */
APIERR_EXTERN int apierr_reply_opts_init(apierr_reply_opts *opts, unsigned version);

/* The message a 500 carries instead of the problem's own. */
#define APIERR_REPLY_INTERNAL_MESSAGE \
    "An internal error occurred. Quote the request id when you contact support."

/*
 * Builds the reply for problem p into *out (which need not be initialized;
 * on failure it is left empty; on success the caller clears it with
 * apierr_reply_clear()). A status outside 400..599 is written as 500.
 * Returns APIERR_OK; APIERR_ENOMEM; APIERR_EINVAL for a 405 without
 * opts->allow, or a header name or value (caller's or request id) with bytes
 * that HTTP forbids (CR, LF, NUL, other controls); APIERR_EIO when a fresh
 * request id is needed and the kernel gives no randomness; APIERR_EVERSION
 * when opts has version 0 or one newer than the library's.
 */
APIERR_EXTERN int apierr_reply_build(apierr_reply *out, const apierr_problem *p,
                                     const apierr_reply_opts *opts);

/*
 * Fills *out with copies of the given parts (body may be NULL when len is 0),
 * to be cleared with apierr_reply_clear(): for success responses that go
 * through the same path (idempotency store).
 * Header values must be free of CR/LF. APIERR_OK, APIERR_ENOMEM or
 * APIERR_EINVAL.
 */
APIERR_EXTERN int apierr_reply_make(apierr_reply *out, int status, const apierr_header *headers,
                                    size_t nheaders, const char *body, size_t len);

/* Frees what the reply owns and empties it. Accepts NULL and empty replies. */
APIERR_EXTERN void apierr_reply_clear(apierr_reply *r);

/*
 * The quality (0..1000, q=1 being 1000) that an Accept header value gives
 * media_type ("type/subtype", no parameters): the q of the most specific
 * matching media range (type/subtype, then type/ *, then * / *; parameters
 * other than q are ignored), 0 when none matches. NULL or empty accept means
 * "anything" (1000). Malformed ranges are skipped.
 */
APIERR_EXTERN int apierr_accept_quality(const char *accept, const char *media_type);

/*
 * The dialect a reply is written in: RFC 9457 problem when the request names
 * application/problem+json explicitly with q > 0 and at least the quality of
 * the configured dialect's media type, or when it refuses the configured
 * type (q=0) and accepts problem+json; the configured dialect otherwise
 * (AUTO and decode-only dialects become problem). An error is never turned
 * into a 406: the body is still the API's own shape.
 */
APIERR_EXTERN apierr_dialect apierr_reply_dialect(apierr_dialect configured, const char *accept);

/*
 * A new problem with status, code and message (code and message may be
 * NULL), for handlers that report errors of their own; free it with
 * apierr_problem_free(). APIERR_OK or APIERR_ENOMEM (*out is then NULL).
 */
APIERR_EXTERN int apierr_server_problem(apierr_problem **out, int status, const char *code,
                                        const char *message);

#ifdef __cplusplus
}
#endif
#endif
