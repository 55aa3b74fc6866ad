/*
 * form.c - the bytes of the token endpoint that no library parses: form
 * bodies (application/x-www-form-urlencoded) and the base64 of HTTP Basic
 * (see form.h). Moved out of oauth.c so that a fuzz target reaches them.
 */
#include "form.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Decodes %XX and '+' of a form value in place. */
void refapi_form_decode(char *s)
{
    char *w = s;
    for (const char *p = s; *p; p++) {
        if (*p == '+') {
            *w++ = ' ';
        } else if (*p == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
            char hex[3] = {p[1], p[2], 0};
            *w++ = (char)strtol(hex, NULL, 16);
            p += 2;
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
}

static int base64_value(int c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decodes standard base64 into out (cap bytes, NUL-terminated); -1 if bad. */
int refapi_base64_decode(char *out, size_t cap, const char *in)
{
    size_t n = 0;
    unsigned acc = 0;
    int bits = 0;
    for (; *in && *in != '='; in++) {
        int v = base64_value((unsigned char)*in);
        if (v < 0) return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n + 1 >= cap) return -1;
            out[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[n] = '\0';
    return memchr(out, '\0', n) ? -1 : 0;
}

json_t *refapi_form_parse(const char *body, size_t len)
{
    json_t *j = json_object();
    char *copy = strndup(body, len);
    char *save = NULL;
    /* A NUL inside the body would cut it short: refused, not truncated. */
    int ok = j && copy && strlen(copy) == len;
    for (char *kv = ok ? strtok_r(copy, "&", &save) : NULL; kv && ok;
         kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) continue;
        *eq = '\0';
        refapi_form_decode(kv);
        refapi_form_decode(eq + 1);
        json_t *s = json_string(eq + 1);
        ok = s && json_object_set_new(j, kv, s) == 0;
    }
    free(copy);
    if (ok) return j;
    json_decref(j);
    return NULL;
}

int refapi_query_number(const char *s, long long min, long long max, long long *out)
{
    /* Digits only, as written by the server: strtoll() alone would take
     * " 5", "+5" and overflow to LLONG_MAX. */
    if (!s || !*s || strlen(s) > 19) return -1;
    for (const char *p = s; *p; p++) {
        if (!isdigit((unsigned char)*p) && !(p == s && *p == '-')) return -1;
    }
    char *end;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    if (errno || end == s || *end || n < min || n > max) return -1;
    *out = n;
    return 0;
}
