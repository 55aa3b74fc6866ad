/*
 * The idempotency store: its public functions, the stored form of a
 * response, and the SQLite backend (idem_backend.h). Every begin() on SQLite
 * runs in one IMMEDIATE transaction, so two requests with one key, even from
 * two processes sharing the file, never both get NEW.
 */
#include "apierr/server/idempotency.h"

#include "alloc.h"
#include "idem_backend.h"
#include "server_impl.h"
#include "sha256.h"

#include <limits.h>
#include <stddef.h>
#include <pthread.h>
#include <sqlite3.h>
#include <string.h>

/* One row per key. done = 0 while the first request runs. headers holds
 * "name\0value\0" pairs. */
static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "CREATE TABLE IF NOT EXISTS apierr_idempotency("
    " key TEXT PRIMARY KEY, fingerprint BLOB NOT NULL, done INTEGER NOT NULL,"
    " started_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL,"
    " status INTEGER, headers BLOB, body BLOB) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS apierr_idempotency_expiry ON apierr_idempotency(expires_ms);";

/* The statements, prepared once; X(name, sql). */
#define STATEMENTS(X)                                                                        \
    X(BEGIN, "BEGIN IMMEDIATE")                                                              \
    X(COMMIT, "COMMIT")                                                                      \
    X(ROLLBACK, "ROLLBACK")                                                                  \
    X(GET, "SELECT fingerprint, done, started_ms, expires_ms, status, headers, body"         \
           " FROM apierr_idempotency WHERE key = ?1")                                        \
    X(CLAIM, "INSERT OR REPLACE INTO apierr_idempotency(key, fingerprint, done, started_ms," \
             " expires_ms) VALUES (?1, ?2, 0, ?3, ?4)")                                      \
    X(STORE, "UPDATE apierr_idempotency SET done = 1, status = ?2, headers = ?3, body = ?4"  \
             " WHERE key = ?1 AND done = 0")                                                 \
    X(ABORT, "DELETE FROM apierr_idempotency WHERE key = ?1 AND done = 0")                   \
    X(PURGE, "DELETE FROM apierr_idempotency WHERE expires_ms <= ?1")

enum {
#define STMT_ENUM(name, sql) ST_##name,
    STATEMENTS(STMT_ENUM)
#undef STMT_ENUM
        ST__COUNT
};

/* Their text, for a statement prepared on a caller's connection. */
static const char *const statement_sql[] = {
#define STMT_TEXT(name, text) text,
    STATEMENTS(STMT_TEXT)
#undef STMT_TEXT
};

/* begin() purges expired keys once every this many calls. */
#define PURGE_EVERY 256

struct apierr_idempotency {
    const apierr__idem_ops *ops;
    void *backend;
};

typedef struct sqlite_store {
    pthread_mutex_t mu;
    sqlite3 *db;
    sqlite3_stmt *st[ST__COUNT];
    long long ttl_ms, lock_ms;
    unsigned begins;
    int journal; /* a Redis store's record: leases are Redis's to judge */
} sqlite_store;

void apierr_idempotency_fingerprint(unsigned char out[APIERR_SHA256_SIZE], const char *method,
                                    const char *path, const void *body, size_t len)
{
    const void *part[3] = {method, path, body};
    size_t plen[3] = {strlen(method), strlen(path), body ? len : 0};
    apierr__sha256 c;
    apierr__sha256_init(&c);
    for (int i = 0; i < 3; i++) {
        unsigned char n[8];
        for (int k = 0; k < 8; k++)
            n[k] = (unsigned char)((unsigned long long)plen[i] >> (56 - 8 * k));
        apierr__sha256_update(&c, n, sizeof n);
        apierr__sha256_update(&c, part[i], plen[i]);
    }
    apierr__sha256_final(&c, out);
}

int apierr_idempotency_key_valid(const char *key)
{
    if (!key) return 0;
    size_t n = 0;
    for (; key[n]; n++)
        if (n >= APIERR_IDEMPOTENCY_KEY_MAX || key[n] < 0x21 || key[n] > 0x7e) return 0;
    return n > 0;
}

static void sqlite_close(void *b)
{
    sqlite_store *s = b;
    for (int i = 0; i < ST__COUNT; i++) sqlite3_finalize(s->st[i]);
    sqlite3_close(s->db);
    pthread_mutex_destroy(&s->mu);
    apierr__free(s);
}

void apierr_idempotency_close(apierr_idempotency *s)
{
    if (!s) return;
    s->ops->close(s->backend);
    apierr__free(s);
}

static const apierr_idempotency_opts idempotency_defaults = APIERR_IDEMPOTENCY_OPTS_INIT;
/* The size of each version of apierr_idempotency_opts, from version 1. */
static const size_t idempotency_opts_sizes[] = {offsetof(apierr_idempotency_opts, busy_timeout_ms),
                                                offsetof(apierr_idempotency_opts, journal),
                                                sizeof(apierr_idempotency_opts)};

APIERR__OPTS_INIT_FUNC(apierr_idempotency_opts, idempotency_defaults, idempotency_opts_sizes)

int apierr__idem_sqlite_open(void **out, const char *path, const apierr_idempotency_opts *o,
                             int journal)
{
    sqlite_store *s = apierr__calloc(1, sizeof *s);
    if (!s) return APIERR_ENOMEM;
    pthread_mutex_init(&s->mu, NULL);
    s->ttl_ms = o->ttl_ms;
    s->lock_ms = o->lock_ms;
    s->journal = journal;
    int rc = sqlite3_open_v2(
        path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_busy_timeout(s->db, (int)o->busy_timeout_ms);
    if (rc == SQLITE_OK) rc = sqlite3_exec(s->db, schema, NULL, NULL, NULL);
    for (int i = 0; rc == SQLITE_OK && i < ST__COUNT; i++)
        rc = sqlite3_prepare_v3(s->db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
                                NULL);
    if (rc != SQLITE_OK) {
        sqlite_close(s);
        return rc == SQLITE_NOMEM ? APIERR_ENOMEM : APIERR_EIO;
    }
    *out = s;
    return APIERR_OK;
}

/* A URL names a Redis server; anything else is a SQLite database. */
static int is_redis_url(const char *path)
{
    return strncmp(path, "redis://", 8) == 0 || strncmp(path, "unix://", 7) == 0;
}

int apierr_idempotency_open(apierr_idempotency **out, const char *path,
                            const apierr_idempotency_opts *opts)
{
    apierr_idempotency_opts given = idempotency_defaults;
    const apierr_idempotency_opts *o = &given;
    *out = NULL;
    int rc = APIERR__STRUCT_READ(&given, opts, idempotency_opts_sizes);
    if (rc) return rc;
    if (!path || o->ttl_ms <= 0 || o->lock_ms <= 0 || o->busy_timeout_ms < 0 ||
        o->busy_timeout_ms > INT_MAX)
        return APIERR_EINVAL;
    apierr_idempotency *s = apierr__calloc(1, sizeof *s);
    if (!s) return APIERR_ENOMEM;
    if (is_redis_url(path)) {
        rc = apierr__idem_redis_open(&s->backend, &s->ops, path, o);
    } else {
        s->ops = &apierr__idem_sqlite_ops;
        rc = apierr__idem_sqlite_open(&s->backend, path, o, 0);
    }
    if (rc) {
        apierr__free(s);
        return rc;
    }
    *out = s;
    return APIERR_OK;
}

/* Runs a statement that returns no row and resets it. */
static int run(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? APIERR_OK : APIERR_EIO;
}

int apierr__idem_unpack(apierr_reply *out, int status, const char *h, size_t hlen, const char *body,
                        size_t blen)
{
    size_t n = 0;
    for (size_t i = 0; i < hlen; i++) n += h[i] == '\0';
    if (n % 2 || (hlen && h[hlen - 1] != '\0')) return APIERR_EIO; /* not ours */
    apierr_header *hs = apierr__calloc(n / 2 + 1, sizeof *hs);
    if (!hs) return APIERR_ENOMEM;
    for (size_t i = 0, k = 0; i < hlen; k++) {
        hs[k].name = h + i;
        i += strlen(h + i) + 1;
        hs[k].value = h + i;
        i += strlen(h + i) + 1;
    }
    int rc = apierr_reply_make(out, status, hs, n / 2, body, body ? blen : 0);
    apierr__free(hs);
    return rc;
}

int apierr__idem_pack(const apierr_reply *response, char **out, size_t *len)
{
    size_t hlen = 0;
    for (size_t i = 0; i < response->nheaders; i++) {
        const apierr_header *x = &response->headers[i];
        if (!x->name || !x->value || !*x->name) return APIERR_EINVAL;
        hlen += strlen(x->name) + strlen(x->value) + 2;
    }
    if (hlen > INT_MAX) return APIERR_EINVAL;
    char *h = apierr__malloc(hlen + 1), *w = h;
    if (!h) return APIERR_ENOMEM;
    for (size_t i = 0; i < response->nheaders; i++) {
        const apierr_header *x = &response->headers[i];
        size_t ln = strlen(x->name) + 1, lv = strlen(x->value) + 1;
        memcpy(w, x->name, ln);
        memcpy(w + ln, x->value, lv);
        w += ln + lv;
    }
    *out = h;
    *len = hlen;
    return APIERR_OK;
}

/* The stored response of the current row of GET as a reply. */
static int unpack(apierr_reply *out, sqlite3_stmt *get)
{
    return apierr__idem_unpack(out, sqlite3_column_int(get, 4), sqlite3_column_blob(get, 5),
                               (size_t)sqlite3_column_bytes(get, 5), sqlite3_column_blob(get, 6),
                               (size_t)sqlite3_column_bytes(get, 6));
}

/* The body of begin(), inside the transaction: decides and writes. */
static int decide(sqlite_store *s, apierr_idempotency_state *state, apierr_reply *replay,
                  const char *key, const unsigned char *fp, long long now_ms)
{
    sqlite3_stmt *get = s->st[ST_GET];
    sqlite3_bind_text(get, 1, key, -1, SQLITE_STATIC);
    int step = sqlite3_step(get), rc = APIERR_OK, claim = 1;
    if (step == SQLITE_ROW && sqlite3_column_int64(get, 3) > now_ms) {
        const void *stored = sqlite3_column_blob(get, 0);
        claim = 0;
        if (sqlite3_column_bytes(get, 0) != APIERR_SHA256_SIZE ||
            memcmp(stored, fp, APIERR_SHA256_SIZE) != 0) {
            *state = APIERR_IDEMPOTENCY_MISMATCH;
        } else if (sqlite3_column_int(get, 1)) {
            *state = APIERR_IDEMPOTENCY_REPLAY;
            rc = unpack(replay, get);
        } else if (!s->journal && now_ms - sqlite3_column_int64(get, 2) < s->lock_ms) {
            *state = APIERR_IDEMPOTENCY_IN_PROGRESS;
        } else {
            claim = 1; /* its request died without complete() or abort() */
        }
    } else if (step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = APIERR_EIO;
    }
    sqlite3_reset(get);
    sqlite3_clear_bindings(get);
    if (rc || !claim) return rc;
    sqlite3_stmt *ins = s->st[ST_CLAIM];
    sqlite3_bind_text(ins, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(ins, 2, fp, APIERR_SHA256_SIZE, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 3, now_ms);
    sqlite3_bind_int64(ins, 4, now_ms + s->ttl_ms);
    *state = APIERR_IDEMPOTENCY_NEW;
    return run(ins);
}

static int sqlite_begin(void *b, apierr_idempotency_state *state, apierr_reply *replay,
                        const char *key, const unsigned char fingerprint[APIERR_SHA256_SIZE],
                        long long now_ms)
{
    sqlite_store *s = b;
    pthread_mutex_lock(&s->mu);
    int rc = run(s->st[ST_BEGIN]);
    if (rc == APIERR_OK) {
        if (++s->begins % PURGE_EVERY == 0) {
            sqlite3_bind_int64(s->st[ST_PURGE], 1, now_ms);
            rc = run(s->st[ST_PURGE]);
        }
        if (rc == APIERR_OK) rc = decide(s, state, replay, key, fingerprint, now_ms);
        if (rc == APIERR_OK) rc = run(s->st[ST_COMMIT]);
        if (rc != APIERR_OK) {
            run(s->st[ST_ROLLBACK]);
            apierr_reply_clear(replay);
        }
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* Runs one of the single-row writes on key; ENOTFOUND when no row changed. */
static int write_key(sqlite_store *s, sqlite3_stmt *st, const char *key)
{
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = run(st);
    if (rc == APIERR_OK && sqlite3_changes(s->db) == 0) rc = APIERR_ENOTFOUND;
    return rc;
}

/* Binds the response to a STORE statement (of any connection) and runs it
 * on key; ENOTFOUND when key was not in progress. */
static int store(sqlite3 *db, sqlite3_stmt *st, const char *key, const apierr_reply *response,
                 const char *h, size_t hlen)
{
    sqlite3_bind_int(st, 2, response->status);
    sqlite3_bind_blob(st, 3, h, (int)hlen, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, response->body ? response->body : "", (int)response->body_len,
                      SQLITE_STATIC);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = run(st);
    if (rc == APIERR_OK && sqlite3_changes(db) == 0) rc = APIERR_ENOTFOUND;
    return rc;
}

static int sqlite_complete(void *b, const char *key, const apierr_reply *response, const char *h,
                           size_t hlen)
{
    sqlite_store *s = b;
    pthread_mutex_lock(&s->mu);
    int rc = store(s->db, s->st[ST_STORE], key, response, h, hlen);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static int sqlite_abort(void *b, const char *key)
{
    sqlite_store *s = b;
    pthread_mutex_lock(&s->mu);
    int rc = write_key(s, s->st[ST_ABORT], key);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static int sqlite_purge(void *b, long long now_ms)
{
    sqlite_store *s = b;
    pthread_mutex_lock(&s->mu);
    sqlite3_bind_int64(s->st[ST_PURGE], 1, now_ms);
    int rc = run(s->st[ST_PURGE]);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static int sqlite_records_in(void *b)
{
    (void)b;
    return 1;
}

const apierr__idem_ops apierr__idem_sqlite_ops = {sqlite_begin, sqlite_complete, sqlite_abort,
                                                  sqlite_purge, sqlite_close,    sqlite_records_in};

/* --- the public functions: arguments checked once, for every backend ----- */

int apierr_idempotency_begin(apierr_idempotency *s, apierr_idempotency_state *state,
                             apierr_reply *replay, const char *key,
                             const unsigned char fingerprint[APIERR_SHA256_SIZE], long long now_ms)
{
    memset(replay, 0, sizeof *replay);
    if (!apierr_idempotency_key_valid(key)) return APIERR_EINVAL;
    return s->ops->begin(s->backend, state, replay, key, fingerprint, now_ms);
}

int apierr_idempotency_complete(apierr_idempotency *s, const char *key,
                                const apierr_reply *response)
{
    if (!apierr_idempotency_key_valid(key) || response->body_len > INT_MAX) return APIERR_EINVAL;
    char *h;
    size_t hlen;
    int rc = apierr__idem_pack(response, &h, &hlen);
    if (rc) return rc;
    rc = s->ops->complete(s->backend, key, response, h, hlen);
    apierr__free(h);
    return rc;
}

int apierr_idempotency_complete_in(apierr_idempotency *s, struct sqlite3 *db, const char *key,
                                   const apierr_reply *response)
{
    /* The store's table (or its journal's), reached through the caller's
     * connection: only a store in a SQLite database has one, or a store on
     * Redis given a journal. */
    if (!s->ops->records_in(s->backend)) return APIERR_EUNSUPPORTED;
    if (!db || !apierr_idempotency_key_valid(key) || response->body_len > INT_MAX)
        return APIERR_EINVAL;
    char *h;
    size_t hlen;
    int rc = apierr__idem_pack(response, &h, &hlen);
    if (rc) return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, statement_sql[ST_STORE], -1, &st, NULL) != SQLITE_OK)
        rc = APIERR_EIO;
    else
        rc = store(db, st, key, response, h, hlen);
    sqlite3_finalize(st);
    apierr__free(h);
    return rc;
}

int apierr_idempotency_abort(apierr_idempotency *s, const char *key)
{
    if (!apierr_idempotency_key_valid(key)) return APIERR_EINVAL;
    return s->ops->abort(s->backend, key);
}

int apierr_idempotency_purge(apierr_idempotency *s, long long now_ms)
{
    return s->ops->purge(s->backend, now_ms);
}

int apierr_idempotency_problem(apierr_problem **out, apierr_idempotency_state state)
{
    *out = NULL;
    if (state == APIERR_IDEMPOTENCY_MISMATCH)
        return apierr_server_problem(out, 422, "IDEMPOTENCY_KEY_MISMATCH",
                                     "This Idempotency-Key was already used with another request.");
    if (state != APIERR_IDEMPOTENCY_IN_PROGRESS) return APIERR_EINVAL;
    int rc = apierr_server_problem(out, 409, "IDEMPOTENCY_KEY_IN_USE",
                                   "A request with this Idempotency-Key is still being processed.");
    if (rc == APIERR_OK) (*out)->retry_after_ms = 1000;
    return rc;
}
