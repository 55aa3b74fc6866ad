/*
 * Internals of libapierr-client shared by its modules and unit tests: the
 * pure helpers (no curl, no engine state). The running engine's structures
 * are in engine.h, credentials in creds.h, pacing queues in pace_queue.h.
 */
#ifndef APIERR_CLIENT_IMPL_H
#define APIERR_CLIENT_IMPL_H

#include "apierr/client/client.h"
#include "buf.h"

#include <stddef.h>
#include <stdint.h>

/* --- timer heap: a binary min-heap of (due, item), FIFO among equal dues --- */

typedef struct apierr__timer {
    long long due_ms;
    uint64_t seq;
    void *item;
} apierr__timer;

typedef struct apierr__heap {
    apierr__timer *v;
    size_t n, cap;
    uint64_t seq;
} apierr__heap;

/* Adds item due at due_ms. 0, or -1 when out of memory (heap unchanged). */
int apierr__heap_push(apierr__heap *h, long long due_ms, void *item);
/* The earliest timer, or NULL when empty. */
const apierr__timer *apierr__heap_peek(const apierr__heap *h);
/* Removes the earliest timer into *out. 0, or -1 when empty. */
int apierr__heap_pop(apierr__heap *h, apierr__timer *out);
/* Removes the timer of item (the first found, walking the heap: for a wait
 * that ends early, as a call's next hedge when an answer came). 0, or -1
 * when item has none. */
int apierr__heap_remove(apierr__heap *h, const void *item);
void apierr__heap_free(apierr__heap *h);

/* --- request building -------------------------------------------------------- */

/*
 * Appends to b the URL of a request: url when absolute (has "://"), else
 * base joined to url with exactly one '/'; then query, then key_param=key
 * (both after '?' or '&' as the URL needs; NULL or "" to omit). The key is
 * percent-encoded.
 */
void apierr__url_build(apierr__buf *b, const char *base, const char *url, const char *query,
                       const char *key_param, const char *key);

/* Formats 16 random bytes as a UUID v4 (version and variant bits set). */
void apierr__uuid4_format(char out[37], const uint8_t rnd[16]);

/* 1 when a header or query parameter named name (len bytes) holds a
 * secret: a known name, a name with a secret word in it (token, key,
 * secret, password, signature, session, auth, ...), or one of extra. */
int apierr__name_is_secret(const char *name, size_t len, const char *const *extra, size_t nextra);

/* apierr_redact_url(), with the parameters named in extra redacted too. */
size_t apierr__redact_url_names(char *buf, size_t cap, const char *url, const char *const *extra,
                                size_t nextra);

/* 1 when url (absolute, as sent) can be an HTTP request: scheme http or
 * https, a host, no white space or control character. Anything else is
 * the caller's mistake, not a network failure to retry. */
int apierr__url_ok(const char *url);

/* Appends s to b as application/x-www-form-urlencoded (RFC 3986 unreserved
 * bytes kept, the rest %XX). */
void apierr__buf_urlencode(apierr__buf *b, const char *s);

/* Reads a caller's request of any known version into dst (the current
 * layout, defaults for what an older version lacks). APIERR_OK, or
 * APIERR_EVERSION for version 0 or newer than this library. */
int apierr__request_read(apierr_request *dst, const apierr_request *src);

/* --- owned header arrays ------------------------------------------------------ */

/* Copies n headers (names and values) into a new array *out (NULL when n is
 * 0), one block with the strings. 0, or -1 when out of memory (*out NULL).
 * apierr__headers_free(*out, n) frees it. */
int apierr__headers_copy(apierr_header **out, const apierr_header *h, size_t n);
/* The same copy of headers whose strings all lie in text[0..len] (an
 * answer's header lines, split in place): text copied whole, after the
 * array, and each pointer moved to the copy, without measuring a string. */
int apierr__headers_copy_within(apierr_header **out, const apierr_header *h, size_t n,
                                const char *text, size_t len);
/* Frees an array from apierr__headers_copy*(); accepts NULL. */
void apierr__headers_free(apierr_header *h, size_t n);

/* Splits a raw response header block in place into at most cap name/value
 * pairs pointing into it (status lines and lines without a colon are
 * skipped; values trimmed). Returns how many. */
size_t apierr__headers_parse(apierr_header *out, size_t cap, char *raw);

/* --- support report ----------------------------------------------------------- */

/* Appends one JSON Lines record of a failed attempt (redacted) to b. */
void apierr__report_line(apierr__buf *b, long long unix_ms, const apierr_result *r,
                         const apierr_attempt *a, const apierr_problem *problem);

/* Appends a redacted "Name: value" line for -v output. */
void apierr__header_line(apierr__buf *b, const char *prefix, const char *name, const char *value,
                         int secret);

/* The retry policy of the client's profile. */
const apierr_policy *apierr__client_policy(const apierr_client *c);

/* Shows b as a -v line (when the client has a verbose callback), then
 * empties b. */
void apierr__client_log(apierr_client *c, apierr__buf *b);

/* Formats and shows a -v line; nothing (not even the formatting) without a
 * verbose callback. */
void apierr__client_logf(apierr_client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* --- read-modify-write ------------------------------------------------------------ */

/* Appends to out the entity tag a write of got's representation must match:
 * its ETag header, else its top-level JSON member "version" (integer, or
 * string without '"') quoted as a strong tag. 0, or -1 when it has neither. */
int apierr__update_tag(apierr__buf *out, const apierr_result *got);

/* The attempt records of a result (attempts.c): a new zeroed, numbered
 * record at the end (NULL when out of memory; earlier records may move); a
 * flag set on record i; from's records moved to the end of into's,
 * renumbered with their flags (from keeps its records without codes; 0, or
 * -1 when out of memory); the records freed. */
apierr_attempt *apierr__attempt_push(apierr_result *r);
void apierr__attempt_flag(apierr_result *r, size_t i, unsigned flag);
int apierr__attempts_append(apierr_result *into, apierr_result *from);
void apierr__attempts_free(apierr_result *r);
/* r's records become history's (which is left empty); r keeps its own
 * members (status line, effective URL, secret names). */
void apierr__attempts_adopt(apierr_result *r, apierr_result *history);

/* The result's members that live in the same block (attempts.c), read by
 * apierr_result_status_line(), apierr_result_url_effective() and the
 * redaction of apierr_result_redact_url(): each copied; 0, or -1 when out
 * of memory. The status line is len bytes; a NULL URL: no redirect. */
int apierr__result_set_status_line(apierr_result *r, const char *line, size_t len);
int apierr__result_set_url_effective(apierr_result *r, const char *url);
int apierr__result_set_names(apierr_result *r, const char *const *names, size_t n);
/* Keeps a copy of info as r's transfer figures. 0, or -1 when out of
 * memory (then r keeps what it had). */
int apierr__result_set_info(apierr_result *r, const apierr_transfer_info *info);
/* The secret names r's client added (*n of them; NULL when none). */
const char *const *apierr__result_names(const apierr_result *r, size_t *n);

/* Millisecond clocks: monotonic, and Unix time. */
long long apierr__mono_ms(void);
long long apierr__unix_ms(void);

#endif
