/* The validation collector: statuses, codes and messages per dialect, every
 * failure kept, and the reply read back by the core decoder. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "server_check.h"

static apierr_validation *collector(apierr_dialect d, int status, const char *code,
                                    const char *message)
{
    apierr_validation_opts o = APIERR_VALIDATION_OPTS_INIT;
    o.dialect = d;
    o.status = status;
    o.code = code;
    o.message = message;
    apierr_validation *v;
    assert_int_equal(apierr_validation_new(&v, &o), APIERR_OK);
    return v;
}

static void add_three(apierr_validation *v)
{
    assert_int_equal(apierr_validation_add(v, "currency", "is required", "required"), APIERR_OK);
    assert_int_equal(apierr_validation_add(v, "lines[0].quantity", "must be greater than 0", "min"),
                     APIERR_OK);
    assert_int_equal(apierr_validation_add(v, "/customer/email", "Invalid email address.", NULL),
                     APIERR_OK);
}

static void test_defaults_per_dialect(void **state)
{
    (void)state;
    static const struct {
        apierr_dialect d;
        int status;
        const char *code, *message;
    } cases[] = {
        {APIERR_DIALECT_AUTO, 422, "validation_failed", "Request validation failed."},
        {APIERR_DIALECT_PROBLEM, 422, "validation_failed", "Request validation failed."},
        {APIERR_DIALECT_FIELDMAP, 422, "validation_failed", "Request validation failed."},
        {APIERR_DIALECT_FLAT, 422, "validation_failed", "Request validation failed."},
        {APIERR_DIALECT_NESTED, 422, "validation_failed", "Request validation failed."},
        {APIERR_DIALECT_GESTIX, 400, "INVALID_ARGUMENT",
         "Field 'currency' is required (and 2 more)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        apierr_validation *v = collector(cases[i].d, 0, NULL, NULL);
        assert_int_equal(apierr_validation_count(v), 0);
        add_three(v);
        assert_int_equal(apierr_validation_count(v), 3);
        apierr_problem *p;
        assert_int_equal(apierr_validation_problem(&p, v), APIERR_OK);
        assert_int_equal(p->status, cases[i].status);
        assert_string_equal(p->code, cases[i].code);
        assert_string_equal(p->message, cases[i].message);
        assert_int_equal(p->ndetails, 3);
        assert_string_equal(p->details[1].field, "lines.0.quantity");
        assert_string_equal(p->details[2].field, "customer.email");
        assert_null(p->details[2].code);

        /* Through the reply builder and back. */
        apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
        o.dialect = cases[i].d;
        apierr_reply r;
        build_reply(&r, p, &o);
        assert_int_equal(r.status, cases[i].status);
        apierr_dialect d = cases[i].d == APIERR_DIALECT_AUTO ? APIERR_DIALECT_PROBLEM : cases[i].d;
        apierr_problem *back = decode_reply(&r, d, 1);
        assert_int_equal(back->status, cases[i].status);
        assert_string_equal(back->message, cases[i].message);
        assert_int_equal(back->ndetails, 3);
        static const char *const fields[] = {"currency", "lines.0.quantity", "customer.email"};
        static const char *const msgs[] = {"is required", "must be greater than 0",
                                           "Invalid email address."};
        for (size_t k = 0; k < 3; k++) {
            assert_string_equal(back->details[k].field, fields[k]);
            assert_string_equal(back->details[k].message, msgs[k]);
        }
        apierr_problem_free(back);
        apierr_reply_clear(&r);
        apierr_problem_free(p);
        apierr_validation_free(v);
    }
}

static void test_first_failure_message(void **state)
{
    (void)state;
    static const struct {
        const char *field, *message, *want;
    } cases[] = {
        {"currency", "is required", "Field 'currency' is required"},
        {"currency", "Must be an ISO 4217 code.", "Field 'currency': Must be an ISO 4217 code."},
        {"items[2].price", "must not be negative", "Field 'items.2.price' must not be negative"},
        {NULL, "Body must be a JSON object.", "Body must be a JSON object."},
        {"currency", NULL, "Field 'currency' is invalid"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        apierr_validation *v = collector(APIERR_DIALECT_GESTIX, 0, NULL, NULL);
        assert_int_equal(apierr_validation_add(v, cases[i].field, cases[i].message, NULL), 0);
        apierr_problem *p;
        assert_int_equal(apierr_validation_problem(&p, v), APIERR_OK);
        assert_string_equal(p->message, cases[i].want);
        apierr_problem_free(p);
        apierr_validation_free(v);
    }
}

static void test_options_override(void **state)
{
    (void)state;
    apierr_validation *v = collector(APIERR_DIALECT_GESTIX, 422, "VALIDATION", "Check the body.");
    assert_int_equal(apierr_validation_add(v, "a", "is required", "required"), APIERR_OK);
    apierr_problem *p;
    assert_int_equal(apierr_validation_problem(&p, v), APIERR_OK);
    assert_int_equal(p->status, 422);
    assert_string_equal(p->code, "VALIDATION");
    assert_string_equal(p->message, "Check the body.");
    apierr_problem_free(p);
    apierr_validation_free(v);

    v = collector(APIERR_DIALECT_PROBLEM, 400, NULL, NULL);
    assert_int_equal(apierr_validation_problem(&p, v), APIERR_EINVAL); /* nothing recorded */
    assert_null(p);
    assert_int_equal(apierr_validation_add(v, "x", "is required", NULL), APIERR_OK);
    apierr_validation_reset(v);
    assert_int_equal(apierr_validation_count(v), 0);
    assert_int_equal(apierr_validation_add(v, "y", "is required", NULL), APIERR_OK);
    assert_int_equal(apierr_validation_problem(&p, v), APIERR_OK);
    assert_int_equal(p->status, 400);
    assert_int_equal(p->ndetails, 1);
    assert_string_equal(p->details[0].field, "y");
    apierr_problem_free(p);
    apierr_validation_free(v);
    apierr_validation_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_per_dialect),
        cmocka_unit_test(test_first_failure_message),
        cmocka_unit_test(test_options_override),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
