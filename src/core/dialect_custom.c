/*
 * custom: a profile's own dialect, declared as JSON paths
 * (apierr/custom.h): where the code, message, details (and in each detail
 * its field, message and code), request id and retry hint live. What the
 * paths do not find is read by the general rules, so a profile names only
 * what the rules get wrong. Without a custom dialect given, this reads the
 * body by the general rules alone.
 */
#include "general.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The value at path in v, or NULL. Segments are separated by '.' or written
 * as [n]; numeric segments index arrays. */
static const json_t *at_path(const json_t *v, const char *path)
{
    /* A struct filled by hand may lack the NUL: such a path finds nothing. */
    if (!memchr(path, '\0', APIERR_CUSTOM_PATH_MAX)) return NULL;
    const char *s = path;
    if (*s == '$') s++;
    while (v && *s) {
        if (*s == '.' || *s == '[' || *s == ']') {
            s++;
            continue;
        }
        size_t n = strcspn(s, ".[]");
        char seg[APIERR_CUSTOM_PATH_MAX];
        memcpy(seg, s, n);
        seg[n] = '\0';
        s += n;
        if (json_is_array(v)) {
            char *end;
            unsigned long i = strtoul(seg, &end, 10);
            v = *end || !n ? NULL : json_array_get(v, i);
        } else {
            v = json_object_get(v, seg);
        }
    }
    return v;
}

/* The text at path (a string, or an integer formatted into tmp), or NULL. */
static const char *text_at(const json_t *v, const char *path, char *tmp)
{
    if (!*path) return NULL;
    const json_t *x = at_path(v, path);
    if (json_is_integer(x)) {
        apierr__format_int(tmp, json_integer_value(x));
        return tmp;
    }
    return json_string_value(x);
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    const apierr_custom_dialect *c = b->custom;
    char tmp[32];
    if (c && b->json) {
        static const struct {
            size_t off;
            apierr_problem_field field;
        } scalars[] = {
            {offsetof(apierr_custom_dialect, code), APIERR_PF_CODE},
            {offsetof(apierr_custom_dialect, message), APIERR_PF_MESSAGE},
            {offsetof(apierr_custom_dialect, request_id), APIERR_PF_REQUEST_ID},
        };
        for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++) {
            const char *v = text_at(b->json, (const char *)c + scalars[i].off, tmp);
            if (v && apierr_problem_set(p, scalars[i].field, v)) return APIERR_ENOMEM;
        }
        if (*c->retry_after) apierr__retry_seconds(p, at_path(b->json, c->retry_after));
        size_t i;
        const json_t *item;
        json_array_foreach(*c->details ? at_path(b->json, c->details) : NULL, i, item) {
            char t1[32], t2[32], t3[32];
            if (apierr__add_detail(p, text_at(item, c->detail_field, t1),
                                   text_at(item, c->detail_message, t2),
                                   text_at(item, c->detail_code, t3)))
                return APIERR_ENOMEM;
        }
    }
    /* the rest: what the rules find (apierr__general_fill after decode) */
    return APIERR_OK;
}

const apierr__dialect_ops apierr__dialect_CUSTOM = {
    APIERR_DIALECT_CUSTOM, NULL, decode, NULL, NULL, 0};

int apierr_custom_dialect_from_json(apierr_custom_dialect *out, const char *json, size_t len,
                                    char *err, size_t cap)
{
    static const struct {
        const char *name;
        size_t off;
    } members[] = {
#define APIERR__CUSTOM_ROW(m, name) {name, offsetof(apierr_custom_dialect, m)},
        APIERR_CUSTOM_FIELD_MAP(APIERR__CUSTOM_ROW)
#undef APIERR__CUSTOM_ROW
    };
    apierr_custom_dialect c = APIERR_CUSTOM_DIALECT_INIT;
    int rc = APIERR_OK;
    if (err && cap) err[0] = '\0';
    json_t *root = json_loadb(json ? json : "", len, 0, NULL);
    const json_t *spec = json_object_get(root, "custom_dialect");
    const char *key;
    json_t *v;
    if (!root) {
        rc = APIERR_EPARSE;
        if (err && cap) snprintf(err, cap, "profile: malformed JSON");
        goto done;
    }
    if (!spec) {
        rc = APIERR_ENOTFOUND;
        goto done;
    }
    if (!json_is_object(spec)) {
        rc = APIERR_EPARSE;
        if (err && cap) snprintf(err, cap, "custom_dialect: expected an object of JSON paths");
        goto done;
    }
    json_object_foreach((json_t *)spec, key, v) {
        size_t k = 0, n = sizeof members / sizeof members[0];
        while (k < n && strcmp(members[k].name, key) != 0) k++;
        const char *path = json_string_value(v);
        if (k == n || !path || strlen(path) >= APIERR_CUSTOM_PATH_MAX) {
            rc = APIERR_EPARSE;
            if (err && cap)
                snprintf(err, cap, "custom_dialect.%s: %s", key,
                         k == n ? "unknown member" : "expected a JSON path (a short string)");
            goto done;
        }
        memcpy((char *)&c + members[k].off, path, strlen(path) + 1);
    }
    *out = c;
done:
    json_decref(root);
    return rc;
}
