/*
 * text: a body that is not JSON, HTML or XML: "upstream connect error or
 * disconnect/reset before headers", "Too Many Requests", a stack trace...
 * The message is the first non-empty line, trimmed and cut (on a UTF-8
 * boundary) so that a huge body does not make a huge message; the whole
 * body stays in raw. Every other dialect outscores this one, and bodies
 * that start with '<' are left to html, aws_xml or unknown.
 */
#include "dialect_impl.h"

#include <string.h>

#define MAX_MESSAGE 300

static int match(const apierr__body *b)
{
    size_t n = b->len;
    if (b->json || !b->text) return 0;
    const char *s = apierr__skip_space(b->text, &n);
    /* Markup nobody claimed (an unknown XML document) has no useful first
     * line; the reason phrase says more. */
    return n && *s != '<' ? 10 : 0;
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    size_t n = b->len;
    if (!b->text) return APIERR_OK;
    const char *s = apierr__skip_space(b->text, &n);
    const char *nl = memchr(s, '\n', n);
    size_t line = nl ? (size_t)(nl - s) : n;
    return apierr__take_clean_text(p, APIERR_PF_MESSAGE, s, line, MAX_MESSAGE, 0);
}

const apierr__dialect_ops apierr__dialect_TEXT = {
    APIERR_DIALECT_TEXT, match, decode, NULL, NULL, 0};
