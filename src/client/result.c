/* Results of calls: ownership (header arrays included), JSON output,
 * support report records. */
#include "alloc.h"
#include "client_impl.h"

#include <string.h>
#include <time.h>

/* One allocation: the array, then every name and value after it (the
 * client copies a response's headers on every call it ends). */
int apierr__headers_copy(apierr_header **out, const apierr_header *h, size_t n)
{
    *out = NULL;
    if (!n) return 0;
    size_t bytes = n * sizeof(apierr_header);
    for (size_t i = 0; i < n; i++) bytes += strlen(h[i].name) + strlen(h[i].value) + 2;
    apierr_header *v = apierr__malloc(bytes);
    if (!v) return -1;
    char *s = (char *)(v + n);
    for (size_t i = 0; i < n; i++) {
        size_t ln = strlen(h[i].name) + 1, lv = strlen(h[i].value) + 1;
        v[i].name = memcpy(s, h[i].name, ln);
        v[i].value = memcpy(s + ln, h[i].value, lv);
        s += ln + lv;
    }
    *out = v;
    return 0;
}

int apierr__headers_copy_within(apierr_header **out, const apierr_header *h, size_t n,
                                const char *text, size_t len)
{
    *out = NULL;
    if (!n) return 0;
    apierr_header *v = apierr__malloc(n * sizeof(apierr_header) + len + 1);
    if (!v) return -1;
    char *s = memcpy(v + n, text, len);
    s[len] = '\0';
    for (size_t i = 0; i < n; i++)
        v[i] = (apierr_header){s + (h[i].name - text), s + (h[i].value - text)};
    *out = v;
    return 0;
}

void apierr__headers_free(apierr_header *h, size_t n)
{
    (void)n; /* the strings live in the array's block */
    apierr__free(h);
}

void apierr_result_clear(apierr_result *r)
{
    apierr__free(r->body);
    apierr__headers_free(r->headers, r->nheaders);
    apierr_problem_free(r->problem);
    apierr__attempts_free(r);
    apierr__free((char *)r->method);
    apierr__free((char *)r->url);
    memset(r, 0, sizeof *r);
}

void apierr_result_move(apierr_result *to, apierr_result *from)
{
    *to = *from;
    memset(from, 0, sizeof *from);
}

static void key_str(apierr__buf *b, const char *key, const char *value)
{
    apierr__buf_json_str(b, key);
    apierr__buf_putc(b, ':');
    apierr__buf_json_str(b, value);
}

static void key_int(apierr__buf *b, const char *key, long long v)
{
    apierr__buf_json_str(b, key);
    apierr__buf_putc(b, ':');
    apierr__buf_int(b, v);
}

/* With the secret names of r's client (apierr_result_redact_url()). */
static void redacted_url(apierr__buf *b, const char *key, const apierr_result *r, const char *url)
{
    char small[512];
    size_t n = apierr_result_redact_url(small, sizeof small, r, url);
    if (n < sizeof small) {
        key_str(b, key, small);
        return;
    }
    char *big = apierr__malloc(n + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    apierr_result_redact_url(big, n + 1, r, url);
    key_str(b, key, big);
    apierr__free(big);
}

/* The problem's members people act on; never its raw body, which may echo
 * what was sent. */
static void problem_json(apierr__buf *b, const apierr_problem *p)
{
    if (!p) {
        apierr__buf_puts(b, "null");
        return;
    }
    apierr__buf_putc(b, '{');
    key_int(b, "status", p->status);
    apierr__buf_putc(b, ',');
    key_str(b, "code", p->code);
    apierr__buf_putc(b, ',');
    key_str(b, "message", p->message);
    apierr__buf_putc(b, ',');
    key_str(b, "dialect", apierr_dialect_name(p->dialect));
    apierr__buf_putc(b, ',');
    key_str(b, "request_id", p->request_id);
    apierr__buf_putc(b, ',');
    key_str(b, "timestamp", p->timestamp); /* the server's, as written: support asks for it */
    apierr__buf_puts(b, ",\"details\":[");
    for (size_t i = 0; i < p->ndetails; i++) {
        apierr__buf_puts(b, i ? ",{" : "{");
        key_str(b, "field", p->details[i].field);
        apierr__buf_putc(b, ',');
        key_str(b, "message", p->details[i].message);
        apierr__buf_putc(b, ',');
        key_str(b, "code", p->details[i].code);
        apierr__buf_putc(b, '}');
    }
    apierr__buf_puts(b, "]}");
}

/* The members an attempt shows in both the result JSON and the support
 * report, without braces. */
static void attempt_members(apierr__buf *b, const apierr_result *r, const apierr_attempt *a)
{
    key_int(b, "attempt", a->number);
    apierr__buf_putc(b, ',');
    key_int(b, "status", a->status);
    apierr__buf_putc(b, ',');
    key_str(b, "transport", apierr_transport_name(a->transport));
    apierr__buf_putc(b, ',');
    key_str(b, "category", apierr_category_name(a->category));
    apierr__buf_putc(b, ',');
    key_str(b, "decision", apierr_decision_name(a->decision));
    apierr__buf_putc(b, ',');
    key_int(b, "delay_ms", a->delay_ms);
    apierr__buf_putc(b, ',');
    key_str(b, "request_id", a->request_id[0] ? a->request_id : NULL);
    unsigned flags = apierr_attempt_flags(r, (size_t)a->number - 1);
    apierr__buf_puts(b, flags & APIERR_ATTEMPT_HEDGE ? ",\"hedge\":true" : ",\"hedge\":false");
    apierr__buf_puts(b, flags & APIERR_ATTEMPT_CANCELLED ? ",\"cancelled\":true"
                                                         : ",\"cancelled\":false");
}

static void attempt_json(apierr__buf *b, const apierr_result *r, const apierr_attempt *a)
{
    apierr__buf_putc(b, '{');
    attempt_members(b, r, a);
    apierr__buf_putc(b, ',');
    key_str(b, "code", a->code);
    apierr__buf_putc(b, ',');
    key_int(b, "started_ms", a->started_ms);
    apierr__buf_putc(b, ',');
    key_int(b, "elapsed_ms", a->elapsed_ms);
    apierr__buf_putc(b, ',');
    key_str(b, "reason", a->reason);
    apierr__buf_putc(b, '}');
}

int apierr_result_to_json(char **out, const apierr_result *r, int with_body)
{
    apierr__buf b = APIERR__BUF_INIT;
    apierr__buf_puts(&b, r->ok ? "{\"ok\":true," : "{\"ok\":false,");
    key_str(&b, "category", apierr_category_name(r->category));
    apierr__buf_putc(&b, ',');
    key_int(&b, "status", r->status);
    apierr__buf_putc(&b, ',');
    key_str(&b, "reason", r->reason);
    apierr__buf_putc(&b, ',');
    key_str(&b, "method", r->method);
    apierr__buf_putc(&b, ',');
    redacted_url(&b, "url", r, r->url);
    apierr__buf_putc(&b, ',');
    redacted_url(&b, "url_effective", r, apierr_result_url_effective(r));
    apierr__buf_putc(&b, ',');
    key_str(&b, "idempotency_key", r->idempotency_key[0] ? r->idempotency_key : NULL);
    apierr__buf_putc(&b, ',');
    key_int(&b, "elapsed_ms", r->elapsed_ms);
    apierr__buf_puts(&b, ",\"problem\":");
    problem_json(&b, r->problem); /* on success: a GraphQL partial success's errors, or null */
    apierr__buf_puts(&b, ",\"attempts\":[");
    for (size_t i = 0; i < r->nattempts; i++) {
        if (i) apierr__buf_putc(&b, ',');
        attempt_json(&b, r, &r->attempts[i]);
    }
    apierr__buf_putc(&b, ']');
    if (with_body) {
        apierr__buf_puts(&b, ",\"body\":");
        if (r->body)
            apierr__buf_json_strn(&b, r->body, r->body_len);
        else
            apierr__buf_puts(&b, "null");
    }
    apierr__buf_putc(&b, '}');
    if (b.oom) {
        apierr__buf_free(&b);
        return APIERR_ENOMEM;
    }
    *out = apierr__buf_take(&b, NULL);
    return *out ? APIERR_OK : APIERR_ENOMEM;
}

void apierr__report_line(apierr__buf *b, long long unix_ms, const apierr_result *r,
                         const apierr_attempt *a, const apierr_problem *problem)
{
    char when[32];
    time_t secs = (time_t)(unix_ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when + n, sizeof when - n, ".%03dZ", (int)(unix_ms % 1000));
    apierr__buf_putc(b, '{');
    key_str(b, "time", when);
    apierr__buf_putc(b, ',');
    key_str(b, "method", r->method);
    apierr__buf_putc(b, ',');
    redacted_url(b, "url", r, r->url);
    apierr__buf_putc(b, ',');
    attempt_members(b, r, a);
    apierr__buf_putc(b, ',');
    key_str(b, "idempotency_key", r->idempotency_key[0] ? r->idempotency_key : NULL);
    apierr__buf_putc(b, ',');
    key_str(b, "reason", a->reason);
    apierr__buf_puts(b, ",\"problem\":");
    problem_json(b, problem);
    apierr__buf_puts(b, "}\n");
}
