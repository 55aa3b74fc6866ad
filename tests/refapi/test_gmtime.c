/* The process's gmtime_r() (src/refapi/gmtime.c, which keeps the last
 * time asked for) against libc's, found past it: the same fields, the
 * same zone, the same NULL and errno beyond the years an int holds, for
 * times asked for again, in turn and in a row. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <time.h>

typedef struct tm *(*gmtime_fn)(const time_t *, struct tm *);

static void same_as_libc(gmtime_fn libc, time_t t)
{
    struct tm ours, theirs;
    memset(&ours, 0x55, sizeof ours);
    memset(&theirs, 0x55, sizeof theirs);
    errno = 0;
    struct tm *a = gmtime_r(&t, &ours);
    int ea = errno;
    errno = 0;
    struct tm *b = libc(&t, &theirs);
    int eb = errno;
    assert_int_equal(a == NULL, b == NULL);
    if (!a) {
        assert_int_equal(ea, eb);
        return;
    }
    assert_ptr_equal(a, &ours);
    assert_int_equal(ours.tm_sec, theirs.tm_sec);
    assert_int_equal(ours.tm_min, theirs.tm_min);
    assert_int_equal(ours.tm_hour, theirs.tm_hour);
    assert_int_equal(ours.tm_mday, theirs.tm_mday);
    assert_int_equal(ours.tm_mon, theirs.tm_mon);
    assert_int_equal(ours.tm_year, theirs.tm_year);
    assert_int_equal(ours.tm_wday, theirs.tm_wday);
    assert_int_equal(ours.tm_yday, theirs.tm_yday);
    assert_int_equal(ours.tm_isdst, theirs.tm_isdst);
    assert_int_equal(ours.tm_gmtoff, theirs.tm_gmtoff);
    assert_string_equal(ours.tm_zone, theirs.tm_zone);
}

static void test_as_libc(void **state)
{
    (void)state;
    gmtime_fn libc;
    void *f = dlsym(RTLD_NEXT, "gmtime_r");
    assert_non_null(f);
    memcpy(&libc, &f, sizeof f);
    assert_true(libc != gmtime_r); /* the test reaches the process's own */
    static const long long times[] = {
        0,
        1,
        -1,
        951782400 /* 2000-02-29 */,
        1796191200,
        2147483647,
        2147483648LL,
        -2147483649LL,
        253402300799LL /* 9999-12-31 23:59:59 */,
        67768036191676799LL,
        67768036191676800LL /* beyond an int's years: NULL */,
        INT64_MAX,
        INT64_MIN,
    };
    size_t n = sizeof times / sizeof times[0];
    for (size_t i = 0; i < n; i++) {
        same_as_libc(libc, (time_t)times[i]);
        same_as_libc(libc, (time_t)times[i]); /* again: from the memo */
        same_as_libc(libc, (time_t)times[(i + 1) % n]);
        same_as_libc(libc, (time_t)times[i]); /* after another */
    }
    for (time_t t = 1796191200; t < 1796191200 + 100000; t += 997) same_as_libc(libc, t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_as_libc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
