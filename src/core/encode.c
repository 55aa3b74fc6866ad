/* apierr_problem_encode(): one problem out in any writable dialect. */
#include "dialect_impl.h"

int apierr_problem_encode(char **out, size_t *out_len, const apierr_problem *p, apierr_dialect d)
{
    if (d == APIERR_DIALECT_AUTO) d = p->dialect;
    if (d == APIERR_DIALECT_AUTO) d = APIERR_DIALECT_PROBLEM;
    *out = NULL;
    if (out_len) *out_len = 0;
    const apierr__dialect_ops *ops = apierr__dialect_ops_of(d);
    if (!ops || !ops->encode || !apierr_dialect_can_encode(d)) return APIERR_EUNSUPPORTED;
    apierr__buf b = APIERR__BUF_INIT;
    ops->encode(&b, p);
    *out = apierr__buf_take(&b, out_len);
    return *out ? APIERR_OK : APIERR_ENOMEM;
}
