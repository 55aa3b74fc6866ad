/* tokens.c - the token interface of tokens.h, and its SQLite backend (over
 * store.c's statements). */
#include "tokens.h"

#include <stdlib.h>

struct refapi_tokens {
    const refapi_tokens_ops *ops;
    refapi_store *store;
    apierr_redis *redis;
};

static int sql(refapi_tokens_txn *x, const char *text)
{
    return sqlite3_exec(x->db, text, NULL, NULL, NULL);
}

static int sqlite_begin(refapi_tokens_txn *x)
{
    return sql(x, "BEGIN IMMEDIATE");
}

static int sqlite_commit(refapi_tokens_txn *x)
{
    return sql(x, "COMMIT");
}

static void sqlite_rollback(refapi_tokens_txn *x)
{
    sql(x, "ROLLBACK");
}

static int sqlite_issue(refapi_tokens_txn *x, char out[REFAPI_TOKEN_BUFSIZE], int kind,
                        const char *client, const char *scopes, long long expires_ms,
                        const char *family)
{
    return refapi_store_token_issue(x->db, out, kind, client, scopes, expires_ms, family);
}

static refapi_token_state sqlite_find(refapi_tokens_txn *x, refapi_token *out, const char *token,
                                      int kind, long long now_ms)
{
    return refapi_store_token_find(x->db, out, token, kind, now_ms);
}

static int sqlite_revoke(refapi_tokens_txn *x, const char *token, int kind, long long now_ms)
{
    return refapi_store_token_revoke(x->db, token, kind, now_ms);
}

static int sqlite_family_revoke(refapi_tokens_txn *x, const char *family, long long until_ms)
{
    (void)until_ms; /* rows stay: a revoked row answers UNKNOWN forever */
    return refapi_store_family_revoke(x->db, family);
}

static const refapi_tokens_ops sqlite_ops = {sqlite_begin,        sqlite_commit, sqlite_rollback,
                                             sqlite_issue,        sqlite_find,   sqlite_revoke,
                                             sqlite_family_revoke};

int refapi_tokens_open(refapi_tokens **out, refapi_store *store, apierr_redis *redis)
{
    refapi_tokens *t = calloc(1, sizeof *t);
    if (!t) return -1;
    t->ops = redis ? &refapi_tokens_redis_ops : &sqlite_ops;
    t->store = store;
    t->redis = redis;
    *out = t;
    return 0;
}

void refapi_tokens_close(refapi_tokens *t)
{
    free(t);
}

apierr_redis *refapi_tokens_redis(const refapi_tokens_txn *x)
{
    return x->t->redis;
}

void refapi_tokens_acquire(refapi_tokens *t, refapi_tokens_txn *x)
{
    x->t = t;
    x->db = t->redis ? NULL : refapi_store_acquire(t->store);
}

void refapi_tokens_release(refapi_tokens_txn *x)
{
    if (x->db) refapi_store_release(x->t->store, x->db);
    x->db = NULL;
}

int refapi_tokens_begin(refapi_tokens_txn *x)
{
    return x->t->ops->begin(x);
}

int refapi_tokens_commit(refapi_tokens_txn *x)
{
    return x->t->ops->commit(x);
}

void refapi_tokens_rollback(refapi_tokens_txn *x)
{
    x->t->ops->rollback(x);
}

int refapi_tokens_issue(refapi_tokens_txn *x, char out[REFAPI_TOKEN_BUFSIZE], int kind,
                        const char *client, const char *scopes, long long expires_ms,
                        const char *family)
{
    return x->t->ops->issue(x, out, kind, client, scopes, expires_ms, family);
}

refapi_token_state refapi_tokens_find(refapi_tokens_txn *x, refapi_token *out, const char *token,
                                      int kind, long long now_ms)
{
    return x->t->ops->find(x, out, token, kind, now_ms);
}

int refapi_tokens_revoke(refapi_tokens_txn *x, const char *token, int kind, long long now_ms)
{
    return x->t->ops->revoke(x, token, kind, now_ms);
}

int refapi_tokens_family_revoke(refapi_tokens_txn *x, const char *family, long long until_ms)
{
    return x->t->ops->family_revoke(x, family, until_ms);
}
