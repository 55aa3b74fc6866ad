/*
 * The general decoder's table (member_table.h) and a profile's custom
 * dialect: the pieces the corpus does not reach on its own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apierr.h"
#include "member_table.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every row is found by its own name, exactly; other spellings without
 * case. */
static void test_member_table(void **state)
{
    (void)state;
#define CHECK_ROW(nm, r_, k_, dr_, dk_, e_)                               \
    {                                                                     \
        const apierr__member *m = apierr__member_find(nm, sizeof nm - 1); \
        assert_non_null(m);                                               \
        assert_string_equal(m->name, nm);                                 \
        assert_int_equal(m->role, APIERR__R_##r_);                        \
        assert_int_equal(m->drole, APIERR__R_##dr_);                      \
    }
    APIERR__MEMBER_MAP(CHECK_ROW)
#undef CHECK_ROW
    assert_null(apierr__member_find("no_such_member", 14));
    const apierr__member *m = apierr__member_find("FAULTSTRING", 11);
    assert_non_null(m);
    assert_int_equal(m->role, APIERR__R_MESSAGE);
    /* Without case when no row has the exact spelling (.NET's TraceId);
     * the exact row first when rows differ only by case. */
    m = apierr__member_find("TraceId", 7);
    assert_non_null(m);
    assert_int_equal(m->role, APIERR__R_REQUEST_ID);
    assert_string_equal(apierr__member_find("Reason", 6)->name, "Reason");
    assert_string_equal(apierr__member_find("reason", 6)->name, "reason");
    assert_string_equal(apierr__member_find("Error", 5)->name, "Error");
    assert_string_equal(apierr__member_find("error", 5)->name, "error");
}

static apierr_problem *decode(const char *body, int status, const apierr_custom_dialect *c)
{
    apierr_decode_opts o = APIERR_DECODE_OPTS_INIT;
    apierr_problem *p;
    o.status = status;
    o.custom = c;
    assert_int_equal(apierr_problem_decode(&p, body, strlen(body), &o), APIERR_OK);
    return p;
}

static const char profile[] =
    "{\"name\":\"acme\",\"custom_dialect\":{\"code\":\"$.fault.id\",\"message\":\"fault.text\","
    "\"details\":\"fault.problems\",\"detail_field\":\"where\",\"detail_message\":\"what\","
    "\"detail_code\":\"rule\",\"request_id\":\"meta.trace[0]\",\"retry_after\":\"fault.wait\"}}";
static const char body[] =
    "{\"fault\":{\"id\":42,\"text\":\"The order is invalid\",\"wait\":1.5,\"problems\":"
    "[{\"where\":\"lines[0].qty\",\"what\":\"must be positive\",\"rule\":\"min\"}]},"
    "\"meta\":{\"trace\":[\"t-9\"]},\"message\":\"not this one\"}";

static void test_custom_dialect(void **state)
{
    (void)state;
    apierr_custom_dialect c;
    assert_int_equal(apierr_custom_dialect_from_json(&c, profile, sizeof profile - 1, NULL, 0),
                     APIERR_OK);
    apierr_profile pr;
    assert_int_equal(apierr_profile_from_json(&pr, profile, sizeof profile - 1, NULL, 0),
                     APIERR_OK);
    apierr_problem *p = decode(body, 422, &c);
    assert_int_equal(p->dialect, APIERR_DIALECT_CUSTOM);
    assert_string_equal(p->code, "42");
    assert_string_equal(p->message, "The order is invalid");
    assert_string_equal(p->request_id, "t-9");
    assert_int_equal(p->retry_after_ms, 1500);
    assert_int_equal(p->ndetails, 1);
    assert_string_equal(p->details[0].field, "lines.0.qty");
    assert_string_equal(p->details[0].message, "must be positive");
    assert_string_equal(p->details[0].code, "min");
    apierr_problem_free(p);

    /* What the paths do not find, the general rules read. */
    apierr_custom_dialect only_code = APIERR_CUSTOM_DIALECT_INIT;
    strcpy(only_code.code, "fault.id");
    p = decode(body, 422, &only_code);
    assert_string_equal(p->code, "42");
    /* fault.text is no name of the table: the body's own message it is */
    assert_string_equal(p->message, "not this one");
    apierr_problem_free(p);

    only_code.version = 0; /* refused, like any struct of an unknown version */
    apierr_decode_opts o = APIERR_DECODE_OPTS_INIT;
    o.custom = &only_code;
    assert_int_equal(apierr_problem_decode(&p, body, sizeof body - 1, &o), APIERR_EVERSION);
}

static void test_custom_dialect_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{\"custom_dialect\":{\"cod\":\"x\"}}",
        "{\"custom_dialect\":{\"code\":1}}",
        "{\"custom_dialect\":[]}",
        "{\"custom_dialect\":",
    };
    apierr_custom_dialect c = APIERR_CUSTOM_DIALECT_INIT;
    char err[128];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(
            apierr_custom_dialect_from_json(&c, bad[i], strlen(bad[i]), err, sizeof err),
            APIERR_EPARSE);
        assert_true(err[0] != '\0');
    }
    assert_int_equal(apierr_custom_dialect_from_json(&c, "{\"name\":\"x\"}", 12, NULL, 0),
                     APIERR_ENOTFOUND);
    char longpath[200] = "{\"custom_dialect\":{\"code\":\"";
    memset(longpath + strlen(longpath), 'a', 120);
    strcpy(longpath + strlen(longpath), "\"}}");
    assert_int_equal(apierr_custom_dialect_from_json(&c, longpath, strlen(longpath), NULL, 0),
                     APIERR_EPARSE);
}

/* Extension members are written as json_dumps(JSON_COMPACT |
 * JSON_SORT_KEYS) writes them (json_compact.c writes them itself): escapes,
 * key order (a prefix first), reals, nesting, and a body
 * with more members than its fast path holds. */
static void test_extensions_as_jansson_writes(void **state)
{
    (void)state;
    const char *const bodies[] = {
        "{\"message\":\"m\",\"zeta\":[1,2.5,-0.1,1e300,{\"b\":\"\\u0001\\u001f\\u000b\\\"\\\\/"
        "\\u00e9\\t\\u007f\","
        "\"a\":null,\"ab\":false}],\"a\":true,\"ka\":1,\"k\":{\"y\":[]},\"\":{}}",
        "{\"message\":\"m\",\"n\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
        "]]]]]]]]}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        apierr_decode_opts o = APIERR_DECODE_OPTS_INIT;
        o.dialect = APIERR_DIALECT_GENERAL;
        apierr_problem *p;
        assert_int_equal(apierr_problem_decode(&p, bodies[i], strlen(bodies[i]), &o), APIERR_OK);
        json_t *want = json_loads(bodies[i], 0, NULL);
        assert_non_null(want);
        json_object_del(want, "message");
        char *text = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
        assert_non_null(p->extensions);
        assert_string_equal(p->extensions, text);
        free(text);
        json_decref(want);
        apierr_problem_free(p);
    }
    /* More members than the fast path sorts itself */
    char body[4096] = "{\"message\":\"m\"";
    for (int k = 60; k > 0; k--) snprintf(body + strlen(body), 64, ",\"x%02d\":%d", k, k);
    strcat(body, "}");
    apierr_decode_opts o = APIERR_DECODE_OPTS_INIT;
    o.dialect = APIERR_DIALECT_GENERAL;
    apierr_problem *p;
    assert_int_equal(apierr_problem_decode(&p, body, strlen(body), &o), APIERR_OK);
    json_t *want = json_loads(body, 0, NULL);
    json_object_del(want, "message");
    char *text = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(p->extensions, text);
    free(text);
    json_decref(want);
    apierr_problem_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_member_table),
        cmocka_unit_test(test_custom_dialect),
        cmocka_unit_test(test_custom_dialect_errors),
        cmocka_unit_test(test_extensions_as_jansson_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
