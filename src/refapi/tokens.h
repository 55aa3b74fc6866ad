/*
 * tokens.h - the credentials the reference API issues (OAuth access and
 * refresh tokens, Gestix sessions) behind one interface, with two backends
 * chosen when the server starts: the SQLite database (store.c), or Redis
 * with --redis (tokens_redis.c), where every instance of a fleet sees the
 * same tokens, whatever database file it has. The handlers do not change
 * with the backend.
 *
 * A unit of work is a refapi_tokens_txn: acquire, then (for a change that
 * must be all or nothing) begin ... commit or rollback, then release. On
 * SQLite it holds the thread's connection and a transaction; on Redis each
 * call is one script, atomic by itself, so begin, commit and rollback do
 * nothing: what must be atomic there (a refresh token used once, even by
 * two instances at the same moment) is one call.
 *
 * Return codes are SQLite result codes, the reference API's vocabulary for
 * its stores (refapi_req_db_failure() answers them): SQLITE_OK,
 * SQLITE_NOTFOUND where a function says so; the Redis backend reports a
 * Redis it cannot reach as SQLITE_BUSY (503 DB_TIMEOUT with Retry-After: the
 * client may try again) and any other failure as SQLITE_ERROR (500).
 */
#ifndef APIERR_REFAPI_TOKENS_H
#define APIERR_REFAPI_TOKENS_H

#include "apierr-server.h"
#include "store.h"

typedef struct refapi_tokens refapi_tokens;

typedef struct refapi_tokens_txn {
    refapi_tokens *t;
    sqlite3 *db; /* SQLite: the connection held; NULL on Redis */
} refapi_tokens_txn;

/* The tokens of store (redis NULL), or of redis. Borrows both. 0, or -1. */
int refapi_tokens_open(refapi_tokens **out, refapi_store *store, apierr_redis *redis);
void refapi_tokens_close(refapi_tokens *t); /* accepts NULL */

void refapi_tokens_acquire(refapi_tokens *t, refapi_tokens_txn *x);
void refapi_tokens_release(refapi_tokens_txn *x);
int refapi_tokens_begin(refapi_tokens_txn *x);
int refapi_tokens_commit(refapi_tokens_txn *x);
void refapi_tokens_rollback(refapi_tokens_txn *x);

/* Issues a new random token of kind for client with scopes, valid until
 * expires_ms, of family (NULL: none) into out. */
int refapi_tokens_issue(refapi_tokens_txn *x, char out[REFAPI_TOKEN_BUFSIZE], int kind,
                        const char *client, const char *scopes, long long expires_ms,
                        const char *family);

/* Looks a presented token of kind up at now_ms into *out (filled whenever
 * the token is stored, so that a revoked one shows its family). */
refapi_token_state refapi_tokens_find(refapi_tokens_txn *x, refapi_token *out, const char *token,
                                      int kind, long long now_ms);

/* Revokes a token of kind once: SQLITE_OK when this call revoked it,
 * SQLITE_NOTFOUND when it was not valid (already used, unknown). */
int refapi_tokens_revoke(refapi_tokens_txn *x, const char *token, int kind, long long now_ms);

/* Revokes every token of family, each of which expires before until_ms. */
int refapi_tokens_family_revoke(refapi_tokens_txn *x, const char *family, long long until_ms);

/* The backends' operations: one table each. */
typedef struct refapi_tokens_ops {
    int (*begin)(refapi_tokens_txn *x);
    int (*commit)(refapi_tokens_txn *x);
    void (*rollback)(refapi_tokens_txn *x);
    int (*issue)(refapi_tokens_txn *x, char out[REFAPI_TOKEN_BUFSIZE], int kind, const char *client,
                 const char *scopes, long long expires_ms, const char *family);
    refapi_token_state (*find)(refapi_tokens_txn *x, refapi_token *out, const char *token, int kind,
                               long long now_ms);
    int (*revoke)(refapi_tokens_txn *x, const char *token, int kind, long long now_ms);
    int (*family_revoke)(refapi_tokens_txn *x, const char *family, long long until_ms);
} refapi_tokens_ops;

extern const refapi_tokens_ops refapi_tokens_redis_ops;

/* The Redis handle of x's tokens (tokens_redis.c reads it). */
apierr_redis *refapi_tokens_redis(const refapi_tokens_txn *x);

#endif
