/* Redaction: what the support report, the result's JSON, -v output and
 * the command's messages may show. The seeds tell
 * users to send these to support, so no credential may ever reach them. */
#include "client_impl.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define REDACTED "REDACTED"

/* Query parameters whose values are secrets. */
static const char *const secret_params[] = {
    "access_token", "token",         "key",           "api_key",       "apikey",    "secret",
    "password",     "client_secret", "refresh_token", "code",          "signature", "sig",
    "id_token",     "passwd",        "api_token",     "session_token",
};

/* Headers whose values are secrets. */
static const char *const secret_headers[] = {
    "authorization", "proxy-authorization",  "cookie",      "set-cookie", "x-api-key", "api-key",
    "x-auth-token",  "x-amz-security-token", "x-api-token", "xa-token",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int in_list(const char *const *list, size_t n, const char *s, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(list[i]) == len && strncasecmp(list[i], s, len) == 0) return 1;
    return 0;
}

/* Words that make a name a secret's wherever they stand in it
 * (X-Access-Token, Private-Token, Ocp-Apim-Subscription-Key, accessToken,
 * db_password): APIs invent new names every day, a list of exact names
 * always lags behind. */
static const char *const secret_words[] = {
    "token",   "tokens",    "key",    "keys",          "apikey",     "secret",
    "secrets", "password",  "passwd", "pwd",           "signature",  "sig",
    "session", "sessionid", "auth",   "authorization", "credential", "credentials",
    "cookie",  "jwt",       "bearer", "passphrase",    "private",
};

/* Names that hold such a word but no secret: the key of idempotency is
 * what support asks for. */
static const char *const not_secret[] = {"idempotency-key", "x-idempotency-key", "idempotency_key"};

static int lower_ch(char c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int alnum_ch(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* 1 when one of the words of name (split at every non-alphanumeric byte
 * and where lower case turns upper: accessToken) is a secret word. */
static int says_secret(const char *name, size_t len)
{
    if (in_list(not_secret, COUNT(not_secret), name, len)) return 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && !alnum_ch(name[i])) i++;
        size_t start = i;
        while (i < len && alnum_ch(name[i]) &&
               !(i > start && name[i] >= 'A' && name[i] <= 'Z' && name[i - 1] >= 'a' &&
                 name[i - 1] <= 'z'))
            i++;
        char word[24];
        size_t n = i - start;
        if (n == 0 || n >= sizeof word) continue;
        for (size_t j = 0; j < n; j++) word[j] = (char)lower_ch(name[start + j]);
        if (in_list(secret_words, COUNT(secret_words), word, n)) return 1;
    }
    return 0;
}

int apierr__name_is_secret(const char *name, size_t len, const char *const *extra, size_t nextra)
{
    return in_list(secret_headers, COUNT(secret_headers), name, len) ||
           in_list(secret_params, COUNT(secret_params), name, len) || says_secret(name, len) ||
           (extra && in_list(extra, nextra, name, len));
}

int apierr_header_is_secret(const char *name)
{
    return apierr__name_is_secret(name, strlen(name), NULL, 0);
}

/* Appends the query (after '?', up to '#' or the end) with secret values
 * replaced. */
static void redact_query(apierr__buf *b, const char *q, size_t len, const char *const *extra,
                         size_t nextra)
{
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && q[end] != '&') end++;
        size_t eq = i;
        while (eq < end && q[eq] != '=') eq++;
        if (eq < end && apierr__name_is_secret(q + i, eq - i, extra, nextra)) {
            apierr__buf_append(b, q + i, eq + 1 - i);
            apierr__buf_puts(b, REDACTED);
        } else {
            apierr__buf_append(b, q + i, end - i);
        }
        if (end < len) apierr__buf_putc(b, '&');
        i = end + 1;
    }
}

size_t apierr_redact_url(char *buf, size_t cap, const char *url)
{
    return apierr__redact_url_names(buf, cap, url, NULL, 0);
}

size_t apierr_result_redact_url(char *buf, size_t cap, const apierr_result *r, const char *url)
{
    size_t n;
    const char *const *names = apierr__result_names(r, &n);
    return apierr__redact_url_names(buf, cap, url ? url : "", names, n);
}

int apierr_result_header_is_secret(const apierr_result *r, const char *name)
{
    size_t n;
    const char *const *names = apierr__result_names(r, &n);
    return apierr__name_is_secret(name, strlen(name), names, n);
}

size_t apierr__redact_url_names(char *buf, size_t cap, const char *url, const char *const *extra,
                                size_t nextra)
{
    apierr__buf b = APIERR__BUF_INIT;
    const char *p = url;
    const char *scheme = strstr(url, "://");
    if (scheme) {
        const char *host = scheme + 3;
        size_t auth_len = strcspn(host, "/?#");
        const char *at = memchr(host, '@', auth_len);
        apierr__buf_append(&b, url, (size_t)(host - url));
        if (at) {
            const char *colon = memchr(host, ':', (size_t)(at - host));
            if (colon) {
                apierr__buf_append(&b, host, (size_t)(colon - host));
                apierr__buf_puts(&b, ":" REDACTED);
            } else {
                apierr__buf_puts(&b, REDACTED);
            }
            p = at;
        } else {
            p = host;
        }
    }
    size_t path_len = strcspn(p, "?#");
    apierr__buf_append(&b, p, path_len);
    p += path_len;
    if (*p == '?') {
        size_t qlen = strcspn(p + 1, "#");
        apierr__buf_putc(&b, '?');
        redact_query(&b, p + 1, qlen, extra, nextra);
        p += 1 + qlen;
    }
    apierr__buf_puts(&b, p);
    size_t n = b.len;
    if (cap) {
        if (b.oom || !b.data) {
            buf[0] = '\0';
        } else {
            size_t k = n < cap ? n : cap - 1;
            memcpy(buf, b.data, k);
            buf[k] = '\0';
        }
    }
    apierr__buf_free(&b);
    return n;
}

void apierr__header_line(apierr__buf *b, const char *prefix, const char *name, const char *value,
                         int secret)
{
    apierr__buf_puts(b, prefix);
    apierr__buf_puts(b, name);
    apierr__buf_puts(b, ": ");
    if (!secret) {
        apierr__buf_puts(b, value);
        return;
    }
    /* Keep the scheme ("Bearer") so people can still see which one was sent. */
    size_t word = strcspn(value, " ");
    if (value[word] == ' ' && strncasecmp(name, "authorization", 13) == 0) {
        apierr__buf_append(b, value, word + 1);
    }
    apierr__buf_puts(b, REDACTED);
}
