/* Header parsers: Retry-After, HTTP-dates, rate limits, request ids,
 * durations. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apierr.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Sun, 06 Nov 1994 08:49:37 GMT, RFC 9110's example. */
#define RFC_EXAMPLE_MS 784111777000LL

/* Calls parse on an exact-size heap copy of s, so ASan sees any read past
 * len (the value is never NUL-terminated). */
typedef int (*parse_fn)(long long *out, const char *v, size_t len, long long now);

static int on_copy(parse_fn parse, long long *out, const char *s, size_t len, long long now)
{
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, s, len);
    int rc = parse(out, copy, len, now);
    free(copy);
    return rc;
}

static int retry_after(long long *out, const char *s, long long now)
{
    return on_copy(apierr_retry_after_parse, out, s, strlen(s), now);
}

static int date_parse(long long *out, const char *v, size_t len, long long now)
{
    (void)now;
    return apierr_http_date_parse(out, v, len);
}

static int duration_parse(long long *out, const char *v, size_t len, long long now)
{
    (void)now;
    return apierr_duration_parse(out, v, len);
}

static int duration(long long *out, const char *s)
{
    return on_copy(duration_parse, out, s, strlen(s), 0);
}

/* --- Retry-After ------------------------------------------------------------ */

static void test_retry_after_seconds(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        long long ms;
    } ok[] = {
        {"120", 120000},
        {"0", 0},
        {" 7\t", 7000},
        {"\t\t3  \r\n", 3000},
        {"0005", 5000},
        {"9223372036854775", 9223372036854775000LL}, /* the largest that fits in ms */
        {"000000000000000000000000000001", 1000},    /* leading zeros do not overflow */
        /* Decimals (Microsoft Graph): rounded up to the millisecond. */
        {"2.128", 2128},
        {"1.5", 1500},
        {"0.0001", 1},
        {"0.000", 0},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        long long ms = -42;
        assert_int_equal(retry_after(&ms, ok[i].in, 0), APIERR_OK);
        assert_int_equal(ms, ok[i].ms);
    }
    /* The value ends at len, not at a NUL. */
    long long ms = -1;
    assert_int_equal(on_copy(apierr_retry_after_parse, &ms, "42abc", 2, 0), APIERR_OK);
    assert_int_equal(ms, 42000);
}

static void test_retry_after_junk(void **state)
{
    (void)state;
    static const char *const junk[] = {
        "",
        " ",
        "\t\r\n",
        "-5",
        "+5",
        "1.",
        ".5",
        "1.5.5",
        "1,5",
        "12a",
        "30s",
        "1 2",
        "0x10",
        "abc",
        "\xff",
        "Sun",
        "Sun, 06 Nov 1994",
        "1e3",
        "5,",
        ("\0"
         "5"), /* a NUL first: the value ends there */
    };
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        long long ms = -42;
        assert_int_equal(retry_after(&ms, junk[i], RFC_EXAMPLE_MS), APIERR_EPARSE);
        assert_int_equal(ms, -42); /* untouched */
    }
    /* An embedded NUL is junk, whatever follows. */
    long long ms;
    assert_int_equal(on_copy(apierr_retry_after_parse, &ms,
                             "5\0"
                             "0",
                             3, 0),
                     APIERR_EPARSE);
}

static void test_retry_after_huge(void **state)
{
    (void)state;
    static const char *const huge[] = {
        "9223372036854776",
        "9223372036854775807",
        "99999999999999999999999999999999",
    };
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        long long ms = -42;
        assert_int_equal(retry_after(&ms, huge[i], 0), APIERR_ERANGE);
        assert_int_equal(ms, -42);
    }
}

static void test_retry_after_dates(void **state)
{
    (void)state;
    static const char *const forms[] = {
        "Sun, 06 Nov 1994 08:49:37 GMT",  /* IMF-fixdate */
        "Sunday, 06-Nov-94 08:49:37 GMT", /* RFC 850 */
        "Sun Nov  6 08:49:37 1994",       /* asctime */
        "  Sun, 06 Nov 1994 08:49:37 GMT\t",
        "sun, 06 nov 1994 08:49:37 gmt", /* names without case */
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        long long ms = -42;
        assert_int_equal(retry_after(&ms, forms[i], RFC_EXAMPLE_MS - 5000), APIERR_OK);
        assert_int_equal(ms, 5000);
        /* A date in the past, or now, means no wait. */
        assert_int_equal(retry_after(&ms, forms[i], RFC_EXAMPLE_MS + 1), APIERR_OK);
        assert_int_equal(ms, 0);
        assert_int_equal(retry_after(&ms, forms[i], RFC_EXAMPLE_MS), APIERR_OK);
        assert_int_equal(ms, 0);
        /* Without a clock a date cannot become a delay. */
        ms = -42;
        assert_int_equal(retry_after(&ms, forms[i], 0), APIERR_EINVAL);
        assert_int_equal(retry_after(&ms, forms[i], -1), APIERR_EINVAL);
        assert_int_equal(ms, -42);
    }
}

/* --- HTTP-dates ---------------------------------------------------------------- */

static long long date(const char *s)
{
    long long ms = -42;
    int rc = on_copy(date_parse, &ms, s, strlen(s), 0);
    return rc == APIERR_OK ? ms : rc;
}

static void test_http_date_known(void **state)
{
    (void)state;
    assert_int_equal(date("Sun, 06 Nov 1994 08:49:37 GMT"), RFC_EXAMPLE_MS);
    assert_int_equal(date("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
    assert_int_equal(date("Wed, 31 Dec 1969 23:59:59 GMT"), -1000);
    assert_int_equal(date("Tue, 29 Feb 2000 12:00:00 GMT"), 951825600000LL);
    assert_int_equal(date("Sat, 01 Jan 2000 00:00:00 GMT"), 946684800000LL);
    assert_int_equal(date("Tue, 19 Jan 2038 03:14:08 GMT"), 2147483648000LL);
    assert_int_equal(date("Fri, 31 Dec 9999 23:59:59 GMT"), 253402300799000LL);
    /* RFC 850 two-digit years: below 70 is this century. */
    assert_int_equal(date("Monday, 01-Jan-01 00:00:00 GMT"), 978307200000LL);
    assert_int_equal(date("Thursday, 01-Jan-70 00:00:00 GMT"), 0);
    /* asctime with a two-digit day. */
    assert_int_equal(date("Wed Nov 16 08:49:37 1994"), RFC_EXAMPLE_MS + 10 * 86400000LL);
    /* A leap second reads as the next second. */
    assert_int_equal(date("Sat, 31 Dec 2016 23:59:60 GMT"), 1483228800000LL);
}

static void test_http_date_junk(void **state)
{
    (void)state;
    static const char *const junk[] = {
        "Sun, 31 Feb 1994 08:49:37 GMT", /* no such day */
        "Mon, 29 Feb 2100 08:49:37 GMT", /* 2100 is not a leap year */
        "Sun, 00 Nov 1994 08:49:37 GMT",    "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:37 GMT",    "Sun, 06 Nov 1994 08:49:61 GMT",
        "Sun, 06 Nov 1994 08:49:37 UTC",    "Sun, 06 Nov 1994 08:49:37 GMT+1",
        "Sun, 06 Nox 1994 08:49:37 GMT",    "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 6 Nov 1994 08:49:37 GMT",     "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun,06 Nov 1994 08:49:37 GMT",     "Sun, 06 Nov 1994 8:49:37 GMT",
        "Sunday, 06-Nov-1994 08:49:37 GMT", "Sun Nov 6 08:49:37 1994",
        "Sun Nov  6 08:49:37 94",           "Sun, 06 Nov 1994 08:49:37 GMT GMT",
        "Sun, -6 Nov 1994 08:49:37 GMT",    "",
    };
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
        assert_int_equal(date(junk[i]), APIERR_EPARSE);

    /* Every proper prefix of every valid form is junk, and no parse reads
     * past its length. */
    static const char *const forms[] = {
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
    };
    for (size_t f = 0; f < 3; f++)
        for (size_t len = 0; len < strlen(forms[f]); len++) {
            long long ms;
            assert_int_equal(on_copy(date_parse, &ms, forms[f], len, 0), APIERR_EPARSE);
        }
}

static void test_http_date_format(void **state)
{
    (void)state;
    char buf[30];
    static const struct {
        long long ms;
        const char *text;
    } known[] = {
        {0, "Thu, 01 Jan 1970 00:00:00 GMT"},
        {RFC_EXAMPLE_MS + 999, "Sun, 06 Nov 1994 08:49:37 GMT"},
        {951825600000LL, "Tue, 29 Feb 2000 12:00:00 GMT"},
        {1709164800000LL, "Thu, 29 Feb 2024 00:00:00 GMT"},
        {-5000, "Thu, 01 Jan 1970 00:00:00 GMT"},     /* clamped */
        {LLONG_MAX, "Fri, 31 Dec 9999 23:59:59 GMT"}, /* clamped */
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        memset(buf, 'x', sizeof buf);
        assert_int_equal(apierr_http_date_format(buf, known[i].ms), 29);
        assert_string_equal(buf, known[i].text);
    }
    /* Round trip over 1970..9999 in uneven steps. */
    for (long long ms = 0; ms < 253402300799000LL; ms += 86400000LL * 7919 + 3601007) {
        assert_int_equal(apierr_http_date_format(buf, ms), 29);
        assert_int_equal(date(buf), ms / 1000 * 1000);
    }
}

/* --- rate limits ------------------------------------------------------------- */

#define NOW 1700000000000LL

static void assert_rl(const apierr_ratelimit *rl, long long limit, long long remaining,
                      long long reset_ms, long long window_ms)
{
    assert_int_equal(rl->limit, limit);
    assert_int_equal(rl->remaining, remaining);
    assert_int_equal(rl->reset_ms, reset_ms);
    assert_int_equal(rl->window_ms, window_ms);
}

#define RL_PARSE(rl, now, ...)                               \
    (rl_parse(rl, now, (const apierr_header[]){__VA_ARGS__}, \
              sizeof((const apierr_header[]){__VA_ARGS__}) / sizeof(apierr_header)))

static int rl_parse(apierr_ratelimit *rl, long long now, const apierr_header *h, size_t n)
{
    *rl = (apierr_ratelimit){7, 7, 7, 7}; /* must be overwritten entirely */
    return apierr_ratelimit_parse(rl, h, n, now);
}

static void test_ratelimit_structured(void **state)
{
    (void)state;
    apierr_ratelimit rl;
    assert_int_equal(RL_PARSE(&rl, NOW, {"RateLimit", "\"default\";r=50;t=30"},
                              {"RateLimit-Policy", "\"default\";q=100;w=60"}),
                     APIERR_OK);
    assert_rl(&rl, 100, 50, 30000, 60000);

    /* Several policies: the fewest remaining wins, and its policy is found
     * by name wherever it is in the list. */
    assert_int_equal(RL_PARSE(&rl, NOW, {"ratelimit", "\"daily\";r=900;t=3600, \"burst\";r=5;t=1"},
                              {"RATELIMIT-POLICY", "\"daily\";q=1000;w=86400, \"burst\";q=10;w=1"}),
                     APIERR_OK);
    assert_rl(&rl, 10, 5, 1000, 1000);

    /* A field sent as two lines is one list. */
    assert_int_equal(RL_PARSE(&rl, NOW, {"RateLimit", "\"burst\";r=5;t=1"},
                              {"RateLimit", "\"hour\";r=0;t=1800"},
                              {"RateLimit-Policy", "\"burst\";q=10;w=1"},
                              {"RateLimit-Policy", "\"hour\";q=500;w=3600"}),
                     APIERR_OK);
    assert_rl(&rl, 500, 0, 1800000, 3600000);

    /* Equal remaining: the longer wait is the more restrictive. */
    assert_int_equal(
        RL_PARSE(&rl, NOW, {"RateLimit", "\"a\";r=0;t=2, \"b\";r=0;t=9, \"c\";r=0;t=3"}),
        APIERR_OK);
    assert_rl(&rl, -1, 0, 9000, -1);

    /* Other parameters (partition key, quota units) and decimals are read
     * past; a token names a policy too. */
    assert_int_equal(RL_PARSE(&rl, NOW, {"RateLimit", "day;r=3;t=0.5;pk=:cHsdsRa894==:"},
                              {"RateLimit-Policy", "day;q=4;qu=\"requests\";w=86400;pk=:AA==:"}),
                     APIERR_OK);
    assert_rl(&rl, 4, 3, 500, 86400000);

    /* A policy whose name matches nothing adds nothing. */
    assert_int_equal(
        RL_PARSE(&rl, NOW, {"RateLimit", "\"a\";r=1"}, {"RateLimit-Policy", "\"b\";q=10;w=60"}),
        APIERR_OK);
    assert_rl(&rl, -1, 1, -1, -1);
}

static void test_ratelimit_dictionary(void **state)
{
    (void)state;
    apierr_ratelimit rl;
    assert_int_equal(RL_PARSE(&rl, NOW, {"RateLimit", "limit=100, remaining=50, reset=30"}),
                     APIERR_OK);
    assert_rl(&rl, 100, 50, 30000, -1);
    assert_int_equal(RL_PARSE(&rl, NOW, {"RateLimit", "limit=100,remaining=0,\treset=5"},
                              {"RateLimit-Policy", "100;w=60, 1000;w=3600"}),
                     APIERR_OK);
    assert_rl(&rl, 100, 0, 5000, 60000);
}

static void test_ratelimit_separate(void **state)
{
    (void)state;
    apierr_ratelimit rl;
    assert_int_equal(RL_PARSE(&rl, NOW, {"RateLimit-Limit", "100, 10;w=1, 100;w=60"},
                              {"RateLimit-Remaining", "7"}, {"RateLimit-Reset", "12"}),
                     APIERR_OK);
    assert_rl(&rl, 100, 7, 12000, 60000);

    /* X-RateLimit-Reset: seconds, epoch seconds, epoch ms, fractional epoch,
     * an epoch in the past, an HTTP-date. */
    static const struct {
        const char *reset;
        long long now, ms;
    } resets[] = {
        {"30", NOW, 30000},
        {"1700000030", NOW, 30000},
        {"1700000030000", NOW, 30000},
        {"1700000000.250", NOW, 250},
        {"1600000000", NOW, 0},
        {"1700000030", 0, -1}, /* an epoch needs a clock */
        {"30", 0, 30000},
        {"Tue, 14 Nov 2023 22:13:50 GMT", NOW, 30000},
    };
    for (size_t i = 0; i < sizeof resets / sizeof resets[0]; i++) {
        assert_int_equal(RL_PARSE(&rl, resets[i].now, {"X-RateLimit-Limit", "60"},
                                  {"X-RateLimit-Remaining", "59"},
                                  {"X-RateLimit-Reset", resets[i].reset}),
                         APIERR_OK);
        assert_rl(&rl, 60, 59, resets[i].ms, -1);
    }
    assert_int_equal(RL_PARSE(&rl, NOW, {"x-rate-limit-remaining", " 3 "}), APIERR_OK);
    assert_rl(&rl, -1, 3, -1, -1);
}

static void test_ratelimit_preference(void **state)
{
    (void)state;
    apierr_ratelimit rl;
    /* The structured field wins; the older headers fill what it lacks. */
    assert_int_equal(RL_PARSE(&rl, NOW, {"X-RateLimit-Remaining", "99"},
                              {"X-RateLimit-Limit", "1000"}, {"RateLimit", "\"d\";r=1;t=2"},
                              {"RateLimit-Remaining", "98"}),
                     APIERR_OK);
    assert_rl(&rl, 1000, 1, 2000, -1);
    /* A malformed RateLimit line is ignored as a whole. */
    assert_int_equal(
        RL_PARSE(&rl, NOW, {"RateLimit", "\"d\";r=1;t=2,"}, {"X-RateLimit-Remaining", "99"}),
        APIERR_OK);
    assert_rl(&rl, -1, 99, -1, -1);
}

static void test_ratelimit_none(void **state)
{
    (void)state;
    apierr_ratelimit rl;
    assert_int_equal(apierr_ratelimit_parse(&rl, NULL, 0, NOW), APIERR_ENOTFOUND);
    assert_rl(&rl, -1, -1, -1, -1);
    assert_int_equal(RL_PARSE(&rl, NOW, {"Content-Type", "text/plain"}, {NULL, "x"},
                              {"RateLimit", NULL}, {"RateLimit", "\"d\";r=-1;t=-2"},
                              {"RateLimit", "\"d\";q=5"}, {"X-RateLimit-Limit", "ten"},
                              {"X-RateLimit-Remaining", "1.5"}, {"X-RateLimit-Reset", "-3"}),
                     APIERR_ENOTFOUND);
    assert_rl(&rl, -1, -1, -1, -1);
}

/* Every name the parse reads is found in any case, last behind headers
 * whose names begin alike (the parse tells most names apart at their first
 * bytes before it compares them); names that only look alike are none. */
static void test_ratelimit_names(void **state)
{
    (void)state;
    static const struct {
        const char *name, *value;
    } read[] = {
        {"RateLimit", "\"d\";r=5"},     {"rATElIMIT-pOLICY", "\"d\";q=9;w=60"},
        {"RATELIMIT-LIMIT", "5"},       {"ratelimit-remaining", "5"},
        {"RateLimit-Reset", "5"},       {"x-ratelimit-limit", "5"},
        {"X-RATELIMIT-REMAINING", "5"}, {"X-RateLimit-Reset", "5"},
        {"x-Rate-Limit-Limit", "5"},    {"X-RATE-LIMIT-REMAINING", "5"},
        {"x-rate-limit-reset", "5"},
    };
    static const char *const near[] = {"Rate",
                                       "RateLimi",
                                       "Retry-After",
                                       "X-RateLimit",
                                       "X-Rate-Limit",
                                       "X-Request-Id",
                                       "XRateLimit-Limit",
                                       "X_RateLimit_Limit",
                                       "Rate-Limit",
                                       "X-Ratelimits",
                                       "",
                                       "R"};
    size_t nn = sizeof near / sizeof near[0];
    for (size_t i = 0; i < sizeof read / sizeof read[0]; i++) {
        apierr_header h[16];
        for (size_t j = 0; j < nn; j++) h[j] = (apierr_header){near[j], "5"};
        h[nn] = (apierr_header){read[i].name, read[i].value};
        apierr_ratelimit rl;
        assert_int_equal(rl_parse(&rl, NOW, h, nn + 1), APIERR_OK);
        assert_int_equal(rl_parse(&rl, NOW, h, nn), APIERR_ENOTFOUND);
        assert_rl(&rl, -1, -1, -1, -1);
    }
}

static void test_ratelimit_field_junk(void **state)
{
    (void)state;
    static const char *const junk[] = {
        "",
        "  ",
        "\"d\";r=",
        "\"d\";r=1,",
        ",\"d\";r=1",
        "\"d\";R=1", /* keys are lowercase */
        "\"d\";r=1;;t=2",
        "\"unterminated;r=1",
        "\"bad\\escape\";r=1",
        "\"ctl\x01\";r=1",
        "\"d\";r=1234567890123456", /* 16 digits */
        "\"d\";t=1.2345",
        "\"d\";t=1.",
        "\"d\";r=--1",
        "\"d\" \"e\";r=1",
        "(\"a\" \"b\";r=1",
        "\"d\";pk=:not base64!:",
        "\"d\";r=?2",
        "limit=100, remaining=",
        "\xc3\xa9;r=1",
    };
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        apierr_ratelimit rl = {1, 2, 3, 4};
        assert_int_equal(apierr_ratelimit_field_parse(&rl, junk[i], strlen(junk[i])),
                         APIERR_EPARSE);
        assert_rl(&rl, 1, 2, 3, 4);
        assert_int_equal(apierr_ratelimit_policy_parse(&rl, junk[i], strlen(junk[i])),
                         APIERR_EPARSE);
        assert_rl(&rl, 1, 2, 3, 4);
    }
}

static void test_ratelimit_field_partial(void **state)
{
    (void)state;
    apierr_ratelimit rl = {7, -1, -1, 9};
    /* Members the value does not state are left alone. */
    assert_int_equal(apierr_ratelimit_field_parse(&rl, "\"x\";r=3", 7), APIERR_OK);
    assert_rl(&rl, 7, 3, -1, 9);
    /* Valid syntax with nothing to say. */
    assert_int_equal(apierr_ratelimit_field_parse(&rl, "\"x\";foo=1, (a b);c, ?1", 22),
                     APIERR_ENOTFOUND);
    assert_rl(&rl, 7, 3, -1, 9);
    /* Not NUL-terminated: the parse stops at len. */
    const char *v = "\"x\";r=3;t=12345";
    assert_int_equal(apierr_ratelimit_field_parse(&rl, v, 12), APIERR_OK);
    assert_rl(&rl, 7, 3, 12000, 9);
    apierr_ratelimit pol = APIERR_RATELIMIT_INIT;
    assert_int_equal(apierr_ratelimit_policy_parse(&pol, "\"a\";q=5;w=10, \"b\";q=1", 21),
                     APIERR_OK);
    assert_rl(&pol, 5, -1, -1, 10000);
}

/* --- request ids and header lookup --------------------------------------------- */

static void test_request_id(void **state)
{
    (void)state;
    /* Preference follows the table, not the order of the headers. */
    const apierr_header h[] = {
        {"X-Correlation-Id", "corr"},
        {"x-amzn-requestid", "amzn"},
        {"X-Request-Id", ""},
        {"request-id", "generic"},
        {"Cf-Ray", "ray"},
    };
    assert_string_equal(apierr_request_id_find(h, 5), "generic");
    assert_string_equal(apierr_request_id_find(h, 3), "amzn");
    assert_string_equal(apierr_request_id_find(h, 1), "corr");
    assert_null(apierr_request_id_find(h + 2, 1)); /* empty is absent */
    assert_null(apierr_request_id_find(NULL, 0));
    const apierr_header gh[] = {{"X-GitHub-Request-Id", "gh"}, {"Cf-Ray", "ray"}};
    assert_string_equal(apierr_request_id_find(gh, 2), "gh");
    assert_string_equal(apierr_request_id_find(gh + 1, 1), "ray");
    /* Vendors' own names end like the generic ones (Shopify, Box, Slack,
     * HubSpot, Dropbox): after the known names, before the edge's ray. */
    const apierr_header v[] = {
        {"Cf-Ray", "ray"}, {"Content-Type", "application/json"}, {"X-Shopify-Request-Id", "shop"}};
    assert_string_equal(apierr_request_id_find(v, 3), "shop");
    const apierr_header w[] = {{"box-request-id", "box"}, {"X-Request-Id", "generic"}};
    assert_string_equal(apierr_request_id_find(w, 2), "generic");
    assert_string_equal(apierr_request_id_find(w, 1), "box");
    const apierr_header x[] = {{"X-Slack-Req-Id", "slack"}};
    assert_string_equal(apierr_request_id_find(x, 1), "slack");
    const apierr_header y[] = {{"X-HubSpot-Correlation-Id", "hub"}};
    assert_string_equal(apierr_request_id_find(y, 1), "hub");
    const apierr_header z[] = {{"X-Request-Ids-Seen", "no"}, {"Request", "no"}};
    assert_null(apierr_request_id_find(z, 2));
}

static void test_header_find(void **state)
{
    (void)state;
    const apierr_header h[] = {
        {NULL, "x"},
        {"Retry-After", NULL},
        {"retry-after", "1"},
        {"RETRY-AFTER", "2"},
    };
    assert_string_equal(apierr_header_find(h, 4, "Retry-After"), "1");
    assert_null(apierr_header_find(h, 2, "Retry-After"));
    assert_null(apierr_header_find(h, 4, "Retry"));
}

/* --- durations ---------------------------------------------------------------- */

/* The find, which tells most names apart at their first byte before it
 * calls strcasecmp(), answers as strcasecmp() over every header would: on
 * first bytes apart by case only, by the case bit only outside letters
 * ('@' and '`', '[' and '{'), above 127 (Latin-1's letters differ by 32
 * too), empty names. */
static void test_header_find_first_byte(void **state)
{
    (void)state;
    static const char *const names[] = {
        "Retry-After",  "retry-after",  "RETRY-AFTER",  "Cf-Ray",       "cF-rAY", "@x", "`x",
        "[x",           "{x",           "\xc0x",        "\xe0x",        "",       "R",  "r",
        "X-Request-Id", "x-request-id", "Content-Type", "content-type", "\x7f",   "_",  "\x7f\x7f",
    };
    size_t n = sizeof names / sizeof names[0];
    apierr_header h[sizeof names / sizeof names[0]];
    for (size_t i = 0; i < n; i++) h[i] = (apierr_header){names[i], names[(i + 1) % n]};
    for (size_t start = 0; start < n; start++) {
        for (size_t w = 0; w < n; w++) {
            const char *want = NULL;
            for (size_t i = start; i < n && !want; i++)
                if (strcasecmp(h[i].name, names[w]) == 0) want = h[i].value;
            assert_ptr_equal(apierr_header_find(h + start, n - start, names[w]), want);
        }
    }
}

static void test_duration(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        long long ms;
    } ok[] = {
        {"30s", 30000},
        {"1.5s", 1500},
        {"0.250s", 250},
        {"30", 30000},
        {"0s", 0},
        {" 2s\t", 2000},
        {"0.0001s", 1}, /* finer than a ms rounds up */
        {"250ms", 250},
        {"1.5ms", 2},
        {"0.000000001s", 1},
        {"3.000000000000s", 3000},
        {"1.0000000001s", 1001},
        {"9223372036854775.807s", LLONG_MAX},
        {"9223372036854775807ms", LLONG_MAX},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        long long ms = -42;
        assert_int_equal(duration(&ms, ok[i].in), APIERR_OK);
        assert_int_equal(ms, ok[i].ms);
    }
    static const char *const junk[] = {
        "",     "s",     "ms",     "1.s",  ".5s", "-1s", "+1s",  "1.5x", "1 s",  "abc",
        "1e3s", "1..5s", "1.5.5s", "1sms", "1m",  "1h",  "0x10", " ",    "1 ms", "s1",
    };
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        long long ms = -42;
        assert_int_equal(duration(&ms, junk[i]), APIERR_EPARSE);
        assert_int_equal(ms, -42);
    }
    long long ms;
    assert_int_equal(duration(&ms, "99999999999999999999s"), APIERR_ERANGE);
    assert_int_equal(duration(&ms, "9223372036854775.808s"), APIERR_ERANGE);
    assert_int_equal(duration(&ms, "9223372036854775808ms"), APIERR_ERANGE);
    assert_int_equal(on_copy(duration_parse, &ms, "15sXYZ", 3, 0), APIERR_OK);
    assert_int_equal(ms, 15000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retry_after_seconds),
        cmocka_unit_test(test_retry_after_junk),
        cmocka_unit_test(test_retry_after_huge),
        cmocka_unit_test(test_retry_after_dates),
        cmocka_unit_test(test_http_date_known),
        cmocka_unit_test(test_http_date_junk),
        cmocka_unit_test(test_http_date_format),
        cmocka_unit_test(test_ratelimit_structured),
        cmocka_unit_test(test_ratelimit_dictionary),
        cmocka_unit_test(test_ratelimit_separate),
        cmocka_unit_test(test_ratelimit_preference),
        cmocka_unit_test(test_ratelimit_none),
        cmocka_unit_test(test_ratelimit_names),
        cmocka_unit_test(test_ratelimit_field_junk),
        cmocka_unit_test(test_ratelimit_field_partial),
        cmocka_unit_test(test_request_id),
        cmocka_unit_test(test_header_find),
        cmocka_unit_test(test_header_find_first_byte),
        cmocka_unit_test(test_duration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
