/* STUB: to be implemented. */
#include "dialect_impl.h"

const apierr__dialect_ops apierr__dialect_STRIPE = {APIERR_DIALECT_STRIPE, NULL, NULL, NULL, NULL};
