/*
 * nested: {"error": {"code": "..", "message": "..",
 *                    "details": [{"field": "..", "message": ".."}]}}  (seed 002)
 * Stripe, Azure and Google also nest under "error"; their own members
 * (type/param, target, status) make them outscore this shape.
 */
#include "dialect_impl.h"
#include "general.h"

static const char *const members[] = {"error", NULL};

static int match(const apierr__body *b)
{
    const json_t *e = APIERR__TOP(b, error);
    /* The seed's shape has a message: {error: {code}} alone (Yelp's
     * description, Elasticsearch's reason) is left to the general rules. */
    if (!json_is_object(e) || !json_is_string(APIERR__ERR(b, message))) return 0;
    int score = 30;
    if (json_is_string(APIERR__ERR(b, code))) score += 20;
    if (json_is_string(APIERR__ERR(b, message))) score += 10;
    if (json_is_array(APIERR__ERR(b, details))) score += 5;
    return score;
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    const json_t *e = json_object_get(b->json, "error");
    static const apierr__take_row rows[] = {{APIERR_PF_CODE, "code"},
                                            {APIERR_PF_MESSAGE, "message"},
                                            {APIERR_PF_REQUEST_ID, "request_id"}};
    if (APIERR__TAKE_EACH(p, e, rows)) return APIERR_ENOMEM;
    return apierr__details_general(p, json_object_get(e, "details"));
}

static void encode(apierr__buf *b, const apierr_problem *p)
{
    int first = 1;
    apierr__buf_append(b, "{\"error\":{", 10);
    apierr__enc_str(b, &first, "code", p->code);
    apierr__enc_str(b, &first, "message", apierr__enc_message(p));
    apierr__enc_details(b, &first, "details", p);
    apierr__buf_append(b, "}}", 2);
}

const apierr__dialect_ops apierr__dialect_NESTED = {
    APIERR_DIALECT_NESTED, match, decode, encode, members, APIERR__KEY(error)};
