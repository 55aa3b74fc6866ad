/* STUB: to be implemented. */
#include "dialect_impl.h"

const apierr__dialect_ops apierr__dialect_SPRING = {APIERR_DIALECT_SPRING, NULL, NULL, NULL, NULL};
