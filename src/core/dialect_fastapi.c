/*
 * fastapi: {"detail": [{"loc": ["body", "items", 0, "price"],
 *   "msg": "..", "type": "greater_than", "input": .., "ctx": {..}}]}
 * (FastAPI / Pydantic request validation, 422). loc's first element says
 * where the value came from (body, query, path, header, cookie) and is
 * dropped: the field is "items.0.price"; `type` is the detail's code.
 *
 * {"detail": "Not Found"} is what FastAPI sends for an HTTPException, but
 * Django REST framework sends the same shape; detection leaves it to drf
 * (see dialect_drf.c), which decodes it identically. Forced, this dialect
 * reads it too.
 */
#include "dialect_impl.h"

#include <string.h>

static const char *const members[] = {"detail", NULL};

static int match(const apierr__body *b)
{
    const json_t *first = json_array_get(APIERR__TOP(b, detail), 0);
    if (json_is_array(json_object_get(first, "loc"))) return 95;
    return json_is_string(json_object_get(first, "msg")) ? 70 : 0;
}

static int is_location(const json_t *seg)
{
    static const char *const where[] = {"body", "query", "path", "header", "cookie", NULL};
    const char *s = json_string_value(seg);
    for (const char *const *w = where; s && *w; w++)
        if (strcmp(s, *w) == 0) return 1;
    return 0;
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    const json_t *detail = json_object_get(b->json, "detail");
    if (json_is_string(detail)) return apierr__take(p, APIERR_PF_MESSAGE, b->json, "detail");
    size_t i;
    const json_t *e;
    json_array_foreach(detail, i, e) {
        if (!json_is_object(e)) continue;
        const json_t *loc = json_object_get(e, "loc");
        apierr__buf field = APIERR__BUF_INIT;
        int rc = apierr__json_path_text(&field, loc, is_location(json_array_get(loc, 0)) ? 1 : 0);
        if (!rc)
            rc = apierr__add_detail(p, field.data, apierr__json_str(e, "msg"),
                                    apierr__json_str(e, "type"));
        apierr__buf_free(&field);
        if (rc) return rc;
    }
    return APIERR_OK;
}

const apierr__dialect_ops apierr__dialect_FASTAPI = {
    APIERR_DIALECT_FASTAPI, match, decode, NULL, members, APIERR__KEY(detail)};
