/*
 * routes.c - which handler answers a request, as two tables: the fixed paths
 * (/oauth/token, /helo, /status) and the invoice resources under
 * /v1/tenants/{tenant}/. A path that matches no row gets 404, a method its
 * path does not answer 405 with the Allow of that path; then come the checks
 * the row asks for (rate limit, credential and scope, tenant), in the order
 * the seeds expect: 404 of the path, 405, 429, 401/403, 404 of the tenant.
 *
 * Apart from http.c so that routing never sees libmicrohttpd, and from the
 * handlers so that adding an endpoint is a row here and a function there.
 */
#include "routes.h"

#include "auth.h"
#include "handlers.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Who may call a route. */
typedef enum guard {
    OPEN,    /* anyone: the endpoints that issue credentials */
    ANY_AGE, /* rate limited, then a genuine token, expired or not */
    SCOPED   /* rate limited, then a current token that grants the scope */
} guard;

/* The dialect column of a row whose errors are in the profile's dialect. */
#define PROFILE_DIALECT (-1)

/* The fixed paths, matched exactly, in order. Columns: path, the method it
 * answers, the dialect of its errors (/oauth/token speaks RFC 6749 5.2
 * whatever the profile), 1 when only the gestix profile has it (seed 004),
 * who may call it (/status reports on an expired token rather than refuse
 * it), and the handler. */
#define FIXED_ROUTES(X)                                                                 \
    X("/oauth/token", "POST", APIERR_DIALECT_OAUTH, 0, OPEN, refapi_oauth_token, TOKEN) \
    X("/helo", "GET", PROFILE_DIALECT, 1, OPEN, refapi_helo, HELO)                      \
    X("/status", "GET", PROFILE_DIALECT, 0, ANY_AGE, refapi_status, STATUS)

static const struct fixed_route {
    const char *path, *method;
    int dialect;
    int gestix_only;
    guard guard;
    void (*handler)(refapi_req *r);
    refapi_metric_route metric;
} fixed_routes[] = {
#define FIXED_ROW(path, method, dialect, gestix_only, guard, handler, metric) \
    {path, method, dialect, gestix_only, guard, handler, REFAPI_ROUTE_##metric},
    FIXED_ROUTES(FIXED_ROW)
#undef FIXED_ROW
};

/* Every method some route answers, for OPTIONS * (HEAD and OPTIONS are
 * added as for a resource). */
#define SERVER_METHODS "GET, POST, PUT, DELETE"

/* The two invoice resources of a tenant. */
typedef enum resource { COLLECTION, ITEM } resource;

/* Below /v1/tenants/{tenant}/: the collection and one invoice by {id}.
 * Columns: resource, method, the scope it needs (a scoped credential of the
 * tenant), handler. The Allow of a resource's 405 lists its methods in this
 * order. */
#define INVOICE_ROUTES(X)                                           \
    X(COLLECTION, "GET", "invoices:read", refapi_invoices_list)     \
    X(COLLECTION, "POST", "invoices:write", refapi_invoices_create) \
    X(ITEM, "GET", "invoices:read", refapi_invoice_get)             \
    X(ITEM, "PUT", "invoices:write", refapi_invoice_replace)        \
    X(ITEM, "DELETE", "invoices:write", refapi_invoice_delete)

static const struct invoice_route {
    resource resource;
    const char *method, *scope;
    void (*handler)(refapi_req *r, const char *tenant, long long id);
} invoice_routes[] = {
#define INVOICE_ROW(resource, method, scope, handler) {resource, method, scope, handler},
    INVOICE_ROUTES(INVOICE_ROW)
#undef INVOICE_ROW
};

#define TENANTS_PREFIX "/v1/tenants/"

/* Makes the checks of guard g; 0 when the handler may run, else the reply
 * is set. */
static int admit(refapi_req *r, guard g, const char *scope)
{
    if (g == OPEN) return 0;
    if (refapi_rate_limit(r)) return -1;
    return refapi_authenticate(r, scope, g == ANY_AGE);
}

/* The id of /invoices/{id}: digits only, else -1 (no such invoice). */
static long long parse_id(const char *s)
{
    if (!*s || strlen(s) > 15) return -1;
    for (const char *p = s; *p; p++) {
        if (!isdigit((unsigned char)*p)) return -1;
    }
    return strtoll(s, NULL, 10);
}

/* r's method is want: HEAD is GET without the body, which the HTTP layer
 * leaves out (RFC 9110 9.3.2). */
static int method_is(const refapi_req *r, const char *want)
{
    return strcmp(r->method, want) == 0 ||
           (strcmp(want, "GET") == 0 && strcmp(r->method, "HEAD") == 0);
}

/* The Allow of a resource whose table lists methods: those, HEAD where GET
 * is, and OPTIONS, which every resource answers. OPTIONS and 405 give the
 * same list (RFC 9110 10.2.1: what the resource supports). */
#define ALLOW_MAX 96
static void allow_of(char allow[ALLOW_MAX], const char *methods)
{
    snprintf(allow, ALLOW_MAX, "%s%s, OPTIONS", methods, strstr(methods, "GET") ? ", HEAD" : "");
}

/* OPTIONS: 204 with the methods of the resource (RFC 9110 9.3.7); before
 * any credential, as a preflight comes without one. */
static void options_reply(refapi_req *r, const char *methods)
{
    char allow[ALLOW_MAX];
    allow_of(allow, methods);
    apierr_header h = {"Allow", allow};
    refapi_req_json(r, 204, NULL, 0, &h, 1);
}

static void not_allowed(refapi_req *r, const char *methods)
{
    char allow[ALLOW_MAX];
    allow_of(allow, methods);
    refapi_req_method_not_allowed(r, allow);
}

/* The methods of a resource, in the table's order, into allow. */
static void resource_methods(resource res, char *allow, size_t cap)
{
    size_t n = 0;
    allow[0] = '\0';
    for (size_t i = 0; i < sizeof invoice_routes / sizeof *invoice_routes; i++) {
        if (invoice_routes[i].resource != res) continue;
        n += (size_t)snprintf(allow + n, cap - n, "%s%s", n ? ", " : "", invoice_routes[i].method);
    }
}

/* 405 for a resource: its methods, in the table's order, as the Allow. */
static void resource_not_allowed(refapi_req *r, resource res)
{
    char methods[64];
    resource_methods(res, methods, sizeof methods);
    not_allowed(r, methods);
}

/* /v1/tenants/{tenant}/invoices[/{id}]; rest is what follows the prefix.
 * An empty {id} ("invoices/") is the collection. */
static void tenant_routes(refapi_req *r, const char *rest)
{
    char tenant[REFAPI_ID_MAX];
    const char *slash = strchr(rest, '/');
    if (!slash || (size_t)(slash - rest) >= sizeof tenant || strncmp(slash, "/invoices", 9) != 0 ||
        (slash[9] && slash[9] != '/')) {
        refapi_req_not_found(r, "No such resource; see /v1/tenants/{tenant}/invoices.");
        return;
    }
    memcpy(tenant, rest, (size_t)(slash - rest));
    tenant[slash - rest] = '\0';
    const char *idpart = slash[9] ? slash + 10 : NULL;
    resource res = !idpart || !*idpart ? COLLECTION : ITEM;
    r->route = res == COLLECTION ? REFAPI_ROUTE_INVOICES : REFAPI_ROUTE_INVOICE;
    if (strcmp(r->method, "OPTIONS") == 0) {
        char allow[64];
        resource_methods(res, allow, sizeof allow);
        options_reply(r, allow);
        return;
    }
    const struct invoice_route *rt = NULL;
    for (size_t i = 0; i < sizeof invoice_routes / sizeof *invoice_routes && !rt; i++) {
        if (invoice_routes[i].resource == res && method_is(r, invoice_routes[i].method))
            rt = &invoice_routes[i];
    }
    if (!rt) {
        resource_not_allowed(r, res);
        return;
    }
    if (admit(r, SCOPED, rt->scope)) return;
    if (strcmp(r->srv->cfg->clients[r->client].tenant, tenant) != 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "No tenant '%.64s' for these credentials; check the tenant id.",
                 tenant);
        refapi_req_not_found(r, msg);
        return;
    }
    long long id = res == ITEM ? parse_id(idpart) : 0;
    if (id >= 0) {
        rt->handler(r, tenant, id);
        return;
    }
    /* Quoted as sent: "No invoice 0" for /invoices/abc sent the user
     * looking for an invoice 0. */
    char msg[200];
    snprintf(
        msg, sizeof msg,
        "No invoice '%.32s%s' in tenant '%.64s': an invoice id is a number of up to 15 digits.",
        idpart, strlen(idpart) > 32 ? "..." : "", tenant);
    refapi_req_not_found(r, msg);
}

void refapi_route(refapi_req *r)
{
    /* The invoices first: no fixed path starts so, and they are what a
     * flood asks for. */
    if (strncmp(r->path, TENANTS_PREFIX, strlen(TENANTS_PREFIX)) == 0) {
        tenant_routes(r, r->path + strlen(TENANTS_PREFIX));
        return;
    }
    for (size_t i = 0; i < sizeof fixed_routes / sizeof *fixed_routes; i++) {
        const struct fixed_route *rt = &fixed_routes[i];
        if (strcmp(r->path, rt->path) != 0 || (rt->gestix_only && !refapi_req_gestix(r))) continue;
        if (rt->dialect != PROFILE_DIALECT) r->dialect = (apierr_dialect)rt->dialect;
        r->route = rt->metric;
        if (strcmp(r->method, "OPTIONS") == 0)
            options_reply(r, rt->method);
        else if (!method_is(r, rt->method))
            not_allowed(r, rt->method);
        else if (!admit(r, rt->guard, NULL))
            rt->handler(r);
        return;
    }
    /* The asterisk form names the server, for OPTIONS only (RFC 9112
     * 3.2.4): the methods some resource of it answers. */
    if (strcmp(r->path, "*") == 0) {
        if (strcmp(r->method, "OPTIONS") == 0)
            options_reply(r, SERVER_METHODS);
        else
            refapi_req_error(r, 400, "bad_request",
                             "The request target * is for OPTIONS only (RFC 9112 3.2.4).", NULL);
        return;
    }
    char msg[160];
    snprintf(msg, sizeof msg, "No route for %.8s %.96s.", r->method, r->path);
    refapi_req_not_found(r, msg);
}

void refapi_route_classify(refapi_req *r)
{
    for (size_t i = 0; i < sizeof fixed_routes / sizeof *fixed_routes; i++) {
        if (strcmp(r->path, fixed_routes[i].path) == 0) {
            r->route = fixed_routes[i].metric;
            return;
        }
    }
    const char *rest = r->path + strlen(TENANTS_PREFIX);
    const char *slash =
        strncmp(r->path, TENANTS_PREFIX, strlen(TENANTS_PREFIX)) == 0 ? strchr(rest, '/') : NULL;
    if (!slash || strncmp(slash, "/invoices", 9) != 0 || (slash[9] && slash[9] != '/')) return;
    r->route = slash[9] && slash[10] ? REFAPI_ROUTE_INVOICE : REFAPI_ROUTE_INVOICES;
}
