/*
 * SQLite-style out-of-memory loops: for n = 1, 2, ... make the n-th
 * allocation fail (once, then again with every allocation after it failing
 * too) until a run completes without reaching n. Every call must return
 * APIERR_OK or APIERR_ENOMEM, never crash, and free everything it took: the
 * allocator counts live blocks, so a leak fails the test even without
 * LeakSanitizer. A second pass makes jansson's allocations fail as well.
 *
 * The core's decoder and encoders run over every body below; then
 * libapierr-server's objects (reply builder, validation collector, limiter,
 * idempotency store), whose failures must also leave nothing half done: no
 * half-written reply, no key half stored.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apierr-server.h"
#include "apierr.h"

#include <jansson.h>
#include <sqlite3.h>
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

/* stmt with failures off and uncounted: references, and the checks of what
 * a failure left behind. It nests. */
#define WITHOUT_FAILURES(stmt) \
    do {                       \
        int was_ = suspended;  \
        suspended = 1;         \
        stmt;                  \
        suspended = was_;      \
    } while (0)

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
    char *out, *copy = NULL;
    WITHOUT_FAILURES({
        if (apierr_problem_encode(&out, NULL, p, d) == APIERR_OK) {
            copy = strdup(out);
            apierr_free(out);
        }
    });
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
static int run_body(void *ctx)
{
    const body *b = ctx;
    apierr_problem *p = (apierr_problem *)b; /* must be reset to NULL on failure */
    int rc;
    decode(&p, b, &rc);
    if (rc != APIERR_OK && rc != APIERR_ENOMEM)
        fail_msg("%s: decode returned %d at allocation %ld", b->name, rc, fail_at);
    if (rc == APIERR_ENOMEM) {
        assert_null(p);
        return 0;
    }
    /* Issue 10: message may be NULL (never invented); the line to print
     * never is. */
    assert_non_null(apierr_problem_text(p));
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

/* A run of the loop: 1 when it went through without an injected failure. */
typedef int (*run_fn)(void *ctx);

/* The loop for one run: n = 1, 2, ... until nothing fails. Returns the
 * allocations of the run without failure: the points it can fail at. */
static long loop(const char *name, run_fn run, void *ctx, int with_jansson)
{
    long points = 0;
    for (int mode = 0; mode < 2; mode++) {
        persistent = mode;
        for (fail_at = 1;; fail_at++) {
            n_allocs = 0;
            failed_once = 0;
            live = 0;
            int clean = run(ctx);
            if (live != 0)
                fail_msg("%s: %ld block(s) leaked when allocation %ld failed%s%s", name, live,
                         fail_at, persistent ? " (and all after it)" : "",
                         with_jansson ? " (jansson's too)" : "");
            if (clean) break;
            if (fail_at > 100000) fail_msg("%s: the loop does not end", name);
        }
        /* The last run succeeded without any failure. */
        assert_true(n_allocs < fail_at);
        points = n_allocs;
    }
    return points;
}

static void oom_loop(const body *b, int with_jansson)
{
    body run = *b;
    set_reference(b);
    loop(b->name, run_body, &run, with_jansson);
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
    body run = bodies[0];
    assert_true(run_body(&run));
    free(decoded_ref);
    assert_true(n_allocs > 2);
    assert_int_equal(live, 0);
    uninstall();
}

/* --- libapierr-server ------------------------------------------------------------ */

/*
 * Each sequence of server calls runs once with failures off to record its
 * results (recording), then in the loop, where every result must be the
 * recorded one or, after a failure, nothing at all: no half-written reply,
 * no half-stored key. The calls get a fixed request id and clock, so that
 * results compare byte for byte. They use no jansson: they run in the
 * library's pass only.
 */
#define RID    "0123456789abcdef0123456789abcdef"
#define NOW_MS 1700000000123LL

static int recording; /* the run records its results; failures are off */

/* 1 when a call that returned rc failed for want of memory (which must have
 * been injected), 0 when it succeeded; anything else fails the test. */
static int out_of_memory(const char *what, int rc)
{
    if (rc == APIERR_OK) return 0;
    if (rc != APIERR_ENOMEM || recording)
        fail_msg("%s returned %s at allocation %ld", what, apierr_rc_name(rc), fail_at);
    if (!failed_once) fail_msg("%s returned APIERR_ENOMEM and no allocation failed", what);
    return 1;
}

static const apierr_reply nothing = APIERR_REPLY_INIT;

/* A reply that a call must overwrite, whatever happens. */
static apierr_reply *poisoned(apierr_reply *r)
{
    memset(r, 0xab, sizeof *r);
    return r;
}

static int reply_same(const apierr_reply *a, const apierr_reply *b)
{
    if (a->status != b->status || a->nheaders != b->nheaders || a->body_len != b->body_len)
        return 0;
    for (size_t i = 0; i < a->nheaders; i++)
        if (strcmp(a->headers[i].name, b->headers[i].name) != 0 ||
            strcmp(a->headers[i].value, b->headers[i].value) != 0)
            return 0;
    if (!a->body || !b->body) return a->body == b->body;
    return memcmp(a->body, b->body, a->body_len + 1) == 0;
}

/* What a call that returned rc must have left in *r: *want (recorded now
 * when recording, and then kept), or after a failure nothing at all. Clears
 * *r otherwise. 1 after a failure. */
static int check_reply(const char *what, int rc, apierr_reply *r, apierr_reply *want)
{
    int oom = out_of_memory(what, rc);
    if (recording) {
        *want = *r;
        return 0;
    }
    if (oom && !reply_same(r, &nothing))
        fail_msg("%s: a half-written reply when allocation %ld failed", what, fail_at);
    if (!oom && !reply_same(r, want))
        fail_msg("%s under failure of allocation %ld gave\n%s\ninstead of\n%s", what, fail_at,
                 r->body ? r->body : "(no body)", want->body ? want->body : "(no body)");
    apierr_reply_clear(r);
    return oom;
}

/* The same for a new problem p, compared as problem+json (*want, recorded
 * when recording), which must be NULL after a failure. Frees p. */
static int check_problem(const char *what, int rc, apierr_problem *p, char **want)
{
    if (out_of_memory(what, rc)) {
        assert_null(p);
        return 1;
    }
    char *got = reference(p, APIERR_DIALECT_PROBLEM);
    apierr_problem_free(p);
    if (recording) {
        *want = got;
        return 0;
    }
    if (strcmp(got, *want) != 0)
        fail_msg("%s under failure of allocation %ld gave\n%s\ninstead of\n%s", what, fail_at, got,
                 *want);
    free(got);
    return 0;
}

/* Records the results of run(ctx), then loops over it, and says in the
 * test's output how many allocations it could fail at: the coverage. */
static void server_loop(const char *name, run_fn run, void *ctx)
{
    fail_at = 0;
    failed_once = 0; /* after a failed test, too */
    recording = suspended = 1;
    assert_true(run(ctx));
    recording = suspended = 0;
    long points = loop(name, run, ctx, 0);
    print_message("%-52s %4ld allocations made to fail\n", name, points);
    assert_true(points > 0);
}

/* --- the reply builder --- */

static const apierr_header extra_headers[] = {
    {"Location", "/invoices/1"},
    {"RateLimit", "\"default\";r=0;t=30"},
};

/* A problem and options that pick the headers, built in every dialect that
 * can be written. */
typedef struct reply_case {
    const char *name;
    int status;
    long long retry_after_ms; /* 0: none */
    size_t ndetails;
    const char *accept, *allow, *realm, *www_authenticate;
    apierr_bearer_error bearer;
    size_t nextra; /* of extra_headers */
} reply_case;

static const reply_case reply_cases[] = {
    {.name = "reply 422, details, extra headers", .status = 422, .ndetails = 12, .nextra = 2},
    {.name = "reply 401, Bearer challenge", .status = 401, .realm = "api \"v1\""},
    {.name = "reply 401, no credentials", .status = 401, .bearer = APIERR_BEARER_MISSING},
    {.name = "reply 401, WWW-Authenticate given",
     .status = 401,
     .www_authenticate = "Basic realm=\"x\""},
    {.name = "reply 403, insufficient scope",
     .status = 403,
     .ndetails = 1,
     .bearer = APIERR_BEARER_INSUFFICIENT_SCOPE},
    {.name = "reply 405, Allow", .status = 405, .allow = "GET, PUT", .nextra = 1},
    {.name = "reply 429, Retry-After, Accept problem+json",
     .status = 429,
     .retry_after_ms = 1500,
     .accept = "application/problem+json"},
    {.name = "reply 503, default Retry-After",
     .status = 503,
     .accept = "application/json;q=0.5, */*;q=0.1"},
    {.name = "reply 500, nothing leaked", .status = 500, .ndetails = 3},
};

typedef struct reply_run {
    const reply_case *c;
    apierr_problem *p;
    apierr_reply want[APIERR_DIALECT__COUNT];
} reply_run;

static int encodable(int d)
{
    return d != APIERR_DIALECT_AUTO && apierr_dialect_can_encode((apierr_dialect)d);
}

static int run_reply(void *ctx)
{
    reply_run *x = ctx;
    const reply_case *c = x->c;
    apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
    o.accept = c->accept;
    o.request_id = RID;
    o.allow = c->allow;
    o.bearer_error = c->bearer;
    o.realm = c->realm;
    o.www_authenticate = c->www_authenticate;
    o.now_ms = NOW_MS;
    o.headers = extra_headers;
    o.nheaders = c->nextra;
    for (int d = 0; d < APIERR_DIALECT__COUNT; d++) {
        if (!encodable(d)) continue;
        char what[128];
        snprintf(what, sizeof what, "%s (%s)", c->name, apierr_dialect_name((apierr_dialect)d));
        o.dialect = (apierr_dialect)d;
        apierr_reply r;
        int rc = apierr_reply_build(poisoned(&r), x->p, &o);
        check_reply(what, rc, &r, &x->want[d]);
    }
    return !failed_once;
}

static void test_oom_reply(void **state)
{
    (void)state;
    install(0);
    for (size_t i = 0; i < sizeof reply_cases / sizeof *reply_cases; i++) {
        const reply_case *c = &reply_cases[i];
        reply_run x = {.c = c};
        WITHOUT_FAILURES({
            assert_int_equal(apierr_server_problem(&x.p, c->status, "SOME_CODE", "It failed."),
                             APIERR_OK);
            x.p->retry_after_ms = c->retry_after_ms ? c->retry_after_ms : -1;
            for (size_t k = 0; k < c->ndetails; k++) {
                char field[48];
                snprintf(field, sizeof field, "items[%zu].price", k);
                assert_int_equal(apierr_problem_add_detail(x.p, field, "must be positive", "min"),
                                 APIERR_OK);
            }
        });
        server_loop(c->name, run_reply, &x);
        for (int d = 0; d < APIERR_DIALECT__COUNT; d++) apierr_reply_clear(&x.want[d]);
        apierr_problem_free(x.p);
    }
    uninstall();
}

/* --- the validation collector --- */

/* Failures added: paths in their three forms, enough of them to grow the
 * details array and spill the problem's arena. */
#define NFAILURES 24

typedef struct validation_run {
    const char *name;
    apierr_validation_opts opts;
    char *want_problem;
    apierr_reply want_reply; /* the problem's reply in the options' dialect */
} validation_run;

/* new, NFAILURES times add, problem, and the problem's reply. */
static int run_validation(void *ctx)
{
    static const char *const forms[] = {"items[%zu].price", "/lines/%zu/quantity",
                                        "customer.address.line%zu"};
    validation_run *x = ctx;
    apierr_validation *v = (apierr_validation *)x; /* must be reset to NULL on failure */
    apierr_problem *p = (apierr_problem *)x;
    apierr_reply_opts ro = APIERR_REPLY_OPTS_INIT;
    ro.dialect = x->opts.dialect;
    ro.request_id = RID;
    apierr_reply r;
    int rc = apierr_validation_new(&v, &x->opts);
    if (out_of_memory("apierr_validation_new", rc)) {
        assert_null(v);
        return !failed_once;
    }
    for (size_t i = 0; i < NFAILURES; i++) {
        char field[64];
        snprintf(field, sizeof field, forms[i % 3], i);
        rc = apierr_validation_add(v, field, "must be positive, in a message that takes room",
                                   "invalid");
        int oom = out_of_memory("apierr_validation_add", rc);
        /* A failure is recorded whole or not at all. */
        assert_int_equal(apierr_validation_count(v), i + !oom);
        if (oom) goto out;
    }
    rc = apierr_validation_problem(&p, v);
    if (out_of_memory("apierr_validation_problem", rc)) {
        assert_null(p);
        goto out;
    }
    rc = apierr_reply_build(poisoned(&r), p, &ro);
    check_reply(x->name, rc, &r, &x->want_reply);
    check_problem(x->name, APIERR_OK, p, &x->want_problem);
out:
    apierr_validation_free(v);
    return !failed_once;
}

static void test_oom_validation(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        apierr_dialect dialect;
        int status;
        const char *code, *message;
    } cases[] = {
        {"validation, defaults", APIERR_DIALECT_PROBLEM, 0, NULL, NULL},
        {"validation, message naming the first failure", APIERR_DIALECT_GESTIX, 0, NULL, NULL},
        {"validation, own status, code and message", APIERR_DIALECT_FLAT, 400, "BAD_INPUT",
         "Check the fields."},
    };
    install(0);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        validation_run x = {cases[i].name, APIERR_VALIDATION_OPTS_INIT, NULL, APIERR_REPLY_INIT};
        x.opts.dialect = cases[i].dialect;
        x.opts.status = cases[i].status;
        x.opts.code = cases[i].code;
        x.opts.message = cases[i].message;
        server_loop(x.name, run_validation, &x);
        free(x.want_problem);
        apierr_reply_clear(&x.want_reply);
    }
    uninstall();
}

/* --- the limiter --- */

/*
 * 2 requests a second, burst 2, and room for 17 keys in each of the 16
 * shards: "a" is taken until denied, then NKEYS other keys make each
 * shard's bucket array (16 at first) grow and then evict. The seed of the
 * hash is random, so the number of allocations may vary by one or two from
 * run to run: the loop does not mind.
 */
#define NKEYS  400
#define NTAKES (3 + NKEYS)

static const apierr_limiter_opts limiter_opts = {
    APIERR_LIMITER_OPTS_VERSION, 2, 1, 2, 16 * 17, "api", NULL, 0};

typedef struct limiter_run {
    apierr_limit_verdict verdicts[NTAKES];
    char *want_problem;
    apierr_reply want[3]; /* the 429: memo filled, memo hit, with extra headers */
} limiter_run;

static size_t take_key(char *buf, size_t i)
{
    return (size_t)(i < 3 ? snprintf(buf, 32, "a") : snprintf(buf, 32, "key-%zu", i));
}

static int verdict_same(const apierr_limit_verdict *a, const apierr_limit_verdict *b)
{
    return a->allowed == b->allowed && a->limit == b->limit && a->window_s == b->window_s &&
           a->remaining == b->remaining && a->reset_ms == b->reset_ms &&
           a->retry_after_ms == b->retry_after_ms;
}

/* Takes the i-th request; 1 when it failed (then the key was not stored). */
static int limiter_take(limiter_run *x, apierr_limiter *l, size_t i)
{
    char key[32];
    size_t len = take_key(key, i), before = apierr_limiter_size(l);
    apierr_limit_verdict v;
    int rc = apierr_limiter_take(l, &v, key, len, NOW_MS);
    int oom = out_of_memory("apierr_limiter_take", rc);
    if (recording) x->verdicts[i] = v;
    /* It fails open, with the verdict it would have given. */
    if (!verdict_same(&v, &x->verdicts[i]))
        fail_msg("apierr_limiter_take %zu: another verdict when allocation %ld failed", i, fail_at);
    if (!oom) return 0;
    /* Nothing of the key was kept: taken again, it is a new key. */
    assert_true(apierr_limiter_size(l) <= before);
    WITHOUT_FAILURES(rc = apierr_limiter_take(l, &v, key, len, NOW_MS));
    assert_int_equal(rc, APIERR_OK);
    assert_true(verdict_same(&v, &x->verdicts[i]));
    return 1;
}

/* Forgets this thread's memoised 429 (a code with ':' is never memoised,
 * and trying one clears the memo), so that every run starts the same. */
static void forget_memo(const apierr_limiter *l, const apierr_limit_verdict *v)
{
    apierr_reply r;
    WITHOUT_FAILURES(apierr_limiter_reply(&r, l, v, "not:memoised", NULL, NULL));
    apierr_reply_clear(&r);
}

/* new, the takes, a 429 problem, and the 429 reply three times: memoised
 * (filled, then hit) and with extra headers. */
static int run_limiter(void *ctx)
{
    limiter_run *x = ctx;
    apierr_limiter *l = (apierr_limiter *)x; /* must be reset to NULL on failure */
    int rc = apierr_limiter_new(&l, &limiter_opts);
    if (out_of_memory("apierr_limiter_new", rc)) {
        assert_null(l);
        return !failed_once;
    }
    for (size_t i = 0; i < NTAKES; i++)
        if (limiter_take(x, l, i)) goto out;
    const apierr_limit_verdict *denied = &x->verdicts[2];
    assert_false(denied->allowed);
    apierr_problem *p = (apierr_problem *)x;
    rc = apierr_limiter_problem_with(&p, denied, "rate_limit_exceeded", NULL);
    check_problem("apierr_limiter_problem_with", rc, p, &x->want_problem);

    apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
    o.dialect = APIERR_DIALECT_FLAT;
    o.request_id = RID;
    o.now_ms = NOW_MS;
    forget_memo(l, denied);
    for (int k = 0; k < 3; k++) {
        o.headers = k == 2 ? extra_headers : NULL;
        o.nheaders = k == 2 ? 1 : 0;
        apierr_reply r;
        rc = apierr_limiter_reply(poisoned(&r), l, denied, NULL, NULL, &o);
        check_reply("apierr_limiter_reply", rc, &r, &x->want[k]);
    }
    /* The memo's hit gives what its fill gave. */
    if (recording) assert_true(reply_same(&x->want[0], &x->want[1]));
out:
    apierr_limiter_free(l);
    return !failed_once;
}

static void test_oom_limiter(void **state)
{
    (void)state;
    install(0);
    limiter_run x = {.want_problem = NULL};
    server_loop("limiter: new, take, problem, 429 reply", run_limiter, &x);
    free(x.want_problem);
    for (int k = 0; k < 3; k++) apierr_reply_clear(&x.want[k]);
    uninstall();
}

/* --- the idempotency store --- */

#define IDEMPOTENCY_KEY "acme:order-1"

typedef struct idempotency_run {
    apierr_reply response; /* what the first request answered */
    apierr_reply replay;   /* what begin() gives for it later */
    char *want_problem[2]; /* MISMATCH, IN_PROGRESS */
} idempotency_run;

static const unsigned char fingerprint[2][APIERR_SHA256_SIZE] = {{1}, {2}};

/* With failures off: what begin() of the key says now, and the reply it
 * gives, must be want and *reply. */
static void expect_state(apierr_idempotency *s, apierr_idempotency_state want,
                         const apierr_reply *reply)
{
    apierr_idempotency_state st;
    apierr_reply r;
    int rc;
    WITHOUT_FAILURES(
        rc = apierr_idempotency_begin(s, &st, &r, IDEMPOTENCY_KEY, fingerprint[0], NOW_MS + 2));
    assert_int_equal(rc, APIERR_OK);
    assert_int_equal(st, want);
    assert_true(reply_same(&r, reply));
    apierr_reply_clear(&r);
}

/* begin() of the key with the given fingerprint: the state must be want,
 * with *reply (recorded when recording). 1 after a failure. */
static int begin(apierr_idempotency *s, int fp, apierr_idempotency_state want, apierr_reply *reply)
{
    apierr_idempotency_state st = APIERR_IDEMPOTENCY_NEW;
    apierr_reply r;
    int rc =
        apierr_idempotency_begin(s, &st, poisoned(&r), IDEMPOTENCY_KEY, fingerprint[fp], NOW_MS);
    if (check_reply("apierr_idempotency_begin", rc, &r, reply)) return 1;
    assert_int_equal(st, want);
    return 0;
}

/* open, begin (NEW), complete, begin (REPLAY), begin with another request
 * (MISMATCH), and the problems of MISMATCH and IN_PROGRESS. */
static int run_idempotency(void *ctx)
{
    idempotency_run *x = ctx;
    apierr_reply none = APIERR_REPLY_INIT;
    apierr_idempotency *s = (apierr_idempotency *)x; /* must be reset to NULL on failure */
    int rc = apierr_idempotency_open(&s, ":memory:", NULL);
    if (out_of_memory("apierr_idempotency_open", rc)) {
        assert_null(s);
        return !failed_once;
    }
    if (begin(s, 0, APIERR_IDEMPOTENCY_NEW, &none)) {
        expect_state(s, APIERR_IDEMPOTENCY_NEW, &nothing); /* nothing claimed */
        goto out;
    }
    rc = apierr_idempotency_complete(s, IDEMPOTENCY_KEY, &x->response);
    if (out_of_memory("apierr_idempotency_complete", rc)) {
        expect_state(s, APIERR_IDEMPOTENCY_IN_PROGRESS, &nothing); /* nothing stored */
        goto out;
    }
    int oom = begin(s, 0, APIERR_IDEMPOTENCY_REPLAY, &x->replay);
    /* The replay is the response, byte for byte. */
    if (recording) assert_true(reply_same(&x->replay, &x->response));
    if (oom) {
        expect_state(s, APIERR_IDEMPOTENCY_REPLAY, &x->response); /* the stored one intact */
        goto out;
    }
    if (begin(s, 1, APIERR_IDEMPOTENCY_MISMATCH, &none)) goto out;
    for (int k = 0; k < 2; k++) {
        apierr_problem *p = (apierr_problem *)x;
        rc = apierr_idempotency_problem(&p, k ? APIERR_IDEMPOTENCY_IN_PROGRESS
                                              : APIERR_IDEMPOTENCY_MISMATCH);
        check_problem("apierr_idempotency_problem", rc, p, &x->want_problem[k]);
    }
out:
    apierr_idempotency_close(s);
    return !failed_once;
}

static void test_oom_idempotency(void **state)
{
    (void)state;
    static const apierr_header headers[] = {
        {"Content-Type", "application/json"},
        {"Location", "/orders/1"},
    };
    static const char body[] = "{\"id\":1,\"total\":\"12.50\"}";
    install(0);
    idempotency_run x = {.want_problem = {NULL, NULL}};
    WITHOUT_FAILURES(assert_int_equal(
        apierr_reply_make(&x.response, 201, headers, 2, body, sizeof body - 1), APIERR_OK));
    server_loop("idempotency: open, begin, complete, replay, problem", run_idempotency, &x);
    apierr_reply_clear(&x.response);
    apierr_reply_clear(&x.replay);
    free(x.want_problem[0]);
    free(x.want_problem[1]);
    uninstall();
}

/* --- SQLite errors as problems --- */

static const struct {
    int rc;
    const char *errmsg;
} db_errors[] = {
    {SQLITE_CONSTRAINT_UNIQUE, "UNIQUE constraint failed: invoices.number"},
    {SQLITE_CONSTRAINT_NOTNULL, "NOT NULL constraint failed: invoices.currency"},
    {SQLITE_BUSY_SNAPSHOT, "database is locked"},
    {SQLITE_CORRUPT, "database disk image is malformed"},
};

#define NDB_ERRORS (sizeof db_errors / sizeof *db_errors)

static int run_db_error(void *ctx)
{
    char **want = ctx;
    for (size_t i = 0; i < NDB_ERRORS; i++) {
        apierr_problem *p = (apierr_problem *)want; /* must be reset to NULL on failure */
        int rc = apierr_db_sqlite_problem(&p, db_errors[i].rc, db_errors[i].errmsg);
        check_problem("apierr_db_sqlite_problem", rc, p, &want[i]);
    }
    return !failed_once;
}

static void test_oom_db_error(void **state)
{
    (void)state;
    install(0);
    char *want[NDB_ERRORS] = {NULL};
    server_loop("db_error: SQLite codes as problems", run_db_error, want);
    for (size_t i = 0; i < NDB_ERRORS; i++) free(want[i]);
    uninstall();
}

/* --- a Redis handle (nothing is connected before the first script) --- */

static int run_redis_open(void *ctx)
{
    (void)ctx;
    apierr_redis *r = (apierr_redis *)1;
    int rc = apierr_redis_open(&r, "redis://:pw@127.0.0.1:6390/2");
    if (out_of_memory("apierr_redis_open", rc)) {
        assert_null(r);
        return 0;
    }
    apierr_redis_close(r);
    return !failed_once;
}

static void test_oom_redis_open(void **state)
{
    (void)state;
    install(0);
    server_loop("redis: open", run_redis_open, NULL);
    uninstall();
}

/*
 * The loops above see only what the server allocates through the library:
 * a check that it does. A reply is one block; a limiter holds one, and each
 * new key one more (its shard's first key also the bucket array); the
 * Bearer challenge is one more, short-lived, allocation; a collector and a
 * store hold some.
 */
static void test_server_allocator_used(void **state)
{
    (void)state;
    install(0);
    fail_at = 0;
    apierr_problem *p;
    assert_int_equal(apierr_server_problem(&p, 401, "TOKEN_EXPIRED", "Expired."), APIERR_OK);
    apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
    o.www_authenticate = "Basic realm=\"x\"";
    apierr_reply r;
    long base = live, calls = n_allocs;
    assert_int_equal(apierr_reply_build(&r, p, &o), APIERR_OK);
    assert_int_equal(live, base + 1);
    apierr_reply_clear(&r);
    assert_int_equal(live, base);
    long without_challenge = n_allocs - calls;
    calls = n_allocs;
    assert_int_equal(apierr_reply_build(&r, p, NULL), APIERR_OK);
    assert_int_equal(n_allocs - calls, without_challenge + 1);
    apierr_reply_clear(&r);
    apierr_problem_free(p);

    base = live;
    apierr_limiter *l;
    assert_int_equal(apierr_limiter_new(&l, NULL), APIERR_OK);
    assert_int_equal(live, base + 1);
    apierr_limit_verdict v;
    assert_int_equal(apierr_limiter_take(l, &v, "k", 1, NOW_MS), APIERR_OK);
    assert_int_equal(live, base + 3);
    apierr_limiter_free(l);

    apierr_validation *val;
    assert_int_equal(apierr_validation_new(&val, NULL), APIERR_OK);
    assert_true(live > base);
    apierr_validation_free(val);

    apierr_idempotency *s;
    assert_int_equal(apierr_idempotency_open(&s, ":memory:", NULL), APIERR_OK);
    assert_int_equal(live, base + 2); /* the store, and its SQLite backend */
    apierr_idempotency_close(s);
    assert_int_equal(live, base);
    uninstall();
}

int main(void)
{
    make_big_body();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allocator_used),   cmocka_unit_test(test_oom_library),
        cmocka_unit_test(test_oom_with_jansson), cmocka_unit_test(test_server_allocator_used),
        cmocka_unit_test(test_oom_reply),        cmocka_unit_test(test_oom_validation),
        cmocka_unit_test(test_oom_limiter),      cmocka_unit_test(test_oom_idempotency),
        cmocka_unit_test(test_oom_db_error),     cmocka_unit_test(test_oom_redis_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
