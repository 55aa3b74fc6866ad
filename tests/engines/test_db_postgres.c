/*
 * PostgreSQL errors as problems: each SQLSTATE of the table is raised for
 * real on a throwaway cluster (tests/integration/db_postgres.sh starts it and
 * sets PGHOST/PGPORT), its fields read with libpq as an application would,
 * and the problem checked. The library itself never links libpq.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apierr-server.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static PGconn *connect_db(void)
{
    PGconn *c = PQconnectdb(""); /* PGHOST, PGPORT, PGUSER, PGDATABASE */
    if (PQstatus(c) != CONNECTION_OK) fail_msg("connect: %s", PQerrorMessage(c));
    return c;
}

static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
}

/* Runs sql, which must fail with `state`; returns the problem of its error,
 * built from the fields libpq gives, under validation status vs. */
static apierr_problem *failing(PGconn *c, const char *sql, const char *state, int vs)
{
    PGresult *r = PQexec(c, sql);
    assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
    const char *got = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (!got || strcmp(got, state) != 0)
        fail_msg("%s: SQLSTATE %s, expected %s (%s)", sql, got ? got : "none", state,
                 PQresultErrorMessage(r));
    apierr_problem *p = NULL;
    assert_int_equal(apierr_db_pg_problem(&p, got, PQresultErrorField(r, PG_DIAG_COLUMN_NAME),
                                          PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL), vs),
                     APIERR_OK);
    assert_int_equal(p->status, apierr_db_pg_status(got, vs));
    PQclear(r);
    return p;
}

static void expect(apierr_problem *p, int status, const char *code, long long retry_after_ms,
                   const char *field)
{
    assert_int_equal(p->status, status);
    assert_string_equal(p->code, code);
    assert_int_equal(p->retry_after_ms, retry_after_ms);
    if (field) {
        assert_int_equal(p->ndetails, 1);
        assert_string_equal(p->details[0].field, field);
    } else {
        assert_int_equal(p->ndetails, 0);
    }
    /* Nothing of PostgreSQL's own words reaches the client. */
    assert_null(strstr(p->message, "invoices"));
    assert_null(strstr(p->message, "violates"));
    apierr_problem_free(p);
}

static int setup(void **state)
{
    (void)state;
    PGconn *c = connect_db();
    exec_ok(c, "DROP TABLE IF EXISTS lines; DROP TABLE IF EXISTS invoices;"
               "CREATE TABLE invoices (id int PRIMARY KEY, number text NOT NULL UNIQUE,"
               " amount int CHECK (amount >= 0));"
               "CREATE TABLE lines (id int PRIMARY KEY, invoice int REFERENCES invoices(id));"
               "INSERT INTO invoices VALUES (1, 'A-1', 10);");
    PQfinish(c);
    return 0;
}

static void test_constraints(void **state)
{
    (void)state;
    PGconn *c = connect_db();
    expect(failing(c, "INSERT INTO invoices VALUES (2, 'A-1', 5)", "23505", 0), 409,
           "DUPLICATE_ENTRY", -1, "number");
    expect(failing(c, "INSERT INTO invoices VALUES (1, 'B-1', 5)", "23505", 0), 409,
           "DUPLICATE_ENTRY", -1, "id");
    expect(failing(c, "INSERT INTO invoices VALUES (3, NULL, 5)", "23502", 0), 422,
           "CONSTRAINT_VIOLATION", -1, "number");
    expect(failing(c, "INSERT INTO invoices VALUES (3, 'C-1', -5)", "23514", 400), 400,
           "CONSTRAINT_VIOLATION", -1, NULL); /* gestix: validation status 400 */
    expect(failing(c, "INSERT INTO lines VALUES (1, 99)", "23503", 0), 422, "CONSTRAINT_VIOLATION",
           -1, "invoice");
    expect(failing(c, "SELEC 1", "42601", 0), 500, "INTERNAL_ERROR", -1, NULL);
    PQfinish(c);
}

static void test_transient(void **state)
{
    (void)state;
    PGconn *a = connect_db(), *b = connect_db();
    /* 40001: a repeatable-read transaction updates a row changed since. */
    exec_ok(a, "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT * FROM invoices");
    exec_ok(b, "UPDATE invoices SET amount = amount + 1 WHERE id = 1");
    expect(failing(a, "UPDATE invoices SET amount = amount + 1 WHERE id = 1", "40001", 0), 503,
           "DB_TIMEOUT", APIERR_DB_RETRY_AFTER_MS, NULL);
    exec_ok(a, "ROLLBACK");
    /* 55P03: a row locked by another transaction, NOWAIT. */
    exec_ok(b, "BEGIN; SELECT * FROM invoices WHERE id = 1 FOR UPDATE");
    expect(failing(a, "SELECT * FROM invoices WHERE id = 1 FOR UPDATE NOWAIT", "55P03", 0), 503,
           "DB_TIMEOUT", APIERR_DB_RETRY_AFTER_MS, NULL);
    exec_ok(b, "ROLLBACK");
    /* 40P01: two transactions each wait for the other's row. */
    exec_ok(a, "INSERT INTO invoices VALUES (2, 'A-2', 1)");
    exec_ok(a, "SET deadlock_timeout = '50ms'");
    exec_ok(b, "SET deadlock_timeout = '10s'"); /* a is the one detected */
    exec_ok(a, "BEGIN; UPDATE invoices SET amount = 0 WHERE id = 1");
    exec_ok(b, "BEGIN; UPDATE invoices SET amount = 0 WHERE id = 2");
    assert_int_equal(PQsendQuery(b, "UPDATE invoices SET amount = 1 WHERE id = 1"), 1);
    expect(failing(a, "UPDATE invoices SET amount = 1 WHERE id = 2", "40P01", 0), 503, "DB_TIMEOUT",
           APIERR_DB_RETRY_AFTER_MS, NULL);
    exec_ok(a, "ROLLBACK");
    PGresult *r;
    while ((r = PQgetResult(b))) PQclear(r); /* b got the lock once a rolled back */
    exec_ok(b, "ROLLBACK");
    /* 57014: statement_timeout cancels a long query. */
    exec_ok(a, "SET statement_timeout = 50");
    expect(failing(a, "SELECT pg_sleep(5)", "57014", 0), 504, "DB_INTERRUPTED", -1, NULL);
    PQfinish(a);
    /* The administrator ends b's connection: its FATAL 57P01 arrives while
     * b is idle, so libpq reports the next query as a lost connection, with
     * no SQLSTATE; the application names it by the class (08006). */
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d)", PQbackendPID(b));
    PGconn *admin = connect_db();
    exec_ok(admin, sql);
    PQfinish(admin);
    r = PQexec(b, "SELECT 1");
    assert_int_not_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_int_equal(PQstatus(b), CONNECTION_BAD);
    PQclear(r);
    PQfinish(b);
    apierr_problem *p = NULL;
    assert_int_equal(apierr_db_pg_problem(&p, "08006", NULL, NULL, 0), APIERR_OK);
    expect(p, 503, "DB_UNAVAILABLE", APIERR_DB_RETRY_AFTER_MS, NULL);
}

/* Connection failures have no result to read a SQLSTATE from: libpq's
 * callers name them by the class, as libpq's own docs do (08006). Too many
 * connections (53300) is raised for real by filling the cluster. */
static void test_unreachable(void **state)
{
    (void)state;
    PGconn *conns[32];
    size_t n = 0;
    int refused = 0;
    while (n < 32) {
        conns[n] = PQconnectdb("");
        if (PQstatus(conns[n++]) != CONNECTION_OK) {
            refused = strstr(PQerrorMessage(conns[n - 1]), "too many") != NULL;
            break;
        }
    }
    assert_true(refused);
    while (n) PQfinish(conns[--n]);
    static const char *const states[] = {"53300", "08001", "57P01", "57P02", "57P03"};
    for (size_t i = 0; i < 5; i++) {
        apierr_problem *p = NULL;
        assert_int_equal(apierr_db_pg_problem(&p, states[i], NULL, NULL, 0), APIERR_OK);
        expect(p, 503, "DB_UNAVAILABLE", APIERR_DB_RETRY_AFTER_MS, NULL);
    }
    /* Malformed or missing SQLSTATEs and values never leave as fields. */
    static const char *const junk[] = {NULL, "", "2350", "235050", "ZZZZZ"};
    for (size_t i = 0; i < 5; i++) {
        apierr_problem *p = NULL;
        assert_int_equal(apierr_db_pg_problem(&p, junk[i], NULL, NULL, 0), APIERR_OK);
        expect(p, 500, "INTERNAL_ERROR", -1, NULL);
    }
    apierr_problem *p = NULL;
    assert_int_equal(
        apierr_db_pg_problem(&p, "23505", NULL, "Key (lower(email))=(a@b.c) already exists.", 0),
        APIERR_OK);
    expect(p, 409, "DUPLICATE_ENTRY", -1, NULL); /* an expression is not a column */
}

int main(void)
{
    if (!getenv("PGHOST")) {
        fprintf(stderr, "skipped: PGHOST is not set (run by tests/integration/db_postgres.sh)\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constraints),
        cmocka_unit_test(test_transient),
        cmocka_unit_test(test_unreachable),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
