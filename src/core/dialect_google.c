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
 *
 * The same google.rpc.Status stands unwrapped at the top of gRPC-gateway's
 * bodies ({"code": 3, "message": .., "details": [{"@type": ..}]}) and of
 * Connect's, whose details are {"type": "google.rpc.RetryInfo", "value":
 * base64, "debug": {the message as JSON}}: read when its details are typed.
 */
#include "apierr/headers.h"
#include "dialect_impl.h"
#include "general.h"
#include "member_table.h"

#include <string.h>

/* (code, message and details: a Status at the top) */
static const char *const members[] = {"error", "code", "message", "details", NULL};

/* The type a detail names, and (in *fields) the object holding the
 * message's fields: the detail itself under @type (Any in JSON), Connect's
 * debug under type (NULL when it sent only the binary value). */
static const char *detail_type(const json_t *d, const json_t **fields)
{
    const char *t = apierr__json_str(d, "@type");
    *fields = d;
    if (t) return t;
    const json_t *debug = json_object_get(d, "debug");
    *fields = json_is_object(debug) ? debug : NULL;
    return json_object_get(d, "value") ? apierr__json_str(d, "type") : NULL;
}

/* 1 when the type t names the google.rpc message `name`. */
static int is_type(const char *t, const char *name)
{
    size_t n = t ? strlen(t) : 0, m = strlen(name);
    return n > m && strcmp(t + n - m, name) == 0 && t[n - m - 1] == '.';
}

static int has_typed_detail(const json_t *e)
{
    size_t i;
    const json_t *d, *fields;
    json_array_foreach(json_object_get(e, "details"), i, d) {
        if (detail_type(d, &fields)) return 1;
    }
    return 0;
}

/* The Status: under `error`, else the body itself when its details are
 * typed (gRPC-gateway, Connect). */
static const json_t *status_of(const json_t *body)
{
    const json_t *e = json_object_get(body, "error");
    if (json_is_object(e)) return e;
    return has_typed_detail(body) && json_object_get(body, "code") ? body : NULL;
}

static int match(const apierr__body *b)
{
    const json_t *e = status_of(b->json);
    if (!e) return 0;
    int hints = 0;
    if (json_is_integer(json_object_get(e, "code"))) hints += 15;
    if (json_is_string(json_object_get(e, "status"))) hints += 20;
    if (has_typed_detail(e)) hints += 15;
    if (!hints) return 0;
    int score = 40 + hints + (json_is_string(json_object_get(e, "message")) ? 5 : 0);
    return score > 90 ? 90 : score;
}

static int decode_detail(apierr_problem *p, const json_t *item)
{
    const json_t *d;
    const char *t = detail_type(item, &d);
    if (!d) return APIERR_OK; /* Connect's value alone: protobuf bytes */
    if (is_type(t, "ErrorInfo")) return apierr__take(p, APIERR_PF_CODE, d, "reason");
    if (is_type(t, "BadRequest"))
        return apierr__details_from_array(p, json_object_get(d, "fieldViolations"), "field",
                                          "description", "reason");
    if (is_type(t, "RequestInfo")) return apierr__take(p, APIERR_PF_REQUEST_ID, d, "requestId");
    if (is_type(t, "Help")) {
        const json_t *link = json_array_get(json_object_get(d, "links"), 0);
        return apierr__take(p, APIERR_PF_TYPE, link, "url");
    }
    if (is_type(t, "RetryInfo")) {
        apierr__retry_delay(p, json_object_get(d, "retryDelay"));
        return APIERR_OK;
    }
    /* Another type's list of failures (protovalidate's buf.validate.Violations
     * {violations: [{fieldPath, constraintId, message}]}): read by the
     * general rules, under a name the table gives to lists of failures. */
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)d, key, v) {
        const apierr__member *m = apierr__member_find(key, strlen(key));
        if (m && m->role == APIERR__R_DETAILS && json_is_array(v))
            return apierr__details_general(p, v);
    }
    return APIERR_OK;
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    const json_t *e = status_of(b->json);
    /* (a top-level Status' code is gRPC's, 0 to 16, never an HTTP status) */
    if (e != b->json) apierr__take_status(p, e, "code");
    if (apierr__take(p, APIERR_PF_MESSAGE, e, "message")) return APIERR_ENOMEM;
    size_t i;
    const json_t *d;
    json_array_foreach(json_object_get(e, "details"), i, d) {
        if (decode_detail(p, d)) return APIERR_ENOMEM;
    }
    const json_t *errors = json_object_get(e, "errors");
    const json_t *status = json_object_get(e, "status"); /* a name, never a number */
    /* Connect's code is the canonical name itself: "unavailable" */
    const char *name = json_is_string(status)                       ? "status"
                       : json_is_string(json_object_get(e, "code")) ? "code"
                                                                    : NULL;
    /* Identity Toolkit's "message": "EMAIL_NOT_FOUND" names the error; its
     * errors[0].reason ("invalid") only files it */
    long long n = json_integer_value(json_object_get(e, "code"));
    int own_code = n && (n < 100 || n > 599); /* Knox's 4010000, not a status */
    size_t lead = p->code || name || own_code ? 0 : apierr__identifier_lead(p->message);
    if (lead && apierr_problem_setn(p, APIERR_PF_CODE, p->message, lead)) return APIERR_ENOMEM;
    if ((name && apierr__take(p, APIERR_PF_CODE, e, name)) ||
        apierr__take(p, APIERR_PF_CODE, json_array_get(errors, 0), "reason"))
        return APIERR_ENOMEM;
    return apierr__details_from_array(p, errors, "location", "message", "reason");
}

const apierr__dialect_ops apierr__dialect_GOOGLE = {
    APIERR_DIALECT_GOOGLE, match, decode, NULL, members, APIERR__KEY(error) | APIERR__KEY(details)};
