/* `apierr check`: the requests that must fail. One table says what each
 * probe sends; one function sends a row through libapierr-client (a policy
 * of one attempt: a probe is never retried) and reads the answer with the
 * library's decoder and the profile's policy. The budget, the pause and
 * "only the given host" are held here, for every request. */
#include "check.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

enum target { AT_UNKNOWN, AT_PATH, AT_WRITE_PATH };
enum creds { AS_CALLER, AS_NOBODY, AS_BOGUS, AS_CALLER_ONLY };
enum body { NO_BODY, BODY_MALFORMED, BODY_TEXT, BODY_EMPTY_OBJECT, BODY_OVERSIZE };

/* What a probe sends: in CHECK_PROBE_MAP's order. AS_CALLER uses the
 * credentials given (none when none were), so that an API that checks them
 * before routing still gets to answer the question asked. */
static const struct probe_row {
    const char *method;
    enum target target;
    enum creds creds;
    enum body body;
    const char *accept;
} rows[CHECK_PROBE__COUNT] = {
    [CHECK_PROBE_UNKNOWN] = {"GET", AT_UNKNOWN, AS_CALLER, NO_BODY, "application/json"},
    [CHECK_PROBE_UNKNOWN_PROBLEM] = {"GET", AT_UNKNOWN, AS_CALLER, NO_BODY,
                                     "application/problem+json"},
    /* TRACE is safe (RFC 9110 9.2.1): whatever a careless server does with
     * it, it changes nothing, and APIs almost never route it. */
    [CHECK_PROBE_METHOD] = {"TRACE", AT_PATH, AS_CALLER, NO_BODY, "application/json"},
    [CHECK_PROBE_NO_AUTH] = {"GET", AT_PATH, AS_NOBODY, NO_BODY, "application/json"},
    [CHECK_PROBE_BAD_TOKEN] = {"GET", AT_PATH, AS_BOGUS, NO_BODY, "application/json"},
    [CHECK_PROBE_BASELINE] = {"GET", AT_PATH, AS_CALLER_ONLY, NO_BODY, "application/json"},
    [CHECK_PROBE_MALFORMED] = {"POST", AT_WRITE_PATH, AS_CALLER, BODY_MALFORMED,
                               "application/json"},
    [CHECK_PROBE_WRONG_TYPE] = {"POST", AT_WRITE_PATH, AS_CALLER, BODY_TEXT, "application/json"},
    [CHECK_PROBE_INVALID] = {"POST", AT_WRITE_PATH, AS_CALLER, BODY_EMPTY_OBJECT,
                             "application/json"},
    [CHECK_PROBE_OVERSIZE] = {"POST", AT_WRITE_PATH, AS_CALLER, BODY_OVERSIZE, "application/json"},
};

static const char *const probe_names[] = {
#define CHECK__PROBE_NAME(id, name, doc) name,
    CHECK_PROBE_MAP(CHECK__PROBE_NAME)
#undef CHECK__PROBE_NAME
};

const char *check_probe_name(enum check_probe_id id)
{
    return probe_names[id];
}

/* A bearer token no server can have issued: it names itself. */
#define BOGUS_TOKEN "apierr-check-bogus-token-0000"

struct sender {
    struct check_run *run;
    apierr_client *caller; /* with the credentials given, or NULL when none */
    apierr_client *nobody; /* without credentials */
};

static void pause_ms(long long ms)
{
    if (ms <= 0) return;
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* Decodes the answer's body (any status but 2xx) with dialect auto, so that
 * the report says what the body really is, and classifies it under the
 * profile. */
static int read_answer(struct check_answer *ans, const struct check_run *run)
{
    apierr_result *r = &ans->result;
    ans->content_type = apierr_header_find(r->headers, r->nheaders, "Content-Type");
    apierr_outcome oc = APIERR_OUTCOME_INIT;
    /* No attempt at all when the credentials could not be had. */
    oc.transport = r->status || !r->nattempts ? APIERR_TRANSPORT_NONE : r->attempts[0].transport;
    oc.status = r->status;
    oc.method = apierr_method_from_name(ans->method);
    if (r->status && (r->status < 200 || r->status > 299)) {
        apierr_decode_opts d = APIERR_DECODE_OPTS_INIT;
        d.status = r->status;
        d.content_type = ans->content_type;
        d.headers = r->headers;
        d.nheaders = r->nheaders;
        d.now_ms = (long long)time(NULL) * 1000;
        if (apierr_problem_decode(&ans->problem, r->body ? r->body : "", r->body_len, &d) !=
            APIERR_OK) {
            cli_error(CHECK_CMD, "out of memory");
            return -1;
        }
        oc.problem = ans->problem;
    }
    apierr_profile_classify(&ans->cls, &oc, &run->profile);
    return 0;
}

/* Sends probe row `row` (or, for the burst, a GET on --path) into *ans.
 * 0 sent, 1 skipped (ans->skipped says why), -1 out of memory. */
static int send_row(struct sender *s, const struct probe_row *row, struct check_answer *ans,
                    int paused)
{
    const struct check_args *a = s->run->a;
    ans->method = row->method;
    ans->path = row->target == AT_UNKNOWN ? s->run->unknown_path
                : row->target == AT_PATH  ? a->path
                                          : a->write_path;
    if (!ans->path) {
        ans->skipped = row->target == AT_PATH ? "needs --path" : "needs --write-path (a write)";
        return 1;
    }
    if (row->creds == AS_CALLER_ONLY && !s->caller) {
        ans->skipped = "needs credentials (--token or --oauth)";
        return 1;
    }
    if (row->body == BODY_OVERSIZE && a->oversize <= 0) {
        ans->skipped = "opt-in: --oversize BYTES";
        return 1;
    }
    if (s->run->requests >= a->max_requests) {
        ans->skipped = "request budget (--max-requests) spent";
        return 1;
    }
    apierr_header h[3];
    size_t nh = 0;
    h[nh++] = (apierr_header){"Accept", row->accept};
    if (row->creds == AS_BOGUS) h[nh++] = (apierr_header){"Authorization", "Bearer " BOGUS_TOKEN};
    if (row->target == AT_UNKNOWN && row == &rows[CHECK_PROBE_UNKNOWN])
        h[nh++] = (apierr_header){"X-Request-Id", s->run->sent_request_id};
    apierr_request req = APIERR_REQUEST_INIT;
    req.method = row->method;
    req.url = ans->path;
    req.headers = h;
    req.nheaders = nh;
    char *big = NULL;
    switch (row->body) {
    case NO_BODY:
        break;
    case BODY_MALFORMED:
        req.body = "{\"apierr-check\": [1, 2,";
        req.content_type = "application/json";
        break;
    case BODY_TEXT:
        req.body = "apierr check: this body is not JSON";
        req.content_type = "text/plain";
        break;
    case BODY_EMPTY_OBJECT:
        req.body = "{}";
        req.content_type = "application/json";
        break;
    case BODY_OVERSIZE:
        /* Valid JSON, so that only its size is wrong. */
        big = malloc((size_t)a->oversize + 1);
        if (!big) {
            cli_error(CHECK_CMD, "out of memory");
            return -1;
        }
        memset(big, 'a', (size_t)a->oversize);
        memcpy(big, "{\"pad\":\"", 8);
        memcpy(big + a->oversize - 2, "\"}", 2);
        req.body = big;
        req.body_len = (size_t)a->oversize;
        req.content_type = "application/json";
        break;
    }
    if (req.body && !req.body_len) req.body_len = strlen(req.body);
    if (paused && s->run->requests > 0) pause_ms(a->pause_ms);
    apierr_client *c = row->creds == AS_CALLER || row->creds == AS_CALLER_ONLY
                           ? (s->caller ? s->caller : s->nobody)
                           : s->nobody;
    int rc = apierr_call(c, &req, &ans->result);
    free(big);
    /* From here on the path is only shown: a key in its query stays out of
     * the reports. */
    apierr_redact_url(ans->shown_path, sizeof ans->shown_path, ans->path);
    ans->path = ans->shown_path;
    if (rc != APIERR_OK) {
        cli_error(CHECK_CMD, "%s %s: %s", row->method, ans->path, apierr_strerror(rc));
        return -1;
    }
    s->run->requests++;
    return read_answer(ans, s->run);
}

/* The host part of an absolute URL ("http://h:1/x" -> "h:1"), or an empty
 * span when the URL has none. */
static size_t authority(const char *url, const char **start)
{
    const char *p = strstr(url, "://");
    *start = p ? p + 3 : url;
    size_t n = p ? strcspn(*start, "/?#") : 0;
    /* user:password@ is not part of the host. */
    for (size_t i = n; i > 0; i--) {
        if ((*start)[i - 1] == '@') {
            *start += i;
            return n - i;
        }
    }
    return n;
}

static int same_host(const char *a, const char *b)
{
    const char *sa, *sb;
    size_t na = authority(a, &sa), nb = authority(b, &sb);
    if (!na || na != nb) return 0;
    for (size_t i = 0; i < na; i++)
        if ((sa[i] | 32) != (sb[i] | 32)) return 0;
    return 1;
}

static int new_client(apierr_client **out, const struct check_run *run, int with_creds)
{
    const struct check_args *a = run->a;
    apierr_client_opts o = APIERR_CLIENT_OPTS_INIT;
    o.base_url = a->base_url;
    o.profile = &run->profile; /* max_attempts 1: see check_probe_all() */
    o.connect_timeout_ms = 5000;
    o.pace = -1; /* a burst must not be smoothed away */
    if (with_creds) {
        o.token = a->token;
        o.oauth_token_url = a->oauth;
        o.client_id = a->client_id;
        o.client_secret = a->client_secret;
    }
    int rc = apierr_client_new(out, &o);
    if (rc == APIERR_OK) return CLI_EXIT_OK;
    cli_error(CHECK_CMD, "%s", apierr_strerror(rc));
    return rc == APIERR_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
}

/* The burst: GETs on --path, no pause, until the first 429 or N requests;
 * the first 429 and the first 503 are kept. */
static int burst(struct sender *s)
{
    struct check_run *run = s->run;
    static const struct probe_row get = {"GET", AT_PATH, AS_CALLER, NO_BODY, "application/json"};
    for (int i = 0; i < run->a->burst && !run->burst_429; i++) {
        struct check_answer ans = {0};
        int rc = send_row(s, &get, &ans, 0);
        if (rc < 0) return CLI_EXIT_FAILURE;
        if (rc > 0) break;
        run->burst_sent++;
        struct check_answer *keep = NULL;
        if (ans.result.status == 429) {
            run->burst_429++;
            keep = &run->burst_first_429;
        } else if (ans.result.status == 503 && !run->unavailable.result.status) {
            keep = &run->unavailable;
        }
        if (keep) {
            *keep = ans;
            keep->path = keep->shown_path; /* it pointed into ans */
        } else {
            apierr_result_clear(&ans.result);
            apierr_problem_free(ans.problem);
        }
    }
    return CLI_EXIT_OK;
}

int check_probe_all(struct check_run *run)
{
    const struct check_args *a = run->a;
    if (a->oauth && !same_host(a->oauth, a->base_url)) {
        cli_error(CHECK_CMD, "--oauth must be on the host of BASE_URL: check talks to one host");
        return CLI_EXIT_USAGE;
    }
    /* One attempt per probe: the answer to a request that must fail is the
     * thing graded, not what a retry would get. A hung server costs 10 s. */
    run->profile.policy.max_attempts = 1;
    run->profile.policy.attempt_timeout_ms = 10000;
    char uuid[37];
    if (apierr_uuid4(uuid) != APIERR_OK) memcpy(uuid, "00000000-0000-4000-8000-000000000000", 37);
    snprintf(run->sent_request_id, sizeof run->sent_request_id, "apierr-check-%s", uuid);
    struct sender s = {.run = run};
    snprintf(run->unknown_path, sizeof run->unknown_path, "/apierr-check-%.8s-no-such-path", uuid);
    int rc = new_client(&s.nobody, run, 0);
    int with_creds = a->token || a->oauth;
    if (!rc && with_creds) rc = new_client(&s.caller, run, 1);
    /* The token request of --oauth is one request of the budget. */
    if (a->oauth) run->requests++;
    for (int i = 0; !rc && i < CHECK_PROBE__COUNT; i++)
        if (send_row(&s, &rows[i], &run->probe[i], 1) < 0) rc = CLI_EXIT_FAILURE;
    if (!rc && a->burst > 0 && a->path) {
        if (run->requests > 0) pause_ms(a->pause_ms);
        rc = burst(&s);
    }
    apierr_client_free(s.caller);
    apierr_client_free(s.nobody);
    return rc;
}

static void answer_free(struct check_answer *ans)
{
    apierr_result_clear(&ans->result);
    apierr_problem_free(ans->problem);
    ans->problem = NULL;
}

void check_run_free(struct check_run *run)
{
    for (int i = 0; i < CHECK_PROBE__COUNT; i++) answer_free(&run->probe[i]);
    answer_free(&run->burst_first_429);
    answer_free(&run->unavailable);
}
