/*
 * SQLite errors as problems: each mapping is triggered with a real database
 * (a real UNIQUE violation, a real BUSY between two connections, a real
 * interrupt...) and the reply read back by the core decoder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "server_check.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "temp_db.h"

static sqlite3 *open_db(const char *path)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_extended_result_codes(db, 1);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE IF NOT EXISTS invoices("
                                  " id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE,"
                                  " amount INTEGER CHECK (amount >= 0));",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    return db;
}

/* Runs sql on db, expecting failure, and returns the extended code. */
static int run_failing(sqlite3 *db, const char *sql)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    assert_int_not_equal(rc, SQLITE_OK);
    assert_int_equal(rc, sqlite3_extended_errcode(db));
    return rc;
}

/* The mapping of rc, checked against what is expected, then through the
 * reply builder and back; nothing of errmsg but the column may appear.
 * Every 503 carries Retry-After: DB_TIMEOUT its own 1 s, DB_UNAVAILABLE the
 * builder's default (1 s). */
static void check(int rc, const char *errmsg, int status, const char *code, const char *field,
                  const char *retry_after)
{
    apierr_problem *p;
    assert_int_equal(apierr_db_sqlite_problem(&p, rc, errmsg), APIERR_OK);
    assert_int_equal(apierr_db_sqlite_status(rc), status);
    assert_int_equal(p->status, status);
    assert_string_equal(p->code, code);
    assert_int_equal(p->ndetails, field ? 1 : 0);
    if (field) assert_string_equal(p->details[0].field, field);
    for (apierr_dialect d = APIERR_DIALECT_PROBLEM; d <= APIERR_DIALECT_GESTIX; d++) {
        apierr_reply_opts o = APIERR_REPLY_OPTS_INIT;
        o.dialect = d;
        o.request_id = "req-db";
        apierr_reply r;
        build_reply(&r, p, &o);
        const char *ra = reply_header(&r, "Retry-After");
        if (retry_after) {
            assert_non_null(ra);
            assert_string_equal(ra, retry_after);
        } else {
            assert_null(ra);
        }
        assert_null(strstr(r.body, "invoices"));
        assert_null(strstr(r.body, "constraint failed"));
        assert_null(strstr(r.body, "SQL"));
        apierr_problem *back = decode_reply(&r, d, 1);
        assert_int_equal(back->status, status);
        assert_string_equal(back->request_id, "req-db");
        if (d == APIERR_DIALECT_PROBLEM || d == APIERR_DIALECT_GESTIX)
            assert_string_equal(back->code, status == 500 ? "INTERNAL_ERROR" : code);
        if (field && d != APIERR_DIALECT_FIELDMAP) {
            assert_int_equal(back->ndetails, 1);
            assert_string_equal(back->details[0].field, field);
        }
        apierr_problem_free(back);
        apierr_reply_clear(&r);
    }
    apierr_problem_free(p);
}

static void test_constraints(void **state)
{
    (void)state;
    sqlite3 *db = open_db(":memory:");
    assert_int_equal(
        sqlite3_exec(db, "INSERT INTO invoices VALUES (1, 'F-1', 10)", NULL, NULL, NULL),
        SQLITE_OK);

    int rc = run_failing(db, "INSERT INTO invoices VALUES (2, 'F-1', 10)");
    assert_int_equal(rc, SQLITE_CONSTRAINT_UNIQUE);
    check(rc, sqlite3_errmsg(db), 409, "DUPLICATE_ENTRY", "number", NULL);

    rc = run_failing(db, "INSERT INTO invoices VALUES (1, 'F-2', 10)");
    assert_int_equal(rc, SQLITE_CONSTRAINT_PRIMARYKEY);
    check(rc, sqlite3_errmsg(db), 409, "DUPLICATE_ENTRY", "id", NULL);

    rc = run_failing(db, "INSERT INTO invoices VALUES (3, NULL, 10)");
    assert_int_equal(rc, SQLITE_CONSTRAINT_NOTNULL);
    check(rc, sqlite3_errmsg(db), 422, "CONSTRAINT_VIOLATION", "number", NULL);

    rc = run_failing(db, "INSERT INTO invoices VALUES (4, 'F-4', -5)");
    assert_int_equal(rc, SQLITE_CONSTRAINT_CHECK);
    check(rc, sqlite3_errmsg(db), 422, "CONSTRAINT_VIOLATION", NULL, NULL);

    /* Not in the table: a foreign key failure and a syntax error are 500s. */
    assert_int_equal(sqlite3_exec(db,
                                  "PRAGMA foreign_keys=ON;"
                                  "CREATE TABLE lines(invoice INTEGER REFERENCES invoices(id));",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    rc = run_failing(db, "INSERT INTO lines VALUES (99)");
    assert_int_equal(rc, SQLITE_CONSTRAINT_FOREIGNKEY);
    check(rc, sqlite3_errmsg(db), 500, "INTERNAL_ERROR", NULL, NULL);
    rc = run_failing(db, "SELEC 1");
    assert_int_equal(rc, SQLITE_ERROR);
    check(rc, sqlite3_errmsg(db), 500, "INTERNAL_ERROR", NULL, NULL);
    sqlite3_close(db);
}

static void test_busy(void **state)
{
    (void)state;
    sqlite3 *a = open_db(dbpath), *b = open_db(dbpath);
    assert_int_equal(sqlite3_busy_timeout(b, 0), SQLITE_OK);
    assert_int_equal(sqlite3_exec(a, "BEGIN IMMEDIATE; INSERT INTO invoices VALUES (1, 'A', 1)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    int rc = run_failing(b, "INSERT INTO invoices VALUES (2, 'B', 1)");
    assert_int_equal(rc & 0xff, SQLITE_BUSY);
    check(rc, sqlite3_errmsg(b), 503, "DB_TIMEOUT", NULL, "1");
    assert_int_equal(sqlite3_exec(a, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(a);
    sqlite3_close(b);
}

static void test_locked(void **state)
{
    (void)state;
    sqlite3 *db = open_db(":memory:");
    assert_int_equal(sqlite3_exec(db, "INSERT INTO invoices VALUES (1, 'A', 1)", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT * FROM invoices", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW); /* a reader keeps the table open */
    int rc = run_failing(db, "DROP TABLE invoices");
    assert_int_equal(rc & 0xff, SQLITE_LOCKED);
    check(rc, sqlite3_errmsg(db), 503, "DB_TIMEOUT", NULL, "1");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static int interrupt_it(void *db)
{
    sqlite3_interrupt(db);
    return 0;
}

static void test_interrupt(void **state)
{
    (void)state;
    sqlite3 *db = open_db(":memory:");
    sqlite3_progress_handler(db, 1000, interrupt_it, db);
    int rc = run_failing(db, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)"
                             " SELECT count(*) FROM c");
    assert_int_equal(rc, SQLITE_INTERRUPT);
    check(rc, sqlite3_errmsg(db), 504, "DB_INTERRUPTED", NULL, NULL);
    sqlite3_close(db);
}

static void test_full(void **state)
{
    (void)state;
    sqlite3 *db = open_db(dbpath);
    assert_int_equal(sqlite3_exec(db, "PRAGMA max_page_count = 8", NULL, NULL, NULL), SQLITE_OK);
    int rc =
        run_failing(db, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 1000)"
                        " INSERT INTO invoices(number, amount) SELECT randomblob(500), x FROM c");
    assert_int_equal(rc, SQLITE_FULL);
    check(rc, sqlite3_errmsg(db), 503, "DB_UNAVAILABLE", NULL, "1");
    sqlite3_close(db);
}

/* I/O errors cannot be caused on purpose portably; the codes are mapped by
 * their primary code, so every extended one is checked. */
static void test_table_only_codes(void **state)
{
    (void)state;
    static const int ioerr[] = {SQLITE_IOERR, SQLITE_IOERR_READ, SQLITE_IOERR_WRITE,
                                SQLITE_IOERR_FSYNC, SQLITE_IOERR_NOMEM};
    for (size_t i = 0; i < sizeof ioerr / sizeof *ioerr; i++)
        check(ioerr[i], "disk I/O error", 503, "DB_UNAVAILABLE", NULL, "1");
    check(SQLITE_BUSY_SNAPSHOT, NULL, 503, "DB_TIMEOUT", NULL, "1");
    check(SQLITE_LOCKED_SHAREDCACHE, NULL, 503, "DB_TIMEOUT", NULL, "1");
    check(SQLITE_CORRUPT, "database disk image is malformed", 500, "INTERNAL_ERROR", NULL, NULL);
    check(SQLITE_CONSTRAINT, "constraint failed", 500, "INTERNAL_ERROR", NULL, NULL);
    /* A UNIQUE failure without a message still maps, without a field. */
    check(SQLITE_CONSTRAINT_UNIQUE, NULL, 409, "DUPLICATE_ENTRY", NULL, NULL);
    check(SQLITE_CONSTRAINT_UNIQUE, "UNIQUE constraint failed: main.t.a, t.b", 409,
          "DUPLICATE_ENTRY", "a", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constraints),
        cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
        cmocka_unit_test(test_locked),
        cmocka_unit_test(test_interrupt),
        cmocka_unit_test_setup_teardown(test_full, setup, teardown),
        cmocka_unit_test(test_table_only_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
