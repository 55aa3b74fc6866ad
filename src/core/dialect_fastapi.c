/* STUB: to be implemented. */
#include "dialect_impl.h"

const apierr__dialect_ops apierr__dialect_FASTAPI = {APIERR_DIALECT_FASTAPI, NULL, NULL, NULL, NULL};
