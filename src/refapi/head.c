/*
 * head.c - reading a request head strictly (head.h). Whatever two parsers
 * could read differently is refused with 400 rather than guessed: the
 * reference API sits in front of nothing, but it is what clients test their
 * error handling against, and a smuggled request is the worst of answers.
 */
#include "head.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void refapi_framing_init(refapi_framing *f, int http11)
{
    memset(f, 0, sizeof *f);
    f->http11 = http11;
}

/* tchar of RFC 9110 5.6.2 as a table by the byte's value: the tap reads
 * every name of every head served, and the range checks with a strchr()
 * for the symbols were a tenth of a 429's head. */
#define T_RUN2(c)  [(c)] = 1, [(c) + 1] = 1
#define T_RUN4(c)  T_RUN2(c), T_RUN2((c) + 2)
#define T_RUN8(c)  T_RUN4(c), T_RUN4((c) + 4)
#define T_RUN10(c) T_RUN8(c), T_RUN2((c) + 8)
#define T_RUN26(c) T_RUN8(c), T_RUN8((c) + 8), T_RUN10((c) + 16)
static const unsigned char tchar[256] = {
    T_RUN26('A'), T_RUN26('a'), T_RUN10('0'), ['!'] = 1, ['#'] = 1, ['$'] = 1,
    ['%'] = 1,    ['&'] = 1,    ['\''] = 1,   ['*'] = 1, ['+'] = 1, ['-'] = 1,
    ['.'] = 1,    ['^'] = 1,    ['_'] = 1,    ['`'] = 1, ['|'] = 1, ['~'] = 1,
};

/* 1 when s[0..n) are all tchar (and n > 0). */
static int is_token(const char *s, size_t n)
{
    unsigned all = n != 0;
    for (size_t i = 0; i < n; i++) all &= tchar[(unsigned char)s[i]];
    return (int)all;
}

static int name_is(const char *name, size_t nlen, const char *want)
{
    return strlen(want) == nlen && strncasecmp(name, want, nlen) == 0;
}

/* 1*DIGIT of at most 2^63 - 1, else -1 ("-1", "+2", "2^64", "5, 5"). */
static int parse_cl(const char *v, size_t n, unsigned long long *out)
{
    unsigned long long x = 0;
    if (!n) return -1;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9') return -1;
        if (x > (UINT64_MAX >> 1) / 10) return -1;
        x = x * 10 + (unsigned)(v[i] - '0');
        if (x > (UINT64_MAX >> 1)) return -1;
    }
    *out = x;
    return 0;
}

void refapi_framing_add(refapi_framing *f, const char *name, size_t nlen, const char *value,
                        size_t vlen)
{
    if (!is_token(name, nlen)) f->name_bad = 1;
    if (name_is(name, nlen, "Host")) f->nhost++;
    if (name_is(name, nlen, "Content-Length")) {
        unsigned long long cl = 0;
        if (parse_cl(value, vlen, &cl) != 0) f->cl_bad = 1;
        if (f->ncl && cl != f->cl) f->cl_conflict = 1;
        f->cl = cl;
        f->ncl++;
    }
    if (name_is(name, nlen, "Transfer-Encoding")) {
        /* Only "chunked", once: any other coding or list leaves the body's
         * end to guesswork (RFC 9112 6.3 rule 4 asks for 400 when chunked
         * is not the final coding). */
        if (f->te || !name_is(value, vlen, "chunked")) f->te_bad = 1;
        f->te = 1;
    }
}

int refapi_framing_verdict(const refapi_framing *f, refapi_head_error *err)
{
    /* The common head first: one Host, nothing wrong, at most one way to
     * frame the body; the table below is built only to say why not. */
    if (!(f->name_bad | f->cl_conflict | f->cl_bad | f->te_bad) && !(f->ncl && f->te) &&
        f->nhost == 1)
        return 0;
    /* The rules in the order they are checked: the first that holds is the
     * answer. */
    const struct {
        int holds;
        const char *message;
    } rules[] = {
        {f->name_bad, "A header field name is not a token (whitespace before the colon?)."},
        {f->ncl && f->te, "Content-Length and Transfer-Encoding together frame the body twice."},
        {f->cl_conflict, "Two different Content-Length values."},
        {f->cl_bad, "Content-Length must be a decimal number of bytes below 2^63."},
        {f->te_bad, "The only Transfer-Encoding accepted is a single chunked."},
        {f->http11 && f->nhost == 0, "An HTTP/1.1 request must carry a Host header."},
        {f->nhost > 1, "More than one Host header."},
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        if (!rules[i].holds) continue;
        err->status = 400;
        err->code = "bad_request";
        err->message = rules[i].message;
        return -1;
    }
    return 0;
}

static int refuse(refapi_head_error *err, int status, const char *code, const char *message)
{
    err->status = status;
    err->code = code;
    err->message = message;
    return -1;
}

/* The end of the line starting at p (its CR), NULL when not in yet; -1 in
 * *bad for a bare CR, a bare LF or a NUL, which parsers read differently.
 * The tap reads every head served, line by line: memchr() finds the CR,
 * then that no LF or NUL comes before it, in a few words at a time. */
static const char *line_end(const char *p, const char *end, int *bad)
{
    const char *cr = memchr(p, '\r', (size_t)(end - p)), *stop = cr ? cr : end;
    const char *lf = memchr(p, '\n', (size_t)(stop - p));
    const char *nul = memchr(p, '\0', (size_t)((lf ? lf : stop) - p));
    if (nul || lf) {
        *bad = 1;
        return nul ? nul : lf;
    }
    if (!cr || cr + 1 == end) return NULL;
    if (cr[1] != '\n') *bad = 1;
    return cr;
}

static void copy_span(char *dst, size_t cap, const char *src, size_t n)
{
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* 1 when s[0..n) has no control, space or DEL (RFC 9112 3.2: the target
 * ends at a space; bytes from 0x80 are left to the handler). Eight bytes
 * a step: a byte below 0x21 or equal to 0x7f sets its top bit in the
 * word's test (Mycroft's zero-byte test; exact as a yes or no), where a
 * byte at a time was eight instructions a byte of the request line's
 * longest part. */
static int is_target(const char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, del;
        memcpy(&x, s + i, 8);
        del = x ^ (0x7f * ones);
        if (((x - 0x21 * ones) & ~x & high) | ((del - ones) & ~del & high)) return 0;
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c == 0x7f) return 0;
    }
    return 1;
}

/* METHOD SP TARGET SP HTTP-version: 1 for 1.1, 0 for 1.0, -1 when
 * malformed, -2 for another major version (RFC 9112 2.3: 505). A later
 * 1.x is served as 1.1, the highest this server speaks, as
 * libmicrohttpd does. */
static int request_line(refapi_head *h, const char *p, size_t n)
{
    const char *sp1 = memchr(p, ' ', n);
    if (!sp1 || sp1 == p || (size_t)(sp1 - p) >= sizeof h->method) return -1;
    const char *rest = sp1 + 1;
    size_t rn = n - (size_t)(rest - p);
    const char *sp2 = memchr(rest, ' ', rn);
    if (!sp2 || sp2 == rest) return -1;
    size_t vn = rn - (size_t)(sp2 + 1 - rest);
    const char *v = sp2 + 1;
    if (!is_token(p, (size_t)(sp1 - p))) return -1;
    if (!is_target(rest, (size_t)(sp2 - rest))) return -1;
    if (vn != 8 || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' || v[5] < '0' || v[5] > '9' ||
        v[7] < '0' || v[7] > '9')
        return -1;
    if (v[5] != '1') return -2;
    copy_span(h->method, sizeof h->method, p, (size_t)(sp1 - p));
    copy_span(h->target, sizeof h->target, rest, (size_t)(sp2 - rest));
    return v[7] != '0';
}

/* name ":" OWS value OWS, into h's next field and its framing. */
static int header_line(refapi_head *h, const char *p, size_t n)
{
    const char *colon = memchr(p, ':', n);
    if (!colon) return -1;
    const char *v = colon + 1, *ve = p + n;
    while (v < ve && (*v == ' ' || *v == '\t')) v++;
    while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
    if (h->nfields == REFAPI_HEAD_FIELDS) return -2;
    refapi_head_field *fl = &h->fields[h->nfields++];
    fl->name = p;
    fl->nlen = (size_t)(colon - p);
    fl->value = v;
    fl->vlen = (size_t)(ve - v);
    refapi_framing_add(&h->framing, fl->name, fl->nlen, fl->value, fl->vlen);
    return 0;
}

int refapi_head_parse(const char *buf, size_t len, size_t max_line, size_t max_head, refapi_head *h,
                      refapi_head_error *err)
{
    static const char malformed[] = "The request head is malformed.";
    const char *p = buf, *end = buf + len;
    /* What is read of h before it is filled, not all of it: the tap parses
     * every head served, and h is 5 KiB. */
    h->method[0] = h->target[0] = '\0';
    h->len = h->nfields = 0;
    memset(&h->framing, 0, sizeof h->framing);
    /* RFC 9112 2.2: empty lines before the request line are ignored. */
    while (end - p >= 2 && p[0] == '\r' && p[1] == '\n') p += 2;
    /* The limits are looked at before a bad byte, and by the bytes that
     * were in before the line's end: so that the verdict is the same
     * whether the head comes in one read or in many (framer.c feeds it
     * read by read). */
    int bad = 0;
    const char *le = line_end(p, end, &bad);
    if (!le) {
        size_t in = (size_t)(end - p) - (end > p && end[-1] == '\r');
        if (in > max_line) return refuse(err, 414, "uri_too_long", "The request line is too long.");
        return 0;
    }
    if ((size_t)(le - p) > max_line)
        return refuse(err, 414, "uri_too_long", "The request line is too long.");
    if (bad) return refuse(err, 400, "bad_request", malformed);
    int http11 = request_line(h, p, (size_t)(le - p));
    if (http11 == -2)
        return refuse(err, 505, "http_version_not_supported",
                      "This server speaks HTTP/1.1 and HTTP/1.0 on this port.");
    if (http11 < 0) return refuse(err, 400, "bad_request", "The request line is malformed.");
    refapi_framing_init(&h->framing, http11);
    p = le + 2;
    for (;;) {
        le = line_end(p, end, &bad);
        if (!le) {
            if ((size_t)(end - buf) > max_head) break;
            return 0;
        }
        if (bad && (size_t)(le - buf) + (*le == '\r') > max_head) break;
        if (bad) return refuse(err, 400, "bad_request", malformed);
        if ((size_t)(le + 2 - buf) > max_head) break;
        if (le == p) {
            h->len = (size_t)(le + 2 - buf);
            return refapi_framing_verdict(&h->framing, err) == 0 ? 1 : -1;
        }
        /* Obsolete line folding (RFC 9112 5.2): refused, not unfolded. */
        if (*p == ' ' || *p == '\t') return refuse(err, 400, "bad_request", malformed);
        int rc = header_line(h, p, (size_t)(le - p));
        if (rc == -2) break;
        if (rc < 0) return refuse(err, 400, "bad_request", malformed);
        p = le + 2;
    }
    return refuse(err, 431, "request_header_fields_too_large",
                  "The request header fields are too large.");
}

const char *refapi_target_path(const char *target)
{
    if (target[0] == '/') return target; /* the origin form: nearly every request */
    size_t skip = !strncasecmp(target, "http://", 7)    ? 7
                  : !strncasecmp(target, "https://", 8) ? 8
                                                        : 0;
    if (!skip) return target;
    const char *path = target + skip + strcspn(target + skip, "/?#");
    return *path == '/' ? path : "/";
}

const char *refapi_head_value(const refapi_head *h, const char *name, char *buf, size_t cap)
{
    for (size_t i = 0; i < h->nfields; i++) {
        const refapi_head_field *f = &h->fields[i];
        if (name_is(f->name, f->nlen, name)) {
            copy_span(buf, cap, f->value, f->vlen);
            return buf;
        }
    }
    return NULL;
}
