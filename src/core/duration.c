/* Durations as bodies write them (Google's "1.5s"), and the decimal reader
 * the header parsers share. */
#include "headers_impl.h"

#include <limits.h>
#include <string.h>

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int apierr__decimal_ms(long long *out_ms, const char *s, size_t n, long long unit_ms,
                       int allow_frac)
{
    size_t i = 0;
    long long whole = 0;
    int range = 0;
    if (!n || !is_digit(s[0])) return APIERR_EPARSE;
    for (; i < n && is_digit(s[i]); i++) {
        int d = s[i] - '0';
        /* Keep scanning after an overflow: junk later still means EPARSE. */
        if (whole > (LLONG_MAX - d) / 10)
            range = 1;
        else
            whole = whole * 10 + d;
    }
    /* The fraction as num / den of a unit, from at most 9 digits; a nonzero
     * digit beyond those still rounds up. */
    long long num = 0, den = 1;
    int finer = 0;
    if (i < n && s[i] == '.' && allow_frac) {
        if (++i == n || !is_digit(s[i])) return APIERR_EPARSE;
        for (; i < n && is_digit(s[i]); i++) {
            if (den < 1000000000LL)
                num = num * 10 + (s[i] - '0'), den *= 10;
            else if (s[i] != '0')
                finer = 1;
        }
    }
    if (i != n) return APIERR_EPARSE;
    if (range || whole > LLONG_MAX / unit_ms) return APIERR_ERANGE;
    long long frac = num * unit_ms / den;
    if (finer || frac * den != num * unit_ms) frac++;
    if (whole * unit_ms > LLONG_MAX - frac) return APIERR_ERANGE;
    *out_ms = whole * unit_ms + frac;
    return APIERR_OK;
}

/* Units a duration may carry; a bare number is seconds. Longest first, so
 * "ms" is not read as "m" followed by junk. */
static const struct {
    const char *suffix;
    size_t len;
    long long ms;
} units[] = {
    {"ms", 2, 1},
    {"s", 1, 1000},
};

int apierr_duration_parse(long long *out_ms, const char *value, size_t len)
{
    apierr__trim_ows(&value, &len);
    long long unit_ms = 1000;
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        size_t k = units[u].len;
        if (len > k && memcmp(value + len - k, units[u].suffix, k) == 0) {
            len -= k, unit_ms = units[u].ms;
            break;
        }
    }
    return apierr__decimal_ms(out_ms, value, len, unit_ms, 1);
}
