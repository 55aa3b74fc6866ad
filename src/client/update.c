/*
 * Read-modify-write with optimistic concurrency: GET, transform, PUT with
 * If-Match, and re-read when the write is refused as stale. Built on
 * apierr_call(): each GET and PUT is retried under the policy like any call;
 * whether a refusal means "re-read" is apierr_policy_reread()'s decision.
 */
#include "alloc.h"
#include "client_impl.h"

#include <jansson.h>
#include <string.h>

int apierr__update_tag(apierr__buf *out, const apierr_result *got)
{
    const char *etag = apierr_header_find(got->headers, got->nheaders, "ETag");
    if (etag && *etag) {
        apierr__buf_puts(out, etag);
        return 0;
    }
    json_t *doc = got->body ? json_loadb(got->body, got->body_len, 0, NULL) : NULL;
    json_t *v = json_object_get(doc, "version");
    int rc = 0;
    if (json_is_integer(v))
        apierr__buf_printf(out, "\"%lld\"", (long long)json_integer_value(v));
    else if (json_is_string(v) && *json_string_value(v) && !strchr(json_string_value(v), '"'))
        apierr__buf_printf(out, "\"%s\"", json_string_value(v));
    else
        rc = -1;
    json_decref(doc);
    return rc;
}

/* Ends an update that failed on this side (no version to match, the
 * function refused): the last response is kept, the problem says why. */
static void fail_local(apierr_result *r, apierr_category cat, const char *why)
{
    r->ok = 0;
    r->category = cat;
    snprintf(r->reason, sizeof r->reason, "%s", why);
    apierr_problem_free(r->problem);
    r->problem = NULL;
    if (apierr_problem_new(&r->problem) == APIERR_OK)
        apierr_problem_set(r->problem, APIERR_PF_MESSAGE, why);
}

/* One round: GET, fn, PUT with If-Match. *out holds the outcome that ends
 * the round (the GET's when it failed); history gets every attempt. */
static int round_trip(apierr_client *c, const apierr_request *req, long long left_ms,
                      apierr_update_fn fn, void *payload, apierr_result *out,
                      apierr_result *history)
{
    apierr_request g = *req;
    g.method = "GET";
    g.body = NULL;
    g.body_len = 0;
    g.body_file = NULL;
    g.content_type = NULL;
    g.idempotency_key = NULL;
    g.max_time_ms = left_ms;
    apierr_result got;
    int rc = apierr_call(c, &g, &got);
    if (rc == APIERR_OK && got.ok) {
        apierr__buf tag = APIERR__BUF_INIT;
        char *body = NULL;
        size_t len = 0;
        if (apierr__update_tag(&tag, &got) || tag.oom) {
            fail_local(&got, APIERR_CAT_INVALID_REQUEST,
                       "the resource has no ETag and no version member: a write could undo "
                       "another's change");
        } else if (fn(payload, got.body ? got.body : "", got.body_len, &body, &len) != APIERR_OK) {
            fail_local(&got, APIERR_CAT_INVALID_REQUEST, "the update function failed");
        } else {
            size_t nh = req->nheaders + 1;
            apierr_header *h = apierr__calloc(nh, sizeof *h);
            if (!h) {
                rc = APIERR_ENOMEM;
            } else {
                for (size_t i = 0; i < req->nheaders; i++) h[i] = req->headers[i];
                h[nh - 1] = (apierr_header){"If-Match", tag.data};
                apierr_request w = *req;
                w.method = req->method ? req->method : "PUT";
                w.headers = h;
                w.nheaders = nh;
                w.body = body ? body : "";
                w.body_len = body ? len : 0;
                w.body_file = NULL;
                w.content_type = req->content_type ? req->content_type : "application/json";
                w.max_time_ms = left_ms;
                if (apierr__attempts_append(history, &got)) rc = APIERR_ENOMEM;
                apierr_result_clear(&got);
                if (!rc) rc = apierr_call(c, &w, &got);
                apierr__free(h);
            }
            apierr_free(body); /* fn allocated it with apierr_malloc() */
        }
        apierr__buf_free(&tag);
    }
    if (apierr__attempts_append(history, &got) && !rc) rc = APIERR_ENOMEM;
    apierr_result_move(out, &got);
    return rc;
}

int apierr_update(apierr_client *c, const apierr_request *given, apierr_update_fn fn, void *payload,
                  apierr_result *out)
{
    memset(out, 0, sizeof *out);
    if (!c || !given || !fn) return APIERR_EINVAL;
    /* Read once into the current layout: each round copies it into its GET
     * and PUT, which must not read past the end of an older caller's. */
    apierr_request r;
    int rc = apierr__request_read(&r, given);
    if (rc) return rc;
    const apierr_request *req = &r;
    if (!req->url) return APIERR_EINVAL;
    apierr_policy pol = *apierr__client_policy(c);
    if (req->max_time_ms > 0) pol.deadline_ms = req->max_time_ms;
    long long t0 = apierr__mono_ms();
    apierr_result history = {0};
    for (int round = 1;; round++) {
        long long left = 0;
        if (pol.deadline_ms > 0) {
            left = pol.deadline_ms - (apierr__mono_ms() - t0);
            if (left < 1) left = 1;
        }
        apierr_result_clear(out);
        rc = round_trip(c, req, left, fn, payload, out, &history);
        if (rc || out->ok) break;
        int stale = out->status == 409 || out->status == 412;
        char why[APIERR_REASON_MAX];
        if (!stale) break;
        if (!apierr_policy_reread(&pol, out->status, round, apierr__mono_ms() - t0, why,
                                  sizeof why)) {
            snprintf(out->reason, sizeof out->reason, "%s", why);
            break;
        }
        apierr__client_logf(c, "* %s (round %d)", why, round + 1);
    }
    /* The outcome carries the attempts of every round. */
    apierr__attempts_adopt(out, &history);
    out->elapsed_ms = apierr__mono_ms() - t0;
    return rc;
}
