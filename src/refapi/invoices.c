/*
 * invoices.c - the invoices of one tenant, /v1/tenants/{tenant}/invoices and
 * /v1/tenants/{tenant}/invoices/{id}: list (pages by cursor), create (once
 * per idempotency key), read, replace and delete (both conditional on
 * If-Match), over the invoices table of the store. By the time a handler
 * runs, routes.c has checked the method, the credential, its scope and the
 * tenant; what is left here is the resource's own contract: its 404s, the
 * 409 of a duplicate number or of a stale version, and the validation of
 * bodies (invoice_check.h).
 */
#include "data.h"
#include "form.h"
#include "handlers.h"
#include "invoice_check.h"
#include "precond.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The largest page of a list. */
#define LIST_MAX 100

/* Writes the representation of an invoice to f: its id and version, then the
 * stored document's members (doc is an object: its '{' gives way). */
static void put_invoice(FILE *f, long long id, long long version, const char *doc)
{
    fprintf(f, "{\"id\":\"%lld\",\"version\":%lld,%s", id, version, doc + 1);
}

/* Closes f, a stream of open_memstream() that *data belongs to: 0, or -1 with
 * *data freed when a write or the final flush ran out of memory. */
static int close_doc(FILE *f, char **data)
{
    int failed = ferror(f);
    if (fclose(f) != 0 || failed) {
        free(*data);
        *data = NULL;
        return -1;
    }
    return 0;
}

static void reply_invoice(refapi_req *r, int status, const char *tenant, long long id,
                          long long version, const char *doc)
{
    char *data = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&data, &len);
    if (f) put_invoice(f, id, version, doc);
    char loc[160], etag[32];
    snprintf(loc, sizeof loc, "/v1/tenants/%s/invoices/%lld", tenant, id);
    snprintf(etag, sizeof etag, "\"%lld\"", version);
    apierr_header h[2] = {{"ETag", etag}, {"Location", loc}};
    if (!f || close_doc(f, &data) != 0)
        refapi_req_error(r, 500, NULL, NULL, NULL);
    else
        refapi_req_json(r, status, data, len, h, status == 201 ? 2 : 1);
    free(data);
}

/* Parses and validates an invoice body: the document to store (with tenant
 * and times), or NULL after replying. */
static char *invoice_doc(refapi_req *r, const char *tenant)
{
    json_t *body = refapi_req_json_body(r);
    if (!body) return NULL;
    apierr_validation *v = refapi_req_validation(r);
    json_t *doc = v ? refapi_invoice_check(v, body) : NULL;
    json_decref(body);
    if (!doc) {
        if (v && apierr_validation_count(v) > 0)
            refapi_req_validation_failed(r, v);
        else
            refapi_req_error(r, 500, NULL, NULL, NULL);
        apierr_validation_free(v);
        return NULL;
    }
    apierr_validation_free(v);
    char at[32];
    refapi_iso8601(at, sizeof at, r->now_ms);
    json_object_set_new(doc, "tenant", json_string(tenant));
    json_object_set_new(doc, "createdAt", json_string(at));
    json_object_set_new(doc, "updatedAt", json_string(at));
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(doc);
    if (!text) refapi_req_error(r, 500, NULL, NULL, NULL);
    return text;
}

static const char *doc_number(const char *doc, char *buf, size_t cap)
{
    json_t *j = json_loads(doc, 0, NULL);
    snprintf(buf, cap, "%s", json_string_value(json_object_get(j, "documentNumber")));
    json_decref(j);
    return buf;
}

/* The idempotency key of a create, scoped to the tenant; NULL when none. */
static int idempotency_key(refapi_req *r, const char *tenant, char *out, size_t cap)
{
    const apierr_profile *pr = &r->srv->cfg->profile;
    const char *k = pr->idempotency_key_in == APIERR_KEY_IN_QUERY
                        ? refapi_req_query(r, pr->idempotency_key)
                        : refapi_req_header(r, pr->idempotency_key);
    if (!k) return 0;
    snprintf(out, cap, "%s:%s", tenant, k);
    if (!apierr_idempotency_key_valid(k) || !apierr_idempotency_key_valid(out)) {
        char msg[128];
        snprintf(msg, sizeof msg, "%s must be 1 to %d visible ASCII characters.",
                 pr->idempotency_key, APIERR_IDEMPOTENCY_KEY_MAX - 65);
        refapi_req_error(r, 400, "invalid_idempotency_key", msg, NULL);
        return -1;
    }
    return 1;
}

/* 409 DUPLICATE_ENTRY (seed 004) naming the field, not the column. */
static void duplicate(refapi_req *r, const char *number)
{
    char msg[160];
    snprintf(msg, sizeof msg, "An invoice with documentNumber '%.64s' already exists.", number);
    apierr_problem *p = NULL;
    if (apierr_server_problem(&p, 409, "DUPLICATE_ENTRY", msg) == APIERR_OK &&
        apierr_problem_add_detail(p, "documentNumber", "must be unique per tenant", "duplicate") !=
            APIERR_OK) {
        apierr_problem_free(p);
        p = NULL;
    }
    refapi_req_problem(r, p, NULL);
}

/* Replies with the failure f of the data store (its problem taken). */
static void data_failed(refapi_req *r, refapi_dbfail *f)
{
    refapi_req_db_problem(r, f->problem, f->cause);
    f->problem = NULL;
}

/* The answer recorded under key in the write's transaction (data.h,
 * recorded), when the data store keeps its own: a replay, published to the
 * key store; a mismatch refused. 1 when it answered r, 0 when the create is
 * to run, -1 after a failure reply. */
static int answered_by_journal(refapi_req *r, void *c, const char *key,
                               const unsigned char fp[APIERR_SHA256_SIZE])
{
    const refapi_data *d = r->srv->data;
    if (!key || !d->ops->recorded) return 0;
    refapi_dbfail f = {0};
    apierr_idempotency_state state;
    apierr_reply replay = APIERR_REPLY_INIT;
    if (d->ops->recorded(c, &f, key, fp, &state, &replay) != 0) {
        data_failed(r, &f);
        return -1;
    }
    if (state == APIERR_IDEMPOTENCY_NEW) return 0;
    if (state == APIERR_IDEMPOTENCY_REPLAY) {
        refapi_metrics_event(r->srv->metrics, REFAPI_EV_IDEM_REPLAY);
        r->stored = apierr_idempotency_complete(r->srv->idem, key, &replay) == APIERR_OK;
        apierr_reply_clear(&r->reply);
        r->reply = replay;
        return 1;
    }
    refapi_metrics_event(r->srv->metrics, REFAPI_EV_IDEM_CONFLICT);
    apierr_problem *p = NULL;
    apierr_idempotency_problem(&p, state);
    if (p) p->status = r->srv->cfg->profile.validation_status;
    refapi_req_problem(r, p, NULL);
    return 1;
}

/* INSERT the invoice; with key, the answer is recorded under it in the same
 * transaction (r->stored), so that a crash after the commit still leaves
 * a retry the recorded 201, never a second run and its 409 DUPLICATE_ENTRY. */
static void create_invoice(refapi_req *r, const char *tenant, const char *key,
                           const unsigned char *fp)
{
    char *doc = invoice_doc(r, tenant);
    if (!doc) return;
    char number[80];
    doc_number(doc, number, sizeof number);
    const refapi_data *d = r->srv->data;
    void *c = d->ops->acquire(d->impl);
    refapi_dbfail f = {0};
    int began = d->ops->begin(c, &f) == 0;
    int journal = began ? answered_by_journal(r, c, key, fp) : 0;
    long long id = 0;
    if (!began) {
        data_failed(r, &f);
    } else if (journal != 0) {
        d->ops->rollback(c);
        began = 0;
    } else {
        r->executed = 1;
        if (d->ops->insert(c, &f, tenant, number, doc, &id) == 0) {
            reply_invoice(r, 201, tenant, id, 1, doc);
        } else {
            data_failed(r, &f);
            if (r->reply.status == 409) duplicate(r, number);
        }
    }
    /* The answer of the operation (its 201 or its 409) commits with it. */
    int ok = began && r->reply.status < 500;
    if (ok && key) {
        ok = d->ops->record(c, &f, r->srv->idem, key, fp, &r->reply) == 0;
        r->stored = ok;
    }
    if (ok && d->ops->commit(c, &f) != 0) ok = 0;
    if (!ok && began) {
        d->ops->rollback(c);
        r->stored = 0;
        if (r->reply.status < 500) data_failed(r, &f);
    }
    apierr_problem_free(f.problem);
    if (ok && id) refapi_req_committed(r);
    /* Where the keys are not this database (Redis, or the SQLite store
     * beside PostgreSQL), they learn the answer now; a crash before this
     * leaves it to the retry that claims the key after the lease. */
    if (ok && key && d->publish) apierr_idempotency_complete(r->srv->idem, key, &r->reply);
    d->ops->release(d->impl, c);
    free(doc);
}

/* POST: with an idempotency key, run once and replay after. */
void refapi_invoices_create(refapi_req *r, const char *tenant, long long id)
{
    (void)id;
    char key[APIERR_IDEMPOTENCY_KEY_MAX + 80];
    int has = idempotency_key(r, tenant, key, sizeof key);
    if (has < 0) return;
    if (!has) {
        create_invoice(r, tenant, NULL, NULL);
        return;
    }
    unsigned char fp[APIERR_SHA256_SIZE];
    apierr_idempotency_fingerprint(fp, r->method, r->path, r->body, r->len);
    apierr_idempotency_state state;
    apierr_reply replay = APIERR_REPLY_INIT;
    int rc = apierr_idempotency_begin(r->srv->idem, &state, &replay, key, fp, r->now_ms);
    if (rc != APIERR_OK) {
        refapi_req_db_failure(r, NULL, SQLITE_BUSY);
        return;
    }
    if (state == APIERR_IDEMPOTENCY_REPLAY) {
        refapi_metrics_event(r->srv->metrics, REFAPI_EV_IDEM_REPLAY);
        apierr_reply_clear(&r->reply);
        r->reply = replay;
        return;
    }
    if (state != APIERR_IDEMPOTENCY_NEW) {
        refapi_metrics_event(r->srv->metrics, REFAPI_EV_IDEM_CONFLICT);
        apierr_problem *p = NULL;
        apierr_idempotency_problem(&p, state);
        /* A key reused with another request is a request to fix: the
         * profile's validation status (400 under gestix, seed 004). */
        if (p && state == APIERR_IDEMPOTENCY_MISMATCH)
            p->status = r->srv->cfg->profile.validation_status;
        refapi_req_problem(r, p, NULL);
        return;
    }
    create_invoice(r, tenant, key, fp);
    /* Not stored (as Stripe does) when the request was rejected before the
     * operation ran (a 415, a 422: not the answer the key's request gets
     * once fixed) or the operation failed (5xx): the key is free again. */
    if (!r->stored) apierr_idempotency_abort(r->srv->idem, key);
}

static long long query_number(refapi_req *r, apierr_validation *v, const char *name, long long dflt,
                              long long min, long long max)
{
    const char *s = refapi_req_query(r, name);
    if (!s) return dflt;
    long long n;
    if (refapi_query_number(s, min, max, &n) != 0) {
        char msg[80];
        snprintf(msg, sizeof msg, "must be an integer from %lld to %lld", min, max);
        apierr_validation_add(v, name, msg, "out_of_range");
        return dflt;
    }
    return n;
}

/* A page being written: the rows of a list, up to limit. */
typedef struct page {
    FILE *f; /* NULL: out of memory, the rows are only counted */
    long long n, limit, last;
} page;

static int put_row(void *payload, long long id, long long version, const char *doc)
{
    page *pg = payload;
    if (pg->n == pg->limit) return 1; /* the one past the page: there is more */
    if (pg->f && pg->n) fputc(',', pg->f);
    if (pg->f) put_invoice(pg->f, id, version, doc);
    pg->last = id;
    pg->n++;
    return 0;
}

void refapi_invoices_list(refapi_req *r, const char *tenant, long long id)
{
    (void)id;
    apierr_validation *v = refapi_req_validation(r);
    if (!v) {
        refapi_req_error(r, 500, NULL, NULL, NULL);
        return;
    }
    long long limit = query_number(r, v, "limit", 20, 1, LIST_MAX);
    long long after = query_number(r, v, "cursor", 0, 0, 1LL << 53);
    if (apierr_validation_count(v)) {
        refapi_req_validation_failed(r, v);
        apierr_validation_free(v);
        return;
    }
    apierr_validation_free(v);
    /* The page; without a stream (out of memory) the query still runs, so
     * that a database failure is what the reply says, as for any other. */
    char *data = NULL;
    size_t len = 0;
    page pg = {open_memstream(&data, &len), 0, limit, 0};
    if (pg.f) fputs("{\"data\":[", pg.f);
    const refapi_data *d = r->srv->data;
    void *c = d->ops->acquire(d->impl);
    refapi_dbfail f = {0};
    int rows = d->ops->list(c, &f, tenant, after, limit + 1, put_row, &pg);
    d->ops->release(d->impl, c);
    if (pg.f && rows > limit)
        fprintf(pg.f, "],\"nextCursor\":\"%lld\"}", pg.last);
    else if (pg.f)
        fputs("],\"nextCursor\":null}", pg.f);
    int oom = !pg.f || close_doc(pg.f, &data) != 0;
    if (rows < 0)
        data_failed(r, &f);
    else if (oom)
        refapi_req_error(r, 500, NULL, NULL, NULL);
    else
        refapi_req_json(r, 200, data, len, NULL, 0);
    free(data);
}

void refapi_invoice_missing(refapi_req *r, const char *tenant, long long id)
{
    char msg[160];
    snprintf(msg, sizeof msg, "No invoice %lld in tenant '%.64s'; check the tenant id and the id.",
             id, tenant);
    refapi_req_not_found(r, msg);
}

void refapi_invoice_get(refapi_req *r, const char *tenant, long long id)
{
    const refapi_data *d = r->srv->data;
    void *c = d->ops->acquire(d->impl);
    long long version = 0;
    char *doc = NULL;
    refapi_dbfail f = {0};
    int found = d->ops->read(c, &f, tenant, id, &version, &doc);
    d->ops->release(d->impl, c);
    const char *inm = refapi_req_header(r, "If-None-Match");
    if (found == 1 && inm && refapi_if_none_match(inm, version)) {
        char etag[32];
        snprintf(etag, sizeof etag, "\"%lld\"", version);
        apierr_header h = {"ETag", etag};
        refapi_req_json(r, 304, NULL, 0, &h, 1);
    } else if (found == 1)
        reply_invoice(r, 200, tenant, id, version, doc);
    else if (found == 0)
        refapi_invoice_missing(r, tenant, id);
    else
        data_failed(r, &f);
    free(doc);
}

/* If-Match named another version: 412 (RFC 9110 13.1.1), except where a
 * profile's seed says 409 (GipoNext, seed 000: "re-read the resource and
 * retry"). GoTab answers 412: its seed (001) says nothing of preconditions
 * and names 409 for conflicts with existing state such as a duplicate
 * creation, which its clients take as final; a stale If-Match is not that,
 * and a client that re-reads on 412 gets its write through. */
static void precondition_failed(refapi_req *r, long long version)
{
    static const struct {
        const char *profile;
        int status;
        const char *code;
    } statuses[] = {{"giponext", 409, "conflict"}};
    int status = 412;
    const char *code = "precondition_failed";
    for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++) {
        if (strcmp(r->srv->cfg->profile.name, statuses[i].profile) == 0)
            status = statuses[i].status, code = statuses[i].code;
    }
    char msg[200];
    snprintf(msg, sizeof msg,
             "The invoice was modified by another operation in the meantime (it is at "
             "version %lld); re-read it and retry.",
             version);
    refapi_req_error(r, status, code, msg, NULL);
}

/* doc with the createdAt of stored (the invoice it replaces): a new
 * document the caller frees, or NULL when out of memory. */
static char *keep_created(const char *doc, const char *stored)
{
    json_t *j = json_loads(doc, 0, NULL), *old = json_loads(stored, 0, NULL);
    json_t *at = json_object_get(old, "createdAt");
    if (j && at) json_object_set(j, "createdAt", at);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    json_decref(old);
    return text;
}

/* PUT (replace) and DELETE, both conditional on If-Match: the row is read
 * and compared in the write's transaction, so that no other write slips
 * between the comparison and the change. */
static void write_invoice(refapi_req *r, const char *tenant, long long id, int del)
{
    const char *im = refapi_req_header(r, "If-Match");
    if (!im && r->srv->cfg->require_if_match) {
        refapi_req_error(r, 428, "precondition_required",
                         "This API requires If-Match on PUT and DELETE: send the ETag you read.",
                         NULL);
        return;
    }
    char *doc = del ? NULL : invoice_doc(r, tenant);
    if (!del && !doc) return;
    char number[80] = "";
    if (doc) doc_number(doc, number, sizeof number);
    const refapi_data *d = r->srv->data;
    void *c = d->ops->acquire(d->impl);
    refapi_dbfail f = {0};
    long long version = 0;
    char *stored = NULL, *fresh = NULL;
    int rc = d->ops->begin(c, &f), changed = 0, answered = 0;
    int found = rc == 0 ? d->ops->read(c, &f, tenant, id, &version, &stored) : -1;
    if (found == 0) {
        refapi_invoice_missing(r, tenant, id);
        answered = 1;
    } else if (found == 1 && im && !refapi_if_match(im, version)) {
        precondition_failed(r, version);
        answered = 1;
    } else if (found == 1 && !del && !(fresh = keep_created(doc, stored))) {
        refapi_req_error(r, 500, NULL, NULL, NULL);
        answered = 1;
    } else if (found == 1) {
        changed = d->ops->write(c, &f, tenant, id, version, number, fresh);
    }
    if (changed == 1 && d->ops->commit(c, &f) != 0) changed = -1;
    if (changed != 1) d->ops->rollback(c);
    d->ops->release(d->impl, c);
    if (found < 0 || changed < 0) {
        data_failed(r, &f);
        /* The number is another invoice's: the field named, not a column. */
        if (r->reply.status == 409) duplicate(r, number);
    } else if (changed) {
        refapi_req_committed(r);
        if (del)
            refapi_req_json(r, 204, NULL, 0, NULL, 0);
        else
            reply_invoice(r, 200, tenant, id, version + 1, fresh);
    } else if (!answered) {
        refapi_req_error(r, 500, NULL, NULL, NULL);
    }
    apierr_problem_free(f.problem);
    free(stored);
    free(fresh);
    free(doc);
}

void refapi_invoice_replace(refapi_req *r, const char *tenant, long long id)
{
    write_invoice(r, tenant, id, 0);
}

void refapi_invoice_delete(refapi_req *r, const char *tenant, long long id)
{
    write_invoice(r, tenant, id, 1);
}
