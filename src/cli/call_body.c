/* `apierr call`: the body, query and headers that curl's data options
 * make: -d, --data-binary, --data-raw and --data-urlencode (repeated:
 * joined with '&', as curl joins them), --json, -T, -G (the data becomes
 * the query of a GET), --url-query; -u, -e, -b and -r. */
#include "call.h"
#include "call_curlopts.h"
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

/* RFC 3986 unreserved bytes stay, a space becomes '+', every other byte
 * %XX in the digits given: curl's --data-urlencode (upper case) and
 * --url-query (lower case), byte for byte. */
static void put_escaped(struct text *t, const char *s, size_t n, const char *hex)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            (c && strchr("-._~", c))) {
            put(t, (const char *)&c, 1);
        } else if (c == ' ') {
            put(t, "+", 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            put(t, e, 3);
        }
    }
}

static void put_encoded(struct text *t, const char *s, size_t n)
{
    put_escaped(t, s, n, "0123456789ABCDEF");
}

static void put_query_encoded(struct text *t, const char *s, size_t n)
{
    put_escaped(t, s, n, "0123456789abcdef");
}

/* The bytes without their CR and LF (curl's -d @FILE: a file's line ends
 * are not data). */
static void put_unbroken(struct text *t, const char *s, size_t n)
{
    size_t from = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '\r' && s[i] != '\n') continue;
        put(t, s + from, i - from); /* a run between line ends, NUL bytes and all */
        from = i + 1;
    }
}

/* The bytes of path ("-": stdin) through put_fn: as they are, unbroken or
 * URL-encoded. */
static int put_file(struct text *t, const char *path,
                    void (*put_fn)(struct text *, const char *, size_t))
{
    char *file;
    size_t len;
    int rc = cli_read_input(&file, &len, CMD, path, CLI_BODY_MAX);
    if (rc) return rc;
    put_fn(t, file, len);
    free(file);
    return CLI_EXIT_OK;
}

/* One -d, --data-binary or --data-raw piece: the argument, or the bytes of
 * @FILE. */
static int put_data(struct text *t, const char *arg, enum call_data_kind kind)
{
    if (arg[0] == '@' && kind != CALL_DATA_RAW)
        return put_file(t, arg + 1, kind == CALL_DATA ? put_unbroken : put);
    put(t, arg, strlen(arg));
    return CLI_EXIT_OK;
}

/* One --data-urlencode piece, in curl's five forms: "content", "=content",
 * "name=content", "@file", "name@file"; only content is encoded, by enc. */
static int put_urlencoded(struct text *t, const char *arg,
                          void (*enc)(struct text *, const char *, size_t))
{
    const char *eq = strchr(arg, '='), *at = strchr(arg, '@');
    if (eq && (!at || eq < at)) {
        put(t, arg, (size_t)(eq - arg));
        if (eq != arg) put(t, "=", 1);
        enc(t, eq + 1, strlen(eq + 1));
        return CLI_EXIT_OK;
    }
    if (!at) {
        enc(t, arg, strlen(arg));
        return CLI_EXIT_OK;
    }
    if (at != arg) {
        put(t, arg, (size_t)(at - arg));
        put(t, "=", 1);
    }
    return put_file(t, at + 1, enc);
}

static int join_data(struct text *t, const struct call_args *a)
{
    for (size_t i = 0; i < a->ndata; i++) {
        if (i) put(t, "&", 1);
        const struct call_data *d = &a->data[i];
        int rc = d->kind == CALL_DATA_URLENCODE ? put_urlencoded(t, d->arg, put_encoded)
                                                : put_data(t, d->arg, d->kind);
        if (rc) return rc;
    }
    return CLI_EXIT_OK;
}

/* --url-query pieces after what t holds, joined with '&': curl's
 * --data-urlencode forms, and "+DATA" as it is. */
static int join_url_query(struct text *t, const struct call_args *a)
{
    for (size_t i = 0; i < a->nurl_query; i++) {
        if (t->len) put(t, "&", 1);
        const char *q = a->url_query[i];
        int rc = q[0] == '+' ? (put(t, q + 1, strlen(q + 1)), CLI_EXIT_OK)
                             : put_urlencoded(t, q, put_query_encoded);
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
    if (call_curl_auth(a)) return CLI_EXIT_OK; /* libcurl's scheme: call_curlopts.c */
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
    struct text b = {0}, q = {0};
    if (a->json) {
        /* curl's --json is --data-binary, and repeated its pieces are
         * joined as they are (curl 7.82). */
        for (size_t i = 0; i < a->njson && !rc; i++)
            rc = put_data(&b, a->jsons[i], CALL_DATA_BINARY);
        *type = "application/json";
    } else if (a->upload_file) {
        rc = put_file(&b, a->upload_file, put); /* curl's -T: no Content-Type */
    } else if (a->ndata) {
        rc = join_data(a->get ? &q : &b, a);
        if (!a->get) *type = "application/x-www-form-urlencoded";
    }
    if (!rc) rc = join_url_query(&q, a);
    /* Allocated even when empty: an empty body is still one. */
    put(&b, "", 0);
    put(&q, "", 0);
    if (!rc && (b.oom || q.oom)) rc = CLI_EXIT_FAILURE;
    if (rc) {
        free(b.s);
        free(q.s);
        *type = NULL;
        return rc;
    }
    if (a->json || a->upload_file || (a->ndata && !a->get)) {
        *body = b.s;
        *len = b.len;
    } else {
        free(b.s);
    }
    if ((a->ndata && a->get) || a->nurl_query)
        *query = q.s;
    else
        free(q.s);
    return CLI_EXIT_OK;
}

/* One header of curl's own flags (-e, -b, -r) unless -H gives it. */
static int add_header(struct call_args *a, const char *name, const char *value)
{
    if (!value || apierr_header_find(a->headers, a->nheaders, name)) return CLI_EXIT_OK;
    if (a->nheaders == CALL_MAX_HEADERS) {
        cli_error(CMD, "at most %d -H options, -e, -b and -r included", CALL_MAX_HEADERS);
        return CLI_EXIT_USAGE;
    }
    a->headers[a->nheaders++] = (apierr_header){name, value};
    return CLI_EXIT_OK;
}

/* --etag-compare FILE: its first line, the ETag, into a->etag; nothing
 * when FILE is not there (the first run of a script that saves it). */
static void read_etag(struct call_args *a)
{
    FILE *f = a->etag_compare ? fopen(a->etag_compare, "r") : NULL;
    if (!f) return;
    if (!fgets(a->etag, sizeof a->etag, f)) a->etag[0] = '\0';
    fclose(f);
    call_trim(a->etag);
}

int call_curl_headers(struct call_args *a)
{
    read_etag(a);
    int rc = add_header(a, "Referer", a->referer);
    if (!rc && a->etag[0]) rc = add_header(a, "If-None-Match", a->etag);
    /* curl's -T sends no Content-Type; an empty one keeps libcurl from
     * adding its form type to a body. */
    if (!rc && a->upload_file) rc = add_header(a, "Content-Type", "");
    if (!rc) rc = add_header(a, "Cookie", a->cookie);
    if (!rc && *a->range) rc = add_header(a, "Range", a->range);
    return rc;
}
