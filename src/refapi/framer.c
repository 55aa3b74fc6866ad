/*
 * framer.c - following a connection's bytes from head to body to head
 * (framer.h). A head that arrives whole in one feed is parsed where it is;
 * one split over feeds is gathered, bounded by the head limit. Chunked
 * bodies are read by a byte-wise state machine (RFC 9112 7.1), their data
 * skipped in bulk.
 */
#include "framer.h"

#include <stdlib.h>
#include <string.h>

/* Where the reader is: in a head, in a body, or in the chunked framing. */
enum {
    HEAD,
    BODY,            /* left bytes of a Content-Length body */
    CH_SIZE,         /* a chunk's size, hex digits */
    CH_EXT,          /* a chunk extension, up to CR */
    CH_SIZE_LF,      /* the LF of the size line */
    CH_DATA,         /* left bytes of chunk data */
    CH_DATA_CR,      /* the CRLF after them */
    CH_DATA_LF,      /* */
    CH_TRAILER,      /* the start of a trailer line, or the final CRLF */
    CH_TRAILER_LINE, /* in a trailer line, up to LF */
    CH_END_LF        /* the LF of the final CRLF */
};

void refapi_framer_init(refapi_framer *f, size_t max_line, size_t max_head)
{
    memset(f, 0, sizeof *f);
    f->max_line = max_line;
    f->max_head = max_head;
    f->phase = HEAD;
}

void refapi_framer_free(refapi_framer *f)
{
    free(f->acc);
    f->acc = NULL;
}

int refapi_framer_in_head(const refapi_framer *f)
{
    return !f->refused && f->phase == HEAD && f->acc_len > 0;
}

static void refuse(refapi_framer *f, refapi_framer_verdict *v, const refapi_head *h,
                   const refapi_head_error *why, int in_request)
{
    f->refused = 1;
    f->acc_len = 0;
    v->why = *why;
    v->head = h;
    v->in_request = in_request;
}

/* The body the head announced (a chunked one wins: the head reader has
 * refused a head with both). */
static void frame(refapi_framer *f, const refapi_framing *fr)
{
    f->left = 0;
    f->digits = 0;
    if (fr->te)
        f->phase = CH_SIZE;
    else if (fr->ncl && fr->cl) {
        f->phase = BODY;
        f->left = fr->cl;
    } else
        f->phase = HEAD;
}

/* Reads a head from p[0..len); the bytes of it there into *used. 0, or -1
 * when refused. */
static int head(refapi_framer *f, const char *p, size_t len, size_t *used, refapi_framer_verdict *v)
{
    static const refapi_head_error big = {431, "request_header_fields_too_large",
                                          "The request header fields are too large."};
    static const refapi_head_error oom = {503, "service_unavailable",
                                          "The server is out of memory."};
    static __thread refapi_head h; /* too large for a server thread's stack */
    refapi_head_error why;
    const char *buf = p;
    size_t blen = len, had = f->acc_len, cap = f->max_head + 1;
    /* A client on a kept-alive connection sends the same head again and
     * again (a flood of 429s is one): the verdict of a parse depends on
     * the head's bytes alone, up to its empty line, so bytes that start
     * with the last head passed are that head, passed again. Its parse
     * was 1,270 of the 12,900 instructions a 429 cost (callgrind, outside
     * libmicrohttpd's memset). */
    if (!had && f->last_len && len >= f->last_len && memcmp(p, f->last, f->last_len) == 0) {
        *used = f->last_len;
        f->heads++;
        frame(f, &f->last_framing);
        return 0;
    }
    if (had) {
        size_t take = len < cap - had ? len : cap - had;
        memcpy(f->acc + had, p, take);
        f->acc_len += take;
        buf = f->acc;
        blen = f->acc_len;
    }
    int rc = refapi_head_parse(buf, blen, f->max_line, f->max_head, &h, &why);
    if (rc < 0) {
        refuse(f, v, h.method[0] ? &h : NULL, &why, 0);
        return -1;
    }
    if (rc == 0) {
        /* Incomplete past the limit (empty lines before a request line
         * are not counted by the head reader): no head will end here. */
        if (blen >= cap) {
            refuse(f, v, NULL, &big, 0);
            return -1;
        }
        if (!had) {
            if (!f->acc && !(f->acc = malloc(cap))) {
                refuse(f, v, NULL, &oom, 0);
                return -1;
            }
            memcpy(f->acc, p, len);
            f->acc_len = len;
        }
        *used = len;
        return 0;
    }
    *used = h.len > had ? h.len - had : 0;
    f->heads++;
    f->acc_len = 0;
    frame(f, &h.framing);
    f->last_len = 0;
    if (!had && h.len <= sizeof f->last) {
        memcpy(f->last, p, h.len);
        f->last_len = h.len;
        f->last_framing = h.framing;
    }
    return 0;
}

static int hex(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* One byte of the chunked framing outside chunk data. 0, or -1 when it
 * cannot be there. */
static int chunk_byte(refapi_framer *f, char ch)
{
    switch (f->phase) {
    case CH_SIZE:
        if (hex(ch) >= 0 && f->left < (1ull << 59)) {
            f->left = f->left * 16 + (unsigned)hex(ch);
            f->digits++;
            return 0;
        }
        if (!f->digits) return -1;
        if (ch == ';' || ch == ' ' || ch == '\t')
            f->phase = CH_EXT;
        else if (ch == '\r')
            f->phase = CH_SIZE_LF;
        else
            return -1;
        return 0;
    case CH_EXT:
        if (ch == '\n') return -1;
        if (ch == '\r') f->phase = CH_SIZE_LF;
        return 0;
    case CH_SIZE_LF:
        if (ch != '\n') return -1;
        f->phase = f->left ? CH_DATA : CH_TRAILER;
        return 0;
    case CH_DATA_CR:
        if (ch != '\r') return -1;
        f->phase = CH_DATA_LF;
        return 0;
    case CH_DATA_LF:
        if (ch != '\n') return -1;
        f->phase = CH_SIZE;
        f->left = 0;
        f->digits = 0;
        return 0;
    case CH_TRAILER:
        f->phase = ch == '\r' ? CH_END_LF : CH_TRAILER_LINE;
        return 0;
    case CH_TRAILER_LINE:
        if (ch == '\n') f->phase = CH_TRAILER;
        return 0;
    case CH_END_LF:
        if (ch != '\n') return -1;
        f->phase = HEAD;
        return 0;
    default:
        return -1;
    }
}

size_t refapi_framer_feed(refapi_framer *f, const char *buf, size_t n, refapi_framer_verdict *v)
{
    static const refapi_head_error bad_chunk = {400, "bad_request",
                                                "The chunked body is malformed."};
    if (f->refused) return 0;
    size_t pos = 0;
    while (pos < n) {
        if (f->phase == HEAD) {
            size_t used = 0;
            if (head(f, buf + pos, n - pos, &used, v) < 0) return pos;
            pos += used;
        } else if (f->phase == BODY || f->phase == CH_DATA) {
            size_t take = f->left < n - pos ? (size_t)f->left : n - pos;
            pos += take;
            f->left -= take;
            if (!f->left) f->phase = f->phase == BODY ? HEAD : CH_DATA_CR;
        } else if (chunk_byte(f, buf[pos]) == 0)
            pos++;
        else {
            refuse(f, v, NULL, &bad_chunk, 1);
            return pos;
        }
    }
    return n;
}
