/* STUB: to be implemented. */
#include "dialect_impl.h"

const apierr__dialect_ops apierr__dialect_AZURE = {APIERR_DIALECT_AZURE, NULL, NULL, NULL, NULL};
