/*
 * status.c - GET /status: what the server knows of the caller, so that a
 * client can diagnose itself: its profile, client and tenant, its credential
 * (kind, expiry; an expired one is reported, not refused), its rate limit,
 * and the last errors it met (errlog.h). A resource of its own: it reads
 * every other part's state and changes none.
 */
#include "handlers.h"

#include <stdlib.h>
#include <string.h>

/* The errors of the caller, newest first. */
static json_t *recent_errors(refapi_req *r)
{
    refapi_errlog_entry e[REFAPI_ERRLOG];
    size_t n = refapi_errlog_recent(&r->srv->errlog, r->client, e);
    json_t *a = json_array();
    for (size_t k = 0; a && k < n; k++) {
        char at[32];
        refapi_iso8601(at, sizeof at, e[k].at_ms);
        json_array_append_new(a, json_pack("{s:i, s:s?, s:s, s:s, s:s, s:s}", "status", e[k].status,
                                           "code", *e[k].code ? e[k].code : NULL, "request_id",
                                           e[k].request_id, "method", e[k].method, "path",
                                           e[k].path, "timestamp", at));
    }
    return a;
}

void refapi_status(refapi_req *r)
{
    const refapi_config *cfg = r->srv->cfg;
    const refapi_client *cl = &cfg->clients[r->client];
    char at[32];
    refapi_iso8601(at, sizeof at, r->token.expires_ms);
    long long left = (r->token.expires_ms - r->now_ms) / 1000;
    json_t *rl = json_null();
    if (r->have_verdict) {
        rl = json_pack("{s:I, s:I, s:I, s:I}", "limit", (json_int_t)r->verdict.limit, "window_s",
                       (json_int_t)r->verdict.window_s, "remaining",
                       (json_int_t)r->verdict.remaining, "reset_s",
                       (json_int_t)((r->verdict.reset_ms + 999) / 1000));
    }
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:b, s:s, s:I, s:s}, s:o, s:o}", "status", "ok",
                  "profile", cfg->profile.name, "client", cl->id, "tenant", cl->tenant, "session",
                  "kind", r->token.kind == REFAPI_TOKEN_SESSION ? "session" : "access", "healthy",
                  left > 0, "expires_at", at, "expires_in", (json_int_t)(left > 0 ? left : 0),
                  "scope", r->token.scopes, "rate_limit", rl, "recent_errors", recent_errors(r));
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    if (text)
        refapi_req_json(r, 200, text, strlen(text), NULL, 0);
    else
        refapi_req_error(r, 500, NULL, NULL, NULL);
    free(text);
    json_decref(j);
}
