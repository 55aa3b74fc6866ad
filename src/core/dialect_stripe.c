/*
 * stripe: {"error": {"type": "card_error", "code": "card_declined",
 *   "message": "..", "param": "number", "doc_url": "..",
 *   "decline_code": ".."}}                 (Stripe; OpenAI and Anthropic too)
 * error.type is what sets it apart from nested. The code is `code` when
 * there is one (OpenAI often sends null), else `type`; `param` names the
 * offending field and becomes the one detail, carrying the message;
 * doc_url documents the code and becomes the type URI.
 */
#include "dialect_impl.h"

static const char *const members[] = {"error", NULL};

static int match(const apierr__body *b)
{
    const json_t *e = APIERR__TOP(b, error);
    if (!json_is_object(e) || !json_is_string(APIERR__ERR(b, type))) return 0;
    /* Elasticsearch's {error: {type, reason, root_cause}} has neither: the
     * general rules read it. */
    if (!APIERR__ERR(b, message) && !APIERR__ERR(b, code)) return 0;
    int score = 70;
    if (json_object_get(e, "param")) score += 10;
    if (json_object_get(e, "doc_url") || json_object_get(e, "decline_code")) score += 5;
    return score;
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    const json_t *e = json_object_get(b->json, "error");
    /* GoCardless' integer code repeats the status: the type names the error */
    const json_t *code = json_object_get(e, "code");
    int echo = json_is_integer(code) && b->status && json_integer_value(code) == b->status;
    if ((!echo && apierr__take(p, APIERR_PF_CODE, e, "code")) ||
        apierr__take(p, APIERR_PF_CODE, e, "type") ||
        apierr__take(p, APIERR_PF_MESSAGE, e, "message") ||
        apierr__take(p, APIERR_PF_TYPE, e, "doc_url"))
        return APIERR_ENOMEM;
    const char *param = apierr__json_str(e, "param");
    if (param && *param) return apierr__add_detail(p, param, p->message, NULL);
    return APIERR_OK;
}

const apierr__dialect_ops apierr__dialect_STRIPE = {
    APIERR_DIALECT_STRIPE, match, decode, NULL, members, APIERR__KEY(error)};
