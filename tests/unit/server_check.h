/*
 * Helpers shared by the libapierr-server unit tests: every reply they build
 * is read back by the core decoder, so the contract is checked both ways.
 * Include after cmocka.h.
 */
#ifndef APIERR_TEST_SERVER_CHECK_H
#define APIERR_TEST_SERVER_CHECK_H

#include "apierr-server.h"
#include "apierr/headers.h"

#include <string.h>

/* The value of header name in r, or NULL. */
static inline const char *reply_header(const apierr_reply *r, const char *name)
{
    return apierr_header_find(r->headers, r->nheaders, name);
}

/* Decodes r's body as dialect d (AUTO: detect), with r's status and
 * Content-Type, and r's headers when with_headers (without them, a request
 * id found must have come from the body). */
static inline apierr_problem *decode_reply(const apierr_reply *r, apierr_dialect d,
                                           int with_headers)
{
    apierr_decode_opts o = APIERR_DECODE_OPTS_INIT;
    o.dialect = d;
    o.status = r->status;
    o.content_type = reply_header(r, "Content-Type");
    if (with_headers) {
        o.headers = r->headers;
        o.nheaders = r->nheaders;
    }
    apierr_problem *p = NULL;
    assert_int_equal(apierr_problem_decode(&p, r->body, r->body_len, &o), APIERR_OK);
    assert_non_null(p);
    assert_int_equal(strlen(r->body), r->body_len);
    return p;
}

/* Builds the reply for p with opts, asserting success. */
static inline void build_reply(apierr_reply *r, const apierr_problem *p,
                               const apierr_reply_opts *opts)
{
    assert_int_equal(apierr_reply_build(r, p, opts), APIERR_OK);
    assert_non_null(r->body);
}

#endif
