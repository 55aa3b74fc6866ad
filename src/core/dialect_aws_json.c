/* STUB: to be implemented. */
#include "dialect_impl.h"

const apierr__dialect_ops apierr__dialect_AWS_JSON = {APIERR_DIALECT_AWS_JSON, NULL, NULL, NULL, NULL};
