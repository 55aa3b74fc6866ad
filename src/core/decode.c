/* apierr_problem_decode(): any response body in, one problem out. */
#include "apierr/headers.h"
#include "abi.h"
#include "general.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Where the JSON value of a body starts, or NULL when the body is not an
 * object or array (a bare string or number is text, not a JSON error body).
 * Some servers put a UTF-8 byte-order mark first. jansson bounds nesting
 * depth itself, so hostile bodies cannot exhaust the stack. */
static const char *json_start(const char *s, size_t n)
{
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3, n -= 3;
    while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) s++, n--;
    return n && (*s == '{' || *s == '[') ? s : NULL;
}

/* Sets b->keys, b->unknown_keys and b->top from the top-level members,
 * b->err from those of the top-level "error" object. */
static void index_keys(apierr__body *b)
{
    const char *key;
    const json_t *value;
    if (!json_is_object(b->json)) return;
    json_object_foreach((json_t *)b->json, key, value) {
        int bit = apierr__key_index(key, strlen(key));
        if (json_is_object(value) || json_is_array(value)) b->nested++;
        if (bit < 0) {
            b->unknown_keys++;
        } else {
            b->keys |= UINT64_C(1) << bit;
            b->top[bit] = value;
        }
    }
    json_object_foreach((json_t *)APIERR__TOP(b, error), key, value) {
        int bit = apierr__key_index(key, strlen(key));
        if (bit >= 0) b->err[bit] = value;
    }
}

static const apierr__dialect_ops *detect(const apierr__body *b)
{
    const apierr__dialect_ops *best = NULL;
    int best_score = 0;
    for (unsigned d = 0; d < APIERR_DIALECT__COUNT; d++) {
        const apierr__dialect_ops *ops = apierr__dialect_ops_of((apierr_dialect)d);
        if (!ops || !ops->match || !ops->decode) continue;
        if (ops->any_of && !(b->keys & ops->any_of)) continue;
        int s = ops->match(b);
        if (s > best_score) best = ops, best_score = s;
    }
    return best;
}

/* What a dialect and the general fill read of a body's members. */
typedef struct taken {
    const char *const *members; /* the dialect's names, NULL-terminated */
    const json_t *root;
    const apierr__took *took; /* the values the fill took */
} taken;

/* 1 when key is one of the dialect's names, or its value one the fill
 * took for the problem. */
static int is_taken(const char *key, const void *ctx)
{
    const taken *t = ctx;
    for (const char *const *members = t->members; *members; members++)
        if (strcmp(key, *members) == 0) return 1;
    const json_t *v = json_object_get(t->root, key);
    for (size_t i = 0; i < t->took->n; i++)
        if (t->took->v[i] == v) return 1;
    return 0;
}

/* APIERR__KEY bits of a dialect's members, computed once per dialect.
 * MEMBERS_OUTSIDE marks a list with a name the key table lacks (the fast
 * path then never applies); 0 means "not computed yet". Relaxed atomics:
 * racing threads compute and store the same value. */
#define MEMBERS_DONE    (UINT64_C(1) << 63)
#define MEMBERS_OUTSIDE (UINT64_C(1) << 62)
static uint64_t members_mask(const apierr__dialect_ops *ops)
{
    static _Atomic uint64_t cache[APIERR_DIALECT__COUNT];
    uint64_t m = atomic_load_explicit(&cache[ops->id], memory_order_relaxed);
    if (m) return m;
    m = MEMBERS_DONE;
    for (const char *const *k = ops->members; *k; k++) {
        int bit = apierr__key_index(*k, strlen(*k));
        m |= bit < 0 ? MEMBERS_OUTSIDE : UINT64_C(1) << bit;
    }
    atomic_store_explicit(&cache[ops->id], m, memory_order_relaxed);
    return m;
}

/* Keeps the top-level members that neither the dialect nor the general
 * fill (took) took, as a JSON object. */
static int keep_extensions(apierr_problem *p, const apierr__dialect_ops *ops, const apierr__body *b,
                           const apierr__took *took)
{
    if (!ops->members || !json_is_object(b->json) || p->extensions) return APIERR_OK;
    uint64_t mask = members_mask(ops);
    if (!(mask & MEMBERS_OUTSIDE) && !b->unknown_keys && !(b->keys & ~mask))
        return APIERR_OK; /* every member is one the dialect took */
    taken t = {ops->members, b->json, took};
    return apierr__keep_extensions(p, b->json, is_taken, &t);
}

/* 1 when the general rules could add nothing: the body's members are
 * scalars the dialect took (gestix, twilio, oauth, slack bodies), so the
 * rules would read the same members again; their walk is then saved. */
static int all_taken(const apierr__dialect_ops *ops, const apierr__body *b)
{
    if (b->nested || b->unknown_keys || !ops->members) return 0;
    uint64_t mask = members_mask(ops);
    return !(mask & MEMBERS_OUTSIDE) && !(b->keys & ~mask);
}

/* Headers speak for the response as a whole: Retry-After beats a body hint,
 * a body's own request id beats a header's (it names the failing call). */
static int apply_headers(apierr_problem *p, const apierr_decode_opts *o)
{
    if (!o->nheaders) return APIERR_OK; /* twelve names looked for in nothing */
    const char *v = apierr_header_find(o->headers, o->nheaders, "Retry-After");
    long long ms;
    /* RFC 9110 delay-seconds are whole, but servers send "2.128" (OpenAI,
     * Anthropic): read as a duration rather than dropped. */
    if (v && (apierr_retry_after_parse(&ms, v, strlen(v), o->now_ms) == APIERR_OK ||
              apierr_duration_parse(&ms, v, strlen(v)) == APIERR_OK))
        p->retry_after_ms = ms;
    /* Azure's millisecond headers say it more precisely, with or without
     * Retry-After (which Azure OpenAI rounds up to whole seconds). */
    static const char *const ms_headers[] = {"Retry-After-Ms", "X-Ms-Retry-After-Ms"};
    for (size_t i = 0; i < sizeof ms_headers / sizeof ms_headers[0]; i++) {
        const char *m = apierr_header_find(o->headers, o->nheaders, ms_headers[i]);
        size_t n = m ? strlen(m) : 0;
        if (n && n <= 12 && strspn(m, "0123456789") == n) {
            p->retry_after_ms = strtoll(m, NULL, 10);
            v = m;
            break;
        }
    }
    /* A 429 without Retry-After: the rate-limit window's reset says when. */
    apierr_ratelimit rl = APIERR_RATELIMIT_INIT;
    int status = p->effective_status ? p->effective_status : p->status;
    if (!v && status == 429 && p->retry_after_ms < 0 &&
        apierr_ratelimit_parse(&rl, o->headers, o->nheaders, o->now_ms) == APIERR_OK &&
        rl.reset_ms >= 0)
        p->retry_after_ms = rl.reset_ms;
    if (!p->request_id) {
        const char *id = apierr_request_id_find(o->headers, o->nheaders);
        if (id && apierr_problem_set(p, APIERR_PF_REQUEST_ID, id)) return APIERR_ENOMEM;
    }
    return APIERR_OK;
}

static const apierr_decode_opts decode_defaults = APIERR_DECODE_OPTS_INIT;
/* The size of each version of apierr_decode_opts: grows at its end only. */
static const size_t decode_opts_sizes[] = {offsetof(apierr_decode_opts, custom),
                                           sizeof(apierr_decode_opts)};

int apierr_decode_opts_init(apierr_decode_opts *opts, unsigned version)
{
    return apierr__struct_init(opts, &decode_defaults, version, decode_opts_sizes,
                               APIERR__NSIZES(decode_opts_sizes));
}

int apierr_problem_decode(apierr_problem **out, const char *body, size_t len,
                          const apierr_decode_opts *opts)
{
    apierr_decode_opts given = decode_defaults;
    const apierr_decode_opts *o = &given;
    apierr_problem *p;
    json_t *root = NULL;
    int rc;

    *out = NULL;
    if ((rc = APIERR__STRUCT_READ(&given, opts, decode_opts_sizes))) return rc;
    if (o->custom && !APIERR__VERSION_KNOWN(o->custom, APIERR_CUSTOM_DIALECT_VERSION))
        return APIERR_EVERSION;
    if (apierr_problem_new(&p)) return APIERR_ENOMEM;
    p->status = o->status;
    if (!body) len = 0;
    if ((rc = apierr_problem_set_raw(p, body ? body : "", len))) goto fail;

    const char *start = json_start(p->raw, len);
    json_error_t jerr;
    if (start) root = json_loadb(start, len - (size_t)(start - p->raw), 0, &jerr);
    /* Out of memory is not "not JSON": reading the body as text instead
     * would give a different problem. jansson describes every syntax error;
     * most of its allocation failures leave the message empty. */
    if (start && !root &&
        (json_error_code(&jerr) == json_error_out_of_memory || jerr.text[0] == '\0')) {
        rc = APIERR_ENOMEM;
        goto fail;
    }
    apierr__body b = {.json = root,
                      .text = p->raw,
                      .len = len,
                      .content_type = o->content_type,
                      .status = o->status,
                      .custom = o->custom};
    index_keys(&b);

    apierr_dialect want = o->dialect;
    if (o->custom && want == APIERR_DIALECT_AUTO) want = APIERR_DIALECT_CUSTOM;
    const apierr__dialect_ops *ops = apierr__dialect_ops_of(want);
    int forced = ops && ops->decode;
    if (!forced) ops = detect(&b);
    if (!ops) ops = apierr__dialect_ops_of(APIERR_DIALECT_GENERAL); /* no named shape */
    p->dialect = ops->id;
    if ((rc = ops->decode(p, &b))) goto fail;
    /* Every dialect falls back on the general rules for what it left out;
     * the extensions are what is left after both (a member the fill took
     * as the message is not kept again beside it). */
    apierr__took took = {{0}, 0};
    if (ops->id != APIERR_DIALECT_GENERAL && ops->id != APIERR_DIALECT_UNKNOWN &&
        !all_taken(ops, &b) && (rc = apierr__general_fill(p, &b, &took)))
        goto fail;
    if ((rc = keep_extensions(p, ops, &b, &took))) goto fail;
    if (!forced && ops->id == APIERR_DIALECT_GENERAL && !p->code && !p->message && !p->title &&
        !p->ndetails)
        p->dialect = APIERR_DIALECT_UNKNOWN; /* the rules found nothing */
    if ((rc = apply_headers(p, o))) goto fail;
    /* Nothing is invented: no message stays NULL (apierr_problem_text()
     * has a line to print), and the wire status stays the status. */
    if (!p->effective_status) p->effective_status = p->status;
    json_decref(root);
    *out = p;
    return APIERR_OK;
fail:
    json_decref(root);
    apierr_problem_free(p);
    return rc;
}
