/*
 * slack: {"ok": false, "error": "channel_not_found", "warning": "..",
 *   "response_metadata": {"messages": ["[ERROR] missing required field: channel"]}}
 * Slack's Web API answers most failures with HTTP 200, so when the response
 * had no status (or 200) one is derived from the well-known error codes,
 * the way graphql does, as the effective status (the wire status stays).
 * The message is the first response_metadata message, else none: Slack
 * sends no prose, and `error` is the code; each message becomes a detail. `warning`, `needed`,
 * `provided` stay as extensions.
 */
#include "dialect_impl.h"

#include <string.h>

static const char *const members[] = {"ok", "error", "response_metadata", NULL};

static int match(const apierr__body *b)
{
    const json_t *ok = APIERR__TOP(b, ok);
    if (!json_is_false(ok)) return 0;
    /* Telegram's {ok: false, error_code, description} is no Slack error. */
    return json_is_string(APIERR__TOP(b, error)) ? 90 : 0;
}

static const apierr__code_status status_of_code[] = {
    {"not_authed", 401},          {"invalid_auth", 401},
    {"token_revoked", 401},       {"token_expired", 401},
    {"account_inactive", 401},    {"missing_scope", 403},
    {"no_permission", 403},       {"not_allowed_token_type", 403},
    {"access_denied", 403},       {"channel_not_found", 404},
    {"user_not_found", 404},      {"message_not_found", 404},
    {"file_not_found", 404},      {"ratelimited", 429},
    {"rate_limited", 429},        {"invalid_arguments", 400},
    {"invalid_arg_name", 400},    {"invalid_form_data", 400},
    {"internal_error", 500},      {"fatal_error", 500},
    {"service_unavailable", 503},
};

static int decode(apierr_problem *p, const apierr__body *b)
{
    const json_t *j = b->json;
    const json_t *msgs = json_object_get(json_object_get(j, "response_metadata"), "messages");
    if (apierr__take(p, APIERR_PF_CODE, j, "error")) return APIERR_ENOMEM;
    APIERR__STATUS_FROM_CODE(p, status_of_code);
    size_t i;
    const json_t *m;
    json_array_foreach(msgs, i, m) {
        const char *text = json_string_value(m);
        if (!text) continue;
        if ((!p->message && apierr_problem_set(p, APIERR_PF_MESSAGE, text)) ||
            apierr__add_detail(p, NULL, text, NULL))
            return APIERR_ENOMEM;
    }
    return APIERR_OK;
}

const apierr__dialect_ops apierr__dialect_SLACK = {
    APIERR_DIALECT_SLACK, match, decode, NULL, members, APIERR__KEY(ok)};
