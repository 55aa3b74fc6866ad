/* The scanners of `apierr check` (src/cli/check_scan.c): what they find in
 * the header values and bodies of real servers, and what they must not
 * mistake for a finding. The CLI is no library: its file is compiled in. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../src/cli/check_scan.c"

static int has(const char *v, const char *name)
{
    return check_list_has(v, strlen(v), name);
}

static void test_lists(void **state)
{
    (void)state;
    assert_true(has("no-cache, no-store", "no-store"));
    assert_true(has("private, NO-STORE", "no-store"));
    assert_true(has("max-age=0,no-store", "no-store"));
    assert_true(has("Accept-Encoding, Accept", "Accept"));
    assert_false(has("Accept-Encoding", "Accept"));
    assert_false(has("no-store-please", "no-store"));
    /* A quoted value may hold commas and names: they are no elements. */
    assert_false(has("private=\"no-store, x\"", "no-store"));
    assert_true(has("private=\"a,b\", no-store", "no-store"));
    assert_false(has("", "no-store"));

    assert_true(check_token_list_valid("GET, POST", 9));
    assert_true(check_token_list_valid("GET,,HEAD ", 10));
    assert_false(check_token_list_valid("GET POST", 8));
    assert_false(check_token_list_valid(" , ", 3));
    assert_false(check_token_list_valid("GET, <b>", 8));

    assert_true(check_is_uint("60", 2));
    assert_true(check_is_uint(" 1700000000 ", 12));
    assert_false(check_is_uint("", 0));
    assert_false(check_is_uint("-1", 2));
    assert_false(check_is_uint("1.5", 3));
    assert_false(check_is_uint("60 s", 4));
}

static const char *param(const char *v, const char *name)
{
    static char out[64];
    return check_challenge_param(v, strlen(v), name, out, sizeof out) ? out : NULL;
}

static void test_challenge(void **state)
{
    (void)state;
    const char *w = "Bearer realm=\"apierr\", error=\"invalid_token\", "
                    "error_description=\"The token, it \\\"expired\\\".\"";
    assert_string_equal(param(w, "error"), "invalid_token");
    assert_string_equal(param(w, "realm"), "apierr");
    assert_string_equal(param(w, "error_description"), "The token, it \"expired\".");
    assert_string_equal(param("Bearer ERROR=invalid_token", "error"), "invalid_token");
    assert_null(param("Bearer realm=\"apierr\"", "error"));
    /* A name inside a quoted value is not a parameter. */
    assert_null(param("Bearer realm=\"error=x\"", "error"));
    assert_null(param("Basic, Bearer", "error"));
    assert_string_equal(param("Bearer error=", "error"), "");
    /* Cut to fit, NUL-terminated. */
    char small[4];
    assert_int_equal(check_challenge_param(w, strlen(w), "error", small, sizeof small), 1);
    assert_string_equal(small, "inv");
}

static const char *leak_kind(const char *body)
{
    check_leak l;
    return check_leak_find(&l, body, strlen(body)) ? l.kind : NULL;
}

static void test_leaks(void **state)
{
    (void)state;
    /* Express's default error handler, NODE_ENV unset. */
    assert_string_equal(leak_kind("<pre>SyntaxError: Unexpected token<br> &nbsp; &nbsp;at "
                                  "JSON.parse (&lt;anonymous&gt;)</pre>"),
                        "stack trace");
    assert_string_equal(leak_kind("Traceback (most recent call last):\n  File \"x.py\""),
                        "stack trace");
    assert_string_equal(leak_kind("{\"error\":\"SQLSTATE[23000]: Integrity\"}"), "SQL");
    assert_string_equal(leak_kind("{\"trace\":\"at Foo\\n    at Bar\"}"), "stack trace");
    assert_string_equal(leak_kind("open /home/app/config.yml: denied"), "file path");
    /* What an API that keeps its contract writes: no finding. */
    assert_null(leak_kind("{\"code\":\"NOT_FOUND\",\"message\":\"No route for GET /invoices.\","
                          "\"path\":\"/invoices\"}"));
    assert_null(leak_kind("<html><head><title>404 Not Found</title></head></html>"));
    assert_null(leak_kind("{\"message\":\"Select a currency from the list.\"}"));
}

static void test_quote(void **state)
{
    (void)state;
    char out[16];
    assert_int_equal(check_quote(out, sizeof out, "ab\ncd", 5), 8);
    assert_string_equal(out, "ab\\x0acd");
    assert_int_equal(check_quote(out, 8, "abcdefghijkl", 12), 7);
    assert_string_equal(out, "abcd...");
    assert_int_equal(check_quote(out, sizeof out, "\xff", 1), 4);
    assert_string_equal(out, "\\xff");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_challenge),
        cmocka_unit_test(test_leaks),
        cmocka_unit_test(test_quote),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
