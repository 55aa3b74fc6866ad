/*
 * Retry-After and HTTP-dates (RFC 9110 5.6.7, 10.2.3). Dates are computed
 * with integer civil-calendar arithmetic, not timegm()/strptime(): those
 * depend on TZ and the locale, and a library must not.
 */
#include "headers_impl.h"

#include <limits.h>
#include <string.h>

#define MS_PER_DAY 86400000LL

static const char *const wkdays[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                      "Thursday", "Friday", "Saturday"};
static const char *const months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Days since 1970-01-01 of a proleptic Gregorian date; m is 1..12. Works in
 * 400-year eras (146097 days), where the calendar repeats exactly. */
static long long days_from_civil(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;                                   /* 0..399 */
    long long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* from March 1 */
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* 0..146096 */
    return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil(). */
static void civil_from_days(long long z, long long *y, int *m, int *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(long long y, int m)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return dim[m - 1] + (m == 2 && leap);
}

/* A cursor over the bytes of a date; every step checks the bound. */
typedef struct scan {
    const char *s;
    size_t i, n;
} scan;

static int lower(char c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Consumes the exact literal t (ASCII letters compared without case). */
static int lit(scan *c, const char *t)
{
    size_t k = strlen(t);
    if (c->n - c->i < k) return 0;
    for (size_t j = 0; j < k; j++)
        if (lower(c->s[c->i + j]) != lower(t[j])) return 0;
    c->i += k;
    return 1;
}

/* Consumes exactly `digits` decimal digits into *out. */
static int num(scan *c, size_t digits, int *out)
{
    if (c->n - c->i < digits) return 0;
    int v = 0;
    for (size_t j = 0; j < digits; j++) {
        char ch = c->s[c->i + j];
        if (ch < '0' || ch > '9') return 0;
        v = v * 10 + (ch - '0');
    }
    c->i += digits;
    *out = v;
    return 1;
}

/* Consumes the name of a month ("Nov") into *m, 1..12. */
static int month(scan *c, int *m)
{
    for (int k = 0; k < 12; k++)
        if (lit(c, months[k])) return *m = k + 1, 1;
    return 0;
}

/* Consumes a day name: the three-letter form, or the full one when full. */
static int wkday(scan *c, int full)
{
    for (int k = 0; k < 7; k++) {
        char abbr[4] = {wkdays[k][0], wkdays[k][1], wkdays[k][2], '\0'};
        if (lit(c, full ? wkdays[k] : abbr)) return 1;
    }
    return 0;
}

/* Consumes "HH:MM:SS" (a leap second 60 is allowed) into seconds of day. */
static int time_of_day(scan *c, long long *secs)
{
    int h, m, s;
    if (!num(c, 2, &h) || !lit(c, ":") || !num(c, 2, &m) || !lit(c, ":") || !num(c, 2, &s))
        return 0;
    if (h > 23 || m > 59 || s > 60) return 0;
    *secs = h * 3600LL + m * 60LL + s;
    return 1;
}

/*
 * The three forms of RFC 9110 5.6.7, told apart by what follows the day
 * name:
 *   IMF-fixdate  Sun, 06 Nov 1994 08:49:37 GMT
 *   RFC 850      Sunday, 06-Nov-94 08:49:37 GMT
 *   asctime      Sun Nov  6 08:49:37 1994
 * An RFC 850 two-digit year below 70 is 20xx, else 19xx: the convention of
 * every HTTP stack, since there is no clock here to compare with.
 */
static int parse_date(long long *out_ms, const char *s, size_t n)
{
    scan c = {s, 0, n}, abbr = c;
    int y = 0, m = 1, d = 1, ok;
    long long secs = 0;
    if (wkday(&abbr, 0) && lit(&abbr, ", ")) { /* IMF-fixdate */
        c = abbr;
        ok = num(&c, 2, &d) && lit(&c, " ") && month(&c, &m) && lit(&c, " ") && num(&c, 4, &y) &&
             lit(&c, " ") && time_of_day(&c, &secs) && lit(&c, " GMT");
    } else if (wkday(&c, 1) && lit(&c, ", ")) { /* RFC 850 */
        ok = num(&c, 2, &d) && lit(&c, "-") && month(&c, &m) && lit(&c, "-") && num(&c, 2, &y) &&
             lit(&c, " ") && time_of_day(&c, &secs) && lit(&c, " GMT");
        y += y < 70 ? 2000 : 1900;
    } else { /* asctime */
        c = (scan){s, 0, n};
        ok = wkday(&c, 0) && lit(&c, " ") && month(&c, &m) && lit(&c, " ") &&
             (lit(&c, " ") ? num(&c, 1, &d) : num(&c, 2, &d)) && lit(&c, " ") &&
             time_of_day(&c, &secs) && lit(&c, " ") && num(&c, 4, &y);
    }
    if (!ok || c.i != n || d < 1 || d > days_in_month(y, m)) return APIERR_EPARSE;
    *out_ms = days_from_civil(y, m, d) * MS_PER_DAY + secs * 1000;
    return APIERR_OK;
}

int apierr_http_date_parse(long long *out_ms, const char *value, size_t len)
{
    apierr__trim_ows(&value, &len);
    return parse_date(out_ms, value, len);
}

/* Latest instant with a four-digit year: 9999-12-31T23:59:59.999Z. */
#define MAX_FORMAT_MS (days_from_civil(10000, 1, 1) * MS_PER_DAY - 1)

size_t apierr_http_date_format(char *buf, long long unix_ms)
{
    static const char *const wk[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    /* Clamped to 1970..9999, so the result is always 29 bytes. */
    if (unix_ms < 0) unix_ms = 0;
    if (unix_ms > MAX_FORMAT_MS) unix_ms = MAX_FORMAT_MS;
    long long days = unix_ms / MS_PER_DAY, secs = unix_ms % MS_PER_DAY / 1000, y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    char *p = buf;
    memcpy(p, wk[(days + 4) % 7], 3); /* 1970-01-01 was a Thursday */
    p += 3;
    *p++ = ',';
    *p++ = ' ';
    *p++ = (char)('0' + d / 10);
    *p++ = (char)('0' + d % 10);
    *p++ = ' ';
    memcpy(p, months[m - 1], 3);
    p += 3;
    *p++ = ' ';
    for (long long div = 1000; div; div /= 10) *p++ = (char)('0' + y / div % 10);
    *p++ = ' ';
    const long long hms[3] = {secs / 3600, secs / 60 % 60, secs % 60};
    for (int k = 0; k < 3; k++) {
        if (k) *p++ = ':';
        *p++ = (char)('0' + hms[k] / 10);
        *p++ = (char)('0' + hms[k] % 10);
    }
    memcpy(p, " GMT", 5);
    return (size_t)(p + 4 - buf);
}

int apierr_retry_after_parse(long long *out_ms, const char *value, size_t len, long long now_ms)
{
    apierr__trim_ows(&value, &len);
    if (len && value[0] >= '0' && value[0] <= '9') {
        /* delay-seconds = 1*DIGIT, and decimals ("2.128": Microsoft Graph
         * sends them) rounded up to the millisecond; "30s" stays junk. */
        return apierr__decimal_ms(out_ms, value, len, 1000, 1);
    }
    long long at;
    int rc = parse_date(&at, value, len);
    if (rc) return rc;
    if (now_ms <= 0) return APIERR_EINVAL;
    *out_ms = at > now_ms ? at - now_ms : 0;
    return APIERR_OK;
}
