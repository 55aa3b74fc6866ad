/* Library return codes: messages and names, from APIERR_ERRNO_MAP. */
#include "apierr/common.h"
#include "enum_names.h"

const char *apierr_strerror(int rc)
{
    const char *msg = apierr__enum_doc(&apierr__rc_names, rc);
    return msg ? msg : "unknown error";
}

const char *apierr_rc_name(int rc)
{
    return apierr__enum_name(&apierr__rc_names, rc);
}

const char *apierr_version(void)
{
    return APIERR_VERSION;
}
