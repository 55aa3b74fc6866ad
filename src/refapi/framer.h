/*
 * framer.h - the message boundaries of a connection's byte stream (RFC 9112
 * 6): a request head (checked by head.h), then its body by Content-Length
 * or by chunks, then the next head, fed in reads of any size. Pure, no I/O,
 * so that a fuzz target reaches it; tap.c runs one per connection to find
 * every head libmicrohttpd is about to parse.
 */
#ifndef APIERR_REFAPI_FRAMER_H
#define APIERR_REFAPI_FRAMER_H

#include "head.h"

#include <stddef.h>

/* The longest head kept to be passed again without a parse (framer.c). */
#define REFAPI_FRAMER_LAST 512

typedef struct refapi_framer {
    size_t max_line, max_head;
    int phase;
    unsigned long long left; /* bytes of a body or of chunk data to pass; a chunk's size */
    int digits;              /* of the chunk size being read */
    char *acc;               /* a head begun in an earlier feed: max_head + 1 bytes */
    size_t acc_len;
    unsigned long heads; /* complete heads passed */
    int refused;         /* nothing is read after a refusal */
    /* The last head passed whole in one feed, and its framing: the same
     * bytes again are the same head (see head()). */
    char last[REFAPI_FRAMER_LAST];
    size_t last_len; /* 0: none */
    refapi_framing last_framing;
} refapi_framer;

/* Why the stream stops: the refusal of a head, or of the body of the last
 * head passed (in_request: that request will get no other answer). */
typedef struct refapi_framer_verdict {
    refapi_head_error why;
    const refapi_head *head; /* the refused head, when it was parsed; valid until the next feed */
    int in_request;
} refapi_framer_verdict;

void refapi_framer_init(refapi_framer *f, size_t max_line, size_t max_head);
void refapi_framer_free(refapi_framer *f);

/*
 * Follows buf[0..n). Returns the bytes before a refusal: n when there is
 * none; else fewer, with f->refused set and *v filled (the bytes from there
 * on are not to be served). A framer that refused takes no more bytes.
 */
size_t refapi_framer_feed(refapi_framer *f, const char *buf, size_t n, refapi_framer_verdict *v);

/* 1 when a head has begun and is not complete yet (its deadline runs). */
int refapi_framer_in_head(const refapi_framer *f);

#endif
