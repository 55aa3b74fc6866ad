/* `apierr check`: the table of checks. Each row has a stable id, a
 * severity, what it asks of the API, and an evaluator that reads the
 * answers of the probes and writes the evidence it saw. A check whose probe
 * was not sent is skipped, never passed. */
#include "check_evidence.h"
#include "check_scan.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef enum check_verdict (*check_eval)(const struct check_run *run, char *ev, size_t cap);

/* --- the checks ------------------------------------------------------------------- */

static enum check_verdict expect_status(const struct check_run *run, enum check_probe_id id,
                                        int want, char *ev, size_t cap)
{
    const struct check_answer *a = check_open_probe(run, id, ev, cap);
    if (!a) return CHECK_SKIP;
    if (a->result.status == want) return CHECK_PASS;
    check_ev_add(ev, cap, ", want %d", want);
    return CHECK_FAIL;
}

static enum check_verdict not_found_status(const struct check_run *run, char *ev, size_t cap)
{
    return expect_status(run, CHECK_PROBE_UNKNOWN, 404, ev, cap);
}

static enum check_verdict not_found_body(const struct check_run *run, char *ev, size_t cap)
{
    const struct check_answer *a = check_open_probe(run, CHECK_PROBE_UNKNOWN, ev, cap);
    if (!a) return CHECK_SKIP;
    check_ev_add(ev, cap, ", body: %s", check_dialect_of(a));
    return check_machine_readable(a->problem) ? CHECK_PASS : CHECK_FAIL;
}

static enum check_verdict same_dialect(const struct check_run *run, char *ev, size_t cap)
{
    apierr_dialect want = run->profile.dialect;
    int n = 0, bad = 0;
    const struct check_answer *a;
    for (size_t i = 0; (a = check_nth_error(run, &i));) {
        /* The problem+json one asked for another dialect on purpose. */
        if (a == &run->probe[CHECK_PROBE_UNKNOWN_PROBLEM] || !a->problem) continue;
        apierr_dialect d = a->problem->raw_len ? a->problem->dialect : APIERR_DIALECT_UNKNOWN;
        if (want == APIERR_DIALECT_AUTO && n == 0) want = d;
        check_ev_add(ev, cap, "%s%d %s", n ? ", " : "", a->result.status, check_dialect_of(a));
        if (d != want) bad++;
        n++;
    }
    if (!n) {
        check_ev_add(ev, cap, "no error answer");
        return CHECK_SKIP;
    }
    if (bad) check_ev_add(ev, cap, "; %d not %s", bad, apierr_dialect_name(want));
    return bad || !check_machine_readable(&(apierr_problem){.raw_len = 1, .dialect = want})
               ? CHECK_FAIL
               : CHECK_PASS;
}

static enum check_verdict method_status(const struct check_run *run, char *ev, size_t cap)
{
    return expect_status(run, CHECK_PROBE_METHOD, 405, ev, cap);
}

static enum check_verdict method_allow(const struct check_run *run, char *ev, size_t cap)
{
    const struct check_answer *a = check_open_probe(run, CHECK_PROBE_METHOD, ev, cap);
    if (!a) return CHECK_SKIP;
    if (a->result.status >= 200 && a->result.status < 300) {
        check_ev_add(ev, cap, ": TRACE is allowed here, nothing to refuse");
        return CHECK_SKIP;
    }
    const char *allow = check_header(a, "Allow");
    if (!allow) {
        check_ev_add(ev, cap, ", no Allow header");
        return CHECK_FAIL;
    }
    check_ev_add(ev, cap, ", Allow: ");
    check_ev_text(ev, cap, allow, 120);
    if (!check_token_list_valid(allow, strlen(allow))) {
        check_ev_add(ev, cap, " (not a list of methods)");
        return CHECK_FAIL;
    }
    if (check_list_has(allow, strlen(allow), "TRACE")) {
        check_ev_add(ev, cap, " (names the method it refused)");
        return CHECK_FAIL;
    }
    return CHECK_PASS;
}

static enum check_verdict auth_status(const struct check_run *run, enum check_probe_id id, char *ev,
                                      size_t cap)
{
    const struct check_answer *a = check_open_probe(run, id, ev, cap);
    if (!a) return CHECK_SKIP;
    if (check_unauthenticated(a)) {
        if (a->result.status != 401) check_ev_add(ev, cap, " (unauthenticated under the profile)");
        return CHECK_PASS;
    }
    check_ev_add(ev, cap, ", want 401");
    return CHECK_FAIL;
}

static enum check_verdict missing_status(const struct check_run *run, char *ev, size_t cap)
{
    return auth_status(run, CHECK_PROBE_NO_AUTH, ev, cap);
}

static enum check_verdict invalid_status(const struct check_run *run, char *ev, size_t cap)
{
    return auth_status(run, CHECK_PROBE_BAD_TOKEN, ev, cap);
}

/* The WWW-Authenticate of a probe's 401; NULL with the verdict set when
 * there is nothing to look at. */
static const char *challenge(const struct check_run *run, enum check_probe_id id, char *ev,
                             size_t cap, enum check_verdict *v)
{
    const struct check_answer *a = check_open_probe(run, id, ev, cap);
    *v = CHECK_SKIP;
    if (!a) return NULL;
    if (a->result.status != 401) {
        /* RFC 9110 11.6.1 asks for a challenge on 401 only: a profile's
         * other status for it (gestix: 403) needs none. */
        *v = check_unauthenticated(a) ? CHECK_SKIP : CHECK_FAIL;
        check_ev_add(ev, cap,
                     *v == CHECK_SKIP
                         ? ": unauthenticated under the profile; only a 401 needs a challenge"
                         : ": not a 401, so no challenge");
        return NULL;
    }
    const char *w = check_header(a, "WWW-Authenticate");
    if (!w) {
        check_ev_add(ev, cap, ", no WWW-Authenticate");
        *v = CHECK_FAIL;
        return NULL;
    }
    check_ev_add(ev, cap, ", WWW-Authenticate: ");
    check_ev_text(ev, cap, w, 160);
    return w;
}

static enum check_verdict missing_challenge(const struct check_run *run, char *ev, size_t cap)
{
    enum check_verdict v;
    return challenge(run, CHECK_PROBE_NO_AUTH, ev, cap, &v) ? CHECK_PASS : v;
}

static enum check_verdict missing_no_code(const struct check_run *run, char *ev, size_t cap)
{
    enum check_verdict v;
    const char *w = challenge(run, CHECK_PROBE_NO_AUTH, ev, cap, &v);
    if (!w) return v;
    char code[64];
    return check_challenge_param(w, strlen(w), "error", code, sizeof code) ? CHECK_FAIL
                                                                           : CHECK_PASS;
}

static enum check_verdict invalid_code(const struct check_run *run, char *ev, size_t cap)
{
    enum check_verdict v;
    const char *w = challenge(run, CHECK_PROBE_BAD_TOKEN, ev, cap, &v);
    if (!w) return v;
    char code[64];
    if (check_challenge_param(w, strlen(w), "error", code, sizeof code) &&
        !strcmp(code, "invalid_token"))
        return CHECK_PASS;
    check_ev_add(ev, cap, "; want error=\"invalid_token\"");
    return CHECK_FAIL;
}

static int judge_no_store(const struct check_answer *a, char *ev, size_t cap, int nbad)
{
    (void)nbad;
    if (a->result.status != 401 && a->result.status != 403) return -1;
    const char *cc = check_header(a, "Cache-Control");
    int ok = cc && check_list_has(cc, strlen(cc), "no-store");
    check_ev_add(ev, cap, "%s%d %s", *ev ? ", " : "", a->result.status,
                 ok ? "no-store" : "cacheable");
    return ok;
}

static enum check_verdict no_store(const struct check_run *run, char *ev, size_t cap)
{
    return check_every_error(run, judge_no_store, ev, cap, "no 401 or 403 seen", NULL);
}

static enum check_verdict malformed(const struct check_run *run, char *ev, size_t cap)
{
    enum check_verdict v = expect_status(run, CHECK_PROBE_MALFORMED, 400, ev, cap);
    const struct check_answer *a = check_sent(run, CHECK_PROBE_MALFORMED);
    if (v != CHECK_PASS) return v;
    if (!check_machine_readable(a->problem) || !a->problem->message || !*a->problem->message) {
        check_ev_add(ev, cap, ", no message a program can read (body: %s)", check_dialect_of(a));
        return CHECK_FAIL;
    }
    check_ev_add(ev, cap, ", message: ");
    check_ev_text(ev, cap, a->problem->message, 100);
    return CHECK_PASS;
}

static enum check_verdict unsupported(const struct check_run *run, char *ev, size_t cap)
{
    return expect_status(run, CHECK_PROBE_WRONG_TYPE, 415, ev, cap);
}

static enum check_verdict too_large(const struct check_run *run, char *ev, size_t cap)
{
    return expect_status(run, CHECK_PROBE_OVERSIZE, 413, ev, cap);
}

static enum check_verdict validation_status(const struct check_run *run, char *ev, size_t cap)
{
    int want = run->profile.validation_status ? run->profile.validation_status : 422;
    return expect_status(run, CHECK_PROBE_INVALID, want, ev, cap);
}

static enum check_verdict validation_details(const struct check_run *run, char *ev, size_t cap)
{
    const struct check_answer *a = check_open_probe(run, CHECK_PROBE_INVALID, ev, cap);
    if (!a) return CHECK_SKIP;
    if (!a->problem || !a->problem->ndetails) {
        check_ev_add(ev, cap, ", no field named (body: %s)", check_dialect_of(a));
        return CHECK_FAIL;
    }
    check_ev_add(ev, cap, ", %zu field(s): ", a->problem->ndetails);
    for (size_t i = 0; i < a->problem->ndetails && i < 4; i++) {
        check_ev_add(ev, cap, "%s", i ? ", " : "");
        check_ev_text(ev, cap, a->problem->details[i].field ? a->problem->details[i].field : "-",
                      40);
    }
    return CHECK_PASS;
}

/* The request id of an answer: a header, else the body's. */
static const char *request_id(const struct check_answer *a)
{
    const char *h = apierr_request_id_find(a->result.headers, a->result.nheaders);
    return h ? h : a->problem ? a->problem->request_id : NULL;
}

static int judge_rid(const struct check_answer *a, char *ev, size_t cap, int nbad)
{
    if (request_id(a)) return 1;
    check_ev_item(ev, cap, nbad, "without: ", ", ", "%d on %s %s", a->result.status, a->method,
                  a->path);
    return 0;
}

static enum check_verdict rid_present(const struct check_run *run, char *ev, size_t cap)
{
    return check_every_error(run, judge_rid, ev, cap, "no error answer",
                             "%d of %d errors carry one");
}

static enum check_verdict rid_echo(const struct check_run *run, char *ev, size_t cap)
{
    const struct check_answer *a = check_open_probe(run, CHECK_PROBE_UNKNOWN, ev, cap);
    if (!a) return CHECK_SKIP;
    check_ev_add(ev, cap, ", sent X-Request-Id: %s", run->sent_request_id);
    const char *h = apierr_request_id_find(a->result.headers, a->result.nheaders);
    const char *b = a->problem ? a->problem->request_id : NULL;
    if ((h && !strcmp(h, run->sent_request_id)) || (b && !strcmp(b, run->sent_request_id)))
        return CHECK_PASS;
    check_ev_add(ev, cap, ", got: ");
    check_ev_text(ev, cap, h ? h : b ? b : "none", 80);
    return CHECK_FAIL;
}

static int judge_json_type(const struct check_answer *a, char *ev, size_t cap, int nbad)
{
    char mt[64];
    check_media_type(mt, sizeof mt, a->content_type);
    int problem_type = !strcmp(mt, "application/problem+json");
    if (check_is_json_type(mt) && check_machine_readable(a->problem) &&
        (!problem_type || a->problem->dialect == APIERR_DIALECT_PROBLEM))
        return 1;
    check_ev_item(ev, cap, nbad, "", "; ", "%d %s: %s body, Content-Type %s", a->result.status,
                  a->path, check_dialect_of(a), *mt ? mt : "none");
    return 0;
}

static enum check_verdict json_type(const struct check_run *run, char *ev, size_t cap)
{
    return check_every_error(run, judge_json_type, ev, cap, "no error answer",
                             "%d of %d errors are JSON with a JSON Content-Type");
}

static enum check_verdict problem_negotiated(const struct check_run *run, char *ev, size_t cap)
{
    const struct check_answer *a = check_open_probe(run, CHECK_PROBE_UNKNOWN_PROBLEM, ev, cap);
    if (!a) return CHECK_SKIP;
    char mt[64];
    check_media_type(mt, sizeof mt, a->content_type);
    check_ev_add(ev, cap, " with Accept: application/problem+json, Content-Type %s, body %s",
                 *mt ? mt : "none", check_dialect_of(a));
    return !strcmp(mt, "application/problem+json") && a->problem &&
                   a->problem->dialect == APIERR_DIALECT_PROBLEM
               ? CHECK_PASS
               : CHECK_FAIL;
}

static enum check_verdict vary_accept(const struct check_run *run, char *ev, size_t cap)
{
    const struct check_answer *j = check_sent(run, CHECK_PROBE_UNKNOWN),
                              *p = check_sent(run, CHECK_PROBE_UNKNOWN_PROBLEM);
    if (!j || !p)
        return check_not_sent(run, j ? CHECK_PROBE_UNKNOWN_PROBLEM : CHECK_PROBE_UNKNOWN, ev, cap);
    char a[64], b[64];
    check_media_type(a, sizeof a, j->content_type);
    check_media_type(b, sizeof b, p->content_type);
    if (!strcmp(a, b)) {
        check_ev_add(ev, cap, "not negotiated: Content-Type %s for both Accepts", *a ? a : "none");
        return CHECK_SKIP;
    }
    int n = 0, bad = 0;
    for (const struct check_answer *x = j; x; x = x == j ? p : NULL, n++) {
        const char *v = check_header(x, "Vary");
        int ok = v && (check_list_has(v, strlen(v), "Accept") || check_list_has(v, strlen(v), "*"));
        check_ev_add(ev, cap, "%s%s: Vary %s", n ? ", " : "", x == j ? "json" : "problem+json",
                     ok ? "Accept" : "without Accept");
        bad += !ok;
    }
    return bad ? CHECK_FAIL : CHECK_PASS;
}

static int judge_leak(const struct check_answer *a, char *ev, size_t cap, int nbad)
{
    check_leak leak;
    if (!a->result.body || !check_leak_find(&leak, a->result.body, a->result.body_len)) return 1;
    char needle[48];
    check_quote(needle, sizeof needle, leak.needle, strlen(leak.needle));
    check_ev_item(ev, cap, nbad, "", "; ", "%d %s %s: %s (%s)", a->result.status, a->method,
                  a->path, leak.kind, needle);
    return 0;
}

static enum check_verdict no_leak(const struct check_run *run, char *ev, size_t cap)
{
    return check_every_error(run, judge_leak, ev, cap, "no error answer",
                             "%d of %d error bodies show no internals");
}

static enum check_verdict burst_429(const struct check_run *run, char *ev, size_t cap)
{
    if (run->a->burst <= 0 || !run->a->path) {
        check_ev_add(ev, cap, "opt-in: --burst N (with --path)");
        return CHECK_SKIP;
    }
    check_ev_add(ev, cap, "%d GET %s sent, %d answered 429", run->burst_sent, run->a->path,
                 run->burst_429);
    return run->burst_429 ? CHECK_PASS : CHECK_FAIL;
}

static enum check_verdict retry_after_of(const struct check_answer *a, char *ev, size_t cap)
{
    const char *ra = check_header(a, "Retry-After");
    long long ms;
    if (!ra) {
        check_ev_add(ev, cap, ", no Retry-After");
        return CHECK_FAIL;
    }
    check_ev_add(ev, cap, ", Retry-After: ");
    check_ev_text(ev, cap, ra, 60);
    if (apierr_retry_after_parse(&ms, ra, strlen(ra), (long long)time(NULL) * 1000) != APIERR_OK) {
        check_ev_add(ev, cap, " (malformed)");
        return CHECK_FAIL;
    }
    return CHECK_PASS;
}

static enum check_verdict retry_after_429(const struct check_run *run, char *ev, size_t cap)
{
    if (!run->burst_429) {
        check_ev_add(ev, cap, "no 429 seen");
        return CHECK_SKIP;
    }
    check_ev_answer(ev, cap, &run->burst_first_429);
    return retry_after_of(&run->burst_first_429, ev, cap);
}

static enum check_verdict ratelimit_headers(const struct check_run *run, char *ev, size_t cap)
{
    if (!run->burst_429) {
        check_ev_add(ev, cap, "no 429 seen");
        return CHECK_SKIP;
    }
    const struct check_answer *a = &run->burst_first_429;
    static const char *const fields[] = {"RateLimit", "RateLimit-Policy"};
    int found = 0;
    for (size_t i = 0; i < 2; i++) {
        const char *v = check_header(a, fields[i]);
        if (!v) continue;
        found++;
        apierr_ratelimit rl = APIERR_RATELIMIT_INIT;
        int rc = i == 0 ? apierr_ratelimit_field_parse(&rl, v, strlen(v))
                        : apierr_ratelimit_policy_parse(&rl, v, strlen(v));
        check_ev_add(ev, cap, "%s%s: ", found > 1 ? ", " : "", fields[i]);
        check_ev_text(ev, cap, v, 80);
        if (rc == APIERR_EPARSE) {
            check_ev_add(ev, cap, " (malformed)");
            return CHECK_FAIL;
        }
    }
    /* The separate fields are plain numbers (RFC 9110 delay-seconds, a
     * count, or an epoch): the library reads them leniently, this says
     * whether they are well-formed. */
    static const char *const numbers[] = {"X-RateLimit-Limit",   "X-RateLimit-Remaining",
                                          "X-RateLimit-Reset",   "RateLimit-Limit",
                                          "RateLimit-Remaining", "RateLimit-Reset"};
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        const char *v = check_header(a, numbers[i]);
        if (!v || check_is_uint(v, strlen(v))) continue;
        check_ev_add(ev, cap, "%s%s: ", found++ ? ", " : "", numbers[i]);
        check_ev_text(ev, cap, v, 40);
        check_ev_add(ev, cap, " (not a number)");
        return CHECK_FAIL;
    }
    apierr_ratelimit rl = APIERR_RATELIMIT_INIT;
    if (apierr_ratelimit_parse(&rl, a->result.headers, a->result.nheaders,
                               (long long)time(NULL) * 1000) != APIERR_OK) {
        check_ev_add(ev, cap, "%sno RateLimit or X-RateLimit header", found ? "; " : "");
        return CHECK_FAIL;
    }
    check_ev_add(ev, cap, "%slimit %lld, remaining %lld, reset %lld ms", found ? "; " : "",
                 rl.limit, rl.remaining, rl.reset_ms);
    return CHECK_PASS;
}

static int judge_503(const struct check_answer *a, char *ev, size_t cap, int nbad)
{
    (void)nbad;
    if (a->result.status != 503) return -1;
    check_ev_add(ev, cap, "%s", *ev ? "; " : "");
    check_ev_answer(ev, cap, a);
    return retry_after_of(a, ev, cap) == CHECK_PASS;
}

static enum check_verdict unavailable(const struct check_run *run, char *ev, size_t cap)
{
    return check_every_error(run, judge_503, ev, cap, "no 503 seen", NULL);
}

static int judge_decoded(const struct check_answer *a, char *ev, size_t cap, int nbad)
{
    if (check_machine_readable(a->problem)) return 1;
    check_ev_item(ev, cap, nbad, "not decoded: ", ", ", "%d %s: %s", a->result.status, a->path,
                  check_dialect_of(a));
    return 0;
}

static enum check_verdict decoded(const struct check_run *run, char *ev, size_t cap)
{
    return check_every_error(run, judge_decoded, ev, cap, "no error answer",
                             "%d of %d error bodies decode to a JSON dialect (see probes)");
}

/* The table: ids are stable (scripts read them from --json), rows are
 * only ever added. */
static const struct check_row {
    const char *id;
    enum check_severity severity;
    const char *description;
    check_eval eval;
} checks[] = {
    {"not-found.status", CHECK_SEV_ERROR, "an unknown path answers 404", not_found_status},
    {"not-found.machine-readable", CHECK_SEV_ERROR,
     "the 404 body is machine-readable (JSON), not an HTML page", not_found_body},
    {"errors.same-dialect", CHECK_SEV_ERROR,
     "every error body is in one JSON dialect (the profile's, when it names one)", same_dialect},
    {"method.status", CHECK_SEV_ERROR, "a method the path does not allow answers 405",
     method_status},
    {"method.allow", CHECK_SEV_ERROR, "the 405 names the allowed methods in Allow", method_allow},
    {"auth.missing.status", CHECK_SEV_ERROR,
     "no credentials answer 401 (or the profile's unauthenticated status)", missing_status},
    {"auth.missing.challenge", CHECK_SEV_ERROR, "that 401 carries WWW-Authenticate",
     missing_challenge},
    {"auth.missing.no-error-code", CHECK_SEV_WARNING,
     "its challenge has no error code (RFC 6750 3.1: none when no credentials were sent)",
     missing_no_code},
    {"auth.invalid.status", CHECK_SEV_ERROR,
     "a bogus bearer token answers 401 (or the profile's unauthenticated status)", invalid_status},
    {"auth.invalid.error-code", CHECK_SEV_WARNING,
     "its challenge says error=\"invalid_token\" (RFC 6750 3.1)", invalid_code},
    {"auth.no-store", CHECK_SEV_WARNING, "every 401 and 403 carries Cache-Control: no-store",
     no_store},
    {"body.malformed-json", CHECK_SEV_ERROR, "a malformed JSON body answers 400 with a message",
     malformed},
    {"body.unsupported-type", CHECK_SEV_ERROR, "a text/plain body answers 415", unsupported},
    {"body.too-large", CHECK_SEV_ERROR, "an oversized body answers 413", too_large},
    {"validation.status", CHECK_SEV_ERROR,
     "a body that fails validation answers 422 (or the profile's validation status)",
     validation_status},
    {"validation.details", CHECK_SEV_ERROR, "that answer names the fields that failed",
     validation_details},
    {"request-id.present", CHECK_SEV_ERROR, "every error carries a request id (header or body)",
     rid_present},
    {"request-id.echo", CHECK_SEV_WARNING, "a well-formed incoming X-Request-Id is echoed back",
     rid_echo},
    {"content-type.json", CHECK_SEV_ERROR,
     "every error body is JSON or problem+json, with a Content-Type that says so", json_type},
    {"content-type.problem", CHECK_SEV_WARNING,
     "Accept: application/problem+json gets RFC 9457 problem+json", problem_negotiated},
    {"content-type.vary", CHECK_SEV_WARNING, "negotiated errors say Vary: Accept", vary_accept},
    {"leak.none", CHECK_SEV_ERROR,
     "no error body shows internals (stack traces, file paths, SQL, debug pages)", no_leak},
    {"rate-limit.429", CHECK_SEV_ERROR, "a burst is refused with 429", burst_429},
    {"rate-limit.retry-after", CHECK_SEV_ERROR, "the 429 carries a valid Retry-After",
     retry_after_429},
    {"rate-limit.headers", CHECK_SEV_WARNING,
     "the 429 carries well-formed RateLimit or X-RateLimit headers", ratelimit_headers},
    {"unavailable.retry-after", CHECK_SEV_ERROR, "every 503 carries a valid Retry-After",
     unavailable},
    {"decode.all", CHECK_SEV_INFO,
     "every error body decodes to a JSON dialect: its fields and what a client would do", decoded},
};

#define NCHECKS (sizeof checks / sizeof checks[0])

static const char *const severity_names[] = {
#define CHECK__SEV_NAME(id, name) name,
    CHECK_SEVERITY_MAP(CHECK__SEV_NAME)
#undef CHECK__SEV_NAME
};

const char *check_severity_name(enum check_severity s)
{
    return severity_names[s];
}

const char *check_verdict_name(enum check_verdict v)
{
    return v == CHECK_PASS ? "pass" : v == CHECK_FAIL ? "fail" : "skip";
}

int check_grade(struct check_report *rep, const struct check_run *run)
{
    memset(rep, 0, sizeof *rep);
    rep->run = run;
    rep->outcomes = calloc(NCHECKS, sizeof *rep->outcomes);
    if (!rep->outcomes) return CLI_EXIT_FAILURE;
    rep->n = NCHECKS;
    for (size_t i = 0; i < NCHECKS; i++) {
        struct check_outcome *o = &rep->outcomes[i];
        o->id = checks[i].id;
        o->description = checks[i].description;
        o->severity = checks[i].severity;
        o->verdict = checks[i].eval(run, o->evidence, sizeof o->evidence);
        rep->passed += o->verdict == CHECK_PASS;
        rep->failed += o->verdict == CHECK_FAIL;
        rep->skipped += o->verdict == CHECK_SKIP;
        rep->errors_failed += o->verdict == CHECK_FAIL && o->severity == CHECK_SEV_ERROR;
    }
    int graded = rep->passed + rep->failed;
    rep->score = graded ? (200 * rep->passed + graded) / (2 * graded) : 100;
    return CLI_EXIT_OK;
}
