/*
 * The core's versioned structs (apierr_decode_opts, apierr_policy): a version
 * of 0 or one newer than the library's is refused with APIERR_EVERSION by
 * every function that returns a code, and read as the defaults by those that
 * return none; the _init() functions fill each known version's defaults. The
 * structs of an older version are exercised by tests/abi/old_header.c,
 * compiled against the old headers themselves.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apierr.h"

#include <string.h>

static void test_return_code(void **state)
{
    (void)state;
    assert_int_equal(APIERR_EVERSION, -8); /* append-only: never renumbered */
    assert_string_equal(apierr_rc_name(APIERR_EVERSION), "APIERR_EVERSION");
    assert_string_equal(apierr_strerror(APIERR_EVERSION), "unsupported struct version");
}

static void test_decode_opts(void **state)
{
    (void)state;
    apierr_problem *p = (apierr_problem *)&p; /* must become NULL */
    for (unsigned bad = 0; bad <= APIERR_DECODE_OPTS_VERSION + 1;
         bad += APIERR_DECODE_OPTS_VERSION + 1) {
        apierr_decode_opts o = APIERR_DECODE_OPTS_INIT;
        o.version = bad;
        assert_int_equal(apierr_problem_decode(&p, "{}", 2, &o), APIERR_EVERSION);
        assert_null(p);
        assert_int_equal(apierr_decode_opts_init(&o, bad), APIERR_EVERSION);
        assert_int_equal(o.version, bad); /* untouched */
    }
    apierr_decode_opts o;
    memset(&o, 0xA5, sizeof o);
    assert_int_equal(apierr_decode_opts_init(&o, APIERR_DECODE_OPTS_VERSION), APIERR_OK);
    apierr_decode_opts init = APIERR_DECODE_OPTS_INIT;
    assert_int_equal(o.version, init.version);
    assert_int_equal(o.dialect, init.dialect);
    assert_int_equal(o.status, init.status);
    assert_null(o.content_type);
    assert_null(o.headers);
    assert_int_equal(o.nheaders, 0);
    assert_int_equal(o.now_ms, init.now_ms);
    o.status = 404;
    assert_int_equal(apierr_problem_decode(&p, "{}", 2, &o), APIERR_OK);
    assert_int_equal(p->status, 404);
    apierr_problem_free(p);
}

static void test_policy_refused(void **state)
{
    (void)state;
    static const unsigned bad[] = {0, APIERR_POLICY_VERSION + 1};
    for (size_t i = 0; i < 2; i++) {
        apierr_policy p = APIERR_POLICY_INIT;
        p.version = bad[i];
        assert_int_equal(
            apierr_policy_add_rule(&p, 503, NULL, APIERR_CAT_SERVER, APIERR_ACTION_RETRY, 5, NULL),
            APIERR_EVERSION);
        assert_int_equal(p.nrules, 0);
        assert_int_equal(apierr_policy_init(&p, bad[i]), APIERR_EVERSION);
        assert_int_equal(p.version, bad[i]);

        /* A profile carrying it is refused where a code is returned. */
        apierr_profile prof;
        assert_int_equal(apierr_profile_builtin(&prof, "gotab"), APIERR_OK);
        prof.policy.version = bad[i];
        char *json = NULL;
        assert_int_equal(apierr_profile_to_json(&json, NULL, &prof), APIERR_EVERSION);
        assert_null(json);

        /* Functions without a code read it as the defaults. */
        p.max_attempts = 1;
        apierr_outcome o = APIERR_OUTCOME_INIT;
        o.status = 503;
        apierr_call_state call;
        apierr_call_state_init(&call, 0, NULL, NULL);
        apierr_rng rng;
        apierr_rng_seed(&rng, 1);
        apierr_decision d;
        assert_int_equal(apierr_policy_decide(&d, &p, &call, &o, 0, apierr_rng_next, &rng),
                         APIERR_DECISION_RETRY); /* the default 4 attempts, not 1 */
    }
}

static void test_policy_init(void **state)
{
    (void)state;
    apierr_policy p;
    memset(&p, 0xA5, sizeof p);
    assert_int_equal(apierr_policy_init(&p, APIERR_POLICY_VERSION), APIERR_OK);
    apierr_policy init = APIERR_POLICY_INIT;
    assert_int_equal(p.version, APIERR_POLICY_VERSION);
#define SAME(kind, member, json, def, doc) \
    assert_memory_equal(&p.member, &init.member, sizeof p.member);
    APIERR_POLICY_FIELD_MAP(SAME)
#undef SAME
    assert_int_equal(p.nrules, 0);
    /* Older versions are known and written in their own (smaller) layout. */
    for (unsigned v = 1; v < APIERR_POLICY_VERSION; v++) {
        memset(&p, 0xA5, sizeof p);
        assert_int_equal(apierr_policy_init(&p, v), APIERR_OK);
        assert_int_equal(p.version, v);
        assert_int_equal(p.max_attempts, init.max_attempts); /* the first member */
        assert_int_equal(
            apierr_policy_add_rule(&p, 503, NULL, APIERR_CAT_SERVER, APIERR_ACTION_RETRY, 5, NULL),
            APIERR_OK);
        assert_int_equal(p.version, v);
    }
}

/* A version 3 policy ends before graphql_partial_ok (version 4, after the
 * rules): what lies past its end is never read, the default (1) holds. */
static void test_policy_tail(void **state)
{
    (void)state;
    static const char partial[] = "{\"data\":{\"a\":1},\"errors\":[{\"message\":\"x\"}]}";
    apierr_policy p;
    memset(&p, 0, sizeof p); /* graphql_partial_ok 0 past the end of version 3 */
    assert_int_equal(apierr_policy_init(&p, 3), APIERR_OK);
    assert_int_equal(apierr_graphql_kind_of(200, partial, sizeof partial - 1, &p),
                     APIERR_GRAPHQL_PARTIAL);
    assert_int_equal(apierr_policy_init(&p, APIERR_POLICY_VERSION), APIERR_OK);
    p.graphql_partial_ok = 0;
    assert_int_equal(apierr_graphql_kind_of(200, partial, sizeof partial - 1, &p),
                     APIERR_GRAPHQL_FAILED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_return_code),    cmocka_unit_test(test_decode_opts),
        cmocka_unit_test(test_policy_refused), cmocka_unit_test(test_policy_init),
        cmocka_unit_test(test_policy_tail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
