/* STUB: to be implemented. */
#include "dialect_impl.h"

const apierr__dialect_ops apierr__dialect_ASPNET = {APIERR_DIALECT_ASPNET, NULL, NULL, NULL, NULL};
