/*
 * h2o_peer.c - bench/server's h2o peer: libh2o-evloop answering the bytes
 * apierr serve answers (peer_body.h), one event loop per thread, each on
 * its own SO_REUSEPORT listener of the same port. Measures what h2o's
 * HTTP/1.1 layer costs, for the decision between it and libmicrohttpd.
 * Usage: server_peer_h2o PORT THREADS (prints the URL, serves until killed).
 */
#include "peer_body.h"

#include <h2o.h>

#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static h2o_globalconf_t config;
static unsigned short port;

static void add_headers(h2o_req_t *req, const peer_header *h, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h2o_add_header_by_str(&req->pool, &req->res.headers, h[i].name, strlen(h[i].name), 1, NULL,
                              h[i].value, strlen(h[i].value));
}

/* With its length said, or h2o 2.2 answers chunked (a 200) or closes the
 * connection after it (a 429): neither is what the other servers do. */
static void answer(h2o_req_t *req, int status, const char *reason, const peer_header *h, size_t n,
                   const char *body, size_t len)
{
    req->res.status = status;
    req->res.reason = reason;
    req->res.content_length = len;
    add_headers(req, h, n);
    h2o_send_inline(req, body, len);
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    static const peer_header limited[] = {PEER_429_HEADERS}, ok[] = {PEER_200_HEADERS};
    (void)self;
    if (h2o_memis(req->path_normalized.base, req->path_normalized.len, H2O_STRLIT("/429")))
        answer(req, 429, "Too Many Requests", limited, sizeof limited / sizeof limited[0],
               H2O_STRLIT(PEER_429_BODY));
    else
        answer(req, 200, "OK", ok, sizeof ok / sizeof ok[0], H2O_STRLIT(PEER_200_BODY));
    return 0;
}

typedef struct loop {
    h2o_context_t ctx;
    h2o_accept_ctx_t accept;
} loop;

static void on_accept(h2o_socket_t *listener, const char *err)
{
    if (err) return;
    loop *l = listener->data;
    h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
    if (sock) h2o_accept(&l->accept, sock);
}

static void *run(void *arg)
{
    loop *l = arg;
    h2o_context_init(&l->ctx, h2o_evloop_create(), &config);
    l->accept.ctx = &l->ctx;
    l->accept.hosts = config.hosts;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(0x7f000001);
    sa.sin_port = htons(port);
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 1024) != 0) {
        perror("h2o_peer: listen");
        exit(1);
    }
    h2o_socket_t *sock = h2o_evloop_socket_create(l->ctx.loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    sock->data = l;
    h2o_socket_read_start(sock, on_accept);
    while (h2o_evloop_run(l->ctx.loop, INT32_MAX) == 0) {
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: server_peer_h2o PORT THREADS\n");
        return 2;
    }
    port = (unsigned short)atoi(argv[1]);
    int threads = atoi(argv[2]);
    signal(SIGPIPE, SIG_IGN);
    h2o_config_init(&config);
    h2o_hostconf_t *host =
        h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *handler = h2o_create_handler(path, sizeof *handler);
    handler->on_req = on_req;
    loop *loops = calloc((size_t)threads, sizeof *loops);
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    for (int i = 0; i < threads; i++) pthread_create(&tids[i], NULL, run, &loops[i]);
    printf("http://127.0.0.1:%u\n", port);
    fflush(stdout);
    for (int i = 0; i < threads; i++) pthread_join(tids[i], NULL);
    return 0;
}
