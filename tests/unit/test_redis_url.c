/* Redis URLs (src/server/redis_url.c), as data: each row a URL and what it
 * must read as (host or socket path, port, user, password, database), or
 * its refusal; then $REDIS_PASSWORD, taken only when the URL has none. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../src/server/redis_url.h"
#include "apierr/common.h"

#include <stdlib.h>
#include <string.h>

typedef struct row {
    const char *url;
    int rc;
    const char *host; /* or the socket path */
    int port;         /* 0: a Unix socket */
    const char *user, *password;
    int db;
} row;

static const row rows[] = {
    {"redis://127.0.0.1", APIERR_OK, "127.0.0.1", 6379, NULL, NULL, 0},
    {"redis://h:6390/2", APIERR_OK, "h", 6390, NULL, NULL, 2},
    {"redis://h/", APIERR_OK, "h", 6379, NULL, NULL, 0},
    {"redis://:pw@h:1/3", APIERR_OK, "h", 1, NULL, "pw", 3},
    {"redis://app:pw@h", APIERR_OK, "h", 6379, "app", "pw", 0},
    {"redis://app@h", APIERR_OK, "h", 6379, "app", NULL, 0},
    {"redis://:p@ss@h", APIERR_OK, "h", 6379, NULL, "p@ss", 0},               /* the last '@' */
    {"redis://:a%3Ab%2F%40%20c@h", APIERR_OK, "h", 6379, NULL, "a:b/@ c", 0}, /* escapes */
    {"redis://h?db=4&password=x%26y", APIERR_OK, "h", 6379, NULL, "x&y", 4},
    {"redis://h:7/1?password=pw", APIERR_OK, "h", 7, NULL, "pw", 1},
    {"unix:///run/redis.sock", APIERR_OK, "/run/redis.sock", 0, NULL, NULL, 0},
    {"unix:///run/redis.sock?db=5", APIERR_OK, "/run/redis.sock", 0, NULL, NULL, 5},
    {"unix://:pw@/run/r.sock?db=1", APIERR_OK, "/run/r.sock", 0, NULL, "pw", 1},
    {"unix://app:p%40w@/run/a@b.sock", APIERR_OK, "/run/a@b.sock", 0, "app", "p@w", 0},
    {"unix:///s?password=pw&db=2", APIERR_OK, "/s", 0, NULL, "pw", 2},
    {NULL, APIERR_EINVAL, NULL, 0, NULL, NULL, 0},
    {"http://h", APIERR_EINVAL, NULL, 0, NULL, NULL, 0},
    {"redis://", APIERR_EINVAL, NULL, 0, NULL, NULL, 0},
    {"redis://:pw@", APIERR_EINVAL, NULL, 0, NULL, NULL, 0},
    {"redis://:@h", APIERR_EINVAL, NULL, 0, NULL, NULL, 0}, /* an empty password */
    {"redis://h:0", APIERR_EINVAL, NULL, 0, NULL, NULL, 0},
    {"redis://h:70000", APIERR_EINVAL, NULL, 0, NULL, NULL, 0},
    {"redis://h:", APIERR_EINVAL, NULL, 0, NULL, NULL, 0},
    {"redis://h/x", APIERR_EINVAL, NULL, 0, NULL, NULL, 0},
    {"redis://h/1?db=2", APIERR_EINVAL, NULL, 0, NULL, NULL, 0},        /* named twice */
    {"redis://:a@h?password=b", APIERR_EINVAL, NULL, 0, NULL, NULL, 0}, /* named twice */
    {"redis://h?timeout=1", APIERR_EINVAL, NULL, 0, NULL, NULL, 0},     /* unknown key */
    {"redis://h?db=", APIERR_EINVAL, NULL, 0, NULL, NULL, 0},
    {"redis://:a%2@h", APIERR_EINVAL, NULL, 0, NULL, NULL, 0},  /* a broken escape */
    {"redis://:a%00@h", APIERR_EINVAL, NULL, 0, NULL, NULL, 0}, /* a NUL */
    {"unix://rel/path", APIERR_EINVAL, NULL, 0, NULL, NULL, 0},
    {"unix://", APIERR_EINVAL, NULL, 0, NULL, NULL, 0},
    {"unix:///", APIERR_EINVAL, NULL, 0, NULL, NULL, 0},
    {"unix://:pw@rel", APIERR_EINVAL, NULL, 0, NULL, NULL, 0},
    {"unix:///s?db=x", APIERR_EINVAL, NULL, 0, NULL, NULL, 0},
};

static void assert_str_or_null(const char *got, const char *want, const char *url)
{
    if (!want) {
        if (got) fail_msg("%s: got '%s', want none", url, got);
        return;
    }
    if (!got || strcmp(got, want) != 0) fail_msg("%s: got '%s', want '%s'", url, got, want);
}

static void test_rows(void **state)
{
    (void)state;
    unsetenv("REDIS_PASSWORD");
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        const row *w = &rows[i];
        apierr__redis_url u;
        int rc = apierr__redis_url_parse(&u, w->url);
        if (rc != w->rc) fail_msg("%s: rc %d, want %d", w->url ? w->url : "NULL", rc, w->rc);
        assert_str_or_null(u.host, w->host, w->url);
        assert_str_or_null(u.user, w->user, w->url);
        assert_str_or_null(u.password, w->password, w->url);
        if (u.port != w->port || u.db != w->db)
            fail_msg("%s: port %d db %d, want %d %d", w->url, u.port, u.db, w->port, w->db);
        apierr__redis_url_clear(&u);
    }
}

/* The environment's password fills in only where the URL has none. */
static void test_env_password(void **state)
{
    (void)state;
    setenv("REDIS_PASSWORD", "from-env", 1);
    apierr__redis_url u;
    assert_int_equal(apierr__redis_url_parse(&u, "unix:///s?db=1"), APIERR_OK);
    assert_string_equal(u.password, "from-env");
    apierr__redis_url_clear(&u);
    assert_int_equal(apierr__redis_url_parse(&u, "redis://app@h"), APIERR_OK);
    assert_string_equal(u.user, "app");
    assert_string_equal(u.password, "from-env");
    apierr__redis_url_clear(&u);
    assert_int_equal(apierr__redis_url_parse(&u, "redis://:url@h"), APIERR_OK);
    assert_string_equal(u.password, "url");
    apierr__redis_url_clear(&u);
    setenv("REDIS_PASSWORD", "", 1); /* empty: none */
    assert_int_equal(apierr__redis_url_parse(&u, "redis://h"), APIERR_OK);
    assert_null(u.password);
    apierr__redis_url_clear(&u);
    unsetenv("REDIS_PASSWORD");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_env_password),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
