/*
 * req.c - reading a request and building its reply (see req.h). Every error
 * leaves through refapi_req_problem(), so that each one carries the
 * request's dialect, id and RateLimit headers, and lands in r->code for the
 * error log.
 */
#include "req.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>
#include <time.h>

long long refapi_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long refapi_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void refapi_iso8601(char *buf, size_t cap, long long ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void refapi_req_init(refapi_req *r, refapi_server *s, const refapi_wire *wire, void *conn,
                     const char *method, const char *path)
{
    memset(r, 0, sizeof *r);
    r->srv = s;
    r->wire = wire;
    r->conn = conn;
    r->method = method;
    r->path = path;
    r->now_ms = refapi_now_ms();
    r->client = -1;
    r->route = REFAPI_ROUTE_OTHER;
    r->dialect = s->cfg->profile.dialect;
    apierr_request_id_pick(r->request_id, refapi_req_header(r, "X-Request-Id"));
}

const char *refapi_req_header(refapi_req *r, const char *name)
{
    return r->wire->header(r->conn, name);
}

const char *refapi_req_accept(refapi_req *r)
{
    if (!r->accept_read) {
        r->accept = refapi_req_header(r, "Accept");
        r->accept_read = 1;
    }
    return r->accept;
}

const char *refapi_req_query(refapi_req *r, const char *name)
{
    return r->wire->query(r->conn, name);
}

void refapi_req_peer(refapi_req *r, char *buf, size_t cap)
{
    r->wire->peer(r->conn, buf, cap);
}

int refapi_req_gestix(const refapi_req *r)
{
    return r->srv->cfg->profile.dialect == APIERR_DIALECT_GESTIX;
}

/* --- the body ----------------------------------------------------------- */

int refapi_req_content_is(refapi_req *r, const char *type)
{
    const char *ct = refapi_req_header(r, "Content-Type");
    if (!ct) return 0;
    size_t n = strcspn(ct, ";");
    while (n && ct[n - 1] == ' ') n--;
    if (strlen(type) == n && strncasecmp(ct, type, n) == 0) return 1;
    return strcmp(type, "application/json") == 0 && n > 5 &&
           strncasecmp(ct + n - 5, "+json", 5) == 0;
}

json_t *refapi_req_json_body(refapi_req *r)
{
    if (!refapi_req_content_is(r, "application/json")) {
        refapi_req_error(r, 415, "unsupported_media_type",
                         "The body must be JSON (Content-Type: application/json).", NULL);
        return NULL;
    }
    json_error_t e;
    json_t *j = json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, &e);
    if (!j) {
        /* jansson's own words say what is wrong (a duplicate key, a number
         * out of range); the one that names its flag is put in ours. */
        const char *why =
            strstr(e.text, "JSON_ALLOW_NUL") ? "\\u0000 is not accepted in a string" : e.text;
        char msg[256];
        snprintf(msg, sizeof msg, "Malformed JSON body at line %d, column %d: %s.", e.line,
                 e.column, why);
        refapi_req_error(r, 400, "invalid_json", msg, NULL);
    }
    return j;
}

apierr_validation *refapi_req_validation(refapi_req *r)
{
    apierr_validation_opts o = APIERR_VALIDATION_OPTS_INIT;
    o.dialect = r->dialect;
    o.status = r->srv->cfg->profile.validation_status;
    apierr_validation *v = NULL;
    apierr_validation_new(&v, &o);
    return v;
}

void refapi_req_validation_failed(refapi_req *r, apierr_validation *v)
{
    apierr_problem *p = NULL;
    apierr_validation_problem(&p, v);
    refapi_req_problem(r, p, NULL);
}

/* --- replies ------------------------------------------------------------ */

/* The RateLimit headers of the request's verdict, then extra, into h. */
static size_t merge_headers(refapi_req *r, apierr_limit_headers *lh, apierr_header *h, size_t cap,
                            const apierr_header *extra, size_t nextra)
{
    size_t n = 0;
    if (r->have_verdict && r->srv->limiter) {
        apierr_limiter_headers(lh, r->srv->limiter, &r->verdict);
        for (size_t i = 0; i < lh->n && n < cap; i++) h[n++] = lh->h[i];
    }
    for (size_t i = 0; i < nextra && n < cap; i++) h[n++] = extra[i];
    return n;
}

/* The last resort when even a reply cannot be built: a bare 500. */
static void bare_500(refapi_req *r)
{
    refapi_req_cause(r, "the error reply could not be built (out of memory)");
    static const char body[] = "{\"message\":\"" APIERR_REPLY_INTERNAL_MESSAGE "\"}";
    apierr_reply_clear(&r->reply);
    r->reply.status = 500;
    apierr_reply_make(&r->reply, 500, NULL, 0, body, sizeof body - 1);
}

/* What every error reply of request r shares: dialect, Accept, id, time. */
static void req_opts(refapi_req *r, apierr_reply_opts *o)
{
    o->dialect = r->dialect;
    /* RFC 6749 5.2 errors keep their shape whatever the client accepts:
     * OAuth clients parse "error", not a problem. */
    o->accept = r->dialect == APIERR_DIALECT_OAUTH ? NULL : refapi_req_accept(r);
    o->request_id = r->request_id;
    o->now_ms = r->now_ms;
}

void refapi_req_problem(refapi_req *r, apierr_problem *p, const apierr_reply_opts *opts)
{
    apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
    if (opts) o = *opts;
    apierr_limit_headers lh;
    apierr_header h[8];
    req_opts(r, &o);
    o.nheaders = merge_headers(r, &lh, h, 8, o.headers, o.nheaders);
    o.headers = h;
    apierr_reply_clear(&r->reply);
    if (p && !p->path) apierr_problem_set(p, APIERR_PF_PATH, r->path);
    if (!p || apierr_reply_build(&r->reply, p, &o) != APIERR_OK) bare_500(r);
    refapi_put(r->code, sizeof r->code, p && p->code ? p->code : "");
    apierr_problem_free(p);
}

apierr_problem *refapi_req_new_problem(refapi_req *r, int status, const char *code,
                                       const char *message)
{
    char upper[48];
    if (code && r->dialect == APIERR_DIALECT_GESTIX) {
        size_t i = 0;
        for (; code[i] && i < sizeof upper - 1; i++)
            upper[i] = (char)toupper((unsigned char)code[i]);
        upper[i] = '\0';
        code = upper;
    }
    apierr_problem *p = NULL;
    apierr_server_problem(&p, status, code, message);
    return p;
}

void refapi_req_cause(refapi_req *r, const char *fmt, ...)
{
    if (r->cause[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->cause, sizeof r->cause, fmt, ap);
    va_end(ap);
}

void refapi_req_error(refapi_req *r, int status, const char *code, const char *message,
                      const apierr_reply_opts *opts)
{
    if (status == 500) refapi_req_cause(r, "out of memory in the handler (%s)", code ? code : "-");
    refapi_req_problem(r, refapi_req_new_problem(r, status, code, message), opts);
}

void refapi_req_rate_limited(refapi_req *r, const char *code, const char *message)
{
    apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
    req_opts(r, &o);
    apierr_reply_clear(&r->reply);
    if (apierr_limiter_reply(&r->reply, r->srv->limiter, &r->verdict, code, message, &o))
        bare_500(r);
    refapi_put(r->code, sizeof r->code, code ? code : APIERR_LIMITER_CODE);
}

void refapi_req_json(refapi_req *r, int status, const char *body, size_t len,
                     const apierr_header *extra, size_t nextra)
{
    apierr_limit_headers lh;
    apierr_header h[10];
    size_t n = merge_headers(r, &lh, h, 7, extra, nextra);
    /* 204 and 304 have no content, so no type of it (RFC 9110 8.3). */
    if (status != 204 && status != 304)
        h[n++] = (apierr_header){"Content-Type", "application/json"};
    h[n++] = (apierr_header){"Cache-Control", "no-store"};
    h[n++] = (apierr_header){"X-Request-Id", r->request_id};
    apierr_reply_clear(&r->reply);
    if (apierr_reply_make(&r->reply, status, h, n, body, len) != APIERR_OK) bare_500(r);
}

void refapi_req_committed(refapi_req *r)
{
    r->committed = 1;
    if (r->die_at_commit) _exit(137);
}

void refapi_req_db_problem(refapi_req *r, apierr_problem *p, const char *cause)
{
    if (!p || p->status >= 500) {
        refapi_req_cause(r, "%s", cause);
        refapi_metrics_event(r->srv->metrics, REFAPI_EV_BACKEND_ERROR);
    }
    refapi_req_problem(r, p, NULL);
}

void refapi_req_db_failure(refapi_req *r, sqlite3 *db, int rc)
{
    apierr_problem *p = NULL;
    apierr_db_sqlite_problem(&p, rc, db ? sqlite3_errmsg(db) : NULL);
    char cause[200];
    snprintf(cause, sizeof cause, "database: %s (%d): %s", sqlite3_errstr(rc), rc,
             db ? sqlite3_errmsg(db) : "-");
    refapi_req_db_problem(r, p, cause);
}

void refapi_req_method_not_allowed(refapi_req *r, const char *allow)
{
    char msg[160];
    snprintf(msg, sizeof msg, "Method %.16s is not allowed here; use %s.", r->method, allow);
    apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
    o.allow = allow;
    refapi_req_error(r, 405, "method_not_allowed", msg, &o);
}

void refapi_req_not_found(refapi_req *r, const char *message)
{
    refapi_req_error(r, 404, "not_found", message, NULL);
}
