/* STUB: to be implemented. */
#include "dialect_impl.h"

const apierr__dialect_ops apierr__dialect_GOOGLE = {APIERR_DIALECT_GOOGLE, NULL, NULL, NULL, NULL};
