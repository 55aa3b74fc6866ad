/*
 * A call's own copy of its request: what apierr_client_submit() takes from
 * the caller (who may free the request at once); its run, given when it
 * starts (engine.h); and freeing it all when the call ends or the client
 * goes.
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
        if (apierr_uuid4(k->key)) return APIERR_EIO;
    } else {
        snprintf(k->key, sizeof k->key, "%s", key);
    }
    k->has_key = 1;
    return APIERR_OK;
}

/* req's URL on c (the key parameter added when key_param is given), at
 * its size: built in the client's scratch buffer, which stays. NULL when
 * out of memory. */
static char *built_url(apierr_client *c, const apierr_request *req, const char *key_param,
                       const char *key)
{
    apierr__buf *b = &c->url_scratch;
    b->len = 0;
    b->oom = 0;
    apierr__url_build(b, c->base_url, req->url, req->query, key_param, key);
    return b->oom || !b->data ? NULL : apierr__strndup(b->data, b->len);
}

int apierr__call_init(apierr__call *k, const apierr_request *req)
{
    apierr_client *c = k->c;
    const char *m = req->method ? req->method : req->nform ? "POST" : "GET";
    k->method = apierr_method_from_name(m);
    k->method_name = apierr__strdup(m);
    k->user = req->user;
    if (set_key(k, req->idempotency_key)) return APIERR_EIO;
    char *url = built_url(c, req, NULL, NULL);
    k->url = url;
    /* The URL sent differs only when the key goes in its query. */
    if (k->has_key && c->profile.idempotency_key_in == APIERR_KEY_IN_QUERY) {
        k->url_sent = built_url(c, req, c->profile.idempotency_key, k->key);
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
    if (bad || !k->method_name || !k->url || !k->url_sent || (req->body && !k->body) ||
        (req->body_file && !k->body_file) || (req->content_type && !k->content_type) ||
        (req->max_time_ms > 0 && !k->own_policy))
        return APIERR_ENOMEM;
    k->start_ms = apierr__mono_ms();
    return APIERR_OK;
}

int apierr__call_run_open(apierr__call *k, apierr__run *fallback)
{
    apierr_client *c = k->c;
    apierr__run *r = fallback;
    if (!r && (r = c->spare_runs)) {
        c->spare_runs = r->next;
        c->nspare_runs--;
        r->next = NULL;
    }
    if (!r && !(r = apierr__calloc(1, sizeof *r))) return -1;
    r->on_stack = r == fallback;
    k->run = r;
    apierr_result *res = &r->res;
    res->method = k->method_name;
    res->url = k->url;
    res->user = k->user;
    memcpy(res->idempotency_key, k->key, sizeof k->key);
    k->method_name = k->url = NULL; /* the result's now */
    apierr_call_state_init(&r->pstate, k->start_ms, &c->budget, &c->breaker);
    apierr__call_breaker(k); /* its host's */
    /* The result is redacted by the client's names wherever it is shown,
     * after the client is gone too. */
    if (apierr__result_set_names(res, c->secret_names, c->nsecret_names)) return -1;
    return 0;
}

/* Keeps the run of an ended call (its result cleared, zeroed) for the
 * next one to start: as many as may be in flight at once, the rest
 * freed. */
static void run_put(apierr_client *c, apierr__run *r)
{
    if (r->on_stack) return;
    if (c->nspare_runs >= c->max_in_flight) {
        apierr__free(r);
        return;
    }
    memset(r, 0, sizeof *r);
    r->next = c->spare_runs;
    c->spare_runs = r;
    c->nspare_runs++;
}

void apierr__spare_runs_free(apierr_client *c)
{
    while (c->spare_runs) {
        apierr__run *r = c->spare_runs;
        c->spare_runs = r->next;
        apierr__free(r);
    }
    c->nspare_runs = 0;
}

void apierr__call_free(apierr__call *k)
{
    apierr_client *c = k->c;
    apierr__pace_forget(k);
    if (k->run) {
        apierr__hedge_disarm(k);
        apierr__transfer_release(k);
        apierr__free(k->run->hedges);
    }
    if (k->all_prev)
        k->all_prev->all_next = k->all_next;
    else
        c->all = k->all_next;
    if (k->all_next) k->all_next->all_prev = k->all_prev;
    c->ncalls--;
    if (k->run) {
        apierr_result_clear(&k->run->res);
        run_put(c, k->run);
    }
    apierr__call_parsed_url_free(k); /* after its handles */
    if (!k->url_shared) apierr__free(k->url_sent);
    apierr__free(k->method_name); /* the result's once it ran */
    apierr__free(k->url);
    apierr__headers_free(k->hdrs, k->nhdrs);
    apierr__free(k->body);
    apierr__free(k->body_file);
    apierr__free(k->content_type);
    apierr__form_free(k);
    apierr__free(k->own_policy);
    apierr__free(k);
}
