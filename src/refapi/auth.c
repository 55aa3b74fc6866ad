/* auth.c - credentials, rate limit and scopes of a request (see auth.h). */
#include "auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int refapi_find_client(const refapi_config *cfg, const char *id)
{
    for (size_t i = 0; id && i < cfg->nclients; i++) {
        if (strcmp(cfg->clients[i].id, id) == 0) return (int)i;
    }
    return -1;
}

int refapi_secret_equal(const char *a, const char *b)
{
    /* Digests first: comparing the secrets themselves would stop at the
     * shorter one, and how long that took tells the length. */
    unsigned char da[APIERR_SHA256_SIZE], db[APIERR_SHA256_SIZE];
    apierr_sha256(da, a, strlen(a));
    apierr_sha256(db, b, strlen(b));
    volatile unsigned char d = 0;
    for (size_t i = 0; i < sizeof da; i++) d |= (unsigned char)(da[i] ^ db[i]);
    return d == 0;
}

/* The keys of a login attempt: its client id and its address. */
static size_t login_keys(refapi_req *r, const char *client_id, char keys[2][80])
{
    size_t n = 0;
    if (client_id && *client_id) snprintf(keys[n++], 80, "c:%.70s", client_id);
    char peer[64];
    refapi_req_peer(r, peer, sizeof peer);
    snprintf(keys[n++], 80, "ip:%s", peer);
    return n;
}

int refapi_auth_throttled(refapi_req *r, const char *client_id)
{
    if (!r->srv->authfail) return 0;
    char keys[2][80];
    long long left = 0;
    size_t n = login_keys(r, client_id, keys);
    for (size_t i = 0; i < n; i++) {
        long long l = refapi_authfail_blocked(r->srv->authfail, keys[i], r->now_ms);
        if (l > left) left = l;
    }
    if (!left) return 0;
    refapi_metrics_limited(r->srv->metrics, REFAPI_LIMIT_AUTH);
    apierr_problem *p = refapi_req_new_problem(r, 429, "too_many_requests",
                                               "Too many failed authentications; retry later.");
    if (p) p->retry_after_ms = (left + 999) / 1000 * 1000;
    apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
    o.default_retry_after_ms = -1;
    refapi_req_problem(r, p, &o);
    return -1;
}

void refapi_auth_failed(refapi_req *r, const char *client_id)
{
    /* The attempt, never its secret: who, from where, where to. */
    char peer[64];
    refapi_req_peer(r, peer, sizeof peer);
    char id[65];
    snprintf(id, sizeof id, "%s", client_id ? client_id : "");
    json_t *j =
        json_pack("{s:s, s:s, s:s?, s:s, s:s}", "event", "login_failed", "request_id",
                  r->request_id, "client_id", client_id ? id : NULL, "peer", peer, "path", r->path);
    refapi_log_write(r->srv->errors, r->now_ms, j);
    if (!r->srv->authfail) return;
    char keys[2][80];
    size_t n = login_keys(r, client_id, keys);
    for (size_t i = 0; i < n; i++) refapi_authfail_record(r->srv->authfail, keys[i], r->now_ms);
}

int refapi_scopes_cover(const char *have, const char *want)
{
    const char *p = want;
    while (*p) {
        while (*p == ' ') p++;
        size_t n = strcspn(p, " ");
        if (!n) break;
        int found = 0;
        for (const char *h = have; *h && !found;) {
            while (*h == ' ') h++;
            size_t m = strcspn(h, " ");
            found = m == n && strncmp(h, p, n) == 0;
            h += m;
        }
        if (!found) return 0;
        p += n;
    }
    return 1;
}

/* The credential a request presents: a Bearer token, or Gestix's xa-token. */
static const char *presented_token(refapi_req *r)
{
    const char *auth = refapi_req_header(r, "Authorization");
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
        auth += 7;
        while (*auth == ' ') auth++;
        return *auth ? auth : NULL;
    }
    const char *xa = refapi_req_header(r, "xa-token");
    return xa && *xa ? xa : NULL;
}

int refapi_rate_limit(refapi_req *r)
{
    if (!r->srv->limiter) return 0;
    char key[80];
    const char *k = presented_token(r);
    size_t len = k ? strlen(k) : 0;
    if (!k) {
        snprintf(key, sizeof key, "ip:");
        refapi_req_peer(r, key + 3, sizeof key - 3);
        k = key;
        len = strlen(key);
    }
    int rc = apierr_limiter_take(r->srv->limiter, &r->verdict, k, len, r->now_ms);
    /* A shared limiter (--redis) that cannot be reached: let the request
     * through without RateLimit fields (fail open), or, with
     * --redis-fail-closed, 503: the client did nothing wrong. */
    r->have_verdict = rc != APIERR_EBACKEND;
    if (r->verdict.allowed) return 0;
    if (rc == APIERR_EBACKEND) {
        apierr_problem *p = NULL;
        if (apierr_server_problem(&p, 503, "RATE_LIMITER_UNAVAILABLE",
                                  "The rate limiter is unavailable; retry after a short delay.") ==
            APIERR_OK)
            p->retry_after_ms = r->verdict.retry_after_ms;
        refapi_req_problem(r, p, NULL);
        return -1;
    }
    refapi_metrics_limited(r->srv->metrics, REFAPI_LIMIT_RATE);
    /* The profiles that word the 429 themselves (seed 001); the others get
     * the limiter's RATE_LIMITED and its "Retry after N seconds." */
    static const struct {
        const char *profile, *code, *message;
    } words[] = {
        {"gotab", "rate_limit_exceeded", "Too many requests."},
    };
    const char *code = NULL, *message = NULL;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        if (strcmp(r->srv->cfg->profile.name, words[i].profile) == 0)
            code = words[i].code, message = words[i].message;
    }
    /* Whose 429 it is, so that GET /status lists it with the others: a
     * lookup of the token's hash, on the 429 only. */
    if (k != key) {
        int c = refapi_tokcache_get(r->srv->tokcache, k, r->now_ms);
        if (c == -2) {
            /* Not remembered: the database once, then the memo (a miss too,
             * for a minute, so that a stream of bad tokens costs no reads). */
            refapi_token t;
            refapi_tokens_txn x;
            refapi_tokens_acquire(r->srv->tokens, &x);
            int ok =
                refapi_tokens_find(&x, &t, k, REFAPI_TOKEN_ACCESS, r->now_ms) == REFAPI_TOKEN_OK;
            refapi_tokens_release(&x);
            c = ok ? refapi_find_client(r->srv->cfg, t.client) : -1;
            refapi_tokcache_put(r->srv->tokcache, k, c, ok ? t.expires_ms : r->now_ms + 60000);
        }
        r->client = c;
    }
    if (refapi_req_gestix(r)) {
        /* Gestix's errors all carry path (seed 004): the general builder,
         * not the limiter's pathless fast path. */
        apierr_problem *p = NULL;
        apierr_limiter_problem_with(&p, &r->verdict, "RATE_LIMITED", message);
        refapi_req_problem(r, p, NULL);
        return -1;
    }
    refapi_req_rate_limited(r, code, message);
    return -1;
}

/* The three ways a credential fails, as each profile words them: GoTab's
 * codes and messages (seed 001), Gestix's 403 for any session problem
 * (seed 004). Rows: missing, expired, invalid. */
static void auth_failure(refapi_req *r, refapi_token_state why)
{
    static const struct {
        const char *code, *message, *gestix_code, *gestix_message;
    } text[] = {
        {"unauthorized", "No authorization token provided.", "session_required",
         "No session token provided; call GET /helo first."},
        {"invalid_token", "The access token has expired.", "session_expired",
         "The session token has expired; call GET /helo again."},
        {"invalid_token", "The access token is invalid or has been revoked.", "session_invalid",
         "The session token is invalid; call GET /helo again."},
    };
    size_t i = why == REFAPI_TOKEN_EXPIRED ? 1 : why == REFAPI_TOKEN_UNKNOWN ? 2 : 0;
    apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
    o.bearer_error = i == 0 ? APIERR_BEARER_MISSING : APIERR_BEARER_INVALID_TOKEN;
    o.realm = "apierr";
    if (refapi_req_gestix(r))
        refapi_req_error(r, 403, text[i].gestix_code, text[i].gestix_message, &o);
    else
        refapi_req_error(r, 401, text[i].code, text[i].message, &o);
}

int refapi_authenticate(refapi_req *r, const char *scope, int allow_expired)
{
    const char *tok = presented_token(r);
    if (!tok) {
        auth_failure(r, REFAPI_TOKEN_OK);
        return -1;
    }
    refapi_tokens_txn x;
    refapi_tokens_acquire(r->srv->tokens, &x);
    refapi_token_state st = refapi_tokens_find(&x, &r->token, tok, REFAPI_TOKEN_ACCESS, r->now_ms);
    refapi_tokens_release(&x);
    if (st == REFAPI_TOKEN_DBERROR) {
        refapi_req_db_failure(r, NULL, SQLITE_BUSY);
        return -1;
    }
    int client = st == REFAPI_TOKEN_UNKNOWN ? -1 : refapi_find_client(r->srv->cfg, r->token.client);
    if (client < 0) st = REFAPI_TOKEN_UNKNOWN;
    if (st == REFAPI_TOKEN_OK)
        refapi_tokcache_put(r->srv->tokcache, tok, client, r->token.expires_ms);
    r->client = client;
    if (st == REFAPI_TOKEN_EXPIRED && allow_expired) return 0;
    if (st != REFAPI_TOKEN_OK) {
        auth_failure(r, st);
        return -1;
    }
    if (scope && !refapi_scopes_cover(r->token.scopes, scope)) {
        char msg[128];
        snprintf(msg, sizeof msg,
                 "Your credentials do not have access to this resource (scope %s).", scope);
        apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
        o.bearer_error = APIERR_BEARER_INSUFFICIENT_SCOPE;
        refapi_req_error(r, 403, "forbidden", msg, &o);
        return -1;
    }
    return 0;
}
