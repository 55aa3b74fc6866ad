/* The public side of the dialect registry: which dialects can be written. */
#include "apierr/dialect.h"
#include "dialect_impl.h"

/* Whether each dialect can be written (its names are in enum_names.c). */
static const unsigned char can_encode[] = {
#define APIERR__DIALECT_ROW(id, name, enc, doc) enc,
    APIERR_DIALECT_MAP(APIERR__DIALECT_ROW)
#undef APIERR__DIALECT_ROW
};

int apierr_dialect_can_encode(apierr_dialect d)
{
    const apierr__dialect_ops *ops = apierr__dialect_ops_of(d);
    return ops && ops->encode && can_encode[d];
}

const char *apierr_dialect_content_type(apierr_dialect d)
{
    return d == APIERR_DIALECT_PROBLEM ? "application/problem+json" : "application/json";
}
