#include "apierr/common.h"

#include <stddef.h>

static const struct {
    int rc;
    const char *name;
    const char *msg;
} rc_table[] = {
#define APIERR__RC_ROW(name, value, msg) {value, "APIERR_" #name, msg},
    APIERR_ERRNO_MAP(APIERR__RC_ROW)
#undef APIERR__RC_ROW
};

#define NROWS (sizeof(rc_table) / sizeof(rc_table[0]))

const char *apierr_strerror(int rc)
{
    for (size_t i = 0; i < NROWS; i++)
        if (rc_table[i].rc == rc) return rc_table[i].msg;
    return "unknown error";
}

const char *apierr_rc_name(int rc)
{
    for (size_t i = 0; i < NROWS; i++)
        if (rc_table[i].rc == rc) return rc_table[i].name;
    return NULL;
}

const char *apierr_version(void)
{
    return APIERR_VERSION;
}
