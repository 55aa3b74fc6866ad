/*
 * api.c - the routes of the reference API and their handlers: OAuth token
 * endpoint, Gestix session login, GET /status, and invoices per tenant.
 * Every failure leaves through libapierr-server (replies, validation, SQLite
 * mapping, limiter, idempotency), in the profile's dialect.
 */
#include "internal.h"
#include "invoice_check.h"

#include "buf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REFRESH_TTL_MS (30LL * 86400 * 1000)
#define LIST_MAX       100

static int is_gestix(const refapi_req *r)
{
    return r->srv->cfg->profile.dialect == APIERR_DIALECT_GESTIX;
}

static void db_failure(refapi_req *r, sqlite3 *db, int rc)
{
    apierr_problem *p = NULL;
    apierr_db_sqlite_problem(&p, rc, db ? sqlite3_errmsg(db) : NULL);
    refapi_req_problem(r, p, NULL);
}

static void method_not_allowed(refapi_req *r, const char *allow)
{
    char msg[96];
    snprintf(msg, sizeof msg, "Method %.16s is not allowed here; use %s.", r->method, allow);
    apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
    o.allow = allow;
    refapi_req_error(r, 405, "method_not_allowed", msg, &o);
}

static void not_found(refapi_req *r, const char *message)
{
    refapi_req_error(r, 404, "not_found", message, NULL);
}

/* Compares secrets in time independent of where they differ. */
static int secret_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char d = (unsigned char)(la != lb);
    for (size_t i = 0; i < la && i < lb; i++) d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

/* 1 when every space-separated scope of want is in have. */
static int scopes_cover(const char *have, const char *want)
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

/* --- rate limit and authentication ------------------------------------ */

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

/* Counts the request against its key: the credential presented, else the
 * peer address. 0 when allowed; else the 429 is the reply. */
static int rate_limit(refapi_req *r)
{
    if (!r->srv->limiter) return 0;
    char key[80];
    const char *k = presented_token(r);
    size_t len = k ? strlen(k) : 0;
    if (!k) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        snprintf(key, sizeof key, "ip:");
        if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET) {
            inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, key + 3,
                      sizeof key - 3);
        }
        k = key;
        len = strlen(key);
    }
    apierr_limiter_take(r->srv->limiter, &r->verdict, k, len, r->now_ms);
    r->have_verdict = 1;
    if (r->verdict.allowed) return 0;
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
    if (is_gestix(r))
        refapi_req_error(r, 403, text[i].gestix_code, text[i].gestix_message, &o);
    else
        refapi_req_error(r, 401, text[i].code, text[i].message, &o);
}

/* Checks the credential and, when scope is not NULL, that it grants scope.
 * With allow_expired, an expired but genuine token passes (GET /status
 * reports it). 0 when the request may go on; else the reply is set. */
static int authenticate(refapi_req *r, const char *scope, int allow_expired)
{
    const char *tok = presented_token(r);
    if (!tok) {
        auth_failure(r, REFAPI_TOKEN_OK);
        return -1;
    }
    sqlite3 *db = refapi_store_acquire(r->srv->store);
    refapi_token_state st =
        refapi_store_token_find(db, &r->token, tok, REFAPI_TOKEN_ACCESS, r->now_ms);
    refapi_store_release(r->srv->store, db);
    if (st == REFAPI_TOKEN_DBERROR) {
        db_failure(r, NULL, SQLITE_BUSY);
        return -1;
    }
    int client = st == REFAPI_TOKEN_UNKNOWN ? -1 : refapi_find_client(r->srv->cfg, r->token.client);
    if (client < 0) st = REFAPI_TOKEN_UNKNOWN;
    r->client = client;
    if (st == REFAPI_TOKEN_EXPIRED && allow_expired) return 0;
    if (st != REFAPI_TOKEN_OK) {
        auth_failure(r, st);
        return -1;
    }
    if (scope && !scopes_cover(r->token.scopes, scope)) {
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

/* --- request bodies ----------------------------------------------------- */

/* 1 when the Content-Type is JSON (application/json or any +json). */
static int content_is(refapi_req *r, const char *type)
{
    const char *ct = refapi_req_header(r, "Content-Type");
    if (!ct) return 0;
    size_t n = strcspn(ct, ";");
    while (n && ct[n - 1] == ' ') n--;
    if (strlen(type) == n && strncasecmp(ct, type, n) == 0) return 1;
    return strcmp(type, "application/json") == 0 && n > 5 &&
           strncasecmp(ct + n - 5, "+json", 5) == 0;
}

/* Parses the JSON body; NULL after replying 415 or 400. */
static json_t *json_body(refapi_req *r)
{
    if (!content_is(r, "application/json")) {
        refapi_req_error(r, 415, "unsupported_media_type",
                         "The body must be JSON (Content-Type: application/json).", NULL);
        return NULL;
    }
    json_error_t e;
    json_t *j = json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, &e);
    if (!j) {
        char msg[128];
        snprintf(msg, sizeof msg, "Malformed JSON body at line %d, column %d.", e.line, e.column);
        refapi_req_error(r, 400, "invalid_json", msg, NULL);
    }
    return j;
}

static apierr_validation *new_validation(refapi_req *r)
{
    apierr_validation_opts o = APIERR_VALIDATION_OPTS_INIT;
    o.dialect = r->dialect;
    o.status = r->srv->cfg->profile.validation_status;
    apierr_validation *v = NULL;
    apierr_validation_new(&v, &o);
    return v;
}

static void validation_failed(refapi_req *r, apierr_validation *v)
{
    apierr_problem *p = NULL;
    apierr_validation_problem(&p, v);
    refapi_req_problem(r, p, NULL);
}

/* Decodes %XX and '+' of a form value in place. */
static void form_decode(char *s)
{
    char *w = s;
    for (const char *p = s; *p; p++) {
        if (*p == '+') {
            *w++ = ' ';
        } else if (*p == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
            char hex[3] = {p[1], p[2], 0};
            *w++ = (char)strtol(hex, NULL, 16);
            p += 2;
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
}

/* The parameters of a token request, from a form or a JSON object, as a JSON
 * object of strings; NULL when the body is neither (the reply is set). */
static json_t *token_params(refapi_req *r)
{
    if (content_is(r, "application/json")) {
        json_t *j = json_loadb(r->body, r->len, 0, NULL);
        if (json_is_object(j)) return j;
        json_decref(j);
    } else if (content_is(r, "application/x-www-form-urlencoded")) {
        json_t *j = json_object();
        char *copy = strndup(r->body, r->len);
        char *save = NULL;
        int ok = j && copy && strlen(copy) == r->len;
        for (char *kv = ok ? strtok_r(copy, "&", &save) : NULL; kv && ok;
             kv = strtok_r(NULL, "&", &save)) {
            char *eq = strchr(kv, '=');
            if (!eq) continue;
            *eq = '\0';
            form_decode(kv);
            form_decode(eq + 1);
            json_t *s = json_string(eq + 1);
            ok = s && json_object_set_new(j, kv, s) == 0;
        }
        free(copy);
        if (ok) return j;
        json_decref(j);
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

static int base64_value(int c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decodes standard base64 into out (cap bytes, NUL-terminated); -1 if bad. */
static int base64_decode(char *out, size_t cap, const char *in)
{
    size_t n = 0;
    unsigned acc = 0;
    int bits = 0;
    for (; *in && *in != '='; in++) {
        int v = base64_value((unsigned char)*in);
        if (v < 0) return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n + 1 >= cap) return -1;
            out[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[n] = '\0';
    return memchr(out, '\0', n) ? -1 : 0;
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
        if (secret || base64_decode(basic, sizeof basic, auth + 6) != 0 ||
            !(colon = strchr(basic, ':'))) {
            refapi_req_error(r, 400, "invalid_request",
                             "Send the client credentials once: HTTP Basic or form parameters.",
                             NULL);
            return -1;
        }
        *colon = '\0';
        form_decode(basic);
        form_decode(colon + 1);
        id = basic;
        secret = colon + 1;
    }
    int c = refapi_find_client(r->srv->cfg, id);
    if (!id || !secret || c < 0 || !secret_equal(r->srv->cfg->clients[c].secret, secret)) {
        refapi_req_error(r, 401, "invalid_client",
                         id ? "Client authentication failed." : "No client credentials sent.", &o);
        return -1;
    }
    return c;
}

/* Issues an access and a refresh token for client c with scopes and writes
 * the RFC 6749 5.1 response. */
static int issue_pair(refapi_req *r, sqlite3 *db, int c, const char *scopes)
{
    const refapi_config *cfg = r->srv->cfg;
    char access[REFAPI_TOKEN_BUFSIZE], refresh[REFAPI_TOKEN_BUFSIZE];
    const char *id = cfg->clients[c].id;
    int rc = refapi_store_token_issue(db, access, REFAPI_TOKEN_ACCESS, id, scopes,
                                      r->now_ms + cfg->token_ttl_s * 1000);
    if (rc == SQLITE_OK) {
        rc = refapi_store_token_issue(db, refresh, REFAPI_TOKEN_REFRESH, id, scopes,
                                      r->now_ms + REFRESH_TTL_MS);
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
    sqlite3 *db = refapi_store_acquire(r->srv->store);
    refapi_token old = {0};
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    const char *have = cl->scopes;
    if (rc == SQLITE_OK && refresh) {
        /* Rotation: the refresh token works once; the new pair replaces it. */
        refapi_token_state st =
            refapi_store_token_find(db, &old, rt, REFAPI_TOKEN_REFRESH, r->now_ms);
        if (st != REFAPI_TOKEN_OK || strcmp(old.client, cl->id) != 0) {
            rc = SQLITE_NOTFOUND;
        } else {
            rc = refapi_store_token_revoke(db, rt, REFAPI_TOKEN_REFRESH, r->now_ms);
            have = old.scopes;
        }
    }
    if (rc == SQLITE_OK && scope && !scopes_cover(have, scope)) {
        rc = SQLITE_PERM;
    } else if (rc == SQLITE_OK) {
        rc = issue_pair(r, db, c, scope && *scope ? scope : have);
    }
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    if (rc == SQLITE_NOTFOUND) {
        refapi_req_error(r, 400, "invalid_grant",
                         "The refresh token is invalid, expired, or already used.", NULL);
    } else if (rc == SQLITE_PERM) {
        refapi_req_error(r, 400, "invalid_scope", "The requested scope exceeds the client's.",
                         NULL);
    } else if (rc != SQLITE_OK) {
        db_failure(r, db, rc);
    }
    refapi_store_release(r->srv->store, db);
}

/* POST /oauth/token (RFC 6749 4.4 and 6). */
static void oauth_token(refapi_req *r)
{
    r->dialect = APIERR_DIALECT_OAUTH;
    if (strcmp(r->method, "POST") != 0) {
        method_not_allowed(r, "POST");
        return;
    }
    json_t *params = token_params(r);
    if (!params) return;
    int c = token_client(r, params);
    if (c >= 0) {
        r->client = c;
        grant(r, params, c);
    }
    json_decref(params);
}

/* GET /helo (Gestix, seed 004): an API token (the client's secret, or
 * ID:SECRET) in X-API-Token, a Bearer header or ?api_token= gives a session
 * token, xa-token, that later calls carry. */
static void helo(refapi_req *r)
{
    const refapi_config *cfg = r->srv->cfg;
    if (strcmp(r->method, "GET") != 0) {
        method_not_allowed(r, "GET");
        return;
    }
    const char *api = refapi_req_header(r, "X-API-Token");
    const char *auth = refapi_req_header(r, "Authorization");
    if (!api && auth && strncasecmp(auth, "Bearer ", 7) == 0) api = auth + 7;
    if (!api) api = refapi_req_query(r, "api_token");
    apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
    o.bearer_error = api ? APIERR_BEARER_INVALID_TOKEN : APIERR_BEARER_MISSING;
    int c = -1;
    for (size_t i = 0; api && i < cfg->nclients && c < 0; i++) {
        char both[REFAPI_ID_MAX + REFAPI_SECRET_MAX + 1];
        snprintf(both, sizeof both, "%s:%s", cfg->clients[i].id, cfg->clients[i].secret);
        if (secret_equal(cfg->clients[i].secret, api) || secret_equal(both, api)) c = (int)i;
    }
    if (c < 0) {
        refapi_req_error(r, 401, "auth_failed", api ? "Wrong API token." : "No API token provided.",
                         &o);
        return;
    }
    r->client = c;
    char tok[REFAPI_TOKEN_BUFSIZE], at[32];
    sqlite3 *db = refapi_store_acquire(r->srv->store);
    long long exp = r->now_ms + cfg->token_ttl_s * 1000;
    int rc = refapi_store_token_issue(db, tok, REFAPI_TOKEN_SESSION, cfg->clients[c].id,
                                      cfg->clients[c].scopes, exp);
    if (rc != SQLITE_OK) db_failure(r, db, rc);
    refapi_store_release(r->srv->store, db);
    if (rc != SQLITE_OK) return;
    refapi_iso8601(at, sizeof at, exp);
    char body[256];
    int n = snprintf(body, sizeof body,
                     "{\"xa-token\":\"%s\",\"expires_in\":%lld,\"expires_at\":\"%s\"}", tok,
                     cfg->token_ttl_s, at);
    apierr_header h = {"xa-token", tok};
    refapi_req_json(r, 200, body, (size_t)n, &h, 1);
}

/* --- GET /status ---------------------------------------------------------- */

static json_t *recent_errors(refapi_req *r)
{
    json_t *a = json_array();
    refapi_server *s = r->srv;
    pthread_mutex_lock(&s->errlog_lock);
    const refapi_errlog *log = &s->errlog[r->client];
    for (size_t k = 0; a && k < log->count; k++) {
        /* Newest first. */
        const refapi_errlog_entry *e = &log->e[(log->next + REFAPI_ERRLOG - 1 - k) % REFAPI_ERRLOG];
        char at[32];
        refapi_iso8601(at, sizeof at, e->at_ms);
        json_array_append_new(a, json_pack("{s:i, s:s?, s:s, s:s, s:s, s:s}", "status", e->status,
                                           "code", *e->code ? e->code : NULL, "request_id",
                                           e->request_id, "method", e->method, "path", e->path,
                                           "timestamp", at));
    }
    pthread_mutex_unlock(&s->errlog_lock);
    return a;
}

static void status(refapi_req *r)
{
    if (strcmp(r->method, "GET") != 0) {
        method_not_allowed(r, "GET");
        return;
    }
    if (rate_limit(r) || authenticate(r, NULL, 1)) return;
    const refapi_config *cfg = r->srv->cfg;
    const refapi_client *cl = &cfg->clients[r->client];
    char at[32];
    refapi_iso8601(at, sizeof at, r->token.expires_ms);
    long long left = (r->token.expires_ms - r->now_ms) / 1000;
    json_t *rl = json_null();
    if (r->have_verdict) {
        rl = json_pack("{s:I, s:I, s:I, s:I}", "limit", (json_int_t)r->verdict.limit, "window_s",
                       (json_int_t)r->verdict.window_s, "remaining",
                       (json_int_t)r->verdict.remaining, "reset_s",
                       (json_int_t)((r->verdict.reset_ms + 999) / 1000));
    }
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:b, s:s, s:I, s:s}, s:o, s:o}", "status", "ok",
                  "profile", cfg->profile.name, "client", cl->id, "tenant", cl->tenant, "session",
                  "kind", r->token.kind == REFAPI_TOKEN_SESSION ? "session" : "access", "healthy",
                  left > 0, "expires_at", at, "expires_in", (json_int_t)(left > 0 ? left : 0),
                  "scope", r->token.scopes, "rate_limit", rl, "recent_errors", recent_errors(r));
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    if (text)
        refapi_req_json(r, 200, text, strlen(text), NULL, 0);
    else
        refapi_req_error(r, 500, NULL, NULL, NULL);
    free(text);
    json_decref(j);
}

/* --- invoices ------------------------------------------------------------- */

/* Writes the representation of an invoice: its id and version, then the
 * stored document's members. */
static void put_invoice(apierr__buf *b, long long id, long long version, const char *doc)
{
    apierr__buf_printf(b, "{\"id\":\"%lld\",\"version\":%lld,", id, version);
    apierr__buf_puts(b, doc + 1);
}

static void reply_invoice(refapi_req *r, int status, const char *tenant, long long id,
                          long long version, const char *doc)
{
    apierr__buf b = APIERR__BUF_INIT;
    put_invoice(&b, id, version, doc);
    char loc[160], etag[32];
    snprintf(loc, sizeof loc, "/v1/tenants/%s/invoices/%lld", tenant, id);
    snprintf(etag, sizeof etag, "\"%lld\"", version);
    apierr_header h[2] = {{"ETag", etag}, {"Location", loc}};
    if (b.oom)
        refapi_req_error(r, 500, NULL, NULL, NULL);
    else
        refapi_req_json(r, status, b.data, b.len, h, status == 201 ? 2 : 1);
    apierr__buf_free(&b);
}

/* The version an If-Match asks for: -1 when absent or "*", -2 when it can
 * match no version. */
static long long if_match(refapi_req *r)
{
    const char *v = refapi_req_header(r, "If-Match");
    if (!v || strcmp(v, "*") == 0) return -1;
    if (strncmp(v, "W/", 2) == 0) v += 2;
    if (*v == '"') v++;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (end == v || n < 1 || (*end && strcmp(end, "\"") != 0)) return -2;
    return n;
}

/* Parses and validates an invoice body: the document to store (with tenant
 * and times), or NULL after replying. */
static char *invoice_doc(refapi_req *r, const char *tenant)
{
    json_t *body = json_body(r);
    if (!body) return NULL;
    apierr_validation *v = new_validation(r);
    json_t *doc = v ? refapi_invoice_check(v, body) : NULL;
    json_decref(body);
    if (!doc) {
        if (v && apierr_validation_count(v) > 0)
            validation_failed(r, v);
        else
            refapi_req_error(r, 500, NULL, NULL, NULL);
        apierr_validation_free(v);
        return NULL;
    }
    apierr_validation_free(v);
    char at[32];
    refapi_iso8601(at, sizeof at, r->now_ms);
    json_object_set_new(doc, "tenant", json_string(tenant));
    json_object_set_new(doc, "createdAt", json_string(at));
    json_object_set_new(doc, "updatedAt", json_string(at));
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(doc);
    if (!text) refapi_req_error(r, 500, NULL, NULL, NULL);
    return text;
}

static const char *doc_number(const char *doc, char *buf, size_t cap)
{
    json_t *j = json_loads(doc, 0, NULL);
    snprintf(buf, cap, "%s", json_string_value(json_object_get(j, "documentNumber")));
    json_decref(j);
    return buf;
}

/* The idempotency key of a create, scoped to the tenant; NULL when none. */
static int idempotency_key(refapi_req *r, const char *tenant, char *out, size_t cap)
{
    const apierr_profile *pr = &r->srv->cfg->profile;
    const char *k = pr->idempotency_key_in == APIERR_KEY_IN_QUERY
                        ? refapi_req_query(r, pr->idempotency_key)
                        : refapi_req_header(r, pr->idempotency_key);
    if (!k) return 0;
    snprintf(out, cap, "%s:%s", tenant, k);
    if (!apierr_idempotency_key_valid(k) || !apierr_idempotency_key_valid(out)) {
        char msg[128];
        snprintf(msg, sizeof msg, "%s must be 1 to %d visible ASCII characters.",
                 pr->idempotency_key, APIERR_IDEMPOTENCY_KEY_MAX - 65);
        refapi_req_error(r, 400, "invalid_idempotency_key", msg, NULL);
        return -1;
    }
    return 1;
}

/* 409 DUPLICATE_ENTRY (seed 004) naming the field, not the column. */
static void duplicate(refapi_req *r, const char *number)
{
    char msg[160];
    snprintf(msg, sizeof msg, "An invoice with documentNumber '%.64s' already exists.", number);
    apierr_problem *p = NULL;
    if (apierr_server_problem(&p, 409, "DUPLICATE_ENTRY", msg) == APIERR_OK &&
        apierr_problem_add_detail(p, "documentNumber", "must be unique per tenant", "duplicate") !=
            APIERR_OK) {
        apierr_problem_free(p);
        p = NULL;
    }
    refapi_req_problem(r, p, NULL);
}

static void create_invoice(refapi_req *r, const char *tenant)
{
    char *doc = invoice_doc(r, tenant);
    if (!doc) return;
    char number[80];
    doc_number(doc, number, sizeof number);
    sqlite3 *db = refapi_store_acquire(r->srv->store);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db,
                                "INSERT INTO invoices (tenant, documentNumber, version, doc)"
                                " VALUES (?1, ?2, 1, ?3)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, tenant, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, number, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, doc, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_extended_errcode(db);
        sqlite3_finalize(st);
    }
    long long id = sqlite3_last_insert_rowid(db);
    if (rc == SQLITE_OK) {
        r->committed = 1;
        reply_invoice(r, 201, tenant, id, 1, doc);
    } else {
        db_failure(r, db, rc);
        if (r->reply.status == 409) duplicate(r, number);
    }
    refapi_store_release(r->srv->store, db);
    free(doc);
}

/* POST with an idempotency key: run once, replay after. */
static void create_once(refapi_req *r, const char *tenant)
{
    char key[APIERR_IDEMPOTENCY_KEY_MAX + 80];
    int has = idempotency_key(r, tenant, key, sizeof key);
    if (has < 0) return;
    if (!has) {
        create_invoice(r, tenant);
        return;
    }
    unsigned char fp[APIERR_SHA256_SIZE];
    apierr_idempotency_fingerprint(fp, r->method, r->path, r->body, r->len);
    apierr_idempotency_state state;
    apierr_reply replay = APIERR_REPLY_INIT;
    int rc = apierr_idempotency_begin(r->srv->idem, &state, &replay, key, fp, r->now_ms);
    if (rc != APIERR_OK) {
        db_failure(r, NULL, SQLITE_BUSY);
        return;
    }
    if (state == APIERR_IDEMPOTENCY_REPLAY) {
        apierr_reply_clear(&r->reply);
        r->reply = replay;
        return;
    }
    if (state != APIERR_IDEMPOTENCY_NEW) {
        apierr_problem *p = NULL;
        apierr_idempotency_problem(&p, state);
        refapi_req_problem(r, p, NULL);
        return;
    }
    create_invoice(r, tenant);
    if (r->reply.status < 500)
        apierr_idempotency_complete(r->srv->idem, key, &r->reply);
    else
        apierr_idempotency_abort(r->srv->idem, key);
}

static long long query_number(refapi_req *r, apierr_validation *v, const char *name, long long dflt,
                              long long min, long long max)
{
    const char *s = refapi_req_query(r, name);
    if (!s) return dflt;
    char *end;
    long long n = strtoll(s, &end, 10);
    if (end == s || *end || n < min || n > max) {
        char msg[80];
        snprintf(msg, sizeof msg, "must be an integer from %lld to %lld", min, max);
        apierr_validation_add(v, name, msg, "out_of_range");
        return dflt;
    }
    return n;
}

static void list_invoices(refapi_req *r, const char *tenant)
{
    apierr_validation *v = new_validation(r);
    if (!v) {
        refapi_req_error(r, 500, NULL, NULL, NULL);
        return;
    }
    long long limit = query_number(r, v, "limit", 20, 1, LIST_MAX);
    long long after = query_number(r, v, "cursor", 0, 0, 1LL << 53);
    if (apierr_validation_count(v)) {
        validation_failed(r, v);
        apierr_validation_free(v);
        return;
    }
    apierr_validation_free(v);
    sqlite3 *db = refapi_store_acquire(r->srv->store);
    sqlite3_stmt *st;
    int rc =
        sqlite3_prepare_v2(db,
                           "SELECT id, version, doc FROM invoices WHERE tenant = ?1 AND id > ?2"
                           " ORDER BY id LIMIT ?3",
                           -1, &st, NULL);
    apierr__buf b = APIERR__BUF_INIT;
    apierr__buf_puts(&b, "{\"data\":[");
    long long n = 0, last = 0;
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, tenant, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, after);
        sqlite3_bind_int64(st, 3, limit + 1);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < limit) {
            if (n++) apierr__buf_putc(&b, ',');
            last = sqlite3_column_int64(st, 0);
            put_invoice(&b, last, sqlite3_column_int64(st, 1),
                        (const char *)sqlite3_column_text(st, 2));
        }
        int more = rc == SQLITE_ROW;
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : sqlite3_extended_errcode(db);
        sqlite3_finalize(st);
        if (more)
            apierr__buf_printf(&b, "],\"nextCursor\":\"%lld\"}", last);
        else
            apierr__buf_puts(&b, "],\"nextCursor\":null}");
    }
    if (rc != SQLITE_OK)
        db_failure(r, db, rc);
    else if (b.oom)
        refapi_req_error(r, 500, NULL, NULL, NULL);
    else
        refapi_req_json(r, 200, b.data, b.len, NULL, 0);
    refapi_store_release(r->srv->store, db);
    apierr__buf_free(&b);
}

/* Reads one invoice of the tenant: SQLITE_ROW with version and doc (a copy
 * the caller frees), SQLITE_DONE when absent, else an error code. */
static int read_invoice(sqlite3 *db, const char *tenant, long long id, long long *version,
                        char **doc)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(
        db, "SELECT version, doc FROM invoices WHERE id = ?1 AND tenant = ?2", -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, tenant, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *version = sqlite3_column_int64(st, 0);
        *doc = strdup((const char *)sqlite3_column_text(st, 1));
        if (!*doc) rc = SQLITE_NOMEM;
    } else if (rc != SQLITE_DONE) {
        rc = sqlite3_extended_errcode(db);
    }
    sqlite3_finalize(st);
    return rc;
}

static void invoice_missing(refapi_req *r, const char *tenant, long long id)
{
    char msg[160];
    snprintf(msg, sizeof msg, "No invoice %lld in tenant '%.64s'; check the tenant id and the id.",
             id, tenant);
    not_found(r, msg);
}

static void get_invoice(refapi_req *r, const char *tenant, long long id)
{
    sqlite3 *db = refapi_store_acquire(r->srv->store);
    long long version = 0;
    char *doc = NULL;
    int rc = read_invoice(db, tenant, id, &version, &doc);
    if (rc == SQLITE_ROW)
        reply_invoice(r, 200, tenant, id, version, doc);
    else if (rc == SQLITE_DONE)
        invoice_missing(r, tenant, id);
    else
        db_failure(r, db, rc);
    refapi_store_release(r->srv->store, db);
    free(doc);
}

/* After a conditional write changed nothing: 404 or 409, as the row says. */
static void write_missed(refapi_req *r, sqlite3 *db, const char *tenant, long long id)
{
    long long version = 0;
    char *doc = NULL;
    int rc = read_invoice(db, tenant, id, &version, &doc);
    free(doc);
    if (rc == SQLITE_DONE) {
        invoice_missing(r, tenant, id);
    } else if (rc == SQLITE_ROW) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "The invoice was modified by another operation in the meantime (it is at "
                 "version %lld); re-read it and retry.",
                 version);
        refapi_req_error(r, 409, "conflict", msg, NULL);
    } else {
        db_failure(r, db, rc);
    }
}

/* PUT (replace) and DELETE, both conditional on If-Match. */
static void write_invoice(refapi_req *r, const char *tenant, long long id, int del)
{
    char *doc = del ? NULL : invoice_doc(r, tenant);
    if (!del && !doc) return;
    char number[80] = "";
    if (doc) doc_number(doc, number, sizeof number);
    long long want = if_match(r);
    sqlite3 *db = refapi_store_acquire(r->srv->store);
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    sqlite3_stmt *st = NULL;
    if (rc == SQLITE_OK) {
        rc = sqlite3_prepare_v2(
            db,
            del ? "DELETE FROM invoices WHERE id = ?3 AND tenant = ?4 AND (?5 = -1 OR version = ?5)"
                : "UPDATE invoices SET documentNumber = ?1, version = version + 1,"
                  " doc = json_set(?2, '$.createdAt', json_extract(doc, '$.createdAt'))"
                  " WHERE id = ?3 AND tenant = ?4 AND (?5 = -1 OR version = ?5)",
            -1, &st, NULL);
    }
    int changed = 0;
    if (rc == SQLITE_OK) {
        if (!del) {
            sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, doc, -1, SQLITE_STATIC);
        }
        sqlite3_bind_int64(st, 3, id);
        sqlite3_bind_text(st, 4, tenant, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, want);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_extended_errcode(db);
        changed = rc == SQLITE_OK && sqlite3_changes(db) == 1;
    }
    sqlite3_finalize(st);
    long long version = 0;
    char *stored = NULL;
    if (rc == SQLITE_OK && !changed)
        write_missed(r, db, tenant, id);
    else if (rc == SQLITE_OK && !del)
        rc = read_invoice(db, tenant, id, &version, &stored);
    if (rc == SQLITE_ROW) rc = SQLITE_OK;
    if (rc == SQLITE_OK && changed) rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK || !changed) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        db_failure(r, db, rc);
    } else if (changed) {
        r->committed = 1;
        if (del)
            refapi_req_json(r, 204, NULL, 0, NULL, 0);
        else
            reply_invoice(r, 200, tenant, id, version, stored);
    }
    refapi_store_release(r->srv->store, db);
    free(stored);
    free(doc);
}

/* The id of /invoices/{id}: digits only, else -1 (no such invoice). */
static long long parse_id(const char *s)
{
    if (!*s || strlen(s) > 15) return -1;
    for (const char *p = s; *p; p++) {
        if (!isdigit((unsigned char)*p)) return -1;
    }
    return strtoll(s, NULL, 10);
}

/* /v1/tenants/{tenant}/invoices[/{id}] */
static void invoices(refapi_req *r, const char *rest)
{
    char tenant[REFAPI_ID_MAX];
    const char *slash = strchr(rest, '/');
    if (!slash || (size_t)(slash - rest) >= sizeof tenant || strncmp(slash, "/invoices", 9) != 0 ||
        (slash[9] && slash[9] != '/')) {
        not_found(r, "No such resource; see /v1/tenants/{tenant}/invoices.");
        return;
    }
    memcpy(tenant, rest, (size_t)(slash - rest));
    tenant[slash - rest] = '\0';
    const char *idpart = slash[9] ? slash + 10 : NULL;
    const char *m = r->method;
    int collection = !idpart || !*idpart;
    int known = collection ? !strcmp(m, "GET") || !strcmp(m, "POST")
                           : !strcmp(m, "GET") || !strcmp(m, "PUT") || !strcmp(m, "DELETE");
    if (!known) {
        method_not_allowed(r, collection ? "GET, POST" : "GET, PUT, DELETE");
        return;
    }
    if (rate_limit(r)) return;
    if (authenticate(r, strcmp(m, "GET") == 0 ? "invoices:read" : "invoices:write", 0)) return;
    if (strcmp(r->srv->cfg->clients[r->client].tenant, tenant) != 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "No tenant '%.64s' for these credentials; check the tenant id.",
                 tenant);
        not_found(r, msg);
        return;
    }
    if (collection) {
        if (!strcmp(m, "GET"))
            list_invoices(r, tenant);
        else
            create_once(r, tenant);
        return;
    }
    long long id = parse_id(idpart);
    if (id < 0)
        invoice_missing(r, tenant, 0);
    else if (!strcmp(m, "GET"))
        get_invoice(r, tenant, id);
    else
        write_invoice(r, tenant, id, !strcmp(m, "DELETE"));
}

void refapi_api_handle(refapi_req *r)
{
    const char *p = r->path;
    if (strcmp(p, "/oauth/token") == 0) {
        oauth_token(r);
    } else if (strcmp(p, "/helo") == 0 && is_gestix(r)) {
        helo(r);
    } else if (strcmp(p, "/status") == 0) {
        status(r);
    } else if (strncmp(p, "/v1/tenants/", 12) == 0) {
        invoices(r, p + 12);
    } else {
        char msg[160];
        snprintf(msg, sizeof msg, "No route for %.8s %.96s.", r->method, p);
        not_found(r, msg);
    }
}
