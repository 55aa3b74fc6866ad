/* libapierr-client: the pure parts (timer heap, URLs, keys, redaction, the
 * batch line format, result JSON) and the engine against a closed port. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../src/client/client_impl.h"
#include "../../src/client/engine.h"
#include "apierr-client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Pushes n timers, due at seeded random times below span, each item the
 * address of its due in dues. */
static void heap_fill(apierr__heap *h, long long *dues, size_t n, uint64_t seed, uint64_t span)
{
    apierr_rng rng;
    apierr_rng_seed(&rng, seed);
    for (size_t i = 0; i < n; i++) {
        dues[i] = (long long)(apierr_rng_next(&rng) % span);
        assert_int_equal(apierr__heap_push(h, dues[i], &dues[i]), 0);
    }
}

/* A wait that ends early (a call's next hedge, when an answer came) leaves
 * the heap from wherever it is: the rest still come out in order. */
static void test_heap_remove(void **state)
{
    (void)state;
    apierr__heap h = {0};
    enum { N = 1000 };
    static long long dues[N];
    heap_fill(&h, dues, N, 7, 100);
    for (size_t i = 0; i < N; i += 3) assert_int_equal(apierr__heap_remove(&h, &dues[i]), 0);
    assert_int_equal(apierr__heap_remove(&h, &dues[0]), -1); /* gone already */
    size_t n = 0;
    long long last_due = -1;
    apierr__timer t;
    while (apierr__heap_pop(&h, &t) == 0) {
        assert_true(t.due_ms >= last_due);
        assert_true(((long long *)t.item - dues) % 3 != 0);
        last_due = t.due_ms;
        n++;
    }
    assert_int_equal(n, N - (N + 2) / 3);
    apierr__heap_free(&h);
}

static void test_heap_orders_by_due_then_fifo(void **state)
{
    (void)state;
    apierr__heap h = {0};
    enum { N = 2000 };
    static long long dues[N];
    heap_fill(&h, dues, N, 42, 50); /* many ties */
    long long last_due = -1;
    long long *last_item = NULL;
    for (size_t i = 0; i < N; i++) {
        assert_non_null(apierr__heap_peek(&h));
        apierr__timer t;
        assert_int_equal(apierr__heap_pop(&h, &t), 0);
        assert_true(t.due_ms >= last_due);
        assert_int_equal(*(long long *)t.item, t.due_ms);
        /* Equal dues come out in the order they went in. */
        if (t.due_ms == last_due) assert_true((long long *)t.item > last_item);
        last_due = t.due_ms;
        last_item = t.item;
    }
    apierr__timer t;
    assert_int_equal(apierr__heap_pop(&h, &t), -1);
    assert_null(apierr__heap_peek(&h));
    apierr__heap_free(&h);
}

static char *url(const char *base, const char *u, const char *q, const char *kp, const char *k)
{
    apierr__buf b = APIERR__BUF_INIT;
    apierr__url_build(&b, base, u, q, kp, k);
    return apierr__buf_take(&b, NULL);
}

static void check_url(const char *want, const char *base, const char *u, const char *q,
                      const char *kp, const char *k)
{
    char *got = url(base, u, q, kp, k);
    assert_non_null(got);
    assert_string_equal(got, want);
    apierr_free(got);
}

static void test_url_build(void **state)
{
    (void)state;
    check_url("http://h/v1/x", "http://h/", "/v1/x", NULL, NULL, NULL);
    check_url("http://h/v1/x", "http://h", "v1/x", NULL, NULL, NULL);
    check_url("http://o/y", "http://h", "http://o/y", NULL, NULL, NULL);
    check_url("http://h/x?a=1", "http://h", "/x", "a=1", NULL, NULL);
    check_url("http://h/x?a=1&b=2", "http://h", "/x?a=1", "b=2", NULL, NULL);
    /* gestix: the key travels as ?nonce=, percent-encoded. */
    check_url("http://h/x?nonce=k%20y%26z", NULL, "http://h/x", NULL, "nonce", "k y&z");
    check_url("http://h/x?a=1&nonce=abc", NULL, "http://h/x?a=1", "", "nonce", "abc");
    check_url("http://h/x", NULL, "http://h/x", NULL, "nonce", "");
}

static void test_uuid4(void **state)
{
    (void)state;
    uint8_t ones[16];
    memset(ones, 0xff, sizeof ones);
    char u[37];
    apierr__uuid4_format(u, ones);
    assert_string_equal(u, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    uint8_t zeros[16] = {0};
    apierr__uuid4_format(u, zeros);
    assert_string_equal(u, "00000000-0000-4000-8000-000000000000");
    char a[37], b[37];
    assert_int_equal(apierr_uuid4(a), APIERR_OK);
    assert_int_equal(apierr_uuid4(b), APIERR_OK);
    assert_int_equal(strlen(a), 36);
    assert_int_equal(a[14], '4');
    assert_non_null(strchr("89ab", a[19]));
    assert_string_not_equal(a, b);
}

static void check_redact(const char *in, const char *want)
{
    char out[256];
    size_t n = apierr_redact_url(out, sizeof out, in);
    assert_int_equal(n, strlen(want));
    assert_string_equal(out, want);
}

static void test_redact_url(void **state)
{
    (void)state;
    check_redact("http://h/x?access_token=abc&page=2", "http://h/x?access_token=REDACTED&page=2");
    check_redact("https://u:pw@h/x?Client_Secret=s&nonce=n&api_key=k#frag",
                 "https://u:REDACTED@h/x?Client_Secret=REDACTED&nonce=n&api_key=REDACTED#frag");
    check_redact("http://tok@h/", "http://REDACTED@h/");
    check_redact("http://h/p?token", "http://h/p?token");
    check_redact("/v1/x?password=p&refresh_token=r&keyword=ok",
                 "/v1/x?password=REDACTED&refresh_token=REDACTED&keyword=ok");
    char small[8];
    size_t n = apierr_redact_url(small, sizeof small, "http://h/x?key=secret");
    assert_int_equal(n, strlen("http://h/x?key=REDACTED"));
    assert_string_equal(small, "http://");
}

static void test_header_redaction(void **state)
{
    (void)state;
    assert_true(apierr_header_is_secret("authorization"));
    assert_true(apierr_header_is_secret("Set-Cookie"));
    assert_true(apierr_header_is_secret("X-Api-Key"));
    assert_false(apierr_header_is_secret("Content-Type"));
    apierr__buf b = APIERR__BUF_INIT;
    apierr__header_line(&b, "> ", "Authorization", "Bearer s3cr3t",
                        apierr_header_is_secret("Authorization"));
    assert_string_equal(b.data, "> Authorization: Bearer REDACTED");
    b.len = 0;
    apierr__header_line(&b, "< ", "Set-Cookie", "sid=s3cr3t; Path=/",
                        apierr_header_is_secret("Set-Cookie"));
    assert_string_equal(b.data, "< Set-Cookie: REDACTED");
    b.len = 0;
    apierr__header_line(&b, "< ", "X-Request-Id", "r-1", apierr_header_is_secret("X-Request-Id"));
    assert_string_equal(b.data, "< X-Request-Id: r-1");
    apierr__buf_free(&b);
}

static void test_batch_line(void **state)
{
    (void)state;
    const char *m, *u, *body;
    char l1[] = "POST http://h/x {\"a\": 1, \"b\": \"c d\"}\r\n";
    assert_int_equal(apierr_batch_line_parse(l1, &m, &u, &body), APIERR_OK);
    assert_string_equal(m, "POST");
    assert_string_equal(u, "http://h/x");
    assert_string_equal(body, "{\"a\": 1, \"b\": \"c d\"}");
    char l2[] = "  GET\thttp://h/y  \n";
    assert_int_equal(apierr_batch_line_parse(l2, &m, &u, &body), APIERR_OK);
    assert_string_equal(m, "GET");
    assert_string_equal(u, "http://h/y");
    assert_null(body);
    char l3[] = "   # a comment";
    assert_int_equal(apierr_batch_line_parse(l3, &m, &u, &body), APIERR_ENOTFOUND);
    char l4[] = "\n";
    assert_int_equal(apierr_batch_line_parse(l4, &m, &u, &body), APIERR_ENOTFOUND);
    char l5[] = "GET";
    assert_int_equal(apierr_batch_line_parse(l5, &m, &u, &body), APIERR_EPARSE);
    char l6[] = "GET   ";
    assert_int_equal(apierr_batch_line_parse(l6, &m, &u, &body), APIERR_EPARSE);
}

/* A result as the engine leaves it after two failed attempts, its records
 * in the library's own block as the engine's are (free the records with
 * apierr__attempts_free: method and url are not owned). */
static void fake_result(apierr_result *r)
{
    memset(r, 0, sizeof *r);
    r->method = "POST";
    r->url = "http://h/v1/x?access_token=SECRET1&nonce=n1";
    r->category = APIERR_CAT_SERVER;
    snprintf(r->reason, sizeof r->reason, "gave up");
    snprintf(r->idempotency_key, sizeof r->idempotency_key, "k-1");
    apierr_attempt *a = apierr__attempt_push(r);
    assert_non_null(a);
    a->status = 503;
    a->decision = APIERR_DECISION_RETRY;
    a->category = APIERR_CAT_SERVER;
    a->delay_ms = 1000;
    snprintf(a->request_id, sizeof a->request_id, "req-1");
    a = apierr__attempt_push(r);
    assert_non_null(a);
    a->status = 503;
    a->decision = APIERR_DECISION_FAIL;
    a->category = APIERR_CAT_SERVER;
    apierr__attempt_flag(r, 1, APIERR_ATTEMPT_HEDGE);
}

static void test_report_line_redacts(void **state)
{
    (void)state;
    apierr_result r;
    fake_result(&r);
    apierr_problem *p;
    apierr_decode_opts o = APIERR_DECODE_OPTS_INIT;
    o.status = 503;
    const char *body = "{\"code\":\"DB_TIMEOUT\",\"message\":\"db slow\"}";
    assert_int_equal(apierr_problem_decode(&p, body, strlen(body), &o), APIERR_OK);
    apierr__buf b = APIERR__BUF_INIT;
    apierr__report_line(&b, 784111777000LL, &r, &r.attempts[0], p);
    assert_false(b.oom);
    assert_null(strstr(b.data, "SECRET1"));
    assert_non_null(strstr(b.data, "access_token=REDACTED"));
    assert_non_null(strstr(b.data, "\"time\":\"1994-11-06T08:49:37.000Z\""));
    assert_non_null(strstr(b.data, "\"request_id\":\"req-1\""));
    assert_non_null(strstr(b.data, "\"delay_ms\":1000"));
    assert_non_null(strstr(b.data, "\"status\":503"));
    assert_non_null(strstr(b.data, "DB_TIMEOUT"));
    assert_int_equal(b.data[b.len - 1], '\n');
    assert_null(memchr(b.data, '\n', b.len - 1)); /* one line */
    assert_non_null(strstr(b.data, "\"hedge\":false,\"cancelled\":false"));
    apierr__buf_free(&b);
    apierr_problem_free(p);
    apierr__attempts_free(&r);
}

static void test_result_json(void **state)
{
    (void)state;
    apierr_result r;
    fake_result(&r);
    char *json;
    assert_int_equal(apierr_result_to_json(&json, &r, 0), APIERR_OK);
    assert_null(strstr(json, "SECRET1"));
    assert_non_null(strstr(json, "\"ok\":false"));
    assert_non_null(strstr(json, "\"category\":\"server\""));
    assert_non_null(strstr(json, "\"idempotency_key\":\"k-1\""));
    assert_non_null(strstr(json, "\"decision\":\"retry\""));
    assert_null(strstr(json, "\"body\""));
    /* The second attempt's flag, from beside the records. */
    const char *second = strstr(json, "\"attempt\":2");
    assert_non_null(second);
    assert_non_null(strstr(second, "\"hedge\":true,\"cancelled\":false"));
    apierr_free(json);
    apierr__attempts_free(&r);
}

/* A port on which nothing listens: bound, never listened to. */
static int closed_port(int *fd)
{
    *fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(*fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
    return ntohs(a.sin_port);
}

struct tally {
    int done, retries;
};

static void count_done(void *payload, apierr_result *r)
{
    struct tally *t = payload;
    t->done++;
    assert_false(r->ok);
    assert_int_equal(r->category, APIERR_CAT_NETWORK);
    /* giponext: 1 s, 2 s, 4 s, then give up: the policy's delays, unscaled. */
    assert_int_equal(r->nattempts, 4);
    assert_int_equal(r->attempts[0].delay_ms, 1000);
    assert_int_equal(r->attempts[1].delay_ms, 2000);
    assert_int_equal(r->attempts[2].delay_ms, 4000);
    assert_int_equal(r->attempts[3].decision, APIERR_DECISION_FAIL);
    assert_int_equal(r->attempts[0].transport, APIERR_TRANSPORT_CONNECT_REFUSED);
}

static void count_retry(void *payload, const apierr_result *r, const apierr_attempt *a)
{
    (void)r, (void)a;
    ((struct tally *)payload)->retries++;
}

/* Issue 15: a client given no connect timeout bounds the connect (10 s),
 * and its default profile bounds an attempt, so that a host that never
 * answers does not hold a call for ever. */
static void test_default_timeouts(void **state)
{
    (void)state;
    apierr_client *c;
    assert_int_equal(apierr_client_new(&c, NULL), APIERR_OK);
    assert_int_equal(c->connect_timeout_ms, 10000);
    assert_int_equal(c->profile.policy.attempt_timeout_ms, 30000);
    apierr_client_free(c);
    apierr_client_opts o = APIERR_CLIENT_OPTS_INIT;
    o.connect_timeout_ms = 2500;
    assert_int_equal(apierr_client_new(&c, &o), APIERR_OK);
    assert_int_equal(c->connect_timeout_ms, 2500);
    apierr_client_free(c);
}

static void test_engine_retries_refused_connections(void **state)
{
    (void)state;
    int fd;
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", closed_port(&fd));
    apierr_profile prof;
    assert_int_equal(apierr_profile_builtin(&prof, "giponext"), APIERR_OK);
    struct tally t = {0};
    apierr_client_opts o = APIERR_CLIENT_OPTS_INIT;
    o.base_url = base;
    o.profile = &prof;
    o.time_scale = 0.001;
    o.on_retry = count_retry;
    o.payload = &t;
    o.max_in_flight = 8;
    apierr_client *c;
    assert_int_equal(apierr_client_new(&c, &o), APIERR_OK);
    enum { CALLS = 50 };
    apierr_request req = APIERR_REQUEST_INIT;
    req.url = "/v1/x";
    for (int i = 0; i < CALLS; i++)
        assert_int_equal(apierr_client_submit(c, &req, count_done, &t), APIERR_OK);
    assert_int_equal(apierr_client_pending(c), CALLS);
    assert_int_equal(apierr_client_run(c), APIERR_OK);
    assert_int_equal(t.done, CALLS);
    assert_int_equal(t.retries, 3 * CALLS);
    assert_int_equal(apierr_client_pending(c), 0);
    apierr_client_free(c);
    close(fd);
}

/* The allocator of the run tests: counts the allocations of a call's run
 * (engine.h) and fails them while run_fails is set. */
static int runs_made, run_fails;

static void *run_malloc(size_t n)
{
    if (n == sizeof(apierr__run)) {
        if (run_fails) return NULL;
        runs_made++;
    }
    return malloc(n);
}

/* A client of the run tests, its allocator run_malloc: one attempt a
 * call, 4 in flight, to a closed port (*fd), so every call ends on its
 * first answer and no more calls have started than may be in flight. */
static apierr_client *run_test_client(int *fd, int fails)
{
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", closed_port(fd));
    apierr_set_alloc_funcs(run_malloc, realloc, free);
    runs_made = 0;
    run_fails = fails;
    static apierr_profile prof;
    assert_int_equal(apierr_profile_builtin(&prof, "giponext"), APIERR_OK);
    prof.policy.max_attempts = 1;
    apierr_client_opts o = APIERR_CLIENT_OPTS_INIT;
    o.base_url = base;
    o.profile = &prof;
    o.max_in_flight = 4;
    apierr_client *c;
    assert_int_equal(apierr_client_new(&c, &o), APIERR_OK);
    return c;
}

static void run_test_end(apierr_client *c, int fd)
{
    apierr_client_free(c);
    run_fails = 0;
    apierr_set_alloc_funcs(NULL, NULL, NULL);
    close(fd);
}

static void count_failed(void *payload, apierr_result *r)
{
    struct tally *t = payload;
    t->done++;
    assert_false(r->ok);
    assert_string_equal(r->method, "GET");
    assert_non_null(strstr(r->url, "/v1/x?n=1"));
}

/* A queued call holds only the copy of its request: its run (result,
 * attempt, policy state) comes with its first attempt, from the ones
 * ended calls left. 200 calls, 4 in flight: 4 runs, not 200. */
static void test_engine_runs_given_at_start(void **state)
{
    (void)state;
    int fd;
    apierr_client *c = run_test_client(&fd, 0);
    enum { CALLS = 200 };
    struct tally t = {0};
    apierr_request req = APIERR_REQUEST_INIT;
    req.url = "/v1/x?n=1";
    for (int i = 0; i < CALLS; i++)
        assert_int_equal(apierr_client_submit(c, &req, count_failed, &t), APIERR_OK);
    for (const apierr__call *k = c->all; k; k = k->all_next) assert_null(k->run);
    assert_int_equal(apierr_client_run(c), APIERR_OK);
    assert_int_equal(t.done, CALLS);
    assert_true(runs_made >= 1 && runs_made <= 4);
    run_test_end(c, fd);
}

static void count_out_of_memory(void *payload, apierr_result *r)
{
    count_failed(payload, r);
    assert_int_equal(r->category, APIERR_CAT_NETWORK);
    assert_string_equal(r->reason, "out of memory starting the call");
    assert_int_equal(r->nattempts, 0);
}

/* No memory for a call's run: the call ends on one of the stack, its
 * callback told why, nothing sent, nothing leaked (ASan). */
static void test_engine_run_out_of_memory(void **state)
{
    (void)state;
    int fd;
    apierr_client *c = run_test_client(&fd, 1);
    struct tally t = {0};
    apierr_request req = APIERR_REQUEST_INIT;
    req.url = "/v1/x?n=1";
    for (int i = 0; i < 3; i++)
        assert_int_equal(apierr_client_submit(c, &req, count_out_of_memory, &t), APIERR_OK);
    assert_int_equal(apierr_client_run(c), APIERR_OK);
    assert_int_equal(t.done, 3);
    assert_int_equal(runs_made, 0);
    run_test_end(c, fd);
}

static int no_credentials(void *payload, int force, char *token, size_t cap, long long *ttl)
{
    (void)payload, (void)force, (void)token, (void)cap, (void)ttl;
    return APIERR_EIO;
}

static void test_client_options_checked(void **state)
{
    (void)state;
    apierr_client *c = NULL;
    apierr_client_opts o = APIERR_CLIENT_OPTS_INIT;
    o.oauth_token_url = "http://h/token";
    o.client_id = "id";
    o.credentials = no_credentials;
    assert_int_equal(apierr_client_new(&c, &o), APIERR_EINVAL); /* two refresh sources */
    o.credentials = NULL;
    o.client_id = NULL;
    assert_int_equal(apierr_client_new(&c, &o), APIERR_EINVAL);
    assert_int_equal(apierr_client_new(&c, NULL), APIERR_OK);
    apierr_request req = APIERR_REQUEST_INIT;
    assert_int_equal(apierr_client_submit(c, &req, NULL, NULL), APIERR_EINVAL);
    /* A URL is judged each time, the one checked last (remembered) or not. */
    static const struct {
        const char *url;
        int rc;
    } urls[] = {
        {"http://h/x", APIERR_OK},       {"http://h/x", APIERR_OK},
        {"http://h/a b", APIERR_EINVAL}, {"http://h/a b", APIERR_EINVAL},
        {"http://h/x", APIERR_OK},       {"file:///etc/passwd", APIERR_EINVAL},
        {"https://h/y", APIERR_OK},      {"http://h/x\x7f", APIERR_EINVAL},
    };
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        req.url = urls[i].url;
        assert_int_equal(apierr_client_submit(c, &req, NULL, NULL), urls[i].rc);
    }
    apierr_client_free(c);
}

/* The split as strtok_r() made it (the reader's first form), the oracle of
 * the hand-written one. */
static size_t headers_by_strtok(apierr_header *out, size_t cap, char *raw)
{
    size_t n = 0;
    char *save = NULL;
    for (char *line = strtok_r(raw, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        char *colon = strchr(line, ':');
        if (!colon || n == cap) continue;
        *colon = '\0';
        char *v = colon + 1;
        while (*v == ' ' || *v == '\t') v++;
        size_t len = strlen(v);
        while (len && (v[len - 1] == ' ' || v[len - 1] == '\t')) v[--len] = '\0';
        out[n++] = (apierr_header){line, v};
    }
    return n;
}

/* An answer's headers split as strtok_r() split them: CR, LF and runs of
 * them, lines without a colon, empty and blank values, a colon in a value,
 * more headers than room; and the result's copy of them. */
static void test_headers_parse(void **state)
{
    (void)state;
    static const char *const heads[] = {
        "",
        "\r\n\r\n",
        "Content-Type: application/json\r\nX-Request-Id: abc\r\n\r\n",
        "no colon\r\nA:b\nB:  c d \t\r\rC:\r\nD: \t \r\n",
        "Location: http://h:1/x?y=1\r\n: empty name\r\nE:last",
        "\n\r\nF: 1\r\nG: 2\r\nH: 3\r\nI: 4\r\n",
    };
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
        for (size_t cap = 0; cap <= 4; cap++) {
            char a[256], b[256];
            snprintf(a, sizeof a, "%s", heads[i]);
            snprintf(b, sizeof b, "%s", heads[i]);
            apierr_header ha[4], hb[4];
            size_t na = apierr__headers_parse(ha, cap, a);
            size_t nb = headers_by_strtok(hb, cap, b);
            assert_int_equal(na, nb);
            for (size_t k = 0; k < na; k++) {
                assert_string_equal(ha[k].name, hb[k].name);
                assert_string_equal(ha[k].value, hb[k].value);
            }
            /* The result's copy, the split text copied whole, reads the
             * same, and owns its strings. */
            apierr_header *kept;
            assert_int_equal(apierr__headers_copy_within(&kept, ha, na, a, strlen(heads[i])), 0);
            memset(a, 'x', sizeof a);
            for (size_t k = 0; k < na; k++) {
                assert_string_equal(kept[k].name, hb[k].name);
                assert_string_equal(kept[k].value, hb[k].value);
            }
            apierr__headers_free(kept, na);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heap_orders_by_due_then_fifo),
        cmocka_unit_test(test_heap_remove),
        cmocka_unit_test(test_url_build),
        cmocka_unit_test(test_uuid4),
        cmocka_unit_test(test_redact_url),
        cmocka_unit_test(test_header_redaction),
        cmocka_unit_test(test_batch_line),
        cmocka_unit_test(test_report_line_redacts),
        cmocka_unit_test(test_result_json),
        cmocka_unit_test(test_default_timeouts),
        cmocka_unit_test(test_engine_retries_refused_connections),
        cmocka_unit_test(test_engine_runs_given_at_start),
        cmocka_unit_test(test_engine_run_out_of_memory),
        cmocka_unit_test(test_client_options_checked),
        cmocka_unit_test(test_headers_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
