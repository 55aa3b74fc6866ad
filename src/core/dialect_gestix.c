/*
 * gestix: {"code": "INVALID_ARGUMENT", "message": "..",
 *          "timestamp": "2024-11-15T10:30:00Z", "path": "/invoices",
 *          "request_id": "req-abc123"}                    (seed 004)
 * The seed has no field list; apierr writes field failures as an optional
 * `details` array (ignored by clients that do not know it) so that nothing
 * is lost, and reads it back.
 */
#include "dialect_impl.h"
#include "general.h"

#include <ctype.h>

static const char *const members[] = {"code",       "message", "timestamp", "path",
                                      "request_id", "details", NULL};

static int is_upper_code(const char *s)
{
    if (!s || !*s) return 0;
    for (; *s; s++)
        if (!isupper((unsigned char)*s) && *s != '_' && !isdigit((unsigned char)*s)) return 0;
    return 1;
}

static int match(const apierr__body *b)
{
    const json_t *j = b->json;
    if (!json_is_object(j) || !json_is_string(APIERR__TOP(b, message))) return 0;
    const char *code = apierr__json_str(j, "code");
    if (!code) return 0;
    int score = 40;
    if (APIERR__TOP(b, timestamp)) score += 20;
    if (APIERR__TOP(b, request_id)) score += 20;
    if (APIERR__TOP(b, path)) score += 10;
    if (is_upper_code(code)) score += 5;
    return score;
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    const json_t *j = b->json;
    static const apierr__take_row rows[] = {{APIERR_PF_CODE, "code"},
                                            {APIERR_PF_MESSAGE, "message"},
                                            {APIERR_PF_TIMESTAMP, "timestamp"},
                                            {APIERR_PF_PATH, "path"},
                                            {APIERR_PF_REQUEST_ID, "request_id"}};
    if (APIERR__TAKE_EACH(p, j, rows)) return APIERR_ENOMEM;
    return apierr__details_general(p, json_object_get(j, "details"));
}

static void encode(apierr__buf *b, const apierr_problem *p)
{
    int first = 1;
    apierr__buf_putc(b, '{');
    apierr__enc_str(b, &first, "code", p->code ? p->code : "ERROR");
    apierr__enc_str(b, &first, "message", apierr__enc_message(p));
    apierr__enc_str(b, &first, "timestamp", p->timestamp);
    apierr__enc_str(b, &first, "path", p->path);
    apierr__enc_str(b, &first, "request_id", p->request_id);
    apierr__enc_details(b, &first, "details", p);
    apierr__buf_putc(b, '}');
}

const apierr__dialect_ops apierr__dialect_GESTIX = {
    APIERR_DIALECT_GESTIX, match, decode, encode, members, APIERR__KEY(code)};
