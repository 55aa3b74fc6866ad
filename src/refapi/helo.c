/*
 * helo.c - GET /helo, the session login of the gestix profile (seed 004): an
 * API token (the client's secret, or ID:SECRET) in X-API-Token, a Bearer
 * header or ?api_token= gives a session token, xa-token, that later calls
 * carry instead of a Bearer token. Gestix's own way to a credential, apart
 * from OAuth's, and routed only when the server plays gestix.
 */
#include "auth.h"
#include "handlers.h"

#include <stdio.h>
#include <strings.h>

void refapi_helo(refapi_req *r)
{
    const refapi_config *cfg = r->srv->cfg;
    const char *api = refapi_req_header(r, "X-API-Token");
    const char *auth = refapi_req_header(r, "Authorization");
    if (!api && auth && strncasecmp(auth, "Bearer ", 7) == 0) api = auth + 7;
    if (!api) api = refapi_req_query(r, "api_token");
    apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
    o.bearer_error = api ? APIERR_BEARER_INVALID_TOKEN : APIERR_BEARER_MISSING;
    if (api && refapi_auth_throttled(r, NULL)) return;
    int c = -1;
    for (size_t i = 0; api && i < cfg->nclients && c < 0; i++) {
        char both[REFAPI_ID_MAX + REFAPI_SECRET_MAX + 1];
        snprintf(both, sizeof both, "%s:%s", cfg->clients[i].id, cfg->clients[i].secret);
        if (refapi_secret_equal(cfg->clients[i].secret, api) || refapi_secret_equal(both, api))
            c = (int)i;
    }
    if (c < 0) {
        if (api) refapi_auth_failed(r, NULL);
        refapi_req_error(r, 401, "auth_failed", api ? "Wrong API token." : "No API token provided.",
                         &o);
        return;
    }
    r->client = c;
    char tok[REFAPI_TOKEN_BUFSIZE], at[32];
    refapi_tokens_txn x;
    refapi_tokens_acquire(r->srv->tokens, &x);
    long long exp = r->now_ms + cfg->token_ttl_s * 1000;
    int rc = refapi_tokens_issue(&x, tok, REFAPI_TOKEN_SESSION, cfg->clients[c].id,
                                 cfg->clients[c].scopes, exp, NULL);
    if (rc != SQLITE_OK) refapi_req_db_failure(r, x.db, rc);
    refapi_tokens_release(&x);
    if (rc != SQLITE_OK) return;
    refapi_iso8601(at, sizeof at, exp);
    char body[256];
    int n = snprintf(body, sizeof body,
                     "{\"xa-token\":\"%s\",\"expires_in\":%lld,\"expires_at\":\"%s\"}", tok,
                     cfg->token_ttl_s, at);
    apierr_header h = {"xa-token", tok};
    refapi_req_json(r, 200, body, (size_t)n, &h, 1);
}
