/* STUB: to be implemented. */
#include "dialect_impl.h"

const apierr__dialect_ops apierr__dialect_JSONAPI = {APIERR_DIALECT_JSONAPI, NULL, NULL, NULL, NULL};
