/* The status registry, category/action names, library return codes, and the
 * name tables of every public enum (src/core/enum_names.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apierr.h"
#include "enum_names.h"

#include <ctype.h>
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

/* --- every name table, through the public accessors ------------------------- */

/* The public accessors of one enum, over int so that one loop walks them
 * all. from_name is NULL where the enum has no public lookup (decision, key
 * location, return codes): the table's own lookup stands in. */
typedef struct public_names {
    const apierr__enum_table *table;
    const char *(*name)(int);
    const char *(*doc)(int); /* NULL: no public doc */
    int (*from_name)(const char *, int *);
    int upper; /* names are upper case (methods, as on the wire; return codes) */
} public_names;

#define NAME_I(fn, type)             \
    static const char *fn##_i(int v) \
    {                                \
        return fn((type)v);          \
    }
#define FROM_NAME_I(fn, type)                     \
    static int fn##_i(const char *name, int *out) \
    {                                             \
        type v;                                   \
        int rc = fn(&v, name);                    \
        if (rc == APIERR_OK) *out = (int)v;       \
        return rc;                                \
    }
NAME_I(apierr_category_name, apierr_category)
NAME_I(apierr_category_doc, apierr_category)
FROM_NAME_I(apierr_category_from_name, apierr_category)
NAME_I(apierr_action_name, apierr_action)
NAME_I(apierr_action_doc, apierr_action)
FROM_NAME_I(apierr_action_from_name, apierr_action)
NAME_I(apierr_dialect_name, apierr_dialect)
NAME_I(apierr_dialect_doc, apierr_dialect)
FROM_NAME_I(apierr_dialect_from_name, apierr_dialect)
NAME_I(apierr_jitter_name, apierr_jitter)
FROM_NAME_I(apierr_jitter_from_name, apierr_jitter)
NAME_I(apierr_budget_mode_name, apierr_budget_mode)
FROM_NAME_I(apierr_budget_mode_from_name, apierr_budget_mode)
NAME_I(apierr_transport_name, apierr_transport)
FROM_NAME_I(apierr_transport_from_name, apierr_transport)
NAME_I(apierr_method_name, apierr_method)
NAME_I(apierr_decision_name, apierr_decision_kind)
NAME_I(apierr_key_location_name, apierr_key_location)
NAME_I(apierr_hedge_verdict_name, apierr_hedge_verdict)
NAME_I(apierr_hedge_verdict_doc, apierr_hedge_verdict)
NAME_I(apierr_rc_name, int)

/* An unknown method gives OTHER rather than an error; as a lookup, only
 * "OTHER" itself names OTHER. */
static int method_from_name_i(const char *name, int *out)
{
    apierr_method m = apierr_method_from_name(name);
    if (m == APIERR_METHOD_OTHER && (!name || strcmp(name, "OTHER") != 0)) return APIERR_ENOTFOUND;
    *out = (int)m;
    return APIERR_OK;
}

static const public_names publics[] = {
    {&apierr__category_names, apierr_category_name_i, apierr_category_doc_i,
     apierr_category_from_name_i, 0},
    {&apierr__action_names, apierr_action_name_i, apierr_action_doc_i, apierr_action_from_name_i,
     0},
    {&apierr__dialect_names, apierr_dialect_name_i, apierr_dialect_doc_i,
     apierr_dialect_from_name_i, 0},
    {&apierr__jitter_names, apierr_jitter_name_i, NULL, apierr_jitter_from_name_i, 0},
    {&apierr__budget_names, apierr_budget_mode_name_i, NULL, apierr_budget_mode_from_name_i, 0},
    {&apierr__transport_names, apierr_transport_name_i, NULL, apierr_transport_from_name_i, 0},
    {&apierr__method_names, apierr_method_name_i, NULL, method_from_name_i, 1},
    {&apierr__decision_names, apierr_decision_name_i, NULL, NULL, 0},
    {&apierr__key_location_names, apierr_key_location_name_i, NULL, NULL, 0},
    {&apierr__hedge_verdict_names, apierr_hedge_verdict_name_i, apierr_hedge_verdict_doc_i, NULL,
     0},
    {&apierr__rc_names, apierr_rc_name_i, NULL, NULL, 1},
};
#define NPUBLICS (sizeof publics / sizeof publics[0])

static int lookup(const public_names *p, const char *name, int *out)
{
    return p->from_name ? p->from_name(name, out) : apierr__enum_from_name(p->table, name, out);
}

/* The name with the case of every ASCII letter flipped. */
static void flip_case(char *dst, size_t cap, const char *name)
{
    size_t i = 0;
    for (; name[i] && i + 1 < cap; i++)
        dst[i] = (char)(islower((unsigned char)name[i]) ? toupper((unsigned char)name[i])
                                                        : tolower((unsigned char)name[i]));
    dst[i] = '\0';
}

/* A name is refused: the lookup says APIERR_ENOTFOUND and leaves *out. */
static void assert_refused(const public_names *p, const char *name)
{
    int out = 12345;
    if (lookup(p, name, &out) != APIERR_ENOTFOUND || out != 12345)
        fail_msg("%s: \"%s\" was accepted", p->table->what, name ? name : "(NULL)");
}

static void check_table(const public_names *p)
{
    const apierr__enum_table *t = p->table;
    assert_true(t->n > 0);
    for (size_t i = 0; i < t->n; i++) {
        const apierr__enum_row *row = &t->rows[i];
        const char *name = p->name(row->value);
        if (!name || strcmp(name, row->name) != 0)
            fail_msg("%s %d: public name %s, table name %s", t->what, row->value,
                     name ? name : "NULL", row->name);
        /* The case rule (category.h): ASCII, lower-case snake but for
         * methods and return codes. */
        for (const char *c = name; *c; c++)
            if (!(p->upper ? isupper((unsigned char)*c) : islower((unsigned char)*c)) &&
                !isdigit((unsigned char)*c) && *c != '_')
                fail_msg("%s: name \"%s\" breaks the case rule", t->what, name);
        int back = -12345;
        if (lookup(p, name, &back) != APIERR_OK || back != row->value)
            fail_msg("%s: \"%s\" does not name %d again", t->what, name, row->value);
        assert_string_equal(p->name(back), name);
        if (p->doc) {
            assert_non_null(row->doc);
            assert_ptr_equal(p->doc(row->value), row->doc);
        }
        char flipped[128];
        flip_case(flipped, sizeof flipped, name);
        assert_refused(p, flipped);
    }
    /* Enums count from 0 in table order, so what is past the end is
     * out of range: no name, no doc. */
    int past = t == &apierr__rc_names ? 1 : (int)t->n;
    if (t != &apierr__rc_names)
        for (size_t i = 0; i < t->n; i++) assert_int_equal(t->rows[i].value, (int)i);
    assert_null(p->name(past));
    assert_null(p->name(-1000));
    if (p->doc) assert_null(p->doc(past));
    assert_null(apierr__enum_doc(t, past));
    assert_refused(p, "no_such_name");
    assert_refused(p, "");
    assert_refused(p, NULL);
}

static void test_enum_tables(void **state)
{
    (void)state;
    assert_int_equal(apierr__enum_ntables, NPUBLICS);
    for (size_t i = 0; i < apierr__enum_ntables; i++) {
        size_t k = 0;
        while (k < NPUBLICS && publics[k].table != apierr__enum_tables[i]) k++;
        if (k == NPUBLICS)
            fail_msg("table %s has no public accessors in this test", apierr__enum_tables[i]->what);
        check_table(&publics[k]);
    }
    /* The tables are as long as their enums. */
    assert_int_equal(apierr__category_names.n, APIERR_CAT__COUNT);
    assert_int_equal(apierr__action_names.n, APIERR_ACTION__COUNT);
    assert_int_equal(apierr__dialect_names.n, APIERR_DIALECT__COUNT);
    assert_int_equal(apierr__jitter_names.n, APIERR_JITTER__COUNT);
    assert_int_equal(apierr__budget_names.n, APIERR_BUDGET__COUNT);
    assert_int_equal(apierr__transport_names.n, APIERR_TRANSPORT__COUNT);
    assert_int_equal(apierr__method_names.n, APIERR_METHOD__COUNT);
    assert_int_equal(apierr__decision_names.n, APIERR_DECISION__COUNT);
    assert_int_equal(apierr__key_location_names.n, APIERR_KEY_IN__COUNT);
    assert_int_equal(apierr__hedge_verdict_names.n, APIERR_HEDGE__COUNT);
    /* Methods: an unknown one, or one in the wrong case, is OTHER. */
    assert_int_equal(apierr_method_from_name("get"), APIERR_METHOD_OTHER);
    assert_int_equal(apierr_method_from_name(NULL), APIERR_METHOD_OTHER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry_entries), cmocka_unit_test(test_registry_sorted),
        cmocka_unit_test(test_well_known),       cmocka_unit_test(test_unknown_codes),
        cmocka_unit_test(test_category_names),   cmocka_unit_test(test_action_names),
        cmocka_unit_test(test_names_unique),     cmocka_unit_test(test_return_codes),
        cmocka_unit_test(test_enum_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
