/* Small helpers shared by the dialect decoders and encoders. */
#include "apierr/status.h"
#include "alloc.h"
#include "dialect_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *apierr__json_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

const char *apierr__json_text(const json_t *obj, const char *key, char *tmp)
{
    const json_t *v = json_object_get(obj, key);
    if (json_is_string(v)) return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(tmp, 32, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return tmp;
    }
    return NULL;
}

int apierr__take(apierr_problem *p, apierr_problem_field f, const json_t *obj, const char *key)
{
    static const size_t offsets[] = {
#define APIERR__PF_OFF(id, m, json) offsetof(apierr_problem, m),
        APIERR_PROBLEM_FIELD_MAP(APIERR__PF_OFF)
#undef APIERR__PF_OFF
    };
    if ((unsigned)f >= APIERR_PF__COUNT) return APIERR_EINVAL;
    if (*(const char **)((char *)p + offsets[f])) return APIERR_OK;
    char tmp[32];
    const char *v = apierr__json_text(obj, key, tmp);
    return v ? apierr_problem_set(p, f, v) : APIERR_OK;
}

static int numeric_value(const json_t *v, long long *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 1;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d < 0 || d > 1e12) return 0;
        *out = (long long)d;
        return 1;
    }
    const char *s = json_string_value(v);
    if (!s || !*s) return 0;
    char *end;
    long long n = strtoll(s, &end, 10);
    if (*end) return 0;
    *out = n;
    return 1;
}

void apierr__take_status(apierr_problem *p, const json_t *obj, const char *key)
{
    long long n;
    if (!p->status && numeric_value(json_object_get(obj, key), &n) && n >= 100 && n <= 599)
        p->status = (int)n;
}

void apierr__take_retry_seconds(apierr_problem *p, const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (p->retry_after_ms >= 0 || !v) return;
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d >= 0 && d < 1e9) p->retry_after_ms = (long long)(d * 1000.0);
        return;
    }
    long long n;
    if (numeric_value(v, &n) && n >= 0 && n < 1000000000LL) p->retry_after_ms = n * 1000;
}

int apierr__add_detail(apierr_problem *p, const char *field, const char *message, const char *code)
{
    char small[256];
    char *norm = NULL;
    const char *f = NULL;
    if (field) {
        size_t len = strlen(field);
        size_t need = apierr_field_path_normalize(small, sizeof small, field, len);
        if (need < sizeof small) {
            f = small;
        } else {
            norm = apierr__malloc(need + 1);
            if (!norm) return APIERR_ENOMEM;
            apierr_field_path_normalize(norm, need + 1, field, len);
            f = norm;
        }
        if (!*f) f = NULL; /* "" or "#/" names the whole body, not a field */
    }
    int rc = apierr_problem_add_detail(p, f, message, code);
    apierr__free(norm);
    return rc;
}

int apierr__add_field_map(apierr_problem *p, const json_t *map)
{
    const char *field;
    const json_t *msgs;
    json_object_foreach((json_t *)map, field, msgs) {
        if (json_is_string(msgs)) {
            if (apierr__add_detail(p, field, json_string_value(msgs), NULL)) return APIERR_ENOMEM;
            continue;
        }
        size_t i;
        const json_t *m;
        json_array_foreach(msgs, i, m) {
            const char *text = json_string_value(m);
            if (!text && json_is_object(m)) /* DRF: {"message": .., "code": ..} */
                text = apierr__json_str(m, "message");
            if (!text) continue;
            if (apierr__add_detail(p, field, text, apierr__json_str(m, "code")))
                return APIERR_ENOMEM;
        }
    }
    return APIERR_OK;
}

void apierr__enc_key(apierr__buf *b, int *first, const char *key)
{
    if (!*first) apierr__buf_putc(b, ',');
    *first = 0;
    apierr__buf_json_str(b, key);
    apierr__buf_putc(b, ':');
}

void apierr__enc_str(apierr__buf *b, int *first, const char *key, const char *value)
{
    if (!value) return;
    apierr__enc_key(b, first, key);
    apierr__buf_json_str(b, value);
}

void apierr__enc_int(apierr__buf *b, int *first, const char *key, long long v)
{
    apierr__enc_key(b, first, key);
    apierr__buf_int(b, v);
}

void apierr__enc_details(apierr__buf *b, int *first, const char *key, const apierr_problem *p)
{
    if (!p->ndetails) return;
    apierr__enc_key(b, first, key);
    apierr__buf_putc(b, '[');
    for (size_t i = 0; i < p->ndetails; i++) {
        const apierr_detail *d = &p->details[i];
        int f2 = 1;
        if (i) apierr__buf_putc(b, ',');
        apierr__buf_putc(b, '{');
        apierr__enc_str(b, &f2, "field", d->field);
        apierr__enc_str(b, &f2, "message", d->message);
        apierr__enc_str(b, &f2, "code", d->code);
        apierr__buf_putc(b, '}');
    }
    apierr__buf_putc(b, ']');
}

const char *apierr__enc_message(const apierr_problem *p)
{
    if (p->message) return p->message;
    if (p->title) return p->title;
    return apierr_status_reason(p->status);
}

/* Extension members are stored as JSON text; copying them needs a parse, but
 * only for problems that have any (rare on the hot path). */
void apierr__enc_extensions(apierr__buf *b, int *first, const apierr_problem *p,
                            const char *const *taken)
{
    if (!p->extensions) return;
    json_t *ext = json_loads(p->extensions, 0, NULL);
    const char *key;
    json_t *value;
    json_object_foreach(ext, key, value) {
        int skip = 0;
        for (const char *const *t = taken; t && *t && !skip; t++) skip = strcmp(*t, key) == 0;
        if (skip) continue;
        char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
        if (!text) {
            b->oom = 1;
            break;
        }
        apierr__enc_key(b, first, key);
        apierr__buf_puts(b, text);
        apierr__json_free(text);
    }
    json_decref(ext);
}

void apierr__json_free(void *ptr)
{
    json_malloc_t m;
    json_free_t f;
    json_get_alloc_funcs(&m, &f);
    f(ptr);
}
