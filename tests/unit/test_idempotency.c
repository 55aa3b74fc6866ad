/*
 * The idempotency store on a real SQLite file: SHA-256 against the FIPS
 * 180-2 vectors, then NEW / REPLAY (byte for byte) / MISMATCH /
 * IN_PROGRESS, expiry, takeover, persistence across close and reopen, and
 * concurrent begins.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "server_check.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "temp_db.h"

static void hex(char *out, const unsigned char *d)
{
    for (int i = 0; i < APIERR_SHA256_SIZE; i++) sprintf(out + 2 * i, "%02x", d[i]);
}

static void test_sha256_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *msg, *digest;
    } cases[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    unsigned char d[APIERR_SHA256_SIZE];
    char h[2 * APIERR_SHA256_SIZE + 1];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        apierr_sha256(d, cases[i].msg, strlen(cases[i].msg));
        hex(h, d);
        assert_string_equal(h, cases[i].digest);
    }
    char *million = malloc(1000000);
    assert_non_null(million);
    memset(million, 'a', 1000000);
    apierr_sha256(d, million, 1000000);
    hex(h, d);
    assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(million);
}

static void test_fingerprint(void **state)
{
    (void)state;
    unsigned char a[32], b[32];
    apierr_idempotency_fingerprint(a, "POST", "/v1/invoices", "{\"n\":1}", 7);
    apierr_idempotency_fingerprint(b, "POST", "/v1/invoices", "{\"n\":1}", 7);
    assert_memory_equal(a, b, 32);
    static const struct {
        const char *method, *path, *body;
    } others[] = {
        {"PUT", "/v1/invoices", "{\"n\":1}"},  {"POST", "/v1/invoices?x", "{\"n\":1}"},
        {"POST", "/v1/invoices", "{\"n\":2}"}, {"POST", "/v1/invoices{", "\"n\":1}"},
        {"POST", "/v1/invoices", ""},
    };
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        apierr_idempotency_fingerprint(b, others[i].method, others[i].path, others[i].body,
                                       strlen(others[i].body));
        assert_memory_not_equal(a, b, 32);
    }
    apierr_idempotency_fingerprint(a, "GET", "/", NULL, 0);
    apierr_idempotency_fingerprint(b, "GET", "/", "", 0);
    assert_memory_equal(a, b, 32);
}

static apierr_idempotency *open_store(long long ttl_ms, long long lock_ms)
{
    apierr_idempotency_opts o = APIERR_IDEMPOTENCY_OPTS_INIT;
    if (ttl_ms) o.ttl_ms = ttl_ms;
    if (lock_ms) o.lock_ms = lock_ms;
    apierr_idempotency *s;
    assert_int_equal(apierr_idempotency_open(&s, dbpath, &o), APIERR_OK);
    return s;
}

static apierr_idempotency_state begin(apierr_idempotency *s, apierr_reply *replay, const char *key,
                                      const unsigned char *fp, long long now)
{
    apierr_idempotency_state st = (apierr_idempotency_state)-1;
    assert_int_equal(apierr_idempotency_begin(s, &st, replay, key, fp, now), APIERR_OK);
    return st;
}

static void assert_same_reply(const apierr_reply *a, const apierr_reply *b)
{
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->nheaders, b->nheaders);
    for (size_t i = 0; i < a->nheaders; i++) {
        assert_string_equal(a->headers[i].name, b->headers[i].name);
        assert_string_equal(a->headers[i].value, b->headers[i].value);
    }
    assert_int_equal(a->body_len, b->body_len);
    if (a->body_len) assert_memory_equal(a->body, b->body, a->body_len);
}

/* The life of one key, across a close and reopen of the database. */
static void test_lifecycle(void **state)
{
    (void)state;
    unsigned char fp[32], other[32];
    apierr_idempotency_fingerprint(fp, "POST", "/v1/invoices", "{\"documentNumber\":\"F-1\"}", 25);
    apierr_idempotency_fingerprint(other, "POST", "/v1/invoices", "{\"documentNumber\":\"F-2\"}",
                                   25);
    apierr_idempotency *s = open_store(0, 0);
    apierr_reply replay;
    const long long t0 = 1700000000000LL;

    assert_int_equal(begin(s, &replay, "acme:k1", fp, t0), APIERR_IDEMPOTENCY_NEW);
    assert_null(replay.body);
    assert_int_equal(begin(s, &replay, "acme:k1", fp, t0 + 10), APIERR_IDEMPOTENCY_IN_PROGRESS);
    assert_int_equal(begin(s, &replay, "acme:k1", other, t0 + 10), APIERR_IDEMPOTENCY_MISMATCH);
    assert_null(replay.body);

    /* A body with a NUL and bytes that are not UTF-8 comes back as it went. */
    static const char body[] = "{\"id\":7}\0\xff\xfe tail";
    apierr_header h[] = {
        {"Location", "/v1/invoices/7"}, {"Content-Type", "application/json"}, {"X-Empty", ""}};
    apierr_reply created;
    assert_int_equal(apierr_reply_make(&created, 201, h, 3, body, sizeof body - 1), APIERR_OK);
    assert_int_equal(apierr_idempotency_complete(s, "acme:k1", &created), APIERR_OK);
    assert_int_equal(apierr_idempotency_complete(s, "acme:k1", &created), APIERR_ENOTFOUND);
    assert_int_equal(apierr_idempotency_abort(s, "acme:k1"), APIERR_ENOTFOUND);

    assert_int_equal(begin(s, &replay, "acme:k1", fp, t0 + 20), APIERR_IDEMPOTENCY_REPLAY);
    assert_same_reply(&replay, &created);
    apierr_reply_clear(&replay);
    assert_int_equal(begin(s, &replay, "acme:k1", other, t0 + 20), APIERR_IDEMPOTENCY_MISMATCH);
    apierr_idempotency_close(s);

    /* Persistence: a new store on the same file replays it. */
    s = open_store(0, 0);
    assert_int_equal(begin(s, &replay, "acme:k1", fp, t0 + 1000), APIERR_IDEMPOTENCY_REPLAY);
    assert_same_reply(&replay, &created);
    apierr_reply_clear(&replay);

    /* Expiry after the TTL (24 h by default): the key is new again. */
    const long long day = 86400000LL;
    assert_int_equal(begin(s, &replay, "acme:k1", fp, t0 + day - 1), APIERR_IDEMPOTENCY_REPLAY);
    apierr_reply_clear(&replay);
    assert_int_equal(begin(s, &replay, "acme:k1", other, t0 + day), APIERR_IDEMPOTENCY_NEW);
    assert_null(replay.body);

    /* Abort releases a key in progress. */
    assert_int_equal(apierr_idempotency_abort(s, "acme:k1"), APIERR_OK);
    assert_int_equal(begin(s, &replay, "acme:k1", fp, t0 + day + 1), APIERR_IDEMPOTENCY_NEW);

    /* A request that died holds its key for lock_ms (60 s), then loses it. */
    assert_int_equal(begin(s, &replay, "acme:k1", fp, t0 + day + 59999),
                     APIERR_IDEMPOTENCY_IN_PROGRESS);
    assert_int_equal(begin(s, &replay, "acme:k1", fp, t0 + day + 60001), APIERR_IDEMPOTENCY_NEW);

    /* Purge removes expired keys only. */
    assert_int_equal(begin(s, &replay, "acme:k2", fp, t0), APIERR_IDEMPOTENCY_NEW);
    assert_int_equal(apierr_idempotency_complete(s, "acme:k2", &created), APIERR_OK);
    assert_int_equal(apierr_idempotency_purge(s, t0 + 10), APIERR_OK);
    assert_int_equal(begin(s, &replay, "acme:k2", fp, t0 + 10), APIERR_IDEMPOTENCY_REPLAY);
    apierr_reply_clear(&replay);
    assert_int_equal(apierr_idempotency_purge(s, t0 + 2 * day), APIERR_OK);
    assert_int_equal(apierr_idempotency_complete(s, "acme:k2", &created), APIERR_ENOTFOUND);

    apierr_reply_clear(&created);
    apierr_idempotency_close(s);
}

static void test_invalid_input(void **state)
{
    (void)state;
    unsigned char fp[32] = {0};
    char long_key[APIERR_IDEMPOTENCY_KEY_MAX + 2];
    memset(long_key, 'k', sizeof long_key - 1);
    long_key[sizeof long_key - 1] = '\0';
    static const char *const bad[] = {NULL, "", "with space", "tab\t", "caf\xc3\xa9"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(apierr_idempotency_key_valid(bad[i]));
    assert_false(apierr_idempotency_key_valid(long_key));
    long_key[APIERR_IDEMPOTENCY_KEY_MAX] = '\0';
    assert_true(apierr_idempotency_key_valid(long_key));
    assert_true(apierr_idempotency_key_valid("\"8e03978e-40d5-43e8-bc93-6894a57f9324\""));

    apierr_idempotency *s = open_store(0, 0);
    apierr_idempotency_state st;
    apierr_reply replay;
    assert_int_equal(apierr_idempotency_begin(s, &st, &replay, "a b", fp, 1), APIERR_EINVAL);
    assert_int_equal(apierr_idempotency_abort(s, ""), APIERR_EINVAL);
    apierr_idempotency_close(s);
    apierr_idempotency_close(NULL);

    apierr_idempotency_opts o = APIERR_IDEMPOTENCY_OPTS_INIT;
    o.ttl_ms = 0;
    assert_int_equal(apierr_idempotency_open(&s, dbpath, &o), APIERR_EINVAL);
    assert_null(s);
    char nowhere[700];
    snprintf(nowhere, sizeof nowhere, "%s/missing/dir/x.db", dir);
    assert_int_equal(apierr_idempotency_open(&s, nowhere, NULL), APIERR_EIO);
    assert_null(s);
}

/* The 422 and 409 of the draft, through the reply builder and back; and a
 * stored error reply replays as the same problem. */
static void test_problems(void **state)
{
    (void)state;
    static const struct {
        apierr_idempotency_state st;
        int status;
        const char *code, *retry_after;
    } cases[] = {
        {APIERR_IDEMPOTENCY_MISMATCH, 422, "IDEMPOTENCY_KEY_MISMATCH", NULL},
        {APIERR_IDEMPOTENCY_IN_PROGRESS, 409, "IDEMPOTENCY_KEY_IN_USE", "1"},
    };
    apierr_idempotency *s = open_store(0, 0);
    unsigned char fp[32];
    apierr_idempotency_fingerprint(fp, "POST", "/x", "{}", 2);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        apierr_problem *p;
        assert_int_equal(apierr_idempotency_problem(&p, cases[i].st), APIERR_OK);
        apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
        o.dialect = APIERR_DIALECT_GESTIX;
        o.request_id = "req-idem";
        apierr_reply r, replay;
        build_reply(&r, p, &o);
        const char *ra = reply_header(&r, "Retry-After");
        if (cases[i].retry_after)
            assert_string_equal(ra, cases[i].retry_after);
        else
            assert_null(ra);

        char key[16];
        snprintf(key, sizeof key, "err-%zu", i);
        assert_int_equal(begin(s, &replay, key, fp, 5), APIERR_IDEMPOTENCY_NEW);
        assert_int_equal(apierr_idempotency_complete(s, key, &r), APIERR_OK);
        assert_int_equal(begin(s, &replay, key, fp, 6), APIERR_IDEMPOTENCY_REPLAY);
        assert_same_reply(&replay, &r);
        apierr_problem *back = decode_reply(&replay, APIERR_DIALECT_AUTO, 1);
        assert_int_equal(back->dialect, APIERR_DIALECT_GESTIX);
        assert_int_equal(back->status, cases[i].status);
        assert_string_equal(back->code, cases[i].code);
        assert_string_equal(back->request_id, "req-idem");
        apierr_problem_free(back);
        apierr_reply_clear(&replay);
        apierr_reply_clear(&r);
        apierr_problem_free(p);
    }
    apierr_problem *p = (apierr_problem *)&cases;
    assert_int_equal(apierr_idempotency_problem(&p, APIERR_IDEMPOTENCY_NEW), APIERR_EINVAL);
    assert_null(p);
    apierr_idempotency_close(s);
}

enum { THREADS = 4, KEYS = 50 };

typedef struct {
    apierr_idempotency *s;
    int news, in_progress;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    unsigned char fp[32];
    apierr_idempotency_fingerprint(fp, "POST", "/race", "x", 1);
    for (int k = 0; k < KEYS; k++) {
        char key[16];
        snprintf(key, sizeof key, "race-%d", k);
        apierr_idempotency_state st;
        apierr_reply replay;
        if (apierr_idempotency_begin(r->s, &st, &replay, key, fp, 100)) return NULL;
        r->news += st == APIERR_IDEMPOTENCY_NEW;
        r->in_progress += st == APIERR_IDEMPOTENCY_IN_PROGRESS;
    }
    return r;
}

/* Four threads, two of them on a second store (another connection) on the
 * same file: each key is NEW exactly once. */
static void test_concurrent_begin(void **state)
{
    (void)state;
    apierr_idempotency *a = open_store(0, 0), *b = open_store(0, 0);
    pthread_t t[THREADS];
    racer r[THREADS];
    for (int i = 0; i < THREADS; i++) {
        r[i] = (racer){i % 2 ? b : a, 0, 0};
        assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
    }
    int news = 0, in_progress = 0;
    for (int i = 0; i < THREADS; i++) {
        void *ret;
        assert_int_equal(pthread_join(t[i], &ret), 0);
        assert_ptr_equal(ret, &r[i]);
        news += r[i].news;
        in_progress += r[i].in_progress;
    }
    assert_int_equal(news, KEYS);
    assert_int_equal(in_progress, KEYS * (THREADS - 1));
    apierr_idempotency_close(a);
    apierr_idempotency_close(b);
}

/* complete_in(): the stored answer is part of the caller's transaction:
 * rolled back with it, committed with it. */
static void test_complete_in_transaction(void **state)
{
    (void)state;
    unsigned char fp[32];
    apierr_idempotency_fingerprint(fp, "POST", "/v1/invoices", "{}", 2);
    apierr_idempotency *s = open_store(0, 0);
    const long long t0 = 1700000000000LL;
    apierr_reply replay, created;
    apierr_header h[] = {{"Location", "/v1/invoices/9"}};
    assert_int_equal(apierr_reply_make(&created, 201, h, 1, "{\"id\":9}", 8), APIERR_OK);
    assert_int_equal(begin(s, &replay, "acme:tx", fp, t0), APIERR_IDEMPOTENCY_NEW);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(apierr_idempotency_complete_in(s, NULL, "acme:tx", &created), APIERR_EINVAL);

    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(apierr_idempotency_complete_in(s, db, "acme:tx", &created), APIERR_OK);
    assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(begin(s, &replay, "acme:tx", fp, t0 + 1), APIERR_IDEMPOTENCY_IN_PROGRESS);

    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(apierr_idempotency_complete_in(s, db, "acme:tx", &created), APIERR_OK);
    assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(begin(s, &replay, "acme:tx", fp, t0 + 2), APIERR_IDEMPOTENCY_REPLAY);
    assert_same_reply(&replay, &created);
    apierr_reply_clear(&replay);
    /* Done: a second completion finds nothing in progress. */
    assert_int_equal(apierr_idempotency_complete_in(s, db, "acme:tx", &created), APIERR_ENOTFOUND);
    apierr_reply_clear(&created);
    sqlite3_close(db);
    apierr_idempotency_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_fingerprint),
        cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_problems, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_begin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_complete_in_transaction, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
