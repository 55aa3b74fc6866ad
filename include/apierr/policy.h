/*
 * apierr/policy.h - the retry policy engine.
 *
 * Turns the outcome of one attempt into a decision: done, retry after N ms,
 * refresh the credentials then retry, or fail; always with a category and a
 * one-line reason. Pure: the engine reads no clock and no random device. The
 * caller passes the time (now_ms, any monotonic millisecond clock) and a
 * random source, so a test can replay every decision.
 *
 * Objects:
 * - apierr_policy: the options (versioned, APIERR_POLICY_INIT; NULL means
 *   the defaults). A profile (profile.h) carries one.
 * - apierr_call_state: the state of one logical call across its attempts.
 * - apierr_budget: a retry budget shared by the calls of one client.
 * - apierr_breaker: a circuit breaker for one host.
 * All are plain structs owned by the caller; none allocates.
 */
#ifndef APIERR_POLICY_H
#define APIERR_POLICY_H

#include "problem.h"
#include "status.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* --- random source ----------------------------------------------------------- */

/* Returns 64 uniformly random bits. */
typedef uint64_t (*apierr_random_fn)(void *payload);

/* A small seeded PRNG (splitmix64) usable as an apierr_random_fn: pass
 * apierr_rng_next with a pointer to an apierr_rng as payload. */
typedef struct apierr_rng {
    uint64_t state;
} apierr_rng;

APIERR_EXTERN void apierr_rng_seed(apierr_rng *rng, uint64_t seed);
/* payload is an apierr_rng *. Returns the next 64 random bits. */
APIERR_EXTERN uint64_t apierr_rng_next(void *payload);

/* --- vocabularies (one table each: enum, stable name, ...) --------------------- */

/* Columns: enum suffix, stable name. */
#define APIERR_JITTER_MAP(X) \
    X(NONE, "none")          \
    X(FULL, "full")          \
    X(EQUAL, "equal")        \
    X(DECORRELATED, "decorrelated")

typedef enum apierr_jitter {
#define APIERR__JITTER_ENUM(id, name) APIERR_JITTER_##id,
    APIERR_JITTER_MAP(APIERR__JITTER_ENUM)
#undef APIERR__JITTER_ENUM
        APIERR_JITTER__COUNT
} apierr_jitter;

/* Retry budgets. grpc: gRPC's retryThrottling (every retryable failure
 * takes one token, every success gives back token_ratio, retries stop while
 * tokens <= max/2). aws: the AWS SDKs' retry quota (a retry costs
 * retry_cost, or timeout_cost after a timeout; a success refunds refund;
 * retries stop when the quota cannot pay). Columns: enum suffix, name. */
#define APIERR_BUDGET_MAP(X) \
    X(OFF, "off")            \
    X(GRPC, "grpc")          \
    X(AWS, "aws")

typedef enum apierr_budget_mode {
#define APIERR__BUDGET_ENUM(id, name) APIERR_BUDGET_##id,
    APIERR_BUDGET_MAP(APIERR__BUDGET_ENUM)
#undef APIERR__BUDGET_ENUM
        APIERR_BUDGET__COUNT
} apierr_budget_mode;

/* Request methods. Columns: enum suffix, name, idempotent (RFC 9110 9.2.2:
 * a retry cannot do more than the first request did). */
#define APIERR_METHOD_MAP(X) \
    X(GET, "GET", 1)         \
    X(HEAD, "HEAD", 1)       \
    X(PUT, "PUT", 1)         \
    X(DELETE, "DELETE", 1)   \
    X(OPTIONS, "OPTIONS", 1) \
    X(TRACE, "TRACE", 1)     \
    X(POST, "POST", 0)       \
    X(PATCH, "PATCH", 0)     \
    X(OTHER, "OTHER", 0)

typedef enum apierr_method {
#define APIERR__METHOD_ENUM(id, name, idem) APIERR_METHOD_##id,
    APIERR_METHOD_MAP(APIERR__METHOD_ENUM)
#undef APIERR__METHOD_ENUM
        APIERR_METHOD__COUNT
} apierr_method;

/* Transport failures: the attempt got no HTTP response. Columns: enum
 * suffix, stable name, category, unsent (1 when the failure proves the
 * request never reached the server's application, so even a POST may be
 * sent again), meaning. */
#define APIERR_TRANSPORT_MAP(X)                                                     \
    X(NONE, "none", OK, 0, "a response arrived")                                    \
    X(CONNECT_REFUSED, "connect_refused", NETWORK, 1, "the connection was refused") \
    X(RESET, "reset", NETWORK, 0, "the connection was reset")                       \
    X(TIMEOUT, "timeout", TIMEOUT, 0, "the attempt timed out")                      \
    X(DNS_TEMPORARY, "dns_temporary", NETWORK, 1, "name resolution failed for now") \
    X(DNS_PERMANENT, "dns_permanent", NETWORK, 1, "the host name does not exist")   \
    X(TLS, "tls", NETWORK, 0, "the TLS handshake or session failed")                \
    X(OTHER, "other", NETWORK, 0, "the transport failed")

typedef enum apierr_transport {
#define APIERR__TRANSPORT_ENUM(id, name, cat, unsent, doc) APIERR_TRANSPORT_##id,
    APIERR_TRANSPORT_MAP(APIERR__TRANSPORT_ENUM)
#undef APIERR__TRANSPORT_ENUM
        APIERR_TRANSPORT__COUNT
} apierr_transport;

/* Bit of a transport failure in apierr_policy.retry_transport. */
#define APIERR_TRANSPORT_BIT(t) (1u << (unsigned)(t))

/* Columns: enum suffix, stable name. */
#define APIERR_DECISION_MAP(X) \
    X(DONE, "done")            \
    X(RETRY, "retry")          \
    X(REFRESH, "refresh")      \
    X(FAIL, "fail")

typedef enum apierr_decision_kind {
#define APIERR__DECISION_ENUM(id, name) APIERR_DECISION_##id,
    APIERR_DECISION_MAP(APIERR__DECISION_ENUM)
#undef APIERR__DECISION_ENUM
        APIERR_DECISION__COUNT
} apierr_decision_kind;

/* Stable names, NULL when out of range. */
APIERR_EXTERN const char *apierr_jitter_name(apierr_jitter j);
APIERR_EXTERN const char *apierr_budget_mode_name(apierr_budget_mode m);
APIERR_EXTERN const char *apierr_method_name(apierr_method m);
APIERR_EXTERN const char *apierr_transport_name(apierr_transport t);
APIERR_EXTERN const char *apierr_decision_name(apierr_decision_kind k);
/* Lookups by name (exact match, see category.h): APIERR_OK, or
 * APIERR_ENOTFOUND. An unknown method is not an error: it gives
 * APIERR_METHOD_OTHER (not idempotent). */
APIERR_EXTERN int apierr_jitter_from_name(apierr_jitter *out, const char *name);
APIERR_EXTERN int apierr_budget_mode_from_name(apierr_budget_mode *out, const char *name);
APIERR_EXTERN int apierr_transport_from_name(apierr_transport *out, const char *name);
APIERR_EXTERN apierr_method apierr_method_from_name(const char *name);
/* 1 when a method may be sent again without an idempotency key. */
APIERR_EXTERN int apierr_method_idempotent(apierr_method m);
/* 1 when name can be a request method: a token of RFC 9110 (5.6.2), 1 to
 * 32 bytes ("GET", "PROPFIND", "M-SEARCH"); 0 for NULL, "", "GET /" or a
 * control character. */
APIERR_EXTERN int apierr_method_valid(const char *name);

/* --- the options ------------------------------------------------------------ */

/* A set of HTTP status codes (100..599): bit (code - 100). */
typedef struct apierr_status_set {
    uint64_t bits[8];
} apierr_status_set;

#define APIERR__SBIT(code, w) (((code)-100) / 64 == (w) ? 1ull << (((code)-100) % 64) : 0ull)
#define APIERR__SDEF(w)                                                                          \
    (APIERR__SBIT(408, w) | APIERR__SBIT(429, w) | APIERR__SBIT(500, w) | APIERR__SBIT(502, w) | \
     APIERR__SBIT(503, w) | APIERR__SBIT(504, w))
/* 408, 429, 500, 502, 503, 504: the statuses every seed that lists retryable
 * ones agrees on (000, 001, 003), plus 408 (RFC 9110 15.5.9). */
#define APIERR_STATUS_SET_DEFAULT                                                                \
    {                                                                                            \
        {                                                                                        \
            APIERR__SDEF(0), APIERR__SDEF(1), APIERR__SDEF(2), APIERR__SDEF(3), APIERR__SDEF(4), \
                APIERR__SDEF(5), APIERR__SDEF(6), APIERR__SDEF(7)                                \
        }                                                                                        \
    }

/* Adds (on != 0) or removes a code; codes outside 100..599 are ignored. */
APIERR_EXTERN void apierr_status_set_put(apierr_status_set *s, int code, int on);
/* 1 when code is in the set. */
APIERR_EXTERN int apierr_status_set_has(const apierr_status_set *s, int code);

/* Timeouts, refused or reset connections and temporary DNS failures. */
#define APIERR_TRANSPORT_DEFAULT                              \
    (APIERR_TRANSPORT_BIT(APIERR_TRANSPORT_CONNECT_REFUSED) | \
     APIERR_TRANSPORT_BIT(APIERR_TRANSPORT_RESET) |           \
     APIERR_TRANSPORT_BIT(APIERR_TRANSPORT_TIMEOUT) |         \
     APIERR_TRANSPORT_BIT(APIERR_TRANSPORT_DNS_TEMPORARY))

/*
 * A rule of a profile: what an outcome means when its status and/or the
 * problem's machine-readable code match (Gestix's 403 = expired session,
 * DB_TIMEOUT = retry after a short delay). Rules are tried in order before
 * the status registry; the first match wins. status 0 matches any status, an
 * empty code any code; a rule needs at least one of the two.
 */
#define APIERR_RULE_CODE_MAX 48
#define APIERR_RULE_NOTE_MAX 128
typedef struct apierr_rule {
    int status;
    char code[APIERR_RULE_CODE_MAX];
    apierr_category category;
    apierr_action action;
    long long delay_ms;              /* action retry: the delay to use; -1: the backoff */
    char note[APIERR_RULE_NOTE_MAX]; /* why, for people: the seed it comes from */
} apierr_rule;

#define APIERR_POLICY_MAX_RULES 8

/* Kinds of option members, and their C types. */
#define APIERR__PTYPE_INT        int
#define APIERR__PTYPE_BOOL       int
#define APIERR__PTYPE_MS         long long
#define APIERR__PTYPE_DOUBLE     double
#define APIERR__PTYPE_JITTER     apierr_jitter
#define APIERR__PTYPE_BUDGET     apierr_budget_mode
#define APIERR__PTYPE_STATUSES   apierr_status_set
#define APIERR__PTYPE_TRANSPORTS unsigned

/*
 * The named options of a policy: one table gives the struct members, their
 * defaults (APIERR_POLICY_INIT), their JSON names (profile files and
 * `apierr profiles show`). Columns: kind, member, JSON name, default, meaning.
 * Durations are in milliseconds.
 *
 * The struct's layout is ABI, and versioned (APIERR_POLICY_VERSION): each
 * version's members are a map of their own. Versions 1 to 3 put the rules
 * after all their members; from version 4 on, new members go into
 * APIERR_POLICY_FIELD_MAP_TAIL, after the rules, so that a struct only ever
 * grows at its end. The library reads a policy of an older version by its
 * own layout (src/core/abi.c).
 */
#define APIERR_POLICY_FIELD_MAP_V1(X)                                                             \
    X(INT, max_attempts, "max_attempts", 4,                                                       \
      "attempts in all, the first one included; 0: no limit")                                     \
    X(MS, base_delay_ms, "base_delay_ms", 1000, "backoff before the first retry")                 \
    X(MS, max_delay_ms, "max_delay_ms", 30000, "cap of the backoff: min(cap, base * 2^n)")        \
    X(JITTER, jitter, "jitter", APIERR_JITTER_FULL, "randomization of the backoff")               \
    X(STATUSES, retry_statuses, "retry_statuses", APIERR_STATUS_SET_DEFAULT,                      \
      "HTTP statuses that are retried")                                                           \
    X(TRANSPORTS, retry_transport, "retry_transport", APIERR_TRANSPORT_DEFAULT,                   \
      "transport failures that are retried")                                                      \
    X(BOOL, retry_after, "retry_after", 1, "honor the server's Retry-After")                      \
    X(BOOL, retry_after_with_backoff, "retry_after_with_backoff", 0,                              \
      "1: wait the larger of the backoff and the server's delay; 0: the server's delay (and the " \
      "spread) is the wait, backoff is for failures that say nothing")                            \
    X(MS, retry_after_max_ms, "retry_after_max_ms", 120000,                                       \
      "longest server delay accepted; a longer one fails at once with rate_limited")              \
    X(MS, rate_limited_delay_ms, "rate_limited_delay_ms", -1,                                     \
      "delay after a 429 without Retry-After; -1: the backoff")                                   \
    X(MS, deadline_ms, "deadline_ms", 0, "time for the whole call, retries included; 0: none")    \
    X(MS, attempt_timeout_ms, "attempt_timeout_ms", 30000,                                        \
      "time for one attempt (a server that never answers is a timeout); 0: none")                 \
    X(BUDGET, budget, "budget", APIERR_BUDGET_OFF, "retry budget shared by a client's calls")     \
    X(DOUBLE, budget_max_tokens, "budget_max_tokens", 500.0, "size of the budget")                \
    X(DOUBLE, budget_token_ratio, "budget_token_ratio", 0.1, "grpc: tokens a success gives back") \
    X(DOUBLE, budget_retry_cost, "budget_retry_cost", 5.0, "aws: tokens a retry costs")           \
    X(DOUBLE, budget_timeout_cost, "budget_timeout_cost", 10.0,                                   \
      "aws: tokens a retry after a timeout costs")                                                \
    X(DOUBLE, budget_refund, "budget_refund", 1.0, "aws: tokens a success gives back")            \
    X(INT, breaker_threshold, "breaker_threshold", 0,                                             \
      "consecutive failures that open the circuit of a host; 0: no breaker")                      \
    X(MS, breaker_open_ms, "breaker_open_ms", 30000, "how long an open circuit rejects calls")    \
    X(INT, breaker_half_open_probes, "breaker_half_open_probes", 1,                               \
      "attempts let through while half-open")
/* Version 2: read-modify-write (apierr_update()). */
#define APIERR_POLICY_FIELD_MAP_V2(X)                                                           \
    X(BOOL, conflict_reread, "conflict_reread", 1,                                              \
      "a conditional write refused with 409 re-reads the resource and writes again; 0: 409 is " \
      "final (412 always re-reads)")
/* Version 3: the spread on top of a server's Retry-After. */
#define APIERR_POLICY_FIELD_MAP_V3(X)                                                         \
    X(MS, retry_after_spread_ms, "retry_after_spread_ms", 1000,                               \
      "the most a retry waits past the server's Retry-After RA against herds, at most RA/4; " \
      "apierr_policy_decide() draws it uniform in [0, min(this, RA/4)] on a call's first "    \
      "answer; libapierr-client's engine releases a herd of its own calls at a pace within "  \
      "it instead, a lone call waits RA exactly; never earlier than RA; 0: RA exactly")
/* The members before the rules: frozen, never grows again. */
#define APIERR_POLICY_FIELD_MAP_HEAD(X) \
    APIERR_POLICY_FIELD_MAP_V1(X) APIERR_POLICY_FIELD_MAP_V2(X) APIERR_POLICY_FIELD_MAP_V3(X)
/* Members of version 4 and later, after the rules; append here. Version 4:
 * GraphQL partial success. Version 5: hedged requests (apierr/hedge.h) and
 * adaptive client-side throttling (apierr/throttle.h), which the client
 * applies per host. Version 6: the retry window. */
#define APIERR_POLICY_FIELD_MAP_TAIL(X)                                                       \
    X(BOOL, graphql_partial_ok, "graphql_partial_ok", 1,                                      \
      "a GraphQL 2xx with non-null data and errors is a success (the data returned, the "     \
      "errors reported); 0: a failure, judged by its errors")                                 \
    X(MS, hedge_delay_ms, "hedge_delay_ms", 0,                                                \
      "send another attempt of a repeatable request (idempotent method or idempotency key) "  \
      "when none answered for this long; the first final answer wins; 0: no hedging")         \
    X(INT, max_hedges, "max_hedges", 1, "hedges per attempt of the policy, 1 to 16")          \
    X(BOOL, adaptive, "adaptive", 0,                                                          \
      "adaptive client-side throttling: per host, reject attempts locally with probability "  \
      "max(0, (requests - K * accepts) / (requests + 1)) over the last 2 minutes")            \
    X(DOUBLE, adaptive_k, "adaptive_k", 2.0,                                                  \
      "K of adaptive throttling: the multiple of accepted requests let through (below 1: 1)") \
    X(MS, retry_window_ms, "retry_window_ms", 0,                                              \
      "no retry starts later than this after the call began (curl's --retry-max-time); "      \
      "unlike deadline_ms, the attempt under way is not cut; 0: no window")
/* Every named option, in layout order. */
#define APIERR_POLICY_FIELD_MAP(X) APIERR_POLICY_FIELD_MAP_HEAD(X) APIERR_POLICY_FIELD_MAP_TAIL(X)

#define APIERR__POLICY_MEMBER(kind, member, json, def, doc) APIERR__PTYPE_##kind member;
typedef struct apierr_policy {
    unsigned version;
    APIERR_POLICY_FIELD_MAP_HEAD(APIERR__POLICY_MEMBER)
    size_t nrules;
    apierr_rule rules[APIERR_POLICY_MAX_RULES];
    APIERR_POLICY_FIELD_MAP_TAIL(APIERR__POLICY_MEMBER)
} apierr_policy;
#undef APIERR__POLICY_MEMBER

/* 1: the first; 2: conflict_reread; 3: retry_after_spread_ms; 4:
 * graphql_partial_ok (the first member after the rules); 5: hedge_delay_ms,
 * max_hedges, adaptive, adaptive_k; 6: retry_window_ms. */
#define APIERR_POLICY_VERSION                                    6
#define APIERR__POLICY_INIT_MEMBER(kind, member, json, def, doc) .member = def,
#define APIERR_POLICY_INIT                                                                    \
    {                                                                                         \
        .version = APIERR_POLICY_VERSION, APIERR_POLICY_FIELD_MAP(APIERR__POLICY_INIT_MEMBER) \
    }

/*
 * Fills *p with the defaults of the given version of the struct (for
 * bindings that cannot use APIERR_POLICY_INIT; pass the APIERR_POLICY_VERSION
 * of the header you were written against). APIERR_OK, or APIERR_EVERSION for
 * 0 or a version newer than this library's (*p untouched).
 *
 * Every function of this header that takes a policy reads an older version
 * by that version's layout. A policy whose version is 0 or newer than the
 * library's is refused with APIERR_EVERSION where the function returns a
 * code (apierr_policy_add_rule(), apierr_profile_*, apierr_client_new()),
 * and read as the defaults (as NULL) by those that return none.
 */
APIERR_EXTERN int apierr_policy_init(apierr_policy *p, unsigned version);

/* Appends a rule. APIERR_OK; APIERR_EVERSION (see apierr_policy_init()); APIERR_ERANGE when the
 * policy has APIERR_POLICY_MAX_RULES already; APIERR_EINVAL when the rule matches everything
 * (status 0 and no code). code and note may be NULL; they are copied (cut to fit). */
APIERR_EXTERN int apierr_policy_add_rule(apierr_policy *p, int status, const char *code,
                                         apierr_category category, apierr_action action,
                                         long long delay_ms, const char *note);

/* --- shared state: retry budget and circuit breaker ------------------------------ */

typedef struct apierr_budget {
    double tokens; /* never below 0 */
    double max;
} apierr_budget;

/* Fills the budget to policy->budget_max_tokens (NULL policy: defaults). */
APIERR_EXTERN void apierr_budget_init(apierr_budget *b, const apierr_policy *policy);

typedef enum apierr_breaker_state {
    APIERR_BREAKER_CLOSED = 0,
    APIERR_BREAKER_OPEN = 1,
    APIERR_BREAKER_HALF_OPEN = 2
} apierr_breaker_state;

typedef struct apierr_breaker {
    apierr_breaker_state state;
    int failures;        /* consecutive failures while closed */
    int probes;          /* attempts let through while half-open */
    long long opened_ms; /* when it last opened */
} apierr_breaker;

#define APIERR_BREAKER_INIT            \
    {                                  \
        APIERR_BREAKER_CLOSED, 0, 0, 0 \
    }

/*
 * Asks the breaker of a host whether an attempt may start at now_ms: 1 yes,
 * 0 no (fail the call with category circuit_open). An open circuit turns
 * half-open once breaker_open_ms have passed and then lets
 * breaker_half_open_probes attempts through. Always 1 when the policy has no
 * breaker (breaker_threshold 0).
 */
APIERR_EXTERN int apierr_breaker_allow(apierr_breaker *b, const apierr_policy *policy,
                                       long long now_ms);

/* Records the end of an attempt: success (any response that shows the host
 * is healthy) closes the circuit; a failure while half-open, or
 * breaker_threshold consecutive failures, opens it. apierr_policy_decide()
 * calls it for calls that carry a breaker. */
APIERR_EXTERN void apierr_breaker_record(apierr_breaker *b, const apierr_policy *policy,
                                         int success, long long now_ms);

/* --- one call ---------------------------------------------------------------- */

/* What one attempt produced. */
typedef struct apierr_outcome {
    apierr_transport transport;    /* NONE when a response arrived */
    int status;                    /* HTTP status of the response */
    const apierr_problem *problem; /* the decoded error body, or NULL */
    long long retry_after_ms;      /* Retry-After of the response; -1: none (the
                                      problem's retry_after_ms is used then) */
    apierr_method method;
    int has_idempotency_key; /* the request carried an idempotency key */
    int refreshed;           /* credentials were refreshed just before it */
} apierr_outcome;

#define APIERR_OUTCOME_INIT                                         \
    {                                                               \
        APIERR_TRANSPORT_NONE, 0, NULL, -1, APIERR_METHOD_GET, 0, 0 \
    }

/* The state of one logical call across its attempts. */
typedef struct apierr_call_state {
    int attempts;            /* attempts decided so far */
    long long start_ms;      /* when the call began */
    long long last_delay_ms; /* the previous delay (decorrelated jitter) */
    int refreshed;           /* the previous decision was a refresh */
    apierr_budget *budget;   /* shared by the client's calls, or NULL */
    apierr_breaker *breaker; /* of the call's host, or NULL */
} apierr_call_state;

/* Starts a call at now_ms. budget and breaker may be NULL; they must outlive
 * the call. */
APIERR_EXTERN void apierr_call_state_init(apierr_call_state *call, long long now_ms,
                                          apierr_budget *budget, apierr_breaker *breaker);

#define APIERR_REASON_MAX 160

typedef struct apierr_decision {
    apierr_decision_kind kind;
    long long delay_ms;             /* retry: wait this long before the next attempt */
    apierr_category category;       /* ok for done; why, otherwise */
    apierr_action action;           /* what the outcome asked for under the policy */
    char reason[APIERR_REASON_MAX]; /* one line, for people and logs */
} apierr_decision;

/*
 * What an outcome means under a policy, before attempts, time, budget and
 * idempotency are considered: the category and the action. Profile rules
 * come first, then a GraphQL UNAUTHENTICATED code (refresh), then the status
 * registry (status.h), whose action is adjusted to the policy's retryable
 * set: a status in retry_statuses gets action retry, one outside it that the
 * registry would retry gets give_up. A 2xx carrying a problem whose status
 * is 4xx/5xx (GraphQL over 200) is judged by the problem's status. A 409
 * to a request with an idempotency key, with a Retry-After (header or
 * body), gets action retry: the first request with the key is still being
 * processed (the Idempotency-Key draft). policy NULL: defaults. *reason_out (may be NULL) gets a
 * static (or rule-owned) one-line explanation. `apierr explain --profile` shows this.
 */
typedef struct apierr_classification {
    apierr_category category;
    apierr_action action;
    int status;         /* the status judged (0 for a transport failure) */
    const char *reason; /* static or in the policy's rule; never NULL */
} apierr_classification;

APIERR_EXTERN void apierr_policy_classify(apierr_classification *out, const apierr_outcome *outcome,
                                          const apierr_policy *policy);

/*
 * GraphQL over HTTP: what a 2xx response's body says, one decision for
 * `apierr explain` and the client alike. A GraphQL server answers 200 with
 * an "errors" array for failures of the query.
 */
typedef enum apierr_graphql_kind {
    APIERR_GRAPHQL_NONE = 0, /* not a 2xx, or no errors: the status decides */
    APIERR_GRAPHQL_FAILED,   /* errors, and data null or absent: a failure */
    APIERR_GRAPHQL_PARTIAL   /* errors with non-null data: a partial success: the data is
                                the answer, the errors are reported */
} apierr_graphql_kind;

/* What a response of the given status and body is, as GraphQL, under the
 * policy (NULL: defaults): a partial success is FAILED when the policy's
 * graphql_partial_ok is 0. A body that is not a JSON object is NONE. */
APIERR_EXTERN apierr_graphql_kind apierr_graphql_kind_of(int status, const char *body, size_t len,
                                                         const apierr_policy *policy);

/* The classification of a GraphQL failure (APIERR_GRAPHQL_FAILED): the
 * outcome's problem is its body decoded as GraphQL; judged as
 * apierr_policy_classify() does (the errors' code: UNAUTHENTICATED is
 * unauthenticated), and a failure whose code says nothing is server /
 * give_up, never ok. */
APIERR_EXTERN void apierr_graphql_classify(apierr_classification *out,
                                           const apierr_outcome *outcome,
                                           const apierr_policy *policy);

/*
 * Decides what to do after an attempt ended with `outcome` at now_ms:
 * - done: success;
 * - retry after delay_ms: backoff min(cap, base * 2^n) with the policy's
 *   jitter; with Retry-After (or the 429 default delay) that delay alone,
 *   as urllib3 and the seeds do (the larger of the two when
 *   retry_after_with_backoff is 1); a rule's
 *   delay_ms replaces the backoff. A server's Retry-After RA on a call's
 *   first answer gets a spread on top, uniform in [0,
 *   min(retry_after_spread_ms, RA/4)] and cut so that the retry still starts
 *   before the deadline: never earlier than RA; a later answer's RA is the
 *   wait exactly (the call is already apart from the herd it was in).
 *   libapierr-client's engine decides with the spread at 0 and breaks
 *   herds itself, knowing its other calls: the calls of one host told to
 *   come back at about the same instant (16 or more) are released in the
 *   order they were refused, one every 2 ms, within the same bound; a lone
 *   call waits RA exactly (src/client/herd.h);
 * - refresh: refresh the credentials, then retry at once; a credential
 *   failure right after a refresh (call state or outcome->refreshed) fails;
 * - fail: with the category that ended the call: the outcome's own, or
 *   deadline (the next attempt would start at or past the deadline),
 *   rate_limited (the server asks for more than retry_after_max_ms or than
 *   the time left), budget_exhausted, circuit_open.
 * POST, PATCH and unknown methods are only retried with an idempotency key,
 * or when the failure proves the request never reached the application
 * (connect refused, DNS failure, 429, 503 with Retry-After).
 * Updates call (attempts, last delay, refreshed) and the call's budget and
 * breaker. policy NULL: defaults. random is called at most twice per decision
 * (the backoff's jitter, the spread on top of a Retry-After).
 * No allocation, no I/O. Returns out->kind.
 */
APIERR_EXTERN apierr_decision_kind apierr_policy_decide(
    apierr_decision *out, const apierr_policy *policy, apierr_call_state *call,
    const apierr_outcome *outcome, long long now_ms, apierr_random_fn random, void *payload);

/*
 * Whether a read-modify-write (apierr_update()) whose conditional write was
 * refused with `status` reads the resource again and writes again: yes for
 * 412 (the If-Match was stale), for 409 only when the policy's
 * conflict_reread says 409 means "changed in the meantime" (seed 000) rather
 * than a final duplicate (seed 001); and only while rounds (read-write
 * rounds done so far) is below max_attempts (0: no limit) and elapsed_ms is
 * below deadline_ms (0: none). reason (cap bytes, may be NULL) gets one line
 * saying why. policy NULL: defaults. Returns 1 to re-read, 0 to stop.
 */
APIERR_EXTERN int apierr_policy_reread(const apierr_policy *policy, int status, int rounds,
                                       long long elapsed_ms, char *reason, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
