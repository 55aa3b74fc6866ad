/*
 * The reply builder: headers of the contract, dialect negotiation through
 * Accept, request ids, the 500 that leaks nothing, and every body read back
 * by the core decoder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "server_check.h"

#include <stdlib.h>
#include <string.h>

static apierr_problem *make(int status, const char *code, const char *message)
{
    apierr_problem *p;
    assert_int_equal(apierr_server_problem(&p, status, code, message), APIERR_OK);
    return p;
}

static int is_hex32(const char *s)
{
    if (!s || strlen(s) != 32) return 0;
    for (; *s; s++)
        if (!strchr("0123456789abcdef", *s)) return 0;
    return 1;
}

static void test_default_headers(void **state)
{
    (void)state;
    apierr_problem *p = make(404, "NOT_FOUND", "No invoice 42.");
    apierr_reply r;
    build_reply(&r, p, NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(reply_header(&r, "Content-Type"), "application/problem+json");
    assert_string_equal(reply_header(&r, "Cache-Control"), "no-store");
    const char *rid = reply_header(&r, "X-Request-Id");
    assert_true(is_hex32(rid));
    assert_null(reply_header(&r, "Retry-After"));
    assert_null(reply_header(&r, "WWW-Authenticate"));
    assert_null(p->request_id); /* the caller's problem is untouched */

    apierr_problem *back = decode_reply(&r, APIERR_DIALECT_AUTO, 0);
    assert_int_equal(back->dialect, APIERR_DIALECT_PROBLEM);
    assert_int_equal(back->status, 404);
    assert_string_equal(back->code, "NOT_FOUND");
    assert_string_equal(back->message, "No invoice 42.");
    assert_string_equal(back->request_id, rid); /* from the body: no headers given */
    apierr_problem_free(back);
    apierr_reply_clear(&r);
    assert_null(r.body);
    assert_int_equal(r.nheaders, 0);
    apierr_reply_clear(&r);
    apierr_reply_clear(NULL);
    apierr_problem_free(p);
}

/* Each writable dialect: the body decodes to what was sent, the request id
 * is in the header always and in the body where the dialect has a place. */
static void test_every_dialect(void **state)
{
    (void)state;
    static const struct {
        apierr_dialect d;
        int body_has_id, has_details;
    } cases[] = {
        {APIERR_DIALECT_PROBLEM, 1, 1}, {APIERR_DIALECT_FIELDMAP, 0, 1},
        {APIERR_DIALECT_FLAT, 0, 1},    {APIERR_DIALECT_NESTED, 0, 1},
        {APIERR_DIALECT_GESTIX, 1, 1},  {APIERR_DIALECT_GRAPHQL, 0, 1},
        {APIERR_DIALECT_OAUTH, 0, 0},
    };
    apierr_problem *p = make(422, "validation_failed", "Request validation failed.");
    assert_int_equal(apierr_problem_add_detail(p, "lines.0.quantity", "must be > 0", "min"), 0);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
        o.dialect = cases[i].d;
        o.request_id = "req-abc123";
        apierr_reply r;
        build_reply(&r, p, &o);
        assert_string_equal(reply_header(&r, "Content-Type"),
                            apierr_dialect_content_type(cases[i].d));
        assert_string_equal(reply_header(&r, "X-Request-Id"), "req-abc123");
        apierr_problem *back = decode_reply(&r, cases[i].d, 0);
        if (cases[i].body_has_id)
            assert_string_equal(back->request_id, "req-abc123");
        else
            assert_null(back->request_id);
        if (cases[i].d != APIERR_DIALECT_OAUTH)
            assert_string_equal(back->message, "Request validation failed.");
        if (cases[i].has_details) {
            assert_int_equal(back->ndetails, 1);
            assert_string_equal(back->details[0].field, "lines.0.quantity");
            assert_string_equal(back->details[0].message, "must be > 0");
        }
        apierr_problem_free(back);
        back = decode_reply(&r, cases[i].d, 1);
        assert_string_equal(back->request_id, "req-abc123");
        apierr_problem_free(back);
        apierr_reply_clear(&r);
    }
    apierr_problem_free(p);
}

static void test_accept_quality(void **state)
{
    (void)state;
    static const struct {
        const char *accept, *type;
        int q;
    } cases[] = {
        {NULL, "application/json", 1000},
        {"", "application/json", 1000},
        {"text/*;q=0.3, text/html;q=0.7, */*;q=0.5", "text/html", 700},
        {"text/*;q=0.3, text/html;q=0.7, */*;q=0.5", "text/plain", 300},
        {"text/*;q=0.3, text/html;q=0.7, */*;q=0.5", "image/png", 500},
        {"application/json;q=0.123", "application/json", 123},
        {"application/json;q=0.1234", "application/json", 0}, /* malformed: skipped */
        {"application/json;q=1.5", "application/json", 0},
        {"application/json;q=0", "application/json", 0},
        {"APPLICATION/JSON ; Q=0.5", "application/json", 500},
        {"*/json", "application/json", 0},
        {"application/json;x=\"a,b;q=0\";q=0.8", "application/json", 800},
        {"application/json;x=\"unclosed, application/json", "application/json", 0},
        {"garbage, , ;;, application/json", "application/json", 1000},
        {"text/html", "application/json", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_int_equal(apierr_accept_quality(cases[i].accept, cases[i].type), cases[i].q);
}

static void test_accept_dialect(void **state)
{
    (void)state;
    const apierr_dialect G = APIERR_DIALECT_GESTIX, P = APIERR_DIALECT_PROBLEM;
    static const struct {
        apierr_dialect configured;
        const char *accept;
        apierr_dialect want;
    } cases[] = {
        {APIERR_DIALECT_GESTIX, NULL, APIERR_DIALECT_GESTIX},
        {APIERR_DIALECT_GESTIX, "application/problem+json", APIERR_DIALECT_PROBLEM},
        {APIERR_DIALECT_GESTIX, "Application/Problem+JSON; charset=utf-8", APIERR_DIALECT_PROBLEM},
        {APIERR_DIALECT_GESTIX, "application/json", APIERR_DIALECT_GESTIX},
        {APIERR_DIALECT_GESTIX, "*/*", APIERR_DIALECT_GESTIX},
        {APIERR_DIALECT_GESTIX, "application/*", APIERR_DIALECT_GESTIX},
        {APIERR_DIALECT_GESTIX, "application/json, application/problem+json;q=0.5",
         APIERR_DIALECT_GESTIX},
        {APIERR_DIALECT_GESTIX, "application/json;q=0.5, application/problem+json",
         APIERR_DIALECT_PROBLEM},
        {APIERR_DIALECT_GESTIX, "application/problem+json, application/json",
         APIERR_DIALECT_PROBLEM},
        {APIERR_DIALECT_GESTIX, "application/problem+json;q=0", APIERR_DIALECT_GESTIX},
        {APIERR_DIALECT_GESTIX, "application/json;q=0, */*", APIERR_DIALECT_PROBLEM},
        {APIERR_DIALECT_GESTIX, "text/html", APIERR_DIALECT_GESTIX},
        {APIERR_DIALECT_FLAT, "application/problem+json;q=2", APIERR_DIALECT_FLAT},
        {APIERR_DIALECT_FLAT, "application/problem+json;v=\"a,b\";q=0.8, application/json;q=0.7",
         APIERR_DIALECT_PROBLEM},
        {APIERR_DIALECT_AUTO, "application/json", APIERR_DIALECT_PROBLEM},
        {APIERR_DIALECT_AWS_XML, NULL, APIERR_DIALECT_PROBLEM}, /* decode-only */
        {APIERR_DIALECT_PROBLEM, "application/json", APIERR_DIALECT_PROBLEM},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_int_equal(apierr_reply_dialect(cases[i].configured, cases[i].accept), cases[i].want);

    /* Through the builder: the problem's own dialect counts when the options
     * name none, and Accept overrides it. */
    apierr_problem *p = make(409, "DUPLICATE_ENTRY", "Duplicate document.");
    p->dialect = G;
    apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
    apierr_reply r;
    build_reply(&r, p, &o);
    assert_string_equal(reply_header(&r, "Content-Type"), "application/json");
    apierr_problem *back = decode_reply(&r, APIERR_DIALECT_AUTO, 0);
    assert_int_equal(back->dialect, G);
    apierr_problem_free(back);
    apierr_reply_clear(&r);
    o.accept = "application/problem+json";
    build_reply(&r, p, &o);
    assert_string_equal(reply_header(&r, "Content-Type"), "application/problem+json");
    back = decode_reply(&r, APIERR_DIALECT_AUTO, 0);
    assert_int_equal(back->dialect, P);
    assert_int_equal(back->status, 409);
    assert_string_equal(back->code, "DUPLICATE_ENTRY");
    apierr_problem_free(back);
    apierr_reply_clear(&r);
    apierr_problem_free(p);
}

static void test_retry_after(void **state)
{
    (void)state;
    static const struct {
        int status;
        long long problem_ms, default_ms;
        const char *want; /* NULL: no header */
    } cases[] = {
        {429, -1, 1000, "1"},  {429, 30000, 1000, "30"}, {503, 1500, 1000, "2"},
        {503, 1, 1000, "1"},   {503, 0, 1000, "0"},      {503, -1, 5000, "5"},
        {503, -1, -1, NULL},   {400, -1, 1000, NULL},    {409, 1000, 1000, "1"},
        {504, -1, 1000, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        apierr_problem *p = make(cases[i].status, "X", "x");
        p->retry_after_ms = cases[i].problem_ms;
        apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
        o.default_retry_after_ms = cases[i].default_ms;
        apierr_reply r;
        build_reply(&r, p, &o);
        const char *v = reply_header(&r, "Retry-After");
        if (!cases[i].want) {
            assert_null(v);
        } else {
            assert_non_null(v);
            assert_string_equal(v, cases[i].want);
            apierr_problem *back = decode_reply(&r, APIERR_DIALECT_PROBLEM, 1);
            assert_int_equal(back->retry_after_ms, atoll(cases[i].want) * 1000);
            apierr_problem_free(back);
        }
        apierr_reply_clear(&r);
        apierr_problem_free(p);
    }
}

static void test_allow_on_405(void **state)
{
    (void)state;
    apierr_problem *p = make(405, "METHOD_NOT_ALLOWED", "Use GET or PUT.");
    apierr_reply r;
    assert_int_equal(apierr_reply_build(&r, p, NULL), APIERR_EINVAL);
    assert_null(r.body);
    assert_null(r.headers);
    apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
    o.allow = "GET, PUT, DELETE";
    build_reply(&r, p, &o);
    assert_string_equal(reply_header(&r, "Allow"), "GET, PUT, DELETE");
    apierr_reply_clear(&r);
    p->status = 404; /* Allow belongs to 405 only */
    build_reply(&r, p, &o);
    assert_null(reply_header(&r, "Allow"));
    apierr_reply_clear(&r);
    apierr_problem_free(p);
}

static void test_www_authenticate(void **state)
{
    (void)state;
    static const struct {
        int status;
        apierr_bearer_error e;
        const char *realm, *override, *message, *want;
    } cases[] = {
        {401, APIERR_BEARER_INVALID_TOKEN, NULL, NULL, "The access token expired",
         "Bearer error=\"invalid_token\", error_description=\"The access token expired\""},
        {401, APIERR_BEARER_INVALID_TOKEN, "api", NULL, "Bad \"token\"\\\n\xc3\xa9",
         "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"Bad token\""},
        {401, APIERR_BEARER_MISSING, NULL, NULL, "Missing Authorization header", "Bearer"},
        {401, APIERR_BEARER_MISSING, "api", NULL, "Missing", "Bearer realm=\"api\""},
        {401, APIERR_BEARER_INVALID_REQUEST, NULL, NULL, "Two tokens",
         "Bearer error=\"invalid_request\", error_description=\"Two tokens\""},
        {403, APIERR_BEARER_INSUFFICIENT_SCOPE, NULL, NULL, "Needs invoices:write",
         "Bearer error=\"insufficient_scope\", error_description=\"Needs invoices:write\""},
        {401, APIERR_BEARER_INVALID_TOKEN, NULL, "Basic realm=\"oauth\"", "Bad client",
         "Basic realm=\"oauth\""},
        {403, APIERR_BEARER_INVALID_TOKEN, NULL, NULL, "Session expired", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        apierr_problem *p = make(cases[i].status, "AUTH", cases[i].message);
        apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
        o.bearer_error = cases[i].e;
        o.realm = cases[i].realm;
        o.www_authenticate = cases[i].override;
        apierr_reply r;
        build_reply(&r, p, &o);
        const char *v = reply_header(&r, "WWW-Authenticate");
        if (cases[i].want) {
            assert_non_null(v);
            assert_string_equal(v, cases[i].want);
        } else {
            assert_null(v);
        }
        apierr_problem *back = decode_reply(&r, APIERR_DIALECT_PROBLEM, 1);
        assert_string_equal(back->message, cases[i].message); /* the body keeps it all */
        apierr_problem_free(back);
        apierr_reply_clear(&r);
        apierr_problem_free(p);
    }
}

static void test_500_leaks_nothing(void **state)
{
    (void)state;
    static const int statuses[] = {500, 0, 302, 200, 600};
    for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++) {
        apierr_problem *p = make(statuses[i], "SQLITE_CORRUPT",
                                 "database disk image is "
                                 "malformed: /var/lib/x.db");
        assert_int_equal(apierr_problem_add_detail(p, "secret_column", "stack: main()", "x"), 0);
        assert_int_equal(apierr_problem_set(p, APIERR_PF_EXTENSIONS, "{\"trace\":\"at foo.c:12\"}"),
                         APIERR_OK);
        assert_int_equal(apierr_problem_set(p, APIERR_PF_TITLE, "Corrupt SQLITE"), APIERR_OK);
        for (apierr_dialect d = APIERR_DIALECT_PROBLEM; d <= APIERR_DIALECT_OAUTH; d++) {
            apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
            o.dialect = d;
            o.request_id = "rid-500";
            apierr_reply r;
            build_reply(&r, p, &o);
            assert_int_equal(r.status, 500);
            assert_null(strstr(r.body, "SQLITE"));
            assert_null(strstr(r.body, "/var"));
            assert_null(strstr(r.body, "secret"));
            assert_null(strstr(r.body, "foo.c"));
            apierr_problem *back = decode_reply(&r, d, 1);
            assert_int_equal(back->ndetails, 0);
            assert_string_equal(back->request_id, "rid-500");
            if (d != APIERR_DIALECT_OAUTH)
                assert_string_equal(back->message, APIERR_REPLY_INTERNAL_MESSAGE);
            apierr_problem_free(back);
            apierr_reply_clear(&r);
        }
        apierr_problem_free(p);
    }
}

static void test_request_id_sources(void **state)
{
    (void)state;
    apierr_problem *p = make(400, "BAD", "Bad.");
    apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
    apierr_reply r;

    o.request_id = "bad id\r\nX-Evil: 1";
    assert_int_equal(apierr_reply_build(&r, p, &o), APIERR_EINVAL);
    o.request_id = NULL;

    assert_int_equal(apierr_problem_set(p, APIERR_PF_REQUEST_ID, "from-problem"), APIERR_OK);
    build_reply(&r, p, &o);
    assert_string_equal(reply_header(&r, "X-Request-Id"), "from-problem");
    apierr_reply_clear(&r);

    assert_int_equal(apierr_problem_set(p, APIERR_PF_REQUEST_ID, "not valid\n"), APIERR_OK);
    build_reply(&r, p, &o);
    char first[64];
    strcpy(first, reply_header(&r, "X-Request-Id"));
    assert_true(is_hex32(first));
    apierr_reply_clear(&r);
    build_reply(&r, p, &o);
    assert_true(is_hex32(reply_header(&r, "X-Request-Id")));
    assert_string_not_equal(reply_header(&r, "X-Request-Id"), first);
    apierr_reply_clear(&r);
    apierr_problem_free(p);
}

static void test_extra_headers_and_timestamp(void **state)
{
    (void)state;
    apierr_problem *p = make(400, "INVALID_ARGUMENT", "Field 'currency' is required");
    assert_int_equal(apierr_problem_set(p, APIERR_PF_PATH, "/invoices"), APIERR_OK);
    apierr_header extra[] = {{"RateLimit", "\"default\";r=5;t=10"}, {"X-Other", "1"}};
    apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
    o.dialect = APIERR_DIALECT_GESTIX;
    o.headers = extra;
    o.nheaders = 2;
    o.now_ms = 1731666600000LL;
    apierr_reply r;
    build_reply(&r, p, &o);
    assert_string_equal(reply_header(&r, "RateLimit"), "\"default\";r=5;t=10");
    assert_string_equal(reply_header(&r, "X-Other"), "1");
    apierr_problem *back = decode_reply(&r, APIERR_DIALECT_AUTO, 0);
    assert_int_equal(back->dialect, APIERR_DIALECT_GESTIX);
    assert_string_equal(back->timestamp, "2024-11-15T10:30:00Z");
    assert_string_equal(back->path, "/invoices");
    assert_string_equal(back->code, "INVALID_ARGUMENT");
    assert_string_equal(back->message, "Field 'currency' is required");
    assert_string_equal(back->request_id, reply_header(&r, "X-Request-Id"));
    apierr_problem_free(back);
    apierr_reply_clear(&r);
    assert_null(p->timestamp);

    apierr_header bad[][1] = {
        {{"X-Split", "a\r\nSet-Cookie: x"}}, {{"Bad Name", "v"}}, {{"", "v"}}, {{"X-Null", NULL}}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        o.headers = bad[i];
        o.nheaders = 1;
        assert_int_equal(apierr_reply_build(&r, p, &o), APIERR_EINVAL);
        assert_null(r.body);
    }
    apierr_problem_free(p);
}

static void test_reply_make(void **state)
{
    (void)state;
    apierr_header h[] = {{"Location", "/v1/invoices/7"}, {"Content-Type", "application/json"}};
    apierr_reply r;
    assert_int_equal(apierr_reply_make(&r, 201, h, 2, "{\"id\":7}", 8), APIERR_OK);
    assert_int_equal(r.status, 201);
    assert_int_equal(r.nheaders, 2);
    assert_string_equal(r.headers[0].name, "Location");
    assert_ptr_not_equal(r.headers[0].value, h[0].value);
    assert_string_equal(r.headers[0].value, "/v1/invoices/7");
    assert_memory_equal(r.body, "{\"id\":7}", 9);
    apierr_reply_clear(&r);
    assert_int_equal(apierr_reply_make(&r, 204, NULL, 0, NULL, 0), APIERR_OK);
    assert_null(r.body);
    assert_int_equal(r.body_len, 0);
    apierr_reply_clear(&r);
    assert_int_equal(apierr_reply_make(&r, 200, NULL, 0, NULL, 3), APIERR_EINVAL);
}

/* Every allocation of the builder may fail: the result is then ENOMEM with
 * nothing left allocated (ASan's leak check sees the rest). */
static int fail_at, calls;
static void *counting_malloc(size_t n)
{
    return ++calls == fail_at ? NULL : malloc(n);
}
static void *counting_realloc(void *ptr, size_t n)
{
    return ++calls == fail_at ? NULL : realloc(ptr, n);
}

static void test_out_of_memory(void **state)
{
    (void)state;
    apierr_problem *p = make(401, "TOKEN_EXPIRED", "The access token expired.");
    apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
    o.realm = "api";
    int ok = 0;
    for (fail_at = 1; fail_at < 50 && !ok; fail_at++) {
        calls = 0;
        apierr_set_alloc_funcs(counting_malloc, counting_realloc, NULL);
        apierr_reply r;
        int rc = apierr_reply_build(&r, p, &o);
        apierr_set_alloc_funcs(NULL, NULL, NULL);
        if (rc == APIERR_OK) {
            ok = 1;
            apierr_problem *back = decode_reply(&r, APIERR_DIALECT_PROBLEM, 1);
            assert_string_equal(back->code, "TOKEN_EXPIRED");
            apierr_problem_free(back);
        } else {
            assert_int_equal(rc, APIERR_ENOMEM);
            assert_null(r.body);
            assert_null(r.headers);
        }
        apierr_reply_clear(&r);
    }
    assert_true(ok);
    assert_true(fail_at > 2); /* at least one failure was injected */
    apierr_problem_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_headers),
        cmocka_unit_test(test_every_dialect),
        cmocka_unit_test(test_accept_quality),
        cmocka_unit_test(test_accept_dialect),
        cmocka_unit_test(test_retry_after),
        cmocka_unit_test(test_allow_on_405),
        cmocka_unit_test(test_www_authenticate),
        cmocka_unit_test(test_500_leaks_nothing),
        cmocka_unit_test(test_request_id_sources),
        cmocka_unit_test(test_extra_headers_and_timestamp),
        cmocka_unit_test(test_reply_make),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
