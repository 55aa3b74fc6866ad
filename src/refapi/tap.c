/*
 * tap.c - the request heads of watched connections, checked in recv() as
 * libmicrohttpd reads them (tap.h). Each watched socket has a framer
 * (framer.h: head, body, next head) fed with what libmicrohttpd reads. A
 * refused head cuts the read before it: libmicrohttpd gets
 * the requests before it, and its next read answers the refusal and
 * returns end-of-file, so that the answers stay in order and nothing after
 * the refused head is served.
 */
#undef _FORTIFY_SOURCE /* its inline recv() would clash with the one defined here */
#define _GNU_SOURCE    /* F_DUPFD_CLOEXEC */
#include "tap.h"
#include "framer.h"
#include "req.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define TAP_MAX_FDS 65536 /* descriptors beyond are not watched */

typedef struct tap_conn {
    pthread_mutex_t lock; /* the reading thread against the deadline's */
    int fd;
    struct sockaddr_storage sa;
    refapi_framer fr;
    long long head_since_ms; /* the first byte of the head under way; 0: none */
    unsigned long done;      /* requests the server has answered */
    unsigned long owed;      /* a refusal waits until done reaches this */
    int doomed;              /* answered: every read is end-of-file */
    char *answer;
    size_t answer_len;
} tap_conn;

static refapi_tap_opts tap_o;
static _Atomic(tap_conn *) *tap_table; /* by descriptor; kept once made */
static size_t tap_cap;
static int tap_hi;                                           /* highest watched descriptor + 1 */
static pthread_mutex_t tap_lock = PTHREAD_MUTEX_INITIALIZER; /* watch, forget, expire */

/* Answers the connection now and dooms it: the answer and the drain go to
 * a duplicate, so that libmicrohttpd may close its own descriptor at once. */
static void deliver(tap_conn *c)
{
    int d = fcntl(c->fd, F_DUPFD_CLOEXEC, 0);
    if (d >= 0)
        tap_o.answer(tap_o.ctx, d, (struct sockaddr *)&c->sa, c->answer, c->answer_len);
    else if (c->answer_len)
        (void)send(c->fd, c->answer, c->answer_len, MSG_NOSIGNAL | MSG_DONTWAIT);
    c->doomed = 1;
}

/* The framer refused (v): the answer is made now, while the head it
 * points into is there, and sent in its turn. */
static void refused(tap_conn *c, const refapi_framer_verdict *v)
{
    c->owed = c->fr.heads - (v->in_request ? 1 : 0);
    c->answer_len =
        tap_o.refuse(tap_o.ctx, v->head, (struct sockaddr *)&c->sa, &v->why, &c->answer);
    c->head_since_ms = 0;
}

/* Follows a read through the framing: the bytes before a refused head. */
static size_t scan(tap_conn *c, const char *buf, size_t n)
{
    refapi_framer_verdict v;
    size_t ok = refapi_framer_feed(&c->fr, buf, n, &v);
    if (c->fr.refused)
        refused(c, &v);
    else if (!refapi_framer_in_head(&c->fr))
        c->head_since_ms = 0;
    else if (!c->head_since_ms)
        c->head_since_ms = refapi_mono_ms();
    return ok;
}

/* The refusal, when the server has answered every request before it;
 * then every read is end-of-file. 1 when delivered. */
static int deliver_owed(tap_conn *c)
{
    if (!c->fr.refused || c->doomed || c->done < c->owed) return 0;
    deliver(c);
    return 1;
}

/* A read of a watched socket: the system call itself, not libc's
 * recvfrom(), which as a cancellation point turns the thread's
 * asynchronous cancellation on and off around it, two locked instructions
 * a read. Only libmicrohttpd's workers read watched sockets, and nothing
 * cancels them. */
static ssize_t tap_recv(int fd, void *buf, size_t n, int flags)
{
    return syscall(SYS_recvfrom, fd, buf, n, flags, NULL, NULL);
}

static ssize_t tap_read(tap_conn *c, void *buf, size_t n, int flags)
{
    pthread_mutex_lock(&c->lock);
    ssize_t r = 0;
    int e = errno, was_refused = c->fr.refused;
    if (!c->doomed && !was_refused) {
        r = tap_recv(c->fd, buf, n, flags);
        e = errno;
        /* Only the bytes before a refused head: what follows it is never
         * served. */
        if (r > 0) {
            size_t ok = scan(c, buf, (size_t)r);
            if (c->fr.refused) r = (ssize_t)ok;
        }
    }
    if (c->fr.refused && !c->doomed && (was_refused || c->done >= c->owed || r == 0)) {
        /* Its turn, or the server's answers before it first: they end in
         * refapi_tap_done, which answers it then. */
        if (deliver_owed(c))
            r = 0;
        else
            r = -1, e = EAGAIN;
    }
    pthread_mutex_unlock(&c->lock);
    errno = e;
    return r;
}

void refapi_tap_done(int fd)
{
    _Atomic(tap_conn *) *t = atomic_load_explicit(&tap_table, memory_order_acquire);
    if (!t || fd < 0 || (size_t)fd >= tap_cap) return;
    tap_conn *c = atomic_load_explicit(&t[fd], memory_order_acquire);
    if (!c) return;
    pthread_mutex_lock(&c->lock);
    c->done++;
    deliver_owed(c);
    pthread_mutex_unlock(&c->lock);
}

/* libc's recv(), for every caller in the process: see tap.h. Visible, or
 * the build's hidden default would keep it from libmicrohttpd. */
__attribute__((visibility("default"))) ssize_t recv(int fd, void *buf, size_t n, int flags)
{
    _Atomic(tap_conn *) *t = atomic_load_explicit(&tap_table, memory_order_acquire);
    tap_conn *c = NULL;
    if (t && fd >= 0 && (size_t)fd < tap_cap && !(flags & MSG_PEEK))
        c = atomic_load_explicit(&t[fd], memory_order_acquire);
    if (!c) return recvfrom(fd, buf, n, flags, NULL, NULL);
    return tap_read(c, buf, n, flags);
}

int refapi_tap_start(const refapi_tap_opts *o)
{
    pthread_mutex_lock(&tap_lock);
    int rc = 0;
    tap_o = *o;
    if (!atomic_load(&tap_table)) {
        struct rlimit rl;
        size_t cap = TAP_MAX_FDS;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < cap) cap = (size_t)rl.rlim_cur;
        _Atomic(tap_conn *) *t = calloc(cap, sizeof *t);
        if (t) {
            tap_cap = cap;
            atomic_store_explicit(&tap_table, t, memory_order_release);
        } else
            rc = -1;
    }
    pthread_mutex_unlock(&tap_lock);
    return rc;
}

static void conn_free(tap_conn *c)
{
    pthread_mutex_destroy(&c->lock);
    refapi_framer_free(&c->fr);
    free(c->answer);
    free(c);
}

void refapi_tap_stop(void)
{
    pthread_mutex_lock(&tap_lock);
    _Atomic(tap_conn *) *t = atomic_load(&tap_table);
    for (int fd = 0; t && fd < tap_hi; fd++) {
        tap_conn *c = atomic_exchange(&t[fd], NULL);
        if (c) conn_free(c);
    }
    tap_hi = 0;
    pthread_mutex_unlock(&tap_lock);
}

int refapi_tap_watch(int fd, const struct sockaddr *sa, socklen_t salen)
{
    _Atomic(tap_conn *) *t = atomic_load(&tap_table);
    if (!t || fd < 0 || (size_t)fd >= tap_cap) return -1;
    tap_conn *c = calloc(1, sizeof *c);
    if (!c) return -1;
    pthread_mutex_init(&c->lock, NULL);
    c->fd = fd;
    if (sa && salen <= sizeof c->sa) memcpy(&c->sa, sa, salen);
    refapi_framer_init(&c->fr, tap_o.max_line, tap_o.max_head);
    pthread_mutex_lock(&tap_lock);
    tap_conn *old = atomic_exchange(&t[fd], c);
    if (fd >= tap_hi) tap_hi = fd + 1;
    pthread_mutex_unlock(&tap_lock);
    if (old) conn_free(old); /* not forgotten: a descriptor is watched once at a time */
    return 0;
}

void refapi_tap_forget(int fd)
{
    _Atomic(tap_conn *) *t = atomic_load(&tap_table);
    if (!t || fd < 0 || (size_t)fd >= tap_cap) return;
    pthread_mutex_lock(&tap_lock);
    tap_conn *c = atomic_exchange(&t[fd], NULL);
    pthread_mutex_unlock(&tap_lock);
    /* Only the thread that reads fd forgets it, and the deadline's thread
     * touches c only under tap_lock: nobody holds c now. */
    if (c) conn_free(c);
}

void refapi_tap_expire(long long now_ms)
{
    static const refapi_head_error late = {408, "request_timeout",
                                           "The request head did not arrive in time."};
    _Atomic(tap_conn *) *t = atomic_load(&tap_table);
    if (!t) return;
    pthread_mutex_lock(&tap_lock);
    for (int fd = 0; fd < tap_hi; fd++) {
        tap_conn *c = atomic_load(&t[fd]);
        if (!c) continue;
        pthread_mutex_lock(&c->lock);
        if (!c->fr.refused && c->head_since_ms &&
            now_ms - c->head_since_ms >= (long long)tap_o.head_timeout_ms) {
            refapi_framer_verdict v = {late, NULL, 0};
            c->fr.refused = 1;
            refused(c, &v);
            deliver_owed(c);
        }
        pthread_mutex_unlock(&c->lock);
    }
    pthread_mutex_unlock(&tap_lock);
}
