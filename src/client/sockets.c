/*
 * The sockets libcurl asks the engine to watch, and libcurl's one timer:
 * the multi handle driven by events (curl_multi_socket_action()) rather
 * than by curl_multi_perform(), which visits every transfer at each
 * wake-up, and asks the kernel about each one's socket, even when one
 * answer arrived among 64 in flight. With events, a wake-up costs the
 * transfers whose sockets are ready, so the client's CPU per call stays
 * the same from 1 call in flight to thousands (bench_client).
 *
 * epoll on Linux; elsewhere (or built with -DAPIERR_NO_EPOLL) a poll()
 * table of the same sockets. Either way the set only changes when libcurl
 * says so (CURLMOPT_SOCKETFUNCTION); the wait is one system call.
 */
#include "alloc.h"
#include "engine.h"

#include <errno.h>
#include <unistd.h>

#if defined(__linux__) && !defined(APIERR_NO_EPOLL)
#define APIERR_EPOLL 1
#include <sys/epoll.h>
#else
#define APIERR_EPOLL 0
#include <poll.h>
#endif

/* At most this many ready sockets are handed to libcurl per wake-up; more
 * stay ready for the next one. */
#define APIERR__SOCKET_BATCH 64

/* libcurl's CURLMOPT_TIMERFUNCTION: when libcurl wants to be called with
 * CURL_SOCKET_TIMEOUT (a new transfer, a timeout, a connection to retry).
 * Only recorded: libcurl must not be called back from inside itself. */
static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    apierr__sockets *s = userp;
    s->curl_due_ms = timeout_ms < 0 ? -1 : apierr__mono_ms() + timeout_ms;
    return 0;
}

#if APIERR_EPOLL

static uint32_t events_of(int what)
{
    return (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
}

/* libcurl's CURLMOPT_SOCKETFUNCTION: socket fd is to be watched for what
 * (CURL_POLL_IN, _OUT, _INOUT), or no more (CURL_POLL_REMOVE). socketp is
 * non-NULL once fd is in the epoll set (curl_multi_assign()). */
static int on_socket(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)e;
    apierr_client *c = userp;
    int ep = c->sockets.fd;
    if (what == CURL_POLL_REMOVE) {
        /* Fails harmlessly when libcurl already closed it (the kernel
         * dropped it from the set then). */
        epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
        return 0;
    }
    struct epoll_event ev = {.events = events_of(what), .data.fd = fd};
    if (socketp) return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) ? -1 : 0;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) return -1;
    curl_multi_assign(c->multi, fd, (void *)1);
    return 0;
}

static int watch_open(apierr__sockets *s)
{
    s->fd = epoll_create1(EPOLL_CLOEXEC);
    return s->fd < 0 ? -1 : 0;
}

static void watch_close(apierr__sockets *s)
{
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
}

static int select_bits(uint32_t ev)
{
    return (ev & (EPOLLIN | EPOLLHUP) ? CURL_CSELECT_IN : 0) |
           (ev & EPOLLOUT ? CURL_CSELECT_OUT : 0) | (ev & EPOLLERR ? CURL_CSELECT_ERR : 0);
}

/* Waits up to wait_ms for ready sockets; fills fds and bits. The number
 * ready, or -1. */
static int watch_wait(apierr__sockets *s, int wait_ms, curl_socket_t *fds, int *bits)
{
    struct epoll_event ev[APIERR__SOCKET_BATCH];
    int n = epoll_wait(s->fd, ev, APIERR__SOCKET_BATCH, wait_ms);
    if (n < 0) return errno == EINTR ? 0 : -1;
    for (int i = 0; i < n; i++) {
        fds[i] = ev[i].data.fd;
        bits[i] = select_bits(ev[i].events);
    }
    return n;
}

#else /* poll() */

static short events_of(int what)
{
    return (short)((what & CURL_POLL_IN ? POLLIN : 0) | (what & CURL_POLL_OUT ? POLLOUT : 0));
}

static struct pollfd *poll_find(apierr__sockets *s, curl_socket_t fd)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].fd == fd) return &s->v[i];
    return NULL;
}

/* libcurl's CURLMOPT_SOCKETFUNCTION (see the epoll one): the table keeps
 * one row per watched socket; a removed row takes the last one's place. */
static int on_socket(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)e, (void)socketp;
    apierr__sockets *s = &((apierr_client *)userp)->sockets;
    struct pollfd *p = poll_find(s, fd);
    if (what == CURL_POLL_REMOVE) {
        if (p) *p = s->v[--s->n];
        return 0;
    }
    if (!p) {
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 64;
            struct pollfd *v = apierr__realloc(s->v, cap * sizeof *v);
            if (!v) return -1;
            s->v = v;
            s->cap = cap;
        }
        p = &s->v[s->n++];
        p->fd = fd;
    }
    p->events = events_of(what);
    p->revents = 0;
    return 0;
}

static int watch_open(apierr__sockets *s)
{
    s->fd = -1;
    return 0;
}

static void watch_close(apierr__sockets *s)
{
    apierr__free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

static int select_bits(short ev)
{
    return (ev & (POLLIN | POLLHUP) ? CURL_CSELECT_IN : 0) | (ev & POLLOUT ? CURL_CSELECT_OUT : 0) |
           (ev & (POLLERR | POLLNVAL) ? CURL_CSELECT_ERR : 0);
}

/* Copies what is ready out of the table first: libcurl changes the table
 * while it handles a socket. */
static int watch_wait(apierr__sockets *s, int wait_ms, curl_socket_t *fds, int *bits)
{
    int n = poll(s->v, (nfds_t)s->n, wait_ms);
    if (n < 0) return errno == EINTR ? 0 : -1;
    int k = 0;
    for (size_t i = 0; i < s->n && k < APIERR__SOCKET_BATCH; i++) {
        if (!s->v[i].revents) continue;
        fds[k] = s->v[i].fd;
        bits[k++] = select_bits(s->v[i].revents);
        s->v[i].revents = 0;
    }
    return k;
}

#endif

int apierr__sockets_init(apierr_client *c)
{
    apierr__sockets *s = &c->sockets;
    s->curl_due_ms = -1;
    if (watch_open(s)) return APIERR_EIO;
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, s);
    return APIERR_OK;
}

void apierr__sockets_free(apierr_client *c)
{
    watch_close(&c->sockets);
}

int apierr__sockets_run(apierr_client *c, int wait_ms)
{
    apierr__sockets *s = &c->sockets;
    if (s->curl_due_ms >= 0) {
        long long left = s->curl_due_ms - apierr__mono_ms();
        if (left < wait_ms) wait_ms = left > 0 ? (int)left : 0;
    }
    curl_socket_t fds[APIERR__SOCKET_BATCH];
    int bits[APIERR__SOCKET_BATCH];
    int n = watch_wait(s, wait_ms, fds, bits);
    if (n < 0) return APIERR_EIO;
    int running;
    for (int i = 0; i < n; i++)
        if (curl_multi_socket_action(c->multi, fds[i], bits[i], &running) != CURLM_OK)
            return APIERR_EIO;
    /* libcurl's timer when it is due, and after every wait that found
     * nothing. The due time is left for on_timer() to move: libcurl
     * announces its timer only when the earliest one changes, and ours,
     * in whole milliseconds, may come a fraction early (then libcurl has
     * nothing to do yet, and is asked again on the next turn). */
    if (!n || (s->curl_due_ms >= 0 && s->curl_due_ms <= apierr__mono_ms())) {
        if (curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running) != CURLM_OK)
            return APIERR_EIO;
    }
    return APIERR_OK;
}
