/*
 * Compact JSON text of jansson values, keys sorted: byte for byte what
 * json_dumps(JSON_COMPACT | JSON_SORT_KEYS) writes, without the copy into a
 * new object and jansson's dump machinery, which cost a decode more than
 * the rest of its fallback pass (a problem's extension members are written
 * on every decode that has any).
 */
#include "buf.h"
#include "general.h"

#include <stdlib.h>
#include <string.h>

/* Deeper or wider values are rare in error bodies: jansson writes them. */
#define MAX_DEPTH 32
#define MAX_KEYS  32

typedef struct member {
    const char *key;
    size_t len;
    const json_t *value;
} member;

/* jansson's order: bytes compared, a prefix first (keys may hold NUL). */
static int member_cmp(const void *a, const void *b)
{
    const member *x = a, *y = b;
    int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* A string as jansson escapes it: quote, backslash and the control bytes,
 * the named ones by name, others as \u00XX in upper case; UTF-8 as is
 * (jansson holds only valid UTF-8). */
static void put_string(apierr__buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    apierr__buf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        apierr__buf_append(b, s + run, i - run);
        run = i + 1;
        const char *named = c == '"'    ? "\\\""
                            : c == '\\' ? "\\\\"
                            : c == '\n' ? "\\n"
                            : c == '\r' ? "\\r"
                            : c == '\t' ? "\\t"
                            : c == '\b' ? "\\b"
                            : c == '\f' ? "\\f"
                                        : NULL;
        if (named) {
            apierr__buf_puts(b, named);
        } else {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            apierr__buf_append(b, u, 6);
        }
    }
    apierr__buf_append(b, s + run, n - run);
    apierr__buf_putc(b, '"');
}

/* jansson's own text of v (reals keep its formatting; deep values). */
static void put_dumped(apierr__buf *b, const json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (!text) {
        b->oom = 1;
        return;
    }
    apierr__buf_puts(b, text);
    apierr__json_free(text);
}

static void put_value(apierr__buf *b, const json_t *v, int depth);

/* Members in jansson's order, as an object. */
static void put_members(apierr__buf *b, member *m, size_t n, int depth)
{
    qsort(m, n, sizeof *m, member_cmp);
    apierr__buf_putc(b, '{');
    for (size_t i = 0; i < n; i++) {
        if (i) apierr__buf_putc(b, ',');
        put_string(b, m[i].key, m[i].len);
        apierr__buf_putc(b, ':');
        put_value(b, m[i].value, depth + 1);
    }
    apierr__buf_putc(b, '}');
}

static void put_value(apierr__buf *b, const json_t *v, int depth)
{
    size_t i;
    const json_t *item;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        member m[MAX_KEYS];
        size_t n = 0;
        const char *key;
        json_t *value;
        if (depth > MAX_DEPTH || json_object_size(v) > MAX_KEYS) {
            put_dumped(b, v);
            return;
        }
        json_object_foreach((json_t *)v, key, value) {
            m[n++] = (member){key, json_object_iter_key_len(json_object_key_to_iter(key)), value};
        }
        put_members(b, m, n, depth);
        return;
    }
    case JSON_ARRAY:
        if (depth > MAX_DEPTH) {
            put_dumped(b, v);
            return;
        }
        apierr__buf_putc(b, '[');
        json_array_foreach(v, i, item) {
            if (i) apierr__buf_putc(b, ',');
            put_value(b, item, depth + 1);
        }
        apierr__buf_putc(b, ']');
        return;
    case JSON_STRING:
        put_string(b, json_string_value(v), json_string_length(v));
        return;
    case JSON_INTEGER:
        apierr__buf_int(b, json_integer_value(v));
        return;
    case JSON_TRUE:
        apierr__buf_append(b, "true", 4);
        return;
    case JSON_FALSE:
        apierr__buf_append(b, "false", 5);
        return;
    case JSON_NULL:
        apierr__buf_append(b, "null", 4);
        return;
    default: /* reals: jansson's precision and exponent form */
        put_dumped(b, v);
    }
}

int apierr__keep_extensions(apierr_problem *p, const json_t *root,
                            int (*taken)(const char *key, const void *ctx), const void *ctx)
{
    member m[MAX_KEYS];
    size_t n = 0;
    const char *key;
    json_t *value;
    if (!json_is_object(root) || p->extensions) return APIERR_OK;
    json_t *many = NULL; /* past MAX_KEYS: the members as an object, for jansson */
    json_object_foreach((json_t *)root, key, value) {
        if (taken(key, ctx)) continue;
        if (n == MAX_KEYS && !many) {
            if (!(many = json_object())) return APIERR_ENOMEM;
            for (size_t i = 0; i < n; i++)
                if (json_object_setn(many, m[i].key, m[i].len, (json_t *)m[i].value)) n = 0;
        }
        size_t len = json_object_iter_key_len(json_object_key_to_iter(key));
        if (many ? json_object_setn(many, key, len, value) != 0 : 0) n = 0;
        if (!many) m[n++] = (member){key, len, value};
    }
    apierr__buf b = APIERR__BUF_INIT;
    if (many) {
        if (!n)
            b.oom = 1; /* a member could not be copied */
        else
            put_dumped(&b, many);
        json_decref(many);
    } else if (!n) {
        return APIERR_OK;
    } else {
        put_members(&b, m, n, 0);
    }
    int rc = b.oom ? APIERR_ENOMEM : apierr_problem_setn(p, APIERR_PF_EXTENSIONS, b.data, b.len);
    apierr__buf_free(&b);
    return rc;
}
