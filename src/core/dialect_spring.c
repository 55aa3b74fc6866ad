/*
 * spring: Spring Boot's default error attributes (BasicErrorController,
 * DefaultErrorAttributes):
 *   {"timestamp": "2024-11-15T10:30:00.000+00:00", "status": 404,
 *    "error": "Not Found", "message": "..", "path": "/invoices",
 *    "exception": "..", "trace": "..", "requestId": "..",
 *    "errors": [{"field": "name", "defaultMessage": "..", "code": "NotBlank",
 *                "objectName": "..", "rejectedValue": ..}]}
 * `error` is the reason phrase: it becomes the title, and the message when
 * `message` is missing or empty (Boot 2.3+ hides it by default). The
 * exception class, when included, is the code. `trace` and anything else
 * stay as extension members. Boot 3's ProblemDetail is the problem dialect.
 */
#include "dialect_impl.h"

static const char *const members[] = {"timestamp", "status",    "error",  "message", "path",
                                      "exception", "requestId", "errors", NULL};

static int match(const apierr__body *b)
{
    const json_t *j = b->json;
    if (!json_is_object(j) || !APIERR__TOP(b, timestamp)) return 0;
    int score = 25;
    if (json_is_integer(APIERR__TOP(b, status))) score += 20;
    if (json_is_string(APIERR__TOP(b, error))) score += 20;
    if (json_is_string(APIERR__TOP(b, path))) score += 15;
    return score >= 60 ? score : 0;
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    const json_t *j = b->json;
    const char *msg = apierr__json_str(j, "message");
    apierr__take_status(p, j, "status");
    if ((msg && *msg && apierr__take(p, APIERR_PF_MESSAGE, j, "message")) ||
        apierr__take(p, APIERR_PF_MESSAGE, j, "error") ||
        apierr__take(p, APIERR_PF_TITLE, j, "error") ||
        apierr__take(p, APIERR_PF_CODE, j, "exception") ||
        apierr__take(p, APIERR_PF_TIMESTAMP, j, "timestamp") ||
        apierr__take(p, APIERR_PF_PATH, j, "path") ||
        apierr__take(p, APIERR_PF_REQUEST_ID, j, "requestId"))
        return APIERR_ENOMEM;
    return apierr__details_from_array(p, json_object_get(j, "errors"), "field", "defaultMessage",
                                      "code");
}

const apierr__dialect_ops apierr__dialect_SPRING = {
    APIERR_DIALECT_SPRING, match, decode, NULL, members, APIERR__KEY(timestamp)};
