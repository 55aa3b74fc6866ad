/*
 * unknown: JSON that no rule recognizes. Never chosen by detection (no
 * match function); decode() is what `--dialect unknown` and the fallback
 * would use: it keeps whatever common members it finds.
 */
#include "dialect_impl.h"

static int decode(apierr_problem *p, const apierr__body *b)
{
    static const char *const message_keys[] = {
        "message", "error_description", "detail", "error", "title", "msg", NULL};
    const json_t *j = b->json;
    for (const char *const *k = message_keys; *k && !p->message; k++)
        if (apierr__take(p, APIERR_PF_MESSAGE, j, *k)) return APIERR_ENOMEM;
    if (apierr__take(p, APIERR_PF_CODE, j, "code")) return APIERR_ENOMEM;
    return APIERR_OK;
}

const apierr__dialect_ops apierr__dialect_UNKNOWN = {
    APIERR_DIALECT_UNKNOWN, NULL, decode, NULL, NULL, 0};
