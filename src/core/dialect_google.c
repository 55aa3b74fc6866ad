/*
 * google (AIP-193): {"error": {"code": 400, "message": "..",
 *   "status": "INVALID_ARGUMENT", "details": [
 *     {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "..",
 *      "domain": "..", "metadata": {..}},
 *     {"@type": "...google.rpc.BadRequest", "fieldViolations": [
 *        {"field": "..", "description": "..", "reason": ".."}]},
 *     {"@type": "...google.rpc.RetryInfo", "retryDelay": "30s"},
 *     {"@type": "...google.rpc.RequestInfo", "requestId": ".."}]}}
 * The code is the ErrorInfo reason (the stable, documented one), else the
 * canonical status name. The older Google JSON APIs add
 * "errors": [{"domain", "reason", "message", "location"}]; those become
 * details too, and the first one's reason is the code when there is no
 * status. The numeric code distinguishes this from nested and Azure.
 */
#include "apierr/headers.h"
#include "dialect_impl.h"

#include <string.h>

static const char *const members[] = {"error", NULL};

/* 1 when the detail's @type names the google.rpc message `name`. */
static int is_type(const json_t *d, const char *name)
{
    const char *t = apierr__json_str(d, "@type");
    size_t n = t ? strlen(t) : 0, m = strlen(name);
    return n > m && strcmp(t + n - m, name) == 0 && t[n - m - 1] == '.';
}

static int has_typed_detail(const json_t *e)
{
    size_t i;
    const json_t *d;
    json_array_foreach(json_object_get(e, "details"), i, d) {
        if (apierr__json_str(d, "@type")) return 1;
    }
    return 0;
}

static int match(const apierr__body *b)
{
    const json_t *e = APIERR__TOP(b, error);
    if (!json_is_object(e)) return 0;
    int hints = 0;
    if (json_is_integer(APIERR__ERR(b, code))) hints += 15;
    if (json_is_string(APIERR__ERR(b, status))) hints += 20;
    if (has_typed_detail(e)) hints += 15;
    if (!hints) return 0;
    int score = 40 + hints + (json_is_string(APIERR__ERR(b, message)) ? 5 : 0);
    return score > 90 ? 90 : score;
}

static int decode_detail(apierr_problem *p, const json_t *d)
{
    if (is_type(d, "ErrorInfo")) return apierr__take(p, APIERR_PF_CODE, d, "reason");
    if (is_type(d, "BadRequest"))
        return apierr__details_from_array(p, json_object_get(d, "fieldViolations"), "field",
                                          "description", "reason");
    if (is_type(d, "RequestInfo")) return apierr__take(p, APIERR_PF_REQUEST_ID, d, "requestId");
    if (is_type(d, "Help")) {
        const json_t *link = json_array_get(json_object_get(d, "links"), 0);
        return apierr__take(p, APIERR_PF_TYPE, link, "url");
    }
    if (is_type(d, "RetryInfo")) apierr__retry_delay(p, json_object_get(d, "retryDelay"));
    return APIERR_OK;
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    const json_t *e = json_object_get(b->json, "error");
    apierr__take_status(p, e, "code");
    if (apierr__take(p, APIERR_PF_MESSAGE, e, "message")) return APIERR_ENOMEM;
    size_t i;
    const json_t *d;
    json_array_foreach(json_object_get(e, "details"), i, d) {
        if (decode_detail(p, d)) return APIERR_ENOMEM;
    }
    const json_t *errors = json_object_get(e, "errors");
    const json_t *status = json_object_get(e, "status"); /* a name, never a number */
    if ((json_is_string(status) && apierr__take(p, APIERR_PF_CODE, e, "status")) ||
        apierr__take(p, APIERR_PF_CODE, json_array_get(errors, 0), "reason"))
        return APIERR_ENOMEM;
    return apierr__details_from_array(p, errors, "location", "message", "reason");
}

const apierr__dialect_ops apierr__dialect_GOOGLE = {
    APIERR_DIALECT_GOOGLE, match, decode, NULL, members, APIERR__KEY(error)};
