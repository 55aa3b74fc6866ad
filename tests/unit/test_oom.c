/*
 * SQLite-style out-of-memory loops: for n = 1, 2, ... make the n-th
 * allocation fail (once, then again with every allocation after it failing
 * too) until a run completes without reaching n. Every call must return
 * APIERR_OK or APIERR_ENOMEM, never crash, and free everything it took: the
 * allocator counts live blocks, so a leak fails the test even without
 * LeakSanitizer. A second pass makes jansson's allocations fail as well.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apierr.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- a counting allocator that fails on demand --------------------------------- */

static long n_allocs;     /* allocations attempted in this run */
static long fail_at;      /* the one to fail (1-based); 0: none */
static int persistent;    /* fail every allocation from fail_at on */
static long live;         /* blocks allocated and not yet freed */
static int failed_once;   /* an allocation was made to fail in this run */
static int suspended;     /* failures off, counting off: for reference results */
static int jansson_fails; /* jansson's allocations fail too */

static int should_fail(void)
{
    if (suspended) return 0;
    n_allocs++;
    if (fail_at && (n_allocs == fail_at || (persistent && n_allocs > fail_at))) {
        failed_once = 1;
        return 1;
    }
    return 0;
}

static void *t_malloc(size_t n)
{
    if (should_fail()) return NULL;
    void *p = malloc(n);
    if (p) live++;
    return p;
}

static void *t_realloc(void *p, size_t n)
{
    if (should_fail()) return NULL;
    void *q = realloc(p, n);
    if (q && !p) live++;
    return q;
}

static void t_free(void *p)
{
    if (p) live--;
    free(p);
}

/*
 * jansson's allocator. jansson 2.14 ignores a failed growth of its lexer's
 * token buffer (lex_save() drops strbuffer_append_byte()'s error,
 * akheron/jansson#362) and then reads out of bounds, so no test of a
 * jansson user can fail those: they are the power-of-two sizes from 32 up,
 * which are spared here. Every other jansson allocation fails in turn.
 */
static void *j_malloc(size_t n)
{
    if (n >= 32 && (n & (n - 1)) == 0) {
        void *p = malloc(n);
        if (p) live++;
        return p;
    }
    return t_malloc(n);
}

/* --- the bodies: every seed shape and the wild ones --------------------------- */

typedef struct body {
    const char *name;
    int status;
    const char *content_type;
    const char *text;
} body;

static const body bodies[] = {
    {"fieldmap", 422, "application/json",
     "{\"message\":\"The given data was invalid.\",\"errors\":{\"email\":[\"The email field is "
     "required.\",\"Must be valid\"],\"items[0].price\":[\"must be positive\"],\"name\":\"too "
     "long\"}}"},
    {"flat", 401, "application/json",
     "{\"error\":\"invalid_token\",\"message\":\"Token expired\",\"statusCode\":401,\"details\":"
     "[{\"field\":\"items[0].qty\",\"message\":\"must be > 0\"},{\"field\":\"/name\"}]}"},
    {"nested", 400, "application/json",
     "{\"error\":{\"code\":\"VALIDATION_ERROR\",\"message\":\"Bad input\",\"details\":[{\"field\":"
     "\"a.b\",\"message\":\"x\"},{\"field\":\"$.c[1]\",\"message\":\"y\"}]},\"trace\":\"t-1\"}"},
    {"gestix", 503, "application/json",
     "{\"code\":\"DB_TIMEOUT\",\"message\":\"Database timeout\",\"timestamp\":\"2024-01-01T00:00:"
     "00Z\",\"path\":\"/api/orders\",\"request_id\":\"req-123\"}"},
    {"problem", 403, "application/problem+json",
     "{\"type\":\"https://example.com/probs/out-of-credit\",\"title\":\"You do not have enough "
     "credit.\",\"status\":403,\"detail\":\"Your current balance is 30, but that costs 50.\","
     "\"instance\":\"/account/12345/msgs/abc\",\"balance\":30,\"accounts\":[\"/account/12345\","
     "\"/account/67890\"],\"errors\":[{\"pointer\":\"#/age\",\"detail\":\"must be positive\"}],"
     "\"nested\":{\"deep\":[1,2,{\"x\":null}]}}"},
    {"graphql", 200, "application/json",
     "{\"errors\":[{\"message\":\"Cannot query field\",\"path\":[\"items\",0,\"price\"],"
     "\"extensions\":{\"code\":\"GRAPHQL_VALIDATION_FAILED\"}},{\"message\":\"second\"}],"
     "\"data\":null}"},
    {"oauth", 400, "application/json",
     "{\"error\":\"invalid_grant\",\"error_description\":\"Token expired\"}"},
    {"google", 429, "application/json",
     "{\"error\":{\"code\":429,\"message\":\"Quota exceeded\",\"status\":\"RESOURCE_EXHAUSTED\","
     "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":"
     "\"1.5s\"},{\"@type\":\"type.googleapis.com/google.rpc.BadRequest\",\"fieldViolations\":"
     "[{\"field\":\"a.b\",\"description\":\"bad\"}]}]}}"},
    {"stripe", 402, "application/json",
     "{\"error\":{\"type\":\"card_error\",\"code\":\"card_declined\",\"message\":\"Your card was "
     "declined.\",\"param\":\"card_number\"}}"},
    {"jsonapi", 422, "application/vnd.api+json",
     "{\"errors\":[{\"status\":\"422\",\"code\":\"invalid\",\"title\":\"Invalid Attribute\","
     "\"detail\":\"must be 3 chars\",\"source\":{\"pointer\":\"/data/attributes/firstName\"}}]}"},
    {"fastapi", 422, "application/json",
     "{\"detail\":[{\"loc\":[\"body\",\"items\",0,\"price\"],\"msg\":\"field required\","
     "\"type\":\"value_error.missing\"}]}"},
    {"text", 502, "text/plain", "upstream connect error or disconnect/reset before headers"},
    {"html", 502, "text/html",
     "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
     "</center><hr><center>nginx</center></body></html>"},
    {"xml", 404, "application/xml",
     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The "
     "specified key does not exist.</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>"},
    {"empty", 500, NULL, ""},
    {"broken-json", 400, "application/json", "\xEF\xBB\xBF{\"message\": \"cut"},
    {"unknown-json", 418, "application/json", "[1, {\"weird\": true}, \"\xff\"]"},
};

/* A fieldmap body with enough fields to grow the details array and spill
 * the problem's arena into more chunks. */
static char big_body[8192];

static void make_big_body(void)
{
    size_t n = (size_t)snprintf(big_body, sizeof big_body, "{\"message\":\"many\",\"errors\":{");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(big_body + n, sizeof big_body - n,
                              "%s\"items[%d].price\":[\"must be positive, and this message is "
                              "long enough to take real room\"]",
                              i ? "," : "", i);
    snprintf(big_body + n, sizeof big_body - n, "}}");
}

static const apierr_header headers[] = {
    {"Retry-After", "Sun, 06 Nov 1994 08:49:42 GMT"},
    {"X-Request-Id", "hdr-req-1"},
    {"RateLimit", "\"default\";r=0;t=30"},
};

/* p written in dialect d with no allocation failing: the reference an
 * encode under failure must match when it succeeds. NULL when unsupported. */
static char *reference(const apierr_problem *p, apierr_dialect d)
{
    suspended = 1;
    char *out, *copy = NULL;
    if (apierr_problem_encode(&out, NULL, p, d) == APIERR_OK) {
        copy = strdup(out);
        apierr_free(out);
    }
    suspended = 0;
    return copy;
}

static void decode(apierr_problem **p, const body *b, int *rc)
{
    apierr_decode_opts o = APIERR_DECODE_OPTS_INIT;
    o.status = b->status;
    o.content_type = b->content_type;
    o.headers = headers;
    o.nheaders = sizeof headers / sizeof headers[0];
    o.now_ms = 784111777000LL;
    *rc = apierr_problem_decode(p, b->text, strlen(b->text), &o);
}

/* What decoding b gives with no failure, as problem+json. */
static char *decoded_ref;

/*
 * One decode and every encode. A call under failure may only return
 * APIERR_ENOMEM or exactly what it returns without failure: an
 * allocation failure must never degrade a result silently. Returns 1 when
 * the run went through without an injected failure.
 */
static int run(const body *b)
{
    apierr_problem *p = (apierr_problem *)b; /* must be reset to NULL on failure */
    int rc;
    decode(&p, b, &rc);
    if (rc != APIERR_OK && rc != APIERR_ENOMEM)
        fail_msg("%s: decode returned %d at allocation %ld", b->name, rc, fail_at);
    if (rc == APIERR_ENOMEM) {
        assert_null(p);
        return 0;
    }
    assert_non_null(p->message);
    /* When jansson's own allocations fail, json_loadb() often cannot say
     * so (it reports some as syntax errors), and the body is then read as
     * text: the one degradation allowed, since jansson does not tell. */
    char *got = reference(p, APIERR_DIALECT_PROBLEM);
    if (!jansson_fails && strcmp(got, decoded_ref) != 0)
        fail_msg("%s: decode under failure of allocation %ld gave\n%s\ninstead of\n%s", b->name,
                 fail_at, got, decoded_ref);
    free(got);
    for (int d = 0; d < APIERR_DIALECT__COUNT; d++) {
        if (d != APIERR_DIALECT_AUTO && !apierr_dialect_can_encode((apierr_dialect)d)) continue;
        char *want = reference(p, (apierr_dialect)d);
        char *out = (char *)b;
        size_t len = 99;
        rc = apierr_problem_encode(&out, &len, p, (apierr_dialect)d);
        if (!want) { /* AUTO writes the shape read, which may be decode-only */
            assert_int_equal(d, APIERR_DIALECT_AUTO);
            assert_int_equal(rc, APIERR_EUNSUPPORTED);
            continue;
        }
        if (rc != APIERR_OK && rc != APIERR_ENOMEM)
            fail_msg("%s: encode %s returned %d at allocation %ld", b->name,
                     apierr_dialect_name((apierr_dialect)d), rc, fail_at);
        if (rc == APIERR_OK) {
            assert_int_equal(strlen(out), len);
            if (strcmp(out, want) != 0)
                fail_msg("%s: encode %s under failure of allocation %ld gave\n%s\ninstead of\n%s",
                         b->name, apierr_dialect_name((apierr_dialect)d), fail_at, out, want);
            apierr_free(out);
        } else {
            assert_null(out);
        }
        free(want);
    }
    apierr_problem_free(p);
    return !failed_once;
}

/* The loop for one body: n = 1, 2, ... until nothing fails. */
/* Sets decoded_ref for b. */
static void set_reference(const body *b)
{
    apierr_problem *p;
    int rc;
    suspended = 1;
    decode(&p, b, &rc);
    suspended = 0;
    assert_int_equal(rc, APIERR_OK);
    decoded_ref = reference(p, APIERR_DIALECT_PROBLEM);
    assert_non_null(decoded_ref);
    suspended = 1;
    apierr_problem_free(p);
    suspended = 0;
}

static void oom_loop(const body *b, int with_jansson)
{
    set_reference(b);
    for (int mode = 0; mode < 2; mode++) {
        persistent = mode;
        for (fail_at = 1;; fail_at++) {
            n_allocs = 0;
            failed_once = 0;
            live = 0;
            int clean = run(b);
            if (live != 0)
                fail_msg("%s: %ld block(s) leaked when allocation %ld failed%s%s", b->name, live,
                         fail_at, persistent ? " (and all after it)" : "",
                         with_jansson ? " (jansson's too)" : "");
            if (clean) break;
            if (fail_at > 100000) fail_msg("%s: the loop does not end", b->name);
        }
        /* The last run succeeded without any failure. */
        assert_true(n_allocs < fail_at);
    }
    free(decoded_ref);
}

static void install(int with_jansson)
{
    apierr_set_alloc_funcs(t_malloc, t_realloc, t_free);
    if (with_jansson) json_set_alloc_funcs(j_malloc, t_free);
    jansson_fails = with_jansson;
}

static void uninstall(void)
{
    apierr_set_alloc_funcs(NULL, NULL, NULL);
    json_set_alloc_funcs(malloc, free);
    jansson_fails = 0;
}

static void each_body(int with_jansson)
{
    install(with_jansson);
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
        oom_loop(&bodies[i], with_jansson);
    const body big = {"many-fields", 422, "application/json", big_body};
    oom_loop(&big, with_jansson);
    uninstall();
}

static void test_oom_library(void **state)
{
    (void)state;
    each_body(0);
}

static void test_oom_with_jansson(void **state)
{
    (void)state;
    each_body(1);
}

/* The loop is only worth something when the runs do allocate: a sanity
 * check that the allocator is really in use. */
static void test_allocator_used(void **state)
{
    (void)state;
    install(1);
    fail_at = 0;
    n_allocs = 0;
    live = 0;
    failed_once = 0;
    set_reference(&bodies[0]);
    assert_true(run(&bodies[0]));
    free(decoded_ref);
    assert_true(n_allocs > 2);
    assert_int_equal(live, 0);
    uninstall();
}

int main(void)
{
    make_big_body();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allocator_used),
        cmocka_unit_test(test_oom_library),
        cmocka_unit_test(test_oom_with_jansson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
