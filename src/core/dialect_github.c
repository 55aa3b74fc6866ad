/*
 * github: {"message": "Validation Failed", "errors": [{"resource": "Issue",
 *   "field": "title", "code": "missing_field"}],
 *   "documentation_url": "https://docs.github.com/..", "status": "422"}
 * Error items may carry their own message (code "custom") or be bare
 * strings. documentation_url becomes the type URI.
 */
#include "dialect_impl.h"

static const char *const members[] = {"message", "errors", "documentation_url", "status", NULL};

static int match(const apierr__body *b)
{
    if (!json_is_string(APIERR__TOP(b, message))) return 0;
    int score = 10;
    if (json_is_string(APIERR__TOP(b, documentation_url))) score += 50;
    const json_t *first = json_array_get(APIERR__TOP(b, errors), 0);
    if (json_object_get(first, "resource") ||
        (json_object_get(first, "field") && json_object_get(first, "code")))
        score += 40;
    return score > 10 ? (score > 95 ? 95 : score) : 0;
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    const json_t *j = b->json;
    apierr__take_status(p, j, "status");
    if (apierr__take(p, APIERR_PF_MESSAGE, j, "message") ||
        apierr__take(p, APIERR_PF_TYPE, j, "documentation_url"))
        return APIERR_ENOMEM;
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(j, "errors"), i, e) {
        if (!json_is_object(e) && !json_is_string(e)) continue;
        const char *msg = json_is_string(e) ? json_string_value(e) : apierr__json_str(e, "message");
        const char *code = apierr__json_str(e, "code");
        if (!msg) msg = code; /* missing_field is all GitHub says of it (issue 10) */
        if (apierr__add_detail(p, apierr__json_str(e, "field"), msg, code)) return APIERR_ENOMEM;
    }
    return APIERR_OK;
}

const apierr__dialect_ops apierr__dialect_GITHUB = {
    APIERR_DIALECT_GITHUB, match, decode, NULL, members, APIERR__KEY(message)};
