/* Pure pieces of a request: its versions, URLs, form encoding, idempotency
 * keys, the batch line format, clocks. */
#include "abi.h"
#include "client_impl.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

/* The size of each version of apierr_request, which grows at its end only:
 * version 1 ended before form. */
static const size_t request_sizes[] = {offsetof(apierr_request, form), sizeof(apierr_request)};

static const apierr_request request_defaults = APIERR_REQUEST_INIT;

int apierr_request_init(apierr_request *req, unsigned version)
{
    return apierr__struct_init(req, &request_defaults, version, request_sizes,
                               APIERR__NSIZES(request_sizes));
}

int apierr__request_read(apierr_request *dst, const apierr_request *src)
{
    *dst = request_defaults;
    return APIERR__STRUCT_READ(dst, src, request_sizes);
}

static int unreserved(unsigned char ch)
{
    return isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~';
}

void apierr__buf_urlencode(apierr__buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (unreserved(*p)) {
            apierr__buf_putc(b, (char)*p);
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            apierr__buf_append(b, esc, 3);
        }
    }
}

void apierr__url_build(apierr__buf *b, const char *base, const char *url, const char *query,
                       const char *key_param, const char *key)
{
    size_t start = b->len;
    if (base && *base && !strstr(url, "://")) {
        size_t n = strlen(base);
        while (n && base[n - 1] == '/') n--;
        apierr__buf_append(b, base, n);
        if (*url != '/') apierr__buf_putc(b, '/');
    }
    apierr__buf_puts(b, url);
    int has_query = b->data && strchr(b->data + start, '?') != NULL;
    if (query && *query) {
        apierr__buf_putc(b, has_query ? '&' : '?');
        apierr__buf_puts(b, query);
        has_query = 1;
    }
    if (key_param && *key_param && key && *key) {
        apierr__buf_putc(b, has_query ? '&' : '?');
        apierr__buf_urlencode(b, key_param);
        apierr__buf_putc(b, '=');
        apierr__buf_urlencode(b, key);
    }
}

int apierr__url_ok(const char *url)
{
    size_t scheme = strcspn(url, ":/?#");
    if (strncmp(url + scheme, "://", 3) != 0) return 0;
    if (!((scheme == 4 && !strncasecmp(url, "http", 4)) ||
          (scheme == 5 && !strncasecmp(url, "https", 5))))
        return 0;
    const char *host = url + scheme + 3;
    if (!*host || strchr("/?#", *host)) return 0;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= ' ' || *p == 0x7f) return 0;
    return 1;
}

void apierr__uuid4_format(char out[37], const uint8_t rnd[16])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t u[16];
    memcpy(u, rnd, 16);
    u[6] = (uint8_t)((u[6] & 0x0f) | 0x40); /* version 4 */
    u[8] = (uint8_t)((u[8] & 0x3f) | 0x80); /* variant RFC 9562 */
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
        out[o++] = hex[u[i] >> 4];
        out[o++] = hex[u[i] & 15];
    }
    out[o] = '\0';
}

int apierr_uuid4(char out[37])
{
    uint8_t rnd[16];
    size_t got = 0;
    while (got < sizeof rnd) {
        ssize_t n = getrandom(rnd + got, sizeof rnd - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return APIERR_EIO;
        got += (size_t)n;
    }
    apierr__uuid4_format(out, rnd);
    return APIERR_OK;
}

static char *skip_blank(char *p)
{
    while (*p == ' ' || *p == '\t') p++;
    return p;
}

static char *skip_word(char *p)
{
    while (*p && *p != ' ' && *p != '\t') p++;
    return p;
}

int apierr_batch_line_parse(char *line, const char **method, const char **url, const char **body)
{
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    char *p = skip_blank(line);
    if (!*p || *p == '#') return APIERR_ENOTFOUND;
    char *m = p;
    p = skip_word(p);
    if (!*p) return APIERR_EPARSE;
    *p++ = '\0';
    p = skip_blank(p);
    if (!*p) return APIERR_EPARSE;
    char *u = p;
    p = skip_word(p);
    char *b = NULL;
    if (*p) {
        *p++ = '\0';
        p = skip_blank(p);
        if (*p) b = p;
    }
    *method = m;
    *url = u;
    *body = b;
    return APIERR_OK;
}

long long apierr__mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long apierr__unix_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
