/*
 * RFC 9457 problem details, with the `errors` extension that RFC 9457's
 * appendix and most frameworks use for field failures:
 *   {"type","title","status","detail","instance",
 *    "errors":[{"pointer":"/items/0/price","detail":"..","code":".."}]}
 * `code` and `request_id` are written as extension members so that nothing
 * the problem holds is lost on the way out. ASP.NET's map-shaped `errors` is
 * its own dialect (aspnet).
 */
#include "apierr/status.h"
#include "general.h"

#include <string.h>

static const char *const members[] = {"type",      "title",       "status", "detail",
                                      "instance",  "errors",      "code",   "request_id",
                                      "timestamp", "retry_after", NULL};

static int match(const apierr__body *b)
{
    const json_t *j = b->json;
    if (!json_is_object(j)) return 0;
    int score = 0;
    if (b->content_type && strstr(b->content_type, "problem+json")) score += 60;
    const uint64_t own =
        APIERR__KEY(type) | APIERR__KEY(title) | APIERR__KEY(detail) | APIERR__KEY(status);
    if (!score && !(b->keys & own)) return 0;
    if (json_is_string(APIERR__TOP(b, type))) score += 20;
    if (json_is_string(APIERR__TOP(b, title))) score += 20;
    if (json_is_string(APIERR__TOP(b, detail))) score += 15;
    if (json_is_integer(APIERR__TOP(b, status))) score += 10;
    if (json_is_object(APIERR__TOP(b, errors))) score -= 30; /* ASP.NET's map */
    return score >= 30 ? (score > 95 ? 95 : score) : 0;
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    const json_t *j = b->json;
    apierr__take_status(p, j, "status");
    static const apierr__take_row rows[] = {
        {APIERR_PF_TYPE, "type"},          {APIERR_PF_TITLE, "title"},
        {APIERR_PF_MESSAGE, "detail"},     {APIERR_PF_INSTANCE, "instance"},
        {APIERR_PF_CODE, "code"},          {APIERR_PF_REQUEST_ID, "request_id"},
        {APIERR_PF_TIMESTAMP, "timestamp"}};
    if (APIERR__TAKE_EACH(p, j, rows)) return APIERR_ENOMEM;
    apierr__take_retry_seconds(p, j, "retry_after");
    /* An extension that names the code (Pipelex's error_type, an
     * error_code) says it better than the type URI it is derived from. */
    const json_t *code = p->code ? NULL : apierr__code_member(j);
    if (code && apierr_problem_set(p, APIERR_PF_CODE, json_string_value(code)))
        return APIERR_ENOMEM;
    if (!p->code && apierr__type_is_code(p->type) && apierr_problem_set(p, APIERR_PF_CODE, p->type))
        return APIERR_ENOMEM;
    size_t i;
    const json_t *e;
    /* Each item by the general rules: pointer, field, name, parameters,
     * source.pointer name the field (X's API v2, Mailchimp, Zalando). */
    json_array_foreach(json_object_get(j, "errors"), i, e) {
        if (json_is_object(e) && apierr__detail_from_object(p, e, NULL)) return APIERR_ENOMEM;
    }
    return APIERR_OK;
}

/* A dotted field path as a JSON Pointer: "items.0.price" -> "/items/0/price". */
static void put_pointer(apierr__buf *b, const char *field)
{
    apierr__buf b2 = APIERR__BUF_INIT;
    apierr__buf_putc(&b2, '/');
    for (const char *s = field; *s; s++) {
        if (*s == '.')
            apierr__buf_putc(&b2, '/');
        else if (*s == '~')
            apierr__buf_append(&b2, "~0", 2);
        else if (*s == '/')
            apierr__buf_append(&b2, "~1", 2);
        else
            apierr__buf_putc(&b2, *s);
    }
    if (b2.oom)
        b->oom = 1;
    else
        apierr__buf_json_strn(b, b2.data, b2.len);
    apierr__buf_free(&b2);
}

static void encode(apierr__buf *b, const apierr_problem *p)
{
    int first = 1;
    apierr__buf_putc(b, '{');
    apierr__enc_str(b, &first, "type", p->type ? p->type : "about:blank");
    /* title is the summary of the problem type; with no type of our own
     * that is the reason phrase (RFC 9457 4.2.1). With no status either
     * there is none: the message changes from occurrence to occurrence,
     * which a title must not (3.1.3), and it is in detail already. */
    const char *title = p->title;
    if (!title && p->status) title = apierr_status_reason(p->status);
    apierr__enc_str(b, &first, "title", title);
    if (p->status) apierr__enc_int(b, &first, "status", p->status);
    apierr__enc_str(b, &first, "detail", p->message);
    apierr__enc_str(b, &first, "instance", p->instance);
    apierr__enc_str(b, &first, "code", p->code);
    apierr__enc_str(b, &first, "request_id", p->request_id);
    apierr__enc_str(b, &first, "timestamp", p->timestamp);
    if (p->ndetails) {
        apierr__enc_key(b, &first, "errors");
        apierr__buf_putc(b, '[');
        for (size_t i = 0; i < p->ndetails; i++) {
            const apierr_detail *d = &p->details[i];
            int f2 = 1;
            if (i) apierr__buf_putc(b, ',');
            apierr__buf_putc(b, '{');
            if (d->field) {
                apierr__enc_key(b, &f2, "pointer");
                put_pointer(b, d->field);
            }
            apierr__enc_str(b, &f2, "detail", d->message);
            apierr__enc_str(b, &f2, "code", d->code);
            apierr__buf_putc(b, '}');
        }
        apierr__buf_putc(b, ']');
    }
    apierr__enc_extensions(b, &first, p, members);
    apierr__buf_putc(b, '}');
}

const apierr__dialect_ops apierr__dialect_PROBLEM = {
    APIERR_DIALECT_PROBLEM, match, decode, encode, members, 0};
