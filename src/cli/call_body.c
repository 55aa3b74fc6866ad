/* `apierr call`: the body, query and Basic credentials that curl's data
 * options make: -d and --data-urlencode (repeated: joined with '&', as curl
 * joins them), --json, -G (the data becomes the query of a GET), -u. */
#include "call.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define CMD CALL_CMD

/* A growing string of our own (free()); oom set when it could not grow. */
struct text {
    char *s;
    size_t len, cap;
    int oom;
};

static void put(struct text *t, const char *s, size_t n)
{
    if (t->oom) return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = (t->len + n + 1) * 2;
        char *b = realloc(t->s, cap);
        if (!b) {
            t->oom = 1;
            return;
        }
        t->s = b;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

/* RFC 3986 unreserved bytes stay, every other becomes %XX (curl's
 * --data-urlencode). */
static void put_encoded(struct text *t, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            strchr("-._~", c)) {
            put(t, (const char *)&c, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            put(t, e, 3);
        }
    }
}

/* The bytes of path ("-": stdin), as they are or URL-encoded. */
static int put_file(struct text *t, const char *path, int encode)
{
    char *file;
    size_t len;
    int rc = cli_read_input(&file, &len, CMD, path, CLI_BODY_MAX);
    if (rc) return rc;
    (encode ? put_encoded : put)(t, file, len);
    free(file);
    return CLI_EXIT_OK;
}

/* One -d piece: the argument, or the bytes of @FILE as they are. */
static int put_data(struct text *t, const char *arg)
{
    if (arg[0] == '@') return put_file(t, arg + 1, 0);
    put(t, arg, strlen(arg));
    return CLI_EXIT_OK;
}

/* One --data-urlencode piece, in curl's five forms: "content", "=content",
 * "name=content", "@file", "name@file"; only content is encoded. */
static int put_urlencoded(struct text *t, const char *arg)
{
    const char *eq = strchr(arg, '='), *at = strchr(arg, '@');
    if (eq && (!at || eq < at)) {
        put(t, arg, (size_t)(eq - arg));
        if (eq != arg) put(t, "=", 1);
        put_encoded(t, eq + 1, strlen(eq + 1));
        return CLI_EXIT_OK;
    }
    if (!at) {
        put_encoded(t, arg, strlen(arg));
        return CLI_EXIT_OK;
    }
    if (at != arg) {
        put(t, arg, (size_t)(at - arg));
        put(t, "=", 1);
    }
    return put_file(t, at + 1, 1);
}

static int join_data(struct text *t, const struct call_args *a)
{
    for (size_t i = 0; i < a->ndata; i++) {
        if (i) put(t, "&", 1);
        int rc =
            a->data[i].urlencode ? put_urlencoded(t, a->data[i].arg) : put_data(t, a->data[i].arg);
        if (rc) return rc;
    }
    return CLI_EXIT_OK;
}

/* RFC 4648 base64 of s, for -u (RFC 7617). */
static void put_base64(struct text *t, const char *s, size_t n)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)s[i] << 16;
        if (i + 1 < n) v |= (unsigned char)s[i + 1] << 8;
        if (i + 2 < n) v |= (unsigned char)s[i + 2];
        char q[4] = {b64[v >> 18], b64[(v >> 12) & 63], i + 1 < n ? b64[(v >> 6) & 63] : '=',
                     i + 2 < n ? b64[v & 63] : '='};
        put(t, q, 4);
    }
}

/* -u: an Authorization header unless -H gives one; its value is a->basic
 * (the caller frees it). */
int call_basic_auth(struct call_args *a)
{
    struct text value = {0};
    if (!a->user || apierr_header_find(a->headers, a->nheaders, "Authorization")) return 0;
    if (!strchr(a->user, ':')) {
        cli_error(CMD, "-u wants USER:PASSWORD (apierr does not prompt), not '%s'", a->user);
        cli_usage_hint(CMD);
        return CLI_EXIT_USAGE;
    }
    if (a->nheaders == CALL_MAX_HEADERS) {
        cli_error(CMD, "at most %d -H options, -u included", CALL_MAX_HEADERS);
        return CLI_EXIT_USAGE;
    }
    put(&value, "Basic ", 6);
    put_base64(&value, a->user, strlen(a->user));
    if (value.oom) {
        free(value.s);
        return CLI_EXIT_FAILURE;
    }
    free(a->basic);
    a->basic = value.s;
    a->headers[a->nheaders++] = (apierr_header){"Authorization", a->basic};
    return CLI_EXIT_OK;
}

int call_body(const struct call_args *a, char **body, size_t *len, const char **type, char **query)
{
    *body = *query = NULL;
    *len = 0;
    *type = NULL;
    int rc = CLI_EXIT_OK;
    struct text t = {0};
    if (a->json) {
        rc = put_data(&t, a->json);
        *type = "application/json";
    } else if (a->ndata) {
        rc = join_data(&t, a);
        *type = a->get ? NULL : "application/x-www-form-urlencoded";
    }
    if (!rc && t.oom) rc = CLI_EXIT_FAILURE;
    if (rc || (!a->json && !a->ndata)) {
        free(t.s);
        return rc;
    }
    put(&t, "", 0); /* an empty body is still one: allocated, NUL-terminated */
    if (t.oom) {
        free(t.s);
        return CLI_EXIT_FAILURE;
    }
    if (a->get && !a->json) {
        *query = t.s;
        return CLI_EXIT_OK;
    }
    *body = t.s;
    *len = t.len;
    return CLI_EXIT_OK;
}
