/*
 * data_pg.c - the invoices on PostgreSQL (data.h), through libpq: --db
 * postgresql://... (or postgres://, or any libpq URL). The same table and
 * answers as SQLite:
 *
 *   invoices (id, tenant, documentNumber, version, doc), unique per tenant
 *   invoice_ids (one row: the last id given)
 *   idempotency_journal (key, fingerprint, answer, created_ms)
 *
 * Ids come from invoice_ids, not a sequence: a sequence gives a number away
 * even when its transaction rolls back (a duplicate), and SQLite's
 * AUTOINCREMENT does not, so both stores number the same requests the
 * same. Its row is locked FOR UPDATE by every write's begin: writers are
 * serialized as SQLite's BEGIN IMMEDIATE serializes them, which makes the
 * journal's read-then-write in a create atomic across instances.
 *
 * A pool of connections, one per slot, each under its own mutex; a thread
 * keeps its slot. A connection that PostgreSQL lost (a restart, a network
 * cut) is reset by the next request that finds it bad, and a statement
 * outside a transaction that fails on a lost connection is run once more on
 * the new one; meanwhile each request gets 503 DB_UNAVAILABLE with
 * Retry-After (SQLSTATE class 08, apierr_db_pg_problem) and nothing is
 * written. Parameters are always bound ($1...), never spliced into SQL.
 */
#include "data.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long a recorded answer is kept: as long as an idempotency key. */
#define JOURNAL_TTL_MS 86400000LL

typedef struct pg_slot {
    pthread_mutex_t lock;
    PGconn *c;
    const char *conninfo;
    int validation_status;
    int in_txn;           /* a statement that fails now is not run again */
    long long last;       /* the last id, read (and locked) by begin */
    atomic_uint *records; /* the pool's count of records */
} pg_slot;

typedef struct pg_data {
    refapi_data d;
    unsigned n;
    pg_slot *slots;
    atomic_uint next_slot;
    atomic_uint records; /* every so many, the journal's expired rows go */
    char *conninfo;
} pg_data;

/* The pool slot of the calling thread, taken on first use. */
static _Thread_local int thread_slot = -1;

static const char SCHEMA[] =
    "BEGIN;"
    /* Instances that start together would race on the catalog. */
    "SELECT pg_advisory_xact_lock(7157);"
    "CREATE TABLE IF NOT EXISTS invoices ("
    " id BIGINT PRIMARY KEY, tenant TEXT NOT NULL, documentNumber TEXT NOT NULL,"
    " version BIGINT NOT NULL, doc TEXT NOT NULL, UNIQUE (tenant, documentNumber));"
    "CREATE TABLE IF NOT EXISTS invoice_ids ("
    " one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one), last BIGINT NOT NULL);"
    "INSERT INTO invoice_ids VALUES (TRUE, 0) ON CONFLICT DO NOTHING;"
    "CREATE TABLE IF NOT EXISTS idempotency_journal ("
    " key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, answer TEXT NOT NULL,"
    " created_ms BIGINT NOT NULL);"
    "COMMIT;";

/* A new connection to conninfo; a URL's own connect_timeout wins. */
static PGconn *pg_connect(const char *conninfo)
{
    const char *const keys[] = {"connect_timeout", "dbname", NULL};
    const char *const values[] = {"2", conninfo, NULL};
    return PQconnectdbParams(keys, values, 1);
}

/* Copies msg (libpq's, ending in a newline) into out as one line. */
static void one_line(char *out, size_t cap, const char *msg)
{
    snprintf(out, cap, "%s", msg ? msg : "-");
    for (char *p = out; *p; p++)
        if (*p == '\n') *p = ' ';
}

/* Fills f for the failure of res (NULL: no result) on s and returns -1. A
 * failure with no SQLSTATE on a lost connection is one of class 08. */
static int failed(pg_slot *s, refapi_dbfail *f, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (!state && (!s->c || PQstatus(s->c) != CONNECTION_OK)) state = "08006";
    f->problem = NULL;
    apierr_db_pg_problem(
        &f->problem, state, res ? PQresultErrorField(res, PG_DIAG_COLUMN_NAME) : NULL,
        res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL, s->validation_status);
    char msg[160];
    one_line(msg, sizeof msg,
             res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res)
             : s->c                            ? PQerrorMessage(s->c)
                                               : "out of memory");
    snprintf(f->cause, sizeof f->cause, "postgresql: %s: %s", state ? state : "-", msg);
    return -1;
}

static int ok_status(const PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Runs sql with n text parameters on s: the result (the caller clears it),
 * or NULL with f filled. A lost connection is reset first; a statement out
 * of a transaction that met one is run once more on the new one. */
static PGresult *query(pg_slot *s, refapi_dbfail *f, const char *sql, int n,
                       const char *const *values)
{
    for (int attempt = 0;; attempt++) {
        if (!s->c)
            s->c = pg_connect(s->conninfo);
        else if (PQstatus(s->c) != CONNECTION_OK)
            PQreset(s->c);
        if (!s->c || PQstatus(s->c) != CONNECTION_OK) {
            s->in_txn = 0; /* a reset connection has none */
            failed(s, f, NULL);
            return NULL;
        }
        PGresult *res = PQexecParams(s->c, sql, n, NULL, values, NULL, NULL, 0);
        if (res && ok_status(res)) return res;
        int lost = PQstatus(s->c) != CONNECTION_OK;
        if (!(lost && !s->in_txn && attempt == 0)) {
            failed(s, f, res);
            PQclear(res);
            return NULL;
        }
        PQclear(res);
    }
}

/* Runs a statement whose result is not read. */
static int run(pg_slot *s, refapi_dbfail *f, const char *sql, int n, const char *const *values)
{
    PGresult *res = query(s, f, sql, n, values);
    PQclear(res);
    return res ? 0 : -1;
}

static void *p_acquire(void *impl)
{
    pg_data *p = impl;
    if (thread_slot < 0) thread_slot = (int)(atomic_fetch_add(&p->next_slot, 1) % p->n);
    pg_slot *s = &p->slots[thread_slot];
    pthread_mutex_lock(&s->lock);
    return s;
}

static void p_release(void *impl, void *c)
{
    (void)impl;
    pthread_mutex_unlock(&((pg_slot *)c)->lock);
}

static int p_begin(void *c, refapi_dbfail *f)
{
    pg_slot *s = c;
    s->in_txn = 0;
    if (run(s, f, "BEGIN", 0, NULL) != 0) return -1;
    s->in_txn = 1;
    PGresult *res = query(s, f, "SELECT last FROM invoice_ids FOR UPDATE", 0, NULL);
    if (!res) return -1;
    s->last = PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    return 0;
}

static int p_commit(void *c, refapi_dbfail *f)
{
    pg_slot *s = c;
    PGresult *res = query(s, f, "COMMIT", 0, NULL);
    s->in_txn = 0;
    if (!res) return -1;
    /* COMMIT of a failed transaction succeeds as a ROLLBACK. */
    int committed = strcmp(PQcmdStatus(res), "COMMIT") == 0;
    if (!committed) failed(s, f, NULL);
    PQclear(res);
    return committed ? 0 : -1;
}

static void p_rollback(void *c)
{
    pg_slot *s = c;
    if (s->c && PQstatus(s->c) == CONNECTION_OK) PQclear(PQexec(s->c, "ROLLBACK"));
    s->in_txn = 0;
}

static int p_insert(void *c, refapi_dbfail *f, const char *tenant, const char *number,
                    const char *doc, long long *id)
{
    pg_slot *s = c;
    char idtext[24];
    snprintf(idtext, sizeof idtext, "%lld", s->last + 1);
    const char *const v[] = {idtext, tenant, number, doc};
    /* A savepoint: a failed INSERT (a duplicate) leaves the transaction
     * usable, for its answer to be recorded under the key. */
    if (run(s, f, "SAVEPOINT ins", 0, NULL) != 0) return -1;
    if (run(s, f,
            "INSERT INTO invoices (id, tenant, documentNumber, version, doc)"
            " VALUES ($1, $2, $3, 1, $4)",
            4, v) != 0) {
        refapi_dbfail ignored = {0};
        run(s, &ignored, "ROLLBACK TO SAVEPOINT ins", 0, NULL);
        apierr_problem_free(ignored.problem);
        return -1;
    }
    if (run(s, f, "UPDATE invoice_ids SET last = $1", 1, v) != 0) return -1;
    *id = ++s->last;
    return 0;
}

static int p_read(void *c, refapi_dbfail *f, const char *tenant, long long id, long long *version,
                  char **doc)
{
    char idtext[24];
    snprintf(idtext, sizeof idtext, "%lld", id);
    const char *const v[] = {idtext, tenant};
    PGresult *res =
        query(c, f, "SELECT version, doc FROM invoices WHERE id = $1 AND tenant = $2", 2, v);
    if (!res) return -1;
    int out = 0;
    if (PQntuples(res) == 1) {
        *version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        *doc = strdup(PQgetvalue(res, 0, 1));
        out = *doc ? 1 : failed(c, f, NULL);
    }
    PQclear(res);
    return out;
}

static int p_list(void *c, refapi_dbfail *f, const char *tenant, long long after, long long limit,
                  refapi_row_fn fn, void *payload)
{
    char a[24], l[24];
    snprintf(a, sizeof a, "%lld", after);
    snprintf(l, sizeof l, "%lld", limit);
    const char *const v[] = {tenant, a, l};
    PGresult *res = query(c, f,
                          "SELECT id, version, doc FROM invoices WHERE tenant = $1 AND id > $2"
                          " ORDER BY id LIMIT $3",
                          3, v);
    if (!res) return -1;
    int n = 0;
    while (n < PQntuples(res)) {
        int stop = fn(payload, strtoll(PQgetvalue(res, n, 0), NULL, 10),
                      strtoll(PQgetvalue(res, n, 1), NULL, 10), PQgetvalue(res, n, 2));
        n++;
        if (stop) break;
    }
    PQclear(res);
    return n;
}

static int p_write(void *c, refapi_dbfail *f, const char *tenant, long long id, long long version,
                   const char *number, const char *doc)
{
    char i[24], ver[24];
    snprintf(i, sizeof i, "%lld", id);
    snprintf(ver, sizeof ver, "%lld", version);
    const char *const v[] = {i, tenant, ver, number, doc};
    PGresult *res =
        doc ? query(c, f,
                    "UPDATE invoices SET documentNumber = $4, version = version + 1, doc = $5"
                    " WHERE id = $1 AND tenant = $2 AND version = $3",
                    5, v)
            : query(c, f, "DELETE FROM invoices WHERE id = $1 AND tenant = $2 AND version = $3", 3,
                    v);
    if (!res) return -1;
    int changed = strcmp(PQcmdTuples(res), "1") == 0;
    PQclear(res);
    return changed;
}

static void hex(char out[2 * APIERR_SHA256_SIZE + 1], const unsigned char fp[APIERR_SHA256_SIZE])
{
    for (size_t i = 0; i < APIERR_SHA256_SIZE; i++) snprintf(out + 2 * i, 3, "%02x", fp[i]);
}

/* answer as the journal keeps it: {"status", "headers": [[name, value]],
 * "body"}; NULL when out of memory or the body is not text. */
static char *pack(const apierr_reply *answer)
{
    json_t *h = json_array();
    for (size_t i = 0; h && i < answer->nheaders; i++)
        json_array_append_new(h,
                              json_pack("[ss]", answer->headers[i].name, answer->headers[i].value));
    json_t *j = json_pack("{sisoss%}", "status", answer->status, "headers", h, "body",
                          answer->body ? answer->body : "", answer->body_len);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return text;
}

/* The reply of a packed answer into *out; 0, or -1. */
static int unpack(apierr_reply *out, const char *text)
{
    json_t *j = json_loads(text, 0, NULL), *h = json_object_get(j, "headers");
    size_t n = json_array_size(h);
    apierr_header *hs = calloc(n ? n : 1, sizeof *hs);
    for (size_t i = 0; hs && i < n; i++)
        hs[i] = (apierr_header){json_string_value(json_array_get(json_array_get(h, i), 0)),
                                json_string_value(json_array_get(json_array_get(h, i), 1))};
    json_t *body = json_object_get(j, "body");
    int rc = hs && json_is_string(body)
                 ? apierr_reply_make(out, (int)json_integer_value(json_object_get(j, "status")), hs,
                                     n, json_string_value(body), json_string_length(body))
                 : APIERR_EINVAL;
    free(hs);
    json_decref(j);
    return rc == APIERR_OK ? 0 : -1;
}

static int p_recorded(void *c, refapi_dbfail *f, const char *key,
                      const unsigned char fp[APIERR_SHA256_SIZE], apierr_idempotency_state *state,
                      apierr_reply *replay)
{
    char ttl[24];
    snprintf(ttl, sizeof ttl, "%lld", JOURNAL_TTL_MS);
    const char *const v[] = {key, ttl};
    PGresult *res = query(c, f,
                          "SELECT fingerprint, answer FROM idempotency_journal WHERE key = $1"
                          " AND created_ms > (extract(epoch FROM now()) * 1000)::bigint - $2",
                          2, v);
    if (!res) return -1;
    char mine[2 * APIERR_SHA256_SIZE + 1];
    hex(mine, fp);
    int rc = 0;
    *state = APIERR_IDEMPOTENCY_NEW;
    if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), mine) != 0)
        *state = APIERR_IDEMPOTENCY_MISMATCH;
    else if (PQntuples(res) == 1 && unpack(replay, PQgetvalue(res, 0, 1)) == 0)
        *state = APIERR_IDEMPOTENCY_REPLAY;
    else if (PQntuples(res) == 1)
        rc = failed(c, f, NULL);
    PQclear(res);
    return rc;
}

static int p_record(void *c, refapi_dbfail *f, apierr_idempotency *idem, const char *key,
                    const unsigned char fp[APIERR_SHA256_SIZE], const apierr_reply *answer)
{
    (void)idem; /* told after the commit: data.h, publish */
    pg_slot *s = c;
    char fphex[2 * APIERR_SHA256_SIZE + 1];
    hex(fphex, fp);
    char *text = pack(answer);
    if (!text) return failed(s, f, NULL);
    const char *const v[] = {key, fphex, text};
    int rc = run(s, f,
                 "INSERT INTO idempotency_journal (key, fingerprint, answer, created_ms)"
                 " VALUES ($1, $2, $3, (extract(epoch FROM now()) * 1000)::bigint)"
                 " ON CONFLICT (key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,"
                 " answer = EXCLUDED.answer, created_ms = EXCLUDED.created_ms",
                 3, v);
    free(text);
    return rc;
}

/* Every so many records, the expired ones go, in the transaction of the
 * record (which holds the writers' lock anyway). */
static int p_record_purging(void *c, refapi_dbfail *f, apierr_idempotency *idem, const char *key,
                            const unsigned char fp[APIERR_SHA256_SIZE], const apierr_reply *answer)
{
    pg_slot *s = c;
    if (p_record(c, f, idem, key, fp, answer) != 0) return -1;
    if (atomic_fetch_add(s->records, 1) % 1024 != 1023) return 0;
    char ttl[24];
    snprintf(ttl, sizeof ttl, "%lld", JOURNAL_TTL_MS);
    const char *const v[] = {ttl};
    return run(s, f,
               "DELETE FROM idempotency_journal"
               " WHERE created_ms <= (extract(epoch FROM now()) * 1000)::bigint - $1",
               1, v);
}

static void p_close(void *impl)
{
    pg_data *p = impl;
    for (unsigned i = 0; i < p->n; i++) {
        PQfinish(p->slots[i].c);
        pthread_mutex_destroy(&p->slots[i].lock);
    }
    free(p->slots);
    free(p->conninfo);
    free(p);
}

static const refapi_data_ops pg_ops = {
    p_acquire, p_release, p_begin, p_commit,   p_rollback,       p_insert,
    p_read,    p_list,    p_write, p_recorded, p_record_purging, p_close,
};

int refapi_data_open_pg(refapi_data **out, const char *conninfo, unsigned nconn,
                        int validation_status)
{
    pg_data *p = calloc(1, sizeof *p);
    if (!p) return -1;
    p->slots = calloc(nconn, sizeof *p->slots);
    p->conninfo = strdup(conninfo);
    if (!p->slots || !p->conninfo) {
        free(p->slots);
        free(p->conninfo);
        free(p);
        return -1;
    }
    p->n = nconn;
    for (unsigned i = 0; i < nconn; i++) {
        pthread_mutex_init(&p->slots[i].lock, NULL);
        p->slots[i].conninfo = p->conninfo;
        p->slots[i].validation_status = validation_status;
        p->slots[i].records = &p->records;
    }
    p->d = (refapi_data){&pg_ops, p, 1};
    pg_slot *s = &p->slots[0];
    s->c = pg_connect(conninfo);
    PGresult *res = s->c && PQstatus(s->c) == CONNECTION_OK ? PQexec(s->c, SCHEMA) : NULL;
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
        char msg[160];
        one_line(msg, sizeof msg,
                 res    ? PQresultErrorMessage(res)
                 : s->c ? PQerrorMessage(s->c)
                        : "out of memory");
        fprintf(stderr, "apierr serve: cannot open the PostgreSQL database: %s\n", msg);
        PQclear(res);
        p_close(p);
        return -1;
    }
    PQclear(res);
    *out = &p->d;
    return 0;
}
