/* Small helpers shared by the dialect decoders and encoders. */
#include "apierr/headers.h"
#include "apierr/status.h"
#include "alloc.h"
#include "general.h"

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

const char **apierr__problem_member(apierr_problem *p, apierr_problem_field f)
{
    static const size_t offsets[] = {
#define APIERR__PF_OFF(id, m, json) offsetof(apierr_problem, m),
        APIERR_PROBLEM_FIELD_MAP(APIERR__PF_OFF)
#undef APIERR__PF_OFF
    };
    return (unsigned)f < APIERR_PF__COUNT ? (const char **)((char *)p + offsets[f]) : NULL;
}

int apierr__take(apierr_problem *p, apierr_problem_field f, const json_t *obj, const char *key)
{
    const char **have = apierr__problem_member(p, f);
    if (!have) return APIERR_EINVAL;
    if (*have) return APIERR_OK;
    char tmp[32];
    const char *v = apierr__json_text(obj, key, tmp);
    return v ? apierr_problem_set(p, f, v) : APIERR_OK;
}

int apierr__take_each(apierr_problem *p, const json_t *obj, const apierr__take_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (apierr__take(p, rows[i].field, obj, rows[i].key)) return APIERR_ENOMEM;
    return APIERR_OK;
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
    if (!numeric_value(json_object_get(obj, key), &n) || n < 100 || n > 599) return;
    if (!p->status)
        p->status = (int)n;
    else if (p->status < 300 && n >= 400 && !p->effective_status)
        p->effective_status = (int)n; /* an error body sent with a 2xx */
}

void apierr__retry_seconds(apierr_problem *p, const json_t *v)
{
    if (p->retry_after_ms >= 0 || !v) return;
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d >= 0 && d < 1e9) p->retry_after_ms = (long long)(d * 1000.0 + 0.5);
        return;
    }
    const char *s = json_string_value(v);
    long long ms;
    if (s) { /* "2.128": what a header would say, in a body */
        if (apierr_duration_parse(&ms, s, strlen(s)) == APIERR_OK) p->retry_after_ms = ms;
        return;
    }
    long long n;
    if (numeric_value(v, &n) && n >= 0 && n < 1000000000LL) p->retry_after_ms = n * 1000;
}

void apierr__take_retry_seconds(apierr_problem *p, const json_t *obj, const char *key)
{
    apierr__retry_seconds(p, json_object_get(obj, key));
}

void apierr__retry_delay(apierr_problem *p, const json_t *delay)
{
    long long ms;
    if (p->retry_after_ms >= 0) return;
    if (json_is_string(delay)) {
        const char *s = json_string_value(delay);
        if (apierr_duration_parse(&ms, s, strlen(s)) == APIERR_OK) p->retry_after_ms = ms;
    } else if (json_is_object(delay)) {
        json_int_t secs = json_integer_value(json_object_get(delay, "seconds"));
        json_int_t nanos = json_integer_value(json_object_get(delay, "nanos"));
        if (secs >= 0 && secs < 1000000000 && nanos >= 0 && nanos < 1000000000)
            p->retry_after_ms = (long long)secs * 1000 + (long long)nanos / 1000000;
    } else {
        apierr__retry_seconds(p, delay);
    }
}

void apierr__format_int(char *tmp, long long v)
{
    snprintf(tmp, 32, "%lld", v);
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
    return apierr__add_field_tree(p, map, 0);
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
    if (!ext) { /* the text came from json_dumps(): only memory can fail */
        b->oom = 1;
        return;
    }
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

/* --- helpers for the decode-only dialects --- */

int apierr__details_from_array(apierr_problem *p, const json_t *arr, const char *field_key,
                               const char *message_key, const char *code_key)
{
    size_t i;
    const json_t *d;
    json_array_foreach(arr, i, d) {
        if (!json_is_object(d)) continue;
        char tmp[32];
        const char *code = code_key ? apierr__json_text(d, code_key, tmp) : NULL;
        if (apierr__add_detail(p, apierr__json_str(d, field_key), apierr__json_str(d, message_key),
                               code))
            return APIERR_ENOMEM;
    }
    return APIERR_OK;
}

void apierr__status_from_code(apierr_problem *p, const apierr__code_status *map, size_t n)
{
    if ((p->status && (p->status < 200 || p->status > 299)) || !p->code || p->effective_status)
        return;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(p->code, map[i].code) == 0) {
            p->effective_status = map[i].status;
            return;
        }
    }
}

int apierr__json_path_text(apierr__buf *out, const json_t *path, size_t skip)
{
    size_t i;
    const json_t *seg;
    int first = 1;
    json_array_foreach(path, i, seg) {
        if (i < skip) continue;
        if (!json_is_string(seg) && !json_is_integer(seg)) continue;
        if (!first) apierr__buf_putc(out, '.');
        first = 0;
        if (json_is_string(seg))
            apierr__buf_puts(out, json_string_value(seg));
        else
            apierr__buf_int(out, json_integer_value(seg));
    }
    return out->oom ? APIERR_ENOMEM : APIERR_OK;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* memmem() that ignores ASCII case (of both). */
static const char *find_nocase(const char *s, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; m <= n && i <= n - m; i++) {
        size_t k = 0;
        while (k < m && lower((unsigned char)s[i + k]) == lower((unsigned char)needle[k])) k++;
        if (k == m) return s + i;
    }
    return NULL;
}

int apierr__ctype_has(const apierr__body *b, const char *needle)
{
    const char *ct = b->content_type;
    return ct && find_nocase(ct, strlen(ct), needle) != NULL;
}

int apierr__contains_nocase(const char *s, const char *part)
{
    return find_nocase(s, strlen(s), part) != NULL;
}

int apierr__same_nocase(const char *a, const char *b)
{
    while (*a && lower((unsigned char)*a) == lower((unsigned char)*b)) a++, b++;
    return *a == *b;
}

int apierr__starts_nocase(const char *s, size_t n, const char *prefix)
{
    size_t m = strlen(prefix);
    if (n < m) return 0;
    for (size_t i = 0; i < m; i++)
        if (lower((unsigned char)s[i]) != prefix[i]) return 0;
    return 1;
}

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

const char *apierr__skip_space(const char *s, size_t *n)
{
    if (*n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3, *n -= 3;
    while (*n && is_space((unsigned char)*s)) s++, (*n)--;
    return s;
}

/* Does a tag name end at s[i] (the next byte is '>', '/' or space)? */
static int name_ends(const char *s, size_t n, size_t i)
{
    return i < n && (s[i] == '>' || s[i] == '/' || is_space((unsigned char)s[i]));
}

const char *apierr__markup_find(const char *s, size_t n, const char *tag, int nocase,
                                size_t *out_len)
{
    size_t m = strlen(tag);
    for (size_t i = 0; i + 1 + m < n; i++) {
        if (s[i] != '<') continue;
        const char *name = s + i + 1;
        int same = nocase ? apierr__starts_nocase(name, n - i - 1, tag) : memcmp(name, tag, m) == 0;
        if (!same || !name_ends(s, n, i + 1 + m)) continue;
        const char *gt = memchr(name + m, '>', n - (size_t)(name + m - s));
        if (!gt) return NULL;
        if (gt[-1] == '/') { /* <Code/>: present and empty */
            *out_len = 0;
            return gt + 1;
        }
        const char *start = gt + 1;
        size_t rest = n - (size_t)(start - s);
        /* The content ends at the matching close tag, or at the end of the
         * body when the tag is never closed (a truncated page). */
        for (size_t k = 0; k + 2 + m <= rest; k++) {
            if (start[k] != '<' || start[k + 1] != '/') continue;
            const char *cname = start + k + 2;
            int close = nocase ? apierr__starts_nocase(cname, rest - k - 2, tag)
                               : memcmp(cname, tag, m) == 0;
            if (close && (k + 2 + m == rest || name_ends(start, rest, k + 2 + m))) {
                *out_len = k;
                return start;
            }
        }
        *out_len = rest;
        return start;
    }
    return NULL;
}

/* Appends code point cp as UTF-8; 0 when it is not a scalar value. */
static int put_utf8(apierr__buf *b, unsigned long cp)
{
    char u[4];
    size_t n;
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    if (cp < 0x80) {
        u[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    }
    apierr__buf_append(b, u, n);
    return 1;
}

/* Decodes the entity at s[0] == '&' into b; returns the bytes consumed, 0
 * when it is no entity we know (the '&' is then kept as is). */
static size_t put_entity(apierr__buf *b, const char *s, size_t n)
{
    static const struct {
        const char *name;
        const char *text;
    } named[] = {{"amp;", "&"},   {"lt;", "<"},   {"gt;", ">"},
                 {"quot;", "\""}, {"apos;", "'"}, {"nbsp;", " "}};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        size_t m = strlen(named[i].name);
        if (n > m && memcmp(s + 1, named[i].name, m) == 0) {
            apierr__buf_puts(b, named[i].text);
            return m + 1;
        }
    }
    if (n < 4 || s[1] != '#') return 0;
    int hex = s[2] == 'x' || s[2] == 'X';
    size_t i = hex ? 3 : 2, digits = 0;
    unsigned long cp = 0;
    for (; i < n && digits < 8; i++, digits++) {
        int c = lower((unsigned char)s[i]), v;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (hex && c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else
            break;
        cp = cp * (hex ? 16u : 10u) + (unsigned)v;
    }
    if (!digits || i >= n || s[i] != ';') return 0;
    return put_utf8(b, cp) ? i + 1 : 0;
}

int apierr__take_clean_text(apierr_problem *p, apierr_problem_field f, const char *s, size_t n,
                            size_t max, int markup)
{
    apierr__buf b = APIERR__BUF_INIT;
    int space = 0;
    for (size_t i = 0; i < n && !b.oom && b.len < max + 8; i++) {
        unsigned char c = (unsigned char)s[i];
        if (markup && c == '<' && n - i >= 12 && memcmp(s + i, "<![CDATA[", 9) == 0) {
            /* PrestaShop's <code><![CDATA[17]]></code>: text, read as is */
            const char *from = s + i + 9, *end = from;
            while ((size_t)(end - s) + 3 <= n && memcmp(end, "]]>", 3) != 0) end++;
            if ((size_t)(end - s) + 3 > n) end = s + n;
            if (space && b.len && end > from) apierr__buf_putc(&b, ' ');
            space = 0;
            apierr__buf_append(&b, from, (size_t)(end - from));
            i = (size_t)(end - s) + 2;
            continue;
        }
        if (markup && c == '<') { /* <br>, <span ..>: a tag separates words */
            const char *gt = memchr(s + i, '>', n - i);
            i = gt ? (size_t)(gt - s) : n;
            space = 1;
            continue;
        }
        if (is_space(c) || c == 0) {
            space = 1;
            continue;
        }
        if (space && b.len) apierr__buf_putc(&b, ' ');
        space = 0;
        size_t used = markup && c == '&' ? put_entity(&b, s + i, n - i) : 0;
        if (used)
            i += used - 1;
        else
            apierr__buf_putc(&b, (char)c);
    }
    if (b.oom) {
        apierr__buf_free(&b);
        return APIERR_ENOMEM;
    }
    size_t len = b.len;
    if (len > max) {
        /* Cut before a UTF-8 continuation byte, never inside a character. */
        len = max;
        while (len && ((unsigned char)b.data[len] & 0xC0) == 0x80) len--;
    }
    size_t start = 0; /* an entity (&nbsp;) may decode to a space at either end */
    while (len && b.data[len - 1] == ' ') len--;
    while (start < len && b.data[start] == ' ') start++;
    int rc = len > start ? apierr_problem_setn(p, f, b.data + start, len - start) : APIERR_OK;
    apierr__buf_free(&b);
    return rc;
}

int apierr__key_index(const char *name, size_t len)
{
    static const struct {
        const char *name;
        size_t len;
    } keys[] = {
#define APIERR__KEY_ROW(k) {#k, sizeof #k - 1},
        APIERR__KEY_MAP(APIERR__KEY_ROW)
#undef APIERR__KEY_ROW
    };
    for (int i = 0; i < APIERR__K__COUNT; i++)
        if (keys[i].len == len && keys[i].name[0] == name[0] &&
            memcmp(keys[i].name, name, len) == 0)
            return i;
    return -1;
}
