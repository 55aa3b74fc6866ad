/*
 * aws_xml: the AWS query and REST-XML protocols' error,
 *   <ErrorResponse><Error><Type>Sender</Type><Code>..</Code>
 *     <Message>..</Message></Error><RequestId>..</RequestId></ErrorResponse>
 * S3's <Error><Code/><Message/><Resource/><RequestId/></Error>, and EC2's
 * <Response><Errors><Error>..</Error></Errors><RequestID/></Response>.
 * No XML library: a bounded tag scanner finds the first Code, Message,
 * RequestId/RequestID and Resource elements (the first Error is what
 * matters) and entities are decoded.
 */
#include "dialect_impl.h"

#include <string.h>

/* AWS messages are one sentence; a cap keeps hostile bodies in check. */
#define MAX_TEXT 2048

static int match(const apierr__body *b)
{
    size_t n = b->len, len;
    if (b->json || !b->text) return 0;
    const char *s = apierr__skip_space(b->text, &n);
    if (!n || *s != '<' || apierr__markup_find(s, n, "html", 1, &len)) return 0;
    if (!apierr__markup_find(s, n, "Error", 0, &len)) return 0;
    int score = apierr__markup_find(s, n, "Code", 0, &len) ? 85 : 40;
    return apierr__ctype_has(b, "xml") ? score + 5 : score;
}

static int take(apierr_problem *p, apierr_problem_field f, const char *s, size_t n, const char *tag)
{
    size_t len;
    const char *v = apierr__markup_find(s, n, tag, 0, &len);
    return v ? apierr__take_clean_text(p, f, v, len, MAX_TEXT, 1) : APIERR_OK;
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    size_t n = b->len, elen;
    if (!b->text) return APIERR_OK;
    const char *s = apierr__skip_space(b->text, &n);
    const char *err = apierr__markup_find(s, n, "Error", 0, &elen);
    const char *e = err ? err : s;
    size_t en = err ? elen : n;
    if (take(p, APIERR_PF_CODE, e, en, "Code") || take(p, APIERR_PF_MESSAGE, e, en, "Message") ||
        take(p, APIERR_PF_INSTANCE, e, en, "Resource") ||
        take(p, APIERR_PF_REQUEST_ID, s, n, "RequestId") ||
        (!p->request_id && take(p, APIERR_PF_REQUEST_ID, s, n, "RequestID")))
        return APIERR_ENOMEM;
    return APIERR_OK;
}

const apierr__dialect_ops apierr__dialect_AWS_XML = {
    APIERR_DIALECT_AWS_XML, match, decode, NULL, NULL, 0};
