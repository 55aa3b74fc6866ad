/*
 * The trace (apierr_client_opts.trace, curl's --trace): libcurl's debug
 * callback, passed on with the secrets taken out. -v shows what apierr
 * decided; the trace shows the bytes, and a trace file is as likely to be
 * pasted into a ticket as -v output, so it hides what -v hides: the value
 * of every secret header and query parameter, and the bodies of the
 * client's own token requests and session logins (client secrets, tokens).
 */
#include "alloc.h"
#include "engine.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* libcurl's kinds that are the trace's (its SSL records are not). */
_Static_assert((int)APIERR_TRACE_TEXT == (int)CURLINFO_TEXT &&
                   (int)APIERR_TRACE_HEADER_IN == (int)CURLINFO_HEADER_IN &&
                   (int)APIERR_TRACE_HEADER_OUT == (int)CURLINFO_HEADER_OUT &&
                   (int)APIERR_TRACE_DATA_IN == (int)CURLINFO_DATA_IN &&
                   (int)APIERR_TRACE_DATA_OUT == (int)CURLINFO_DATA_OUT,
               "apierr_trace_kind follows curl_infotype");

/* Appends the target of a request line ("GET /x?token=... HTTP/1.1") or of
 * a Location with its secret parameters redacted, as -v shows it. */
static void put_url(apierr__buf *b, const apierr_client *c, const char *url, size_t len)
{
    char *copy = apierr__strndup(url, len);
    size_t n =
        copy ? apierr__redact_url_names(NULL, 0, copy, c->secret_names, c->nsecret_names) : 0;
    char *out = copy ? apierr__malloc(n + 1) : NULL;
    if (out) {
        apierr__redact_url_names(out, n + 1, copy, c->secret_names, c->nsecret_names);
        apierr__buf_append(b, out, n);
    } else {
        b->oom = 1;
    }
    apierr__free(out);
    apierr__free(copy);
}

/* Appends the header line "name: value" (not terminated) as -v shows it:
 * a secret's value (the names -v hides, the client's session and API
 * token headers) REDACTED, Authorization's scheme kept; a Location's URL
 * redacted. */
static void put_header(apierr__buf *b, const apierr_client *c, const char *s, size_t name,
                       size_t len)
{
    size_t v = name + 1;
    while (v < len && (s[v] == ' ' || s[v] == '\t')) v++;
    char *nm = apierr__strndup(s, name), *val = apierr__strndup(s + v, len - v);
    if (!nm || !val)
        b->oom = 1;
    else if (apierr__creds_secret_header(c, nm))
        apierr__header_line(b, "", nm, val, 1);
    else if (!strcasecmp(nm, "Location")) {
        apierr__buf_append(b, s, v);
        put_url(b, c, s + v, len - v);
    } else
        apierr__buf_append(b, s, len);
    apierr__free(nm);
    apierr__free(val);
}

/* Appends one line of a head (without its line end): a request line with
 * its target redacted, a header as put_header() shows it, anything else
 * as it is. */
static void put_line(apierr__buf *b, const apierr_client *c, const char *s, size_t len,
                     int first_out)
{
    const char *colon = memchr(s, ':', len);
    if (first_out) { /* METHOD SP target SP version */
        const char *sp = memchr(s, ' ', len);
        const char *end = sp ? memchr(sp + 1, ' ', len - (size_t)(sp + 1 - s)) : NULL;
        if (sp && end) {
            apierr__buf_append(b, s, (size_t)(sp + 1 - s));
            put_url(b, c, sp + 1, (size_t)(end - sp - 1));
            apierr__buf_append(b, end, len - (size_t)(end - s));
            return;
        }
    } else if (colon && colon > s) {
        put_header(b, c, s, (size_t)(colon - s), len);
        return;
    }
    apierr__buf_append(b, s, len);
}

/* The head in (data, size) redacted into b, line ends kept. */
static void redact_head(apierr__buf *b, const apierr_client *c, const char *data, size_t size,
                        int out)
{
    size_t i = 0;
    while (i < size) {
        size_t end = i;
        while (end < size && data[end] != '\r' && data[end] != '\n') end++;
        put_line(b, c, data + i, end - i, out && i == 0);
        size_t eol = end;
        while (eol < size && (data[eol] == '\r' || data[eol] == '\n') && eol - end < 2) eol++;
        apierr__buf_append(b, data + end, eol - end);
        i = eol;
    }
}

int apierr__trace_cb(CURL *e, curl_infotype type, char *data, size_t size, void *userdata)
{
    apierr_client *c = userdata;
    apierr__transfer_settings *t = &c->xfer;
    if (type > CURLINFO_DATA_OUT) return 0; /* TLS records: not the HTTP bytes */
    apierr_trace_kind kind = (apierr_trace_kind)type;
    if (kind == APIERR_TRACE_TEXT) {
        t->trace(t->payload, kind, data, size);
        return 0;
    }
    if (kind == APIERR_TRACE_DATA_IN || kind == APIERR_TRACE_DATA_OUT) {
        void *call = NULL;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, &call);
        if (call) {
            t->trace(t->payload, kind, data, size);
        } else { /* a token request or a session login */
            char line[96];
            int n =
                snprintf(line, sizeof line, "%zu bytes of a credentials exchange %s, not shown\n",
                         size, kind == APIERR_TRACE_DATA_IN ? "received" : "sent");
            t->trace(t->payload, APIERR_TRACE_TEXT, line, (size_t)n);
        }
        return 0;
    }
    apierr__buf b = APIERR__BUF_INIT;
    redact_head(&b, c, data, size, kind == APIERR_TRACE_HEADER_OUT);
    if (!b.oom && b.data) t->trace(t->payload, kind, b.data, b.len);
    apierr__buf_free(&b);
    return 0;
}
