/*
 * A client: its options read (of any known version), what it owns set up
 * and freed, and its -v lines. Running calls is the engine's (engine.c).
 */
#include "abi.h"
#include "alloc.h"
#include "engine.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* The size of each version of apierr_client_opts, which grows at its end
 * only: version 1 ended before the session login members, version 2
 * before secret_names, version 3 before the transfer settings, version 4
 * before custom_dialect, version 5 before ca_file, version 6 before
 * path_as_is. */
static const size_t client_opts_sizes[] = {
    offsetof(apierr_client_opts, session_login_url),
    offsetof(apierr_client_opts, secret_names),
    offsetof(apierr_client_opts, follow_redirects),
    offsetof(apierr_client_opts, custom_dialect),
    offsetof(apierr_client_opts, ca_file),
    offsetof(apierr_client_opts, path_as_is),
    sizeof(apierr_client_opts),
};

static const apierr_client_opts client_opts_defaults = APIERR_CLIENT_OPTS_INIT;

int apierr_client_opts_init(apierr_client_opts *opts, unsigned version)
{
    return apierr__struct_init(opts, &client_opts_defaults, version, client_opts_sizes,
                               APIERR__NSIZES(client_opts_sizes));
}

static double time_scale(double given)
{
    if (given > 0) return given;
    const char *env = getenv("APIERR_TIME_SCALE");
    double v = env ? strtod(env, NULL) : 0;
    return v > 0 ? v : 1.0;
}

/* The client's profile: the caller's (its policy read by its version) or
 * the default one. */
static int read_profile(apierr_profile *dst, const apierr_profile *given)
{
    if (given) return apierr__profile_read(dst, given);
    return apierr_profile_builtin(dst, "default");
}

/* The caller's extra secret names, copied. 0, or -1 when out of memory. */
static int copy_names(apierr_client *c, const char *const *names, size_t n)
{
    if (!names || !n) return 0;
    char **v = apierr__calloc(n, sizeof *v);
    if (!v) return -1;
    c->secret_names = (const char *const *)v;
    for (size_t i = 0; i < n; i++) {
        if (names[i] && !(v[i] = apierr__strdup(names[i]))) return -1;
        c->nsecret_names = i + 1;
    }
    return 0;
}

/* Fills c from the options (read into the current layout). */
static int client_init(apierr_client *c, const apierr_client_opts *o)
{
    c->base_url = apierr__strdup(o->base_url); /* NULL stays NULL */
    /* curl's own default is 300 s: a host that drops SYNs would hold a call
     * that long before the policy could retry elsewhere or give up. */
    c->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
    c->max_in_flight = o->max_in_flight > 0 ? (size_t)o->max_in_flight : 256;
    c->scale = time_scale(o->time_scale);
    c->verbose = o->verbose;
    c->on_retry = o->on_retry;
    c->payload = o->payload;
    uint64_t seed = o->seed;
    if (!seed && getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed)
        seed = (uint64_t)apierr__unix_ms();
    apierr_rng_seed(&c->rng, seed);
    apierr_budget_init(&c->budget, &c->profile.policy);
    c->breaker = (apierr_breaker)APIERR_BREAKER_INIT;
    c->pace.on = o->pace >= 0;
    /* The engine breaks herds itself, by an even release of the calls that
     * come back together (herd.h), so its calls wait what the server asked:
     * the policy's random spread would delay a lone call as much. */
    c->pace.herd_rules = apierr__herd_rules_of(c->profile.policy.retry_after_spread_ms, c->scale);
    c->profile.policy.retry_after_spread_ms = 0;
    c->nhdrs = o->nheaders;
    if ((o->base_url && !c->base_url) || apierr__headers_copy(&c->hdrs, o->headers, o->nheaders) ||
        apierr__creds_init(c, o) || copy_names(c, o->secret_names, o->nsecret_names) ||
        apierr__transfer_settings_init(&c->xfer, o))
        return APIERR_ENOMEM;
    if (o->report_path && !(c->report = fopen(o->report_path, "a"))) return APIERR_EIO;
    if (!(c->multi = curl_multi_init())) return APIERR_EIO;
    long conns = o->max_host_connections > 0 ? o->max_host_connections : 64;
    curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, conns);
    curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, conns);
    return APIERR_OK;
}

int apierr_client_new(apierr_client **out, const apierr_client_opts *given)
{
    /* Options of an older version end before the members it did not know:
     * those keep their defaults. */
    apierr_client_opts o = client_opts_defaults;
    int rc = APIERR__STRUCT_READ(&o, given, client_opts_sizes);
    if (rc) return rc;
    if ((rc = apierr__creds_check(&o))) return rc;
    if ((rc = apierr__transfer_opts_check(&o))) return rc;
    if (o.custom_dialect && !APIERR__VERSION_KNOWN(o.custom_dialect, APIERR_CUSTOM_DIALECT_VERSION))
        return APIERR_EVERSION;
    apierr_profile profile;
    if ((rc = read_profile(&profile, o.profile))) return rc;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return APIERR_EIO;
    apierr_client *c = apierr__calloc(1, sizeof *c);
    if (!c) return APIERR_ENOMEM;
    c->profile = profile;
    if (o.custom_dialect) {
        c->custom = *o.custom_dialect; /* version 1 is the only one */
        c->has_custom = 1;
    }
    if ((rc = client_init(c, &o))) {
        apierr_client_free(c);
        return rc;
    }
    *out = c;
    return APIERR_OK;
}

void apierr_client_free(apierr_client *c)
{
    if (!c) return;
    while (c->all) apierr__call_free(c->all);
    apierr__spare_runs_free(c);
    apierr__buf_free(&c->url_scratch);
    apierr__creds_free(c);
    apierr__easy_pool_free(c);
    apierr__shared_headers_free(c);
    apierr__client_parsed_url_free(c);
    if (c->multi) curl_multi_cleanup(c->multi);
    apierr__heap_free(&c->timers);
    apierr__heap_free(&c->hedge_timers);
    if (c->report) fclose(c->report);
    apierr__headers_free(c->hdrs, c->nhdrs);
    apierr__free(c->base_url);
    apierr__pace_free(&c->pace);
    for (size_t i = 0; i < c->nsecret_names; i++) apierr__free((char *)c->secret_names[i]);
    apierr__free((void *)c->secret_names);
    apierr__transfer_settings_free(&c->xfer);
    apierr__free(c);
}

size_t apierr_client_redact_url(char *buf, size_t cap, const apierr_client *c, const char *url)
{
    return apierr__redact_url_names(buf, cap, url ? url : "", c ? c->secret_names : NULL,
                                    c ? c->nsecret_names : 0);
}

const apierr_policy *apierr__client_policy(const apierr_client *c)
{
    return &c->profile.policy;
}

void apierr__client_log(apierr_client *c, apierr__buf *b)
{
    if (c->verbose && !b->oom && b->data) c->verbose(c->payload, b->data);
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

void apierr__client_logf(apierr_client *c, const char *fmt, ...)
{
    if (!c->verbose) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *line = n >= 0 ? apierr__malloc((size_t)n + 1) : NULL;
    if (!line) return;
    va_start(ap, fmt);
    vsnprintf(line, (size_t)n + 1, fmt, ap);
    va_end(ap);
    c->verbose(c->payload, line);
    apierr__free(line);
}
