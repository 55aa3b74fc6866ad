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

/* rep's status and headers but its X-Request-Id, as bytes into sig
 * (KEPT_SIG), and that id into *rid: the length, or 0 when they do not fit
 * or rep has no single id (such a reply is not kept). */
static size_t reply_sig(const apierr_reply *rep, char *sig, const char **rid)
{
    size_t n = sizeof rep->status;
    *rid = NULL;
    memcpy(sig, &rep->status, n);
    for (size_t i = 0; i < rep->nheaders; i++) {
        const apierr_header *h = &rep->headers[i];
        if (is_id_header(h)) {
            if (*rid) return 0;
            *rid = h->value;
            continue;
        }
        size_t a = strlen(h->name) + 1, b = strlen(h->value) + 1;
        if (n + a + b > KEPT_SIG) return 0;
        memcpy(sig + n, h->name, a);
        memcpy(sig + n + a, h->value, b);
        n += a + b;
    }
    return *rid && strlen(*rid) < APIERR_REQUEST_ID_BUFSIZE ? n : 0;
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
    char sig[KEPT_SIG];
    const char *rid = NULL;
    size_t n = k ? reply_sig(rep, sig, &rid) : 0;
    if (n && k->resp && n == k->sig_len && rep->body_len == k->body_len &&
        memcmp(sig, k->sig, n) == 0 && swap_id(k, rid)) {
        if (rep->body_len) memcpy(k->body, rep->body, rep->body_len);
        return MHD_queue_response(c, (unsigned)rep->status, k->resp);
    }
    if (k) refapi_kept_drop(k);
    if (n && rep->body_len) memcpy(k->body, rep->body, rep->body_len); /* 204: no body at all */
    struct MHD_Response *resp = new_response(rep, n ? k->body : NULL, close_after);
    if (!resp) return MHD_NO;
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)rep->status, resp);
    if (!n) {
        MHD_destroy_response(resp);
        return ok;
    }
    k->resp = resp;
    k->sig_len = n;
    k->body_len = rep->body_len;
    memcpy(k->sig, sig, n);
    refapi_put(k->rid, sizeof k->rid, rid);
    k->rid_at = id_value(resp);
    return ok;
}
