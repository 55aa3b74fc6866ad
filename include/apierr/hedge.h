/*
 * apierr/hedge.h - hedged requests: the decisions, without the engine.
 *
 * A hedge is one more attempt of a call sent while the earlier ones are
 * still in flight, because no response came within hedge delay ("The Tail at
 * Scale", Dean and Barroso 2013; gRPC's hedgingPolicy). The first response
 * the retry policy calls done, or final, wins; the others are cancelled.
 *
 * Pure, like the policy: no clock, no I/O; now_ms is any monotonic
 * millisecond clock the caller reads. Objects (plain structs owned by the
 * caller, none allocates):
 * - apierr_hedge_opts: the options (versioned, APIERR_HEDGE_OPTS_INIT);
 * - apierr_hedge_host: the server pushback of one host, shared by its calls;
 * - apierr_hedge_state: the hedges of one call.
 * An object is used by one thread at a time (common.h).
 */
#ifndef APIERR_HEDGE_H
#define APIERR_HEDGE_H

#include "policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The most hedges a call may send (a spec or options asking more are
 * refused): each is a full extra request on the server. */
#define APIERR_HEDGE_MAX_HEDGES 16
/* The longest hedge delay a spec may ask: a longer one is a mistake, and
 * keeps now + delay far from overflow. */
#define APIERR_HEDGE_DELAY_MAX_MS 3600000LL

typedef struct apierr_hedge_opts {
    unsigned version;
    long long delay_ms; /* send a hedge when nothing answered for this long; 0: no hedging */
    int max_hedges;     /* hedges per call, beyond the first attempt */
} apierr_hedge_opts;

/* 1: delay_ms, max_hedges. */
#define APIERR_HEDGE_OPTS_VERSION 1
/* Hedging off (delay 0); one hedge once a delay is set, as `--hedge DELAY`. */
#define APIERR_HEDGE_OPTS_INIT          \
    {                                   \
        APIERR_HEDGE_OPTS_VERSION, 0, 1 \
    }

/*
 * Fills *opts with the defaults of the given version (for bindings that
 * cannot use APIERR_HEDGE_OPTS_INIT). APIERR_OK, or APIERR_EVERSION for 0 or
 * a version newer than the library's (*opts untouched). Every function below
 * reads older versions by their own layout and treats an unknown version as
 * hedging off.
 */
APIERR_EXTERN int apierr_hedge_opts_init(apierr_hedge_opts *opts, unsigned version);

/*
 * Parses a hedge spec "DELAY[:MAX]" (the CLI's --hedge): DELAY a duration as
 * apierr_duration_parse() reads it ("150ms", "0.5s", "2s"; a bare number is
 * seconds), at most APIERR_HEDGE_DELAY_MAX_MS, 0 meaning no hedging; MAX the
 * number of hedges, 1..APIERR_HEDGE_MAX_HEDGES, 1 when left out. Untrusted
 * bytes s[0..len), not NUL-terminated. Sets delay_ms and max_hedges of *out
 * (which must be initialized) on APIERR_OK only; APIERR_EPARSE for junk,
 * APIERR_ERANGE for a delay or MAX out of range.
 */
APIERR_EXTERN int apierr_hedge_spec_parse(apierr_hedge_opts *out, const char *s, size_t len);

/* --- server pushback, per host ---------------------------------------------------- */

typedef struct apierr_hedge_host {
    long long pushback_until_ms; /* no hedge to the host before this; 0: none */
} apierr_hedge_host;

#define APIERR_HEDGE_HOST_INIT \
    {                          \
        0                      \
    }

/*
 * Records a response of the host at now_ms: a 429 or a 503 that carries a
 * Retry-After (retry_after_ms >= 0) is the server pushing back, and stops
 * hedges to the host until now_ms + retry_after_ms (the later of that and any
 * pushback already recorded; hedging is extra load, and the server asked for
 * less). Any other response changes nothing: a 429 or 503 without a delay
 * still ends hedging for its call, through the policy's retry, but says for
 * how long to no one else. Returns 1 when it recorded a pushback.
 */
APIERR_EXTERN int apierr_hedge_host_pushback(apierr_hedge_host *host, int status,
                                             long long retry_after_ms, long long now_ms);

/* --- one call --------------------------------------------------------------------- */

/* Why apierr_hedge_should_send() said what it said. Columns: enum suffix,
 * stable name, meaning. Append-only. */
#define APIERR_HEDGE_VERDICT_MAP(X)                                                       \
    X(SEND, "send", "send a hedge now")                                                   \
    X(WAIT, "wait", "the hedge delay has not passed since the last attempt went out")     \
    X(OFF, "off", "hedging is off (delay 0, or options of an unknown version)")           \
    X(LIMIT, "limit", "the call has sent every hedge it may")                             \
    X(NOT_REPEATABLE, "not_repeatable",                                                   \
      "the request may not be sent twice: not idempotent and without an idempotency key") \
    X(PUSHBACK, "pushback", "the host pushed back (429 or 503 with Retry-After)")         \
    X(BUDGET, "budget", "the client's retry budget cannot pay for a hedge")               \
    X(FINISHED, "finished", "the call has its answer, or nothing is in flight")

typedef enum apierr_hedge_verdict {
#define APIERR__HEDGE_VERDICT_ENUM(id, name, doc) APIERR_HEDGE_##id,
    APIERR_HEDGE_VERDICT_MAP(APIERR__HEDGE_VERDICT_ENUM)
#undef APIERR__HEDGE_VERDICT_ENUM
        APIERR_HEDGE__COUNT
} apierr_hedge_verdict;

/* Stable name ("pushback") and meaning of a verdict; NULL when out of range. */
APIERR_EXTERN const char *apierr_hedge_verdict_name(apierr_hedge_verdict v);
APIERR_EXTERN const char *apierr_hedge_verdict_doc(apierr_hedge_verdict v);

/* The hedges of one call. */
typedef struct apierr_hedge_state {
    long long last_sent_ms; /* when the latest attempt (first or hedge) went out */
    int hedges;             /* hedges sent */
    int inflight;           /* attempts sent and not yet answered */
    int cancelled;          /* attempts still in flight when a winner came */
    int finished;           /* a winner came: the call has its answer */
} apierr_hedge_state;

/* Starts the hedging of a call whose first attempt goes out at now_ms (and
 * again for each retry the policy decides: hedges count per attempt of the
 * policy, as gRPC's do not mix with its retries). */
APIERR_EXTERN void apierr_hedge_start(apierr_hedge_state *s, long long now_ms);

/*
 * Whether a hedge goes out at now_ms. APIERR_HEDGE_SEND only when all hold:
 * hedging is on (delay_ms > 0), fewer than max_hedges hedges were sent, the
 * call is unfinished with an attempt in flight, the request may be repeated
 * (apierr_method_idempotent(method), or has_idempotency_key: the same key on
 * every hedge; never a keyless POST), delay_ms has passed since the latest
 * attempt went out, the host's pushback (host, may be NULL) is over, and the
 * retry budget pays for it as for a retry (budget may be NULL: no budget;
 * policy gives the budget's mode and costs, NULL: defaults, whose budget is
 * off). The checks that cost nothing come first, so only a hedge that is
 * sent spends tokens. On SEND the state counts the hedge as sent and in
 * flight. Otherwise the verdict says why, and nothing changes.
 */
APIERR_EXTERN apierr_hedge_verdict
apierr_hedge_should_send(apierr_hedge_state *s, const apierr_hedge_opts *opts,
                         const apierr_policy *policy, apierr_method method, int has_idempotency_key,
                         long long now_ms, const apierr_hedge_host *host, apierr_budget *budget);

/*
 * When the next hedge would be due, for the engine's timer: the later of
 * last_sent_ms + delay_ms and the host's pushback end; -1 when no hedge can
 * come any more (hedging off, limit reached, not repeatable, finished). The
 * budget is not looked at: it may refill before then, and
 * apierr_hedge_should_send() asks it when the timer fires.
 */
APIERR_EXTERN long long apierr_hedge_next_at(const apierr_hedge_state *s,
                                             const apierr_hedge_opts *opts, apierr_method method,
                                             int has_idempotency_key,
                                             const apierr_hedge_host *host);

/*
 * An attempt of the call ended (response or transport failure) and the
 * policy decided d about it (apierr_policy_decide()). Returns 1 when it wins
 * and the call ends with it: d is done, or a fail of an outcome the policy
 * does not retry (a final answer: 404, 422, ...), or any fail when no other
 * attempt is in flight; the attempts still in flight are to be cancelled,
 * and are counted in s->cancelled. Returns 0 when it does not end the call:
 * an outcome the policy would retry (d->action retry or refresh), while
 * other attempts are in flight (s->inflight > 0), is dropped, whatever d
 * says, as they may still succeed; with none in flight, d is a retry or a
 * refresh, which the caller follows, calling apierr_hedge_start() when it
 * sends the retry. An attempt that ends after a winner returns 0 and changes
 * nothing.
 */
APIERR_EXTERN int apierr_hedge_winner(apierr_hedge_state *s, const apierr_decision *d);

#ifdef __cplusplus
}
#endif
#endif
