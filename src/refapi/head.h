/*
 * head.h - the request head (RFC 9112 2-5) as the reference API reads it
 * itself, before libmicrohttpd does: the request line, the header fields,
 * and the framing rules whose violations let a request be read two ways
 * (request smuggling). Pure functions over bytes, no I/O, so that a fuzz
 * target reaches them.
 *
 * Why its own parser: libmicrohttpd 0.9.75 answers some malformed heads
 * with its own HTML (and for a bad Content-Length, with two header blocks),
 * and lets others through (two Content-Length, Content-Length with
 * Transfer-Encoding, no Host). gate.c peeks the first head of a connection
 * and checks it here, framer.c every later one as libmicrohttpd reads it
 * (tap.c); http.c also checks the fields libmicrohttpd parsed with
 * refapi_framing_*, a second line behind the tap.
 */
#ifndef APIERR_REFAPI_HEAD_H
#define APIERR_REFAPI_HEAD_H

#include <stddef.h>

#define REFAPI_HEAD_FIELDS 128

/* Why a head is refused: an HTTP status and the problem's code and text. */
typedef struct refapi_head_error {
    int status;
    const char *code;
    const char *message;
} refapi_head_error;

/* The framing facts of a list of header fields, gathered one at a time. */
typedef struct refapi_framing {
    int http11; /* HTTP/1.1 (Host is required) */
    int nhost;  /* Host fields */
    int ncl;    /* Content-Length fields */
    unsigned long long cl;
    int cl_conflict; /* two different Content-Length values */
    int cl_bad;      /* a Content-Length not 1*DIGIT, or over 2^63 */
    int te;          /* Transfer-Encoding present */
    int te_bad;      /* ... and not exactly "chunked" */
    int name_bad;    /* a field name that is not a token (whitespace before the colon) */
} refapi_framing;

/* One header field of a parsed head: spans into the bytes parsed. */
typedef struct refapi_head_field {
    const char *name, *value;
    size_t nlen, vlen;
} refapi_head_field;

/* A parsed head; its spans point into the bytes given to refapi_head_parse. */
typedef struct refapi_head {
    char method[16];
    char target[1024]; /* the path, for the error reply: cut when longer */
    size_t len;        /* bytes of the head, the empty line included */
    refapi_head_field fields[REFAPI_HEAD_FIELDS];
    size_t nfields;
    refapi_framing framing;
} refapi_head;

/* Starts f for a request of HTTP/1.1 (http11 1) or 1.0 (0). */
void refapi_framing_init(refapi_framing *f, int http11);

/* Adds one field (name and value as received, value without the
 * surrounding whitespace). */
void refapi_framing_add(refapi_framing *f, const char *name, size_t nlen, const char *value,
                        size_t vlen);

/* 0 when the fields frame the request one way only, else -1 and why. */
int refapi_framing_verdict(const refapi_framing *f, refapi_head_error *err);

/*
 * Parses the head at the start of buf[0..len). max_line bounds the request
 * line (414 beyond), max_head the whole head (431 beyond). Returns 1 with h
 * filled when the head is complete and acceptable, 0 when more bytes are
 * needed, -1 with err when it is refused.
 */
int refapi_head_parse(const char *buf, size_t len, size_t max_line, size_t max_head, refapi_head *h,
                      refapi_head_error *err);

/* The path of a request target (RFC 9112 3.2): the origin form as it is;
 * of the absolute form ("http://host:port/path", scheme case-insensitive),
 * the path after the authority, "/" when it has none, as a server MUST
 * accept it (3.2.2); any other form (authority, asterisk) as it is. The
 * result points into target or is "/". */
const char *refapi_target_path(const char *target);

/* The value of field name (case-insensitive) into buf, NULL when absent. */
const char *refapi_head_value(const refapi_head *h, const char *name, char *buf, size_t cap);

#endif
