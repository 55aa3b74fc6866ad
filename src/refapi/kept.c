/* kept.c - a connection's last reply, kept and rewritten (kept.h). */
#include "kept.h"

#include "req.h"

#include <string.h>
#include <strings.h>

/* Looked at on every header of every reply: the first letter before the
 * whole name. */
static int is_id_header(const apierr_header *h)
{
    return (h->name[0] | 0x20) == 'x' && strcasecmp(h->name, "X-Request-Id") == 0;
}

/* rep's X-Request-Id: its one value, or NULL when it has none, more than
 * one or one too long to keep (such a reply is not kept). */
static const char *reply_id(const apierr_reply *rep)
{
    const char *rid = NULL;
    for (size_t i = 0; i < rep->nheaders; i++) {
        if (!is_id_header(&rep->headers[i])) continue;
        if (rid) return NULL;
        rid = rep->headers[i].value;
    }
    return rid && strlen(rid) < APIERR_REQUEST_ID_BUFSIZE ? rid : NULL;
}

/* Keeps rep's status and headers but its id in k, each name and value
 * NUL-ended in k->sig; 0 when they do not fit. */
static int keep_sig(refapi_kept *k, const apierr_reply *rep)
{
    size_t n = 0, f = 0;
    for (size_t i = 0; i < rep->nheaders; i++) {
        const apierr_header *h = &rep->headers[i];
        if (is_id_header(h)) continue;
        size_t a = strlen(h->name) + 1, b = strlen(h->value) + 1;
        if (f == KEPT_FIELDS || n + a + b > KEPT_SIG) return 0;
        k->at[2 * f] = (unsigned short)n;
        k->at[2 * f + 1] = (unsigned short)(n + a);
        memcpy(k->sig + n, h->name, a);
        memcpy(k->sig + n + a, h->value, b);
        n += a + b;
        f++;
    }
    k->status = rep->status;
    k->nheaders = rep->nheaders;
    k->body_len = rep->body_len;
    return 1;
}

/* rep is like k's kept reply: the same status, body length and headers in
 * the same order, but its one X-Request-Id, whose value goes to *rid. One
 * strcmp() a name or value against the kept one, where copying each out
 * to compare the copies was a strlen() and a memcpy() each, and a third
 * of what a kept reply cost. */
static int like_kept(const refapi_kept *k, const apierr_reply *rep, const char **rid)
{
    *rid = NULL;
    if (!k->resp || rep->status != k->status || rep->body_len != k->body_len ||
        rep->nheaders != k->nheaders)
        return 0;
    size_t f = 0;
    for (size_t i = 0; i < rep->nheaders; i++) {
        const apierr_header *h = &rep->headers[i];
        if (is_id_header(h)) {
            if (*rid) return 0;
            *rid = h->value;
            continue;
        }
        /* The same count of headers and one id each: f stays in range. */
        if (f == k->nheaders - 1 || strcmp(h->name, k->sig + k->at[2 * f]) != 0 ||
            strcmp(h->value, k->sig + k->at[2 * f + 1]) != 0)
            return 0;
        f++;
    }
    return *rid && strlen(*rid) < APIERR_REQUEST_ID_BUFSIZE;
}

/* A libmicrohttpd response of rep, X-Request-Id after the other headers
 * (where swap_id() puts it back, so that a kept reply keeps its order). Its
 * body is copied, or lent when it is the connection's kept buffer. */
static struct MHD_Response *new_response(const apierr_reply *rep, char *lent, int close_after)
{
    struct MHD_Response *resp =
        lent ? MHD_create_response_from_buffer(rep->body_len, lent, MHD_RESPMEM_PERSISTENT)
             : MHD_create_response_from_buffer(rep->body_len, rep->body, MHD_RESPMEM_MUST_COPY);
    if (!resp) return NULL;
    for (int ids = 0; ids < 2; ids++) {
        for (size_t i = 0; i < rep->nheaders; i++) {
            if (is_id_header(&rep->headers[i]) == ids)
                MHD_add_response_header(resp, rep->headers[i].name, rep->headers[i].value);
        }
    }
    if (close_after) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    return resp;
}

/* resp's copy of its X-Request-Id value: libmicrohttpd keeps the bytes
 * it was given in a buffer of the response and copies them into the
 * connection's output only when it sends the head. Its API hands them out
 * const and does not promise this: it is how 0.9.75 (Debian 12's, the one
 * scripts/deps.sh installs) works, and integration/serve_refapi_kept fails
 * on a libmicrohttpd that works otherwise (each answer must carry its own
 * id, the one in its body). */
static char *id_value(struct MHD_Response *resp)
{
    return (char *)MHD_get_response_header(resp, "X-Request-Id");
}

/* Puts request id rid on the kept response; 0 when it could not (the kept
 * response is then dropped: it may have lost its old id). An id as long as
 * the one there (every fresh id, and incoming ids of that width) is
 * written over it in place: the response is this connection's alone and
 * its last head is sent, so nothing reads those bytes now; a delete and
 * an add were three frees and three allocations a 429. */
static int swap_id(refapi_kept *k, const char *rid)
{
    if (strcmp(k->rid, rid) == 0) return 1;
    size_t n = strlen(rid);
    if (k->rid_at && n == strlen(k->rid)) {
        memcpy(k->rid_at, rid, n);
        memcpy(k->rid, rid, n);
        return 1;
    }
    if (MHD_del_response_header(k->resp, "X-Request-Id", k->rid) != MHD_YES ||
        MHD_add_response_header(k->resp, "X-Request-Id", rid) != MHD_YES)
        return 0;
    refapi_put(k->rid, sizeof k->rid, rid);
    k->rid_at = id_value(k->resp);
    return 1;
}

void refapi_kept_drop(refapi_kept *k)
{
    if (k->resp) MHD_destroy_response(k->resp);
    k->resp = NULL;
    k->rid_at = NULL;
}

enum MHD_Result refapi_kept_send(refapi_kept *kept, struct MHD_Connection *c,
                                 const apierr_reply *rep, int close_after)
{
    refapi_kept *k = !close_after && rep->body_len <= KEPT_BODY ? kept : NULL;
    const char *rid = NULL;
    if (k && like_kept(k, rep, &rid) && swap_id(k, rid)) {
        if (rep->body_len) memcpy(k->body, rep->body, rep->body_len);
        return MHD_queue_response(c, (unsigned)rep->status, k->resp);
    }
    if (k) refapi_kept_drop(k);
    rid = k ? reply_id(rep) : NULL;
    int keep = rid && keep_sig(k, rep);
    if (keep && rep->body_len) memcpy(k->body, rep->body, rep->body_len); /* 204: no body at all */
    struct MHD_Response *resp = new_response(rep, keep ? k->body : NULL, close_after);
    if (!resp) return MHD_NO;
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)rep->status, resp);
    if (!keep) {
        MHD_destroy_response(resp);
        return ok;
    }
    k->resp = resp;
    refapi_put(k->rid, sizeof k->rid, rid);
    k->rid_at = id_value(resp);
    return ok;
}
