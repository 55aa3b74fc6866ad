/*
 * aspnet: ASP.NET Core's ValidationProblemDetails,
 *   {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
 *    "title": "One or more validation errors occurred.", "status": 400,
 *    "errors": {"Name": ["The Name field is required."],
 *               "$.items[0].price": [".."]},
 *    "traceId": "00-84c1fd4063c38d9f3900d06e56542d48-85d1d4-00"}
 * RFC 9457 members as in problem, a field map in `errors` (the field keys
 * are model names or JSON paths; both are normalized), and traceId as the
 * request id. Sent as application/problem+json, so this must outscore the
 * problem dialect whenever `errors` is a map. A ProblemDetails without
 * `errors` is plain problem.
 */
#include "dialect_impl.h"

static const char *const members[] = {"type",     "title",  "status",  "detail",
                                      "instance", "errors", "traceId", NULL};

static int match(const apierr__body *b)
{
    if (!json_is_object(APIERR__TOP(b, errors))) return 0;
    /* {message, errors:{..}} is fieldmap's. */
    if (json_is_string(APIERR__TOP(b, message))) return 0;
    /* A problem-details body whose errors is a map is ASP.NET's, whatever
     * else it has: beat problem even with its content-type bonus. */
    if (json_is_string(APIERR__TOP(b, traceId)) || json_is_string(APIERR__TOP(b, title))) return 96;
    return 0;
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    const json_t *j = b->json;
    apierr__take_status(p, j, "status");
    if (apierr__take(p, APIERR_PF_TYPE, j, "type") ||
        apierr__take(p, APIERR_PF_TITLE, j, "title") ||
        apierr__take(p, APIERR_PF_MESSAGE, j, "detail") ||
        apierr__take(p, APIERR_PF_INSTANCE, j, "instance") ||
        apierr__take(p, APIERR_PF_REQUEST_ID, j, "traceId"))
        return APIERR_ENOMEM;
    return apierr__add_field_map(p, json_object_get(j, "errors"));
}

const apierr__dialect_ops apierr__dialect_ASPNET = {
    APIERR_DIALECT_ASPNET, match, decode, NULL, members, APIERR__KEY(errors)};
