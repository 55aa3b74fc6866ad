/* The status registry, category/action names, and library return codes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apierr.h"

#include <string.h>

static size_t registry_size(void)
{
    size_t n = 0;
    while (apierr_status_at(n)) n++;
    return n;
}

static void test_registry_entries(void **state)
{
    (void)state;
    size_t n = registry_size();
    assert_true(n >= 60); /* IANA lists over sixty codes */
    for (size_t i = 0; i < n; i++) {
        const apierr_status_info *e = apierr_status_at(i);
        assert_true(e->code >= 100 && e->code <= 599);
        assert_non_null(e->reason);
        assert_true(e->reason[0] != '\0');
        assert_string_not_equal(e->reason, "Unknown Status");
        assert_int_equal(e->klass, e->code / 100);
        assert_int_equal(e->registered, 1);
        assert_non_null(apierr_category_name(e->category));
        assert_non_null(apierr_action_name(e->action));
        /* Lookup and the shortcuts agree with the table. */
        apierr_status_info got;
        assert_int_equal(apierr_status_lookup(&got, e->code), APIERR_OK);
        assert_int_equal(got.code, e->code);
        assert_ptr_equal(got.reason, e->reason);
        assert_int_equal(got.klass, e->klass);
        assert_int_equal(got.category, e->category);
        assert_int_equal(got.action, e->action);
        assert_int_equal(got.registered, e->registered);
        assert_string_equal(apierr_status_reason(e->code), e->reason);
        assert_int_equal(apierr_status_class_of(e->code), e->klass);
    }
    assert_null(apierr_status_at(n));
    assert_null(apierr_status_at((size_t)-1));
}

/* The lookup is a binary search: it needs the table strictly sorted. */
static void test_registry_sorted(void **state)
{
    (void)state;
    size_t n = registry_size();
    for (size_t i = 1; i < n; i++)
        assert_true(apierr_status_at(i - 1)->code < apierr_status_at(i)->code);
}

static void test_well_known(void **state)
{
    (void)state;
    apierr_status_info s;
    assert_int_equal(apierr_status_lookup(&s, 429), APIERR_OK);
    assert_string_equal(s.reason, "Too Many Requests");
    assert_int_equal(s.category, APIERR_CAT_RATE_LIMITED);
    assert_int_equal(s.action, APIERR_ACTION_RETRY);
    assert_int_equal(apierr_status_lookup(&s, 401), APIERR_OK);
    assert_int_equal(s.action, APIERR_ACTION_REFRESH_CREDENTIALS);
    assert_string_equal(apierr_status_reason(503), "Service Unavailable");
    assert_string_equal(apierr_status_reason(422), "Unprocessable Content");
}

static void test_unknown_codes(void **state)
{
    (void)state;
    static const struct {
        int code;
        apierr_status_class klass;
        apierr_category category;
        apierr_action action;
    } unknown[] = {
        {199, APIERR_CLASS_INFORMATIONAL, APIERR_CAT_OK, APIERR_ACTION_NONE},
        {299, APIERR_CLASS_SUCCESS, APIERR_CAT_OK, APIERR_ACTION_NONE},
        {399, APIERR_CLASS_REDIRECTION, APIERR_CAT_OK, APIERR_ACTION_NONE},
        {418, APIERR_CLASS_CLIENT_ERROR, APIERR_CAT_INVALID_REQUEST, APIERR_ACTION_FIX_REQUEST},
        {499, APIERR_CLASS_CLIENT_ERROR, APIERR_CAT_INVALID_REQUEST, APIERR_ACTION_FIX_REQUEST},
        {520, APIERR_CLASS_SERVER_ERROR, APIERR_CAT_SERVER, APIERR_ACTION_RETRY},
        {599, APIERR_CLASS_SERVER_ERROR, APIERR_CAT_SERVER, APIERR_ACTION_RETRY},
    };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        apierr_status_info s;
        assert_int_equal(apierr_status_lookup(&s, unknown[i].code), APIERR_OK);
        assert_int_equal(s.code, unknown[i].code);
        assert_int_equal(s.registered, 0);
        assert_string_equal(s.reason, "Unknown Status");
        assert_int_equal(s.klass, unknown[i].klass);
        assert_int_equal(s.category, unknown[i].category);
        assert_int_equal(s.action, unknown[i].action);
        assert_string_equal(apierr_status_reason(unknown[i].code), "Unknown Status");
    }
    static const int out_of_range[] = {-1, 0, 99, 600, 1000};
    for (size_t i = 0; i < sizeof out_of_range / sizeof out_of_range[0]; i++) {
        apierr_status_info s;
        assert_int_equal(apierr_status_lookup(&s, out_of_range[i]), APIERR_ERANGE);
        assert_int_equal(apierr_status_class_of(out_of_range[i]), APIERR_CLASS_UNKNOWN);
        assert_string_equal(apierr_status_reason(out_of_range[i]), "Unknown Status");
    }
}

static void test_category_names(void **state)
{
    (void)state;
    for (int c = 0; c < APIERR_CAT__COUNT; c++) {
        const char *name = apierr_category_name((apierr_category)c);
        assert_non_null(name);
        assert_non_null(apierr_category_doc((apierr_category)c));
        apierr_category back = APIERR_CAT__COUNT;
        assert_int_equal(apierr_category_from_name(&back, name), APIERR_OK);
        assert_int_equal(back, c);
    }
    assert_null(apierr_category_name(APIERR_CAT__COUNT));
    assert_null(apierr_category_name((apierr_category)-1));
    assert_null(apierr_category_doc(APIERR_CAT__COUNT));
    apierr_category c = APIERR_CAT_OK;
    assert_int_equal(apierr_category_from_name(&c, "no_such_category"), APIERR_ENOTFOUND);
    assert_int_equal(apierr_category_from_name(&c, "RATE_LIMITED"), APIERR_ENOTFOUND);
    assert_int_equal(apierr_category_from_name(&c, ""), APIERR_ENOTFOUND);
    assert_int_equal(apierr_category_from_name(&c, NULL), APIERR_ENOTFOUND);
    assert_int_equal(c, APIERR_CAT_OK);
}

static void test_action_names(void **state)
{
    (void)state;
    for (int a = 0; a < APIERR_ACTION__COUNT; a++) {
        const char *name = apierr_action_name((apierr_action)a);
        assert_non_null(name);
        assert_non_null(apierr_action_doc((apierr_action)a));
        apierr_action back = APIERR_ACTION__COUNT;
        assert_int_equal(apierr_action_from_name(&back, name), APIERR_OK);
        assert_int_equal(back, a);
    }
    assert_null(apierr_action_name(APIERR_ACTION__COUNT));
    assert_null(apierr_action_doc(APIERR_ACTION__COUNT));
    apierr_action a = APIERR_ACTION_NONE;
    assert_int_equal(apierr_action_from_name(&a, "retry_later"), APIERR_ENOTFOUND);
    assert_int_equal(apierr_action_from_name(&a, NULL), APIERR_ENOTFOUND);
    assert_int_equal(a, APIERR_ACTION_NONE);
}

/* Stable names are unique, or from_name could not round-trip. */
static void test_names_unique(void **state)
{
    (void)state;
    for (int i = 0; i < APIERR_CAT__COUNT; i++)
        for (int j = i + 1; j < APIERR_CAT__COUNT; j++)
            assert_string_not_equal(apierr_category_name((apierr_category)i),
                                    apierr_category_name((apierr_category)j));
    for (int i = 0; i < APIERR_ACTION__COUNT; i++)
        for (int j = i + 1; j < APIERR_ACTION__COUNT; j++)
            assert_string_not_equal(apierr_action_name((apierr_action)i),
                                    apierr_action_name((apierr_action)j));
}

/* Every return code of APIERR_ERRNO_MAP has its name and message. */
static void test_return_codes(void **state)
{
    (void)state;
    static const struct {
        int rc;
        const char *name, *msg;
    } rcs[] = {
#define ROW(name, value, msg) {APIERR_##name, "APIERR_" #name, msg},
        APIERR_ERRNO_MAP(ROW)
#undef ROW
    };
    size_t n = sizeof rcs / sizeof rcs[0];
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(apierr_rc_name(rcs[i].rc), rcs[i].name);
        assert_string_equal(apierr_strerror(rcs[i].rc), rcs[i].msg);
        assert_string_not_equal(apierr_strerror(rcs[i].rc), "unknown error");
        for (size_t j = i + 1; j < n; j++) assert_int_not_equal(rcs[i].rc, rcs[j].rc);
    }
    assert_int_equal(APIERR_OK, 0);
    static const int unknown[] = {1, -1000, 12345};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        assert_null(apierr_rc_name(unknown[i]));
        assert_string_equal(apierr_strerror(unknown[i]), "unknown error");
    }
    assert_string_equal(apierr_version(), APIERR_VERSION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry_entries), cmocka_unit_test(test_registry_sorted),
        cmocka_unit_test(test_well_known),       cmocka_unit_test(test_unknown_codes),
        cmocka_unit_test(test_category_names),   cmocka_unit_test(test_action_names),
        cmocka_unit_test(test_names_unique),     cmocka_unit_test(test_return_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
