/* The registry of dialects: one row per apierr_dialect, in enum order. */
#include "dialect_impl.h"

#include <stddef.h>

#define APIERR__DIALECT_EXTERN(id, name, enc, doc) \
    extern const apierr__dialect_ops apierr__dialect_##id;
APIERR_DIALECT_MAP(APIERR__DIALECT_EXTERN)
#undef APIERR__DIALECT_EXTERN

/* `auto` is no shape of its own: its row has no functions. */
const apierr__dialect_ops apierr__dialect_AUTO = {APIERR_DIALECT_AUTO, NULL, NULL, NULL, NULL, 0};

/* The table is the same X-macro list as the enum, so it cannot drift. */
static const apierr__dialect_ops *const table[] = {
#define APIERR__DIALECT_REF(id, name, enc, doc) &apierr__dialect_##id,
    APIERR_DIALECT_MAP(APIERR__DIALECT_REF)
#undef APIERR__DIALECT_REF
};

const apierr__dialect_ops *apierr__dialect_ops_of(apierr_dialect d)
{
    return (unsigned)d < APIERR_DIALECT__COUNT ? table[d] : NULL;
}
