/*
 * aws_json: the AWS JSON 1.0/1.1 and REST-JSON protocols' error,
 *   {"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
 *    "message": ".."}          (some services write "Message")
 * The code is the shape name: what follows the '#' of __type, and of that
 * what precedes a ':' (AWS appends ":http://internal.amazon.com/..." in
 * some services), as the AWS protocol tests specify.
 */
#include "dialect_impl.h"

#include <string.h>

static const char *const members[] = {"__type", "message", "Message", NULL};

static int match(const apierr__body *b)
{
    return json_is_string(APIERR__TOP(b, __type)) ? 95 : 0;
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    const json_t *j = b->json;
    if (apierr__take(p, APIERR_PF_MESSAGE, j, "message") ||
        apierr__take(p, APIERR_PF_MESSAGE, j, "Message"))
        return APIERR_ENOMEM;
    const char *type = apierr__json_str(j, "__type");
    if (!type) return APIERR_OK;
    const char *hash = strchr(type, '#');
    const char *name = hash ? hash + 1 : type;
    size_t n = strcspn(name, ":");
    return n ? apierr_problem_setn(p, APIERR_PF_CODE, name, n) : APIERR_OK;
}

const apierr__dialect_ops apierr__dialect_AWS_JSON = {
    APIERR_DIALECT_AWS_JSON, match, decode, NULL, members, APIERR__KEY(__type)};
