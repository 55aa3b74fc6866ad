/*
 * drf (Django REST framework), two shapes:
 *   {"detail": "Not found."}  or  {"detail": "..", "code": "not_found"}
 *   {"email": ["Enter a valid email address."],
 *    "address": {"city": ["This field is required."]},
 *    "non_field_errors": ["The fields a, b must make a unique set."]}
 * The second is a serializer's errors: every member is a field, nested
 * serializers nest (address.city), list serializers give arrays of such
 * maps (items.0.price, or a top-level array: 0.price). non_field_errors
 * names the whole object, so its details have no field.
 *
 * A bare {"detail": ".."} is FastAPI's HTTPException body as well; it is
 * detected as drf (the shape DRF documents first) and decodes the same in
 * either dialect. With field maps every member is taken, so this dialect
 * keeps no extension members.
 */
#include "dialect_impl.h"
#include "member_table.h"

#include <stdio.h>
#include <string.h>

/* Serializer errors nest as deep as the serializers; real ones are shallow. */
#define MAX_DEPTH 16

static int is_detail_form(const json_t *j)
{
    if (!json_is_string(json_object_get(j, "detail"))) return 0;
    size_t n = json_object_size(j);
    return n == 1 || (n == 2 && json_is_string(json_object_get(j, "code")));
}

/* 1 when v is serializer errors: leaves are arrays of strings, inner
 * nodes objects (or arrays of objects); *leaves counts the message lists. */
static int is_error_tree(const json_t *v, int depth, int *leaves)
{
    if (depth > MAX_DEPTH) return 0;
    if (json_is_object(v)) {
        if (!json_object_size(v)) return depth > 0; /* {} is a valid list item */
        const char *key;
        json_t *child;
        json_object_foreach((json_t *)v, key, child) {
            if (!is_error_tree(child, depth + 1, leaves)) return 0;
        }
        return 1;
    }
    if (!json_is_array(v) || (depth == 0 && !json_array_size(v))) return 0;
    size_t i, strings = 0;
    const json_t *e;
    json_array_foreach(v, i, e) {
        if (json_is_string(e))
            strings++;
        else if (!is_error_tree(e, depth + 1, leaves) || !json_is_object(e))
            return 0;
    }
    if (strings && strings != json_array_size(v)) return 0;
    if (strings) ++*leaves;
    return depth > 0 || !strings; /* a top-level array holds maps, not messages */
}

/* 1 when every member's name says it holds the error (message, errors,
 * error, ...: the general rules' table), not a serializer field: Vault's
 * {"errors": ["permission denied"]}, Jira's {"errorMessages": [..],
 * "errors": {}}. */
static int is_wrapper(const json_t *j)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)j, key, v) {
        const apierr__member *m = apierr__member_find(key, strlen(key));
        if (!m || (m->role != APIERR__R_MESSAGE && m->role != APIERR__R_DETAILS &&
                   m->role != APIERR__R_TEXT))
            return 0;
    }
    return 1;
}

static int match(const apierr__body *b)
{
    const json_t *j = b->json;
    if (is_detail_form(j)) return json_object_size(j) == 2 ? 40 : 30;
    /* Serializer errors hold only lists and maps: one scalar member (Slack's
     * "ok", anyone's "message") and it is none; index_keys counted them. */
    if (b->nested != json_object_size(j)) return 0;
    int leaves = 0;
    /* GitLab's {"message": {"bio": [..]}} wraps its field map in a member:
     * the general rules read it (field bio, not message.bio). */
    if (is_wrapper(j)) return 0;
    if (!is_error_tree(j, 0, &leaves) || !leaves) return 0;
    return APIERR__TOP(b, non_field_errors) ? 90 : 45;
}

static int add_tree(apierr_problem *p, apierr__buf *path, const json_t *v, int depth)
{
    if (depth > MAX_DEPTH) return APIERR_OK;
    size_t mark = path->len, i;
    const char *key;
    json_t *child;
    if (json_is_string(v)) {
        const char *field = path->len ? path->data : NULL;
        if (field && strcmp(field, "non_field_errors") == 0) field = NULL;
        return apierr__add_detail(p, field, json_string_value(v), NULL);
    }
    if (json_is_object(v) && depth > 0 && json_is_string(json_object_get(v, "message"))) {
        /* {"message": .., "code": ..}: an ErrorDetail rendered with codes */
        return apierr__add_detail(p, path->len ? path->data : NULL, apierr__json_str(v, "message"),
                                  apierr__json_str(v, "code"));
    }
    json_object_foreach((json_t *)v, key, child) {
        if (path->len) apierr__buf_putc(path, '.');
        apierr__buf_puts(path, key);
        if (path->oom || add_tree(p, path, child, depth + 1)) return APIERR_ENOMEM;
        path->len = mark;
        if (path->data) path->data[mark] = '\0';
    }
    json_array_foreach(v, i, child) {
        if (json_is_object(child)) { /* a list serializer: the index is a path step */
            char idx[32];
            snprintf(idx, sizeof idx, "%s%zu", path->len ? "." : "", i);
            apierr__buf_puts(path, idx);
        }
        if (path->oom || add_tree(p, path, child, depth + 1)) return APIERR_ENOMEM;
        path->len = mark;
        if (path->data) path->data[mark] = '\0';
    }
    return APIERR_OK;
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    const json_t *j = b->json;
    if (json_is_string(json_object_get(j, "detail"))) {
        return apierr__take(p, APIERR_PF_MESSAGE, j, "detail") ||
                       apierr__take(p, APIERR_PF_CODE, j, "code")
                   ? APIERR_ENOMEM
                   : APIERR_OK;
    }
    apierr__buf path = APIERR__BUF_INIT;
    int rc = add_tree(p, &path, j, 0);
    apierr__buf_free(&path);
    return rc;
}

const apierr__dialect_ops apierr__dialect_DRF = {APIERR_DIALECT_DRF, match, decode, NULL, NULL, 0};
