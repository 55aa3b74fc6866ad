/*
 * The async engine: calls on curl's multi interface, one thread.
 *
 * A call is in exactly one place at a time: the ready queue (waiting for a
 * transfer slot), the timer heap (backing off), the credential waiters
 * (parked until the single-flight refresh ends), or in flight (one curl easy
 * handle, created per attempt and freed after it, so a waiting call costs
 * only its own state). Every decision comes from apierr_policy_decide().
 */
#include "alloc.h"
#include "client_impl.h"
#include "pacer.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

enum cred_kind { CRED_NONE, CRED_STATIC, CRED_OAUTH, CRED_CALLBACK, CRED_SESSION };

/* A host's pacing: what its rate-limit headers said (pacer.h), and the
 * calls held back, first come first sent: at most one of them in the timer
 * heap (the head, waiting for its release time), the others in a queue
 * woken one at a time, so a release costs no walk over every held call. */
typedef struct pace_host {
    char *key; /* scheme://authority */
    apierr__pacer pacer;
    struct call *head, *tail; /* held, in order */
    struct call *timed;       /* held in the timer heap */
} pace_host;

#define NO_HOST ((size_t)-1)
enum cred_state { CRED_EMPTY, CRED_VALID, CRED_REFRESHING };

typedef struct call call;
struct call {
    apierr_client *c;
    call *next;                /* ready queue or credential waiters */
    call *all_prev, *all_next; /* every live call, to free them */
    apierr_result res;
    size_t attempts_cap;
    char *url_sent; /* with the key parameter, when the profile puts it in the query */
    apierr_header *hdrs;
    size_t nhdrs;
    char *body;
    size_t body_len;
    char *body_file;
    char *content_type;
    apierr_method method;
    int has_key;
    const apierr_policy *policy;
    apierr_policy *own_policy; /* when the request overrides the deadline */
    apierr_call_state pstate;
    long long start_ms; /* monotonic */
    long long skew_ms;  /* waits the time scale skipped: policy time = real + skew */
    unsigned cred_gen;  /* credentials the last attempt carried */
    size_t host;        /* index in the client's pace hosts */
    int paced;          /* the attempt in flight counts in its host's pacer */
    int pace_woken;     /* taken off its host's queue: may go first */
    long long pace_sent_ms;
    apierr_done_fn done;
    void *payload;
    /* the attempt in flight */
    CURL *easy;
    struct curl_slist *slist;
    FILE *bodyf;
    apierr__buf rbody, rhead;
    long long attempt_start;
};

struct apierr_client {
    char *base_url;
    apierr_profile profile;
    apierr_header *hdrs;
    size_t nhdrs;
    long long connect_timeout_ms;
    size_t max_in_flight;
    CURLM *multi;
    apierr__heap timers;
    call *ready_head, *ready_tail;
    call *all;
    size_t ncalls, in_flight;
    apierr_rng rng;
    apierr_budget budget;
    apierr_breaker breaker;
    double scale;
    FILE *report;
    apierr_log_fn verbose;
    apierr_retry_fn on_retry;
    void *payload;
    /* credentials, refreshed single-flight */
    int cred_kind, cred_state;
    unsigned cred_gen;
    char *token;
    long long token_expires_ms; /* monotonic; 0: does not expire */
    long long margin_ms;
    char *token_url, *client_id, *client_secret, *refresh_token;
    apierr_credentials_fn cred_fn;
    void *cred_payload;
    call *waiters;
    CURL *tok_easy;
    apierr__buf tok_body;
    char *tok_post;
    int tok_used_refresh; /* the request in flight used the refresh token grant */
    /* session login (CRED_SESSION) */
    char *login_url, *api_token, *api_token_header;
    char *login_url_shown; /* login_url with the API token replaced, for -v */
    char *sess_member, *sess_from_header, *sess_expiry_member;
    char *auth_header; /* carries the token on calls: "Authorization" (Bearer) or e.g. xa-token */
    struct curl_slist *tok_slist;
    apierr__buf tok_head;
    /* pacing */
    int pace;
    pace_host *hosts;
    size_t nhosts;
};

/* --- small helpers ---------------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
    return s ? apierr__strdup(s) : NULL;
}

static void log_line(apierr_client *c, apierr__buf *b)
{
    if (c->verbose && !b->oom && b->data) c->verbose(c->payload, b->data);
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

static int copy_headers(apierr_header **out, const apierr_header *h, size_t n)
{
    *out = NULL;
    if (!n) return 0;
    apierr_header *v = apierr__calloc(n, sizeof *v);
    if (!v) return -1;
    *out = v;
    for (size_t i = 0; i < n; i++) {
        v[i].name = apierr__strdup(h[i].name);
        v[i].value = apierr__strdup(h[i].value);
        if (!v[i].name || !v[i].value) return -1;
    }
    return 0;
}

static void free_headers(apierr_header *h, size_t n)
{
    for (size_t i = 0; h && i < n; i++) {
        apierr__free((char *)h[i].name);
        apierr__free((char *)h[i].value);
    }
    apierr__free(h);
}

static void ready_push(apierr_client *c, call *k)
{
    k->next = NULL;
    if (c->ready_tail)
        c->ready_tail->next = k;
    else
        c->ready_head = k;
    c->ready_tail = k;
}

static call *ready_pop(apierr_client *c)
{
    call *k = c->ready_head;
    if (k) {
        c->ready_head = k->next;
        if (!c->ready_head) c->ready_tail = NULL;
        k->next = NULL;
    }
    return k;
}

/* --- client ---------------------------------------------------------------------- */

static double time_scale(double given)
{
    if (given > 0) return given;
    const char *env = getenv("APIERR_TIME_SCALE");
    double v = env ? strtod(env, NULL) : 0;
    return v > 0 ? v : 1.0;
}

/* Copies the session login options; 0, or -1 when out of memory. */
static int session_init(apierr_client *c, const apierr_client_opts *o)
{
    const char *auth = o->session_header      ? o->session_header
                       : o->session_login_url ? "xa-token"
                                              : "Authorization";
    c->auth_header = apierr__strdup(auth);
    if (!c->auth_header) return -1;
    if (!o->session_login_url) return 0;
    apierr__buf u = APIERR__BUF_INIT;
    apierr__url_build(&u, c->base_url, o->session_login_url, NULL, o->api_token_query,
                      o->api_token);
    c->login_url = apierr__buf_take(&u, NULL);
    /* The API token may ride in a query parameter of any name, so -v shows a
     * copy built with the value replaced rather than one filtered by name. */
    apierr__url_build(&u, c->base_url, o->session_login_url, NULL, o->api_token_query,
                      o->api_token_query ? "REDACTED" : NULL);
    c->login_url_shown = apierr__buf_take(&u, NULL);
    c->api_token = apierr__strdup(o->api_token);
    c->api_token_header =
        o->api_token_query
            ? NULL
            : apierr__strdup(o->api_token_header ? o->api_token_header : "X-API-Token");
    c->sess_member = apierr__strdup(o->session_token_member ? o->session_token_member : "xa-token");
    c->sess_from_header = dup_or_null(o->session_token_from_header);
    c->sess_expiry_member =
        apierr__strdup(o->session_expiry_member ? o->session_expiry_member : "expires_in");
    return c->login_url && c->login_url_shown && c->api_token &&
                   (o->api_token_query || c->api_token_header) && c->sess_member &&
                   c->sess_expiry_member && (!o->session_token_from_header || c->sess_from_header)
               ? 0
               : -1;
}

int apierr_client_new(apierr_client **out, const apierr_client_opts *given)
{
    /* Options of an older version end before the members it did not know. */
    apierr_client_opts v2 = APIERR_CLIENT_OPTS_INIT;
    const apierr_client_opts *opts = &v2;
    if (given && given->version >= APIERR_CLIENT_OPTS_VERSION)
        opts = given;
    else if (given)
        memcpy(&v2, given, offsetof(apierr_client_opts, session_login_url));
    /* A token given with a refresh source is the first one to use. */
    int sources = !!opts->oauth_token_url + !!opts->credentials + !!opts->session_login_url;
    if (sources > 1 || (opts->oauth_token_url && !opts->client_id) ||
        (opts->session_login_url && !opts->api_token))
        return APIERR_EINVAL;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return APIERR_EIO;
    apierr_client *c = apierr__calloc(1, sizeof *c);
    if (!c) return APIERR_ENOMEM;
    if (opts->profile)
        c->profile = *opts->profile;
    else
        apierr_profile_builtin(&c->profile, "default");
    c->base_url = dup_or_null(opts->base_url);
    c->connect_timeout_ms = opts->connect_timeout_ms;
    c->max_in_flight = opts->max_in_flight > 0 ? (size_t)opts->max_in_flight : 256;
    c->scale = time_scale(opts->time_scale);
    c->verbose = opts->verbose;
    c->on_retry = opts->on_retry;
    c->payload = opts->payload;
    c->margin_ms = opts->refresh_margin_ms;
    uint64_t seed = opts->seed;
    if (!seed && getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed)
        seed = (uint64_t)apierr__unix_ms();
    apierr_rng_seed(&c->rng, seed);
    apierr_budget_init(&c->budget, &c->profile.policy);
    c->breaker = (apierr_breaker)APIERR_BREAKER_INIT;
    c->cred_kind = opts->oauth_token_url     ? CRED_OAUTH
                   : opts->credentials       ? CRED_CALLBACK
                   : opts->session_login_url ? CRED_SESSION
                   : opts->token             ? CRED_STATIC
                                             : CRED_NONE;
    c->pace = opts->pace >= 0;
    c->cred_state = opts->token ? CRED_VALID : CRED_EMPTY;
    c->token = dup_or_null(opts->token);
    c->token_url = dup_or_null(opts->oauth_token_url);
    c->client_id = dup_or_null(opts->client_id);
    c->client_secret = dup_or_null(opts->client_secret ? opts->client_secret : "");
    c->cred_fn = opts->credentials;
    c->cred_payload = opts->credentials_payload;
    int rc = APIERR_OK;
    if ((opts->base_url && !c->base_url) || (opts->token && !c->token) ||
        (opts->oauth_token_url && !c->token_url) || (opts->client_id && !c->client_id) ||
        !c->client_secret || copy_headers(&c->hdrs, opts->headers, opts->nheaders) ||
        session_init(c, opts))
        rc = APIERR_ENOMEM;
    c->nhdrs = opts->nheaders;
    if (!rc && opts->report_path && !(c->report = fopen(opts->report_path, "a"))) rc = APIERR_EIO;
    if (!rc && !(c->multi = curl_multi_init())) rc = APIERR_EIO;
    if (rc) {
        apierr_client_free(c);
        return rc;
    }
    long conns = opts->max_host_connections > 0 ? opts->max_host_connections : 64;
    curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, conns);
    curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, conns);
    *out = c;
    return APIERR_OK;
}

static void attempt_release(call *k)
{
    if (k->easy) {
        curl_multi_remove_handle(k->c->multi, k->easy);
        curl_easy_cleanup(k->easy);
        k->easy = NULL;
        k->c->in_flight--;
    }
    curl_slist_free_all(k->slist);
    k->slist = NULL;
    if (k->bodyf) fclose(k->bodyf);
    k->bodyf = NULL;
    apierr__buf_free(&k->rbody);
    apierr__buf_free(&k->rhead);
}

static void pace_update(call *k, int status, const apierr_header *hd, size_t nh,
                        long long retry_after_ms);
static void pace_forget(call *k);

static void call_free(call *k)
{
    apierr_client *c = k->c;
    pace_forget(k);
    attempt_release(k);
    if (k->all_prev)
        k->all_prev->all_next = k->all_next;
    else
        c->all = k->all_next;
    if (k->all_next) k->all_next->all_prev = k->all_prev;
    c->ncalls--;
    apierr_result_clear(&k->res);
    apierr__free(k->url_sent);
    free_headers(k->hdrs, k->nhdrs);
    apierr__free(k->body);
    apierr__free(k->body_file);
    apierr__free(k->content_type);
    apierr__free(k->own_policy);
    apierr__free(k);
}

void apierr_client_free(apierr_client *c)
{
    if (!c) return;
    while (c->all) call_free(c->all);
    if (c->tok_easy) {
        curl_multi_remove_handle(c->multi, c->tok_easy);
        curl_easy_cleanup(c->tok_easy);
    }
    if (c->multi) curl_multi_cleanup(c->multi);
    apierr__heap_free(&c->timers);
    apierr__buf_free(&c->tok_body);
    apierr__free(c->tok_post);
    if (c->report) fclose(c->report);
    free_headers(c->hdrs, c->nhdrs);
    apierr__free(c->base_url);
    apierr__free(c->token);
    apierr__free(c->token_url);
    apierr__free(c->client_id);
    apierr__free(c->client_secret);
    apierr__free(c->refresh_token);
    curl_slist_free_all(c->tok_slist);
    apierr__buf_free(&c->tok_head);
    apierr__free(c->login_url);
    apierr__free(c->login_url_shown);
    apierr__free(c->api_token);
    apierr__free(c->api_token_header);
    apierr__free(c->sess_member);
    apierr__free(c->sess_from_header);
    apierr__free(c->sess_expiry_member);
    apierr__free(c->auth_header);
    for (size_t i = 0; i < c->nhosts; i++) apierr__free(c->hosts[i].key);
    apierr__free(c->hosts);
    apierr__free(c);
}

size_t apierr_client_pending(const apierr_client *c)
{
    return c->ncalls;
}

/* --- ending a call ----------------------------------------------------------------- */

static void finish(call *k)
{
    apierr_client *c = k->c;
    k->res.elapsed_ms = apierr__mono_ms() - k->start_ms;
    if (k->done) k->done(k->payload, &k->res);
    call_free(k);
    (void)c;
}

/* Ends a call that failed without (another) response of its own: the problem
 * says why in words, the category for programs. */
static void fail_call(call *k, apierr_category cat, const char *why, apierr_problem *problem)
{
    k->res.ok = 0;
    k->res.category = cat;
    snprintf(k->res.reason, sizeof k->res.reason, "%s", why);
    if (problem) {
        apierr_problem_free(k->res.problem);
        k->res.problem = problem;
    }
    if (!k->res.problem && apierr_problem_new(&k->res.problem) == APIERR_OK)
        apierr_problem_set(k->res.problem, APIERR_PF_MESSAGE, why);
    finish(k);
}

/* --- credentials ------------------------------------------------------------------ */

static int token_fresh(const apierr_client *c, long long now)
{
    if (c->cred_state != CRED_VALID) return 0;
    if (!c->token_expires_ms) return 1;
    return now < c->token_expires_ms - c->margin_ms;
}

static void set_token(apierr_client *c, const char *token, long long expires_in_ms)
{
    char *t = apierr__strdup(token);
    if (!t) return;
    apierr__free(c->token);
    c->token = t;
    long long now = apierr__mono_ms();
    c->token_expires_ms = expires_in_ms > 0 ? now + expires_in_ms : 0;
    if (expires_in_ms > 0 && c->margin_ms <= 0) {
        long long m = expires_in_ms / 5;
        c->margin_ms = m < 30000 ? m : 30000;
    }
    c->cred_state = CRED_VALID;
    c->cred_gen++;
}

/* Puts the parked calls back in the ready queue. */
static void wake_waiters(apierr_client *c)
{
    call *w = c->waiters;
    c->waiters = NULL;
    while (w) {
        call *next = w->next;
        ready_push(c, w);
        w = next;
    }
}

/* Fails every parked call: the refresh they waited for failed. */
static void fail_waiters(apierr_client *c, int status, const char *body, size_t len,
                         const char *why)
{
    call *w = c->waiters;
    c->waiters = NULL;
    while (w) {
        call *next = w->next;
        apierr_problem *p = NULL;
        apierr_decode_opts o = APIERR_DECODE_OPTS_INIT;
        o.status = status;
        if (apierr_problem_decode(&p, body ? body : "", body ? len : 0, &o) == APIERR_OK &&
            status == 0)
            apierr_problem_set(p, APIERR_PF_MESSAGE, why);
        apierr_category cat = status == 0 ? APIERR_CAT_NETWORK : APIERR_CAT_UNAUTHENTICATED;
        fail_call(w, cat, why, p);
        w = next;
    }
}

static void start_token_request(apierr_client *c, int use_refresh);
static void start_login(apierr_client *c);

static void start_refresh(apierr_client *c)
{
    if (c->cred_state == CRED_REFRESHING) return;
    c->cred_state = CRED_REFRESHING;
    if (c->cred_kind == CRED_OAUTH) {
        start_token_request(c, c->refresh_token != NULL);
        return;
    }
    if (c->cred_kind == CRED_SESSION) {
        start_login(c);
        return;
    }
    char token[4096];
    long long ttl = -1;
    int rc = c->cred_fn(c->cred_payload, c->cred_gen > 0, token, sizeof token, &ttl);
    if (rc == APIERR_OK) {
        token[sizeof token - 1] = '\0';
        set_token(c, token, ttl);
        wake_waiters(c);
    } else {
        c->cred_state = CRED_EMPTY;
        fail_waiters(c, 0, NULL, 0, "the credentials callback failed");
    }
}

static void form_field(apierr__buf *b, const char *name, const char *value)
{
    if (b->len) apierr__buf_putc(b, '&');
    apierr__buf_puts(b, name);
    apierr__buf_putc(b, '=');
    apierr__buf_urlencode(b, value);
}

static size_t on_body(char *ptr, size_t size, size_t n, void *userdata)
{
    apierr__buf *b = userdata;
    apierr__buf_append(b, ptr, size * n);
    return b->oom ? 0 : size * n;
}

static size_t on_header(char *ptr, size_t size, size_t n, void *userdata);

/* The easy handle of a token or login request, added to the multi handle;
 * NULL (after failing the waiters) when it cannot start. */
static CURL *token_easy(apierr_client *c, const char *url)
{
    apierr__buf_free(&c->tok_body);
    apierr__buf_free(&c->tok_head);
    CURL *e = c->tok_easy = curl_easy_init();
    if (!e) {
        c->cred_state = CRED_EMPTY;
        fail_waiters(c, 0, NULL, 0, "out of memory starting the token request");
        return NULL;
    }
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &c->tok_body);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &c->tok_head);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PRIVATE, NULL);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 30000L);
    if (c->connect_timeout_ms > 0)
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_timeout_ms);
    return e;
}

/* Seed 004: GET the login URL with the API token; the session token comes
 * back in the body (or a header). */
static void start_login(apierr_client *c)
{
    if (c->verbose) {
        apierr__buf line = APIERR__BUF_INIT;
        char url[2048];
        apierr_redact_url(url, sizeof url, c->login_url_shown);
        apierr__buf_printf(&line, "* session login: GET %s", url);
        log_line(c, &line);
        apierr__buf_free(&line);
    }
    curl_slist_free_all(c->tok_slist);
    c->tok_slist = NULL;
    if (c->api_token_header) {
        apierr__buf h = APIERR__BUF_INIT;
        apierr__buf_printf(&h, "%s: %s", c->api_token_header, c->api_token);
        c->tok_slist = h.oom ? NULL : curl_slist_append(NULL, h.data);
        apierr__buf_free(&h);
        if (!c->tok_slist) {
            c->cred_state = CRED_EMPTY;
            fail_waiters(c, 0, NULL, 0, "out of memory starting the session login");
            return;
        }
    }
    CURL *e = token_easy(c, c->login_url);
    if (!e) return;
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    if (c->tok_slist) curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->tok_slist);
    curl_multi_add_handle(c->multi, e);
}

static size_t parse_headers(apierr_header *out, size_t cap, char *raw);

/* The end of a session login: keep the session token, or fail the calls
 * that waited for it. */
static void login_done(apierr_client *c, long status, const char *body)
{
    apierr_header h[64];
    size_t nh = c->tok_head.data ? parse_headers(h, 64, c->tok_head.data) : 0;
    json_t *doc = status == 200 ? json_loadb(body, c->tok_body.len, 0, NULL) : NULL;
    const char *token = NULL;
    if (status == 200)
        token = c->sess_from_header ? apierr_header_find(h, nh, c->sess_from_header)
                                    : json_string_value(json_object_get(doc, c->sess_member));
    if (!token || !*token) {
        json_decref(doc);
        c->cred_state = CRED_EMPTY;
        fail_waiters(c, (int)status, body, c->tok_body.len,
                     status == 200 ? "the session login's response holds no session token"
                                   : "the session login refused the API token");
        return;
    }
    json_t *exp = *c->sess_expiry_member ? json_object_get(doc, c->sess_expiry_member) : NULL;
    long long ttl = json_is_number(exp) ? (long long)(json_number_value(exp) * 1000) : -1;
    set_token(c, token, ttl);
    json_decref(doc);
    if (c->verbose) {
        apierr__buf line = APIERR__BUF_INIT;
        apierr__buf_printf(&line, "* session token received (expires in %lld ms)", ttl);
        log_line(c, &line);
        apierr__buf_free(&line);
    }
    wake_waiters(c);
}

/* RFC 6749 4.4 (client credentials) or 6 (refresh token), form-encoded. */
static void start_token_request(apierr_client *c, int use_refresh)
{
    apierr__buf form = APIERR__BUF_INIT;
    if (use_refresh) {
        form_field(&form, "grant_type", "refresh_token");
        form_field(&form, "refresh_token", c->refresh_token);
    } else {
        form_field(&form, "grant_type", "client_credentials");
    }
    form_field(&form, "client_id", c->client_id);
    form_field(&form, "client_secret", c->client_secret);
    apierr__free(c->tok_post);
    c->tok_post = apierr__buf_take(&form, NULL);
    c->tok_used_refresh = use_refresh;
    if (!c->tok_post) {
        c->cred_state = CRED_EMPTY;
        fail_waiters(c, 0, NULL, 0, "out of memory starting the token request");
        return;
    }
    if (c->verbose) {
        apierr__buf line = APIERR__BUF_INIT;
        char url[2048];
        apierr_redact_url(url, sizeof url, c->token_url);
        apierr__buf_printf(&line, "* token request: POST %s (grant_type=%s)", url,
                           use_refresh ? "refresh_token" : "client_credentials");
        log_line(c, &line);
        apierr__buf_free(&line);
    }
    CURL *e = token_easy(c, c->token_url);
    if (!e) return;
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->tok_post);
    curl_multi_add_handle(c->multi, e);
}

static void token_done(apierr_client *c, CURLcode rc)
{
    long status = 0;
    curl_easy_getinfo(c->tok_easy, CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle(c->multi, c->tok_easy);
    curl_easy_cleanup(c->tok_easy);
    c->tok_easy = NULL;
    apierr__free(c->tok_post);
    c->tok_post = NULL;
    const char *body = c->tok_body.data ? c->tok_body.data : "";
    if (rc != CURLE_OK) {
        c->cred_state = CRED_EMPTY;
        fail_waiters(c, 0, NULL, 0, curl_easy_strerror(rc));
        return;
    }
    if (c->cred_kind == CRED_SESSION) {
        login_done(c, status, body);
        return;
    }
    json_t *doc = status == 200 ? json_loadb(body, c->tok_body.len, 0, NULL) : NULL;
    const char *token = json_string_value(json_object_get(doc, "access_token"));
    if (!token) {
        json_decref(doc);
        c->cred_state = CRED_EMPTY;
        if (c->tok_used_refresh) {
            /* The refresh token was refused (expired, rotated away): fall
             * back to the client's own credentials, once. */
            apierr__free(c->refresh_token);
            c->refresh_token = NULL;
            c->cred_state = CRED_REFRESHING;
            start_token_request(c, 0);
            return;
        }
        fail_waiters(c, (int)status, body, c->tok_body.len,
                     "the token endpoint refused the client credentials");
        return;
    }
    /* A rotated refresh token replaces the old one, which the server may
     * already have revoked. */
    const char *refresh = json_string_value(json_object_get(doc, "refresh_token"));
    if (refresh) {
        char *r = apierr__strdup(refresh);
        if (r) {
            apierr__free(c->refresh_token);
            c->refresh_token = r;
        }
    }
    json_t *exp = json_object_get(doc, "expires_in");
    long long ttl = json_is_number(exp) ? (long long)(json_number_value(exp) * 1000) : -1;
    set_token(c, token, ttl);
    json_decref(doc);
    apierr__buf_free(&c->tok_body);
    if (c->verbose) {
        apierr__buf line = APIERR__BUF_INIT;
        apierr__buf_printf(&line, "* token received (expires in %lld ms)", ttl);
        log_line(c, &line);
        apierr__buf_free(&line);
    }
    wake_waiters(c);
}

/* --- an attempt ----------------------------------------------------------------- */

static size_t on_header(char *ptr, size_t size, size_t n, void *userdata)
{
    apierr__buf *b = userdata;
    size_t len = size * n;
    /* A new status line (after 100 Continue or a redirect) starts over. */
    if (len >= 5 && strncmp(ptr, "HTTP/", 5) == 0) b->len = 0;
    apierr__buf_append(b, ptr, len);
    return b->oom ? 0 : len;
}

static size_t on_read(char *ptr, size_t size, size_t n, void *userdata)
{
    return fread(ptr, size, n, (FILE *)userdata);
}

static int on_seek(void *userdata, curl_off_t offset, int origin)
{
    return fseeko((FILE *)userdata, (off_t)offset, origin) ? CURL_SEEKFUNC_FAIL : CURL_SEEKFUNC_OK;
}

static long long policy_now(const call *k)
{
    return apierr__mono_ms() + k->skew_ms;
}

/* 1 when a header's value must not be shown: the well-known secret headers,
 * and the ones this client was configured to carry credentials in (a
 * session header of any name, the API token's header). */
static int header_is_secret(const apierr_client *c, const char *name)
{
    return apierr_header_is_secret(name) || (c->auth_header && !strcasecmp(name, c->auth_header)) ||
           (c->api_token_header && !strcasecmp(name, c->api_token_header));
}

static int add_header(call *k, const char *name, const char *value)
{
    apierr__buf b = APIERR__BUF_INIT;
    apierr__buf_printf(&b, "%s: %s", name, value);
    struct curl_slist *s = b.oom ? NULL : curl_slist_append(k->slist, b.data);
    if (s) k->slist = s;
    if (k->c->verbose && *name) {
        apierr__buf line = APIERR__BUF_INIT;
        apierr__header_line(&line, "> ", name, value, header_is_secret(k->c, name));
        log_line(k->c, &line);
        apierr__buf_free(&line);
    }
    apierr__buf_free(&b);
    return s ? 0 : -1;
}

static int has_header(const call *k, const char *name)
{
    return apierr_header_find(k->hdrs, k->nhdrs, name) ||
           apierr_header_find(k->c->hdrs, k->c->nhdrs, name);
}

static int set_body(call *k, CURL *e)
{
    if (k->body_file) {
        k->bodyf = fopen(k->body_file, "rb");
        if (!k->bodyf || fseeko(k->bodyf, 0, SEEK_END)) return -1;
        off_t size = ftello(k->bodyf);
        rewind(k->bodyf);
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(e, CURLOPT_READDATA, k->bodyf);
        curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, on_seek);
        curl_easy_setopt(e, CURLOPT_SEEKDATA, k->bodyf);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)size);
    } else {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)k->body_len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, k->body ? k->body : "");
    }
    return 0;
}

/* Builds and adds the easy handle of the next attempt. */
static void start_transfer(call *k)
{
    apierr_client *c = k->c;
    CURL *e = curl_easy_init();
    if (!e) {
        fail_call(k, APIERR_CAT_NETWORK, "curl_easy_init failed", NULL);
        return;
    }
    k->easy = e;
    c->in_flight++;
    k->cred_gen = c->cred_gen;
    k->attempt_start = apierr__mono_ms();
    const char *m = k->res.method;
    if (c->verbose) {
        apierr__buf line = APIERR__BUF_INIT;
        char url[2048];
        apierr_redact_url(url, sizeof url, k->url_sent);
        apierr__buf_printf(&line, "> %s %s (attempt %zu)", m, url, k->res.nattempts + 1);
        log_line(c, &line);
        apierr__buf_free(&line);
    }
    int bad = 0;
    for (size_t i = 0; i < c->nhdrs; i++) bad |= add_header(k, c->hdrs[i].name, c->hdrs[i].value);
    for (size_t i = 0; i < k->nhdrs; i++) bad |= add_header(k, k->hdrs[i].name, k->hdrs[i].value);
    if (c->token && c->cred_kind != CRED_NONE && !has_header(k, c->auth_header)) {
        int bearer = !strcasecmp(c->auth_header, "Authorization");
        apierr__buf v = APIERR__BUF_INIT;
        apierr__buf_printf(&v, "%s%s", bearer ? "Bearer " : "", c->token);
        bad |= v.oom || add_header(k, c->auth_header, v.data);
        apierr__buf_free(&v);
    }
    if (k->content_type) bad |= add_header(k, "Content-Type", k->content_type);
    if (k->has_key && c->profile.idempotency_key_in == APIERR_KEY_IN_HEADER)
        bad |= add_header(k, c->profile.idempotency_key, k->res.idempotency_key);
    struct curl_slist *s = curl_slist_append(k->slist, "Expect:");
    if (s) k->slist = s;
    curl_easy_setopt(e, CURLOPT_URL, k->url_sent);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, k->slist);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PRIVATE, k);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &k->rbody);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &k->rhead);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    if (c->connect_timeout_ms > 0)
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_timeout_ms);
    long long timeout = k->policy->attempt_timeout_ms;
    if (k->policy->deadline_ms > 0) {
        long long left = k->pstate.start_ms + k->policy->deadline_ms - policy_now(k);
        if (left < 1) left = 1;
        if (!timeout || left < timeout) timeout = left;
    }
    if (timeout > 0) curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout);
    int has_body = k->body || k->body_file;
    if (!strcmp(m, "GET") && !has_body) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else if (!strcmp(m, "HEAD")) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else {
        if (has_body || !strcmp(m, "POST")) bad |= set_body(k, e);
        if (strcmp(m, "POST") != 0) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
    }
    if (bad) {
        fail_call(k, APIERR_CAT_INVALID_REQUEST,
                  k->body_file && !k->bodyf ? "cannot read the body file" : "out of memory", NULL);
        return;
    }
    if (curl_multi_add_handle(c->multi, e) != CURLM_OK)
        fail_call(k, APIERR_CAT_NETWORK, "curl_multi_add_handle failed", NULL);
}

/* --- pacing by rate-limit headers ----------------------------------------------- */

/* The index of the host of url in c->hosts (added when new), or NO_HOST
 * when out of memory (the call is then not paced). */
static size_t host_index(apierr_client *c, const char *url)
{
    const char *p = strstr(url, "://");
    size_t len = p ? (size_t)(p + 3 - url) + strcspn(p + 3, "/?#") : strcspn(url, "/?#");
    for (size_t i = 0; i < c->nhosts; i++)
        if (strlen(c->hosts[i].key) == len && !strncmp(c->hosts[i].key, url, len)) return i;
    pace_host *v = apierr__realloc(c->hosts, (c->nhosts + 1) * sizeof *v);
    if (!v) return NO_HOST;
    c->hosts = v;
    char *key = apierr__malloc(len + 1);
    if (!key) return NO_HOST;
    memcpy(key, url, len);
    key[len] = '\0';
    v[c->nhosts] = (pace_host){.key = key, .pacer = APIERR__PACER_INIT};
    return c->nhosts++;
}

/* Holds k in its host's queue: at the head when it was first in line. */
static void pace_queue(pace_host *h, call *k, int first)
{
    if (first || !h->head) {
        k->next = h->head;
        h->head = k;
        if (!h->tail) h->tail = k;
    } else {
        k->next = NULL;
        h->tail->next = k;
        h->tail = k;
    }
}

/* Sends the first held call of the host back to the ready queue, to ask
 * the pacer again. */
static void pace_wake(apierr_client *c, pace_host *h)
{
    call *k = h->head;
    if (!k) return;
    h->head = k->next;
    if (!h->head) h->tail = NULL;
    k->pace_woken = 1;
    ready_push(c, k);
}

/*
 * Holds an attempt back until its host's pacer releases it (pacer.h):
 * behind the calls already held, else until its release time (timer heap)
 * or an answer of the attempts in flight. A call released wakes the next
 * one, so a burst the quota allows leaves at once. Returns 1 when it holds
 * the call, 0 to send it now.
 */
static int pace_hold(call *k)
{
    apierr_client *c = k->c;
    if (!c->pace || k->host == NO_HOST) return 0;
    pace_host *h = &c->hosts[k->host];
    int first = k->pace_woken || h->timed == k;
    k->pace_woken = 0;
    if (h->timed == k) h->timed = NULL;
    if (!first && (h->head || h->timed)) {
        pace_queue(h, k, 0);
        return 1;
    }
    long long now = apierr__mono_ms();
    long long at = apierr__pacer_next(&h->pacer, now);
    if (at == APIERR__PACE_WAIT_ANSWER || at > now) {
        if (at == APIERR__PACE_WAIT_ANSWER || h->timed)
            pace_queue(h, k, 1);
        else if (apierr__heap_push(&c->timers, at, k) == 0)
            h->timed = k;
        else
            return 0; /* out of memory: sent unpaced rather than lost */
        return 1;
    }
    apierr__pacer_sent(&h->pacer, now);
    k->paced = 1;
    k->pace_sent_ms = now;
    pace_wake(c, h);
    return 0;
}

/* Gives the pacer of k's host the end of k's attempt (status 0: no answer;
 * retry_after_ms -1: none) and lets the first held call ask again, unless
 * one waits for its release time. */
static void pace_update(call *k, int status, const apierr_header *hd, size_t nh,
                        long long retry_after_ms)
{
    apierr_client *c = k->c;
    if (!k->paced) return;
    k->paced = 0;
    pace_host *h = &c->hosts[k->host];
    apierr_ratelimit rl = APIERR_RATELIMIT_INIT;
    int found = nh && apierr_ratelimit_parse(&rl, hd, nh, apierr__unix_ms()) == APIERR_OK;
    apierr__pacer_answer(&h->pacer, k->pace_sent_ms, status, found ? &rl : NULL, retry_after_ms,
                         apierr__mono_ms());
    if (!h->timed) pace_wake(c, h);
}

/* Takes a call that ends out of its host's pacing: an attempt in flight
 * ends without an answer, and when the call was first in line (it can
 * fail while it waits for credentials), the next one takes its place. */
static void pace_forget(call *k)
{
    apierr_client *c = k->c;
    pace_update(k, 0, NULL, 0, -1);
    if (k->host == NO_HOST || !c->hosts) return;
    pace_host *h = &c->hosts[k->host];
    int first = k->pace_woken || h->timed == k;
    if (h->timed == k) h->timed = NULL;
    k->pace_woken = 0;
    if (first && !h->timed) pace_wake(c, h);
}

/* Starts the next attempt of a ready call, unless it must wait for
 * credentials first (then it parks) or its host's circuit is open. */
static void start_attempt(call *k)
{
    apierr_client *c = k->c;
    if (c->cred_kind >= CRED_OAUTH && !token_fresh(c, apierr__mono_ms())) {
        k->next = c->waiters;
        c->waiters = k;
        start_refresh(c);
        return;
    }
    if (pace_hold(k)) return;
    if (!apierr_breaker_allow(&c->breaker, k->policy, policy_now(k))) {
        fail_call(k, APIERR_CAT_CIRCUIT_OPEN, "the circuit breaker for the host is open", NULL);
        return;
    }
    start_transfer(k);
}

/* --- the end of an attempt ---------------------------------------------------------- */

static apierr_transport transport_of(CURLcode rc)
{
    switch (rc) {
    case CURLE_OK:
        return APIERR_TRANSPORT_NONE;
    case CURLE_COULDNT_CONNECT:
        return APIERR_TRANSPORT_CONNECT_REFUSED;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return APIERR_TRANSPORT_DNS_TEMPORARY;
    case CURLE_OPERATION_TIMEDOUT:
        return APIERR_TRANSPORT_TIMEOUT;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
        return APIERR_TRANSPORT_RESET;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
        return APIERR_TRANSPORT_TLS;
    default:
        return APIERR_TRANSPORT_OTHER;
    }
}

/* Splits the raw header block in place into name/value pairs. */
static size_t parse_headers(apierr_header *out, size_t cap, char *raw)
{
    size_t n = 0;
    char *save = NULL;
    for (char *line = strtok_r(raw, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        char *colon = strchr(line, ':');
        if (!colon || n == cap) continue;
        *colon = '\0';
        char *v = colon + 1;
        while (*v == ' ' || *v == '\t') v++;
        size_t len = strlen(v);
        while (len && (v[len - 1] == ' ' || v[len - 1] == '\t')) v[--len] = '\0';
        out[n++] = (apierr_header){line, v};
    }
    return n;
}

/* A GraphQL response that carries errors is a failure whatever its status. */
static int graphql_errors(const char *body, size_t len)
{
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
        i++;
    if (i == len || body[i] != '{' || !strstr(body + i, "\"errors\"")) return 0;
    json_t *doc = json_loadb(body, len, 0, NULL);
    json_t *errors = json_object_get(doc, "errors");
    int yes = json_is_array(errors) && json_array_size(errors) > 0;
    json_decref(doc);
    return yes;
}

static apierr_attempt *new_attempt(call *k)
{
    if (k->res.nattempts == k->attempts_cap) {
        size_t cap = k->attempts_cap ? k->attempts_cap * 2 : 4;
        apierr_attempt *v = apierr__realloc(k->res.attempts, cap * sizeof *v);
        if (!v) return NULL;
        k->res.attempts = v;
        k->attempts_cap = cap;
    }
    apierr_attempt *a = &k->res.attempts[k->res.nattempts++];
    memset(a, 0, sizeof *a);
    a->number = (int)k->res.nattempts;
    return a;
}

static void keep_response(call *k, int status, const apierr_header *h, size_t nh)
{
    k->res.status = status;
    apierr__free(k->res.body);
    k->res.body = apierr__buf_take(&k->rbody, &k->res.body_len);
    if (!k->res.body) k->res.body_len = 0;
    free_headers(k->res.headers, k->res.nheaders);
    k->res.headers = NULL;
    k->res.nheaders = 0;
    if (copy_headers(&k->res.headers, h, nh) == 0)
        k->res.nheaders = nh;
    else {
        free_headers(k->res.headers, nh);
        k->res.headers = NULL;
    }
}

static void report(call *k, const apierr_attempt *a, const apierr_problem *p)
{
    apierr_client *c = k->c;
    if (!c->report) return;
    apierr__buf b = APIERR__BUF_INIT;
    apierr__report_line(&b, apierr__unix_ms(), &k->res, a, p);
    if (!b.oom && b.data) {
        fwrite(b.data, 1, b.len, c->report);
        fflush(c->report);
    }
    apierr__buf_free(&b);
}

static void log_response(apierr_client *c, int status, const apierr_header *h, size_t nh,
                         CURLcode rc)
{
    apierr__buf line = APIERR__BUF_INIT;
    if (rc != CURLE_OK)
        apierr__buf_printf(&line, "< transport failure: %s", curl_easy_strerror(rc));
    else
        apierr__buf_printf(&line, "< %d %s", status, apierr_status_reason(status));
    log_line(c, &line);
    for (size_t i = 0; i < nh; i++) {
        apierr__header_line(&line, "< ", h[i].name, h[i].value, header_is_secret(c, h[i].name));
        log_line(c, &line);
    }
    apierr__buf_free(&line);
}

/* After a refresh decision: retry at once with credentials newer than the
 * ones the attempt carried, or wait for the single refresh in flight. */
static void refresh_then_retry(call *k)
{
    apierr_client *c = k->c;
    if (c->cred_kind == CRED_NONE || c->cred_kind == CRED_STATIC) {
        fail_call(k, APIERR_CAT_UNAUTHENTICATED,
                  "the credentials were refused and there is nothing to refresh them with", NULL);
        return;
    }
    if (c->cred_state == CRED_VALID && c->cred_gen != k->cred_gen) {
        ready_push(c, k);
        return;
    }
    if (c->cred_state == CRED_VALID) c->cred_state = CRED_EMPTY;
    k->next = c->waiters;
    c->waiters = k;
    start_refresh(c);
}

static void attempt_done(call *k, CURLcode rc)
{
    apierr_client *c = k->c;
    long status = 0;
    curl_easy_getinfo(k->easy, CURLINFO_RESPONSE_CODE, &status);
    long long now = apierr__mono_ms();
    apierr_header h[64];
    size_t nh = k->rhead.data ? parse_headers(h, 64, k->rhead.data) : 0;
    if (c->verbose) log_response(c, (int)status, h, nh, rc);
    apierr_outcome o = APIERR_OUTCOME_INIT;
    o.transport = transport_of(rc);
    if (rc == CURLE_OK && status == 0) o.transport = APIERR_TRANSPORT_OTHER;
    o.status = o.transport == APIERR_TRANSPORT_NONE ? (int)status : 0;
    o.method = k->method;
    o.has_idempotency_key = k->has_key;
    const char *ra = apierr_header_find(h, nh, "Retry-After");
    long long ra_ms;
    if (ra && apierr_retry_after_parse(&ra_ms, ra, strlen(ra), apierr__unix_ms()) == APIERR_OK)
        o.retry_after_ms = ra_ms;
    pace_update(k, o.status, h, nh, o.retry_after_ms);
    const char *body = k->rbody.data ? k->rbody.data : "";
    int gql = o.status >= 200 && o.status < 300 && graphql_errors(body, k->rbody.len);
    apierr_problem *p = NULL;
    if (o.transport != APIERR_TRANSPORT_NONE) {
        if (apierr_problem_new(&p) == APIERR_OK)
            apierr_problem_set(p, APIERR_PF_MESSAGE, curl_easy_strerror(rc));
    } else if (o.status >= 400 || gql) {
        apierr_decode_opts d = APIERR_DECODE_OPTS_INIT;
        d.dialect = gql ? APIERR_DIALECT_GRAPHQL : c->profile.dialect;
        d.status = o.status;
        d.content_type = apierr_header_find(h, nh, "Content-Type");
        d.headers = h;
        d.nheaders = nh;
        d.now_ms = apierr__unix_ms();
        apierr_problem_decode(&p, body, k->rbody.len, &d);
    }
    o.problem = p;
    apierr_decision d;
    apierr_policy_decide(&d, k->policy, &k->pstate, &o, now + k->skew_ms, apierr_rng_next, &c->rng);
    if (gql && d.kind == APIERR_DECISION_DONE) {
        apierr_classification cl;
        apierr_policy_classify(&cl, &o, k->policy);
        d.kind = APIERR_DECISION_FAIL;
        d.category = cl.category != APIERR_CAT_OK ? cl.category : APIERR_CAT_SERVER;
        snprintf(d.reason, sizeof d.reason, "GraphQL response with errors");
    }
    apierr_attempt *a = new_attempt(k);
    if (a) {
        a->status = o.status;
        a->transport = o.transport;
        a->status_text = o.transport == APIERR_TRANSPORT_NONE ? apierr_status_reason(o.status)
                                                              : curl_easy_strerror(rc);
        a->code = p && p->code ? apierr__strdup(p->code) : NULL;
        a->started_ms = k->attempt_start - k->start_ms;
        a->elapsed_ms = now - k->attempt_start;
        a->decision = d.kind;
        a->category = d.category;
        a->delay_ms = d.kind == APIERR_DECISION_RETRY ? d.delay_ms : 0;
        const char *rid = apierr_request_id_find(h, nh);
        if (!rid && p) rid = p->request_id;
        snprintf(a->request_id, sizeof a->request_id, "%s", rid ? rid : "");
        snprintf(a->reason, sizeof a->reason, "%s", d.reason);
        if (d.kind != APIERR_DECISION_DONE) report(k, a, p);
    }
    switch (d.kind) {
    case APIERR_DECISION_DONE:
        keep_response(k, o.status, h, nh);
        apierr_problem_free(p);
        attempt_release(k);
        k->res.ok = 1;
        k->res.category = APIERR_CAT_OK;
        snprintf(k->res.reason, sizeof k->res.reason, "%s", d.reason);
        finish(k);
        return;
    case APIERR_DECISION_FAIL:
        keep_response(k, o.status, h, nh);
        attempt_release(k);
        fail_call(k, d.category, d.reason, p);
        return;
    case APIERR_DECISION_RETRY: {
        attempt_release(k);
        apierr_problem_free(p);
        if (c->on_retry && a) c->on_retry(c->payload, &k->res, a);
        long long real = (long long)((double)d.delay_ms * c->scale);
        k->skew_ms += d.delay_ms - real;
        if (apierr__heap_push(&c->timers, apierr__mono_ms() + real, k))
            fail_call(k, d.category, "out of memory scheduling a retry", NULL);
        return;
    }
    case APIERR_DECISION_REFRESH:
    default:
        attempt_release(k);
        apierr_problem_free(p);
        refresh_then_retry(k);
        return;
    }
}

/* --- submitting and running ------------------------------------------------------ */

static int call_init(call *k, const apierr_request *req)
{
    apierr_client *c = k->c;
    const char *m = req->method ? req->method : "GET";
    k->method = apierr_method_from_name(m);
    k->res.method = apierr__strdup(m);
    k->res.user = req->user;
    if (req->idempotency_key) {
        if (!strcmp(req->idempotency_key, APIERR_IDEMPOTENCY_AUTO)) {
            if (apierr_uuid4(k->res.idempotency_key)) return APIERR_EIO;
        } else {
            snprintf(k->res.idempotency_key, sizeof k->res.idempotency_key, "%s",
                     req->idempotency_key);
        }
        k->has_key = 1;
    }
    apierr__buf u = APIERR__BUF_INIT;
    apierr__url_build(&u, c->base_url, req->url, req->query, NULL, NULL);
    k->res.url = apierr__buf_take(&u, NULL);
    int in_query = k->has_key && c->profile.idempotency_key_in == APIERR_KEY_IN_QUERY;
    apierr__url_build(&u, c->base_url, req->url, req->query,
                      in_query ? c->profile.idempotency_key : NULL, k->res.idempotency_key);
    k->url_sent = apierr__buf_take(&u, NULL);
    k->host = k->url_sent ? host_index(c, k->url_sent) : NO_HOST;
    if (req->body) {
        k->body = apierr__malloc(req->body_len + 1);
        if (k->body) {
            memcpy(k->body, req->body, req->body_len);
            k->body[req->body_len] = '\0';
        }
        k->body_len = req->body_len;
    }
    k->body_file = dup_or_null(req->body_file);
    k->content_type = dup_or_null(req->content_type);
    k->nhdrs = req->nheaders;
    int bad = copy_headers(&k->hdrs, req->headers, req->nheaders);
    k->policy = &c->profile.policy;
    if (req->max_time_ms > 0) {
        k->own_policy = apierr__malloc(sizeof *k->own_policy);
        if (k->own_policy) {
            *k->own_policy = c->profile.policy;
            k->own_policy->deadline_ms = req->max_time_ms;
            k->policy = k->own_policy;
        }
    }
    if (bad || !k->res.method || !k->res.url || !k->url_sent || (req->body && !k->body) ||
        (req->body_file && !k->body_file) || (req->content_type && !k->content_type) ||
        (req->max_time_ms > 0 && !k->own_policy))
        return APIERR_ENOMEM;
    k->start_ms = apierr__mono_ms();
    apierr_call_state_init(&k->pstate, k->start_ms, &c->budget, &c->breaker);
    return APIERR_OK;
}

int apierr_client_submit(apierr_client *c, const apierr_request *req, apierr_done_fn done,
                         void *payload)
{
    if (!req || !req->url || (req->body && req->body_file)) return APIERR_EINVAL;
    call *k = apierr__calloc(1, sizeof *k);
    if (!k) return APIERR_ENOMEM;
    k->c = c;
    k->done = done;
    k->payload = payload;
    k->all_next = c->all;
    if (c->all) c->all->all_prev = k;
    c->all = k;
    c->ncalls++;
    int rc = call_init(k, req);
    if (rc) {
        call_free(k);
        return rc;
    }
    ready_push(c, k);
    return APIERR_OK;
}

/* Moves the calls whose wait is over to the ready queue. Returns the
 * milliseconds until the next timer, or -1 when none. */
static long long fire_timers(apierr_client *c)
{
    long long now = apierr__mono_ms();
    const apierr__timer *t;
    while ((t = apierr__heap_peek(&c->timers)) && t->due_ms <= now) {
        apierr__timer fired;
        apierr__heap_pop(&c->timers, &fired);
        ready_push(c, fired.item);
    }
    return t ? t->due_ms - now : -1;
}

static void pump(apierr_client *c)
{
    while (c->in_flight < c->max_in_flight && c->ready_head) start_attempt(ready_pop(c));
}

static void drain(apierr_client *c)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(c->multi, &left))) {
        if (msg->msg != CURLMSG_DONE) continue;
        CURL *e = msg->easy_handle;
        CURLcode rc = msg->data.result;
        if (e == c->tok_easy) {
            token_done(c, rc);
            continue;
        }
        call *k = NULL;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&k);
        if (k) attempt_done(k, rc);
    }
}

int apierr_client_run(apierr_client *c)
{
    while (c->ncalls > 0) {
        fire_timers(c);
        pump(c);
        /* Again: starting attempts may set timers (a pacing hold). */
        long long next = fire_timers(c);
        if (!c->ncalls) break;
        if (!c->in_flight && !c->tok_easy && !c->ready_head && !c->timers.n && c->waiters) {
            /* Parked with no refresh under way: start one. */
            c->cred_state = CRED_EMPTY;
            wake_waiters(c);
            continue;
        }
        int wait = 1000;
        if (c->ready_head && c->in_flight < c->max_in_flight) wait = 0;
        if (next >= 0 && next < wait) wait = (int)next;
        if (curl_multi_poll(c->multi, NULL, 0, wait, NULL) != CURLM_OK) return APIERR_EIO;
        int running;
        if (curl_multi_perform(c->multi, &running) != CURLM_OK) return APIERR_EIO;
        drain(c);
    }
    return APIERR_OK;
}

static void take_result(void *payload, apierr_result *r)
{
    apierr_result_move(payload, r);
}

void apierr__client_log(apierr_client *c, apierr__buf *b)
{
    log_line(c, b);
}

const apierr_policy *apierr__client_policy(const apierr_client *c)
{
    return &c->profile.policy;
}

int apierr_call(apierr_client *c, const apierr_request *req, apierr_result *out)
{
    memset(out, 0, sizeof *out);
    int rc = apierr_client_submit(c, req, take_result, out);
    if (rc) return rc;
    rc = apierr_client_run(c);
    return rc;
}
