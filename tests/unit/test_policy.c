/*
 * The retry policy engine: one row per rule of each seed document (data
 * files in tests/policy/, one a seed), the engine's own rules (deadline,
 * Retry-After, idempotency, budget, breaker, jitter), and properties over
 * many random outcomes with a fixed-seed PRNG.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apierr.h"
#include "enum_names.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the seed rows: tests/policy/<seed>-<profile>.json --------------------- */

/* One file per seed document, one object per rule of it; the format is in
 * tests/policy/README.md. */
#define POLICY_DIR APIERR_SOURCE_DIR "/tests/policy"
/* The rows of the C table the files replaced: fewer means a file was lost. */
#define MIN_SEED_ROWS 59
#define NOW           1000000LL

/* One seed rule: an outcome after `prior` attempts, and the decision. The
 * strings point into the JSON document it was read from. */
typedef struct seed_row {
    const char *seed, *profile, *what;
    int prior;
    apierr_transport transport;
    int status;
    const char *code;       /* problem code, or NULL for no problem */
    apierr_dialect dialect; /* of the problem */
    long long retry_after;  /* -1 none */
    apierr_method method;
    int key, refreshed;
    apierr_decision_kind kind;
    apierr_category cat;
    long long dmin, dmax; /* expected delay range for retry */
} seed_row;

/* Reading a file: every mistake is printed with the file and the rule, and
 * counted; reading goes on, so that one run shows them all. */
typedef struct loader {
    const char *file;
    size_t index;     /* of the rule in the file's "rules" */
    const char *rule; /* its "rule", once read */
    int errors;
} loader;

static void bad(loader *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bad(loader *l, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "policy %s: rules[%zu] \"%s\": ", l->file, l->index, l->rule ? l->rule : "?");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    l->errors++;
}

/* An object whose members are all among names (NULL-terminated): a
 * misspelt member must not pass for a default. */
static int is_object_of(loader *l, const char *what, const json_t *obj, const char *const *names)
{
    if (!json_is_object(obj)) return bad(l, "%s is not an object", what), 0;
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value) {
        size_t k = 0;
        while (names[k] && strcmp(names[k], key) != 0) k++;
        if (!names[k]) bad(l, "%s: unknown member \"%s\"", what, key);
    }
    return 1;
}

/* obj.key as a string; dflt when absent (NULL: the member is required). */
static const char *text(loader *l, const json_t *obj, const char *key, const char *dflt)
{
    const json_t *v = json_object_get(obj, key);
    if (!v && dflt) return dflt;
    if (!json_is_string(v)) return bad(l, "%s: expected a string", key), NULL;
    return json_string_value(v);
}

/* obj.key as an integer, or dflt when absent. */
static long long integer(loader *l, const json_t *obj, const char *key, long long dflt)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) return dflt;
    if (!json_is_integer(v)) return bad(l, "%s: expected an integer", key), dflt;
    return json_integer_value(v);
}

/* obj.key as true/false (1/0), false when absent. */
static int boolean(loader *l, const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (v && !json_is_boolean(v)) bad(l, "%s: expected true or false", key);
    return json_is_true(v);
}

/* obj.key as a value of an enum, by its stable name (src/core/enum_names.h);
 * dflt (a name) when absent, NULL when required. */
static int by_name(loader *l, const json_t *obj, const char *key, const apierr__enum_table *t,
                   const char *dflt)
{
    const char *name = text(l, obj, key, dflt);
    int v = 0;
    if (name && apierr__enum_from_name(t, name, &v) != APIERR_OK)
        bad(l, "%s: unknown %s \"%s\"", key, t->what, name);
    return v;
}

/* "delay_ms": 1000, or {"min": 0, "max": 1000}. */
static void delay_range(loader *l, const json_t *v, seed_row *r)
{
    static const char *const members[] = {"min", "max", NULL};
    if (json_is_integer(v)) {
        r->dmin = r->dmax = json_integer_value(v);
    } else if (json_is_object(v) && is_object_of(l, "delay_ms", v, members) &&
               json_is_integer(json_object_get(v, "min")) &&
               json_is_integer(json_object_get(v, "max"))) {
        r->dmin = json_integer_value(json_object_get(v, "min"));
        r->dmax = json_integer_value(json_object_get(v, "max"));
    } else {
        bad(l, "delay_ms: expected an integer or {\"min\", \"max\"}");
    }
}

/* Reads rules[l->index] of a file into *r. Returns the errors it found. */
static int load_row(loader *l, seed_row *r, const json_t *j)
{
    static const char *const rule_members[] = {"rule", "prior_attempts", "outcome", "expect", NULL};
    static const char *const outcome_members[] = {"transport",       "status",         "code",
                                                  "dialect",         "retry_after_ms", "method",
                                                  "idempotency_key", "refreshed",      NULL};
    static const char *const expect_members[] = {"decision", "category", "delay_ms", NULL};
    int before = l->errors;
    l->rule = NULL;
    if (!is_object_of(l, "the rule", j, rule_members)) return l->errors - before;
    r->what = l->rule = text(l, j, "rule", NULL);
    r->prior = (int)integer(l, j, "prior_attempts", 0);
    const json_t *o = json_object_get(j, "outcome");
    const json_t *e = json_object_get(j, "expect");
    if (!is_object_of(l, "outcome", o, outcome_members) ||
        !is_object_of(l, "expect", e, expect_members))
        return l->errors - before;

    r->transport = (apierr_transport)by_name(l, o, "transport", &apierr__transport_names, "none");
    r->status = (int)integer(l, o, "status", 0);
    if (r->transport == APIERR_TRANSPORT_NONE && !json_object_get(o, "status"))
        bad(l, "outcome: a response needs a status (or a transport failure)");
    r->code = json_object_get(o, "code") ? text(l, o, "code", NULL) : NULL;
    r->dialect = (apierr_dialect)by_name(l, o, "dialect", &apierr__dialect_names, "auto");
    if (!r->code && json_object_get(o, "dialect"))
        bad(l, "outcome: a dialect is the problem's, and there is no code");
    r->retry_after = integer(l, o, "retry_after_ms", -1);
    r->method = (apierr_method)by_name(l, o, "method", &apierr__method_names, "GET");
    r->key = boolean(l, o, "idempotency_key");
    r->refreshed = boolean(l, o, "refreshed");

    r->kind = (apierr_decision_kind)by_name(l, e, "decision", &apierr__decision_names, NULL);
    r->cat = (apierr_category)by_name(l, e, "category", &apierr__category_names, NULL);
    const json_t *delay = json_object_get(e, "delay_ms");
    r->dmin = r->dmax = 0;
    if (r->kind == APIERR_DECISION_RETRY && !delay)
        bad(l, "expect: a retry needs its delay_ms");
    else if (r->kind != APIERR_DECISION_RETRY && delay)
        bad(l, "expect: delay_ms is only checked for a retry");
    else if (delay)
        delay_range(l, delay, r);
    return l->errors - before;
}

static uint64_t never_random(void *payload)
{
    (void)payload;
    fail_msg("the random source was used where no jitter applies");
    return 0;
}

/* Builds the outcome of a row; *pb gets the problem (freed by the caller). */
static apierr_outcome outcome_of(const seed_row *r, apierr_problem **pb)
{
    apierr_outcome o = APIERR_OUTCOME_INIT;
    *pb = NULL;
    if (r->code) {
        assert_int_equal(apierr_problem_new(pb), APIERR_OK);
        assert_int_equal(apierr_problem_set(*pb, APIERR_PF_CODE, r->code), APIERR_OK);
        (*pb)->dialect = r->dialect;
        /* A GraphQL error over 200 carries the status its code implies. */
        (*pb)->status = r->dialect == APIERR_DIALECT_GRAPHQL ? 401 : r->status;
    }
    o.transport = r->transport;
    o.status = r->status;
    o.problem = *pb;
    o.retry_after_ms = r->retry_after;
    o.method = r->method;
    o.has_idempotency_key = r->key;
    o.refreshed = r->refreshed;
    return o;
}

/* Decides the row's outcome under its profile; i (the row's place among
 * all rows) seeds the PRNG. Returns 0 when the decision is the expected one,
 * 1 after printing why not. */
static int run_row(const seed_row *r, size_t i)
{
    apierr_profile prof;
    if (apierr_profile_builtin(&prof, r->profile) != APIERR_OK) {
        fprintf(stderr, "seed %s, rule \"%s\": no built-in profile %s\n", r->seed, r->what,
                r->profile);
        return 1;
    }
    apierr_problem *pb;
    apierr_outcome o = outcome_of(r, &pb);
    apierr_call_state call;
    apierr_call_state_init(&call, NOW, NULL, NULL);
    call.attempts = r->prior;
    apierr_rng rng;
    apierr_rng_seed(&rng, 42 + i);
    apierr_decision d;
    int jittered = prof.policy.jitter != APIERR_JITTER_NONE;
    apierr_policy_decide(&d, &prof.policy, &call, &o, NOW,
                         jittered ? apierr_rng_next : never_random, &rng);
    int ok = d.kind == r->kind && d.category == r->cat &&
             (d.kind != APIERR_DECISION_RETRY || (d.delay_ms >= r->dmin && d.delay_ms <= r->dmax));
    if (!ok)
        fprintf(stderr, "seed %s, profile %s, rule \"%s\": got %s/%s after %lld ms (%s)\n", r->seed,
                r->profile, r->what, apierr_decision_name(d.kind), apierr_category_name(d.category),
                d.delay_ms, d.reason);
    else if (strlen(d.reason) == 0)
        fprintf(stderr, "seed %s, profile %s, rule \"%s\": no reason\n", r->seed, r->profile,
                r->what);
    apierr_problem_free(pb);
    return !ok || strlen(d.reason) == 0;
}

/* Runs every rule of one file (named file, for messages); *nrows counts the
 * rows read, across files. Returns the rows that failed to read or to
 * match, and 1 for a file that is not a seed's rules at all. */
static size_t run_file(const char *file, const json_t *doc, size_t *nrows)
{
    static const char *const members[] = {"seed", "profile", "rules", NULL};
    loader l = {file, 0, "(the file)", 0};
    const json_t *rules = json_object_get(doc, "rules");
    if (!is_object_of(&l, "the file", doc, members) || !json_is_array(rules) ||
        json_array_size(rules) == 0) {
        bad(&l, "expected {\"seed\", \"profile\", \"rules\": [...]}");
        return 1;
    }
    seed_row r = {0};
    r.seed = text(&l, doc, "seed", NULL);
    r.profile = text(&l, doc, "profile", NULL);
    if (!r.seed || !r.profile) return 1;
    size_t failed = 0;
    const json_t *j;
    json_array_foreach(rules, l.index, j) {
        if (load_row(&l, &r, j) || run_row(&r, (*nrows)++)) failed++;
    }
    return failed;
}

static int only_json(const struct dirent *e)
{
    size_t len = strlen(e->d_name);
    return len > 5 && strcmp(e->d_name + len - 5, ".json") == 0;
}

static void test_seed_rows(void **state)
{
    (void)state;
    struct dirent **files;
    int n = scandir(POLICY_DIR, &files, only_json, alphasort);
    if (n < 0) fail_msg("the seed rows: cannot read %s: %s", POLICY_DIR, strerror(errno));
    size_t nrows = 0, failed = 0;
    for (int i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", POLICY_DIR, files[i]->d_name);
        json_error_t err;
        json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
        if (!doc) {
            fprintf(stderr, "policy %s: line %d: %s\n", files[i]->d_name, err.line, err.text);
            failed++;
        } else {
            failed += run_file(files[i]->d_name, doc, &nrows);
        }
        json_decref(doc);
        free(files[i]);
    }
    free(files);
    print_message("%zu seed rows in %d files, %zu failed\n", nrows, n, failed);
    if (failed) fail_msg("%zu seed rows (or files) failed", failed);
    if (nrows < MIN_SEED_ROWS)
        fail_msg("%zu seed rows, fewer than the %d there were", nrows, MIN_SEED_ROWS);
}

/* The runner itself can fail: a wrong expectation, and a file it cannot
 * read, are reported. */
static void test_seed_rows_detect_mistakes(void **state)
{
    (void)state;
    static const char *const wrong[] = {
        /* the decision, the category, the delay */
        "{\"rule\": \"r\", \"outcome\": {\"status\": 401}, "
        "\"expect\": {\"decision\": \"fail\", \"category\": \"unauthenticated\"}}",
        "{\"rule\": \"r\", \"outcome\": {\"status\": 401}, "
        "\"expect\": {\"decision\": \"refresh\", \"category\": \"forbidden\"}}",
        "{\"rule\": \"r\", \"outcome\": {\"status\": 500}, "
        "\"expect\": {\"decision\": \"retry\", \"category\": \"server\", \"delay_ms\": 999}}",
        /* files a reader may get wrong */
        "{\"rule\": \"r\", \"outcome\": {\"status\": 500, \"mehtod\": \"POST\"}, "
        "\"expect\": {\"decision\": \"retry\", \"category\": \"server\", \"delay_ms\": 1000}}",
        "{\"rule\": \"r\", \"outcome\": {\"status\": 500, \"method\": \"post\"}, "
        "\"expect\": {\"decision\": \"retry\", \"category\": \"server\", \"delay_ms\": 1000}}",
        "{\"rule\": \"r\", \"outcome\": {\"status\": 500}, "
        "\"expect\": {\"decision\": \"retry\", \"category\": \"server\"}}",
        "{\"rule\": \"r\", \"outcome\": {\"status\": 400}, "
        "\"expect\": {\"decision\": \"fail\", \"category\": \"invalid_request\", \"delay_ms\": 0}}",
        "{\"rule\": \"r\", \"outcome\": {}, "
        "\"expect\": {\"decision\": \"fail\", \"category\": \"network\"}}",
    };
    /* The same rule, right, passes: the mistakes above are the only ones. */
    static const char right[] =
        "{\"rule\": \"r\", \"outcome\": {\"status\": 500}, "
        "\"expect\": {\"decision\": \"retry\", \"category\": \"server\", \"delay_ms\": 1000}}";
    for (size_t i = 0; i <= sizeof wrong / sizeof wrong[0]; i++) {
        const char *rule = i < sizeof wrong / sizeof wrong[0] ? wrong[i] : right;
        char doc_text[512];
        snprintf(doc_text, sizeof doc_text,
                 "{\"seed\": \"%s\", \"profile\": \"giponext\", \"rules\": [%s]}",
                 "000_97b8d6764f864ee3.txt", rule);
        json_t *doc = json_loads(doc_text, 0, NULL);
        assert_non_null(doc);
        size_t nrows = 0;
        size_t failed = run_file("(constructed)", doc, &nrows);
        json_decref(doc);
        if (failed != (rule != right))
            fail_msg("the runner %s: %s", failed ? "refused" : "passed", rule);
    }
    json_t *empty =
        json_loads("{\"seed\": \"s\", \"profile\": \"giponext\", \"rules\": []}", 0, NULL);
    size_t nrows = 0;
    assert_int_equal(run_file("(constructed)", empty, &nrows), 1);
    json_decref(empty);
}

/* A retry sequence of GipoNext from the first try to the end (seed 000):
 * 1 s, 2 s, 4 s, then give up, all in one call's state. */
static void test_giponext_sequence(void **state)
{
    (void)state;
    apierr_profile p;
    assert_int_equal(apierr_profile_builtin(&p, "giponext"), APIERR_OK);
    apierr_outcome o = APIERR_OUTCOME_INIT;
    o.status = 503;
    apierr_call_state call;
    apierr_call_state_init(&call, 0, NULL, NULL);
    apierr_decision d;
    const long long want[] = {1000, 2000, 4000};
    long long now = 0;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(apierr_policy_decide(&d, &p.policy, &call, &o, now, never_random, NULL),
                         APIERR_DECISION_RETRY);
        assert_int_equal(d.delay_ms, want[i]);
        now += d.delay_ms;
    }
    assert_int_equal(apierr_policy_decide(&d, &p.policy, &call, &o, now, never_random, NULL),
                     APIERR_DECISION_FAIL);
    assert_int_equal(call.attempts, 4);
}

/* The refresh is single: refresh, then a 503, then a 401 may refresh again,
 * but 401 right after a refresh is final. */
static void test_refresh_once(void **state)
{
    (void)state;
    apierr_policy p = APIERR_POLICY_INIT;
    p.jitter = APIERR_JITTER_NONE;
    p.max_attempts = 0;
    apierr_call_state call;
    apierr_call_state_init(&call, 0, NULL, NULL);
    apierr_outcome o401 = APIERR_OUTCOME_INIT, o503 = APIERR_OUTCOME_INIT;
    o401.status = 401;
    o503.status = 503;
    apierr_decision d;
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &o401, 0, never_random, NULL),
                     APIERR_DECISION_REFRESH);
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &o503, 0, never_random, NULL),
                     APIERR_DECISION_RETRY);
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &o401, 0, never_random, NULL),
                     APIERR_DECISION_REFRESH);
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &o401, 0, never_random, NULL),
                     APIERR_DECISION_FAIL);
    assert_int_equal(d.category, APIERR_CAT_UNAUTHENTICATED);
}

static apierr_decision_kind decide1(apierr_decision *d, const apierr_policy *p,
                                    const apierr_outcome *o, long long now, long long start)
{
    apierr_call_state call;
    apierr_call_state_init(&call, start, NULL, NULL);
    return apierr_policy_decide(d, p, &call, o, now, never_random, NULL);
}

/* retry_window_ms (curl's --retry-max-time): a retry that would start
 * past it is not made, and the failure keeps its own category; one within
 * it is, whatever the window's end. */
static void test_retry_window(void **state)
{
    (void)state;
    apierr_policy p = APIERR_POLICY_INIT;
    p.jitter = APIERR_JITTER_NONE;
    p.max_attempts = 10;
    p.retry_window_ms = 2500;
    apierr_outcome o = APIERR_OUTCOME_INIT;
    o.status = 503;
    apierr_decision d;
    assert_int_equal(decide1(&d, &p, &o, 1000, 0), APIERR_DECISION_RETRY); /* at 2000 */
    assert_int_equal(decide1(&d, &p, &o, 1600, 0), APIERR_DECISION_FAIL);  /* at 2600 */
    assert_int_equal(d.category, APIERR_CAT_SERVER);
    assert_non_null(strstr(d.reason, "retry window"));
    assert_int_equal(decide1(&d, &p, &o, 1600, 500), APIERR_DECISION_RETRY); /* began at 500 */
    p.retry_window_ms = 0;
    assert_int_equal(decide1(&d, &p, &o, 100000, 0), APIERR_DECISION_RETRY);
}

static void test_retry_after_and_deadline(void **state)
{
    (void)state;
    apierr_policy p = APIERR_POLICY_INIT;
    p.jitter = APIERR_JITTER_NONE;
    p.retry_after_spread_ms = 0; /* the server's delay exactly; the spread is tested below */
    p.deadline_ms = 10000;
    apierr_outcome o = APIERR_OUTCOME_INIT;
    apierr_decision d;

    o.status = 429;
    o.retry_after_ms = 5000; /* the server's delay is the wait (issue 15, section 5) */
    assert_int_equal(decide1(&d, &p, &o, 0, 0), APIERR_DECISION_RETRY);
    assert_int_equal(d.delay_ms, 5000);
    o.retry_after_ms = 200; /* even when shorter than the backoff (1000) */
    assert_int_equal(decide1(&d, &p, &o, 0, 0), APIERR_DECISION_RETRY);
    assert_int_equal(d.delay_ms, 200);
    p.retry_after_with_backoff = 1; /* asked for: the larger of the two */
    assert_int_equal(decide1(&d, &p, &o, 0, 0), APIERR_DECISION_RETRY);
    assert_int_equal(d.delay_ms, 1000);
    p.retry_after_with_backoff = 0;

    /* More than the time left: fail at once, rate_limited, no sleep. */
    o.retry_after_ms = 9000;
    assert_int_equal(decide1(&d, &p, &o, 2000, 0), APIERR_DECISION_FAIL);
    assert_int_equal(d.category, APIERR_CAT_RATE_LIMITED);
    assert_int_equal(d.delay_ms, 0);

    /* More than the cap on server delays. */
    p.deadline_ms = 0;
    p.retry_after_max_ms = 60000;
    o.retry_after_ms = 60001;
    assert_int_equal(decide1(&d, &p, &o, 0, 0), APIERR_DECISION_FAIL);
    assert_int_equal(d.category, APIERR_CAT_RATE_LIMITED);

    /* A problem's retry_after_ms counts when the header is absent. */
    apierr_problem *pb;
    assert_int_equal(apierr_problem_new(&pb), APIERR_OK);
    pb->retry_after_ms = 3000;
    o.retry_after_ms = -1;
    o.problem = pb;
    assert_int_equal(decide1(&d, &p, &o, 0, 0), APIERR_DECISION_RETRY);
    assert_int_equal(d.delay_ms, 3000);
    apierr_problem_free(pb);
    o.problem = NULL;

    /* Backoff past the deadline: category deadline. */
    p.deadline_ms = 10000;
    o.status = 500;
    assert_int_equal(decide1(&d, &p, &o, 9500, 0), APIERR_DECISION_FAIL);
    assert_int_equal(d.category, APIERR_CAT_DEADLINE);
    assert_int_equal(decide1(&d, &p, &o, 8000, 0), APIERR_DECISION_RETRY);
}

/* The spread on top of a server's Retry-After: one decision of a fresh call
 * at `now` (call started at 0) with a seeded random source. */
static apierr_decision_kind decide_spread(apierr_decision *d, const apierr_policy *p, long long ra,
                                          long long now, uint64_t seed)
{
    apierr_outcome o = APIERR_OUTCOME_INIT;
    o.status = 503;
    o.retry_after_ms = ra;
    apierr_rng rng;
    apierr_rng_seed(&rng, seed);
    apierr_call_state call;
    apierr_call_state_init(&call, 0, NULL, NULL);
    return apierr_policy_decide(d, p, &call, &o, now, apierr_rng_next, &rng);
}

#define K(x) APIERR_DECISION_##x
#define C(x) APIERR_CAT_##x

static const struct spread_row {
    const char *what;
    long long spread, ra, deadline, now;
    apierr_decision_kind kind;
    apierr_category cat;
    long long dmin, dmax; /* over many seeds, the delays span exactly this */
} spread_rows[] = {
    {"the spread caps the extra wait", 1000, 8000, 0, 0, K(RETRY), C(SERVER), 8000, 9000},
    {"a quarter of a short Retry-After caps it", 1000, 2000, 0, 0, K(RETRY), C(SERVER), 2000, 2500},
    {"spread 0: the server's delay exactly", 0, 3000, 0, 0, K(RETRY), C(SERVER), 3000, 3000},
    {"Retry-After 0: at once", 1000, 0, 0, 0, K(RETRY), C(SERVER), 0, 0},
    {"cut to end before the deadline", 1000, 3500, 10000, 6000, K(RETRY), C(SERVER), 3500, 3999},
    {"no room left: the server's delay only", 1000, 3999, 10000, 6000, K(RETRY), C(SERVER), 3999,
     3999},
    {"the server's delay alone reaches the deadline", 1000, 4000, 10000, 6000, K(FAIL),
     C(RATE_LIMITED), 0, 0},
};

static void test_retry_after_spread(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof spread_rows / sizeof spread_rows[0]; i++) {
        const struct spread_row *r = &spread_rows[i];
        apierr_policy p = APIERR_POLICY_INIT;
        p.jitter = APIERR_JITTER_NONE;
        p.retry_after_with_backoff = 0;
        p.retry_after_spread_ms = r->spread;
        p.deadline_ms = r->deadline;
        long long lo = -1, hi = -1;
        for (uint64_t seed = 1; seed <= 400; seed++) {
            apierr_decision d;
            apierr_decision_kind k = decide_spread(&d, &p, r->ra, r->now, seed);
            if (k != r->kind || d.category != r->cat)
                fail_msg("%s: got %s/%s (%s)", r->what, apierr_decision_name(k),
                         apierr_category_name(d.category), d.reason);
            if (lo < 0 || d.delay_ms < lo) lo = d.delay_ms;
            if (d.delay_ms > hi) hi = d.delay_ms;
        }
        /* Within 1 % of each end: the spread is used, not only allowed. */
        long long slack = (r->dmax - r->dmin) / 100;
        if (lo < r->dmin || lo > r->dmin + slack || hi > r->dmax || hi < r->dmax - slack)
            fail_msg("%s: delays in [%lld, %lld], want [%lld, %lld]", r->what, lo, hi, r->dmin,
                     r->dmax);
    }

    /* No draw at all when there is nothing to spread: the 429 default delay
     * is the client's own choice, not a time the server gave everyone. */
    apierr_policy p = APIERR_POLICY_INIT;
    p.jitter = APIERR_JITTER_NONE;
    p.retry_after_with_backoff = 0;
    p.rate_limited_delay_ms = 15000;
    apierr_outcome o = APIERR_OUTCOME_INIT;
    o.status = 429;
    apierr_decision d;
    assert_int_equal(decide1(&d, &p, &o, 0, 0), APIERR_DECISION_RETRY);
    assert_int_equal(d.delay_ms, 15000);

    /* With the backoff: the larger of the backoff and RA + spread. */
    p.retry_after_with_backoff = 1;
    p.base_delay_ms = 20000;
    assert_int_equal(decide_spread(&d, &p, 4000, 0, 9), APIERR_DECISION_RETRY);
    assert_int_equal(d.delay_ms, 20000);
    p.base_delay_ms = 1000;
    assert_int_equal(decide_spread(&d, &p, 4000, 0, 9), APIERR_DECISION_RETRY);
    assert_true(d.delay_ms >= 4000 && d.delay_ms <= 5000);
    assert_non_null(strstr(d.reason, "spread"));

    /* Drawn once, on the call's first answer: later waits are the
     * server's exactly (a call spread once stays apart from the others). */
    p.retry_after_with_backoff = 0;
    p.max_attempts = 5;
    for (uint64_t seed = 1; seed <= 50; seed++) {
        apierr_rng r2;
        apierr_rng_seed(&r2, seed);
        apierr_call_state call;
        apierr_call_state_init(&call, 0, NULL, NULL);
        apierr_outcome o2 = APIERR_OUTCOME_INIT;
        o2.status = 429;
        o2.retry_after_ms = 2000;
        long long first = -1;
        for (int n = 1; n <= 4; n++) {
            assert_int_equal(
                apierr_policy_decide(&d, &p, &call, &o2, n * 3000, apierr_rng_next, &r2),
                APIERR_DECISION_RETRY);
            if (n == 1)
                first = d.delay_ms;
            else
                assert_int_equal(d.delay_ms, 2000);
        }
        assert_true(first >= 2000 && first <= 2500);
    }

    /* The herd: 200 calls told "Retry-After: 3" at the same instant. With
     * the spread, no 100 ms holds a quarter of their retries. */
    int buckets[8] = {0};
    apierr_rng rng;
    apierr_rng_seed(&rng, 3);
    for (int i = 0; i < 200; i++) {
        o.status = 503;
        o.retry_after_ms = 3000;
        apierr_call_state call;
        apierr_call_state_init(&call, 0, NULL, NULL);
        assert_int_equal(apierr_policy_decide(&d, &p, &call, &o, 0, apierr_rng_next, &rng),
                         APIERR_DECISION_RETRY);
        assert_true(d.delay_ms >= 3000 && d.delay_ms <= 3750);
        buckets[(d.delay_ms - 3000) / 100]++;
    }
    for (int i = 0; i < 8; i++) assert_true(buckets[i] < 50);
}

static void test_idempotency(void **state)
{
    (void)state;
    apierr_policy p = APIERR_POLICY_INIT;
    p.jitter = APIERR_JITTER_NONE;
    p.retry_after_spread_ms = 0; /* decide1 has no random source */
    apierr_outcome o = APIERR_OUTCOME_INIT;
    apierr_decision d;
    o.method = APIERR_METHOD_POST;
    static const struct {
        apierr_transport t;
        int status;
        long long ra;
        int key;
        apierr_decision_kind want;
    } rows[] = {
        {APIERR_TRANSPORT_CONNECT_REFUSED, 0, -1, 0, APIERR_DECISION_RETRY},
        {APIERR_TRANSPORT_DNS_TEMPORARY, 0, -1, 0, APIERR_DECISION_RETRY},
        {APIERR_TRANSPORT_RESET, 0, -1, 0, APIERR_DECISION_FAIL},
        {APIERR_TRANSPORT_TIMEOUT, 0, -1, 0, APIERR_DECISION_FAIL},
        {APIERR_TRANSPORT_TIMEOUT, 0, -1, 1, APIERR_DECISION_RETRY},
        {APIERR_TRANSPORT_NONE, 429, -1, 0, APIERR_DECISION_RETRY},
        {APIERR_TRANSPORT_NONE, 503, 2000, 0, APIERR_DECISION_RETRY},
        {APIERR_TRANSPORT_NONE, 503, -1, 0, APIERR_DECISION_FAIL},
        {APIERR_TRANSPORT_NONE, 500, -1, 0, APIERR_DECISION_FAIL},
        {APIERR_TRANSPORT_NONE, 500, -1, 1, APIERR_DECISION_RETRY},
        {APIERR_TRANSPORT_DNS_PERMANENT, 0, -1, 1, APIERR_DECISION_FAIL},
        /* The Idempotency-Key draft's 409: the first request with the key
         * is still being processed. With the key and a Retry-After, come
         * back; without either it is a conflict to fix. */
        {APIERR_TRANSPORT_NONE, 409, 1000, 1, APIERR_DECISION_RETRY},
        {APIERR_TRANSPORT_NONE, 409, 1000, 0, APIERR_DECISION_FAIL},
        {APIERR_TRANSPORT_NONE, 409, -1, 1, APIERR_DECISION_FAIL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        o.transport = rows[i].t;
        o.status = rows[i].status;
        o.retry_after_ms = rows[i].ra;
        o.has_idempotency_key = rows[i].key;
        if (decide1(&d, &p, &o, 0, 0) != rows[i].want)
            fail_msg("row %zu: POST %s/%d: %s", i, apierr_transport_name(rows[i].t), rows[i].status,
                     d.reason);
    }
    o.method = APIERR_METHOD_PATCH;
    o.transport = APIERR_TRANSPORT_NONE;
    o.status = 502;
    o.has_idempotency_key = 0;
    assert_int_equal(decide1(&d, &p, &o, 0, 0), APIERR_DECISION_FAIL);
    o.method = apierr_method_from_name("PUT");
    assert_int_equal(decide1(&d, &p, &o, 0, 0), APIERR_DECISION_RETRY);
}

static void test_budget(void **state)
{
    (void)state;
    apierr_policy p = APIERR_POLICY_INIT;
    p.jitter = APIERR_JITTER_NONE;
    p.max_attempts = 0;
    p.budget = APIERR_BUDGET_AWS;
    p.budget_max_tokens = 12;
    apierr_budget b;
    apierr_budget_init(&b, &p);
    apierr_outcome fail500 = APIERR_OUTCOME_INIT, ok = APIERR_OUTCOME_INIT;
    fail500.status = 500;
    ok.status = 200;
    apierr_call_state call;
    apierr_call_state_init(&call, 0, &b, NULL);
    apierr_decision d;
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &fail500, 0, never_random, NULL),
                     APIERR_DECISION_RETRY);
    assert_true(b.tokens == 7);
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &fail500, 0, never_random, NULL),
                     APIERR_DECISION_RETRY);
    assert_true(b.tokens == 2);
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &fail500, 0, never_random, NULL),
                     APIERR_DECISION_FAIL);
    assert_int_equal(d.category, APIERR_CAT_BUDGET_EXHAUSTED);
    assert_true(b.tokens == 2);
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &ok, 0, never_random, NULL),
                     APIERR_DECISION_DONE);
    assert_true(b.tokens == 3);

    /* gRPC: max 4, retries stop once tokens <= 2. */
    p.budget = APIERR_BUDGET_GRPC;
    p.budget_max_tokens = 4;
    p.budget_token_ratio = 0.5;
    apierr_budget_init(&b, &p);
    apierr_call_state_init(&call, 0, &b, NULL);
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &fail500, 0, never_random, NULL),
                     APIERR_DECISION_RETRY); /* 3 left */
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &fail500, 0, never_random, NULL),
                     APIERR_DECISION_FAIL); /* 2 left: not above half */
    assert_int_equal(d.category, APIERR_CAT_BUDGET_EXHAUSTED);
    apierr_call_state_init(&call, 0, &b, NULL);
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &ok, 0, never_random, NULL),
                     APIERR_DECISION_DONE);
    assert_true(b.tokens == 2.5);
}

static void test_breaker(void **state)
{
    (void)state;
    apierr_policy p = APIERR_POLICY_INIT;
    p.jitter = APIERR_JITTER_NONE;
    p.max_attempts = 0;
    p.breaker_threshold = 2;
    p.breaker_open_ms = 5000;
    apierr_breaker br = APIERR_BREAKER_INIT;
    apierr_outcome o = APIERR_OUTCOME_INIT;
    o.status = 503;
    apierr_call_state call;
    apierr_call_state_init(&call, 0, NULL, &br);
    apierr_decision d;
    assert_true(apierr_breaker_allow(&br, &p, 0));
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &o, 0, never_random, NULL),
                     APIERR_DECISION_RETRY);
    assert_int_equal(apierr_policy_decide(&d, &p, &call, &o, 1000, never_random, NULL),
                     APIERR_DECISION_FAIL);
    assert_int_equal(d.category, APIERR_CAT_CIRCUIT_OPEN);
    assert_int_equal(br.state, APIERR_BREAKER_OPEN);
    assert_false(apierr_breaker_allow(&br, &p, 5999));
    assert_true(apierr_breaker_allow(&br, &p, 6000)); /* half-open: one probe */
    assert_int_equal(br.state, APIERR_BREAKER_HALF_OPEN);
    assert_false(apierr_breaker_allow(&br, &p, 6001));
    apierr_breaker_record(&br, &p, 1, 6100);
    assert_int_equal(br.state, APIERR_BREAKER_CLOSED);
    /* Off by default: never opens. */
    apierr_policy off = APIERR_POLICY_INIT;
    apierr_breaker br2 = APIERR_BREAKER_INIT;
    for (int i = 0; i < 100; i++) apierr_breaker_record(&br2, &off, 0, i);
    assert_true(apierr_breaker_allow(&br2, &off, 100));
}

static void test_jitter_modes(void **state)
{
    (void)state;
    apierr_policy p = APIERR_POLICY_INIT;
    p.max_attempts = 0;
    p.base_delay_ms = 100;
    p.max_delay_ms = 10000;
    apierr_outcome o = APIERR_OUTCOME_INIT;
    o.status = 500;
    apierr_rng rng;
    apierr_rng_seed(&rng, 7);
    for (int mode = 0; mode < APIERR_JITTER__COUNT; mode++) {
        p.jitter = (apierr_jitter)mode;
        apierr_call_state call;
        apierr_call_state_init(&call, 0, NULL, NULL);
        long long prev = 100, distinct = 0, first = -1;
        for (int n = 0; n < 12; n++) {
            apierr_decision d;
            assert_int_equal(apierr_policy_decide(&d, &p, &call, &o, 0, apierr_rng_next, &rng),
                             APIERR_DECISION_RETRY);
            long long expo = 100LL << n < 10000 ? 100LL << n : 10000;
            long long lo = 0, hi = expo;
            if (mode == APIERR_JITTER_NONE) lo = expo;
            if (mode == APIERR_JITTER_EQUAL) lo = expo / 2;
            if (mode == APIERR_JITTER_DECORRELATED) {
                lo = 100;
                hi = prev * 3 < 10000 ? prev * 3 : 10000;
            }
            if (d.delay_ms < lo || d.delay_ms > hi)
                fail_msg("%s retry %d: %lld not in [%lld, %lld]", apierr_jitter_name(p.jitter), n,
                         d.delay_ms, lo, hi);
            if (first < 0)
                first = d.delay_ms;
            else if (d.delay_ms != first)
                distinct++;
            prev = d.delay_ms;
        }
        assert_true(distinct > 0);
    }
}

static void test_classify(void **state)
{
    (void)state;
    apierr_profile gestix, def;
    assert_int_equal(apierr_profile_builtin(&gestix, "gestix"), APIERR_OK);
    assert_int_equal(apierr_profile_builtin(&def, "default"), APIERR_OK);
    apierr_outcome o = APIERR_OUTCOME_INIT;
    apierr_classification c;
    o.status = 403;
    apierr_profile_classify(&c, &o, &gestix);
    assert_int_equal(c.category, APIERR_CAT_UNAUTHENTICATED);
    assert_int_equal(c.action, APIERR_ACTION_REFRESH_CREDENTIALS);
    assert_non_null(strstr(c.reason, "seed 004"));
    apierr_profile_classify(&c, &o, &def);
    assert_int_equal(c.category, APIERR_CAT_FORBIDDEN);
    assert_int_equal(c.action, APIERR_ACTION_GIVE_UP);
    apierr_policy_classify(&c, &o, NULL);
    assert_int_equal(c.category, APIERR_CAT_FORBIDDEN);
    o.status = 423; /* the registry retries it; the default set does not */
    apierr_policy_classify(&c, &o, NULL);
    assert_int_equal(c.action, APIERR_ACTION_GIVE_UP);
    o.status = 0; /* no response and no failure named */
    apierr_policy_classify(&c, &o, NULL);
    assert_int_equal(c.category, APIERR_CAT_NETWORK);
    o.status = 204;
    apierr_policy_classify(&c, &o, NULL);
    assert_int_equal(c.category, APIERR_CAT_OK);
}

static void test_names(void **state)
{
    (void)state;
    for (int j = 0; j < APIERR_JITTER__COUNT; j++) {
        apierr_jitter back;
        assert_int_equal(apierr_jitter_from_name(&back, apierr_jitter_name((apierr_jitter)j)), 0);
        assert_int_equal(back, j);
    }
    for (int t = 0; t < APIERR_TRANSPORT__COUNT; t++) {
        apierr_transport back;
        assert_int_equal(
            apierr_transport_from_name(&back, apierr_transport_name((apierr_transport)t)), 0);
        assert_int_equal(back, t);
    }
    assert_int_equal(apierr_method_from_name("BREW"), APIERR_METHOD_OTHER);
    assert_int_equal(apierr_method_from_name("OTHER"), APIERR_METHOD_OTHER);
    assert_false(apierr_method_idempotent(APIERR_METHOD_OTHER));
    assert_true(apierr_method_idempotent(apierr_method_from_name("DELETE")));
    /* A method is a token (RFC 9110 5.6.2), 1 to 32 bytes. */
    const char *methods[] = {"GET", "PROPFIND", "M-SEARCH", "x!#$%&'*+.^_`|~9"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        assert_true(apierr_method_valid(methods[i]));
    const char *not_methods[] = {NULL,    "",        "GET /",
                                 "GE\tT", "GET\r\n", "G(T",
                                 "G\"T",  "G\x80",   "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG"};
    for (size_t i = 0; i < sizeof not_methods / sizeof not_methods[0]; i++)
        assert_false(apierr_method_valid(not_methods[i]));
    assert_null(apierr_jitter_name(APIERR_JITTER__COUNT));
    assert_string_equal(apierr_decision_name(APIERR_DECISION_REFRESH), "refresh");
    apierr_policy p = APIERR_POLICY_INIT;
    assert_int_equal(
        apierr_policy_add_rule(&p, 0, "", APIERR_CAT_SERVER, APIERR_ACTION_RETRY, -1, NULL),
        APIERR_EINVAL);
    for (int i = 0; i < APIERR_POLICY_MAX_RULES; i++)
        assert_int_equal(apierr_policy_add_rule(&p, 500 + i, NULL, APIERR_CAT_SERVER,
                                                APIERR_ACTION_RETRY, -1, NULL),
                         APIERR_OK);
    assert_int_equal(
        apierr_policy_add_rule(&p, 599, NULL, APIERR_CAT_SERVER, APIERR_ACTION_RETRY, -1, NULL),
        APIERR_ERANGE);
}

/* --- properties -------------------------------------------------------------- */

static const int statuses[] = {200, 400, 401, 403, 404, 408, 409, 422, 423,
                               429, 500, 501, 502, 503, 504, 507, 599};

/* A random outcome; the problem (code) comes from a small pool. */
static apierr_outcome random_outcome(apierr_rng *r, const apierr_problem *pool[], size_t npool)
{
    apierr_outcome o = APIERR_OUTCOME_INIT;
    uint64_t x = apierr_rng_next(r);
    if (x % 4 == 0) {
        o.transport = (apierr_transport)(1 + (x >> 8) % (APIERR_TRANSPORT__COUNT - 1));
    } else {
        o.status = statuses[(x >> 8) % (sizeof statuses / sizeof statuses[0])];
        o.problem = (x >> 16) % 3 == 0 ? pool[(x >> 20) % npool] : NULL;
        o.retry_after_ms = (x >> 24) % 3 == 0 ? (long long)((x >> 28) % 20000) : -1;
    }
    o.method = (apierr_method)((x >> 40) % APIERR_METHOD__COUNT);
    o.has_idempotency_key = (x >> 48) % 2;
    o.refreshed = (x >> 50) % 8 == 0;
    return o;
}

static apierr_policy random_policy(apierr_rng *r, const char *const *names, size_t nnames)
{
    apierr_profile prof;
    uint64_t x = apierr_rng_next(r);
    assert_int_equal(apierr_profile_builtin(&prof, names[x % nnames]), APIERR_OK);
    apierr_policy p = prof.policy;
    p.jitter = (apierr_jitter)((x >> 8) % APIERR_JITTER__COUNT);
    p.deadline_ms = (x >> 12) % 2 ? 5000 + (long long)((x >> 16) % 60000) : 0;
    p.max_attempts = (int)((x >> 32) % 12);
    p.budget = (apierr_budget_mode)((x >> 36) % APIERR_BUDGET__COUNT);
    p.budget_max_tokens = (double)((x >> 40) % 30);
    p.breaker_threshold = (int)((x >> 48) % 4);
    if ((x >> 52) % 3 == 0) p.retry_after_spread_ms = (long long)((x >> 54) % 5000);
    return p;
}

/* Runs many calls of random outcomes and checks the invariants on every
 * decision; writes a digest of all decisions to *digest. */
static void run_properties(uint64_t seed, uint64_t *digest, long *retries)
{
    static const char *const names[] = {"default", "giponext", "gotab",
                                        "nested",  "laravel",  "gestix"};
    apierr_problem *pool[4];
    const char *codes[] = {"DB_TIMEOUT", "AUTH_FAILED", "UNAUTHENTICATED", "unauthorized"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(apierr_problem_new(&pool[i]), APIERR_OK);
        assert_int_equal(apierr_problem_set(pool[i], APIERR_PF_CODE, codes[i]), APIERR_OK);
        pool[i]->dialect = i == 2 ? APIERR_DIALECT_GRAPHQL : APIERR_DIALECT_GESTIX;
        pool[i]->retry_after_ms = i == 0 ? 700 : -1;
    }
    apierr_rng r, jitter;
    apierr_rng_seed(&r, seed);
    apierr_rng_seed(&jitter, seed ^ 0x5eed);
    uint64_t h = 1469598103934665603ull;
    *retries = 0;
    for (int callno = 0; callno < 20000; callno++) {
        apierr_policy p = random_policy(&r, names, 6);
        apierr_budget budget;
        apierr_budget_init(&budget, &p);
        apierr_breaker br = APIERR_BREAKER_INIT;
        long long now = (long long)(apierr_rng_next(&r) % 1000000), start = now;
        apierr_call_state call;
        apierr_call_state_init(&call, now, &budget, &br);
        for (int step = 0; step < 40; step++) {
            apierr_outcome o = random_outcome(&r, (const apierr_problem **)pool, 4);
            now += (long long)(apierr_rng_next(&r) % 3000); /* the attempt's own time */
            apierr_decision d;
            apierr_policy_decide(&d, &p, &call, &o, now, apierr_rng_next, &jitter);
            h = (h ^ (uint64_t)d.kind ^ ((uint64_t)d.delay_ms << 8) ^
                 ((uint64_t)d.category << 40)) *
                1099511628211ull;

            assert_true(budget.tokens >= 0);
            assert_true(d.delay_ms >= 0);
            if (d.kind != APIERR_DECISION_RETRY) {
                assert_int_equal(d.delay_ms, 0);
            } else {
                /* A delay never exceeds its cap: the backoff's, a rule's
                 * fixed delay, or the server's (itself capped). */
                const apierr_problem *pb = o.problem;
                long long server = o.retry_after_ms >= 0           ? o.retry_after_ms
                                   : pb && pb->retry_after_ms >= 0 ? pb->retry_after_ms
                                                                   : -1;
                long long cap = p.max_delay_ms;
                if (o.status == 429 && p.rate_limited_delay_ms > cap) cap = p.rate_limited_delay_ms;
                /* The server's delay, plus at most the spread (and a quarter
                 * of the delay) on top; never less: no early retry. */
                long long quarter = server / 4, spread = p.retry_after_spread_ms;
                long long most = server + (spread < quarter ? spread : quarter);
                if (server >= 0 && p.retry_after) {
                    assert_true(d.delay_ms >= server);
                    if (!p.retry_after_with_backoff) assert_true(d.delay_ms <= most);
                }
                if (most > cap) cap = most;
                if (1000 > cap && pb && !strcmp(pb->code, "DB_TIMEOUT")) cap = 1000;
                assert_true(d.delay_ms <= cap);
                assert_true(server <= p.retry_after_max_ms);
                /* Never sleeps past the deadline. */
                if (p.deadline_ms) assert_true(now + d.delay_ms < start + p.deadline_ms);
                /* A POST without key is never retried once the request may
                 * have been processed. */
                if (!apierr_method_idempotent(o.method) && !o.has_idempotency_key) {
                    int unsent = o.transport == APIERR_TRANSPORT_CONNECT_REFUSED ||
                                 o.transport == APIERR_TRANSPORT_DNS_TEMPORARY ||
                                 o.transport == APIERR_TRANSPORT_DNS_PERMANENT ||
                                 (o.transport == APIERR_TRANSPORT_NONE &&
                                  (o.status == 429 || (o.status == 503 && server >= 0)));
                    if (!unsent) fail_msg("POST retried after: %s", d.reason);
                }
                if (p.max_attempts) assert_true(call.attempts < p.max_attempts);
                now += d.delay_ms;
                ++*retries;
            }
            if (d.kind == APIERR_DECISION_DONE || d.kind == APIERR_DECISION_FAIL) break;
        }
    }
    for (int i = 0; i < 4; i++) apierr_problem_free(pool[i]);
    *digest = h;
}

static void test_properties(void **state)
{
    (void)state;
    uint64_t a, b, c;
    long ra, rb, rc;
    run_properties(1, &a, &ra);
    run_properties(1, &b, &rb);
    run_properties(2, &c, &rc);
    assert_true(ra > 5000 && rc > 5000); /* the invariants of retries were exercised */
    assert_true(a == b);                 /* same seed, same decisions */
    assert_true(a != c);                 /* and the digest does see the decisions */
}

/* A decision's reason starts with the status and its classification's
 * words, as "%d %s" writes them (a success's is nothing else), for every
 * status a server can send (one it cannot, its classification's words). */
static void test_reason_text(void **state)
{
    (void)state;
    apierr_policy p = APIERR_POLICY_INIT;
    p.jitter = APIERR_JITTER_NONE;
    for (int status = 100; status <= 999; status++) {
        apierr_outcome o = APIERR_OUTCOME_INIT;
        o.status = status;
        o.method = APIERR_METHOD_GET;
        apierr_classification c;
        apierr_policy_classify(&c, &o, &p);
        char want[APIERR_REASON_MAX];
        if (c.status)
            snprintf(want, sizeof want, "%d %s", c.status, c.reason);
        else
            snprintf(want, sizeof want, "%s", c.reason);
        apierr_decision d;
        if (decide1(&d, &p, &o, 0, 0) == APIERR_DECISION_DONE)
            assert_string_equal(d.reason, want);
        else
            assert_memory_equal(d.reason, want, strlen(want) < 150 ? strlen(want) : 150);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_rows),
        cmocka_unit_test(test_seed_rows_detect_mistakes),
        cmocka_unit_test(test_giponext_sequence),
        cmocka_unit_test(test_refresh_once),
        cmocka_unit_test(test_retry_after_and_deadline),
        cmocka_unit_test(test_retry_window),
        cmocka_unit_test(test_retry_after_spread),
        cmocka_unit_test(test_idempotency),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_breaker),
        cmocka_unit_test(test_jitter_modes),
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_properties),
        cmocka_unit_test(test_reason_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
