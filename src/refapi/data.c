/* data.c - what the data stores share: which one a --db value names, and
 * closing either (data.h). */
#include "data.h"

#include <string.h>

int refapi_data_is_pg(const char *db)
{
    return db && (strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0);
}

void refapi_data_close(refapi_data *d)
{
    if (d) d->ops->close(d->impl);
}
