/*
 * twilio: {"code": 20404, "message": "The requested resource .. was not found",
 *   "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}
 * The numeric code (Twilio's error catalogue) is kept as text; more_info
 * documents it and becomes the type URI. An integer code is what keeps
 * this apart from gestix, whose codes are strings.
 */
#include "dialect_impl.h"

static const char *const members[] = {"code", "message", "more_info", "status", NULL};

static int match(const apierr__body *b)
{
    if (!json_is_integer(APIERR__TOP(b, code))) return 0;
    int score = 0;
    if (json_is_string(APIERR__TOP(b, more_info))) score += 60;
    if (json_is_string(APIERR__TOP(b, message))) score += 25;
    if (json_is_integer(APIERR__TOP(b, status))) score += 10;
    return score >= 35 ? score : 0;
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    const json_t *j = b->json;
    apierr__take_status(p, j, "status");
    if (apierr__take(p, APIERR_PF_CODE, j, "code") ||
        apierr__take(p, APIERR_PF_MESSAGE, j, "message") ||
        apierr__take(p, APIERR_PF_TYPE, j, "more_info"))
        return APIERR_ENOMEM;
    return APIERR_OK;
}

const apierr__dialect_ops apierr__dialect_TWILIO = {
    APIERR_DIALECT_TWILIO, match, decode, NULL, members, APIERR__KEY(code)};
