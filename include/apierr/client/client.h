/*
 * apierr/client/client.h - libapierr-client: HTTP calls over libcurl that survive
 * failures.
 *
 * A client holds a base URL, a profile (dialect + retry policy), default
 * headers, credentials and one curl multi handle. Calls run on one thread:
 * apierr_call() runs one call synchronously; apierr_client_submit() queues
 * calls that apierr_client_run() drives together (the async engine: curl's
 * multi interface, a timer heap for the waits, a cap on the calls in
 * flight, connection reuse). Every decision (retry, wait, refresh, fail) is
 * taken by the policy engine of the profile (policy.h); the client only
 * carries it out.
 *
 * Not thread-safe: one client belongs to one thread.
 *
 * Versioned structs (apierr_client_opts, apierr_request) start with
 * `unsigned version`: set it with the _INIT macro or the _init() function of
 * the struct. The rule that keeps programs built against an older header
 * working: new members go at the end, always, and the version is bumped
 * whenever a struct grows; the library reads an older version only up to
 * the members it had (the others keep their defaults). A version of 0 (not
 * initialized) or newer than the linked library is refused with
 * APIERR_EVERSION.
 */
#ifndef APIERR_CLIENT_CLIENT_H
#define APIERR_CLIENT_CLIENT_H

#include "../policy.h"
#include "../headers.h"
#include "../profile.h"

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct apierr_client apierr_client;

/*
 * A credentials callback: writes a bearer token (NUL-terminated, at most cap
 * bytes) into token and its lifetime into *expires_in_ms (-1: unknown).
 * force is 1 when the server rejected the previous token. Returns
 * APIERR_OK, or any other code to fail the calls that wait for it.
 */
typedef int (*apierr_credentials_fn)(void *payload, int force, char *token, size_t cap,
                                     long long *expires_in_ms);

/* Seen by people: a line of -v output (no secret in it) or a retry. */
typedef void (*apierr_log_fn)(void *payload, const char *line);

struct apierr_result;
struct apierr_attempt;

/* Called before each retry's wait: the call so far and the attempt that
 * ended. */
typedef void (*apierr_retry_fn)(void *payload, const struct apierr_result *call,
                                const struct apierr_attempt *attempt);

/* What a trace call carries (curl's CURLINFO_TEXT to CURLINFO_DATA_OUT, in
 * libcurl's order): libcurl's own lines, or the bytes of a header or a
 * body, received or sent. */
typedef enum apierr_trace_kind {
    APIERR_TRACE_TEXT,
    APIERR_TRACE_HEADER_IN,
    APIERR_TRACE_HEADER_OUT,
    APIERR_TRACE_DATA_IN,
    APIERR_TRACE_DATA_OUT
} apierr_trace_kind;

/* Every byte of every transfer, as curl --trace shows them: the value of
 * each secret header or query parameter (the names -v hides) replaced by
 * REDACTED, and the bodies of the client's own token requests and
 * session logins by a line that gives their size. len counts the bytes
 * given, not always NUL-terminated. */
typedef void (*apierr_trace_fn)(void *payload, apierr_trace_kind kind, const char *data,
                                size_t len);

/* Version 1 ended before session_login_url; version 2 added the session
 * login members and pace; version 3 secret_names; version 4 the transfer
 * settings after nsecret_names (what curl's -L, --max-redirs, -k, -x and -A
 * set); version 5 custom_dialect; version 6 the TLS and resolution
 * settings after it (curl's --cacert, --capath, --cert, --key, --resolve,
 * -4, -6), transfer_info, the cookie store, http_version, noproxy,
 * unix_socket and proxy_user; version 7 path_as_is, the .netrc, the speed
 * limits, cookie_session, trace and easy_setup. New members go after
 * easy_setup. */
typedef struct apierr_client_opts {
    unsigned version;
    const char *base_url;          /* prefix of relative request URLs, or NULL */
    const apierr_profile *profile; /* copied; NULL: the default profile */
    const apierr_header *headers;  /* sent with every request (copied) */
    size_t nheaders;
    long long connect_timeout_ms; /* 0: 10 s (not curl's 300 s) */
    int max_in_flight;            /* calls attempting at once; 0: 256 */
    int max_host_connections;     /* connections per host; 0: 64 */
    /* Credentials: a token, OAuth or a callback; a token given with one of the
     * other two is used until it is refused or expires. */
    const char *token;           /* a bearer token */
    const char *oauth_token_url; /* OAuth 2.0 client credentials (RFC 6749 4.4) */
    const char *client_id;
    const char *client_secret;
    apierr_credentials_fn credentials;
    void *credentials_payload;
    long long refresh_margin_ms; /* refresh this long before expiry; 0: min(30 s, ttl / 5) */
    const char *report_path;     /* support report (JSON Lines), appended; NULL: none */
    double time_scale;        /* waits are multiplied by it (tests); 0: $APIERR_TIME_SCALE or 1 */
    uint64_t seed;            /* of the jitter; 0: from getrandom() */
    apierr_log_fn verbose;    /* -v lines, redacted; NULL: none */
    apierr_retry_fn on_retry; /* NULL: none */
    void *payload;            /* passed to verbose, on_retry and trace */
    /* Session login (seed 004, Gestix: GET /helo): an API token buys a session
     * token that later calls carry; a refusal (the profile's refresh rule, 403
     * under gestix) or its expiry logs in again, once for all the calls
     * waiting (single flight). Exclusive with oauth_token_url and
     * credentials. */
    const char *session_login_url;         /* GET, relative to base_url or absolute; NULL: none */
    const char *api_token;                 /* the API token sent to the login */
    const char *api_token_header;          /* header that carries it; NULL: "X-API-Token" */
    const char *api_token_query;           /* or: the query parameter that carries it (e.g.
                                              "api_token"); then no header is sent */
    const char *session_token_member;      /* JSON member of the login's body holding the session
                                              token; NULL: "xa-token" */
    const char *session_token_from_header; /* or: the login response header holding it */
    const char *session_expiry_member;     /* member giving its lifetime in seconds; NULL:
                                              "expires_in"; "": ignore (rely on the refusal) */
    const char *session_header;            /* header that carries the session token on calls; NULL:
                                              "xa-token"; "Authorization": as "Bearer TOKEN" */
    /* Pacing by rate-limit headers (RateLimit/RateLimit-Policy, X-RateLimit-*),
     * so that attempts are not refused with 429: the first attempt to a host
     * probes its quota; with a policy (q per w seconds) the client mirrors
     * the server's bucket and releases attempts one per w/q once the burst
     * is spent; without one it waits for the reset when nothing is left.
     * 1 on, -1 off, 0: on (the default). */
    int pace;
    /* Version 3. More names of headers and query parameters whose values
     * must be hidden wherever the library shows or records them (-v lines,
     * the support report, apierr_result_to_json(), and
     * apierr_result_redact_url() for the caller's own messages; copied,
     * compared without case), on top of the built-in ones: the known names, and any name with a
     * secret word in it (token, key, secret, password, signature, session, auth, cookie,
     * credential, ...; see apierr_header_is_secret()). */
    const char *const *secret_names;
    size_t nsecret_names;
    /* Version 4. Redirects (curl -L): when follow_redirects is 1 a 3xx with
     * a Location is followed within the attempt, as curl does it: 301, 302
     * and 303 turn a POST into a GET without a body (303 a PUT too; other
     * methods are kept, as libcurl keeps a custom method), 307 and 308 keep
     * the method and the body; credentials (the
     * Authorization and Cookie headers) are not sent to another host. The
     * policy judges the final response. 0: a 3xx is the response. */
    int follow_redirects;
    long max_redirects;     /* with follow_redirects: 0: 50, -1: no limit */
    int insecure;           /* 1: do not verify the TLS peer and host name (curl -k) */
    const char *proxy;      /* proxy URL (curl -x); NULL: libcurl's environment (http_proxy) */
    const char *user_agent; /* User-Agent unless a header sets one; NULL: "apierr/VERSION" */
    /* Version 5. A profile's custom dialect (apierr/custom.h, read from a
     * profile file by apierr_custom_dialect_from_json()), copied: error
     * bodies are decoded by its JSON paths, and what they do not find by the
     * general rules, unless the profile names a dialect other than auto.
     * The profile cannot carry it (apierr_profile ends with its policy).
     * NULL: none. Its version 0 or newer than the library's: EVERSION. */
    const apierr_custom_dialect *custom_dialect;
    /* Version 6. TLS and name resolution, as curl's options set them; NULL
     * or 0 leaves libcurl's default. Copied. */
    const char *ca_file; /* PEM bundle that verifies servers, not the system's (curl --cacert) */
    const char *ca_path; /* directory of hashed CA certificates (curl --capath) */
    const char *client_cert; /* PEM certificate for a server that asks for one (curl --cert) */
    const char *client_key;  /* its PEM private key, unencrypted (curl --key) */
    /* "HOST:PORT:ADDRESS[,ADDRESS]" entries: HOST:PORT connects there, no
     * DNS asked (curl --resolve; libcurl ignores an entry of another
     * shape). */
    const char *const *resolve;
    size_t nresolve;
    int ip_version; /* 0: either family; 4, 6: that one only (curl -4, -6); other: EINVAL */
    /* 1: every result keeps what libcurl measured of its last response
     * (apierr_result_transfer_info(): curl's -w figures); 0: not kept, which
     * saves the copy in each call. */
    int transfer_info;
    /* A cookie store shared by the client's calls, token requests
     * included (curl -b, -c): libcurl's cookie engine is on when either is
     * given. cookie_file is read once, when the client is made (Netscape
     * cookie file or Set-Cookie lines; "": none, an empty store);
     * cookie_jar is written with every cookie when the client is freed
     * ("-": standard output). */
    const char *cookie_file;
    const char *cookie_jar;
    /* curl's --http1.0, --http1.1, --http2 (ALPN, falling back to 1.1)
     * and --http2-prior-knowledge: 10, 11, 20, 21; 0: libcurl's default
     * (HTTP/2 over TLS when the server offers it); other: EINVAL. */
    int http_version;
    const char *noproxy;     /* hosts reached without the proxy (curl --noproxy; "*": all) */
    const char *unix_socket; /* connect to this Unix socket instead (curl --unix-socket) */
    const char *proxy_user;  /* "USER:PASSWORD" for the proxy (curl --proxy-user) */
    /* Version 7. More of curl's transfer settings; 0 or NULL: libcurl's
     * default. */
    int path_as_is; /* 1: "/../" and "/./" in a URL's path are sent as they are (--path-as-is) */
    /* Basic credentials from a .netrc file's entry for the host: 1 when
     * the URL gives none (curl --netrc-optional), 2 the entry's password
     * over the URL's (curl -n, --netrc-file; libcurl's CURL_NETRC_OPTIONAL
     * and _REQUIRED); 0: no .netrc; other: EINVAL. A header that sets
     * Authorization still wins. */
    int netrc;
    const char *netrc_file;   /* that file (curl --netrc-file); NULL: $HOME/.netrc. Copied. */
    long long max_recv_speed; /* bytes a second a transfer receives at most (--limit-rate) */
    long long max_send_speed; /* and sends; 0: no limit; negative: EINVAL */
    int cookie_session;       /* 1: cookie_file's session cookies are not loaded (curl -j) */
    apierr_trace_fn trace;    /* every byte of every transfer (curl --trace); NULL: none */
    /* Any other libcurl setting: called with payload and each libcurl
     * easy handle (a CURL *) when the client sets it up, for its calls,
     * token requests and session logins alike, after the client's own
     * settings and before each attempt's (URL, method, body, headers,
     * timeouts, redirects: those win). It must not set the callbacks,
     * their data, CURLOPT_PRIVATE or CURLOPT_SHARE, which are the
     * client's. A handle is set up once and kept for later attempts.
     * NULL: none. */
    void (*easy_setup)(void *payload, void *curl_easy);
} apierr_client_opts;

#define APIERR_CLIENT_OPTS_VERSION 7
#define APIERR_CLIENT_OPTS_INIT               \
    {                                         \
        .version = APIERR_CLIENT_OPTS_VERSION \
    }

/*
 * Fills opts with the defaults of the given version (what
 * APIERR_CLIENT_OPTS_INIT gives, for bindings that cannot use the macro);
 * only that version's members are written. APIERR_OK, or APIERR_EVERSION
 * for 0 or a version newer than this library's (opts untouched).
 */
APIERR_EXTERN int apierr_client_opts_init(apierr_client_opts *opts, unsigned version);

/* "auto" as idempotency_key: generate a UUID v4 once for the call. */
#define APIERR_IDEMPOTENCY_AUTO "auto"

/* One part of a multipart/form-data body (RFC 7578; curl's -F). */
typedef struct apierr_form_part {
    const char *name;     /* the field name */
    const char *value;    /* the part's bytes (NUL-terminated), or NULL with file */
    const char *file;     /* or: the file the part holds, read for each attempt */
    const char *filename; /* filename= of the part; NULL: the file's base name (none for a
                             value); "": none */
    const char *type;     /* Content-Type of the part, or NULL (libcurl's guess for a file) */
} apierr_form_part;

/* Version 1 ended after user; version 2 added form. New members go after
 * nform. */
typedef struct apierr_request {
    unsigned version;
    const char *method;           /* "GET" when NULL */
    const char *url;              /* absolute, or appended to the base URL */
    const char *query;            /* "a=1&b=2" appended to the URL, or NULL */
    const apierr_header *headers; /* after the client's; copied */
    size_t nheaders;
    const char *body; /* copied; body_len bytes */
    size_t body_len;
    const char *body_file;       /* or: a file, reopened for each attempt */
    const char *content_type;    /* of the body, or NULL */
    const char *idempotency_key; /* NULL: none; "auto"; or the key to send */
    long long max_time_ms;       /* whole call, retries included; 0: the policy's */
    void *user;                  /* given back in the result */
    /* Version 2. A multipart/form-data body (copied), sent with POST unless
     * method says otherwise; not with body or body_file (APIERR_EINVAL). */
    const apierr_form_part *form;
    size_t nform;
} apierr_request;

#define APIERR_REQUEST_VERSION 2
#define APIERR_REQUEST_INIT               \
    {                                     \
        .version = APIERR_REQUEST_VERSION \
    }

/*
 * Fills req with the defaults of the given version (what
 * APIERR_REQUEST_INIT gives, for bindings that cannot use the macro).
 * APIERR_OK, or APIERR_EVERSION for 0 or a version newer than this
 * library's (req untouched).
 */
APIERR_EXTERN int apierr_request_init(apierr_request *req, unsigned version);

#define APIERR_REQUEST_ID_MAX 80

/* One attempt of a call. */
typedef struct apierr_attempt {
    int number;                 /* 1, 2, ... */
    int status;                 /* HTTP status; 0 for a transport failure */
    apierr_transport transport; /* NONE when a response arrived */
    const char *status_text;    /* reason phrase or the transport failure; static */
    const char *code;           /* the problem's code, or NULL (owned by the result) */
    long long started_ms;       /* since the call began (the scaled clock: real time) */
    long long elapsed_ms;       /* of the attempt */
    apierr_decision_kind decision;
    apierr_category category;
    long long delay_ms; /* the wait the policy chose after it (unscaled) */
    char request_id[APIERR_REQUEST_ID_MAX];
    char reason[APIERR_REASON_MAX]; /* the policy's reason */
} apierr_attempt;
/* apierr_attempt never grows: programs index result->attempts with their
 * own header's sizeof and the struct has no version. What later versions
 * know of an attempt is read with apierr_attempt_flags(). */

/* Flags of an attempt. HEDGE: sent as a hedge (the policy's
 * hedge_delay_ms), while an earlier attempt of the call was still out.
 * CANCELLED: still in flight when another attempt of the call won, so no
 * answer was read (status 0; its decision and category are the winner's). */
#define APIERR_ATTEMPT_HEDGE     1u
#define APIERR_ATTEMPT_CANCELLED 2u

/* The outcome of a call. */
typedef struct apierr_result {
    int ok;                   /* 1: success (category ok) */
    apierr_category category; /* why it ended */
    int status;               /* of the last response, 0 when none */
    char *body;               /* of the last response, NUL-terminated */
    size_t body_len;
    apierr_header *headers; /* of the last response */
    size_t nheaders;
    apierr_problem *problem; /* on failure: the normalized problem, never NULL; on a
                                GraphQL partial success (200 with data and errors):
                                its errors; else NULL */
    apierr_attempt *attempts;
    size_t nattempts;
    char reason[APIERR_REASON_MAX]; /* one line: why it ended */
    char idempotency_key[40];       /* the key sent, or "" */
    const char *method;
    const char *url; /* as sent (without the key parameter) */
    long long elapsed_ms;
    void *user;
} apierr_result;

/* The APIERR_ATTEMPT_* flags of r->attempts[i]; 0 when i is out of range.
 * r is a result the library filled (apierr_call, a done callback,
 * apierr_update; moved or not) or an empty one: the flags live in the
 * library's own block of attempt records. */
APIERR_EXTERN unsigned apierr_attempt_flags(const apierr_result *r, size_t i);

/* What later versions know of a result, read as the flags are (the
 * struct cannot grow: callers allocate it). r is a result the library
 * filled, or an empty one. */

/* The status line of the last response as the server sent it, without its
 * line end ("HTTP/1.1 429 Slow Down": its own reason phrase; HTTP/2 has
 * none: "HTTP/2 429 ", as libcurl gives it), or NULL when no response came
 * (status 0). Owned by the result. */
APIERR_EXTERN const char *apierr_result_status_line(const apierr_result *r);

/* The URL of the last response: after redirects (follow_redirects), the
 * last one followed; else r->url. Not redacted; owned by the result; NULL
 * for an empty result. */
APIERR_EXTERN const char *apierr_result_url_effective(const apierr_result *r);

/* What libcurl measured of the transfer that brought the last response
 * (curl's --write-out figures of the same names), of the last attempt
 * that got one; kept when the client's transfer_info is 1. Times are in
 * seconds from the start of that attempt, as curl gives them. */
typedef struct apierr_transfer_info {
    unsigned version;
    int http_version;                    /* 10, 11, 20 or 30 */
    char scheme[8];                      /* "http" or "https" */
    char remote_ip[48], local_ip[48];    /* numeric */
    long remote_port, local_port;        /* of the connection */
    long long size_header, size_request; /* bytes received in headers, sent in the request */
    long long size_upload;               /* body bytes sent */
    double speed_download, speed_upload; /* bytes per second */
    double time_namelookup, time_connect, time_appconnect, time_pretransfer;
    double time_starttransfer, time_redirect, time_total; /* time_total: of that attempt */
    long num_connects, num_redirects; /* connections made for it; redirects followed */
    long ssl_verify_result;           /* 0: verified, or not TLS */
    /* Where a 3xx that was not followed points, absolute; "" for none.
     * Cut at 2,047 bytes. Not redacted. */
    char redirect_url[2048];
} apierr_transfer_info;

#define APIERR_TRANSFER_INFO_VERSION 1

/* Fills *out (set out->version first: APIERR_TRANSFER_INFO_VERSION) with
 * r's transfer figures. APIERR_OK, APIERR_ENOTFOUND (none kept: the
 * client's transfer_info is 0, or no response came) or APIERR_EVERSION
 * (out->version 0 or newer than this library's). */
APIERR_EXTERN int apierr_result_transfer_info(const apierr_result *r, apierr_transfer_info *out);

/* apierr_redact_url() and apierr_header_is_secret() with the names the
 * client's secret_names added too: how everything the library prints or
 * records of r is redacted (apierr_result_to_json(), the support report,
 * -v lines), for callers that print r's URLs or headers themselves. */
APIERR_EXTERN size_t apierr_result_redact_url(char *buf, size_t cap, const apierr_result *r,
                                              const char *url);
APIERR_EXTERN int apierr_result_header_is_secret(const apierr_result *r, const char *name);

/* apierr_redact_url() with client c's secret_names too, for a URL no
 * result holds (one that apierr_call() refused with APIERR_EINVAL before
 * any attempt, which the caller may want to quote). Returns the length of
 * the redacted URL; buf gets as much as fits in cap, NUL-terminated. */
APIERR_EXTERN size_t apierr_client_redact_url(char *buf, size_t cap, const apierr_client *c,
                                              const char *url);

/* Creates a client. opts NULL: defaults. opts (and the profile it points
 * at, whose policy may be of an older version) are copied. Returns
 * APIERR_OK, APIERR_EINVAL (bad options: two credential sources, a bad URL,
 * an ip_version other than 0, 4 and 6, an http_version other than 0, 10,
 * 11, 20 and 21),
 * APIERR_EVERSION (opts->version or its profile's policy version is 0 or
 * newer than this library's), APIERR_EIO (the report cannot be opened, curl
 * cannot start) or APIERR_ENOMEM. */
APIERR_EXTERN int apierr_client_new(apierr_client **out, const apierr_client_opts *opts);

/* Frees the client; calls not yet finished are dropped (their callbacks are
 * not called). Accepts NULL. */
APIERR_EXTERN void apierr_client_free(apierr_client *c);

/* Runs one call to its end (other submitted calls progress meanwhile).
 * *out is filled (free it with apierr_result_clear()) whatever the outcome.
 * Returns APIERR_OK when the call ran (check out->ok), APIERR_ENOMEM,
 * APIERR_EINVAL for a bad request, or APIERR_EVERSION when req->version is
 * 0 or newer than this library's. When the call did not run (EINVAL,
 * EVERSION), *out is an empty result: all zero, nothing to free. */
APIERR_EXTERN int apierr_call(apierr_client *c, const apierr_request *req, apierr_result *out);

/* Called once per submitted call when it ends. result lives until the
 * callback returns; take it with apierr_result_move() to keep it. */
typedef void (*apierr_done_fn)(void *payload, apierr_result *result);

/* Queues a call (copied). Returns APIERR_OK, APIERR_EINVAL (among others: a
 * URL that is not http or https, has no host, or holds white space or a
 * control character; a method that is not a token, apierr_method_valid();
 * nothing is sent), APIERR_ENOMEM,
 * or APIERR_EVERSION when req->version is 0 or newer than this library's
 * (nothing queued, done never called). */
APIERR_EXTERN int apierr_client_submit(apierr_client *c, const apierr_request *req,
                                       apierr_done_fn done, void *payload);

/* Runs until every submitted call has ended. Returns APIERR_OK, or
 * APIERR_EIO when curl fails as a whole. */
APIERR_EXTERN int apierr_client_run(apierr_client *c);

/* Calls submitted and not yet ended. */
APIERR_EXTERN size_t apierr_client_pending(const apierr_client *c);

/*
 * A read-modify-write step: turns the current representation (cur_len bytes,
 * NUL-terminated) into the new one, written to *out and *out_len. *out must
 * be allocated with apierr_malloc() (never malloc(): the allocator may be
 * replaced, apierr_set_alloc_funcs()): apierr frees it with apierr_free().
 * Called once per round: after a refusal as stale it sees the
 * representation read again. Returns APIERR_OK, or any other code to stop
 * the update (the result says invalid_request); *out is then ignored, so
 * free what was allocated before failing.
 */
typedef int (*apierr_update_fn)(void *payload, const char *cur, size_t cur_len, char **out,
                                size_t *out_len);

/*
 * Read-modify-write of one resource with optimistic concurrency (RFC 9110
 * 13.1.1): GETs req->url, keeps its ETag (or, when the response has none,
 * the top-level JSON member "version", sent as the entity tag "\"N\""),
 * passes the body to fn, then writes fn's output with req->method (NULL:
 * "PUT") and If-Match. When the write is refused as stale (412, or 409 when
 * the profile's conflict_reread says so), it reads again and writes again,
 * while apierr_policy_reread() allows: max_attempts rounds and the deadline
 * (req->max_time_ms, else the policy's) over the whole update. Each GET and
 * PUT is an ordinary call (retried under the policy). req->body is ignored;
 * req->content_type defaults to application/json. *out gets the last call's
 * outcome with the attempts of every round. Returns as apierr_call(): on
 * APIERR_EINVAL and APIERR_EVERSION (req->version 0 or newer than this
 * library's) nothing was sent and *out is an empty result.
 */
APIERR_EXTERN int apierr_update(apierr_client *c, const apierr_request *req, apierr_update_fn fn,
                                void *payload, apierr_result *out);

/* Moves *from into *to (to is overwritten, from is left empty). */
APIERR_EXTERN void apierr_result_move(apierr_result *to, apierr_result *from);

/* Frees what a result owns and zeroes it. Accepts an empty result. */
APIERR_EXTERN void apierr_result_clear(apierr_result *r);

/* Writes the result as a JSON object (one line, with the attempt history and
 * the problem; the body only when with_body) into a new NUL-terminated
 * buffer freed with apierr_free(). The URL is redacted. r is a result the
 * library filled, or an empty one (as for apierr_attempt_flags()).
 * APIERR_OK or APIERR_ENOMEM. */
APIERR_EXTERN int apierr_result_to_json(char **out, const apierr_result *r, int with_body);

/*
 * Redacts secrets in a URL for logs and reports: the values of query
 * parameters named access_token, token, key, api_key, apikey, secret,
 * password, client_secret, refresh_token, code, signature, sig, or whose
 * name says it is a secret (as apierr_header_is_secret(): accessToken,
 * db_password), and the user:password part, become "REDACTED". Writes at most cap bytes with the
 * NUL; returns the full length (like snprintf).
 */
APIERR_EXTERN size_t apierr_redact_url(char *buf, size_t cap, const char *url);

/* 1 when a header's value must not be shown: a known name (Authorization,
 * Cookie, Set-Cookie, Proxy-Authorization, X-Api-Key, ...), or one of
 * whose words (split at '-', '_' and where lower case turns upper) is
 * token, key, secret, password, passwd, signature, sig, session, auth,
 * authorization, credential, cookie, jwt, bearer, private, ...:
 * X-Access-Token, Private-Token, Ocp-Apim-Subscription-Key, X-Goog-Api-Key.
 * Idempotency-Key is not a secret. Query parameters are judged the same way
 * by apierr_redact_url(). */
APIERR_EXTERN int apierr_header_is_secret(const char *name);

/*
 * Parses one line of a batch file (`apierr call --parallel --input`):
 * `METHOD URL [BODY]`, separated by spaces or tabs; BODY is the rest of the
 * line. Blank lines and lines starting with '#' give APIERR_ENOTFOUND. The
 * line is split in place (NULs written); *body is NULL when absent.
 * Returns APIERR_OK, APIERR_ENOTFOUND, or APIERR_EPARSE (no URL).
 */
APIERR_EXTERN int apierr_batch_line_parse(char *line, const char **method, const char **url,
                                          const char **body);

/* Writes a new UUID v4 (36 characters and a NUL) from getrandom() into out.
 * Returns APIERR_OK or APIERR_EIO. */
APIERR_EXTERN int apierr_uuid4(char out[37]);

#ifdef __cplusplus
}
#endif
#endif
