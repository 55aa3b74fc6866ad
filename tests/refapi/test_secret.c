/* The reference API compares client secrets by their SHA-256 digests
 * (auth.c), so that the time taken does not depend on where two secrets
 * differ nor on either length. Checked by construction, not with a clock:
 * apierr_sha256 is wrapped at link time (-Wl,--wrap), and every comparison
 * must hash both secrets whole, the same way whether they differ at the
 * first byte, at the last, in length, or not at all. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "auth.h"

#include <string.h>

enum { MAX_CALLS = 8 };
static size_t hashed[MAX_CALLS];
static const void *hashed_from[MAX_CALLS];
static int calls;

void __real_apierr_sha256(unsigned char out[APIERR_SHA256_SIZE], const void *data, size_t len);
void __wrap_apierr_sha256(unsigned char out[APIERR_SHA256_SIZE], const void *data, size_t len);

void __wrap_apierr_sha256(unsigned char out[APIERR_SHA256_SIZE], const void *data, size_t len)
{
    if (calls < MAX_CALLS) {
        hashed[calls] = len;
        hashed_from[calls] = data;
    }
    calls++;
    __real_apierr_sha256(out, data, len);
}

/* Compares a with b; checks that both were hashed whole, and nothing else. */
static int compare(const char *a, const char *b)
{
    calls = 0;
    int eq = refapi_secret_equal(a, b);
    assert_int_equal(calls, 2);
    assert_ptr_equal(hashed_from[0], a);
    assert_int_equal(hashed[0], strlen(a));
    assert_ptr_equal(hashed_from[1], b);
    assert_int_equal(hashed[1], strlen(b));
    return eq;
}

static void test_digests_of_whole_secrets(void **state)
{
    (void)state;
    const char *stored = "s3cret-0123456789abcdef";
    assert_int_equal(compare(stored, "s3cret-0123456789abcdef"), 1);
    /* A mismatch at the first byte and one at the last: the same work. */
    assert_int_equal(compare(stored, "x3cret-0123456789abcdef"), 0);
    assert_int_equal(compare(stored, "s3cret-0123456789abcdeX"), 0);
    /* A prefix, a longer one, an empty one: no early stop at the end of
     * the shorter (which would tell the length). */
    assert_int_equal(compare(stored, "s3cret"), 0);
    assert_int_equal(compare(stored, "s3cret-0123456789abcdef-and-more"), 0);
    assert_int_equal(compare(stored, ""), 0);
    assert_int_equal(compare("", ""), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digests_of_whole_secrets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
