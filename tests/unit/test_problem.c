/*
 * The problem model: setters, details, and the round trip encode -> decode
 * for every dialect apierr can write, with auto-detection of its own output.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apierr.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* What each writable dialect carries across the wire; the round trip must
 * keep exactly these. */
enum { STATUS = 1, CODE = 2, REQID = 4, STAMP = 8, PATH = 16, DFIELD = 32, DCODE = 64 };
static const struct {
    apierr_dialect d;
    unsigned carries;
} writable[] = {
    {APIERR_DIALECT_PROBLEM, STATUS | CODE | REQID | STAMP | DFIELD | DCODE},
    {APIERR_DIALECT_FIELDMAP, DFIELD},
    {APIERR_DIALECT_FLAT, STATUS | CODE | DFIELD | DCODE},
    {APIERR_DIALECT_NESTED, CODE | DFIELD | DCODE},
    {APIERR_DIALECT_GESTIX, CODE | REQID | STAMP | PATH | DFIELD | DCODE},
    {APIERR_DIALECT_GRAPHQL, CODE | DFIELD | DCODE},
    {APIERR_DIALECT_OAUTH, CODE},
};

static apierr_problem *sample(void)
{
    apierr_problem *p;
    assert_int_equal(apierr_problem_new(&p), APIERR_OK);
    p->status = 422;
    assert_int_equal(apierr_problem_set(p, APIERR_PF_CODE, "validation_failed"), APIERR_OK);
    assert_int_equal(apierr_problem_set(p, APIERR_PF_MESSAGE, "Invalid \"data\"\n\xc3\xa9"), 0);
    assert_int_equal(apierr_problem_set(p, APIERR_PF_REQUEST_ID, "req-abc123"), APIERR_OK);
    assert_int_equal(apierr_problem_set(p, APIERR_PF_TIMESTAMP, "2024-11-15T10:30:00Z"), 0);
    assert_int_equal(apierr_problem_set(p, APIERR_PF_PATH, "/invoices"), APIERR_OK);
    assert_int_equal(apierr_problem_add_detail(p, "lines.0.quantity", "Must be > 0", "too_small"),
                     APIERR_OK);
    assert_int_equal(apierr_problem_add_detail(p, "customer.email", "Invalid email", "email"), 0);
    assert_int_equal(apierr_problem_add_detail(p, "customer.email", "Required", "required"), 0);
    return p;
}

static void assert_str_or_null(const char *got, const char *want)
{
    if (!want)
        assert_null(got);
    else {
        assert_non_null(got);
        assert_string_equal(got, want);
    }
}

static void test_round_trip(void **state)
{
    (void)state;
    apierr_problem *p = sample();
    for (size_t i = 0; i < sizeof writable / sizeof writable[0]; i++) {
        apierr_dialect d = writable[i].d;
        unsigned c = writable[i].carries;
        char *body;
        size_t len;
        assert_int_equal(apierr_problem_encode(&body, &len, p, d), APIERR_OK);
        assert_int_equal(strlen(body), len);
        json_t *j = json_loadb(body, len, 0, NULL);
        assert_non_null(j); /* always valid JSON */
        json_decref(j);

        /* Decoded with no hint but the status: detection must recognize
         * apierr's own output as the dialect it was written in. */
        apierr_decode_opts o = APIERR_DECODE_OPTS_INIT;
        o.status = (c & STATUS) ? 0 : 422;
        if (d == APIERR_DIALECT_PROBLEM) o.content_type = "application/problem+json";
        apierr_problem *q;
        assert_int_equal(apierr_problem_decode(&q, body, len, &o), APIERR_OK);
        print_message("%s: %s\n", apierr_dialect_name(d), body);
        assert_int_equal(q->dialect, d);
        assert_int_equal(q->status, 422);
        assert_string_equal(q->message, p->message);
        assert_str_or_null(q->code, (c & CODE) ? p->code : NULL);
        assert_str_or_null(q->request_id, (c & REQID) ? p->request_id : NULL);
        assert_str_or_null(q->timestamp, (c & STAMP) ? p->timestamp : NULL);
        assert_str_or_null(q->path, (c & PATH) ? p->path : NULL);
        size_t want = (c & DFIELD) ? p->ndetails : 0;
        assert_int_equal(q->ndetails, want);
        for (size_t k = 0; k < want; k++) {
            assert_string_equal(q->details[k].field, p->details[k].field);
            assert_string_equal(q->details[k].message, p->details[k].message);
            assert_str_or_null(q->details[k].code, (c & DCODE) ? p->details[k].code : NULL);
        }
        assert_int_equal(q->raw_len, len);
        assert_memory_equal(q->raw, body, len);
        apierr_problem_free(q);
        apierr_free(body);
    }
    apierr_problem_free(p);
}

static void test_encode_decode_only_is_unsupported(void **state)
{
    (void)state;
    apierr_problem *p = sample();
    char *out = (char *)1;
    for (unsigned d = 0; d < APIERR_DIALECT__COUNT; d++) {
        int rc = apierr_problem_encode(&out, NULL, p, (apierr_dialect)d);
        if (d == APIERR_DIALECT_AUTO) {
            assert_int_equal(rc, APIERR_OK); /* auto means the problem's own: problem */
        } else if (apierr_dialect_can_encode((apierr_dialect)d)) {
            assert_int_equal(rc, APIERR_OK);
        } else {
            assert_int_equal(rc, APIERR_EUNSUPPORTED);
            assert_null(out);
        }
        apierr_free(out);
        out = NULL;
    }
    apierr_problem_free(p);
}

static void test_extensions_kept(void **state)
{
    (void)state;
    const char *body = "{\"type\":\"https://example.com/probs/out-of-credit\",\"title\":\"You do "
                       "not have enough credit.\",\"detail\":\"Your current balance is 30, but "
                       "that costs 50.\",\"instance\":\"/account/12345/msgs/abc\",\"balance\":30,"
                       "\"accounts\":[\"/account/12345\",\"/account/67890\"]}";
    apierr_decode_opts o = APIERR_DECODE_OPTS_INIT;
    o.status = 403;
    o.content_type = "application/problem+json";
    apierr_problem *p;
    assert_int_equal(apierr_problem_decode(&p, body, strlen(body), &o), APIERR_OK);
    assert_int_equal(p->dialect, APIERR_DIALECT_PROBLEM);
    assert_string_equal(p->type, "https://example.com/probs/out-of-credit");
    assert_string_equal(p->title, "You do not have enough credit.");
    assert_string_equal(p->message, "Your current balance is 30, but that costs 50.");
    assert_string_equal(p->instance, "/account/12345/msgs/abc");
    assert_string_equal(p->extensions,
                        "{\"accounts\":[\"/account/12345\",\"/account/67890\"],\"balance\":30}");
    /* ...and written back out. */
    char *out;
    assert_int_equal(apierr_problem_encode(&out, NULL, p, APIERR_DIALECT_PROBLEM), APIERR_OK);
    json_t *j = json_loads(out, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "balance")), 30);
    assert_int_equal(json_array_size(json_object_get(j, "accounts")), 2);
    json_decref(j);
    apierr_free(out);
    apierr_problem_free(p);
}

/* RFC 9457's title: the reason phrase of the status for about:blank; with
 * no status and no title of the server's, none at all (the message changes
 * with each occurrence, a title must not). */
static void test_encoded_title(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        int status;
        const char *title; /* NULL: no title member */
    } rows[] = {
        {"{\"error\":{\"code\":\"bad\",\"message\":\"it broke\"}}", 0, NULL},
        {"{\"error\":{\"code\":\"bad\",\"message\":\"it broke\"}}", 422, "Unprocessable Content"},
        {"{\"title\":\"Out of credit\",\"detail\":\"it broke\"}", 0, "Out of credit"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        apierr_decode_opts o = APIERR_DECODE_OPTS_INIT;
        o.status = rows[i].status;
        apierr_problem *p;
        assert_int_equal(apierr_problem_decode(&p, rows[i].body, strlen(rows[i].body), &o),
                         APIERR_OK);
        char *out;
        assert_int_equal(apierr_problem_encode(&out, NULL, p, APIERR_DIALECT_PROBLEM), APIERR_OK);
        json_t *j = json_loads(out, 0, NULL);
        assert_non_null(j);
        json_t *title = json_object_get(j, "title");
        if (rows[i].title)
            assert_string_equal(json_string_value(title), rows[i].title);
        else
            assert_null(title);
        assert_string_equal(json_string_value(json_object_get(j, "detail")), "it broke");
        json_decref(j);
        apierr_free(out);
        apierr_problem_free(p);
    }
}

static void test_nothing_recognized(void **state)
{
    (void)state;
    apierr_problem *p;
    apierr_decode_opts o = APIERR_DECODE_OPTS_INIT;
    o.status = 503;
    assert_int_equal(apierr_problem_decode(&p, NULL, 0, &o), APIERR_OK);
    assert_int_equal(p->status, 503);
    assert_int_equal(p->effective_status, 503);
    /* Never invent (issue 10): the reason phrase is no message of the
     * server's; apierr_problem_text() offers it. */
    assert_null(p->message);
    assert_string_equal(apierr_problem_text(p), "Service Unavailable");
    apierr_problem_free(p);

    const char junk[] = "{\"a\": [1, 2, {\"b\": null}]}";
    assert_int_equal(apierr_problem_decode(&p, junk, sizeof junk - 1, &o), APIERR_OK);
    assert_int_equal(p->dialect, APIERR_DIALECT_UNKNOWN);
    assert_null(p->message);
    assert_string_equal(apierr_problem_text(p), "Service Unavailable");
    assert_string_equal(p->raw, junk);
    apierr_problem_free(p);
}

/* apierr_problem_text(): message, else title, else the reason phrase of
 * the effective status, else a fixed line; never NULL. */
static void test_problem_text(void **state)
{
    (void)state;
    apierr_problem *p;
    assert_string_equal(apierr_problem_text(NULL), "Unknown error");
    assert_int_equal(apierr_problem_new(&p), APIERR_OK);
    assert_string_equal(apierr_problem_text(p), "Unknown error");
    p->status = 200;
    p->effective_status = 404;
    assert_string_equal(apierr_problem_text(p), "Not Found");
    p->effective_status = 0; /* built by hand: the status speaks */
    assert_string_equal(apierr_problem_text(p), "OK");
    assert_int_equal(apierr_problem_set(p, APIERR_PF_TITLE, "Out of credit"), APIERR_OK);
    assert_string_equal(apierr_problem_text(p), "Out of credit");
    assert_int_equal(apierr_problem_set(p, APIERR_PF_MESSAGE, ""), APIERR_OK);
    assert_string_equal(apierr_problem_text(p), "Out of credit");
    assert_int_equal(apierr_problem_set(p, APIERR_PF_MESSAGE, "Balance 30, cost 50"), APIERR_OK);
    assert_string_equal(apierr_problem_text(p), "Balance 30, cost 50");
    apierr_problem_free(p);
}

/* The wire status stays the status; the status the body implies is the
 * effective status, and the policy judges by it. */
static void test_effective_status(void **state)
{
    (void)state;
    static const char slack[] = "{\"ok\":false,\"error\":\"invalid_auth\"}";
    apierr_problem *p;
    apierr_decode_opts o = APIERR_DECODE_OPTS_INIT;
    o.status = 200;
    assert_int_equal(apierr_problem_decode(&p, slack, sizeof slack - 1, &o), APIERR_OK);
    assert_int_equal(p->status, 200);
    assert_int_equal(p->effective_status, 401);
    assert_string_equal(p->code, "invalid_auth");
    assert_null(p->message);
    apierr_outcome out = APIERR_OUTCOME_INIT;
    out.status = 200;
    out.problem = p;
    apierr_classification c;
    apierr_policy_classify(&c, &out, NULL);
    assert_int_equal(c.status, 401);
    assert_int_equal(c.category, APIERR_CAT_UNAUTHENTICATED);
    apierr_problem_free(p);
}

static void test_many_details(void **state)
{
    (void)state;
    apierr_problem *p;
    char field[32], msg[32];
    assert_int_equal(apierr_problem_new(&p), APIERR_OK);
    for (int i = 0; i < 1000; i++) {
        snprintf(field, sizeof field, "items.%d.price", i);
        snprintf(msg, sizeof msg, "bad %d", i);
        assert_int_equal(apierr_problem_add_detail(p, field, msg, NULL), APIERR_OK);
    }
    assert_int_equal(p->ndetails, 1000);
    for (int i = 0; i < 1000; i++) {
        snprintf(field, sizeof field, "items.%d.price", i);
        assert_string_equal(p->details[i].field, field);
    }
    assert_int_equal(apierr_problem_set(p, APIERR_PF__COUNT, "x"), APIERR_EINVAL);
    apierr_problem_free(p);
    apierr_problem_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_encode_decode_only_is_unsupported),
        cmocka_unit_test(test_extensions_kept),
        cmocka_unit_test(test_encoded_title),
        cmocka_unit_test(test_nothing_recognized),
        cmocka_unit_test(test_problem_text),
        cmocka_unit_test(test_effective_status),
        cmocka_unit_test(test_many_details),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
