/* The connection's reader of message boundaries (framer.c) passing a head
 * the same bytes as the last one without parsing it again: every parse is
 * counted (refapi_head_parse wrapped at link time), and a head passed that
 * way must frame what follows it as its parse did, while a head that
 * differs from the last one anywhere up to its empty line is parsed and
 * judged on its own bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "framer.h"

#include <stdio.h>
#include <string.h>

static int parses;

int __real_refapi_head_parse(const char *buf, size_t len, size_t max_line, size_t max_head,
                             refapi_head *h, refapi_head_error *err);
int __wrap_refapi_head_parse(const char *buf, size_t len, size_t max_line, size_t max_head,
                             refapi_head *h, refapi_head_error *err);

int __wrap_refapi_head_parse(const char *buf, size_t len, size_t max_line, size_t max_head,
                             refapi_head *h, refapi_head_error *err)
{
    parses++;
    return __real_refapi_head_parse(buf, len, max_line, max_head, h, err);
}

/* Feeds s in one read; the bytes passed, and the refusal's status in
 * *status (0: none). */
static size_t feed(refapi_framer *f, const char *s, int *status)
{
    refapi_framer_verdict v;
    size_t n = refapi_framer_feed(f, s, strlen(s), &v);
    *status = f->refused ? v.why.status : 0;
    return n;
}

static void test_same_head_not_parsed_again(void **state)
{
    (void)state;
    static const char get[] = "GET /v1/x HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer t\r\n\r\n";
    refapi_framer f;
    refapi_framer_init(&f, 8192, 16384);
    int status;
    parses = 0;
    for (int i = 0; i < 3; i++) assert_int_equal(feed(&f, get, &status), strlen(get));
    assert_int_equal(status, 0);
    assert_int_equal(f.heads, 3);
    assert_int_equal(parses, 1);
    /* Two in one read: the second is the first's bytes again. */
    char two[256];
    snprintf(two, sizeof two, "%s%s", get, get);
    assert_int_equal(feed(&f, two, &status), strlen(two));
    assert_int_equal(f.heads, 5);
    assert_int_equal(parses, 1);
    refapi_framer_free(&f);
}

static void test_same_head_frames_its_body(void **state)
{
    (void)state;
    /* The body is not a head: passed again, the head still announces it. */
    static const char post[] = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nab\r\n";
    refapi_framer f;
    refapi_framer_init(&f, 8192, 16384);
    int status;
    parses = 0;
    for (int i = 0; i < 3; i++) assert_int_equal(feed(&f, post, &status), strlen(post));
    assert_int_equal(status, 0);
    assert_int_equal(f.heads, 3);
    assert_int_equal(parses, 1);
    refapi_framer_free(&f);
}

static void test_other_head_parsed(void **state)
{
    (void)state;
    static const char one[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    /* The first head's bytes but its empty line, then a second Host. */
    static const char two_hosts[] = "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n";
    refapi_framer f;
    refapi_framer_init(&f, 8192, 16384);
    int status;
    parses = 0;
    assert_int_equal(feed(&f, one, &status), strlen(one));
    assert_int_equal(feed(&f, two_hosts, &status), 0);
    assert_int_equal(status, 400);
    assert_int_equal(parses, 2);
    refapi_framer_free(&f);
}

static void test_head_in_pieces_not_kept(void **state)
{
    (void)state;
    static const char get[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    refapi_framer f;
    refapi_framer_init(&f, 8192, 16384);
    int status;
    parses = 0;
    /* Gathered over two reads, then whole: parsed each time it is whole
     * in a read until one is kept, then no more. */
    assert_int_equal(feed(&f, "GET / HTTP/1.1\r\n", &status), 16);
    assert_int_equal(feed(&f, "Host: a\r\n\r\n", &status), 11);
    assert_int_equal(feed(&f, get, &status), strlen(get));
    assert_int_equal(feed(&f, get, &status), strlen(get));
    assert_int_equal(status, 0);
    assert_int_equal(f.heads, 3);
    assert_int_equal(parses, 3);
    refapi_framer_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_head_not_parsed_again),
        cmocka_unit_test(test_same_head_frames_its_body),
        cmocka_unit_test(test_other_head_parsed),
        cmocka_unit_test(test_head_in_pieces_not_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
