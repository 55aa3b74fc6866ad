/* STUB: to be implemented. */
#include "dialect_impl.h"

const apierr__dialect_ops apierr__dialect_DRF = {APIERR_DIALECT_DRF, NULL, NULL, NULL, NULL};
