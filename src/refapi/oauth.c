/*
 * oauth.c - POST /oauth/token, the OAuth 2.0 token endpoint (RFC 6749): the
 * client authenticates by HTTP Basic or by form parameters (2.3.1), then
 * gets an access and a refresh token for the client_credentials grant
 * (4.4), or swaps its refresh token for a new pair (6, with rotation).
 * Errors are in the OAuth dialect (5.2) whatever the profile: routes.c sets
 * it for this path.
 *
 * The form and base64 decoding are form.c's, where a fuzz target reaches
 * them.
 */
#include "auth.h"
#include "form.h"
#include "handlers.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Refresh tokens live 30 days; access tokens --token-ttl. */
#define REFRESH_TTL_MS (30LL * 86400 * 1000)

/* The parameters of a token request, from a form or a JSON object, as a JSON
 * object of strings; NULL when the body is neither (the reply is set). */
static json_t *token_params(refapi_req *r)
{
    if (refapi_req_content_is(r, "application/json")) {
        json_t *j = json_loadb(r->body, r->len, 0, NULL);
        if (json_is_object(j)) return j;
        json_decref(j);
    } else if (refapi_req_content_is(r, "application/x-www-form-urlencoded")) {
        json_t *j = refapi_form_parse(r->body, r->len);
        if (j) return j;
    }
    refapi_req_error(r, 400, "invalid_request",
                     "The body must be application/x-www-form-urlencoded (RFC 6749) or JSON "
                     "with string members.",
                     NULL);
    return NULL;
}

static const char *param(const json_t *params, const char *name)
{
    const json_t *v = json_object_get(params, name);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* RFC 6749 2.3: the client by HTTP Basic or by form parameters, never both.
 * The client's index, or -1 after replying. */
static int token_client(refapi_req *r, const json_t *params)
{
    const char *auth = refapi_req_header(r, "Authorization");
    const char *id = param(params, "client_id"), *secret = param(params, "client_secret");
    char basic[512];
    int used_basic = auth && strncasecmp(auth, "Basic ", 6) == 0;
    apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
    o.www_authenticate = "Basic realm=\"apierr\"";
    if (used_basic) {
        char *colon;
        if (secret || refapi_base64_decode(basic, sizeof basic, auth + 6) != 0 ||
            !(colon = strchr(basic, ':'))) {
            refapi_req_error(r, 400, "invalid_request",
                             "Send the client credentials once: HTTP Basic or form parameters.",
                             NULL);
            return -1;
        }
        *colon = '\0';
        refapi_form_decode(basic);
        refapi_form_decode(colon + 1);
        id = basic;
        secret = colon + 1;
    }
    if (refapi_auth_throttled(r, id)) return -1;
    int c = refapi_find_client(r->srv->cfg, id);
    if (!id || !secret || c < 0 || !refapi_secret_equal(r->srv->cfg->clients[c].secret, secret)) {
        if (id) refapi_auth_failed(r, id);
        refapi_req_error(r, 401, "invalid_client",
                         id ? "Client authentication failed." : "No client credentials sent.", &o);
        return -1;
    }
    return c;
}

/* Issues an access and a refresh token for client c with scopes and writes
 * the RFC 6749 5.1 response. */
static int issue_pair(refapi_req *r, refapi_tokens_txn *x, int c, const char *scopes,
                      const char *family)
{
    const refapi_config *cfg = r->srv->cfg;
    char access[REFAPI_TOKEN_BUFSIZE], refresh[REFAPI_TOKEN_BUFSIZE], fresh[REFAPI_FAMILY_BUFSIZE];
    const char *id = cfg->clients[c].id;
    int rc = SQLITE_OK;
    if (!family || !*family) {
        rc = refapi_store_family_new(fresh);
        family = fresh;
    }
    if (rc == SQLITE_OK)
        rc = refapi_tokens_issue(x, access, REFAPI_TOKEN_ACCESS, id, scopes,
                                 r->now_ms + cfg->token_ttl_s * 1000, family);
    if (rc == SQLITE_OK) {
        rc = refapi_tokens_issue(x, refresh, REFAPI_TOKEN_REFRESH, id, scopes,
                                 r->now_ms + REFRESH_TTL_MS, family);
    }
    if (rc != SQLITE_OK) return rc;
    json_t *j = json_pack("{s:s, s:s, s:I, s:s, s:s}", "access_token", access, "token_type",
                          "Bearer", "expires_in", (json_int_t)cfg->token_ttl_s, "refresh_token",
                          refresh, "scope", scopes);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    static const apierr_header pragma = {"Pragma", "no-cache"};
    if (text)
        refapi_req_json(r, 200, text, strlen(text), &pragma, 1);
    else
        refapi_req_error(r, 500, NULL, NULL, NULL);
    free(text);
    json_decref(j);
    return SQLITE_OK;
}

static void grant(refapi_req *r, const json_t *params, int c)
{
    const refapi_client *cl = &r->srv->cfg->clients[c];
    const char *type = param(params, "grant_type"), *scope = param(params, "scope");
    int refresh = type && strcmp(type, "refresh_token") == 0;
    if (!type) {
        refapi_req_error(r, 400, "invalid_request", "grant_type is required.", NULL);
        return;
    }
    if (!refresh && strcmp(type, "client_credentials") != 0) {
        refapi_req_error(r, 400, "unsupported_grant_type",
                         "Use client_credentials or refresh_token.", NULL);
        return;
    }
    const char *rt = param(params, "refresh_token");
    if (refresh && !rt) {
        refapi_req_error(r, 400, "invalid_request", "refresh_token is required.", NULL);
        return;
    }
    refapi_tokens_txn x;
    refapi_tokens_acquire(r->srv->tokens, &x);
    refapi_token old = {0};
    int rc = refapi_tokens_begin(&x);
    const char *have = cl->scopes;
    if (rc == SQLITE_OK && refresh) {
        /* Rotation: the refresh token works once; the new pair replaces it. */
        refapi_token_state st = refapi_tokens_find(&x, &old, rt, REFAPI_TOKEN_REFRESH, r->now_ms);
        if (st == REFAPI_TOKEN_UNKNOWN && old.revoked && old.kind == REFAPI_TOKEN_REFRESH &&
            old.family[0] && strcmp(old.client, cl->id) == 0) {
            /* A used refresh token again (RFC 9700 4.14.2): it was stolen,
             * or its successor was. Revoke the whole family, committed,
             * and refuse. */
            rc = refapi_tokens_family_revoke(&x, old.family, r->now_ms + REFRESH_TTL_MS);
            if (rc == SQLITE_OK) rc = refapi_tokens_commit(&x);
            rc = rc == SQLITE_OK ? SQLITE_NOTFOUND : rc;
        } else if (st != REFAPI_TOKEN_OK || strcmp(old.client, cl->id) != 0) {
            rc = SQLITE_NOTFOUND;
        } else {
            rc = refapi_tokens_revoke(&x, rt, REFAPI_TOKEN_REFRESH, r->now_ms);
            have = old.scopes;
        }
    }
    if (rc == SQLITE_OK && scope && !refapi_scopes_cover(have, scope)) {
        rc = SQLITE_PERM;
    } else if (rc == SQLITE_OK) {
        rc = issue_pair(r, &x, c, scope && *scope ? scope : have, refresh ? old.family : NULL);
    }
    if (rc == SQLITE_OK) rc = refapi_tokens_commit(&x);
    if (rc != SQLITE_OK) refapi_tokens_rollback(&x);
    if (rc == SQLITE_NOTFOUND) {
        refapi_req_error(r, 400, "invalid_grant",
                         "The refresh token is invalid, expired, or already used.", NULL);
    } else if (rc == SQLITE_PERM) {
        refapi_req_error(r, 400, "invalid_scope", "The requested scope exceeds the client's.",
                         NULL);
    } else if (rc != SQLITE_OK) {
        refapi_req_db_failure(r, x.db, rc);
    }
    refapi_tokens_release(&x);
}

void refapi_oauth_token(refapi_req *r)
{
    json_t *params = token_params(r);
    if (!params) return;
    int c = token_client(r, params);
    if (c >= 0) {
        r->client = c;
        grant(r, params, c);
    }
    json_decref(params);
}
