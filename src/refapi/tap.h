/*
 * tap.h - every request head of a connection libmicrohttpd serves, checked
 * as libmicrohttpd reads it, with the rules the gate applies to the first
 * head (head.h): framing, the line and head limits, the head deadline. A
 * refused head is answered by the tap (the problem, Connection: close) once
 * the requests before it are answered, and libmicrohttpd is told the peer
 * closed, so that it neither answers it in HTML nor reads what follows.
 *
 * How: libmicrohttpd 0.9.75 reads its sockets with recv() and offers no
 * hook between that read and its own parser. The tap defines recv(): the
 * executable's definition takes the place of libc's for every library of
 * the process (ELF symbol interposition), and forwards to recvfrom(), which
 * it does not define. Sockets it was not told to watch pass through
 * untouched (one table load); on watched ones it follows the message
 * boundaries (Content-Length, chunked) to find each head.
 *
 * One tap per process, because recv() is.
 */
#ifndef APIERR_REFAPI_TAP_H
#define APIERR_REFAPI_TAP_H

#include "head.h"

#include <stddef.h>
#include <sys/socket.h>

typedef struct refapi_tap_opts {
    size_t max_line, max_head; /* of every head: 414 and 431 beyond */
    unsigned head_timeout_ms;  /* from a head's first byte to its end: 408 after */
    /* The bytes of the answer to a refused head (h NULL when it was not
     * parsed), malloc'ed; their length, 0 when none. */
    size_t (*refuse)(void *ctx, const refapi_head *h, const struct sockaddr *sa,
                     const refapi_head_error *why, char **bytes);
    /* Writes bytes on fd, a duplicate of a watched socket, shuts its write
     * side and drains it before closing it: the socket outlives the server's
     * close of its own descriptor, so that unread bytes do not reset the
     * answer away. */
    void (*answer)(void *ctx, int fd, const struct sockaddr *sa, const char *bytes, size_t n);
    void *ctx;
} refapi_tap_opts;

/* Starts the tap. 0, or -1 (a tap is running already, or no memory). */
int refapi_tap_start(const refapi_tap_opts *o);

/* Stops watching every socket and frees the tap (after the server's last
 * read). */
void refapi_tap_stop(void);

/* Watches fd, a connection of the server whose bytes have not been read
 * yet, from sa; forgets it before it is closed (the thread that reads it,
 * both). 0, or -1 (not watched: fd beyond the table, or no memory). */
int refapi_tap_watch(int fd, const struct sockaddr *sa, socklen_t salen);
void refapi_tap_forget(int fd);

/* The server has answered a request of fd (the thread that reads it): a
 * refusal waiting for it goes out now. */
void refapi_tap_done(int fd);

/* Answers 408 to each watched head begun more than the head deadline ago
 * (any thread; the gate's calls it on each of its turns). */
void refapi_tap_expire(long long now_ms);

#endif
