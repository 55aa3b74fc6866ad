/* The ABI of libapierr-client's versioned structs: apierr_client_opts and
 * apierr_request of version 0 or newer than the library are refused with
 * APIERR_EVERSION, an older apierr_client_opts (and a profile with an older
 * policy) is read only as far as its version goes, and the _init()
 * functions write the defaults of the version asked for. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../src/client/engine.h"
#include "apierr-client.h"

#include <stdlib.h>
#include <string.h>

#define SENTINEL 0xAB

/* The v1 prefix of apierr_client_opts. */
#define OPTS_V1_SIZE offsetof(apierr_client_opts, session_login_url)

static int no_update(void *payload, const char *cur, size_t len, char **out, size_t *out_len)
{
    (void)payload, (void)cur, (void)len, (void)out, (void)out_len;
    fail_msg("the update function ran for a request refused by its version");
    return APIERR_EIO;
}

static int all_bytes(const void *p, size_t from, size_t to, unsigned char v)
{
    const unsigned char *b = p;
    for (size_t i = from; i < to; i++)
        if (b[i] != v) return 0;
    return 1;
}

static apierr_client *new_client(void)
{
    apierr_client_opts o = APIERR_CLIENT_OPTS_INIT;
    o.base_url = "http://127.0.0.1:1";
    apierr_client *c = NULL;
    assert_int_equal(apierr_client_new(&c, &o), APIERR_OK);
    return c;
}

static void test_client_opts_version_refused(void **state)
{
    (void)state;
    unsigned bad[] = {0, APIERR_CLIENT_OPTS_VERSION + 1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        apierr_client_opts o = APIERR_CLIENT_OPTS_INIT;
        o.version = bad[i];
        apierr_client *c = NULL;
        assert_int_equal(apierr_client_new(&c, &o), APIERR_EVERSION);
        assert_null(c);
    }
}

static void test_request_version_refused(void **state)
{
    (void)state;
    apierr_client *c = new_client();
    unsigned bad[] = {0, APIERR_REQUEST_VERSION + 1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        apierr_request req = APIERR_REQUEST_INIT;
        req.version = bad[i];
        req.url = "/v1/x";
        assert_int_equal(apierr_client_submit(c, &req, NULL, NULL), APIERR_EVERSION);
        assert_int_equal(apierr_client_pending(c), 0);
        /* Nothing ran: the result is empty, as the header says. */
        apierr_result r;
        memset(&r, SENTINEL, sizeof r);
        assert_int_equal(apierr_call(c, &req, &r), APIERR_EVERSION);
        assert_true(all_bytes(&r, 0, sizeof r, 0));
        memset(&r, SENTINEL, sizeof r);
        assert_int_equal(apierr_update(c, &req, no_update, NULL, &r), APIERR_EVERSION);
        assert_true(all_bytes(&r, 0, sizeof r, 0));
        apierr_result_clear(&r);
    }
    apierr_client_free(c);
}

/* A program built when apierr_client_opts ended before session_login_url
 * hands in a struct that ends there: the library must not read beyond it
 * (the buffer is exactly that long, on the heap, so ASan sees an
 * over-read), and the members it lacks keep their defaults. */
static void test_client_opts_v1_read_as_v1(void **state)
{
    (void)state;
    apierr_client_opts o;
    assert_int_equal(apierr_client_opts_init(&o, 1), APIERR_OK);
    o.base_url = "http://127.0.0.1:1/api";
    o.token = "t0k3n";
    o.max_in_flight = 3;
    void *v1 = malloc(OPTS_V1_SIZE);
    assert_non_null(v1);
    memcpy(v1, &o, OPTS_V1_SIZE);
    apierr_client *c = NULL;
    assert_int_equal(apierr_client_new(&c, v1), APIERR_OK);
    free(v1);
    assert_string_equal(c->base_url, "http://127.0.0.1:1/api");
    assert_int_equal(c->max_in_flight, 3);
    assert_int_equal(c->creds.kind, APIERR__CRED_STATIC);
    assert_string_equal(c->creds.token, "t0k3n");
    /* Version 2's members: their defaults. */
    assert_null(c->creds.login_url);
    assert_string_equal(c->creds.auth_header, "Authorization");
    assert_int_equal(c->pace.on, 1);
    apierr_client_free(c);
}

/* Version 4 ended before custom_dialect: a struct of that size is read no
 * further (heap, exactly that long: ASan sees an over-read), and the
 * client has no custom dialect. Version 5's is copied: the caller's may go
 * away after apierr_client_new(). */
static void test_client_opts_custom_dialect(void **state)
{
    (void)state;
    size_t v4_size = offsetof(apierr_client_opts, custom_dialect);
    apierr_client_opts o;
    assert_int_equal(apierr_client_opts_init(&o, 4), APIERR_OK);
    o.base_url = "http://127.0.0.1:1";
    void *v4 = malloc(v4_size);
    assert_non_null(v4);
    memcpy(v4, &o, v4_size);
    apierr_client *c = NULL;
    assert_int_equal(apierr_client_new(&c, v4), APIERR_OK);
    free(v4);
    assert_int_equal(c->has_custom, 0);
    apierr_client_free(c);

    apierr_custom_dialect *custom = malloc(sizeof *custom);
    assert_non_null(custom);
    *custom = (apierr_custom_dialect)APIERR_CUSTOM_DIALECT_INIT;
    strcpy(custom->code, "fault.id");
    o = (apierr_client_opts)APIERR_CLIENT_OPTS_INIT;
    o.custom_dialect = custom;
    assert_int_equal(apierr_client_new(&c, &o), APIERR_OK);
    free(custom);
    assert_int_equal(c->has_custom, 1);
    assert_string_equal(c->custom.code, "fault.id");
    apierr_client_free(c);

    apierr_custom_dialect bad = APIERR_CUSTOM_DIALECT_INIT;
    unsigned versions[] = {0, APIERR_CUSTOM_DIALECT_VERSION + 1};
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        bad.version = versions[i];
        o.custom_dialect = &bad;
        c = NULL;
        assert_int_equal(apierr_client_new(&c, &o), APIERR_EVERSION);
        assert_null(c);
    }
}

/* Options the library refuses: EINVAL, and no client. */
static void refused(const apierr_client_opts *o)
{
    apierr_client *c = NULL;
    assert_int_equal(apierr_client_new(&c, o), APIERR_EINVAL);
    assert_null(c);
}

/* A client made from the defaults of an older version, in a heap block
 * exactly as long as that version's struct (size): ASan sees the library
 * read past it. */
static apierr_client *client_of_version(unsigned version, size_t size)
{
    apierr_client_opts o;
    assert_int_equal(apierr_client_opts_init(&o, version), APIERR_OK);
    void *old = malloc(size);
    assert_non_null(old);
    memcpy(old, &o, size);
    apierr_client *c = NULL;
    assert_int_equal(apierr_client_new(&c, old), APIERR_OK);
    free(old);
    return c;
}

/* Version 5 ended before ca_file: a struct of that size is read no further
 * (heap, exactly that long: ASan sees an over-read) and the client keeps
 * libcurl's TLS and resolution defaults. Version 6's strings and resolve
 * entries are copied (the caller's may go away), ip_version and
 * http_version map to libcurl's values, and others are EINVAL. */
static void test_client_opts_tls_and_resolution(void **state)
{
    (void)state;
    apierr_client_opts o;
    apierr_client *c = client_of_version(5, offsetof(apierr_client_opts, ca_file));
    assert_null(c->xfer.ca_file);
    assert_null(c->xfer.resolve);
    assert_int_equal(c->xfer.ip_resolve, CURL_IPRESOLVE_WHATEVER);
    apierr_client_free(c);

    char *strings[] = {strdup("ca.pem"),
                       strdup("certs/"),
                       strdup("me.pem"),
                       strdup("me.key"),
                       strdup("api.test:443:127.0.0.1"),
                       strdup("b.test:80:127.0.0.2")};
    const char *resolve[] = {strings[4], NULL, strings[5]};
    o = (apierr_client_opts)APIERR_CLIENT_OPTS_INIT;
    o.ca_file = strings[0];
    o.ca_path = strings[1];
    o.client_cert = strings[2];
    o.client_key = strings[3];
    o.resolve = resolve;
    o.nresolve = 3;
    o.ip_version = 6;
    assert_int_equal(apierr_client_new(&c, &o), APIERR_OK);
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) free(strings[i]);
    assert_string_equal(c->xfer.ca_file, "ca.pem");
    assert_string_equal(c->xfer.ca_path, "certs/");
    assert_string_equal(c->xfer.client_cert, "me.pem");
    assert_string_equal(c->xfer.client_key, "me.key");
    assert_string_equal(c->xfer.resolve->data, "api.test:443:127.0.0.1");
    assert_string_equal(c->xfer.resolve->next->data, "b.test:80:127.0.0.2");
    assert_null(c->xfer.resolve->next->next);
    assert_int_equal(c->xfer.ip_resolve, CURL_IPRESOLVE_V6);
    apierr_client_free(c);

    /* The cookie store: none unless asked for; the jar's name copied. */
    c = NULL;
    o = (apierr_client_opts)APIERR_CLIENT_OPTS_INIT;
    assert_int_equal(apierr_client_new(&c, &o), APIERR_OK);
    assert_null(c->xfer.cookies);
    apierr_client_free(c);
    char *jar = strdup("/dev/null");
    o.cookie_file = "";
    o.cookie_jar = jar;
    assert_int_equal(apierr_client_new(&c, &o), APIERR_OK);
    free(jar);
    assert_non_null(c->xfer.cookies);
    assert_string_equal(c->xfer.cookie_jar, "/dev/null");
    apierr_client_free(c);

    /* The connection strings, copied; the HTTP version mapped. */
    char *conn[] = {strdup("a.test,b.test"), strdup("/run/api.sock"), strdup("pu:pw")};
    o = (apierr_client_opts)APIERR_CLIENT_OPTS_INIT;
    o.noproxy = conn[0];
    o.unix_socket = conn[1];
    o.proxy_user = conn[2];
    o.http_version = 11;
    assert_int_equal(apierr_client_new(&c, &o), APIERR_OK);
    for (size_t i = 0; i < sizeof conn / sizeof conn[0]; i++) free(conn[i]);
    assert_string_equal(c->xfer.noproxy, "a.test,b.test");
    assert_string_equal(c->xfer.unix_socket, "/run/api.sock");
    assert_string_equal(c->xfer.proxy_user, "pu:pw");
    assert_int_equal(c->xfer.http_version, CURL_HTTP_VERSION_1_1);
    apierr_client_free(c);

    int bad[] = {1, 5, -4, 46};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o = (apierr_client_opts)APIERR_CLIENT_OPTS_INIT;
        o.ip_version = bad[i];
        refused(&o);
        o = (apierr_client_opts)APIERR_CLIENT_OPTS_INIT;
        o.http_version = bad[i] == 1 ? 12 : bad[i];
        refused(&o);
    }
}

static void trace_none(void *payload, apierr_trace_kind kind, const char *data, size_t len)
{
    (void)payload, (void)kind, (void)data, (void)len;
}

/* Version 6 ended before path_as_is: a struct of that size is read no
 * further (heap, exactly that long) and the client keeps libcurl's
 * defaults. Version 7's members map to libcurl's values, the .netrc file's
 * name is copied, and a netrc mode or speed libcurl has no meaning for is
 * EINVAL. */
static void test_client_opts_v7(void **state)
{
    (void)state;
    apierr_client_opts o;
    apierr_client *c = client_of_version(6, offsetof(apierr_client_opts, path_as_is));
    assert_int_equal(c->xfer.netrc, CURL_NETRC_IGNORED);
    assert_null(c->xfer.netrc_file);
    assert_null(c->xfer.trace);
    assert_int_equal(c->xfer.max_recv_speed, 0);
    apierr_client_free(c);

    char *file = strdup("my.netrc");
    o = (apierr_client_opts)APIERR_CLIENT_OPTS_INIT;
    o.path_as_is = 1;
    o.netrc = 1;
    o.netrc_file = file;
    o.max_recv_speed = 1000;
    o.max_send_speed = 2000;
    o.trace = trace_none;
    o.payload = file;
    assert_int_equal(apierr_client_new(&c, &o), APIERR_OK);
    assert_string_equal(c->xfer.netrc_file, "my.netrc");
    assert_ptr_equal(c->xfer.payload, file);
    free(file);
    assert_int_equal(c->xfer.path_as_is, 1);
    assert_int_equal(c->xfer.netrc, CURL_NETRC_OPTIONAL);
    assert_int_equal(c->xfer.max_recv_speed, 1000);
    assert_int_equal(c->xfer.max_send_speed, 2000);
    apierr_client_free(c);
    o.netrc = 2;
    o.netrc_file = NULL;
    assert_int_equal(apierr_client_new(&c, &o), APIERR_OK);
    assert_int_equal(c->xfer.netrc, CURL_NETRC_REQUIRED);
    apierr_client_free(c);

    int bad_netrc[] = {-1, 3};
    for (size_t i = 0; i < sizeof bad_netrc / sizeof bad_netrc[0]; i++) {
        o = (apierr_client_opts)APIERR_CLIENT_OPTS_INIT;
        o.netrc = bad_netrc[i];
        refused(&o);
    }
    o = (apierr_client_opts)APIERR_CLIENT_OPTS_INIT;
    o.max_send_speed = -1;
    refused(&o);
    o = (apierr_client_opts)APIERR_CLIENT_OPTS_INIT;
    o.max_recv_speed = -1;
    refused(&o);
}

/* The transfer figures of a result: none in an empty one (ENOTFOUND);
 * a struct of version 0 or newer than the library's is refused untouched. */
static void test_result_transfer_info_version(void **state)
{
    (void)state;
    apierr_result r;
    memset(&r, 0, sizeof r);
    apierr_transfer_info info = {.version = APIERR_TRANSFER_INFO_VERSION};
    assert_int_equal(apierr_result_transfer_info(&r, &info), APIERR_ENOTFOUND);
    assert_int_equal(apierr_result_transfer_info(NULL, &info), APIERR_ENOTFOUND);
    unsigned bad[] = {0, APIERR_TRANSFER_INFO_VERSION + 1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&info, SENTINEL, sizeof info);
        info.version = bad[i];
        assert_int_equal(apierr_result_transfer_info(&r, &info), APIERR_EVERSION);
        assert_true(all_bytes(&info, sizeof info.version, sizeof info, SENTINEL));
    }
}

/* The profile's policy is read by its own version: a version-1 policy had
 * its rules where version 3 has conflict_reread. */
/* A version 4 policy ends before the hedging and throttling members
 * (version 5): whatever lies past its end, the client reads them as their
 * defaults, hedging and adaptive throttling off. */
static void test_policy_v4_tail(void **state)
{
    (void)state;
    apierr_profile prof;
    assert_int_equal(apierr_profile_builtin(&prof, "default"), APIERR_OK);
    memset(&prof.policy, 0x5A, sizeof prof.policy); /* junk past the end of version 4 */
    assert_int_equal(apierr_policy_init(&prof.policy, 4), APIERR_OK);
    apierr_client_opts o = APIERR_CLIENT_OPTS_INIT;
    o.profile = &prof;
    apierr_client *c = NULL;
    assert_int_equal(apierr_client_new(&c, &o), APIERR_OK);
    const apierr_policy *p = &c->profile.policy;
    assert_int_equal(p->hedge_delay_ms, 0);
    assert_int_equal(p->max_hedges, 1);
    assert_int_equal(p->adaptive, 0);
    assert_true(p->adaptive_k == 2.0);
    apierr_client_free(c);
}

static void test_profile_policy_read_by_version(void **state)
{
    (void)state;
    apierr_profile prof;
    assert_int_equal(apierr_profile_builtin(&prof, "default"), APIERR_OK);
    assert_int_equal(apierr_policy_init(&prof.policy, 1), APIERR_OK);
    prof.policy.max_attempts = 7; /* a version-1 member: same place in every version */
    apierr_client_opts o = APIERR_CLIENT_OPTS_INIT;
    o.profile = &prof;
    apierr_client *c = NULL;
    assert_int_equal(apierr_client_new(&c, &o), APIERR_OK);
    const apierr_policy *p = &c->profile.policy;
    const apierr_policy want = APIERR_POLICY_INIT;
    assert_int_equal(p->version, APIERR_POLICY_VERSION);
    assert_int_equal(p->max_attempts, 7);
    assert_int_equal(p->conflict_reread, want.conflict_reread);
    /* Read with its default, and handed to the herd release (herd.h): the
     * engine's own decisions take no random spread. */
    assert_int_equal(c->pace.herd_rules.spread_ms, want.retry_after_spread_ms);
    assert_int_equal(p->retry_after_spread_ms, 0);
    assert_int_equal(p->nrules, 0);
    apierr_client_free(c);

    unsigned bad[] = {0, APIERR_POLICY_VERSION + 1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(apierr_profile_builtin(&prof, "default"), APIERR_OK);
        prof.policy.version = bad[i];
        c = NULL;
        assert_int_equal(apierr_client_new(&c, &o), APIERR_EVERSION);
        assert_null(c);
    }
}

/* init(&s, version) at the current version writes what the _INIT macro
 * gives (want); version 0 and current + 1 are refused, s untouched. */
#define CHECK_INIT(init, s, current, want)                             \
    do {                                                               \
        memset(&(s), SENTINEL, sizeof(s));                             \
        assert_int_equal(init(&(s), (current)), APIERR_OK);            \
        assert_memory_equal(&(s), &(want), sizeof(s));                 \
        unsigned bad_[] = {0, (current) + 1};                          \
        for (size_t i_ = 0; i_ < sizeof bad_ / sizeof bad_[0]; i_++) { \
            memset(&(s), SENTINEL, sizeof(s));                         \
            assert_int_equal(init(&(s), bad_[i_]), APIERR_EVERSION);   \
            assert_true(all_bytes(&(s), 0, sizeof(s), SENTINEL));      \
        }                                                              \
    } while (0)

static void test_client_opts_init(void **state)
{
    (void)state;
    static const apierr_client_opts want = APIERR_CLIENT_OPTS_INIT;
    apierr_client_opts o;
    CHECK_INIT(apierr_client_opts_init, o, APIERR_CLIENT_OPTS_VERSION, want);
    /* Version 1: its members only; what came after is not written. */
    memset(&o, SENTINEL, sizeof o);
    assert_int_equal(apierr_client_opts_init(&o, 1), APIERR_OK);
    assert_int_equal(o.version, 1);
    assert_null(o.base_url);
    assert_null(o.profile);
    assert_true(o.time_scale == 0);
    assert_null(o.payload);
    assert_true(all_bytes(&o, OPTS_V1_SIZE, sizeof o, SENTINEL));
}

static void test_request_init(void **state)
{
    (void)state;
    static const apierr_request want = APIERR_REQUEST_INIT;
    apierr_request r;
    CHECK_INIT(apierr_request_init, r, APIERR_REQUEST_VERSION, want);
    /* What _init() fills is a request the library takes. */
    apierr_client *c = new_client();
    assert_int_equal(apierr_request_init(&r, APIERR_REQUEST_VERSION), APIERR_OK);
    r.url = "/v1/x";
    assert_int_equal(apierr_client_submit(c, &r, NULL, NULL), APIERR_OK);
    assert_int_equal(apierr_client_pending(c), 1);
    apierr_client_free(c); /* dropped unrun */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_opts_version_refused),
        cmocka_unit_test(test_request_version_refused),
        cmocka_unit_test(test_client_opts_v1_read_as_v1),
        cmocka_unit_test(test_client_opts_custom_dialect),
        cmocka_unit_test(test_client_opts_tls_and_resolution),
        cmocka_unit_test(test_client_opts_v7),
        cmocka_unit_test(test_result_transfer_info_version),
        cmocka_unit_test(test_profile_policy_read_by_version),
        cmocka_unit_test(test_policy_v4_tail),
        cmocka_unit_test(test_client_opts_init),
        cmocka_unit_test(test_request_init),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
