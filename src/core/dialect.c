#include "apierr/dialect.h"
#include "dialect_impl.h"

#include <strings.h>

static const struct {
    const char *name;
    const char *doc;
    int can_encode;
} dialects[] = {
#define APIERR__DIALECT_ROW(id, name, enc, doc) {name, doc, enc},
    APIERR_DIALECT_MAP(APIERR__DIALECT_ROW)
#undef APIERR__DIALECT_ROW
};

const char *apierr_dialect_name(apierr_dialect d)
{
    return (unsigned)d < APIERR_DIALECT__COUNT ? dialects[d].name : NULL;
}

const char *apierr_dialect_doc(apierr_dialect d)
{
    return (unsigned)d < APIERR_DIALECT__COUNT ? dialects[d].doc : NULL;
}

int apierr_dialect_from_name(apierr_dialect *out, const char *name)
{
    for (unsigned i = 0; name && i < APIERR_DIALECT__COUNT; i++) {
        if (strcasecmp(name, dialects[i].name) == 0) {
            *out = (apierr_dialect)i;
            return APIERR_OK;
        }
    }
    return APIERR_ENOTFOUND;
}

int apierr_dialect_can_encode(apierr_dialect d)
{
    const apierr__dialect_ops *ops = apierr__dialect_ops_of(d);
    return ops && ops->encode && dialects[d].can_encode;
}

const char *apierr_dialect_content_type(apierr_dialect d)
{
    return d == APIERR_DIALECT_PROBLEM ? "application/problem+json" : "application/json";
}
