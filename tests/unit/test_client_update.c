/* The pure parts of the read-modify-write helper: which entity tag a write
 * must match, and the attempt history kept across rounds. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "../../src/client/client_impl.h"
#include "../../src/core/alloc.h"
#include "apierr-client.h"

#include <string.h>

/* tag_of(body, etag): the If-Match value for that response, or NULL. */
static char *tag_of(const char *body, const char *etag)
{
    apierr_header h = {"ETag", etag};
    apierr_result r = {0};
    r.body = (char *)body;
    r.body_len = body ? strlen(body) : 0;
    r.headers = etag ? &h : NULL;
    r.nheaders = etag ? 1 : 0;
    apierr__buf b = APIERR__BUF_INIT;
    if (apierr__update_tag(&b, &r)) {
        apierr__buf_free(&b);
        return NULL;
    }
    return apierr__buf_take(&b, NULL);
}

/* A string for a message: body and etag may be absent (NULL), and %s must
 * not be given NULL. */
static const char *shown(const char *s)
{
    return s ? s : "(none)";
}

static void check_tag(const char *body, const char *etag, const char *want)
{
    char *got = tag_of(body, etag);
    if (!want) {
        if (got)
            fail_msg("body %s, etag %s: no tag expected, got %s", shown(body), shown(etag), got);
        return;
    }
    if (!got || strcmp(got, want) != 0)
        fail_msg("body %s, etag %s: tag %s, want %s", shown(body), shown(etag), shown(got), want);
    apierr__free(got);
}

static void test_tag(void **state)
{
    (void)state;
    /* The ETag wins, weak or strong, as sent. */
    check_tag("{\"version\":3}", "\"7\"", "\"7\"");
    check_tag(NULL, "W/\"abc\"", "W/\"abc\"");
    /* Else the version member, quoted as a strong tag. */
    check_tag("{\"id\":\"1\",\"version\":12}", NULL, "\"12\"");
    check_tag("{\"version\":\"2024-01-01T00:00:00Z\"}", NULL, "\"2024-01-01T00:00:00Z\"");
    /* Nothing to match: no write that could undo another's change. */
    check_tag("{\"id\":\"1\"}", NULL, NULL);
    check_tag("{\"version\":\"a\\\"b\"}", NULL, NULL);
    check_tag("{\"version\":1.5}", NULL, NULL);
    check_tag("not json", NULL, NULL);
    check_tag("[1]", "", NULL);
}

static void add_attempt(apierr_result *r, int status, const char *code, unsigned flag)
{
    apierr_attempt *a = apierr__attempt_push(r);
    assert_non_null(a);
    a->status = status;
    a->code = code ? apierr__strdup(code) : NULL;
    if (flag) apierr__attempt_flag(r, r->nattempts - 1, flag);
}

static void test_history(void **state)
{
    (void)state;
    apierr_result all = {0}, get = {0}, put = {0}, empty_result = {0};
    add_attempt(&get, 503, "DB_TIMEOUT", APIERR_ATTEMPT_CANCELLED);
    add_attempt(&get, 200, NULL, APIERR_ATTEMPT_HEDGE);
    for (int i = 0; i < 5; i++) add_attempt(&put, 503, NULL, 0); /* the block grows */
    add_attempt(&put, 409, "conflict", APIERR_ATTEMPT_HEDGE | APIERR_ATTEMPT_CANCELLED);
    assert_int_equal(apierr__attempts_append(&all, &get), 0);
    assert_int_equal(apierr__attempts_append(&all, &put), 0);
    assert_int_equal(all.nattempts, 8);
    int want[] = {503, 200, 503, 503, 503, 503, 503, 409};
    unsigned flags[] = {APIERR_ATTEMPT_CANCELLED,
                        APIERR_ATTEMPT_HEDGE,
                        0,
                        0,
                        0,
                        0,
                        0,
                        APIERR_ATTEMPT_HEDGE | APIERR_ATTEMPT_CANCELLED};
    for (int i = 0; i < 8; i++) {
        assert_int_equal(all.attempts[i].number, i + 1);
        assert_int_equal(all.attempts[i].status, want[i]);
        assert_int_equal(apierr_attempt_flags(&all, (size_t)i), flags[i]);
    }
    assert_int_equal(apierr_attempt_flags(&all, 8), 0); /* out of range */
    assert_int_equal(apierr_attempt_flags(&empty_result, 0), 0);
    assert_string_equal(all.attempts[7].code, "conflict");
    /* The codes moved: clearing the sources frees nothing twice (ASan). */
    assert_null(put.attempts[5].code);
    apierr_result_clear(&get);
    apierr_result_clear(&put);
    apierr_result empty = {0};
    assert_int_equal(apierr__attempts_append(&all, &empty), 0);
    assert_int_equal(all.nattempts, 8);
    apierr_result_clear(&all);
}

/* The result's members beside its records: empty without a response, set
 * before any record (the names are), kept by the result an update's rounds
 * end in when it takes the history's records. */
static void test_result_members(void **state)
{
    (void)state;
    apierr_result empty = {0};
    assert_null(apierr_result_status_line(&empty));
    assert_null(apierr_result_url_effective(&empty));
    assert_int_equal(apierr_result_header_is_secret(&empty, "X-Tenant-Pin"), 0);
    assert_int_equal(apierr_result_header_is_secret(&empty, "X-Access-Token"), 1);
    apierr_result r = {0};
    r.url = apierr__strdup("http://h/x?pin=1&a=2");
    const char *names[] = {"X-Tenant-Pin", "pin"};
    assert_int_equal(apierr__result_set_names(&r, names, 2), 0);
    assert_int_equal(r.nattempts, 0);
    char buf[64];
    apierr_result_redact_url(buf, sizeof buf, &r, r.url);
    assert_string_equal(buf, "http://h/x?pin=REDACTED&a=2");
    assert_int_equal(apierr_result_header_is_secret(&r, "x-tenant-pin"), 1);
    assert_string_equal(apierr_result_url_effective(&r), r.url);
    assert_non_null(apierr__attempt_push(&r));
    r.status = 429;
    assert_int_equal(apierr__result_set_status_line(&r, "HTTP/1.1 429 Slow Down\r\n", 22), 0);
    assert_int_equal(apierr__result_set_url_effective(&r, "http://h/end"), 0);
    apierr_result history = {0};
    assert_int_equal(apierr__attempts_append(&history, &r), 0);
    assert_non_null(apierr__attempt_push(&history));
    apierr__attempts_adopt(&r, &history);
    assert_int_equal(r.nattempts, 2);
    assert_null(history.attempts);
    assert_string_equal(apierr_result_status_line(&r), "HTTP/1.1 429 Slow Down");
    assert_string_equal(apierr_result_url_effective(&r), "http://h/end");
    assert_int_equal(apierr_result_header_is_secret(&r, "X-Tenant-Pin"), 1);
    r.status = 0; /* no response: no status line */
    assert_null(apierr_result_status_line(&r));
    apierr_result_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tag),
        cmocka_unit_test(test_history),
        cmocka_unit_test(test_result_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
