/* Request ids: fresh ones are 128 random bits in hex; incoming ones are kept
 * only when well-formed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apierr/server/request_id.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void test_fresh_ids(void **state)
{
    (void)state;
    enum { N = 256 };
    static char ids[N][APIERR_REQUEST_ID_BUFSIZE];
    unsigned long bits_set = 0;
    for (int i = 0; i < N; i++) {
        assert_int_equal(apierr_request_id_new(ids[i]), APIERR_OK);
        assert_int_equal(strlen(ids[i]), APIERR_REQUEST_ID_LEN);
        for (int k = 0; k < APIERR_REQUEST_ID_LEN; k++) {
            int v = hexval(ids[i][k]);
            assert_true(v >= 0);
            for (int b = 0; b < 4; b++) bits_set += (unsigned)(v >> b) & 1;
        }
        assert_true(apierr_request_id_valid(ids[i], strlen(ids[i])));
        for (int j = 0; j < i; j++) assert_string_not_equal(ids[i], ids[j]);
    }
    /* 32768 random bits: about half are set; a stuck generator (all zeros,
     * all ones) is far outside these bounds. */
    assert_true(bits_set > N * 128 * 4 / 10);
    assert_true(bits_set < N * 128 * 6 / 10);
}

/* Ids are drawn from a per-thread pool of kernel random bytes: a forked
 * child must not hand out the ids its parent is about to. */
static void test_fork_does_not_repeat(void **state)
{
    (void)state;
    char parent[APIERR_REQUEST_ID_BUFSIZE], child[APIERR_REQUEST_ID_BUFSIZE] = "";
    int fds[2];
    assert_int_equal(apierr_request_id_new(parent), APIERR_OK); /* the pool is full now */
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char id[APIERR_REQUEST_ID_BUFSIZE];
        int ok = apierr_request_id_new(id) == APIERR_OK;
        ssize_t n = ok ? write(fds[1], id, APIERR_REQUEST_ID_LEN) : 0;
        _exit(n == APIERR_REQUEST_ID_LEN ? 0 : 1);
    }
    close(fds[1]);
    assert_int_equal(read(fds[0], child, APIERR_REQUEST_ID_LEN), APIERR_REQUEST_ID_LEN);
    child[APIERR_REQUEST_ID_LEN] = '\0';
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(apierr_request_id_new(parent), APIERR_OK);
    assert_string_not_equal(parent, child);
}

static void test_valid(void **state)
{
    (void)state;
    char longest[APIERR_REQUEST_ID_MAX + 2];
    memset(longest, 'a', sizeof longest);
    longest[APIERR_REQUEST_ID_MAX] = '\0';
    static const struct {
        const char *s;
        int ok;
    } cases[] = {
        {"req-abc123", 1},
        {"0af7651916cd43dd8448eb211c80319c", 1},
        {"Root-1-5759e988.bd862e3f:x_y", 1},
        {"Root=1", 0},
        {"", 0},
        {"has space", 0},
        {"quote\"", 0},
        {"crlf\r\nX-Evil: 1", 0},
        {"caf\xc3\xa9", 0},
        {"slash/", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_int_equal(apierr_request_id_valid(cases[i].s, strlen(cases[i].s)), cases[i].ok);
    assert_false(apierr_request_id_valid(NULL, 3));
    assert_true(apierr_request_id_valid(longest, APIERR_REQUEST_ID_MAX));
    longest[APIERR_REQUEST_ID_MAX] = 'a';
    longest[APIERR_REQUEST_ID_MAX + 1] = '\0';
    assert_false(apierr_request_id_valid(longest, APIERR_REQUEST_ID_MAX + 1));
    assert_true(apierr_request_id_valid("ab\0cd", 2)); /* len counts, not the NUL */
    assert_false(apierr_request_id_valid("ab\0cd", 5));
}

/* Every byte value, alone and inside an id, against the set as written
 * out: the checker looks bytes up in a bit set, where one wrong bit lets
 * a byte through into a header. */
static void test_every_byte(void **state)
{
    (void)state;
    const char *allowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-";
    for (int c = 1; c < 256; c++) {
        char one[2] = {(char)c, 0}, mid[4] = {'a', (char)c, 'b', 0};
        int want = strchr(allowed, c) != NULL;
        assert_int_equal(apierr_request_id_valid(one, 1), want);
        assert_int_equal(apierr_request_id_valid(mid, 3), want);
    }
}

static void test_pick(void **state)
{
    (void)state;
    char buf[APIERR_REQUEST_ID_BUFSIZE];
    assert_int_equal(apierr_request_id_pick(buf, "req-abc123"), APIERR_OK);
    assert_string_equal(buf, "req-abc123");
    static const char *const bad[] = {NULL, "", "a b", "x\r\ny"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(apierr_request_id_pick(buf, bad[i]), APIERR_OK);
        assert_int_equal(strlen(buf), APIERR_REQUEST_ID_LEN);
    }
    char too_long[APIERR_REQUEST_ID_MAX + 10];
    memset(too_long, 'z', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0';
    assert_int_equal(apierr_request_id_pick(buf, too_long), APIERR_OK);
    assert_int_equal(strlen(buf), APIERR_REQUEST_ID_LEN);
    assert_null(strchr(buf, 'z'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_ids), cmocka_unit_test(test_fork_does_not_repeat),
        cmocka_unit_test(test_valid),     cmocka_unit_test(test_every_byte),
        cmocka_unit_test(test_pick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
