/* The growable buffer (internal): JSON string escaping, UTF-8 repair,
 * numbers, and the sticky out-of-memory flag. Escaped output is checked by
 * an independent JSON parser, jansson. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apierr.h"
#include "buf.h"

#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* s[0..n) as a JSON string literal, in a string the caller frees. */
static char *json_literal(const char *s, size_t n)
{
    apierr__buf b = APIERR__BUF_INIT;
    apierr__buf_json_strn(&b, s, n);
    char *out = apierr__buf_take(&b, NULL);
    assert_non_null(out);
    return out;
}

/* Parses a JSON string literal with jansson; returns its bytes and length. */
static char *json_value(const char *literal, size_t *len)
{
    json_error_t err;
    json_t *v = json_loads(literal, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!v) fail_msg("jansson rejects %s: %s", literal, err.text);
    assert_true(json_is_string(v));
    *len = json_string_length(v);
    char *copy = malloc(*len + 1);
    assert_non_null(copy);
    memcpy(copy, json_string_value(v), *len + 1);
    json_decref(v);
    return copy;
}

/* Escapes s[0..n), checks the exact literal when want is given, parses it
 * back and checks the value is `back` (s itself when NULL). */
static void check(const char *s, size_t n, const char *want, const char *back, size_t back_len)
{
    char *lit = json_literal(s, n);
    if (want) assert_string_equal(lit, want);
    size_t len;
    char *val = json_value(lit, &len);
    if (!back) back = s, back_len = n;
    assert_int_equal(len, back_len);
    assert_memory_equal(val, back, len);
    free(val);
    apierr_free(lit);
}

static void test_escapes(void **state)
{
    (void)state;
    check("plain", 5, "\"plain\"", NULL, 0);
    check("", 0, "\"\"", NULL, 0);
    check("a\"b\\c/d", 7, "\"a\\\"b\\\\c/d\"", NULL, 0);
    check("\n\r\t\b\f", 5, "\"\\n\\r\\t\\b\\f\"", NULL, 0);
    check("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\x7f\"", NULL, 0);
    check("a\0b", 3, "\"a\\u0000b\"", NULL, 0);
    /* Every control character survives the round trip. */
    char ctl[32];
    for (int c = 0; c < 32; c++) ctl[c] = (char)c;
    check(ctl, sizeof ctl, NULL, NULL, 0);
}

static void test_null(void **state)
{
    (void)state;
    apierr__buf b = APIERR__BUF_INIT;
    apierr__buf_json_str(&b, NULL);
    apierr__buf_putc(&b, ',');
    apierr__buf_json_str(&b, "x");
    char *out = apierr__buf_take(&b, NULL);
    assert_string_equal(out, "null,\"x\"");
    apierr_free(out);
}

static void test_utf8_kept(void **state)
{
    (void)state;
    static const char *const valid[] = {
        "\xc3\xa9t\xc3\xa9",                    /* é, 2 bytes */
        "\xe2\x82\xac 5",                       /* €, 3 bytes */
        "\xf0\x9f\x98\x80",                     /* U+1F600, 4 bytes */
        "\xef\xbf\xbf\xf4\x8f\xbf\xbf",         /* U+FFFF, U+10FFFF: the edges */
        "\xc2\x80\xe0\xa0\x80\xf0\x90\x80\x80", /* the smallest of each length */
        "\xed\x9f\xbf\xee\x80\x80",             /* around the surrogates */
    };
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        size_t n = strlen(valid[i]);
        char *lit = json_literal(valid[i], n);
        /* Kept byte for byte, not \u-escaped. */
        assert_int_equal(strlen(lit), n + 2);
        assert_memory_equal(lit + 1, valid[i], n);
        apierr_free(lit);
        check(valid[i], n, NULL, NULL, 0);
    }
}

#define FFFD "\xef\xbf\xbd"

static void test_utf8_repaired(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } bad[] = {
        {"\xff", FFFD},
        {"\x80", FFFD},                            /* lone continuation */
        {"a\xc3", "a" FFFD},                       /* cut short at the end */
        {"\xc3(", FFFD "("},                       /* cut short mid-string */
        {"\xc0\xaf", FFFD FFFD},                   /* overlong '/' */
        {"\xe0\x80\xaf", FFFD FFFD FFFD},          /* overlong, 3 bytes */
        {"\xed\xa0\x80", FFFD FFFD FFFD},          /* a UTF-16 surrogate */
        {"\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD}, /* beyond U+10FFFF */
        {"\xf8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD},
        {"ok\xfe"
         "\xc3\xa9",
         "ok" FFFD "\xc3\xa9"}, /* valid text after is kept */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "\"%s\"", bad[i].out);
        check(bad[i].in, strlen(bad[i].in), want, bad[i].out, strlen(bad[i].out));
    }
}

/* Whatever the bytes, the output is valid JSON; valid UTF-8 input comes back
 * unchanged. A fixed-seed generator keeps the test reproducible. */
static void test_random_bytes(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    for (int round = 0; round < 2000; round++) {
        char s[48];
        size_t n = (size_t)(round % (int)sizeof s);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            s[i] = (char)(seed >> 16);
        }
        char *lit = json_literal(s, n);
        size_t len;
        char *val = json_value(lit, &len);
        /* jansson validates UTF-8 too: when it accepts the input as-is, the
         * round trip must be exact. */
        json_t *direct = json_stringn(s, n);
        if (direct) {
            assert_int_equal(len, n);
            assert_memory_equal(val, s, n);
            json_decref(direct);
        }
        free(val);
        apierr_free(lit);
    }
}

static void test_numbers(void **state)
{
    (void)state;
    static const struct {
        long long v;
        const char *text;
    } nums[] = {
        {0, "0"},
        {-1, "-1"},
        {42, "42"},
        {LLONG_MAX, "9223372036854775807"},
        {LLONG_MIN, "-9223372036854775808"},
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        apierr__buf b = APIERR__BUF_INIT;
        apierr__buf_int(&b, nums[i].v);
        size_t len;
        char *out = apierr__buf_take(&b, &len);
        assert_string_equal(out, nums[i].text);
        assert_int_equal(len, strlen(nums[i].text));
        apierr_free(out);
    }
}

static void test_growth(void **state)
{
    (void)state;
    apierr__buf b = APIERR__BUF_INIT;
    char big[1000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    apierr__buf_printf(&b, "<%s|%d>", big, 7); /* longer than printf's stack buffer */
    for (int i = 0; i < 100; i++) apierr__buf_puts(&b, "0123456789");
    size_t len;
    char *out = apierr__buf_take(&b, &len);
    assert_int_equal(len, 1 + 999 + 3 + 1000);
    assert_int_equal(strlen(out), len);
    assert_memory_equal(out + 1000, "|7>0123", 7);
    apierr_free(out);
    assert_null(b.data); /* take resets the buffer */
    assert_int_equal(b.len, 0);
}

static int fail_allocs;
static void *failing_malloc(size_t n)
{
    return fail_allocs ? NULL : malloc(n);
}
static void *failing_realloc(void *p, size_t n)
{
    return fail_allocs ? NULL : realloc(p, n);
}

/* After one failed allocation every append is a no-op, and take hands out
 * nothing and frees what there was. */
static void test_sticky_oom(void **state)
{
    (void)state;
    apierr_set_alloc_funcs(failing_malloc, failing_realloc, free);
    apierr__buf b = APIERR__BUF_INIT;
    apierr__buf_puts(&b, "before");
    fail_allocs = 1;
    char big[600];
    memset(big, 'b', sizeof big);
    apierr__buf_append(&b, big, sizeof big);
    assert_true(b.oom);
    fail_allocs = 0;
    apierr__buf_puts(&b, "after"); /* would fit, but the flag sticks */
    apierr__buf_json_str(&b, "x");
    assert_true(b.oom);
    size_t len = 99;
    assert_null(apierr__buf_take(&b, &len));
    assert_int_equal(len, 0);
    assert_int_equal(b.oom, 0);
    apierr_set_alloc_funcs(NULL, NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escapes),      cmocka_unit_test(test_null),
        cmocka_unit_test(test_utf8_kept),    cmocka_unit_test(test_utf8_repaired),
        cmocka_unit_test(test_random_bytes), cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_growth),       cmocka_unit_test(test_sticky_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
