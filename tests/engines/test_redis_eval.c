/*
 * apierr/server/redis.h against a real redis-server: what a script returns
 * comes back typed (integers, strings with their bytes, nested arrays,
 * nil); an error reply is APIERR_EIO; a script Redis forgot (SCRIPT FLUSH)
 * runs again; Redis stopped is APIERR_EBACKEND at once, and Redis started
 * again works without reopening the handle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "apierr/server/redis.h"
#include "redis_fixture.h"

#include <string.h>

static const char ECHO[] = "return {tonumber(ARGV[1]), ARGV[2], {KEYS[1], false}, false}";
static const char SET_GET[] =
    "redis.call('SET', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])";
static const char FAILS[] = "return redis.error_reply('NOPE no such thing')";

static int eval_echo(apierr_redis *r, apierr_redis_reply **out)
{
    const char *args[] = {"k:1", "42", "a\0b"};
    size_t lens[] = {3, 2, 3};
    return apierr_redis_eval(r, out, ECHO, 1, 3, args, lens);
}

static void test_replies(void **state)
{
    (void)state;
    apierr_redis *r;
    assert_int_equal(apierr_redis_open(&r, url), APIERR_OK);
    apierr_redis_reply *rep;
    assert_int_equal(eval_echo(r, &rep), APIERR_OK);
    assert_int_equal(rep->type, APIERR_REDIS_ARRAY);
    /* false is a value in a Lua table, and nil in the reply. */
    assert_int_equal(rep->nelements, 4);
    assert_int_equal(rep->element[3].type, APIERR_REDIS_NIL);
    assert_int_equal(rep->element[0].type, APIERR_REDIS_INTEGER);
    assert_int_equal(rep->element[0].integer, 42);
    assert_int_equal(rep->element[1].type, APIERR_REDIS_STRING);
    assert_int_equal(rep->element[1].len, 3);
    assert_memory_equal(rep->element[1].str, "a\0b", 3);
    assert_int_equal(rep->element[2].type, APIERR_REDIS_ARRAY);
    assert_int_equal(rep->element[2].nelements, 2);
    assert_string_equal(rep->element[2].element[0].str, "k:1");
    assert_int_equal(rep->element[2].element[1].type, APIERR_REDIS_NIL);
    apierr_redis_reply_free(rep);

    const char *args[] = {"k:2", "v"};
    size_t lens[] = {3, 1};
    assert_int_equal(apierr_redis_eval(r, &rep, SET_GET, 1, 2, args, lens), APIERR_OK);
    assert_int_equal(rep->type, APIERR_REDIS_STRING);
    assert_string_equal(rep->str, "v");
    apierr_redis_reply_free(rep);
    assert_int_equal(apierr_redis_eval(r, &rep, FAILS, 0, 0, NULL, NULL), APIERR_EIO);
    assert_null(rep);
    assert_int_equal(apierr_redis_eval(r, &rep, ECHO, 0, 17, args, lens), APIERR_EINVAL);

    /* Forgotten scripts are loaded again. */
    redis_cli("SCRIPT FLUSH");
    assert_int_equal(eval_echo(r, &rep), APIERR_OK);
    assert_int_equal(rep->element[0].integer, 42);
    apierr_redis_reply_free(rep);
    apierr_redis_close(r);
    apierr_redis_close(NULL);
    apierr_redis_reply_free(NULL);
}

static void test_bad_url(void **state)
{
    (void)state;
    apierr_redis *r = (apierr_redis *)1;
    assert_int_equal(apierr_redis_open(&r, "http://127.0.0.1:6379"), APIERR_EINVAL);
    assert_null(r);
    assert_int_equal(apierr_redis_open(&r, "redis://127.0.0.1:99999"), APIERR_EINVAL);
}

static void test_down_and_back(void **state)
{
    (void)state;
    apierr_redis *r;
    assert_int_equal(apierr_redis_open(&r, url), APIERR_OK);
    apierr_redis_reply *rep;
    assert_int_equal(eval_echo(r, &rep), APIERR_OK);
    apierr_redis_reply_free(rep);
    redis_stop();
    assert_int_equal(eval_echo(r, &rep), APIERR_EBACKEND);
    assert_null(rep);
    redis_start();
    int rc = APIERR_EBACKEND;
    for (int i = 0; i < 100 && rc == APIERR_EBACKEND; i++) {
        rc = eval_echo(r, &rep);
        if (rc == APIERR_EBACKEND) usleep(20000);
    }
    assert_int_equal(rc, APIERR_OK);
    assert_int_equal(rep->element[0].integer, 42);
    apierr_redis_reply_free(rep);
    apierr_redis_close(r);
}

int main(void)
{
    int skip = redis_fixture_start("tests/integration/redis_backends.sh");
    if (skip) return skip;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replies),
        cmocka_unit_test(test_bad_url),
        cmocka_unit_test(test_down_and_back),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    redis_stop();
    return rc;
}
