/*
 * azure: the Microsoft REST API guidelines' error (Azure, Microsoft Graph):
 *   {"error": {"code": "BadArgument", "message": "..", "target": "..",
 *    "details": [{"code": "NullValue", "message": "..", "target": "phone"}],
 *    "innererror": {"code": ".."}}}
 * Graph writes innerError with "request-id" and "date"; those become the
 * request id and timestamp. Each details item is a detail whose field is
 * its target; with no details, a top-level target is the one detail.
 * Without target, details or inner error the body is the plain nested
 * shape and decodes as nested.
 */
#include "dialect_impl.h"

static const char *const members[] = {"error", NULL};

static int has_targeted_detail(const json_t *e)
{
    size_t i;
    const json_t *d;
    json_array_foreach(json_object_get(e, "details"), i, d) {
        if (json_object_get(d, "target") && !json_object_get(d, "field")) return 1;
    }
    return 0;
}

static const json_t *inner(const json_t *e)
{
    const json_t *in = json_object_get(e, "innererror");
    return in ? in : json_object_get(e, "innerError");
}

static int match(const apierr__body *b)
{
    const json_t *e = APIERR__TOP(b, error);
    if (!json_is_string(APIERR__ERR(b, code))) return 0;
    int score = 50;
    if (json_is_string(json_object_get(e, "target"))) score += 20;
    if (json_is_object(inner(e))) score += 20;
    if (has_targeted_detail(e)) score += 20;
    return score > 50 ? (score > 90 ? 90 : score) : 0;
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    const json_t *e = json_object_get(b->json, "error");
    const json_t *in = inner(e);
    if (apierr__take(p, APIERR_PF_CODE, e, "code") ||
        apierr__take(p, APIERR_PF_MESSAGE, e, "message") ||
        apierr__take(p, APIERR_PF_REQUEST_ID, in, "request-id") ||
        apierr__take(p, APIERR_PF_REQUEST_ID, in, "client-request-id") ||
        apierr__take(p, APIERR_PF_TIMESTAMP, in, "date"))
        return APIERR_ENOMEM;
    const json_t *details = json_object_get(e, "details");
    if (json_array_size(details))
        return apierr__details_from_array(p, details, "target", "message", "code");
    const char *target = apierr__json_str(e, "target");
    return target ? apierr__add_detail(p, target, p->message, NULL) : APIERR_OK;
}

const apierr__dialect_ops apierr__dialect_AZURE = {
    APIERR_DIALECT_AZURE, match, decode, NULL, members, APIERR__KEY(error)};
