/*
 * A call's URL checked and parsed once for libcurl (CURLOPT_CURLU),
 * shared by the calls that go to the same URL one after another (a batch,
 * a poll): the last call's URL passed apierr__url_ok() already.
 *
 * Given only CURLOPT_URL, libcurl parses the string and writes it out again
 * normalized at the start of every transfer (some 14,000 instructions an
 * attempt in bench_client, most of it curl_url_get()'s formatting). Given
 * the parsed handle too, it copies that (curl_url_dup()) and keeps
 * CURLOPT_URL, here the normalized string, as the transfer's URL (what
 * redirects resolve against). A followed redirect is parsed by libcurl as
 * before. libcurl only reads the handle, and not after a transfer starts.
 */
#include "alloc.h"
#include "engine.h"

#include <string.h>

struct apierr__parsed_url {
    CURLU *u;
    char *given;      /* the URL as the call sends it (url_sent) */
    char *normalized; /* as libcurl writes it out (curl_free()) */
    size_t refs;      /* the calls that hold it, and the client while it is the last */
};

static void parsed_unref(apierr__parsed_url *p)
{
    if (!p || --p->refs) return;
    curl_url_cleanup(p->u);
    curl_free(p->normalized);
    apierr__free(p->given);
    apierr__free(p);
}

/* Parses url as libcurl does for CURLOPT_URL (parseurlandfillconn() in
 * 7.88: a scheme guessed, any scheme parsed; with CURLOPT_PATH_AS_IS,
 * as_is, its dot segments kept). NULL when it cannot (libcurl then
 * refuses the string itself, as before) or out of memory. */
static apierr__parsed_url *parse(const char *url, int as_is)
{
    apierr__parsed_url *p = apierr__calloc(1, sizeof *p);
    if (!p) return NULL;
    p->refs = 1;
    if (!(p->u = curl_url()) || !(p->given = apierr__strdup(url)) ||
        curl_url_set(p->u, CURLUPART_URL, url,
                     CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME |
                         (as_is ? CURLU_PATH_AS_IS : 0)) ||
        curl_url_get(p->u, CURLUPART_URL, &p->normalized, 0)) {
        parsed_unref(p);
        return NULL;
    }
    return p;
}

int apierr__call_url_take(apierr__call *k)
{
    apierr_client *c = k->c;
    apierr__parsed_url *p = c->last_url;
    /* The last call's URL passed the check: the same one is not walked
     * again (some 580 instructions a call in bench_client), nor parsed. */
    if (!p || strcmp(p->given, k->url_sent) != 0) {
        if (!apierr__url_ok(k->url_sent)) return APIERR_EINVAL;
        if (!(p = parse(k->url_sent, c->xfer.path_as_is))) return APIERR_OK;
        parsed_unref(c->last_url);
        c->last_url = p;
    }
    p->refs++;
    k->parsed = p;
    return APIERR_OK;
}

void apierr__parsed_url_set(CURL *e, const apierr__parsed_url *p, const char *url)
{
    curl_easy_setopt(e, CURLOPT_URL, p ? p->normalized : url);
    curl_easy_setopt(e, CURLOPT_CURLU, p ? p->u : NULL);
}

void apierr__call_parsed_url_free(apierr__call *k)
{
    parsed_unref(k->parsed);
    k->parsed = NULL;
}

void apierr__client_parsed_url_free(apierr_client *c)
{
    parsed_unref(c->last_url);
    c->last_url = NULL;
}
