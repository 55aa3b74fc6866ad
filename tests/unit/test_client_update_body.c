/* apierr_update() against a two-request server (a child process on
 * 127.0.0.1): the update function's new body is memory from
 * apierr_malloc(), and apierr frees it with apierr_free(): a tagging
 * allocator installed with apierr_set_alloc_funcs() sees every byte the
 * library frees come from itself, and none left at the end. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apierr-client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* --- a tagging allocator ------------------------------------------------------- */

#define MAGIC 0x61706965u

typedef union tag {
    struct {
        unsigned magic;
    } h;
    max_align_t align;
} tag;

static long live;   /* blocks from t_malloc not yet freed */
static int foreign; /* frees of memory t_malloc did not give */

static void *t_malloc(size_t n)
{
    tag *t = malloc(sizeof *t + n);
    if (!t) return NULL;
    t->h.magic = MAGIC;
    live++;
    return t + 1;
}

static void t_free(void *p)
{
    if (!p) return;
    tag *t = (tag *)p - 1;
    if (t->h.magic != MAGIC) {
        foreign++;
        return;
    }
    t->h.magic = 0;
    live--;
    free(t);
}

static void *t_realloc(void *p, size_t n)
{
    if (!p) return t_malloc(n);
    tag *t = (tag *)p - 1;
    if (t->h.magic != MAGIC) {
        foreign++;
        return NULL;
    }
    tag *v = realloc(t, sizeof *v + n);
    return v ? v + 1 : NULL;
}

/* --- the server ---------------------------------------------------------------- */

#define NEW_BODY "{\"n\":2}"

/* Reads one request (head and Content-Length body) into buf. */
static size_t read_request(int s, char *buf, size_t cap)
{
    size_t n = 0;
    char *end = NULL;
    while (n < cap - 1 && !end) {
        ssize_t got = read(s, buf + n, cap - 1 - n);
        if (got <= 0) break;
        n += (size_t)got;
        buf[n] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    const char *cl = strstr(buf, "Content-Length: ");
    size_t want = end ? (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 16, NULL, 10) : 0) : n;
    while (n < want && n < cap - 1) {
        ssize_t got = read(s, buf + n, cap - 1 - n);
        if (got <= 0) break;
        n += (size_t)got;
    }
    buf[n] = '\0';
    return n;
}

static void reply(int s, int status, const char *extra, const char *body)
{
    char out[512];
    int n = snprintf(out, sizeof out,
                     "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n%sContent-Length: "
                     "%zu\r\nConnection: close\r\n\r\n%s",
                     status, extra, strlen(body), body);
    if (write(s, out, (size_t)n) != n) _exit(2);
}

/* GET: version 1 with its ETag; PUT: 200 when it matches it and carries the
 * update function's body, else 400. */
static void serve(int fd)
{
    alarm(20);
    for (int i = 0; i < 2; i++) {
        int s = accept(fd, NULL, NULL);
        if (s < 0) _exit(3);
        char req[4096];
        read_request(s, req, sizeof req);
        if (!strncmp(req, "GET ", 4))
            reply(s, 200, "ETag: \"1\"\r\n", "{\"n\":1}");
        else if (!strncmp(req, "PUT ", 4) && strstr(req, "\r\nIf-Match: \"1\"\r\n") &&
                 strstr(req, "\r\n\r\n" NEW_BODY))
            reply(s, 200, "", NEW_BODY);
        else
            reply(s, 400, "", "{\"error\":\"unexpected request\"}");
        close(s);
    }
    _exit(0);
}

static int listening(pid_t *child)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 4), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *child = fork();
    assert_true(*child >= 0);
    if (*child == 0) serve(fd);
    close(fd);
    return ntohs(a.sin_port);
}

/* --- the test ------------------------------------------------------------------ */

static int calls;

/* The documented way: the new body comes from apierr_malloc(). */
static int bump(void *payload, const char *cur, size_t len, char **out, size_t *out_len)
{
    (void)payload;
    calls++;
    assert_memory_equal(cur, "{\"n\":1}", len);
    *out_len = strlen(NEW_BODY);
    *out = apierr_malloc(*out_len);
    if (!*out) return APIERR_ENOMEM;
    memcpy(*out, NEW_BODY, *out_len);
    return APIERR_OK;
}

static void test_update_body_freed_with_apierr_free(void **state)
{
    (void)state;
    pid_t child;
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", listening(&child));
    apierr_set_alloc_funcs(t_malloc, t_realloc, t_free);
    apierr_client_opts o = APIERR_CLIENT_OPTS_INIT;
    o.base_url = base;
    apierr_client *c = NULL;
    assert_int_equal(apierr_client_new(&c, &o), APIERR_OK);
    apierr_request req = APIERR_REQUEST_INIT;
    req.url = "/v1/counter";
    apierr_result r;
    assert_int_equal(apierr_update(c, &req, bump, NULL, &r), APIERR_OK);
    assert_int_equal(calls, 1);
    assert_true(r.ok);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, NEW_BODY);
    assert_int_equal(r.nattempts, 2); /* the GET and the PUT */
    apierr_result_clear(&r);
    apierr_client_free(c);
    apierr_set_alloc_funcs(NULL, NULL, NULL);
    assert_int_equal(foreign, 0);
    assert_int_equal(live, 0);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_update_body_freed_with_apierr_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
