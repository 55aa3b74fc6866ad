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

/* INSERT the invoice; with key, the answer is stored under it in the same
 * transaction (r->stored), so that a crash after the commit still leaves
 * a retry the stored 201, never a second run and its 409 DUPLICATE_ENTRY. */
static void create_invoice(refapi_req *r, const char *tenant, const char *key)
{
    char *doc = invoice_doc(r, tenant);
    if (!doc) return;
    char number[80];
    doc_number(doc, number, sizeof number);
    sqlite3 *db = refapi_store_acquire(r->srv->store);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db,
                                "INSERT INTO invoices (tenant, documentNumber, version, doc)"
                                " VALUES (?1, ?2, 1, ?3)",
                                -1, &st, NULL);
    int began = rc == SQLITE_OK;
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, tenant, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, number, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, doc, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_extended_errcode(db);
    }
    sqlite3_finalize(st);
    long long id = sqlite3_last_insert_rowid(db);
    r->executed = 1;
    if (rc == SQLITE_OK) {
        reply_invoice(r, 201, tenant, id, 1, doc);
    } else {
        refapi_req_db_failure(r, db, rc);
        if (r->reply.status == 409) duplicate(r, number);
    }
    /* The answer of the operation (its 201 or its 409) commits with it:
     * in the store's table, or with --redis in its journal, this database. */
    int ok = began && r->reply.status < 500;
    if (ok && key) {
        ok = apierr_idempotency_complete_in(r->srv->idem, db, key, &r->reply) == APIERR_OK;
        r->stored = ok;
    }
    if (ok && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) ok = 0;
    if (!ok && began) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        r->stored = 0;
        if (r->reply.status < 500) refapi_req_db_failure(r, db, SQLITE_BUSY);
    }
    if (ok && rc == SQLITE_OK) refapi_req_committed(r);
    /* On Redis the fleet learns the answer now; a crash before this leaves
     * it to the retry that claims the key after the lease. */
    if (ok && key && r->srv->cfg->redis_url)
        apierr_idempotency_complete(r->srv->idem, key, &r->reply);
    refapi_store_release(r->srv->store, db);
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
        create_invoice(r, tenant, NULL);
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
    create_invoice(r, tenant, key);
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
    sqlite3 *db = refapi_store_acquire(r->srv->store);
    sqlite3_stmt *st;
    int rc =
        sqlite3_prepare_v2(db,
                           "SELECT id, version, doc FROM invoices WHERE tenant = ?1 AND id > ?2"
                           " ORDER BY id LIMIT ?3",
                           -1, &st, NULL);
    /* The page; without a stream (out of memory) the query still runs, so
     * that a database failure is what the reply says, as for any other. */
    char *data = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&data, &len);
    if (f) fputs("{\"data\":[", f);
    long long n = 0, last = 0;
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, tenant, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, after);
        sqlite3_bind_int64(st, 3, limit + 1);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < limit) {
            last = sqlite3_column_int64(st, 0);
            if (f && n) fputc(',', f);
            if (f)
                put_invoice(f, last, sqlite3_column_int64(st, 1),
                            (const char *)sqlite3_column_text(st, 2));
            n++;
        }
        int more = rc == SQLITE_ROW;
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : sqlite3_extended_errcode(db);
        sqlite3_finalize(st);
        if (f && more)
            fprintf(f, "],\"nextCursor\":\"%lld\"}", last);
        else if (f)
            fputs("],\"nextCursor\":null}", f);
    }
    int oom = !f || close_doc(f, &data) != 0;
    if (rc != SQLITE_OK)
        refapi_req_db_failure(r, db, rc);
    else if (oom)
        refapi_req_error(r, 500, NULL, NULL, NULL);
    else
        refapi_req_json(r, 200, data, len, NULL, 0);
    refapi_store_release(r->srv->store, db);
    free(data);
}

/* Reads one invoice of the tenant: SQLITE_ROW with version and doc (a copy
 * the caller frees), SQLITE_DONE when absent, else an error code. */
static int read_invoice(sqlite3 *db, const char *tenant, long long id, long long *version,
                        char **doc)
{
    sqlite3_stmt *st;
    int rc = refapi_store_prepare(
        db, "SELECT version, doc FROM invoices WHERE id = ?1 AND tenant = ?2", &st);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, tenant, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *version = sqlite3_column_int64(st, 0);
        *doc = strdup((const char *)sqlite3_column_text(st, 1));
        if (!*doc) rc = SQLITE_NOMEM;
    } else if (rc != SQLITE_DONE) {
        rc = sqlite3_extended_errcode(db);
    }
    refapi_store_done(st);
    return rc;
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
    sqlite3 *db = refapi_store_acquire(r->srv->store);
    long long version = 0;
    char *doc = NULL;
    int rc = read_invoice(db, tenant, id, &version, &doc);
    const char *inm = refapi_req_header(r, "If-None-Match");
    if (rc == SQLITE_ROW && inm && refapi_if_none_match(inm, version)) {
        char etag[32];
        snprintf(etag, sizeof etag, "\"%lld\"", version);
        apierr_header h = {"ETag", etag};
        refapi_req_json(r, 304, NULL, 0, &h, 1);
    } else if (rc == SQLITE_ROW)
        reply_invoice(r, 200, tenant, id, version, doc);
    else if (rc == SQLITE_DONE)
        refapi_invoice_missing(r, tenant, id);
    else
        refapi_req_db_failure(r, db, rc);
    refapi_store_release(r->srv->store, db);
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
    sqlite3 *db = refapi_store_acquire(r->srv->store);
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    long long version = 0;
    char *stored = NULL;
    int changed = 0, answered = 0;
    if (rc == SQLITE_OK) {
        rc = read_invoice(db, tenant, id, &version, &stored);
        free(stored);
        stored = NULL;
        if (rc == SQLITE_DONE) {
            refapi_invoice_missing(r, tenant, id);
            answered = 1;
            rc = SQLITE_OK;
        } else if (rc == SQLITE_ROW && im && !refapi_if_match(im, version)) {
            precondition_failed(r, version);
            answered = 1;
            rc = SQLITE_OK;
        } else if (rc == SQLITE_ROW) {
            rc = SQLITE_OK;
        }
    }
    sqlite3_stmt *st = NULL;
    if (rc == SQLITE_OK && !answered) {
        rc = sqlite3_prepare_v2(
            db,
            del ? "DELETE FROM invoices WHERE id = ?3 AND tenant = ?4 AND version = ?5"
                : "UPDATE invoices SET documentNumber = ?1, version = version + 1,"
                  " doc = json_set(?2, '$.createdAt', json_extract(doc, '$.createdAt'))"
                  " WHERE id = ?3 AND tenant = ?4 AND version = ?5",
            -1, &st, NULL);
    }
    if (rc == SQLITE_OK && st) {
        if (!del) {
            sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, doc, -1, SQLITE_STATIC);
        }
        sqlite3_bind_int64(st, 3, id);
        sqlite3_bind_text(st, 4, tenant, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, version);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_extended_errcode(db);
        changed = rc == SQLITE_OK && sqlite3_changes(db) == 1;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_OK && changed && !del) rc = read_invoice(db, tenant, id, &version, &stored);
    if (rc == SQLITE_ROW) rc = SQLITE_OK;
    if (rc == SQLITE_OK && changed) rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK || !changed) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        refapi_req_db_failure(r, db, rc);
    } else if (changed) {
        refapi_req_committed(r);
        if (del)
            refapi_req_json(r, 204, NULL, 0, NULL, 0);
        else
            reply_invoice(r, 200, tenant, id, version, stored);
    } else if (!answered) {
        refapi_req_error(r, 500, NULL, NULL, NULL);
    }
    refapi_store_release(r->srv->store, db);
    free(stored);
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
