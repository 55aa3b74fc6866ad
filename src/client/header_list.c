/*
 * An attempt's header list (CURLOPT_HTTPHEADER): the client's headers, the
 * request's, the credentials, the body's type, the idempotency key,
 * User-Agent and Accept-Encoding, "Expect:" before a body.
 *
 * Most attempts add nothing of their own (a GET of a client with a token):
 * their list is the same line for line, so they share one, made once per
 * credentials (c->creds.gen) and counted by the legs that carry it, rather
 * than each formatting and copying it (some 5,000 of an attempt's
 * instructions in bench_client). libcurl only reads the list it is given.
 */
#include "alloc.h"
#include "engine.h"

#include <string.h>
#include <strings.h>

/* A list shared by attempts: freed when the last leg lets it go and the
 * client has made a newer one. */
struct apierr__shared_headers {
    struct curl_slist *list;
    size_t refs;  /* the legs that carry it, and the client while current */
    unsigned gen; /* the credentials it holds */
};

static int add_line(struct curl_slist **list, const char *line)
{
    struct curl_slist *s = curl_slist_append(*list, line);
    if (s) *list = s;
    return s ? 0 : -1;
}

/* "name: value" on list, and its -v line (a secret hidden). */
static int add_header(apierr_client *c, struct curl_slist **list, const char *name,
                      const char *value)
{
    apierr__buf b = APIERR__BUF_INIT;
    apierr__buf_printf(&b, "%s: %s", name, value);
    int bad = b.oom || add_line(list, b.data);
    /* libcurl sends no line for an empty value (it only keeps its own
     * header of that name out), so -v shows none. */
    if (c->verbose && *name && *value) {
        apierr__buf line = APIERR__BUF_INIT;
        apierr__header_line(&line, "> ", name, value, apierr__creds_secret_header(c, name));
        apierr__client_log(c, &line);
        apierr__buf_free(&line);
    }
    apierr__buf_free(&b);
    return bad ? -1 : 0;
}

/* Whether the client's headers or k's (k NULL: none) name it. */
static int has_header(const apierr_client *c, const apierr__call *k, const char *name)
{
    return (k && apierr_header_find(k->hdrs, k->nhdrs, name)) ||
           apierr_header_find(c->hdrs, c->nhdrs, name);
}

/* Builds the list of an attempt of k, or (k NULL) of one that adds
 * nothing of its own: credentials unless a header of the call's carries
 * its own; User-Agent and Accept-Encoding as lines made once per client
 * (transfer.c), unless given, rather than CURLOPT_USERAGENT's and
 * _ACCEPT_ENCODING's values, which libcurl formats anew for every request
 * (some 7,400 instructions an attempt); libcurl still decodes the body, as
 * CURLOPT_ACCEPT_ENCODING is set. 0, or -1 when a line could not be added
 * (*list holds the others). */
/* A POST's form type is libcurl's own line: given here too, it would stay
 * on the GET that a 301, 302 or 303 turns the POST into, where curl's
 * goes with the body. */
static int libcurls_type(const apierr__call *k)
{
    return !k->nform && !strcmp(k->run->res.method, "POST") &&
           !strcasecmp(k->content_type, "application/x-www-form-urlencoded");
}

static int build(apierr_client *c, const apierr__call *k, struct curl_slist **list)
{
    int bad = 0;
    for (size_t i = 0; i < c->nhdrs; i++)
        bad |= add_header(c, list, c->hdrs[i].name, c->hdrs[i].value);
    for (size_t i = 0; k && i < k->nhdrs; i++)
        bad |= add_header(c, list, k->hdrs[i].name, k->hdrs[i].value);
    apierr__buf v = APIERR__BUF_INIT;
    const char *auth = apierr__creds_header(&c->creds, &v);
    if (auth && !has_header(c, k, auth)) bad |= v.oom || add_header(c, list, auth, v.data);
    apierr__buf_free(&v);
    if (k && k->content_type && !libcurls_type(k))
        bad |= add_header(c, list, "Content-Type", k->content_type);
    if (k && k->has_key && c->profile.idempotency_key_in == APIERR_KEY_IN_HEADER)
        bad |= add_header(c, list, c->profile.idempotency_key, k->run->res.idempotency_key);
    if (!has_header(c, k, "User-Agent")) bad |= add_line(list, c->xfer.user_agent_line);
    if (!has_header(c, k, "Accept-Encoding")) bad |= add_line(list, c->xfer.accept_encoding_line);
    /* No "Expect: 100-continue" round trip before a body; without a body
     * no line: libcurl would still name it among the headers it signs
     * (--aws-sigv4), which the server never gets. */
    if (k && (k->body || k->body_file || k->nform)) add_line(list, "Expect:");
    return bad;
}

/* Whether an attempt of k has a line the shared list has not (a body's
 * "Expect:" among them); and with -v, whose header lines are written as
 * the list is built. */
static int own_lines(const apierr__call *k)
{
    return k->nhdrs || k->content_type || k->c->verbose || k->body || k->body_file || k->nform ||
           (k->has_key && k->c->profile.idempotency_key_in == APIERR_KEY_IN_HEADER);
}

static void shared_unref(apierr__shared_headers *h)
{
    if (!h || --h->refs) return;
    curl_slist_free_all(h->list);
    apierr__free(h);
}

/* The client's shared list for its current credentials, made when there is
 * none or the credentials changed. NULL when out of memory. */
static apierr__shared_headers *shared(apierr_client *c)
{
    apierr__shared_headers *h = c->shared_headers;
    if (h && h->gen == c->creds.gen) return h;
    struct curl_slist *list = NULL;
    if (build(c, NULL, &list) || !(h = apierr__calloc(1, sizeof *h))) {
        curl_slist_free_all(list);
        return NULL;
    }
    *h = (apierr__shared_headers){list, 1, c->creds.gen};
    shared_unref(c->shared_headers);
    c->shared_headers = h;
    return h;
}

struct curl_slist *apierr__leg_headers(apierr__call *k, apierr__leg *l, int *bad)
{
    if (!own_lines(k)) {
        apierr__shared_headers *h = shared(k->c);
        if (h) {
            h->refs++;
            l->shared = h;
            *bad = 0;
            return h->list;
        }
    }
    *bad = build(k->c, k, &l->slist);
    return l->slist;
}

void apierr__leg_headers_free(apierr__leg *l)
{
    shared_unref(l->shared);
    l->shared = NULL;
    curl_slist_free_all(l->slist);
    l->slist = NULL;
}

void apierr__shared_headers_free(apierr_client *c)
{
    shared_unref(c->shared_headers);
    c->shared_headers = NULL;
}
