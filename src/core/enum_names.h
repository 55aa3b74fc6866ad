/*
 * enum_names.h - the stable names of the public enums, from their X-macro
 * tables, through one set of lookups.
 *
 * Every public enum with names (category, action, dialect, jitter, budget
 * mode, method, transport, decision, key location, hedge verdict) and the return codes get
 * one apierr__enum_table, generated from their X-macro (APIERR_CATEGORY_MAP,
 * ..., APIERR_ERRNO_MAP) in enum_names.c; the public *_name(), *_doc() and
 * *_from_name() functions are thin wrappers over the three lookups below.
 *
 * One case rule for every table, stated in category.h: names are matched
 * exactly, byte for byte. It is what the lookups did before they shared
 * these tables, but for dialects, which alone folded ASCII case (no test
 * relied on it). Exact matching keeps a name read from a profile file or a
 * command line the very string that apierr writes back, and HTTP methods
 * are case-sensitive anyway (RFC 9110 9.1). The return codes' names are
 * their C names ("APIERR_ENOMEM").
 */
#ifndef APIERR_ENUM_NAMES_H
#define APIERR_ENUM_NAMES_H

#include <stddef.h>

typedef struct apierr__enum_row {
    int value;
    const char *name;
    const char *doc; /* one line for people; NULL when the X-macro has no such column */
} apierr__enum_row;

typedef struct apierr__enum_table {
    const char *what; /* "category": what a value is, for messages */
    const apierr__enum_row *rows;
    size_t n;
} apierr__enum_table;

/* The tables, one per X-macro. Columns: suffix of apierr__<suffix>_names. */
#define APIERR__ENUM_TABLE_MAP(X) \
    X(category)                   \
    X(action)                     \
    X(dialect)                    \
    X(jitter)                     \
    X(budget)                     \
    X(method)                     \
    X(transport)                  \
    X(decision)                   \
    X(key_location)               \
    X(hedge_verdict)              \
    X(rc)

#define APIERR__ENUM_TABLE_DECL(suffix) extern const apierr__enum_table apierr__##suffix##_names;
APIERR__ENUM_TABLE_MAP(APIERR__ENUM_TABLE_DECL)
#undef APIERR__ENUM_TABLE_DECL

/* All of the tables above, in that order (tests walk them). */
extern const apierr__enum_table *const apierr__enum_tables[];
extern const size_t apierr__enum_ntables;

/* The name of value, or NULL when the table has no such value. */
const char *apierr__enum_name(const apierr__enum_table *t, int value);
/* The doc of value, or NULL when the table has no such value or no docs. */
const char *apierr__enum_doc(const apierr__enum_table *t, int value);
/* The value named name (exact match) into *out: APIERR_OK, or
 * APIERR_ENOTFOUND (also for name NULL) with *out untouched. */
int apierr__enum_from_name(const apierr__enum_table *t, const char *name, int *out);

#endif
