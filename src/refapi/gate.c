/*
 * gate.c - accepting, counting and checking connections before the HTTP
 * server has them (gate.h). One thread over epoll: the listening socket and
 * the connections whose first head is not in yet, edge-triggered, because
 * the gate only peeks (MSG_PEEK leaves the bytes for the server, and a
 * level-triggered socket with bytes left would wake the loop forever).
 */
#define _GNU_SOURCE /* accept4 */
#include "gate.h"
#include "req.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define IP_SLOTS    4096 /* open addressing; more addresses than this share the last probe */
#define LINGER_MS   1000 /* a refused connection is drained this long before close */
#define REFUSE_SEND 1000 /* ms to write a refusal */

enum { WAIT_HEAD, LINGER };

typedef struct pending {
    int fd;
    int state;
    long long deadline_ms;
    struct sockaddr_storage sa;
    socklen_t salen;
    size_t slot;  /* index in the gate's pending array */
    int released; /* no longer counted: refused, draining */
} pending;

/* A connection the server answered itself, waiting for the gate's thread
 * to drain it. */
typedef struct handed {
    int fd;
    struct sockaddr_storage sa;
    struct handed *next;
} handed;

typedef struct ip_count {
    uint32_t ip;
    unsigned n;
} ip_count;

struct refapi_gate {
    refapi_gate_opts o;
    int ep;
    pthread_t thread;
    atomic_int stop;
    atomic_uint open; /* pending + admitted */
    pending **pend;
    size_t npend, pend_cap; /* the caps, and refused ones draining */
    char *peek;
    size_t peek_cap;
    pthread_mutex_t ip_lock;
    ip_count ips[IP_SLOTS];
    pthread_mutex_t hand_lock;
    handed *hand; /* refapi_gate_answer's, for the gate's thread */
};

static uint32_t ip_of(const struct sockaddr *sa)
{
    if (sa->sa_family != AF_INET) return 0;
    return ((const struct sockaddr_in *)sa)->sin_addr.s_addr;
}

/* The slot of ip: its own, or the first free one on its probe. */
static ip_count *ip_slot(refapi_gate *g, uint32_t ip)
{
    size_t h = (size_t)((ip * 2654435761u) % IP_SLOTS), free_at = IP_SLOTS;
    for (size_t i = 0; i < IP_SLOTS; i++) {
        ip_count *c = &g->ips[(h + i) % IP_SLOTS];
        if (c->n && c->ip == ip) return c;
        if (!c->n && free_at == IP_SLOTS) free_at = (h + i) % IP_SLOTS;
        if (!c->n && !c->ip) break;
    }
    return free_at < IP_SLOTS ? &g->ips[free_at] : NULL;
}

/* Counts a new connection of sa; how many its address had open before. */
static unsigned ip_take(refapi_gate *g, const struct sockaddr *sa)
{
    unsigned before = 0;
    pthread_mutex_lock(&g->ip_lock);
    ip_count *c = ip_slot(g, ip_of(sa));
    if (c) {
        before = c->n;
        c->ip = ip_of(sa);
        c->n++;
    }
    pthread_mutex_unlock(&g->ip_lock);
    return before;
}

static void ip_give(refapi_gate *g, const struct sockaddr *sa)
{
    pthread_mutex_lock(&g->ip_lock);
    ip_count *c = ip_slot(g, ip_of(sa));
    if (c && c->n && c->ip == ip_of(sa)) c->n--;
    pthread_mutex_unlock(&g->ip_lock);
}

void refapi_gate_release(refapi_gate *g, const struct sockaddr *sa)
{
    ip_give(g, sa);
    atomic_fetch_sub(&g->open, 1);
}

static void forget(refapi_gate *g, pending *p)
{
    g->pend[p->slot] = g->pend[--g->npend];
    g->pend[p->slot]->slot = p->slot;
    epoll_ctl(g->ep, EPOLL_CTL_DEL, p->fd, NULL);
}

static void drop(refapi_gate *g, pending *p)
{
    forget(g, p);
    close(p->fd);
    if (!p->released) refapi_gate_release(g, (struct sockaddr *)&p->sa);
    free(p);
}

/* Writes all of buf before a deadline: a refusal is small, and a peer that
 * does not read it loses it rather than the gate's time. */
static void send_all(int fd, const char *buf, size_t n)
{
    long long until = refapi_mono_ms() + REFUSE_SEND;
    while (n) {
        ssize_t w = send(fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) {
            buf += w, n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR) return;
        long long left = until - refapi_mono_ms();
        if (left <= 0) return;
        struct pollfd pf = {fd, POLLOUT, 0};
        poll(&pf, 1, (int)left);
    }
}

static void linger_read(refapi_gate *g, pending *p);

static void linger(pending *p)
{
    p->released = 1;
    p->state = LINGER;
    p->deadline_ms = refapi_mono_ms() + LINGER_MS;
}

/* Answers why, then half-closes and drains the peer's bytes for a while,
 * so that the kernel does not reset the connection (and the answer with
 * it) over bytes left unread. */
static void refuse(refapi_gate *g, pending *p, const refapi_head *h, const refapi_head_error *why)
{
    char *bytes = NULL;
    size_t n = g->o.refuse(g->o.ctx, h, (struct sockaddr *)&p->sa, why, &bytes);
    if (n) send_all(p->fd, bytes, n);
    free(bytes);
    shutdown(p->fd, SHUT_WR);
    /* Answered: the slot is free again while the socket drains. */
    refapi_gate_release(g, (struct sockaddr *)&p->sa);
    linger(p);
}

void refapi_gate_answer(refapi_gate *g, int fd, const struct sockaddr *sa, const char *bytes,
                        size_t n)
{
    if (n) send_all(fd, bytes, n);
    shutdown(fd, SHUT_WR);
    handed *h = atomic_load(&g->stop) ? NULL : calloc(1, sizeof *h);
    if (!h) {
        close(fd); /* stopping: no thread left to drain it */
        return;
    }
    h->fd = fd;
    if (sa->sa_family == AF_INET) memcpy(&h->sa, sa, sizeof(struct sockaddr_in));
    pthread_mutex_lock(&g->hand_lock);
    h->next = g->hand;
    g->hand = h;
    pthread_mutex_unlock(&g->hand_lock);
}

/* The connections the server answered, drained from now on like the
 * gate's own refusals. */
static void take_handed(refapi_gate *g)
{
    pthread_mutex_lock(&g->hand_lock);
    handed *h = g->hand;
    g->hand = NULL;
    pthread_mutex_unlock(&g->hand_lock);
    while (h) {
        handed *next = h->next;
        pending *p = g->npend < g->pend_cap ? calloc(1, sizeof *p) : NULL;
        if (p) {
            p->fd = h->fd;
            p->sa = h->sa;
            p->slot = g->npend;
            g->pend[g->npend++] = p;
            linger(p);
            struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.ptr = p};
            epoll_ctl(g->ep, EPOLL_CTL_ADD, p->fd, &ev);
            linger_read(g, p);
        } else
            close(h->fd);
        free(h);
        h = next;
    }
}

static void linger_read(refapi_gate *g, pending *p)
{
    char sink[4096];
    for (;;) {
        ssize_t r = recv(p->fd, sink, sizeof sink, MSG_DONTWAIT);
        if (r > 0) continue;
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
        drop(g, p);
        return;
    }
}

/* New bytes on a connection waiting for its head. */
static void on_bytes(refapi_gate *g, pending *p)
{
    ssize_t n = recv(p->fd, g->peek, g->peek_cap, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        drop(g, p);
        return;
    }
    if (n < 0) return;
    static refapi_head h; /* the gate's thread only: too large for its stack */
    refapi_head_error why;
    int rc = refapi_head_parse(g->peek, (size_t)n, g->o.max_line, g->o.max_head, &h, &why);
    if (rc == 0) return;
    if (rc < 0) {
        refuse(g, p, h.method[0] ? &h : NULL, &why);
        return;
    }
    forget(g, p);
    if (g->o.admit(g->o.ctx, p->fd, (struct sockaddr *)&p->sa, p->salen) != 0)
        refapi_gate_release(g, (struct sockaddr *)&p->sa);
    free(p);
}

static void on_accept(refapi_gate *g)
{
    static const refapi_head_error busy = {503, "service_unavailable",
                                           "The server has too many open connections."};
    static const refapi_head_error per_ip = {429, "too_many_connections",
                                             "Too many open connections from this address."};
    for (;;) {
        struct sockaddr_storage sa;
        socklen_t salen = sizeof sa;
        int fd =
            accept4(g->o.listen_fd, (struct sockaddr *)&sa, &salen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        pending *p = g->npend < g->pend_cap ? calloc(1, sizeof *p) : NULL;
        if (!p) {
            close(fd); /* the gate's own table is full: nothing to answer with */
            continue;
        }
        p->fd = fd;
        p->sa = sa;
        p->salen = salen;
        p->state = WAIT_HEAD;
        p->deadline_ms = refapi_mono_ms() + g->o.head_timeout_ms;
        p->slot = g->npend;
        g->pend[g->npend++] = p;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.ptr = p};
        epoll_ctl(g->ep, EPOLL_CTL_ADD, fd, &ev);
        /* Counted before the caps are looked at, so that a refused
         * connection is released like any other. */
        unsigned total = atomic_fetch_add(&g->open, 1);
        unsigned from_ip = ip_take(g, (struct sockaddr *)&sa);
        if (total >= g->o.max_connections)
            refuse(g, p, NULL, &busy);
        else if (g->o.max_per_ip && from_ip >= g->o.max_per_ip)
            refuse(g, p, NULL, &per_ip);
        else
            on_bytes(g, p);
    }
}

static void expire(refapi_gate *g)
{
    static const refapi_head_error late = {408, "request_timeout",
                                           "The request head did not arrive in time."};
    long long now = refapi_mono_ms();
    for (size_t i = g->npend; i-- > 0;) {
        pending *p = g->pend[i];
        if (now < p->deadline_ms) continue;
        if (p->state == LINGER)
            drop(g, p);
        else
            refuse(g, p, NULL, &late);
    }
}

static void *gate_main(void *arg)
{
    refapi_gate *g = arg;
    struct epoll_event evs[64];
    while (!atomic_load(&g->stop)) {
        int n = epoll_wait(g->ep, evs, 64, 100);
        for (int i = 0; i < n; i++) {
            pending *p = evs[i].data.ptr;
            if (!p)
                on_accept(g);
            else if (p->state == LINGER)
                linger_read(g, p);
            else
                on_bytes(g, p);
        }
        take_handed(g);
        expire(g);
        if (g->o.tick) g->o.tick(g->o.ctx, refapi_mono_ms());
    }
    take_handed(g);
    while (g->npend) {
        pending *p = g->pend[g->npend - 1];
        drop(g, p);
    }
    return NULL;
}

int refapi_gate_start(refapi_gate **out, const refapi_gate_opts *o)
{
    refapi_gate *g = calloc(1, sizeof *g);
    if (!g) return -1;
    g->o = *o;
    g->peek_cap = (o->max_head > o->max_line ? o->max_head : o->max_line) + 1;
    g->peek = malloc(g->peek_cap);
    g->pend_cap = (size_t)o->max_connections * 2 + 16;
    g->pend = calloc(g->pend_cap, sizeof *g->pend);
    g->ep = epoll_create1(EPOLL_CLOEXEC);
    pthread_mutex_init(&g->ip_lock, NULL);
    pthread_mutex_init(&g->hand_lock, NULL);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (!g->peek || !g->pend || g->ep < 0 ||
        epoll_ctl(g->ep, EPOLL_CTL_ADD, o->listen_fd, &ev) != 0 ||
        pthread_create(&g->thread, NULL, gate_main, g) != 0) {
        if (g->ep >= 0) close(g->ep);
        close(o->listen_fd);
        pthread_mutex_destroy(&g->ip_lock);
        pthread_mutex_destroy(&g->hand_lock);
        free(g->peek);
        free(g->pend);
        free(g);
        return -1;
    }
    *out = g;
    return 0;
}

void refapi_gate_stop(refapi_gate *g)
{
    if (!g) return;
    atomic_store(&g->stop, 1);
    pthread_join(g->thread, NULL);
    close(g->o.listen_fd);
    close(g->ep);
}

unsigned refapi_gate_open(refapi_gate *g)
{
    return atomic_load(&g->open);
}

void refapi_gate_free(refapi_gate *g)
{
    if (!g) return;
    while (g->hand) { /* handed during the drain */
        handed *h = g->hand;
        g->hand = h->next;
        close(h->fd);
        free(h);
    }
    pthread_mutex_destroy(&g->ip_lock);
    pthread_mutex_destroy(&g->hand_lock);
    free(g->peek);
    free(g->pend);
    free(g);
}
