/*
 * flat: {"error": "invalid_token", "message": "..", "statusCode": 401,
 *        "details": [{"field": "..", "message": ".."}]}   (seed 001, GoTab)
 */
#include "dialect_impl.h"
#include "general.h"

static const char *const members[] = {"error", "message", "statusCode", "details", NULL};

static int match(const apierr__body *b)
{
    const json_t *j = b->json;
    if (!json_is_object(j)) return 0;
    int score = 0;
    if (json_is_integer(APIERR__TOP(b, statusCode))) score += 60;
    if (json_is_string(APIERR__TOP(b, error))) score += 30;
    if (json_is_array(APIERR__TOP(b, details))) score += 5;
    /* {error, message} alone is also Spring's and OAuth's; statusCode decides. */
    return score >= 60 ? score : 0;
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    const json_t *j = b->json;
    apierr__take_status(p, j, "statusCode");
    /* GoTab's error is a code; NestJS', Hapi's and Auth0's is the reason
     * phrase ("Bad Request"): a title, and their code is elsewhere (code,
     * errorCode: the general rules fill it). */
    int token = apierr__is_code_token(apierr__json_str(j, "error"), p->status);
    if (apierr__take(p, token ? APIERR_PF_CODE : APIERR_PF_TITLE, j, "error") ||
        apierr__take(p, APIERR_PF_MESSAGE, j, "message"))
        return APIERR_ENOMEM;
    return apierr__details_general(p, json_object_get(j, "details"));
}

static void encode(apierr__buf *b, const apierr_problem *p)
{
    int first = 1;
    apierr__buf_putc(b, '{');
    apierr__enc_str(b, &first, "error", p->code);
    apierr__enc_str(b, &first, "message", apierr__enc_message(p));
    if (p->status) apierr__enc_int(b, &first, "statusCode", p->status);
    apierr__enc_details(b, &first, "details", p);
    apierr__buf_putc(b, '}');
}

const apierr__dialect_ops apierr__dialect_FLAT = {
    APIERR_DIALECT_FLAT, match, decode, encode, members, APIERR__KEY(statusCode)};
