/*
 * gate.h - the door of the reference API: it accepts connections itself,
 * counts them (all, and per address), waits for each first request head up
 * to a deadline, checks that head strictly (head.h), and only then hands
 * the socket to the HTTP server, which reads the same bytes again (the gate
 * only peeks). A head it refuses is answered through a callback (the
 * problem in the profile's dialect) and the connection is closed gently.
 *
 * Why: libmicrohttpd 0.9.75 has no per-request head deadline, answers its
 * own parse errors in HTML, and lets a handful of slow sockets hold every
 * connection slot until the idle timeout.
 */
#ifndef APIERR_REFAPI_GATE_H
#define APIERR_REFAPI_GATE_H

#include "head.h"

#include <stddef.h>
#include <sys/socket.h>

typedef struct refapi_gate refapi_gate;

typedef struct refapi_gate_opts {
    int listen_fd;             /* listening, taken: closed by refapi_gate_stop */
    size_t max_line, max_head; /* of the first head: 414 and 431 beyond */
    unsigned head_timeout_ms;  /* to receive the first head: 408 after */
    unsigned max_connections;  /* open at once, the server's included: 503 beyond */
    unsigned max_per_ip;       /* open at once from one address: 429 beyond; 0: no cap */
    /* Hands a checked connection (non-blocking) to the server; 0 or -1 (the
     * socket closed by it either way). */
    int (*admit)(void *ctx, int fd, const struct sockaddr *sa, socklen_t salen);
    /* The bytes of the answer to a refused connection (h NULL when no head
     * was read), malloc'ed; their length, 0 when none. */
    size_t (*refuse)(void *ctx, const refapi_head *h, const struct sockaddr *sa,
                     const refapi_head_error *why, char **bytes);
    /* Called on each turn of the gate's thread (at least every 100 ms), or
     * NULL: what else has deadlines to keep. */
    void (*tick)(void *ctx, long long now_ms);
    void *ctx;
} refapi_gate_opts;

/* Starts the gate's thread. 0, or -1 (errno set). */
int refapi_gate_start(refapi_gate **out, const refapi_gate_opts *o);

/* The server closed a connection the gate admitted (any thread). */
void refapi_gate_release(refapi_gate *g, const struct sockaddr *sa);

/* Answers a connection the server refused on its own (any thread): writes
 * bytes on fd, shuts its write side, then drains it for a while before
 * closing it, as the gate does with the connections it refuses. fd is the
 * gate's (a duplicate: not counted as a connection). */
void refapi_gate_answer(refapi_gate *g, int fd, const struct sockaddr *sa, const char *bytes,
                        size_t n);

/* Stops accepting at once (the listening socket is closed: new connections
 * are refused by the kernel), closes what the gate still holds, joins its
 * thread. Admitted connections are the server's to finish. */
void refapi_gate_stop(refapi_gate *g);

/* Connections open now: those the gate holds and those it admitted that
 * the server has not closed yet. */
unsigned refapi_gate_open(refapi_gate *g);

/* Frees a stopped gate (after the server's last release). */
void refapi_gate_free(refapi_gate *g);

#endif
