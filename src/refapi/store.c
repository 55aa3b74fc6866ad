/* store.c - SQLite pool, schema and tokens of the reference API. */
#include "store.h"

#include "apierr-server.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

struct refapi_store {
    unsigned n;
    sqlite3 **db;
    pthread_mutex_t *lock;
    atomic_uint next_slot;
};

/* The pool slot of the calling thread, taken on first use. */
static _Thread_local int thread_slot = -1;

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS tokens ("
    " hash TEXT PRIMARY KEY, kind INTEGER NOT NULL, client TEXT NOT NULL,"
    " scopes TEXT NOT NULL, expires_ms INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0"
    ") WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS invoices ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL,"
    " documentNumber TEXT NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL,"
    " UNIQUE (tenant, documentNumber));";

static int open_one(sqlite3 **out, const char *path, int create, int busy_ms)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path, out, flags, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_extended_result_codes(*out, 1);
    /* Short: a worker waiting on a lock blocks every request queued on its
     * thread, so a busy database answers 503 DB_TIMEOUT soon instead. */
    sqlite3_busy_timeout(*out, busy_ms);
    /* WAL: readers never block the writer. NORMAL: a commit is in the WAL
     * (the OS has it) before the 201 leaves, which survives kill -9. */
    rc =
        sqlite3_exec(*out, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL, NULL);
    if (rc == SQLITE_OK && create) rc = sqlite3_exec(*out, SCHEMA, NULL, NULL, NULL);
    /* A database of an older version has no family column: added, and its
     * tokens each a family of their own (''). */
    if (rc == SQLITE_OK && create)
        sqlite3_exec(*out, "ALTER TABLE tokens ADD COLUMN family TEXT NOT NULL DEFAULT ''", NULL,
                     NULL, NULL);
    if (rc == SQLITE_OK && create)
        rc = sqlite3_exec(*out, "CREATE INDEX IF NOT EXISTS tokens_family ON tokens (family)", NULL,
                          NULL, NULL);
    return rc;
}

int refapi_store_open(refapi_store **out, const char *path, unsigned nconn, int busy_ms)
{
    refapi_store *s = calloc(1, sizeof *s);
    if (!s) return -1;
    s->db = calloc(nconn, sizeof *s->db);
    s->lock = calloc(nconn, sizeof *s->lock);
    if (!s->db || !s->lock) {
        free(s->db);
        free(s->lock);
        free(s);
        return -1;
    }
    s->n = nconn;
    for (unsigned i = 0; i < nconn; i++) pthread_mutex_init(&s->lock[i], NULL);
    for (unsigned i = 0; i < nconn; i++) {
        int rc = open_one(&s->db[i], path, i == 0, busy_ms);
        if (rc != SQLITE_OK) {
            fprintf(stderr, "apierr serve: cannot open the database '%s': %s\n", path,
                    s->db[i] ? sqlite3_errmsg(s->db[i]) : sqlite3_errstr(rc));
            refapi_store_close(s);
            return -1;
        }
    }
    *out = s;
    return 0;
}

/*
 * Statements kept: preparing one parsed its SQL again on every request
 * (40% of the instructions of a GET 200). A thread keeps the statements it
 * prepared with refapi_store_prepare(), by connection and SQL text, and
 * resets them after use; a connection is used by one thread at a time, under
 * its lock, so a kept statement is never run by two. Closing a store
 * finalizes every statement of its connections and moves the generation
 * on: no thread takes a kept statement of an older one.
 */
#define KEPT_STMTS 8

typedef struct kept_stmt {
    sqlite3 *db;
    const char *sql; /* the caller's literal: compared by address */
    sqlite3_stmt *st;
    unsigned gen;
    int busy; /* handed out, not yet done */
} kept_stmt;

static _Thread_local kept_stmt kept[KEPT_STMTS];
static atomic_uint generation = 1;

int refapi_store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out)
{
    unsigned gen = atomic_load(&generation);
    kept_stmt *room = NULL;
    for (size_t i = 0; i < KEPT_STMTS; i++) {
        kept_stmt *k = &kept[i];
        if (k->gen == gen && k->db == db && k->sql == sql && !k->busy) {
            k->busy = 1;
            *out = k->st;
            return SQLITE_OK;
        }
        if (k->gen != gen && !room) room = k;
    }
    int rc = sqlite3_prepare_v2(db, sql, -1, out, NULL);
    if (rc == SQLITE_OK && room) *room = (kept_stmt){db, sql, *out, gen, 1};
    return rc;
}

void refapi_store_done(sqlite3_stmt *st)
{
    unsigned gen = atomic_load(&generation);
    for (size_t i = 0; st && i < KEPT_STMTS; i++) {
        if (kept[i].st == st && kept[i].busy && kept[i].gen == gen) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            kept[i].busy = 0;
            return;
        }
    }
    sqlite3_finalize(st);
}

void refapi_store_close(refapi_store *s)
{
    if (!s) return;
    atomic_fetch_add(&generation, 1);
    for (unsigned i = 0; i < s->n; i++) {
        if (i == 0 && s->db[i]) sqlite3_wal_checkpoint_v2(s->db[i], NULL, 0, NULL, NULL);
        for (sqlite3_stmt *st; s->db[i] && (st = sqlite3_next_stmt(s->db[i], NULL));)
            sqlite3_finalize(st);
        sqlite3_close(s->db[i]);
        pthread_mutex_destroy(&s->lock[i]);
    }
    free(s->db);
    free(s->lock);
    free(s);
}

sqlite3 *refapi_store_acquire(refapi_store *s)
{
    if (thread_slot < 0) thread_slot = (int)(atomic_fetch_add(&s->next_slot, 1) % s->n);
    pthread_mutex_lock(&s->lock[thread_slot]);
    return s->db[thread_slot];
}

void refapi_store_release(refapi_store *s, sqlite3 *db)
{
    for (unsigned i = 0; i < s->n; i++) {
        if (s->db[i] == db) {
            pthread_mutex_unlock(&s->lock[i]);
            return;
        }
    }
}

static void hex(char *out, const unsigned char *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void refapi_token_hash(char out[REFAPI_TOKEN_BUFSIZE], const char *token)
{
    unsigned char h[APIERR_SHA256_SIZE];
    apierr_sha256(h, token, strlen(token));
    hex(out, h, sizeof h);
}

int refapi_token_mint(char out[REFAPI_TOKEN_BUFSIZE], char hash[REFAPI_TOKEN_BUFSIZE])
{
    unsigned char raw[32];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) return -1;
    hex(out, raw, sizeof raw);
    refapi_token_hash(hash, out);
    return 0;
}

refapi_token_state refapi_token_judge(const refapi_token *t, int kind, long long now_ms)
{
    /* A session stands for an access token; nothing else stands in. */
    int kind_ok =
        t->kind == kind || (kind == REFAPI_TOKEN_ACCESS && t->kind == REFAPI_TOKEN_SESSION);
    if (t->revoked || !kind_ok) return REFAPI_TOKEN_UNKNOWN;
    return t->expires_ms <= now_ms ? REFAPI_TOKEN_EXPIRED : REFAPI_TOKEN_OK;
}

int refapi_store_family_new(char out[REFAPI_FAMILY_BUFSIZE])
{
    unsigned char raw[16];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) return SQLITE_IOERR;
    hex(out, raw, sizeof raw);
    return SQLITE_OK;
}

int refapi_store_family_revoke(sqlite3 *db, const char *family)
{
    sqlite3_stmt *st;
    int rc =
        sqlite3_prepare_v2(db, "UPDATE tokens SET revoked = 1 WHERE family = ?1", -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_text(st, 1, family, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : sqlite3_extended_errcode(db);
}

int refapi_store_token_issue(sqlite3 *db, char out[REFAPI_TOKEN_BUFSIZE], int kind,
                             const char *client, const char *scopes, long long expires_ms,
                             const char *family)
{
    char h[REFAPI_TOKEN_BUFSIZE];
    if (refapi_token_mint(out, h) != 0) return SQLITE_IOERR;
    sqlite3_stmt *st;
    int rc =
        sqlite3_prepare_v2(db,
                           "INSERT INTO tokens (hash, kind, client, scopes, expires_ms, family)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_text(st, 1, h, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, kind);
    sqlite3_bind_text(st, 3, client, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, scopes, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, expires_ms);
    sqlite3_bind_text(st, 6, family ? family : "", -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : sqlite3_extended_errcode(db);
}

refapi_token_state refapi_store_token_find(sqlite3 *db, refapi_token *out, const char *token,
                                           int kind, long long now_ms)
{
    char h[REFAPI_TOKEN_BUFSIZE];
    refapi_token_hash(h, token);
    sqlite3_stmt *st;
    if (refapi_store_prepare(db,
                             "SELECT kind, client, scopes, expires_ms, revoked, family FROM tokens"
                             " WHERE hash = ?1",
                             &st) != SQLITE_OK) {
        return REFAPI_TOKEN_DBERROR;
    }
    sqlite3_bind_text(st, 1, h, -1, SQLITE_TRANSIENT);
    refapi_token_state state = REFAPI_TOKEN_UNKNOWN;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->kind = sqlite3_column_int(st, 0);
        snprintf(out->client, sizeof out->client, "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(out->scopes, sizeof out->scopes, "%s", (const char *)sqlite3_column_text(st, 2));
        out->expires_ms = sqlite3_column_int64(st, 3);
        out->revoked = sqlite3_column_int(st, 4);
        snprintf(out->family, sizeof out->family, "%s", (const char *)sqlite3_column_text(st, 5));
        state = refapi_token_judge(out, kind, now_ms);
    } else if (rc != SQLITE_DONE) {
        state = REFAPI_TOKEN_DBERROR;
    }
    refapi_store_done(st);
    return state;
}

int refapi_store_token_revoke(sqlite3 *db, const char *token, int kind, long long now_ms)
{
    char h[REFAPI_TOKEN_BUFSIZE];
    refapi_token_hash(h, token);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db,
                                "UPDATE tokens SET revoked = 1 WHERE hash = ?1 AND kind = ?2"
                                " AND revoked = 0 AND expires_ms > ?3",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_text(st, 1, h, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, kind);
    sqlite3_bind_int64(st, 3, now_ms);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return sqlite3_extended_errcode(db);
    return sqlite3_changes(db) == 1 ? SQLITE_OK : SQLITE_NOTFOUND;
}
