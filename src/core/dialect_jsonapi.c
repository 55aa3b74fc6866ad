/*
 * jsonapi: {"errors": [{"id": "..", "status": "422", "code": "..",
 *   "title": "Invalid Attribute", "detail": "..",
 *   "source": {"pointer": "/data/attributes/firstName"},
 *   "links": {"about": ".."}}], "jsonapi": {"version": "1.1"}}
 * The first error gives status (when the response had none), code, title,
 * message (detail, else title), instance (its occurrence id) and type
 * (links.about). Each error naming a source becomes a detail, and so does
 * every error after the first: the source pointer keeps its whole path
 * (data.attributes.firstName); a query `parameter` or a `header` is used
 * as is.
 * Square's errors ({category, code, detail, field}) and
 * drf-standardized-errors' ({code, detail, attr}) have this shape with the
 * field named directly: a member the general rules name a field by is
 * read when there is no source.
 */
#include "general.h"

static const char *const members[] = {"errors", "jsonapi", "meta", "links", NULL};

static int match(const apierr__body *b)
{
    const json_t *first = json_array_get(APIERR__TOP(b, errors), 0);
    if (!json_is_object(first)) return 0;
    int score = 0;
    if (json_is_string(json_object_get(first, "title")) ||
        json_is_string(json_object_get(first, "detail")))
        score += 50;
    if (json_is_object(json_object_get(first, "source"))) score += 20;
    if (json_is_string(json_object_get(first, "status"))) score += 10;
    if (!score) return 0;
    if (apierr__ctype_has(b, "vnd.api+json")) score += 30;
    if (APIERR__TOP(b, jsonapi)) score += 20;
    return score > 95 ? 95 : score;
}

/* The pointer is kept whole (issue 10): data.attributes.firstName says
 * where in the request document the value was, which firstName alone does
 * not (a relationship, an included resource, meta). */
static const char *source_field(const json_t *source)
{
    const char *ptr = apierr__json_str(source, "pointer");
    if (!ptr) ptr = apierr__json_str(source, "parameter");
    return ptr ? ptr : apierr__json_str(source, "header");
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    const json_t *errors = json_object_get(b->json, "errors");
    const json_t *first = json_array_get(errors, 0);
    apierr__take_status(p, first, "status");
    if (apierr__take(p, APIERR_PF_CODE, first, "code") ||
        apierr__take(p, APIERR_PF_TITLE, first, "title") ||
        apierr__take(p, APIERR_PF_MESSAGE, first, "detail") ||
        apierr__take(p, APIERR_PF_MESSAGE, first, "title") ||
        apierr__take(p, APIERR_PF_INSTANCE, first, "id") ||
        apierr__take(p, APIERR_PF_TYPE, json_object_get(first, "links"), "about"))
        return APIERR_ENOMEM;
    size_t i;
    const json_t *e;
    json_array_foreach(errors, i, e) {
        if (!json_is_object(e)) continue;
        const char *field = source_field(json_object_get(e, "source"));
        if (!field) field = apierr__field_member(e); /* Square's field, DRF's attr */
        if (!field && i == 0) continue;
        /* its message and code by the general rules: detail before title,
         * Bandwidth's description, a type when there is no code */
        if (apierr__detail_from_object(p, e, NULL)) return APIERR_ENOMEM;
    }
    return APIERR_OK;
}

const apierr__dialect_ops apierr__dialect_JSONAPI = {
    APIERR_DIALECT_JSONAPI, match, decode, NULL, members, APIERR__KEY(errors)};
