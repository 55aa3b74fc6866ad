/*
 * The stable names of the public enums: one table per X-macro, the three
 * lookups over them, and the public accessors (declared in category.h,
 * dialect.h, policy.h, profile.h and hedge.h; the return codes' in errors.c), which
 * only pick a table.
 * The case rule is in enum_names.h.
 */
#include "enum_names.h"

#include "apierr/dialect.h"
#include "apierr/hedge.h"
#include "apierr/profile.h"

#include <string.h>

/* --- the tables ---------------------------------------------------------------- */

/* Rows from each X-macro's columns: value, name and, where there is one, doc. */
#define CATEGORY_ROW(id, name, doc)               {APIERR_CAT_##id, name, doc},
#define ACTION_ROW(id, name, doc)                 {APIERR_ACTION_##id, name, doc},
#define DIALECT_ROW(id, name, enc, doc)           {APIERR_DIALECT_##id, name, doc},
#define JITTER_ROW(id, name)                      {APIERR_JITTER_##id, name, NULL},
#define BUDGET_ROW(id, name)                      {APIERR_BUDGET_##id, name, NULL},
#define METHOD_ROW(id, name, idem)                {APIERR_METHOD_##id, name, NULL},
#define TRANSPORT_ROW(id, name, cat, unsent, doc) {APIERR_TRANSPORT_##id, name, doc},
#define DECISION_ROW(id, name)                    {APIERR_DECISION_##id, name, NULL},
#define KEY_LOCATION_ROW(id, name)                {APIERR_KEY_IN_##id, name, NULL},
#define HEDGE_VERDICT_ROW(id, name, doc)          {APIERR_HEDGE_##id, name, doc},
#define RC_ROW(id, value, msg)                    {value, "APIERR_" #id, msg},

/* apierr__<suffix>_names from MAP, one ROW a value. */
#define TABLE(suffix, MAP, ROW)                                 \
    static const apierr__enum_row suffix##_rows[] = {MAP(ROW)}; \
    const apierr__enum_table apierr__##suffix##_names = {       \
        #suffix, suffix##_rows, sizeof suffix##_rows / sizeof suffix##_rows[0]};

TABLE(category, APIERR_CATEGORY_MAP, CATEGORY_ROW)
TABLE(action, APIERR_ACTION_MAP, ACTION_ROW)
TABLE(dialect, APIERR_DIALECT_MAP, DIALECT_ROW)
TABLE(jitter, APIERR_JITTER_MAP, JITTER_ROW)
TABLE(budget, APIERR_BUDGET_MAP, BUDGET_ROW)
TABLE(method, APIERR_METHOD_MAP, METHOD_ROW)
TABLE(transport, APIERR_TRANSPORT_MAP, TRANSPORT_ROW)
TABLE(decision, APIERR_DECISION_MAP, DECISION_ROW)
TABLE(key_location, APIERR_KEY_LOCATION_MAP, KEY_LOCATION_ROW)
TABLE(hedge_verdict, APIERR_HEDGE_VERDICT_MAP, HEDGE_VERDICT_ROW)
TABLE(rc, APIERR_ERRNO_MAP, RC_ROW)

const apierr__enum_table *const apierr__enum_tables[] = {
#define TABLE_REF(suffix) &apierr__##suffix##_names,
    APIERR__ENUM_TABLE_MAP(TABLE_REF)
#undef TABLE_REF
};
const size_t apierr__enum_ntables = sizeof apierr__enum_tables / sizeof apierr__enum_tables[0];

/* --- the lookups ---------------------------------------------------------------- */

static const apierr__enum_row *row_of(const apierr__enum_table *t, int value)
{
    /* Enums count from 0 in table order, so their row is found at once; the
     * return codes (0, -1, -2, ...) are searched. */
    if (value >= 0 && (size_t)value < t->n && t->rows[value].value == value) return &t->rows[value];
    for (size_t i = 0; i < t->n; i++)
        if (t->rows[i].value == value) return &t->rows[i];
    return NULL;
}

const char *apierr__enum_name(const apierr__enum_table *t, int value)
{
    const apierr__enum_row *row = row_of(t, value);
    return row ? row->name : NULL;
}

const char *apierr__enum_doc(const apierr__enum_table *t, int value)
{
    const apierr__enum_row *row = row_of(t, value);
    return row ? row->doc : NULL;
}

int apierr__enum_from_name(const apierr__enum_table *t, const char *name, int *out)
{
    for (size_t i = 0; name && i < t->n; i++) {
        if (strcmp(t->rows[i].name, name) == 0) {
            *out = t->rows[i].value;
            return APIERR_OK;
        }
    }
    return APIERR_ENOTFOUND;
}

/* --- the public accessors -------------------------------------------------------- */

/* Each defines one public function, of the enum type, over a table. */
#define NAME_FN(fn, type, suffix)                                    \
    const char *fn(type v)                                           \
    {                                                                \
        return apierr__enum_name(&apierr__##suffix##_names, (int)v); \
    }
#define DOC_FN(fn, type, suffix)                                    \
    const char *fn(type v)                                          \
    {                                                               \
        return apierr__enum_doc(&apierr__##suffix##_names, (int)v); \
    }
#define FROM_NAME_FN(fn, type, suffix)                                        \
    int fn(type *out, const char *name)                                       \
    {                                                                         \
        int v;                                                                \
        int rc = apierr__enum_from_name(&apierr__##suffix##_names, name, &v); \
        if (rc == APIERR_OK) *out = (type)v;                                  \
        return rc;                                                            \
    }

NAME_FN(apierr_category_name, apierr_category, category)
DOC_FN(apierr_category_doc, apierr_category, category)
FROM_NAME_FN(apierr_category_from_name, apierr_category, category)

NAME_FN(apierr_action_name, apierr_action, action)
DOC_FN(apierr_action_doc, apierr_action, action)
FROM_NAME_FN(apierr_action_from_name, apierr_action, action)

NAME_FN(apierr_dialect_name, apierr_dialect, dialect)
DOC_FN(apierr_dialect_doc, apierr_dialect, dialect)
FROM_NAME_FN(apierr_dialect_from_name, apierr_dialect, dialect)

NAME_FN(apierr_jitter_name, apierr_jitter, jitter)
FROM_NAME_FN(apierr_jitter_from_name, apierr_jitter, jitter)

NAME_FN(apierr_budget_mode_name, apierr_budget_mode, budget)
FROM_NAME_FN(apierr_budget_mode_from_name, apierr_budget_mode, budget)

NAME_FN(apierr_transport_name, apierr_transport, transport)
FROM_NAME_FN(apierr_transport_from_name, apierr_transport, transport)

NAME_FN(apierr_method_name, apierr_method, method)
NAME_FN(apierr_decision_name, apierr_decision_kind, decision)
NAME_FN(apierr_key_location_name, apierr_key_location, key_location)
NAME_FN(apierr_hedge_verdict_name, apierr_hedge_verdict, hedge_verdict)
DOC_FN(apierr_hedge_verdict_doc, apierr_hedge_verdict, hedge_verdict)

/* An unknown method is not an error (policy.h): it is OTHER, not idempotent. */
apierr_method apierr_method_from_name(const char *name)
{
    int v;
    return apierr__enum_from_name(&apierr__method_names, name, &v) == APIERR_OK
               ? (apierr_method)v
               : APIERR_METHOD_OTHER;
}
