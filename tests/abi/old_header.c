/*
 * A program built against the headers of apierr 0.1 as first released
 * (tests/abi/v1/include: decode options, policy and client options at
 * version 1), linked against today's shared libraries. It must still work:
 * every struct it hands over is read by its own version's layout, never past
 * its end. The structs live in heap blocks of exactly their old size, so the
 * sanitizer build catches any read beyond them.
 *
 * Exits 0 when every check holds; prints each failure.
 */
#include <apierr-client.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                        \
        }                                                                      \
    } while (0)

/* A heap copy of exactly n bytes of src. */
static void *exact(const void *src, size_t n)
{
    void *p = malloc(n);
    if (!p) abort();
    memcpy(p, src, n);
    return p;
}

static uint64_t fixed_random(void *payload)
{
    (void)payload;
    return 0;
}

static void decode_v1(void)
{
    apierr_decode_opts init = APIERR_DECODE_OPTS_INIT;
    init.status = 422;
    apierr_decode_opts *o = exact(&init, sizeof init);
    const char *body =
        "{\"message\":\"invalid\",\"errors\":{\"items[0].price\":[\"must be > 0\"]}}";
    apierr_problem *p = NULL;
    CHECK(apierr_problem_decode(&p, body, strlen(body), o) == APIERR_OK);
    CHECK(p && p->status == 422 && p->ndetails == 1 &&
          strcmp(p->details[0].field, "items.0.price") == 0);
    apierr_problem_free(p);
    free(o);
}

/* The policy's rules sit after its members; version 1 had fewer members. */
static void policy_v1(void)
{
    apierr_policy init = APIERR_POLICY_INIT;
    apierr_policy *pol = exact(&init, sizeof init);
    pol->max_attempts = 2;
    CHECK(apierr_policy_add_rule(pol, 503, "", APIERR_CAT_SERVER, APIERR_ACTION_RETRY, 777,
                                 "seed rule") == APIERR_OK);
    CHECK(pol->nrules == 1 && pol->rules[0].status == 503 && pol->rules[0].delay_ms == 777);

    apierr_outcome o = APIERR_OUTCOME_INIT;
    o.status = 503;
    apierr_classification c;
    apierr_policy_classify(&c, &o, pol);
    CHECK(c.action == APIERR_ACTION_RETRY && c.reason == pol->rules[0].note);

    apierr_call_state call;
    apierr_call_state_init(&call, 0, NULL, NULL);
    apierr_decision d;
    CHECK(apierr_policy_decide(&d, pol, &call, &o, 0, fixed_random, NULL) == APIERR_DECISION_RETRY);
    CHECK(d.delay_ms == 777);
    CHECK(apierr_policy_decide(&d, pol, &call, &o, 777, fixed_random, NULL) ==
          APIERR_DECISION_FAIL); /* max_attempts 2, as the old struct says */
    free(pol);
}

/* Client options of version 1 end before the session login members; the
 * profile carries a version-1 policy. */
static void client_v1(void)
{
    apierr_profile prof;
    memset(&prof, 0, sizeof prof);
    snprintf(prof.name, sizeof prof.name, "old");
    prof.dialect = APIERR_DIALECT_AUTO;
    prof.validation_status = 422;
    apierr_policy pinit = APIERR_POLICY_INIT;
    prof.policy = pinit;
    /* Three attempts, so that the records after the first are read with
     * the old struct's size: apierr_attempt must never grow. */
    prof.policy.max_attempts = 3;
    prof.policy.base_delay_ms = 1;
    prof.policy.max_delay_ms = 1;
    apierr_profile *profile = exact(&prof, sizeof prof);

    apierr_client_opts oinit = APIERR_CLIENT_OPTS_INIT;
    oinit.profile = profile;
    oinit.base_url = "http://127.0.0.1:1";
    oinit.connect_timeout_ms = 2000;
    apierr_client_opts *opts = exact(&oinit, sizeof oinit);
    apierr_client *c = NULL;
    CHECK(apierr_client_new(&c, opts) == APIERR_OK);
    if (c) {
        apierr_request rinit = APIERR_REQUEST_INIT;
        rinit.url = "/v1/nothing";
        apierr_request *req = exact(&rinit, sizeof rinit);
        apierr_result r;
        memset(&r, 0, sizeof r);
        CHECK(apierr_call(c, req, &r) == APIERR_OK);
        CHECK(!r.ok && r.nattempts == 3); /* the profile's max_attempts 3 */
        for (size_t i = 0; i < r.nattempts && i < 3; i++) {
            CHECK(r.attempts[i].number == (int)i + 1);
            CHECK(r.attempts[i].status == 0 && r.attempts[i].transport != APIERR_TRANSPORT_NONE);
            CHECK(r.attempts[i].status_text && r.attempts[i].reason[0]);
        }
        apierr_result_clear(&r);
        free(req);
        apierr_client_free(c);
    }
    free(opts);
    free(profile);
}

int main(void)
{
    decode_v1();
    policy_v1();
    client_v1();
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    else
        printf("structs of version 1 work against apierr %s\n", apierr_version());
    return failures ? 1 : 0;
}
