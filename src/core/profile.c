/*
 * The built-in API profiles. Each builder starts from the defaults and
 * changes only what its seed document (../shared/seeds, named in each
 * comment) says; where a seed is silent, the default (the seeds' consensus
 * and RFC 9110) stands. tests/unit/test_profile.c checks every rule against
 * its seed, row by row.
 */
#include "apierr/profile.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

static void put_statuses(apierr_status_set *s, const int *codes, size_t n, int on)
{
    for (size_t i = 0; i < n; i++) apierr_status_set_put(s, codes[i], on);
}

#define PUT_STATUSES(set, on, ...)                \
    put_statuses(set, (const int[]){__VA_ARGS__}, \
                 sizeof((const int[]){__VA_ARGS__}) / sizeof(int), on)

/* Rules of the built-ins always fit; a failure here is a bug in this file. */
static void rule(apierr_profile *p, int status, const char *code, apierr_category cat,
                 apierr_action act, long long delay_ms, const char *note)
{
    int rc = apierr_policy_add_rule(&p->policy, status, code, cat, act, delay_ms, note);
    assert(rc == APIERR_OK);
    (void)rc;
}

/* RFC 9457 and the consensus of the seeds: problem+json written, any shape
 * read; retry 408/429/500/502/503/504 and transient transport failures with
 * full jitter; 401 refresh then retry once; Idempotency-Key header (IETF
 * draft); 422 for validation. A server's Retry-After is the wait, not the
 * larger of it and the backoff (retry_after_with_backoff 0): backoff is
 * for failures that say nothing. An attempt gets 30 s (attempt_timeout_ms)
 * so that a server that never answers is a timeout, which is retried. The first Retry-After of a
 * call gets up to 1 s of spread on top (retry_after_spread_ms) so that the calls a server told to
 * come back at the same time do not all return in the same instant; later ones are waited exactly.
 * Seeds 002 ("implement exponential backoff"), 003
 * ("wait before making additional requests") and 004 (silent) do not ask for the server's time
 * exactly, so nested, laravel and gestix keep that spread. */
static void build_default(apierr_profile *p)
{
    (void)p;
}

/* Seed 000 (GipoNext). */
static void build_giponext(apierr_profile *p)
{
    apierr_policy *pol = &p->policy;
    p->dialect = APIERR_DIALECT_FIELDMAP;
    /* "Recoverable: 401 renew the token and retry; 429 wait Retry-After
     * seconds and retry; 5xx retry with exponential backoff (e.g. 1s, 2s,
     * 4s) up to 3 attempts": every 5xx, 429, and no other status. */
    memset(&pol->retry_statuses, 0, sizeof pol->retry_statuses);
    for (int code = 500; code <= 599; code++) apierr_status_set_put(&pol->retry_statuses, code, 1);
    apierr_status_set_put(&pol->retry_statuses, 429, 1);
    pol->base_delay_ms = 1000;
    pol->max_delay_ms = 4000;
    pol->jitter = APIERR_JITTER_NONE;
    pol->max_attempts = 4;             /* the first one plus 3 retries after 1 s, 2 s, 4 s */
    pol->retry_after_with_backoff = 0; /* "wait Retry-After seconds" */
    /* 429: "Wait for the time indicated in the Retry-After header and
     * retry": the time indicated, no spread on top. */
    pol->retry_after_spread_ms = 0;
    rule(p, 409, NULL, APIERR_CAT_CONFLICT, APIERR_ACTION_FIX_REQUEST, -1,
         "seed 000: another operation changed the resource; re-read it, then retry");
    rule(p, 404, NULL, APIERR_CAT_NOT_FOUND, APIERR_ACTION_FIX_REQUEST, -1,
         "seed 000: the ID does not exist for this tenant; verify tenantId and the resource ID");
    rule(p, 403, NULL, APIERR_CAT_FORBIDDEN, APIERR_ACTION_GIVE_UP, -1,
         "seed 000: the user lacks permission; verify the OAuth scope and the user's role");
}

/* Seed 001 (GoTab). */
static void build_gotab(apierr_profile *p)
{
    apierr_policy *pol = &p->policy;
    p->dialect = APIERR_DIALECT_FLAT;
    /* "Retryable errors: 429, 500, 502, 503, 504, and network timeouts." */
    memset(&pol->retry_statuses, 0, sizeof pol->retry_statuses);
    PUT_STATUSES(&pol->retry_statuses, 1, 429, 500, 502, 503, 504);
    pol->retry_transport = APIERR_TRANSPORT_BIT(APIERR_TRANSPORT_TIMEOUT);
    /* fetchWithRetry: maxRetries = 4, sleep(min(1000 * 2 ** attempt, 30_000)),
     * 429: sleep(parseInt(Retry-After ?? '15') * 1000), exactly. */
    pol->max_attempts = 5;
    pol->base_delay_ms = 1000;
    pol->max_delay_ms = 30000;
    pol->jitter = APIERR_JITTER_NONE;
    pol->rate_limited_delay_ms = 15000;
    pol->retry_after_with_backoff = 0;
    pol->retry_after_spread_ms = 0; /* "Wait the indicated time"; sleep(retryAfter * 1000) */
    /* "409 Conflict: request conflicts with existing state (e.g. duplicate
     * creation)", listed as non-retryable: final, not a change to re-read. */
    pol->conflict_reread = 0;
    rule(p, 401, "unauthorized", APIERR_CAT_UNAUTHENTICATED, APIERR_ACTION_FIX_REQUEST, -1,
         "seed 001: no token was sent; add Authorization: Bearer to every request");
    rule(p, 403, NULL, APIERR_CAT_FORBIDDEN, APIERR_ACTION_GIVE_UP, -1,
         "seed 001: the location has not authorized the integration; do not retry without "
         "re-authorizing");
}

/* Seed 002 (unnamed API, nested error objects). */
static void build_nested(apierr_profile *p)
{
    apierr_policy *pol = &p->policy;
    p->dialect = APIERR_DIALECT_NESTED;
    /* 429: "implement exponential backoff"; 500 and 502: "save the request
     * details and error response, contact support", so not retried. */
    PUT_STATUSES(&pol->retry_statuses, 0, 500, 502);
    rule(p, 500, NULL, APIERR_CAT_SERVER, APIERR_ACTION_GIVE_UP, -1,
         "seed 002: note the timestamp, save the request and the error, contact support");
    rule(p, 502, NULL, APIERR_CAT_SERVER, APIERR_ACTION_GIVE_UP, -1,
         "seed 002: note the timestamp, save the request and the error, contact support");
    /* 401: "tokens expire after 1 hour and need to be refreshed": the
     * default refresh-then-retry. */
}

/* Seed 003 (unnamed API, Laravel-style validation). */
static void build_laravel(apierr_profile *p)
{
    apierr_policy *pol = &p->policy;
    p->dialect = APIERR_DIALECT_FIELDMAP;
    /* 500 and 504 "retry with exponential backoff", 502 "retry after brief
     * delay", 503 "retry after delay", 429 "wait before making additional
     * requests". */
    memset(&pol->retry_statuses, 0, sizeof pol->retry_statuses);
    PUT_STATUSES(&pol->retry_statuses, 1, 429, 500, 502, 503, 504);
    rule(p, 401, NULL, APIERR_CAT_UNAUTHENTICATED, APIERR_ACTION_FIX_REQUEST, -1,
         "seed 003: the API key is missing, invalid or revoked; a refresh cannot help");
}

/* Seed 004 (Gestix). */
static void build_gestix(apierr_profile *p)
{
    p->dialect = APIERR_DIALECT_GESTIX;
    snprintf(p->idempotency_key, sizeof p->idempotency_key, "%s", "nonce");
    p->idempotency_key_in = APIERR_KEY_IN_QUERY; /* requests.post(..., params={"nonce": nonce}) */
    p->validation_status = 400;                  /* "400: missing or invalid parameters" */
    rule(p, 403, NULL, APIERR_CAT_UNAUTHENTICATED, APIERR_ACTION_REFRESH_CREDENTIALS, -1,
         "seed 004: the session token expired or is invalid; re-authenticate (GET /helo)");
    rule(p, 0, "AUTH_FAILED", APIERR_CAT_UNAUTHENTICATED, APIERR_ACTION_FIX_REQUEST, -1,
         "seed 004: wrong API token or credentials");
    rule(p, 0, "DB_TIMEOUT", APIERR_CAT_SERVER, APIERR_ACTION_RETRY, 1000,
         "seed 004: database timeout; retry after a short delay");
    rule(p, 0, "DUPLICATE_ENTRY", APIERR_CAT_CONFLICT, APIERR_ACTION_GIVE_UP, -1,
         "seed 004: a record with the same unique key already exists");
}

static const struct builtin {
    const char *name;
    const char *description;
    void (*build)(apierr_profile *p);
} builtins[] = {
    {"default", "RFC 9457 problem+json and the consensus of the seeds", build_default},
    {"giponext", "GipoNext (seed 000): 401 refresh, 429 Retry-After, 5xx after 1 s, 2 s, 4 s",
     build_giponext},
    {"gotab", "GoTab (seed 001): 429/5xx and timeouts, min(1 s * 2^n, 30 s), 4 retries",
     build_gotab},
    {"nested", "nested {error:{code,message,details}} API (seed 002): 1 h tokens, 429 backoff",
     build_nested},
    {"laravel", "Laravel-style API (seed 003): API keys, 422 field errors, 5xx backoff",
     build_laravel},
    {"gestix", "Gestix (seed 004): 403 re-authenticate, DB_TIMEOUT retry, nonce, 400 validation",
     build_gestix},
};

#define NBUILTINS (sizeof builtins / sizeof builtins[0])

size_t apierr_profile_builtin_count(void)
{
    return NBUILTINS;
}

const char *apierr_profile_builtin_name(size_t i)
{
    return i < NBUILTINS ? builtins[i].name : NULL;
}

const char *apierr_profile_builtin_description(size_t i)
{
    return i < NBUILTINS ? builtins[i].description : NULL;
}

int apierr_profile_builtin(apierr_profile *out, const char *name)
{
    for (size_t i = 0; name && i < NBUILTINS; i++) {
        if (strcmp(builtins[i].name, name) != 0) continue;
        static const apierr_policy defaults = APIERR_POLICY_INIT;
        memset(out, 0, sizeof *out);
        snprintf(out->name, sizeof out->name, "%s", builtins[i].name);
        snprintf(out->description, sizeof out->description, "%s", builtins[i].description);
        out->dialect = APIERR_DIALECT_AUTO;
        snprintf(out->idempotency_key, sizeof out->idempotency_key, "%s", "Idempotency-Key");
        out->idempotency_key_in = APIERR_KEY_IN_HEADER;
        out->validation_status = 422;
        out->policy = defaults;
        builtins[i].build(out);
        return APIERR_OK;
    }
    return APIERR_ENOTFOUND;
}

void apierr_profile_classify(apierr_classification *out, const apierr_outcome *outcome,
                             const apierr_profile *profile)
{
    apierr_policy_classify(out, outcome, profile ? &profile->policy : NULL);
}
