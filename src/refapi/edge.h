/*
 * edge.h - answers and accounts outside the handlers (see edge.c).
 */
#ifndef APIERR_REFAPI_EDGE_H
#define APIERR_REFAPI_EDGE_H

#include "head.h"
#include "req.h"

#include <stddef.h>
#include <sys/socket.h>

/* What an answered request leaves behind: its access log line, its counts,
 * and for a 500 its cause in the error log. start_us 0: no latency. */
void refapi_account(refapi_server *srv, refapi_req *r, long long start_us);

/* The bytes of the answer to a head the gate refused (h NULL when none was
 * read), malloc'ed into *bytes: status line, the problem's headers, Date,
 * Connection: close, body. Their length, 0 on out-of-memory. */
size_t refapi_edge_refusal(refapi_server *srv, const refapi_head *h, const struct sockaddr *sa,
                           const refapi_head_error *why, char **bytes);

#endif
