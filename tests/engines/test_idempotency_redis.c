/*
 * The idempotency store on Redis against a real redis-server: two stores
 * stand for two instances of a fleet. One claim per key however many race
 * for it; a byte-identical replay on the other instance; 409 while the
 * other holds the key, 422 for another request; a takeover once the lease
 * of a dead owner ran out, after which the old owner cannot complete; and
 * an unreachable Redis refuses (the write is not run) until it is back; and
 * with a journal, an answer committed with its write but never published
 * to Redis is replayed by the claim that comes after the lease.
 * Run by tests/integration/idempotency_redis.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apierr-server.h"
#include "redis_fixture.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static apierr_idempotency *store(long long lock_ms)
{
    apierr_idempotency_opts o = APIERR_IDEMPOTENCY_OPTS_INIT;
    o.lock_ms = lock_ms;
    o.ttl_ms = 60000;
    apierr_idempotency *s = NULL;
    assert_int_equal(apierr_idempotency_open(&s, url, &o), APIERR_OK);
    return s;
}

/* A store on Redis with its journal in the SQLite file at path. */
static apierr_idempotency *journaled(long long lock_ms, const char *path)
{
    apierr_idempotency_opts o = APIERR_IDEMPOTENCY_OPTS_INIT;
    o.lock_ms = lock_ms;
    o.ttl_ms = 60000;
    o.journal = path;
    apierr_idempotency *s = NULL;
    assert_int_equal(apierr_idempotency_open(&s, url, &o), APIERR_OK);
    return s;
}

static void fp_of(unsigned char fp[APIERR_SHA256_SIZE], const char *body)
{
    apierr_idempotency_fingerprint(fp, "POST", "/v1/tenants/acme/invoices", body, strlen(body));
}

static apierr_idempotency_state begin(apierr_idempotency *s, const char *key, const char *body,
                                      apierr_reply *replay)
{
    unsigned char fp[APIERR_SHA256_SIZE];
    fp_of(fp, body);
    apierr_idempotency_state st;
    apierr_reply scratch;
    assert_int_equal(apierr_idempotency_begin(s, &st, replay ? replay : &scratch, key, fp, 0),
                     APIERR_OK);
    if (!replay) apierr_reply_clear(&scratch);
    return st;
}

/* A response with bytes that a text format would lose. */
static const char body201[] = "{\"id\":7,\"note\":\"\xc3\xa9\\u0000\"}\n";
static const apierr_header headers201[] = {{"Location", "/v1/tenants/acme/invoices/7"},
                                           {"Content-Type", "application/json"},
                                           {"X-Request-Id", "req-1"}};

static void complete(apierr_idempotency *s, const char *key, int expect)
{
    apierr_reply r;
    assert_int_equal(apierr_reply_make(&r, 201, headers201, 3, body201, sizeof body201 - 1),
                     APIERR_OK);
    assert_int_equal(apierr_idempotency_complete(s, key, &r), expect);
    apierr_reply_clear(&r);
}

static void test_two_instances(void **state)
{
    (void)state;
    apierr_idempotency *a = store(60000), *b = store(60000);
    assert_int_equal(begin(a, "acme:k1", "{\"n\":1}", NULL), APIERR_IDEMPOTENCY_NEW);
    assert_int_equal(begin(b, "acme:k1", "{\"n\":1}", NULL), APIERR_IDEMPOTENCY_IN_PROGRESS);
    assert_int_equal(begin(a, "acme:k1", "{\"n\":1}", NULL), APIERR_IDEMPOTENCY_IN_PROGRESS);
    complete(b, "acme:k1", APIERR_ENOTFOUND); /* b never held it */
    complete(a, "acme:k1", APIERR_OK);
    apierr_reply r;
    assert_int_equal(begin(b, "acme:k1", "{\"n\":1}", &r), APIERR_IDEMPOTENCY_REPLAY);
    assert_int_equal(r.status, 201);
    assert_int_equal(r.body_len, sizeof body201 - 1);
    assert_memory_equal(r.body, body201, sizeof body201 - 1);
    assert_int_equal(r.nheaders, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(r.headers[i].name, headers201[i].name);
        assert_string_equal(r.headers[i].value, headers201[i].value);
    }
    apierr_reply_clear(&r);
    assert_int_equal(begin(b, "acme:k1", "{\"n\":2}", NULL), APIERR_IDEMPOTENCY_MISMATCH);
    complete(a, "acme:k1", APIERR_ENOTFOUND); /* done already */
    /* abort: the key is free again, for any instance. */
    assert_int_equal(begin(a, "acme:k2", "{}", NULL), APIERR_IDEMPOTENCY_NEW);
    assert_int_equal(apierr_idempotency_abort(b, "acme:k2"), APIERR_ENOTFOUND);
    assert_int_equal(apierr_idempotency_abort(a, "acme:k2"), APIERR_OK);
    assert_int_equal(begin(b, "acme:k2", "{}", NULL), APIERR_IDEMPOTENCY_NEW);
    /* The key has the store's TTL. */
    char cmd[160];
    snprintf(cmd, sizeof cmd,
             "t=$(redis-cli -p %d -n 3 pttl apierr:idem:acme:k2); [ \"$t\" -gt 0 ] && [ \"$t\" -le "
             "60000 ]",
             port);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(apierr_idempotency_purge(a, 0), APIERR_OK);
    apierr_idempotency_close(a);
    apierr_idempotency_close(b);
}

/* The owner died holding the key: after its lease, another takes over; the
 * old owner, back, cannot complete over the new one. */
static void test_takeover(void **state)
{
    (void)state;
    apierr_idempotency *a = store(200), *b = store(200);
    assert_int_equal(begin(a, "acme:t", "{}", NULL), APIERR_IDEMPOTENCY_NEW);
    assert_int_equal(begin(b, "acme:t", "{}", NULL), APIERR_IDEMPOTENCY_IN_PROGRESS);
    usleep(250 * 1000);
    assert_int_equal(begin(b, "acme:t", "{}", NULL), APIERR_IDEMPOTENCY_NEW);
    complete(a, "acme:t", APIERR_ENOTFOUND);
    complete(b, "acme:t", APIERR_OK);
    assert_int_equal(begin(a, "acme:t", "{}", NULL), APIERR_IDEMPOTENCY_REPLAY);
    apierr_idempotency_close(a);
    apierr_idempotency_close(b);
}

typedef struct racer {
    apierr_idempotency *s;
    int news;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    for (int i = 0; i < 20; i++) {
        char key[32];
        snprintf(key, sizeof key, "acme:race-%d", i);
        r->news += begin(r->s, key, "{}", NULL) == APIERR_IDEMPOTENCY_NEW;
    }
    return NULL;
}

/* 8 threads over 2 instances race for 20 keys: each key is claimed once. */
static void test_one_claim_per_key(void **state)
{
    (void)state;
    apierr_idempotency *s[2] = {store(60000), store(60000)};
    racer r[8];
    pthread_t t[8];
    for (int i = 0; i < 8; i++) {
        r[i] = (racer){s[i % 2], 0};
        assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
    }
    int news = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        news += r[i].news;
    }
    assert_int_equal(news, 20);
    apierr_idempotency_close(s[0]);
    apierr_idempotency_close(s[1]);
}

/* Redis away: EIO (the caller answers 503 and runs nothing); back: works,
 * without reopening the store. */
static void test_down_and_back(void **state)
{
    (void)state;
    apierr_idempotency *s = store(60000);
    assert_int_equal(begin(s, "acme:d", "{}", NULL), APIERR_IDEMPOTENCY_NEW);
    redis_stop();
    unsigned char fp[APIERR_SHA256_SIZE];
    fp_of(fp, "{}");
    apierr_idempotency_state st;
    apierr_reply r;
    assert_int_equal(apierr_idempotency_begin(s, &st, &r, "acme:d2", fp, 0), APIERR_EIO);
    assert_null(r.body);
    complete(s, "acme:d", APIERR_EIO);
    redis_start();
    int rc = APIERR_EIO;
    for (int i = 0; i < 100 && rc == APIERR_EIO; i++) {
        rc = apierr_idempotency_begin(s, &st, &r, "acme:d2", fp, 0);
        if (rc == APIERR_EIO) usleep(20000);
    }
    assert_int_equal(rc, APIERR_OK);
    assert_int_equal(st, APIERR_IDEMPOTENCY_NEW);
    apierr_idempotency_close(s);
}

/* The reply of complete() as the application's write records it: inside
 * its own transaction on db, committed; rc is what complete_in() gave. */
static void record_in(apierr_idempotency *s, sqlite3 *db, const char *key, int expect)
{
    apierr_reply r;
    assert_int_equal(apierr_reply_make(&r, 201, headers201, 3, body201, sizeof body201 - 1),
                     APIERR_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS w(x); INSERT INTO w VALUES (1)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(apierr_idempotency_complete_in(s, db, key, &r), expect);
    assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    apierr_reply_clear(&r);
}

static void assert_replay_201(const apierr_reply *r)
{
    assert_int_equal(r->status, 201);
    assert_int_equal(r->body_len, sizeof body201 - 1);
    assert_memory_equal(r->body, body201, sizeof body201 - 1);
    assert_int_equal(r->nheaders, 3);
}

/* The owner commits its write and its answer, then dies before publishing
 * it to Redis: the claim after the lease finds the recorded answer and
 * replays it (and publishes it: a third store replays from Redis). Redis
 * forgetting the key (FLUSHDB) changes nothing: the record answers, 422
 * for another request. Without a journal, complete_in() is unsupported. */
static void test_journal(void **state)
{
    (void)state;
    char dir[] = "idemjournalXXXXXX", path[64]; /* in the test's working folder */
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/data.db", dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    apierr_idempotency *a = journaled(200, path), *b = journaled(200, path),
                       *c = journaled(200, path);
    assert_int_equal(begin(a, "acme:j", "{}", NULL), APIERR_IDEMPOTENCY_NEW);
    record_in(a, db, "acme:j", APIERR_OK);
    /* a dies here: no complete(). */
    assert_int_equal(begin(b, "acme:j", "{}", NULL), APIERR_IDEMPOTENCY_IN_PROGRESS);
    usleep(250 * 1000);
    apierr_reply r;
    assert_int_equal(begin(b, "acme:j", "{}", &r), APIERR_IDEMPOTENCY_REPLAY);
    assert_replay_201(&r);
    apierr_reply_clear(&r);
    assert_int_equal(begin(c, "acme:j", "{}", &r), APIERR_IDEMPOTENCY_REPLAY);
    assert_replay_201(&r);
    apierr_reply_clear(&r);
    redis_cli("-n 3 FLUSHDB");
    assert_int_equal(begin(c, "acme:j", "{\"other\":1}", NULL), APIERR_IDEMPOTENCY_MISMATCH);
    assert_int_equal(begin(c, "acme:j", "{}", &r), APIERR_IDEMPOTENCY_REPLAY);
    assert_replay_201(&r);
    apierr_reply_clear(&r);
    /* A key that died before its commit runs again after the lease. */
    assert_int_equal(begin(a, "acme:j2", "{}", NULL), APIERR_IDEMPOTENCY_NEW);
    usleep(250 * 1000);
    assert_int_equal(begin(b, "acme:j2", "{}", NULL), APIERR_IDEMPOTENCY_NEW);
    record_in(b, db, "acme:j2", APIERR_OK);
    complete(b, "acme:j2", APIERR_OK);
    assert_int_equal(begin(a, "acme:j2", "{}", NULL), APIERR_IDEMPOTENCY_REPLAY);
    apierr_idempotency *plain = store(200);
    assert_int_equal(begin(plain, "acme:j3", "{}", NULL), APIERR_IDEMPOTENCY_NEW);
    record_in(plain, db, "acme:j3", APIERR_EUNSUPPORTED);
    apierr_idempotency_close(plain);
    apierr_idempotency_close(a);
    apierr_idempotency_close(b);
    apierr_idempotency_close(c);
    sqlite3_close(db);
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char f[96];
        snprintf(f, sizeof f, "%s%s", path, suffix[i]);
        unlink(f);
    }
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    int skip = redis_fixture_start("tests/integration/idempotency_redis.sh");
    if (skip) return skip;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_instances),     cmocka_unit_test(test_takeover),
        cmocka_unit_test(test_one_claim_per_key), cmocka_unit_test(test_down_and_back),
        cmocka_unit_test(test_journal),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    redis_stop();
    return rc;
}
