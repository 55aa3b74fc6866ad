/* STUB: to be implemented. */
#include "dialect_impl.h"

const apierr__dialect_ops apierr__dialect_TWILIO = {APIERR_DIALECT_TWILIO, NULL, NULL, NULL, NULL};
