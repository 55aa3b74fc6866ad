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
#include <sys/stat.h>

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
    cfg->idem_lease_s = 60;
    cfg->auth_limit = 10;
    cfg->auth_window_s = 60;
    cfg->drain_timeout_s = 5;
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

int refapi_parse_auth_limit(refapi_config *cfg, const char *spec, char *err, size_t cap)
{
    long long n = 0, s = 0;
    int used = 0;
    if (sscanf(spec, "%lld/%lld%n", &n, &s, &used) != 2 || spec[used] || n < 0 || n > 1000000 ||
        s < 1 || s > 86400) {
        snprintf(err, cap, "bad limit '%s' (want FAILURES/SECONDS, 0/1 for none)", spec);
        return -1;
    }
    cfg->auth_limit = n;
    cfg->auth_window_s = s;
    return 0;
}

int refapi_parse_clients(refapi_config *cfg, const char *text, int by_space, char *err, size_t cap)
{
    const char *sep = by_space ? " \t\r\n" : "\r\n";
    char line[REFAPI_ID_MAX * 2 + REFAPI_SECRET_MAX + REFAPI_SCOPES_MAX + 8];
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, sep);
        const char *next = p + n + strspn(p + n, sep);
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
        while (n && (*p == ' ' || *p == '\t')) p++, n--;
        if (n && *p != '#') {
            if (n >= sizeof line) {
                snprintf(err, cap, "a client line is too long");
                return -1;
            }
            if (cfg->nclients == REFAPI_CLIENTS) {
                snprintf(err, cap, "at most %d clients", REFAPI_CLIENTS);
                return -1;
            }
            memcpy(line, p, n);
            line[n] = '\0';
            /* The reason names the client's id only: never echo a secret. */
            if (refapi_parse_client(&cfg->clients[cfg->nclients], line, err, cap) != 0) {
                snprintf(err, cap, "bad client line '%.*s:...' (want ID:SECRET:TENANT:SCOPES)",
                         (int)(strcspn(line, ":") < 64 ? strcspn(line, ":") : 64), line);
                return -1;
            }
            cfg->nclients++;
        }
        p = next;
    }
    return 0;
}

int refapi_load_clients_file(refapi_config *cfg, const char *path, char *err, size_t cap)
{
    FILE *f = fopen(path, "r");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0) {
        snprintf(err, cap, "cannot read '%s': %s", path, strerror(errno));
        if (f) fclose(f);
        return -1;
    }
    if (st.st_mode & 077) {
        snprintf(err, cap, "'%s' is open to others (mode %03o): chmod 600 it", path,
                 (unsigned)(st.st_mode & 0777));
        fclose(f);
        return -1;
    }
    static char text[REFAPI_CLIENTS * 640 + 1];
    size_t n = fread(text, 1, sizeof text - 1, f);
    int big = !feof(f);
    fclose(f);
    text[n] = '\0';
    if (big) {
        snprintf(err, cap, "'%s' is too large", path);
        return -1;
    }
    int rc = refapi_parse_clients(cfg, text, 0, err, cap);
    memset(text, 0, sizeof text);
    return rc;
}

int refapi_parse_metrics_listen(refapi_config *cfg, const char *spec, char *err, size_t cap)
{
    /* The same grammar as --listen, parsed into a scratch config. */
    static refapi_config tmp;
    if (refapi_parse_listen(&tmp, spec, err, cap) != 0) return -1;
    snprintf(cfg->metrics_host, sizeof cfg->metrics_host, "%s", tmp.host);
    cfg->metrics_port = tmp.port;
    cfg->metrics = 1;
    return 0;
}
