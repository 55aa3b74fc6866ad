/* `apierr check`: scanners of untrusted header values and bodies. Every
 * loop is bounded by the length given, never by a NUL: a server's bytes may
 * hold anything. */
#include "check_scan.h"

#include <string.h>

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* RFC 9110 5.6.2 tchar. */
static int is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int same_ci(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen) return 0;
    for (size_t i = 0; i < alen; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) return 0;
    return 1;
}

int check_list_has(const char *value, size_t len, const char *name)
{
    size_t i = 0;
    while (i < len) {
        while (i < len && (is_ows(value[i]) || value[i] == ',')) i++;
        size_t start = i;
        while (i < len && value[i] != ',' && value[i] != '=' && !is_ows(value[i])) i++;
        if (i > start && same_ci(value + start, i - start, name)) return 1;
        /* Skip the rest of the element; a quoted value may hold commas. */
        int quoted = 0;
        while (i < len && (quoted || value[i] != ',')) {
            if (value[i] == '"') quoted = !quoted;
            if (quoted && value[i] == '\\') i++;
            i++;
        }
    }
    return 0;
}

int check_token_list_valid(const char *value, size_t len)
{
    int tokens = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && is_ows(value[i])) i++;
        size_t start = i;
        while (i < len && is_tchar((unsigned char)value[i])) i++;
        if (i > start) tokens++;
        while (i < len && is_ows(value[i])) i++;
        if (i < len && value[i] != ',') return 0;
        i++;
    }
    return tokens > 0;
}

int check_is_uint(const char *value, size_t len)
{
    size_t i = 0, digits = 0;
    while (i < len && is_ows(value[i])) i++;
    while (i < len && value[i] >= '0' && value[i] <= '9') i++, digits++;
    while (i < len && is_ows(value[i])) i++;
    return digits > 0 && i == len;
}

/* Reads a token or a quoted-string at value[*i] into out; advances *i. */
static void read_param_value(const char *value, size_t len, size_t *i, char *out, size_t cap)
{
    size_t n = 0, j = *i;
    if (j < len && value[j] == '"') {
        for (j++; j < len && value[j] != '"'; j++) {
            if (value[j] == '\\' && j + 1 < len) j++;
            if (n + 1 < cap) out[n++] = value[j];
        }
        if (j < len) j++; /* the closing quote */
    } else {
        for (; j < len && value[j] != ',' && !is_ows(value[j]); j++)
            if (n + 1 < cap) out[n++] = value[j];
    }
    out[n] = '\0';
    *i = j;
}

int check_challenge_param(const char *value, size_t len, const char *param, char *out, size_t cap)
{
    size_t i = 0;
    out[0] = '\0';
    while (i < len) {
        /* A name: the scheme, or an auth-param when '=' follows it. */
        while (i < len && (is_ows(value[i]) || value[i] == ',')) i++;
        size_t start = i;
        while (i < len && is_tchar((unsigned char)value[i])) i++;
        size_t end = i;
        while (i < len && is_ows(value[i])) i++;
        if (end > start && i < len && value[i] == '=') {
            i++;
            while (i < len && is_ows(value[i])) i++;
            char tmp[2];
            int want = same_ci(value + start, end - start, param);
            read_param_value(value, len, &i, want ? out : tmp, want ? cap : sizeof tmp);
            if (want) return 1;
        } else if (end == start) {
            i++; /* a byte that starts nothing: step over it */
        }
    }
    out[0] = '\0';
    return 0;
}

/* Signs of internals in an error body. Each needle is specific enough not
 * to meet an ordinary message: a request path echoed back ("path":
 * "/invoices") is not a file path, so only system folders count. */
static const check_leak leaks[] = {
    {"stack trace", "Traceback (most recent call last)"},
    {"stack trace", "\n    at "},
    {"stack trace", "\n\tat "},
    {"stack trace", "\\n    at "},
    {"stack trace", "&nbsp;at "},
    {"stack trace", "at JSON.parse"},
    {"stack trace", "Exception in thread"},
    {"stack trace", "goroutine "},
    {"stack trace", "panic: "},
    {"stack trace", "Stack trace:"},
    {"stack trace", "NullPointerException"},
    {"file path", "node_modules/"},
    {"file path", "/usr/share/"},
    {"file path", "/usr/lib/"},
    {"file path", "/usr/local/"},
    {"file path", "/home/"},
    {"file path", "/var/www/"},
    {"file path", "/opt/"},
    {"file path", "site-packages/"},
    {"file path", "C:\\"},
    {"file path", ".php on line"},
    {"SQL", "SQLSTATE"},
    {"SQL", "syntax error at or near"},
    {"SQL", "You have an error in your SQL syntax"},
    {"SQL", "ORA-0"},
    {"SQL", "SQLITE_"},
    {"SQL", "sqlite3."},
    {"SQL", "SELECT * FROM"},
    {"debug page", "Werkzeug Debugger"},
    {"debug page", "Whoops, looks like something went wrong"},
    {"debug page", "DEBUG = True"},
    {"debug page", "Django Version:"},
};

/* memmem() is a GNU extension; this is the portable few lines. */
static const char *find(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    if (k == 0 || k > n) return NULL;
    for (size_t i = 0; i + k <= n; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, k) == 0) return hay + i;
    return NULL;
}

int check_leak_find(check_leak *out, const char *body, size_t len)
{
    for (size_t i = 0; i < sizeof leaks / sizeof leaks[0]; i++) {
        if (find(body, len, leaks[i].needle)) {
            *out = leaks[i];
            return 1;
        }
    }
    return 0;
}

size_t check_quote(char *dst, size_t cap, const char *src, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)src[i];
        size_t need = c >= 0x20 && c < 0x7f ? 1 : 4;
        if (n + need + 4 > cap) { /* room for "..." and the NUL */
            memcpy(dst + n, "...", 3);
            n += 3;
            break;
        }
        if (need == 1) {
            dst[n++] = (char)c;
        } else {
            dst[n++] = '\\', dst[n++] = 'x', dst[n++] = hex[c >> 4], dst[n++] = hex[c & 15];
        }
    }
    dst[n] = '\0';
    return n;
}
