/*
 * http.c - the HTTP layer of the reference API, and with kept.c (how a
 * reply is handed to it) the only file that knows libmicrohttpd: a thread
 * pool over epoll fed by the gate (gate.c accepts and checks each first
 * head; tap.c checks every later one in the reads of libmicrohttpd, from
 * its connection's start to its close), body limits, the faults (a reset,
 * a dropped write, a crash, latency, a drawn status), the accounting of
 * every reply (edge.c), the metrics listener, and a drained stop. It opens
 * the parts the handlers share (store, idempotency, limiter) and hands each
 * request to routes.c; what routes.c and the layers below need of the
 * connection they read through the refapi_wire lent here, never by calling
 * back up.
 */
#include "data.h"
#include "edge.h"
#include "faults.h"
#include "gate.h"
#include "head.h"
#include "kept.h"
#include "req.h"
#include "routes.h"
#include "shard.h"
#include "tap.h"

#include <microhttpd.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The header fields every request is asked for, as the layers below
 * spell their names: read in one walk of libmicrohttpd's list when the
 * first of them is asked for, where a lookup each walked the list anew
 * (callgrind, a 429: the four lookups 472 instructions, the one walk
 * and the four reads 356). */
enum { F_REQUEST_ID, F_AUTHORIZATION, F_ACCEPT, F_CONTENT_LENGTH, F_COMMON };
/* clang-format off */
#define COMMON(name) {name, sizeof name - 1}
/* clang-format on */
static const struct {
    const char *name;
    size_t len;
} common[F_COMMON] = {COMMON("X-Request-Id"), COMMON("Authorization"), COMMON("Accept"),
                      COMMON("Content-Length")};
#undef COMMON

typedef struct common_fields {
    int read;
    const char *value[F_COMMON]; /* the first field of each name; NULL: none */
} common_fields;

/* The state of one request on its connection, kept between MHD calls. */
typedef struct conn_state {
    char *body;
    size_t len, cap;
    int too_big;
    int refused; /* answered by on_headers: nothing more to say */
    long long start_us;
    refapi_fault fault;
    common_fields fields;
} conn_state;

/* One connection, from its start to its close: libmicrohttpd's, its
 * address (the gate is told at the close), whether the tap watches it,
 * its request in progress (one at a time: allocated once, not per
 * request) and its kept reply. It is the connection the layers below
 * read through mhd_wire. */
typedef struct http_conn {
    struct MHD_Connection *mhd;
    struct sockaddr_in sa;
    int tapped; /* every head of it passes the tap (tap.h) */
    conn_state req;
    refapi_kept kept;
} http_conn;

/* Requests in progress, counted per shard (shard.h) so that the workers do
 * not take each other's cache line twice a request: the drain sums them
 * (a request may end in another thread than it began, so one shard alone
 * can be negative; the sum is right). */
static struct {
    _Alignas(64) atomic_ullong n; /* a count that wraps: the sum is right */
} inflight[REFAPI_SHARDS];

static long long inflight_total(void)
{
    unsigned long long n = 0;
    for (size_t i = 0; i < REFAPI_SHARDS; i++) n += atomic_load(&inflight[i].n);
    return (long long)n;
}

/* The running server: what the handlers share, then what only this layer
 * uses. */
typedef struct http_server {
    refapi_server srv;
    refapi_faults faults;
    long long start_ms;
    refapi_gate *gate;
    struct MHD_Daemon *daemon;
    struct MHD_Daemon *metrics_daemon; /* --metrics-listen, or NULL */
} http_server;

/* Keeps each common field's first value: the one libmicrohttpd's lookup
 * gives (its name compared caseless, its length first). The names are
 * of four lengths: a field's length names its one candidate. */
static enum MHD_Result add_common(void *cls, enum MHD_ValueKind kind, const char *key,
                                  size_t key_size, const char *value, size_t value_size)
{
    (void)kind, (void)value_size;
    common_fields *f = cls;
    size_t i = 0;
    while (i < F_COMMON && common[i].len != key_size) i++;
    if (i < F_COMMON && !f->value[i] && strncasecmp(key, common[i].name, key_size) == 0)
        f->value[i] = value;
    return MHD_YES;
}

/* name's place among the common fields, spelled as there; -1 when not. */
static int common_index(const char *name)
{
    int i = name[0] == 'X'   ? F_REQUEST_ID
            : name[0] == 'C' ? F_CONTENT_LENGTH
            : name[0] != 'A' ? -1
            : name[1] == 'u' ? F_AUTHORIZATION
                             : F_ACCEPT;
    return i >= 0 && strcmp(name, common[i].name) == 0 ? i : -1;
}

static const char *wire_header(void *conn, const char *name)
{
    http_conn *hc = conn;
    common_fields *f = &hc->req.fields;
    int i = common_index(name);
    if (i < 0) return MHD_lookup_connection_value(hc->mhd, MHD_HEADER_KIND, name);
    if (!f->read) {
        MHD_get_connection_values_n(hc->mhd, MHD_HEADER_KIND, add_common, f);
        f->read = 1;
    }
    return f->value[i];
}

static const char *wire_query(void *conn, const char *name)
{
    const http_conn *hc = conn;
    return MHD_lookup_connection_value(hc->mhd, MHD_GET_ARGUMENT_KIND, name);
}

static void wire_peer(void *conn, char *buf, size_t cap)
{
    const http_conn *hc = conn;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(hc->mhd, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (cap) *buf = '\0';
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, buf,
                  (socklen_t)cap);
    }
}

/* How the layers below read a request of this layer's. */
static const refapi_wire mhd_wire = {wire_header, wire_query, wire_peer};

/* The gate's refusal: the problem of why, as any handler would write it. */
static size_t refuse_head(void *ctx, const refapi_head *h, const struct sockaddr *sa,
                          const refapi_head_error *why, char **bytes)
{
    http_server *s = ctx;
    return refapi_edge_refusal(&s->srv, h, sa, why, bytes);
}

/* The tap's refusal of a later head: answered and drained by the gate. */
static void answer_later(void *ctx, int fd, const struct sockaddr *sa, const char *bytes, size_t n)
{
    http_server *s = ctx;
    refapi_gate_answer(s->gate, fd, sa, bytes, n);
}

static void tick(void *ctx, long long now_ms)
{
    (void)ctx;
    refapi_tap_expire(now_ms);
}

static int admit(void *ctx, int fd, const struct sockaddr *sa, socklen_t salen)
{
    http_server *s = ctx;
    return MHD_add_connection(s->daemon, fd, sa, salen) == MHD_YES ? 0 : -1;
}

/* Keeps an error in its client's log for GET /status, in the order of
 * start_us, when its request came in. */
static void log_error(const refapi_req *r, long long start_us)
{
    if (r->client < 0 || r->reply.status < 400) return;
    refapi_errlog_entry e;
    e.status = r->reply.status;
    e.at_ms = r->now_ms;
    refapi_put(e.code, sizeof e.code, r->code);
    refapi_put(e.request_id, sizeof e.request_id, r->request_id);
    refapi_put(e.method, sizeof e.method, r->method);
    refapi_put(e.path, sizeof e.path, r->path);
    refapi_errlog_add(&r->srv->errlog, r->client, &e, start_us);
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

/* The connection's state, lent by on_connection; NULL when it had no
 * memory for it. */
static http_conn *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* 413 before the body is read: the client learns it without sending it. */
static enum MHD_Result too_large(http_server *s, http_conn *hc, struct MHD_Connection *c,
                                 const char *method, const char *url)
{
    refapi_req r;
    refapi_req_init(&r, &s->srv, &mhd_wire, hc, method, url);
    char msg[96];
    snprintf(msg, sizeof msg, "The request body is larger than %zu bytes.", s->srv.cfg->max_body);
    refapi_req_error(&r, 413, "payload_too_large", msg, NULL);
    refapi_account(&s->srv, &r, 0);
    enum MHD_Result ok = refapi_kept_send(hc ? &hc->kept : NULL, c, &r.reply, 0);
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

static enum MHD_Result add_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    refapi_framing_add(cls, key, strlen(key), value ? value : "", value ? strlen(value) : 0);
    return MHD_YES;
}

/* The gate checked the first head of the connection, the tap every later
 * one; a head that passed the tap unwatched (a descriptor beyond its
 * table, no memory to watch it) is checked here in libmicrohttpd's own
 * list of fields. A watched one is not read twice: that walk over the list
 * was a twentieth of a 429's instructions. On a refusal the connection is
 * closed: what follows it cannot be trusted to start a request. */
static int framing_refused(http_server *s, http_conn *hc, struct MHD_Connection *c,
                           const char *method, const char *url, const char *version)
{
    if (hc->tapped) return 0;
    refapi_framing f;
    refapi_head_error why;
    refapi_framing_init(&f, strcmp(version, MHD_HTTP_VERSION_1_0) != 0);
    MHD_get_connection_values(c, MHD_HEADER_KIND, add_framing, &f);
    if (refapi_framing_verdict(&f, &why) == 0) return 0;
    refapi_req r;
    refapi_req_init(&r, &s->srv, &mhd_wire, hc, method, url);
    refapi_req_error(&r, why.status, why.code, why.message, NULL);
    refapi_account(&s->srv, &r, 0);
    refapi_kept_send(NULL, c, &r.reply, 1);
    apierr_reply_clear(&r.reply);
    return 1;
}

static enum MHD_Result add_fault_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    refapi_fault_key_add(cls, key);
    refapi_fault_key_add(cls, value);
    return MHD_YES;
}

/* The request's key for the fault draw (faults.h): method, path, the query
 * arguments in order (libmicrohttpd hands the path without them) and the
 * Idempotency-Key. */
static refapi_fault_key fault_key(struct MHD_Connection *c, const char *method, const char *url)
{
    refapi_fault_key k = refapi_fault_key_init();
    refapi_fault_key_add(&k, method);
    refapi_fault_key_add(&k, url);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_fault_arg, &k);
    refapi_fault_key_add(&k, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key"));
    return k;
}

/* The first call of a request: headers are in, the body is not. */
static enum MHD_Result on_headers(http_server *s, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, void **con_cls)
{
    http_conn *hc = conn_of(c);
    if (!hc) return MHD_NO;
    conn_state *st = &hc->req;
    *con_cls = hc;
    refapi_shard_add(&inflight[refapi_shard()].n, 1);
    st->start_us = refapi_mono_us();
    st->fault.retry_after_s = -1;
    if (framing_refused(s, hc, c, method, url, version)) {
        st->too_big = 1; /* the body, if any, is dropped */
        st->refused = 1;
        return MHD_YES;
    }
    if (is_api_path(url) && refapi_faults_any(&s->faults)) {
        refapi_faults_draw(&s->faults, &st->fault, refapi_now_ms() - s->start_ms,
                           fault_key(c, method, url));
        if (st->fault.reset) return reset_connection(c);
    }
    const char *cl = wire_header(hc, "Content-Length");
    if (cl && strtoull(cl, NULL, 10) > s->srv.cfg->max_body) {
        st->too_big = 1;
        return too_large(s, hc, c, method, url);
    }
    return MHD_YES;
}

/* Keeps body bytes up to the limit; beyond it the rest is read and dropped
 * (chunked uploads announce no length), and the answer will be 413. */
static void take_body(const http_server *s, conn_state *st, const char *data, size_t n)
{
    if (st->too_big) return;
    if (st->len + n > s->srv.cfg->max_body) {
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
    if (f->status == 500) refapi_req_cause(r, "an injected fault (--faults)");
    if (f->status == 429) refapi_metrics_limited(r->srv->metrics, REFAPI_LIMIT_FAULT);
    apierr_problem *p = refapi_req_new_problem(r, f->status, code, message);
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
    http_server *s = cls;
    http_conn *hc = *con_cls;
    url = refapi_target_path(url); /* routed by path, whatever form the target took */
    if (!hc) return on_headers(s, c, url, method, version, con_cls);
    conn_state *st = &hc->req;
    if (*upload_size) {
        take_body(s, st, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (st->refused) return MHD_YES;
    if (st->too_big) return too_large(s, hc, c, method, url);
    if (st->fault.latency_ms > 0) {
        struct timespec ts = {st->fault.latency_ms / 1000, (st->fault.latency_ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
    }
    refapi_req r;
    refapi_req_init(&r, &s->srv, &mhd_wire, hc, method, url);
    r.die_at_commit = st->fault.die && is_write(method);
    r.body = st->len ? st->body : "";
    r.len = st->len;
    if (st->fault.status) {
        refapi_route_classify(&r);
        fault_reply(&r, &st->fault);
    } else
        refapi_route(&r);
    log_error(&r, st->start_us);
    refapi_account(&s->srv, &r, st->start_us);
    enum MHD_Result ok;
    if (st->fault.drop && r.committed && is_write(method))
        ok = reset_connection(c);
    else
        ok = refapi_kept_send(hc ? &hc->kept : NULL, c, &r.reply, 0);
    apierr_reply_clear(&r.reply);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
    (void)cls, (void)why;
    const union MHD_ConnectionInfo *fd =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (fd) refapi_tap_done(fd->connect_fd);
    http_conn *hc = *con_cls;
    if (!hc) return;
    /* Ready for the connection's next request; its body buffer is kept. */
    char *body = hc->req.body;
    size_t cap = hc->req.cap;
    memset(&hc->req, 0, sizeof hc->req);
    hc->req.body = body;
    hc->req.cap = cap;
    *con_cls = NULL;
    refapi_shard_add(&inflight[refapi_shard()].n, (unsigned long long)-1);
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

static int open_parts(http_server *hs, const char *db)
{
    refapi_server *s = &hs->srv;
    const refapi_config *cfg = s->cfg;
    char err[256];
    if (refapi_faults_parse(&hs->faults, cfg->faults, cfg->seed, err, sizeof err) != 0) {
        fprintf(stderr, "apierr serve: --faults: %s\n", err);
        return -1;
    }
    if (refapi_store_open(&s->store, db, cfg->threads + 1, (int)cfg->db_busy_ms) != 0) return -1;
    /* With --redis, credentials and the /status errors are the fleet's: an
     * instance on another host, with another database, sees them. */
    if (cfg->redis_url && apierr_redis_open(&s->redis, cfg->redis_url) != APIERR_OK) {
        fprintf(stderr, "apierr serve: --redis: not a redis:// or unix:// URL\n");
        return -1;
    }
    if (refapi_tokens_open(&s->tokens, s->store, s->redis) != 0) return -1;
    /* The invoices: in PostgreSQL with --db postgresql://, else beside the
     * tokens. */
    int pg = refapi_data_is_pg(cfg->db_path);
    if (pg ? refapi_data_open_pg(&s->data, cfg->db_path, cfg->threads + 1,
                                 cfg->profile.validation_status)
           : refapi_data_open_sqlite(&s->data, s->store, cfg->redis_url != NULL))
        return -1;
    if (s->redis) refapi_errlog_share(&s->errlog, s->redis, cfg);
    apierr_idempotency_opts io = APIERR_IDEMPOTENCY_OPTS_INIT;
    io.busy_timeout_ms = cfg->db_busy_ms;
    /* With --redis, the contract's shared state (keys, limits) lives there,
     * so that every instance naming it keeps one promise. */
    const char *idem = cfg->redis_url ? cfg->redis_url : db;
    /* On Redis, each answer is also recorded in this database, in its
     * write's transaction: an instance that dies between the commit and
     * publishing the answer leaves it to the retry that claims the key. */
    io.journal = cfg->redis_url && !pg ? db : NULL;
    io.lock_ms = cfg->idem_lease_s * 1000;
    if (apierr_idempotency_open(&s->idem, idem, &io) != APIERR_OK) {
        fprintf(stderr, "apierr serve: cannot open the idempotency store in '%s'\n",
                cfg->redis_url ? "--redis" : db);
        return -1;
    }
    if (cfg->auth_limit > 0 &&
        !(s->authfail = refapi_authfail_new(cfg->auth_limit, cfg->auth_window_s * 1000)))
        return -1;
    if (cfg->rate_limit > 0) {
        apierr_limiter_opts lo = APIERR_LIMITER_OPTS_INIT;
        lo.limit = cfg->rate_limit;
        lo.window_s = cfg->rate_window_s;
        lo.burst = cfg->rate_burst;
        lo.backend = cfg->redis_url;
        lo.fail_closed = cfg->redis_fail_closed;
        if (apierr_limiter_new(&s->limiter, &lo) != APIERR_OK) {
            fprintf(stderr, "apierr serve: bad --rate\n");
            return -1;
        }
    }
    return 0;
}

/* The connection's state (http_conn) from its start to its close, when
 * the gate is told of its address. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    http_server *s = cls;
    const union MHD_ConnectionInfo *fd =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        http_conn *hc = calloc(1, sizeof *hc);
        if (hc) hc->mhd = c;
        if (hc && ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
            memcpy(&hc->sa, ci->client_addr, sizeof hc->sa);
        *socket_context = hc;
        /* Before libmicrohttpd's first read of it, in the thread that will
         * read it: every head of the connection passes the tap. */
        int tapped = fd && refapi_tap_watch(fd->connect_fd, hc ? (struct sockaddr *)&hc->sa : NULL,
                                            hc ? sizeof hc->sa : 0) == 0;
        if (hc) hc->tapped = tapped;
        return;
    }
    if (fd) refapi_tap_forget(fd->connect_fd); /* before libmicrohttpd closes it */
    struct sockaddr_in none = {0};
    http_conn *hc = *socket_context;
    refapi_gate_release(s->gate, (struct sockaddr *)(hc ? &hc->sa : &none));
    if (hc) {
        refapi_kept_drop(&hc->kept);
        free(hc->req.body);
        free(hc);
    }
    *socket_context = NULL;
}

static int listen_on(const refapi_config *cfg, unsigned *port)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)cfg->port);
    inet_pton(AF_INET, cfg->host, &sa.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    socklen_t len = sizeof sa;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 1024) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    *port = ntohs(sa.sin_port);
    return fd;
}

/* libmicrohttpd without a socket of its own: the gate accepts and checks,
 * then adds each connection. Its memory limit is above the head limit the
 * gate enforces, so that a head the gate let through is never refused by
 * libmicrohttpd in HTML; the gate counts connections, so libmicrohttpd's
 * own cap is only a backstop. */
/* libmicrohttpd's memory pool per connection: the request head, then the
 * response's. It zeroes the pool between two requests of a connection, so
 * its size is paid on every request (a 64 KiB pool was 15% of the CPU of
 * the 429 path, and cost a third of its rate): the head limit (the gate
 * holds first heads to it), and 4 KiB for the response's head. */
static size_t mhd_pool_size(const refapi_config *cfg)
{
    return cfg->max_header + 4096;
}

/* libmicrohttpd's unescaping of the path and of each query argument,
 * done in place: a string without a '%' is its own unescaping, found by
 * strchr() a word at a time, where libmicrohttpd's own copies it over
 * itself a byte at a time (300 instructions of a 429 under callgrind, 45
 * this way); any other is left to libmicrohttpd's, so the bytes are its
 * bytes. */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls, (void)c;
    return strchr(s, '%') ? MHD_http_unescape(s) : strlen(s);
}

static int start_daemon(http_server *s, unsigned *port)
{
    const refapi_config *cfg = s->srv.cfg;
    int fd = listen_on(cfg, port);
    if (fd < 0) return -1;
    refapi_tap_opts to = {0};
    to.max_line = cfg->max_header < 8192 ? cfg->max_header : 8192;
    to.max_head = cfg->max_header;
    to.head_timeout_ms = cfg->head_timeout_s * 1000;
    to.refuse = refuse_head;
    to.answer = answer_later;
    to.ctx = s;
    if (refapi_tap_start(&to) != 0) {
        close(fd);
        return -1;
    }
    unsigned flags =
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_TURBO | MHD_USE_NO_LISTEN_SOCKET;
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
        MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections + 16, MHD_OPTION_CONNECTION_TIMEOUT,
        cfg->timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, mhd_pool_size(cfg),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
        s, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_END);
    if (!s->daemon) {
        close(fd);
        return -1;
    }
    refapi_gate_opts go = {0};
    go.listen_fd = fd;
    go.max_line = cfg->max_header < 8192 ? cfg->max_header : 8192;
    go.max_head = cfg->max_header;
    go.head_timeout_ms = cfg->head_timeout_s * 1000;
    go.max_connections = cfg->max_connections;
    go.max_per_ip = cfg->max_per_ip;
    go.admit = admit;
    go.refuse = refuse_head;
    go.tick = tick;
    go.ctx = s;
    if (refapi_gate_start(&s->gate, &go) != 0) {
        MHD_stop_daemon(s->daemon);
        s->daemon = NULL;
        return -1;
    }
    return 0;
}

/* Stops accepting at once (the gate closes the listening socket: new
 * connections are refused), then drains: up to --drain-timeout, until no
 * connection is left, or none has had a request in progress for 250 ms.
 * The quiet spell, not a zero count, because a request already sent but
 * queued behind a busy worker is not counted until its head is parsed;
 * what stays open after it is idle keep-alive. */
static void stop_daemon(http_server *s)
{
    refapi_gate_stop(s->gate);
    long long until = refapi_mono_ms() + (long long)s->srv.cfg->drain_timeout_s * 1000,
              quiet_since = -1;
    while (refapi_gate_open(s->gate) > 0 && refapi_mono_ms() < until) {
        long long now = refapi_mono_ms();
        if (inflight_total() > 0)
            quiet_since = -1;
        else if (quiet_since < 0)
            quiet_since = now;
        else if (now - quiet_since >= 250)
            break;
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(s->daemon);
    refapi_tap_stop();
    refapi_gate_free(s->gate);
}

/* GET /metrics on the metrics listener; anything else there is 404. Plain
 * text, as Prometheus reads it, not a problem: no API client comes here. */
static enum MHD_Result on_metrics(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version, (void)upload_data;
    http_server *s = cls;
    if (!*con_cls) {
        *con_cls = s;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    int found = !strcmp(url, "/metrics") && (!strcmp(method, "GET") || !strcmp(method, "HEAD"));
    char *text = NULL;
    size_t n = found ? refapi_metrics_render(s->srv.metrics, &text) : 0;
    struct MHD_Response *resp =
        found && text ? MHD_create_response_from_buffer(n, text, MHD_RESPMEM_MUST_FREE)
                      : MHD_create_response_from_buffer(10, "not found\n", MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type",
                            found ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain");
    enum MHD_Result ok = MHD_queue_response(c, found && text ? 200 : found ? 500 : 404, resp);
    MHD_destroy_response(resp);
    return ok;
}

static int start_metrics(http_server *s, unsigned *port)
{
    const refapi_config *cfg = s->srv.cfg;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)cfg->metrics_port);
    inet_pton(AF_INET, cfg->metrics_host, &sa.sin_addr);
    s->metrics_daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, (uint16_t)cfg->metrics_port, NULL, NULL,
        on_metrics, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_LIMIT,
        16u, MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    if (!s->metrics_daemon) return -1;
    const union MHD_DaemonInfo *di =
        MHD_get_daemon_info(s->metrics_daemon, MHD_DAEMON_INFO_BIND_PORT);
    *port = di ? di->port : cfg->metrics_port;
    return 0;
}

/* The access log's lines are written at most this long after they came
 * in (nginx's flush=1s): a write a line was a system call a request. */
#define REFAPI_ACCESS_FLUSH_MS 1000

/* The logs and the counters, before anything can need them. */
static int open_logs(http_server *s)
{
    char err[256];
    s->srv.metrics = refapi_metrics_new();
    s->srv.tokcache = refapi_tokcache_new();
    s->srv.errors = refapi_log_open("", 0, err, sizeof err);
    if (s->srv.cfg->access_log &&
        !(s->srv.access =
              refapi_log_open(s->srv.cfg->access_log, REFAPI_ACCESS_FLUSH_MS, err, sizeof err))) {
        fprintf(stderr, "apierr serve: --access-log: %s\n", err);
        return -1;
    }
    return s->srv.metrics && s->srv.errors && s->srv.tokcache ? 0 : -1;
}

int refapi_run(const refapi_config *cfg, FILE *out)
{
    http_server *s = calloc(1, sizeof *s);
    if (!s) return -1;
    /* The database (and its -wal and -shm) holds token hashes and every
     * tenant's invoices: the owner's only, 0600. */
    mode_t old_mask = umask(077);
    s->srv.cfg = cfg;
    s->start_ms = refapi_now_ms();
    refapi_errlog_init(&s->srv.errlog);
    char dir[1024] = "", path[1100];
    /* With PostgreSQL, what stays in SQLite (tokens, idempotency keys
     * without --redis) is the process's own, in a temporary database. */
    const char *db = refapi_data_is_pg(cfg->db_path) ? NULL : cfg->db_path;
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
    unsigned port = 0, mport = 0;
    if (open_logs(s) == 0 && open_parts(s, db) == 0 &&
        (!cfg->metrics || start_metrics(s, &mport) == 0) && start_daemon(s, &port) == 0) {
        fprintf(out, "http://%s:%u\n", cfg->host, port);
        if (cfg->metrics) fprintf(out, "metrics http://%s:%u/metrics\n", cfg->metrics_host, mport);
        fflush(out);
        int sig = 0;
        sigwait(&set, &sig);
        stop_daemon(s);
        rc = 0;
    } else if (s->srv.data) { /* the parts before it say why they failed */
        fprintf(stderr, "apierr serve: cannot listen on %s:%u: %s\n", cfg->host, cfg->port,
                strerror(errno));
    }
    if (s->metrics_daemon) MHD_stop_daemon(s->metrics_daemon);
    apierr_limiter_free(s->srv.limiter);
    refapi_authfail_free(s->srv.authfail);
    refapi_log_close(s->srv.access);
    refapi_log_close(s->srv.errors);
    refapi_metrics_free(s->srv.metrics);
    refapi_tokcache_free(s->srv.tokcache);
    apierr_idempotency_close(s->srv.idem);
    refapi_tokens_close(s->srv.tokens);
    refapi_data_close(s->srv.data);
    apierr_redis_close(s->srv.redis);
    refapi_store_close(s->srv.store);
    refapi_faults_destroy(&s->faults);
    refapi_errlog_destroy(&s->srv.errlog);
    if (*dir) remove_temp_db(dir, path);
    /* A second SIGTERM during the drain is pending: taken here, or the
     * restored mask would let it end the process after a clean stop. */
    struct timespec zero = {0, 0};
    while (sigtimedwait(&set, NULL, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    umask(old_mask);
    free(s);
    return rc;
}
