/*
 * http.c - the HTTP layer of the reference API: libmicrohttpd in a thread
 * pool over epoll, body limits, faults that act on the connection itself
 * (reset, drop, latency), replies copied onto the wire, and a clean stop.
 */
#include "internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The state of one request on its connection, kept between MHD calls. */
typedef struct conn_state {
    char *body;
    size_t len, cap;
    int too_big;
    refapi_fault fault;
} conn_state;

static atomic_int inflight;

void refapi_config_init(refapi_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->host, sizeof cfg->host, "127.0.0.1");
    cfg->port = 8080;
    apierr_profile_builtin(&cfg->profile, "default");
    cfg->token_ttl_s = 3600;
    cfg->rate_window_s = 1;
    cfg->max_body = (size_t)1 << 20;
    cfg->max_header = 16384;
    cfg->max_connections = 1024;
    cfg->timeout_s = 30;
    cfg->threads = 4;
}

int refapi_parse_client(refapi_client *out, const char *spec, char *err, size_t cap)
{
    memset(out, 0, sizeof *out);
    const char *f[3];
    size_t n[3];
    const char *p = spec;
    for (int i = 0; i < 3; i++) {
        const char *colon = strchr(p, ':');
        if (!colon) goto bad;
        f[i] = p;
        n[i] = (size_t)(colon - p);
        p = colon + 1;
    }
    if (!n[0] || !n[1] || !n[2] || !*p || n[0] >= sizeof out->id || n[1] >= sizeof out->secret ||
        n[2] >= sizeof out->tenant || strlen(p) >= sizeof out->scopes) {
        goto bad;
    }
    memcpy(out->id, f[0], n[0]);
    memcpy(out->secret, f[1], n[1]);
    memcpy(out->tenant, f[2], n[2]);
    for (size_t i = 0; p[i]; i++) out->scopes[i] = p[i] == ',' ? ' ' : p[i];
    for (const char *t = out->tenant; *t; t++) {
        if (!isalnum((unsigned char)*t) && *t != '-' && *t != '_') goto bad;
    }
    return 0;
bad:
    snprintf(err, cap, "bad client '%s' (want ID:SECRET:TENANT:SCOPES, tenant of [A-Za-z0-9_-])",
             spec);
    return -1;
}

int refapi_parse_listen(refapi_config *cfg, const char *spec, char *err, size_t cap)
{
    const char *colon = strrchr(spec, ':');
    struct in_addr a;
    char host[64];
    char *end;
    if (!colon || (size_t)(colon - spec) >= sizeof host) goto bad;
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = '\0';
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end || port > 65535) goto bad;
    if (inet_pton(AF_INET, host, &a) != 1) goto bad;
    snprintf(cfg->host, sizeof cfg->host, "%s", host);
    cfg->port = (unsigned)port;
    return 0;
bad:
    snprintf(err, cap, "bad address '%s' (want IPV4:PORT, port 0 for any free one)", spec);
    return -1;
}

int refapi_parse_rate(refapi_config *cfg, const char *spec, char *err, size_t cap)
{
    long long n = 0, s = 0, b = 0;
    int used = 0;
    if (sscanf(spec, "%lld/%lld%n", &n, &s, &used) != 2) goto bad;
    if (spec[used] == ':' && sscanf(spec + used + 1, "%lld%n", &b, &used) == 1 &&
        spec[strlen(spec) - 1] != ':') {
        used = (int)strlen(spec);
    }
    if (spec[used] || n < 1 || n > 1000000 || s < 1 || s > 86400 || b < 0 || b > 1000000) goto bad;
    cfg->rate_limit = n;
    cfg->rate_window_s = s;
    cfg->rate_burst = b;
    return 0;
bad:
    snprintf(err, cap, "bad rate '%s' (want N/SECONDS[:BURST])", spec);
    return -1;
}

int refapi_check_faults(const char *spec, char *err, size_t cap)
{
    refapi_faults f;
    int rc = refapi_faults_parse(&f, spec, 0, err, cap);
    refapi_faults_destroy(&f);
    return rc;
}

long long refapi_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void refapi_iso8601(char *buf, size_t cap, long long ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

const char *refapi_req_header(refapi_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *refapi_req_query(refapi_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int refapi_find_client(const refapi_config *cfg, const char *id)
{
    for (size_t i = 0; id && i < cfg->nclients; i++) {
        if (strcmp(cfg->clients[i].id, id) == 0) return (int)i;
    }
    return -1;
}

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
    static const char body[] = "{\"message\":\"" APIERR_REPLY_INTERNAL_MESSAGE "\"}";
    apierr_reply_clear(&r->reply);
    r->reply.status = 500;
    apierr_reply_make(&r->reply, 500, NULL, 0, body, sizeof body - 1);
}

/* What every error reply of request r shares: dialect, Accept, id, time. */
static void req_opts(refapi_req *r, apierr_reply_opts *o)
{
    o->dialect = r->dialect;
    o->accept = refapi_req_header(r, "Accept");
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
    snprintf(r->code, sizeof r->code, "%s", p && p->code ? p->code : "");
    apierr_problem_free(p);
}

/* A new problem; Gestix's codes are upper-case (seed 004). NULL on OOM. */
static apierr_problem *new_problem(refapi_req *r, int status, const char *code, const char *message)
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

void refapi_req_error(refapi_req *r, int status, const char *code, const char *message,
                      const apierr_reply_opts *opts)
{
    refapi_req_problem(r, new_problem(r, status, code, message), opts);
}

void refapi_req_rate_limited(refapi_req *r, const char *code, const char *message)
{
    apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
    req_opts(r, &o);
    apierr_reply_clear(&r->reply);
    if (apierr_limiter_reply(&r->reply, r->srv->limiter, &r->verdict, code, message, &o))
        bare_500(r);
    snprintf(r->code, sizeof r->code, "%s", code ? code : APIERR_LIMITER_CODE);
}

void refapi_req_json(refapi_req *r, int status, const char *body, size_t len,
                     const apierr_header *extra, size_t nextra)
{
    apierr_limit_headers lh;
    apierr_header h[10];
    size_t n = merge_headers(r, &lh, h, 7, extra, nextra);
    h[n++] = (apierr_header){"Content-Type", "application/json"};
    h[n++] = (apierr_header){"Cache-Control", "no-store"};
    h[n++] = (apierr_header){"X-Request-Id", r->request_id};
    apierr_reply_clear(&r->reply);
    if (apierr_reply_make(&r->reply, status, h, n, body, len) != APIERR_OK) bare_500(r);
}

/* Keeps an error in its client's log for GET /status. */
static void log_error(refapi_req *r)
{
    if (r->client < 0 || r->reply.status < 400) return;
    refapi_server *s = r->srv;
    pthread_mutex_lock(&s->errlog_lock);
    refapi_errlog *log = &s->errlog[r->client];
    refapi_errlog_entry *e = &log->e[log->next];
    e->status = r->reply.status;
    e->at_ms = r->now_ms;
    snprintf(e->code, sizeof e->code, "%s", r->code);
    snprintf(e->request_id, sizeof e->request_id, "%s", r->request_id);
    snprintf(e->method, sizeof e->method, "%s", r->method);
    snprintf(e->path, sizeof e->path, "%s", r->path);
    log->next = (log->next + 1) % REFAPI_ERRLOG;
    if (log->count < REFAPI_ERRLOG) log->count++;
    pthread_mutex_unlock(&s->errlog_lock);
}

/* Aborts the connection with a TCP reset: SO_LINGER of 0, then MHD_NO makes
 * MHD close the socket, and the kernel sends RST instead of FIN. */
static enum MHD_Result reset_connection(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (ci) {
        struct linger lg = {1, 0};
        setsockopt(ci->connect_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    return MHD_NO;
}

static enum MHD_Result send_reply(struct MHD_Connection *c, const apierr_reply *rep)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(rep->body_len, rep->body, MHD_RESPMEM_MUST_COPY);
    if (!resp) return MHD_NO;
    for (size_t i = 0; i < rep->nheaders; i++) {
        MHD_add_response_header(resp, rep->headers[i].name, rep->headers[i].value);
    }
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)rep->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static void req_init(refapi_req *r, refapi_server *s, struct MHD_Connection *c, const char *method,
                     const char *url)
{
    memset(r, 0, sizeof *r);
    r->srv = s;
    r->conn = c;
    r->method = method;
    r->path = url;
    r->now_ms = refapi_now_ms();
    r->client = -1;
    r->dialect = s->cfg->profile.dialect;
    apierr_request_id_pick(r->request_id, refapi_req_header(r, "X-Request-Id"));
}

/* 413 before the body is read: the client learns it without sending it. */
static enum MHD_Result too_large(refapi_server *s, struct MHD_Connection *c, const char *method,
                                 const char *url)
{
    refapi_req r;
    req_init(&r, s, c, method, url);
    char msg[96];
    snprintf(msg, sizeof msg, "The request body is larger than %zu bytes.", s->cfg->max_body);
    refapi_req_error(&r, 413, "payload_too_large", msg, NULL);
    enum MHD_Result ok = send_reply(c, &r.reply);
    apierr_reply_clear(&r.reply);
    return ok;
}

static int is_api_path(const char *url)
{
    return strncmp(url, "/v1/", 4) == 0;
}

static int is_write(const char *method)
{
    return !strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "DELETE");
}

/* The first call of a request: headers are in, the body is not. */
static enum MHD_Result on_headers(refapi_server *s, struct MHD_Connection *c, const char *url,
                                  const char *method, void **con_cls)
{
    conn_state *st = calloc(1, sizeof *st);
    if (!st) return MHD_NO;
    *con_cls = st;
    atomic_fetch_add(&inflight, 1);
    st->fault.retry_after_s = -1;
    if (is_api_path(url)) {
        refapi_faults_draw(&s->faults, &st->fault, refapi_now_ms() - s->start_ms);
        if (st->fault.reset) return reset_connection(c);
    }
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (cl && strtoull(cl, NULL, 10) > s->cfg->max_body) {
        st->too_big = 1;
        return too_large(s, c, method, url);
    }
    return MHD_YES;
}

/* Keeps body bytes up to the limit; beyond it the rest is read and dropped
 * (chunked uploads announce no length), and the answer will be 413. */
static void take_body(refapi_server *s, conn_state *st, const char *data, size_t n)
{
    if (st->too_big) return;
    if (st->len + n > s->cfg->max_body) {
        st->too_big = 1;
        return;
    }
    if (st->len + n + 1 > st->cap) {
        size_t cap = st->cap ? st->cap : 4096;
        while (cap < st->len + n + 1) cap *= 2;
        char *b = realloc(st->body, cap);
        if (!b) {
            st->too_big = 1;
            return;
        }
        st->body = b;
        st->cap = cap;
    }
    memcpy(st->body + st->len, data, n);
    st->len += n;
    st->body[st->len] = '\0';
}

/* Answers a request whose fault is a status: the outage or a drawn one. */
static void fault_reply(refapi_req *r, const refapi_fault *f)
{
    static const struct {
        int status;
        const char *code, *message;
    } text[] = {
        {429, "rate_limit_exceeded", "Too many requests."},
        {500, "internal_error", "An internal error occurred."},
        {502, "bad_gateway", "The upstream service returned an invalid response."},
        {503, "service_unavailable", "The service is temporarily unavailable."},
        {504, "gateway_timeout", "The upstream service did not answer in time."},
    };
    const char *code = "injected_fault", *message = "An injected fault.";
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++) {
        if (text[i].status == f->status) code = text[i].code, message = text[i].message;
    }
    apierr_problem *p = new_problem(r, f->status, code, message);
    if (p && f->retry_after_s >= 0) p->retry_after_ms = f->retry_after_s * 1000;
    apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
    o.allow = "GET, POST, PUT, DELETE";
    /* Retry-After exactly as the spec says (an outage states its remaining
     * time): a 429 without one is what clients' default delays are for. */
    o.default_retry_after_ms = -1;
    refapi_req_problem(r, p, &o);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    refapi_server *s = cls;
    conn_state *st = *con_cls;
    if (!st) return on_headers(s, c, url, method, con_cls);
    if (*upload_size) {
        take_body(s, st, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (st->too_big) return too_large(s, c, method, url);
    if (st->fault.latency_ms > 0) {
        struct timespec ts = {st->fault.latency_ms / 1000, (st->fault.latency_ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
    }
    refapi_req r;
    req_init(&r, s, c, method, url);
    r.body = st->body ? st->body : "";
    r.len = st->len;
    if (st->fault.status)
        fault_reply(&r, &st->fault);
    else
        refapi_api_handle(&r);
    log_error(&r);
    enum MHD_Result ok;
    if (st->fault.drop && r.committed && is_write(method))
        ok = reset_connection(c);
    else
        ok = send_reply(c, &r.reply);
    apierr_reply_clear(&r.reply);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
    (void)cls, (void)c, (void)why;
    conn_state *st = *con_cls;
    if (!st) return;
    free(st->body);
    free(st);
    *con_cls = NULL;
    atomic_fetch_sub(&inflight, 1);
}

/* A fresh private database when none was named: removed at exit. */
static int temp_db(char *dir, size_t dcap, char *path, size_t pcap)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, dcap, "%s/apierr-serve-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) return -1;
    snprintf(path, pcap, "%s/api.db", dir);
    return 0;
}

static void remove_temp_db(const char *dir, const char *path)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    char f[1100];
    for (size_t i = 0; i < 3; i++) {
        snprintf(f, sizeof f, "%s%s", path, suffix[i]);
        unlink(f);
    }
    rmdir(dir);
}

static int open_parts(refapi_server *s, const char *db)
{
    const refapi_config *cfg = s->cfg;
    char err[256];
    if (refapi_faults_parse(&s->faults, cfg->faults, cfg->seed, err, sizeof err) != 0) {
        fprintf(stderr, "apierr serve: --faults: %s\n", err);
        return -1;
    }
    if (refapi_store_open(&s->store, db, cfg->threads + 1) != 0) return -1;
    if (apierr_idempotency_open(&s->idem, db, NULL) != APIERR_OK) {
        fprintf(stderr, "apierr serve: cannot open the idempotency store in '%s'\n", db);
        return -1;
    }
    if (cfg->rate_limit > 0) {
        apierr_limiter_opts lo = APIERR_LIMITER_OPTS_INIT;
        lo.limit = cfg->rate_limit;
        lo.window_s = cfg->rate_window_s;
        lo.burst = cfg->rate_burst;
        if (apierr_limiter_new(&s->limiter, &lo) != APIERR_OK) {
            fprintf(stderr, "apierr serve: bad --rate\n");
            return -1;
        }
    }
    return 0;
}

static struct MHD_Daemon *start_daemon(refapi_server *s)
{
    const refapi_config *cfg = s->cfg;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)cfg->port);
    inet_pton(AF_INET, cfg->host, &sa.sin_addr);
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_TURBO;
    return MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, s,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                            MHD_OPTION_THREAD_POOL_SIZE, cfg->threads, MHD_OPTION_CONNECTION_LIMIT,
                            cfg->max_connections, MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->max_header,
                            MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_NOTIFY_COMPLETED,
                            on_completed, s, MHD_OPTION_END);
}

/* Stops accepting, lets requests in flight finish (5 s at most), stops. */
static void stop_daemon(struct MHD_Daemon *d)
{
    MHD_quiesce_daemon(d);
    for (int i = 0; i < 500 && atomic_load(&inflight) > 0; i++) {
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(d);
}

int refapi_run(const refapi_config *cfg, FILE *out)
{
    refapi_server *s = calloc(1, sizeof *s);
    if (!s) return -1;
    s->cfg = cfg;
    s->start_ms = refapi_now_ms();
    pthread_mutex_init(&s->errlog_lock, NULL);
    char dir[1024] = "", path[1100];
    const char *db = cfg->db_path;
    if (!db) {
        if (temp_db(dir, sizeof dir, path, sizeof path) != 0) {
            fprintf(stderr, "apierr serve: cannot create a temporary database: %s\n",
                    strerror(errno));
            free(s);
            return -1;
        }
        db = path;
    }
    /* Block the stop signals in every thread (MHD's inherit the mask); this
     * one waits for them with sigwait(). */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    signal(SIGPIPE, SIG_IGN);
    int rc = -1;
    struct MHD_Daemon *d = NULL;
    if (open_parts(s, db) == 0) d = start_daemon(s);
    if (d) {
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        fprintf(out, "http://%s:%u\n", cfg->host, di ? (unsigned)di->port : cfg->port);
        fflush(out);
        int sig = 0;
        sigwait(&set, &sig);
        stop_daemon(d);
        rc = 0;
    } else if (s->store) {
        fprintf(stderr, "apierr serve: cannot listen on %s:%u: %s\n", cfg->host, cfg->port,
                strerror(errno));
    }
    apierr_limiter_free(s->limiter);
    apierr_idempotency_close(s->idem);
    refapi_store_close(s->store);
    refapi_faults_destroy(&s->faults);
    pthread_mutex_destroy(&s->errlog_lock);
    if (*dir) remove_temp_db(dir, path);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    free(s);
    return rc;
}
