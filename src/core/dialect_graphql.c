/*
 * graphql: {"data": null, "errors": [{"message": "..", "path": ["a", 0],
 *           "extensions": {"code": "UNAUTHENTICATED"}}]}   (seed 001)
 * The first error gives the problem's message and code; each error with a
 * path becomes a detail too. GraphQL errors usually come with a 200; the
 * status a client should act on is derived from well-known codes when the
 * response had none.
 */
#include "dialect_impl.h"

#include <string.h>

static const char *const members[] = {"data", "errors", NULL};

static int match(const apierr__body *b)
{
    const json_t *errors = APIERR__TOP(b, errors);
    const json_t *first = json_array_get(errors, 0);
    if (!json_is_object(first) || !json_is_string(json_object_get(first, "message"))) return 0;
    int score = 0;
    if (APIERR__TOP(b, data)) score += 30;
    if (json_is_object(json_object_get(first, "extensions"))) score += 25;
    if (json_is_array(json_object_get(first, "path")) ||
        json_is_array(json_object_get(first, "locations")))
        score += 20;
    /* A GraphQL response has no message or code beside its errors: such a
     * body is a REST envelope with a list of field errors. */
    if (json_is_string(json_object_get(b->json, "message")) || json_object_get(b->json, "code"))
        score -= 30;
    /* JSON:API errors have title/detail/source; leave those to jsonapi. */
    if (json_object_get(first, "detail") || json_object_get(first, "source")) score -= 30;
    /* {errors: [{message}]} alone is Twitter's, SendGrid's, Asana's: no
     * GraphQL member says it is GraphQL, so the general rules read it. */
    return score > 0 ? score + 40 : 0;
}

/* Status that matches a GraphQL error code (Apollo's and the common ones). */
static const apierr__code_status status_of_code[] = {
    {"UNAUTHENTICATED", 401},       {"FORBIDDEN", 403},
    {"BAD_USER_INPUT", 400},        {"GRAPHQL_VALIDATION_FAILED", 400},
    {"GRAPHQL_PARSE_FAILED", 400},  {"NOT_FOUND", 404},
    {"INTERNAL_SERVER_ERROR", 500}, {"RATE_LIMITED", 429},
};

static int decode(apierr_problem *p, const apierr__body *b)
{
    const json_t *errors = json_object_get(b->json, "errors");
    const json_t *first = json_array_get(errors, 0);
    const json_t *ext = json_object_get(first, "extensions");
    /* GitHub's GraphQL API names the code `type` on the error itself; a
     * REST body read as GraphQL because it came with a 200 (Marketo's
     * {"errors": [{"code": "601", ..}]}) has it as `code`. */
    if (apierr__take(p, APIERR_PF_MESSAGE, first, "message") ||
        apierr__take(p, APIERR_PF_CODE, ext, "code") ||
        apierr__take(p, APIERR_PF_CODE, first, "code") ||
        apierr__take(p, APIERR_PF_CODE, first, "type"))
        return APIERR_ENOMEM;
    /* An error whose extensions state its HTTP status (monday.com's
     * status_code, Apollo's http.status, NestJS' statusCode) says which
     * status it stands for, better than a well-known code can. */
    static const char *const status_keys[] = {"status_code", "statusCode", "status"};
    for (size_t k = 0; k < sizeof status_keys / sizeof status_keys[0]; k++)
        apierr__take_status(p, ext, status_keys[k]);
    apierr__take_status(p, json_object_get(ext, "http"), "status");
    APIERR__STATUS_FROM_CODE(p, status_of_code);
    apierr__take_retry_seconds(p, ext, "retryAfter");
    size_t i;
    const json_t *e;
    json_array_foreach(errors, i, e) {
        const json_t *path = json_object_get(e, "path");
        if (!json_is_array(path) && i == 0) continue;
        apierr__buf field = APIERR__BUF_INIT;
        int rc = apierr__json_path_text(&field, path, 0);
        if (!rc) {
            const char *code = apierr__json_str(json_object_get(e, "extensions"), "code");
            rc = apierr__add_detail(p, field.data, apierr__json_str(e, "message"), code);
        }
        apierr__buf_free(&field);
        if (rc) return rc;
    }
    return APIERR_OK;
}

static void encode(apierr__buf *b, const apierr_problem *p)
{
    apierr__buf_append(b, "{\"data\":null,\"errors\":[{", 24);
    int first = 1;
    apierr__enc_str(b, &first, "message", apierr__enc_message(p));
    if (p->code) {
        apierr__enc_key(b, &first, "extensions");
        apierr__buf_putc(b, '{');
        int f2 = 1;
        apierr__enc_str(b, &f2, "code", p->code);
        apierr__buf_putc(b, '}');
    }
    apierr__buf_putc(b, '}');
    for (size_t i = 0; i < p->ndetails; i++) {
        const apierr_detail *d = &p->details[i];
        int f2 = 1;
        apierr__buf_append(b, ",{", 2);
        apierr__enc_str(b, &f2, "message", d->message ? d->message : "");
        if (d->field) {
            apierr__enc_key(b, &f2, "path");
            apierr__buf_putc(b, '[');
            const char *s = d->field;
            for (int k = 0;; k++) {
                const char *dot = strchr(s, '.');
                size_t n = dot ? (size_t)(dot - s) : strlen(s);
                int numeric = n > 0 && n < 10;
                for (size_t c = 0; c < n; c++) numeric &= s[c] >= '0' && s[c] <= '9';
                if (k) apierr__buf_putc(b, ',');
                if (numeric)
                    apierr__buf_append(b, s, n);
                else
                    apierr__buf_json_strn(b, s, n);
                if (!dot) break;
                s = dot + 1;
            }
            apierr__buf_putc(b, ']');
        }
        if (d->code) {
            apierr__enc_key(b, &f2, "extensions");
            apierr__buf_putc(b, '{');
            int f3 = 1;
            apierr__enc_str(b, &f3, "code", d->code);
            apierr__buf_putc(b, '}');
        }
        apierr__buf_putc(b, '}');
    }
    apierr__buf_append(b, "]}", 2);
}

const apierr__dialect_ops apierr__dialect_GRAPHQL = {
    APIERR_DIALECT_GRAPHQL, match, decode, encode, members, APIERR__KEY(errors)};
