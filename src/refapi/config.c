/*
 * config.c - the settings of `apierr serve`: their defaults, and the parsers
 * of the option values that are more than a number (refapi.h), so that the
 * command stays thin. Apart from http.c because checking an option is done
 * before, and without, any server.
 */
#include "faults.h"
#include "refapi.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void refapi_config_init(refapi_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->host, sizeof cfg->host, "127.0.0.1");
    cfg->port = 8080;
    apierr_profile_builtin(&cfg->profile, "default");
    cfg->token_ttl_s = 3600;
    cfg->rate_window_s = 1;
    cfg->max_body = (size_t)1 << 20;
    cfg->max_header = 16384;
    cfg->max_connections = 1024;
    cfg->timeout_s = 30;
    cfg->threads = 4;
    cfg->head_timeout_s = 10;
    cfg->max_per_ip = 256;
    cfg->db_busy_ms = 250;
}

int refapi_parse_client(refapi_client *out, const char *spec, char *err, size_t cap)
{
    memset(out, 0, sizeof *out);
    const char *f[3];
    size_t n[3];
    const char *p = spec;
    for (int i = 0; i < 3; i++) {
        const char *colon = strchr(p, ':');
        if (!colon) goto bad;
        f[i] = p;
        n[i] = (size_t)(colon - p);
        p = colon + 1;
    }
    if (!n[0] || !n[1] || !n[2] || !*p || n[0] >= sizeof out->id || n[1] >= sizeof out->secret ||
        n[2] >= sizeof out->tenant || strlen(p) >= sizeof out->scopes) {
        goto bad;
    }
    memcpy(out->id, f[0], n[0]);
    memcpy(out->secret, f[1], n[1]);
    memcpy(out->tenant, f[2], n[2]);
    for (size_t i = 0; p[i]; i++) out->scopes[i] = p[i] == ',' ? ' ' : p[i];
    for (const char *t = out->tenant; *t; t++) {
        if (!isalnum((unsigned char)*t) && *t != '-' && *t != '_') goto bad;
    }
    return 0;
bad:
    snprintf(err, cap, "bad client '%s' (want ID:SECRET:TENANT:SCOPES, tenant of [A-Za-z0-9_-])",
             spec);
    return -1;
}

int refapi_parse_listen(refapi_config *cfg, const char *spec, char *err, size_t cap)
{
    const char *colon = strrchr(spec, ':');
    struct in_addr a;
    char host[64];
    char *end;
    if (!colon || (size_t)(colon - spec) >= sizeof host) goto bad;
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = '\0';
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end || port > 65535) goto bad;
    if (inet_pton(AF_INET, host, &a) != 1) goto bad;
    snprintf(cfg->host, sizeof cfg->host, "%s", host);
    cfg->port = (unsigned)port;
    return 0;
bad:
    snprintf(err, cap, "bad address '%s' (want IPV4:PORT, port 0 for any free one)", spec);
    return -1;
}

int refapi_parse_rate(refapi_config *cfg, const char *spec, char *err, size_t cap)
{
    long long n = 0, s = 0, b = 0;
    int used = 0;
    if (sscanf(spec, "%lld/%lld%n", &n, &s, &used) != 2) goto bad;
    if (spec[used] == ':' && sscanf(spec + used + 1, "%lld%n", &b, &used) == 1 &&
        spec[strlen(spec) - 1] != ':') {
        used = (int)strlen(spec);
    }
    if (spec[used] || n < 1 || n > 1000000 || s < 1 || s > 86400 || b < 0 || b > 1000000) goto bad;
    cfg->rate_limit = n;
    cfg->rate_window_s = s;
    cfg->rate_burst = b;
    return 0;
bad:
    snprintf(err, cap, "bad rate '%s' (want N/SECONDS[:BURST])", spec);
    return -1;
}

int refapi_check_faults(const char *spec, char *err, size_t cap)
{
    refapi_faults f;
    int rc = refapi_faults_parse(&f, spec, 0, err, cap);
    refapi_faults_destroy(&f);
    return rc;
}
