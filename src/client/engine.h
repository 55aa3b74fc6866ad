/*
 * Internal: the running engine's structures, shared by its files: a call,
 * the client that drives it, and the call's state machine.
 *
 * A call is in exactly one state at a time, and its state says where it is
 * (which queue, heap or handle holds it). apierr__call_move() is the one
 * writer of the state, as curl's multi.c has mstate(): every transition of
 * every call passes one place, which checks it and can trace it.
 */
#ifndef APIERR_CLIENT_ENGINE_H
#define APIERR_CLIENT_ENGINE_H

#include "client_impl.h"
#include "creds.h"
#include "apierr/hedge.h"
#include "apierr/throttle.h"
#include "pace_queue.h"

#include <curl/curl.h>
#include <stdio.h>

/*
 * The states of a call, in the order of its life. Columns: enum suffix,
 * name (traces), the states it may be entered from (a set of
 * APIERR__MSTATE_FROM()).
 *
 * NEW       being copied from the request (apierr_client_submit())
 * READY     in the ready queue: waits for a transfer slot
 * CREDS     parked with the credential waiters until the one refresh ends
 * PACED     held by its host's pacer: in its queue, or (the head) in the
 *           timer heap until its release time
 * INFLIGHT  its attempt has a curl easy handle
 * BACKOFF   in the timer heap, waiting for its retry (after an answer, or
 *           from READY when adaptive throttling held the attempt back)
 * DONE      ended: its callback runs, then it is freed
 *
 * apierr_client_free() drops live calls from any state without a
 * transition. Build with -DAPIERR_TRACE_MSTATE=1 to see every transition
 * as a -v line.
 */
#define APIERR__MSTATE_MAP(X)                                                              \
    X(NEW, "new", 0)                                                                       \
    X(READY, "ready",                                                                      \
      APIERR__MSTATE_FROM(NEW) | APIERR__MSTATE_FROM(CREDS) | APIERR__MSTATE_FROM(PACED) | \
          APIERR__MSTATE_FROM(INFLIGHT) | APIERR__MSTATE_FROM(BACKOFF))                    \
    X(CREDS, "creds", APIERR__MSTATE_FROM(READY) | APIERR__MSTATE_FROM(INFLIGHT))          \
    X(PACED, "paced", APIERR__MSTATE_FROM(READY))                                          \
    X(INFLIGHT, "in-flight", APIERR__MSTATE_FROM(READY))                                   \
    X(BACKOFF, "backoff", APIERR__MSTATE_FROM(READY) | APIERR__MSTATE_FROM(INFLIGHT))      \
    X(DONE, "done",                                                                        \
      APIERR__MSTATE_FROM(READY) | APIERR__MSTATE_FROM(CREDS) | APIERR__MSTATE_FROM(INFLIGHT))

/* Named mstate, not state: apierr_call_state is the policy's record of a
 * call's attempts (policy.h), which this is not. */
typedef enum apierr__mstate {
#define APIERR__MSTATE_ENUM(id, name, from) APIERR__MSTATE_##id,
    APIERR__MSTATE_MAP(APIERR__MSTATE_ENUM)
#undef APIERR__MSTATE_ENUM
        APIERR__MSTATE__COUNT
} apierr__mstate;

#define APIERR__MSTATE_FROM(id) (1u << APIERR__MSTATE_##id)

/* One attempt on the wire: its curl handle and what it holds. A call has
 * one (at), and more while hedges are in flight; every handle's
 * CURLINFO_PRIVATE is the call, and the handle tells the legs apart. */
typedef struct apierr__shared_headers apierr__shared_headers;
typedef struct apierr__parsed_url apierr__parsed_url;

typedef struct apierr__leg {
    CURL *easy;
    struct curl_slist *slist;       /* its own header list, or NULL */
    apierr__shared_headers *shared; /* or the client's, shared (header_list.c) */
    curl_mime *mime;
    FILE *bodyf;
    apierr__buf rbody, rhead;
    long long attempt_start; /* monotonic */
    int hedge;               /* sent as a hedge */
    int plain;               /* a GET without body, on a reusable connection (pooled unreset) */
    size_t number;           /* of the call's attempts, in the order they left (-v) */
} apierr__leg;

/* What a call holds once it starts: its result, its attempt on the wire,
 * the policy's record of its attempts and its hedges. A call waiting in
 * the ready queue for its first attempt has none (run NULL): a batch
 * queued at once (bench_client submits 20,000) keeps only the copies of
 * its requests, about a third of the memory, and a call's run is taken
 * from the ones ended calls left (apierr_client's spare_runs), which the
 * caches still hold, rather than from pages the kernel must first give. */
typedef struct apierr__run {
    apierr_result res;
    apierr__leg at; /* the attempt in flight (or the one whose answer is read) */
    apierr_call_state pstate;
    /* Hedging (apierr/hedge.h), per attempt of the policy: the hedges in
     * flight (max_hedges slots, allocated with the first hedge), the
     * decisions' state, whether a hedge timer is in c->hedge_timers. */
    apierr__leg *hedges;
    int nhedges;
    apierr_hedge_state hstate;
    int hedge_timer;
    int on_stack;             /* the one an out-of-memory start ends on: not kept */
    struct apierr__run *next; /* in spare_runs */
} apierr__run;

struct apierr__call {
    apierr_client *c;
    unsigned long id;                  /* 1, 2, ... in the order of submission (traces) */
    apierr__mstate mstate;             /* written by apierr__call_move() only */
    apierr__call *next;                /* ready queue, credential waiters or pacing queue */
    apierr__call *all_prev, *all_next; /* every live call, to free them */
    apierr__run *run;                  /* NULL until its first attempt starts */
    /* What its result gets when the run starts (owned until then). */
    char *method_name, *url;
    void *user;
    char key[40];               /* the idempotency key, or "" */
    char *url_sent;             /* with the key parameter, when the profile puts it in the query */
    int url_shared;             /* url_sent is url's string (res.url's once it runs) */
    apierr__parsed_url *parsed; /* url_sent parsed for libcurl, or NULL (parsed_url.c) */
    apierr_header *hdrs;
    size_t nhdrs;
    char *body;
    size_t body_len;
    char *body_file;
    char *content_type;
    apierr_form_part *form; /* owned (form.c) */
    size_t nform;
    apierr_method method;
    int has_key;
    const apierr_policy *policy;
    apierr_policy *own_policy; /* when the request overrides the deadline */
    long long start_ms;        /* monotonic */
    long long skew_ms;         /* waits the time scale skipped: policy time = real + skew */
    unsigned cred_gen;         /* credentials the last attempt carried */
    size_t host;               /* index in the client's pace hosts */
    int paced;                 /* the attempt in flight counts in its host's pacer */
    int pace_woken;            /* taken off its host's queue: may go first */
    long long pace_sent_ms;
    apierr_done_fn done;
    void *payload;
    int throttle_passed; /* the attempt about to leave was let through by the throttle */
};

/* A handle kept for a later attempt: reset, or left as a plain GET
 * attempt left it (plain), whose options the next such attempt sets anew
 * (transfer.c). */
typedef struct apierr__pooled {
    CURL *easy;
    int plain;
} apierr__pooled;

/* curl's settings a client gives every transfer (transfer.c). */
typedef struct apierr__transfer_settings {
    int follow;
    long max_redirects;
    int insecure;
    int env_proxy;            /* the environment named a proxy when the client was made */
    char *proxy, *user_agent; /* owned */
    /* "User-Agent: ...", "Accept-Encoding: ..." lines of every attempt's
     * header list (owned) */
    char *user_agent_line, *accept_encoding_line;
    char *codings; /* the ones libcurl decodes: CURLOPT_ACCEPT_ENCODING (owned) */
    /* TLS files and resolution (apierr_client_opts version 6; owned, NULL:
     * libcurl's default) */
    char *ca_file, *ca_path, *client_cert, *client_key, *noproxy, *unix_socket, *proxy_user;
    long http_version; /* CURL_HTTP_VERSION_* */
    struct curl_slist *resolve;
    long ip_resolve;  /* CURL_IPRESOLVE_* */
    int keep_info;    /* opts transfer_info: each result keeps its transfer figures */
    CURLSH *cookies;  /* the cookie store of every handle; NULL: no cookie engine */
    char *cookie_jar; /* written from the store when the client is freed (owned) */
    /* Version 7: --path-as-is, the .netrc (CURL_NETRC_*; its file owned),
     * --limit-rate, and the trace with its payload */
    int path_as_is;
    long netrc;
    char *netrc_file;
    long long max_recv_speed, max_send_speed;
    apierr_trace_fn trace;
    void (*easy_setup)(void *payload, void *curl_easy);
    void *payload; /* of trace and easy_setup */
} apierr__transfer_settings;

/* APIERR_OK, or APIERR_EINVAL for an ip_version or http_version the
 * options do not know (transfer.c, by the tables that map them). */
int apierr__transfer_opts_check(const apierr_client_opts *o);

/* What libcurl measured of the transfer on e (apierr_transfer_info). */
void apierr__transfer_info_read(CURL *e, apierr_transfer_info *out);

struct apierr_client {
    char *base_url;
    apierr_profile profile;
    apierr_custom_dialect custom; /* the caller's custom dialect, when has_custom */
    int has_custom;
    apierr_header *hdrs;
    size_t nhdrs;
    long long connect_timeout_ms;
    size_t max_in_flight;
    CURLM *multi;
    apierr__heap timers;
    apierr__heap hedge_timers; /* calls in flight whose next hedge is due then */
    apierr__call *ready_head, *ready_tail;
    apierr__call *all;
    size_t ncalls, in_flight;
    unsigned long last_id;
    apierr_rng rng;
    apierr_budget budget;
    apierr_breaker breaker; /* of the calls whose host could not be kept (out of memory) */
    double scale;
    FILE *report;
    apierr_log_fn verbose;
    apierr_retry_fn on_retry;
    void *payload;
    apierr__creds creds;
    apierr__pace pace;
    apierr__pooled *easy_pool; /* handles of ended attempts, for the next ones */
    size_t npool, pool_cap;
    apierr__run *spare_runs; /* of ended calls, zeroed, for the next calls to start */
    size_t nspare_runs;
    apierr__buf url_scratch;         /* where submit builds a call's URL (call.c) */
    const char *const *secret_names; /* more names -v hides (owned) */
    size_t nsecret_names;
    apierr__transfer_settings xfer;
    apierr__shared_headers *shared_headers; /* of attempts that add no line (header_list.c) */
    apierr__parsed_url *last_url;           /* the last call's, for the next (parsed_url.c) */
};

/* --- engine.c: the state machine ---------------------------------------------- */

/* Moves k to state `to`: the one place a call changes state. The caller
 * puts k where the new state says (apierr__call_ready() does both). */
void apierr__call_move(apierr__call *k, apierr__mstate to);

/* Moves k to READY at the end of the ready queue. */
void apierr__call_ready(apierr__call *k);

/* Ends a call that failed without (another) response of its own: the problem
 * (taken; NULL: one that says why) in words, the category for programs.
 * k is freed. */
void apierr__call_fail(apierr__call *k, apierr_category cat, const char *why,
                       apierr_problem *problem);

/* The policy's clock for k: monotonic time plus the waits the time scale
 * skipped. */
long long apierr__call_now(const apierr__call *k);

/* The circuit breaker of k's host, also set as k's policy state's: the
 * hosts' table may have moved since the last attempt. */
apierr_breaker *apierr__call_breaker(apierr__call *k);

/* k's host (its pacing, breaker, hedge pushback, throttling window), or
 * NULL when it has none (out of memory). */
apierr__pace_host *apierr__call_host(const apierr__call *k);

/* The name of a state ("in-flight"), or "?". */
const char *apierr__mstate_name(apierr__mstate s);

/* --- call.c: a call's own copy of its request -------------------------------------- */

/* Fills k (zeroed, k->c set) from a request read by apierr__request_read().
 * APIERR_OK, APIERR_EIO (no random bytes for a key) or APIERR_ENOMEM;
 * apierr__call_free() frees what it took either way. */
int apierr__call_init(apierr__call *k, const apierr_request *req);

/* Gives k (READY, about to make its first attempt) its run: a spare one
 * or a new one, the result filled with what k kept for it. 0, or -1 when
 * out of memory: then k runs on fallback (zeroed by the caller, not kept
 * after k), to end on it. */
int apierr__call_run_open(apierr__call *k, apierr__run *fallback);

/* Unlinks k from its client (pacing and transfer included) and frees it;
 * its run is kept for the next call to start. */
void apierr__call_free(apierr__call *k);

/* Frees the spare runs of c. */
void apierr__spare_runs_free(apierr_client *c);

/* --- transfer.c: curl easy handles --------------------------------------------------- */

/* An easy handle for url (NULL: the caller sets it) with the settings every request of c shares
 * (one of the pool when there is one, else a new one): body and header
 * block collected into body and head, private given back by
 * CURLINFO_PRIVATE. warm NULL: the handle is as new (reset). Else (an
 * attempt, leg_start) *warm is 1 when the handle is one a plain GET
 * attempt of c left, unreset: it keeps every option such an attempt set
 * once per handle (Accept-Encoding, redirects), and the caller sets the
 * others anew. NULL when out of memory. */
CURL *apierr__easy_new(apierr_client *c, const char *url, apierr__buf *body, apierr__buf *head,
                       void *private_, int *warm);

/* Frees the handles of the pool. */
void apierr__easy_pool_free(apierr_client *c);

/* Builds the easy handle of k's next attempt and adds it to the multi
 * handle (k is then INFLIGHT), or fails k. */
void apierr__transfer_start(apierr__call *k);

/* Copies the transfer settings of o (version 3 members) into t. APIERR_OK
 * or APIERR_ENOMEM; apierr__transfer_settings_free() in either case. */
int apierr__transfer_settings_init(apierr__transfer_settings *t, const apierr_client_opts *o);
void apierr__transfer_settings_free(apierr__transfer_settings *t);

/* Frees what k's attempts held (handles, header lists, body files,
 * buffers): the leg at and the hedges. */
void apierr__transfer_release(apierr__call *k);

/* Frees what leg l held; a handle in flight is taken off the multi handle
 * (cancelled). */
void apierr__leg_release(apierr_client *c, apierr__leg *l);

/* Sends a hedge of k (INFLIGHT) on the empty leg l. 0, or -1 when it could
 * not be built (nothing left held; the call goes on without it). */
int apierr__transfer_hedge(apierr__call *k, apierr__leg *l);

/* --- header_list.c: an attempt's header list ------------------------------------ */

/* The header list of k's attempt on leg l: the client's shared one when the
 * attempt adds no line of its own (l->shared holds it), else one of its own
 * (l->slist). *bad is 1 when a line could not be added. */
struct curl_slist *apierr__leg_headers(apierr__call *k, apierr__leg *l, int *bad);

/* Lets go of l's header list (after its handle). */
void apierr__leg_headers_free(apierr__leg *l);

/* Lets go of the client's shared list (apierr_client_free()). */
void apierr__shared_headers_free(apierr_client *c);

/* --- parsed_url.c: a call's URL parsed once for libcurl ------------------------------ */

/* Checks k's url_sent (apierr__url_ok()) and parses it for libcurl into
 * k->parsed, held until apierr__call_parsed_url_free(): once for the calls
 * to one URL one after another (a batch, a poll), which share the last
 * call's, a URL that passed. k->parsed stays NULL when libcurl's parser
 * cannot take the URL or out of memory (the attempts then give libcurl the
 * string). APIERR_OK, or APIERR_EINVAL when the URL is refused. */
int apierr__call_url_take(apierr__call *k);

/* Sets e's URL: p's (CURLOPT_CURLU and its normalized string), or (p
 * NULL) the string url alone. Every attempt sets both: a pooled handle
 * keeps what the last one set. */
void apierr__parsed_url_set(CURL *e, const apierr__parsed_url *p, const char *url);

void apierr__call_parsed_url_free(apierr__call *k);
void apierr__client_parsed_url_free(apierr_client *c);

/* --- form.c: multipart/form-data bodies ------------------------------------------- */

/* Copies req's form into k. APIERR_OK, APIERR_EINVAL (a form with a body, a
 * part without a name or without data) or APIERR_ENOMEM. */
int apierr__form_copy(apierr__call *k, const apierr_request *req);
void apierr__form_free(apierr__call *k);

/* Builds *mime from k->form for the attempt on e. 0, or -1. */
int apierr__form_attach(apierr__call *k, curl_mime **mime, CURL *e);

/* --- response.c: what an attempt's answer says ---------------------------------------- */

#define APIERR__MAX_HEADERS 64

typedef struct apierr__answer {
    CURLcode rc;
    apierr_header h[APIERR__MAX_HEADERS]; /* point into the call's header block */
    size_t nh;
    const char *status_line; /* in the call's header block; NULL: none */
    size_t status_len;
    apierr_outcome o;            /* for the policy; o.problem is p */
    apierr_problem *p;           /* decoded error, or NULL; owned */
    apierr_graphql_kind graphql; /* a 2xx GraphQL body that carries errors */
    long long now_ms;            /* when the attempt ended (monotonic) */
} apierr__answer;

/* The policy's name for how curl failed (NONE for CURLE_OK). */
apierr_transport apierr__transport_of(CURLcode rc);

/* Reads the end of k's attempt (curl said rc) into *ans (shown with -v). */
void apierr__answer_read(apierr__answer *ans, apierr__call *k, CURLcode rc);

/* Appends the attempt record of the answer and decision d to k's result
 * (and the support report when it did not end the call). NULL when out of
 * memory. */
apierr_attempt *apierr__answer_record(apierr__call *k, const apierr__answer *ans,
                                      const apierr_decision *d);

/* Keeps the answer's status, body and headers as the result's. */
void apierr__answer_keep(apierr__call *k, const apierr__answer *ans);

/* Appends the record of leg l of k, cancelled because another attempt won
 * with decision won. NULL when out of memory. */
apierr_attempt *apierr__attempt_cancelled(apierr__call *k, const apierr__leg *l,
                                          const apierr_decision *won);

/* Appends the record of an attempt adaptive throttling held back (never
 * sent), decided d (apierr_throttle_decide()); in the support report. NULL
 * when out of memory. */
apierr_attempt *apierr__attempt_throttled(apierr__call *k, const apierr_decision *d);

/* --- hedging.c: hedged attempts ----------------------------------------------------- */

/* The attempts of k on the wire: at and the hedges out. */
size_t apierr__call_legs_out(const apierr__call *k);

/* After an attempt of k left: start 1 for the policy's attempt (k->run->at,
 * which starts the hedging of that attempt), 0 after a hedge. Sets the timer
 * of the next hedge when one can come. */
void apierr__hedge_arm(apierr__call *k, int start);

/* Takes k's hedge timer away (its attempts are over, or it is freed). */
void apierr__hedge_disarm(apierr__call *k);

/* Sends the hedges due at now (monotonic). The milliseconds until the next
 * hedge timer, or -1 when none. */
long long apierr__hedge_fire(apierr_client *c, long long now);

/* The handle e of k ended: its leg becomes k->run->at, whose answer is read. */
void apierr__hedge_take(apierr__call *k, CURL *e);

/* Whether k follows decision d on k->run->at's answer: 1 (it won, the others
 * are to be cancelled; or it was the only attempt out), or 0 (a retryable
 * answer while other attempts are out: dropped, they may still succeed). */
int apierr__hedge_settle(apierr__call *k, const apierr_decision *d);

/* A 429 or 503 with Retry-After stops hedges to k's host for that long. */
void apierr__hedge_pushback(apierr__call *k, const apierr__answer *ans);

/* Cancels and records the attempts of k still out beside k->run->at, which won
 * with decision won. */
void apierr__hedge_cancel(apierr__call *k, const apierr_decision *won);

/* --- throttling.c: adaptive client-side throttling ------------------------------- */

/* Asks k's host's window whether an attempt may leave now (counted as a
 * request). 1 send it, 0 held back; 1 when the policy has adaptive off. */
int apierr__throttle_pass(apierr__call *k);

/* Tells k's host's window about an answer (accepted: not 429/503). */
void apierr__throttle_answer(apierr__call *k, const apierr__answer *ans);

/* --- trace.c: every byte, the secrets taken out ------------------------------- */

/* libcurl's debug callback when the client traces: userdata is the
 * client. */
int apierr__trace_cb(CURL *e, curl_infotype type, char *data, size_t size, void *userdata);

#endif
