/*
 * mhd_peer.c - bench/server's libmicrohttpd peer: the bytes apierr serve
 * answers (peer_body.h) from libmicrohttpd run with apierr serve's options
 * (epoll, a thread pool, turbo, the same per-connection pool), without the
 * gate, the tap or any handler. Against h2o_peer it measures the HTTP
 * library alone; against apierr serve, what the reference API adds.
 * Usage: server_peer_mhd PORT THREADS (prints the URL, serves until killed).
 */
#include "peer_body.h"

#include <microhttpd.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct MHD_Response *limited, *ok;

static struct MHD_Response *make(const char *body, const peer_header *h, size_t n)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
    for (size_t i = 0; i < n; i++) MHD_add_response_header(r, h[i].name, h[i].value);
    return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)cls, (void)method, (void)version, (void)upload_data;
    if (!*con_cls) { /* the head: answer once the (empty) body is in */
        *con_cls = c;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    int is429 = !strcmp(url, "/429");
    return MHD_queue_response(c, is429 ? 429 : 200, is429 ? limited : ok);
}

int main(int argc, char **argv)
{
    static const peer_header lh[] = {PEER_429_HEADERS}, oh[] = {PEER_200_HEADERS};
    if (argc != 3) {
        fprintf(stderr, "usage: server_peer_mhd PORT THREADS\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    limited = make(PEER_429_BODY, lh, sizeof lh / sizeof lh[0]);
    ok = make(PEER_200_BODY, oh, sizeof oh / sizeof oh[0]);
    unsigned port = (unsigned)atoi(argv[1]), threads = (unsigned)atoi(argv[2]);
    /* apierr serve's: 16 KiB of head + 4 KiB (http.c, mhd_pool_size). */
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_TURBO, (uint16_t)port, NULL, NULL,
        on_request, NULL, MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT, 4096u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16384 + 4096), MHD_OPTION_END);
    if (!d) {
        perror("mhd_peer: start");
        return 1;
    }
    printf("http://127.0.0.1:%u\n", port);
    fflush(stdout);
    for (;;) pause();
}
