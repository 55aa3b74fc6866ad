/*
 * The retry policy engine: classification of an outcome, backoff with
 * jitter, Retry-After, idempotency, credentials refresh, deadline, retry
 * budget and circuit breaker. Pure: time and randomness come from the caller.
 */
#include "apierr/policy.h"

#include "abi.h"
#include "budget.h"
#include "buf.h"
#include "enum_names.h"

#include <assert.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* --- vocabularies ------------------------------------------------------------ */

/* The columns of the method and transport tables other than names (those
 * are in enum_names.c). */
static const unsigned char idempotent[] = {
#define APIERR__ROW(id, name, idem) idem,
    APIERR_METHOD_MAP(APIERR__ROW)
#undef APIERR__ROW
};

static const struct {
    apierr_category category;
    int unsent;
} transports[] = {
#define APIERR__ROW(id, name, cat, unsent, doc) {APIERR_CAT_##cat, unsent},
    APIERR_TRANSPORT_MAP(APIERR__ROW)
#undef APIERR__ROW
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int apierr_method_idempotent(apierr_method m)
{
    return (unsigned)m < COUNT(idempotent) && idempotent[m];
}

int apierr_method_valid(const char *name)
{
    static const char tchar[] = "!#$%&'*+-.^_`|~0123456789"
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    size_t n = name ? strlen(name) : 0;
    return n >= 1 && n <= 32 && strspn(name, tchar) == n;
}

/* --- options ----------------------------------------------------------------- */

void apierr_status_set_put(apierr_status_set *s, int code, int on)
{
    if (code < 100 || code > 599) return;
    unsigned i = (unsigned)(code - 100);
    if (on)
        s->bits[i / 64] |= 1ull << (i % 64);
    else
        s->bits[i / 64] &= ~(1ull << (i % 64));
}

int apierr_status_set_has(const apierr_status_set *s, int code)
{
    if (code < 100 || code > 599) return 0;
    unsigned i = (unsigned)(code - 100);
    return (int)((s->bits[i / 64] >> (i % 64)) & 1u);
}

int apierr_policy_add_rule(apierr_policy *p, int status, const char *code, apierr_category category,
                           apierr_action action, long long delay_ms, const char *note)
{
    assert(p);
    if (!APIERR__VERSION_KNOWN(p, APIERR_POLICY_VERSION)) return APIERR_EVERSION;
    if (status == 0 && (!code || !*code)) return APIERR_EINVAL;
    if (p->version != APIERR_POLICY_VERSION) {
        /* An older layout: add to a current copy, write it back in its own. */
        apierr_policy cur;
        apierr__policy_read(&cur, p);
        int rc = apierr_policy_add_rule(&cur, status, code, category, action, delay_ms, note);
        if (rc == APIERR_OK) apierr__policy_write(p, p->version, &cur);
        return rc;
    }
    if (p->nrules >= APIERR_POLICY_MAX_RULES) return APIERR_ERANGE;
    apierr_rule *r = &p->rules[p->nrules++];
    memset(r, 0, sizeof *r);
    r->status = status;
    apierr__copy_text(r->code, sizeof r->code, code);
    r->category = category;
    r->action = action;
    r->delay_ms = delay_ms;
    apierr__copy_text(r->note, sizeof r->note, note);
    return APIERR_OK;
}

/* --- budget and breaker ------------------------------------------------------ */

void apierr_budget_init(apierr_budget *b, const apierr_policy *policy)
{
    apierr_policy scratch;
    const apierr_policy *p = apierr__policy_view(policy, &scratch);
    b->max = p->budget_max_tokens > 0 ? p->budget_max_tokens : 0;
    b->tokens = b->max;
}

static void budget_refund(apierr_budget *b, const apierr_policy *p)
{
    double add = p->budget == APIERR_BUDGET_GRPC ? p->budget_token_ratio : p->budget_refund;
    if (add > 0) b->tokens = b->tokens + add > b->max ? b->max : b->tokens + add;
}

/* Declared in budget.h: hedges pay by the same rule. */
int apierr__budget_take(apierr_budget *b, const apierr_policy *p, apierr_category cat)
{
    if (p->budget == APIERR_BUDGET_GRPC) return b->tokens > b->max / 2;
    double cost = cat == APIERR_CAT_TIMEOUT ? p->budget_timeout_cost : p->budget_retry_cost;
    if (cost < 0) cost = 0;
    if (b->tokens < cost) return 0;
    b->tokens -= cost;
    return 1;
}

int apierr_breaker_allow(apierr_breaker *b, const apierr_policy *policy, long long now_ms)
{
    apierr_policy scratch;
    const apierr_policy *p = apierr__policy_view(policy, &scratch);
    if (p->breaker_threshold <= 0) return 1;
    if (b->state == APIERR_BREAKER_CLOSED) return 1;
    if (b->state == APIERR_BREAKER_OPEN) {
        if (now_ms - b->opened_ms < p->breaker_open_ms) return 0;
        b->state = APIERR_BREAKER_HALF_OPEN;
        b->probes = 0;
    }
    if (b->probes >= p->breaker_half_open_probes) return 0;
    b->probes++;
    return 1;
}

void apierr_breaker_record(apierr_breaker *b, const apierr_policy *policy, int success,
                           long long now_ms)
{
    apierr_policy scratch;
    const apierr_policy *p = apierr__policy_view(policy, &scratch);
    if (p->breaker_threshold <= 0) return;
    if (success) {
        b->state = APIERR_BREAKER_CLOSED;
        b->failures = 0;
        return;
    }
    if (b->state == APIERR_BREAKER_HALF_OPEN || ++b->failures >= p->breaker_threshold) {
        b->state = APIERR_BREAKER_OPEN;
        b->opened_ms = now_ms;
        b->failures = 0;
    }
}

/* --- classification ---------------------------------------------------------- */

/* The status to judge: a GraphQL error sent with 200 counts as its own. */
static int effective_status(const apierr_outcome *o)
{
    const apierr_problem *pb = o->problem;
    /* A problem built by hand may leave effective_status 0: its status
     * speaks for it then. */
    int implied = pb ? (pb->effective_status ? pb->effective_status : pb->status) : 0;
    if ((o->status == 0 || (o->status >= 200 && o->status < 300)) && implied >= 400 &&
        implied <= 599)
        return implied;
    return o->status;
}

static const apierr_rule *match_rule(const apierr_rule *rules, size_t n, int status,
                                     const apierr_problem *pb)
{
    const char *code = pb ? pb->code : NULL;
    for (size_t i = 0; i < n; i++) {
        const apierr_rule *r = &rules[i];
        if (r->status && r->status != status) continue;
        if (r->code[0] && (!code || strcmp(r->code, code) != 0)) continue;
        if (!r->status && !r->code[0]) continue; /* matches everything: refused */
        return r;
    }
    return NULL;
}

/* The wait the server named: its Retry-After, else the body's hint; -1:
 * none. */
static long long server_wait_ms(const apierr_outcome *o)
{
    if (o->retry_after_ms >= 0) return o->retry_after_ms;
    return o->problem && o->problem->retry_after_ms >= 0 ? o->problem->retry_after_ms : -1;
}

void apierr_policy_classify(apierr_classification *out, const apierr_outcome *o,
                            const apierr_policy *policy)
{
    assert(out && o);
    apierr_policy scratch;
    const apierr_policy *p = apierr__policy_view(policy, &scratch);
    apierr_transport t =
        (unsigned)o->transport < COUNT(transports) ? o->transport : APIERR_TRANSPORT_OTHER;
    int status = effective_status(o);
    if (t == APIERR_TRANSPORT_NONE && (status < 100 || status > 599))
        t = APIERR_TRANSPORT_OTHER; /* no response and no failure named: the transport's */
    if (t != APIERR_TRANSPORT_NONE) {
        out->status = 0;
        out->category = transports[t].category;
        out->action = p->retry_transport & APIERR_TRANSPORT_BIT(t) ? APIERR_ACTION_RETRY
                                                                   : APIERR_ACTION_GIVE_UP;
        out->reason = apierr__enum_doc(&apierr__transport_names, (int)t);
        return;
    }
    out->status = status;
    if (status < 400) {
        out->category = APIERR_CAT_OK;
        out->action = APIERR_ACTION_NONE;
        out->reason = apierr_status_reason(status);
        return;
    }
    size_t nrules;
    const apierr_rule *rules = apierr__policy_rules(policy, p, &nrules);
    const apierr_rule *r = match_rule(rules, nrules, status, o->problem);
    if (r) {
        out->category = r->category;
        out->action = r->action;
        out->reason = r->note[0] ? r->note : "a rule of the profile";
        return;
    }
    const apierr_problem *pb = o->problem;
    if (pb && pb->dialect == APIERR_DIALECT_GRAPHQL && pb->code &&
        strcmp(pb->code, "UNAUTHENTICATED") == 0) {
        out->category = APIERR_CAT_UNAUTHENTICATED;
        out->action = APIERR_ACTION_REFRESH_CREDENTIALS;
        out->reason = "GraphQL error UNAUTHENTICATED";
        return;
    }
    apierr_status_info info;
    apierr_status_lookup(&info, status);
    out->category = info.category;
    out->action = info.action;
    if (apierr_status_set_has(&p->retry_statuses, status))
        out->action = APIERR_ACTION_RETRY;
    else if (info.action == APIERR_ACTION_RETRY)
        out->action = APIERR_ACTION_GIVE_UP;
    out->reason = info.reason;
    /* A 409 to a request with an idempotency key that says when to come
     * back is the Idempotency-Key draft's "the first request with this key
     * is still being processed": come back then, with the same key, and
     * get that request's answer (a conflict to fix would lose it). */
    if (status == 409 && o->has_idempotency_key && server_wait_ms(o) >= 0) {
        out->action = APIERR_ACTION_RETRY;
        out->reason = "the request with this idempotency key is still being processed";
    }
}

/* --- GraphQL over HTTP ------------------------------------------------------ */

/* 1 when body[0..len) holds the bytes "errors" with their quotes. */
static int has_errors_member(const char *body, size_t len)
{
    static const char key[] = "\"errors\"";
    for (const char *p = body; (size_t)(body + len - p) >= sizeof key - 1; p++) {
        p = memchr(p, '"', (size_t)(body + len - p));
        if (!p || (size_t)(body + len - p) < sizeof key - 1) return 0;
        if (!memcmp(p, key, sizeof key - 1)) return 1;
    }
    return 0;
}

apierr_graphql_kind apierr_graphql_kind_of(int status, const char *body, size_t len,
                                           const apierr_policy *policy)
{
    apierr_policy scratch;
    const apierr_policy *p = apierr__policy_view(policy, &scratch);
    if (status < 200 || status > 299 || !body) return APIERR_GRAPHQL_NONE;
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
        i++;
    /* Cheap tests first: most 2xx bodies are not GraphQL errors. */
    if (i == len || body[i] != '{' || !has_errors_member(body + i, len - i))
        return APIERR_GRAPHQL_NONE;
    json_t *doc = json_loadb(body, len, 0, NULL);
    json_t *errors = json_object_get(doc, "errors");
    json_t *data = json_object_get(doc, "data");
    apierr_graphql_kind k = APIERR_GRAPHQL_NONE;
    if (json_is_array(errors) && json_array_size(errors) > 0)
        k = data && !json_is_null(data) && p->graphql_partial_ok ? APIERR_GRAPHQL_PARTIAL
                                                                 : APIERR_GRAPHQL_FAILED;
    json_decref(doc);
    return k;
}

void apierr_graphql_classify(apierr_classification *out, const apierr_outcome *o,
                             const apierr_policy *policy)
{
    apierr_policy_classify(out, o, policy);
    if (out->category != APIERR_CAT_OK) return;
    out->category = APIERR_CAT_SERVER;
    out->action = APIERR_ACTION_GIVE_UP;
    out->reason = "GraphQL response with errors";
}

/* --- decisions --------------------------------------------------------------- */

static apierr_decision_kind settle(apierr_decision *out, apierr_decision_kind kind,
                                   apierr_category cat)
{
    out->kind = kind;
    out->category = cat;
    if (kind != APIERR_DECISION_RETRY) out->delay_ms = 0;
    return kind;
}

static apierr_decision_kind finish(apierr_decision *out, apierr_decision_kind kind,
                                   apierr_category cat, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static apierr_decision_kind finish(apierr_decision *out, apierr_decision_kind kind,
                                   apierr_category cat, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out->reason, sizeof out->reason, fmt, ap);
    va_end(ap);
    /* Too long: cut at a word, and say so, rather than mid-word. */
    if (n >= (int)sizeof out->reason) {
        char *cut = out->reason + sizeof out->reason - 4;
        while (cut > out->reason && *cut != ' ') cut--;
        memcpy(cut > out->reason ? cut : out->reason + sizeof out->reason - 4, "...", 4);
    }
    return settle(out, kind, cat);
}

/* A draw in [lo, hi]; the modulo bias is far below a millisecond's worth. */
static long long uniform(long long lo, long long hi, apierr_random_fn random, void *payload)
{
    if (hi <= lo) return lo;
    return lo + (long long)(random(payload) % (unsigned long long)(hi - lo + 1));
}

/* min(cap, base * 2^n) without overflow. */
static long long exponential(long long base, long long cap, int n)
{
    if (base <= 0) return 0;
    if (cap < 0) cap = 0;
    long long v = base;
    for (int i = 0; i < n && v < cap; i++) v = v > cap / 2 ? cap : v * 2;
    return v < cap ? v : cap;
}

/* The backoff before retry number n (0 for the first retry). */
static long long backoff(const apierr_policy *p, const apierr_call_state *call, int n,
                         apierr_random_fn random, void *payload)
{
    long long expo = exponential(p->base_delay_ms, p->max_delay_ms, n);
    switch (p->jitter) {
    case APIERR_JITTER_FULL:
        return uniform(0, expo, random, payload);
    case APIERR_JITTER_EQUAL:
        return expo / 2 + uniform(0, expo - expo / 2, random, payload);
    case APIERR_JITTER_DECORRELATED: {
        /* AWS's "decorrelated jitter": sleep = min(cap, uniform(base, 3 * sleep)). */
        long long base = p->base_delay_ms > 0 ? p->base_delay_ms : 0;
        long long prev = call->last_delay_ms > base ? call->last_delay_ms : base;
        long long hi = prev > p->max_delay_ms / 3 ? p->max_delay_ms : prev * 3;
        long long d = uniform(base, hi, random, payload);
        return d < p->max_delay_ms ? d : (p->max_delay_ms > 0 ? p->max_delay_ms : 0);
    }
    case APIERR_JITTER_NONE:
    default:
        return expo;
    }
}

/* The failure proves the application never saw the request, so even a
 * non-idempotent one may be sent again. */
static int proven_unprocessed(const apierr_outcome *o, int status, long long server_ms)
{
    if (o->transport != APIERR_TRANSPORT_NONE)
        return (unsigned)o->transport < COUNT(transports) && transports[o->transport].unsent;
    return status == 429 || (status == 503 && server_ms >= 0);
}

static int host_failed(apierr_category c)
{
    return c == APIERR_CAT_SERVER || c == APIERR_CAT_NETWORK || c == APIERR_CAT_TIMEOUT;
}

/* The most that may be added on top of a server's delay: the policy's
 * spread, at most a quarter of the delay (a short Retry-After stays short),
 * and cut so that the retry still starts before the deadline; 0 when even
 * the server's delay alone reaches it (the caller then fails). */
/* ms as seconds, the way a server writes Retry-After: "2.128", "15". */
static const char *seconds_text(char buf[32], long long ms)
{
    int n = snprintf(buf, 32, "%lld.%03lld", ms / 1000, ms % 1000);
    while (n > 0 && buf[n - 1] == '0') buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '.') buf[--n] = '\0';
    return buf;
}

/* "STATUS reason", as snprintf() with "%d %s" writes it, cut to cap (at
 * least 1): every answer's note, where snprintf() cost some 900
 * instructions of a decision's 1,800. */
static void status_note(char *dst, size_t cap, int status, const char *reason)
{
    char digits[12];
    size_t n = 0, o = 0;
    unsigned u = status < 0 ? 0u - (unsigned)status : (unsigned)status;
    do digits[n++] = (char)('0' + u % 10);
    while (u /= 10);
    if (status < 0) digits[n++] = '-';
    while (n && o + 1 < cap) dst[o++] = digits[--n];
    if (o + 1 < cap) dst[o++] = ' ';
    apierr__copy_text(dst + o, cap - o, reason ? reason : "(null)");
}

static long long spread_limit(const apierr_policy *p, long long asked, long long now_ms,
                              long long deadline)
{
    long long lim = p->retry_after_spread_ms < asked / 4 ? p->retry_after_spread_ms : asked / 4;
    if (deadline && lim > deadline - now_ms - asked - 1) lim = deadline - now_ms - asked - 1;
    return lim > 0 ? lim : 0;
}

apierr_decision_kind apierr_policy_decide(apierr_decision *out, const apierr_policy *policy,
                                          apierr_call_state *call, const apierr_outcome *o,
                                          long long now_ms, apierr_random_fn random, void *payload)
{
    assert(out && call && o);
    apierr_policy scratch;
    const apierr_policy *p = apierr__policy_view(policy, &scratch);
    apierr_classification c;
    apierr_policy_classify(&c, o, p);

    int just_refreshed = call->refreshed || o->refreshed;
    call->refreshed = 0;
    call->attempts++;
    out->delay_ms = 0;
    out->action = c.action;

    char what[APIERR_REASON_MAX]; /* a rule's note whole: the reason is cut, not this */
    if (c.status)
        status_note(what, sizeof what, c.status, c.reason);
    else
        apierr__copy_text(what, sizeof what, c.reason);

    if (call->breaker) apierr_breaker_record(call->breaker, p, !host_failed(c.category), now_ms);
    int budgeted = call->budget && p->budget != APIERR_BUDGET_OFF;
    if (c.category == APIERR_CAT_OK) {
        if (budgeted) budget_refund(call->budget, p);
        /* what whole (it fits: the same size), without finish()'s
         * formatting, which was most of a success's decision. */
        apierr__copy_text(out->reason, sizeof out->reason, what);
        return settle(out, APIERR_DECISION_DONE, c.category);
    }

    long long deadline = p->deadline_ms > 0 ? call->start_ms + p->deadline_ms : 0;
    int out_of_attempts = p->max_attempts > 0 && call->attempts >= p->max_attempts;

    if (c.action == APIERR_ACTION_REFRESH_CREDENTIALS) {
        if (just_refreshed)
            return finish(out, APIERR_DECISION_FAIL, c.category,
                          "%s right after a refresh: the new credentials are refused too", what);
        if (out_of_attempts)
            return finish(out, APIERR_DECISION_FAIL, c.category, "%s: no attempt left after %d",
                          what, call->attempts);
        if (deadline && now_ms >= deadline)
            return finish(out, APIERR_DECISION_FAIL, APIERR_CAT_DEADLINE,
                          "%s: the deadline has passed", what);
        call->refreshed = 1;
        return finish(out, APIERR_DECISION_REFRESH, c.category,
                      "%s: refresh the credentials, then retry once", what);
    }
    if (c.action != APIERR_ACTION_RETRY)
        return finish(out, APIERR_DECISION_FAIL, c.category, "%s: %s", what,
                      apierr_action_doc(c.action));

    /* gRPC throttling charges every retryable failure, retried or not. */
    if (budgeted && p->budget == APIERR_BUDGET_GRPC)
        call->budget->tokens = call->budget->tokens >= 1 ? call->budget->tokens - 1 : 0;

    long long server_ms = server_wait_ms(o);
    if (!apierr_method_idempotent(o->method) && !o->has_idempotency_key &&
        !proven_unprocessed(o, c.status, server_ms))
        return finish(out, APIERR_DECISION_FAIL, c.category,
                      "%s: a %s without an idempotency key may have been processed; not retried",
                      what, apierr_method_name(o->method) ? apierr_method_name(o->method) : "?");
    if (out_of_attempts)
        return finish(out, APIERR_DECISION_FAIL, c.category, "%s: gave up after %d attempt%s", what,
                      call->attempts, call->attempts == 1 ? "" : "s");

    size_t nrules;
    const apierr_rule *rules = apierr__policy_rules(p, p, &nrules);
    const apierr_rule *rule = match_rule(rules, nrules, c.status, o->problem);
    long long delay = rule && rule->action == APIERR_ACTION_RETRY && rule->delay_ms >= 0
                          ? rule->delay_ms
                          : backoff(p, call, call->attempts - 1, random, payload);
    long long asked = p->retry_after ? server_ms : -1;
    int from_server = asked >= 0;
    if (asked < 0 && c.status == 429) asked = p->rate_limited_delay_ms;
    long long spread = 0;
    if (asked >= 0) {
        char sent[32];
        /* Quote the server (Retry-After: 2.128 s), or say that the wait is
         * the profile's own when the server named none. */
        if (asked > p->retry_after_max_ms && from_server)
            return finish(out, APIERR_DECISION_FAIL, APIERR_CAT_RATE_LIMITED,
                          "%s: the server asks to wait (Retry-After: %s s), more than the %lld ms "
                          "accepted",
                          what, seconds_text(sent, asked), p->retry_after_max_ms);
        if (asked > p->retry_after_max_ms)
            return finish(out, APIERR_DECISION_FAIL, APIERR_CAT_RATE_LIMITED,
                          "%s: the profile waits %lld ms after a 429 without Retry-After, more "
                          "than the %lld ms accepted",
                          what, asked, p->retry_after_max_ms);
        /* The spread breaks up a herd: calls refused together (an outage, a
         * quota's reset) and told to come back at one instant. It is drawn
         * once, on the call's first answer: a call spread once stays apart
         * from the others, since each later wait counts from its own
         * answer; spreading every wait again only made a call that meets
         * several 429s in a row later than a client that waits what the
         * server says (goodput's tail against urllib3). */
        if (from_server && call->attempts == 1)
            spread = uniform(0, spread_limit(p, asked, now_ms, deadline), random, payload);
        long long wait = asked + spread;
        delay = p->retry_after_with_backoff && delay > wait ? delay : wait;
    }
    if (deadline && now_ms + delay >= deadline) {
        char sent[32];
        if (asked >= 0 && now_ms < deadline && from_server)
            return finish(out, APIERR_DECISION_FAIL, APIERR_CAT_RATE_LIMITED,
                          "%s: the server asks to wait (Retry-After: %s s), past the deadline "
                          "(%lld ms left)",
                          what, seconds_text(sent, asked), deadline - now_ms);
        if (asked >= 0 && now_ms < deadline)
            return finish(out, APIERR_DECISION_FAIL, APIERR_CAT_RATE_LIMITED,
                          "%s: the profile waits %lld ms after a 429 without Retry-After, past "
                          "the deadline (%lld ms left)",
                          what, asked, deadline - now_ms);
        return finish(out, APIERR_DECISION_FAIL, APIERR_CAT_DEADLINE,
                      "%s: the next attempt would start past the deadline", what);
    }
    /* curl's --retry-max-time: the failure stays what it was. */
    if (p->retry_window_ms > 0 && now_ms + delay > call->start_ms + p->retry_window_ms)
        return finish(out, APIERR_DECISION_FAIL, c.category,
                      "%s: the next attempt would start past the retry window (%lld ms)", what,
                      p->retry_window_ms);
    apierr_breaker *br = call->breaker;
    if (br && p->breaker_threshold > 0 && br->state == APIERR_BREAKER_OPEN &&
        now_ms + delay - br->opened_ms < p->breaker_open_ms)
        return finish(out, APIERR_DECISION_FAIL, APIERR_CAT_CIRCUIT_OPEN,
                      "%s: the circuit for the host is open", what);
    if (budgeted && !apierr__budget_take(call->budget, p, c.category))
        return finish(out, APIERR_DECISION_FAIL, APIERR_CAT_BUDGET_EXHAUSTED,
                      "%s: the client's retry budget is spent", what);

    call->last_delay_ms = delay;
    out->delay_ms = delay;
    if (spread > 0 && delay == asked + spread)
        return finish(out, APIERR_DECISION_RETRY, c.category,
                      "%s: retry %d after %lld ms (Retry-After %lld ms + %lld ms spread)", what,
                      call->attempts, delay, asked, spread);
    return finish(out, APIERR_DECISION_RETRY, c.category, "%s: retry %d after %lld ms", what,
                  call->attempts, delay);
}

void apierr_call_state_init(apierr_call_state *call, long long now_ms, apierr_budget *budget,
                            apierr_breaker *breaker)
{
    assert(call);
    memset(call, 0, sizeof *call);
    call->start_ms = now_ms;
    call->budget = budget;
    call->breaker = breaker;
}

int apierr_policy_reread(const apierr_policy *policy, int status, int rounds, long long elapsed_ms,
                         char *reason, size_t cap)
{
    apierr_policy scratch;
    const apierr_policy *p = apierr__policy_view(policy, &scratch);
    const char *why;
    int yes = 0;
    if (status != 409 && status != 412)
        why = "the write was not refused as stale";
    else if (status == 409 && !p->conflict_reread)
        why = "409 is final under this profile (conflict_reread 0)";
    else if (p->max_attempts > 0 && rounds >= p->max_attempts)
        why = "the resource kept changing: every attempt allowed was refused as stale";
    else if (p->deadline_ms > 0 && elapsed_ms >= p->deadline_ms)
        why = "the deadline passed while the resource kept changing";
    else {
        why = status == 412 ? "412: the version read is stale; re-read and write again"
                            : "409: another operation changed the resource; re-read and retry";
        yes = 1;
    }
    if (reason && cap) snprintf(reason, cap, "%s", why);
    return yes;
}
