/*
 * kept.h - how apierr serve hands its replies to libmicrohttpd: each
 * connection keeps its last reply and answers the next one like it by
 * rewriting that response, not building a new one.
 */
#ifndef APIERR_REFAPI_KEPT_H
#define APIERR_REFAPI_KEPT_H

#include "apierr-server.h"

#include <microhttpd.h>
#include <stddef.h>

/* The last reply a connection was sent, kept as a libmicrohttpd response
 * for the next one like it: same status, same headers but X-Request-Id,
 * same body length (a flood of 429s on one key, a client reading one
 * invoice). The next is then its body copied over the kept one and its id
 * swapped in, where building a response copies every header name and value
 * into blocks of their own (three allocations a header, eight headers on a
 * 429) and frees them after the send. The body is the connection's own
 * buffer: its requests are answered one after the other, so the bytes
 * are never rewritten while libmicrohttpd still sends them. */
#define KEPT_SIG    1024 /* the headers but the id, as NUL-ended names and values */
#define KEPT_FIELDS 16   /* headers but the id, at most */
#define KEPT_BODY   2048

typedef struct refapi_kept {
    struct MHD_Response *resp; /* NULL: nothing kept */
    int status;
    char rid[APIERR_REQUEST_ID_BUFSIZE]; /* the X-Request-Id resp carries */
    char *rid_at; /* resp's own copy of it (see kept.c, swap_id()), NULL: unknown */
    size_t nheaders, body_len;
    unsigned short at[2 * KEPT_FIELDS]; /* where each name and value starts in sig */
    char sig[KEPT_SIG];
    char body[KEPT_BODY];
} refapi_kept;

/* Sends rep on c: k's kept response rewritten when rep is like it, else a
 * new one, kept in k for the next when it fits. close_after: "Connection:
 * close", which makes libmicrohttpd close the connection once the reply is
 * sent (such a reply is never kept). k NULL: nothing kept. A zeroed k keeps
 * nothing yet. */
enum MHD_Result refapi_kept_send(refapi_kept *k, struct MHD_Connection *c, const apierr_reply *rep,
                                 int close_after);

/* Frees what k keeps (at the connection's close). */
void refapi_kept_drop(refapi_kept *k);

#endif
