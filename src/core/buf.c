/* A growable NUL-terminated string for encoders and writers (see buf.h);
 * once an allocation fails it stays failed, so callers check once at the end. */
#include "buf.h"
#include "alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int apierr__buf_reserve(apierr__buf *b, size_t n)
{
    if (b->oom) return -1;
    if (b->cap - b->len > n) return 0; /* room for n bytes and the NUL */
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len <= n) {
        if (cap > (size_t)-1 / 2) goto fail;
        cap *= 2;
    }
    char *d = apierr__realloc(b->data, cap);
    if (!d) goto fail;
    b->data = d;
    b->cap = cap;
    return 0;
fail:
    b->oom = 1;
    return -1;
}

void apierr__buf_append(apierr__buf *b, const char *s, size_t n)
{
    if (apierr__buf_reserve(b, n)) return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void apierr__buf_puts(apierr__buf *b, const char *s)
{
    apierr__buf_append(b, s, strlen(s));
}

void apierr__buf_putc(apierr__buf *b, char c)
{
    if (apierr__buf_reserve(b, 1)) return;
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void apierr__buf_printf(apierr__buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        apierr__buf_append(b, small, (size_t)n);
        return;
    }
    if (apierr__buf_reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void apierr__buf_int(apierr__buf *b, long long v)
{
    char tmp[24];
    char *e = tmp + sizeof tmp, *p = e;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *--p = '-';
    apierr__buf_append(b, p, (size_t)(e - p));
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, min = 0x10000;
    else
        return 0;
    if (n < len) return 0;
    unsigned cp = c & (0x3F >> (len - 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

void apierr__buf_json_strn(apierr__buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (!s) {
        apierr__buf_append(b, "null", 4);
        return;
    }
    /* Worst case is 6 bytes per input byte; reserve the common case and
     * grow in the rare escaped run. */
    if (apierr__buf_reserve(b, n + 2)) return;
    apierr__buf_putc(b, '"');
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        const unsigned char *run = p;
        while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') p++;
        if (p > run) apierr__buf_append(b, (const char *)run, (size_t)(p - run));
        if (p == end) break;
        unsigned c = *p;
        if (c >= 0x80) {
            size_t k = utf8_seq(p, (size_t)(end - p));
            if (k)
                apierr__buf_append(b, (const char *)p, k), p += k;
            else
                apierr__buf_append(b, "\xEF\xBF\xBD", 3), p++;
            continue;
        }
        p++;
        switch (c) {
        case '"':
            apierr__buf_append(b, "\\\"", 2);
            break;
        case '\\':
            apierr__buf_append(b, "\\\\", 2);
            break;
        case '\n':
            apierr__buf_append(b, "\\n", 2);
            break;
        case '\r':
            apierr__buf_append(b, "\\r", 2);
            break;
        case '\t':
            apierr__buf_append(b, "\\t", 2);
            break;
        case '\b':
            apierr__buf_append(b, "\\b", 2);
            break;
        case '\f':
            apierr__buf_append(b, "\\f", 2);
            break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            apierr__buf_append(b, u, 6);
        }
        }
    }
    apierr__buf_putc(b, '"');
}

void apierr__buf_json_str(apierr__buf *b, const char *s)
{
    apierr__buf_json_strn(b, s, s ? strlen(s) : 0);
}

char *apierr__buf_take(apierr__buf *b, size_t *len)
{
    char *d = NULL;
    if (!b->oom && apierr__buf_reserve(b, 0) == 0)
        d = b->data;
    else
        apierr__free(b->data);
    if (len) *len = d ? b->len : 0;
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
    return d;
}

void apierr__buf_free(apierr__buf *b)
{
    apierr__free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

void apierr__copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) n = cap - 1;
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}
