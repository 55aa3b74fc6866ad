/*
 * edge.c - answers and accounts that belong to no handler: the gate's
 * refusals written as bytes (a head read as a request, so that its problem
 * has the profile's dialect and the client's X-Request-Id), and what every
 * answered request leaves behind (access log line, counts, the cause of a
 * 500). Apart from http.c because none of it needs libmicrohttpd.
 */
#include "edge.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A head the gate refused, read as a request by the layers below: so that
 * its problem has the profile's dialect and the client's X-Request-Id. */
typedef struct head_conn {
    const refapi_head *h;
    const struct sockaddr *sa;
    char vals[4][256];
    int next;
} head_conn;

static const char *head_header(void *conn, const char *name)
{
    head_conn *hc = conn;
    if (!hc->h) return NULL;
    char *buf = hc->vals[hc->next++ % 4];
    return refapi_head_value(hc->h, name, buf, sizeof hc->vals[0]);
}

static const char *head_query(void *conn, const char *name)
{
    (void)conn, (void)name;
    return NULL;
}

static void head_peer(void *conn, char *buf, size_t cap)
{
    const head_conn *hc = conn;
    if (cap) *buf = '\0';
    if (hc->sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)hc->sa)->sin_addr, buf, (socklen_t)cap);
}

static const refapi_wire head_wire = {head_header, head_query, head_peer};

/* What every answered request leaves behind, whoever answered it: its line
 * in the access log (never a token: the path has no query, the client is
 * its id), its counts, and for a 500 its cause in the error log, under the
 * request id the user was told to quote. */
void refapi_account(refapi_server *srv, refapi_req *r, long long start_us)
{
    /* The dialect written, not the configured one (Accept may choose). */
    apierr_dialect d = r->dialect == APIERR_DIALECT_OAUTH
                           ? r->dialect
                           : apierr_reply_dialect(r->dialect, refapi_req_accept(r));
    long long us = start_us ? refapi_mono_us() - start_us : 0;
    int status = r->reply.status;
    refapi_metrics_request(srv->metrics, r->route, status, us);
    if (status == 429 && !strcmp(r->code, "too_many_connections"))
        refapi_metrics_limited(srv->metrics, REFAPI_LIMIT_CONNECTIONS);
    const refapi_client *cl = r->client >= 0 ? &srv->cfg->clients[r->client] : NULL;
    if (status == 500) {
        json_t *e =
            json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s}", "event", "internal_error", "request_id",
                      r->request_id, "method", r->method, "path", r->path, "client_id",
                      cl ? cl->id : NULL, "cause", r->cause[0] ? r->cause : "unknown");
        refapi_log_write(srv->errors, r->now_ms, e);
    }
    if (!srv->access) return;
    const refapi_log_field f[] = {
        REFAPI_LOG_STR("request_id", r->request_id),
        REFAPI_LOG_STR("client_id", cl ? cl->id : NULL),
        REFAPI_LOG_STR("tenant", cl ? cl->tenant : NULL),
        REFAPI_LOG_STR("method", r->method),
        REFAPI_LOG_STR("path", r->path),
        REFAPI_LOG_NUM("status", status),
        REFAPI_LOG_STR("dialect", apierr_dialect_name(d)),
        REFAPI_LOG_NUM("bytes", r->reply.body_len),
        REFAPI_LOG_NUM("latency_us", us),
    };
    refapi_log_fields(srv->access, r->now_ms, f, sizeof f / sizeof f[0]);
}

/* reply on the wire, closing: status line, headers, Date, length, body. */
static size_t serialize(const apierr_reply *rep, char **out)
{
    size_t cap = 256 + rep->body_len;
    for (size_t i = 0; i < rep->nheaders; i++)
        cap += strlen(rep->headers[i].name) + strlen(rep->headers[i].value) + 4;
    char *b = malloc(cap), date[64];
    if (!b) return 0;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    int n = snprintf(b, cap, "HTTP/1.1 %d %s\r\nDate: %s\r\nConnection: close\r\n", rep->status,
                     apierr_status_reason(rep->status), date);
    size_t len = (size_t)n;
    for (size_t i = 0; i < rep->nheaders; i++)
        len += (size_t)snprintf(b + len, cap - len, "%s: %s\r\n", rep->headers[i].name,
                                rep->headers[i].value);
    len += (size_t)snprintf(b + len, cap - len, "Content-Length: %zu\r\n\r\n", rep->body_len);
    memcpy(b + len, rep->body, rep->body_len);
    *out = b;
    return len + rep->body_len;
}

size_t refapi_edge_refusal(refapi_server *srv, const refapi_head *h, const struct sockaddr *sa,
                           const refapi_head_error *why, char **bytes)
{
    head_conn hc = {h, sa, {{0}}, 0};
    refapi_req r;
    refapi_req_init(&r, srv, &head_wire, &hc, h ? h->method : "-", h ? h->target : "-");
    refapi_req_error(&r, why->status, why->code, why->message, NULL);
    refapi_account(srv, &r, 0);
    size_t n = serialize(&r.reply, bytes);
    apierr_reply_clear(&r.reply);
    return n;
}
