/*
 * A call's own copy of its request: what apierr_client_submit() takes from
 * the caller (who may free the request at once), and freeing it all when
 * the call ends or the client goes.
 */
#include "alloc.h"
#include "engine.h"

#include <string.h>

/* The idempotency key of the call: generated once ("auto") or the given
 * one, the same on every attempt. */
static int set_key(apierr__call *k, const char *key)
{
    if (!key) return APIERR_OK;
    if (!strcmp(key, APIERR_IDEMPOTENCY_AUTO)) {
        if (apierr_uuid4(k->res.idempotency_key)) return APIERR_EIO;
    } else {
        snprintf(k->res.idempotency_key, sizeof k->res.idempotency_key, "%s", key);
    }
    k->has_key = 1;
    return APIERR_OK;
}

int apierr__call_init(apierr__call *k, const apierr_request *req)
{
    apierr_client *c = k->c;
    const char *m = req->method ? req->method : req->nform ? "POST" : "GET";
    k->method = apierr_method_from_name(m);
    k->res.method = apierr__strdup(m);
    k->res.user = req->user;
    /* The result is redacted by the client's names wherever it is shown,
     * after the client is gone too. */
    if (apierr__result_set_names(&k->res, c->secret_names, c->nsecret_names)) return APIERR_ENOMEM;
    if (set_key(k, req->idempotency_key)) return APIERR_EIO;
    apierr__buf u = APIERR__BUF_INIT;
    apierr__url_build(&u, c->base_url, req->url, req->query, NULL, NULL);
    char *url = apierr__buf_take(&u, NULL);
    k->res.url = url;
    /* The URL sent differs only when the key goes in its query. */
    if (k->has_key && c->profile.idempotency_key_in == APIERR_KEY_IN_QUERY) {
        apierr__url_build(&u, c->base_url, req->url, req->query, c->profile.idempotency_key,
                          k->res.idempotency_key);
        k->url_sent = apierr__buf_take(&u, NULL);
    } else {
        /* The same string: no copy of it per call (the result may be
         * given away by its callback; the call then frees neither). */
        k->url_sent = url;
        k->url_shared = 1;
    }
    if (k->url_sent && apierr__call_url_take(k)) return APIERR_EINVAL;
    k->host = k->url_sent ? apierr__pace_host_of(&c->pace, k->url_sent) : APIERR__NO_HOST;
    if (req->body) {
        k->body = apierr__strndup(req->body, req->body_len);
        k->body_len = req->body_len;
    }
    k->body_file = apierr__strdup(req->body_file);
    k->content_type = apierr__strdup(req->content_type);
    k->nhdrs = req->nheaders;
    int bad = apierr__headers_copy(&k->hdrs, req->headers, req->nheaders);
    int rc = apierr__form_copy(k, req);
    if (rc) return rc;
    k->policy = &c->profile.policy;
    if (req->max_time_ms > 0) {
        k->own_policy = apierr__malloc(sizeof *k->own_policy);
        if (k->own_policy) {
            *k->own_policy = c->profile.policy;
            k->own_policy->deadline_ms = req->max_time_ms;
            k->policy = k->own_policy;
        }
    }
    if (bad || !k->res.method || !k->res.url || !k->url_sent || (req->body && !k->body) ||
        (req->body_file && !k->body_file) || (req->content_type && !k->content_type) ||
        (req->max_time_ms > 0 && !k->own_policy))
        return APIERR_ENOMEM;
    k->start_ms = apierr__mono_ms();
    apierr_call_state_init(&k->pstate, k->start_ms, &c->budget, &c->breaker);
    apierr__call_breaker(k); /* its host's */
    return APIERR_OK;
}

void apierr__call_free(apierr__call *k)
{
    apierr_client *c = k->c;
    apierr__pace_forget(k);
    apierr__hedge_disarm(k);
    apierr__transfer_release(k);
    apierr__free(k->hedges);
    if (k->all_prev)
        k->all_prev->all_next = k->all_next;
    else
        c->all = k->all_next;
    if (k->all_next) k->all_next->all_prev = k->all_prev;
    c->ncalls--;
    apierr_result_clear(&k->res);
    apierr__call_parsed_url_free(k); /* after its handles */
    if (!k->url_shared) apierr__free(k->url_sent);
    apierr__headers_free(k->hdrs, k->nhdrs);
    apierr__free(k->body);
    apierr__free(k->body_file);
    apierr__free(k->content_type);
    apierr__form_free(k);
    apierr__free(k->own_policy);
    apierr__free(k);
}
