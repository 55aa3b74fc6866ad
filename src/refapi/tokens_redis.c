/*
 * tokens_redis.c - the tokens of tokens.h in Redis (--redis), for a fleet:
 * one hash per token, apierr:tok:HASH (the token's SHA-256, never the
 * token), with kind, client, scopes, exp, family and revoked, kept a day
 * past its expiry so that a late presentation is told "expired", and a
 * used refresh token is still known as one (reuse detection). A revoked
 * family is one key, apierr:fam:FAMILY, that outlives every token of the
 * family; a lookup reads the token and its family's key in one script.
 *
 * The scripts name the family key by its prefix (ARGV), not in KEYS: fine
 * on one Redis server, not on a Redis Cluster.
 */
#include "tokens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_PREFIX  "apierr:tok:"
#define FAMILY_PREFIX "apierr:fam:"
/* How long a token is kept after its expiry. */
#define GRACE_MS (86400LL * 1000)

static const char ISSUE[] =
    "redis.call('HSET', KEYS[1], 'kind', ARGV[1], 'client', ARGV[2], 'scopes', ARGV[3],"
    " 'exp', ARGV[4], 'family', ARGV[5], 'revoked', '0')\n"
    "redis.call('PEXPIREAT', KEYS[1], ARGV[6])\n"
    "return 1\n";

static const char FIND[] =
    "local t = redis.call('HMGET', KEYS[1], 'kind', 'client', 'scopes', 'exp', 'family',"
    " 'revoked')\n"
    "if not t[1] then return false end\n"
    "if t[5] ~= '' and redis.call('EXISTS', ARGV[1] .. t[5]) == 1 then t[6] = '1' end\n"
    "return t\n";

/* Once: the first caller flips revoked; a second (another instance at the
 * same moment) finds it flipped. */
static const char REVOKE[] =
    "local t = redis.call('HMGET', KEYS[1], 'kind', 'revoked', 'exp')\n"
    "if t[1] ~= ARGV[1] or t[2] ~= '0' or tonumber(t[3]) <= tonumber(ARGV[2]) then return 0 end\n"
    "redis.call('HSET', KEYS[1], 'revoked', '1')\n"
    "return 1\n";

static const char FAMILY_REVOKE[] = "redis.call('SET', KEYS[1], '1')\n"
                                    "redis.call('PEXPIREAT', KEYS[1], ARGV[1])\n"
                                    "return 1\n";

/* A library return code as the SQLite result code of tokens.h. */
static int sqlite_rc(int rc)
{
    return rc == APIERR_OK ? SQLITE_OK : rc == APIERR_EBACKEND ? SQLITE_BUSY : SQLITE_ERROR;
}

/* Runs script over args (NUL-terminated strings), the first its one key. */
static int run(refapi_tokens_txn *x, apierr_redis_reply **out, const char *script, int nargs,
               const char **args)
{
    size_t lens[8];
    for (int i = 0; i < nargs; i++) lens[i] = strlen(args[i]);
    return apierr_redis_eval(refapi_tokens_redis(x), out, script, 1, nargs, args, lens);
}

static int nothing(refapi_tokens_txn *x)
{
    (void)x;
    return SQLITE_OK;
}

static void nothing_back(refapi_tokens_txn *x)
{
    (void)x;
}

static void token_key(char out[96], const char *token)
{
    char h[REFAPI_TOKEN_BUFSIZE];
    refapi_token_hash(h, token);
    snprintf(out, 96, TOKEN_PREFIX "%s", h);
}

static int redis_issue(refapi_tokens_txn *x, char out[REFAPI_TOKEN_BUFSIZE], int kind,
                       const char *client, const char *scopes, long long expires_ms,
                       const char *family)
{
    char h[REFAPI_TOKEN_BUFSIZE], key[96], k[4], exp[24], keep[24];
    if (refapi_token_mint(out, h) != 0) return SQLITE_IOERR;
    snprintf(key, sizeof key, TOKEN_PREFIX "%s", h);
    snprintf(k, sizeof k, "%d", kind);
    snprintf(exp, sizeof exp, "%lld", expires_ms);
    snprintf(keep, sizeof keep, "%lld", expires_ms + GRACE_MS);
    const char *args[] = {key, k, client, scopes, exp, family ? family : "", keep};
    apierr_redis_reply *rep;
    int rc = run(x, &rep, ISSUE, 7, args);
    apierr_redis_reply_free(rep);
    return sqlite_rc(rc);
}

static void field(char *out, size_t cap, const apierr_redis_reply *e)
{
    snprintf(out, cap, "%s", e->type == APIERR_REDIS_STRING ? e->str : "");
}

static refapi_token_state redis_find(refapi_tokens_txn *x, refapi_token *out, const char *token,
                                     int kind, long long now_ms)
{
    char key[96], num[24];
    token_key(key, token);
    const char *args[] = {key, FAMILY_PREFIX};
    apierr_redis_reply *rep;
    if (run(x, &rep, FIND, 2, args) != APIERR_OK) return REFAPI_TOKEN_DBERROR;
    refapi_token_state st = REFAPI_TOKEN_UNKNOWN;
    if (rep->type == APIERR_REDIS_ARRAY && rep->nelements == 6) {
        const apierr_redis_reply *e = rep->element;
        field(num, sizeof num, &e[0]);
        out->kind = atoi(num);
        field(out->client, sizeof out->client, &e[1]);
        field(out->scopes, sizeof out->scopes, &e[2]);
        field(num, sizeof num, &e[3]);
        out->expires_ms = atoll(num);
        field(out->family, sizeof out->family, &e[4]);
        field(num, sizeof num, &e[5]);
        out->revoked = strcmp(num, "0") != 0;
        st = refapi_token_judge(out, kind, now_ms);
    }
    apierr_redis_reply_free(rep);
    return st;
}

static int redis_revoke(refapi_tokens_txn *x, const char *token, int kind, long long now_ms)
{
    char key[96], k[4], now[24];
    token_key(key, token);
    snprintf(k, sizeof k, "%d", kind);
    snprintf(now, sizeof now, "%lld", now_ms);
    const char *args[] = {key, k, now};
    apierr_redis_reply *rep;
    int rc = run(x, &rep, REVOKE, 3, args);
    int revoked = rc == APIERR_OK && rep->type == APIERR_REDIS_INTEGER && rep->integer == 1;
    apierr_redis_reply_free(rep);
    return rc != APIERR_OK ? sqlite_rc(rc) : revoked ? SQLITE_OK : SQLITE_NOTFOUND;
}

static int redis_family_revoke(refapi_tokens_txn *x, const char *family, long long until_ms)
{
    char key[64], until[24];
    snprintf(key, sizeof key, FAMILY_PREFIX "%s", family);
    snprintf(until, sizeof until, "%lld", until_ms + GRACE_MS);
    const char *args[] = {key, until};
    apierr_redis_reply *rep;
    int rc = run(x, &rep, FAMILY_REVOKE, 2, args);
    apierr_redis_reply_free(rep);
    return sqlite_rc(rc);
}

const refapi_tokens_ops refapi_tokens_redis_ops = {
    nothing, nothing, nothing_back, redis_issue, redis_find, redis_revoke, redis_family_revoke};
