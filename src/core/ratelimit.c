/*
 * Rate-limit headers: the IETF httpapi RateLimit draft in its successive
 * forms, and the X-RateLimit-* convention that preceded it.
 *
 * Structured fields are read by a small strict parser (the RFC 8941 subset
 * these fields use: lists and dictionaries of items with parameters;
 * integers, decimals, strings, tokens, byte sequences, booleans, inner
 * lists). As RFC 8941 says, a field that fails to parse is ignored as a
 * whole: nothing from it reaches the caller.
 */
#include "headers_impl.h"

#include <limits.h>
#include <string.h>

/* --- structured fields ----------------------------------------------------- */

typedef enum sf_type { SF_INT, SF_DEC, SF_STR, SF_TOKEN, SF_BYTES, SF_BOOL, SF_INNER } sf_type;

typedef struct sf_bare {
    sf_type type;
    long long milli;  /* numbers: the value times 1000 (decimals have 3 digits) */
    const char *text; /* strings (escapes kept: raw equality is value equality),
                         tokens, byte sequences: the bytes between delimiters */
    size_t len;
} sf_bare;

/* One member of a list (key NULL) or of a dictionary. */
typedef struct sf_member {
    const char *key;
    size_t klen;
    sf_bare value;
    const char *params; /* the validated ";k=v;k" text, read by sf_param() */
    size_t plen;
} sf_member;

typedef struct sf_cursor {
    const char *s;
    size_t i, n;
} sf_cursor;

static int peek(const sf_cursor *c)
{
    return c->i < c->n ? (unsigned char)c->s[c->i] : -1;
}

static int is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}

static int is_lcalpha(int ch)
{
    return ch >= 'a' && ch <= 'z';
}

static int is_alpha(int ch)
{
    return is_lcalpha(ch) || (ch >= 'A' && ch <= 'Z');
}

static int is_tchar(int ch)
{
    return ch > 0 && (is_alpha(ch) || is_digit(ch) || strchr("!#$%&'*+-.^_`|~", ch));
}

static void skip_sp(sf_cursor *c)
{
    while (peek(c) == ' ') c->i++;
}

static void skip_ows(sf_cursor *c)
{
    while (peek(c) == ' ' || peek(c) == '\t') c->i++;
}

/* key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" ) */
static int parse_key(sf_cursor *c, const char **key, size_t *klen)
{
    size_t start = c->i;
    int ch = peek(c);
    if (!is_lcalpha(ch) && ch != '*') return -1;
    for (; is_lcalpha(ch) || is_digit(ch) || (ch > 0 && strchr("_-.*", ch)); ch = peek(c)) c->i++;
    *key = c->s + start;
    *klen = c->i - start;
    return 0;
}

/* Integers have at most 15 digits; decimals 12 before the point and 1 to 3
 * after, so value * 1000 always fits. */
static int parse_number(sf_cursor *c, sf_bare *v)
{
    int neg = 0;
    if (peek(c) == '-') neg = 1, c->i++;
    if (!is_digit(peek(c))) return -1;
    long long whole = 0, frac = 0;
    size_t digits = 0, fdigits = 0;
    for (; is_digit(peek(c)); c->i++) {
        if (++digits > 15) return -1;
        whole = whole * 10 + (peek(c) - '0');
    }
    v->type = SF_INT;
    if (peek(c) == '.') {
        if (digits > 12) return -1;
        c->i++;
        for (; is_digit(peek(c)); c->i++) {
            if (++fdigits > 3) return -1;
            frac = frac * 10 + (peek(c) - '0');
        }
        if (!fdigits) return -1;
        for (size_t k = fdigits; k < 3; k++) frac *= 10;
        v->type = SF_DEC;
    }
    v->milli = (whole * 1000 + frac) * (neg ? -1 : 1);
    return 0;
}

/* The bytes up to the closing delimiter, each accepted by ok(). */
static int parse_delimited(sf_cursor *c, sf_bare *v, sf_type type, int close, int (*ok)(int))
{
    size_t start = ++c->i;
    for (int ch; (ch = peek(c)) != close; c->i++) {
        if (ch < 0 || !ok(ch)) return -1;
        if (ch == '\\') {
            c->i++;
            if (peek(c) != '"' && peek(c) != '\\') return -1;
        }
    }
    v->type = type;
    v->text = c->s + start;
    v->len = c->i++ - start;
    return 0;
}

static int is_string_char(int ch)
{
    return ch >= 0x20 && ch <= 0x7E;
}

static int is_base64(int ch)
{
    return is_alpha(ch) || is_digit(ch) || ch == '+' || ch == '/' || ch == '=';
}

static int parse_bare(sf_cursor *c, sf_bare *v)
{
    int ch = peek(c);
    if (ch == '-' || is_digit(ch)) return parse_number(c, v);
    if (ch == '"') return parse_delimited(c, v, SF_STR, '"', is_string_char);
    if (ch == ':') return parse_delimited(c, v, SF_BYTES, ':', is_base64);
    if (ch == '?') {
        c->i++;
        ch = peek(c);
        if (ch != '0' && ch != '1') return -1;
        c->i++;
        v->type = SF_BOOL;
        v->milli = ch == '1';
        return 0;
    }
    if (!is_alpha(ch) && ch != '*') return -1;
    size_t start = c->i;
    for (; is_tchar(ch) || ch == ':' || ch == '/'; ch = peek(c)) c->i++;
    v->type = SF_TOKEN;
    v->text = c->s + start;
    v->len = c->i - start;
    return 0;
}

/* parameters = *( ";" *SP key [ "=" bare-item ] ) */
static int parse_params(sf_cursor *c, const char **params, size_t *plen)
{
    size_t start = c->i;
    while (peek(c) == ';') {
        const char *key;
        size_t klen;
        sf_bare v;
        c->i++;
        skip_sp(c);
        if (parse_key(c, &key, &klen)) return -1;
        if (peek(c) == '=') {
            c->i++;
            if (parse_bare(c, &v)) return -1;
        }
    }
    *params = c->s + start;
    *plen = c->i - start;
    return 0;
}

/* An item or an inner list "(a b);p", with its parameters. */
static int parse_item(sf_cursor *c, sf_member *m)
{
    if (peek(c) != '(') {
        if (parse_bare(c, &m->value)) return -1;
        return parse_params(c, &m->params, &m->plen);
    }
    c->i++;
    for (;;) {
        skip_sp(c);
        if (peek(c) == ')') break;
        sf_member inner;
        if (parse_item(c, &inner) || inner.value.type == SF_INNER) return -1;
        if (peek(c) != ' ' && peek(c) != ')') return -1;
    }
    c->i++;
    m->value.type = SF_INNER;
    return parse_params(c, &m->params, &m->plen);
}

/* A list member, or a dictionary member `key[=item]` (a bare key is the
 * boolean true; it reads the same as a token list member). */
static int parse_member(sf_cursor *c, sf_member *m)
{
    sf_cursor k = *c;
    memset(m, 0, sizeof *m);
    if (!parse_key(&k, &m->key, &m->klen) && peek(&k) == '=') {
        k.i++;
        *c = k;
        return parse_item(c, m);
    }
    m->key = NULL;
    return parse_item(c, m);
}

/* The last parameter named key of m (RFC 8941: the last one wins). */
static int sf_param(const sf_member *m, const char *key, sf_bare *out)
{
    sf_cursor c = {m->params, 0, m->plen};
    size_t want = strlen(key);
    int found = 0;
    while (peek(&c) == ';') {
        const char *k;
        size_t klen;
        sf_bare v = {SF_BOOL, 1000, NULL, 0};
        c.i++;
        skip_sp(&c);
        parse_key(&c, &k, &klen);
        if (peek(&c) == '=') c.i++, parse_bare(&c, &v);
        if (klen == want && memcmp(k, key, want) == 0) *out = v, found = 1;
    }
    return found;
}

typedef void (*sf_member_fn)(void *ctx, const sf_member *m);

/* Parses a whole field value as a list or dictionary, calling fn on each
 * member. APIERR_EPARSE when any of it is malformed (fn may have been
 * called: callers collect into a scratch copy). */
static int sf_each(const char *value, size_t len, sf_member_fn fn, void *ctx)
{
    apierr__trim_ows(&value, &len);
    sf_cursor c = {value, 0, len};
    if (!len) return APIERR_EPARSE;
    for (;;) {
        sf_member m;
        if (parse_member(&c, &m)) return APIERR_EPARSE;
        fn(ctx, &m);
        skip_ows(&c);
        if (c.i == c.n) return APIERR_OK;
        if (peek(&c) != ',') return APIERR_EPARSE;
        c.i++;
        skip_ows(&c);
        if (c.i == c.n) return APIERR_EPARSE; /* trailing comma */
    }
}

/* --- meaning ------------------------------------------------------------------ */

/* A count (limit, remaining, quota): a non-negative integer, else -1. */
static long long count_of(const sf_bare *v)
{
    return v->type == SF_INT && v->milli >= 0 ? v->milli / 1000 : -1;
}

/* A reset instant given as seconds. Small values are delta-seconds, as the
 * drafts say; some servers send a Unix epoch instead, in seconds or in ms,
 * which no sane delay reaches (1e9 s is 31 years). Those are made relative
 * to now_ms and clamped at 0; without a clock (now_ms <= 0) they are
 * unknown (-1). */
static long long reset_ms_of(const sf_bare *v, long long now_ms)
{
    if ((v->type != SF_INT && v->type != SF_DEC) || v->milli < 0) return -1;
    long long at;
    if (v->milli >= 1000000000000LL * 1000)
        at = v->milli / 1000; /* epoch ms */
    else if (v->milli >= 1000000000LL * 1000)
        at = v->milli; /* epoch s */
    else
        return v->milli;
    if (now_ms <= 0) return -1;
    return at > now_ms ? at - now_ms : 0;
}

/* A window or delay in seconds: a non-negative number, else -1. */
static long long seconds_ms_of(const sf_bare *v)
{
    return (v->type == SF_INT || v->type == SF_DEC) && v->milli >= 0 ? v->milli : -1;
}

static int key_is(const sf_member *m, const char *key)
{
    return m->key && m->klen == strlen(key) && memcmp(m->key, key, m->klen) == 0;
}

/* What the RateLimit field says, and the name of the policy it chose. */
typedef struct field_ctx {
    apierr_ratelimit rl;
    long long now_ms;
    int found;  /* the line being read said something */
    int chosen; /* a list member was chosen, on any line */
    int named;  /* ... and it names its policy: */
    sf_bare name;
} field_ctx;

#define FIELD_CTX_INIT(now)                  \
    {                                        \
        APIERR_RATELIMIT_INIT, now, 0, 0, 0, \
        {                                    \
            SF_INT, 0, NULL, 0               \
        }                                    \
    }

/* RateLimit: `"name";r=50;t=30` members (the most restrictive one wins:
 * fewest remaining, then the longest wait), or the earlier
 * `limit=100, remaining=50, reset=30` dictionary. */
static void field_member(void *ctxp, const sf_member *m)
{
    field_ctx *x = ctxp;
    sf_bare v;
    if (m->key) {
        long long *dst = key_is(m, "limit")       ? &x->rl.limit
                         : key_is(m, "remaining") ? &x->rl.remaining
                         : key_is(m, "reset")     ? &x->rl.reset_ms
                                                  : NULL;
        long long val =
            dst == &x->rl.reset_ms ? reset_ms_of(&m->value, x->now_ms) : count_of(&m->value);
        if (dst && val >= 0) *dst = val, x->found = 1;
        if (dst == &x->rl.limit && sf_param(m, "w", &v) && seconds_ms_of(&v) >= 0)
            x->rl.window_ms = seconds_ms_of(&v);
        return;
    }
    long long r = sf_param(m, "r", &v) ? count_of(&v) : -1;
    long long t = sf_param(m, "t", &v) ? reset_ms_of(&v, x->now_ms) : -1;
    if (r < 0 && t < 0) return;
    /* Unknown remaining ranks after any known one. */
    long long rank = r < 0 ? LLONG_MAX : r,
              best = x->rl.remaining < 0 ? LLONG_MAX : x->rl.remaining;
    if (x->chosen && (rank > best || (rank == best && t <= x->rl.reset_ms))) return;
    x->rl.remaining = r;
    x->rl.reset_ms = t;
    x->found = x->chosen = 1;
    x->named = m->value.type == SF_STR || m->value.type == SF_TOKEN;
    x->name = m->value;
}

/* Parses one RateLimit line into *x, all or nothing. */
static int field_parse(field_ctx *x, const char *value, size_t len)
{
    field_ctx tmp = *x;
    tmp.found = 0;
    if (sf_each(value, len, field_member, &tmp)) return APIERR_EPARSE;
    if (!tmp.found) return APIERR_ENOTFOUND;
    *x = tmp;
    return APIERR_OK;
}

int apierr_ratelimit_field_parse(apierr_ratelimit *out, const char *value, size_t len)
{
    field_ctx x = FIELD_CTX_INIT(0);
    int rc = field_parse(&x, value, len);
    if (rc) return rc;
    const long long *src = &x.rl.limit;
    long long *dst = &out->limit;
    for (int k = 0; k < 4; k++)
        if (src[k] >= 0) dst[k] = src[k];
    return APIERR_OK;
}

/* RateLimit-Policy: `"name";q=100;w=60` members, or the earlier `100;w=60`.
 * The member named like the RateLimit member the caller chose wins;
 * without a name, the first member that says anything. */
typedef struct policy_ctx {
    const sf_bare *want;
    long long limit, window_ms;
    int found;
} policy_ctx;

static int same_name(const sf_bare *a, const sf_bare *b)
{
    return a->type == b->type && a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
}

static void policy_member(void *ctxp, const sf_member *m)
{
    policy_ctx *x = ctxp;
    sf_bare v;
    if (x->found || m->key) return;
    long long q = -1, w = sf_param(m, "w", &v) ? seconds_ms_of(&v) : -1;
    if (m->value.type == SF_INT) {
        q = count_of(&m->value);
    } else {
        if (x->want && !same_name(x->want, &m->value)) return;
        if (sf_param(m, "q", &v)) q = count_of(&v);
    }
    if (q < 0 && w < 0) return;
    x->limit = q, x->window_ms = w, x->found = 1;
}

static int policy_parse(apierr_ratelimit *out, const char *value, size_t len, const sf_bare *want)
{
    policy_ctx x = {want, -1, -1, 0};
    if (sf_each(value, len, policy_member, &x)) return APIERR_EPARSE;
    if (!x.found) return APIERR_ENOTFOUND;
    if (x.limit >= 0) out->limit = x.limit;
    if (x.window_ms >= 0) out->window_ms = x.window_ms;
    return APIERR_OK;
}

int apierr_ratelimit_policy_parse(apierr_ratelimit *out, const char *value, size_t len)
{
    return policy_parse(out, value, len, NULL);
}

/* --- the older separate headers --------------------------------------------- */

/* One family of separate headers, most standard first. */
static const struct {
    const char *limit, *remaining, *reset;
} families[] = {
    {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"},
    {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"},
    {"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"},
};

/* The first member of a separate header's value (`100`, or the draft's
 * `100, 100;w=60` whose later members are policies). */
typedef struct first_ctx {
    sf_member first;
    long long window_ms;
    int n;
} first_ctx;

static void first_member(void *ctxp, const sf_member *m)
{
    first_ctx *x = ctxp;
    sf_bare w;
    if (m->key) return;
    if (!x->n++) x->first = *m;
    /* The window of the policy with the first member's quota. */
    if (x->window_ms < 0 && m->value.type == SF_INT && m->value.milli == x->first.value.milli &&
        sf_param(m, "w", &w))
        x->window_ms = seconds_ms_of(&w);
}

static void separate_headers(apierr_ratelimit *rl, const apierr_header *h, size_t n,
                             long long now_ms)
{
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
        const char *names[3] = {families[f].limit, families[f].remaining, families[f].reset};
        long long *dst[3] = {&rl->limit, &rl->remaining, &rl->reset_ms};
        for (int k = 0; k < 3; k++) {
            const char *v = apierr_header_find(h, n, names[k]);
            if (!v || *dst[k] >= 0) continue;
            first_ctx x = {.window_ms = -1};
            if (sf_each(v, strlen(v), first_member, &x) || !x.n) {
                /* Some servers write the reset as an HTTP-date. */
                long long ms;
                if (k == 2 && now_ms > 0 &&
                    apierr_retry_after_parse(&ms, v, strlen(v), now_ms) == 0)
                    *dst[k] = ms;
                continue;
            }
            *dst[k] = k == 2 ? reset_ms_of(&x.first.value, now_ms) : count_of(&x.first.value);
            if (k == 0 && rl->window_ms < 0) rl->window_ms = x.window_ms;
        }
    }
}

/* The beginnings of every name read here, lower case. */
static const char *const rate_prefixes[] = {"ratelimit", "x-ratelimit-", "x-rate-limit-"};

/* Whether name begins with p, without case, read a byte at a time with
 * `| 32` (a letter's case bit), cheaper than a call to strncasecmp(). A
 * byte it takes for a letter or '-' that is not one (CR for '-') only
 * makes the parse look, never skips a name that is one. */
static int has_prefix(const char *name, const char *p)
{
    for (; *p; p++, name++)
        if ((*name | 32) != *p) return 0;
    return 1;
}

/* 1 when the parse may read a header of this name (it begins, without
 * case, with one of rate_prefixes). */
static int rate_name(const char *name)
{
    /* Most names are told apart at their first byte. */
    int c = name ? *name | 32 : 0;
    if (c != 'r' && c != 'x') return 0;
    for (size_t i = 0; i < sizeof rate_prefixes / sizeof rate_prefixes[0]; i++)
        if (has_prefix(name, rate_prefixes[i])) return 1;
    return 0;
}

/* 1 when some header's name may be one read here: an answer without one,
 * most answers, costs a look at each name's first bytes instead of a
 * comparison per name and header (the client paces with every answer). */
static int any_rate_name(const apierr_header *h, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (rate_name(h[i].name)) return 1;
    return 0;
}

/*
 * Every line of a RateLimit field counts (a field sent twice is one list);
 * a line that does not parse is ignored. Then the policy the chosen member
 * names, then separate headers fill what is still unknown.
 */
int apierr_ratelimit_parse(apierr_ratelimit *out, const apierr_header *headers, size_t n,
                           long long now_ms)
{
    field_ctx x = FIELD_CTX_INIT(now_ms);
    if (!any_rate_name(headers, n)) {
        *out = x.rl;
        return APIERR_ENOTFOUND;
    }
    long k;
    size_t i = 0;
    while ((k = apierr__header_next(headers, n, "RateLimit", &i)) >= 0)
        field_parse(&x, headers[k].value, strlen(headers[k].value));
    for (i = 0; (k = apierr__header_next(headers, n, "RateLimit-Policy", &i)) >= 0;) {
        apierr_ratelimit pol = APIERR_RATELIMIT_INIT;
        if (policy_parse(&pol, headers[k].value, strlen(headers[k].value),
                         x.named ? &x.name : NULL))
            continue;
        if (x.rl.limit < 0) x.rl.limit = pol.limit;
        if (x.rl.window_ms < 0) x.rl.window_ms = pol.window_ms;
        break;
    }
    separate_headers(&x.rl, headers, n, now_ms);
    *out = x.rl;
    const long long *m = &out->limit;
    return m[0] >= 0 || m[1] >= 0 || m[2] >= 0 || m[3] >= 0 ? APIERR_OK : APIERR_ENOTFOUND;
}
