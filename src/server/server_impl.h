/*
 * Shared internals of libapierr-server.
 *
 * Every allocation goes through the core's allocator (src/core/alloc.h,
 * exported from libapierr.so for apierr's own libraries), never the C
 * library's directly: apierr_set_alloc_funcs() then holds for this library
 * too, so the OOM loop reaches its error paths, and what it hands to callers
 * is freed by the same allocator that made it (apierr_reply_clear(),
 * apierr_problem_free()) whichever one is installed.
 */
#ifndef APIERR_SERVER_IMPL_H
#define APIERR_SERVER_IMPL_H

#include "abi.h"
#include "apierr/server/reply.h"

/* APIERR__OPTS_INIT_FUNC() (abi.h) defines the public _init() of each options struct. */

/* Reads a caller's reply options (NULL: the defaults) into *dst, of the
 * current version. APIERR_OK or APIERR_EVERSION. For the functions that take
 * apierr_reply_opts: apierr_reply_build(), apierr_limiter_reply(). */
int apierr__reply_opts_read(apierr_reply_opts *dst, const apierr_reply_opts *src);

/* Fills *out with status, copies of the headers a[0..na) then b[0..nb) and
 * a copy of body[0..len) (NULL: no body), all in one allocation that starts
 * at out->headers. On failure *out is empty. APIERR_OK, APIERR_ENOMEM, or
 * APIERR_EINVAL for a name or value HTTP forbids. */
int apierr__reply_pack(apierr_reply *out, int status, const apierr_header *a, size_t na,
                       const apierr_header *b, size_t nb, const char *body, size_t len);

/* apierr_reply_build() with the headers pre[0..npre) after the reply's own
 * and before opts->headers: callers that add a few headers of their own need
 * no merged copy of the caller's. opts is read as apierr_reply_build() reads
 * it (APIERR_EVERSION included). */
int apierr__reply_build_pre(apierr_reply *out, const apierr_problem *p,
                            const apierr_reply_opts *opts, const apierr_header *pre, size_t npre);

/* Formats delay_ms as the seconds of a Retry-After value, rounded up. buf
 * holds at least 24 bytes. */
void apierr__retry_after_format(char *buf, long long delay_ms);

#endif
