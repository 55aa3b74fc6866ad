/* Finding headers by name, the request-id headers APIs use, and the
 * whitespace rule every header parser shares. */
#include "headers_impl.h"

#include <string.h>
#include <strings.h>

/* 1 when a and b cannot be the same letter or byte without case: both
 * ASCII and apart by more than the case bit. strcasecmp() would tell them
 * apart in every locale too (an ASCII letter's lower case may be a byte
 * above 127 only in a Turkish one, for 'I', and 'I' | 32 is 'i'), but a
 * call and its locale lookup a header: most names differ at their first
 * byte (the client's lookups of an answer, Retry-After and the request
 * id's, took some 590 instructions, 300 after). */
static int first_apart(unsigned char a, unsigned char b)
{
    return a < 0x80 && b < 0x80 && (a | 32) != (b | 32);
}

long apierr__header_next(const apierr_header *headers, size_t n, const char *name, size_t *i)
{
    for (; headers && *i < n; (*i)++) {
        const char *h = headers[*i].name;
        if (h && headers[*i].value && !first_apart((unsigned char)*h, (unsigned char)*name) &&
            strcasecmp(h, name) == 0)
            return (long)(*i)++;
    }
    return -1;
}

const char *apierr_header_find(const apierr_header *headers, size_t n, const char *name)
{
    size_t i = 0;
    long k = apierr__header_next(headers, n, name, &i);
    return k < 0 ? NULL : headers[k].value;
}

/* In order of preference: the generic names first, then vendors'; an
 * edge's ray id (Cloudflare) only when nothing else names the request. */
static const char *const request_id_headers[] = {
    "X-Request-Id",          "Request-Id",       "X-Amzn-RequestId",
    "X-Amz-Request-Id",      "X-Correlation-Id", "X-GitHub-Request-Id",
    "X-Ms-Request-Id",       "X-Trace-Id",       "Apigw-Requestid",
    "X-Cloud-Trace-Context", "Opc-Request-Id",   NULL,
};

/* How vendors' own request id headers end (X-Shopify-Request-Id,
 * Box-Request-Id, X-Dropbox-Request-Id, X-Slack-Req-Id,
 * X-HubSpot-Correlation-Id): a word boundary must come before. */
static const char *const request_id_suffixes[] = {"-request-id", "-req-id", "-correlation-id",
                                                  NULL};

static int has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), k = strlen(suffix);
    return n > k && strcasecmp(name + n - k, suffix) == 0;
}

const char *apierr_request_id_find(const apierr_header *headers, size_t n)
{
    for (const char *const *h = request_id_headers; *h; h++) {
        const char *v = apierr_header_find(headers, n, *h);
        if (v && *v) return v;
    }
    for (size_t i = 0; headers && i < n; i++) {
        if (!headers[i].name || !headers[i].value || !*headers[i].value) continue;
        for (const char *const *s = request_id_suffixes; *s; s++)
            if (has_suffix(headers[i].name, *s)) return headers[i].value;
    }
    const char *ray = apierr_header_find(headers, n, "Cf-Ray");
    return ray && *ray ? ray : NULL;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void apierr__trim_ows(const char **s, size_t *n)
{
    while (*n && is_ows(**s)) (*s)++, (*n)--;
    while (*n && is_ows((*s)[*n - 1])) (*n)--;
}
