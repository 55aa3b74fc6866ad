/*
 * fieldmap: {"message": "..", "errors": {"Field": ["..", ..]}}
 * Seed 000 (GipoNext, any error) and seed 003 (422 validation, Laravel).
 * `errors` is optional; `message` is always there when there is a body.
 */
#include "dialect_impl.h"

#include <string.h>

static const char *const members[] = {"message", "errors", NULL};

static int lists_only(const json_t *map)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)map, key, v) {
        if (!json_is_array(v)) return 0;
    }
    return 1;
}

static int match(const apierr__body *b)
{
    const json_t *j = b->json;
    if (!json_is_object(j)) return 0;
    const json_t *errors = APIERR__TOP(b, errors);
    if (!json_is_string(APIERR__TOP(b, message)))
        /* Rails' and Shopify's {"errors": {"title": [..]}}: the map alone,
         * of lists (Phoenix's {"errors": {"detail": ".."}} is a message). */
        return json_object_size(j) == 1 && json_is_object(errors) && lists_only(errors) ? 50 : 0;
    if (json_is_object(errors)) return 80;
    if (errors) return 0;
    /* A bare {"message": ".."}: the weakest claim of all. With other
     * members (Kubernetes' Status, WordPress' {code, message, data}) it is
     * no fieldmap: the general rules read those. */
    return json_object_size(j) == 1 ? 20 : 0;
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    if (apierr__take(p, APIERR_PF_MESSAGE, b->json, "message")) return APIERR_ENOMEM;
    return apierr__add_field_map(p, json_object_get(b->json, "errors"));
}

static void encode(apierr__buf *b, const apierr_problem *p)
{
    int first = 1;
    apierr__buf_putc(b, '{');
    apierr__enc_str(b, &first, "message", apierr__enc_message(p));
    if (p->ndetails) {
        apierr__enc_key(b, &first, "errors");
        apierr__buf_putc(b, '{');
        /* Details of one field are grouped under one key, in first-seen
         * order: O(n^2) on the number of details, which is small. */
        int f2 = 1;
        for (size_t i = 0; i < p->ndetails; i++) {
            const char *field = p->details[i].field ? p->details[i].field : "";
            size_t k;
            for (k = 0; k < i; k++) {
                const char *seen = p->details[k].field ? p->details[k].field : "";
                if (strcmp(seen, field) == 0) break;
            }
            if (k < i) continue;
            apierr__enc_key(b, &f2, field);
            apierr__buf_putc(b, '[');
            int f3 = 1;
            for (k = i; k < p->ndetails; k++) {
                const char *other = p->details[k].field ? p->details[k].field : "";
                if (strcmp(other, field) != 0) continue;
                if (!f3) apierr__buf_putc(b, ',');
                f3 = 0;
                apierr__buf_json_str(b, p->details[k].message ? p->details[k].message : "");
            }
            apierr__buf_putc(b, ']');
        }
        apierr__buf_putc(b, '}');
    }
    apierr__buf_putc(b, '}');
}

const apierr__dialect_ops apierr__dialect_FIELDMAP = {APIERR_DIALECT_FIELDMAP,
                                                      match,
                                                      decode,
                                                      encode,
                                                      members,
                                                      APIERR__KEY(message) | APIERR__KEY(errors)};
