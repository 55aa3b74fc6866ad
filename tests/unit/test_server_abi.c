/*
 * The ABI of libapierr-server's versioned options structs: every function
 * that takes one refuses version 0 (a struct never initialized) and a
 * version newer than the library's with APIERR_EVERSION, leaving its output
 * empty; the _init() functions write the defaults of the _INIT macros and
 * refuse the same versions without touching the struct. One table row per
 * function that takes a struct, so a new function or struct is one row.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apierr-server.h"

#include <string.h>

/* --- the structs: members, to compare them without their padding ----------- */

#define REPLY_OPTS_MEMBERS(X) \
    X(version)                \
    X(dialect)                \
    X(accept)                 \
    X(request_id)             \
    X(allow)                  \
    X(bearer_error)           \
    X(realm)                  \
    X(www_authenticate)       \
    X(default_retry_after_ms) \
    X(now_ms)                 \
    X(headers)                \
    X(nheaders)
#define LIMITER_OPTS_MEMBERS(X)     X(version) X(limit) X(window_s) X(burst) X(max_keys) X(policy)
#define VALIDATION_OPTS_MEMBERS(X)  X(version) X(dialect) X(status) X(code) X(message)
#define IDEMPOTENCY_OPTS_MEMBERS(X) X(version) X(ttl_ms) X(lock_ms) X(busy_timeout_ms) X(journal)

#define SAME_MEMBER(m) &&(a->m == b->m)

/* For each struct: its _init() and a member-wise comparison behind
 * type-erased pointers, and a struct set by its _INIT macro. */
#define STRUCT_HELPERS(type, MEMBERS, INIT)              \
    static int init_##type(void *o, unsigned version)    \
    {                                                    \
        return type##_init(o, version);                  \
    }                                                    \
    static int same_##type(const void *x, const void *y) \
    {                                                    \
        const type *a = x, *b = y;                       \
        return 1 MEMBERS(SAME_MEMBER);                   \
    }                                                    \
    static const type macro_##type = INIT;

STRUCT_HELPERS(apierr_reply_opts, REPLY_OPTS_MEMBERS, APIERR_REPLY_OPTS_INIT)
STRUCT_HELPERS(apierr_limiter_opts, LIMITER_OPTS_MEMBERS, APIERR_LIMITER_OPTS_INIT)
STRUCT_HELPERS(apierr_validation_opts, VALIDATION_OPTS_MEMBERS, APIERR_VALIDATION_OPTS_INIT)
STRUCT_HELPERS(apierr_idempotency_opts, IDEMPOTENCY_OPTS_MEMBERS, APIERR_IDEMPOTENCY_OPTS_INIT)

/* --- the functions that take them ------------------------------------------ */

/* Each calls the function with opts and returns its code, having checked
 * that a failure left the output empty (and freed a success's). */

static int use_reply_build(const void *opts)
{
    apierr_problem *p;
    assert_int_equal(apierr_server_problem(&p, 422, "invalid", "Invalid."), APIERR_OK);
    apierr_reply r;
    memset(&r, 0xab, sizeof r); /* must be emptied whatever happens */
    int rc = apierr_reply_build(&r, p, opts);
    if (rc != APIERR_OK) {
        assert_null(r.headers);
        assert_null(r.body);
        assert_int_equal(r.nheaders, 0);
    }
    apierr_reply_clear(&r);
    apierr_problem_free(p);
    return rc;
}

/* Both paths of the 429 reply: the memoised one (opts as given: no extra
 * headers, a fresh id) and the general one (the same with an extra header).
 * They must agree. */
static int use_limiter_reply(const void *opts)
{
    static const apierr_header extra = {"Location", "/x"};
    apierr_limiter *l;
    assert_int_equal(apierr_limiter_new(&l, NULL), APIERR_OK);
    apierr_limit_verdict v = {0};
    for (int i = 0; i < 61 && (i == 0 || v.allowed); i++)
        assert_int_equal(apierr_limiter_take(l, &v, "k", 1, 1000), APIERR_OK);
    assert_false(v.allowed);
    apierr_reply_opts with_header = APIERR_REPLY_OPTS_INIT;
    if (opts) memcpy(&with_header, opts, sizeof with_header);
    with_header.headers = &extra;
    with_header.nheaders = 1;
    const apierr_reply_opts *given[2] = {opts, &with_header};
    int rc[2];
    for (int path = 0; path < 2; path++) {
        apierr_reply r;
        rc[path] = apierr_limiter_reply(&r, l, &v, NULL, NULL, given[path]);
        if (rc[path] != APIERR_OK) {
            assert_null(r.headers);
            assert_null(r.body);
        }
        apierr_reply_clear(&r);
    }
    assert_int_equal(rc[0], rc[1]);
    apierr_limiter_free(l);
    return rc[0];
}

/* A constructor: its object is reset to NULL on failure, freed on success. */
#define USE_NEW(fn, type, call, free_fn)          \
    static int use_##fn(const void *opts)         \
    {                                             \
        type *x = (type *)&x; /* must be reset */ \
        int rc = call;                            \
        if (rc != APIERR_OK) assert_null(x);      \
        free_fn(x);                               \
        return rc;                                \
    }

USE_NEW(limiter_new, apierr_limiter, apierr_limiter_new(&x, opts), apierr_limiter_free)
USE_NEW(validation_new, apierr_validation, apierr_validation_new(&x, opts), apierr_validation_free)
USE_NEW(idempotency_open, apierr_idempotency, apierr_idempotency_open(&x, ":memory:", opts),
        apierr_idempotency_close)

typedef struct abi_case {
    const char *function;
    unsigned current; /* the struct's _VERSION macro */
    size_t size;
    const void *macro; /* set by the _INIT macro */
    int (*init)(void *opts, unsigned version);
    int (*same)(const void *a, const void *b);
    int (*use)(const void *opts);
} abi_case;

#define CASE(fn, type, VERSION)                                                            \
    {                                                                                      \
        .function = "apierr_" #fn, .current = VERSION, .size = sizeof(type),               \
        .macro = &macro_##type, .init = init_##type, .same = same_##type, .use = use_##fn, \
    }

static const abi_case cases[] = {
    CASE(reply_build, apierr_reply_opts, APIERR_REPLY_OPTS_VERSION),
    CASE(limiter_reply, apierr_reply_opts, APIERR_REPLY_OPTS_VERSION),
    CASE(limiter_new, apierr_limiter_opts, APIERR_LIMITER_OPTS_VERSION),
    CASE(validation_new, apierr_validation_opts, APIERR_VALIDATION_OPTS_VERSION),
    CASE(idempotency_open, apierr_idempotency_opts, APIERR_IDEMPOTENCY_OPTS_VERSION),
};

/* Big enough and aligned for any of the structs. */
typedef union any_opts {
    apierr_reply_opts reply;
    apierr_limiter_opts limiter;
    apierr_validation_opts validation;
    apierr_idempotency_opts idempotency;
    unsigned char bytes[1];
} any_opts;

/* The version member: the first of every versioned struct. */
static void set_version(any_opts *o, unsigned version)
{
    memcpy(o, &version, sizeof version);
}

/* --- the tests ---------------------------------------------------------------- */

/* c->use() of o at the given version must return want. */
static void expect(const abi_case *c, any_opts *o, unsigned version, int want)
{
    set_version(o, version);
    int rc = c->use(o);
    if (rc != want)
        fail_msg("%s with version %u returned %s, not %s", c->function, version, apierr_rc_name(rc),
                 apierr_rc_name(want));
}

/* A struct of version 0 or of the next version is refused by every function
 * that takes it, with its output empty; NULL and the current version work. */
static void test_unknown_versions_refused(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const abi_case *c = &cases[i];
        any_opts o;
        memcpy(&o, c->macro, c->size);
        assert_int_equal(c->use(NULL), APIERR_OK);
        expect(c, &o, c->current, APIERR_OK);
        expect(c, &o, 0, APIERR_EVERSION);
        expect(c, &o, c->current + 1, APIERR_EVERSION);
        expect(c, &o, (unsigned)-1, APIERR_EVERSION);
    }
}

/* _init() of every known version writes the macro's defaults and the
 * version asked for; what it writes is accepted. */
static void test_init_gives_the_macro(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const abi_case *c = &cases[i];
        for (unsigned v = 1; v <= c->current; v++) {
            any_opts o;
            memset(&o, 0x5a, sizeof o);
            assert_int_equal(c->init(&o, v), APIERR_OK);
            assert_int_equal(o.reply.version, v);
            if (v == c->current) assert_true(c->same(&o, c->macro));
            expect(c, &o, v, APIERR_OK);
        }
    }
}

/* _init() refuses 0 and a version newer than the library's, and leaves the
 * struct as it was. */
static void test_init_refuses_unknown_versions(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const abi_case *c = &cases[i];
        const unsigned bad[] = {0, c->current + 1, (unsigned)-1};
        for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
            any_opts o, before;
            memset(&o, 0x5a, sizeof o);
            before = o;
            assert_int_equal(c->init(&o, bad[k]), APIERR_EVERSION);
            assert_memory_equal(&o, &before, c->size);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_versions_refused),
        cmocka_unit_test(test_init_gives_the_macro),
        cmocka_unit_test(test_init_refuses_unknown_versions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
