/* apierr_field_path_normalize(): every dialect's field paths to one dotted
 * form, with snprintf's truncation contract. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apierr.h"

#include <stdlib.h>
#include <string.h>

/* Normalizes an exact-size copy of the first len bytes of path (so ASan
 * sees a read past len) into a roomy buffer; returns the result. */
static const char *norm_n(const char *path, size_t len)
{
    static char out[256];
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, path, len);
    memset(out, 'x', sizeof out);
    size_t n = apierr_field_path_normalize(out, sizeof out, copy, len);
    free(copy);
    assert_true(n < sizeof out);
    assert_int_equal(strlen(out), n);
    return out;
}

static const char *norm(const char *path)
{
    return norm_n(path, strlen(path));
}

static const struct {
    const char *in, *out;
} cases[] = {
    /* The four spellings of one path. */
    {"items[0].price", "items.0.price"},
    {"/items/0/price", "items.0.price"},
    {"#/items/0/price", "items.0.price"},
    {"$.items[0].price", "items.0.price"},
    {"items.0.price", "items.0.price"},
    /* Plain names, nesting. */
    {"email", "email"},
    {"a[0][1][2]", "a.0.1.2"},
    {"a[0].b[1].c", "a.0.b.1.c"},
    {"$[0]", "0"},
    /* JSON Pointer escapes (RFC 6901): ~1 is '/', ~0 is '~', in that order. */
    {"/a~1b/c~0d", "a/b.c~d"},
    {"/~01", "~1"},
    {"/a~2b", "a~2b"}, /* not an escape: kept */
    {"/a~", "a~"},
    {"a~1b", "a~1b"}, /* escapes only mean something in a pointer */
    /* Quoted bracket keys keep their text, dots and brackets included. */
    {"$['items'][0]['price']", "items.0.price"},
    {"a[\"b.c\"].d", "a.b.c.d"},
    {"a['x[0]']", "a.x[0]"},
    {"a['unterminated", "a.unterminated"},
    /* Empty and degenerate paths. */
    {"", ""},
    {"/", ""},
    {"#", ""},
    {"$", ""},
    {"#/", ""},
    {"$.", ""},
    {".", ""},
    {"[]", ""},
    /* Trailing and doubled separators are dropped. */
    {"items[0].", "items.0"},
    {"/items/0/", "items.0"},
    {"items.", "items"},
    {"a..b", "a.b"},
    {"..a..b..", "a.b"},
    {"//a//b//", "a.b"},
    {"a[]", "a"},
};

static void test_forms(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = norm(cases[i].in);
        if (strcmp(got, cases[i].out) != 0)
            fail_msg("normalize(\"%s\") = \"%s\", want \"%s\"", cases[i].in, got, cases[i].out);
    }
}

static void test_not_nul_terminated(void **state)
{
    (void)state;
    assert_string_equal(norm_n("items[0].priceXYZ", 14), "items.0.price");
    assert_string_equal(norm_n("/a~1", 3), "a~"); /* the escape is cut off by len */
    assert_string_equal(norm_n("a['b']", 4), "a.b");
    /* An embedded NUL is a byte like any other. */
    char out[8];
    assert_int_equal(apierr_field_path_normalize(out, sizeof out, "a\0b", 3), 3);
    assert_memory_equal(out, "a\0b", 4);
}

/* snprintf's contract: the full length whatever cap is, and the buffer
 * holds the NUL-terminated prefix that fits. */
static void test_truncation(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *in = cases[i].in, *want = cases[i].out;
        size_t full = strlen(want);
        assert_int_equal(apierr_field_path_normalize(NULL, 0, in, strlen(in)), full);
        for (size_t cap = 1; cap <= full + 2; cap++) {
            char *buf = malloc(cap); /* exact size: ASan catches a write past cap */
            assert_non_null(buf);
            memset(buf, 'x', cap);
            assert_int_equal(apierr_field_path_normalize(buf, cap, in, strlen(in)), full);
            size_t kept = full < cap ? full : cap - 1;
            assert_memory_equal(buf, want, kept);
            assert_int_equal(buf[kept], '\0');
            free(buf);
        }
    }
    /* cap 0 writes nothing at all. */
    char guard = 'g';
    assert_int_equal(apierr_field_path_normalize(&guard, 0, "abc", 3), 3);
    assert_int_equal(guard, 'g');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_not_nul_terminated),
        cmocka_unit_test(test_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
