/*
 * API profiles: the members each seed fixes (one row per rule, citing the
 * seed file), the JSON round trip of every built-in, and the loader's
 * handling of files we do not ship.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apierr.h"

#include <stdio.h>
#include <string.h>

#define S000 "000_97b8d6764f864ee3.txt"
#define S001 "001_41488b4c593e5b7e.txt"
#define S002 "002_18aa442ee49486cf.txt"
#define S003 "003_3973bba1e03ec5f8.txt"
#define S004 "004_069091b45bdb7744.txt"

/* What a seed fixes outside the retry decisions (those are in
 * test_policy.c): the body shape, the idempotency key, the validation
 * status, and the policy's numbers. -1: not fixed by the seed. */
static const struct member_row {
    const char *seed, *profile, *what;
    apierr_dialect dialect;
    const char *key;
    apierr_key_location key_in;
    int validation_status;
    int max_attempts;
    long long base, cap, rate_limited_delay;
    apierr_jitter jitter;
    long long spread; /* on top of a Retry-After: 0 where the seed says its time exactly */
} member_rows[] = {
    {"RFC 9457", "default", "problem+json; Idempotency-Key draft", APIERR_DIALECT_AUTO,
     "Idempotency-Key", APIERR_KEY_IN_HEADER, 422, 4, 1000, 30000, -1, APIERR_JITTER_FULL, 1000},
    {S000, "giponext", "{message, errors:{Field:[..]}}; 1s, 2s, 4s up to 3 attempts",
     APIERR_DIALECT_FIELDMAP, "Idempotency-Key", APIERR_KEY_IN_HEADER, 422, 4, 1000, 4000, -1,
     APIERR_JITTER_NONE, -1},
    {S000, "giponext", "429: \"Wait for the time indicated in the Retry-After header\"",
     APIERR_DIALECT_FIELDMAP, "Idempotency-Key", APIERR_KEY_IN_HEADER, 422, -1, -1, -1, -1,
     APIERR_JITTER_NONE, 0},
    {S001, "gotab", "{error,message,statusCode,details}; maxRetries 4; min(1000*2^n, 30000); 15 s",
     APIERR_DIALECT_FLAT, "Idempotency-Key", APIERR_KEY_IN_HEADER, 422, 5, 1000, 30000, 15000,
     APIERR_JITTER_NONE, -1},
    {S001, "gotab", "\"Wait the indicated time\"; await sleep(retryAfter * 1000)",
     APIERR_DIALECT_FLAT, "Idempotency-Key", APIERR_KEY_IN_HEADER, 422, -1, -1, -1, -1,
     APIERR_JITTER_NONE, 0},
    {S002, "nested", "{error:{code,message,details}}; 422 validation", APIERR_DIALECT_NESTED,
     "Idempotency-Key", APIERR_KEY_IN_HEADER, 422, -1, -1, -1, -1, APIERR_JITTER_FULL, -1},
    {S002, "nested", "429: \"implement exponential backoff\", no exact wait: spread 1 s",
     APIERR_DIALECT_NESTED, "Idempotency-Key", APIERR_KEY_IN_HEADER, 422, -1, -1, -1, -1,
     APIERR_JITTER_FULL, 1000},
    {S003, "laravel", "{message, errors:{field:[..]}} on 422", APIERR_DIALECT_FIELDMAP,
     "Idempotency-Key", APIERR_KEY_IN_HEADER, 422, -1, -1, -1, -1, APIERR_JITTER_FULL, -1},
    {S003, "laravel", "429: \"Wait before making additional requests\", no exact wait: spread 1 s",
     APIERR_DIALECT_FIELDMAP, "Idempotency-Key", APIERR_KEY_IN_HEADER, 422, -1, -1, -1, -1,
     APIERR_JITTER_FULL, 1000},
    {S004, "gestix", "{code,message,timestamp,path,request_id}; params={'nonce'}; 400",
     APIERR_DIALECT_GESTIX, "nonce", APIERR_KEY_IN_QUERY, 400, -1, -1, -1, -1, APIERR_JITTER_FULL,
     -1},
    {S004, "gestix", "silent on Retry-After: the default spread of 1 s", APIERR_DIALECT_GESTIX,
     "nonce", APIERR_KEY_IN_QUERY, 400, -1, -1, -1, -1, APIERR_JITTER_FULL, 1000},
};

static void test_member_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof member_rows / sizeof member_rows[0]; i++) {
        const struct member_row *r = &member_rows[i];
        apierr_profile p;
        assert_int_equal(apierr_profile_builtin(&p, r->profile), APIERR_OK);
        int ok = p.dialect == r->dialect && !strcmp(p.idempotency_key, r->key) &&
                 p.idempotency_key_in == r->key_in && p.validation_status == r->validation_status &&
                 (r->max_attempts < 0 || p.policy.max_attempts == r->max_attempts) &&
                 (r->base < 0 || p.policy.base_delay_ms == r->base) &&
                 (r->cap < 0 || p.policy.max_delay_ms == r->cap) &&
                 (r->rate_limited_delay < 0 ||
                  p.policy.rate_limited_delay_ms == r->rate_limited_delay) &&
                 (r->spread < 0 || p.policy.retry_after_spread_ms == r->spread) &&
                 p.policy.jitter == r->jitter;
        if (!ok) fail_msg("%s, profile %s: %s", r->seed, r->profile, r->what);
        assert_string_equal(p.name, r->profile);
    }
}

/* Retryable sets, status by status, as each seed lists them. */
static const struct status_row {
    const char *seed, *profile;
    int status, retried;
} status_rows[] = {
    {S000, "giponext", 429, 1}, {S000, "giponext", 500, 1}, {S000, "giponext", 502, 1},
    {S000, "giponext", 503, 1}, {S000, "giponext", 599, 1}, {S000, "giponext", 408, 0},
    {S001, "gotab", 429, 1},    {S001, "gotab", 500, 1},    {S001, "gotab", 502, 1},
    {S001, "gotab", 503, 1},    {S001, "gotab", 504, 1},    {S001, "gotab", 501, 0},
    {S001, "gotab", 408, 0},    {S002, "nested", 429, 1},   {S002, "nested", 500, 0},
    {S002, "nested", 502, 0},   {S003, "laravel", 429, 1},  {S003, "laravel", 500, 1},
    {S003, "laravel", 502, 1},  {S003, "laravel", 503, 1},  {S003, "laravel", 504, 1},
    {S003, "laravel", 405, 0},  {S004, "gestix", 400, 0},   {S004, "gestix", 409, 0},
};

static void test_status_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof status_rows / sizeof status_rows[0]; i++) {
        const struct status_row *r = &status_rows[i];
        apierr_profile p;
        assert_int_equal(apierr_profile_builtin(&p, r->profile), APIERR_OK);
        if (apierr_status_set_has(&p.policy.retry_statuses, r->status) != r->retried)
            fail_msg("%s, profile %s: %d should%s be retried", r->seed, r->profile, r->status,
                     r->retried ? "" : " not");
    }
    /* gotab retries network timeouts only (seed 001); the default retries
     * every transient transport failure. */
    apierr_profile gotab, def;
    assert_int_equal(apierr_profile_builtin(&gotab, "gotab"), APIERR_OK);
    assert_int_equal(apierr_profile_builtin(&def, "default"), APIERR_OK);
    assert_int_equal(gotab.policy.retry_transport, APIERR_TRANSPORT_BIT(APIERR_TRANSPORT_TIMEOUT));
    assert_int_equal(def.policy.retry_transport, APIERR_TRANSPORT_DEFAULT);
}

/* A read-modify-write refused with 409 or 412: re-read and write again, or
 * stop (apierr_policy_reread), as each seed words 409. */
static const struct reread_row {
    const char *seed, *profile;
    int status, rounds, reread;
} reread_rows[] = {
    /* "Another operation modified the resource in the meantime. Re-read the
     * resource and retry." */
    {S000, "giponext", 409, 1, 1},
    {S000, "giponext", 412, 1, 1},
    {S000, "giponext", 409, 4, 0}, /* max_attempts 4: the fourth refusal ends it */
    {S000, "giponext", 422, 1, 0},
    /* "409 Conflict ... (e.g. duplicate creation)", non-retryable. */
    {S001, "gotab", 409, 1, 0},
    {S001, "gotab", 412, 1, 1},
    {"RFC 9110 15.5.13", "default", 412, 1, 1},
};

static void test_reread_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof reread_rows / sizeof reread_rows[0]; i++) {
        const struct reread_row *r = &reread_rows[i];
        apierr_profile p;
        assert_int_equal(apierr_profile_builtin(&p, r->profile), APIERR_OK);
        char why[APIERR_REASON_MAX] = "";
        if (apierr_policy_reread(&p.policy, r->status, r->rounds, 0, why, sizeof why) != r->reread)
            fail_msg("%s, profile %s: %d after %d round(s) should%s re-read (%s)", r->seed,
                     r->profile, r->status, r->rounds, r->reread ? "" : " not", why);
        assert_true(strlen(why) > 10);
    }
    /* The deadline stops it too. */
    apierr_profile p;
    assert_int_equal(apierr_profile_builtin(&p, "giponext"), APIERR_OK);
    p.policy.deadline_ms = 1000;
    assert_int_equal(apierr_policy_reread(&p.policy, 409, 1, 999, NULL, 0), 1);
    assert_int_equal(apierr_policy_reread(&p.policy, 409, 1, 1000, NULL, 0), 0);
}

/* Issue 15: every built-in profile bounds an attempt (a server that never
 * answers does not hang a call, and "retry network timeouts" can fire),
 * and waits what a server's Retry-After says, not a longer backoff of its
 * own. */
static void test_builtin_timeouts_and_waits(void **state)
{
    (void)state;
    for (size_t i = 0; i < apierr_profile_builtin_count(); i++) {
        apierr_profile p;
        assert_int_equal(apierr_profile_builtin(&p, apierr_profile_builtin_name(i)), APIERR_OK);
        if (p.policy.attempt_timeout_ms <= 0) fail_msg("%s: no attempt timeout", p.name);
        if (p.policy.retry_after_with_backoff)
            fail_msg("%s: waits its backoff over Retry-After", p.name);
    }
}

/* A rule's note reaches the decision's reason whole, not cut mid-word. */
static void test_notes_whole(void **state)
{
    (void)state;
    apierr_profile p;
    assert_int_equal(apierr_profile_builtin(&p, "giponext"), APIERR_OK);
    apierr_outcome o = APIERR_OUTCOME_INIT;
    o.status = 404;
    o.method = APIERR_METHOD_GET;
    apierr_call_state cs;
    apierr_call_state_init(&cs, 0, NULL, NULL);
    apierr_decision d;
    apierr_policy_decide(&d, &p.policy, &cs, &o, 0, NULL, NULL);
    if (!strstr(d.reason, "verify tenantId and the resource ID"))
        fail_msg("the 404 note is cut: %s", d.reason);
}

static void test_builtin_list(void **state)
{
    (void)state;
    static const char *const want[] = {"default", "giponext", "gotab",
                                       "nested",  "laravel",  "gestix"};
    assert_int_equal(apierr_profile_builtin_count(), 6);
    for (size_t i = 0; i < 6; i++) {
        assert_string_equal(apierr_profile_builtin_name(i), want[i]);
        assert_true(strlen(apierr_profile_builtin_description(i)) > 10);
    }
    assert_null(apierr_profile_builtin_name(6));
    apierr_profile p;
    assert_int_equal(apierr_profile_builtin(&p, "nope"), APIERR_ENOTFOUND);
    assert_int_equal(apierr_profile_builtin(&p, NULL), APIERR_ENOTFOUND);
}

/* `profiles show` output of each built-in reads back to an equal profile,
 * and writing that again gives the same bytes. */
static void test_round_trip(void **state)
{
    (void)state;
    for (size_t i = 0; i < apierr_profile_builtin_count(); i++) {
        apierr_profile p, q;
        assert_int_equal(apierr_profile_builtin(&p, apierr_profile_builtin_name(i)), APIERR_OK);
        char *json, *again, err[200];
        size_t len;
        assert_int_equal(apierr_profile_to_json(&json, &len, &p), APIERR_OK);
        assert_int_equal(strlen(json), len);
        assert_non_null(strstr(json, "\"retry_after_spread_ms\": ")); /* from the field table */
        memset(&q, 0x5a, sizeof q);
        if (apierr_profile_from_json(&q, json, len, err, sizeof err) != APIERR_OK)
            fail_msg("%s: %s", p.name, err);
        if (!apierr_profile_equal(&p, &q)) fail_msg("%s does not round-trip:\n%s", p.name, json);
        assert_int_equal(apierr_profile_to_json(&again, NULL, &q), APIERR_OK);
        assert_string_equal(json, again);
        apierr_free(json);
        apierr_free(again);
    }
}

/* A profile file with a custom dialect: every member of the custom
 * field map is written and read back; an empty path is left out; a custom
 * dialect of an unknown version is refused. */
static void test_round_trip_custom(void **state)
{
    (void)state;
    apierr_profile p, q;
    assert_int_equal(apierr_profile_builtin(&p, "gotab"), APIERR_OK);
    apierr_custom_dialect c = APIERR_CUSTOM_DIALECT_INIT, back;
    size_t k = 0;
#define FILL(m, json) snprintf(c.m, sizeof c.m, "x.%s[%zu]", json, k++);
    APIERR_CUSTOM_FIELD_MAP(FILL)
#undef FILL
    memset(c.retry_after, 0, sizeof c.retry_after);
    char *json, err[200];
    size_t len;
    assert_int_equal(apierr_profile_to_json_custom(&json, &len, &p, &c), APIERR_OK);
    assert_null(strstr(strstr(json, "\"custom_dialect\""), "\"retry_after\""));
    if (apierr_profile_from_json(&q, json, len, err, sizeof err) != APIERR_OK)
        fail_msg("%s:\n%s", err, json);
    assert_true(apierr_profile_equal(&p, &q));
    assert_int_equal(apierr_custom_dialect_from_json(&back, json, len, err, sizeof err), APIERR_OK);
    assert_memory_equal(&back, &c, sizeof c);
    apierr_free(json);
    c.version = APIERR_CUSTOM_DIALECT_VERSION + 1;
    assert_int_equal(apierr_profile_to_json_custom(&json, &len, &p, &c), APIERR_EVERSION);
}

static void test_equal_sees_changes(void **state)
{
    (void)state;
    apierr_profile a, b;
    assert_int_equal(apierr_profile_builtin(&a, "gestix"), APIERR_OK);
    b = a;
    assert_true(apierr_profile_equal(&a, &b));
    b.policy.budget_token_ratio = 0.2;
    assert_false(apierr_profile_equal(&a, &b));
    b = a;
    b.policy.retry_after_spread_ms = 0;
    assert_false(apierr_profile_equal(&a, &b));
    b = a;
    apierr_status_set_put(&b.policy.retry_statuses, 418, 1);
    assert_false(apierr_profile_equal(&a, &b));
    b = a;
    b.policy.rules[2].delay_ms = 999;
    assert_false(apierr_profile_equal(&a, &b));
    b = a;
    b.idempotency_key[0] = 'N';
    assert_false(apierr_profile_equal(&a, &b));
}

static int load(apierr_profile *p, const char *json, char *err, size_t cap)
{
    return apierr_profile_from_json(p, json, strlen(json), err, cap);
}

static void test_load_file(void **state)
{
    (void)state;
    apierr_profile p, gotab;
    char err[200];
    const char *doc = "{\"extends\": \"gotab\", \"name\": \"acme\", \"dialect\": \"problem\","
                      " \"policy\": {\"max_attempts\": 2, \"retry_statuses\": [\"5xx\", 429],"
                      " \"budget\": \"grpc\", \"budget_token_ratio\": 0.25,"
                      " \"rules\": [{\"code\": \"BUSY\", \"category\": \"server\","
                      " \"action\": \"retry\", \"delay_ms\": 250}]}}";
    assert_int_equal(load(&p, doc, err, sizeof err), APIERR_OK);
    assert_int_equal(apierr_profile_builtin(&gotab, "gotab"), APIERR_OK);
    assert_string_equal(p.name, "acme");
    assert_string_equal(p.description, gotab.description); /* inherited */
    assert_int_equal(p.dialect, APIERR_DIALECT_PROBLEM);
    assert_int_equal(p.policy.max_attempts, 2);
    assert_int_equal(p.policy.rate_limited_delay_ms, 15000); /* inherited */
    assert_true(apierr_status_set_has(&p.policy.retry_statuses, 501));
    assert_false(apierr_status_set_has(&p.policy.retry_statuses, 408));
    assert_int_equal(p.policy.budget, APIERR_BUDGET_GRPC);
    assert_true(p.policy.budget_token_ratio == 0.25);
    assert_int_equal(p.policy.nrules, 1); /* rules replace the base's */
    assert_string_equal(p.policy.rules[0].code, "BUSY");
    assert_int_equal(p.policy.rules[0].status, 0);
    assert_int_equal(p.policy.rules[0].delay_ms, 250);

    /* A minimal file starts from the default profile. */
    apierr_profile def;
    assert_int_equal(load(&p, "{}", err, sizeof err), APIERR_OK);
    assert_int_equal(apierr_profile_builtin(&def, "default"), APIERR_OK);
    assert_true(apierr_profile_equal(&p, &def));
}

static void test_load_errors(void **state)
{
    (void)state;
    static const struct {
        const char *json, *in_message;
    } rows[] = {
        {"{", "line 1"},
        {"[]", "expected a JSON object"},
        {"{\"nmae\": \"x\"}", "nmae: unknown member"},
        {"{\"extends\": \"nope\"}", "no built-in profile 'nope'"},
        {"{\"dialect\": \"yaml\"}", "unknown dialect"},
        {"{\"idempotency_key_in\": \"body\"}", "expected \"header\" or \"query\""},
        {"{\"policy\": {\"jitter\": \"some\"}}", "jitter: unknown jitter"},
        {"{\"policy\": {\"max_attempts\": -1}}", "max_attempts"},
        {"{\"policy\": {\"retry_statuses\": [600]}}", "retry_statuses"},
        {"{\"policy\": {\"retry_transport\": [\"none\"]}}", "unknown transport"},
        {"{\"policy\": {\"retry_after\": 1}}", "true or false"},
        {"{\"policy\": {\"budget_max_tokens\": -3}}", ">= 0"},
        {"{\"policy\": {\"cap\": 3}}", "unknown policy member"},
        {"{\"policy\": {\"rules\": [{\"category\": \"server\", \"action\": \"retry\"}]}}",
         "a status or a code"},
        {"{\"policy\": {\"rules\": [{\"status\": 500, \"action\": \"retry\"}]}}",
         "a category and an action"},
        {"{\"policy\": {\"rules\": [{\"status\": 50, \"category\": \"server\", \"action\": "
         "\"retry\"}]}}",
         "0 (any) or 100..599"},
        {"{\"name\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
         "longer than"},
        {"{\"name\": \"a\", \"name\": \"b\"}", "duplicate"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        apierr_profile p;
        memset(&p, 0x11, sizeof p);
        char err[200];
        if (load(&p, rows[i].json, err, sizeof err) != APIERR_EPARSE)
            fail_msg("accepted: %s", rows[i].json);
        if (!strstr(err, rows[i].in_message))
            fail_msg("%s: message '%s' lacks '%s'", rows[i].json, err, rows[i].in_message);
        assert_int_equal(p.name[0], 0x11); /* untouched on failure */
    }
    /* Too many rules; a NULL error buffer is allowed. */
    char doc[4096] = "{\"policy\": {\"rules\": [";
    for (int i = 0; i <= APIERR_POLICY_MAX_RULES; i++)
        snprintf(doc + strlen(doc), sizeof doc - strlen(doc),
                 "%s{\"status\": %d, \"category\": \"server\", \"action\": \"retry\"}",
                 i ? "," : "", 500 + i);
    strcat(doc, "]}}");
    apierr_profile p;
    assert_int_equal(apierr_profile_from_json(&p, doc, strlen(doc), NULL, 0), APIERR_EPARSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_member_rows),
        cmocka_unit_test(test_status_rows),
        cmocka_unit_test(test_reread_rows),
        cmocka_unit_test(test_builtin_list),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_round_trip_custom),
        cmocka_unit_test(test_equal_sees_changes),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_builtin_timeouts_and_waits),
        cmocka_unit_test(test_notes_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
