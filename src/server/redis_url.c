/* A Redis URL read into what a connection needs (see redis_url.h). */
#include "redis_url.h"

#include "alloc.h"
#include "apierr/common.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Reads "N" (n bytes) as a number in [lo, hi] into *out; 0, or -1. */
static int number(const char *s, size_t n, long lo, long hi, int *out)
{
    if (n == 0 || n > 9) return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v < lo || v > hi) return -1;
    *out = (int)v;
    return 0;
}

/* A copy of s[0..n) with its %XX escapes decoded into *out; APIERR_OK,
 * EINVAL (a broken escape, or one that decodes to NUL) or ENOMEM. */
static int decoded(char **out, const char *s, size_t n)
{
    char *d = apierr__malloc(n + 1), *p = d;
    if (!d) return APIERR_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            *p++ = s[i];
            continue;
        }
        char esc[3] = {0};
        if (i + 2 < n) memcpy(esc, s + i + 1, 2);
        int ok = isxdigit((unsigned char)esc[0]) && isxdigit((unsigned char)esc[1]);
        long c = ok ? strtol(esc, NULL, 16) : 0;
        if (c == 0) { /* a broken escape, or a NUL */
            apierr__free(d);
            return APIERR_EINVAL;
        }
        *p++ = (char)c;
        i += 2;
    }
    *p = '\0';
    *out = d;
    return APIERR_OK;
}

/* USERINFO (n bytes): [USER]:PASSWORD, or USER alone. */
static int userinfo(apierr__redis_url *u, const char *s, size_t n)
{
    const char *colon = memchr(s, ':', n);
    size_t un = colon ? (size_t)(colon - s) : n;
    int rc = un ? decoded(&u->user, s, un) : APIERR_OK;
    if (rc == APIERR_OK && colon) rc = decoded(&u->password, colon + 1, n - un - 1);
    if (rc == APIERR_OK && u->password && !*u->password) rc = APIERR_EINVAL;
    return rc;
}

/* QUERY: db=N and password=PW, '&' between; a db_set database already
 * named in the path. */
static int query(apierr__redis_url *u, const char *q, int db_set)
{
    while (*q) {
        size_t n = strcspn(q, "&");
        if (n > 3 && strncmp(q, "db=", 3) == 0 && !db_set) {
            if (number(q + 3, n - 3, 0, 1000000, &u->db)) return APIERR_EINVAL;
            db_set = 1;
        } else if (n > 9 && strncmp(q, "password=", 9) == 0 && !u->password) {
            int rc = decoded(&u->password, q + 9, n - 9);
            if (rc) return rc;
        } else {
            return APIERR_EINVAL; /* unknown, empty, or named twice */
        }
        q += n + (q[n] == '&');
    }
    return APIERR_OK;
}

/* unix://[USERINFO@]/PATH[?QUERY] (rest: after the scheme). */
static int parse_unix(apierr__redis_url *u, const char *rest)
{
    if (rest[0] != '/') { /* userinfo: up to the '@' that opens the path */
        const char *at = strstr(rest, "@/");
        if (!at) return APIERR_EINVAL;
        int rc = userinfo(u, rest, (size_t)(at - rest));
        if (rc) return rc;
        rest = at + 1;
    }
    size_t n = strcspn(rest, "?");
    if (n < 2) return APIERR_EINVAL; /* "/" alone is no socket */
    u->host = apierr__strndup(rest, n);
    if (!u->host) return APIERR_ENOMEM;
    return rest[n] ? query(u, rest + n + 1, 0) : APIERR_OK;
}

/* redis://[USERINFO@]HOST[:PORT][/DB][?QUERY] (rest: after the scheme). */
static int parse_tcp(apierr__redis_url *u, const char *rest)
{
    size_t an = strcspn(rest, "/?"); /* the authority */
    const char *host = rest, *end = rest + an;
    for (const char *p = end; p > rest; p--) { /* the last '@': a raw '@' may be in a password */
        if (p[-1] == '@') {
            int rc = userinfo(u, rest, (size_t)(p - 1 - rest));
            if (rc) return rc;
            host = p;
            break;
        }
    }
    const char *colon = memchr(host, ':', (size_t)(end - host));
    size_t hn = colon ? (size_t)(colon - host) : (size_t)(end - host);
    if (hn == 0) return APIERR_EINVAL;
    u->port = 6379;
    if (colon && number(colon + 1, (size_t)(end - colon - 1), 1, 65535, &u->port))
        return APIERR_EINVAL;
    int db_set = 0;
    if (*end == '/') {
        size_t dn = strcspn(end + 1, "?");
        if (dn && number(end + 1, dn, 0, 1000000, &u->db)) return APIERR_EINVAL;
        db_set = dn > 0;
        end += 1 + dn;
    }
    if (!(u->host = apierr__strndup(host, hn))) return APIERR_ENOMEM;
    return *end == '?' ? query(u, end + 1, db_set) : APIERR_OK;
}

int apierr__redis_url_parse(apierr__redis_url *out, const char *url)
{
    memset(out, 0, sizeof *out);
    int rc = APIERR_EINVAL;
    if (url && strncmp(url, "unix://", 7) == 0)
        rc = parse_unix(out, url + 7);
    else if (url && strncmp(url, "redis://", 8) == 0)
        rc = parse_tcp(out, url + 8);
    const char *env = getenv("REDIS_PASSWORD");
    if (rc == APIERR_OK && !out->password && env && *env && !(out->password = apierr__strdup(env)))
        rc = APIERR_ENOMEM;
    if (rc != APIERR_OK) apierr__redis_url_clear(out);
    return rc;
}

void apierr__redis_url_clear(apierr__redis_url *u)
{
    apierr__free(u->host);
    apierr__free(u->user);
    apierr__free(u->password);
    memset(u, 0, sizeof *u);
}
