/*
 * The reply builder: a problem becomes status, headers and body. The body
 * is written by the core encoder from a shallow copy of the problem, so
 * adding the request id, a timestamp or the generic 500 message costs no
 * allocation and leaves the caller's problem untouched.
 */
#include "alloc.h"
#include "server_impl.h"

#include "apierr/server/request_id.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* --- Accept (RFC 9110 12.5.1) ----------------------------------------------- */

static int is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ows(const char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    return s;
}

static size_t token_len(const char *s)
{
    size_t n = 0;
    while (is_tchar((unsigned char)s[n])) n++;
    return n;
}

/* A qvalue: "0" ["." 0*3DIGIT] / "1" ["." 0*3("0")], as thousandths; -1 when
 * malformed. */
static int parse_qvalue(const char *s, size_t n)
{
    if (n == 0 || (s[0] != '0' && s[0] != '1')) return -1;
    int q = (s[0] - '0') * 1000;
    if (n == 1) return q;
    if (s[1] != '.' || n > 5) return -1;
    int scale = 100;
    for (size_t i = 2; i < n; i++, scale /= 10) {
        if (s[i] < '0' || s[i] > '9') return -1;
        q += (s[i] - '0') * scale;
    }
    return q > 1000 ? -1 : q;
}

/* Skips a quoted-string starting at s (on the quote); returns the end, or
 * NULL when it is not closed. */
static const char *skip_quoted(const char *s)
{
    for (s++; *s; s++) {
        if (*s == '\\' && s[1])
            s++;
        else if (*s == '"')
            return s + 1;
    }
    return NULL;
}

/* Parses one media range at s: its type, subtype and q. Returns the position
 * after the element (at a comma or the end), with *q = -1 when the element is
 * malformed. */
static const char *parse_range(const char *s, const char **type, size_t *tlen, const char **sub,
                               size_t *slen, int *q)
{
    *q = 1000;
    s = skip_ows(s);
    *type = s;
    *tlen = token_len(s);
    s += *tlen;
    if (*tlen == 0 || *s != '/') goto bad;
    *sub = ++s;
    *slen = token_len(s);
    s += *slen;
    if (*slen == 0) goto bad;
    for (;;) {
        s = skip_ows(s);
        if (*s == ',' || *s == '\0') return s;
        if (*s != ';') goto bad;
        s = skip_ows(s + 1);
        const char *name = s;
        size_t nlen = token_len(s);
        s += nlen;
        if (nlen == 0 || *s != '=') goto bad;
        const char *value = ++s;
        if (*s == '"') {
            const char *end = skip_quoted(s);
            if (!end) goto bad;
            s = end;
        } else {
            s += token_len(s);
        }
        if (nlen == 1 && (name[0] == 'q' || name[0] == 'Q')) {
            *q = parse_qvalue(value, (size_t)(s - value));
            if (*q < 0) goto bad;
        }
    }
bad:
    *q = -1;
    /* An unclosed quoted string runs to the end: nothing after it counts. */
    while (*s && *s != ',') {
        const char *end = *s == '"' ? skip_quoted(s) : s + 1;
        s = end ? end : s + strlen(s);
    }
    return s;
}

/* The q given to media_type and how specifically (3 type/subtype, 2 type/ *,
 * 1 * / *, 0 no match). */
static int accept_match(const char *accept, const char *media_type, int *specificity)
{
    const char *slash = strchr(media_type, '/');
    size_t mtlen = slash ? (size_t)(slash - media_type) : strlen(media_type);
    const char *msub = slash ? slash + 1 : "";
    int best_q = 0, best_spec = 0;
    for (const char *s = accept; *s;) {
        const char *type, *sub;
        size_t tlen, slen;
        int q;
        s = parse_range(s, &type, &tlen, &sub, &slen, &q);
        if (*s == ',') s++;
        if (q < 0) continue;
        int spec = 0;
        int type_star = tlen == 1 && type[0] == '*', sub_star = slen == 1 && sub[0] == '*';
        if (type_star && sub_star)
            spec = 1;
        else if (type_star)
            continue; /* "* /json" is not a media range */
        else if (tlen == mtlen && strncasecmp(type, media_type, tlen) == 0)
            spec = sub_star ? 2 : (slen == strlen(msub) && !strncasecmp(sub, msub, slen)) ? 3 : 0;
        if (spec > best_spec || (spec == best_spec && spec && q > best_q)) {
            best_spec = spec;
            best_q = q;
        }
    }
    *specificity = best_spec;
    return best_q;
}

int apierr_accept_quality(const char *accept, const char *media_type)
{
    int spec;
    if (!accept || !*skip_ows(accept)) return 1000;
    return accept_match(accept, media_type, &spec);
}

apierr_dialect apierr_reply_dialect(apierr_dialect configured, const char *accept)
{
    static const char problem_type[] = "application/problem+json";
    if (configured == APIERR_DIALECT_AUTO || !apierr_dialect_can_encode(configured))
        return APIERR_DIALECT_PROBLEM;
    if (configured == APIERR_DIALECT_PROBLEM || !accept || !*skip_ows(accept)) return configured;
    int spec;
    int qp = accept_match(accept, problem_type, &spec);
    int qd = apierr_accept_quality(accept, apierr_dialect_content_type(configured));
    if (qp > 0 && ((spec == 3 && qp >= qd) || qd == 0)) return APIERR_DIALECT_PROBLEM;
    return configured;
}

/* --- packing headers -------------------------------------------------------- */

static int valid_name(const char *s)
{
    if (!s || !*s) return 0;
    for (; *s; s++)
        if (!is_tchar((unsigned char)*s)) return 0;
    return 1;
}

/* Field values may hold visible bytes, spaces, tabs and obs-text; never CR,
 * LF or other controls (RFC 9110 5.5), which would split the response. */
static int valid_value(const char *s)
{
    if (!s) return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t') || c == 0x7f) return 0;
    }
    return 1;
}

int apierr__reply_pack(apierr_reply *out, int status, const apierr_header *a, size_t na,
                       const apierr_header *b, size_t nb, const char *body, size_t len)
{
    memset(out, 0, sizeof *out);
    size_t n = na + nb, bytes = body ? len + 1 : 0;
    for (size_t i = 0; i < n; i++) {
        const apierr_header *h = i < na ? &a[i] : &b[i - na];
        if (!valid_name(h->name) || !valid_value(h->value)) return APIERR_EINVAL;
        bytes += strlen(h->name) + strlen(h->value) + 2;
    }
    if (bytes > (size_t)-1 / 2) return APIERR_ENOMEM;
    /* One block per reply: the header array, every name and value, then the
     * body; a reply costs one malloc and one free. */
    apierr_header *hs = apierr__malloc(n * sizeof *hs + bytes + 1);
    if (!hs) return APIERR_ENOMEM;
    char *s = (char *)(hs + n);
    for (size_t i = 0; i < n; i++) {
        const apierr_header *h = i < na ? &a[i] : &b[i - na];
        size_t ln = strlen(h->name) + 1, lv = strlen(h->value) + 1;
        hs[i].name = memcpy(s, h->name, ln);
        hs[i].value = memcpy(s + ln, h->value, lv);
        s += ln + lv;
    }
    if (body) {
        out->body = memcpy(s, body, len);
        out->body[len] = '\0';
        out->body_len = len;
    }
    out->status = status;
    out->headers = hs;
    out->nheaders = n;
    return APIERR_OK;
}

int apierr_reply_make(apierr_reply *out, int status, const apierr_header *headers, size_t nheaders,
                      const char *body, size_t len)
{
    memset(out, 0, sizeof *out);
    if (!body && len) return APIERR_EINVAL;
    return apierr__reply_pack(out, status, headers, nheaders, NULL, 0, body, len);
}

void apierr_reply_clear(apierr_reply *r)
{
    if (!r) return;
    apierr__free(r->headers); /* the start of the reply's one block */
    memset(r, 0, sizeof *r);
}

void apierr__retry_after_format(char *buf, long long delay_ms)
{
    long long s = delay_ms <= 0 ? 0 : delay_ms / 1000 + (delay_ms % 1000 != 0);
    snprintf(buf, 24, "%lld", s);
}

/* --- building a reply ------------------------------------------------------- */

static char *put(char *w, const char *s)
{
    size_t n = strlen(s);
    memcpy(w, s, n);
    return w + n;
}

/* Writes `name="value"` with the bytes RFC 6750 3 allows in quoted values
 * (%x20-21 / %x23-5B / %x5D-7E); others are left out. */
static char *put_auth_param(char *w, int *first, const char *name, const char *value)
{
    w = put(w, *first ? " " : ", ");
    *first = 0;
    w = put(put(w, name), "=\"");
    for (const unsigned char *s = (const unsigned char *)value; *s; s++)
        if (*s >= 0x20 && *s <= 0x7e && *s != '"' && *s != '\\') *w++ = (char)*s;
    return put(w, "\"");
}

/* The Bearer challenge as a new string (apierr__free() it), or NULL when out of
 * memory. */
static char *bearer_challenge(const apierr_reply_opts *o, const char *message)
{
    static const char *const errors[] = {
        [APIERR_BEARER_INVALID_TOKEN] = "invalid_token",
        [APIERR_BEARER_MISSING] = NULL,
        [APIERR_BEARER_INVALID_REQUEST] = "invalid_request",
        [APIERR_BEARER_INSUFFICIENT_SCOPE] = "insufficient_scope",
    };
    unsigned e = (unsigned)o->bearer_error;
    const char *error = e < sizeof errors / sizeof *errors ? errors[e] : errors[0];
    size_t cap = 128 + (o->realm ? strlen(o->realm) : 0) + (message ? strlen(message) : 0);
    char *out = apierr__malloc(cap), *w = out;
    int first = 1;
    if (!out) return NULL;
    w = put(w, "Bearer");
    if (o->realm) w = put_auth_param(w, &first, "realm", o->realm);
    if (error) { /* without credentials, no error information (3.1) */
        w = put_auth_param(w, &first, "error", error);
        if (message) w = put_auth_param(w, &first, "error_description", message);
    }
    *w = '\0';
    return out;
}

/* The timestamp of unix_ms into buf (32 bytes), "" when out of range. Each
 * thread keeps the last second it formatted: under load most replies share
 * it, and gmtime_r() and strftime() are a visible part of a cheap reply. */
static void format_timestamp(char *buf, long long unix_ms)
{
    static _Thread_local struct {
        long long second;
        char text[32];
    } last = {-1, ""};
    long long second = unix_ms / 1000;
    if (second != last.second) {
        time_t t = (time_t)second;
        struct tm tm;
        if (!gmtime_r(&t, &tm) || !strftime(last.text, sizeof last.text, "%Y-%m-%dT%H:%M:%SZ", &tm))
            last.text[0] = '\0';
        last.second = second;
    }
    memcpy(buf, last.text, sizeof last.text);
}

static int pick_request_id(char *buf, const apierr_reply_opts *o, const apierr_problem *p)
{
    if (o->request_id) {
        size_t len = strnlen(o->request_id, APIERR_REQUEST_ID_MAX + 1);
        if (!apierr_request_id_valid(o->request_id, len)) return APIERR_EINVAL;
        memcpy(buf, o->request_id, len + 1);
        return APIERR_OK;
    }
    return apierr_request_id_pick(buf, p->request_id);
}

static const apierr_reply_opts reply_defaults = APIERR_REPLY_OPTS_INIT;
/* The size of each version of apierr_reply_opts, from version 1. */
static const size_t reply_opts_sizes[] = {sizeof(apierr_reply_opts)};

APIERR__OPTS_INIT_FUNC(apierr_reply_opts, reply_defaults, reply_opts_sizes)

int apierr__reply_opts_read(apierr_reply_opts *dst, const apierr_reply_opts *src)
{
    *dst = reply_defaults;
    return APIERR__STRUCT_READ(dst, src, reply_opts_sizes);
}

/* Most headers a caller of apierr__reply_build_pre() may add. */
#define PRE_MAX 4

int apierr__reply_build_pre(apierr_reply *out, const apierr_problem *p,
                            const apierr_reply_opts *opts, const apierr_header *pre, size_t npre)
{
    apierr_reply_opts given;
    const apierr_reply_opts *o = &given;
    memset(out, 0, sizeof *out);
    int rc = apierr__reply_opts_read(&given, opts);
    if (rc) return rc;
    if (npre > PRE_MAX) return APIERR_EINVAL;
    int status = p->status >= 400 && p->status <= 599 ? p->status : 500;
    if (status == 405 && !o->allow) return APIERR_EINVAL;

    char rid[APIERR_REQUEST_ID_BUFSIZE], stamp[32], retry[24];
    if ((rc = pick_request_id(rid, o, p))) return rc;

    apierr_problem q = *p; /* shallow: the encoder only reads */
    q.status = status;
    q.request_id = rid;
    if (status == 500) {
        q.code = "INTERNAL_ERROR";
        q.message = APIERR_REPLY_INTERNAL_MESSAGE;
        q.details = NULL;
        q.ndetails = 0;
        q.type = q.title = q.extensions = NULL;
    }
    if (!q.timestamp && o->now_ms > 0) {
        format_timestamp(stamp, o->now_ms);
        if (stamp[0]) q.timestamp = stamp;
    }
    apierr_dialect d = o->dialect != APIERR_DIALECT_AUTO ? o->dialect : p->dialect;
    d = apierr_reply_dialect(d, o->accept);

    apierr_header h[7 + PRE_MAX];
    size_t n = 0;
    h[n++] = (apierr_header){"Content-Type", apierr_dialect_content_type(d)};
    h[n++] = (apierr_header){"Cache-Control", "no-store"};
    h[n++] = (apierr_header){"X-Request-Id", rid};
    /* The dialect is negotiated on Accept (problem+json on request), so a
     * cache must key the error on it (RFC 9110 12.5.5). */
    h[n++] = (apierr_header){"Vary", "Accept"};
    long long ra = p->retry_after_ms;
    if (ra < 0 && (status == 429 || status == 503)) ra = o->default_retry_after_ms;
    if (ra >= 0) {
        apierr__retry_after_format(retry, ra);
        h[n++] = (apierr_header){"Retry-After", retry};
    }
    if (status == 405) h[n++] = (apierr_header){"Allow", o->allow};
    char *challenge = NULL;
    if (status == 401 || (status == 403 && o->bearer_error == APIERR_BEARER_INSUFFICIENT_SCOPE)) {
        if (o->www_authenticate) {
            h[n++] = (apierr_header){"WWW-Authenticate", o->www_authenticate};
        } else {
            if (!(challenge = bearer_challenge(o, q.message))) return APIERR_ENOMEM;
            h[n++] = (apierr_header){"WWW-Authenticate", challenge};
        }
    }

    for (size_t i = 0; i < npre; i++) h[n++] = pre[i];

    char *body;
    size_t len;
    rc = apierr_problem_encode(&body, &len, &q, d);
    if (rc == APIERR_OK) {
        rc = apierr__reply_pack(out, status, h, n, o->headers, o->nheaders, body, len);
        apierr_free(body);
    }
    apierr__free(challenge);
    return rc;
}

int apierr_reply_build(apierr_reply *out, const apierr_problem *p, const apierr_reply_opts *opts)
{
    return apierr__reply_build_pre(out, p, opts, NULL, 0);
}
