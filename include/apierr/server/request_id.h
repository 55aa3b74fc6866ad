/*
 * apierr/server/request_id.h - request ids: one per request, echoed in the
 * X-Request-Id header and in the body where the dialect has a place for it.
 *
 * A fresh id is 128 random bits (getrandom()) written as 32 lower-case hex
 * digits, with no prefix: it is also a valid W3C trace-id, so logs and
 * tracers can share it. An incoming X-Request-Id is kept when well-formed,
 * so a client or a proxy can correlate its own logs with ours.
 */
#ifndef APIERR_SERVER_REQUEST_ID_H
#define APIERR_SERVER_REQUEST_ID_H

#include "../common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest incoming id kept, and the size of a buffer that holds any id. */
#define APIERR_REQUEST_ID_MAX     128
#define APIERR_REQUEST_ID_BUFSIZE (APIERR_REQUEST_ID_MAX + 1)
/* Length of a fresh id (32 hex digits). */
#define APIERR_REQUEST_ID_LEN 32

/* Writes a fresh id and its NUL into buf (at least APIERR_REQUEST_ID_LEN + 1
 * bytes). Returns APIERR_OK, or APIERR_EIO when the kernel gives no
 * randomness (buf is then an empty string). Thread-safe. */
APIERR_EXTERN int apierr_request_id_new(char *buf);

/* 1 when s[0..len) is a well-formed id: 1 to APIERR_REQUEST_ID_MAX bytes of
 * [A-Za-z0-9._:-]; 0 otherwise (NULL included). Nothing else is accepted, so
 * an echoed id can never inject a header or break a JSON string. */
APIERR_EXTERN int apierr_request_id_valid(const char *s, size_t len);

/* Writes into buf (APIERR_REQUEST_ID_BUFSIZE bytes) the incoming id when it
 * is well-formed, else a fresh one. incoming may be NULL (no header).
 * Returns APIERR_OK or APIERR_EIO as apierr_request_id_new(). */
APIERR_EXTERN int apierr_request_id_pick(char *buf, const char *incoming);

#ifdef __cplusplus
}
#endif
#endif
