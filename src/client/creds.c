/*
 * Credentials (creds.h): a static token, OAuth 2.0 client credentials
 * (RFC 6749 4.4, with refresh tokens, section 6), a session login with an
 * API token, or the caller's callback; refreshed single-flight, so that a
 * hundred calls refused at once cause one token request.
 */
#include "alloc.h"
#include "engine.h"

#include <jansson.h>
#include <string.h>
#include <strings.h>

int apierr__creds_check(const apierr_client_opts *o)
{
    /* A token given with a refresh source is the first one to use. */
    int sources = !!o->oauth_token_url + !!o->credentials + !!o->session_login_url;
    if (sources > 1 || (o->oauth_token_url && !o->client_id) ||
        (o->session_login_url && !o->api_token))
        return APIERR_EINVAL;
    return APIERR_OK;
}

/* Copies the session login options; 0, or -1 when out of memory. */
static int session_init(apierr__creds *cr, const char *base_url, const apierr_client_opts *o)
{
    const char *auth = o->session_header      ? o->session_header
                       : o->session_login_url ? "xa-token"
                                              : "Authorization";
    cr->auth_header = apierr__strdup(auth);
    if (!cr->auth_header) return -1;
    if (!o->session_login_url) return 0;
    apierr__buf u = APIERR__BUF_INIT;
    apierr__url_build(&u, base_url, o->session_login_url, NULL, o->api_token_query, o->api_token);
    cr->login_url = apierr__buf_take(&u, NULL);
    /* The API token may ride in a query parameter of any name, so -v shows a
     * copy built with the value replaced rather than one filtered by name. */
    apierr__url_build(&u, base_url, o->session_login_url, NULL, o->api_token_query,
                      o->api_token_query ? "REDACTED" : NULL);
    cr->login_url_shown = apierr__buf_take(&u, NULL);
    cr->api_token = apierr__strdup(o->api_token);
    cr->api_token_header =
        o->api_token_query
            ? NULL
            : apierr__strdup(o->api_token_header ? o->api_token_header : "X-API-Token");
    cr->sess_member =
        apierr__strdup(o->session_token_member ? o->session_token_member : "xa-token");
    cr->sess_from_header = apierr__strdup(o->session_token_from_header);
    cr->sess_expiry_member =
        apierr__strdup(o->session_expiry_member ? o->session_expiry_member : "expires_in");
    return cr->login_url && cr->login_url_shown && cr->api_token &&
                   (o->api_token_query || cr->api_token_header) && cr->sess_member &&
                   cr->sess_expiry_member && (!o->session_token_from_header || cr->sess_from_header)
               ? 0
               : -1;
}

int apierr__creds_init(apierr_client *c, const apierr_client_opts *o)
{
    apierr__creds *cr = &c->creds;
    cr->kind = o->oauth_token_url     ? APIERR__CRED_OAUTH
               : o->credentials       ? APIERR__CRED_CALLBACK
               : o->session_login_url ? APIERR__CRED_SESSION
               : o->token             ? APIERR__CRED_STATIC
                                      : APIERR__CRED_NONE;
    cr->state = o->token ? APIERR__CRED_VALID : APIERR__CRED_EMPTY;
    cr->margin_ms = o->refresh_margin_ms;
    cr->token = apierr__strdup(o->token);
    cr->token_url = apierr__strdup(o->oauth_token_url);
    cr->client_id = apierr__strdup(o->client_id);
    cr->client_secret = apierr__strdup(o->client_secret ? o->client_secret : "");
    cr->fn = o->credentials;
    cr->fn_payload = o->credentials_payload;
    if ((o->token && !cr->token) || (o->oauth_token_url && !cr->token_url) ||
        (o->client_id && !cr->client_id) || !cr->client_secret || session_init(cr, c->base_url, o))
        return APIERR_ENOMEM;
    return APIERR_OK;
}

/* Ends the token or login request in flight, if any. */
static void request_end(apierr_client *c)
{
    apierr__creds *cr = &c->creds;
    if (cr->easy) {
        curl_multi_remove_handle(c->multi, cr->easy);
        curl_easy_cleanup(cr->easy);
        cr->easy = NULL;
    }
    apierr__free(cr->post);
    cr->post = NULL;
}

void apierr__creds_free(apierr_client *c)
{
    apierr__creds *cr = &c->creds;
    request_end(c);
    apierr__buf_free(&cr->body);
    apierr__buf_free(&cr->head);
    curl_slist_free_all(cr->slist);
    char *owned[] = {cr->token,
                     cr->auth_header,
                     cr->token_url,
                     cr->client_id,
                     cr->client_secret,
                     cr->refresh_token,
                     cr->login_url,
                     cr->login_url_shown,
                     cr->api_token,
                     cr->api_token_header,
                     cr->sess_member,
                     cr->sess_from_header,
                     cr->sess_expiry_member};
    for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++) apierr__free(owned[i]);
}

int apierr__creds_secret_header(const apierr_client *c, const char *name)
{
    const apierr__creds *cr = &c->creds;
    return apierr__name_is_secret(name, strlen(name), c->secret_names, c->nsecret_names) ||
           (cr->auth_header && !strcasecmp(name, cr->auth_header)) ||
           (cr->api_token_header && !strcasecmp(name, cr->api_token_header));
}

const char *apierr__creds_header(const apierr__creds *cr, apierr__buf *value)
{
    if (!cr->token || cr->kind == APIERR__CRED_NONE) return NULL;
    int bearer = !strcasecmp(cr->auth_header, "Authorization");
    apierr__buf_printf(value, "%s%s", bearer ? "Bearer " : "", cr->token);
    return cr->auth_header;
}

static int token_fresh(const apierr__creds *cr, long long now)
{
    if (cr->state != APIERR__CRED_VALID) return 0;
    if (!cr->expires_ms) return 1;
    return now < cr->expires_ms - cr->margin_ms;
}

static void set_token(apierr__creds *cr, const char *token, long long expires_in_ms)
{
    char *t = apierr__strdup(token);
    if (!t) return;
    apierr__free(cr->token);
    cr->token = t;
    long long now = apierr__mono_ms();
    cr->expires_ms = expires_in_ms > 0 ? now + expires_in_ms : 0;
    if (expires_in_ms > 0 && cr->margin_ms <= 0) {
        long long m = expires_in_ms / 5;
        cr->margin_ms = m < 30000 ? m : 30000;
    }
    cr->state = APIERR__CRED_VALID;
    cr->gen++;
}

/* --- the waiters ------------------------------------------------------------------ */

/* Puts the parked calls back in the ready queue. */
static void wake_waiters(apierr__creds *cr)
{
    apierr__call *w = cr->waiters;
    cr->waiters = NULL;
    while (w) {
        apierr__call *next = w->next;
        apierr__call_ready(w);
        w = next;
    }
}

/* Fails every parked call: the refresh they waited for failed (status 0:
 * no answer, why says what happened; else the answer's status and body). */
static void fail_waiters(apierr__creds *cr, int status, const char *body, size_t len,
                         const char *why)
{
    apierr__call *w = cr->waiters;
    cr->waiters = NULL;
    cr->state = APIERR__CRED_EMPTY;
    cr->pstate_live = 0;
    /* The policy's category when it declined to retry a failure to answer
     * (server, network, timeout...); else a refusal. */
    apierr_category cat = cr->fail_cat != APIERR_CAT_OK ? cr->fail_cat
                          : status == 0                 ? APIERR_CAT_NETWORK
                                                        : APIERR_CAT_UNAUTHENTICATED;
    cr->fail_cat = APIERR_CAT_OK;
    while (w) {
        apierr__call *next = w->next;
        apierr_problem *p = NULL;
        apierr_decode_opts o = APIERR_DECODE_OPTS_INIT;
        o.status = status;
        if (apierr_problem_decode(&p, body ? body : "", body ? len : 0, &o) == APIERR_OK &&
            status == 0)
            apierr_problem_set(p, APIERR_PF_MESSAGE, why);
        apierr__call_fail(w, cat, why, p);
        w = next;
    }
}

static void start_refresh(apierr_client *c);

static void park(apierr__call *k)
{
    apierr__creds *cr = &k->c->creds;
    apierr__call_move(k, APIERR__MSTATE_CREDS);
    k->next = cr->waiters;
    cr->waiters = k;
    start_refresh(k->c);
}

int apierr__creds_park(apierr__call *k)
{
    const apierr__creds *cr = &k->c->creds;
    if (cr->kind < APIERR__CRED_OAUTH || token_fresh(cr, apierr__mono_ms())) return 0;
    park(k);
    return 1;
}

int apierr__creds_can_refresh(const apierr_client *c)
{
    return c->creds.kind != APIERR__CRED_NONE && c->creds.kind != APIERR__CRED_STATIC;
}

int apierr__creds_static(const apierr_client *c)
{
    return c->creds.kind == APIERR__CRED_STATIC;
}

void apierr__creds_refused(apierr__call *k)
{
    apierr__creds *cr = &k->c->creds;
    if (cr->kind == APIERR__CRED_NONE || cr->kind == APIERR__CRED_STATIC) {
        apierr__call_fail(k, APIERR_CAT_UNAUTHENTICATED,
                          "the credentials were refused and there is nothing to refresh them with",
                          NULL);
        return;
    }
    if (cr->state == APIERR__CRED_VALID && cr->gen != k->cred_gen) {
        apierr__call_ready(k);
        return;
    }
    if (cr->state == APIERR__CRED_VALID) cr->state = APIERR__CRED_EMPTY;
    park(k);
}

int apierr__creds_restart(apierr_client *c)
{
    apierr__creds *cr = &c->creds;
    if (cr->easy || !cr->waiters || cr->retry_due_ms) return 0;
    cr->state = APIERR__CRED_EMPTY;
    wake_waiters(cr);
    return 1;
}

/* --- the token and login requests --------------------------------------------------- */

static void form_field(apierr__buf *b, const char *name, const char *value)
{
    if (b->len) apierr__buf_putc(b, '&');
    apierr__buf_puts(b, name);
    apierr__buf_putc(b, '=');
    apierr__buf_urlencode(b, value);
}

/* Starts the token or login request: a POST of cr->post when there is one
 * (OAuth), else a GET with cr->slist's headers (the login). Fails the
 * waiters when it cannot start. */
static void request_start(apierr_client *c, const char *url)
{
    apierr__creds *cr = &c->creds;
    apierr__buf_free(&cr->body);
    apierr__buf_free(&cr->head);
    CURL *e = cr->easy = apierr__easy_new(c, url, &cr->body, &cr->head, NULL, NULL);
    if (!e) {
        fail_waiters(cr, 0, NULL, 0, "out of memory starting the token request");
        return;
    }
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 30000L);
    if (cr->post)
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, cr->post);
    else
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    if (cr->slist) curl_easy_setopt(e, CURLOPT_HTTPHEADER, cr->slist);
    curl_multi_add_handle(c->multi, e);
}

/* Seed 004: GET the login URL with the API token; the session token comes
 * back in the body (or a header). */
static void start_login(apierr_client *c)
{
    apierr__creds *cr = &c->creds;
    if (c->verbose) {
        char url[2048];
        apierr__redact_url_names(url, sizeof url, cr->login_url_shown, c->secret_names,
                                 c->nsecret_names);
        apierr__client_logf(c, "* session login: GET %s", url);
    }
    curl_slist_free_all(cr->slist);
    cr->slist = NULL;
    if (cr->api_token_header) {
        apierr__buf h = APIERR__BUF_INIT;
        apierr__buf_printf(&h, "%s: %s", cr->api_token_header, cr->api_token);
        cr->slist = h.oom ? NULL : curl_slist_append(NULL, h.data);
        apierr__buf_free(&h);
        if (!cr->slist) {
            fail_waiters(cr, 0, NULL, 0, "out of memory starting the session login");
            return;
        }
    }
    request_start(c, cr->login_url);
}

/* RFC 6749 4.4 (client credentials) or 6 (refresh token), form-encoded. */
static void start_token_request(apierr_client *c, int use_refresh)
{
    apierr__creds *cr = &c->creds;
    apierr__buf form = APIERR__BUF_INIT;
    if (use_refresh) {
        form_field(&form, "grant_type", "refresh_token");
        form_field(&form, "refresh_token", cr->refresh_token);
    } else {
        form_field(&form, "grant_type", "client_credentials");
    }
    form_field(&form, "client_id", cr->client_id);
    form_field(&form, "client_secret", cr->client_secret);
    apierr__free(cr->post);
    cr->post = apierr__buf_take(&form, NULL);
    cr->used_refresh = use_refresh;
    if (!cr->post) {
        fail_waiters(cr, 0, NULL, 0, "out of memory starting the token request");
        return;
    }
    if (c->verbose) {
        char url[2048];
        apierr__redact_url_names(url, sizeof url, cr->token_url, c->secret_names, c->nsecret_names);
        apierr__client_logf(c, "* token request: POST %s (grant_type=%s)", url,
                            use_refresh ? "refresh_token" : "client_credentials");
    }
    request_start(c, cr->token_url);
}

static void start_refresh(apierr_client *c)
{
    apierr__creds *cr = &c->creds;
    if (cr->state == APIERR__CRED_REFRESHING) return;
    cr->state = APIERR__CRED_REFRESHING;
    if (cr->kind == APIERR__CRED_OAUTH) {
        start_token_request(c, cr->refresh_token != NULL);
        return;
    }
    if (cr->kind == APIERR__CRED_SESSION) {
        start_login(c);
        return;
    }
    char token[4096];
    long long ttl = -1;
    int rc = cr->fn(cr->fn_payload, cr->gen > 0, token, sizeof token, &ttl);
    if (rc == APIERR_OK) {
        token[sizeof token - 1] = '\0';
        set_token(cr, token, ttl);
        wake_waiters(cr);
    } else {
        fail_waiters(cr, 0, NULL, 0, "the credentials callback failed");
    }
}

/* The lifetime a token's response gives in seconds (a JSON number), in ms;
 * -1 when none. */
/* The lifetime a token response states, in ms; -1 when it states none.
 * A number, or a string of one ("3600": some servers quote it, and
 * RFC 6749's JSON examples leave room for that reading). */
static long long ttl_of(json_t *doc, const char *member)
{
    json_t *exp = *member ? json_object_get(doc, member) : NULL;
    if (json_is_number(exp))
        return json_number_value(exp) >= 0 ? (long long)(json_number_value(exp) * 1000) : -1;
    long long ms;
    if (json_is_string(exp) &&
        apierr_duration_parse(&ms, json_string_value(exp), json_string_length(exp)) == APIERR_OK)
        return ms;
    return -1;
}

/* Keeps a new token and wakes the calls that waited for it. */
static void token_received(apierr_client *c, const char *what, const char *token, long long ttl)
{
    set_token(&c->creds, token, ttl);
    c->creds.pstate_live = 0;
    apierr__client_logf(c, "* %s received (expires in %lld ms)", what, ttl);
    wake_waiters(&c->creds);
}

/* Fails the waiters of a token request or login that brought no token:
 * `failed` and the policy's reason when it gave up on failures to answer
 * (5xx, 429), else `empty` (a 200 without a token) or `refused`. */
static void fail_request(apierr__creds *cr, long status, const char *body, const char *failed,
                         const char *empty, const char *refused)
{
    char why[APIERR_REASON_MAX + 40];
    if (cr->fail_cat != APIERR_CAT_OK)
        snprintf(why, sizeof why, "%s: %s", failed, cr->fail_reason);
    else
        snprintf(why, sizeof why, "%s", status == 200 ? empty : refused);
    fail_waiters(cr, (int)status, body, cr->body.len, why);
}

/* The end of a session login: keep the session token, or fail the calls
 * that waited for it. */
static void login_done(apierr_client *c, long status, const char *body)
{
    apierr__creds *cr = &c->creds;
    apierr_header h[APIERR__MAX_HEADERS];
    size_t nh = cr->head.data ? apierr__headers_parse(h, APIERR__MAX_HEADERS, cr->head.data) : 0;
    json_t *doc = status == 200 ? json_loadb(body, cr->body.len, 0, NULL) : NULL;
    const char *token = NULL;
    if (status == 200)
        token = cr->sess_from_header ? apierr_header_find(h, nh, cr->sess_from_header)
                                     : json_string_value(json_object_get(doc, cr->sess_member));
    if (!token || !*token) {
        json_decref(doc);
        fail_request(cr, status, body, "the session login failed",
                     "the session login's response holds no session token",
                     "the session login refused the API token");
        return;
    }
    token_received(c, "session token", token, ttl_of(doc, cr->sess_expiry_member));
    json_decref(doc);
}

/* The end of an OAuth token request. */
static void oauth_done(apierr_client *c, long status, const char *body)
{
    apierr__creds *cr = &c->creds;
    json_t *doc = status == 200 ? json_loadb(body, cr->body.len, 0, NULL) : NULL;
    const char *token = json_string_value(json_object_get(doc, "access_token"));
    if (!token) {
        json_decref(doc);
        if (cr->used_refresh) {
            /* The refresh token was refused (expired, rotated away): fall
             * back to the client's own credentials, once. */
            apierr__free(cr->refresh_token);
            cr->refresh_token = NULL;
            cr->state = APIERR__CRED_REFRESHING;
            start_token_request(c, 0);
            return;
        }
        fail_request(cr, status, body, "the token endpoint failed",
                     "the token endpoint's response holds no access_token",
                     "the token endpoint refused the client credentials");
        return;
    }
    /* A rotated refresh token replaces the old one, which the server may
     * already have revoked. */
    const char *refresh = json_string_value(json_object_get(doc, "refresh_token"));
    if (refresh) {
        char *r = apierr__strdup(refresh);
        if (r) {
            apierr__free(cr->refresh_token);
            cr->refresh_token = r;
        }
    }
    token_received(c, "token", token, ttl_of(doc, "expires_in"));
    json_decref(doc);
    apierr__buf_free(&cr->body);
}

/* The support report line of a token request or login that failed. */
static void report_failure(apierr_client *c, const apierr_outcome *o, const apierr_decision *d,
                           CURLcode rc, const char *body)
{
    apierr__creds *cr = &c->creds;
    if (!c->report) return;
    apierr_result r;
    memset(&r, 0, sizeof r);
    r.method = cr->kind == APIERR__CRED_OAUTH ? "POST" : "GET";
    r.url = cr->kind == APIERR__CRED_OAUTH ? cr->token_url : cr->login_url_shown;
    apierr_attempt a;
    memset(&a, 0, sizeof a);
    a.number = cr->pstate.attempts;
    a.status = o->status;
    a.transport = o->transport;
    a.status_text = o->transport == APIERR_TRANSPORT_NONE ? apierr_status_reason(o->status)
                                                          : curl_easy_strerror(rc);
    a.decision = d->kind;
    a.category = d->category;
    a.delay_ms = d->kind == APIERR_DECISION_RETRY ? d->delay_ms : 0;
    snprintf(a.reason, sizeof a.reason, "%s", d->reason);
    apierr_problem *p = NULL;
    apierr_decode_opts opts = APIERR_DECODE_OPTS_INIT;
    opts.status = o->status;
    if (o->transport == APIERR_TRANSPORT_NONE) apierr_problem_decode(&p, body, cr->body.len, &opts);
    if (p && p->code) a.code = p->code;
    apierr__buf b = APIERR__BUF_INIT;
    /* Redacted by the client's own names too (no line rather than one
     * that might show what they hide). */
    if (apierr__result_set_names(&r, c->secret_names, c->nsecret_names) == 0)
        apierr__report_line(&b, apierr__unix_ms(), &r, &a, p);
    if (!b.oom && b.data) {
        fwrite(b.data, 1, b.len, c->report);
        fflush(c->report);
    }
    apierr__buf_free(&b);
    apierr__attempts_free(&r); /* the names' block; method and url are not r's */
    apierr_problem_free(p);
}

/* The policy's decision on a token request or login that did not answer
 * (transport failure, 5xx, 429): 1 when it is retried after the policy's
 * wait (Retry-After included), 0 to go on: a success, or a refusal (4xx),
 * which is final; a failure the policy does not retry leaves its category
 * and reason in cr->fail_cat and fail_reason. */
static int token_retry(apierr_client *c, CURLcode rc, long status, const char *body)
{
    apierr__creds *cr = &c->creds;
    apierr_outcome o = APIERR_OUTCOME_INIT;
    o.transport = apierr__transport_of(rc);
    if (rc == CURLE_OK && status == 0) o.transport = APIERR_TRANSPORT_OTHER;
    o.status = o.transport == APIERR_TRANSPORT_NONE ? (int)status : 0;
    if (o.transport == APIERR_TRANSPORT_NONE && o.status < 500 && o.status != 429) return 0;
    o.method = cr->kind == APIERR__CRED_OAUTH ? APIERR_METHOD_POST : APIERR_METHOD_GET;
    o.has_idempotency_key = 1; /* a token request creates nothing: sending it again is safe */
    char *raw = cr->head.data ? apierr__strdup(cr->head.data) : NULL;
    apierr_header h[APIERR__MAX_HEADERS];
    size_t nh = raw ? apierr__headers_parse(h, APIERR__MAX_HEADERS, raw) : 0;
    const char *ra = apierr_header_find(h, nh, "Retry-After");
    long long ra_ms;
    if (ra && apierr_retry_after_parse(&ra_ms, ra, strlen(ra), apierr__unix_ms()) == APIERR_OK)
        o.retry_after_ms = ra_ms;
    apierr__free(raw);
    long long now = apierr__mono_ms();
    if (!cr->pstate_live) {
        apierr_call_state_init(&cr->pstate, now + cr->skew_ms, NULL, NULL);
        cr->pstate_live = 1;
    }
    apierr_decision d;
    apierr_policy_decide(&d, &c->profile.policy, &cr->pstate, &o, now + cr->skew_ms,
                         apierr_rng_next, &c->rng);
    report_failure(c, &o, &d, rc, body);
    if (d.kind != APIERR_DECISION_RETRY) {
        cr->fail_cat = d.category != APIERR_CAT_OK ? d.category : APIERR_CAT_SERVER;
        snprintf(cr->fail_reason, sizeof cr->fail_reason, "%s", d.reason);
        return 0;
    }
    long long real = (long long)((double)d.delay_ms * c->scale);
    cr->skew_ms += d.delay_ms - real;
    cr->retry_due_ms = now + (real > 0 ? real : 1);
    apierr__client_logf(c, "* %s failed (%s); again in %lld ms",
                        o.method == APIERR_METHOD_POST ? "token request" : "session login",
                        d.reason, d.delay_ms);
    return 1;
}

long long apierr__creds_fire(apierr_client *c, long long now_ms)
{
    apierr__creds *cr = &c->creds;
    if (!cr->retry_due_ms) return -1;
    if (cr->retry_due_ms > now_ms) return cr->retry_due_ms - now_ms;
    cr->retry_due_ms = 0;
    if (cr->kind == APIERR__CRED_OAUTH)
        start_token_request(c, cr->used_refresh);
    else
        start_login(c);
    return -1;
}

void apierr__creds_answer(apierr_client *c, CURLcode rc)
{
    apierr__creds *cr = &c->creds;
    long status = 0;
    curl_easy_getinfo(cr->easy, CURLINFO_RESPONSE_CODE, &status);
    request_end(c);
    const char *body = cr->body.data ? cr->body.data : "";
    if (token_retry(c, rc, status, body)) return;
    if (rc != CURLE_OK) {
        char why[APIERR_REASON_MAX + 64];
        snprintf(why, sizeof why, "the token endpoint could not be reached: %s (%s)",
                 curl_easy_strerror(rc), cr->fail_reason);
        fail_waiters(cr, 0, NULL, 0, why);
    } else if (cr->kind == APIERR__CRED_SESSION)
        login_done(c, status, body);
    else
        oauth_done(c, status, body);
}
