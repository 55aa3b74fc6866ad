/* The request head as the tap reads it (head.c), byte by byte: every value
 * of a byte in a header name, in the method and in the target is accepted
 * exactly when RFC 9110/9112, written out here, allow it there; and the
 * framing verdict of the common head (one Host, one way to frame the body)
 * and of each way it goes wrong. The parser reads those bytes through
 * tables and or-ed checks: a table that drifts from the RFC shows here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "head.h"

#include <stdio.h>
#include <string.h>

static const char tchars[] = "!#$%&'*+-.^_`|~0123456789"
                             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* Parses buf[0..n): 1 accepted, -1 refused (0, incomplete, fails). */
static int parse(const char *buf, size_t n)
{
    static refapi_head h;
    refapi_head_error why;
    int rc = refapi_head_parse(buf, n, 8192, 16384, &h, &why);
    assert_int_not_equal(rc, 0);
    return rc;
}

/* The head before, byte c, after. */
static int parse_with(const char *before, unsigned char c, const char *after)
{
    char buf[256];
    size_t a = strlen(before), b = strlen(after);
    memcpy(buf, before, a);
    buf[a] = (char)c;
    memcpy(buf + a + 1, after, b);
    return parse(buf, a + 1 + b);
}

static void test_name_bytes(void **state)
{
    (void)state;
    for (int c = 0; c < 256; c++) {
        if (c == ':') continue; /* it ends the name */
        int want = c && strchr(tchars, c) ? 1 : -1;
        assert_int_equal(
            parse_with("GET / HTTP/1.1\r\nHost: h\r\nX", (unsigned char)c, "Y: v\r\n\r\n"), want);
    }
}

static void test_method_bytes(void **state)
{
    (void)state;
    for (int c = 0; c < 256; c++) {
        int want = c && strchr(tchars, c) ? 1 : -1;
        assert_int_equal(parse_with("G", (unsigned char)c, "T / HTTP/1.1\r\nHost: h\r\n\r\n"),
                         want);
    }
}

/* The target: any byte but controls, space and DEL (RFC 9112 3.2 reads it
 * up to the space; the parsers it could be read differently by stop at
 * those), at every place of a target read eight bytes at a time and of
 * its tail. */
static void test_target_bytes(void **state)
{
    (void)state;
    for (size_t at = 1; at < 21; at++) {
        char before[64] = "GET ", after[64];
        memset(before + 4, 'a', at);
        before[4] = '/';
        before[4 + at] = '\0';
        snprintf(after, sizeof after, "%.*s HTTP/1.1\r\nHost: h\r\n\r\n", (int)(20 - at),
                 "bbbbbbbbbbbbbbbbbbbb");
        for (int c = 0; c < 256; c++) {
            int want = c > ' ' && c != 0x7f ? 1 : -1;
            assert_int_equal(parse_with(before, (unsigned char)c, after), want);
        }
    }
}

static void test_framing(void **state)
{
    (void)state;
    static const struct {
        const char *head;
        int want;
    } cases[] = {
        {"GET / HTTP/1.1\r\nHost: h\r\n\r\n", 1},
        {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n", 1},
        {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", 1},
        {"GET / HTTP/1.0\r\n\r\n", 1},
        {"GET / HTTP/1.1\r\n\r\n", -1},
        {"GET / HTTP/1.1\r\nHost: h\r\nHost: i\r\n\r\n", -1},
        {"GET / HTTP/1.0\r\nHost: h\r\nHost: i\r\n\r\n", -1},
        {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
         -1},
        {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", -1},
        {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n", -1},
        {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", -1},
        {"GET / HTTP/1.1\r\nHost : h\r\n\r\n", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        if (parse(cases[i].head, strlen(cases[i].head)) != cases[i].want)
            fail_msg("case %zu: %s", i, cases[i].head);
    }
}

/* The absolute form is routed by its path (RFC 9112 3.2.2); other forms
 * stay as they are. */
static void test_target_path(void **state)
{
    (void)state;
    static const struct {
        const char *target, *path;
    } cases[] = {
        {"/v1/x", "/v1/x"},
        {"http://api.test/v1/x", "/v1/x"},
        {"HTTPS://api.test:8443/v1/x", "/v1/x"},
        {"http://api.test", "/"},
        {"http://api.test?x=1", "/"},
        {"http://user@api.test:80/a/b", "/a/b"},
        {"*", "*"},
        {"api.test:443", "api.test:443"},
        {"ftp://api.test/x", "ftp://api.test/x"},
        {"http:/x", "http:/x"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(refapi_target_path(cases[i].target), cases[i].path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_bytes),   cmocka_unit_test(test_method_bytes),
        cmocka_unit_test(test_target_bytes), cmocka_unit_test(test_framing),
        cmocka_unit_test(test_target_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
