/*
 * What an attempt's answer says, in the policy's terms: the transport
 * failure or the status, the headers, Retry-After, the decoded problem;
 * and what is kept of it: the attempt record, the support report line, the
 * response of the result.
 */
#include "alloc.h"
#include "engine.h"

#include <jansson.h>
#include <string.h>

apierr_transport apierr__transport_of(CURLcode rc)
{
    switch (rc) {
    case CURLE_OK:
        return APIERR_TRANSPORT_NONE;
    case CURLE_COULDNT_CONNECT:
        return APIERR_TRANSPORT_CONNECT_REFUSED;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return APIERR_TRANSPORT_DNS_TEMPORARY;
    case CURLE_OPERATION_TIMEDOUT:
        return APIERR_TRANSPORT_TIMEOUT;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
        return APIERR_TRANSPORT_RESET;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
        return APIERR_TRANSPORT_TLS;
    default:
        return APIERR_TRANSPORT_OTHER;
    }
}

/* Lines split where strtok_r() with "\r\n" would split them (any run of
 * CR and LF ends one; empty ones skipped), each line's end found once:
 * strtok_r() and a strlen() per line were most of reading an answer (some
 * 700 of 1,150 instructions for apierr serve's ten headers). */
size_t apierr__headers_parse(apierr_header *out, size_t cap, char *raw)
{
    size_t n = 0;
    char *p = raw;
    for (;;) {
        while (*p == '\r' || *p == '\n') p++;
        if (!*p) break;
        char *line = p, *end = p + strcspn(p, "\r\n");
        char *colon = memchr(line, ':', (size_t)(end - line));
        p = *end ? end + 1 : end;
        *end = '\0';
        if (!colon || n == cap) continue;
        *colon = '\0';
        char *v = colon + 1;
        while (*v == ' ' || *v == '\t') v++;
        while (end > v && (end[-1] == ' ' || end[-1] == '\t')) *--end = '\0';
        out[n++] = (apierr_header){line, v};
    }
    return n;
}

/* -v's lines of an answer: its status line as the server sent it (its own
 * reason phrase, as curl -v shows it), or the registry's words when there
 * was none to show; then its headers, secrets redacted. */
static void log_response(apierr_client *c, const apierr__answer *ans, int status)
{
    const apierr_header *h = ans->h;
    size_t nh = ans->nh;
    if (ans->rc != CURLE_OK)
        apierr__client_logf(c, "< transport failure: %s", curl_easy_strerror(ans->rc));
    else if (ans->status_line)
        apierr__client_logf(c, "< %.*s", (int)ans->status_len, ans->status_line);
    else
        apierr__client_logf(c, "< %d %s", status, apierr_status_reason(status));
    apierr__buf line = APIERR__BUF_INIT;
    for (size_t i = 0; i < nh; i++) {
        const char *v = h[i].value;
        char url[2048];
        /* A URL (Location: /next?token=...) shows its secret parameters
         * redacted, as a request's URL does. */
        if (strchr(v, '?') && (strstr(v, "://") || v[0] == '/')) {
            apierr__redact_url_names(url, sizeof url, v, c->secret_names, c->nsecret_names);
            v = url;
        }
        apierr__header_line(&line, "< ", h[i].name, v, apierr__creds_secret_header(c, h[i].name));
        apierr__client_log(c, &line);
    }
    apierr__buf_free(&line);
}

/* The problem of a failed answer: curl's words for a transport failure, the
 * decoded body for an error status (or a GraphQL body with errors, partial
 * success included: its errors are reported). NULL for a success, or when
 * out of memory. */
static apierr_problem *problem_of(const apierr__answer *ans, const apierr_client *c,
                                  const char *body, size_t len)
{
    apierr_problem *p = NULL;
    if (ans->o.transport != APIERR_TRANSPORT_NONE) {
        if (apierr_problem_new(&p) == APIERR_OK)
            apierr_problem_set(p, APIERR_PF_MESSAGE, curl_easy_strerror(ans->rc));
    } else if (ans->o.status >= 400 || ans->graphql != APIERR_GRAPHQL_NONE) {
        apierr_decode_opts d = APIERR_DECODE_OPTS_INIT;
        d.dialect =
            ans->graphql != APIERR_GRAPHQL_NONE ? APIERR_DIALECT_GRAPHQL : c->profile.dialect;
        d.custom = c->has_custom ? &c->custom : NULL;
        d.status = ans->o.status;
        d.content_type = apierr_header_find(ans->h, ans->nh, "Content-Type");
        d.headers = ans->h;
        d.nheaders = ans->nh;
        d.now_ms = apierr__unix_ms();
        apierr_problem_decode(&p, body, len, &d);
    }
    return p;
}

void apierr__answer_read(apierr__answer *ans, apierr__call *k, CURLcode rc)
{
    apierr_client *c = k->c;
    long status = 0;
    curl_easy_getinfo(k->run->at.easy, CURLINFO_RESPONSE_CODE, &status);
    ans->rc = rc;
    ans->now_ms = apierr__mono_ms();
    ans->status_line = NULL;
    ans->nh = 0;
    if (k->run->at.rhead.data) {
        /* The status line as sent (its reason phrase is the server's own,
         * and may hold a colon), cut off before the headers are split. */
        char *head = k->run->at.rhead.data;
        if (!strncmp(head, "HTTP/", 5)) {
            size_t n = strcspn(head, "\r\n");
            ans->status_line = head;
            ans->status_len = n;
            head += n;
            if (*head) *head++ = '\0';
        }
        ans->nh = apierr__headers_parse(ans->h, APIERR__MAX_HEADERS, head);
    }
    if (c->verbose) log_response(c, ans, (int)status);
    apierr_outcome o = APIERR_OUTCOME_INIT;
    o.transport = apierr__transport_of(rc);
    if (rc == CURLE_OK && status == 0) o.transport = APIERR_TRANSPORT_OTHER;
    o.status = o.transport == APIERR_TRANSPORT_NONE ? (int)status : 0;
    o.method = k->method;
    o.has_idempotency_key = k->has_key;
    const char *ra = apierr_header_find(ans->h, ans->nh, "Retry-After");
    long long ra_ms;
    if (ra && apierr_retry_after_parse(&ra_ms, ra, strlen(ra), apierr__unix_ms()) == APIERR_OK)
        o.retry_after_ms = ra_ms;
    ans->o = o;
    const char *body = k->run->at.rbody.data ? k->run->at.rbody.data : "";
    ans->graphql = apierr_graphql_kind_of(o.status, body, k->run->at.rbody.len, k->policy);
    ans->p = problem_of(ans, c, body, k->run->at.rbody.len);
    /* A partial success is judged by its status: its errors' codes (a
     * 500 of one field's resolver) must not make it a retry. */
    ans->o.problem = ans->graphql == APIERR_GRAPHQL_PARTIAL ? NULL : ans->p;
}

static apierr_attempt *new_attempt(apierr__call *k)
{
    return apierr__attempt_push(&k->run->res);
}

static void report(apierr__call *k, const apierr_attempt *a, const apierr_problem *p)
{
    apierr_client *c = k->c;
    if (!c->report) return;
    apierr__buf b = APIERR__BUF_INIT;
    apierr__report_line(&b, apierr__unix_ms(), &k->run->res, a, p);
    if (!b.oom && b.data) {
        fwrite(b.data, 1, b.len, c->report);
        fflush(c->report);
    }
    apierr__buf_free(&b);
}

apierr_attempt *apierr__answer_record(apierr__call *k, const apierr__answer *ans,
                                      const apierr_decision *d)
{
    apierr_attempt *a = new_attempt(k);
    if (!a) return NULL;
    const apierr_problem *p = ans->p;
    a->status = ans->o.status;
    a->transport = ans->o.transport;
    a->status_text = ans->o.transport == APIERR_TRANSPORT_NONE ? apierr_status_reason(ans->o.status)
                                                               : curl_easy_strerror(ans->rc);
    a->code = p && p->code ? apierr__strdup(p->code) : NULL;
    a->started_ms = k->run->at.attempt_start - k->start_ms;
    a->elapsed_ms = ans->now_ms - k->run->at.attempt_start;
    if (k->run->at.hedge)
        apierr__attempt_flag(&k->run->res, (size_t)a->number - 1, APIERR_ATTEMPT_HEDGE);
    a->decision = d->kind;
    a->category = d->category;
    a->delay_ms = d->kind == APIERR_DECISION_RETRY ? d->delay_ms : 0;
    const char *rid = apierr_request_id_find(ans->h, ans->nh);
    if (!rid && p) rid = p->request_id;
    apierr__copy_text(a->request_id, sizeof a->request_id, rid);
    apierr__copy_text(a->reason, sizeof a->reason, d->reason);
    if (d->kind != APIERR_DECISION_DONE) report(k, a, p);
    return a;
}

apierr_attempt *apierr__attempt_cancelled(apierr__call *k, const apierr__leg *l,
                                          const apierr_decision *won)
{
    apierr_attempt *a = new_attempt(k);
    if (!a) return NULL;
    a->status_text = "cancelled";
    a->started_ms = l->attempt_start - k->start_ms;
    a->elapsed_ms = apierr__mono_ms() - l->attempt_start;
    a->decision = won->kind;
    a->category = won->category;
    apierr__attempt_flag(&k->run->res, (size_t)a->number - 1,
                         APIERR_ATTEMPT_CANCELLED | (l->hedge ? APIERR_ATTEMPT_HEDGE : 0));
    snprintf(a->reason, sizeof a->reason, "cancelled: another attempt answered first");
    return a;
}

apierr_attempt *apierr__attempt_throttled(apierr__call *k, const apierr_decision *d)
{
    apierr_attempt *a = new_attempt(k);
    if (!a) return NULL;
    a->status_text = "held back by adaptive throttling";
    a->started_ms = apierr__mono_ms() - k->start_ms;
    a->decision = d->kind;
    a->category = d->category;
    a->delay_ms = d->kind == APIERR_DECISION_RETRY ? d->delay_ms : 0;
    apierr__copy_text(a->reason, sizeof a->reason, d->reason);
    report(k, a, NULL);
    return a;
}

void apierr__answer_keep(apierr__call *k, const apierr__answer *ans)
{
    k->run->res.status = ans->o.status;
    long redirects = 0;
    char *effective = NULL;
    if (k->c->xfer.follow &&
        curl_easy_getinfo(k->run->at.easy, CURLINFO_REDIRECT_COUNT, &redirects) == CURLE_OK &&
        redirects > 0)
        curl_easy_getinfo(k->run->at.easy, CURLINFO_EFFECTIVE_URL, &effective);
    /* Out of memory, the result lacks them: what the accessors then give
     * (no status line; r->url) is still true of the call. */
    apierr__result_set_url_effective(&k->run->res, effective);
    apierr__result_set_status_line(&k->run->res, ans->status_line, ans->status_len);
    if (k->c->xfer.keep_info) {
        apierr_transfer_info info;
        apierr__transfer_info_read(k->run->at.easy, &info);
        apierr__result_set_info(&k->run->res, &info);
    }
    apierr__free(k->run->res.body);
    k->run->res.body = apierr__buf_take(&k->run->at.rbody, &k->run->res.body_len);
    if (!k->run->res.body) k->run->res.body_len = 0;
    apierr__headers_free(k->run->res.headers, k->run->res.nheaders);
    k->run->res.headers = NULL;
    k->run->res.nheaders = 0;
    /* ans->h was split in place in the attempt's header buffer (its
     * strings measured and copied one by one cost some 700 instructions an
     * answer of ten headers). */
    if (apierr__headers_copy_within(&k->run->res.headers, ans->h, ans->nh, k->run->at.rhead.data,
                                    k->run->at.rhead.len) == 0) {
        k->run->res.nheaders = ans->nh;
    } else {
        apierr__headers_free(k->run->res.headers, ans->nh);
        k->run->res.headers = NULL;
    }
}
