/*
 * oauth: {"error": "invalid_grant", "error_description": "..",
 *         "error_uri": ".."}                        (RFC 6749 section 5.2)
 * What token endpoints answer; the reference API's /oauth/token writes it.
 */
#include "dialect_impl.h"

static const char *const members[] = {"error", "error_description", "error_uri", NULL};

static int match(const apierr__body *b)
{
    const json_t *j = b->json;
    if (!json_is_string(APIERR__TOP(b, error))) return 0;
    if (json_is_string(APIERR__TOP(b, error_description))) return 90;
    /* RFC 6749 codes are tokens; {"error": "Couldn't authenticate you"}
     * (Zendesk) is a message, for the general rules. */
    return json_object_size(j) == 1 && apierr__is_token(apierr__json_str(j, "error")) ? 50 : 0;
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    const json_t *j = b->json;
    static const apierr__take_row rows[] = {{APIERR_PF_CODE, "error"},
                                            {APIERR_PF_MESSAGE, "error_description"},
                                            {APIERR_PF_TYPE, "error_uri"}};
    return APIERR__TAKE_EACH(p, j, rows);
}

static void encode(apierr__buf *b, const apierr_problem *p)
{
    int first = 1;
    apierr__buf_putc(b, '{');
    apierr__enc_str(b, &first, "error", p->code ? p->code : "invalid_request");
    apierr__enc_str(b, &first, "error_description", apierr__enc_message(p));
    apierr__enc_str(b, &first, "error_uri", p->type);
    apierr__buf_putc(b, '}');
}

const apierr__dialect_ops apierr__dialect_OAUTH = {
    APIERR_DIALECT_OAUTH, match, decode, encode, members, APIERR__KEY(error)};
